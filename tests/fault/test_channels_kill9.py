"""
NAME
    test_channels_kill9 - the short soak: 2,400 submissions over the form,
    field and mail channels while storage, classifier, every intake and
    redis-server are each killed with SIGKILL at least once

DESCRIPTION
    tests/soak/soak.py (the same code `make soak` runs with 100,000), at
    the size of `make test`: the load is spread over 20 s, and the killer
    kills each of the six targets once (in random order, every 1-2 s)
    before it goes on at random. Asserts 0 lost, 0 doubled, no unexpected
    answers, no mail in failed/, and that every target was killed.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "soak"))
from harness import ClusterTestCase  # noqa: E402
from soak import TARGETS, Soak  # noqa: E402


class TestChannelsKill9(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-field", "intake-mail")
    ENV = {"INSPRAAK_MAIL_POLL_MS": "200"}
    N = 2400

    def test_every_channel_under_kills(self):
        s = Soak(self.cluster, self.N, threads=8, spread=20.0, every=(1.0, 2.0))
        ok = s.run(kills=True)
        r = s.result
        self.assertEqual(r["lost"], 0, r)
        self.assertEqual(r["doubled"], 0, r)
        self.assertEqual(r["errors"], [])
        self.assertEqual(r["mail_failed"], [])
        self.assertTrue(ok)
        for t in TARGETS:
            self.assertGreaterEqual(r["kills"][t], 1, "%s never killed: %s" % (t, r["kills"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
