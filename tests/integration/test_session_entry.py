#!/usr/bin/env python3
"""
NAME
    test_session_entry - a staff member types in the post-its of a
    session (participation plan, section 3 "Dialoog") the same evening

DESCRIPTION
    The plan names brainstorm sessions with professional stakeholders, a
    buurtenconferentie, wijkgesprekken and interventions for groups that
    are hard to reach (primary-school children, labour migrants). After
    such a session staff enter the post-its with the field app's batch API
    (device token), record the session in the activities register
    (/activiteiten) and then look for its ideas in the dashboard. Against
    real Redis and services (tests/lib/harness.py) this checks what they
    see:
      - a buurtenconferentie's post-its (target group buurtorganisatie)
        are found with activity=buurtenconferentie, exported as CSV, and
        counted under the register entry on /resultaten;
      - a session typed as "Stakeholdersessie ..." (the register's own
        spelling of the kind) is filed as stakeholder-sessie, not as a
        stop of the omgevingsvisietour, and counted under its entry;
      - an intervention at a primary school ("interventie ...") can be
        recorded in the register, its ideas are filed as interventie,
        found with activity=interventie and counted under its entry; the
        children's ideas carry no personal data.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_session_entry.py
"""
import csv
import html
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, http, main  # noqa: E402

def visible(page):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


class SessionEntryCase(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-field", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.token = c.staff_token()
        r = c.ctl("device", "add", "laptop-avond")
        if r.returncode != 0:
            raise AssertionError("inspraakctl device add: %s" % r.stderr)
        cls.device = r.stdout.strip().split()[-1]
        cls.sid = c.staff_login()

    def batch(self, activity, texts, day, target_group, prefix, wijk=None):
        """The post-its of one session as one field batch; their ids."""
        items = [{"local_id": "%s-%d" % (prefix, i), "text": t, "question": "toekomst",
                  "target_group": target_group, "collected_at": day + "T19:30:00+01:00"}
                 for i, t in enumerate(texts)]
        for it in items:
            if wijk:
                it["wijk"] = wijk
        body = {"device_id": "laptop-avond", "activity": activity, "items": items}
        st, _, data = http("POST", self.cluster.url("intake-field", "/api/v1/field/batches"),
                           json.dumps(body).encode(),
                           {"Content-Type": "application/json",
                            "Authorization": "Bearer " + self.device})
        self.assertEqual(st, 200, data[:300])
        answer = json.loads(data)
        self.assertEqual(answer["rejected"], [])
        ids = [a["id"] for a in answer["accepted"]]
        for i in ids:
            self.cluster.wait_idea(i, self.token)
        return ids

    def register(self, **fields):
        st, body = self.cluster.staff_form("/activiteiten", self.sid, fields)
        self.assertEqual(st, 303, visible(body)[-400:])

    def ideas(self, query):
        st, body = self.cluster.api("/api/v1/ideas?limit=200&" + query, self.token)
        self.assertEqual(st, 200, body)
        return body

    def step_count(self, name):
        """The number of ideas /resultaten shows under register entry NAME."""
        st, _, page = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(st, 200)
        steps = visible(page.decode().split('id="stappen"', 1)[1].split("</section>", 1)[0])
        m = re.search(re.escape(name) + r" .*? (\d+) ide", steps)
        self.assertIsNotNone(m, steps)
        return int(m.group(1))


class TestSessionEntry(SessionEntryCase):
    def test_buurtenconferentie_found_exported_and_counted(self):
        texts = ["Een buurthuis in elke wijk waar jong en oud samenkomt %d" % i
                 for i in range(40)]
        ids = self.batch("buurtenconferentie Glaspaleis 20 november", texts, "2026-11-20",
                         "buurtorganisatie", "bc")
        self.register(kind="buurtenconferentie", name="Buurtenconferentie 2026",
                      date="2026-11-20", place="Glaspaleis", people="31")
        found = self.ideas("activity=buurtenconferentie")
        self.assertEqual(sorted(i["id"] for i in found["items"]), sorted(ids))
        self.assertTrue(all(i["target_group"] == "buurtorganisatie" for i in found["items"]))
        self.assertTrue(all(i["source"]["context"] == "buurtenconferentie Glaspaleis 20 november"
                            for i in found["items"]))
        st, _, body = self.cluster.dash("GET", "/api/v1/export.csv?activity=buurtenconferentie",
                                        headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(st, 200)
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        self.assertEqual(sorted(r["id"] for r in rows), sorted(ids))
        self.assertEqual(self.step_count("Buurtenconferentie 2026"), 40)

    def test_stakeholdersessie_is_not_filed_as_a_tour_stop(self):
        # The register calls the kind "Stakeholdersessie"; staff type that
        # on the tablet. The ideas were filed as omgevingsvisietour, and the
        # session's entry on /resultaten showed 0 ideas.
        ids = self.batch("Stakeholdersessie zorg en welzijn",
                         ["Meer samenwerking tussen huisarts en wijkverpleging",
                          "Een gezondheidscentrum in Heerlen-Noord"],
                         "2026-11-18", "professional", "sh")
        for i in ids:
            self.assertEqual(self.cluster.wait_idea(i, self.token)["activity"],
                             "stakeholder-sessie")
        self.register(kind="stakeholdersessie", name="Brainstorm professionals",
                      date="2026-11-18", place="Schunck", people="24")
        self.assertEqual(self.step_count("Brainstorm professionals"), 2)

    def test_intervention_for_children_is_an_activity(self):
        # The plan's interventions for groups that are hard to reach
        # (primary-school children, labour migrants) had no activity: the
        # register refused them (only "anders", counted with no ideas) and
        # the ideas became stops of the omgevingsvisietour.
        ids = self.batch("interventie basisschool De Bron groep 7",
                         ["Een grote speeltuin met een klimrek bij school",
                          "Minder auto's bij het schoolplein",
                          "Meer bomen in de straat"],
                         "2026-11-19", "inwoner", "iv", wijk="Hoensbroek-De Dem")
        self.register(kind="interventie", name="Kinderen van De Bron denken mee",
                      date="2026-11-19", place="Basisschool De Bron", wijk="WK091712",
                      people="27")
        found = self.ideas("activity=interventie")
        self.assertEqual(sorted(i["id"] for i in found["items"]), sorted(ids))
        st, page = self.cluster.staff_page("/activiteiten", self.sid)
        self.assertIn("Interventie", visible(page))
        self.assertEqual(self.step_count("Kinderen van De Bron denken mee"), 3)
        # children: no name, no address, nothing to send a receipt to
        self.assertEqual(self.cluster.redis("KEYS", "inspraak:participant*"), [])


if __name__ == "__main__":
    main()
