#!/usr/bin/env python3
"""
NAME
    test_classify_train - bin/classify-train's options for judging a model
    on other writers (issue 6): -P, -m WRITERS, -l/-n HEAD:VALUE

DESCRIPTION
    Runs the real bin/classify-train (INSPRAAK_BIN) on small labelled files
    cut from tests/data/ideas/dev.jsonl, each file standing for one writer,
    and reads the model files it writes (format: docs/classifier.md, "The
    learned model"), as an engineer judging the model would:
      - -m 2 drops the words only one writer used and keeps words two
        writers used; -m 3 drops those too; with fewer than 3 files
        nothing is dropped (one file of staff corrections keeps every word);
      - -n sentiment:N changes the sentiment weights only;
      - -P prints, for every idea, class probabilities that add up to 1
        (sentiment, question) or lie in [0, 1] (themes), skips a bad line
        and fails (1) without a model.
    No servers are needed.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import REPO, bin_dir  # noqa: E402

DEV = os.path.join(REPO, "tests", "data", "ideas", "dev.jsonl")
ONE_WRITER = "zwoefelkruid"  # made-up words: a stem no dev idea has
TWO_WRITERS = "plomperwei"


def s_idea(i, word):
    return {"id": "t%d" % i, "text": "Bij de %s in Heerlen zou ik graag meer bankjes willen." % word,
            "themes": ["openbare-ruimte"], "sentiment": "neutraal", "question": "toekomst"}


class ClassifyTrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exe = os.path.join(bin_dir(), "classify-train")
        cls.env = dict(os.environ, INSPRAAK_DATA=os.path.join(REPO, "data"))
        cls.tmp = tempfile.TemporaryDirectory()
        with open(DEV) as f:
            dev = [json.loads(line) for line in f if line.strip()][:120]
        extra = {0: [s_idea(1, ONE_WRITER), s_idea(2, ONE_WRITER), s_idea(3, TWO_WRITERS)],
                 1: [s_idea(4, TWO_WRITERS)], 2: []}
        cls.files = []
        for k in range(3):
            path = os.path.join(cls.tmp.name, "writer%d.jsonl" % k)
            with open(path, "w") as f:
                for it in dev[k * 40:(k + 1) * 40] + extra[k]:
                    f.write(json.dumps(it, ensure_ascii=False) + "\n")
            cls.files.append(path)
        # the model of the three files with the default options, which
        # every test compares with: trained once (the ASan build takes a
        # while), checked for a zero exit where it is used
        cls.plain = cls.run_train(cls.files)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def run_train(cls, args):
        return subprocess.run([cls.exe, "-n", "5", "-o", "-"] + list(args), env=cls.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def train(self, *args):
        r = self.plain if list(args) == self.files else self.run_train(args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.decode()

    @staticmethod
    def words(model):
        """The word features of every head ("w:..." names)."""
        out = set()
        for line in model.splitlines():
            f = line.split("\t")
            if f[0] == "w" and f[2].startswith("w:"):
                out.add(f[2][2:])
        return out

    @staticmethod
    def head(model, name):
        return [l for l in model.splitlines() if l.startswith("w\t%s\t" % name)]

    def test_min_writers(self):
        everything = self.words(self.train(*self.files))
        self.assertIn(ONE_WRITER, everything)
        self.assertIn(TWO_WRITERS, everything)
        two = self.words(self.train("-m", "2", *self.files))
        self.assertNotIn(ONE_WRITER, two)
        self.assertIn(TWO_WRITERS, two)
        self.assertLess(len(two), len(everything))
        three = self.words(self.train("-m", "3", *self.files))
        self.assertNotIn(TWO_WRITERS, three)
        # fewer than 3 files: every word is learned
        self.assertIn(ONE_WRITER, self.words(self.train("-m", "2", *self.files[:2])))

    def test_steps_for_one_head(self):
        plain = self.train(*self.files)
        fewer = self.train("-n", "sentiment:1", *self.files)
        self.assertNotEqual(self.head(plain, "sentiment"), self.head(fewer, "sentiment"))
        self.assertEqual(self.head(plain, "question"), self.head(fewer, "question"))
        self.assertEqual(self.head(plain, "themes"), self.head(fewer, "themes"))
        bad = subprocess.run([self.exe, "-n", "mood:3", "-o", "-"], env=self.env,
                             stdin=subprocess.DEVNULL, capture_output=True)
        self.assertEqual(bad.returncode, 2)

    def test_probabilities(self):
        model = os.path.join(self.tmp.name, "model.tsv")
        with open(model, "w") as f:
            f.write(self.train(*self.files))
        probe = os.path.join(self.tmp.name, "probe.jsonl")
        with open(self.files[0]) as src, open(probe, "w") as f:
            lines = src.readlines()[:5]
            f.writelines(lines[:2] + ["{not json\n"] + lines[2:])
        r = subprocess.run([self.exe, "-P", model, probe], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = [json.loads(l) for l in r.stdout.decode().splitlines()]
        self.assertEqual([g["id"] for g in got], [json.loads(l)["id"] for l in lines])
        for g in got:
            self.assertEqual(set(g["sentiment"]), {"negatief", "neutraal", "positief"})
            self.assertEqual(set(g["question"]), {"nu", "toekomst"})
            for head in ("sentiment", "question"):
                self.assertAlmostEqual(sum(g[head].values()), 1.0, places=3)
            self.assertIn("openbare-ruimte", g["themes"])
            self.assertTrue(all(0.0 <= p <= 1.0 for p in g["themes"].values()))
        missing = subprocess.run([self.exe, "-P", os.path.join(self.tmp.name, "none.tsv"), probe],
                                 env=self.env, capture_output=True)
        self.assertEqual(missing.returncode, 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
