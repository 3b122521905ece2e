#!/usr/bin/env python3
"""
NAME
    test_dashboard - the staff dashboard in a real headless Chromium

DESCRIPTION
    Starts Redis, storage, classifier, intake-form and the dashboard
    (tests/lib/harness.py), adds a staff user, posts ideas from several
    wijken (one of them hostile: script, event handler and SVG payloads) and
    runs dashboard.js (playwright-core driving Debian's /usr/bin/chromium):
    log in, filter, open a detail, approve, check the public page, open the
    report; no JavaScript dialog may ever open. Then the API must show the
    idea approved, and the screenshots docs/screenshots/overview.png,
    map.png and report.png must be PNG files. A second run (redact.js)
    clicks "Telefoonnummer weghalen" on an idea with a phone number and
    cuts a name typed by hand; the API then shows the markers.
    Installs playwright-core into tests/browser/node_modules (npm ci from
    package-lock.json) when it is missing; skips when node, npm or chromium
    are not installed (deploy/install-deps.sh test installs them).

    INSPRAAK_BIN=build/asan/bin python3 tests/browser/test_dashboard.py
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from harness import REPO, ClusterTestCase, main, wait_until  # noqa: E402
import browser  # noqa: E402

SHOTS = os.path.join(REPO, "docs", "screenshots")
MARK = "schaduw"
IDEAS = [
    ("Meer bomen en schaduw op het Pancratiusplein, het is daar 's zomers te heet.", "WK091733"),
    ("Een veilig fietspad van Hoensbroek naar het centrum, nu rijden de auto's te hard.",
     "WK091712"),
    ("Speeltuin in Heerlerheide opknappen, de toestellen zijn kapot.", "WK091721"),
    ("Meer activiteiten voor jongeren in het buurthuis in Meezenbroek.", "WK091732"),
    ("Het park in Welten is prachtig, houd het groen zo.", "WK091736"),
    ("Betere busverbinding naar het ziekenhuis voor ouderen.", "WK091737"),
    ("<script>alert('x')</script><img src=x onerror=alert('y')><svg onload=alert('z')> schaduw",
     "WK091710"),
]


@unittest.skipUnless(browser.AVAILABLE, browser.MISSING)
class TestDashboardBrowser(browser.SharedBrowser, ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    def test_login_filter_detail_approve_report(self):
        c = self.cluster
        r = c.ctl("user", "add", "anna", input="anna-wachtwoord-1\nanna-wachtwoord-1\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        for text, wijk in IDEAS:
            status, body = c.post_idea(text, wijk=wijk)
            self.assertEqual(status, 201, body)
        staff = c.staff_token()
        wait_until("ideas stored", lambda: c.api("/api/v1/ideas?limit=1", staff)[1]
                   .get("total") == len(IDEAS))
        os.makedirs(SHOTS, exist_ok=True)
        run = browser.run_script("dashboard.js", DASH_URL=c.url("dashboard", "").rstrip("/"),
                                 DASH_USER="anna", DASH_PASSWORD="anna-wachtwoord-1",
                                 DASH_MARK=MARK, SHOTS=SHOTS)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["problems"], [])
        self.assertTrue(seen["saved"])
        self.assertEqual(seen["rows"], 2)  # both ideas with "schaduw"
        self.assertIn("channel=form", seen["url_after_filter"])
        self.assertGreaterEqual(seen["map_wijken"], 20)
        self.assertEqual(seen["first_tab"], "Naar de inhoud")
        self.assertGreaterEqual(seen["report_sections"], 7)
        self.assertGreaterEqual(seen["pages_visited"], len(IDEAS))
        self.assertTrue(seen["public_has_quote"])
        status, body = c.api("/api/v1/ideas?status=approved", staff)
        self.assertEqual(body["total"], 1)
        self.assertIn("Pancratiusplein", body["items"][0]["text"])
        for name in ("overview.png", "map.png", "report.png"):
            with open(os.path.join(SHOTS, name), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_redact_phone_by_click_and_name_by_hand(self):
        # Runs after test_login_... (alphabetical), which counts the ideas.
        c = self.cluster
        r = c.ctl("user", "add", "bram", input="bram-wachtwoord-1\nbram-wachtwoord-1\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        status, body = c.post_idea("Bel Piet Puk op 06-12345678 over de bankjes bij de vijver.",
                                   wijk="WK091736")
        self.assertEqual(status, 201, body)
        staff = c.staff_token()
        wait_until("flagged", lambda: c.api("/api/v1/ideas/" + body["id"], staff)[1]
                   .get("pii") == ["phone"])
        run = browser.run_script("redact.js", DASH_URL=c.url("dashboard", "").rstrip("/"),
                                 DASH_USER="bram", DASH_PASSWORD="bram-wachtwoord-1",
                                 DASH_ID=body["id"], DASH_NAME="piet puk")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["problems"], [])
        self.assertIn("Weggehaald: 1 plek", seen["after_phone_status"])
        self.assertEqual(seen["after_phone"], "Bel Piet Puk op [weggehaald: telefoonnummer] over "
                         "de bankjes bij de vijver.")
        self.assertEqual(seen["after_name"], "Bel [weggehaald] op [weggehaald: telefoonnummer] "
                         "over de bankjes bij de vijver.")
        self.assertEqual(seen["phone_button_left"], 0)
        _, it = c.api("/api/v1/ideas/" + body["id"], staff)
        self.assertEqual(it["pii"], [])
        self.assertNotIn("12345678", it["text"])

    @unittest.skipUnless(shutil.which("pdftotext"), "needs pdftotext (poppler-utils)")
    def test_resultaten_printed_shows_every_table(self):
        # Under each chart of /resultaten its figures are in a table,
        # folded away (details) on screen; a printed page must show them,
        # or the paper copy has bars without numbers.
        c = self.cluster
        status, body = c.post_idea("Meer bankjes in het Vondelpark in Heerlerheide.",
                                   wijk="WK091721")
        self.assertEqual(status, 201, body)
        c.wait_idea(body["id"], c.staff_token())
        status, _, page = c.dash("GET", "/resultaten")
        self.assertEqual(status, 200)
        tables = page.decode().count("<summary>De cijfers in een tabel</summary>")
        self.assertGreaterEqual(tables, 8)  # one per chart
        with tempfile.TemporaryDirectory() as tmp:
            pdf = os.path.join(tmp, "resultaten.pdf")
            run = browser.run_script("print.js", PRINT_URL=c.url("dashboard", "/resultaten"),
                                     PDF=pdf)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                                  text=True, check=True).stdout
        # each table's column heading "Waarde" is in no chart, only in the tables
        self.assertEqual(len(re.findall(r"\bWaarde\b", text)), tables, text[:3000])
        self.assertIn("Totaal", text)


if __name__ == "__main__":
    main()
