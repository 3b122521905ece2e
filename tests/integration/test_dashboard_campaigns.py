#!/usr/bin/env python3
"""
NAME
    test_dashboard_campaigns - feedback campaigns made, tested, started,
    paused and resumed from the dashboard (/campagnes), sent by the real
    notify through a real SMTP server (aiosmtpd)

DESCRIPTION
    Four participants post ideas through intake-form: three with consent
    (one with two ideas), one without; the three receipts go out first (a
    campaign mail waits for a pending one). An admin creates a campaign on
    /campagnes, looks at the sample (no resident's data on it), sends a
    test mail, starts it while the SMTP server holds the first delivery
    (the `hold` control of test_notify's handler; that delivery then gets
    451), pauses it, and checks that the deferred participant is not tried
    again while it is paused: a second campaign, started then, finishes
    first (notify scanned with the first one paused). After resume exactly
    three mails of the first campaign arrive, one per
    consenting participant, each listing that person's ideas and linking
    to /resultaten. Also: forms without or with a wrong CSRF token change
    nothing (403); a staff user (not admin) gets 403 and no menu item;
    inspraakctl sees the same campaign (one implementation:
    common/campaign.c).
"""
import os
import re
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import ClusterTestCase, wait_until  # noqa: E402
from test_notify import Smtp, body_text  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SUBJECT = "Wat er met uw idee gebeurt"
PEOPLE = [("Anna Aarts", "anna@example.org", True,
           ["Meer bomen op het Pancratiusplein", "Een bankje bij de Geleenbeek"]),
          ("Bert Bakker", "bert@example.org", True, ["Veilige fietspaden naar school"]),
          ("Carla Claes", "carla@example.org", True, ["Een markt op zaterdag in Hoensbroek"]),
          ("Dirk Dekker", "dirk@example.org", False, ["Minder verkeer in de Akerstraat"])]


class TestDashboardCampaigns(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "notify", "dashboard")

    @classmethod
    def start_peers(cls):
        cls.smtp = Smtp()
        cls.ENV = {"INSPRAAK_SMTP_URL": "smtp://127.0.0.1:%d" % cls.smtp.port,
                   # the receipts go out before the test (a campaign mail
                   # waits for a pending receipt); only campaign mails count
                   "INSPRAAK_RECEIPT_BATCH_S": "1", "INSPRAAK_NOTIFY_SCAN_S": "1",
                   "INSPRAAK_SMTP_RATE": "0", "INSPRAAK_SMTP_RETRY_MS": "200"}
        return [cls.smtp]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._populate()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _populate(cls):
        c = cls.cluster
        for name, addr, consent, texts in PEOPLE:
            for t in texts:
                st, body = c.post_idea(t, name=name, email=addr, consent={"feedback": consent})
                assert st == 201, body
        n = sum(len(p[3]) for p in PEOPLE)
        wait_until("ideas stored", lambda: c.redis("ZCARD", "inspraak:ideas") == n)
        consenting = sum(p[2] for p in PEOPLE)
        wait_until("receipts sent", lambda: len(cls.smtp.messages()) == consenting)
        for user, role in (("beheerder", "admin"), ("medewerker", "staff")):
            pw = user + "-wachtwoord"
            r = c.ctl("user", "add", user, "--role", role, input="%s\n%s\n" % (pw, pw))
            assert r.returncode == 0, r.stderr
        cls.admin = cls.login("beheerder")
        cls.staff = cls.login("medewerker")

    @classmethod
    def login(cls, user):
        c = cls.cluster
        _, hs, _ = c.dash("GET", "/login")
        pre = harness.set_cookie(hs, "inspraak_login")
        form = urllib.parse.urlencode({"user": user, "password": user + "-wachtwoord",
                                       "csrf": pre})
        st, hs, _ = c.dash("POST", "/login", form, dict(FORM, Cookie="inspraak_login=" + pre))
        assert st == 303, st
        return harness.set_cookie(hs, "inspraak_session")

    # --- helpers ---
    def get(self, path, sid, expect=200):
        st, _, body = self.cluster.dash("GET", path, headers={"Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, expect, "%s: %s" % (path, body[:300]))
        return body.decode()

    def post(self, path, sid, fields, expect=303):
        st, hs, body = self.cluster.dash("POST", path, urllib.parse.urlencode(fields),
                                         dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, expect, "%s: %s" % (path, body[:600]))
        loc = [v for k, v in hs if k.lower() == "location"]
        return (loc[0] if loc else None), body.decode()

    def csrf(self, page):
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)

    def create(self, subject, text, meeting=""):
        token = self.csrf(self.get("/campagnes", self.admin))
        loc, _ = self.post("/campagnes", self.admin, {"csrf": token, "action": "create",
                                                      "subject": subject, "text": text,
                                                      "meeting": meeting})
        m = re.match(r"^/campagnes/(c-\d+)\?m=aangemaakt$", loc)
        self.assertTrue(m, loc)
        return m.group(1)

    def act(self, cid, action, expect=303, **extra):
        page = self.get("/campagnes/" + cid, self.admin)
        return self.post("/campagnes/" + cid, self.admin,
                         dict(extra, csrf=self.csrf(page), action=action), expect)

    def state(self, cid):
        return self.cluster.redis("HGET", "inspraak:campaign:" + cid, "state")

    def mails(self, subject):
        return [m for m in self.smtp.messages() if m["Subject"] == subject]

    # --- tests ---
    def test_1_staff_without_admin_role_gets_403(self):
        page = self.get("/", self.staff)
        self.assertNotIn('href="/campagnes"', page)
        self.assertIn('href="/campagnes"', self.get("/", self.admin))
        self.assertIn("Alleen beheerders", self.get("/campagnes", self.staff, expect=403))
        token = self.csrf(page)
        self.post("/campagnes", self.staff, {"csrf": token, "action": "create",
                                             "subject": "x", "text": "y"}, expect=403)
        self.assertEqual(self.cluster.redis("ZCARD", "inspraak:campaigns"), 0)

    def test_2_forms_need_the_csrf_token(self):
        for fields in ({}, {"csrf": "0" * 64}):
            self.post("/campagnes", self.admin, dict(fields, action="create", subject="x",
                                                     text="y"), expect=403)
        self.assertEqual(self.cluster.redis("ZCARD", "inspraak:campaigns"), 0)
        _, page = self.post("/campagnes", self.admin,
                            {"csrf": self.csrf(self.get("/campagnes", self.admin)),
                             "action": "create", "subject": "", "text": "y"}, expect=400)
        self.assertIn("Vul een onderwerp in", page)
        self.assertEqual(self.cluster.redis("ZCARD", "inspraak:campaigns"), 0)

    def test_3_create_preview_test_start_pause_resume(self):
        c = self.cluster
        # The mail already opens with "Beste {{naam}}," and closes with the
        # greeting; the help did not say so, and a text that began with
        # "Beste {{naam}}," greeted every participant twice.
        help_text = re.search(r'<p id="c-help">(.*?)</p>', self.get("/campagnes", self.admin),
                              re.S).group(1)
        self.assertIn("De aanhef (Beste", help_text)
        self.assertIn("de groet", help_text)
        # every word the mail fills in is offered, and what is always in it said
        for word in ("naam", "ideeen", "resultaten_url", "privacy_url", "bijeenkomst"):
            self.assertIn("{{%s}}" % word, help_text)
        self.assertIn("een link naar de privacyverklaring", help_text)
        cid = self.create(SUBJECT, "Dank u wel, {{naam}}.\r\nBekijk wat we met alle ideeën "
                          "deden.", "12 maart, 19.00 uur, Glaspaleis")
        page = self.get("/campagnes/%s?m=aangemaakt" % cid, self.admin)
        self.assertIn("opgeslagen als concept", page)
        self.assertIn("Concept", page)
        self.assertIn("Dank u wel, Voorbeeld Deelnemer.", page)  # the sample
        # a draft's participants are counted when it starts: not "0", which
        # read as "nobody will get this mail"
        self.assertIn("<dt>Deelnemers</dt><dd>nog niet geteld: dat gebeurt als de campagne "
                      "start</dd>", page)
        self.assertRegex(self.get("/campagnes", self.admin),
                         r"<td>Concept[^<]*</td><td>[^<]*</td><td>nog niet geteld</td>")
        self.assertIn("/resultaten", page)
        for name, addr, _, texts in PEOPLE:  # no resident's data on the page
            self.assertNotIn(name, page)
            self.assertNotIn(addr, page)
            self.assertNotIn(texts[0], page)
        self.assertIn(cid, self.get("/campagnes", self.admin))
        # the CLI sees the same campaign (one implementation)
        r = c.ctl("campaign", "status", cid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"state": "draft"', r.stdout)
        # pause is not possible from draft; the page says so
        _, page = self.act(cid, "pause", expect=400)
        refusal = re.search(r'<p class="err"[^>]*>(.*?)</p>', page, re.S).group(1)
        self.assertIn("Dat kan nu niet", refusal)
        # which status, in the words the page shows it by ("andere status" before)
        self.assertIn("Concept (nog niet gestart)", refusal)
        # a test mail, at once
        self.act(cid, "test", to="staf@example.org")
        test = wait_until("test mail", lambda: self.smtp.messages("staf@example.org"))
        self.assertEqual(test[0]["Subject"], "[TEST] " + SUBJECT)
        self.assertEqual(len(self.mails(SUBJECT)), 0)

        # start while the server holds the first delivery, then pause
        self.smtp.control("hold", str(len(self.smtp.messages())))
        self.act(cid, "start")
        self.assertEqual(self.state(cid), "running")
        wait_until("smtp hold", lambda: os.path.exists(os.path.join(self.smtp.box, "held")))
        loc, _ = self.act(cid, "pause")
        self.assertEqual(loc, "/campagnes/%s?m=gepauzeerd" % cid)
        self.assertIn("Gepauzeerd", self.get(loc, self.admin))
        self.assertEqual(self.state(cid), "paused")
        self.smtp.control("held")
        self.smtp.control("hold")  # the held delivery now gets 451: tried again later
        # notify reads the state once per batch (up to 20 recipients): the
        # two others of this batch still go out, the deferred one must
        # wait. While it is paused, a second campaign goes out completely:
        # notify has scanned with the first one paused and not retried it.
        cid2 = self.create("Tweede bericht", "Nog een bericht voor {{naam}}.")
        self.act(cid2, "start")
        wait_until("second campaign done", lambda: self.state(cid2) == "done", timeout=120)
        self.assertEqual(len(self.mails("Tweede bericht")), 3)
        self.assertEqual(len(self.mails(SUBJECT)), 2)
        self.assertEqual(self.state(cid), "paused")
        self.assertRegex(self.get("/campagnes/" + cid, self.admin),
                         r"<dt>Nog te doen</dt><dd>1</dd>")

        loc, _ = self.act(cid, "resume")
        self.assertEqual(loc, "/campagnes/%s?m=hervat" % cid)
        wait_until("campaign done", lambda: self.state(cid) == "done", timeout=120)
        got = self.mails(SUBJECT)
        self.assertEqual(sorted(m["X-Test-Rcpt"] for m in got),
                         sorted(p[1] for p in PEOPLE if p[2]))
        for name, addr, _, texts in PEOPLE[:3]:
            m = [m for m in got if m["X-Test-Rcpt"] == addr][0]
            text = body_text(m)
            self.assertIn("Dank u wel, %s." % name, text)
            for t in texts:
                self.assertIn(t, text)
            for other in PEOPLE:
                if other[1] != addr:
                    self.assertNotIn(other[3][0], text)
            self.assertIn("/resultaten", text)
            self.assertIn("/afmelden?p=", text)
            self.assertIn("12 maart, 19.00 uur, Glaspaleis", text)
        self.assertEqual(self.smtp.messages("dirk@example.org"), [])
        page = self.get("/campagnes/" + cid, self.admin)
        self.assertIn("Klaar", page)
        self.assertRegex(page, r"<dt>Verstuurd</dt><dd>3</dd>")
        # audit: who did what, with the campaign id and no address
        audit = " ".join(c.redis("LRANGE", "inspraak:audit", "0", "-1"))
        for action in ("campaign_create", "campaign_test", "campaign_start", "campaign_pause",
                       "campaign_resume"):
            self.assertIn(action, audit)
        self.assertNotIn("staf@example.org", audit)
        self.assertNotIn("@example.org", audit)

    def test_4_subject_and_meeting_of_300_characters_with_accents(self):
        # maxlength="300" lets a browser send 300 characters, up to 4 bytes each
        subject, meeting = "Café Één " + "é" * 291, "Glaspaleis, zaal Één " + "ë" * 279
        self.assertEqual((len(subject), len(meeting)), (300, 300))
        cid = self.create(subject, "Dank u wel, {{naam}}.", meeting)
        key = "inspraak:campaign:" + cid
        self.assertEqual(self.cluster.redis("HGET", key, "subject"), subject)
        self.assertEqual(self.cluster.redis("HGET", key, "meeting"), meeting)
        token = self.csrf(self.get("/campagnes", self.admin))
        _, page = self.post("/campagnes", self.admin, {"csrf": token, "action": "create",
                                                       "subject": subject + "é",
                                                       "text": "Dank u wel."}, expect=400)
        self.assertIn("te lang", page)

    def test_5_meeting_placeholder_says_the_meeting_once(self):
        # The help offers {{bijeenkomst}}, and the mail itself already has
        # the meeting sentence under the results link: a text with
        # "Kom ook: {{bijeenkomst}}" invited every participant twice.
        help_text = re.search(r'<p id="c-help">(.*?)</p>', self.get("/campagnes", self.admin),
                              re.S).group(1)
        self.assertIn("{{bijeenkomst}} (de zin &quot;U bent van harte welkom op de "
                      "terugkombijeenkomst: ...&quot;)", help_text)
        cid = self.create("Uitnodiging", "Dank u wel, {{naam}}.\r\nKom ook: {{ bijeenkomst }}",
                          "3 april, 19.00 uur, Glaspaleis")
        page = self.get("/campagnes/" + cid, self.admin)
        self.assertEqual(page.count("terugkombijeenkomst: 3 april"), 1, page)
        self.assertIn("Kom ook: U bent van harte welkom op de terugkombijeenkomst: 3 april", page)

    def test_6_a_new_campaign_s_meeting_line_comes_from_the_announcement(self):
        # /bijeenkomst and a campaign's meeting line are the same fact:
        # staff typed it twice, and the two could differ.
        c = self.cluster
        form = re.search(r'<h2 id="nieuw">.*?</form>', self.get("/campagnes", self.admin),
                         re.S).group(0)
        self.assertIn('name="meeting" maxlength="300" size="60" placeholder="12 maart, '
                      '19.00 uur, Glaspaleis" value=""', form)
        page = self.get("/bijeenkomst", self.admin)
        try:
            self.post("/bijeenkomst", self.admin,
                      {"csrf": self.csrf(page), "date": "2027-03-11", "time": "19:30",
                       "place": "Glaspaleis, Bongerd 18", "text": "Iedereen is welkom."})
            form = re.search(r'<h2 id="nieuw">.*?</form>', self.get("/campagnes", self.admin),
                             re.S).group(0)
            line = re.search(r'name="meeting"[^>]* value="([^"]*)"', form).group(1)
            self.assertEqual(line, "11 maart 2027 om 19.30 uur, Glaspaleis, Bongerd 18")
            self.assertIn("Bijeenkomst", form)
            help_text = re.search(r'<p id="c-meeting-help">(.*?)</p>', form, re.S).group(1)
            self.assertIn("terugkombijeenkomst", help_text)
            self.assertIn("veranderen", help_text)
            # still editable: what staff send is what is kept
            cid = self.create("Met een andere regel", "Tot ziens.", "12 maart, Schunck")
            self.assertEqual(c.redis("HGET", "inspraak:campaign:" + cid, "meeting"),
                             "12 maart, Schunck")
        finally:
            c.redis("DEL", "inspraak:meeting")


if __name__ == "__main__":
    harness.main()
