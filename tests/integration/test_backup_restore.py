"""
NAME
    test_backup_restore - a Redis backup taken while inspraak runs restores
    into a fresh installation that shows the same ideas

DESCRIPTION
    The procedure of docs/operations.md ("Backup and restore"), with the
    script it names: 60 ideas are posted and stored; `deploy/redis-backup.sh
    backup` takes a snapshot from the running Redis; 5 more ideas are posted
    after it (they must not appear in the restore). `redis-backup.sh
    restore` turns the file into a data folder, and a second, fresh
    installation (new port base, new folder) starts its Redis on a copy of
    that folder. Its dashboard must list exactly the 60 ideas, with the same
    texts and the same stats, and accept new ideas. The unsubscribe link in
    a receipt the first installation sent must still work on the second:
    its key is not in Redis but in $INSPRAAK_VAR/secret, which the
    procedure copies along.
"""
import email
import email.policy
import glob
import re
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))
from harness import (DEFAULT_SERVICES, REPO, Cluster, ClusterTestCase, free_port, http,  # noqa: E402
                     wait_until)
from test_kill9 import stats_total, stored_ids  # noqa: E402

SCRIPT = os.path.join(REPO, "deploy", "redis-backup.sh")


class RestoredCluster(Cluster):
    """A Cluster whose Redis starts on a copy of a restored data folder."""

    def __init__(self, restored_dir, secret, *a, **kw):
        super().__init__(*a, **kw)
        self.restored_dir = restored_dir
        self.secret = secret

    def extra_procs(self):
        dst = os.path.join(self.var, "redis")
        shutil.rmtree(dst)
        shutil.copytree(self.restored_dir, dst)
        # docs/operations.md: the unsubscribe key goes along with the backup
        shutil.copy2(self.secret, os.path.join(self.var, "secret"))
        return []


def unsubscribe_link(var):
    """(p, s) of the unsubscribe link in the one receipt notify wrote into
    its Maildir outbox, or None while there is none."""
    for path in glob.glob(os.path.join(var, "mail", "outbox", "new", "*")):
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        text = m.get_body(preferencelist=("plain",)).get_content()
        found = re.search(r"/afmelden\?p=([\w-]+)&s=([\w-]+)", text)
        if found:
            return found.groups()
    return None


class TestBackupRestore(ClusterTestCase):
    SERVICES = DEFAULT_SERVICES + ("notify",)
    ENV = {"INSPRAAK_RECEIPT_BATCH_S": "1", "INSPRAAK_NOTIFY_SCAN_S": "1"}

    def test_restore_shows_the_same_ideas(self):
        c = self.cluster
        token = c.staff_token("backup-test")
        for i in range(60):
            # one resident asks for mail: a receipt with an unsubscribe link
            person = {"email": "bewaard@example.org", "consent": {"feedback": True}} if i == 0 \
                else {}
            status, body = c.post_idea("Idee %d voor de back-up: meer groen" % i, key="bk-%d" % i,
                                       **person)
            self.assertEqual(status, 201, body)
        wait_until("60 ideas stored", lambda: stats_total(c, token) == 60, timeout=300)
        link = wait_until("the receipt in the outbox", lambda: unsubscribe_link(c.var),
                          timeout=120)
        before_ids, _ = stored_ids(self, token)
        samples = {i: c.api("/api/v1/ideas/" + i, token)[1]["text"] for i in before_ids[:10]}
        _, stats_before = c.api("/api/v1/stats?by=question", token)

        tmp = tempfile.mkdtemp(prefix="inspraak-backup-")
        restored = None
        try:
            backup = os.path.join(tmp, "inspraak.rdb")
            # A FILE.tmp an interrupted earlier backup left (made under
            # umask 022 before 233a0b2): redis-cli writes into it and keeps
            # its mode, so the new backup must not inherit it.
            with open(backup + ".tmp", "w") as f:
                f.write("half a snapshot")
            os.chmod(backup + ".tmp", 0o644)
            r = subprocess.run([SCRIPT, "backup", backup, "127.0.0.1", str(c.redis_port)],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            # it holds every name and address: for its owner only
            self.assertEqual(oct(os.stat(backup).st_mode & 0o777), oct(0o600))
            for i in range(5):  # after the backup: not in the restore
                self.assertEqual(c.post_idea("Later idee %d" % i, key="late-%d" % i)[0], 201)

            scratch = free_port(avoid=(c,))  # for the scratch Redis, beside the running cluster
            r = subprocess.run([SCRIPT, "restore", backup, os.path.join(tmp, "data"),
                                str(scratch)], capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertTrue(os.path.isdir(os.path.join(tmp, "data", "appendonlydir")))
            for root, dirs, files in os.walk(os.path.join(tmp, "data")):
                for name in dirs + files:
                    path = os.path.join(root, name)
                    self.assertEqual(os.stat(path).st_mode & 0o077, 0, path)
            # A restore into a folder that is not empty is refused.
            r2 = subprocess.run([SCRIPT, "restore", backup, os.path.join(tmp, "data")],
                                capture_output=True, text=True, timeout=60)
            self.assertEqual(r2.returncode, 1)
            self.assertIn("not empty", r2.stderr)

            restored = RestoredCluster(os.path.join(tmp, "data"), os.path.join(c.var, "secret"),
                                       c.services, env=self.ENV)
            restored.start()
            # The staff token lives in Redis too: it was restored with the rest.
            wait_until("restored dashboard", lambda: stats_total(restored, token) == 60,
                       timeout=120)
            after_ids, total = self._ids(restored, token)
            self.assertEqual(sorted(after_ids), sorted(before_ids))
            self.assertEqual(total, 60)
            for idea_id, text in samples.items():
                status, item = restored.api("/api/v1/ideas/" + idea_id, token)
                self.assertEqual(status, 200)
                self.assertEqual(item["text"], text)
            self.assertEqual(restored.api("/api/v1/stats?by=question", token)[1], stats_before)
            # The restored installation takes new ideas.
            self.assertEqual(restored.post_idea("Na het terugzetten", key="new-1")[0], 201)
            wait_until("new idea stored", lambda: stats_total(restored, token) == 61, timeout=300)
            # The link in the mail the resident already has still works.
            status, _, page = http("GET", restored.url("notify", "/afmelden?p=%s&s=%s" % link))
            self.assertEqual(status, 200, page.decode("utf-8", "replace"))
            self.assertNotIn("Deze link werkt niet", page.decode("utf-8", "replace"))
        finally:
            if restored:
                restored.stop()
                restored.cleanup()
            shutil.rmtree(tmp, ignore_errors=True)

    def _ids(self, cluster, token):
        saved = self.cluster
        try:
            self.cluster = cluster  # stored_ids reads case.cluster
            return stored_ids(self, token)
        finally:
            self.cluster = saved


if __name__ == "__main__":
    unittest.main(verbosity=2)
