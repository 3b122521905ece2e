#!/usr/bin/env python3
"""
NAME
    test_moderation_themes - the idea page's correction form takes only
    themes of the theme list (data/nl/themes.tsv), and the idea's own

DESCRIPTION
    Starts Redis, storage and the dashboard (tests/lib/harness.py;
    binaries from INSPRAAK_BIN). An idea classified under an older theme
    list ("voorzieningen", since removed from the file) is written in the
    agreed layout (docs/redis.md, MessagePack by tests/lib/mpack.py). A
    staff member then:
      - sends a made-up theme (a crafted POST; the form offers no such
        choice): refused with a Dutch message naming the list, the idea
        unchanged;
      - saves the form as the page shows it, with the idea's old theme:
        saved (it stays choosable on the page);
      - picks themes from the list: saved.

Usage: INSPRAAK_BIN=build/asan/bin INSPRAAK_DATA=$PWD/data \
       python3 tests/integration/test_moderation_themes.py
"""
import os
import re
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ClusterTestCase, main  # noqa: E402
from test_dashboard_ui import FORM, header, req  # noqa: E402
from test_inspraakctl import idea_record  # noqa: E402

IDEA = "f-0000000000000e01"


class TestModerationThemes(ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        rec = idea_record(IDEA, None, "Een buurthuis met een bibliotheek", "WK091711",
                          themes=("voorzieningen",))
        subprocess.run(["redis-cli", "-p", str(c.redis_port), "-x", "SET",
                        "inspraak:idea:" + IDEA], input=rec, capture_output=True, check=True)
        cls.token = c.staff_token()
        cls.sid = c.staff_login("moderator", "moderator-wachtwoord")

    def themes(self):
        st, item = self.cluster.api("/api/v1/ideas/" + IDEA, self.token)
        self.assertEqual(st, 200, item)
        return item["themes"]

    def send(self, themes):
        """The form as the page shows it, with these themes; (status, page)."""
        _, page = self.cluster.staff_page("/ideeen/" + IDEA, self.sid)
        form = [(k, v) for k, v in re.findall(r'name="(csrf|was)" value="([^"]*)"', page)]
        form += [("status", "approved"), ("wijk", "WK091711"), ("sentiment", "neutraal"),
                 ("question", "toekomst")] + [("theme", t) for t in themes]
        st, hs, body = req(self.cluster, "POST", "/ideeen/" + IDEA, urllib.parse.urlencode(form),
                           dict(FORM, Cookie="inspraak_session=" + self.sid))
        if st == 303:
            self.assertIn("opgeslagen=1", header(hs, "Location")[0])
        return st, body.decode()

    def test_1_a_made_up_theme_is_refused_in_dutch(self):
        for made_up in (("ruimtevaart",), ("voorzieningen", "ruimtevaart")):
            st, page = self.send(made_up)
            self.assertEqual(st, 400, page[:600])
            self.assertIn("staat niet in de lijst", page)
            self.assertEqual(self.themes(), ["voorzieningen"])

    def test_2_the_ideas_own_old_theme_is_kept(self):
        _, page = self.cluster.staff_page("/ideeen/" + IDEA, self.sid)
        first = re.search(r'<select id="m-theme0" name="theme">(.*?)</select>', page, re.S)
        self.assertIn('<option value="voorzieningen" selected>', first.group(1))
        st, page = self.send(("voorzieningen", "groen"))
        self.assertEqual(st, 303, page[:600])
        self.assertEqual(self.themes(), ["voorzieningen", "groen"])

    def test_3_themes_of_the_list_are_saved(self):
        st, page = self.send(("wonen", "openbare-ruimte"))
        self.assertEqual(st, 303, page[:600])
        self.assertEqual(self.themes(), ["wonen", "openbare-ruimte"])


if __name__ == "__main__":
    main()
