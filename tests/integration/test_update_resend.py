#!/usr/bin/env python3
"""
NAME
    test_update_resend - a late copy of an earlier save does not undo a
    later one

DESCRIPTION
    The dashboard and inspraakctl re-send an update not yet acknowledged
    (common/bus_update.c: after 50 ms, doubling up to a second), with the
    same envelope id. With two classifiers or two storages
    (docs/operations.md) a copy can wait in a busy instance's queue and
    reach storage after staff saved the idea again. Starts Redis, storage
    and dashboard (tests/lib/harness.py), pushes with bin/bus-inject an
    idea, a save (approved, envelope id m-first), a second save (hidden,
    m-second) and then the late copy of the first (m-first again), and
    checks that the idea is still hidden, as staff last saved it, and that
    the copy was acknowledged (so no sender waits for it).

    The same for a move to another near-duplicate cluster, which goes
    through the classifier (services/classifier/cluster_correct.c): a bench
    wish is put with a toilet wish (m-move), then made its own (m-los),
    then the late copy of m-move comes; the idea stays on its own, and a
    new wording of the bench wish joins it there, not the toilet wish (the
    classifier's sketch must not take the late copy either).

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_update_resend.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main  # noqa: E402
from test_cluster_corrections import BENCH, TOILET, to_classifier  # noqa: E402
from test_list_sort import inject, make_idea  # noqa: E402


class TestLateResend(ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    def status(self, token, idea_id):
        st, body = self.cluster.api("/api/v1/ideas/" + idea_id, token)
        self.assertEqual(st, 200, body)
        return body["status"]

    def test_a_late_copy_of_an_earlier_save_does_not_undo_a_later_one(self):
        c = self.cluster
        token = c.staff_token()
        idea = make_idea(700)
        inject(c, [idea])
        first = {"type": "update", "id": "m-first", "idea": idea["id"], "status": "approved"}
        inject(c, [first])
        self.assertEqual(self.status(token, idea["id"]), "approved")
        inject(c, [{"type": "update", "id": "m-second", "idea": idea["id"], "status": "hidden"}])
        self.assertEqual(self.status(token, idea["id"]), "hidden")
        inject(c, [first])  # the copy, late; inject() asserts its ack
        self.assertEqual(self.status(token, idea["id"]), "hidden")


class TestLateClusterMove(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    def post(self, token, text):
        st, body = self.cluster.post_idea(text)
        self.assertEqual(st, 201, body)
        return self.cluster.wait_idea(body["id"], token)

    def to_classifier(self, updates):
        r = to_classifier(self.cluster, updates)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for u in updates:
            self.assertIn("ack " + u["id"], r.stdout)

    def test_a_late_copy_of_a_cluster_move_does_not_undo_a_later_one(self):
        c = self.cluster
        token = c.staff_token()
        toilet = self.post(token, TOILET)
        bench = self.post(token, BENCH[0])
        self.assertEqual(bench["cluster"], bench["id"])
        own = bench["id"] + "-los"
        move = {"type": "update", "id": "m-move", "idea": bench["id"], "cluster": toilet["id"]}
        self.to_classifier([move])
        self.to_classifier([{"type": "update", "id": "m-los", "idea": bench["id"],
                             "cluster": own}])
        self.to_classifier([move])  # the copy, late
        st, body = c.api("/api/v1/ideas/" + bench["id"], token)
        self.assertEqual(body["cluster"], own)
        self.assertEqual(self.post(token, BENCH[1])["cluster"], own)


if __name__ == "__main__":
    main()
