"""
NAME
    test_scaleout - 2 intakes, 2 classifiers, 2 storages: work is shared,
    kill -9 of one of each loses and doubles nothing

DESCRIPTION
    The scale-out contract of issue 11, on one host. tests/lib/harness.py
    runs two instances of intake-form, classifier and storage
    (INSPRAAK_INSTANCE=0/1, ports +20 for instance 1) with two-item
    endpoint lists: every intake PUSHes to both classifiers, every
    classifier PUSHes to both storages, every intake SUBscribes to both
    storages' PUB for its acks. One Redis, one dashboard.

    TestScaleOut: 8 clients post 2,000 ideas, each idea to a fixed intake
    instance (key n goes to instance n % 2, because an Idempotency-Key is
    remembered by the instance that took it). Meanwhile classifier.1 and
    storage (instance 0) are killed with -9 round-robin; the supervisor
    restarts them. Then: every accepted id is stored exactly once (the
    check of test_kill9), and the /metrics of both instances of each
    service show work done (> 0), so the bus really shares it. The second
    intake instance has its own spool folder (spool/intake-form.1).

    Nothing is asserted about time; the numbers are printed.
"""
import itertools
import os
import re
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from harness import ClusterTestCase, http, wait_until  # noqa: E402
from test_kill9 import Load, check_all_stored, stats_total  # noqa: E402


def metric(cluster, service, name, instance=0):
    """The value of an unlabelled metric on one instance's /metrics."""
    status, _, body = http("GET", cluster.url(service, "/metrics", instance), timeout=5)
    if status != 200:
        raise AssertionError("%s.%d /metrics: %d" % (service, instance, status))
    m = re.search(r"^%s (\S+)$" % re.escape(name), body.decode(), re.M)
    if not m:
        raise AssertionError("%s.%d has no metric %s" % (service, instance, name))
    return float(m.group(1))


class _TwoIntakes:
    """Looks like a Cluster to Load, but posts key n to intake n % 2."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.sent = [0, 0]

    def post_idea(self, text, key, **kw):
        inst = int(key.rsplit("-", 1)[1]) % 2
        self.sent[inst] += 1
        return self.cluster.post_idea(text, key=key, instance=inst, **kw)


class TestScaleOut(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")
    INSTANCES = {"storage": 2, "classifier": 2, "intake-form": 2}
    IDEAS = 2000
    THREADS = 8
    TARGETS = ("classifier.1", "storage")
    ROUNDS = 3
    KILL_EVERY = 1.5

    def test_1_shared_work_and_kill9(self):
        c = self.cluster
        token = c.staff_token("scaleout-test")
        n_kills = self.ROUNDS * len(self.TARGETS)
        load = Load(_TwoIntakes(c), ["scale-%d" % i for i in range(self.IDEAS)], self.THREADS,
                    spread=n_kills * self.KILL_EVERY)
        kills = {t: 0 for t in self.TARGETS}

        def killer():
            for target in itertools.islice(itertools.cycle(self.TARGETS), n_kills):
                time.sleep(self.KILL_EVERY)
                if c.kill9(target):
                    kills[target] += 1

        t0 = time.monotonic()
        k = threading.Thread(target=killer, daemon=True)
        k.start()
        load.run()
        k.join()
        c.wait_ready(timeout=120)
        check_all_stored(self, load, token)

        # Work was shared. Counters restart at 0 with a killed process, so
        # instance 0 of the classifier and 1 of storage (never killed) are
        # the sure ones; the killed ones must have worked since restart or
        # before (their restarted counters may be 0 if the load had ended).
        intake = [metric(c, "intake-form", "inspraak_intake_accepted_total", i) for i in (0, 1)]
        classified = [metric(c, "classifier", "inspraak_classifier_classified_total", i)
                      for i in (0, 1)]
        stored = [metric(c, "storage", "inspraak_storage_stored_total", i) for i in (0, 1)]
        print("\nscaleout: accepted=%d retries=%d kills=%s posted_per_intake=%s "
              "intake_accepted=%s classified_since_start=%s stored_since_start=%s "
              "until_all_stored=%.1fs" % (
                  len(load.accepted), load.retries, kills, load.cluster.sent, intake,
                  classified, stored, time.monotonic() - t0), file=sys.stderr)
        self.assertEqual(load.errors, [])
        self.assertEqual(len(load.accepted), self.IDEAS)
        self.assertEqual(len(set(load.accepted.values())), self.IDEAS)
        for target in self.TARGETS:
            self.assertGreaterEqual(kills[target], 2, "too few kills of %s: %s" % (target, kills))
        self.assertGreater(intake[0], 0)
        self.assertGreater(intake[1], 0)
        self.assertGreater(classified[0], 0, "classifier.0 did no work")
        self.assertGreater(stored[1], 0, "storage.1 did no work")
        self.assertTrue(os.path.isdir(os.path.join(c.var, "spool", "intake-form.1")),
                        "intake-form.1 has no spool of its own")

    def test_2_killed_instances_take_work_again(self):
        """After the kills, new ideas reach the restarted instances too:
        PUSH round-robins over connected peers, so both get some once the
        intakes have connected to the restarted classifier again (ZeroMQ
        reconnects in the background, and the last kill may have been a
        moment ago). Ideas are posted in rounds of 200, each round stored
        in full, until both restarted instances took some (at most 5)."""
        c = self.cluster
        token = c.staff_token("scaleout-after")
        def counts():
            """[classifier.1 classified, storage.0 stored], or None while
            one of them is still restarting."""
            try:
                return [metric(c, "classifier", "inspraak_classifier_classified_total", 1),
                        metric(c, "storage", "inspraak_storage_stored_total", 0)]
            except AssertionError:
                return None

        before = wait_until("classifier.1 and storage.0 answer again", counts)
        after, posted = before, 0
        for rnd in range(5):
            load = Load(_TwoIntakes(c), ["after-%d-%d" % (rnd, i) for i in range(200)], 4)
            load.run()
            self.assertEqual(load.errors, [])
            self.assertEqual(len(load.accepted), 200)
            posted += 200
            wait_until("all %d ideas stored" % (self.IDEAS + posted),
                       lambda: stats_total(c, token) == self.IDEAS + posted,
                       timeout=600, interval=0.5)
            after = wait_until("classifier.1 and storage.0 answer", counts)
            if after[0] > before[0] and after[1] > before[1]:
                break
        self.assertGreater(after[0], before[0], "classifier.1 took no work after its restart")
        self.assertGreater(after[1], before[1], "storage.0 took no work after its restart")

if __name__ == "__main__":
    unittest.main(verbosity=2)
