#!/usr/bin/env python3
"""
NAME
    test_dutch_numbers - counts above 999 on the pages people read are
    written the Dutch way ("1.050 ideeën"); what programs read keeps digits

DESCRIPTION
    Starts Redis, storage and dashboard (tests/lib/harness.py), puts 1,050
    classified ideas onto storage's bus at once with bin/bus-inject (all
    from the form, about one wijk and one theme, so each total passes 999)
    and reads the participatieverslag (/report), /resultaten and the staff
    pages / and /ideeen as their readers would: every count is "1.050",
    never "1050". The JSON API and the CSV export keep 1050 and plain
    digits: programs read those. services/dashboard/num_nl.c writes the
    numbers; tests/unit/test_dashboard_num.c checks it on its own.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_dutch_numbers.py
"""
import csv
import io
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main  # noqa: E402
from test_list_sort import inject, make_idea  # noqa: E402
from test_report import visible  # noqa: E402

N = 1050
WIJK = "WK091701"


class TestDutchNumbers(ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        inject(cls.cluster, [make_idea(n, channel="form", wijk=WIJK, themes=["groen"])
                             for n in range(N)])
        cls.sid = cls.cluster.staff_login()

    def page(self, path):
        st, _, body = self.cluster.dash("GET", path, headers={
            "Cookie": "inspraak_session=" + self.sid})
        self.assertEqual(st, 200, body[:300])
        return visible(body.decode())

    def assertNoPlainCount(self, name, text):
        self.assertIsNone(re.search(r"\b%d\b" % N, text),
                          "%s writes %d without a dot: %s" % (
                              name, N, re.findall(r".{60}\b%d\b.{30}" % N, text)[:3]))

    def test_report(self):
        text = self.page("/report")
        for want in ("In totaal kwamen 1.050 ideeën binnen.",
                     "(1.050 ideeën, van ongeveer 1.050 mensen)",  # the wijk's heading
                     "ongeveer 1.050 mensen deden mee",
                     "Samen gaven zij 1.050 ideeën.",
                     "Bij 1.050 ideeën weten we niet wie ze gaf.",
                     "Ideeënbus online: 1.050 ideeën",
                     "Groen, natuur & water (1.050 ideeën)"):  # the theme's heading
            self.assertIn(want, text)
        # the figures under the charts (channel, wijk, theme): "1.050" in a cell
        self.assertGreaterEqual(text.count(" 1.050 "), 10, text)
        self.assertNoPlainCount("/report", text)

    def test_resultaten(self):
        st, _, body = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(st, 200)
        text = visible(body.decode())
        for want in ("ongeveer 1.050 mensen deden mee", "Samen gaven zij 1.050 ideeën.",
                     "Ideeënbus online: 1.050 ideeën",
                     "In cijfers 1.050 ideeën", "Ideeënbus online: 1.050 Ideeënbus online 1.050"):
            self.assertIn(want, text)
        self.assertNoPlainCount("/resultaten", text)

    def test_staff_pages(self):
        text = self.page("/")
        self.assertIn("1.050 ideeën", text)
        self.assertNoPlainCount("/", text)
        text = self.page("/ideeen?mensen=1")
        self.assertIn("1.050 ideeën gevonden, van ongeveer 1.050 mensen", text)
        self.assertNoPlainCount("/ideeen", text)

    def test_programs_keep_plain_numbers(self):
        token = self.cluster.staff_token()
        st, body = self.cluster.api("/api/v1/stats?by=wijk", token)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["total"], N)
        self.assertEqual(body["counts"][WIJK], N)
        st, _, raw = self.cluster.dash("GET", "/api/v1/export.csv",
                                       headers={"Authorization": "Bearer " + token})
        self.assertEqual(st, 200)
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        self.assertEqual(len(rows), N)


if __name__ == "__main__":
    main()
