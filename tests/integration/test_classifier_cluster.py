#!/usr/bin/env python3
"""test_classifier_cluster - near-duplicate clusters hold across a restart.

Starts Redis, storage, classifier, intake-form and dashboard (tests/lib/
harness.py; binaries from INSPRAAK_BIN), posts two wordings of the same
wish, kills the classifier with -9, and after the supervisor restarted it
posts a third wording and an unrelated idea. The three wordings must share
one cluster id (the first idea's id; the state is in Redis, keys
inspraak:cluster:*), the unrelated idea gets its own. A re-sent idea keeps
its cluster (its sketch record holds it).

Usage: INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_classifier_cluster.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, main  # noqa: E402

SAME = ["Wij willen een skatepark in Hoensbroek, bij het kasteel worden we steeds weggestuurd.",
        "Een skatepark in Hoensbroek graag, want bij het kasteel mogen we niet skaten.",
        "Mijn zoon skatet elke dag; bouw toch een skatepark in Hoensbroek bij het kasteel."]
# The sketch buckets (inspraak:cluster:sk:N, cluster_redis.c) hold a
# packed record per idea with its id inside: 1 when one holds id.
STORED_LUA = ("for _, k in ipairs(redis.call('KEYS', 'inspraak:cluster:sk:*')) do "
              "for _, v in ipairs(redis.call('HVALS', k)) do "
              "if string.find(v, ARGV[1], 1, true) then return 1 end end end return 0")
OTHER = "Meer laadpalen voor elektrische auto's in de Schaesbergerveld graag."


class TestClassifierCluster(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token("cluster-test")

    def post(self, text):
        status, body = self.cluster.post_idea(text)
        self.assertEqual(status, 201, body)
        return body["id"]

    def stored(self, idea_id):
        return self.cluster.wait_idea(idea_id, self.token)

    def test_clusters_survive_restart(self):
        a = self.post(SAME[0])
        b = self.post(SAME[1])
        ia, ib = self.stored(a), self.stored(b)
        self.assertEqual(ia["cluster"], a)
        self.assertEqual(ib["cluster"], a)

        old = self.cluster.kill9("classifier")
        self.assertIsNotNone(old)
        self.cluster.wait_restarted("classifier", old)

        c = self.post(SAME[2])
        d = self.post(OTHER)
        self.assertEqual(self.stored(c)["cluster"], a)
        self.assertEqual(self.stored(d)["cluster"], d)
        self.assertEqual(self.cluster.redis("EVAL", STORED_LUA, 0, a), 1)


if __name__ == "__main__":
    main()
