"""
NAME
    test_outage - Redis killed or stopped, a consumer paused, the spool's
    disk full: nothing accepted is lost, and what cannot be kept is refused

DESCRIPTION
    Real stacks (tests/lib/harness.py) under the supervisor; the load and
    the final exact check come from test_kill9.py (Load, check_all_stored:
    every accepted id stored exactly once, nothing else).

    TestRedisKill9: kill -9 of redis-server once in the middle of the load.
    The supervisor restarts it; Redis runs with AOF appendfsync always, so
    nothing storage acknowledged is gone.

    TestRedisStopped: redis-server gets SIGSTOP for OUTAGE_S seconds (20;
    INSPRAAK_OUTAGE_S=60 in the soak) under load: it neither answers nor
    gets restarted. Meanwhile the intakes keep accepting into their spools
    (201), storage's /healthz answers 503 "degraded: ..." (and the
    dashboard's 503) within the 3 s a Compose health check waits, and after SIGCONT
    the backlog drains: every accepted idea stored once.

    TestConsumerPaused: the classifier gets SIGSTOP for OUTAGE_S seconds
    under load. The intake keeps accepting, the RSS of intake-form and
    storage (VmRSS from /proc) stays within RSS_SLACK_MB of where it was
    before (bounded queues: ZeroMQ high-water marks and the on-disk spool,
    not memory), and after SIGCONT every accepted idea is stored once.

    TestSpoolDiskFull: intake-form's spool folder is a 1 MiB tmpfs (mount
    needs root; skipped with a message otherwise) and nothing acknowledges
    (no storage), so the spool fills. The intake then answers 503 with the
    Dutch message and Retry-After instead of accepting what it cannot keep,
    the HTML form too, and it stays up.
"""
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from harness import Cluster, ClusterTestCase, http, wait_until  # noqa: E402
from test_kill9 import Load, check_all_stored  # noqa: E402

OUTAGE_S = float(os.environ.get("INSPRAAK_OUTAGE_S", "20"))
RSS_SLACK_MB = 256
HEALTH_CHECK_S = 3  # x-health timeout in docker-compose.yml


def rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, TypeError):
        pass
    return None


def redis_pid(cluster):
    return cluster.pid_of("redis")


class TestRedisKill9(ClusterTestCase):
    IDEAS = 1500

    def test_kill9_of_redis_loses_nothing(self):
        c = self.cluster
        token = c.staff_token("redis-kill")
        load = Load(c, ["rk-%d" % i for i in range(self.IDEAS)], 8, spread=6.0)
        runner = threading.Thread(target=load.run, daemon=True)
        runner.start()
        wait_until("a third of the ideas accepted",
                   lambda: len(load.accepted) >= self.IDEAS // 3 or load.done.is_set(), 300)
        old = c.kill9("redis")
        self.assertIsNotNone(old, "redis-server was not running")
        c.wait_restarted("redis", old, timeout=120)
        wait_until("redis answers again", c.redis_ping, 120)
        runner.join()
        c.wait_ready(timeout=120)
        check_all_stored(self, load, token)
        print("\nredis kill9: accepted=%d retries=%d" % (len(load.accepted), load.retries),
              file=sys.stderr)
        self.assertEqual(load.errors, [])
        self.assertEqual(len(load.accepted), self.IDEAS)


class TestRedisStopped(ClusterTestCase):
    IDEAS = 600

    def test_intakes_accept_while_redis_is_stopped(self):
        c = self.cluster
        token = c.staff_token("redis-stop")
        pid = redis_pid(c)
        self.assertIsNotNone(pid)
        load = Load(c, ["rs-%d" % i for i in range(self.IDEAS)], 4, spread=OUTAGE_S + 4)
        runner = threading.Thread(target=load.run, daemon=True)
        runner.start()
        time.sleep(1)
        os.kill(pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            during_before = len(load.accepted)
            # storage and the dashboard report the outage on /healthz, and
            # answer within HEALTH_CHECK_S, the health-check timeout of
            # docker-compose.yml: a check that takes longer counts as failed
            # there, whatever it would have said
            status, _, body = wait_until(
                "storage /healthz to say degraded",
                lambda: (lambda r: r if r[0] == 503 else None)(
                    http("GET", c.url("storage", "/healthz"), timeout=HEALTH_CHECK_S)),
                timeout=90)
            self.assertIn(b"degraded", body)
            status, _, body = http("GET", c.url("dashboard", "/healthz"), timeout=HEALTH_CHECK_S)
            self.assertEqual(status, 503, body)
            self.assertIn(b"redis does not answer", body)
            # the intake still accepts (into its spool)
            wait_until("ideas accepted while redis is stopped",
                       lambda: len(load.accepted) >= during_before + 20, timeout=60)
            self.assertEqual(http("GET", c.url("intake-form", "/healthz"))[0], 200)
            left = OUTAGE_S - (time.monotonic() - t0)
            if left > 0:
                time.sleep(left)
            accepted_during = len(load.accepted) - during_before
        finally:
            os.kill(pid, signal.SIGCONT)
        runner.join()
        wait_until("storage healthy again",
                   lambda: http("GET", c.url("storage", "/healthz"), timeout=10)[0] == 200, 120)
        check_all_stored(self, load, token)
        print("\nredis stopped %.0fs: accepted=%d (%d while stopped) retries=%d" % (
            OUTAGE_S, len(load.accepted), accepted_during, load.retries), file=sys.stderr)
        self.assertEqual(load.errors, [])
        self.assertEqual(len(load.accepted), self.IDEAS)


class TestConsumerPaused(ClusterTestCase):
    IDEAS = 800

    def test_paused_classifier_loses_nothing_and_memory_stays_bounded(self):
        c = self.cluster
        token = c.staff_token("paused")
        watched = ("intake-form", "storage")
        before = {n: rss_mb(c.pid_of(n)) for n in watched}
        load = Load(c, ["cp-%d" % i for i in range(self.IDEAS)], 4, spread=OUTAGE_S)
        runner = threading.Thread(target=load.run, daemon=True)
        runner.start()
        pid = c.signal("classifier", signal.SIGSTOP)
        self.assertIsNotNone(pid)
        peak = dict(before)
        try:
            t_end = time.monotonic() + OUTAGE_S
            while time.monotonic() < t_end:
                for n in watched:
                    r = rss_mb(c.pid_of(n))
                    if r is not None:
                        peak[n] = max(peak[n] or 0, r)
                time.sleep(0.5)
            accepted_during = len(load.accepted)
        finally:
            os.kill(pid, signal.SIGCONT)
        runner.join()
        check_all_stored(self, load, token)
        print("\nclassifier paused %.0fs: accepted=%d (%d during the pause) rss MB before=%s "
              "peak=%s" % (OUTAGE_S, len(load.accepted), accepted_during,
                           {k: round(v or 0) for k, v in before.items()},
                           {k: round(v or 0) for k, v in peak.items()}), file=sys.stderr)
        self.assertGreater(accepted_during, 0)
        for n in watched:
            self.assertLess(peak[n] - before[n], RSS_SLACK_MB, "%s grew without bound" % n)
        self.assertEqual(load.errors, [])
        self.assertEqual(len(load.accepted), self.IDEAS)


class TinySpoolCluster(Cluster):
    """intake-form's spool folder on a 1 MiB tmpfs, mounted before start."""

    def extra_procs(self):
        self.spool_mnt = os.path.join(self.var, "spool", "intake-form.0")
        os.makedirs(self.spool_mnt, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", self.spool_mnt],
                           capture_output=True, text=True)
        self.mounted = r.returncode == 0
        if not self.mounted:
            raise unittest.SkipTest("cannot mount a tmpfs for the spool (needs root): %s"
                                    % r.stderr.strip())
        return []

    def cleanup(self):
        if getattr(self, "mounted", False):
            subprocess.run(["umount", "-l", self.spool_mnt], capture_output=True)
            self.mounted = False
        super().cleanup()


class TinySpoolCase(ClusterTestCase):
    """intake-form alone on a TinySpoolCluster: nothing acknowledges, so the
    spool only grows; skipped with a message when the tmpfs cannot be
    mounted."""
    SERVICES = ("intake-form",)
    CLUSTER_CLASS = TinySpoolCluster
    TEXT = "Een lang idee over de wijk. " * 350  # ~10,000 characters

    @classmethod
    def setUpClass(cls):
        try:
            super().setUpClass()
        except unittest.SkipTest:
            cls.cluster.stop()
            cls.cluster.cleanup()
            raise

    def fill(self, key):
        """Posts ideas until the intake refuses one; returns (accepted,
        (status, body) of the refusal)."""
        accepted = 0
        for i in range(400):   # 1 MiB holds far fewer than 400 of these
            status, body = self.cluster.post_idea(self.TEXT + str(i), key="%s-%d" % (key, i))
            if status != 201:
                return accepted, (status, body)
            accepted += 1
        return accepted, None


class TestSpoolDiskFull(TinySpoolCase):

    def test_full_spool_answers_503_in_dutch(self):
        c = self.cluster
        accepted, refused = self.fill("full")
        print("\nspool full after %d accepted; answer %r" % (accepted, refused and refused[0]),
              file=sys.stderr)
        self.assertIsNotNone(refused, "1 MiB of spool never filled up")
        self.assertGreater(accepted, 0)
        status, body = refused
        self.assertEqual(status, 503, body)
        self.assertEqual(body["error"]["code"], "unavailable")
        self.assertIn("Probeer het over een paar minuten opnieuw", body["error"]["message"])
        # the HTML form says the same in a page
        st, headers, page = http("POST", c.url("intake-form", "/ideeen"),
                                 "tekst=" + ("Nog+een+lang+idee+" * 500),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(st, 503)
        self.assertIn("retry-after", headers)
        self.assertIn("Probeer het over een paar minuten opnieuw", page.decode())
        # still up, and a small idea is refused the same way, not crashed on
        self.assertIn(http("GET", c.url("intake-form", "/healthz"))[0], (200, 503))
        self.assertIsNotNone(c.pid_of("intake-form"))


class TestSpoolDiskFullRestart(TinySpoolCase):
    """Killed with -9 on that full disk, intake-form comes back up. Every
    start makes a new spool segment, and on the full disk that failed: the
    intake exited at once, the supervisor restarted it again and again,
    and the accepted backlog could not be sent until an operator freed
    space (sending it is what frees the space: acknowledged segments are
    deleted). Now it starts, answers /healthz, and still refuses a new
    idea with the Dutch 503 instead of accepting what it cannot keep."""

    def test_restart_with_full_spool_disk(self):
        c = self.cluster
        accepted, refused = self.fill("vol")
        self.assertGreater(accepted, 0)
        self.assertIsNotNone(refused, "1 MiB of spool never filled up")
        self.assertEqual(refused[0], 503, refused[1])
        name = c.proc_name("intake-form", 0)
        old = c.kill9(name)
        self.assertIsNotNone(old)
        c.wait_restarted(name, old, timeout=30)   # was: exit 1 at every start
        self.assertEqual(http("GET", c.url("intake-form", "/healthz"))[0], 200)
        status, body = c.post_idea(self.TEXT + "na de herstart", key="vol-na")
        self.assertEqual(status, 503, body)
        self.assertIn("Probeer het over een paar minuten opnieuw", body["error"]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
