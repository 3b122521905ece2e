#!/usr/bin/env python3
"""test_classify_offline - bin/classify answers as the running classifier does.

INTERFACES.md "Classifier, offline": "The running classifier service gives
the same answers for the same text." Starts Redis, storage, classifier,
intake-form and dashboard (tests/lib/harness.py; binaries from
INSPRAAK_BIN), posts labelled development ideas (tests/data/ideas/
dev.jsonl: every one of a near-duplicate group, and every 8th other) one
after another through the form API with their text alone, reads each
stored idea from the dashboard API, then feeds the same texts, in the
same order and under the ids the service gave, to bin/classify. Every
label a staff member or a script would compare (themes, sentiment,
question, wijk, buurt, language, pii) and the near-duplicate cluster
must be the same, idea by idea.

Usage: INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_classify_offline.py
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import REPO, ClusterTestCase, main  # noqa: E402

LABELS = ("themes", "sentiment", "question", "wijk", "buurt", "language", "pii", "cluster")


def dev_ideas():
    with open(os.path.join(REPO, "tests", "data", "ideas", "dev.jsonl"), encoding="utf-8") as f:
        ideas = [json.loads(line) for line in f if line.strip()]
    return [d for i, d in enumerate(ideas) if d.get("dup_group") or i % 8 == 0]


class TestClassifyOffline(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    def test_offline_tool_gives_the_service_answers(self):
        c = self.cluster
        token = c.staff_token("offline-test")
        ideas = dev_ideas()
        ids = []
        for d in ideas:
            status, body = c.post_idea(d["text"])
            self.assertEqual(status, 201, body)
            ids.append(body["id"])
        stored = [c.wait_idea(i, token) for i in ids]
        self.assertGreater(len({s["cluster"] for s in stored}), 1)
        self.assertLess(len({s["cluster"] for s in stored}), len(stored))

        lines = "".join(json.dumps({"id": i, "text": d["text"]}) + "\n"
                        for i, d in zip(ids, ideas))
        out = subprocess.run([os.path.join(c.bin, "classify")], input=lines.encode(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=c.env(),
                             timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        offline = [json.loads(line) for line in out.stdout.decode().splitlines()]
        self.assertEqual([o["id"] for o in offline], ids)
        for s, o in zip(stored, offline):
            for key in LABELS:
                with self.subTest(id=s["id"], label=key):
                    self.assertEqual(o[key], s[key], s["text"][:80])

    def test_offline_tool_checks_the_interviewers_question(self):
        # A street interview's answer carries the question (source.context),
        # shown beside it on staff pages: the service flags a name there,
        # so bin/classify must too ("the same answers").
        answer = {"id": "t1", "text": "Meer bankjes bij de bushalte.",
                  "source": {"context": "Mevrouw Schrijnemakers, wat mist u hier?"}}
        bare = {"id": "t2", "text": answer["text"], "source": {"context": "Wat mist u hier?"}}
        lines = "".join(json.dumps(d) + "\n" for d in (answer, bare))
        out = subprocess.run([os.path.join(self.cluster.bin, "classify")], input=lines.encode(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=self.cluster.env(), timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        got = [json.loads(line) for line in out.stdout.decode().splitlines()]
        self.assertIn("name", got[0]["pii"])
        self.assertEqual(got[1]["pii"], [])
        self.assertEqual(got[0]["source"], answer["source"])  # copied through


if __name__ == "__main__":
    main()
