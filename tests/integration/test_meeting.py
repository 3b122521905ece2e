#!/usr/bin/env python3
"""
NAME
    test_meeting - the terugkombijeenkomst: admins announce when and where
    (/bijeenkomst), /resultaten and the report show it

DESCRIPTION
    Starts Redis, storage, classifier, intake-form and the dashboard
    (tests/lib/harness.py; binaries from INSPRAAK_BIN) and checks as a user
    would:
      - an admin sets date, time, place and a text (with HTML in it): both
        /resultaten and /report show them, escaped, and never who set it;
      - a link as place is a link on /resultaten;
      - a text over 500 characters, an e-mail address, a day that does not
        exist: refused with a Dutch message, nothing changes;
      - without the CSRF token: 403; a staff member who is no admin: 403
        in Dutch, on the page and on the form, and nothing changes;
      - "Weghalen" (or all fields empty): nothing is shown any more.

Usage: INSPRAAK_BIN=build/asan/bin INSPRAAK_DATA=$PWD/data \
       python3 tests/integration/test_meeting.py
"""
import html
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ClusterTestCase, main  # noqa: E402
from test_dashboard_ui import FORM, req  # noqa: E402

KEY = "inspraak:meeting"
TEXT = "Kom ook! Er is koffie & vlaai. <b>Iedereen</b> is welkom."


class TestMeeting(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")
    # /resultaten is never kept: each look below sees what Redis holds now
    ENV = {"INSPRAAK_PUBLIC_CACHE_S": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.admin = c.staff_login("beheer1", "beheer-wachtwoord-1", role="admin")
        cls.staff = c.staff_login("staf1", "staf-wachtwoord-1")
        st, body = c.post_idea("Meer groen op het Pancratiusplein.", wijk="WK091733")
        assert st == 201, body
        c.wait_idea(body["id"], c.staff_token())

    # --- helpers ---
    def get(self, path, sid=None, expect=200):
        st, _, body = req(self.cluster, "GET", path,
                          headers={"Cookie": "inspraak_session=" + sid} if sid else {})
        self.assertEqual(st, expect, "%s: %s" % (path, body[:300]))
        return body.decode("utf-8")

    def post(self, sid, fields, csrf=None):
        if csrf is None:
            page = self.get("/", sid)
            csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        st, hs, body = req(self.cluster, "POST", "/bijeenkomst",
                           urllib.parse.urlencode(dict(fields, csrf=csrf)),
                           dict(FORM, Cookie="inspraak_session=" + sid))
        return st, dict((k.lower(), v) for k, v in hs), body.decode("utf-8")

    def closing(self, page):
        """The section "Wat gebeurt er nu met de ideeën?" of a page."""
        m = re.search(r'<h2 id="vervolg">.*?</section>', page, re.S)
        self.assertIsNotNone(m, page[-2000:])
        return m.group(0)

    # --- tests ---
    def test_admin_sets_it_both_pages_show_it_then_cleared(self):
        sid = self.admin
        self.assertIn('href="/bijeenkomst"', self.get("/", sid))  # in the admin's menu
        st, hs, body = self.post(sid, {"date": "2027-03-11", "time": "19:30",
                                       "place": "Glaspaleis, Bongerd 18, Heerlen", "text": TEXT})
        self.assertEqual(st, 303, body[:400])
        self.assertIn("/bijeenkomst?opgeslagen=1", hs["location"])
        self.assertIn("De aankondiging is opgeslagen.", self.get(hs["location"], sid))
        for page in (self.get("/resultaten"), self.get("/report", sid)):
            part = self.closing(page)
            self.assertIn("11 maart 2027 om 19.30 uur", part)
            self.assertIn("Glaspaleis, Bongerd 18, Heerlen", part)
            self.assertIn(html.escape(TEXT, quote=True).replace("&#x27;", "&#39;"), part)
            self.assertNotIn("<b>Iedereen", part)  # escaped, never markup
            self.assertNotIn("beheer1", part)  # never who set it
        # an online meeting: its link is a link
        st, _, body = self.post(sid, {"date": "2027-03-12", "time": "",
                                      "place": "https://heerlen.nl/terugkom", "text": ""})
        self.assertEqual(st, 303, body[:400])
        part = self.closing(self.get("/resultaten"))
        self.assertIn('<a href="https://heerlen.nl/terugkom"', part)
        self.assertIn("12 maart 2027", part)
        self.assertNotIn(" uur", part)
        # cleared: neither page shows any of it
        st, _, body = self.post(sid, {"date": "2027-03-12", "place": "x", "clear": "1"})
        self.assertEqual(st, 303, body[:400])
        self.assertEqual(self.cluster.redis("EXISTS", KEY), 0)
        for page in (self.get("/resultaten"), self.get("/report", sid)):
            part = self.closing(page)
            self.assertNotIn("Wanneer:", part)
            self.assertNotIn("heerlen.nl/terugkom", part)
        # all fields empty is the same as cleared
        self.post(sid, {"date": "2027-03-11", "text": "Eerst zo."})
        st, _, _ = self.post(sid, {"date": "", "time": "", "place": "", "text": ""})
        self.assertEqual(st, 303)
        self.assertEqual(self.cluster.redis("EXISTS", KEY), 0)

    def test_too_long_or_private_or_no_such_day_refused_in_dutch(self):
        sid = self.admin
        st, _, _ = self.post(sid, {"date": "2027-04-01", "text": "Zo blijft het."})
        self.assertEqual(st, 303)
        before = self.cluster.redis("HGETALL", KEY)
        for fields, says in (
                ({"text": "é" * 501}, "hoogstens 500 tekens"),
                ({"text": "a" * 20000}, "te lang"),
                ({"place": "p" * 121}, "hoogstens 120 tekens"),
                ({"text": "Vragen? Mail jan.jansen@example.org"}, "e-mailadres"),
                ({"date": "2027-02-30"}, "die datum bestaat niet"),
                ({"time": "25:00"}, "uu:mm"),
                ({"time": "19::5"}, "uu:mm")):  # /resultaten showed "19.:5 uur"
            st, _, body = self.post(sid, fields)
            self.assertEqual(st, 400, (list(fields), body[:300]))
            self.assertIn("Niet opgeslagen", body)
            self.assertIn(says, body)
            self.assertEqual(self.cluster.redis("HGETALL", KEY), before)
        # exactly 500 characters is fine
        st, _, body = self.post(sid, {"text": "é" * 500})
        self.assertEqual(st, 303, body[:300])

    def test_only_admins_with_the_form_token(self):
        admin = self.admin
        st, _, _ = self.post(admin, {"text": "Zonder token."}, csrf="0" * 64)
        self.assertEqual(st, 403)
        staff = self.staff
        self.assertNotIn('href="/bijeenkomst"', self.get("/", staff))
        self.assertIn("Alleen beheerders", self.get("/bijeenkomst", staff, expect=403))
        before = self.cluster.redis("HGETALL", KEY)
        st, _, body = self.post(staff, {"date": "2027-05-01", "text": "Door een medewerker."})
        self.assertEqual(st, 403)
        self.assertIn("Alleen beheerders", body)
        self.assertEqual(self.cluster.redis("HGETALL", KEY), before)
        st, _, _ = req(self.cluster, "GET", "/bijeenkomst")
        self.assertEqual(st, 303)  # no session: to the login page


if __name__ == "__main__":
    main()
