#!/usr/bin/env python3
"""
NAME
    test_import - bin/inspraak-import: a survey export (CSV) loaded as ideas

DESCRIPTION
    Starts Redis, storage, classifier, intake-field and the dashboard
    (tests/lib/harness.py), issues a device token with inspraakctl, and
    loads CSV files the way staff do (services/inspraak-import/README.md):
      - a Dutch Excel export: BOM, semicolons, CRLF, a quoted answer over
        three lines holding ';' and '""', a row without an answer, and a
        bad row (text too short): the good rows become ideas with
        activity enquete and the wijk, question and day given; the bad
        row is named by its line with the API's code; exit 1;
      - the same file again: the same ids, and nothing new is stored (a
        row imported afterwards is the only one added);
      - a file of 2,000 answers, the import killed with SIGKILL midway,
        then run again: exit 0 and every answer stored exactly once;
      - a binary file and a CSV without a text column: exit 3, the line
        named, nothing sent.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_import.py
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402

SURVEY = ("\ufeffRespondent ID;Wijk;Vraag;Doelgroep;Datum;Antwoord\r\n"
          "r1;Heerlen-Centrum;Heerlen nu;Inwoner;12-05-2025;Meer bomen op het Pancratiusplein\r\n"
          "r2;Welten;Heerlen in 2050;;03-01-2025;\"Een park bij de Caumerbeek;\r\n"
          "met bankjes en \"\"speelplekken\"\"\r\nvoor kinderen\"\r\n"
          "r3;Hoensbroek;nu;;;\r\n"
          "r4;Heerlen-Centrum;nu;;12-05-2025;ok\r\n"
          "r5;;toekomst;professional;2025-05-13;Goede fietspaden naar Maastricht\r\n")


class TestImport(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-field", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff = cls.cluster.staff_token()
        cls.tmp = tempfile.mkdtemp(prefix="inspraak-test-import-")
        cls.tokens = {}
        for device in ("panel", "panel-big"):
            r = cls.cluster.ctl("device", "add", device)
            if r.returncode != 0:
                raise AssertionError("inspraakctl device add: %s" % r.stderr)
            cls.tokens[device] = r.stdout.strip().split()[-1]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def write(self, name, text, encoding="utf-8"):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding=encoding, newline="") as f:
            f.write(text)
        return path

    def command(self, path, device="panel", *args):
        env = dict(self.cluster.env(), INSPRAAK_IMPORT_TOKEN=self.tokens[device])
        argv = [os.path.join(self.cluster.bin, "inspraak-import"), "--device", device]
        return argv + list(args) + [path], env

    def run_import(self, path, device="panel", *args):
        argv, env = self.command(path, device, *args)
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)

    def ideas(self, device):
        """The field ideas of that device: {local_id: [items]}."""
        out, cursor = {}, None
        while True:
            path = "/api/v1/ideas?channel=field&limit=500" + ("&cursor=" + cursor if cursor else "")
            status, body = self.cluster.api(path, self.staff)
            self.assertEqual(status, 200, body)
            for item in body["items"]:
                if item["source"]["device_id"] == device:
                    out.setdefault(item["source"]["local_id"], []).append(item)
            cursor = body.get("next_cursor")
            if not cursor:
                return out

    def count(self, device):
        return sum(len(v) for v in self.ideas(device).values())

    @staticmethod
    def accepted(stdout):
        """{line: id} of the rows the API accepted."""
        return {int(m.group(1)): m.group(2)
                for m in re.finditer(r"^regel (\d+): aangenomen (\S+)$", stdout, re.M)}

    def test_1_survey_and_again(self):
        path = self.write("enquete.csv", SURVEY)
        r = self.run_import(path)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        first = self.accepted(r.stdout)
        # lines: header 1, r1 2, r2 3-5 (three lines), r3 6, r4 7, r5 8
        self.assertEqual(sorted(first), [2, 3, 8], r.stdout)
        self.assertIn("regel 6: overgeslagen, geen tekst", r.stdout)
        self.assertRegex(r.stdout, r"(?m)^regel 7: geweigerd text_too_short: De tekst is te kort")
        self.assertIn("5 rijen: 3 aangenomen, 1 geweigerd, 1 overgeslagen", r.stdout)

        wait_until("3 survey ideas stored", lambda: self.count("panel") == 3, timeout=120)
        by_id = {items[0]["id"]: items[0] for items in self.ideas("panel").values()}
        self.assertEqual(set(by_id), set(first.values()))
        centrum, park, bikes = (by_id[first[n]] for n in (2, 3, 8))
        for idea in (centrum, park, bikes):
            self.assertEqual(idea["activity"], "enquete")
            self.assertEqual(idea["channel"], "field")
        self.assertEqual(centrum["wijk"], "WK091733")
        self.assertEqual(centrum["question"], "nu")
        self.assertEqual(centrum["target_group"], "inwoner")
        self.assertTrue(centrum["received_at"].startswith("2025-05-12"), centrum["received_at"])
        self.assertEqual(park["wijk"], "WK091736")
        self.assertEqual(park["question"], "toekomst")
        self.assertTrue(park["received_at"].startswith("2025-01-03"), park["received_at"])
        self.assertIn("Caumerbeek;", park["text"])
        self.assertIn('"speelplekken"', park["text"])
        self.assertIn("voor kinderen", park["text"])
        self.assertIsNone(bikes["wijk"])
        self.assertEqual(bikes["target_group"], "professional")

        # The same file again: the same ideas, nothing new.
        r = self.run_import(path)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(self.accepted(r.stdout), first)
        later = self.write("later.csv", "tekst\nNog een antwoord dat later is geladen\n")
        r = self.run_import(later)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        (later_id,) = self.accepted(r.stdout).values()
        wait_until("the later answer stored", lambda: later_id in
                   {i[0]["id"] for i in self.ideas("panel").values()}, timeout=120)
        ideas = self.ideas("panel")
        self.assertEqual(sum(len(v) for v in ideas.values()), 4)
        self.assertTrue(all(len(v) == 1 for v in ideas.values()))

    def test_2_killed_midway_then_again(self):
        rows = ["respondent,wijk,text"]
        for i in range(2000):
            rows.append('p%d,Welten,"Antwoord %d: meer groen, minder verkeer in de wijk"' % (i, i))
        path = self.write("groot.csv", "\n".join(rows) + "\n")
        argv, env = self.command(path, "panel-big", "--batch-size", "20")
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
        seen = 0
        while seen < 100:
            line = proc.stdout.readline()
            self.assertTrue(line, "the import ended before 100 rows were accepted")
            seen += line.startswith("regel ") and " aangenomen " in line
        self.assertIsNone(proc.poll(), "the import finished before it could be killed")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()

        r = self.run_import(path, "panel-big", "--batch-size", "20")
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr)
        self.assertEqual(len(self.accepted(r.stdout)), 2000)
        self.assertIn("2000 rijen: 2000 aangenomen, 0 geweigerd", r.stdout)
        wait_until("2,000 survey ideas stored", lambda: self.count("panel-big") >= 2000,
                   timeout=600)
        ideas = self.ideas("panel-big")
        self.assertEqual(len(ideas), 2000)
        self.assertTrue(all(len(v) == 1 for v in ideas.values()), "an answer stored twice")
        texts = {v[0]["text"] for v in ideas.values()}
        self.assertEqual(len(texts), 2000)

    def test_3_bad_files(self):
        with open(os.path.join(self.cluster.bin, "inspraak-import"), "rb") as f:
            binary = os.path.join(self.tmp, "export.csv")
            with open(binary, "wb") as out:
                out.write(f.read(4096))
        r = self.run_import(binary)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("regel 1: het bestand bevat binaire gegevens", r.stderr)

        r = self.run_import(self.write("geen-tekst.csv", "naam;wijk\nPiet;Welten\n"))
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("regel 1: geen kolom met de tekst", r.stderr)

        r = self.run_import(self.write("ansi.csv", "tekst\nCaf\u00e9 op het plein\n", "cp1252"))
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("regel 2: de tekst is geen UTF-8", r.stderr)
        self.assertNotIn("aangenomen", r.stdout)


if __name__ == "__main__":
    main()
