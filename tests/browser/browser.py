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
"""
import fcntl
import os
import shutil
import subprocess
import tempfile

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


def run_script(name, **env):
    return subprocess.run(["node", os.path.join(HERE, name)],
                          env=dict(os.environ, CHROMIUM=CHROMIUM, **env), cwd=HERE,
                          capture_output=True, text=True, timeout=300)
