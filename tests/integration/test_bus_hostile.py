#!/usr/bin/env python3
"""test_bus_hostile - bad MessagePack from a buggy or hostile peer on the
classifier's bus port never takes the classifier down, and the good ideas
around it are stored once.

A ZMTP 3.0 PUSH peer (the one of test_classifier_batch.py) sends, one
after the other, envelopes a broken intake could send: ideas without an
id, with an empty or an over-long id, an idea that is an empty map, an
update without an id, a version from the future, truncated bytes, a
message over PROTO_MAX_MESSAGE, a three-frame message. Then a good idea.
Checked as a user would: the classifier still runs (same pid, /healthz
200), the good idea is stored with its cluster, and every bad one became
a dead letter or was refused, never a stored idea. Storage, pushed to
directly on its own bus port, holds ids to the same limit.

Usage: INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_bus_hostile.py
"""
import json
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, http, main, wait_until  # noqa: E402
from mpack import pack  # noqa: E402
from test_classifier_batch import Zmtp, envelope, metric  # noqa: E402

TEXT = "Meer bankjes in het park aan de Akerstraat, voor ouderen om even te rusten."


def idea_env(idea, env_id="x", type_="idea"):
    now = int(time.time() * 1000)
    return pack({"v": 1, "type": type_, "id": env_id, "origin": "test-hostile.0",
                 "sent_at": now, "idea": idea})


def base_idea(**over):
    idea = {"id": "h-" + secrets.token_hex(8), "channel": "form", "activity": "ideeenbus",
            "target_group": "inwoner", "received_at": int(time.time() * 1000),
            "text": TEXT, "themes": [], "pii": [], "classified": False}
    idea.update(over)
    return idea


class TestBusHostile(ClusterTestCase):
    SERVICES = ("storage", "classifier", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token("hostile-test")

    def alive_after(self, bodies, frames=None, text=TEXT):
        """Sends bodies (then a good idea) and checks the good one is stored."""
        c = self.cluster
        pid = c.pid_of("classifier")
        peer = Zmtp(c.base + 11)
        peer.send_all(bodies)
        if frames:
            peer.s.sendall(frames)
        good = "h-" + secrets.token_hex(8)
        peer.send_all([envelope(good, text)])
        stored = c.wait_idea(good, self.token, timeout=30)
        peer.close()
        self.assertEqual(stored["id"], good)
        self.assertEqual(c.pid_of("classifier"), pid, "the classifier restarted")
        status, _, _ = http("GET", c.url("classifier", "/healthz"), timeout=5)
        self.assertEqual(status, 200)
        return stored

    def test_idea_without_id_clusters_under_the_stored_id(self):
        # Storage stores an idea without "id" under its envelope's id; its
        # near-duplicates must join that idea, not a cluster naming no idea.
        text = "Graag een zebrapad bij de basisschool in Meezenbroek, het is daar gevaarlijk."
        env_id = "h-" + secrets.token_hex(8)
        good = self.alive_after([idea_env(base_idea(id=None, text=text), env_id=env_id)],
                                text=text + " Echt gevaarlijk.")
        self.assertEqual(self.cluster.wait_idea(env_id, self.token)["id"], env_id)
        self.assertEqual(good["cluster"], env_id)

    def test_idea_with_unusable_id_is_a_dead_letter(self):
        # Storage refuses an empty id; an id longer than a cluster id can
        # be would file its near-duplicates under a made-up cluster.
        text = "Het fietspad langs de Valkenburgerweg zit vol gaten, repareer het alstublieft."
        dead0 = metric(self.cluster, "inspraak_classifier_dead_total")
        good = self.alive_after([idea_env(base_idea(id="", text=text)),
                                 idea_env(base_idea(id="h-" + "9" * 5000, text=text)),
                                 idea_env({}, env_id="")],
                                text=text + " Dank u.")
        self.assertEqual(good["cluster"], good["id"])
        self.assertEqual(metric(self.cluster, "inspraak_classifier_dead_total"), dead0 + 3)

    def test_unreadable_messages(self):
        good = envelope("h-" + secrets.token_hex(8), TEXT)
        self.alive_after([
            good[: len(good) // 2],                        # truncated
            pack({"v": 2, "type": "idea", "id": "h-future"}),  # a later version
            pack({"v": 1, "type": "idea", "v ": 1}),       # no idea
            pack([1, 2, 3]),                               # not a map
            b"",                                           # empty frame
            b"\xdf" + b"\xff" * 4,                         # map32 bomb
            b"\x91" * 40 + b"\xc0",                        # too deep
            b"\xa0" * (2 * 1024 * 1024 + 1),               # over PROTO_MAX_MESSAGE
        ])

    def test_multipart(self):
        # flags 0x01: more frames follow; three frames is not our format.
        parts = b"\x01\x01a" + b"\x01\x01b" + b"\x00\x01c"
        self.alive_after([], frames=parts)

    def test_storage_refuses_an_overlong_id_pushed_to_it(self):
        # A peer on storage's own bus port skips the classifier's check;
        # storage holds the id to the same limit (idea_id_ok, proto.h):
        # 79 bytes is stored, 80 and 5,000 bytes are dead letters.
        c = self.cluster
        fits = "h-" + "7" * (79 - 2)
        over = ["h-" + "8" * (80 - 2), "h-" + "9" * 5000]
        good = "h-" + secrets.token_hex(8)
        peer = Zmtp(c.base + 12)
        peer.send_all([idea_env(base_idea(id=i), env_id=i, type_="classified")
                       for i in over + [fits, good]])
        wait_until("the good idea stored",
                   lambda: c.redis("EXISTS", "inspraak:idea:" + good) == 1, timeout=30)
        peer.close()
        self.assertEqual(c.redis("EXISTS", "inspraak:idea:" + fits), 1)
        stored = c.redis("ZRANGE", "inspraak:ideas", 0, -1)
        for i in over:
            self.assertNotIn(i, stored)
            self.assertEqual(c.redis("EXISTS", "inspraak:idea:" + i), 0)
        dead = [json.loads(e) for e in c.redis("LRANGE", "inspraak:deadletter", 0, -1)]
        refused = [d for d in dead if d.get("code") == "bad_record"
                   and "79" in d.get("reason", "") and "idea.id" in d.get("reason", "")]
        self.assertEqual(len(refused), 2, dead)


if __name__ == "__main__":
    main()
