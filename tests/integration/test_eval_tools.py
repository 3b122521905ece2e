#!/usr/bin/env python3
"""test_eval_tools - the near-duplicate scoring tools say what they claim.

tests/eval/pair_interval.py: pair P/R/F1 and the block-bootstrap interval
(a gold group with the predicted clusters that touch it is one block).
tests/eval/label_agreement.py: the second readers' labellings in
tests/data/ideas/agreement/ (near-duplicate groups, or sentiment and
question) scored against the writers' labels, also on a sample of a
training file, and a labelling that does not match its set refused with
a clear error.
tests/eval/eval_holdout.py --pool: every goal pooled over hold-out sets,
with a stratified interval and the single sets' range.
data/nl/train/wish/: the readers' wish labels still label the corpus
they were made for (tests/eval/wish_ceiling.py reads them).
No server and no classifier binary are needed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVAL = os.path.join(ROOT, "tests/eval")
sys.path.insert(0, EVAL)
import pair_interval  # noqa: E402
import eval_classify  # noqa: E402
import eval_holdout  # noqa: E402


pairs = pair_interval.pairs


class PairInterval(unittest.TestCase):
    def test_perfect_clusters_are_certain(self):
        gold = pairs(["g1", "g1", None, "g2", "g2", "g2"])
        p, r, f, low, high, n = pair_interval.pair_scores(gold, set(gold))
        self.assertEqual((p, r, f, low, high, n), (1.0, 1.0, 1.0, 1.0, 1.0, 2))

    def test_scores_follow_the_definition(self):
        """One group of two found, one missed, one wrong pair: P 1/2, R 1/2."""
        gold = pairs(["g1", "g1", "g2", "g2", None, None])
        pred = pairs(["c1", "c1", None, None, "c2", "c2"])
        p, r, f, low, high, n = pair_interval.pair_scores(gold, pred)
        self.assertEqual((p, r, n), (0.5, 0.5, 3))
        self.assertAlmostEqual(f, 0.5)
        self.assertEqual((low, high), (0.0, 1.0))  # three blocks: any mix can be drawn

    def test_a_cluster_bridging_two_groups_is_one_block(self):
        """Gold a-b and c-d; the classifier put b and c together: the four
        ideas are one block, so a resample keeps the wrong pair with the
        groups it joined."""
        gold = pairs(["g1", "g1", "g2", "g2"])
        pred = pairs([None, "c", "c", None])
        self.assertEqual(pair_interval.blocks(gold, pred), [[0, 1, 2]])

    def test_interval_is_repeatable_and_holds_the_figure(self):
        groups = ["g%d" % (i // 3) for i in range(60)]
        found = [g if i % 9 < 6 else None for i, g in enumerate(groups)]
        gold, pred = pairs(groups), pairs(found)
        first = pair_interval.pair_scores(gold, pred)
        self.assertEqual(first, pair_interval.pair_scores(gold, pred))
        p, r, f, low, high, n = first
        self.assertLess(low, f)
        self.assertLess(f, high)
        self.assertEqual(n, 20)
        self.assertEqual(pair_interval.interval([]), (0.0, 0.0))

    def test_the_interval_cuts_as_much_off_either_end(self):
        """2.5 % of the bootstrap values below the interval, 2.5 % above."""
        values = list(range(2000))
        low, high = pair_interval.bounds(values)
        self.assertEqual(sum(v < low for v in values), 50)
        self.assertEqual(sum(v > high for v in values), 50)
        self.assertEqual(pair_interval.bounds([0.5]), (0.5, 0.5))


class PooledLabels(unittest.TestCase):
    """eval_holdout.s_pool_labels: the figures of several sets together."""

    @staticmethod
    def labelled_set(n, wrong_sentiment):
        items, got = [], []
        for i in range(n):
            it = {"themes": ["groen"], "sentiment": "neutraal", "question": "nu",
                  "wijk": None, "language": "nl"}
            items.append(it)
            guess = dict(it)
            if i < wrong_sentiment:
                guess["sentiment"] = "negatief"
            got.append(guess)
        return items, got

    def test_pooled_figure_weighs_every_idea_once(self):
        """100 ideas with 10 wrong and 300 with 90 wrong: 0.75 pooled (not
        the mean of 0.9 and 0.7), between the two sets."""
        sets = [self.labelled_set(100, 10), self.labelled_set(300, 90)]
        result = eval_holdout.s_pool_labels(eval_classify, sets, pair_interval)
        value, low, high, worst, best = result["sentiment_accuracy"]
        self.assertAlmostEqual(value, 0.75)
        self.assertAlmostEqual(worst, 0.7)
        self.assertAlmostEqual(best, 0.9)
        self.assertLess(low, value)
        self.assertLess(value, high)
        self.assertEqual(result["question_accuracy"][:3], (1.0, 1.0, 1.0))
        self.assertNotIn("dup_pair_f1", result)
        self.assertEqual(result, eval_holdout.s_pool_labels(eval_classify, sets, pair_interval))

    def test_the_interval_narrows_with_more_ideas(self):
        small = eval_holdout.s_pool_labels(eval_classify, [self.labelled_set(50, 10)], pair_interval)
        large = eval_holdout.s_pool_labels(eval_classify, [self.labelled_set(50, 10)] * 8, pair_interval)
        width = lambda r: r["sentiment_accuracy"][2] - r["sentiment_accuracy"][1]
        self.assertAlmostEqual(small["sentiment_accuracy"][0], large["sentiment_accuracy"][0])
        self.assertLess(width(large), width(small) * 0.6)


class LabelAgreement(unittest.TestCase):
    def run_tool(self, *args):
        return subprocess.run([sys.executable, os.path.join(EVAL, "label_agreement.py")] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_every_labelling_is_scored(self):
        r = self.run_tool("--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = json.loads(r.stdout)
        folder = os.path.join(ROOT, "tests/data/ideas/agreement")
        by = {}  # (set, label) -> readers
        for f in sorted(os.listdir(folder)):
            if f.endswith(".jsonl"):
                with open(os.path.join(folder, f)) as fh:
                    first = json.loads(fh.readline())
                for key in ("dup_group", "sentiment", "question"):
                    if key in first:
                        by.setdefault((f.rsplit("-", 1)[0], key), []).append(f)
        expected = sum(len(v) + len(v) * (len(v) - 1) // 2 for v in by.values())
        # the samples of training files: one pooled row per reader and label
        expected += len({(f.rsplit("-", 1)[1], key) for (s, key), v in by.items()
                         if s.startswith("train-") for f in v})
        self.assertEqual(len(rows), expected)
        for row in rows:
            figure = row["f1"] if row["label"] == "dup_group" else row["accuracy"]
            self.assertLessEqual(row["low"], figure, row["compare"])
            self.assertLessEqual(figure, row["high"], row["compare"])

    def test_the_writer_against_itself_agrees_fully(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(ROOT, "tests/data/ideas/holdout2.jsonl")) as f, \
                    open(os.path.join(tmp, "holdout2-w.jsonl"), "w") as out:
                for line in f:
                    item = json.loads(line)
                    out.write(json.dumps({"id": item["id"], "dup_group": item["dup_group"]}) + "\n")
            r = self.run_tool("--folder", tmp, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        (row,) = json.loads(r.stdout)
        self.assertEqual((row["f1"], row["low"], row["high"]), (1.0, 1.0, 1.0))

    def test_a_sample_of_a_training_file(self):
        """train-W-X.jsonl labels a sample of data/nl/train/W.jsonl: the
        writer's own labels on every third idea agree fully, per file and
        pooled; an id out of the file's order, or not in it, is refused."""
        with open(os.path.join(ROOT, "data/nl/train/a.jsonl")) as f:
            items = [json.loads(line) for line in f][::3]

        def write(folder, rows):
            with open(os.path.join(folder, "train-a-w.jsonl"), "w") as out:
                for it in rows:
                    out.write(json.dumps({"id": it["id"], "sentiment": it["sentiment"],
                                          "question": it["question"]}) + "\n")

        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, items)
            r = self.run_tool("--folder", tmp, "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            rows = {(row["compare"], row["label"]): row for row in json.loads(r.stdout)}
            for name in ("train-a: reader w against the writer",
                         "train (pooled): reader w against the writers"):
                own = rows[(name, "sentiment")]
                self.assertEqual((own["accuracy"], own["kappa"], own["ideas"]),
                                 (1.0, 1.0, len(items)))
        for name, rows, line in (("order", items[:4] + [items[2]] + items[5:], 5),
                                 ("unknown", items[:6] + [dict(items[6], id="zz999")], 7)):
            with self.subTest(name), tempfile.TemporaryDirectory() as tmp:
                write(tmp, rows)
                r = self.run_tool("--folder", tmp)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("train-a-w.jsonl:%d" % line, r.stderr)
                self.assertNotIn("Traceback", r.stderr)

    def test_sentiment_and_question_agreement(self):
        """The writer's own sentiment and question agree fully (accuracy and
        kappa 1); one value flipped in ten shows as 0.9 and a kappa under 1;
        a value outside the scheme, or a line with other labels than the
        first, is refused."""
        with open(os.path.join(ROOT, "tests/data/ideas/holdout2.jsonl")) as f:
            items = [json.loads(line) for line in f]
        flip = {"positief": "negatief", "neutraal": "positief", "negatief": "neutraal"}

        def write(folder, name, sentiment_of):
            with open(os.path.join(folder, name), "w") as out:
                for i, it in enumerate(items):
                    out.write(json.dumps({"id": it["id"], "sentiment": sentiment_of(i, it),
                                          "question": it["question"]}) + "\n")

        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, "holdout2-w.jsonl", lambda i, it: it["sentiment"])
            write(tmp, "holdout2-y.jsonl",
                  lambda i, it: flip[it["sentiment"]] if i % 10 == 0 else it["sentiment"])
            r = self.run_tool("--folder", tmp, "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            rows = {(row["compare"], row["label"]): row for row in json.loads(r.stdout)}
            own = rows[("holdout2: reader w against the writer", "sentiment")]
            self.assertEqual((own["accuracy"], own["kappa"], own["ideas"]), (1.0, 1.0, 200))
            off = rows[("holdout2: reader y against the writer", "sentiment")]
            self.assertAlmostEqual(off["accuracy"], 0.9)
            self.assertLess(off["kappa"], 1.0)
            self.assertLess(off["low"], 0.9)
            self.assertGreater(off["high"], 0.9)
            self.assertEqual(rows[("holdout2: reader y against reader w", "question")]["accuracy"], 1.0)
        for name, bad in (("value", lambda i, it: "boos" if i == 7 else it["sentiment"]),):
            with self.subTest(name), tempfile.TemporaryDirectory() as tmp:
                write(tmp, "holdout2-z.jsonl", bad)
                r = self.run_tool("--folder", tmp)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("holdout2-z.jsonl:8", r.stderr)
                self.assertNotIn("Traceback", r.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "holdout2-m.jsonl"), "w") as out:
                for i, it in enumerate(items):
                    keys = ("id", "dup_group") if i == 3 else ("id", "sentiment", "question")
                    out.write(json.dumps({k: it[k] for k in keys}) + "\n")
            r = self.run_tool("--folder", tmp)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("holdout2-m.jsonl:4", r.stderr)

    def test_a_labelling_that_does_not_match_its_set_is_refused(self):
        src = os.path.join(ROOT, "tests/data/ideas/agreement/holdout2-a.jsonl")
        with open(src) as f:
            lines = f.readlines()
        cases = {"order": lines[1:2] + lines[:1] + lines[2:],
                 "missing": lines[:-1],
                 "not json": lines[:5] + ["{oops\n"] + lines[6:],
                 "bad group": lines[:5] + ['{"id": "%s", "dup_group": 7}\n'
                                           % json.loads(lines[5])["id"]] + lines[6:]}
        for name, content in cases.items():
            with self.subTest(name), tempfile.TemporaryDirectory() as tmp:
                with open(os.path.join(tmp, "holdout2-x.jsonl"), "w") as out:
                    out.writelines(content)
                r = self.run_tool("--folder", tmp)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("holdout2-x.jsonl", r.stderr)
                self.assertNotIn("Traceback", r.stderr)

    def refused_as(self, name):
        """The tool run on a copy of a good labelling saved as name: it must
        fail with a message, never a traceback; returns that message."""
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(ROOT, "tests/data/ideas/agreement/holdout2-a.jsonl"),
                        os.path.join(tmp, name))
            r = self.run_tool("--folder", tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn("Traceback", r.stderr)
        return r.stderr

    def test_a_badly_named_file_is_refused(self):
        self.assertIn("SET-READER", self.refused_as("holdout2.jsonl"))

    def test_a_labelling_of_no_known_set_is_refused(self):
        self.assertIn("holdout9-a.jsonl: no labelled set", self.refused_as("holdout9-a.jsonl"))


class WishLabels(unittest.TestCase):
    def test_every_corpus_idea_has_its_wish_label(self):
        """Each data/nl/train/X.jsonl has wish/X.labels.jsonl with the same
        ids in the same order, and every wish is null (with the main point
        in other words) or a concept of synonyms.tsv: a corpus file edited
        or added after the labels were made shows here."""
        concepts = set()
        with open(os.path.join(ROOT, "data/nl/synonyms.tsv"), encoding="utf-8") as f:
            for line in f:
                col = line.split("\t")
                if not line.startswith("#") and len(col) >= 2:
                    concepts.add(col[0].lstrip("@"))
        train = os.path.join(ROOT, "data/nl/train")
        names = sorted(n for n in os.listdir(train) if n.endswith(".jsonl"))
        self.assertTrue(names)
        for name in names:
            ideas = eval_classify.load_corpus_file(os.path.join(train, name))
            labels = eval_classify.load_jsonl(
                os.path.join(train, "wish", name.replace(".jsonl", ".labels.jsonl")))
            self.assertEqual([it["id"] for it in labels], [it["id"] for it in ideas], name)
            for it in labels:
                if it["wish"] is None:
                    self.assertTrue(it.get("other"), (name, it["id"]))
                else:
                    self.assertIn(it["wish"], concepts - {"-"}, (name, it["id"]))


if __name__ == "__main__":
    unittest.main()
