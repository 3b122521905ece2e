#!/usr/bin/env python3
"""
NAME
    test_dashboard_ui - the staff dashboard's pages, login, moderation,
    exports, report and public page on a real cluster

DESCRIPTION
    Starts Redis, storage, classifier, intake-form and dashboard
    (tests/lib/harness.py), posts ideas through the form API (some of them
    hostile: <script>, event handlers, javascript: URLs, SVG payloads; one
    with a name and an email address) and checks, as a user would:
      - login / logout / CSRF / cookie flags / session expiry / rate limit;
      - moderation round trip through storage: approve -> quoted on
        /resultaten, hide -> gone; stats follow; audit log entries;
      - CSV export: BOM, one row per idea, formula cells neutralised;
      - /report as HTML and as PDF (%PDF);
      - /resultaten without login, with no name or email anywhere;
      - every hostile text appears escaped, never as markup, on every page.
    Session expiry is simulated in Redis (TTL gone / creation time moved
    back) instead of waiting: no timing thresholds.
"""
import csv
import datetime
import hashlib
import html
import http.client
import io
import json
import os
import re
import sys
import time
import unittest
import urllib.parse
import zoneinfo

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402
from test_list_sort import inject, make_idea  # noqa: E402
from test_store_dashboard import PEOPLE_IDEAS, people_idea, people_of  # noqa: E402

NAME = "Zwaantje Grootveld-Oosterbeek"
EMAIL = "zwaantje.grootveld@example.org"
MARK = "Dashboardtest"
HOSTILE = [
    ("<script>alert('xss1')</script> meer bomen", ["<script>alert('xss1')"]),
    ("<img src=x onerror=alert('xss2')> speeltuin", ["<img src=x onerror"]),
    ("Kijk op javascript:alert('xss3') voor het plan van de wijk", []),
    ("<svg onload=alert('xss4')><circle r=1 /></svg> fietspad", ["<svg onload"]),
    ("\"><a href=\"javascript:alert('xss5')\">klik</a> bankjes", ["<a href=\"javascript"]),
]
FORMULA = "=HYPERLINK(\"http://example.invalid\",\"klik\") meer groen in het park"
# Classified as openbare-ruimte and centrum: slugs people must never see.
LABELLED = "Zwerfvuil en afval op de stoep in de binnenstad bij de winkels, het is er vies"


def theme_labels():
    """slug -> Dutch label, from the "# Labels:" comment of data/nl/themes.tsv."""
    path = os.path.join(os.environ.get("INSPRAAK_DATA", os.path.join(
        os.path.dirname(__file__), "..", "..", "data")), "nl", "themes.tsv")
    text, on = "", False
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines:
        if not line.startswith("#"):
            if on:
                break
            continue
        t = line[1:].strip()
        if t.startswith("Labels:"):
            on, t = True, t[len("Labels:"):]
        elif on and not t:
            break
        elif not on:
            continue
        text += " " + t
    return {k.strip(): v.strip().rstrip(".") for k, v in
            (p.split("=", 1) for p in text.split(";") if "=" in p)}


def visible(page):
    """What a person sees or hears: text, plus alt/title/aria-label/placeholder."""
    attrs = re.findall(r'(?:alt|title|aria-label|placeholder)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(text + " " + " ".join(attrs))


def req(cluster, method, path, body=None, headers=None):
    """(status, header list, body) on the dashboard; every Set-Cookie kept."""
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port("dashboard"), timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        conn.close()


def header(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def cookie(headers, name):
    for v in header(headers, "Set-Cookie"):
        m = re.match(r"%s=([0-9a-f]*)" % name, v)
        if m:
            return m.group(1), v
    return None, None


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def heerlen_hhmm(t, day=False):
    """The time t (seconds since the epoch) as a clock in Heerlen shows it;
    day: with "morgen " before it when that is tomorrow there."""
    zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
    when = datetime.datetime.fromtimestamp(t, zone)
    tomorrow = datetime.datetime.now(zone).date() + datetime.timedelta(days=1)
    return ("morgen " if day and when.date() == tomorrow else "") + when.strftime("%H:%M")


class TestDashboardUI(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.token = c.staff_token()
        for user, pw in (("anna", "anna-wachtwoord-1"), ("bert", "bert-wachtwoord-1")):
            r = c.ctl("user", "add", user, input="%s\n%s\n" % (pw, pw))
            assert r.returncode == 0, r.stderr
        cls.ideas = {}
        texts = [h[0] for h in HOSTILE] + [FORMULA, MARK + " een nieuw buurthuis in Heerlerheide",
                                           LABELLED]
        for i, t in enumerate(texts):
            st, body = c.post_idea(t, title="Titel <b>%d</b> <script>x()</script>" % i,
                                   wijk="WK091711")
            assert st == 201, body
            cls.ideas[t] = body["id"]
        st, body = c.post_idea(MARK + " met persoonsgegevens: meer zebrapaden", name=NAME,
                               email=EMAIL, consent={"feedback": True})
        assert st == 201, body
        cls.personal_id = body["id"]
        n = len(texts) + 1
        wait_until("ideas stored", lambda: c.api("/api/v1/ideas?limit=1", cls.token)[1]
                   .get("total") == n)

    # --- helpers ---
    def login(self, user="anna", password="anna-wachtwoord-1", expect=303, **extra):
        st, hs, body = req(self.cluster, "GET", "/login")
        self.assertEqual(st, 200)
        pre, _ = cookie(hs, "inspraak_login")
        form = urllib.parse.urlencode(dict({"user": user, "password": password, "csrf": pre},
                                           **extra))
        st, hs, body = req(self.cluster, "POST", "/login", form,
                           dict(FORM, Cookie="inspraak_login=" + pre))
        self.assertEqual(st, expect, body[:500])
        sid, raw = cookie(hs, "inspraak_session")
        return sid, raw

    def get(self, path, sid=None, expect=200):
        hs = {"Cookie": "inspraak_session=" + sid} if sid else {}
        st, headers, body = req(self.cluster, "GET", path, headers=hs)
        self.assertEqual(st, expect, "%s: %s" % (path, body[:300]))
        return headers, body.decode("utf-8")

    def csrf(self, page):
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)

    def moderate(self, sid, idea_id, status, themes=("groen",)):
        _, page = self.get("/ideeen/" + idea_id, sid)
        form = [("csrf", self.csrf(page)), ("status", status), ("wijk", "WK091711"),
                ("sentiment", "neutraal")] + [("theme", t) for t in themes]
        st, hs, body = req(self.cluster, "POST", "/ideeen/" + idea_id,
                           urllib.parse.urlencode(form),
                           dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 303, body[:400])
        self.assertIn("opgeslagen=1", header(hs, "Location")[0])
        _, page = self.get(header(hs, "Location")[0], sid)
        self.assertIn("De wijziging is opgeslagen", page)

    def session_key(self, sid):
        return "inspraak:session:" + hashlib.blake2b(sid.encode(), digest_size=32).hexdigest()

    # --- login, sessions, CSRF ---
    def test_login_cookie_and_logout(self):
        st, hs, _ = req(self.cluster, "GET", "/")
        self.assertEqual(st, 303)
        self.assertEqual(header(hs, "Location"), ["/login"])
        sid, raw = self.login()
        self.assertEqual(len(sid), 64)
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, raw)
        self.assertNotIn("Secure", raw)  # INSPRAAK_SECURE_COOKIES not set
        # Only a hash of the id is stored.
        self.assertEqual(self.cluster.redis("EXISTS", "inspraak:session:" + sid), 0)
        ttl = self.cluster.redis("TTL", self.session_key(sid))
        self.assertTrue(0 < ttl <= 1800, ttl)
        hs, page = self.get("/", sid)
        self.assertIn("Overzicht", page)
        csp = header(hs, "Content-Security-Policy")[0]
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(header(hs, "X-Content-Type-Options"), ["nosniff"])
        # Logout needs the CSRF token.
        st, _, _ = req(self.cluster, "POST", "/logout", "csrf=" + "0" * 64,
                       dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 403)
        self.get("/", sid)  # still logged in
        st, _, _ = req(self.cluster, "POST", "/logout", "csrf=" + self.csrf(page),
                       dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 303)
        self.get("/", sid, expect=303)
        audit = self.cluster.redis("LRANGE", "inspraak:audit", "0", "-1")
        self.assertTrue(any('"action":"logout"' in a for a in audit))

    def test_login_form_needs_its_token(self):
        form = urllib.parse.urlencode({"user": "anna", "password": "anna-wachtwoord-1",
                                       "csrf": "a" * 64})
        st, _, _ = req(self.cluster, "POST", "/login", form,
                       dict(FORM, Cookie="inspraak_login=" + "b" * 64))
        self.assertEqual(st, 403)

    def test_long_password_that_user_add_accepted_logs_in(self):
        # inspraakctl and /beheer take passwords up to 1024 bytes (a long
        # pass phrase); the login form must take what they stored.
        pw = "een lange zin als wachtwoord, " * 34  # 1020 bytes
        r = self.cluster.ctl("user", "add", "lange-zin", input="%s\n%s\n" % (pw, pw))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.login("lange-zin", pw)
        self.login("lange-zin", pw[:-1] + "!", expect=401)

    def test_failed_login_keeps_name_and_choice(self):
        # After a wrong password the form came back empty: staff typed
        # their name again and lost the "20 uur" choice they had ticked.
        # The password is never sent back.
        st, hs, body = req(self.cluster, "GET", "/login")
        pre, _ = cookie(hs, "inspraak_login")
        form = urllib.parse.urlencode({"user": "anna<b>", "password": "geheim-fout",
                                       "csrf": pre, "lang": "1"})
        st, _, body = req(self.cluster, "POST", "/login", form,
                          dict(FORM, Cookie="inspraak_login=" + pre))
        self.assertEqual(st, 401, body[:300])
        page = body.decode("utf-8")
        user = re.search(r'<input id="user"[^>]*>', page).group(0)
        self.assertIn('value="anna&lt;b&gt;"', user)
        self.assertIn("checked", re.search(r'<input type="checkbox" id="lang"[^>]*>', page).group(0))
        self.assertNotIn("geheim-fout", page)
        st, hs, body = req(self.cluster, "GET", "/login")
        page = body.decode("utf-8")
        self.assertNotIn("value=", re.search(r'<input id="user"[^>]*>', page).group(0))
        self.assertNotIn("checked", re.search(r'<input type="checkbox" id="lang"[^>]*>',
                                              page).group(0))

    def test_wrong_password_and_rate_limit(self):
        self.login("bert", "fout", expect=401)
        for _ in range(4):
            self.login("bert", "nog-steeds-fout", expect=401)
        # Five failures for this user: now even the right password is refused.
        self.login("bert", "bert-wachtwoord-1", expect=429)
        self.login()  # another user from the same address still gets in
        audit = self.cluster.redis("LRANGE", "inspraak:audit", "0", "-1")
        self.assertTrue(any('"login_failed"' in a for a in audit))
        self.assertTrue(any('"login_blocked"' in a for a in audit))
        for a in audit:
            self.assertNotIn("127.0.0.1", a)
            self.assertNotIn("nog-steeds-fout", a)

    def test_moderation_form_needs_csrf(self):
        sid, _ = self.login()
        idea_id = self.ideas[FORMULA]
        form = urllib.parse.urlencode({"csrf": "c" * 64, "status": "approved"})
        st, _, _ = req(self.cluster, "POST", "/ideeen/" + idea_id, form,
                       dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 403)
        st, _, _ = req(self.cluster, "POST", "/ideeen/" + idea_id, form, FORM)
        self.assertEqual(st, 303)  # no session: to the login page
        _, body = self.cluster.api("/api/v1/ideas/" + idea_id, self.token)
        self.assertEqual(body["status"], "new")

    def test_session_idle_and_absolute_timeout(self):
        sid, _ = self.login()
        self.get("/", sid)
        self.cluster.redis("PEXPIRE", self.session_key(sid), "1")  # idle time used up
        wait_until("session key gone",
                   lambda: self.cluster.redis("EXISTS", self.session_key(sid)) == 0)
        self.get("/", sid, expect=303)
        sid, _ = self.login()
        nine_hours_ago = int(time.time() * 1000) - 9 * 3600 * 1000
        self.cluster.redis("HSET", self.session_key(sid), "created", str(nine_hours_ago))
        self.get("/", sid, expect=303)
        self.assertEqual(self.cluster.redis("EXISTS", self.session_key(sid)), 0)

    def test_staff_choose_a_long_session_and_see_until_when(self):
        # WCAG 2.2.1: a session ended after 30 idle minutes without a
        # warning and without a way to extend it (the pages run no
        # JavaScript). At login staff may now choose 20 hours
        # (INSPRAAK_SESSION_LONG_IDLE_S), and every staff page says, beside
        # "Uitloggen", until when the session lasts without a click.
        _, page = self.get("/login")
        self.assertIn('<input type="checkbox" id="lang" name="lang" value="1">', page)
        self.assertIn("houd mij 20 uur lang ingelogd", visible(page))

        before = time.time()
        sid, _ = self.login()
        _, page = self.get("/", sid)
        after = time.time()
        self.assertTrue(0 < self.cluster.redis("TTL", self.session_key(sid)) <= 1800)
        # After 23:30 in Heerlen the half hour ends tomorrow: "morgen 00:22"
        shown = re.search(r"Ingelogd tot ((?:morgen )?[0-9:]+)<", page)
        self.assertIsNotNone(shown, page[:3000])
        self.assertIn(shown.group(1),
                      {heerlen_hhmm(t + 1800, day=True) for t in (before, after)})

        sid, raw = self.login(lang="1")
        ttl = self.cluster.redis("TTL", self.session_key(sid))
        self.assertTrue(1800 < ttl <= 20 * 3600, ttl)
        self.assertIn("Max-Age=72000", raw)  # the cookie lasts as long
        created = int(self.cluster.redis("HGET", self.session_key(sid), "created")) / 1000
        _, page = self.get("/ideeen", sid)
        # The session ends 20 hours after logging in (mostly tomorrow).
        self.assertIn("Ingelogd tot " + heerlen_hhmm(created + 20 * 3600, day=True) + "<", page)
        # Still there after the 30 minutes a normal session has: its idle
        # timer is renewed to 20 hours, not to 30 minutes.
        self.assertTrue(self.cluster.redis("TTL", self.session_key(sid)) > 1800)
        # Nine hours after logging in (past INSPRAAK_SESSION_MAX_S, 8 h)
        # the long session goes on; after 21 hours it has ended.
        key = self.session_key(sid)
        self.cluster.redis("HSET", key, "created", str(int((time.time() - 9 * 3600) * 1000)))
        self.get("/", sid)
        self.cluster.redis("HSET", key, "created", str(int((time.time() - 21 * 3600) * 1000)))
        self.get("/", sid, expect=303)

    def login_on(self, page_path, user="anna", password="anna-wachtwoord-1"):
        """Logs in through the login page at page_path, sending every field
        that page's form holds (as a browser would); (status, Location)."""
        st, hs, body = req(self.cluster, "GET", page_path)
        self.assertEqual(st, 200, body[:300])
        page = body.decode("utf-8")
        pre, _ = cookie(hs, "inspraak_login")
        form = dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"', page))
        form = {k: html.unescape(v) for k, v in form.items()}
        form.update({"user": user, "password": password})
        st, hs, _ = req(self.cluster, "POST", "/login", urllib.parse.urlencode(form),
                        dict(FORM, Cookie="inspraak_login=" + pre))
        return st, (header(hs, "Location") or [None])[0], visible(page)

    def test_expired_session_brings_staff_back_and_says_what_was_lost(self):
        # After the idle time a click led to a bare login page and then to
        # the overview: the search was gone, and a correction sent in that
        # moment was dropped without a word.
        sid, _ = self.login()
        idea_id = self.ideas[FORMULA]
        _, page = self.get("/ideeen/" + idea_id, sid)
        csrf = self.csrf(page)
        self.cluster.redis("DEL", self.session_key(sid))  # the idle time is up

        search = "/ideeen?q=bomen&wijk=WK091711"
        st, hs, _ = req(self.cluster, "GET", search, headers={"Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, 303)
        st, loc, seen = self.login_on(header(hs, "Location")[0])
        self.assertIn("Uw sessie is verlopen", seen)
        self.assertEqual((st, loc), (303, search))

        sid, _ = self.login()
        self.cluster.redis("DEL", self.session_key(sid))
        form = urllib.parse.urlencode({"csrf": csrf, "status": "approved", "wijk": "WK091711"})
        st, hs, _ = req(self.cluster, "POST", "/ideeen/" + idea_id, form,
                        dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 303)
        st, loc, seen = self.login_on(header(hs, "Location")[0])
        self.assertIn("niet opgeslagen", seen)
        # Back on the idea's page, which says so too (the login page was
        # the only place that did, gone after logging in).
        self.assertEqual(st, 303)
        self.assertEqual(urllib.parse.urlsplit(loc).path, "/ideeen/" + idea_id)
        _, page = self.get(loc, self.login()[0])
        self.assertIn("Uw wijziging is niet opgeslagen", visible(page))
        self.assertNotIn("De wijziging is opgeslagen", page)
        _, body = self.cluster.api("/api/v1/ideas/" + idea_id, self.token)
        self.assertEqual(body["status"], "new")

        # Logging out after the session ended: nothing was lost, nothing to say.
        sid, _ = self.login()
        self.cluster.redis("DEL", self.session_key(sid))
        st, hs, _ = req(self.cluster, "POST", "/logout", urllib.parse.urlencode({"csrf": csrf}),
                        dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual((st, header(hs, "Location")), (303, ["/login"]))

        # Only a page of this dashboard is a place to go back to.
        for away in ("//example.org/", "https://example.org/", "/\\example.org", "/login"):
            st, loc, _ = self.login_on("/login?terug=" + urllib.parse.quote(away, safe=""))
            self.assertEqual((st, loc), (303, "/"), away)

    def test_second_tab_does_not_undo_a_correction(self):
        # The moderation form sends every field as the page showed it. A
        # tab opened before a correction (or a colleague's page) saved
        # later and put the old theme and wijk back without a word.
        sid, _ = self.login()
        idea_id = self.ideas[HOSTILE[1][0]]
        _, tab1 = self.get("/ideeen/" + idea_id, sid)
        _, tab2 = self.get("/ideeen/" + idea_id, sid)

        def fields(page, **change):
            form = dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"',
                                   page.split("Beoordelen en verbeteren", 1)[1]))
            form.update({"status": "new", "wijk": "WK091711", "sentiment": "neutraal"})
            form.update(change)
            return urllib.parse.urlencode(form)
        st, _, body = req(self.cluster, "POST", "/ideeen/" + idea_id,
                          fields(tab1, theme="mobiliteit", wijk="WK091733"),
                          dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 303, body[:300])
        st, _, body = req(self.cluster, "POST", "/ideeen/" + idea_id,
                          fields(tab2, status="approved", theme="groen"),
                          dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 409, body[:300])
        self.assertIn("intussen veranderd", visible(body.decode("utf-8")))
        # the page asks to open the idea again, so it links to the idea
        # (it only linked to the start page)
        self.assertIn('<a href="/ideeen/%s">Open het idee opnieuw</a>' % idea_id,
                      body.decode("utf-8"))
        _, it = self.cluster.api("/api/v1/ideas/" + idea_id, self.token)
        self.assertEqual((it["status"], it["wijk"], it["themes"]),
                         ("new", "WK091733", ["mobiliteit"]))
        # A page opened after the correction saves as before.
        _, tab3 = self.get("/ideeen/" + idea_id, sid)
        st, _, body = req(self.cluster, "POST", "/ideeen/" + idea_id,
                          fields(tab3, status="approved", theme="mobiliteit", wijk="WK091733"),
                          dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 303, body[:300])
        _, it = self.cluster.api("/api/v1/ideas/" + idea_id, self.token)
        self.assertEqual(it["status"], "approved")
        self.moderate(sid, idea_id, "new")  # as the other tests expect it

    def test_right_to_left_text_in_lists(self):
        # An Arabic idea in the list of ideas and of a group: its excerpt
        # takes its own direction (dir="auto", as on the idea's page), so
        # it reads from the right and its "..." stands at its end, on the
        # left; without it the line was laid out left to right.
        text = ("أتمنى مكانًا للشباب في هيرلن، مع رياضة وموسيقى ومساعدة في الواجبات "
                "المدرسية بعد المدرسة، لأن الشباب الآن ليس لديهم مكان يذهبون إليه في المساء "
                "ويقفون في الشارع.")
        st, body = self.cluster.post_idea(text)
        self.assertEqual(st, 201, body)
        self.ideas[text] = body["id"]  # counted by the public page's test
        it = self.cluster.wait_idea(body["id"], self.token)
        sid, _ = self.login()
        link = r'<a dir="auto" href="/ideeen/%s">' % body["id"]
        _, page = self.get("/ideeen?q=" + urllib.parse.quote("هيرلن"), sid)
        self.assertRegex(page, link)
        _, page = self.get("/clusters?cluster=" + urllib.parse.quote(it["cluster"]), sid)
        self.assertRegex(page, link)

    def test_search_one_letter_is_refused(self):
        # /ideeen?q=é listed every idea (é is e, found in nearly every
        # text); a search of fewer than two letters or digits now gets
        # the form back with a Dutch message, its text kept in the box.
        sid, _ = self.login()
        _, page = self.get("/ideeen?q=" + urllib.parse.quote("é"), sid, expect=400)
        self.assertIn("Zoek op een woord of getal van minstens twee letters of cijfers.", page)
        self.assertNotIn("gevonden</h2>", page)
        self.assertRegex(page, r'<input[^>]*name="q"[^>]*value="é"')

    def test_list_excerpt_ends_on_a_whole_word(self):
        # The list of ideas showed the first 160 bytes of a long idea, cut
        # inside a word ("... fietsensta…"); it now ends after a whole word.
        text = "Graag " + "fietsenstalling " * 12 + "bij het station."
        st, body = self.cluster.post_idea(text)
        self.assertEqual(st, 201, body)
        self.ideas[text] = body["id"]  # counted by the public page's test
        self.cluster.wait_idea(body["id"], self.token)
        sid, _ = self.login()
        _, page = self.get("/ideeen?q=fietsenstalling", sid)
        shown = re.search(r'<a dir="auto" href="/ideeen/%s">([^<]*)</a>' % body["id"], page)
        self.assertIsNotNone(shown, page[-2000:])
        self.assertRegex(shown.group(1), r"^Graag (fietsenstalling )+fietsenstalling\.\.\.$")

    # --- moderation round trip ---
    def test_moderation_round_trip(self):
        sid, _ = self.login()
        text = MARK + " een nieuw buurthuis in Heerlerheide"
        idea_id = self.ideas[text]
        _, page = self.get("/resultaten")
        self.assertNotIn(text, page)
        self.moderate(sid, idea_id, "approved", themes=("wonen", "groen"))
        _, body = self.cluster.api("/api/v1/ideas/" + idea_id, self.token)
        self.assertEqual(body["status"], "approved")
        self.assertEqual(body["themes"], ["wonen", "groen"])
        # The detail page names themes by their Dutch label and offers them
        # as choices (a theme the file no longer knows, and one it never
        # knew: test_moderation_themes.py).
        _, page = self.get("/ideeen/" + idea_id, sid)
        self.assertIn("Groen, natuur &amp; water", page)
        second = re.search(r'<select id="m-theme1" name="theme">(.*?)</select>', page, re.S)
        self.assertIsNotNone(second, page[-3000:])
        self.assertIn('<option value="groen" selected>Groen, natuur &amp; water</option>',
                      second.group(1))
        first = re.search(r'<select id="m-theme0" name="theme">(.*?)</select>', page, re.S)
        self.assertIn('<option value="wonen" selected>Wonen</option>', first.group(1))
        _, page = self.get("/resultaten")
        self.assertIn(text, page)
        _, stats = self.cluster.api("/api/v1/stats?by=status", self.token)
        approved = stats["counts"].get("approved", 0)
        self.assertGreaterEqual(approved, 1)
        _, lst = self.cluster.api("/api/v1/ideas?status=approved&theme=wonen",
                                  self.token)
        self.assertIn(idea_id, [i["id"] for i in lst["items"]])
        self.moderate(sid, idea_id, "hidden")
        _, page = self.get("/resultaten")
        self.assertNotIn(text, page)
        _, stats = self.cluster.api("/api/v1/stats?by=status", self.token)
        self.assertEqual(stats["counts"].get("approved", 0), approved - 1)
        _, lst = self.cluster.api("/api/v1/ideas?status=approved", self.token)
        self.assertNotIn(idea_id, [i["id"] for i in lst["items"]])
        audit = self.cluster.redis("LRANGE", "inspraak:audit", "0", "-1")
        mine = [a for a in audit if '"moderate"' in a and idea_id in a]
        self.assertEqual(len(mine), 2)
        self.assertTrue(all('"user":"anna"' in a and "buurthuis" not in a for a in mine))

    def test_search_uses_dutch_stems(self):
        _, body = self.cluster.api("/api/v1/ideas?q=boom", self.token)
        self.assertEqual([i["id"] for i in body["items"]], [self.ideas[HOSTILE[0][0]]])
        sid, _ = self.login()
        _, page = self.get("/ideeen?q=boom&channel=form", sid)
        self.assertIn("1 idee gevonden", page)
        self.assertIn("meer bomen", page)

    def test_activities_register_feeds_the_report(self):
        sid, _ = self.login()
        _, page = self.get("/activiteiten", sid)
        token = self.csrf(page)
        place = "Buurthuis <script>alert('p')</script> De Kring"
        good = {"csrf": token, "kind": "wijkgesprek", "date": "2026-11-20", "place": place,
                "wijk": "WK091733", "people": "37"}
        hs = dict(FORM, Cookie="inspraak_session=" + sid)
        st, h, _ = req(self.cluster, "POST", "/activiteiten", urllib.parse.urlencode(good), hs)
        self.assertEqual(st, 303)
        self.assertEqual(header(h, "Location"), ["/activiteiten?toegevoegd=1"])
        for bad in ({"people": "-1"}, {"people": "veel"}, {"date": "20-11-2026"},
                    {"kind": "feest"}, {"wijk": "WK999999"}, {"place": ""}):
            st, _, body = req(self.cluster, "POST", "/activiteiten",
                              urllib.parse.urlencode(dict(good, **bad)), hs)
            self.assertEqual(st, 400, bad)
            self.assertIn(b"Niet toegevoegd", body)
        st, _, _ = req(self.cluster, "POST", "/activiteiten",
                       urllib.parse.urlencode(dict(good, csrf="e" * 64)), hs)
        self.assertEqual(st, 403)
        self.assertEqual(self.cluster.redis("LLEN", "inspraak:activities"), 1)
        _, page = self.get("/activiteiten?toegevoegd=1", sid)
        self.assertIn("De activiteit is toegevoegd", page)
        st, _, body = req(self.cluster, "GET", "/report",
                          headers={"Authorization": "Bearer " + self.token})
        report = body.decode()
        # the place, escaped, for staff; the report (a public appendix)
        # leaves staff's note out, as /resultaten does
        self.assertIn("Buurthuis &lt;script&gt;alert(&#39;p&#39;)&lt;/script&gt; De Kring", page)
        self.assertNotIn("Buurthuis", report)
        for p in (page, report):
            self.assertNotIn("<script", p)
            self.assertIn("<td>37</td>", p)
            self.assertIn("Heerlen-Centrum", p)

    def test_activity_on_a_day_that_does_not_exist_is_refused(self):
        # A date field can be typed into or posted without a browser: a
        # 31st of February is refused with a reason, nothing is stored;
        # the 29th of February of a leap year is a real day.
        sid, _ = self.login()
        _, page = self.get("/activiteiten", sid)
        form = {"csrf": self.csrf(page), "kind": "tourstop", "place": "Buurthuis De Kring",
                "wijk": "", "people": "5"}
        hs = dict(FORM, Cookie="inspraak_session=" + sid)
        before = self.cluster.redis("LLEN", "inspraak:activities")
        for day in ("2026-02-31", "2026-04-31", "2027-02-29", "2100-02-29", "2026-13-01",
                    "2026-00-10", "2026-01-00"):
            st, _, body = req(self.cluster, "POST", "/activiteiten",
                              urllib.parse.urlencode(dict(form, date=day)), hs)
            self.assertEqual(st, 400, day)
            self.assertIn("Niet toegevoegd: die datum bestaat niet", body.decode(), day)
        self.assertEqual(self.cluster.redis("LLEN", "inspraak:activities"), before)
        st, _, body = req(self.cluster, "POST", "/activiteiten",
                          urllib.parse.urlencode(dict(form, date="2028-02-29")), hs)
        self.assertEqual(st, 303, body[:300])
        self.assertEqual(self.cluster.redis("LLEN", "inspraak:activities"), before + 1)
        self.assertEqual(json.loads(self.cluster.redis("LINDEX", "inspraak:activities", 0))["date"],
                         "2028-02-29")

    def test_place_of_120_characters_with_accents_is_taken(self):
        # The form lets a browser type 120 characters (maxlength counts
        # characters, not bytes): the server must take them.
        sid, _ = self.login()
        _, page = self.get("/activiteiten", sid)
        place = ("Café Één, Schaesbergerweg, Heerlen " * 4)[:120]
        self.assertEqual(len(place), 120)
        form = {"csrf": self.csrf(page), "kind": "tourstop", "date": "2026-11-21",
                "place": place, "wijk": "", "people": "12"}
        hs = dict(FORM, Cookie="inspraak_session=" + sid)
        st, _, body = req(self.cluster, "POST", "/activiteiten", urllib.parse.urlencode(form), hs)
        self.assertEqual(st, 303, body[:300])
        self.assertIn(html.escape(place), self.get("/activiteiten", sid)[1])
        form["place"] = place + "x"
        st, _, body = req(self.cluster, "POST", "/activiteiten", urllib.parse.urlencode(form), hs)
        self.assertEqual(st, 400)

    # --- exports and report ---
    def test_csv_export(self):
        conn_headers = {"Authorization": "Bearer " + self.token}
        st, hs, body = req(self.cluster, "GET", "/api/v1/export.csv", headers=conn_headers)
        self.assertEqual(st, 200)
        self.assertTrue(header(hs, "Content-Type")[0].startswith("text/csv"))
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))
        head, data = rows[0], rows[1:]
        self.assertEqual(head[:3], ["id", "received_at", "channel"])
        _, total = self.cluster.api("/api/v1/ideas?limit=1", self.token)
        self.assertEqual(len(data), total["total"])
        self.assertEqual(len({r[0] for r in data}), len(data))  # one row per idea
        text_col = head.index("text")
        formula = [r for r in data if "HYPERLINK" in r[text_col]]
        self.assertEqual(len(formula), 1)
        self.assertTrue(formula[0][text_col].startswith("'="))
        self.assertNotIn(EMAIL.encode(), body)
        self.assertNotIn(NAME.encode(), body)
        st, _, body = req(self.cluster, "GET", "/api/v1/export.csv?q=" +
                          urllib.parse.quote(MARK.lower()), headers=conn_headers)
        self.assertEqual(len(body.decode("utf-8-sig").strip().split("\r\n")) - 1, 2)
        st, _, _ = req(self.cluster, "GET", "/api/v1/export.csv")
        self.assertEqual(st, 401)

    def test_csv_for_dutch_excel(self):
        # Dutch Excel splits a double-clicked CSV on semicolons, so the
        # comma file opened in one column. The list's download link gives
        # the Excel form (?excel=1: semicolons, BOM); programs keep commas.
        sid, _ = self.login()
        _, page = self.get("/ideeen?wijk=WK091711", sid)
        links = dict((html.unescape(re.sub(r"<[^>]+>", "", t)), html.unescape(u)) for u, t in
                     re.findall(r'<a href="(/api/v1/export\.csv\?[^"]*)">(.*?)</a>', page))
        excel = [u for t, u in links.items() if "Excel" in t]
        self.assertEqual(len(excel), 1, links)
        self.assertIn("wijk=WK091711", excel[0])
        st, hs, body = req(self.cluster, "GET", excel[0],
                           headers={"Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, 200)
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))  # Excel reads the accents
        text = body[3:].decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        plain_url = excel[0].replace("excel=1", "").rstrip("&")
        _, _, plain = req(self.cluster, "GET", plain_url,
                          headers={"Cookie": "inspraak_session=" + sid})
        plain_rows = list(csv.reader(io.StringIO(plain[3:].decode("utf-8"), newline="")))
        # the same cells, but received_at in Heerlen's time (TestExcelTimes)
        self.assertEqual([r[:1] + r[2:] for r in rows], [r[:1] + r[2:] for r in plain_rows])
        self.assertEqual(rows[0][:3], ["id", "received_at_heerlen", "channel"])
        self.assertGreater(len(rows), 2)
        self.assertEqual({len(r) for r in rows}, {len(rows[0])})  # one cell per column

    def test_report_html_and_pdf(self):
        st, hs, body = req(self.cluster, "GET", "/report",
                           headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(st, 200)
        page = body.decode()
        for part in ("Participatieverslag", "Het proces", "Ideeën per kanaal", "per wijk",
                     "thema", "Heerlen nu", "Bijlage", "<svg"):
            self.assertIn(part, page)
        self.assertNotIn(EMAIL, page)
        st, _, _ = req(self.cluster, "GET", "/report")
        self.assertEqual(st, 303)
        st, _, _ = req(self.cluster, "GET", "/report?token=" + "d" * 64)
        self.assertEqual(st, 403)
        st, hs, body = req(self.cluster, "GET", "/report?format=pdf",
                           headers={"Authorization": "Bearer " + self.token})
        if not os.access("/usr/bin/chromium", os.X_OK):
            self.assertEqual(st, 503)
            return
        self.assertEqual(st, 200, body[:300])
        self.assertEqual(header(hs, "Content-Type"), ["application/pdf"])
        self.assertEqual(body[:5], b"%PDF-")
        # The one-time token was used up.
        self.assertEqual(self.cluster.redis("KEYS", "inspraak:report-token:*"), [])

    def test_staff_page_says_in_dutch_when_redis_fails(self):
        # A Redis reply the page cannot use, after the session was read (as
        # when Redis goes away mid-page): staff get a Dutch page, like the
        # public page does, not the API's JSON.
        sid, _ = self.login()
        # "/" reads the stats of every idea, /report those without hidden
        # ideas (docs/redis.md, "Shown counts")
        for path, key in (("/", "inspraak:stats:sentiment"),
                          ("/report", "inspraak:shown:sentiment")):
            self.cluster.redis("RENAME", key, key + ":kept")
            self.cluster.redis("SET", key, "geen hash")
            try:
                hs, page = self.get(path, sid, expect=503)
                self.assertTrue(header(hs, "Content-Type")[0].startswith("text/html"), path)
                self.assertIn("Probeer het over een paar minuten opnieuw", visible(page))
                self.assertEqual(header(hs, "Retry-After"), ["30"])
            finally:
                self.cluster.redis("DEL", key)
                self.cluster.redis("RENAME", key + ":kept", key)

    def test_public_page_without_login_and_without_personal_data(self):
        sid, _ = self.login()
        self.moderate(sid, self.personal_id, "approved")
        hs, page = self.get("/resultaten")
        self.assertIn("<h1>", page)
        self.assertIn('lang="nl"', page)
        self.assertIn("Kaart van Heerlen", page)
        self.assertIn("zebrapaden", page)  # the approved quote
        for secret in (EMAIL, NAME, "Grootveld", "@example.org", self.personal_id):
            self.assertNotIn(secret, page)
        self.assertNotIn("Uitloggen", page)
        m = re.search(r'<span class="big">(\d+)</span> ideeën', page)
        # Hidden ideas (test_moderation_round_trip hides one) are not counted.
        hidden = self.cluster.redis("ZCARD", "inspraak:ix:status:hidden")
        self.assertEqual(int(m.group(1)), len(self.ideas) + 1 - hidden)
        _, stats = self.cluster.api("/api/v1/stats?by=wijk", self.token)
        self.assertIn("WK091711", stats["counts"])

    def test_people_see_labels_not_slugs(self):
        """Themes and activities by their Dutch names (data/nl/themes.tsv) on
        every page people read; the exports keep the slugs."""
        labels = theme_labels()
        self.assertEqual(labels["openbare-ruimte"], "Openbare ruimte, schoon & onderhoud")
        _, it = self.cluster.api("/api/v1/ideas/" + self.ideas[LABELLED], self.token)
        self.assertEqual(it["themes"][:2], ["openbare-ruimte", "centrum"])
        self.assertEqual(it["activity"], "ideeenbus")
        sid, _ = self.login()
        _, page = self.get("/clusters?theme=openbare-ruimte", sid)
        self.assertIn('<option value="openbare-ruimte" selected>%s</option>'
                      % html.escape(labels["openbare-ruimte"]), page)
        for path, who in (("/resultaten", None), ("/", sid), ("/report", sid),
                          ("/ideeen?theme=openbare-ruimte", sid)):
            _, page = self.get(path, who)
            seen = visible(page)
            for slug in ("openbare-ruimte", "ideeenbus"):
                self.assertNotIn(slug, seen, path)
            self.assertNotRegex(seen, r"(?<![\w-])centrum(?![\w-])", path)
            self.assertIn(labels["openbare-ruimte"], seen, path)
            self.assertIn(labels["centrum"], seen, path)
            if path != "/ideeen?theme=openbare-ruimte":
                self.assertIn("Ideeënbus", seen, path)
        # The filter still sends the slug; the list found the idea.
        self.assertIn('<option value="openbare-ruimte" selected>', page)
        self.assertIn("Zwerfvuil en afval", page)
        _, hs, csvb = req(self.cluster, "GET", "/api/v1/export.csv?theme=openbare-ruimte",
                          headers={"Authorization": "Bearer " + self.token})
        self.assertIn("openbare-ruimte", csvb.decode("utf-8-sig"))

    def test_recorded_ideas_say_when_they_were_recorded(self):
        """A street interview's or field tour's time is when it was
        recorded, maybe hours before it was sent in: its page says
        "Opgenomen", a form or email idea's page "Ontvangen"; the lists,
        which mix both, head the column "Datum". Field ideas said
        "Ontvangen" before."""
        c = self.cluster
        kinds = {"form": 0x701, "email": 0x702, "transcript": 0x703, "field": 0x704}
        inject(c, [make_idea(n, channel=ch, text="Tijdidee " + ch) for ch, n in kinds.items()])
        sid, _ = self.login()
        for ch, n in kinds.items():
            _, page = self.get("/ideeen/s-%016x" % (0x5000 + n), sid)
            want = "Opgenomen" if ch in ("transcript", "field") else "Ontvangen"
            other = "Ontvangen" if want == "Opgenomen" else "Opgenomen"
            self.assertIn("<dt>%s</dt>" % want, page, ch)
            self.assertNotIn("<dt>%s</dt>" % other, page, ch)
        _, page = self.get("/ideeen?q=Tijdidee", sid)
        self.assertIn('<th scope="col">Datum</th>', page)
        self.assertNotIn("Ontvangen", page)

    def test_idea_page_names_buurt_and_language(self):
        """The idea's page names its buurt and language in Dutch words, as
        it names the wijk; it showed "BU09172401" and "nl"."""
        st, body = self.cluster.post_idea("Een hondenpoepbak op het grasveld tussen de flats "
                                          "in Beersdal, met zakjes erbij.")
        self.assertEqual(st, 201, body)
        self.ideas["beersdal"] = body["id"]  # counted by the public page's test
        it = self.cluster.wait_idea(body["id"], self.token)
        self.assertEqual((it["buurt"], it["language"]), ("BU09172401", "nl"))
        sid, _ = self.login()
        _, page = self.get("/ideeen/" + body["id"], sid)
        self.assertIn("<dt>Buurt</dt><dd>Beersdal</dd>", page)
        self.assertIn("<dt>Taal</dt><dd>Nederlands</dd>", page)

    # "test_the_": after test_public_page..., which counts the ideas.
    def test_the_field_idea_names_kind_and_activity_once_each(self):
        """A field idea's page had two rows "Activiteit": the kind
        (wijkgesprek) and the activity chosen on the tablet. Now one row
        each: "Soort activiteit" and "Activiteit"."""
        idea = make_idea(71, id="s-veldidee-activiteit", channel="field", activity="wijkgesprek",
                         text="Veldidee met een activiteit", wijk="WK091740",
                         source={"device_id": "tablet-1", "local_id": "v-1",
                                 "context": "Wijkgesprek Molenberg 3 juni"})
        inject(self.cluster, [idea])
        sid, _ = self.login()
        _, page = self.get("/ideeen/" + idea["id"], sid)
        self.assertEqual(page.count("<dt>Activiteit</dt>"), 1)
        self.assertIn("<dt>Activiteit</dt><dd>Wijkgesprek Molenberg 3 juni</dd>", page)
        self.assertIn("<dt>Soort activiteit</dt><dd>", page)

    def test_bad_date_is_named_by_the_page_s_own_label(self):
        """A bad date on /ideeen said "from/to moet een datum zijn": the
        API's field names. The page names its own fields; the API keeps
        its message."""
        sid, _ = self.login()
        for qs, label in (("from=gisteren", "Vanaf (datum)"), ("to=31-02", "Tot en met (datum)")):
            _, page = self.get("/ideeen?" + qs, sid, expect=400)
            err = visible(page.split('class="err"', 1)[1].split("</p>", 1)[0])
            self.assertIn(label, err)
            self.assertNotIn("from", err)
            self.assertNotIn(" to ", err)
            st, body = self.cluster.api("/api/v1/ideas?" + qs, self.token)
            self.assertEqual(st, 400)
            self.assertIn(qs.split("=")[0] + " moet een datum zijn", body["error"]["message"])
        _, page = self.get("/ideeen?from=2026-05-02&to=2026-05-01", sid, expect=400)
        err = visible(page.split('class="err"', 1)[1].split("</p>", 1)[0])
        self.assertIn("Vanaf (datum)", err)
        self.assertIn("Tot en met (datum)", err)

    def test_the_later_pages_lead_back_to_the_first_with_the_filters(self):
        """Past the first page of /ideeen there was only "Volgende
        pagina": the way back to the first page, filters kept, was the
        browser's back button, page by page."""
        inject(self.cluster, [make_idea(80 + n, id="s-bladeridee-%d" % n, channel="form",
                                        wijk="WK091740", text="Bladeridee nummer %d" % n)
                              for n in range(3)])
        sid, _ = self.login()
        _, first = self.get("/ideeen?channel=form&q=Bladeridee&limit=1", sid)
        self.assertNotIn("Naar de eerste pagina", first)
        nxt = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
        _, second = self.get(nxt, sid)
        back = re.search(r'<a href="([^"]+)"[^>]*>Naar de eerste pagina</a>', second)
        self.assertIsNotNone(back, "no way back to the first page")
        url = html.unescape(back.group(1))
        self.assertNotIn("cursor", url)
        _, again = self.get(url, sid)
        self.assertEqual(re.findall(r'href="/ideeen/([^"]+)"', again),
                         re.findall(r'href="/ideeen/([^"]+)"', first))
        self.assertIn('value="Bladeridee"', again)

    def test_bad_choice_is_named_by_the_page_s_own_label(self):
        """A filter, order or page size the list could not take said
        "Deze waarde van channel kennen we niet", "sort moet ..." or "limit
        moet ...": the API's names, which the page never shows. The page
        says it with its own labels; the API keeps its message."""
        sid, _ = self.login()
        for qs, said, api_said in (
                ("channel=fax", '"Kanaal"', "Deze waarde van channel kennen we niet"),
                ("wijk=WK999999", '"Wijk"', "Deze wijk kennen we niet"),
                ("sort=willekeurig", '"Volgorde"', "sort moet nieuw"),
                ("limit=0", "aantal ideeën per pagina", "limit moet een heel getal"),
                ("cursor=onzin", "eerste pagina", "Deze cursor is ongeldig")):
            _, page = self.get("/ideeen?" + qs, sid, expect=400)
            err = visible(page.split('class="err"', 1)[1].split("</p>", 1)[0])
            self.assertIn(said, err)
            for api_word in ("channel", "sort", "limit", "none", "cursor", "/api/"):
                self.assertNotIn(api_word, err)
            st, body = self.cluster.api("/api/v1/ideas?" + qs, self.token)
            self.assertEqual(st, 400)
            self.assertIn(api_said, body["error"]["message"])
        # the sort's own choices, as its select names them
        _, page = self.get("/ideeen?sort=willekeurig", sid, expect=400)
        err = visible(page.split('class="err"', 1)[1].split("</p>", 1)[0])
        self.assertIn('"Nieuwste eerst"', err)
        self.assertIn('"Oudste eerst"', err)

    def test_empty_selection_says_so(self):
        # Filters that match nothing: the page said "0 ideeën gevonden"
        # above an empty table and offered to download the empty selection.
        sid, _ = self.login()
        _, page = self.get("/ideeen?channel=transcript&q=" + urllib.parse.quote("geen-zulk-woord"),
                           sid)
        main = page.split('<main id="inhoud">', 1)[1]
        self.assertIn("Geen ideeën gevonden", visible(main))
        self.assertIn("Kies minder filters of zoek op een ander woord.", visible(main))
        self.assertNotIn("<table>", main)
        self.assertNotIn("export.csv", main)

    def test_unknown_filter_value_is_an_error(self):
        """A typing error gives a Dutch error, not an empty list."""
        sid, _ = self.login()
        for qs, param in (("channel=fax", "channel"), ("theme=ruimtevaart", "theme"),
                          ("wijk=WK999999", "wijk")):
            _, page = self.get("/ideeen?" + qs, sid, expect=400)
            self.assertIn('class="err"', page)
            self.assertIn("kennen we niet", page)
            self.assertNotIn("gevonden", page)
            st, body = self.cluster.api("/api/v1/ideas?" + qs, self.token)
            self.assertEqual(st, 400)
            self.assertEqual(body["error"]["code"], "invalid_query")
            self.assertIn(param, body["error"]["fields"])
            st, _, _ = req(self.cluster, "GET", "/api/v1/export.csv?" + qs,
                           headers={"Authorization": "Bearer " + self.token})
            self.assertEqual(st, 400)
        _, page = self.get("/ideeen?channel=form&theme=openbare-ruimte&wijk=WK091711", sid)
        self.assertIn("1 idee gevonden", page)

    # --- XSS ---
    def test_hostile_text_is_escaped_everywhere(self):
        sid, _ = self.login()
        for text, _ in HOSTILE:
            self.moderate(sid, self.ideas[text], "approved")
        pages = ["/", "/ideeen", "/ideeen?q=" + urllib.parse.quote("<script>alert(9)</script>"),
                 "/ideeen?wijk=" + urllib.parse.quote('"><svg onload=alert(8)>'), "/report"]
        pages += ["/ideeen/" + self.ideas[t] for t, _ in HOSTILE]
        # an unknown wijk is refused (400), on a page that must be safe too
        bodies = [self.get(p, sid, expect=400 if "wijk=" in p else 200)[1] for p in pages]
        bodies.append(self.get("/resultaten")[1])
        for p, body in zip(pages + ["/resultaten"], bodies):
            for _, raws in HOSTILE:
                for raw in raws:
                    self.assertNotIn(raw, body, p)
            self.assertNotIn("<script", body, p)
            self.assertIsNone(re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""",
                                        body, re.I), p)
            self.assertIsNone(re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", body, re.I), p)
            self.assertNotIn("<b>", body, p)  # from the titles
        self.assertIn("&lt;script&gt;alert(&#39;xss1&#39;)&lt;/script&gt;", bodies[-1])
        self.assertIn("&lt;svg onload=alert(&#39;xss4&#39;)&gt;", bodies[-1])


class TestPeopleCount(ClusterTestCase):
    """/ideeen offers to count the people behind the ideas found: its link
    "Tel de mensen achter deze ideeën" opens the same selection with
    mensen=1, which says "10 ideeën gevonden, van ongeveer 8 mensen",
    counted as on /resultaten. Without it the list does not count (that
    costs a walk over the selection). The report says it for each wijk.
    Only counts: no name or address."""
    SERVICES = ("storage", "dashboard")

    def test_people_on_the_list_and_in_the_report(self):
        c = self.cluster
        inject(c, [people_idea(make_idea, k) for k in range(len(PEOPLE_IDEAS))])
        r = c.ctl("participant", "erase", "cas@example.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        sid = c.staff_login()
        cases = [("", PEOPLE_IDEAS),  # every idea: this cluster holds only these
                 ("?activity=mensen", PEOPLE_IDEAS),
                 ("?wijk=WK091711", [r for r in PEOPLE_IDEAS if r[1] == "WK091711"]),
                 ("?wijk=WK091712", [r for r in PEOPLE_IDEAS if r[1] == "WK091712"]),
                 ("?channel=email", [r for r in PEOPLE_IDEAS if r[2] == "email"]),
                 ("?status=hidden", [r for r in PEOPLE_IDEAS if r[3] == "hidden"]),
                 ("?q=" + urllib.parse.quote("mensentelling & <idee>") + "&channel=form",
                  [r for r in PEOPLE_IDEAS if r[2] == "form"]),
                 ("?wijk=WK091711&from=2000-01-01",
                  [r for r in PEOPLE_IDEAS if r[1] == "WK091711"])]
        for query, rows in cases:
            query += ("&" if query else "?") + "sort=oud"  # a parameter the link keeps
            st, page = c.staff_page("/ideeen" + query, sid)
            self.assertEqual(st, 200)
            n, people = len(rows), people_of(rows)
            found = "%d %s gevonden" % (n, "idee" if n == 1 else "ideeën")
            self.assertIn(found + "</h2>", page, query)  # no count without asking
            links = re.findall(r'<a href="([^"]*)">Tel de mensen achter deze ideeën</a>', page)
            self.assertEqual(len(links), 1, query)
            link = html.unescape(links[0])
            want = dict(urllib.parse.parse_qsl(query[1:]), mensen="1")
            self.assertEqual(link.split("?")[0], "/ideeen")
            self.assertEqual(dict(urllib.parse.parse_qsl(link.split("?", 1)[1])), want)
            st, page = c.staff_page(link, sid)
            self.assertEqual(st, 200)
            self.assertIn("%s, van ongeveer %d %s</h2>" % (
                found, people, "persoon" if people == 1 else "mensen"), page, query)
            self.assertNotIn("Tel de mensen", page)
            for leak in ("example.nl", "Mensink", "Bakker"):
                self.assertNotIn(leak, page)
        # With a search text the list reads every match for its total; the
        # people are counted in that same pass, not in a second one: asking
        # for them reads no idea record again (GETs, as Redis counts them).
        def record_reads(path):
            c.redis("CONFIG", "RESETSTAT")
            st, _ = c.staff_page(path, sid)
            self.assertEqual(st, 200)
            m = re.search(r"cmdstat_get:calls=(\d+)", c.redis("INFO", "commandstats"))
            return int(m.group(1)) if m else 0
        search = "/ideeen?q=" + urllib.parse.quote("mensentelling & <idee>")
        plain, counted = record_reads(search), record_reads(search + "&mensen=1")
        self.assertGreaterEqual(plain, len(PEOPLE_IDEAS))
        self.assertLess(counted - plain, len(PEOPLE_IDEAS), (plain, counted))
        # The report leaves hidden ideas out: WK091713 has none left.
        st, _, body = c.dash("GET", "/report", headers={"Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, 200)
        shown = [r for r in PEOPLE_IDEAS if not r[3]]
        want = sorted((sum(1 for r in shown if r[1] == w), people_of([r for r in shown
                                                                      if r[1] == w]))
                      for w in {r[1] for r in shown})
        got = re.findall(r"\((\d+) ideeën, van ongeveer (\d+) (?:mensen|persoon)\)</h3>",
                         body.decode())
        self.assertEqual(sorted((int(a), int(b)) for a, b in got), want)


class TestExcelNumbers(ClusterTestCase):
    """A video fragment's seconds in the CSV for Excel have a decimal comma:
    Dutch Excel reads "12.500" as twelve thousand five hundred."""
    SERVICES = ("storage", "dashboard")

    def test_seconds_with_a_decimal_comma(self):
        c = self.cluster
        auth = {"Authorization": "Bearer " + c.staff_token()}
        inject(c, [make_idea(1, channel="transcript", activity="camjo-video",
                             source={"video_id": "tour-1", "start": 12.5, "end": 20.25})])
        seen = {}
        for query, sep in (("", ","), ("?excel=1", ";")):
            st, _, body = c.dash("GET", "/api/v1/export.csv" + query, headers=auth)
            self.assertEqual(st, 200)
            (row,) = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""),
                                    delimiter=sep)
            seen[sep] = (row["video_id"], row["start"], row["end"])
        self.assertEqual(seen[","], ("tour-1", "12.500", "20.250"))  # programs
        self.assertEqual(seen[";"], ("tour-1", "12,500", "20,250"))  # Dutch Excel


class TestExcelTimes(ClusterTestCase):
    """The CSV for Excel gives when an idea came in as the pages do, in
    Heerlen's time (winter +1, summer +2 hours), in a form Dutch Excel
    reads as a date and time; programs keep UTC ISO 8601."""
    SERVICES = ("storage", "dashboard")

    def test_received_at_in_heerlen_time(self):
        c = self.cluster
        auth = {"Authorization": "Bearer " + c.staff_token()}
        winter = 1795953600000  # 2026-11-29 12:00:00 UTC
        summer = 1782907200000  # 2026-07-01 12:00:00 UTC
        inject(c, [make_idea(1, received_at=winter, text="Winteridee"),
                   make_idea(2, received_at=summer, text="Zomeridee")])
        got = {}
        for query, sep in (("", ","), ("?excel=1", ";")):
            st, _, body = c.dash("GET", "/api/v1/export.csv" + query, headers=auth)
            self.assertEqual(st, 200)
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""),
                                   delimiter=sep))
            col = 1
            got[sep] = (rows[0][col], {r[rows[0].index("text")]: r[col] for r in rows[1:]})
        self.assertEqual(got[","], ("received_at", {"Winteridee": "2026-11-29T12:00:00Z",
                                                    "Zomeridee": "2026-07-01T12:00:00Z"}))
        self.assertEqual(got[";"], ("received_at_heerlen", {"Winteridee": "2026-11-29 13:00:00",
                                                             "Zomeridee": "2026-07-01 14:00:00"}))


class TestSecureCookies(ClusterTestCase):
    """Behind TLS (INSPRAAK_SECURE_COOKIES=1) the session cookie is Secure."""
    SERVICES = ("dashboard",)
    ENV = {"INSPRAAK_SECURE_COOKIES": "1"}

    def test_secure_flag(self):
        r = self.cluster.ctl("user", "add", "carla", input="carla-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        st, hs, _ = req(self.cluster, "GET", "/login")
        pre, raw = cookie(hs, "inspraak_login")
        self.assertIn("; Secure", raw)
        form = urllib.parse.urlencode({"user": "carla", "password": "carla-wachtwoord-1",
                                       "csrf": pre})
        st, hs, _ = req(self.cluster, "POST", "/login", form,
                        dict(FORM, Cookie="inspraak_login=" + pre))
        self.assertEqual(st, 303)
        sid, raw = cookie(hs, "inspraak_session")
        self.assertEqual(len(sid), 64)
        for flag in ("HttpOnly", "SameSite=Strict", "Secure"):
            self.assertIn(flag, raw)


if __name__ == "__main__":
    main()
