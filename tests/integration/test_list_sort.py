#!/usr/bin/env python3
"""
NAME
    test_list_sort - the idea list's order (sort=nieuw|oud) with cursor
    paging, and exact two-filter totals from storage's pair counts

DESCRIPTION
    Starts Redis, storage and dashboard (tests/lib/harness.py), pushes
    classified ideas onto storage's bus with bin/bus-inject and checks, as
    an API client and a staff member would:
      - every page of GET /api/v1/ideas, followed by next_cursor, gives
        each matching idea once, in received_at order (then id), for both
        orders, with and without filters, through a group of ideas with
        the same ms; a cursor of one order is refused with the other;
      - export.csv and export.json follow the chosen order;
      - the "total" of every two-filter combination equals a count over
        the ideas themselves, and equals the pair hash storage keeps;
        sending every idea again changes no total;
      - moderation that changes status, wijk, sentiment and themes moves
        the pair counts with it (totals exact right after the ack);
      - /ideeen has a Volgorde choice in its GET form; the next-page link
        keeps the order and the filters.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_list_sort.py
"""
import csv
import io
import itertools
import json
import os
import re
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402

T0 = 1764320000000
WIJKEN = ["WK091701", "WK091702", "WK091703", None]
THEMES = [["groen"], ["wonen", "mobiliteit"], ["veiligheid"], [], ["groen", "wonen"]]
SENTIMENTS = ["positief", "neutraal", "negatief"]
CHANNELS = ["form", "email", "transcript", "field"]
DIMS = ["wijk", "theme", "channel", "sentiment", "question", "target_group", "status",
        "activity"]


def make_idea(n, **kw):
    d = {"id": "s-%016x" % (0x5000 + n), "channel": CHANNELS[n % 4], "activity": "ideeenbus",
         "target_group": "inwoner" if n % 3 else "professional",
         "received_at": T0 + (n % 17) * 60000, "text": "Sorteeridee %d" % n, "title": None,
         "wijk": WIJKEN[n % 4], "question": "nu" if n % 2 else "toekomst",
         "themes": THEMES[n % 5], "sentiment": SENTIMENTS[n % 3], "language": "nl"}
    d.update(kw)
    return d


def inject(c, ideas, instance=0):
    """Puts classified ideas on the bus of storage instance `instance`
    (bin/bus-inject) and waits for every ack."""
    text = "".join(json.dumps(i) + "\n" for i in ideas)
    p = subprocess.run([os.path.join(c.bin, "bus-inject"),
                        "tcp://127.0.0.1:%d" % (c.base + 20 * instance + 12),
                        "tcp://127.0.0.1:%d" % (c.base + 20 * instance + 13)],
                       input=text.encode(), capture_output=True, timeout=120,
                       env=dict(os.environ, INJECT_TIMEOUT_S="60"))
    assert p.returncode == 0, p.stderr.decode()
    acks = [l.split(" ", 1)[1] for l in p.stdout.decode().splitlines()
            if l.startswith("ack ")]
    assert sorted(acks) == sorted(i["id"] for i in ideas), p.stdout


def values(idea, dim):
    """The index values of a dimension, as storage counts them."""
    if dim == "theme":
        return idea["themes"] or ["none"]
    v = idea.get(dim)
    if dim == "status" and not v:
        v = "new"
    return [v or "none"]


class TestListSort(ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.token = c.staff_token()
        # 40 ideas; received_at repeats (n % 17), so groups of equal ms
        # must be paged by id.
        cls.ideas = {i["id"]: i for i in (make_idea(n) for n in range(40))}
        cls.inject(list(cls.ideas.values()))

    @classmethod
    def inject(cls, ideas):
        inject(cls.cluster, ideas)

    # --- helpers ---
    def api(self, path, **params):
        st, body = self.cluster.api(path + "?" + urllib.parse.urlencode(params), self.token)
        return st, body

    def walk(self, **params):
        ids, cursor, total = [], None, None
        for _ in range(100):
            p = dict(params)
            if cursor:
                p["cursor"] = cursor
            st, body = self.api("/api/v1/ideas", **p)
            self.assertEqual(st, 200, body)
            total = body["total"] if total is None else total
            ids += [i["id"] for i in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                return ids, total
        self.fail("paging never ended")

    def expected(self, pred, oldest_first):
        sel = [i for i in self.ideas.values() if pred(i)]
        sel.sort(key=lambda i: (i["received_at"], i["id"].encode()), reverse=not oldest_first)
        return [i["id"] for i in sel]

    def count(self, filters):
        return sum(1 for i in self.ideas.values()
                   if all(v in values(i, d) for d, v in filters.items()))

    def check_pair_totals(self):
        redis = self.cluster.redis
        self.assertEqual(int(redis("HGET", "inspraak:pair:counted", "ideas")),
                         redis("ZCARD", "inspraak:ideas"))
        for a, b in itertools.combinations(["wijk", "theme", "channel", "sentiment", "status"], 2):
            va = sorted({v for i in self.ideas.values() for v in values(i, a)})
            vb = sorted({v for i in self.ideas.values() for v in values(i, b)})
            for x, y in itertools.product(va, vb):
                want = self.count({a: x, b: y})
                st, body = self.api("/api/v1/ideas", **{a: x, b: y, "limit": 1})
                self.assertEqual(st, 200)
                self.assertEqual(body["total"], want, "%s=%s %s=%s" % (a, x, b, y))
                stored = redis("HGET", "inspraak:pair:%s:%s" % (a, b), "%s\x1f%s" % (x, y))
                self.assertEqual(int(stored or 0), want, "pair hash %s=%s %s=%s" % (a, x, b, y))

    # --- order and paging ---
    def test_both_orders_page_through_everything(self):
        for sort, oldest in (("nieuw", False), ("oud", True)):
            for filters, pred in (({}, lambda i: True),
                                  ({"wijk": "WK091701"}, lambda i: i["wijk"] == "WK091701"),
                                  ({"theme": "groen", "question": "nu"},
                                   lambda i: "groen" in i["themes"] and i["question"] == "nu")):
                for limit in (1, 3, 7):
                    ids, total = self.walk(sort=sort, limit=limit, **filters)
                    want = self.expected(pred, oldest)
                    self.assertEqual(ids, want, "sort=%s %r limit %d" % (sort, filters, limit))
                    self.assertEqual(total, len(want))

    def test_default_is_newest_first(self):
        self.assertEqual(self.walk(limit=5)[0], self.walk(sort="nieuw", limit=5)[0])

    def test_time_range_oldest_first(self):
        lo, hi = T0 + 3 * 60000, T0 + 9 * 60000
        fmt = lambda ms: "%sZ" % __import__("datetime").datetime.utcfromtimestamp(
            ms / 1000).strftime("%Y-%m-%dT%H:%M:%S")
        ids, total = self.walk(sort="oud", limit=4, **{"from": fmt(lo), "to": fmt(hi)})
        self.assertEqual(ids, self.expected(lambda i: lo <= i["received_at"] <= hi, True))

    def test_cursor_belongs_to_its_order(self):
        st, body = self.api("/api/v1/ideas", sort="oud", limit=2)
        self.assertEqual(st, 200)
        st, err = self.api("/api/v1/ideas", sort="nieuw", limit=2, cursor=body["next_cursor"])
        self.assertEqual(st, 400)
        self.assertIn("sortering", err["error"]["message"])
        st, body = self.api("/api/v1/ideas", limit=2)
        st, err = self.api("/api/v1/ideas", sort="oud", limit=2, cursor=body["next_cursor"])
        self.assertEqual(st, 400)

    def test_bad_sort(self):
        st, err = self.api("/api/v1/ideas", sort="random")
        self.assertEqual(st, 400)
        self.assertEqual(err["error"]["code"], "invalid_query")
        self.assertIn("sort", err["error"]["fields"])

    def test_exports_follow_the_order(self):
        for sort, oldest in (("nieuw", False), ("oud", True)):
            want = self.expected(lambda i: i["channel"] == "form", oldest)
            st, body = self.api("/api/v1/export.json", sort=sort, channel="form")
            self.assertEqual(st, 200)
            self.assertEqual([i["id"] for i in body], want)
            from harness import http
            st, _, raw = http("GET", self.cluster.url(
                "dashboard", "/api/v1/export.csv?sort=%s&channel=form" % sort),
                headers={"Authorization": "Bearer " + self.token})
            self.assertEqual(st, 200)
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            self.assertEqual([r["id"] for r in rows], want)

    # --- totals ---
    def test_a_two_filter_totals_exact_and_replay_counts_once(self):
        self.check_pair_totals()
        # The same ideas again (a replay after a lost ack): nothing counted twice.
        self.inject(list(self.ideas.values())[:25])
        self.check_pair_totals()

    def moderate(self, sid, idea_id, status, wijk, sentiment, themes):
        c = self.cluster
        st, page = c.staff_page("/ideeen/" + idea_id, sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = [("csrf", csrf), ("status", status), ("wijk", wijk),
                ("sentiment", sentiment)] + [("theme", t) for t in themes]
        st, hs, body = c.dash("POST", "/ideeen/" + idea_id, urllib.parse.urlencode(form),
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, 303, body[:300])
        self.assertIn("opgeslagen=1", dict(hs).get("Location", ""))

    def test_b_totals_follow_moderation(self):
        sid = self.cluster.staff_login("sorteer", "sorteer-wachtwoord-1")
        changes = [("s-%016x" % 0x5000, "hidden", "WK091711", "negatief", ["wonen", "zorg"]),
                   ("s-%016x" % 0x5005, "approved", "", "", []),
                   ("s-%016x" % 0x5007, "approved", "WK091712", "positief", ["groen"])]
        for idea_id, status, wijk, sentiment, themes in changes:
            self.moderate(sid, idea_id, status, wijk, sentiment, themes)
            self.ideas[idea_id].update(status=status, wijk=wijk or None,
                                       sentiment=sentiment or None, themes=themes)
        self.check_pair_totals()
        # The same update again (the dashboard re-sends until it sees the
        # ack) moves nothing.
        self.moderate(sid, *changes[0])
        self.check_pair_totals()
        st, body = self.api("/api/v1/ideas", wijk="WK091711", status="hidden")
        self.assertEqual(body["total"], 1)

    # --- the staff page ---
    def test_ui_sort_choice_keeps_filters_and_order(self):
        c = self.cluster
        sid = c.staff_login("lijst", "lijst-wachtwoord-1")
        st, page = c.staff_page("/ideeen", sid)
        self.assertEqual(st, 200)
        self.assertRegex(page, r'<select id="f-sort" name="sort">')
        self.assertIn('<option value="oud">Oudste eerst</option>', page)
        self.assertIn("nieuwste eerst", page)
        st, page = c.staff_page("/ideeen?sort=oud&channel=form&limit=2", sid)
        self.assertEqual(st, 200)
        self.assertIn('<option value="oud" selected>', page)
        self.assertIn("Ideeën, oudste eerst", page)
        want = self.expected(lambda i: i["channel"] == "form", True)
        seen = []
        for _ in range(50):
            seen += re.findall(r'<a dir="auto" href="/ideeen/([^"]+)">', page)
            m = re.search(r'<a rel="next" href="([^"]+)">', page)
            if not m:
                break
            link = m.group(1).replace("&amp;", "&")
            self.assertIn("sort=oud", link)
            self.assertIn("channel=form", link)
            st, page = c.staff_page(link, sid)
            self.assertEqual(st, 200)
        self.assertEqual(seen, want)
        # The CSV link carries the order too.
        self.assertRegex(page, r'export\.csv\?[^"]*sort=oud')


class TestLocalTimes(ClusterTestCase):
    """Staff read times as the clock on the wall in Heerlen shows them
    (Europe/Amsterdam, winter and summer time), not UTC: an idea sent at
    half past midnight belongs to that day."""
    SERVICES = ("storage", "dashboard")

    # 2026-01-15 23:30 UTC is 00:30 the next day in winter (CET, +1);
    # 2026-07-01 22:15 UTC is 00:15 the next day in summer (CEST, +2).
    WINTER, SUMMER = 1768519800000, 1782944100000

    def test_list_and_idea_show_heerlen_time(self):
        c = self.cluster
        ideas = [make_idea(900, received_at=self.WINTER, text="Winteridee"),
                 make_idea(901, received_at=self.SUMMER, text="Zomeridee")]
        inject(c, ideas)
        sid = c.staff_login("tijd", "tijd-wachtwoord-1")
        st, page = c.staff_page("/ideeen?sort=oud", sid)
        self.assertEqual(st, 200)
        self.assertIn("16-01-2026 00:30", page)
        self.assertIn("02-07-2026 00:15", page)
        self.assertNotIn("2026-01-15T23:30", page)
        st, page = c.staff_page("/ideeen/" + ideas[0]["id"], sid)
        self.assertEqual(st, 200)
        self.assertIn("16-01-2026 00:30", page)
        # the date filter means the same day as the page shows
        st, page = c.staff_page("/ideeen?from=2026-01-16&to=2026-01-16", sid)
        self.assertEqual(st, 200)
        self.assertIn("Winteridee", page)
        self.assertNotIn("Zomeridee", page)
        st, body = c.api("/api/v1/ideas?from=2026-07-02&to=2026-07-02", c.staff_token())
        self.assertEqual(st, 200, body)
        self.assertEqual([i["id"] for i in body["items"]], [ideas[1]["id"]])
        st, body = c.api("/api/v1/ideas?to=2026-01-15", c.staff_token())
        self.assertEqual((st, body["items"]), (200, []))


if __name__ == "__main__":
    main()
