#!/usr/bin/env python3
"""test_make_start - `make start` / `make stop` as an operator's script uses them.

INTERFACES.md "Starting it": make start runs everything in the background,
honouring INSPRAAK_VAR and INSPRAAK_PORT_BASE (every port moves by the
same offset), writes each process's pid to $INSPRAAK_VAR/run/NAME.pid and
restarts a service that dies; inspraakctl finds that Redis through
INSPRAAK_PORT_BASE alone, or INSPRAAK_VAR alone; make stop ends it all.

Runs deploy/inspraak.sh (what `make start` and `make stop` call after the
build) with the binaries of INSPRAAK_BIN, a temporary INSPRAAK_VAR and a
spare port base of the test range (tests/lib/harness.py), and checks what
an operator sees: the URLs printed on the moved ports, a live pid in every
pid file, /healthz 200 and /metrics (Prometheus text) on every moved
port, Redis on BASE-1690 with AOF and appendfsync always, a
kill -9'd intake-form restarted under a new pid, an idea posted to the
form and read back through the dashboard with a token from inspraakctl
(no INSPRAAK_REDIS_URL set), and after stop no pid file and no process
left. Waits are bounded polls.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import (OFFSETS, REPO, SANITIZER_MARKS, bin_dir, find_port_base, http,  # noqa: E402
                     redis_command, wait_until)

SCRIPT = os.path.join(REPO, "deploy", "inspraak.sh")


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class TestMakeStart(unittest.TestCase):
    def setUp(self):
        self.var = tempfile.mkdtemp(prefix="inspraak-start-")
        self.base = find_port_base()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("INSPRAAK_") or k == "INSPRAAK_TEST_PORTS"}
        self.env.update(INSPRAAK_VAR=self.var, INSPRAAK_PORT_BASE=str(self.base),
                        INSPRAAK_BIN=bin_dir(), INSPRAAK_DATA=os.path.join(REPO, "data"))
        self.services = [s for s in OFFSETS if os.access(os.path.join(bin_dir(), s), os.X_OK)]

    def tearDown(self):
        self.script("stop")
        for name in os.listdir(self.run_dir()) if os.path.isdir(self.run_dir()) else []:
            pid = self.pid(name[:-4]) if name.endswith(".pid") else None
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)
        log = os.path.join(self.var, "log", "inspraak.log")
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                text = f.read()
            if self._outcome.result.errors or self._outcome.result.failures:
                sys.stderr.write("--- inspraak.log (tail) ---\n%s\n" % text[-6000:])
            marks = [m for m in SANITIZER_MARKS if m in text]
        else:
            marks = []
        shutil.rmtree(self.var, ignore_errors=True)
        self.assertEqual(marks, [], "sanitizer reports in inspraak.log")

    def script(self, *args, input=None):
        return subprocess.run([SCRIPT] + list(args), env=self.env, capture_output=True,
                              text=True, timeout=120, input=input)

    def ctl(self, *args):
        return subprocess.run([os.path.join(bin_dir(), "inspraakctl")] + list(args),
                              env=self.env, capture_output=True, text=True, timeout=60)

    def run_dir(self):
        return os.path.join(self.var, "run")

    def pid(self, name):
        try:
            with open(os.path.join(self.run_dir(), name + ".pid")) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None

    def url(self, service, path):
        return "http://127.0.0.1:%d%s" % (self.base + OFFSETS[service], path)

    def healthy(self, service):
        try:
            return http("GET", self.url(service, "/healthz"))[0] == 200
        except OSError:
            return False

    def test_start_pid_files_restart_ctl_and_stop(self):
        self.assertIn("intake-form", self.services)
        self.assertIn("dashboard", self.services)
        # What an earlier run under umask 022 left (before 96d0a40, or by
        # hand): an open state folder, Redis's folder and AOF, the log.
        # Starting again must close them too, not only what it makes new.
        os.chmod(self.var, 0o755)
        for d in ("log", "redis", os.path.join("redis", "appendonlydir")):
            os.makedirs(os.path.join(self.var, d), mode=0o755)
            os.chmod(os.path.join(self.var, d), 0o755)
        with open(os.path.join(self.var, "log", "inspraak.log"), "w") as f:
            f.write("an earlier run\n")
        os.chmod(os.path.join(self.var, "log", "inspraak.log"), 0o644)
        r = self.script("start")
        # start waits 30 s at most for every /healthz; a slow machine may
        # need longer, then it says so and leaves everything running
        self.assertTrue(r.returncode == 0 or "not healthy after" in r.stderr,
                        r.stdout + r.stderr)
        for s in self.services:
            wait_until("%s healthy on its moved port" % s, lambda s=s: self.healthy(s), 120)
        if r.returncode != 0:
            r = self.script("urls")
        self.assertIn("http://localhost:%d/" % self.base, r.stdout)
        self.assertIn("http://localhost:%d/" % (self.base + OFFSETS["dashboard"]), r.stdout)
        self.assertIn("redis://127.0.0.1:%d" % (self.base - 1690), r.stdout)
        # The dashboard and the field app need a user and a device token
        # first; the printout only told how to make an API token, and the
        # login page does not say how to get in.
        for cmd in ("inspraakctl user add NAME", "inspraakctl device add NAME",
                    "inspraakctl token create NAME"):
            self.assertIn(cmd, r.stdout)
        self.assertEqual(redis_command(self.base - 1690, "PING"), "PONG")
        self.assertEqual(redis_command(self.base - 1690, "CONFIG", "GET", "appendonly"),
                         ["appendonly", "yes"])
        self.assertEqual(redis_command(self.base - 1690, "CONFIG", "GET", "appendfsync"),
                         ["appendfsync", "always"])
        for s in self.services:  # Prometheus text on every service's port
            status, headers, body = http("GET", self.url(s, "/metrics"))
            self.assertEqual(status, 200, s)
            self.assertIn("text/plain", headers.get("content-type", ""), s)
            self.assertRegex(body.decode(), r"(?m)^# TYPE inspraak_\w+ ", s)
            self.assertRegex(body.decode(), r"(?m)^inspraak_\w+(\{[^}]*\})? [0-9.e+-]+$", s)
        for name in ["supervisor", "redis"] + self.services:
            pid = self.pid(name)
            self.assertIsNotNone(pid, "no %s/run/%s.pid" % (self.var, name))
            self.assertTrue(alive(pid), "%s.pid: %d is not running" % (name, pid))

        # a service that dies is started again, with a new pid file
        old = self.pid("intake-form")
        os.kill(old, signal.SIGKILL)
        wait_until("intake-form restarted",
                   lambda: self.pid("intake-form") not in (None, old) and
                   self.healthy("intake-form"), 120)

        # inspraakctl reaches the same Redis through INSPRAAK_PORT_BASE
        r = self.ctl("token", "create", "start-test")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip().split()[-1]
        status, _, raw = http("POST", self.url("intake-form", "/api/v1/ideas"),
                              {"text": "Meer bomen op het Pancratiusplein",
                               "name": "Mila Modus", "email": "mila.modus@example.org"})
        self.assertEqual(status, 201, raw)
        idea_id = json.loads(raw)["id"]

        def stored():
            status, _, raw = http("GET", self.url("dashboard", "/api/v1/ideas/" +
                                                  urllib.parse.quote(idea_id)),
                                  headers={"Authorization": "Bearer " + token})
            return status == 200 and json.loads(raw)
        self.assertEqual(wait_until("idea stored", stored, 120)["text"],
                         "Meer bomen op het Pancratiusplein")
        # The state folder holds names and addresses (Redis's AOF, the
        # spools): no other user of the machine may read any of it, as under
        # systemd (UMask=0027).
        readable = [] if os.stat(self.var).st_mode & 0o007 == 0 else ["/"]
        for root, dirs, files in os.walk(self.var):
            for name in dirs + files:
                path = os.path.join(root, name)
                if os.lstat(path).st_mode & 0o007:
                    readable.append(path[len(self.var):])
        held = subprocess.run(["grep", "-r", "-l", "-a", "Mila Modus",
                               os.path.join(self.var, "redis")],
                              capture_output=True, text=True).stdout.split()
        self.assertTrue(held, "the name is not in Redis's files")
        self.assertEqual(readable, [], "readable or usable by every user of the machine")

        # ... and through INSPRAAK_VAR alone: the port base this run used is
        # in $INSPRAAK_VAR/run/port-base (without it, inspraakctl would go to
        # the default base's Redis, where there is none)
        env = {k: v for k, v in self.env.items() if k != "INSPRAAK_PORT_BASE"}
        r = subprocess.run([os.path.join(bin_dir(), "inspraakctl"), "token", "create", "var-only"],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        status, _, _ = http("GET", self.url("dashboard", "/api/v1/ideas/" + urllib.parse.quote(idea_id)),
                            headers={"Authorization": "Bearer " + r.stdout.strip().split()[-1]})
        self.assertEqual(status, 200)
        with open(os.path.join(self.run_dir(), "port-base"), "w") as f:
            f.write("80x\n")
        r = subprocess.run([os.path.join(bin_dir(), "inspraakctl"), "token", "create", "bad-base"],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("port-base: not a port base", r.stderr)

        # stop: every process gone, no pid file left, the ports closed
        pids = {name: self.pid(name) for name in ["supervisor", "redis"] + self.services}
        r = self.script("stop")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual([f for f in os.listdir(self.run_dir()) if f.endswith(".pid")], [])
        for name, pid in pids.items():
            wait_until("%s (pid %d) gone" % (name, pid), lambda pid=pid: not alive(pid), 30)
        for s in self.services:
            self.assertFalse(self.healthy(s), s)
        self.assertEqual(self.script("status").returncode, 3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
