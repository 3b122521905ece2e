"""
NAME
    browser - what the headless-Chromium tests share

DESCRIPTION
    The browser tests drive Debian's /usr/bin/chromium (CHROMIUM overrides)
    with playwright-core from npm; test_a11y also uses axe-core from npm.
    ensure_playwright() installs both into tests/browser/node_modules (npm
    ci from package-lock.json) when either is missing, one suite at a time
    (a lock file in the temporary folder);
    AVAILABLE is false, and the tests skip with a message, when node, npm
    or chromium are not installed (deploy/install-deps.sh test installs
    them). run_script() runs one of the .js drivers here with extra
    environment and returns the CompletedProcess.

    Server() starts one Chromium for a whole suite (browser_server.js on
    a free port of the test range); a suite class that starts with
    SharedBrowser (class T(browser.SharedBrowser, ClusterTestCase)) starts
    it with its peers (start_peers()): before the services, stopped after
    them. While it runs, run_script() hands its endpoint to the drivers
    ($BROWSER_WS): each connects to it instead of starting a Chromium of
    its own (a second or more each), and plays in a new browser context
    of its own, closed when it ends, so no storage, cookie, service
    worker, IndexedDB or cache of one case is seen by the next.
"""
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AVAILABLE = bool(shutil.which("node") and shutil.which("npm") and os.access(CHROMIUM, os.X_OK))
MISSING = "node, npm or chromium not installed"


def _installed():
    return all(os.path.isdir(os.path.join(HERE, "node_modules", name))
               for name in ("playwright-core", "axe-core"))


def ensure_playwright():
    if _installed():
        return
    # tests/run.sh runs two suites at once: one installs, the other waits
    # (npm ci first empties node_modules, under the other's feet)
    with open(os.path.join(tempfile.gettempdir(), "inspraak-browser-npm.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        cmd = ["npm", "ci", "--no-audit", "--no-fund"]
        if not os.path.exists(os.path.join(HERE, "package-lock.json")):
            cmd = ["npm", "install", "--no-save", "--no-audit", "--no-fund", "playwright-core@1",
                   "axe-core@4"]
        subprocess.run(cmd, cwd=HERE, check=True, timeout=600)


_endpoint = None  # ws:// of the running Server, if any


class Server:
    """The suite's one Chromium (browser_server.js); stop() ends it. It
    also ends by itself when this process does (its stdin closes)."""

    def __init__(self):
        global _endpoint
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "browser_server.js")],
                                     env=dict(os.environ, CHROMIUM=CHROMIUM,
                                              BROWSER_PORT=str(free_port())),
                                     cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("ws://"):
            self.stop()
            raise RuntimeError("browser_server.js did not start: %r" % line)
        _endpoint = line

    def stop(self):
        global _endpoint
        _endpoint = None
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


class SharedBrowser:
    """Mixin for a ClusterTestCase: one Chromium for the test class,
    playwright-core installed first if needed."""

    @classmethod
    def start_peers(cls):
        ensure_playwright()
        return list(super().start_peers()) + [Server()]


def run_script(name, **env):
    shared = {"BROWSER_WS": _endpoint} if _endpoint else {}
    return subprocess.run(["node", os.path.join(HERE, name)],
                          env=dict(os.environ, CHROMIUM=CHROMIUM, **shared, **env), cwd=HERE,
                          capture_output=True, text=True, timeout=300)
