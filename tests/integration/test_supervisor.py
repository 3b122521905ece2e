"""
NAME
    test_supervisor - bin/supervisor as make run, make stop and the tests use it

DESCRIPTION
    Runs the real supervisor on small Procfiles (sleep, sh and python3
    children) in a temporary INSPRAAK_VAR and checks what an operator sees:
    pid files, restarts after kill -9 with a growing delay, a clean stop,
    SIGKILL for a child that ignores SIGTERM, a second supervisor refused,
    a stale pid file replaced, and Ctrl-C on a real terminal (a pty)
    giving each child exactly one stop signal. Waits are bounded polls.
"""
import os
import pty
import select
import signal
import subprocess
import sys
import shutil
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import bin_dir, wait_until  # noqa: E402

# A child that handles SIGINT and SIGTERM itself (as Redis does) and
# writes down every signal it gets.
COUNTER = ("import signal,sys,time\n"
           "f=open(sys.argv[1],'a')\n"
           "def h(s,_):\n"
           "    f.write(signal.Signals(s).name+'\\n'); f.flush(); time.sleep(0.3); sys.exit(0)\n"
           "signal.signal(signal.SIGINT,h); signal.signal(signal.SIGTERM,h)\n"
           "open(sys.argv[2],'w').close()\n"
           "while True: time.sleep(1)\n")


class TestSupervisor(unittest.TestCase):
    def setUp(self):
        self.var = tempfile.mkdtemp(prefix="inspraak-sv-")
        self.run_dir = os.path.join(self.var, "run")
        self.log_dir = os.path.join(self.var, "log")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for f in os.listdir(self.run_dir) if os.path.isdir(self.run_dir) else []:
            pid = self.pid(f[:-4]) if f.endswith(".pid") else None
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(self.var, ignore_errors=True)

    def procfile(self, text):
        path = os.path.join(self.var, "Procfile")
        with open(path, "w") as f:
            f.write(text)
        return path

    def env(self):
        return dict(os.environ, INSPRAAK_VAR=self.var, INSPRAAK_LOG_DIR=self.log_dir)

    def start(self, text):
        with open(os.path.join(self.var, "supervisor.log"), "ab") as log:
            p = subprocess.Popen([os.path.join(bin_dir(), "supervisor"), self.procfile(text)],
                                 env=self.env(), stdin=subprocess.DEVNULL, stderr=log)
        self.procs.append(p)
        return p

    def pid(self, name):
        try:
            with open(os.path.join(self.run_dir, name + ".pid")) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None

    def sv_log(self):
        with open(os.path.join(self.var, "supervisor.log")) as f:
            return f.read()

    def test_restarts_after_kill9_with_doubling_delay(self):
        p = self.start("# two children\n\na: sleep 1000\nb: sleep 1000\n")
        first = wait_until("a.pid", lambda: self.pid("a"), 30)
        os.kill(first, signal.SIGKILL)
        second = wait_until("a restarted",
                            lambda: (self.pid("a") or first) != first and self.pid("a"), 30)
        os.kill(second, signal.SIGKILL)
        wait_until("a restarted again",
                   lambda: self.pid("a") not in (None, first, second), 30)
        log = self.sv_log()
        self.assertIn('msg="restart scheduled" child=a delay_ms=250', log)
        self.assertIn('msg="restart scheduled" child=a delay_ms=500', log)
        self.assertIn("status=signal:9", log)
        self.assertNotIn("child=b delay_ms", log)
        self.assertEqual(p.poll(), None)

    def test_sigterm_stops_all_and_removes_pid_files(self):
        p = self.start("a: sleep 1000\nb: sh -c 'echo out-of-b; exec sleep 1000'\n")
        wait_until("pid files", lambda: self.pid("a") and self.pid("b"), 30)
        a, b = self.pid("a"), self.pid("b")
        wait_until("b's output in its log",
                   lambda: "out-of-b" in _read(os.path.join(self.log_dir, "b.log")), 30)
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=30), 0)
        self.assertEqual([f for f in os.listdir(self.run_dir) if f.endswith(".pid")], [])
        for pid in (a, b):
            self.assertRaises(ProcessLookupError, os.kill, pid, 0)

    def test_child_ignoring_sigterm_is_killed_after_grace(self):
        p = self.start("stubborn: sh -c 'trap \"\" TERM; while :; do sleep 0.2; done'\n")
        pid = wait_until("stubborn.pid", lambda: self.pid("stubborn"), 30)
        time.sleep(0.3)  # let sh install its trap before the signal
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=60), 0)
        self.assertIn("killed", self.sv_log())
        self.assertIn("status=signal:9", self.sv_log())
        self.assertRaises(ProcessLookupError, os.kill, pid, 0)

    def test_second_supervisor_refused_stale_pid_file_replaced(self):
        p = self.start("a: sleep 1000\n")
        wait_until("a.pid", lambda: self.pid("a"), 30)
        second = subprocess.run([os.path.join(bin_dir(), "supervisor"),
                                 self.procfile("a: sleep 1\n")],
                                env=self.env(), capture_output=True, text=True, timeout=30)
        self.assertEqual(second.returncode, 1)
        self.assertIn("another supervisor", second.stderr)
        a = self.pid("a")
        p.kill()  # kill -9: pid files stay behind, the child gets SIGTERM
        p.wait()
        self.assertTrue(os.path.exists(os.path.join(self.run_dir, "supervisor.pid")))
        wait_until("a to die with its supervisor", lambda: not _alive(a), 30)
        q = self.start("a: sleep 1000\n")
        wait_until("a new a.pid", lambda: self.pid("a") not in (None, a), 30)
        self.assertEqual(self.pid("supervisor"), q.pid)

    def test_bad_procfile_is_refused(self):
        for text in ("no colon here\n", "a: sleep 1\na: sleep 2\n", "# nothing\n", "a:\n"):
            r = subprocess.run([os.path.join(bin_dir(), "supervisor"), self.procfile(text)],
                               env=self.env(), capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1, text)
            self.assertIn("bad procfile", r.stderr, text)

    def test_ctrl_c_on_a_terminal_gives_each_child_one_signal(self):
        counts = os.path.join(self.var, "counter.txt")
        ready = os.path.join(self.var, "ready")
        deaf = os.path.join(self.var, "deaf.txt")
        script = os.path.join(self.var, "counter.py")
        with open(script, "w") as f:
            f.write(COUNTER)
        text = ("counter: python3 %s %s %s\n" % (script, counts, ready) +
                "deaf: sh -c 'trap \"echo TERM >> %s; exit 0\" TERM; "
                "while :; do sleep 0.1; done'\n" % deaf)
        path = self.procfile(text)
        pid, fd = pty.fork()
        if pid == 0:  # the child: a session on the pty, like a shell running make run
            os.execve(os.path.join(bin_dir(), "supervisor"),
                      ["supervisor", path], self.env())
        try:
            wait_until("children ready", lambda: os.path.exists(ready) and self.pid("deaf"), 30)
            time.sleep(0.3)  # the deaf sh installs its trap
            os.write(fd, b"\x03")  # Ctrl-C: the tty sends SIGINT to the foreground group
            status = _wait_pid(pid, fd, 30)
        finally:
            os.close(fd)
        self.assertTrue(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status)
        with open(counts) as f:
            self.assertEqual(f.read().split(), ["SIGINT"])  # from the terminal, once
        with open(deaf) as f:
            self.assertEqual(f.read().split(), ["TERM"])    # from the supervisor, once


def _read(path):
    with open(path) as f:
        return f.read()


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_pid(pid, fd, timeout):
    """waitpid with a bound; drains the pty so the child never blocks on it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.read(fd, 65536) if _readable(fd) else None
        except OSError:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("supervisor did not stop after Ctrl-C")


def _readable(fd):
    return bool(select.select([fd], [], [], 0)[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
