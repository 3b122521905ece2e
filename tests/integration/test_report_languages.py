#!/usr/bin/env python3
"""
NAME
    test_report_languages - the participatieverslag (/report, also the
    PDF's page) and /resultaten say how many ideas came in each language
    other than Dutch

DESCRIPTION
    The participation plan wants to reach labour migrants and other groups
    that are hard to reach, and the council reads the report to see who
    took part. Against real Redis, storage and dashboard
    (tests/lib/harness.py), ideas classified as nl, pl, ar and en are put
    on storage's bus (bin/bus-inject), one Polish idea hidden by staff;
    both pages then name the other languages in Dutch with their counts
    ("Pools (2 ideeën), Arabisch (1 idee) en Engels (1 idee)"), the hidden
    idea left out as in every count, and the report's appendix has the
    table "Taal". Nothing about the people is shown: only counts.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main  # noqa: E402
from test_list_sort import inject, make_idea  # noqa: E402
from test_report import visible  # noqa: E402

LANGS = ["nl", "nl", "nl", "pl", "pl", "ar", "en"]


class TestReportLanguages(ClusterTestCase):
    SERVICES = ("storage", "dashboard")
    ENV = {"INSPRAAK_PUBLIC_CACHE_S": "0"}  # every visit renders the page

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token()
        ideas = [make_idea(n, language=lang, status="approved") for n, lang in enumerate(LANGS)]
        # a Polish idea staff hid: left out of every count
        ideas.append(make_idea(len(LANGS), language="pl", status="hidden"))
        inject(cls.cluster, ideas)

    def report(self):
        st, _, body = self.cluster.dash("GET", "/report", headers={
            "Authorization": "Bearer " + self.token})
        self.assertEqual(st, 200, body[:300])
        return body.decode() if isinstance(body, bytes) else body

    def results(self):
        st, _, body = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(st, 200)
        return body.decode() if isinstance(body, bytes) else body

    def test_other_languages_are_counted(self):
        want = ("In een andere taal dan het Nederlands kwamen 4 ideeën binnen: "
                "Pools (2 ideeën), Arabisch (1 idee) en Engels (1 idee).")
        self.assertIn(want, visible(self.report()))
        # Not on /resultaten: taking the hidden ideas off reads their
        # records, and a visit there reads counters only (test_reach).
        self.assertNotIn("In een andere taal", visible(self.results()))

    def test_report_appendix_has_languages(self):
        text = visible(self.report())
        self.assertIn("Taal", text)
        appendix = text[text.index("Bijlage: alle aantallen"):]
        table = appendix[appendix.index("Taal"):]
        for row in ("Nederlands 3", "Pools 2", "Arabisch 1", "Engels 1"):
            self.assertIn(row, table[:400])


if __name__ == "__main__":
    main()
