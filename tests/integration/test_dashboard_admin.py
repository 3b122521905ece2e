#!/usr/bin/env python3
"""
NAME
    test_dashboard_admin - the dashboard's clusters page, hidden ideas in
    public counts, the admin pages (/beheer) and the JSON export, on a
    real cluster (redaction: test_redact.py)

DESCRIPTION
    Starts Redis, storage, classifier, intake-form, intake-field and
    dashboard (tests/lib/harness.py; binaries from INSPRAAK_BIN) and checks
    as a user would:
      - /clusters lists a group of near-duplicate ideas with its count and
        its (escaped) representative text, and its member list;
      - a hidden idea is not counted on /resultaten or in /report, and the
        report says how many came in and how many it leaves out, and why;
      - /beheer: a staff user gets 403 in Dutch; an admin adds a user and a
        device (its token shown once), and that token works on the field
        API of intake-field; revoking it makes the field API refuse it;
        every form needs the CSRF token; audit entries;
      - /api/v1/export.json: one object per idea, filters apply.

Usage: INSPRAAK_BIN=build/asan/bin INSPRAAK_DATA=$PWD/data \
       python3 tests/integration/test_dashboard_admin.py
"""
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ClusterTestCase, http, main, wait_until  # noqa: E402
from test_dashboard_ui import FORM, cookie, header, req  # noqa: E402
from test_report import visible  # noqa: E402

SAME = ["Wij willen een skatepark in Hoensbroek <b>nu</b>, bij het kasteel worden we weggestuurd.",
        "Een skatepark in Hoensbroek <b>nu</b> graag, want bij het kasteel mogen we niet skaten.",
        "Mijn zoon skatet elke dag; bouw een skatepark in Hoensbroek <b>nu</b> bij het kasteel."]
WIJK = "WK091711"


class TestDashboardAdmin(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-field", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.token = c.staff_token()
        for user, pw, role in (("admin1", "admin-wachtwoord-1", "admin"),
                               ("staf1", "staf-wachtwoord-1", "staff")):
            r = c.ctl("user", "add", user, "--role", role, input="%s\n" % pw)
            assert r.returncode == 0, r.stderr
        cls.same_ids = []
        for t in SAME:
            st, body = c.post_idea(t, wijk=WIJK)
            assert st == 201, body
            cls.same_ids.append(body["id"])
        wait_until("ideas stored", lambda: c.api("/api/v1/ideas?limit=1", cls.token)[1]
                   .get("total") == len(SAME))

    # --- helpers ---
    def login(self, user="admin1", password="admin-wachtwoord-1"):
        st, hs, body = req(self.cluster, "GET", "/login")
        pre, _ = cookie(hs, "inspraak_login")
        form = urllib.parse.urlencode({"user": user, "password": password, "csrf": pre})
        st, hs, body = req(self.cluster, "POST", "/login", form,
                           dict(FORM, Cookie="inspraak_login=" + pre))
        self.assertEqual(st, 303, body[:300])
        return cookie(hs, "inspraak_session")[0]

    def get(self, path, sid, expect=200):
        st, hs, body = req(self.cluster, "GET", path, headers={"Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, expect, "%s: %s" % (path, body[:300]))
        return hs, body.decode("utf-8")

    def post(self, path, sid, fields):
        return req(self.cluster, "POST", path, urllib.parse.urlencode(fields),
                   dict(FORM, Cookie="inspraak_session=" + sid))

    def csrf(self, page):
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)

    def moderate(self, sid, idea_id, status):
        _, page = self.get("/ideeen/" + idea_id, sid)
        st, hs, body = self.post("/ideeen/" + idea_id, sid,
                                 [("csrf", self.csrf(page)), ("status", status),
                                  ("wijk", WIJK), ("sentiment", "neutraal"),
                                  ("theme", "groen")])
        self.assertEqual(st, 303, body[:400])
        self.assertIn("opgeslagen=1", header(hs, "Location")[0])

    def audit(self):
        return [json.loads(a) for a in self.cluster.redis("LRANGE", "inspraak:audit", "0", "-1")]

    # --- 1. clusters ---
    def test_clusters_page_lists_the_group_with_its_count(self):
        c = self.cluster
        clusters = {c.api("/api/v1/ideas/" + i, self.token)[1].get("cluster")
                    for i in self.same_ids}
        self.assertEqual(len(clusters), 1, clusters)  # the classifier grouped them
        cid = clusters.pop()
        st, hs, _ = req(c, "GET", "/clusters")
        self.assertEqual(st, 303)  # staff only
        sid = self.login("staf1", "staf-wachtwoord-1")
        _, page = self.get("/clusters", sid)
        self.assertIn("3 keer (bijna) hetzelfde idee", page)
        self.assertIn("&lt;b&gt;nu&lt;/b&gt;", page)  # the representative text, escaped
        self.assertNotIn("<b>nu</b>", page)
        self.assertIn("/clusters?cluster=" + urllib.parse.quote(cid, safe=""), page)
        _, page = self.get("/clusters?cluster=" + urllib.parse.quote(cid), sid)
        self.assertIn("3 ideeën in deze groep", page)
        for i in self.same_ids:
            self.assertIn("/ideeen/" + i, page)
        # Filters: another wijk has no group; the same wijk keeps it.
        _, page = self.get("/clusters?wijk=WK091799", sid)
        self.assertNotIn("hetzelfde idee", page)
        _, page = self.get("/clusters?wijk=" + WIJK, sid)
        self.assertIn("3 keer (bijna) hetzelfde idee", page)

    # --- 2. hidden ideas are not counted in public ---
    def page_text(self, path, sid=None):
        hs = {"Cookie": "inspraak_session=" + sid} if sid else {}
        st, _, body = req(self.cluster, "GET", path, headers=hs)
        self.assertEqual(st, 200)
        return body.decode("utf-8")

    def public_total(self):
        page = self.page_text("/resultaten")
        return int(re.search(r'<span class="big">(\d+)</span> (?:idee|ideeën)<', page).group(1))

    def report_intro(self, sid):
        """What the report's opening tells a reader: (ideas that came in,
        ideas the report is about, ideas hidden, the words about them)."""
        page = self.page_text("/report", sid)
        intro = visible(page.split("<h1>", 1)[1].split("</p>", 1)[0])
        came = int(re.search(r"In totaal kwam(?:en)? (\d+) (?:idee|ideeën) binnen", intro).group(1))
        hidden = re.search(r"(\d+) (?:idee is|ideeën zijn) verborgen", intro)
        about = re.search(r"Dit verslag gaat over (\d+) (?:idee|ideeën)", intro)
        return (came, int(about.group(1)) if about else came,
                int(hidden.group(1)) if hidden else 0, intro)

    def test_hidden_ideas_not_counted_on_public_page_and_report(self):
        c = self.cluster
        st, body = c.post_idea("Verborgen idee voor de teltest: een hondenuitlaatplaats",
                               wijk="WK091714")
        self.assertEqual(st, 201, body)
        hid = body["id"]
        wait_until("stored", lambda: c.api("/api/v1/ideas/" + hid, self.token)[0] == 200)
        sid = self.login()
        pub = self.public_total()
        came, about, hidden, _ = self.report_intro(sid)
        stats = c.api("/api/v1/stats?by=wijk", self.token)[1]
        self.assertEqual(pub, stats["total"])
        self.assertEqual(came, stats["total"])
        self.assertEqual(stats["counts"].get("WK091714"), 1)
        self.moderate(sid, hid, "hidden")
        self.assertEqual(self.public_total(), pub - 1)
        # The report still says how many came in, and that one of them is
        # hidden and left out (and why), and what the report is about.
        came2, about2, hidden2, intro = self.report_intro(sid)
        self.assertEqual((came2, about2, hidden2), (came, about - 1, hidden + 1), intro)
        self.assertIn("staat niet in dit verslag", intro)
        self.assertIn("bijvoorbeeld omdat", intro)
        # The staff API still counts every idea, hidden ones too.
        self.assertEqual(c.api("/api/v1/stats?by=wijk", self.token)[1]["total"], stats["total"])
        # The report's appendix has no hidden row and no hidden wijk count.
        self.assertNotIn("Verborgen", self.page_text("/report", sid))
        self.moderate(sid, hid, "new")
        self.assertEqual(self.public_total(), pub)
        self.assertEqual(self.report_intro(sid)[:3], (came, about, hidden))

    # --- 3. /beheer ---
    def field_post(self, token, device):
        item = {"local_id": "adm-1", "text": "Meer bankjes langs de Geleenbeek, graag.",
                "question": "toekomst", "target_group": "inwoner",
                "collected_at": "2025-05-12T14:00:00+02:00"}
        st, _, data = http("POST", self.cluster.url("intake-field", "/api/v1/field/batches"),
                           json.dumps({"device_id": device, "items": [item]}).encode(),
                           {"Content-Type": "application/json",
                            "Authorization": "Bearer " + token}, timeout=60)
        return st, data

    def test_staff_gets_403_on_beheer(self):
        sid = self.login("staf1", "staf-wachtwoord-1")
        _, page = self.get("/beheer", sid, expect=403)
        self.assertIn("Alleen beheerders", page)
        _, page = self.get("/", sid)
        self.assertNotIn('href="/beheer"', page)
        st, _, _ = self.post("/beheer", sid, {"csrf": self.csrf(page), "action": "device_add",
                                              "name": "staf-tablet"})
        self.assertEqual(st, 403)
        self.assertEqual(self.cluster.redis("EXISTS", "inspraak:device:staf-tablet"), 0)
        st, hs, _ = req(self.cluster, "GET", "/beheer")
        self.assertEqual(st, 303)  # no session: to the login page

    def test_admin_adds_user_and_device_whose_token_works(self):
        c = self.cluster
        sid = self.login()
        _, page = self.get("/beheer", sid)
        self.assertIn("staf1", page)
        self.assertNotIn("$argon2", page)  # never a password hash
        tok = self.csrf(page)
        # CSRF on every form.
        st, _, _ = self.post("/beheer", sid, {"csrf": "0" * 64, "action": "device_add",
                                              "name": "tablet-x"})
        self.assertEqual(st, 403)
        # A user: password rules, then a good one that can log in.
        st, _, body = self.post("/beheer", sid, {"csrf": tok, "action": "user_add",
                                                 "name": "nieuw1", "password": "kort",
                                                 "role": "staff"})
        self.assertEqual(st, 400)
        self.assertIn("minstens 10 tekens", body.decode())
        st, _, body = self.post("/beheer", sid, {"csrf": tok, "action": "user_add",
                                                 "name": "nieuw1", "role": "staff",
                                                 "password": "nieuw-wachtwoord-1"})
        self.assertEqual(st, 200, body[:300])
        self.assertTrue(c.redis("HGET", "inspraak:user:nieuw1", "pwhash").startswith("$argon2id$"))
        self.login("nieuw1", "nieuw-wachtwoord-1")
        st, _, _ = self.post("/beheer", sid, {"csrf": tok, "action": "user_add", "name": "nieuw1",
                                              "role": "admin", "password": "ander-wachtwoord-2"})
        self.assertEqual(st, 400)  # never overwritten
        self.assertEqual(c.redis("HGET", "inspraak:user:nieuw1", "role"), "staff")
        # A device: its token is shown once and works on the field API.
        st, _, body = self.post("/beheer", sid, {"csrf": tok, "action": "device_add",
                                                 "name": "tablet-beheer"})
        self.assertEqual(st, 200, body[:300])
        token = re.search(r'<code class="token">(isd_[A-Za-z0-9_-]{43})</code>',
                          body.decode()).group(1)
        # named as the field app asks for it ("Apparaatcode") and as its
        # refusal says ("Vraag een nieuwe apparaatcode"), not "sleutel"
        self.assertIn("De apparaatcode van het nieuwe apparaat", body.decode())
        self.assertNotIn("sleutel", body.decode())
        _, page = self.get("/beheer", sid)
        self.assertNotIn(token, page)
        self.assertIn("tablet-beheer", page)
        # The same name again is refused, and the page shows no key: it
        # showed a new one "to put in the field app now" that never worked.
        st, _, body = self.post("/beheer", sid, {"csrf": tok, "action": "device_add",
                                                 "name": "tablet-beheer"})
        self.assertEqual(st, 400, body[:300])
        self.assertIn("Dit apparaat bestaat al.", body.decode())
        self.assertNotIn("isd_", body.decode())
        self.assertNotIn("De apparaatcode van het nieuwe apparaat", body.decode())
        self.assertIn("Trek het eerst in om een nieuwe apparaatcode te maken.", body.decode())
        self.assertEqual(self.field_post("isd_not-a-real-token", "tablet-beheer")[0], 401)
        st, data = self.field_post(token, "tablet-beheer")
        self.assertIn(st, (200, 201), data[:300])
        # Revoked: the field API refuses the token at once.
        st, _, body = self.post("/beheer", sid, {"csrf": tok, "action": "device_revoke",
                                                 "name": "tablet-beheer"})
        self.assertEqual(st, 200)
        self.assertIn("de apparaatcode werkt niet meer", body.decode())
        self.assertEqual(self.field_post(token, "tablet-beheer")[0], 401)
        # The lists show role, creation and revocation: they showed an
        # empty role and "-" for every date, so a revoked tablet looked
        # active and nobody could see who was an admin.
        _, page = self.get("/beheer", sid)
        rows = {m[0]: m[1:] for m in re.findall(
            r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)}
        # the role in the words of the form ("beheerder", "medewerker"),
        # not its code ("admin", "staff")
        self.assertEqual(rows["admin1"][0], "beheerder")
        self.assertEqual(rows["nieuw1"][0], "medewerker")
        self.assertRegex(rows["nieuw1"][1], r"^\d\d-\d\d-\d{4} \d\d:\d\d$")
        self.assertRegex(rows["tablet-beheer"][0], r"^\d\d-\d\d-\d{4} \d\d:\d\d$")
        self.assertRegex(rows["tablet-beheer"][1], r"^\d\d-\d\d-\d{4} \d\d:\d\d$")
        # inspraakctl sees the same records.
        r = c.ctl("device", "list")
        self.assertRegex(r.stdout, r"tablet-beheer\t\d{4}-\d\d-\d\dT[0-9:.]+Z\t\d{4}-\d\d-\d\dT[0-9:.]+Z")
        acts = [a["action"] for a in self.audit()]
        for a in ("user_add", "device_add", "device_revoke"):
            self.assertIn(a, acts)
        for a in self.audit():
            self.assertNotIn("nieuw-wachtwoord", json.dumps(a))
        # /beheer's own entry (inspraakctl's user add, which made the
        # suite's users, writes its own with user "inspraakctl").
        added = [a for a in self.audit() if a["action"] == "user_add" and a["user"] != "inspraakctl"]
        self.assertEqual([(a["user"], a["detail"]) for a in added], [("admin1", "staff")])

    # --- 4. JSON export ---
    def test_json_export_rows_and_filters(self):
        c = self.cluster
        st, _, _ = req(c, "GET", "/api/v1/export.json")
        self.assertEqual(st, 401)
        st, body = c.api("/api/v1/export.json?q=skatepark", self.token)
        self.assertEqual(st, 200, body)
        self.assertEqual(sorted(i["id"] for i in body), sorted(self.same_ids))
        for it in body:
            self.assertIn("skatepark", it["text"])
            self.assertNotIn("email", it)
            self.assertNotIn("name", it)
        # (an idea of another test may still be on its way: compare once both agree)
        def both():
            every = c.api("/api/v1/export.json", self.token)[1]
            total = c.api("/api/v1/ideas?limit=1", self.token)[1]["total"]
            return (every, total) if len(every) == total else None
        every, total = wait_until("export matches the total", both)
        self.assertEqual(len({i["id"] for i in every}), total)  # one object per idea
        st, bad = c.api("/api/v1/export.json?from=gisteren", self.token)
        self.assertEqual(st, 400)
        self.assertEqual(bad["error"]["code"], "invalid_query")
        sid = self.login("staf1", "staf-wachtwoord-1")  # a staff session works too
        hs, text = self.get("/api/v1/export.json?q=skatepark", sid)
        self.assertEqual(len(json.loads(text)), 3)
        self.assertTrue(header(hs, "Content-Type")[0].startswith("application/json"))


if __name__ == "__main__":
    main()
