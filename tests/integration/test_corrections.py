#!/usr/bin/env python3
"""
NAME
    test_corrections - staff corrections of the classifier's labels are
    kept and come out as training data (issue 6)

DESCRIPTION
    Starts Redis, storage, classifier, intake-form and dashboard
    (tests/lib/harness.py; binaries from INSPRAAK_BIN). Two ideas go in
    through the form API and are classified for real. Staff change the
    themes and sentiment of one in the dashboard and only approve the
    other. Then, as a user would check:
      - `inspraakctl corrections export` prints one JSON line: the first
        idea, its text, the labels staff set (only those they changed) and
        what the classifier had said; the approved idea is not there;
      - the same moderation sent again changes nothing;
      - a second correction (the wijk) adds the wijk and keeps the
        classifier's original labels as "classified";
      - a third (nu/toekomst) adds "question", the idea and the counts
        by question show it;
      - --since after today prints nothing; a bad date is refused (2);
      - bin/classify-train learns from dev.jsonl plus the export.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import REPO, ClusterTestCase, main  # noqa: E402

FIRST = ("Er rijden veel te veel auto's veel te hard door onze straat in Heerlerbaan, "
         "daar moet een drempel komen.")
SECOND = "Het Aambos is prachtig, ik wandel er elke dag met de hond."


class TestCorrections(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    def stored(self, token, idea_id):
        return self.cluster.wait_idea(idea_id, token)

    def moderate(self, sid, idea_id, status, wijk, sentiment, themes, question=None):
        c = self.cluster
        st, page = c.staff_page("/ideeen/" + idea_id, sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = [("csrf", csrf), ("status", status), ("wijk", wijk or ""),
                ("sentiment", sentiment or "")] + [("theme", t) for t in themes]
        if question:
            form.append(("question", question))
        st, hs, body = c.dash("POST", "/ideeen/" + idea_id, urllib.parse.urlencode(form),
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, 303, body[:300])
        self.assertIn("opgeslagen=1", dict(hs).get("Location", ""))

    def export(self, *args):
        r = self.cluster.ctl("corrections", "export", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(l) for l in r.stdout.splitlines()]

    def test_corrections_become_training_data(self):
        c = self.cluster
        token = c.staff_token()
        ids = []
        for text in (FIRST, SECOND):
            st, body = c.post_idea(text)
            self.assertEqual(st, 201, body)
            ids.append(body["id"])
        first, second = (self.stored(token, i) for i in ids)
        sid = c.staff_login("corrector", "corrector-wachtwoord-1")
        self.assertEqual(self.export(), [])

        # The classifier's answer, then the staff's: another main theme and
        # sentiment; the wijk stays. The second idea is only approved.
        new_themes = ["veiligheid", "mobiliteit"]
        if first.get("themes") == new_themes:
            new_themes = ["wonen"]
        new_sentiment = "neutraal" if first.get("sentiment") != "neutraal" else "negatief"
        self.moderate(sid, ids[0], "approved", first.get("wijk"), new_sentiment, new_themes)
        self.moderate(sid, ids[1], "approved", second.get("wijk"), second.get("sentiment"),
                      second.get("themes") or [])

        lines = self.export()
        self.assertEqual(len(lines), 1, lines)
        line = lines[0]
        self.assertEqual(line["id"], ids[0])
        self.assertEqual(line["text"], FIRST)
        self.assertEqual(line["style"], "form")
        self.assertEqual(line["themes"], new_themes)
        self.assertEqual(line["sentiment"], new_sentiment)
        self.assertNotIn("wijk", line)  # not touched: no label, so not learned back
        self.assertEqual(sorted(line["corrected"]), ["sentiment", "themes"])
        self.assertEqual(line["classified"]["themes"], first.get("themes") or [])
        self.assertEqual(line["classified"]["sentiment"], first.get("sentiment"))

        # The dashboard re-sends until it sees the ack: nothing changes.
        self.moderate(sid, ids[0], "approved", first.get("wijk"), new_sentiment, new_themes)
        self.assertEqual(self.export(), lines)

        # A second correction: the wijk. "classified" stays the original.
        new_wijk = "WK091711" if first.get("wijk") != "WK091711" else "WK091712"
        self.moderate(sid, ids[0], "approved", new_wijk, new_sentiment, new_themes)
        again = self.export()
        self.assertEqual(len(again), 1)
        self.assertEqual(again[0]["wijk"], new_wijk)
        self.assertEqual(sorted(again[0]["corrected"]), ["sentiment", "themes", "wijk"])
        self.assertEqual(again[0]["classified"], line["classified"])

        # A third: nu/toekomst, which the model learns too.
        new_q = "nu" if first.get("question") != "nu" else "toekomst"
        self.moderate(sid, ids[0], "approved", new_wijk, new_sentiment, new_themes, new_q)
        third = self.export()
        self.assertEqual(third[0]["question"], new_q)
        self.assertEqual(sorted(third[0]["corrected"]),
                         ["question", "sentiment", "themes", "wijk"])
        self.assertEqual(third[0]["classified"]["question"], first.get("question"))
        self.assertEqual(c.api("/api/v1/ideas/" + ids[0], token)[1]["question"], new_q)
        counts = c.api("/api/v1/stats?by=question", token)[1]["counts"]
        want = {q: sum(1 for i in (first, second) if i.get("question") == q)
                for q in ("nu", "toekomst")}
        want[first.get("question")] -= 1
        want[new_q] += 1
        self.assertEqual({q: counts.get(q, 0) for q in want}, want)

        self.assertEqual(self.export("--since", "2999-01-01"), [])
        bad = c.ctl("corrections", "export", "--since", "gisteren")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("YYYY-MM-DD", bad.stderr)

        # The export is training data: classify-train reads it with dev.jsonl.
        with tempfile.TemporaryDirectory() as tmp:
            train = os.path.join(tmp, "train.jsonl")
            with open(train, "w") as f, \
                    open(os.path.join(REPO, "tests/data/ideas/dev.jsonl")) as dev:
                f.write(dev.read())
                f.write("".join(json.dumps(l) + "\n" for l in again))
            model = os.path.join(tmp, "model.tsv")
            r = subprocess.run([os.path.join(c.bin, "classify-train"), "-o", model, "-n", "20",
                                train], env=dict(os.environ, INSPRAAK_DATA=os.path.join(REPO, "data")),
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertGreater(os.path.getsize(model), 0)


if __name__ == "__main__":
    main()
