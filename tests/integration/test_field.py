#!/usr/bin/env python3
"""
NAME
    test_field - the field app's batch API against a running stack

DESCRIPTION
    Starts Redis, storage, classifier, intake-field and the dashboard
    (tests/lib/harness.py), issues device tokens with inspraakctl, and
    checks what INTERFACES.md "Field app" promises, the bar of the issue:
    40 items as JSON and 40 as MessagePack, the JSON batch sent twice, and
    a mixed batch with one good item and many bad ones -> exactly 81 field
    ideas in the dashboard, none twice, each bad item answered with its
    own code, GPS points in the right wijk (wijk label points from
    data/geo/, minus the two that lie outside their own coarse polygon),
    explicit wijk winning over GPS, a point outside Heerlen kept without a
    wijk. Then: bad, revoked and mismatched tokens, a 10,000-item batch,
    MessagePack and JSON bombs (400, service still up), a tablet clock two
    days ahead (kept, with the time of arrival), a participant address in
    its ASCII form (Jan@XN--BCHER-KVA.nl) filed as the readable one the
    form stores (jan@bücher.nl). With Redis stopped, every
    batch gets 503 and so does /healthz (TestFieldRedisStopped).
    MessagePack is encoded by a small hand-written encoder below (the
    standard library has none and nothing is installed with pip).

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_field.py
"""
import datetime
import json
import urllib.parse
import os
import signal
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import (REPO, ClusterTestCase, http, main, participant_email_key,  # noqa: E402
                     wait_until)
from mpack import pack as mp  # noqa: E402

# Label points that lie 100 m outside their own coarse polygon (see
# tests/unit/test_geo.c): not usable as "this point is in that wijk".
OFF_POLYGON = {"WK091731", "WK091740"}
AMSTERDAM = (52.37, 4.90)


def label_points():
    """[(wijk code, lat, lon)] of the wijk label points inside their polygon."""
    path = os.path.join(REPO, "data", "geo", "heerlen_label_points_2014.geojson")
    with open(path) as f:
        features = json.load(f)["features"]
    out = []
    for feat in features:
        props = feat["properties"]
        if props.get("rubriek") != "wijk" or props["statcode"] in OFF_POLYGON:
            continue
        lon, lat = feat["geometry"]["coordinates"][:2]
        out.append((props["statcode"], lat, lon))
    return sorted(out)


class TestField(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-field", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.staff = c.staff_token()
        cls.token = cls.device_token("tablet-1")
        cls.points = label_points()
        cls.expected = {}  # local_id -> expected wijk (or None)

    @classmethod
    def device_token(cls, name):
        r = cls.cluster.ctl("device", "add", name)
        if r.returncode != 0:
            raise AssertionError("inspraakctl device add: %s" % r.stderr)
        return r.stdout.strip().split()[-1]

    # --- helpers ---
    def post(self, body, token=None, ctype="application/json"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body) if ctype == "application/json" else mp(body)
        status, _, data = http("POST", self.cluster.url("intake-field", "/api/v1/field/batches"),
                               body, {"Content-Type": ctype,
                                      "Authorization": "Bearer " + (self.token if token is None else token)},
                               timeout=300)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data

    def items(self, prefix, n):
        """n good items; item i is located by a label point, every 7th has
        an explicit wijk that differs from its point, one lies outside."""
        out = []
        for i in range(n):
            code, lat, lon = self.points[i % len(self.points)]
            item = {"local_id": "%s-%d" % (prefix, i),
                    "text": "Idee %s nummer %d: meer bankjes en bomen in de straat." % (prefix, i),
                    "lat": lat, "lon": lon, "question": ("nu", "toekomst")[i % 2],
                    "target_group": "inwoner", "collected_at": "2025-05-12T14:%02d:00+02:00" % (i % 60)}
            want = code
            if i % 7 == 3:
                other = self.points[(i + 5) % len(self.points)][0]
                item["wijk"] = other
                want = other
            if i == n - 1:
                item["lat"], item["lon"] = AMSTERDAM
                want = None
            if i == 0:
                item["participant"] = {"name": "Anna de Vries", "email": "anna@example.org",
                                       "consent": {"feedback": True}}
            self.expected[item["local_id"]] = want
            out.append(item)
        return out

    def field_ideas(self):
        """Every field idea the dashboard lists: {local_id: item}."""
        seen, cursor = [], None
        while True:
            path = "/api/v1/ideas?channel=field&limit=500" + ("&cursor=" + cursor if cursor else "")
            status, body = self.cluster.api(path, self.staff)
            self.assertEqual(status, 200, body)
            seen.extend(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                return seen

    def field_total(self):
        status, body = self.cluster.api("/api/v1/ideas?channel=field&limit=1", self.staff)
        return body["total"] if status == 200 else -1

    # --- the bar ---
    def test_1_bar(self):
        batch = {"device_id": "tablet-1", "activity": "omgevingsvisietour Hoensbroek 12 mei",
                 "collected_by": "Student A", "items": self.items("j", 40)}
        status, first = self.post(batch)
        self.assertEqual(status, 200, first)
        self.assertEqual(len(first["accepted"]), 40)
        self.assertEqual(first["rejected"], [])
        # The answer was "lost": the tablet sends the same batch again.
        status, again = self.post(batch)
        self.assertEqual(status, 200, again)
        self.assertEqual(sorted(a["id"] for a in again["accepted"]),
                         sorted(a["id"] for a in first["accepted"]))

        packed = {"device_id": "tablet-1", "activity": "omgevingsvisietour",
                  "items": self.items("m", 40)}
        status, body = self.post(packed, ctype="application/msgpack")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["accepted"]), 40)

        status, body = self.post(self.mixed_batch())
        self.assertEqual(status, 200, body)
        self.assertEqual([a["local_id"] for a in body["accepted"]], ["x-good"])
        got = {(r["local_id"], r["code"]) for r in body["rejected"]}
        self.assertEqual(got, self.MIXED_CODES)
        for r in body["rejected"]:
            self.assertTrue(r["message"])

        wait_until("81 field ideas stored", lambda: self.field_total() == 81, timeout=120)
        ideas = self.field_ideas()
        by_local = {}
        for idea in ideas:
            self.assertEqual(idea["source"]["device_id"], "tablet-1")
            self.assertNotIn(idea["source"]["local_id"], by_local, "stored twice")
            by_local[idea["source"]["local_id"]] = idea
        self.assertEqual(len(by_local), 81)
        self.assertEqual(set(by_local), set(self.expected) | {"x-good"})
        for local_id, want in self.expected.items():
            self.assertEqual(by_local[local_id]["wijk"], want, local_id)
        j0 = by_local["j-0"]
        self.assertEqual(j0["activity"], "omgevingsvisietour")
        self.assertEqual(j0["source"]["context"], "omgevingsvisietour Hoensbroek 12 mei")
        self.assertEqual(j0["received_at"][:19], "2025-05-12T12:00:00")
        self.assertNotIn("anna", json.dumps(j0).lower())  # personal data stays out of ideas
        self.assertTrue(by_local["j-1"]["buurt"])  # a GPS point also gives the buurt
        self.assertIsNone(by_local["m-39"]["wijk"])
        # Staff find the ideas of one activity by its name.
        status, body = self.cluster.api(
            "/api/v1/ideas?channel=field&limit=500&q=" + urllib.parse.quote("Hoensbroek 12 mei"),
            self.staff)
        self.assertEqual(status, 200, body)
        self.assertEqual({i["source"]["local_id"] for i in body["items"]},
                         {k for k in by_local if k.startswith("j-")})

    MIXED_CODES = {
        ("x-notext", "missing_text"), ("x-short", "text_too_short"),
        ("x-question", "invalid_question"), ("x-group", "invalid_target_group"),
        ("x-lat", "invalid_location"), ("x-halfloc", "invalid_location"),
        ("x-wijk", "unknown_wijk"), ("x-time", "invalid_collected_at"),
        ("x-email", "invalid_email"), ("x-consent", "consent_without_email"),
        ("bad id with spaces", "invalid_local_id"), (None, "invalid_item"),
        ("x-good", "duplicate_local_id"),
    }

    def mixed_batch(self):
        t = "Een prima idee over de wijk."
        items = [
            {"local_id": "x-good", "text": "Het park moet blijven.", "wijk": "Heerlerheide-Passart"},
            {"local_id": "x-notext"},
            {"local_id": "x-short", "text": "ja"},
            {"local_id": "x-question", "text": t, "question": "gisteren"},
            {"local_id": "x-group", "text": t, "target_group": "toerist"},
            {"local_id": "x-lat", "text": t, "lat": 123.0, "lon": 5.9},
            {"local_id": "x-halfloc", "text": t, "lat": 50.9},
            {"local_id": "x-wijk", "text": t, "wijk": "Atlantis"},
            {"local_id": "x-time", "text": t, "collected_at": "gisteren om vijf uur"},
            {"local_id": "x-email", "text": t, "participant": {"email": "geen-adres"}},
            {"local_id": "x-consent", "text": t, "participant": {"consent": {"feedback": True}}},
            {"local_id": "bad id with spaces", "text": t},
            "geen object",
            {"local_id": "x-good", "text": "Tweede keer dezelfde local_id in de batch."},
        ]
        return {"device_id": "tablet-1", "activity": "wijkgesprek", "items": items}

    # --- tokens ---
    def test_2_tokens(self):
        body = {"device_id": "tablet-1", "items": self.items("t", 1)}
        status, res = self.post(body, token="isd_not-a-real-token")
        self.assertEqual(status, 401, res)
        self.assertEqual(res["error"]["code"], "unauthorized")
        status, res = self.post(body, token="")
        self.assertEqual(status, 401)

        token2 = self.device_token("tablet-2")
        status, res = self.post(body, token=token2)  # tablet-2 sending as tablet-1
        self.assertEqual(status, 403, res)
        self.assertEqual(res["error"]["code"], "device_mismatch")
        self.assertEqual(self.cluster.ctl("device", "revoke", "tablet-2").returncode, 0)
        status, res = self.post(dict(body, device_id="tablet-2"), token=token2)
        self.assertEqual(status, 401, res)

        status, res = self.post("<xml/>", ctype="text/xml")
        self.assertEqual(status, 415)

    # --- bombs ---
    def test_3_bombs(self):
        bombs = [
            b"\xdd\xff\xff\xff\xff",                   # array32 claiming 4e9 items
            b"\x91" * 33 + b"\xc0",                    # 33 nested arrays
            b"\xdb\x7f\xff\xff\xff" + b"a" * 16,       # str32 of 2 GiB, 16 bytes sent
            b"\xdf\xff\xff\xff\xff",                   # map32 claiming 4e9 pairs
            b"\x81\xa5items\xc4\x03abc",               # bin value
            b"\xc1",                                   # reserved byte
        ]
        for bomb in bombs:
            status, res = self.post(bomb, ctype="application/msgpack")
            self.assertEqual(status, 400, (bomb[:8], res))
            self.assertIn("code", res["error"])
        status, res = self.post("[" * 33 + "]" * 33)
        self.assertEqual(status, 400, res)
        self.assertEqual(res["error"]["code"], "too_deep")
        status, res = self.post('{"device_id": "tablet-1", "items": [')
        self.assertEqual(status, 400)
        self.assertEqual(res["error"]["code"], "invalid_json")
        status, _, _ = http("GET", self.cluster.url("intake-field", "/healthz"))
        self.assertEqual(status, 200)

    # --- big ---
    def test_4_big_batch(self):
        items = [{"local_id": str(uuid.uuid4()), "text": "Groot idee %d voor Heerlen." % i,
                  "question": "toekomst"} for i in range(10000)]
        status, res = self.post({"device_id": "tablet-1", "items": items},
                                ctype="application/msgpack")
        self.assertEqual(status, 200, res if status != 200 else "")
        self.assertEqual(len(res["accepted"]), 10000)
        self.assertEqual(res["rejected"], [])
        status, res = self.post({"device_id": "tablet-1", "items": items + items[:1]})
        self.assertEqual(status, 413, res)
        self.assertEqual(res["error"]["code"], "too_many_items")
        # The 81 of test_1 and these 10,000: none lost, none twice.
        wait_until("10,081 field ideas", lambda: self.field_total() == 81 + 10000,
                   timeout=600, interval=1)

    def test_5_web_app(self):
        scripts = ("queue.js", "send.js", "form.js", "session.js", "rejected.js", "app.js", "sw.js")
        for path, ctype in (("/field", "text/html"),
                            *(("/field/" + s, "text/javascript") for s in scripts),
                            ("/field/manifest.webmanifest", "application/manifest+json"),
                            ("/field/style.css", "text/css"), ("/field/icon.svg", "image/svg+xml")):
            status, headers, body = http("GET", self.cluster.url("intake-field", path))
            self.assertEqual(status, 200, path)
            self.assertTrue(headers["content-type"].startswith(ctype), path)
            self.assertTrue(body)
        status, _, _ = http("GET", self.cluster.url("intake-field", "/field/../etc/passwd"))
        self.assertEqual(status, 404)

    def test_6_clock_a_day_ahead(self):
        # A tablet whose clock runs two days ahead: the server refused its
        # items (invalid_collected_at, "in de toekomst"), so the residents'
        # words never arrived. Now they are stored with the time of arrival.
        token = self.device_token("tablet-clock")
        ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
        item = {"local_id": "clock-1", "text": "Een bankje bij de bushalte op de Akerstraat.",
                "collected_at": ahead.strftime("%Y-%m-%dT%H:%M:%SZ")}
        status, res = self.post({"device_id": "tablet-clock", "items": [item]}, token=token)
        self.assertEqual(status, 200, res)
        self.assertEqual(res["rejected"], [])
        self.assertEqual([a["local_id"] for a in res["accepted"]], ["clock-1"])
        ideas = wait_until("the idea of tablet-clock", lambda: [
            i for i in self.field_ideas() if i["source"]["device_id"] == "tablet-clock"])
        self.assertEqual(len(ideas), 1)
        received = datetime.datetime.fromisoformat(ideas[0]["received_at"].replace("Z", "+00:00"))
        self.assertLess(received, ahead - datetime.timedelta(days=1), ideas[0])

    def test_7_village_name_of_a_wijk(self):
        # "Heerlerheide" typed in the wijk field (the wijk is Heerlerheide-
        # Passart, WK091721) came back "Deze wijk kennen we niet in
        # Heerlen.": the volunteer on the street could not tell what would
        # do. It is the wijk now, without a buurt (no point was given);
        # the full name is still taken, and a name two wijken share
        # ("Heerlerbaan"), or the town's own, is still refused.
        token = self.device_token("tablet-village")
        t = "Een nieuw buurthuis, het oude is te klein."
        items = [{"local_id": "v-" + str(i), "text": t, "wijk": w}
                 for i, w in enumerate(("Heerlerheide", "heerlerheide", "Heerlerheide-Passart",
                                        "Heerlerbaan", "Heerlen"))]
        status, res = self.post({"device_id": "tablet-village", "items": items}, token=token)
        self.assertEqual(status, 200, res)
        self.assertEqual(sorted(a["local_id"] for a in res["accepted"]), ["v-0", "v-1", "v-2"], res)
        self.assertEqual(sorted((r["local_id"], r["code"]) for r in res["rejected"]),
                         [("v-3", "unknown_wijk"), ("v-4", "unknown_wijk")], res)
        def village():
            found = [i for i in self.field_ideas() if i["source"]["device_id"] == "tablet-village"]
            return found if len(found) == 3 else None
        ideas = wait_until("3 ideas of tablet-village", village)
        self.assertEqual(sorted((i["source"]["local_id"], i["wijk"], i["buurt"]) for i in ideas),
                         [("v-0", "WK091721", None), ("v-1", "WK091721", None),
                          ("v-2", "WK091721", None)], ideas)

    def test_8_idn_address_is_the_form_s_participant(self):
        # A volunteer typed the resident's address as the phone's keyboard
        # gave it, "Jan@XN--BCHER-KVA.nl"; the idea box stores that person
        # as "jan@bücher.nl" (services/intake-form/README.md). The field
        # idea made a second participant under the xn-- form; now both are
        # one participant, stored readable.
        token = self.device_token("tablet-idn")
        item = {"local_id": "idn-1", "text": "Meer groen op het Pancratiusplein.",
                "participant": {"name": "Jan Bücher", "email": "Jan@XN--BCHER-KVA.nl",
                                "consent": {"feedback": True}}}
        status, res = self.post({"device_id": "tablet-idn", "items": [item]}, token=token)
        self.assertEqual(status, 200, res)
        self.assertEqual([a["local_id"] for a in res["accepted"]], ["idn-1"], res)
        c = self.cluster
        key = participant_email_key("jan@bücher.nl")
        ascii_key = participant_email_key("jan@xn--bcher-kva.nl")
        wait_until("the participant stored", lambda: c.redis("GET", key) or
                   c.redis("GET", ascii_key))
        self.assertIsNone(c.redis("GET", ascii_key))
        pid = c.redis("GET", key)
        self.assertEqual(c.redis("HGET", "inspraak:participant:" + pid, "email"), "jan@bücher.nl")
        export = json.loads(c.ctl("participant", "export", "jan@bücher.nl").stdout)
        self.assertEqual(export["participant_id"], pid)

    def test_8b_idn_email_stored_readable_whatever_the_case(self):
        # An address with an international domain typed in the field app
        # ("Piet@BÜCHER.NL", or "piet@xn--bcher-kva.nl" as a phone may
        # autocorrect it) was stored as typed; the idea box stores it
        # readable ("bücher.nl", email_idn.h) and a bounce report is
        # matched on that form, so a hard bounce no longer marked the
        # participant and receipts kept going to a dead address.
        token = self.device_token("tablet-idn2")
        items = [{"local_id": "idn-%d" % i, "text": "Een brievenbus bij het station, graag.",
                  "participant": {"name": "Piet Smeets", "email": e, "consent": {"feedback": True}}}
                 for i, e in enumerate(("Piet@BÜCHER.NL", "piet@xn--bcher-kva.nl"))]
        status, res = self.post({"device_id": "tablet-idn2", "items": items}, token=token)
        self.assertEqual(status, 200, res)
        self.assertEqual(len(res["accepted"]), 2, res)

        def stored():
            found = [i for i in self.field_ideas() if i["source"]["device_id"] == "tablet-idn2"]
            return found if len(found) == 2 else None
        wait_until("2 ideas of tablet-idn", stored)
        r = self.cluster.ctl("participant", "export", "piet@bücher.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        stored_as = json.loads(r.stdout)["participant"]["email"]
        self.assertEqual(stored_as.split("@")[1], "bücher.nl", stored_as)


class TestFieldRedisStopped(ClusterTestCase):
    """Redis hung (SIGSTOP): no device token can be checked, so every batch
    gets 503; /healthz says so too (503 naming Redis), within the 3 s of a
    Compose health check, and is 200 again once Redis answers."""
    SERVICES = ("intake-field",)

    def test_healthz_is_503_while_batches_cannot_be_checked(self):
        c = self.cluster
        r = c.ctl("device", "add", "tablet-stil")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip().split()[-1]
        health = c.url("intake-field", "/healthz")
        self.assertEqual(http("GET", health)[0], 200)
        pid = c.pid_of("redis")
        self.assertIsNotNone(pid)
        os.kill(pid, signal.SIGSTOP)
        try:
            status, _, body = wait_until(
                "intake-field /healthz to say 503",
                lambda: (lambda r: r if r[0] == 503 else None)(http("GET", health, timeout=3)),
                timeout=60)
            self.assertIn(b"redis", body)
            item = {"local_id": str(uuid.uuid4()), "text": "Een bankje bij de kerk."}
            status, _, body = http("POST", c.url("intake-field", "/api/v1/field/batches"),
                                   {"device_id": "tablet-stil", "items": [item]},
                                   {"Authorization": "Bearer " + token}, timeout=30)
            self.assertEqual(status, 503, body)
            self.assertEqual(json.loads(body)["error"]["code"], "unavailable")
        finally:
            os.kill(pid, signal.SIGCONT)
        wait_until("intake-field /healthz 200 again",
                   lambda: http("GET", health, timeout=3)[0] == 200, timeout=60)


if __name__ == "__main__":
    main()
