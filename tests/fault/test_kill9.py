"""
NAME
    test_kill9 - nothing accepted is lost, nothing is doubled, under kill -9

DESCRIPTION
    DESIGN.md contract 1, tested the way it would fail in production. Real
    Redis (AOF, appendfsync always), storage, classifier, intake-form and
    dashboard run under bin/supervisor (tests/lib/harness.py), which
    restarts what dies, as systemd does in production.

    TestKill9: 8 client threads post 2,000 ideas, each with its own
    Idempotency-Key. On a connection error, a timeout, 429 or 5xx a client
    sends the same key again after a short back-off until it gets 201, and
    records key -> id. Meanwhile a killer thread kill -9's storage,
    classifier and intake-form round-robin (each several times) through the
    pid files. Afterwards, once the dashboard's total equals the number of
    accepted ideas (a bounded poll), it asserts that every accepted id is
    stored, that nothing else is (no doubles), and that the stats agree.

    TestSigterm: SIGTERM to intake-form while clients post; every accepted
    idea is stored after its restart.

    The numbers (accepted, retries, kills, time) are printed; nothing is
    asserted about time.
"""
import itertools
import os
import signal
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, wait_until  # noqa: E402

RETRYABLE = {429, 500, 502, 503, 504}


class Load:
    """Posts ideas from several threads, retrying each key until 201."""

    def __init__(self, cluster, keys, threads, spread=0.0):
        self.cluster = cluster
        self.spread = spread  # seconds over which to spread the first tries
        self.keys = list(keys)
        self.threads = threads
        self.lock = threading.Lock()
        self.accepted = {}   # key -> id
        self.retries = 0
        self.errors = []     # unexpected answers: (key, status, body)
        self.done = threading.Event()
        self._next = iter(enumerate(self.keys))
        self.t0 = None

    def _take(self):
        """The next key, not before its share of the spread: the load then
        overlaps the kills instead of finishing before the first one on a
        fast build. (This shapes the load; nothing asserts on time.)"""
        with self.lock:
            i, key = next(self._next, (None, None))
        if key is not None and self.spread:
            delay = self.t0 + self.spread * i / len(self.keys) - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return key

    def _post_until_accepted(self, key):
        n = int(key.rsplit("-", 1)[1])
        text = "Idee %d onder belasting: meer %s in de wijk" % (
            n, ("bomen", "bankjes", "fietspaden", "speeltuinen")[n % 4])
        for attempt in itertools.count():
            try:
                status, body = self.cluster.post_idea(text, key=key, timeout=10,
                                                      question=("nu", "toekomst")[n % 2])
            except (OSError, ValueError) as e:  # refused, reset, timeout, bad answer
                status, body = None, repr(e)
            if status == 201:
                with self.lock:
                    self.accepted[key] = body["id"]
                return
            if status is not None and status not in RETRYABLE:
                with self.lock:
                    self.errors.append((key, status, body))
                return
            with self.lock:
                self.retries += 1
            time.sleep(min(0.05 * (2 ** min(attempt, 5)), 1.0))

    def _client(self):
        while True:
            key = self._take()
            if key is None:
                return
            self._post_until_accepted(key)

    def run(self):
        self.t0 = time.monotonic()
        workers = [threading.Thread(target=self._client, daemon=True)
                   for _ in range(self.threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        self.done.set()


def stored_ids(case, token):
    """Every id the dashboard lists, following the cursor; and its total."""
    ids, cursor, total = [], None, None
    while True:
        q = "/api/v1/ideas?limit=500" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
        status, body = case.cluster.api(q, token)
        case.assertEqual(status, 200, body)
        ids += [item["id"] for item in body["items"]]
        total = body["total"] if total is None else total
        cursor = body.get("next_cursor")
        if not cursor:
            return ids, total


def stats_total(cluster, token):
    status, body = cluster.api("/api/v1/stats?by=channel", token)
    return body["total"] if status == 200 else None


def check_all_stored(case, load, token, timeout=600):
    """Waits until the dashboard holds as many ideas as were accepted, then
    compares the exact sets."""
    want = set(load.accepted.values())
    wait_until("dashboard total to reach %d" % len(want),
               lambda: stats_total(case.cluster, token) == len(want), timeout=timeout, interval=0.5)
    ids, total = stored_ids(case, token)
    case.assertEqual(len(ids), len(set(ids)), "the list shows an idea twice")
    case.assertEqual(set(ids), want, "stored ideas differ from accepted ones: missing %d, extra %d"
                     % (len(want - set(ids)), len(set(ids) - want)))
    case.assertEqual(total, len(want))
    case.assertEqual(stats_total(case.cluster, token), len(want))
    # The stored record itself, not just the index, for a sample of ids.
    for idea_id in sorted(want)[:: max(1, len(want) // 50)]:
        status, item = case.cluster.api("/api/v1/ideas/" + idea_id, token)
        case.assertEqual(status, 200, idea_id)
        case.assertEqual(item["id"], idea_id)


class TestKill9(ClusterTestCase):
    IDEAS = 2000
    THREADS = 8
    TARGETS = ("storage", "classifier", "intake-form")
    ROUNDS = 4          # kills per service; the supervisor's restart delay
    KILL_EVERY = 1.5    # doubles with each kill (250 ms .. 2 s after 4)

    def test_kill9_loses_and_doubles_nothing(self):
        c = self.cluster
        token = c.staff_token("fault-test")
        n_kills = self.ROUNDS * len(self.TARGETS)
        load = Load(c, ["kill9-%d" % i for i in range(self.IDEAS)], self.THREADS,
                    spread=n_kills * self.KILL_EVERY)
        kills = {t: 0 for t in self.TARGETS}
        missed = []

        def killer():
            for target in itertools.islice(itertools.cycle(self.TARGETS), n_kills):
                time.sleep(self.KILL_EVERY)
                if c.kill9(target):
                    kills[target] += 1
                else:
                    missed.append(target)  # between a death and its restart

        t0 = time.monotonic()
        k = threading.Thread(target=killer, daemon=True)
        k.start()
        load.run()
        t_load = time.monotonic() - t0
        k.join()
        c.wait_ready(timeout=120)
        check_all_stored(self, load, token)
        t_all = time.monotonic() - t0
        print("\nkill9: accepted=%d distinct_ids=%d retries=%d kills=%s missed_kills=%d "
              "posting=%.1fs until_all_stored=%.1fs" % (
                  len(load.accepted), len(set(load.accepted.values())), load.retries, kills,
                  len(missed), t_load, t_all), file=sys.stderr)
        self.assertEqual(load.errors, [])
        self.assertEqual(len(load.accepted), self.IDEAS)
        self.assertEqual(len(set(load.accepted.values())), self.IDEAS)
        for target in self.TARGETS:
            self.assertGreaterEqual(kills[target], 2, "too few kills of %s: %s" % (target, kills))


class TestSigterm(ClusterTestCase):
    IDEAS = 400
    THREADS = 4

    def test_sigterm_of_intake_keeps_accepted_ideas(self):
        c = self.cluster
        token = c.staff_token("sigterm-test")
        load = Load(c, ["term-%d" % i for i in range(self.IDEAS)], self.THREADS, spread=4.0)
        t0 = time.monotonic()
        runner = threading.Thread(target=load.run, daemon=True)
        runner.start()
        wait_until("a quarter of the ideas accepted",
                   lambda: len(load.accepted) >= self.IDEAS // 4 or load.done.is_set(), 120)
        old = c.signal("intake-form", signal.SIGTERM)
        self.assertIsNotNone(old)
        runner.join()
        c.wait_ready(timeout=120)
        new = c.pid_of("intake-form")
        check_all_stored(self, load, token)
        print("\nsigterm: accepted=%d retries=%d intake pid %s -> %s in %.1fs" % (
            len(load.accepted), load.retries, old, new, time.monotonic() - t0), file=sys.stderr)
        self.assertEqual(load.errors, [])
        self.assertEqual(len(load.accepted), self.IDEAS)
        self.assertNotEqual(new, old)


if __name__ == "__main__":
    unittest.main(verbosity=2)
