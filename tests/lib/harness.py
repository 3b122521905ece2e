"""
NAME
    harness - start a real inspraak installation for a Python test

SYNOPSIS
    import sys, os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
    from harness import Cluster, ClusterTestCase

    class TestX(ClusterTestCase):
        SERVICES = ("storage", "classifier", "intake-form", "dashboard")
        def test_post(self):
            status, body = self.cluster.post_idea("Meer bomen in het centrum")
            self.assertEqual(status, 201)

DESCRIPTION
    Cluster finds a free port base (BASE-1690 for Redis and BASE..BASE+30
    for the services and the bus, all inside the loopback range
    26000-29999), makes a temporary INSPRAAK_VAR, writes a Procfile with a
    real redis-server (AOF, appendfsync always, data in the temporary
    folder) and the requested services, and runs $INSPRAAK_BIN/supervisor
    on it. So a kill -9 of a service is followed by a restart exactly as in
    `make run`. Each child's output goes to $INSPRAAK_VAR/log/NAME.log.
    start() returns when Redis answers PING and every service's /healthz
    answers 200. stop() always ends everything (SIGTERM to the supervisor,
    then SIGKILL to its process group) and removes the folder unless
    INSPRAAK_KEEP_VAR=1.

    Several instances (scale-out): Cluster(..., instances={"classifier": 2})
    runs instance i > 0 as Procfile entry "classifier.i" with
    INSPRAAK_INSTANCE=i. Ports of instance i are those of instance 0 plus
    20*i (config.h), the bus included: when any service has 2+ instances,
    INSPRAAK_BUS_CLASSIFY/STORE/EVENTS become lists whose item i is
    BASE+20*i+11/12/13, so every instance binds its own item and the
    connecting side connects to all of them.

    Subclasses may add processes (extra_procs(), called after the port base
    and the folder are chosen), reserve more ports next to Redis
    (REDIS_PORTS) and change the Redis URL the services get (redis_url()),
    e.g. for a replica and Sentinel (tests/fault/test_sentinel.py). They
    may also add redis-server arguments (REDIS_ARGS, e.g. --aclfile) and
    give each service, and inspraakctl through ctl(), a Redis ACL user of
    its own (redis_user(): a user name and a password file, passed as
    INSPRAAK_REDIS_URL=redis://USER@... and INSPRAAK_REDIS_PASSWORD_FILE;
    tests/integration/test_redis_acl.py).

    free_port() gives a random free port of the same range for a server
    the test starts itself (SMTP, IMAP, a scratch Redis): start it before
    the Cluster (ClusterTestCase.start_peers()), or pass the running
    Cluster as avoid so none of its reserved ports is handed out.

    ClusterTestCase starts one Cluster per test class and, when a test
    fails, prints the tail of every log. The HTTP and Redis clients
    (http, wait_until, set_cookie, redis_command) are in clients.py and
    importable from here as before. Nothing here has a timing
    threshold: waits are bounded retries that only decide when to give up.

ENVIRONMENT
    INSPRAAK_BIN       where the binaries are [REPO/bin]
    INSPRAAK_KEEP_VAR  1: keep the temporary folder after the test
    INSPRAAK_TEST_PORTS  LOW-HIGH: the loopback port range [26000-29999];
                       it must hold at least ~1,750 ports (Redis takes
                       BASE-1690, the services BASE..BASE+30, more with
                       several instances); keep it below the kernel's ephemeral range
                       (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999
                       here): client sockets take ports there at random and
                       a range inside it often has no free BASE
"""
import atexit
import ctypes
import http.client as httplib
import json
import os
import random
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

# The HTTP and Redis clients live in clients.py (same folder); imported
# back here so `from harness import http, wait_until, ...` keeps working.
from clients import (  # noqa: F401 (re-exported)
    _json_or_bytes, http, multipart, participant_email_key, redis_command, set_cookie,
    wait_until)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PORT_LOW, PORT_HIGH = 26000, 29999
REDIS_OFFSET = -1690

# HTTP port offsets from common/config.h.
# The intakes run at this nice level, as deployed (deploy/inspraak.sh,
# deploy/systemd Nice=): they yield CPU to the pipeline when busy.
INTAKE_NICE = 10
OFFSETS = {
    "intake-form": 0, "intake-mail": 1, "intake-transcript": 2, "intake-field": 3,
    "classifier": 4, "storage": 5, "notify": 6, "dashboard": 10,
}
DEFAULT_SERVICES = ("storage", "classifier", "intake-form", "dashboard")
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "SUMMARY: UndefinedBehaviorSanitizer")


_LIVE = set()  # clusters started and not yet stopped


def _stop_all():
    for c in list(_LIVE):
        c.stop()


def _on_sigterm(signum, frame):
    # tests/run.sh's per-file timeout sends SIGTERM: stop every cluster
    # before going, so no Redis or service outlives the test.
    _stop_all()
    os._exit(128 + signum)


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, _on_sigterm)


def _die_with_parent():
    """In the supervisor before exec: SIGTERM when this Python process dies
    (even by SIGKILL), so the supervisor then stops its children."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def bin_dir():
    return os.path.abspath(os.environ.get("INSPRAAK_BIN") or os.path.join(REPO, "bin"))


def _port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As the servers do (Redis, libmicrohttpd, ZeroMQ): a port whose old
    # connections are in TIME_WAIT is free for a listener.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def port_range():
    """(low, high) from INSPRAAK_TEST_PORTS=LOW-HIGH, else 26000-29999.
    A value that is set but is not such a range stops the test: falling
    back to the default range would put this run on ports another run
    (which set its own range) may use."""
    v = os.environ.get("INSPRAAK_TEST_PORTS", "")
    if not v:
        return PORT_LOW, PORT_HIGH
    try:
        low, high = (int(x) for x in v.split("-"))
    except ValueError:
        low = high = 0
    if not 1024 < low < high < 65536:
        raise RuntimeError("INSPRAAK_TEST_PORTS=%r is not a port range LOW-HIGH "
                           "(1024 < LOW < HIGH < 65536), e.g. 26000-29999" % v)
    return low, high


def find_port_base(tries=200, span=31, redis_ports=1):
    """A BASE with BASE-1690 .. +redis_ports-1 and BASE..BASE+span-1 free,
    all within the test port range."""
    plow, phigh = port_range()
    low, high = plow - REDIS_OFFSET, phigh - span
    if low > high:
        raise RuntimeError(
            "test port range %d-%d holds %d ports, it needs at least %d: Redis takes the port "
            "%d below the base and the services %d from the base up; widen "
            "INSPRAAK_TEST_PORTS" % (plow, phigh, phigh - plow + 1, span - REDIS_OFFSET + 1,
                                     -REDIS_OFFSET, span))
    for _ in range(tries):
        base = random.randint(low, high)
        if all(_port_free(base + REDIS_OFFSET + i) for i in range(redis_ports)) and \
                all(_port_free(base + i) for i in range(span)):
            return base
    raise RuntimeError("no free port base in %d-%d%s" % (
        plow, phigh, " (inside the kernel's ephemeral port range: choose one below 32768)"
        if phigh >= 32768 else ""))


def free_port(avoid=(), tries=1000):
    """A random free port inside port_range() (free as _port_free checks)
    for a server a test starts itself: SMTP, IMAP, a scratch Redis.
    Started before a Cluster (start_peers()), such a server is safe: the
    Cluster's find_port_base() passes over ports in use. For a server
    started while a Cluster runs, pass that Cluster in avoid: the ports it
    reserved are passed over even where nothing listens on them (yet)."""
    low, high = port_range()
    reserved = set()
    for c in avoid:
        reserved |= c.reserved_ports()
    for _ in range(tries):
        port = random.randint(low, high)
        if port not in reserved and _port_free(port):
            return port
    raise RuntimeError("no free port in %d-%d" % (low, high))


BUS_OFFSETS = (("INSPRAAK_BUS_CLASSIFY", 11), ("INSPRAAK_BUS_STORE", 12),
               ("INSPRAAK_BUS_EVENTS", 13))


class Cluster:
    REDIS_PORTS = 1  # ports reserved from BASE-1690 upwards
    REDIS_ARGS = ""  # more redis-server arguments (shell words), e.g. "--aclfile PATH"

    def __init__(self, services=DEFAULT_SERVICES, env=None, redis=True, instances=None):
        self.services = tuple(services)
        self.instances = dict(instances or {})
        self.extra_env = dict(env or {})
        self.with_redis = redis
        self.bin = bin_dir()
        self.proc = None
        self.var = None
        self.base = None
        self.span = 0

    # --- paths and addresses ---
    @property
    def redis_port(self):
        return self.base + REDIS_OFFSET

    def port(self, service, instance=0):
        return self.base + OFFSETS[service] + 20 * instance

    def reserved_ports(self):
        """Every port this cluster may bind (Redis from BASE-1690, then
        BASE..BASE+span-1); empty before start()."""
        if self.base is None:
            return set()
        return set(range(self.redis_port, self.redis_port + self.REDIS_PORTS)) | \
            set(range(self.base, self.base + self.span))

    def url(self, service, path="/", instance=0):
        return "http://127.0.0.1:%d%s" % (self.port(service, instance), path)

    def n_instances(self, service):
        return max(1, int(self.instances.get(service, 1)))

    def max_instances(self):
        return max([self.n_instances(s) for s in self.services] + [1])

    @staticmethod
    def proc_name(service, instance):
        """Procfile / pid file / log name: "storage", "storage.1", ..."""
        return service if instance == 0 else "%s.%d" % (service, instance)

    def proc_names(self):
        return [self.proc_name(s, i) for s in self.services for i in range(self.n_instances(s))]

    def endpoints(self):
        """{INSPRAAK_BUS_*: list} for the largest instance count."""
        n = self.max_instances()
        return {var: ",".join("tcp://127.0.0.1:%d" % (self.base + 20 * i + off)
                              for i in range(n)) for var, off in BUS_OFFSETS}

    def redis_url(self):
        return "redis://127.0.0.1:%d" % self.redis_port

    def redis_user(self, program):
        """(ACL user, password file) for a service or "inspraakctl", or
        None for the URL without a user (subclasses)."""
        return None

    def redis_user_env(self, program):
        """{INSPRAAK_REDIS_URL, INSPRAAK_REDIS_PASSWORD_FILE} of
        redis_user(program), or {} when it has none."""
        user = self.redis_user(program)
        if not user:
            return {}
        scheme, rest = self.redis_url().split("://", 1)
        return {"INSPRAAK_REDIS_URL": "%s://%s@%s" % (scheme, user[0], rest),
                "INSPRAAK_REDIS_PASSWORD_FILE": user[1]}

    def extra_procs(self):
        """[(name, command)] added to the Procfile after Redis (subclasses)."""
        return []

    def log_path(self, name):
        return os.path.join(self.var, "log", name + ".log")

    def env(self):
        e = dict(os.environ)
        e.update({
            "INSPRAAK_VAR": self.var,
            "INSPRAAK_PORT_BASE": str(self.base),
            "INSPRAAK_INSTANCE": "0",
            "INSPRAAK_REDIS_URL": self.redis_url(),
            "INSPRAAK_DATA": os.path.join(REPO, "data"),
            "INSPRAAK_BIN": self.bin,
            "INSPRAAK_LOG_DIR": os.path.join(self.var, "log"),
            # Tests post from one address far faster than a person would.
            "INSPRAAK_FORM_RATE": "0",
            # A dropped transcript is read 0.1 s after it settled, not up
            # to a second later; settling itself keeps its second.
            "INSPRAAK_TRANSCRIPT_LOOK_MS": "100",
        })
        if self.max_instances() > 1:
            e.update(self.endpoints())
        e.update(self.extra_env)
        return e

    # --- life cycle ---
    def start(self, timeout=60.0):
        for name in ("supervisor",) + self.services:
            path = os.path.join(self.bin, name)
            if not os.access(path, os.X_OK):
                raise RuntimeError("%s is not built (INSPRAAK_BIN=%s)" % (path, self.bin))
        self.span = 20 * (self.max_instances() - 1) + 31
        self.base = find_port_base(span=self.span, redis_ports=self.REDIS_PORTS)
        self.var = tempfile.mkdtemp(prefix="inspraak-test-")
        for sub in ("run", "log", "redis"):
            os.makedirs(os.path.join(self.var, sub), exist_ok=True)
        procfile = os.path.join(self.var, "Procfile")
        with open(procfile, "w") as f:
            if self.with_redis:
                f.write("redis: redis-server --port %d --bind 127.0.0.1 --dir \"$INSPRAAK_VAR/redis\""
                        " --appendonly yes --appendfsync always --save '' --daemonize no"
                        " --logfile '' %s\n" % (self.redis_port, self.REDIS_ARGS))
            self._extra = self.extra_procs()
            for name, cmd in self._extra:
                f.write("%s: %s\n" % (name, cmd))
            for s in self.services:
                for i in range(self.n_instances(s)):
                    nice = "nice -n %d " % INTAKE_NICE if s.startswith("intake-") else ""
                    user = "".join(" %s=%s" % (k, shlex.quote(v))
                                   for k, v in self.redis_user_env(s).items())
                    f.write('%s: %senv INSPRAAK_INSTANCE=%d%s "$INSPRAAK_BIN/%s"\n' % (
                        self.proc_name(s, i), nice, i, user, s))
        sv_log = open(self.log_path("supervisor"), "ab")
        # Own session: the test runner's terminal signals do not reach it,
        # and stop() can end the whole group if anything is left.
        self.proc = subprocess.Popen([os.path.join(self.bin, "supervisor"), procfile],
                                     env=self.env(), stdin=subprocess.DEVNULL, stdout=sv_log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        sv_log.close()
        _LIVE.add(self)
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.dump_logs()
            self.stop()
            raise
        return self

    def wait_ready(self, timeout=60.0, services=None):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("supervisor exited with %s" % self.proc.returncode)
            if self.with_redis and not self.redis_ping():
                return False
            for s in services or self.services:
                for i in range(self.n_instances(s)):
                    if http("GET", self.url(s, "/healthz", i), timeout=2)[0] != 200:
                        return False
            return True
        wait_until("redis and /healthz of %s" % ", ".join(services or self.services), ready,
                   timeout)

    def redis_ping(self):
        return self.redis("PING") == "PONG"

    def redis(self, *args):
        """One Redis command over RESP; returns a str, int, list or None."""
        return redis_command(self.redis_port, *args)

    def stop(self):
        """Ends everything; safe to call twice and after a failed start."""
        _LIVE.discard(self)
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # leftovers in the group
            except (ProcessLookupError, PermissionError):
                pass
        if self.var and os.path.isdir(os.path.join(self.var, "run")):
            for f in os.listdir(os.path.join(self.var, "run")):
                if f.endswith(".pid"):
                    pid = self._read_pid(os.path.join(self.var, "run", f))
                    if pid:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except (ProcessLookupError, PermissionError):
                            pass

    def cleanup(self):
        if self.var and os.environ.get("INSPRAAK_KEEP_VAR") != "1":
            shutil.rmtree(self.var, ignore_errors=True)

    # --- processes ---
    @staticmethod
    def _read_pid(path):
        try:
            with open(path) as f:
                return int(f.read().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def pid_of(self, name):
        """The pid in run/NAME.pid, or None while NAME is not running."""
        return self._read_pid(os.path.join(self.var, "run", name + ".pid"))

    def kill9(self, name):
        """kill -9 of NAME by its pid file; returns the pid, or None when
        it was not running at that moment (between a death and a restart)."""
        pid = self.pid_of(name)
        if not pid:
            return None
        try:
            os.kill(pid, signal.SIGKILL)
            return pid
        except ProcessLookupError:
            return None

    def signal(self, name, sig):
        pid = self.pid_of(name)
        if pid:
            os.kill(pid, sig)
        return pid

    def wait_restarted(self, name, old_pid, timeout=60.0):
        """Waits for a new pid for NAME and, for a service, its /healthz."""
        pid = wait_until("%s to restart" % name,
                         lambda: (self.pid_of(name) or old_pid) != old_pid and self.pid_of(name),
                         timeout)
        if name.split(".")[0] in OFFSETS:
            self.wait_ready(timeout, services=(name.split(".")[0],))
        return pid

    # --- clients ---
    def ctl(self, *args, input=None):
        """Runs bin/inspraakctl against this cluster's Redis."""
        return subprocess.run([os.path.join(self.bin, "inspraakctl")] + list(args),
                              env=dict(self.env(), **self.redis_user_env("inspraakctl")),
                              input=input, capture_output=True, text=True,
                              timeout=60)

    def staff_token(self, name=None):
        name = name or "test-%d" % random.randint(0, 10**9)
        r = self.ctl("token", "create", name)
        if r.returncode != 0:
            raise AssertionError("inspraakctl token create failed: %s" % r.stderr)
        token = r.stdout.strip().split()[-1]
        return token

    def post_idea(self, text=None, key=None, timeout=10.0, instance=0, **fields):
        """POST /api/v1/ideas; returns (status, parsed JSON or raw bytes)."""
        body = dict(fields)
        if text is not None:
            body["text"] = text
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        status, _, data = http("POST", self.url("intake-form", "/api/v1/ideas", instance),
                               json.dumps(body).encode(), headers, timeout)
        return status, _json_or_bytes(data)

    def api(self, path, token, service="dashboard"):
        """GET on the dashboard with a bearer token; (status, parsed JSON)."""
        status, _, data = http("GET", self.url(service, path),
                               headers={"Authorization": "Bearer " + token})
        return status, _json_or_bytes(data)

    def wait_idea(self, idea_id, token, timeout=60.0):
        """Polls GET /api/v1/ideas/ID on the dashboard until the idea is
        there (stored); returns the item (parsed JSON)."""
        path = "/api/v1/ideas/" + urllib.parse.quote(idea_id)

        def fetch():
            status, item = self.api(path, token)
            return item if status == 200 else None
        return wait_until("idea %s stored" % idea_id, fetch, timeout=timeout)

    def dash(self, method, path, body=None, headers=None, instance=0):
        """A request to the dashboard: (status, every header as a list of
        pairs (Set-Cookie may come twice), body bytes)."""
        conn = httplib.HTTPConnection("127.0.0.1", self.port("dashboard", instance), timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            conn.close()

    def staff_login(self, user="anna", password="anna-wachtwoord-1", role=None):
        """Adds a staff user (role: "admin", or inspraakctl's default) with
        inspraakctl and logs in through the dashboard's form (with its CSRF
        cookie); returns the session id."""
        r = self.ctl("user", "add", user, *(("--role", role) if role else ()),
                     input=(password + "\n") * 2)
        if r.returncode != 0:
            raise AssertionError("user add failed: " + r.stderr)
        _, headers, _ = self.dash("GET", "/login")
        pre = set_cookie(headers, "inspraak_login")
        form = urllib.parse.urlencode({"user": user, "password": password, "csrf": pre})
        status, headers, _ = self.dash("POST", "/login", form,
                                       {"Content-Type": "application/x-www-form-urlencoded",
                                        "Cookie": "inspraak_login=" + pre})
        if status != 303:
            raise AssertionError("login answered %d" % status)
        return set_cookie(headers, "inspraak_session")

    def staff_page(self, path, sid):
        """GET a staff page with a session; (status, text)."""
        status, _, page = self.dash("GET", path, headers={"Cookie": "inspraak_session=" + sid})
        return status, page.decode()

    def staff_form(self, path, sid, fields):
        """Sends a staff form as a browser does: the CSRF token from the
        page at PATH, then POST PATH with FIELDS; (status, body text)."""
        page = self.staff_page(path, sid)[1]
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        body = urllib.parse.urlencode(dict(fields, csrf=token))
        status, _, answer = self.dash("POST", path, body,
                                      {"Content-Type": "application/x-www-form-urlencoded",
                                       "Cookie": "inspraak_session=" + sid})
        return status, answer.decode()

    # --- logs ---
    def log_tail(self, name, lines=40):
        try:
            with open(self.log_path(name), "rb") as f:
                data = f.read()[-200000:]
        except OSError:
            return ""
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    def dump_logs(self, lines=40, out=sys.stderr):
        if not self.var:
            return
        names = ["supervisor", "redis"] + [n for n, _ in getattr(self, "_extra", [])] + self.proc_names()
        for name in names:
            tail = self.log_tail(name, lines)
            if tail:
                print("----- %s (last %d lines of %s) -----\n%s" % (
                    name, lines, self.log_path(name), tail), file=out)

    def sanitizer_reports(self):
        """Lines in the service logs where ASan/UBSan/LSan reported."""
        found = []
        for name in self.proc_names():
            try:
                with open(self.log_path(name), "rb") as f:
                    for line in f.read().decode("utf-8", "replace").splitlines():
                        if any(m in line for m in SANITIZER_MARKS):
                            found.append("%s: %s" % (name, line.strip()))
            except OSError:
                pass
        return found


class ClusterTestCase(unittest.TestCase):
    """One Cluster per class (cls.cluster); logs printed on failure;
    sanitizer reports in the logs fail the class at the end."""
    SERVICES = DEFAULT_SERVICES
    ENV = {}
    INSTANCES = {}          # e.g. {"classifier": 2}
    CLUSTER_CLASS = Cluster

    @classmethod
    def start_peers(cls):
        """Hook: starts the outside servers the services talk to (a real
        SMTP or IMAP server), sets cls.ENV to point at them and returns
        them (each with .stop()). They start before the cluster and stop
        after it, also when the cluster fails to start."""
        return []

    @classmethod
    def setUpClass(cls):
        cls.peers = list(cls.start_peers())
        try:
            cls.cluster = cls.CLUSTER_CLASS(cls.SERVICES, env=cls.ENV, instances=cls.INSTANCES)
            cls.cluster.start()
        except BaseException:
            cls._stop_peers()
            raise

    @classmethod
    def _stop_peers(cls):
        for p in reversed(cls.peers):
            p.stop()
        cls.peers = []

    @classmethod
    def tearDownClass(cls):
        try:
            c = cls.cluster
            c.stop()
            reports = c.sanitizer_reports()
            if reports:
                c.dump_logs(lines=80)
            c.cleanup()
            if reports:
                raise AssertionError("sanitizer reports in service logs:\n" +
                                     "\n".join(reports[:20]))
        finally:
            cls._stop_peers()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            self.cluster.dump_logs()
        return out


def main():
    unittest.main(verbosity=2)
