#!/usr/bin/env python3
"""
NAME
    test_bench_load - bin/bench-load --bulk leaves exactly the Redis content
    that storage's write script leaves

DESCRIPTION
    The dashboard rows of `make bench` load 1,000,000 ideas with
    `bin/bench-load --bulk` (MSETs, multi-member ZADDs and summed HINCRBYs
    instead of one Lua script call per idea). Those rows only mean
    something if the bulk content is what storage itself writes. This test
    starts two real Redis servers (tests/lib/harness.py), loads the same
    2,500 ideas (same --now, so the same received_at) once through
    storage's script (the default mode) and once with --bulk, and compares
    both Redis contents key by key: the set of keys, each key's TYPE,
    OBJECT ENCODING and TTL, and its value (GET bytes, ZRANGE WITHSCORES,
    HGETALL in Redis's own order for listpack hashes, SMEMBERS, LRANGE).
    It also checks that the comparison sees a miscount and a missing key,
    and that --bulk refuses a Redis that already holds ideas (the script
    would skip those ideas; the bulk mode cannot tell per idea).

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_bench_load.py
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cluster, main  # noqa: E402
from clients import redis  # noqa: E402 (redis-py, Debian python3-redis)

N = 2500          # 3 rounds of 1,000 (the last one partial), ZADDs flushed mid-run and at the end
NOW = 1764320000000  # 2025-11-28T08:53:20Z, in ms
PREFIX = b"inspraak:"


class Resp:
    """Pipelined Redis commands on one redis-py connection, replies as
    Redis sent them, values as bytes (the records are MessagePack, the pair
    fields hold 0x1F). A plain connection, not redis.Redis: that one
    reshapes replies (HGETALL into a dict, ZRANGE scores into floats), and
    a listpack hash is compared in Redis's own field order."""

    def __init__(self, port):
        self.conn = redis.Connection(host="127.0.0.1", port=port, socket_timeout=30,
                                     socket_connect_timeout=30)

    def close(self):
        self.conn.disconnect()

    def many(self, cmds):
        self.conn.send_packed_command(self.conn.pack_commands(cmds))
        return [self.conn.read_response() for _ in cmds]

    def cmd(self, *args):
        return self.many([args])[0]


def snapshot(port):
    """{key: (type, encoding, ttl, value)} of every key in the Redis."""
    r = Resp(port)
    try:
        keys = sorted(r.cmd("KEYS", "*"))
        meta = r.many([c for k in keys for c in (("TYPE", k), ("OBJECT", "ENCODING", k),
                                                 ("TTL", k))])
        reads = {b"string": lambda k: ("GET", k), b"zset": lambda k: ("ZRANGE", k, 0, -1,
                                                                      "WITHSCORES"),
                 b"hash": lambda k: ("HGETALL", k), b"set": lambda k: ("SMEMBERS", k),
                 b"list": lambda k: ("LRANGE", k, 0, -1)}
        types = meta[0::3]
        values = r.many([reads[t](k) for k, t in zip(keys, types)])
    finally:
        r.close()
    snap = {}
    for i, k in enumerate(keys):
        t, enc, ttl, v = types[i], meta[3 * i + 1], meta[3 * i + 2], values[i]
        if t == b"set" or (t == b"hash" and enc == b"hashtable"):
            # No defined order (hash table iteration); a listpack hash keeps
            # its fields in insertion order, and that order is compared.
            v = sorted(zip(v[0::2], v[1::2])) if t == b"hash" else sorted(v)
        snap[k] = (t, enc, ttl, v)
    return snap


def differences(a, b):
    """Readable differences between two snapshots (empty: the same)."""
    out = ["only in the script load: %r" % k for k in sorted(set(a) - set(b))]
    out += ["only in the bulk load: %r" % k for k in sorted(set(b) - set(a))]
    for k in sorted(set(a) & set(b)):
        for what, x, y in zip(("type", "encoding", "ttl", "value"), a[k], b[k]):
            if x != y:
                out.append("%r: %s differs: %.200r vs %.200r" % (k, what, x, y))
    return out


class TestBenchLoad(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tool = os.path.join(Cluster(()).bin, "bench-load")
        cls.script, cls.bulk = Cluster(()), Cluster(())
        for c in (cls.script, cls.bulk):
            c.start()

    @classmethod
    def tearDownClass(cls):
        for c in (cls.script, cls.bulk):
            c.stop()
            c.cleanup()

    def load(self, cluster, *flags):
        return subprocess.run([self.tool, *flags, "--now", str(NOW), cluster.redis_url(),
                               str(N), "200"], capture_output=True, text=True, timeout=600)

    def test_bulk_equals_script(self):
        for cluster, flags in ((self.script, ()), (self.bulk, ("--bulk",))):
            r = self.load(cluster, *flags)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("loaded %d ideas" % N, r.stdout)
        a, b = snapshot(self.script.redis_port), snapshot(self.bulk.redis_port)

        # What the script load holds, so that two empty Redis cannot pass.
        self.assertEqual(sum(k.startswith(PREFIX + b"idea:") for k in a), N)
        self.assertEqual(len(a[PREFIX + b"ideas"][3]), 2 * N)
        self.assertEqual(sum(k.startswith(PREFIX + b"pair:") for k in a), 28 + 1)
        self.assertEqual(a[PREFIX + b"pair:counted"][3], [b"ideas", str(N).encode()])
        self.assertEqual(sum(int(n) for n in a[PREFIX + b"stats:wijk"][3][1::2]), N)

        self.assertEqual(differences(a, b), [])

        # The comparison sees a miscounted pair and a forgotten index key.
        r = Resp(self.bulk.redis_port)
        try:
            r.cmd("HINCRBY", PREFIX + b"pair:wijk:theme", b"WK091733\x1fgroen", 1)
            r.cmd("DEL", PREFIX + b"ix:channel:email")
        finally:
            r.close()
        diff = differences(a, snapshot(self.bulk.redis_port))
        self.assertEqual(len(diff), 2, diff)
        self.assertIn("only in the script load: %r" % (PREFIX + b"ix:channel:email"), diff)
        self.assertIn("pair:wijk:theme", diff[1])

        # The bulk mode cannot skip stored ideas one by one: it refuses.
        before = snapshot(self.bulk.redis_port)
        r = self.load(self.bulk, "--bulk")
        self.assertEqual(r.returncode, 1)
        self.assertIn("without ideas", r.stderr)
        self.assertEqual(differences(before, snapshot(self.bulk.redis_port)), [])


if __name__ == "__main__":
    main()
