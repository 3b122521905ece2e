#!/usr/bin/env python3
"""
NAME
    test_cluster_corrections - staff put an idea in another near-duplicate
    cluster, or make it its own; later ideas follow (issue 6)

DESCRIPTION
    Starts Redis, storage, two classifier instances, intake-form and the
    dashboard (tests/lib/harness.py; binaries from INSPRAAK_BIN). A toilet
    wish and a bench wish go in through the form API and get clusters of
    their own. Then, as staff would check:
      - the idea page links its cluster and offers "hoort bij" and
        "los maken";
      - "hoort bij <toilet wish>" on the bench wish: the stored idea now has
        the toilet wish's cluster, and so do two new wordings of the bench
        wish sent afterwards (one to each classifier instance, round robin):
        the classifier moved its own sketch too;
      - the cluster page lists them together;
      - `inspraakctl corrections export` gives the bench wish with
        "dup_group" (what staff chose) and what the classifier had said;
      - "los maken" on the second wording gives it its own cluster;
      - a number that is no idea, the idea's own number, and both choices
        at once are refused with a clear Dutch message and change nothing;
      - a whole group put with another group on its cluster page: every
        member moves, the next wording joins the merged group, and a
        number that is no idea or already in the group is refused; a group
        of 501 moves in two goes, the first saying there are more;
      - updates no dashboard sends (a cluster with a space, 300 bytes, a
        control character, empty; an unknown idea; a good cluster with a
        status storage refuses), pushed straight onto a
        classifier's bus port, are answered and change nothing, and both
        classifiers stay up.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, http, main  # noqa: E402

TOILET = "Er moet een openbare wc komen in het centrum van Heerlen."
SKATE = ["Er moet een skatepark komen in Hoensbroek.",
         "Wij willen een skatepark in Hoensbroek, bij het kasteel."]
HANG = ["De jongeren in Hoensbroek hebben niks te doen, ze hangen maar rond.",
        "Jongeren hangen rond in Hoensbroek omdat er niets voor ze te doen is.",
        "In Hoensbroek hangen de jongeren rond, er is niets te doen voor ze."]
BENCH = ["Meer bankjes in het Molenbergpark, om even te zitten.",
         "Graag meer bankjes in het Molenbergpark om even uit te rusten.",
         "Bankjes in het Molenbergpark graag, om te zitten en uit te rusten."]


def to_classifier(c, updates):
    """Pushes updates onto the first classifier's bus port, as the
    dashboard does (bin/bus-inject), waiting for storage's acks; returns
    the finished process (stdout has "ack <id>" for each)."""
    return subprocess.run([os.path.join(c.bin, "bus-inject"),
                           c.endpoints()["INSPRAAK_BUS_CLASSIFY"].split(",")[0],
                           c.endpoints()["INSPRAAK_BUS_EVENTS"].split(",")[0]],
                          input="".join(json.dumps(u) + "\n" for u in updates),
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, INJECT_TIMEOUT_S="30"))


class TestClusterCorrections(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")
    INSTANCES = {"classifier": 2}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token("cluster-correct")
        cls.sid = cls.cluster.staff_login("corrector", "corrector-wachtwoord-1")

    def post(self, text):
        st, body = self.cluster.post_idea(text)
        self.assertEqual(st, 201, body)
        return self.cluster.wait_idea(body["id"], self.token)

    def idea(self, idea_id):
        return self.cluster.api("/api/v1/ideas/" + urllib.parse.quote(idea_id), self.token)[1]

    def moderate(self, idea, **extra):
        """POSTs the moderation form with the idea's own labels and extra
        fields; returns (status, location, body)."""
        c = self.cluster
        st, page = c.staff_page("/ideeen/" + urllib.parse.quote(idea["id"]), self.sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = [("csrf", csrf), ("status", idea.get("status") or "new"),
                ("wijk", idea.get("wijk") or ""), ("sentiment", idea.get("sentiment") or "")]
        form += [("theme", t) for t in idea.get("themes") or []]
        form += list(extra.items())
        st, hs, body = c.dash("POST", "/ideeen/" + urllib.parse.quote(idea["id"]),
                              urllib.parse.urlencode(form),
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "inspraak_session=" + self.sid})
        return st, dict(hs).get("Location", ""), body.decode()

    def test_staff_move_and_split(self):
        c = self.cluster
        toilet = self.post(TOILET)
        bench = self.post(BENCH[0])
        self.assertEqual(toilet["cluster"], toilet["id"])
        self.assertEqual(bench["cluster"], bench["id"])

        st, page = c.staff_page("/ideeen/" + urllib.parse.quote(bench["id"]), self.sid)
        self.assertEqual(st, 200)
        self.assertIn("Hoort bij het idee met nummer", page)
        self.assertIn("Los maken", page)
        self.assertIn('href="/clusters?cluster=' + urllib.parse.quote(bench["id"]), page)

        st, loc, body = self.moderate(bench, bij=toilet["id"])
        self.assertEqual(st, 303, body[:300])
        self.assertIn("opgeslagen=1", loc)
        self.assertEqual(self.idea(bench["id"])["cluster"], toilet["id"])

        # Later wordings follow staff's choice, whichever instance takes them.
        later = [self.post(t) for t in BENCH[1:]]
        for idea in later:
            self.assertEqual(idea["cluster"], toilet["id"], idea["text"])

        st, page = c.staff_page("/clusters?cluster=" + urllib.parse.quote(toilet["id"]), self.sid)
        self.assertEqual(st, 200)
        for idea in [toilet, bench] + later:
            self.assertIn(idea["id"], page)

        r = c.ctl("corrections", "export")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = {l["id"]: l for l in map(json.loads, r.stdout.splitlines())}
        self.assertIn(bench["id"], lines)
        self.assertNotIn(toilet["id"], lines)
        self.assertEqual(lines[bench["id"]]["dup_group"], toilet["id"])
        self.assertEqual(lines[bench["id"]]["corrected"], ["dup_group"])
        self.assertEqual(lines[bench["id"]]["classified"]["cluster"], bench["id"])

        # Los maken: a cluster of its own, "<id>-los".
        st, loc, body = self.moderate(later[0], los="1")
        self.assertEqual(st, 303, body[:300])
        self.assertEqual(self.idea(later[0]["id"])["cluster"], later[0]["id"] + "-los")

        # Refused, nothing changed.
        for extra, words in (({"bij": "bestaat-niet-123"}, "geen idee met het nummer"),
                             ({"bij": bench["id"]}, "ander idee"),
                             ({"bij": toilet["id"], "los": "1"}, "Niet allebei"),
                             # a theme with a capital: the page says "kleine letters"
                             ({"theme": "Groen"}, "kleine letters")):
            idea = dict(bench, themes=[]) if "theme" in extra else bench
            st, loc, body = self.moderate(idea, **extra)
            self.assertEqual(st, 400, extra)
            self.assertIn(words, body)
        self.assertEqual(self.idea(bench["id"])["cluster"], toilet["id"])
        self.assertNotIn("Groen", self.idea(bench["id"]).get("themes") or [])

        # Los maken on the idea whose number is its group's cluster: it
        # gets "<id>-los"; los maken again (a form sent twice) keeps it on
        # its own, never back in the group of the bench wish.
        for _ in range(2):
            st, loc, body = self.moderate(self.idea(toilet["id"]), los="1")
            self.assertEqual(st, 303, body[:300])
            self.assertEqual(self.idea(toilet["id"])["cluster"], toilet["id"] + "-los")
        self.assertEqual(self.idea(bench["id"])["cluster"], toilet["id"])

    def merge(self, cluster, bij):
        c = self.cluster
        st, page = c.staff_page("/clusters?cluster=" + urllib.parse.quote(cluster), self.sid)
        self.assertEqual(st, 200)
        self.assertIn("Samenvoegen", page)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = urllib.parse.urlencode([("csrf", csrf), ("cluster", cluster), ("bij", bij)])
        st, hs, body = c.dash("POST", "/clusters", form,
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "inspraak_session=" + self.sid})
        return st, dict(hs).get("Location", ""), body.decode()

    def test_merge_whole_group(self):
        """Two groups staff see as one wish (a skatepark, and youth with
        nothing to do, in Hoensbroek) are put together from the cluster
        page: every member moves, and the next wording joins the merged
        group."""
        wc = [self.post(t) for t in SKATE]
        plas = [self.post(t) for t in HANG[:2]]
        self.assertEqual(wc[1]["cluster"], wc[0]["cluster"])
        self.assertEqual(plas[1]["cluster"], plas[0]["cluster"])
        self.assertNotEqual(plas[0]["cluster"], wc[0]["cluster"])
        st, loc, body = self.merge(plas[0]["cluster"], wc[0]["id"])
        self.assertEqual(st, 303, body[:300])
        self.assertIn("samengevoegd=2", loc)
        keep = ("status", "wijk", "sentiment", "question", "themes")
        for idea in plas:
            now = self.idea(idea["id"])
            self.assertEqual(now["cluster"], wc[0]["cluster"])
            # A cluster-only update changes nothing else.
            self.assertEqual({k: now.get(k) for k in keep}, {k: idea.get(k) for k in keep})
        st, page = self.cluster.staff_page(loc, self.sid)
        self.assertIn("2 ideeën zijn bij deze groep gezet", page)
        later = self.post(HANG[2])
        self.assertEqual(later["cluster"], wc[0]["cluster"],
                         (later["id"], [i["id"] for i in wc], [i["id"] for i in plas]))

        st, loc, body = self.merge(wc[0]["cluster"], "bestaat-niet-456")
        self.assertEqual(st, 400)
        self.assertIn("geen idee met het nummer", body)
        st, loc, body = self.merge(wc[0]["cluster"], plas[0]["id"])
        self.assertEqual(st, 400)
        self.assertIn("al in deze groep", body)
        # A group with no ideas (any more): nothing to merge, and not
        # "0 ideeën zijn bij deze groep gezet".
        st, loc, body = self.merge("groep-zonder-ideeen", wc[0]["id"])
        self.assertEqual(st, 400, loc)
        self.assertIn("geen ideeën", body)

    def test_merge_large_group_in_parts(self):
        """A group of 501 ideas (put into storage with their cluster by
        bus-inject) moves 500 at a time: the first merge says there are
        more, the second moves the last one."""
        c = self.cluster
        target = self.post("Meer afvalbakken langs de Geleenbeek, er ligt overal zwerfafval.")
        now = int(time.time() * 1000)
        lines = [json.dumps({"id": "groot-%03d" % i, "channel": "form", "received_at": now + i,
                             "text": "Idee %d over de grote groep." % i, "cluster": "groot",
                             "status": "new", "themes": ["groen"]}) for i in range(501)]
        ev = c.endpoints()
        r = subprocess.run([os.path.join(c.bin, "bus-inject"), ev["INSPRAAK_BUS_STORE"].split(",")[0],
                            ev["INSPRAAK_BUS_EVENTS"].split(",")[0]],
                           input="\n".join(lines) + "\n", capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, INJECT_TIMEOUT_S="60"))
        self.assertEqual(r.returncode, 0, r.stderr)
        st, loc, body = self.merge("groot", target["id"])
        self.assertEqual(st, 200, body[:300])
        self.assertIn("500 ideeën zijn bij de andere groep gezet", body)
        self.assertIn("nog meer", body)
        self.assertEqual(self.idea("groot-000")["cluster"], "groot")  # the oldest: not yet
        self.assertEqual(self.idea("groot-500")["cluster"], target["cluster"])
        st, loc, body = self.merge("groot", target["id"])
        self.assertEqual(st, 303, body[:300])
        self.assertIn("samengevoegd=1", loc)
        self.assertEqual(self.idea("groot-000")["cluster"], target["cluster"])

    def test_zz_bad_updates_on_the_classifier_bus(self):
        """Updates no dashboard would send, pushed straight onto a
        classifier's bus port: each is handed on and answered (storage acks
        what it refuses), nothing changes, and both classifiers stay up."""
        c = self.cluster
        idea = self.post("Een hondenspeelweide in het Aambos, waar honden los mogen lopen.")
        updates = [
            {"type": "update", "id": "u-space", "idea": idea["id"], "cluster": "met spatie"},
            {"type": "update", "id": "u-long", "idea": idea["id"], "cluster": "x" * 300},
            {"type": "update", "id": "u-ctrl", "idea": idea["id"], "cluster": "a\u0001b"},
            {"type": "update", "id": "u-none", "idea": "bestaat-niet", "cluster": "ergens"},
            {"type": "update", "id": "u-empty", "idea": idea["id"], "cluster": ""},
            # a good cluster in an update storage refuses (its status): the
            # classifier must not move the sketch either
            {"type": "update", "id": "u-status", "idea": idea["id"], "status": "bogus",
             "cluster": "elders"},
        ]
        r = to_classifier(c, updates)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for u in updates:
            self.assertIn("ack " + u["id"], r.stdout)
        self.assertEqual(self.idea(idea["id"])["cluster"], idea["cluster"])
        for i in range(c.n_instances("classifier")):
            st, _, _ = http("GET", c.url("classifier", "/healthz", i))
            self.assertEqual(st, 200)
        again = self.post("Een hondenspeelweide in het Aambos graag, waar honden los kunnen lopen.")
        self.assertEqual(again["cluster"], idea["cluster"])


if __name__ == "__main__":
    main()
