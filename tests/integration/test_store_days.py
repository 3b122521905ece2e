#!/usr/bin/env python3
"""
NAME
    test_store_days - the day chart counts Heerlen's days, and counts kept
    in UTC days by an older storage are rebuilt once

DESCRIPTION
    Starts Redis, storage and dashboard (tests/lib/harness.py), pushes
    classified ideas onto storage's bus with bin/bus-inject and checks what
    staff see in GET /api/v1/stats?by=day (the overview's "Per dag" chart
    and the report read the same counts):
      - an idea received at 23:30 UTC counts on the next day, in summer
        (CEST, UTC+2) and in winter (CET, UTC+1); in summer 22:30 UTC is
        already the next day, 21:30 UTC is not; in winter 22:30 UTC is not;
        each day's bar holds as many ideas as the list shows for that day
        (from=DAY&to=DAY);
      - a hidden idea leaves the report's count of its Heerlen day (the
        report and /resultaten leave hidden ideas out); the report's table
        "Per dag" names each day as the charts do ("2 augustus 2026");
      - day counts an older storage left in UTC days (and no version
        marker) are rebuilt to Heerlen's days when storage starts, by each
        of two instances starting together, with ideas arriving meanwhile
        counted once; a later start does not rebuild again;
      - the rebuild also ends when ideas lie in Heerlen's first hour of
        1970 (before 0 ms, "none" as storage files them) beside others of
        that day, as a tablet with a reset clock sends them.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_store_days.py
"""
import calendar
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402
from test_list_sort import inject, make_idea  # noqa: E402

VERSION_KEY = "inspraak:stats:day:version"


MONTHS = ("januari februari maart april mei juni juli augustus september oktober "
          "november december").split()


def dutch_day(iso):
    """"2026-08-02" as people write it: "2 augustus 2026"."""
    y, m, d = (int(x) for x in iso.split("-"))
    return "%d %s %d" % (d, MONTHS[m - 1], y)


def utc_ms(y, mo, d, h, mi):
    """Milliseconds since the epoch of that UTC wall-clock time."""
    return calendar.timegm((y, mo, d, h, mi, 0)) * 1000


class DayCase(ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token()

    def days(self):
        """What the day chart shows: {"YYYY-MM-DD": count}."""
        st, body = self.cluster.api("/api/v1/stats?by=day", self.token)
        self.assertEqual(st, 200, body)
        return body["counts"]

    def listed(self, day):
        """How many ideas the list shows for that day (Heerlen's)."""
        q = urllib.parse.urlencode({"from": day, "to": day})
        st, body = self.cluster.api("/api/v1/ideas?" + q, self.token)
        self.assertEqual(st, 200, body)
        return body["total"]

    def report_days(self):
        """The participatieverslag's table "Per dag": {day: count}. Each
        day is written as people write it ("2 augustus 2026"), as the
        charts do, with the date for programs in <time datetime>."""
        st, _, body = self.cluster.dash("GET", "/report",
                                        headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(st, 200)
        page = body.decode() if isinstance(body, bytes) else body
        table = page.split("<caption>Per dag</caption>", 1)[1].split("</table>", 1)[0]
        rows = re.findall(r'<tr><td><time datetime="([0-9]{4}-[0-9]{2}-[0-9]{2})">([^<]*)'
                          r'</time></td><td>([0-9]+)</td></tr>', table)
        self.assertEqual(len(rows), table.count("<tr><td>"), table)
        for iso, shown, _ in rows:
            self.assertEqual(shown, dutch_day(iso))
        return {iso: int(n) for iso, _, n in rows}

    def assert_bars(self, want):
        counts = self.days()
        for day, n in want.items():
            self.assertEqual(counts.get(day, 0), n, "bar of %s in %r" % (day, counts))
            self.assertEqual(self.listed(day), n, "list of %s" % day)


class TestHeerlenDays(DayCase):
    def test_summer_half_past_midnight_is_the_next_day(self):
        inject(self.cluster, [make_idea(100, received_at=utc_ms(2026, 7, 14, 23, 30))])
        self.assert_bars({"2026-07-14": 0, "2026-07-15": 1})

    def test_winter_half_past_midnight_is_the_next_day(self):
        # 22:30 UTC is 23:30 in Heerlen in winter: still that day.
        inject(self.cluster, [make_idea(110, received_at=utc_ms(2026, 1, 14, 23, 30)),
                              make_idea(111, received_at=utc_ms(2026, 1, 14, 22, 30))])
        self.assert_bars({"2026-01-14": 1, "2026-01-15": 1})

    def test_summer_evening_splits_at_heerlen_midnight(self):
        # 21:30 UTC is 23:30 in Heerlen: its day; 22:30 UTC is 00:30: the next.
        inject(self.cluster, [make_idea(120, received_at=utc_ms(2026, 7, 20, 21, 30)),
                              make_idea(121, received_at=utc_ms(2026, 7, 20, 22, 30))])
        self.assert_bars({"2026-07-20": 1, "2026-07-21": 1})

    def test_hidden_idea_leaves_its_heerlen_day(self):
        late, noon = make_idea(130, received_at=utc_ms(2026, 8, 1, 22, 45)), \
            make_idea(131, received_at=utc_ms(2026, 8, 2, 10, 0))
        inject(self.cluster, [late, noon])
        self.assert_bars({"2026-08-01": 0, "2026-08-02": 2})
        self.assertEqual(self.report_days().get("2026-08-02"), 2)
        inject(self.cluster, [{"type": "update", "id": "u-days-130", "idea": late["id"],
                               "status": "hidden"}])
        # The report counts what is not hidden.
        report = self.report_days()
        self.assertEqual(report.get("2026-08-02"), 1, report)
        self.assertNotIn("2026-08-01", report)


class TestDayChartTitle(DayCase):
    def test_title_says_the_days_are_days_with_ideas(self):
        # Ideas on 40 days, one week apart: the chart on /resultaten shows
        # the newest 31 of those days (30 weeks), and its title said "de
        # laatste 31 dagen", which a reader takes for the last month.
        days = [utc_ms(2025, 1, 6, 12, 0) + k * 7 * 86400000 for k in range(40)]
        inject(self.cluster, [make_idea(400 + k, received_at=t) for k, t in enumerate(days)])
        st, _, body = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(st, 200)
        page = body.decode()
        title = re.search(r"<svg[^>]*><title>(Ideeën per dag[^<]*)</title>", page)
        self.assertIsNotNone(title, page[-3000:])
        self.assertEqual(title.group(1), "Ideeën per dag, de laatste 31 dagen met ideeën")
        chart = page[title.end():].split("</svg>", 1)[0]
        self.assertEqual(len(re.findall(r"<g><title>", chart)), 31)


class TestDayRebuild(DayCase):
    """A Redis written by an older storage: UTC day counts, no marker."""
    INSTANCES = {"storage": 2}

    OLD = [make_idea(200, received_at=utc_ms(2026, 7, 14, 23, 30)),  # Heerlen 15 July
           make_idea(201, received_at=utc_ms(2026, 7, 14, 12, 0)),   # 14 July
           make_idea(202, received_at=utc_ms(2026, 1, 14, 23, 30)),  # 15 January
           make_idea(203, received_at=utc_ms(2026, 1, 14, 22, 30))]  # 14 January
    UTC_COUNTS = {"2026-07-14": 2, "2026-01-14": 2}
    HEERLEN = {"2026-07-14": 1, "2026-07-15": 1, "2026-01-14": 1, "2026-01-15": 1}

    def restart_storage(self):
        c = self.cluster
        old = [(n, c.kill9(n)) for n in ("storage", "storage.1")]
        return lambda: [c.wait_restarted(n, pid) for n, pid in old]

    def test_utc_counts_rebuilt_once(self):
        c = self.cluster
        inject(c, self.OLD)
        c.redis("DEL", "inspraak:stats:day", VERSION_KEY)
        for day, n in self.UTC_COUNTS.items():
            c.redis("HSET", "inspraak:stats:day", day, str(n))
        self.assertEqual(self.days(), self.UTC_COUNTS)

        # Both instances start on the old counts while ideas keep coming.
        wait = self.restart_storage()
        during = [make_idea(210, received_at=utc_ms(2026, 7, 15, 22, 10)),  # 16 July
                  make_idea(211, received_at=utc_ms(2026, 7, 14, 22, 5))]   # 15 July
        inject(c, during)
        wait()
        want = dict(self.HEERLEN, **{"2026-07-15": 2, "2026-07-16": 1})
        wait_until("day counts in Heerlen days", lambda: self.days() == want, 60)
        self.assert_bars(want)
        self.assertEqual(c.redis("GET", VERSION_KEY), "2")

        # Once: a later start leaves the counts alone (a rebuild would
        # drop this hand-made field), and new ideas count once. An idea
        # through each instance: both have passed their start by its ack.
        c.redis("HSET", "inspraak:stats:day", "1999-12-31", "1")
        wait = self.restart_storage()
        wait()
        inject(c, [make_idea(220, received_at=utc_ms(2026, 7, 15, 23, 59))])  # 16 July
        inject(c, [make_idea(221, received_at=utc_ms(2026, 1, 15, 0, 0))], instance=1)
        want.update({"2026-07-16": 2, "2026-01-15": 2, "1999-12-31": 1})
        self.assertEqual(self.days(), want)


class TestDayRebuildAtTheEpoch(DayCase):
    """The days before and after 0 ms share Heerlen's 1 January 1970."""

    def test_rebuild_ends_with_ideas_around_0_ms(self):
        c = self.cluster
        # 00:30 and 02:00 on 1 January 1970 in Heerlen (CET, UTC+1): the
        # first is before 0 ms, so storage files it under "none".
        inject(c, [make_idea(300, received_at=-1800000), make_idea(301, received_at=3600000)])
        want = {"none": 1, "1970-01-01": 1}
        self.assertEqual(self.days(), want)
        c.redis("DEL", VERSION_KEY)  # as an older storage left it
        c.wait_restarted("storage", c.kill9("storage"))
        wait_until("the day counts rebuilt", lambda: c.redis("GET", VERSION_KEY) == "2", 60)
        self.assertEqual(self.days(), want)


if __name__ == "__main__":
    main()
