#!/usr/bin/env python3
"""
NAME
    test_a11y - WCAG 2.1 AA (axe-core) and keyboard use of every page
    people see, in a real headless Chromium

DESCRIPTION
    Starts Redis and every service a page comes from (intake-form,
    intake-field, notify writing to its Maildir outbox, the dashboard,
    with storage and the classifier behind them; tests/lib/harness.py),
    stores ideas from several wijken (one with an e-mail address and
    consent, so notify writes a receipt with an unsubscribe link), adds an
    admin, a field-app device and a feedback campaign, and runs:

    a11y.js: axe-core with the tags wcag2a, wcag2aa, wcag21a and wcag21aa
    (WCAG 2.1 AA) and best-practice (landmarks, one h1, heading order) on the idea form (empty, with errors), the thank-you page,
    /resultaten, the unsubscribe pages, the field app (registration, idea
    screen), the dashboard login and every staff and admin page. A
    violation fails the test with the page, the rule id and the element.
    Each page is also shown 320 CSS pixels wide (WCAG 1.4.10 Reflow, which
    axe does not check): nothing but a data table may stick out.

    keyboard.js: the idea form and the field app with the keyboard only:
    Tab reaches every control in reading order, each shows where the
    focus is, the form is sent with Enter, and after a failed submit the
    error summary has the focus; on the dashboard, the message a sent form
    comes back with (an error, "opgeslagen") has the focus; a wijk of the
    map shows its focus on its own border (3:1, not cut off at the edge).

    Installs playwright-core and axe-core into tests/browser/node_modules
    (npm ci from package-lock.json) when missing; skips when node, npm or
    chromium are not installed (deploy/install-deps.sh test installs them).

    INSPRAAK_BIN=build/asan/bin python3 tests/browser/test_a11y.py
"""
import glob
import json
import os
import re
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402
import browser  # noqa: E402

# Five ideas in Heerlen-Centrum and four in Hoensbroek, so the map uses
# its two darkest blues (and the numbers on them); two near-duplicates
# make a cluster.
IDEAS = [
    ("Meer bomen en schaduw op het Pancratiusplein, het is daar 's zomers te heet.", "WK091733"),
    ("Meer bomen en schaduw op het Pancratiusplein, want het is er 's zomers heet.", "WK091733"),
    ("Een markt op zaterdag op het Emmaplein, met streekproducten.", "WK091733"),
    ("Minder leegstand in de Saroleastraat, er staan te veel winkels leeg.", "WK091733"),
    ("Meer plekken om te zitten bij het station, ook voor ouderen.", "WK091733"),
    ("Een veilig fietspad van Hoensbroek naar het centrum, nu rijden de auto's te hard.",
     "WK091712"),
    ("Het kasteel van Hoensbroek vaker open voor de buurt.", "WK091712"),
    ("Betere straatverlichting in de Akerstraat in Hoensbroek.", "WK091712"),
    ("Een hondenuitlaatplek bij het Ganzeveld in Hoensbroek.", "WK091712"),
    ("Speeltuin in Heerlerheide opknappen, de toestellen zijn kapot.", "WK091721"),
    ("Het park in Welten is prachtig, houd het groen zo.", "WK091736"),
]
RECEIPT_TO = "lotte@example.org"


@unittest.skipUnless(browser.AVAILABLE, browser.MISSING)
class TestAccessibility(browser.SharedBrowser, ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-field", "notify", "dashboard")
    # receipts at once, into the Maildir outbox
    ENV = {"INSPRAAK_RECEIPT_BATCH_S": "1", "INSPRAAK_NOTIFY_SCAN_S": "1", "INSPRAAK_SMTP_URL": ""}

    def device(self, name):
        r = self.cluster.ctl("device", "add", name)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip().split()[-1]

    def unsubscribe_url(self):
        """The unsubscribe link of the receipt notify wrote for RECEIPT_TO,
        pointed at this cluster's notify."""
        outbox = os.path.join(self.cluster.var, "mail", "outbox", "new")

        def link():
            for path in glob.glob(os.path.join(outbox, "*")):
                with open(path, encoding="utf-8", errors="replace") as f:
                    mail = f.read()
                if RECEIPT_TO in mail:
                    m = re.search(r"List-Unsubscribe:\s*<[^>]*(/afmelden\?[^>]+)>", mail)
                    if m:
                        return m.group(1)
            return None
        return self.cluster.url("notify", wait_until("a receipt with an unsubscribe link", link))

    def test_axe_finds_nothing_on_any_page(self):
        c = self.cluster
        r = c.ctl("user", "add", "beheer", "--role", "admin",
                  input="beheer-wachtwoord-1\nbeheer-wachtwoord-1\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        for text, wijk in IDEAS:
            status, body = c.post_idea(text, wijk=wijk, question="toekomst")
            self.assertEqual(status, 201, body)
        status, body = c.post_idea("Betere verlichting bij het station, 's avonds is het donker.",
                                   email=RECEIPT_TO, name="Lotte", consent={"feedback": True})
        self.assertEqual(status, 201, body)
        staff = c.staff_token()
        wait_until("ideas stored", lambda: c.api("/api/v1/ideas?limit=1", staff)[1]
                   .get("total") == len(IDEAS) + 1)
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write("Dank u wel voor uw idee. Op de resultatenpagina leest u wat we ermee doen.\n")
            f.flush()
            r = c.ctl("campaign", "create", "--subject", "Wat we met uw idee doen",
                      "--text-file", f.name)
        self.assertEqual(r.returncode, 0, r.stderr)
        run = browser.run_script("a11y.js", FORM_URL=c.url("intake-form", "").rstrip("/"),
                                 DASH_URL=c.url("dashboard", "").rstrip("/"),
                                 UNSUB_URL=self.unsubscribe_url(),
                                 FIELD_URL=c.url("intake-field", "/field"),
                                 FIELD_DEVICE="tablet-a11y", FIELD_TOKEN=self.device("tablet-a11y"),
                                 DASH_USER="beheer", DASH_PASSWORD="beheer-wachtwoord-1",
                                 CAMPAIGN_ID=r.stdout.strip())
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["problems"], [], "\n" + "\n".join(seen["problems"]))
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertGreaterEqual(len(seen["pages"]), 25, seen["pages"])
        self.assertGreater(seen["rules_passed"], 0)  # axe did check

    def test_keyboard_only(self):
        c = self.cluster
        r = c.ctl("user", "add", "toetsen", "--role", "admin",
                  input="toetsen-wachtwoord-1\ntoetsen-wachtwoord-1\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        status, body = c.post_idea("Een bankje bij de bushalte op de Akerstraat.", wijk="WK091733")
        self.assertEqual(status, 201, body)
        c.wait_idea(body["id"], c.staff_token())
        run = browser.run_script("keyboard.js", FORM_URL=c.url("intake-form", "").rstrip("/"),
                                 FIELD_URL=c.url("intake-field", "/field"),
                                 FIELD_DEVICE="tablet-keys", FIELD_TOKEN=self.device("tablet-keys"),
                                 DASH_URL=c.url("dashboard", "").rstrip("/"),
                                 DASH_USER="toetsen", DASH_PASSWORD="toetsen-wachtwoord-1")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        # The idea form: every control in reading order (one stop per
        # group of radio buttons), the honeypot never; each shows its focus.
        self.assertEqual(seen["form_order"], [
            "textarea#tekst", "input#titel", "input#vraag-nu", "select#wijk", "input#postcode",
            "input#doelgroep-inwoner", "a", "input#naam", "input#email", "input#toestemming",
            "button"], seen)
        self.assertEqual(seen["form_unseen"], [])
        # After a failed submit the error summary has the focus (a screen
        # reader reads it first), and shows it; its link leads to the field.
        self.assertEqual(seen["focus_after_errors"], "div.fouten", seen)
        self.assertTrue(seen["focus_after_errors_shown"], seen)
        self.assertEqual(seen["focus_after_link"], "textarea#tekst", seen)
        self.assertEqual(seen["form_sent"], "Bedankt!")
        # The field app: registration, then the idea screen.
        self.assertEqual(seen["field_setup_order"], ["input#device", "input#token",
                                                     "button"], seen)
        self.assertEqual(seen["field_setup_unseen"], [])
        self.assertEqual(seen["field_order"], [
            "input#activity", "input#day", "textarea#text", "input[name=question]=nu",
            "select#target_group", "input#wijk", "button#locate", "summary", "button#save",
            "button#sync", "button#logout"], seen)
        self.assertEqual(seen["field_unseen"], [])
        self.assertEqual(seen["field_question"], "toekomst")
        # the location found is said to a screen reader (a live region)
        self.assertTrue(seen["field_locate"]["said"].startswith("Locatie: 50.888"), seen)
        self.assertEqual(seen["field_locate"]["live"], "status", seen)
        self.assertTrue(seen["field_saved"].startswith("Bewaard"), seen)
        # The dashboard: after a form is sent, the page that comes back
        # starts at its message (read first; an error as an alert).
        self.assertEqual(seen["dash_login_failed"], "p.err[role=alert]", seen)
        self.assertEqual(seen["dash_admin_failed"], "p.err[role=alert]", seen)
        self.assertTrue(seen["dash_admin_failed_shown"], seen)
        self.assertEqual(seen["dash_saved"], "p.ok[role=status]", seen)
        # A wijk of the map shows its focus on its own border, at least
        # 3:1 against the page and its fill, not cut off at the map's edge
        # (the link's outline box was; Wijk 10 lies on the west edge).
        for wijk, f in seen["dash_map_focus"].items():
            self.assertEqual(f["outline"], "none", (wijk, f))
            self.assertGreaterEqual(f["width"], 3, (wijk, f))
            self.assertGreaterEqual(f["vs_fill"], 3, (wijk, f))
            # against the page: the ring itself, or (a light ring on the
            # darkest blue) a dark halo around it
            self.assertTrue(f["vs_page"] >= 3 or "drop-shadow(rgb(26, 26, 26)" in f["halo"],
                            (wijk, f))
            self.assertTrue(f["uncut"], (wijk, f))



@unittest.skipUnless(browser.AVAILABLE, browser.MISSING)
class TestBusyForm(browser.SharedBrowser, ClusterTestCase):
    """The idea form when the service asks to wait (one idea a minute)."""
    SERVICES = ("storage", "classifier", "intake-form")
    ENV = {"INSPRAAK_FORM_RATE": "1"}

    def test_notice_has_the_focus(self):
        # The notice ("try again in a moment") starts the page, as the
        # error summary does: a screen reader reads it first.
        run = browser.run_script("keyboard.js", KEYS_CASE="busy",
                                 FORM_URL=self.cluster.url("intake-form", "").rstrip("/"))
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertTrue(seen["busy_notice"].strip(), seen)
        self.assertEqual(seen["busy_focus"], "div.bericht", seen)
        self.assertTrue(seen["busy_text_kept"].endswith("idee 2."), seen)


if __name__ == "__main__":
    main()
