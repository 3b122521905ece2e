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

    A save is also sent again by staff, with a new envelope id, when the
    first did not reach storage within the dashboard's wait: the first
    can then land after the second. Every save from the idea page carries
    the version of the page it was made on (proto/idea_version.h, "was"),
    and storage applies nothing over a record that no longer has it: the
    late first save leaves the idea as the second one left it. Updates
    without that version (inspraakctl, cluster merges) are applied.
    When the idea changes between the dashboard's own check of that
    version and storage's (storage's read is held by the proxy below),
    storage applies nothing and staff are told the idea changed (409),
    not that saving failed (502).

    The same for a move to another near-duplicate cluster, which goes
    through the classifier (services/classifier/cluster_correct.c): a bench
    wish is put with a toilet wish (m-move), then made its own (m-los),
    then the late copy of m-move comes; the idea stays on its own, and a
    new wording of the bench wish joins it there, not the toilet wish (the
    classifier's sketch must not take the late copy either). A save from
    an older page of the bench wish that also puts it with the toilet
    wish is refused by storage ("was"), and the classifier must not move
    the sketch for it either: the next wording still joins the bench wish
    (TestStaleMove); a move saved from the page as it is now still does.
    The classifier checks "was" when the move passes it, but a save
    without a cluster goes straight to storage and can land between that
    check and storage's (TestStaleMoveOvertakenInStorage: storage's read
    is held by the proxy below while the record changes): storage then
    refuses the move, and once it has acked it the classifier's sketch
    must give the record's cluster again.

    Redis does not roll back a script that fails half way: a save that
    a damaged key (a string where an index sorted set belongs, written
    with redis-py) stopped is not acked, and once the key is repaired it
    is applied in full, not skipped as applied before (TestDamagedKey).

    Two storages sharing one Redis: the copy of a save reaches the second
    storage while the first applies it. The second storage's Redis
    connection runs through a proxy in this test that holds what it sends
    from its update script on, until released: so it has read the idea
    (and, before the check and the apply were one script, found the save
    not applied yet) but not written it. Meanwhile the first storage
    applies the save and a second save. Released, the second storage must
    not apply the first save over the second one (with three round trips
    it did: its compare-and-set saw the record changed, read it again and
    applied the old save on top). The proxy only stops bytes, it changes
    none; storage's own 5 s command timeout ends a hold that lasts longer,
    which only makes the old fault harder to show, never this test fail.
    The same with two classifiers: the second one's sketch correction of
    the bench wish's move is held while the first moves it, storage
    applies the move and then the move back to a cluster of its own; the
    released copy must leave the sketch, so a new wording of the bench
    wish still joins the idea's own cluster.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_update_resend.py
"""
import json
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from clients import redis  # noqa: E402 (redis-py, Debian python3-redis)
from harness import Cluster, ClusterTestCase, free_port, http, main, wait_until  # noqa: E402
from test_cluster_corrections import BENCH, TOILET, to_classifier  # noqa: E402
from test_inspraakctl import idea_record  # noqa: E402
from test_list_sort import inject, make_idea  # noqa: E402


class IdeaStatus:
    def status(self, token, idea_id):
        st, body = self.cluster.api("/api/v1/ideas/" + idea_id, token)
        self.assertEqual(st, 200, body)
        return body["status"]


class TestLateResend(IdeaStatus, ClusterTestCase):
    SERVICES = ("storage", "dashboard")

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


class TestLateSaveOfAnOlderPage(IdeaStatus, ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    def test_a_late_save_from_an_older_page_does_not_undo_a_later_save(self):
        """Staff saved an idea; the save waited in a busy storage's queue
        past the dashboard's 15 s, so staff saved the page again (a new
        envelope id): that one was applied, then the first came. It
        carries the version of the page it was made on ("was"), which
        the idea no longer has: storage acks it and applies nothing."""
        c = self.cluster
        token = c.staff_token()
        sid = c.staff_login("moderator", "moderator-wachtwoord")
        idea = make_idea(702)
        inject(c, [idea])
        path = "/ideeen/" + idea["id"]
        was = c.staff_page(path, sid)[1].split('name="was" value="', 1)[1].split('"', 1)[0]
        st, page = c.staff_form(path, sid, {"was": was, "status": "hidden"})
        self.assertEqual(st, 303, page[:600])
        self.assertEqual(self.status(token, idea["id"]), "hidden")
        inject(c, [{"type": "update", "id": "m-late-page", "idea": idea["id"],
                    "status": "approved", "was": was}])
        self.assertEqual(self.status(token, idea["id"]), "hidden")
        # An update that says nothing of what was seen (inspraakctl, a
        # cluster merge, an older dashboard) is applied as before.
        inject(c, [{"type": "update", "id": "m-no-was", "idea": idea["id"],
                    "status": "approved"}])
        self.assertEqual(self.status(token, idea["id"]), "approved")
        # And a save from the page as it is now still works.
        _, page = c.staff_page(path, sid)
        now = page.split('name="was" value="', 1)[1].split('"', 1)[0]
        self.assertNotEqual(now, was)
        st, page = c.staff_form(path, sid, {"was": now, "status": "new"})
        self.assertEqual(st, 303, page[:600])
        self.assertEqual(self.status(token, idea["id"]), "new")


class TestDamagedKey(IdeaStatus, ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    def test_an_update_a_damaged_key_stopped_is_applied_in_full_once_repaired(self):
        """Redis does not roll back a script that fails half way. The
        index set the save moves the idea into is damaged (a string where
        a sorted set belongs): storage's update fails and is retried, and
        once the key is repaired the save is applied in full: record,
        index and counts; a re-send of it is then applied before. While
        it waits, storage's log names the key, the idea and the save."""
        c = self.cluster
        token = c.staff_token()
        r = redis.Redis(host="127.0.0.1", port=c.redis_port)
        idea = make_idea(704)
        inject(c, [idea])
        ix = "inspraak:ix:status:approved"
        r.delete(ix)
        r.set(ix, "damaged")
        save = {"type": "update", "id": "m-damaged", "idea": idea["id"], "status": "approved"}
        with open(os.path.join(c.var, "damaged.jsonl"), "w+") as f:
            f.write(json.dumps(save) + "\n")
            f.seek(0)
            sent = subprocess.Popen(
                [os.path.join(c.bin, "bus-inject"), "tcp://127.0.0.1:%d" % (c.base + 12),
                 "tcp://127.0.0.1:%d" % (c.base + 13)],
                stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=dict(os.environ, INJECT_TIMEOUT_S="90"))
        try:
            wait_until("storage meets the damaged key", lambda: "redis update failed" in
                       c.log_tail("storage", 200))
            # The operator finds the key and the save that waits for it.
            failed = [line for line in c.log_tail("storage", 200).splitlines()
                      if "redis update failed" in line][0]
            self.assertIn(ix, failed)
            self.assertIn('id="%s"' % idea["id"], failed)
            self.assertIn('update="m-damaged"', failed)
        finally:
            r.delete(ix)  # repaired
            out, err = sent.communicate(timeout=120)
        self.assertEqual(sent.returncode, 0, err)
        self.assertIn(b"ack m-damaged", out)
        inject(c, [save])  # a re-send (the same envelope id)
        self.assertEqual(self.status(token, idea["id"]), "approved")
        st, listed = c.api("/api/v1/ideas?status=approved", token)
        self.assertEqual(st, 200, listed)
        self.assertEqual([i["id"] for i in listed["items"]], [idea["id"]])
        st, stats = c.api("/api/v1/stats?by=status", token)
        self.assertEqual(st, 200, stats)
        self.assertEqual(stats["counts"], {"approved": 1}, stats)
        self.assertIn("update applied before; not again", c.log_tail("storage", 200))


class HoldingProxy:
    """A TCP proxy to Redis (upstream: its port, set before the first
    connection). After arm(pattern), the first chunk a client sends that
    completes `pattern` and everything after it on that connection wait
    until release(); `held` is set when that happens."""

    def __init__(self):
        self.port = free_port()
        self.upstream = None
        self.pattern = None
        self.held = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.sock = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, pattern):
        with self.lock:
            self.pattern = pattern

    def release(self):
        self.released.set()

    def stop(self):
        self.released.set()
        self.sock.close()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _triggers(self, tail, chunk):
        with self.lock:
            if self.pattern is None or self.pattern not in tail + chunk:
                return False
            self.pattern = None
            return True

    def _pipe(self, src, dst, from_client):
        tail = b""
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                if from_client and self._triggers(tail, chunk):
                    self.held.set()
                    self.released.wait()
                tail = chunk[-200:]
                dst.sendall(chunk)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class InstanceBehindProxy(Cluster):
    """Instance 0 of service BEHIND as usual, instance 1 talking to Redis
    through `proxy` (the bus lists of two instances)."""
    proxy = None
    BEHIND = None

    def max_instances(self):
        return 2

    def extra_procs(self):
        self.proxy.upstream = self.redis_port
        return [(self.BEHIND + ".1", 'env INSPRAAK_INSTANCE=1 INSPRAAK_REDIS_URL='
                 'redis://127.0.0.1:%d "$INSPRAAK_BIN/%s"' % (self.proxy.port, self.BEHIND))]

    def proc_names(self):
        return super().proc_names() + [self.BEHIND + ".1"]


class StorageBehindProxy(InstanceBehindProxy):
    BEHIND = "storage"


class ClassifierBehindProxy(InstanceBehindProxy):
    BEHIND = "classifier"


class HeldCopy:
    """For a ClusterTestCase whose CLUSTER_CLASS is an InstanceBehindProxy."""

    @classmethod
    def start_peers(cls):
        cls.proxy = cls.CLUSTER_CLASS.proxy = HoldingProxy()
        return [cls.proxy]

    def send_held(self, update, pattern, push, events):
        """Arms the proxy with pattern, pushes update to instance 1 on bus
        port BASE+push (bin/bus-inject, acks from BASE+events) and returns
        the running bus-inject once instance 1 is held at the pattern."""
        c = self.cluster
        wait_until("%s.1 /healthz" % c.BEHIND, lambda: http(
            "GET", c.url(c.BEHIND, "/healthz", 1), timeout=2)[0] == 200)
        self.proxy.arm(pattern)
        with open(os.path.join(c.var, "late.jsonl"), "w+") as f:
            f.write(json.dumps(update) + "\n")
            f.seek(0)
            late = subprocess.Popen(
                [os.path.join(c.bin, "bus-inject"), "tcp://127.0.0.1:%d" % (c.base + push),
                 "tcp://127.0.0.1:%d" % (c.base + events)],
                stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=dict(os.environ, INJECT_TIMEOUT_S="60"))
        if not self.proxy.held.wait(60):
            self.proxy.release()
            late.kill()
            late.communicate()
            self.fail("%s.1 never ran the script" % c.BEHIND)
        return late

    def release(self, late, update_id):
        self.proxy.release()
        out, err = late.communicate(timeout=120)
        self.assertEqual(late.returncode, 0, err)
        self.assertIn(b"ack " + update_id.encode(), out)


class TestTwoStoragesOneSave(HeldCopy, IdeaStatus, ClusterTestCase):
    SERVICES = ("storage", "dashboard")
    CLUSTER_CLASS = StorageBehindProxy

    def test_a_copy_applied_by_the_other_storage_meanwhile_is_not_applied_again(self):
        c = self.cluster
        token = c.staff_token()
        idea = make_idea(701)
        inject(c, [idea])
        first = {"type": "update", "id": "m-both", "idea": idea["id"], "status": "approved"}
        # the update script (store_update.c) moves index entries with this
        late = self.send_held(first, b"'ix:' .. dim", 20 + 12, 20 + 13)
        try:
            inject(c, [first])  # the same save, applied by storage 0
            self.assertEqual(self.status(token, idea["id"]), "approved")
            inject(c, [{"type": "update", "id": "m-after", "idea": idea["id"],
                        "status": "hidden"}])
            self.assertEqual(self.status(token, idea["id"]), "hidden")
        finally:
            self.release(late, "m-both")
        self.assertEqual(self.status(token, idea["id"]), "hidden")
        st, stats = c.api("/api/v1/stats?by=status", token)
        self.assertEqual(st, 200, stats)
        self.assertEqual(stats["counts"].get("hidden"), 1, stats)
        self.assertEqual(stats["counts"].get("approved", 0), 0, stats)


class TestSaveOvertakenInStorage(HeldCopy, IdeaStatus, ClusterTestCase):
    SERVICES = ("dashboard",)  # the one storage is StorageBehindProxy's storage.1
    CLUSTER_CLASS = StorageBehindProxy

    def test_a_save_the_idea_changed_under_is_a_409_not_a_502(self):
        """The idea changes after the dashboard checked the save's "was"
        and before storage applies it (held here while storage reads
        the record). Storage applies nothing; the staff member reads the
        page of a changed idea (409), as when the change came earlier,
        not "not saved, try again" (502), and the change stays."""
        c = self.cluster
        token = c.staff_token()
        sid = c.staff_login("moderator", "moderator-wachtwoord")
        wait_until("storage.1 /healthz", lambda: http(
            "GET", c.url("storage", "/healthz", 1), timeout=2)[0] == 200)
        idea = make_idea(703)
        inject(c, [idea], instance=1)
        path = "/ideeen/" + idea["id"]
        was = c.staff_page(path, sid)[1].split('name="was" value="', 1)[1].split('"', 1)[0]
        self.proxy.arm(("idea:" + idea["id"]).encode())  # storage reads the record
        answer = {}
        save = threading.Thread(target=lambda: answer.update(
            r=c.staff_form(path, sid, {"was": was, "status": "approved"})))
        save.start()
        try:
            self.assertTrue(self.proxy.held.wait(60), "storage never read the idea")
            # a colleague's change lands meanwhile (other wijk and themes)
            subprocess.run(["redis-cli", "-p", str(c.redis_port), "-x", "SET",
                            "inspraak:idea:" + idea["id"]],
                           input=idea_record(idea["id"], None, idea["text"], "WK091711",
                                             themes=("wonen",)),
                           capture_output=True, check=True)
        finally:
            self.proxy.release()
            save.join(120)
        st, page = answer["r"]
        self.assertEqual(st, 409, page[:600])
        self.assertIn("intussen veranderd", page)
        self.assertIn("Open het idee opnieuw", page)
        self.assertEqual(self.status(token, idea["id"]), "new")


class ClusterMoves:
    def post(self, token, text):
        st, body = self.cluster.post_idea(text)
        self.assertEqual(st, 201, body)
        return self.cluster.wait_idea(body["id"], token)

    def to_classifier(self, updates):
        r = to_classifier(self.cluster, updates)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for u in updates:
            self.assertIn("ack " + u["id"], r.stdout)


class TestLateClusterMove(ClusterMoves, ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    def test_a_late_copy_of_a_cluster_move_does_not_undo_a_later_one(self):
        c = self.cluster
        token = c.staff_token()
        toilet = self.post(token, TOILET)
        bench = self.post(token, BENCH[0])
        self.assertEqual(bench["cluster"], bench["id"])
        own = bench["id"] + "-los"
        move = {"type": "update", "id": "m-move", "idea": bench["id"], "cluster": toilet["id"]}
        self.to_classifier([move])
        self.to_classifier([{"type": "update", "id": "m-los", "idea": bench["id"],
                             "cluster": own}])
        self.to_classifier([move])  # the copy, late
        st, body = c.api("/api/v1/ideas/" + bench["id"], token)
        self.assertEqual(body["cluster"], own)
        self.assertEqual(self.post(token, BENCH[1])["cluster"], own)


class TestStaleMove(IdeaStatus, ClusterMoves, ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    def test_a_stale_save_that_moves_the_cluster_leaves_the_sketch(self):
        """A save from an older page of the bench wish that also puts it
        with the toilet wish reaches the classifier after staff saved the
        page again: storage refuses it ("was" no longer matches), so the
        classifier must not move the sketch either, or the next wording
        of the bench wish would join the toilet wish."""
        c = self.cluster
        token = c.staff_token()
        sid = c.staff_login("moderator", "moderator-wachtwoord")
        toilet = self.post(token, TOILET)
        bench = self.post(token, BENCH[0])
        self.assertEqual(bench["cluster"], bench["id"])
        path = "/ideeen/" + bench["id"]
        was = c.staff_page(path, sid)[1].split('name="was" value="', 1)[1].split('"', 1)[0]
        st, page = c.staff_form(path, sid, {"was": was, "status": "approved"})
        self.assertEqual(st, 303, page[:600])
        self.to_classifier([{"type": "update", "id": "m-stale-move", "idea": bench["id"],
                             "status": "new", "cluster": toilet["id"], "was": was}])
        st, body = c.api("/api/v1/ideas/" + bench["id"], token)
        self.assertEqual((body["status"], body["cluster"]), ("approved", bench["id"]))
        self.assertEqual(self.post(token, BENCH[1])["cluster"], bench["id"])
        # A move saved from the page as it is now moves the sketch.
        now = c.staff_page(path, sid)[1].split('name="was" value="', 1)[1].split('"', 1)[0]
        st, page = c.staff_form(path, sid, {"was": now, "status": "approved",
                                            "bij": toilet["id"]})
        self.assertEqual(st, 303, page[:600])
        self.assertEqual(self.post(token, BENCH[2])["cluster"], toilet["id"])


class TestStaleMoveOvertakenInStorage(HeldCopy, IdeaStatus, ClusterMoves, ClusterTestCase):
    SERVICES = ("classifier", "intake-form", "dashboard")  # storage: StorageBehindProxy's .1
    CLUSTER_CLASS = StorageBehindProxy

    def test_a_move_storage_refuses_as_stale_leaves_the_sketch_as_the_record(self):
        """A save from the bench wish's page that puts it with the toilet
        wish passes the classifier while the idea is still as the page
        showed it (the classifier moves the sketch), then waits in
        storage; meanwhile a save without a cluster (it goes straight to
        storage, here another storage's write of the record) changes the
        idea. Storage refuses the first save ("was"); once it has (its
        ack), the classifier's sketch must be as the record again, so the
        next wording of the bench wish joins the bench wish."""
        c = self.cluster
        token = c.staff_token()
        sid = c.staff_login("moderator", "moderator-wachtwoord")
        wait_until("storage.1 /healthz", lambda: http(
            "GET", c.url("storage", "/healthz", 1), timeout=2)[0] == 200)
        toilet = self.post(token, TOILET)
        bench = self.post(token, BENCH[0])
        self.assertEqual(bench["cluster"], bench["id"])
        path = "/ideeen/" + bench["id"]
        was = c.staff_page(path, sid)[1].split('name="was" value="', 1)[1].split('"', 1)[0]
        move = {"type": "update", "id": "m-held-move", "idea": bench["id"], "status": "new",
                "cluster": toilet["id"], "was": was}
        self.proxy.arm(("idea:" + bench["id"]).encode())  # storage reads the record
        sent = {}
        events = c.endpoints()["INSPRAAK_BUS_EVENTS"].split(",")[1]  # storage.1's acks
        send = threading.Thread(target=lambda: sent.update(r=subprocess.run(
            [os.path.join(c.bin, "bus-inject"), c.endpoints()["INSPRAAK_BUS_CLASSIFY"].split(
                ",")[0], events], input=json.dumps(move) + "\n", capture_output=True,
            text=True, timeout=120,
            # the dashboard's origin: the classifier reads the acks to the dashboard only
            env=dict(os.environ, INJECT_TIMEOUT_S="60", INJECT_ORIGIN="dashboard.9"))))
        send.start()
        try:
            self.assertTrue(self.proxy.held.wait(60), "storage never read the idea")
            # a save without a cluster lands meanwhile (approved)
            redis.Redis(host="127.0.0.1", port=c.redis_port).set(
                "inspraak:idea:" + bench["id"],
                idea_record(bench["id"], None, BENCH[0], bench.get("wijk"),
                            themes=bench["themes"], cluster=bench["id"], status="approved"))
        finally:
            self.proxy.release()
            send.join(120)
        self.assertIn("ack m-held-move", sent["r"].stdout, sent["r"].stderr)
        st, body = c.api("/api/v1/ideas/" + bench["id"], token)
        self.assertEqual((body["status"], body["cluster"]), ("approved", bench["id"]))
        try:  # the classifier takes storage's ack beside the test: give it time
            wait_until("the classifier sees storage's ack", lambda: any(
                "storage acked" in line and "m-held-move" in line
                for line in c.log_tail("classifier", 200).splitlines()), timeout=30)
        except AssertionError:
            pass  # the join below says what a user sees
        self.assertEqual(self.post(token, BENCH[1])["cluster"], bench["id"])


class TestTwoClassifiersOneMove(HeldCopy, ClusterMoves, ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")
    CLUSTER_CLASS = ClassifierBehindProxy

    def test_a_copy_of_a_move_held_in_the_other_classifier_does_not_undo_a_later_one(self):
        c = self.cluster
        token = c.staff_token()
        toilet = self.post(token, TOILET)
        bench = self.post(token, BENCH[0])
        own = bench["id"] + "-los"
        move = {"type": "update", "id": "m-move-2", "idea": bench["id"], "cluster": toilet["id"]}
        # the sketch correction (cluster_correct.c) counts itself with this
        late = self.send_held(move, b"redis.call('INCR', KEYS[2])", 20 + 11, 13)
        try:
            self.to_classifier([move])  # the same move, by classifier 0
            self.to_classifier([{"type": "update", "id": "m-los-2", "idea": bench["id"],
                                 "cluster": own}])
        finally:
            self.release(late, "m-move-2")
        st, body = c.api("/api/v1/ideas/" + bench["id"], token)
        self.assertEqual(body["cluster"], own)
        self.assertEqual(self.post(token, BENCH[1])["cluster"], own)


if __name__ == "__main__":
    main()
