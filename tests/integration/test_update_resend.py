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

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_update_resend.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, main  # noqa: E402
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


if __name__ == "__main__":
    main()
