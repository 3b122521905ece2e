"""
NAME
    test_bad_input - hostile and broken input is answered clearly, stores
    nothing wrong, and leaves every service up

DESCRIPTION
    Against a real stack (tests/lib/harness.py: Redis, storage, classifier,
    intake-form, intake-field, dashboard under the supervisor), with a
    short idle timeout (INSPRAAK_HTTP_TIMEOUT=3) so the slowloris case ends
    within the test. Each case checks the HTTP answer (status and, for the
    JSON APIs, the stable error code), that the service still answers
    /healthz, and at the end test_zz_* checks that exactly the ideas this
    suite meant to be accepted were stored (ZCARD inspraak:ideas and the
    ids), nothing more.

    Cases: malformed url-encoding (%, %zz), duplicate fields, bodies over
    the limit with and without Content-Length (chunked), slowloris, 2,000
    connections from one address, invalid and overlong UTF-8, NUL, the RTL
    override U+202E (kept in text, see docs/reliability.md), CR/LF in name
    and email, JSON 100,000-deep arrays, \\u0000, lone surrogates, 1e999,
    MessagePack array32/map32/str32 bombs, 33-deep nesting and trailing
    bytes on the field API, and raw garbage / oversized ZMTP frames on the
    classifier's and storage's bus ports.
"""
import json
import os
import re
import resource
import socket
import struct
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, http, wait_until  # noqa: E402

GOOD_TEXT = "Meer bomen en bankjes op het plein bij de kerk, graag."


def raw_request(port, data, timeout=10.0, shut=True):
    """Sends raw bytes, returns the whole answer (b"" when closed unanswered)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
        return out


def no_time_wait(s):
    """Close with RST: thousands of client sockets otherwise leave their
    ephemeral ports in TIME_WAIT, where the next test's port search (which
    shares that range) finds them busy."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return s


def status_of(answer):
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def mp_str(b):
    return b"\xd9" + bytes([len(b)]) + b if len(b) < 256 else b"\xda" + struct.pack(">H", len(b)) + b


class TestBadInput(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-field", "dashboard")
    ENV = {"INSPRAAK_HTTP_TIMEOUT": "3"}
    accepted = set()   # ids this suite meant to be stored

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.cluster.ctl("device", "add", "bad-input-tablet")
        if r.returncode != 0:
            raise AssertionError("inspraakctl device add: %s" % r.stderr)
        cls.device = r.stdout.strip().split()[-1]
        cls.staff = cls.cluster.staff_token("bad-input")

    # --- helpers ---
    def healthy(self, *services):
        for s in services or ("intake-form", "intake-field", "storage", "classifier"):
            status = http("GET", self.cluster.url(s, "/healthz"), timeout=10)[0]
            self.assertEqual(status, 200, "%s /healthz after bad input" % s)

    def form(self, body, ctype="application/x-www-form-urlencoded"):
        status, _, data = http("POST", self.cluster.url("intake-form", "/ideeen"), body,
                               {"Content-Type": ctype})
        return status, data.decode("utf-8", "replace")

    def api(self, body, headers=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        status, _, data = http("POST", self.cluster.url("intake-form", "/api/v1/ideas"), body, h)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data

    def field(self, body, ctype="application/msgpack"):
        status, _, data = http("POST", self.cluster.url("intake-field", "/api/v1/field/batches"),
                               body, {"Content-Type": ctype,
                                      "Authorization": "Bearer " + self.device}, timeout=60)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data

    def assert_api_error(self, answer, status, code=None):
        got, body = answer
        self.assertEqual(got, status, body)
        self.assertIsInstance(body, dict, body)
        self.assertIn("error", body, body)
        err = body["error"]
        if code:
            self.assertEqual(err.get("code") if isinstance(err, dict) else err, code, body)

    # --- url-encoding and fields ---
    def test_malformed_urlencoding(self):
        for body in ("tekst=%", "tekst=%&naam=%zz&email=%", "%=%", "&&&=&=", "tekst=%E2%82",
                     "tekst=" + GOOD_TEXT.replace(" ", "+") + "&email=%zz"):
            status, page = self.form(body)
            self.assertIn(status, (400, 422), body)
            self.assertIn("<html", page.lower())
        # A "%" not followed by two hex digits is kept as it is (libmicrohttpd,
        # as browsers never send one): "%zz" is then just a 3-character text.
        status, page = self.form("tekst=%zz+%25+honderd")
        self.assertEqual(status, 200, page)
        idea_id = re.search(r"f-[0-9a-f]{16}", page).group(0)
        self.accepted.add(idea_id)
        self.wait_stored(idea_id)
        status, item = self.cluster.api("/api/v1/ideas/" + idea_id, self.staff)
        self.assertEqual(item["text"], "%zz % honderd")
        self.healthy("intake-form")

    def test_duplicate_fields(self):
        # HTML form: the last value counts (libmicrohttpd hands both over);
        # the JSON API refuses duplicate keys outright.
        status, _ = self.form("tekst=kort&tekst=" + GOOD_TEXT.replace(" ", "+") + "&website=x")
        self.assertEqual(status, 200)  # the honeypot: thanked, nothing stored
        answer = self.api(b'{"text": "%s", "text": "%s"}' % (GOOD_TEXT.encode(), b"nog een"))
        self.assert_api_error(answer, 400, "invalid_json")
        self.healthy("intake-form")

    # --- sizes ---
    def test_body_over_limit_with_content_length(self):
        big = b'{"text": "' + b"a" * (2 << 20) + b'"}'
        head = (b"POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(big))
        # The answer comes before the body is read: send only the head.
        answer = raw_request(self.cluster.port("intake-form"), head)
        self.assertEqual(status_of(answer), 413, answer[:200])
        self.healthy("intake-form")

    def test_browser_gets_dutch_pages_not_json(self):
        """A resident's browser (Accept: text/html) gets a Dutch page for an
        unknown address, a wrong method and a form that is too big; an
        API client keeps getting JSON; reloading the thank-you page leads
        back to the form."""
        url = self.cluster.url("intake-form", "/bestaat-niet")
        browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        status, headers, body = http("GET", url, headers=browser)
        self.assertEqual(status, 404)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertIn("Pagina niet gevonden", body.decode())
        self.assertIn('lang="nl"', body.decode())
        # An HTML page like any other: nobody may frame it (frame-ancestors
        # does not fall back to default-src).
        for rule in ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"):
            self.assertIn(rule, headers.get("content-security-policy", ""))
        self.assertEqual(headers.get("x-frame-options"), "DENY")
        status, headers, body = http("GET", url)
        self.assertEqual((status, json.loads(body)["error"]["code"]), (404, "not_found"))
        status, headers, body = http("DELETE", self.cluster.url("intake-form", "/"),
                                     headers=browser)
        self.assertEqual(status, 405)
        self.assertIn("Dit kan hier niet", body.decode())
        status, headers, _ = http("GET", self.cluster.url("intake-form", "/ideeen"),
                                  headers=browser)
        self.assertEqual(status, 303)
        self.assertEqual(headers["location"], "/")
        head = (b"POST /ideeen HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: %d\r\n\r\n" % (2 << 20))
        answer = raw_request(self.cluster.port("intake-form"), head)
        self.assertEqual(status_of(answer), 413, answer[:200])
        self.assertIn("Te veel gegevens".encode(), answer)
        self.healthy("intake-form")

    def test_form_too_big_gets_dutch_page_and_textarea_has_limit(self):
        """A form post to /ideeen over the body limit is answered with the
        Dutch page even when the client names no Accept (as curl -F, or a
        browser extension, sends it): /ideeen is the browser form. The
        textarea stops at the server's limit and says so."""
        head = (b"POST /ideeen HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: %d\r\n\r\n" % (2 << 20))
        answer = raw_request(self.cluster.port("intake-form"), head)
        self.assertEqual(status_of(answer), 413, answer[:200])
        self.assertIn(b"text/html", answer.split(b"\r\n\r\n")[0].lower(), answer[:300])
        self.assertIn("Te veel gegevens".encode(), answer)
        # The JSON API keeps its JSON error.
        head = (b"POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % (2 << 20))
        answer = raw_request(self.cluster.port("intake-form"), head)
        self.assertIn(b'"body_too_large"', answer)
        status, _, body = http("GET", self.cluster.url("intake-form", "/"))
        page = body.decode()
        textarea = re.search(r"<textarea[^>]*>", page).group(0)
        self.assertIn('maxlength="10000"', textarea)
        self.assertIn("maximaal 10.000 tekens", page)

    def test_form_inputs_stop_at_the_servers_limits(self):
        """Title and name had no maxlength: a browser let a resident type
        on past the 200 characters the server takes, to be told so only
        after sending. Every text input the server limits now stops at
        that limit; the server still refuses one character more, with a
        clear message, on the form and the API."""
        status, _, body = http("GET", self.cluster.url("intake-form", "/"))
        self.assertEqual(status, 200)
        page = body.decode()
        limits = {"titel": 200, "naam": 200, "email": 254}
        for name, limit in limits.items():
            tag = re.search(r'<input[^>]*name="%s"[^>]*>' % name, page)
            self.assertIsNotNone(tag, name)
            self.assertIn('maxlength="%d"' % limit, tag.group(0), name)
        for api_name, form_name, word in (("title", "titel", "titel"), ("name", "naam", "naam")):
            status, body = self.api({"text": GOOD_TEXT, api_name: "a" * 201})
            self.assertEqual(status, 422, body)
            self.assertIn("te lang", body["error"]["fields"][api_name])
            status, page = self.form(urllib.parse.urlencode({"tekst": GOOD_TEXT,
                                                             form_name: "é" * 201}))
            self.assertEqual(status, 422, page[:300])
            self.assertIn("maximaal 200 tekens", page)
        status, body = self.api({"text": GOOD_TEXT, "title": "é" * 200, "name": "a" * 200})
        self.assertEqual(status, 201, body)
        self.accepted.add(body["id"])

    def test_body_over_limit_chunked(self):
        port = self.cluster.port("intake-form")
        chunk = b"a" * 65536
        data = (b"POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        data += b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40)) + b"0\r\n\r\n"
        answer = raw_request(port, data, timeout=30)
        # 413, or the connection dropped once the body grew over the limit.
        self.assertIn(status_of(answer), (413, None), answer[:200])
        self.healthy("intake-form")

    # --- connections ---
    def test_slowloris_times_out_and_others_are_served(self):
        port = self.cluster.port("intake-form")
        socks = []
        for _ in range(20):
            s = no_time_wait(socket.create_connection(("127.0.0.1", port), timeout=10))
            s.sendall(b"POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        # 1 byte every second for a few seconds: others are served meanwhile.
        for _ in range(3):
            for s in socks:
                try:
                    s.sendall(b"X")
                except OSError:
                    pass
            status, body = self.api({"text": GOOD_TEXT + " (naast slowloris)"})
            self.assertEqual(status, 201, body)
            self.accepted.add(body["id"])
            time.sleep(1)
        # Then silence: the idle timeout (3 s here) closes every one of them.
        def all_closed():
            for s in socks:
                s.settimeout(0.2)
                try:
                    if s.recv(4096) != b"":
                        continue  # an answer (408) may come first; read on
                except socket.timeout:
                    return False
                except OSError:
                    pass
            return True
        wait_until("slowloris connections to be closed", all_closed, timeout=60, interval=0.5)
        for s in socks:
            s.close()
        self.healthy("intake-form")

    def test_many_connections_from_one_address(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 2500:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
        port = self.cluster.port("intake-form")
        socks = []
        try:
            for _ in range(2000):
                try:
                    socks.append(no_time_wait(socket.create_connection(("127.0.0.1", port),
                                                                      timeout=5)))
                except OSError:
                    break  # the backlog is full: that is a fine answer too
            self.assertGreater(len(socks), 100)
            for s in socks[:50]:
                try:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                except OSError:
                    pass
        finally:
            for s in socks:
                s.close()
        # Every connection gone: the service answers as before.
        wait_until("intake-form to answer after 2,000 connections",
                   lambda: http("GET", self.cluster.url("intake-form", "/healthz"), timeout=5)[0]
                   == 200, timeout=120)
        status, body = self.api({"text": GOOD_TEXT + " (na 2000 verbindingen)"})
        self.assertEqual(status, 201, body)
        self.accepted.add(body["id"])

    # --- text content ---
    def test_invalid_and_overlong_utf8(self):
        for bad in (b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xff\xfe", b"\xf4\x90\x80\x80"):
            body = b'{"text": "' + GOOD_TEXT.encode() + bad + b'"}'
            self.assert_api_error(self.api(body), 400, "invalid_json")
            enc = "".join("%%%02X" % c for c in bad)
            status, _ = self.form("tekst=" + GOOD_TEXT.replace(" ", "+") + enc)
            self.assertEqual(status, 422, bad)
            status, _ = self.form("tekst=" + GOOD_TEXT.replace(" ", "+") + "&naam=A" + enc)
            self.assertEqual(status, 422, bad)
        self.healthy("intake-form")

    def test_nul(self):
        self.assert_api_error(self.api({"text": GOOD_TEXT + "\u0000x"}), 400, "invalid_json")
        status, _ = self.form("tekst=" + GOOD_TEXT.replace(" ", "+") + "%00x")
        self.assertIn(status, (400, 422))
        self.healthy("intake-form")

    def test_rtl_override_is_kept_in_text(self):
        # Decision (docs/reliability.md): bidi controls belong to Arabic and
        # Hebrew text; U+202E is kept as sent (HTML-escaped on display, and
        # its effect ends with the paragraph or cell it is in).
        text = GOOD_TEXT + " \u202egnaarg"
        status, body = self.api({"text": text})
        self.assertEqual(status, 201, body)
        self.accepted.add(body["id"])
        self.wait_stored(body["id"])
        status, item = self.cluster.api("/api/v1/ideas/" + body["id"], self.staff)
        self.assertEqual(status, 200, item)
        self.assertEqual(item["text"], text)

    def test_cr_lf_in_name_and_email(self):
        for email in ("a@example.org\r\nBcc: x", "a@exa\nmple.org", "a\r@example.org"):
            answer = self.api({"text": GOOD_TEXT, "name": "Anna", "email": email,
                               "consent": {"feedback": True}})
            self.assertEqual(answer[0], 422, (email, answer))
            self.assertIn("email", answer[1]["error"].get("fields", {}), answer)
        # Line breaks around the address are white space: trimmed. In the
        # name they become spaces or are refused, never kept (mail headers).
        status, body = self.api({"text": GOOD_TEXT + " (naam met regeleinde)",
                                 "name": "Anna\r\nBcc: x@example.org",
                                 "email": "\r\ncrlf@example.org\r\n",
                                 "consent": {"feedback": True}})
        if status == 201:
            self.accepted.add(body["id"])
            self.wait_stored(body["id"])
            pid = self.participant_pid("crlf@example.org")
            self.assertNotEqual(pid, "none")
            for field in ("name", "email"):
                value = self.cluster.redis("HGET", "inspraak:participant:" + pid, field)
                self.assertNotIn("\r", value, field)
                self.assertNotIn("\n", value, field)
        else:
            self.assertEqual(status, 422, body)

    def wait_stored(self, idea_id):
        wait_until("idea %s stored" % idea_id,
                   lambda: self.cluster.redis("EXISTS", "inspraak:idea:" + idea_id), timeout=60)

    def participant_pid(self, email):
        import hashlib
        h = hashlib.blake2b(email.strip().lower().encode(), digest_size=16).hexdigest()
        return self.cluster.redis("GET", "inspraak:participant-email:" + h) or "none"

    # --- JSON oddities ---
    def test_json_bombs(self):
        deep = b"[" * 100000 + b"]" * 100000
        self.assert_api_error(self.api(deep), 400, "invalid_json")
        self.assert_api_error(self.api(b'{"text": ' + deep + b'}'), 400, "invalid_json")
        self.assert_api_error(self.api(b'{"text": "%s \\ud800"}' % GOOD_TEXT.encode()), 400,
                              "invalid_json")
        self.assert_api_error(self.api(b'{"text": "%s \\udc00x"}' % GOOD_TEXT.encode()), 400,
                              "invalid_json")
        self.assert_api_error(self.api(b'{"text": "%s", "consent": 1e999}' % GOOD_TEXT.encode()),
                              400, "invalid_json")
        self.assert_api_error(self.api(b'{"text": "%s\\u0000"}' % GOOD_TEXT.encode()), 400,
                              "invalid_json")
        # the field API's JSON too
        status, body = self.field(deep, "application/json")
        self.assertEqual(status, 400, body)
        status, body = self.field(b'{"device_id": "t", "activity": 1e999, "items": []}',
                                  "application/json")
        self.assertEqual(status, 400, body)
        self.healthy("intake-form", "intake-field")

    # --- MessagePack on the field API ---
    def test_msgpack_bombs(self):
        cases = {
            "array32": b"\x81" + mp_str(b"items") + b"\xdd\xff\xff\xff\xff",
            "map32": b"\xdf\xff\xff\xff\xff" + mp_str(b"a") * 4,
            "str32": b"\x81" + mp_str(b"device_id") + b"\xdb\xff\xff\xff\xf0abc",
            "bin32": b"\x81" + mp_str(b"x") + b"\xc6\x7f\xff\xff\xff",
            "ext": b"\xc7\x05\x01abcde",
            "nested33": b"\x91" * 33 + b"\xc0",
            "trailing": b"\x80\x80",
            "nil": b"\xc0",
            "empty": b"",
            "map-int-key": b"\x81\x01\x02",
        }
        for name, body in cases.items():
            status, answer = self.field(body)
            self.assertIn(status, (400, 413, 422), (name, answer))
            self.assertIsInstance(answer, dict, name)
        self.healthy("intake-field")

    # --- the bus ---
    def test_garbage_on_bus_ports(self):
        base = self.cluster.base
        for port in (base + 11, base + 12):
            for junk in (b"\x00" * 10,
                         b"GET / HTTP/1.1\r\n\r\n",
                         os.urandom(4096),
                         # a ZMTP 3 greeting (NULL, as a PUSH) then a frame
                         # announcing 2^62 bytes
                         b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00NULL" + b"\x00" * 16 + b"\x00" * 32
                         + b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"
                         + b"\x02\x40\x00\x00\x00\x00\x00\x00\x00" + b"A" * 1000,
                         # a proper frame of garbage (not MessagePack)
                         b"\xff" + b"\x00" * 8 + b"\x7f\x03\x00NULL" + b"\x00" * 16 + b"\x00" * 32
                         + b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"
                         + b"\x00\x10" + os.urandom(16)):
                try:
                    raw_request(port, junk, timeout=2)
                except OSError:
                    pass
        self.healthy("storage", "classifier")
        status, body = self.api({"text": GOOD_TEXT + " (na rommel op de bus)"})
        self.assertEqual(status, 201, body)
        self.accepted.add(body["id"])

    # --- last: what is stored ---
    def test_zz_only_accepted_ideas_stored(self):
        want = set(self.accepted)
        self.assertGreater(len(want), 0)
        wait_until("%d ideas stored" % len(want),
                   lambda: all(self.cluster.redis("EXISTS", "inspraak:idea:" + i) for i in want),
                   timeout=120)
        time.sleep(1)  # anything wrongly queued behind them would land now
        stored = set(self.cluster.redis("ZRANGE", "inspraak:ideas", 0, -1))
        self.assertEqual(stored, want)
        self.healthy()


if __name__ == "__main__":
    unittest.main(verbosity=2)
