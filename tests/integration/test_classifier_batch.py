#!/usr/bin/env python3
"""test_classifier_batch - the classifier's batches: near-duplicates and a
poison message inside one batch.

The classifier takes every message already queued on its PULL socket as
one batch (services/classifier/main.c) and reads and writes the batch's
near-duplicate state in Redis together (cluster_redis.c). To be sure the
messages ARE queued together, this test speaks ZMTP 3.0 (NULL mechanism,
PUSH; Python has no ZeroMQ module here) to the classifier's bus port
itself: it connects while the classifier runs, stops the classifier with
SIGSTOP, writes the messages (they wait in the kernel's socket buffer),
and lets it go on with SIGCONT. Then it checks what a user would:

- two wordings of one wish in the same batch share a cluster (the first
  one's id), an unrelated idea gets its own, and the same idea twice in
  one batch is stored once with one cluster;
- a message that is not MessagePack in the middle of the batch becomes a
  dead letter and every other idea of the batch is still stored;
- the batch was one batch (inspraak_classifier_batches_total grew by one),
  so the test exercised what it means to;
- the same message again (an intake's re-send) is answered without being
  classified again (inspraak_classifier_resent_total).

Usage: INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_classifier_batch.py
"""
import os
import re
import secrets
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, http, main, wait_until  # noqa: E402
from mpack import pack  # noqa: E402

SAME = ["Wij willen een skatepark in Hoensbroek, bij het kasteel worden we steeds weggestuurd.",
        "Een skatepark in Hoensbroek graag, want bij het kasteel mogen we niet skaten."]
OTHER = "Meer laadpalen voor elektrische auto's in de Schaesbergerveld graag."


# The sketch buckets (inspraak:cluster:sk:N, cluster_redis.c) hold a
# packed record per idea with its id inside: 1 when one holds id.
STORED_LUA = ("for _, k in ipairs(redis.call('KEYS', 'inspraak:cluster:sk:*')) do "
              "for _, v in ipairs(redis.call('HVALS', k)) do "
              "if string.find(v, ARGV[1], 1, true) then return 1 end end end return 0")


class Zmtp:
    """A ZMTP 3.0 PUSH peer over a plain socket (NULL mechanism)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        greeting = (b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00")
                    + b"\x00" + b"\x00" * 31)
        self.s.sendall(greeting)
        self._exact(64)  # the peer's greeting
        props = b"\x0bSocket-Type" + struct.pack(">I", 4) + b"PUSH"
        self._frame(b"\x05READY" + props, command=True)
        flags = self._exact(1)[0]  # the peer's READY
        size = struct.unpack(">Q", self._exact(8))[0] if flags & 0x02 else self._exact(1)[0]
        self._exact(size)

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            part = self.s.recv(n - len(buf))
            if not part:
                raise ConnectionError("classifier closed the bus connection")
            buf += part
        return buf

    @staticmethod
    def frame(body, command=False):
        flags = 0x04 if command else 0x00
        if len(body) < 256:
            return bytes([flags, len(body)]) + body
        return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body

    def _frame(self, body, command=False):
        self.s.sendall(self.frame(body, command))

    def send_all(self, bodies):
        """All messages in one write: they arrive together."""
        self.s.sendall(b"".join(self.frame(b) for b in bodies))

    def close(self):
        self.s.close()


def envelope(idea_id, text):
    now = int(time.time() * 1000)
    idea = {"id": idea_id, "channel": "form", "activity": "ideeenbus",
            "target_group": "inwoner", "received_at": now, "text": text,
            "themes": [], "pii": [], "classified": False}
    return pack({"v": 1, "type": "idea", "id": idea_id, "origin": "test-batch.0",
                 "sent_at": now, "idea": idea})


def metric(cluster, name):
    status, _, body = http("GET", cluster.url("classifier", "/metrics"), timeout=5)
    assert status == 200, status
    m = re.search(r"^%s (\S+)$" % re.escape(name), body.decode(), re.M)
    assert m, "classifier has no metric %s" % name
    return float(m.group(1))


class TestClassifierBatch(ClusterTestCase):
    SERVICES = ("storage", "classifier", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token("batch-test")

    def stored(self, idea_id):
        return self.cluster.wait_idea(idea_id, self.token)

    def send_as_one_batch(self, messages):
        c = self.cluster
        peer = Zmtp(c.base + 11)  # INSPRAAK_BUS_CLASSIFY, instance 0
        pid = c.pid_of("classifier")
        before = metric(c, "inspraak_classifier_batches_total")
        os.kill(pid, signal.SIGSTOP)
        try:
            # Every thread of the classifier stopped (its bus I/O thread too).
            wait_until("classifier stopped", lambda: all(
                open("/proc/%d/task/%s/stat" % (pid, t)).read().rsplit(")", 1)[1].split()[0]
                == "T" for t in os.listdir("/proc/%d/task" % pid)), timeout=10)
            peer.send_all(messages)
        finally:
            os.kill(pid, signal.SIGCONT)
        wait_until("the batch handled",
                   lambda: metric(c, "inspraak_classifier_batches_total") > before, timeout=60)
        peer.close()
        return before

    def test_near_duplicates_and_poison_in_one_batch(self):
        tag = secrets.token_hex(4)
        a, b, d = ("t-%s000000%02d" % (tag, i) for i in (1, 2, 3))
        dead0 = metric(self.cluster, "inspraak_classifier_dead_total")
        first = envelope(a, SAME[0])
        batches0 = self.send_as_one_batch([
            first,
            b"\xc1 not MessagePack at all",  # 0xc1 is never used in MessagePack
            envelope(b, SAME[1]),
            envelope(d, OTHER),
            envelope(b, SAME[1]),  # the same idea re-sent within the batch
        ])
        ia, ib, idd = self.stored(a), self.stored(b), self.stored(d)
        self.assertEqual(ia["cluster"], a)
        self.assertEqual(ib["cluster"], a, "near-duplicate in the same batch not clustered")
        self.assertEqual(idd["cluster"], d)
        self.assertEqual(metric(self.cluster, "inspraak_classifier_dead_total"), dead0 + 1)
        self.assertEqual(metric(self.cluster, "inspraak_classifier_batches_total"), batches0 + 1,
                         "the messages were not taken as one batch")
        # The cluster state is in Redis under the ideas' ids (a restart keeps it).
        for i in (a, b, d):
            self.assertEqual(self.cluster.redis("EVAL", STORED_LUA, 0, i), 1, i)

        # The same bytes again (an intake's re-send): answered from the
        # classifier's memory of its answers, not classified again.
        resent0 = metric(self.cluster, "inspraak_classifier_resent_total")
        classified0 = metric(self.cluster, "inspraak_classifier_classified_total")
        peer = Zmtp(self.cluster.base + 11)
        peer.send_all([first])
        wait_until("the re-send answered", lambda: metric(
            self.cluster, "inspraak_classifier_classified_total") > classified0, timeout=60)
        peer.close()
        self.assertEqual(metric(self.cluster, "inspraak_classifier_resent_total"), resent0 + 1)
        self.assertEqual(self.stored(a)["cluster"], a)


if __name__ == "__main__":
    main()
