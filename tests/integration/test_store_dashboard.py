#!/usr/bin/env python3
"""storage + dashboard against a real Redis.

Starts redis-server (temp dir, AOF, appendfsync always) on a spare loopback
port, bin/storage and bin/dashboard (from $INSPRAAK_BIN, default ./bin) with
INSPRAAK_PORT_BASE on a spare base, pushes ENV_CLASSIFIED envelopes with
bin/bus-inject onto storage's PULL socket, and checks what a client of the
dashboard API sees. Redis is read with redis-py (tests/lib/clients.py);
the rest is the standard library.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_store_dashboard.py
"""
import base64
import hashlib
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from clients import redis  # noqa: E402 (redis-py, Debian python3-redis)
from harness import port_range  # noqa: E402

BIN = os.path.abspath(os.environ.get("INSPRAAK_BIN", "./bin"))
T0 = 1764320000000  # 2025-11-28T08:53:20Z, in ms


# --- helpers ---------------------------------------------------------------

def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def pick_base():
    """A PORT_BASE whose ports (+5 storage, +10 dashboard, +12/+13 bus) and
    a Redis port just below are all free, inside INSPRAAK_TEST_PORTS (below
    the kernel's ephemeral ports, where a client socket may take one)."""
    fixed = os.environ.get("INSPRAAK_TEST_PORT_BASE")
    if fixed:
        return int(fixed)
    low, high = port_range()
    for _ in range(200):
        base = random.randrange(low + 1, high - 13)
        if all(port_free(base + o) for o in (-1, 5, 10, 12, 13)):
            return base
    raise RuntimeError("no free ports")


def redis_client(port):
    """A redis-py client of the test's Redis; replies as bytes."""
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=10,
                       socket_connect_timeout=10)


def wait_until(fn, what, tries=300):
    for _ in range(tries):
        try:
            if fn():
                return
        except (OSError, ConnectionError, urllib.error.URLError):
            pass
        time.sleep(0.05)
    raise AssertionError("gave up waiting for " + what)


def http_get(url, token=None):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def idea(n, **kw):
    d = {
        "id": "f-%016x" % (0xABC000 + n),
        "channel": "form",
        "activity": "ideeenbus",
        "target_group": "inwoner",
        "received_at": T0 + n * 60000,
        "text": "Idee nummer %d over Heerlen" % n,
        "title": None,
        "wijk": "WK091701",
        "question": "toekomst",
        "themes": ["groen"],
        "sentiment": "positief",
        "language": "nl",
    }
    d.update(kw)
    return d


# The ideas of the people counts (test_people here, TestPeopleCount in
# test_dashboard_ui): (person, wijk, channel, status). An gives two ideas in
# two wijken and two channels, Bert only a name, Cas is erased after
# sending, Dirk's only idea is hidden, None is an idea without a person.
PEOPLE_IDEAS = [
    ("an", "WK091711", "form", None), ("an", "WK091712", "email", None),
    ("bert", "WK091711", "form", None),
    (None, "WK091711", "form", None), (None, "WK091711", "field", None),
    (None, "WK091712", "email", None),
    ("cas", "WK091712", "form", None), ("cas", "WK091712", "field", None),
    ("dirk", "WK091713", "form", "hidden"), (None, "WK091713", "email", "hidden"),
]


def people_idea(make, k):
    """Idea k of PEOPLE_IDEAS, made with make(n, **fields) (the idea()
    helper of a test file), with its participant."""
    who, wijk, channel, status = PEOPLE_IDEAS[k]
    d = make(700 + k, id="m-%016x" % (0xD000 + k), activity="mensen", wijk=wijk,
             channel=channel, text="Idee %d van de mensentelling" % k)
    if status:
        d["status"] = status
    if who == "bert":
        d["participant"] = {"name": "Bert Bakker"}
    elif who:
        d["participant"] = {"name": who.title() + " Mensink", "email": who + "@example.nl"}
    return d


def people_of(rows):
    """People behind rows of PEOPLE_IDEAS, as /resultaten counts them:
    each person once, each idea without a person as one."""
    return len({r[0] for r in rows if r[0]}) + sum(1 for r in rows if not r[0])


# --- the fixture -------------------------------------------------------------

class StoreDashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="inspraak-sd-")
        cls.base = pick_base()
        cls.redis_port = cls.base - 1
        cls.procs, cls.logs = [], []
        cls.start_redis()
        cls.r = redis_client(cls.redis_port)
        cls.env = dict(os.environ,
                       INSPRAAK_PORT_BASE=str(cls.base),
                       INSPRAAK_REDIS_URL="redis://127.0.0.1:%d" % cls.redis_port,
                       INSPRAAK_VAR=os.path.join(cls.tmp, "var"),
                       INSPRAAK_HTTP_BIND="127.0.0.1")
        cls.storage = cls.start("storage")
        cls.dashboard = cls.start("dashboard")
        cls.dash = "http://127.0.0.1:%d" % (cls.base + 10)
        cls.push_ep = "tcp://127.0.0.1:%d" % (cls.base + 12)
        cls.events_ep = "tcp://127.0.0.1:%d" % (cls.base + 13)
        wait_until(lambda: http_get(cls.dash + "/healthz")[0] == 200, "dashboard")
        wait_until(lambda: http_get("http://127.0.0.1:%d/healthz" % (cls.base + 5))[0] == 200,
                   "storage")
        cls.token = secrets.token_urlsafe(32)
        h = hashlib.blake2b(cls.token.encode(), digest_size=32).hexdigest()
        cls.r.hset("inspraak:token:" + h, mapping={
            "name": "test", "role": "staff", "created_at": str(int(time.time() * 1000))})
        cls.ideas = cls.make_ideas()
        out = cls.inject(cls.ideas)
        assert sorted(out["ack"]) == sorted(i["id"] for i in cls.ideas), out

    @classmethod
    def start_redis(cls):
        cls.redis_proc = subprocess.Popen(
            ["redis-server", "--port", str(cls.redis_port), "--bind", "127.0.0.1",
             "--dir", cls.tmp, "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--logfile", os.path.join(cls.tmp, "redis.log")],
            stdout=subprocess.DEVNULL)

        def ping():
            r = redis_client(cls.redis_port)
            try:
                return r.ping()
            except redis.BusyLoadingError:  # "LOADING": replaying the AOF after a restart
                return False
            except redis.ConnectionError:  # not listening yet
                return False
            finally:
                r.close()
        wait_until(ping, "redis")

    @classmethod
    def start(cls, name):
        log = open(os.path.join(cls.tmp, name + ".log"), "wb")
        cls.logs.append(log)
        p = subprocess.Popen([os.path.join(BIN, name)], env=cls.env, stderr=log,
                             stdout=log)
        cls.procs.append(p)
        return p

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            p.terminate()
        codes = [p.wait(timeout=30) for p in cls.procs]
        for log in cls.logs:
            log.close()
        cls.r.close()
        cls.redis_proc.terminate()
        cls.redis_proc.wait(timeout=30)
        if any(codes) or os.environ.get("KEEP_TMP"):
            for name in ("storage", "dashboard"):
                with open(os.path.join(cls.tmp, name + ".log"), errors="replace") as f:
                    sys.stderr.write("--- %s log ---\n%s" % (name, f.read()[-4000:]))
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert codes == [0, 0], "services exited with %r on SIGTERM" % codes

    @classmethod
    def make_ideas(cls):
        out = []
        wijken = ["WK091701", "WK091702", "WK091703", None]
        themes = [["groen"], ["wonen", "mobiliteit"], ["veiligheid"], []]
        channels = ["form", "email", "transcript", "field"]
        for n in range(23):
            out.append(idea(n, wijk=wijken[n % 4], themes=themes[n % 4],
                            channel=channels[n % 4]))
        # Five ideas at the same ms: paging must not lose or repeat any.
        for n in range(23, 28):
            out.append(idea(n, received_at=T0 + 30 * 60000 + 1, wijk="WK091704"))
        out[3]["text"] = "Meer BANKJES in het Park"
        out[5]["title"] = "Parkeren bij het station"
        out[6]["source"] = {"message_id": "<abc@example.org>", "subject": "mijn idee"}
        out[6]["channel"] = "email"
        return out

    @classmethod
    def inject(cls, lines, expect_acks=True):
        text = "".join(json.dumps(l) + "\n" for l in lines)
        p = subprocess.run([os.path.join(BIN, "bus-inject"), cls.push_ep, cls.events_ep],
                           input=text.encode(), capture_output=True, timeout=120,
                           env=dict(os.environ, INJECT_TIMEOUT_S="60"))
        if expect_acks:
            assert p.returncode == 0, p.stderr.decode()
        out = {"ack": [], "stored": []}
        for line in p.stdout.decode().splitlines():
            kind, _, ident = line.partition(" ")
            out[kind].append(ident)
        return out

    def api(self, path, **params):
        url = self.dash + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        status, headers, body = http_get(url, self.token)
        return status, json.loads(body) if body.startswith(b"{") else body

    def expected(self, pred):
        sel = [i for i in self.ideas if pred(i)]
        sel.sort(key=lambda i: (i["received_at"], i["id"].encode()), reverse=True)
        return [i["id"] for i in sel]

    # --- the tests -----------------------------------------------------------

    def test_idea_fields(self):
        i = self.ideas[6]
        status, body = self.api("/api/v1/ideas/" + i["id"])
        self.assertEqual(status, 200)
        self.assertEqual(body["id"], i["id"])
        self.assertEqual(body["channel"], "email")
        self.assertEqual(body["text"], i["text"])
        self.assertEqual(body["wijk"], i["wijk"])
        self.assertEqual(body["themes"], i["themes"])
        self.assertEqual(body["status"], "new")
        self.assertEqual(body["source"]["message_id"], "<abc@example.org>")
        self.assertTrue(body["received_at"].startswith("2025-11-28T"), body["received_at"])
        for k in ("participant_id", "name", "email", "participant"):
            self.assertNotIn(k, body)

    def test_list_all_newest_first(self):
        status, body = self.api("/api/v1/ideas", limit=500)
        self.assertEqual(status, 200)
        got = [x["id"] for x in body["items"]]
        want = self.expected(lambda i: not i["id"].startswith("f-9"))
        self.assertEqual([g for g in got if g in want], want)
        self.assertIsNone(body["next_cursor"])
        self.assertEqual(body["total"], len(got))

    def walk(self, **params):
        ids, cursor, pages = [], None, 0
        while True:
            p = dict(params)
            if cursor:
                p["cursor"] = cursor
            status, body = self.api("/api/v1/ideas", **p)
            self.assertEqual(status, 200, body)
            ids += [x["id"] for x in body["items"]]
            pages += 1
            self.assertLess(pages, 100)
            cursor = body["next_cursor"]
            if not cursor:
                return ids, body["total"]

    def test_cursor_paging_all_pages(self):
        for limit in (1, 2, 3, 7):
            ids, total = self.walk(limit=limit, activity="ideeenbus", channel="form")
            want = self.expected(lambda i: i["channel"] == "form")
            self.assertEqual(ids, want, "limit %d" % limit)
            self.assertEqual(total, len(want))

    def test_paging_through_equal_timestamps(self):
        ids, total = self.walk(limit=2, wijk="WK091704")
        self.assertEqual(ids, self.expected(lambda i: i["wijk"] == "WK091704"))
        self.assertEqual(len(ids), 5)
        self.assertEqual(total, 5)

    def test_filters(self):
        cases = [
            ({"wijk": "WK091702"}, lambda i: i["wijk"] == "WK091702"),
            ({"wijk": "none"}, lambda i: i["wijk"] is None),
            ({"theme": "mobiliteit"}, lambda i: "mobiliteit" in i["themes"]),
            ({"theme": "groen", "wijk": "WK091701"},
             lambda i: "groen" in i["themes"] and i["wijk"] == "WK091701"),
            ({"channel": "transcript"}, lambda i: i["channel"] == "transcript"),
            ({"q": "bankjes"}, lambda i: "bankjes" in i["text"].lower()),
            ({"q": "PARKEREN"}, lambda i: "parkeren" in (i["title"] or "").lower()),
            ({"from": "2025-11-28T09:03:20Z", "to": "2025-11-28T09:13:20Z"},
             lambda i: T0 + 600000 <= i["received_at"] <= T0 + 1200000),
            ({"from": "2025-11-28T10:03:20+01:00", "wijk": "WK091703"},
             lambda i: i["received_at"] >= T0 + 600000 and i["wijk"] == "WK091703"),
            ({"to": "2025-11-27"}, lambda i: False),
            ({"from": "2025-11-28", "to": "2025-11-28"}, lambda i: True),
            ({"channel": "none"}, lambda i: False),
        ]
        for params, pred in cases:
            ids, total = self.walk(limit=4, **params)
            want = self.expected(lambda i: pred(i) and not i["id"].startswith("f-9"))
            self.assertEqual([x for x in ids if not x.startswith("f-9")], want, params)
            self.assertEqual(total, len(ids), params)

    def test_limit(self):
        status, body = self.api("/api/v1/ideas", limit=5)
        self.assertEqual(len(body["items"]), 5)
        self.assertIsNotNone(body["next_cursor"])
        status, body = self.api("/api/v1/ideas")
        self.assertLessEqual(len(body["items"]), 50)

    def test_bad_parameters(self):
        for params in ({"limit": "abc"}, {"limit": "0"}, {"limit": "501"},
                       {"from": "28-11-2025"}, {"to": "2025-02-30"},
                       {"cursor": "not-a-cursor!"}, {"wijk": "x" * 500},
                       # a typing error in a filter is an error, not an empty list
                       {"channel": "fax"}, {"sentiment": "blij"}, {"question": "gisteren"},
                       {"status": "weg"}, {"target_group": "toerist"},
                       {"theme": "ruimtevaart"}, {"wijk": "WK999999"}, {"wijk": "Atlantis"},
                       {"activity": "faxen"}):
            status, body = self.api("/api/v1/ideas", **params)
            self.assertEqual(status, 400, params)
            self.assertEqual(body["error"]["code"], "invalid_query")
            self.assertTrue(body["error"]["message"])
            name = list(params)[0]
            if name in ("channel", "theme", "wijk", "activity") and len(params[name]) < 100:
                self.assertIn("kennen we niet", body["error"]["message"])
                self.assertEqual(list(body["error"]["fields"]), [name])

    def test_auth(self):
        for token in (None, "wrong-token"):
            status, headers, body = http_get(self.dash + "/api/v1/ideas", token)
            self.assertEqual(status, 401)
            self.assertEqual(headers.get("WWW-Authenticate"), "Bearer")
            self.assertEqual(json.loads(body)["error"]["code"], "unauthorized")
            status, _, _ = http_get(self.dash + "/api/v1/stats?by=wijk", token)
            self.assertEqual(status, 401)
            status, _, _ = http_get(self.dash + "/api/v1/ideas/" + self.ideas[0]["id"], token)
            self.assertEqual(status, 401)

    def test_not_found(self):
        status, body = self.api("/api/v1/ideas/f-0000000000000000")
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "not_found")
        self.assertEqual(body["error"]["message"], "Dit idee bestaat niet.")

    def test_home_page(self):
        status, headers, body = http_get(self.dash + "/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["Content-Type"])
        self.assertIn(b"/api/v1/ideas", body)

    def test_stats(self):
        status, body = self.api("/api/v1/stats", by="channel")
        self.assertEqual(status, 200)
        self.assertEqual(body["by"], "channel")
        counts = body["counts"]
        self.assertEqual(counts.get("transcript"), sum(1 for i in self.ideas
                                                       if i["channel"] == "transcript"))
        status, body = self.api("/api/v1/stats", by="theme")
        self.assertEqual(body["counts"]["mobiliteit"],
                         sum(1 for i in self.ideas if "mobiliteit" in i["themes"]))
        self.assertEqual(body["counts"]["none"], sum(1 for i in self.ideas if not i["themes"]))
        status, body = self.api("/api/v1/stats", by="day")
        self.assertGreaterEqual(body["counts"]["2025-11-28"], len(self.ideas))
        self.assertEqual(body["total"], self.r.zcard("inspraak:ideas"))
        status, body = self.api("/api/v1/stats", by="email")
        self.assertEqual(status, 400)

    def test_stats_with_filters(self):
        """Staff ask "how many ideas from this wijk, per channel": the
        filters of the list count, they are never left out silently."""
        def listed(**params):
            items, cursor = [], None
            while True:
                p = dict(params, limit=500, **({"cursor": cursor} if cursor else {}))
                status, body = self.api("/api/v1/ideas", **p)
                self.assertEqual(status, 200, body)
                items += body["items"]
                cursor = body["next_cursor"]
                if not cursor:
                    return items
        cases = [("channel", {"wijk": "WK091701"}), ("theme", {"wijk": "WK091702"}),
                 ("wijk", {"channel": "transcript", "q": "idee"}),
                 ("sentiment", {"theme": "groen", "wijk": "WK091701"}),
                 ("day", {"from": "2025-11-28T09:03:20Z", "to": "2025-11-28T09:13:20Z"})]
        for by, filters in cases:
            items = listed(**filters)
            want = {}
            for it in items:
                if by == "theme":
                    values = it["themes"] or ["none"]
                elif by == "day":  # the Heerlen day (CET in November)
                    values = ["2025-11-28"]
                else:
                    values = [it[by] or "none"]
                for v in values:
                    want[v] = want.get(v, 0) + 1
            status, body = self.api("/api/v1/stats", by=by, **filters)
            self.assertEqual(status, 200, body)
            self.assertEqual(body["counts"], want, (by, filters))
            self.assertEqual(body["total"], len(items), (by, filters))
        # wijk WK091701 holds only form ideas: no other channel may appear
        status, body = self.api("/api/v1/stats", by="channel", wijk="WK091701")
        self.assertEqual(list(body["counts"]), ["form"])
        # a typing error in a filter is an error, as in the list
        status, body = self.api("/api/v1/stats", by="channel", wijk="Atlantis")
        self.assertEqual(status, 400)
        self.assertEqual(list(body["error"]["fields"]), ["wijk"])

    def test_search_accents(self):
        """Staff type "cafe" or "CAFÉ" and find every café, also inside
        a longer word ("taalcafé"), as they find "Cafe" with "cafe"."""
        texts = ["Een taalcafé in de bibliotheek", "Het repaircafe in Heksenberg",
                 "Meer IDEEËN van jongeren", "Geen koffie hier"]
        ideas = [idea(910 + k, activity="zoeken", id="f-90000000000001%02d" % k, text=t)
                 for k, t in enumerate(texts)]
        self.inject(ideas)
        for q, want in (("cafe", [0, 1]), ("café", [0, 1]), ("CAFÉ", [0, 1]),
                        ("Cafe", [0, 1]), ("ideeen", [2]), ("ideeën", [2])):
            ids, total = self.walk(activity="zoeken", q=q)
            self.assertEqual(sorted(ids), sorted(ideas[k]["id"] for k in want), q)

    def test_search_too_short(self):
        """q=é (one letter, folded to "e") listed every idea, as did "e",
        a bare accent (a dead key's q=%CC%81), "." or a quote. A search
        text with fewer than two letters or digits is refused with a 400
        that says what to type; two letters, a word in quotes and a word
        of stopwords are searched."""
        for q in ("\u00e9", "e\u0301", "e", "\u0301", " \u0301\u0308 ", ".", "?!", '"', "'",
                  '"\u00e9"', "7"):
            status, body = self.api("/api/v1/ideas", q=q)
            self.assertEqual(status, 400, repr(q))
            self.assertEqual(body["error"]["code"], "invalid_query", repr(q))
            self.assertIn("minstens twee letters of cijfers", body["error"]["message"])
            self.assertEqual(list(body["error"]["fields"]), ["q"])
        self.assertEqual(self.walk(q='"bankjes"'), self.walk(q="bankjes"))
        self.assertEqual(len(self.walk(q="bankjes")[0]), 1)
        all_ids, _ = self.walk()
        self.assertLess(len(self.walk(q="zz")[0]), len(all_ids))
        status, body = self.api("/api/v1/ideas", q="bankjes " * 40)
        self.assertEqual(status, 400)
        self.assertIn("te lang", body["error"]["message"])

    def test_search_blank(self):
        """A space typed into the search box searches nothing: the list
        stays whole (it said "0 ideeën gevonden"), and a space around
        the words changes nothing."""
        all_ids, total = self.walk()
        self.assertEqual(self.walk(q="  "), (all_ids, total))
        self.assertEqual(self.walk(q=" bankjes "), self.walk(q="bankjes"))
        self.assertEqual(len(self.walk(q=" bankjes ")[0]), 1)

    def test_duplicate_is_stored_once(self):
        i = idea(900, activity="extra", id="f-9000000000000001", wijk="WK091799")
        first = self.inject([i])
        second = self.inject([i])
        self.assertEqual(first, {"ack": [i["id"]], "stored": [i["id"]]})
        self.assertEqual(second, {"ack": [i["id"]], "stored": []})
        status, body = self.api("/api/v1/ideas", wijk="WK091799")
        self.assertEqual([x["id"] for x in body["items"]], [i["id"]])
        status, body = self.api("/api/v1/stats", by="wijk")
        self.assertEqual(body["counts"]["WK091799"], 1)

    def test_participant(self):
        a = idea(901, activity="extra", id="f-9000000000000002", participant={
            "name": "An Jansen", "email": "  An.Jansen@Example.org ",
            "consent_feedback": True, "consent_purpose": "feedback omgevingsvisie"})
        b = idea(902, activity="extra", id="f-9000000000000003", participant={
            "name": "An", "email": "an.jansen@example.org", "consent_feedback": False})
        c = idea(903, activity="extra", id="f-9000000000000004", participant={"name": "Bert"})
        self.inject([a, b, c])
        pa = self.r.get("inspraak:idea:" + a["id"])
        self.assertNotIn(b"an.jansen", pa.lower())  # no personal data in the idea
        h = hashlib.blake2b(b"an.jansen@example.org", digest_size=16).hexdigest()
        pid = self.r.get("inspraak:participant-email:" + h).decode()
        self.assertRegex(pid, r"^p-[0-9a-f]{16}$")
        rec = self.r.hgetall("inspraak:participant:" + pid)
        self.assertEqual(rec[b"email"], b"an.jansen@example.org")
        self.assertEqual(rec[b"consent_feedback"], b"1")  # b (no consent) withdrew nothing
        self.assertEqual(rec[b"consent_purpose"], b"feedback omgevingsvisie")
        members = self.r.smembers("inspraak:participant-ideas:" + pid)
        self.assertEqual(sorted(members), sorted([a["id"].encode(), b["id"].encode()]))
        want = "p-" + hashlib.blake2b(c["id"].encode(), digest_size=32).hexdigest()[:16]
        self.assertEqual(self.r.hget("inspraak:participant:" + want, "name"), b"Bert")
        self.assertEqual(self.r.hget("inspraak:participant:" + want, "consent_feedback"),
                         b"0")

    def test_people(self):
        """Staff ask "how many people from this wijk took part, and through
        which channel": /api/v1/stats with people=1 gives the people behind
        the selected ideas beside the counts, and never who they are.
        Without people=1 the answer has no people figures (they cost a walk
        over the selection)."""
        self.inject([people_idea(idea, k) for k in range(len(PEOPLE_IDEAS))])
        p = subprocess.run([os.path.join(BIN, "inspraakctl"), "participant", "erase",
                            "cas@example.nl"], env=self.env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        cases = [("channel", {}), ("wijk", {}), ("channel", {"wijk": "WK091711"}),
                 ("wijk", {"channel": "email"}), ("channel", {"status": "hidden"}),
                 ("wijk", {"q": "mensentelling", "channel": "form"})]
        for by, filters in cases:
            rows = [r for r in PEOPLE_IDEAS
                    if all({"wijk": r[1], "channel": r[2], "status": r[3] or "new"}.get(k, v)
                           == v for k, v in filters.items())]
            per = {}
            for r in rows:
                per.setdefault(r[1] if by == "wijk" else r[2], []).append(r)
            status, plain = self.api("/api/v1/stats", by=by, activity="mensen", **filters)
            self.assertEqual(status, 200, plain)
            self.assertEqual(plain["total"], len(rows), filters)
            self.assertNotIn("people", plain, filters)
            self.assertNotIn("people_counts", plain, filters)
            status, body = self.api("/api/v1/stats", by=by, activity="mensen", people=1,
                                    **filters)
            self.assertEqual(status, 200, body)
            self.assertEqual(body["counts"], plain["counts"], filters)
            self.assertEqual(body["total"], len(rows), filters)
            self.assertEqual(body["people"], people_of(rows), filters)
            self.assertEqual(body["people_counts"], {v: people_of(rs) for v, rs in per.items()},
                             (by, filters))
            text = json.dumps(body)
            for leak in ("example.nl", "Mensink", "Bakker", '"p-'):
                self.assertNotIn(leak, text)
        # Without a filter the number comes from storage's people counts and
        # the hidden ideas, not from a walk: both ways must agree.
        status, whole = self.api("/api/v1/stats", by="channel", people=1)
        status, walked = self.api("/api/v1/stats", by="channel", people=1,
                                  **{"from": "2000-01-01"})
        self.assertEqual(whole["total"], walked["total"])
        self.assertEqual(whole["people"], walked["people"])
        self.assertGreaterEqual(whole["people"], people_of(PEOPLE_IDEAS))
        self.assertNotIn("people_counts", whole)
        status, plain = self.api("/api/v1/stats", by="channel")
        self.assertEqual(plain["total"], whole["total"])
        self.assertNotIn("people", plain)

    def test_deadletter_and_keeps_running(self):
        before = self.r.llen("inspraak:deadletter")
        self.inject([{"raw": "dit is geen MessagePack"}], expect_acks=False)
        dead = {"type": "dead", "id": "f-9000000000000005", "reason": "bad_field: text is not UTF-8",
                "raw": "\u00ff garbage"}
        out = self.inject([dead])
        self.assertEqual(out["ack"], [dead["id"]])
        after = idea(904, activity="extra", id="f-9000000000000006", wijk="WK091798")
        self.assertEqual(self.inject([after])["stored"], [after["id"]])
        entries = [json.loads(e) for e in self.r.lrange("inspraak:deadletter", 0, -1)]
        self.assertEqual(len(entries), before + 2)
        codes = {e["code"] for e in entries}
        self.assertIn("bad_field", codes)
        raws = [base64.b64decode(e["raw_base64"]) for e in entries]
        self.assertIn(b"dit is geen MessagePack", raws)
        self.assertIsNone(self.storage.poll())
        status, _, _ = http_get("http://127.0.0.1:%d/healthz" % (self.base + 5))
        self.assertEqual(status, 200)
        status, _, body = http_get("http://127.0.0.1:%d/metrics" % (self.base + 5))
        self.assertIn(b"inspraak_storage_deadletter_total", body)

    def test_zz_walk_beyond_one_redis_page(self):
        """More ideas than the dashboard reads per Redis page (200), with a
        run of 250 at one ms: the walk must neither lose nor repeat any.
        Named to run last, as it adds many ideas."""
        bulk = [idea(1000 + n, activity="bulk", id="v-%016x" % (0xB000 + n),
                     channel="field", received_at=T0 - 10**7 + (n if n < 200 else 500))
                for n in range(450)]
        self.assertEqual(len(self.inject(bulk)["ack"]), 450)
        want = sorted(bulk, key=lambda i: (i["received_at"], i["id"].encode()), reverse=True)
        want = [i["id"] for i in want]
        for limit in (500, 7, 199):
            ids, total = self.walk(limit=limit, activity="bulk")
            self.assertEqual(ids, want, limit)
            self.assertEqual(total, 450)
        ids, total = self.walk(limit=60, activity="bulk", q="idee nummer")
        self.assertEqual(ids, want)
        self.assertEqual(total, 450)

    def test_zzz_redis_down_then_back(self):
        """No ack while Redis is down; the idea is stored once it is back.
        Named to run last: it restarts Redis."""
        storage_health = "http://127.0.0.1:%d/healthz" % (self.base + 5)
        self.r.close()
        self.redis_proc.terminate()
        self.redis_proc.wait(timeout=30)
        wait_until(lambda: http_get(storage_health)[0] == 503, "storage 503")
        # The reason says why, not just that (an operator reads it).
        reason = json.loads(http_get(storage_health)[2])["error"]["reason"]
        self.assertRegex(reason, r"redis does not answer: \S")
        self.assertEqual(http_get(self.dash + "/healthz")[0], 503)
        status, body = self.api("/api/v1/ideas")
        self.assertEqual(status, 503)
        self.assertEqual(body["error"]["code"], "unavailable")

        i = idea(905, activity="extra", id="f-9000000000000007", wijk="WK091797")
        inj = subprocess.Popen([os.path.join(BIN, "bus-inject"), self.push_ep, self.events_ep],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               env=dict(os.environ, INJECT_TIMEOUT_S="120"))
        inj.stdin.write((json.dumps(i) + "\n").encode())
        inj.stdin.close()

        def failed_writes():
            body = http_get("http://127.0.0.1:%d/metrics" % (self.base + 5))[2].decode()
            line = [l for l in body.splitlines()
                    if l.startswith("inspraak_storage_redis_errors_total")][0]
            return float(line.split()[-1]) > 0
        wait_until(failed_writes, "a failed write", tries=2000)
        self.assertIsNone(inj.poll())  # not acked while Redis is down

        type(self).start_redis()
        type(self).r = redis_client(self.redis_port)
        out = inj.stdout.read().decode()
        inj.stdout.close()
        self.assertEqual(inj.wait(timeout=120), 0)
        self.assertIn("ack " + i["id"], out)
        wait_until(lambda: http_get(storage_health)[0] == 200, "storage 200")
        status, body = self.api("/api/v1/ideas/" + i["id"])
        self.assertEqual(status, 200)
        # What was stored before the restart survived it (AOF, fsync always).
        status, body = self.api("/api/v1/ideas/" + self.ideas[0]["id"])
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
