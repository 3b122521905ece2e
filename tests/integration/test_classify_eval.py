#!/usr/bin/env python3
"""test_classify_eval - bin/classify keeps its quality on the development set.

Runs tests/eval/eval_classify.py (binaries: see _eval_bin below):
5-fold cross-validation, a model trained per fold with bin/classify-train,
and checks every held-out figure against a floor a little under what the
classifier reached when the floors were set (docs/classifier.md has the
figures). A
change to the keyword files or the code that makes a figure drop below its
floor fails here; so does a drop on the hold-out set written without
looking at the classifier (tests/data/ideas/HOLDOUT.md). Also checks that the offline tool answers every line,
including bad ones, and gives the same answers twice.
"""
import json
import os
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("INSPRAAK_BIN") or os.path.join(ROOT, "bin")


def _eval_bin():
    """The binaries the quality figures are measured with. A figure is a
    property of the code and data, not of the build, and cross-validation
    trains five models: with the sanitizer binaries that is three times
    slower. So the figures come from the release build when there is one
    (`make test` builds it first), and test_sanitizer_build_agrees checks
    that the tested binaries (INSPRAAK_BIN) give the same answers and the
    same model, byte for byte; a stale release build fails there."""
    env = os.environ.get("INSPRAAK_EVAL_BIN")
    if env:
        return env
    release = os.path.join(ROOT, "bin")
    if all(os.access(os.path.join(release, p), os.X_OK) for p in ("classify", "classify-train")):
        return release
    return BIN


EVAL_BIN = _eval_bin()

FLOORS = {  # 5-fold CV (seed 6) on dev.jsonl, folds trained with data/nl/train, dev x3 (0.862 0.863 0.878 0.850 0.909 0.994 0.997 0.651)
    "themes_micro_f1": 0.84,
    "themes_macro_f1": 0.84,
    "themes_primary_accuracy": 0.86,
    "sentiment_accuracy": 0.83,
    "question_accuracy": 0.89,
    "wijk_accuracy": 0.96,
    "language_accuracy": 0.96,
    "dup_pair_f1": 0.50,
}

HOLDOUT_FLOORS = {  # shipped model on holdout.jsonl (0.853 0.850 0.830 0.865 0.925 0.990 1.000 0.611)
    "themes_micro_f1": 0.83,
    "themes_macro_f1": 0.83,
    "themes_primary_accuracy": 0.81,
    "sentiment_accuracy": 0.84,
    "question_accuracy": 0.90,
    "wijk_accuracy": 0.96,
    "language_accuracy": 0.97,
    "dup_pair_f1": 0.50,
}


def classify(lines):
    env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
    out = subprocess.run([os.path.join(BIN, "classify")], input="".join(lines).encode(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=True)
    return [json.loads(l) for l in out.stdout.decode().splitlines()]


class ClassifyEval(unittest.TestCase):
    def _check(self, script, floors):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "tests/eval", script),
                              "--bin", EVAL_BIN, "--json"], stdout=subprocess.PIPE, check=True)
        got = json.loads(out.stdout)
        for key, floor in floors.items():
            with self.subTest(script=script, key=key):
                self.assertGreaterEqual(got[key], floor, "%s %.3f below %.2f" % (key, got[key], floor))
        return got

    def test_floors(self):
        """5-fold cross-validation on the development set; the near-duplicate
        figure over other hashes of the sketch is reported beside it."""
        got = self._check("eval_classify.py", FLOORS)
        self.assertLessEqual(got["dup_pair_f1_hash_low"], got["dup_pair_f1_hash_mean"])
        self.assertLessEqual(got["dup_pair_f1_hash_mean"], got["dup_pair_f1_hash_high"])
        self.assertGreater(got["dup_pair_f1_hash_high"], 0)

    def test_holdout_floors(self):
        """The shipped model on the hold-out set nobody tuned on (HOLDOUT.md)."""
        self._check("eval_holdout.py", HOLDOUT_FLOORS)

    def test_holdouts_pooled(self):
        """eval_holdout.py --pool: one set pooled alone is that set's
        near-duplicate figure; the same set twice keeps the figure and
        narrows the interval (twice the groups)."""
        def run(*args):
            out = subprocess.run([sys.executable, os.path.join(ROOT, "tests/eval/eval_holdout.py"),
                                  "--bin", EVAL_BIN, "--json"] + list(args),
                                 stdout=subprocess.PIPE, check=True)
            return json.loads(out.stdout)
        h2 = os.path.join(ROOT, "tests/data/ideas/holdout2.jsonl")
        alone, one, twice = run("--data", h2), run("--pool", h2), run("--pool", h2, h2)
        self.assertAlmostEqual(one["dup_pair_f1"], alone["dup_pair_f1"])
        self.assertEqual((one["dup_pair_f1_low"], one["dup_pair_f1_high"]),
                         (alone["dup_pair_f1_low"], alone["dup_pair_f1_high"]))
        self.assertAlmostEqual(twice["dup_pair_f1"], one["dup_pair_f1"])
        self.assertGreater(twice["dup_pair_f1_low"], one["dup_pair_f1_low"])
        self.assertLess(twice["dup_pair_f1_high"], one["dup_pair_f1_high"])

    def test_holdout_against_cross_validation(self):
        """eval_holdout.py --cv: each goal line says whether the set holds
        within 0.05 of the cross-validated figure (a gap of exactly 0.05
        holds, 0.06 does not); a CV file it cannot read is a clear error."""
        import tempfile
        script = os.path.join(ROOT, "tests/eval/eval_holdout.py")
        h2 = os.path.join(ROOT, "tests/data/ideas/holdout2.jsonl")
        got = json.loads(subprocess.run([sys.executable, script, "--bin", EVAL_BIN, "--data", h2, "--json"],
                                        stdout=subprocess.PIPE, check=True).stdout)
        with tempfile.TemporaryDirectory() as tmp:
            cv = os.path.join(tmp, "cv.json")
            with open(cv, "w") as f:
                json.dump({"sentiment_accuracy": got["sentiment_accuracy"] + 0.05,
                           "question_accuracy": got["question_accuracy"] + 0.06}, f)
            out = subprocess.run([sys.executable, script, "--bin", EVAL_BIN, "--data", h2, "--cv", cv],
                                 stdout=subprocess.PIPE, check=True, text=True).stdout
            lines = {l.split()[0]: l for l in out.splitlines() if l.startswith("  ") and "goal" in l}
            self.assertIn("-0.050: within 0.05", lines["sentiment_accuracy"])
            self.assertIn("-0.060: NOT within 0.05", lines["question_accuracy"])
            self.assertNotIn("CV", lines["wijk_accuracy"])  # no CV figure, nothing said
            with open(cv, "w") as f:
                f.write("{not json")
            bad = subprocess.run([sys.executable, script, "--bin", EVAL_BIN, "--data", h2, "--cv", cv],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("cannot read the cross-validation figures", bad.stderr)
            self.assertNotIn("Traceback", bad.stderr)

    def test_sanitizer_build_agrees(self):
        """The binaries under test (INSPRAAK_BIN, the ASan/UBSan build in
        `make test`) answer every labelled idea (dev and every hold-out,
        with the shipped hash and another) exactly as the binaries the
        figures above were measured with, and train the same model from the
        same files: so those figures are the tested build's figures, and the
        sanitizers see the whole labelled data go through classify."""
        if os.path.realpath(EVAL_BIN) == os.path.realpath(BIN):
            self.skipTest("the figures were measured with INSPRAAK_BIN itself")
        import glob
        import tempfile
        env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
        ideas = os.path.join(ROOT, "tests/data/ideas")
        stdin = b""
        for path in [os.path.join(ideas, "dev.jsonl")] + sorted(glob.glob(os.path.join(ideas, "holdout*.jsonl"))):
            with open(path, "rb") as f:
                stdin += f.read()

        def answers(bindir, *args):
            return subprocess.run([os.path.join(bindir, "classify")] + list(args), input=stdin,
                                  stdout=subprocess.PIPE, env=env, check=True).stdout
        for args in ((), ("--hash-seed", "5")):
            tested, measured = answers(BIN, *args), answers(EVAL_BIN, *args)
            self.assertEqual(tested.count(b"\n"), stdin.count(b"\n"))
            self.assertEqual(tested, measured, "classify %s: the builds disagree (rebuild bin/?)" % " ".join(args))
        train = ["-W", "3:" + os.path.join(ideas, "dev.jsonl")] + \
            sorted(glob.glob(os.path.join(ROOT, "data/nl/train/*.jsonl")))[:2]
        with tempfile.TemporaryDirectory() as tmp:
            models = []
            for bindir in (BIN, EVAL_BIN):
                out = os.path.join(tmp, "model-%d.tsv" % len(models))
                subprocess.run([os.path.join(bindir, "classify-train"), "-o", out] + train, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                with open(out, "rb") as f:
                    models.append(f.read())
            self.assertIn(b"_bias", models[0])
            self.assertEqual(models[0], models[1], "classify-train: the builds train different models")

    def test_lines(self):
        lines = ['{"id": "a", "text": "Meer bomen in het Molenbergpark, dat zou mooi zijn."}\n',
                 'not json\n',
                 '["an array"]\n',
                 '{"id": "b", "text": "Het Maankwartier is vies.", "question": "nu", "x": 1}\n']
        got = classify(lines)
        self.assertEqual(len(got), 4)
        a, bad1, bad2, b = got
        self.assertEqual(a["id"], "a")
        self.assertEqual(a["themes"][0], "groen")
        self.assertEqual(a["question"], "toekomst")
        self.assertEqual(a["wijk"], "WK091739")
        self.assertEqual(a["language"], "nl")
        self.assertEqual(a["cluster"], "a")  # first of its kind: its own cluster
        self.assertIn("sentiment", a)
        self.assertEqual(bad1["line"], 2)
        self.assertIn("error", bad1)
        self.assertIn("error", bad2)
        self.assertEqual(b["question"], "nu")  # kept
        self.assertEqual(b["x"], 1)  # other keys pass through
        self.assertEqual(b["wijk"], "WK091733")
        self.assertEqual(b["cluster"], "b")
        self.assertEqual(classify(lines), got)

    def test_train_refuses_bad_numbers_and_writes_whole_files(self):
        """classify-train: "-l abc" is a usage error (2); a model it cannot
        write is an error (1); a written model leaves no temporary file."""
        import tempfile
        exe = os.path.join(BIN, "classify-train")
        env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
        dev = os.path.join(ROOT, "tests/data/ideas/dev.jsonl")
        bad = subprocess.run([exe, "-l", "abc", "-o", "-"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(bad.returncode, 2)
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([exe, "-n", "2", "-o", os.path.join(tmp, "no", "model.tsv"), dev],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(r.returncode, 1)
            self.assertNotIn(b"->", r.stderr)  # no success line after the error
            model = os.path.join(tmp, "model.tsv")
            r = subprocess.run([exe, "-n", "2", "-o", model, dev], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(os.listdir(tmp), ["model.tsv"])
            with open(model) as f:
                plain = f.read()
            self.assertIn("_bias", plain)
            # -W: one weight for every idea changes nothing (the loss is a
            # weighted mean); a weight on part of the ideas changes the model
            for arg in ("abc:" + dev, "0:" + dev, "101:" + dev, "2:"):
                r = subprocess.run([exe, "-W", arg, "-o", "-"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                self.assertEqual(r.returncode, 2, arg)
            r = subprocess.run([exe, "-n", "2", "-o", "-", "-W", "5:" + dev], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
            self.assertEqual(r.stdout.decode(), plain)
            half = os.path.join(tmp, "half.jsonl")
            with open(dev) as f, open(half, "w") as out:
                out.writelines(f.readlines()[:100])
            r1 = subprocess.run([exe, "-n", "2", "-o", "-", half, dev], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
            r2 = subprocess.run([exe, "-n", "2", "-o", "-", "-W", "3:" + half, dev], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
            self.assertNotEqual(r1.stdout, r2.stdout)

    def test_usage(self):
        """--help answers on stdout; an unknown argument is refused with 2."""
        exe = os.path.join(BIN, "classify")
        ok = subprocess.run([exe, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(ok.returncode, 0)
        self.assertIn(b"usage: classify", ok.stdout)
        bad = subprocess.run([exe, "--model"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        self.assertEqual(bad.returncode, 2)
        self.assertEqual(bad.stdout, b"")
        self.assertIn(b"usage: classify", bad.stderr)

    def test_hash_seed(self):
        """--hash-seed N (evaluation only): seed 0 is the default run; another
        seed changes no label but changes clusters (one of seeds 1-8 on
        these 120 ideas: without that check an option read and then ignored
        would pass; the 1,024-slot sketch hardly depends on the hash, so
        most seeds give the same clusters, and which ones differ moves with
        the score: seed 7 did until the twelfth round, now 1, 2, 6 and 8
        do); a seed that is not a number in 0-1000 is a usage error (2)."""
        exe = os.path.join(BIN, "classify")
        env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
        with open(os.path.join(ROOT, "tests/data/ideas/dev.jsonl"), encoding="utf-8") as f:
            stdin = "".join(f.readlines()[:120]).encode()

        def run(*args):
            out = subprocess.run([exe] + list(args), input=stdin, stdout=subprocess.PIPE,
                                 env=env, check=True).stdout.decode()
            return [json.loads(l) for l in out.splitlines()]
        default, zero = run(), run("--hash-seed", "0")
        self.assertEqual(default, zero)
        clusters = [a.get("cluster") for a in default]
        for seed in range(1, 9):
            other = run("--hash-seed", str(seed))
            for a, b in zip(default, other):
                self.assertEqual({k: v for k, v in a.items() if k != "cluster"},
                                 {k: v for k, v in b.items() if k != "cluster"})
            if [b.get("cluster") for b in other] != clusters:
                break
        else:
            self.fail("no seed of 1-8 changed a cluster")
        for bad in (["--hash-seed"], ["--hash-seed", "x"], ["--hash-seed", "-1"],
                    ["--hash-seed", "1001"], ["--hash-seed", "3", "4"]):
            r = subprocess.run([exe] + bad, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn(b"--hash-seed N", r.stderr)

    def test_ideas_without_id_get_clusters_of_their_own(self):
        """An idea without "id" gets a cluster id made from its sketch: two
        ideas on different subjects must not share it (it was made of the
        first two of 64 slots, empty for most short ideas, so unrelated ideas
        came out as one cluster "cffffffffffffffff"), while the same text
        twice is still one cluster."""
        texts = ["Meer bankjes in het Aambos voor ouderen.",
                 "De bus naar het ziekenhuis rijdt 's avonds niet meer.",
                 "Graag een zebrapad bij de school in Heerlerbaan.",
                 "Zonnepanelen op het dak van het zwembad."]
        got = classify([json.dumps({"text": t}) + "\n" for t in texts + texts[:1]])
        clusters = [g["cluster"] for g in got]
        self.assertEqual(len(set(clusters[:4])), 4, clusters)
        self.assertEqual(clusters[4], clusters[0])
        self.assertNotIn("id", got[0])


if __name__ == "__main__":
    unittest.main()
