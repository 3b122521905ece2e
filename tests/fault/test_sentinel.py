"""
NAME
    test_sentinel - kill -9 of the Redis master under load: Sentinel
    promotes the replica, the services follow, nothing is lost or doubled

DESCRIPTION
    Redis high availability of issue 11. SentinelCluster (below) runs, on
    spare loopback ports next to the usual Redis port:
      - the master (BASE-1690, AOF, appendfsync always), started by the test
        itself rather than the supervisor, so that a kill -9 keeps it down
        until the test restarts it (as systemd would, later);
      - a replica of it (BASE-1689, AOF) and one Sentinel (BASE-1688,
        quorum 1, down-after 3 s), both under the supervisor.
    Every service gets INSPRAAK_REDIS_URL=redis-sentinel://...:BASE-1688/
    inspraak, and storage INSPRAAK_REDIS_WAIT_REPLICAS=1: it acks an idea
    only after the replica has it too (Redis WAIT), so no acknowledged idea
    can be in the master alone when it dies.

    TestSentinelFailover: 8 clients post 1,000 ideas (each key retried until
    201); after a third are accepted the master is killed with -9. The test
    waits until Sentinel names the replica as master, then starts the old
    master again: Sentinel turns it into a replica of the new one, so WAIT
    has a replica again. Then every accepted idea is stored exactly once
    (the check of test_kill9), read through the new master.

    Nothing is asserted about time; the numbers are printed.
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
from harness import Cluster, ClusterTestCase, redis_command, wait_until  # noqa: E402
from test_kill9 import Load, check_all_stored  # noqa: E402
from test_scaleout import metric  # noqa: E402

MASTER_NAME = "inspraak"


class SentinelCluster(Cluster):
    """Master (own process), replica and Sentinel (supervised)."""
    REDIS_PORTS = 3

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.with_redis = False  # the harness's own Redis line: not wanted
        self.master_proc = None

    @property
    def replica_port(self):
        return self.redis_port + 1

    @property
    def sentinel_port(self):
        return self.redis_port + 2

    def redis_url(self):
        return "redis-sentinel://127.0.0.1:%d/%s" % (self.sentinel_port, MASTER_NAME)

    def _redis_args(self, port, sub):
        d = os.path.join(self.var, sub)
        os.makedirs(d, exist_ok=True)
        return ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--daemonize", "no", "--logfile", os.path.join(self.var, "log", sub + ".log")]

    def start_master(self):
        """(Re)starts the first master on its port with its own data."""
        self.master_proc = subprocess.Popen(self._redis_args(self.redis_port, "redis"),
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until("redis on %d" % self.redis_port,
                   lambda: redis_command(self.redis_port, "PING") == "PONG", timeout=30)

    def kill_master(self):
        self.master_proc.send_signal(signal.SIGKILL)
        self.master_proc.wait()

    def extra_procs(self):
        self.start_master()
        conf = os.path.join(self.var, "sentinel.conf")
        with open(conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\n"
                    "sentinel monitor %s 127.0.0.1 %d 1\n"
                    "sentinel down-after-milliseconds %s 3000\n"
                    "sentinel failover-timeout %s 10000\n" % (
                        self.sentinel_port, self.var, MASTER_NAME, self.redis_port,
                        MASTER_NAME, MASTER_NAME))
        replica = " ".join("'%s'" % a for a in self._redis_args(self.replica_port, "replica"))
        return [("replica", "%s --replicaof 127.0.0.1 %d" % (replica, self.redis_port)),
                ("sentinel", "redis-server '%s' --sentinel --logfile '%s'" % (
                    conf, os.path.join(self.var, "log", "sentinel.log")))]

    def sentinel_master_port(self):
        r = redis_command(self.sentinel_port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        return int(r[1]) if r else None

    def sentinel_knows_replica(self):
        reps = redis_command(self.sentinel_port, "SENTINEL", "replicas", MASTER_NAME) or []
        for r in reps:
            fields = dict(zip(r[::2], r[1::2]))
            if fields.get("port") == str(self.replica_port) and \
                    fields.get("flags") == "slave" and \
                    fields.get("master-link-status") == "ok":
                return True
        return False

    def stop(self):
        super().stop()
        if self.master_proc and self.master_proc.poll() is None:
            self.master_proc.kill()
            self.master_proc.wait()


class TestSentinelFailover(ClusterTestCase):
    CLUSTER_CLASS = SentinelCluster
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")
    ENV = {"INSPRAAK_REDIS_WAIT_REPLICAS": "1", "INSPRAAK_RESEND_MS": "1000"}
    IDEAS = 1000
    THREADS = 8

    def test_failover_under_load(self):
        c = self.cluster
        wait_until("replica in sync",
                   lambda: "master_link_status:up" in redis_command(c.replica_port, "INFO",
                                                                    "replication"), timeout=60)
        wait_until("sentinel sees the master",
                   lambda: c.sentinel_master_port() == c.redis_port, timeout=60)
        # Sentinel learns of replicas from the master's INFO (every 10 s);
        # a failover before that finds "no good slave".
        wait_until("sentinel knows the replica", c.sentinel_knows_replica, timeout=60)
        token = c.staff_token("sentinel-test")
        load = Load(c, ["ha-%d" % i for i in range(self.IDEAS)], self.THREADS, spread=8.0)
        t0 = time.monotonic()
        runner = threading.Thread(target=load.run, daemon=True)
        runner.start()
        wait_until("a third accepted",
                   lambda: len(load.accepted) >= self.IDEAS // 3 or load.done.is_set(), 300)
        at_kill = len(load.accepted)
        c.kill_master()
        t_kill = time.monotonic()
        wait_until("sentinel to promote the replica",
                   lambda: c.sentinel_master_port() == c.replica_port, timeout=120)
        t_promoted = time.monotonic()
        # The old master comes back (systemd would restart it); Sentinel
        # makes it a replica of the new master, so WAIT 1 can succeed again.
        c.start_master()
        wait_until("old master to become a replica",
                   lambda: "master_link_status:up" in redis_command(c.redis_port, "INFO",
                                                                    "replication"), timeout=120)
        runner.join()
        check_all_stored(self, load, token)
        info = redis_command(c.replica_port, "INFO", "replication")
        self.assertIn("role:master", info)
        withheld = metric(c, "storage", "inspraak_storage_unreplicated_total")
        print("\nsentinel: accepted=%d accepted_at_kill=%d retries=%d promoted_after=%.1fs "
              "acks_withheld=%d until_all_stored=%.1fs" % (
                  len(load.accepted), at_kill, load.retries, t_promoted - t_kill, withheld,
                  time.monotonic() - t0), file=sys.stderr)
        self.assertEqual(load.errors, [])
        self.assertEqual(len(load.accepted), self.IDEAS)
        self.assertEqual(len(set(load.accepted.values())), self.IDEAS)
        self.assertLess(at_kill, self.IDEAS, "the load ended before the kill")


if __name__ == "__main__":
    unittest.main(verbosity=2)
