#!/usr/bin/env python3
"""
NAME
    test_redact - staff cut personal data out of an idea before it is
    published, and it is gone everywhere

DESCRIPTION
    Starts Redis, storage, classifier, intake-form and dashboard
    (tests/lib/harness.py; binaries from INSPRAAK_BIN) and checks as staff
    and a resident would:
      - an idea with a phone number, an email address and a name is stored
        with the pii flags "phone", "email" and "name", approved, and (being
        flagged) not quoted on /resultaten;
      - POST /ideeen/{id}/weghalen is refused without a login (redirect to
        /login), without or with a wrong CSRF token (403), and for a text
        that is too short, not in the idea, or an unknown kind; nothing
        changes;
      - staff cut the phone number with its button, then the name typed by
        hand (other case), then "alle" (the address): each time the page
        says how many places went, the API shows the marker and the flag
        goes;
      - afterwards none of the original strings is in /resultaten (where
        the idea is now quoted, with its markers), /report, the CSV and
        JSON exports, the API detail and list, the staff pages, the search
        (q= finds nothing), or any Redis key or value (audit included);
        the audit log holds three "redact" entries naming the kinds; after
        the append-only file rewrite storage asks for, no Redis file holds
        them either;
      - a second idea holds an IBAN, a street + house number + postcode and
        a name after "mijn naam is": flagged "iban", "postcode", "name",
        cut with one button each, then gone from the same places;
      - a third idea holds a street + house number without a postcode and
        a name under "Hoogachtend,": flagged "postcode" and "name", not
        quoted until both are cut, then quoted with the markers only;
      - replaying the redaction envelope straight onto storage's bus socket
        (a hand-written ZMTP 3.0 PUSH client: Python has no ZeroMQ module
        here) leaves the record byte for byte as it was, and a malformed
        "redact" is refused without touching it.

Usage: INSPRAAK_BIN=build/asan/bin INSPRAAK_TEST_PORTS=36000-37999 \
       python3 tests/integration/test_redact.py
"""
import csv
import io
import json
import os
import re
import socket
import struct
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402
import mpack  # noqa: E402

TEXT = ("Bel mij op 06-12345678 of mail jan.jansen@example.nl. Ik ben Jan Jansen en ik wil "
        "meer speeltuinen met klimrekken in Heerlerbaan.")
ORIGINALS = ["06-12345678", "12345678", "jan.jansen@example.nl", "example.nl", "jansen"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def zmtp_push(port, payload):
    """Sends one single-frame message to a ZeroMQ PULL socket on port
    (ZMTP 3.0, NULL mechanism: greeting, READY with Socket-Type PUSH, one
    frame). Returns the open socket; the caller closes it once the message
    has been seen, so the peer never reads a half-closed stream first."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL" + b"\x00" * 16 +
              b"\x00" + b"\x00" * 31)
    got = b""
    while len(got) < 64:
        chunk = s.recv(64 - len(got))
        if not chunk:
            raise OSError("the bus closed the connection during the greeting")
        got += chunk
    body = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 4) + b"PUSH"
    s.sendall(bytes([0x04, len(body)]) + body)
    flags = s.recv(1)[0]  # the peer's READY command
    size = struct.unpack(">Q", s.recv(8))[0] if flags & 0x02 else s.recv(1)[0]
    while size > 0:
        size -= len(s.recv(size))
    if len(payload) < 256:
        s.sendall(bytes([0x00, len(payload)]) + payload)
    else:
        s.sendall(b"\x02" + struct.pack(">Q", len(payload)) + payload)
    return s


class RedactCase(ClusterTestCase):
    """One idea (cls.TEXT) posted, classified with cls.PII, staff logged
    in; helpers shared by the test classes below."""
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")
    TEXT = TEXT
    PII = ["email", "name", "phone"]
    ORIGINALS = ORIGINALS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.token = c.staff_token()
        cls.sid = c.staff_login("redactie", "redactie-wachtwoord-1")
        st, body = c.post_idea(cls.TEXT, wijk="WK091712")
        assert st == 201, body
        cls.id = body["id"]
        wait_until("idea stored and classified", lambda: cls.idea().get("classified", True) and
                   sorted(cls.idea().get("pii") or []) == cls.PII)

    # --- helpers ---
    @classmethod
    def idea(cls):
        st, body = cls.cluster.api("/api/v1/ideas/" + cls.id, cls.token)
        return body if st == 200 and isinstance(body, dict) else {}

    def page(self, path, sid=None, expect=200):
        hs = {"Cookie": "inspraak_session=" + sid} if sid else {}
        st, _, body = self.cluster.dash("GET", path, headers=hs)
        self.assertEqual(st, expect, "%s: %s" % (path, body[:300]))
        return body.decode("utf-8")

    def csrf(self):
        page = self.page("/ideeen/" + self.id, self.sid)
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)

    def redact(self, fields, sid=None, csrf=True):
        """POST /ideeen/{id}/weghalen: (status, Location or None, body)."""
        sid = self.sid if sid is None else sid
        fields = list(fields)
        if csrf is True:
            fields.append(("csrf", self.csrf()))
        elif csrf:
            fields.append(("csrf", csrf))
        hs = dict(FORM)
        if sid:
            hs["Cookie"] = "inspraak_session=" + sid
        st, headers, body = self.cluster.dash("POST", "/ideeen/%s/weghalen" % self.id,
                                              urllib.parse.urlencode(fields), hs)
        loc = [v for k, v in headers if k.lower() == "location"]
        return st, loc[0] if loc else None, body.decode("utf-8", "replace")

    def record(self):
        return self.cluster.redis("GET", "inspraak:idea:" + self.id)

    def assert_clean(self, where, text):
        low = text.lower()
        for o in self.ORIGINALS:
            self.assertNotIn(o.lower(), low, "%s still holds %r" % (where, o))

    def approve(self):
        page = self.page("/ideeen/" + self.id, self.sid)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        fields = [("csrf", csrf), ("status", "approved"), ("wijk", "WK091712"),
                  ("sentiment", "positief"), ("theme", "jeugd")]
        st, hs, body = self.cluster.dash("POST", "/ideeen/" + self.id,
                                         urllib.parse.urlencode(fields),
                                         dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:300])
        self.assertEqual(self.idea()["status"], "approved")
        return page

    def assert_gone_everywhere(self, kept, searches):
        """None of ORIGINALS on /resultaten (where the idea is now quoted:
        kept is a word of it), /report, the staff pages, the CSV and JSON
        exports, the API detail and list, and no search for searches
        finds the idea; a search for kept still does."""
        c = self.cluster
        pub = self.page("/resultaten")
        self.assertIn(kept, pub)  # no longer flagged: now quoted, with markers
        self.assertIn("[weggehaald: ", pub)
        self.assert_clean("/resultaten", pub)
        self.assert_clean("/report", self.page("/report", self.sid))
        self.assert_clean("staff detail", self.page("/ideeen/" + self.id, self.sid))
        self.assert_clean("staff list", self.page("/ideeen", self.sid))
        auth = {"Authorization": "Bearer " + self.token}
        st, _, data = c.dash("GET", "/api/v1/export.csv", headers=auth)
        self.assertEqual(st, 200)
        rows = list(csv.reader(io.StringIO(data.decode())))
        self.assertTrue(any(kept in cell for r in rows for cell in r))
        self.assert_clean("export.csv", data.decode())
        st, _, data = c.dash("GET", "/api/v1/export.json", headers=auth)
        self.assertEqual(st, 200)
        self.assertEqual(len(json.loads(data)), 1)
        self.assert_clean("export.json", data.decode())
        self.assert_clean("api detail", json.dumps(self.idea()))
        st, lst = c.api("/api/v1/ideas", self.token)
        self.assertEqual(lst["total"], 1)
        self.assert_clean("api list", json.dumps(lst))
        for q in searches:
            st, ans = c.api("/api/v1/ideas?q=" + urllib.parse.quote(q), self.token)
            self.assertEqual((st, ans["total"]), (200, 0), "search %r still finds it" % q)
            self.assertNotIn(self.id, self.page("/ideeen?q=" + urllib.parse.quote(q), self.sid))
        st, ans = c.api("/api/v1/ideas?q=" + kept, self.token)
        self.assertEqual(ans["total"], 1)  # the rest of the text is still found


class TestRedact(RedactCase):

    # --- 1. before: flagged, so not public; the exports hold it ---
    def test_1_flagged_idea_is_not_quoted_but_exported(self):
        c = self.cluster
        page = self.approve()
        self.assertNotIn("klimrekken", self.page("/resultaten"))  # PII: never quoted
        self.assertIn("06-12345678", self.idea()["text"])
        st, _, data = c.dash("GET", "/api/v1/export.csv",
                             headers={"Authorization": "Bearer " + self.token})
        self.assertIn("jan.jansen@example.nl", data.decode())
        self.assertIn("Telefoonnummer weghalen (1 keer gevonden)", page)
        self.assertIn("E-mailadres weghalen (1 keer gevonden)", page)
        self.assertIn("Naam weghalen (1 keer gevonden)", page)  # "Ik ben Jan Jansen"

    # --- 2. refusals change nothing ---
    def test_2_refused_without_login_csrf_or_sense(self):
        before = self.record()
        st, loc, _ = self.redact([("soort", "phone")], sid="", csrf="0" * 64)
        self.assertEqual(st, 303)
        self.assertIn("/login", loc)
        st, _, body = self.redact([("soort", "phone")], csrf=False)
        self.assertEqual(st, 403, body[:300])
        self.assertIn("Niet toegestaan", body)
        st, _, body = self.redact([("soort", "phone")], csrf="ab" * 32)
        self.assertEqual(st, 403, body[:300])
        st, _, body = self.redact([("tekst", "J")])
        self.assertEqual(st, 400, body[:300])
        self.assertIn("minstens 2 tekens", body)
        st, _, body = self.redact([("tekst", "Piet Puk")])
        self.assertEqual(st, 422, body[:300])
        self.assertIn("Niets gevonden", body)
        # back to the idea to type it again, not to the overview where
        # staff had to look the idea up anew
        self.assertIn('<a href="/ideeen/%s#weghalen">Terug naar het idee</a>' % self.id, body)
        st, _, body = self.redact([("soort", "bsn")])
        self.assertEqual(st, 400, body[:300])
        st, _, body = self.redact([("soort", "iban")])  # a known kind, not in this idea
        self.assertEqual(st, 422, body[:300])
        self.assertIn("Niets gevonden", body)
        self.assertEqual(self.record(), before)
        self.assertEqual(sorted(self.idea()["pii"]), ["email", "name", "phone"])

    # --- 3. one flag, a hand-typed name, then all ---
    def test_3_staff_cut_flag_then_name_then_all(self):
        st, loc, body = self.redact([("soort", "phone")])
        self.assertEqual(st, 303, body[:300])
        self.assertIn("weggehaald=1", loc)
        page = self.page(loc.split("#")[0], self.sid)
        self.assertIn("Weggehaald: 1 plek.", page)
        it = self.idea()
        self.assertIn("Bel mij op [weggehaald: telefoonnummer] of mail", it["text"])
        self.assertEqual(it["pii"], ["email", "name"])

        st, loc, body = self.redact([("tekst", "  jan jansen ")])  # trimmed, any case
        self.assertEqual(st, 303, body[:300])
        self.assertIn("weggehaald=1", loc)
        self.assertIn("Ik ben [weggehaald] en ik wil", self.idea()["text"])
        self.assertIn("jan.jansen@example.nl", self.idea()["text"])  # not a whole-word match
        self.assertEqual(self.idea()["pii"], ["email"])  # the name went, so did its flag

        page = self.page("/ideeen/" + self.id, self.sid)
        self.assertNotIn("Telefoonnummer weghalen", page)
        st, loc, body = self.redact([("soort", "alle")])
        self.assertEqual(st, 303, body[:300])
        it = self.idea()
        self.assertEqual(it["text"], "Bel mij op [weggehaald: telefoonnummer] of mail "
                         "[weggehaald: e-mailadres]. Ik ben [weggehaald] en ik wil meer "
                         "speeltuinen met klimrekken in Heerlerbaan.")
        self.assertEqual(it["pii"], [])
        self.assertEqual(it["status"], "approved")  # moderation untouched
        self.assertEqual(it["themes"], ["jeugd"])
        # Before any search below puts the words into a request line: no
        # service logged the text or what staff typed.
        for name in ("storage", "dashboard", "classifier"):
            with open(self.cluster.log_path(name), errors="replace") as f:
                self.assert_clean(name + " log", f.read())

    # --- 4. gone everywhere ---
    def test_4_originals_gone_everywhere(self):
        self.assert_gone_everywhere("klimrekken", ("jansen", "12345678", "06-12345678",
                                                   "example.nl", "Jan Jansen"))

    def test_5_audit_has_the_action_not_the_data(self):
        c = self.cluster
        audit = [json.loads(a) for a in c.redis("LRANGE", "inspraak:audit", "0", "-1")]
        red = [a for a in audit if a.get("action") == "redact"]
        self.assertEqual(len(red), 3, audit)
        self.assertTrue(all(a["idea"] == self.id and a["user"] == "redactie" for a in red))
        details = sorted(a["detail"] for a in red)
        self.assertEqual(details, ["kinds=email texts=0 places=1", "kinds=none texts=1 places=1",
                                   "kinds=phone texts=0 places=1"])
        # No key or value in Redis holds the personal data any more.
        for key in c.redis("KEYS", "inspraak:*"):
            kind = c.redis("TYPE", key)
            val = {"string": lambda: [c.redis("GET", key)],
                   "list": lambda: c.redis("LRANGE", key, "0", "-1"),
                   "hash": lambda: c.redis("HGETALL", key),
                   "set": lambda: c.redis("SMEMBERS", key),
                   "zset": lambda: c.redis("ZRANGE", key, "0", "-1")}.get(kind, list)()
            self.assert_clean("redis " + key, key + " " + " ".join(v or "" for v in val))

    def test_5b_append_only_file_rewritten(self):
        # Storage asks for BGREWRITEAOF after each redaction; without it the
        # AOF would still hold the SET of the original record.
        c = self.cluster
        wait_until("aof rewrite finished", lambda: re.search(
            r"aof_rewrite_in_progress:0.*aof_rewrite_scheduled:0",
            c.redis("INFO", "persistence").replace("\r\n", " ")))
        self.assertGreaterEqual(int(re.search(r"aof_rewrites:(\d+)",
                                              c.redis("INFO", "persistence")).group(1)), 1)
        for root, _, files in os.walk(os.path.join(c.var, "redis")):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                for o in ("06-12345678", "jan.jansen@example.nl", "Jan Jansen"):
                    self.assertNotIn(o.encode(), data, "%s holds %r" % (name, o))

    # --- 6. replay on the bus ---
    def push_update(self, redact, tag):
        env = {"v": 1, "type": "update", "id": "m-%s" % tag, "origin": "redact-test.0",
               "sent_at": int(time.time() * 1000), "idea": {"id": self.id, "redact": redact}}
        s = zmtp_push(self.cluster.base + 12, mpack.pack(env))
        return s

    def storage_log(self):
        with open(self.cluster.log_path("storage"), errors="replace") as f:
            return f.read()

    def test_6_replay_and_malformed_change_nothing(self):
        before = self.record()
        # The dashboard itself may have re-sent an update once: count lines.
        seen = self.storage_log().count("redaction found nothing to cut")
        s = self.push_update({"kinds": ["phone", "email"], "texts": ["jan jansen"]}, "replay")
        try:
            wait_until("replay handled", lambda: self.storage_log().count(
                "redaction found nothing to cut") > seen)
        finally:
            s.close()
        self.assertEqual(self.record(), before)
        seen = self.storage_log().count("update refused")
        s = self.push_update("kapot", "bad")
        try:
            wait_until("malformed refused",
                       lambda: self.storage_log().count("update refused") > seen)
        finally:
            s.close()
        self.assertIn("idea.redact", self.storage_log())
        self.assertEqual(self.record(), before)


class TestRedactIbanAddressName(RedactCase):
    """An IBAN, a street + house number + postcode and a name after "mijn
    naam is" in one idea: flagged "iban", "postcode", "name", cut by their
    three buttons, then gone everywhere."""
    TEXT = ("Mijn naam is Fatima el Amrani. Bij de Akerstraat 12, 6411 AB Heerlen is de stoep al "
            "maanden kapot en er moeten bloembakken komen. Voor de buurtpot kunt u storten op "
            "NL91 ABNA 0417 1643 00.")
    PII = ["iban", "name", "postcode"]
    ORIGINALS = ["fatima", "amrani", "akerstraat", "6411 ab", "nl91", "abna", "0417 1643"]

    def test_1_buttons_per_flag(self):
        page = self.approve()
        self.assertNotIn("bloembakken", self.page("/resultaten"))  # PII: never quoted
        self.assertIn("IBAN (rekeningnummer) weghalen (1 keer gevonden)", page)
        self.assertIn("Adres (straat of postcode met huisnummer) weghalen (1 keer gevonden)", page)
        self.assertIn("Naam weghalen (1 keer gevonden)", page)
        # What the finders found, in the words staff read on the buttons
        # (was "iban, postcode, name": the English slugs of the API).
        found = re.search(r"<dt>Persoonsgegevens[^<]*</dt><dd>([^<]*)</dd>", page).group(1)
        self.assertEqual(sorted(found.split(", ")), ["IBAN (rekeningnummer)", "adres (straat of "
                         "postcode met huisnummer)", "naam"])

    def test_2_cut_each_flag(self):
        left = list(self.PII)
        for kind in ("iban", "postcode", "name"):
            st, loc, body = self.redact([("soort", kind)])
            self.assertEqual(st, 303, "%s: %s" % (kind, body[:300]))
            self.assertIn("weggehaald=1", loc)
            left.remove(kind)
            self.assertEqual(sorted(self.idea()["pii"]), left)
        it = self.idea()
        self.assertEqual(it["text"], "Mijn naam is [weggehaald: naam]. Bij de [weggehaald: adres] "
                         "Heerlen is de stoep al maanden kapot en er moeten bloembakken komen. "
                         "Voor de buurtpot kunt u storten op [weggehaald: rekeningnummer].")
        self.assertEqual(it["status"], "approved")
        page = self.page("/ideeen/" + self.id, self.sid)
        self.assertNotIn("weghalen (1 keer gevonden)", page)

    def test_3_gone_everywhere(self):
        self.assert_gone_everywhere("bloembakken", ("Fatima", "Amrani", "Akerstraat",
                                                    "6411 AB", "NL91"))
        audit = [json.loads(a) for a in self.cluster.redis("LRANGE", "inspraak:audit", "0", "-1")]
        details = sorted(a["detail"] for a in audit if a.get("action") == "redact")
        self.assertEqual(details, ["kinds=iban texts=0 places=1", "kinds=name texts=0 places=1",
                                   "kinds=postcode texts=0 places=1"])


class TestRedactStreetAndClosing(RedactCase):
    """A street and house number without a postcode and a name under
    "Hoogachtend,": flagged "postcode" and "name" (both were missed
    before), so the idea is not quoted until staff cut them with the two
    buttons; then it is quoted with the markers only."""
    TEXT = ("Er moet een zebrapad komen bij de Akerstraat 12, daar woon ik. Ik wil ook meer "
            "bankjes in het park.\nHoogachtend, P. Smeets")
    PII = ["name", "postcode"]
    ORIGINALS = ["akerstraat", "smeets"]

    def test_1_not_quoted_buttons_per_flag(self):
        page = self.approve()
        self.assertNotIn("zebrapad", self.page("/resultaten"))  # PII: never quoted
        self.assertIn("Adres (straat of postcode met huisnummer) weghalen (1 keer gevonden)", page)
        self.assertIn("Naam weghalen (1 keer gevonden)", page)

    def test_2_cut_and_quoted(self):
        for kind in ("postcode", "name"):
            st, loc, body = self.redact([("soort", kind)])
            self.assertEqual(st, 303, "%s: %s" % (kind, body[:300]))
        it = self.idea()
        self.assertEqual(it["text"], "Er moet een zebrapad komen bij de [weggehaald: adres], daar "
                         "woon ik. Ik wil ook meer bankjes in het park.\nHoogachtend, "
                         "[weggehaald: naam]")
        self.assertEqual(it["pii"], [])
        self.assert_gone_everywhere("zebrapad", ("Akerstraat", "Smeets"))


# 200 characters with accents (about 280 bytes): what the form's
# maxlength="200" lets a browser type.
LONG = ("Vereniging Café Één à Gevelkamp " * 7)[:199] + "é"


class TestRedactLongAccentedText(RedactCase):
    """A hand-typed text of 200 characters with accents is taken (the
    limit counts characters, as the form does); 201 are refused."""
    TEXT = "Bij de " + LONG + " moeten meer bankjes komen. Bel 06-12345678."
    PII = ["phone"]
    ORIGINALS = [LONG]

    def test_1_200_characters_taken_201_refused(self):
        self.assertEqual(len(LONG), 200)
        before = self.record()
        st, _, body = self.redact([("tekst", LONG + "x")])
        self.assertEqual(st, 400, body[:300])
        self.assertIn("hoogstens 200", body)
        self.assertEqual(self.record(), before)
        st, loc, body = self.redact([("tekst", LONG)])
        self.assertEqual(st, 303, body[:300])
        self.assertIn("weggehaald=1", loc)
        self.assertEqual(self.idea()["text"], "Bij de [weggehaald] moeten meer bankjes komen. "
                         "Bel 06-12345678.")


if __name__ == "__main__":
    main()
