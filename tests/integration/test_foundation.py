"""
NAME
    test_foundation - the acceptance bar of the foundation, end to end

DESCRIPTION
    Starts real Redis, storage, classifier, intake-form and dashboard under
    bin/supervisor (tests/lib/harness.py) and checks, as a resident's
    browser, an API client and a staff member would, what INTERFACES.md
    promises: the Dutch form, the JSON API with its errors, idempotency,
    the dashboard API with filters and stats (every `by` of
    /api/v1/stats counted against the listed ideas), /healthz and /metrics
    of every service, and inspraakctl participant export/erase.
    TestFormRateLimit runs the form alone with INSPRAAK_FORM_RATE=2: past
    the limit the API answers 429 too_many_requests and the browser gets
    the form again with what was typed, both with Retry-After.

    Every idea this class posts is recorded in POSTED, so the list and
    stats checks compare against exactly what was sent. Waiting for an
    idea to arrive is a bounded poll, never a timing threshold.
"""
import datetime
import json
import os
import re
import sys
import unicodedata
import unittest
import urllib.parse
import zoneinfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, http, multipart, wait_until  # noqa: E402


def heerlen_day(received_at):
    """The day in Heerlen (Europe/Amsterdam) of an RFC 3339 UTC time."""
    t = datetime.datetime.fromisoformat(received_at.replace("Z", "+00:00"))
    return t.astimezone(zoneinfo.ZoneInfo("Europe/Amsterdam")).date().isoformat()


THEMES = {"wonen", "groen", "mobiliteit", "veiligheid", "economie", "centrum", "cultuur",
          "zorg", "duurzaamheid", "jeugd", "openbare-ruimte"}
ID_RE = re.compile(r"\bf-[0-9a-z]{6,}\b")


class TestFoundation(ClusterTestCase):
    POSTED = {}  # id -> the fields we sent (API names), for list/stats checks

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token("foundation-test")

    # --- helpers ---
    def post(self, text, key=None, **fields):
        status, body = self.cluster.post_idea(text, key=key, **fields)
        self.assertEqual(status, 201, body)
        self.assertEqual(set(body), {"id", "status"}, body)
        self.assertEqual(body["status"], "accepted")
        self.POSTED[body["id"]] = dict(fields, text=text)
        return body["id"]

    def get_idea(self, idea_id):
        """Polls the dashboard until the idea is stored; returns (item, raw)."""
        path = "/api/v1/ideas/" + urllib.parse.quote(idea_id)

        def fetch():
            status, _, raw = http("GET", self.cluster.url("dashboard", path),
                                  headers={"Authorization": "Bearer " + self.token})
            return (json.loads(raw), raw) if status == 200 else None
        return wait_until("idea %s on the dashboard" % idea_id, fetch, timeout=60)

    def api(self, path):
        status, body = self.cluster.api(path, self.token)
        self.assertEqual(status, 200, body)
        return body

    def list_ids(self, query):
        ids, cursor = set(), None
        while True:
            q = query + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
            body = self.api("/api/v1/ideas?limit=500&" + q)
            ids |= {item["id"] for item in body["items"]}
            cursor = body.get("next_cursor")
            if not cursor:
                return ids, body["total"]

    def wait_all_stored(self):
        for idea_id in list(self.POSTED):
            self.get_idea(idea_id)

    # --- the form ---
    def test_form_page_is_dutch_html_form(self):
        status, headers, body = http("GET", self.cluster.url("intake-form", "/"))
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers.get("content-type", ""))
        page = body.decode("utf-8")
        self.assertRegex(page, r'<html[^>]*lang="nl"')
        self.assertRegex(page, r'<form[^>]*action="/ideeen"')
        self.assertRegex(page, r'(?i)<form[^>]*method="post"')
        self.assertIn('name="tekst"', page)
        self.assertIn("idee", page.lower())

    def test_form_post_without_javascript_names_the_id(self):
        text = "Een speeltuin in De Hei voor de kinderen van de buurt"
        form = urllib.parse.urlencode({"tekst": text, "vraag": "nu", "wijk": "WK091711"})
        status, headers, body = http(
            "POST", self.cluster.url("intake-form", "/ideeen"), form,
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200, body[:500])
        self.assertIn("text/html", headers.get("content-type", ""))
        page = body.decode("utf-8")
        m = ID_RE.search(page)
        self.assertIsNotNone(m, "no idea id on the thank-you page:\n" + page[:2000])
        self.POSTED[m.group(0)] = {"text": text, "question": "nu", "wijk": "WK091711"}
        item, _ = self.get_idea(m.group(0))
        self.assertEqual(item["text"], text)
        self.assertEqual(item["channel"], "form")
        self.assertEqual(item["question"], "nu")
        self.assertEqual(item["wijk"], "WK091711")

    def test_form_post_as_multipart_names_the_id(self):
        # a form with enctype="multipart/form-data" (a browser sending a page
        # that also has a file field)
        text = "Een zebrapad bij de basisschool in Heksenberg, voor de veiligheid"
        body, ctype = multipart({"tekst": text, "vraag": "toekomst", "wijk": "Heksenberg",
                                 "doelgroep": "professional"})
        status, headers, raw = http("POST", self.cluster.url("intake-form", "/ideeen"), body,
                                    {"Content-Type": ctype})
        self.assertEqual(status, 200, raw[:500])
        m = ID_RE.search(raw.decode("utf-8"))
        self.assertIsNotNone(m, "no idea id on the thank-you page:\n" + raw.decode()[:2000])
        self.POSTED[m.group(0)] = {"text": text, "question": "toekomst", "wijk": "WK091722",
                                   "target_group": "professional"}
        item, _ = self.get_idea(m.group(0))
        self.assertEqual(item["text"], text)
        self.assertEqual(item["question"], "toekomst")
        self.assertEqual(item["wijk"], "WK091722")
        self.assertEqual(item["target_group"], "professional")

    # --- the JSON API ---
    def test_api_idea_is_stored_with_its_fields_and_no_personal_data(self):
        text = "Meer bomen en bankjes op het Pancratiusplein, dan wordt het centrum gezelliger."
        idea_id = self.post(text, wijk="Heerlen-Centrum", question="toekomst",
                            target_group="inwoner", name="Marieke Jansen",
                            email="marieke.jansen@example.nl", consent={"feedback": True})
        item, raw = self.get_idea(idea_id)
        self.assertEqual(item["id"], idea_id)
        self.assertEqual(item["text"], text)
        self.assertEqual(item["wijk"], "WK091733")  # given by name, stored as CBS code
        self.assertEqual(item["question"], "toekomst")
        self.assertEqual(item["target_group"], "inwoner")
        self.assertEqual(item["channel"], "form")
        self.assertEqual(item["activity"], "ideeenbus")
        self.assertEqual(item["language"], "nl")
        self.assertEqual(item["status"], "new")
        self.assertIsInstance(item["themes"], list)
        self.assertLessEqual(len(item["themes"]), 3)
        self.assertTrue(set(item["themes"]) <= THEMES, item["themes"])
        self.assertRegex(item["received_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        text_raw = raw.decode("utf-8")
        for secret in ("Marieke", "Jansen", "marieke.jansen@example.nl", "example.nl"):
            self.assertNotIn(secret, text_raw)
        for key in ("name", "email", "participant", "participant_id"):
            self.assertNotIn(key, item)

    def test_same_idempotency_key_twice_is_one_idea(self):
        word = "idempotentietest"
        first = self.post("Een %s: fietsenstalling bij het station graag" % word, key="dup-1")
        second = self.post("Een %s: fietsenstalling bij het station graag" % word, key="dup-1")
        self.assertEqual(first, second)
        # A later idea from the same intake is stored after the repeat was
        # handled, so once it shows, a duplicate would show too.
        marker = self.post("Markering na de herhaling, meer licht in het park")
        self.get_idea(first)
        self.get_idea(marker)
        ids, total = self.list_ids("q=" + word)
        self.assertEqual(ids, {first})
        self.assertEqual(total, 1)
        # POSTED is keyed by id: every idea this class sent, once.
        self.wait_all_stored()
        self.assertEqual(self.api("/api/v1/stats?by=channel")["total"], len(self.POSTED))
        self.assertEqual(self.list_ids("")[1], len(self.POSTED))

    def test_decomposed_text_is_stored_composed_and_found_either_way(self):
        # A Mac mail client, text copied from a PDF or a transcript tool
        # may send "e" + U+0301 for "é" (NFD). The idea is stored as the
        # composed text (NFC) the classifier's word lists know, and the
        # dashboard search finds it typed either way, or without accents.
        text = "Een taalcafé voor nieuwe inwoners, met ideeën voor de financiën van clubs."
        title = "Taalcafé en ideeën"
        nfd = unicodedata.normalize("NFD", text)
        self.assertNotEqual(nfd, text)
        idea_id = self.post(nfd, title=unicodedata.normalize("NFD", title), question="toekomst")
        item, _ = self.get_idea(idea_id)
        self.assertEqual(item["text"], text)
        self.assertEqual(item["title"], title)
        for word in ("taalcafé", "ideeën", "ideeen"):
            for form in ("NFC", "NFD"):
                q = unicodedata.normalize(form, word)
                ids, _ = self.list_ids("q=" + urllib.parse.quote(q))
                self.assertIn(idea_id, ids, "q=%r (%s)" % (q, form))

    def test_form_keeps_arabic_text_right_to_left(self):
        # A resident types Arabic into the Dutch form: the fields where
        # people write in their own words lay the text out in its own
        # direction (dir="auto"), also when the form comes back with an
        # error, so the "!" stays at the end of the sentence.
        text = "الشوارع مظلمة في الليل!"
        name = "أحمد الحسن"
        form = urllib.parse.urlencode({"tekst": text, "titel": "ضوء", "naam": name,
                                       "email": "ahmed@", "toestemming": "ja"})
        status, _, body = http("POST", self.cluster.url("intake-form", "/ideeen"), form,
                               {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 422, body[:500])
        page = body.decode("utf-8")
        self.assertIn("Dit e-mailadres klopt niet", page)
        area = re.search(r'<textarea[^>]*name="tekst"[^>]*>([^<]*)</textarea>', page)
        self.assertIsNotNone(area, page[:2000])
        self.assertEqual(area.group(1), text)
        self.assertIn('dir="auto"', area.group(0))
        for field, value in (("titel", "ضوء"), ("naam", name)):
            tag = re.search(r'<input[^>]*name="%s"[^>]*>' % field, page).group(0)
            self.assertIn('value="%s"' % value, tag)
            self.assertIn('dir="auto"', tag)

    def test_malformed_json_is_400_with_error_object(self):
        status, _, body = http("POST", self.cluster.url("intake-form", "/api/v1/ideas"),
                               b'{"text": "half', {"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        err = json.loads(body)["error"]
        self.assertTrue(err["code"])
        self.assertTrue(err["message"])

    def test_wrong_content_type_is_415(self):
        status, _, body = http("POST", self.cluster.url("intake-form", "/api/v1/ideas"),
                               b"text=hallo", {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        self.assertIn("code", json.loads(body)["error"])

    def test_missing_text_is_422_with_dutch_field_message(self):
        status, body = self.cluster.post_idea(None, question="nu")
        self.assertEqual(status, 422, body)
        err = body["error"]
        self.assertTrue(err["code"])
        field = err.get("fields", {}).get("text", "")
        self.assertTrue(field, err)
        self.assertRegex(field.lower(), r"\b(vul|uw|idee|tekst|veld)\b")

    # --- the dashboard ---
    def test_dashboard_without_or_with_wrong_token_is_401(self):
        status, _, _ = http("GET", self.cluster.url("dashboard", "/api/v1/ideas"))
        self.assertEqual(status, 401)
        status, _, _ = http("GET", self.cluster.url("dashboard", "/api/v1/ideas"),
                            headers={"Authorization": "Bearer isk_not-a-real-token"})
        self.assertEqual(status, 401)
        status, _, _ = http("GET", self.cluster.url("dashboard", "/api/v1/stats?by=wijk"))
        self.assertEqual(status, 401)

    def test_list_filters_and_stats_reflect_posted_ideas(self):
        self.post("Betere busverbinding naar Hoensbroek vanuit Mariarade",
                  wijk="WK091711", question="nu")
        self.post("Meer groen in Mariarade, minder stenen in de tuinen",
                  wijk="WK091711", question="toekomst")
        self.post("Het centrum moet levendiger worden met meer terrasjes",
                  wijk="WK091733", question="toekomst")
        self.post("Zonder wijk: schonere straten in de hele stad", question="nu")
        self.wait_all_stored()
        posted = self.POSTED
        for wijk in ("WK091711", "WK091733"):
            want = {i for i, f in posted.items() if self._wijk(f) == wijk}
            ids, total = self.list_ids("wijk=" + wijk)
            self.assertEqual(ids, want, "wijk=" + wijk)
            self.assertEqual(total, len(want))
        for q in ("nu", "toekomst"):
            want = {i for i, f in posted.items() if f.get("question") == q}
            ids, total = self.list_ids("question=" + q)
            self.assertEqual(ids, want, "question=" + q)
            self.assertEqual(total, len(want))
        ids, total = self.list_ids("channel=form")
        self.assertEqual(ids, set(posted))
        self.assertEqual(self.list_ids("channel=email")[0], set())
        ids, total = self.list_ids("wijk=WK091711&question=toekomst")
        self.assertEqual(ids, {i for i, f in posted.items()
                               if self._wijk(f) == "WK091711" and f.get("question") == "toekomst"})
        stats = self.api("/api/v1/stats?by=wijk")
        self.assertEqual(stats["total"], len(posted))
        counts = {}
        for f in posted.values():
            key = self._wijk(f) or "none"
            counts[key] = counts.get(key, 0) + 1
        self.assertEqual({k: v for k, v in stats["counts"].items() if v}, counts)

    def test_stats_by_every_dimension_count_the_listed_ideas(self):
        self.post("Een buurthuis waar verenigingen samen kunnen komen in De Hei",
                  target_group="buurtorganisatie", question="toekomst")
        self.post("Als huisarts zie ik te veel eenzame ouderen in Meezenbroek",
                  target_group="professional", question="nu")
        self.wait_all_stored()
        items, cursor = [], None
        while True:
            q = "?limit=500" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
            body = self.api("/api/v1/ideas" + q)
            items += body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                break
        self.assertEqual({i["id"] for i in items}, set(self.POSTED))
        for by in ("wijk", "theme", "channel", "sentiment", "question", "target_group",
                   "activity", "status", "day"):
            want = {}
            for i in items:
                # day: Heerlen's day (storage README), not the UTC date
                # of received_at: they differ after midnight in Heerlen
                values = {"theme": i["themes"] or [None],
                          "day": [heerlen_day(i["received_at"])]}.get(by, [i.get(by)])
                for v in values:
                    want[v or "none"] = want.get(v or "none", 0) + 1
            stats = self.api("/api/v1/stats?by=" + by)
            self.assertEqual(stats["by"], by)
            self.assertEqual(stats["total"], len(items), by)
            self.assertEqual({k: v for k, v in stats["counts"].items() if v}, want, by)

    @staticmethod
    def _wijk(fields):
        return {"Heerlen-Centrum": "WK091733"}.get(fields.get("wijk"), fields.get("wijk"))

    # --- every service ---
    def test_healthz_and_metrics_of_every_service(self):
        for svc in self.cluster.services:
            status, _, body = http("GET", self.cluster.url(svc, "/healthz"))
            self.assertEqual(status, 200, "%s /healthz: %r" % (svc, body))
            status, headers, body = http("GET", self.cluster.url(svc, "/metrics"))
            self.assertEqual(status, 200, svc)
            self.assertIn("text/plain", headers.get("content-type", ""), svc)
            text = body.decode()
            self.assertIn("# TYPE ", text, svc)
            self.assertRegex(text, r"(?m)^inspraak_\w+(\{[^}]*\})? [0-9.e+-]+$", svc)

    # --- participants ---
    def test_participant_export_and_erase(self):
        email = "p.de.vries@example.nl"
        idea_id = self.post("Een ontmoetingsplek voor ouderen in Heerlerheide",
                            name="Piet de Vries", email=email, consent={"feedback": True})
        self.get_idea(idea_id)
        r = self.cluster.ctl("participant", "export", email)
        self.assertEqual(r.returncode, 0, r.stderr)
        export = json.loads(r.stdout)
        self.assertEqual(export["email"], email)
        self.assertIn("Piet de Vries", json.dumps(export["participant"], ensure_ascii=False))
        self.assertEqual([i["id"] for i in export["ideas"]], [idea_id])
        r = self.cluster.ctl("participant", "erase", email)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.cluster.ctl("participant", "export", email)
        self.assertEqual(r.returncode, 3, r.stdout)  # not found
        self.assertNotIn("Piet", r.stdout)
        item, raw = self.get_idea(idea_id)  # the idea stays, anonymous
        self.assertNotIn("Piet", raw.decode())


class TestFormRateLimit(ClusterTestCase):
    """INSPRAAK_FORM_RATE: past the limit an address gets 429, as JSON
    with a code and a Dutch message (API), or the form again with what
    was typed (browser); Retry-After says when to try again."""
    SERVICES = ("intake-form",)
    ENV = {"INSPRAAK_FORM_RATE": "2"}  # 2 a minute: one more every 30 s

    def test_past_the_limit_is_429_json_and_the_form_with_its_values(self):
        url = self.cluster.url("intake-form", "/api/v1/ideas")
        body = json.dumps({"text": "Meer bomen op het Pancratiusplein"}).encode()
        answers = []
        for _ in range(6):  # at most a few tokens are refilled meanwhile
            status, headers, raw = http("POST", url, body, {"Content-Type": "application/json"})
            answers.append(status)
            if status == 429:
                break
        self.assertEqual(answers[-1], 429, answers)
        self.assertIn(201, answers)
        self.assertGreaterEqual(int(headers.get("retry-after", "0")), 1, headers)
        err = json.loads(raw)["error"]
        self.assertEqual(err["code"], "too_many_requests")
        self.assertIn("Wacht even", err["message"])

        text = "Een speeltuin in De Hei voor de kinderen"
        status, headers, raw = http(
            "POST", self.cluster.url("intake-form", "/ideeen"),
            urllib.parse.urlencode({"tekst": text, "vraag": "nu"}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 429)
        self.assertIn("text/html", headers.get("content-type", ""))
        self.assertGreaterEqual(int(headers.get("retry-after", "0")), 1, headers)
        page = raw.decode("utf-8")
        self.assertIn("Wacht even", page)
        self.assertRegex(page, r'<textarea[^>]*name="tekst"[^>]*>%s</textarea>' % text)
        self.assertIsNone(ID_RE.search(page))


if __name__ == "__main__":
    unittest.main(verbosity=2)
