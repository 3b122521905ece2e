"""
NAME
    test_pipeline_disk_full - an intake restarted while its spool's disk is
    full comes back up

DESCRIPTION
    intake-form's spool folder is a 1 MiB tmpfs (mount needs root; skipped
    with a message otherwise) and nothing acknowledges (no storage), so the
    spool fills until the intake answers 503. Then intake-form is killed
    with -9. Every start makes a new spool segment, and on the full disk
    that failed: the intake exited at once, the supervisor restarted it
    again and again, and the accepted backlog could not be sent until an
    operator freed space (sending it is what frees the space: acknowledged
    segments are deleted). Now it starts, answers /healthz, and still
    refuses a new idea with the Dutch 503 instead of accepting what it
    cannot keep.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Cluster, ClusterTestCase, http  # noqa: E402


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


class TestRestartOnFullDisk(ClusterTestCase):
    SERVICES = ("intake-form",)   # nothing acknowledges: the spool only grows
    CLUSTER_CLASS = TinySpoolCluster

    @classmethod
    def setUpClass(cls):
        try:
            super().setUpClass()
        except unittest.SkipTest:
            cls.cluster.stop()
            cls.cluster.cleanup()
            raise

    def test_restart_with_full_spool_disk(self):
        c = self.cluster
        text = "Een lang idee over de wijk. " * 350  # ~10,000 characters
        accepted, status = 0, None
        for i in range(400):   # 1 MiB holds far fewer than 400 of these
            status, _ = c.post_idea(text + str(i), key="vol-%d" % i)
            if status != 201:
                break
            accepted += 1
        self.assertGreater(accepted, 0)
        self.assertEqual(status, 503)
        name = c.proc_name("intake-form", 0)
        old = c.kill9(name)
        self.assertIsNotNone(old)
        c.wait_restarted(name, old, timeout=30)   # was: exit 1 at every start
        self.assertEqual(http("GET", c.url("intake-form", "/healthz"))[0], 200)
        status, body = c.post_idea(text + "na de herstart", key="vol-na")
        self.assertEqual(status, 503, body)
        self.assertIn("Probeer het over een paar minuten opnieuw", body["error"]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
