"""
NAME
    test_security - the foundation flow with a CURVE bus and a Redis password

DESCRIPTION
    TestCurveBus: keys from `inspraakctl bus-keys`, INSPRAAK_BUS_CURVE_KEYS
    set for every service (the harness passes its env dict to the
    supervisor, which passes it on); an idea posted on the form reaches the
    dashboard API, so every hop (intake PUSH, classifier PULL/PUSH, storage
    PULL/PUB, intake SUB ack) worked with CURVE. A service started with a
    key folder that others can read refuses to start.

    TestRedisPassword: redis-server with --requirepass; the services and
    inspraakctl get the password only from INSPRAAK_REDIS_PASSWORD_FILE
    (mode 0600); the same flow works. A world-readable password file is
    refused.

    TestLoginAttack: the dashboard's login as an attacker sees it. Guesses
    sent all at once on parallel connections (the dashboard runs a thread
    per connection) get no more answers than the documented limit of
    failed logins per user name.

    TestLoginUserNames: a user name that does not exist gets the same
    argon2 password check as one that does (against a dummy hash), so the
    time of the 401 does not tell which names exist; shown by the
    dashboard's count of checks, as a test cannot judge time.

    TestLoginMemory: with INSPRAAK_LOGIN_CHECKS_MAX=1 a login that finds
    the one place taken (held by a login waiting on a paused Redis) gets
    the form again with 503, Retry-After and "te druk", and nothing is
    counted against it; many logins at once each get 303, 401 or 503 and
    the service stays up.

    TestLoginRedisHiccup: when Redis refuses the user lookup or the
    session write (an ACL takes the command away: no timing), the login
    answers the Dutch 503 and the attempt is given back, so a staff
    member who retried through it with the right password more often than
    the limit still gets in afterwards.

    TestLoginBehindProxy: behind the reverse proxy of a TLS deployment
    (INSPRAAK_TRUSTED_PROXIES names it) the per-address limit counts the
    address the proxy reports (the rightmost X-Forwarded-For entry), so
    one attacker cannot lock every staff member out; a client that is not
    a named proxy cannot choose its address with that header.

    Waiting is a bounded poll, never a timing threshold.
"""
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness  # noqa: E402
from harness import Cluster, ClusterTestCase, bin_dir, set_cookie, wait_until  # noqa: E402

SERVICES = ("storage", "classifier", "intake-form", "dashboard")


def flow(test):
    """Posts an idea and waits until the dashboard API shows it."""
    c = test.cluster
    token = c.staff_token("security-test")
    status, body = c.post_idea("Meer bankjes in het park aan de Geleenstraat, graag.")
    test.assertEqual(status, 201, body)
    item = c.wait_idea(body["id"], token)
    test.assertIn("bankjes", json.dumps(item))


class TestCurveBus(ClusterTestCase):
    SERVICES = SERVICES

    @classmethod
    def setUpClass(cls):
        cls.keydir = tempfile.mkdtemp(prefix="inspraak-keys-")
        keys = os.path.join(cls.keydir, "bus")
        r = subprocess.run([os.path.join(bin_dir(), "inspraakctl"), "bus-keys", keys],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError("bus-keys failed: %s" % r.stderr)
        cls.keys = keys
        cls.ENV = {"INSPRAAK_BUS_CURVE_KEYS": keys}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.keydir, ignore_errors=True)

    def test_flow_over_curve(self):
        flow(self)

    def test_loose_key_folder_refused(self):
        bad = os.path.join(self.keydir, "loose")
        shutil.copytree(self.keys, bad)
        os.chmod(bad, 0o755)
        # A port base of its own, free and below the ephemeral range (a
        # fixed offset from the cluster's once landed on a client socket).
        env = dict(self.cluster.env(), INSPRAAK_BUS_CURVE_KEYS=bad,
                   INSPRAAK_PORT_BASE=str(harness.find_port_base()))
        # The classifier binds first thing after its admin port: it must exit.
        r = subprocess.run([os.path.join(self.cluster.bin, "classifier")], env=env,
                           capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("INSPRAAK_BUS_CURVE_KEYS", r.stderr)
        self.assertIn("mode 0755", r.stderr)


class PasswordCluster(Cluster):
    PASSWORD = "Zeg-het-niet-door/@%:1"

    def __init__(self, *a, **kw):
        kw["redis"] = False  # our own redis-server below, with a password
        super().__init__(*a, **kw)

    def pwfile(self):
        return os.path.join(self.var, "redis.password")

    def extra_procs(self):
        with open(os.open(self.pwfile(), os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(self.PASSWORD + "\n")
        return [("redis", "redis-server --port %d --bind 127.0.0.1 --dir \"$INSPRAAK_VAR/redis\""
                 " --requirepass '%s' --save '' --daemonize no --logfile ''"
                 % (self.redis_port, self.PASSWORD))]

    def env(self):
        e = super().env()
        if self.var:
            e["INSPRAAK_REDIS_PASSWORD_FILE"] = self.pwfile()
        return e


class TestRedisPassword(ClusterTestCase):
    SERVICES = SERVICES
    CLUSTER_CLASS = PasswordCluster

    def test_flow_with_password_file(self):
        flow(self)

    def test_redis_refuses_without_password(self):
        with self.assertRaisesRegex(OSError, "AuthenticationError"):  # Redis's NOAUTH
            self.cluster.redis("GET", "x")

    def test_loose_password_file_refused(self):
        loose = os.path.join(self.cluster.var, "loose.password")
        with open(loose, "w") as f:
            f.write(PasswordCluster.PASSWORD)
        os.chmod(loose, 0o644)
        env = dict(self.cluster.env(), INSPRAAK_REDIS_PASSWORD_FILE=loose)
        r = subprocess.run([os.path.join(self.cluster.bin, "inspraakctl"), "token", "list"],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("INSPRAAK_REDIS_PASSWORD_FILE", r.stderr)
        self.assertIn("0644", r.stderr)


def login_form(cluster, user, password):
    """(body, headers) of a dashboard login post with a fresh form token."""
    _, hs, _ = cluster.dash("GET", "/login")
    pre = set_cookie(hs, "inspraak_login")
    body = urllib.parse.urlencode({"user": user, "password": password, "csrf": pre})
    return body, {"Content-Type": "application/x-www-form-urlencoded",
                  "Cookie": "inspraak_login=" + pre}


def logins_at_once(cluster, forms):
    """Posts every (body, headers) of forms to /login at the same moment,
    each on its own connection (the dashboard runs a thread per
    connection); the statuses in order, or the error a request got."""
    n = len(forms)
    conns = [http.client.HTTPConnection("127.0.0.1", cluster.port("dashboard"), timeout=120)
             for _ in range(n)]
    for conn in conns:
        conn.connect()
    statuses = [None] * n
    start = threading.Barrier(n)

    def send(i):
        start.wait()
        try:
            conns[i].request("POST", "/login", *forms[i])
            statuses[i] = conns[i].getresponse().status
        except OSError as e:
            statuses[i] = repr(e)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for conn in conns:
        conn.close()
    return statuses


class TestLoginAttack(ClusterTestCase):
    SERVICES = ("dashboard",)

    def test_parallel_guesses_get_no_more_tries_than_the_limit(self):
        # INSPRAAK_LOGIN_MAX_USER is 5: five wrong passwords, then 429.
        # Twelve guesses sent at the same moment used to be checked
        # against the count before any of them was counted, so all twelve
        # were tried (11 answered 401 in a run before the fix).
        r = self.cluster.ctl("user", "add", "doelwit", input="goed-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        statuses = logins_at_once(self.cluster, [login_form(self.cluster, "doelwit",
                                                            "geraden-wachtwoord")] * 12)
        self.assertEqual(sorted(statuses), [401] * 5 + [429] * 7)
        # The right password is refused too until the window ends.
        body, headers = login_form(self.cluster, "doelwit", "goed-wachtwoord-1")
        self.assertEqual(self.cluster.dash("POST", "/login", body, headers)[0], 429)


def password_checks(cluster):
    """The dashboard's count of argon2 password checks (its /metrics)."""
    _, _, body = cluster.dash("GET", "/metrics")
    for line in body.decode().splitlines():
        if line.startswith("inspraak_dashboard_password_checks_total "):
            return float(line.split()[1])
    raise AssertionError("no inspraak_dashboard_password_checks_total on /metrics")


class TestLoginUserNames(ClusterTestCase):
    SERVICES = ("dashboard",)

    def test_unknown_name_costs_the_same_check(self):
        # An unknown user name was answered 401 without the slow argon2
        # check a known name gets, so the time of the answer told which
        # staff names exist. A test cannot judge time; it checks that the
        # check is done (and counted) for both.
        r = self.cluster.ctl("user", "add", "bestaat", input="goed-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        for user in ("bestaat", "bestaat-niet"):
            before = password_checks(self.cluster)
            body, headers = login_form(self.cluster, user, "geraden-wachtwoord")
            self.assertEqual(self.cluster.dash("POST", "/login", body, headers)[0], 401)
            self.assertEqual(password_checks(self.cluster), before + 1, user)


class TestLoginMemory(ClusterTestCase):
    """One password check at a time, and no wait for a place."""
    SERVICES = ("dashboard",)
    ENV = {"INSPRAAK_LOGIN_CHECKS_MAX": "1", "INSPRAAK_LOGIN_WAIT_MS": "0",
           "INSPRAAK_LOGIN_MAX_IP": "1000"}

    def waiting_on_redis(self):
        """1 when a client's command waits in the Redis pause (its
        CLIENT LIST line names the command: the attempt count's EVAL)."""
        return "cmd=eval" in self.cluster.redis("CLIENT", "LIST")

    def login(self, user, password, out=None, i=0):
        body, headers = login_form(self.cluster, user, password)
        status, hs, page = self.cluster.dash("POST", "/login", body, headers)
        if out is not None:
            out[i] = status
        return status, dict(hs), page.decode()

    def test_1_a_login_over_the_cap_is_told_to_retry(self):
        # Each check takes 64 MiB and nothing capped how many ran at once.
        # A login holds its place while Redis does not answer (paused
        # for writes, which the attempt count is), so the place stays
        # taken without any timing; the next login then finds no place.
        # Before the cap it waited for Redis too and got 401.
        r = self.cluster.ctl("user", "add", "houder", input="houder-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        body, headers = login_form(self.cluster, "houder", "houder-wachtwoord-1")
        second = login_form(self.cluster, "tweede", "geraden")
        self.cluster.redis("CLIENT", "PAUSE", "20000", "WRITE")
        first = [None]
        try:
            t = threading.Thread(target=lambda: first.__setitem__(
                0, self.cluster.dash("POST", "/login", body, headers)[0]))
            t.start()
            wait_until("the first login holds the place", self.waiting_on_redis)
            status, hs, page = self.cluster.dash("POST", "/login", *second)
        finally:
            self.cluster.redis("CLIENT", "UNPAUSE")
        t.join()
        self.assertIn("te druk", page.decode())
        self.assertEqual(status, 503)
        self.assertEqual(dict(hs).get("Retry-After"), "10")
        self.assertIn('name="password"', page.decode())  # the form, to try again
        self.assertEqual(first[0], 303)
        # The busy answer counted no failed login: "tweede" may still try.
        self.assertEqual(self.cluster.redis("GET", "inspraak:loginfail:user:" + hashlib.blake2b(
            b"tweede", digest_size=32).hexdigest()), None)

    def test_2_many_logins_at_once(self):
        r = self.cluster.ctl("user", "add", "veel", input="veel-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        statuses = logins_at_once(self.cluster, [
            login_form(self.cluster, *(("veel", "veel-wachtwoord-1") if i % 4 == 0 else
                                       ("naam%d" % i, "geraden"))) for i in range(16)])
        for i, st in enumerate(statuses):
            self.assertIn(st, (303, 401, 503) if i % 4 == 0 else (401, 503), statuses)
        # Still up, and a login alone gets in.
        self.assertEqual(self.cluster.dash("GET", "/healthz")[0], 200)
        self.assertEqual(self.login("veel", "veel-wachtwoord-1")[0], 303)


class TestLoginRedisHiccup(ClusterTestCase):
    SERVICES = ("dashboard",)

    def test_right_password_after_redis_failed(self):
        # The attempt is counted before the password is checked. When
        # Redis then failed (the user lookup, or writing the session) the
        # count stayed: six retries with the right password through such
        # a hiccup locked the user out for a quarter of an hour (429).
        r = self.cluster.ctl("user", "add", "hikke", input="hikke-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        for command in ("hmget", "hset"):  # the user lookup, the session write
            self.cluster.redis("ACL", "SETUSER", "default", "-" + command)
            try:
                for _ in range(6):  # INSPRAAK_LOGIN_MAX_USER is 5
                    body, headers = login_form(self.cluster, "hikke", "hikke-wachtwoord-1")
                    status, _, page = self.cluster.dash("POST", "/login", body, headers)
                    self.assertEqual(status, 503, command)
                    self.assertIn("Probeer het over een paar minuten opnieuw", page.decode())
            finally:
                self.cluster.redis("ACL", "SETUSER", "default", "+" + command)
            body, headers = login_form(self.cluster, "hikke", "hikke-wachtwoord-1")
            self.assertEqual(self.cluster.dash("POST", "/login", body, headers)[0], 303, command)


class TestLoginBehindProxy(ClusterTestCase):
    SERVICES = ("dashboard",)
    ENV = {"INSPRAAK_TRUSTED_PROXIES": "127.0.0.1", "INSPRAAK_LOGIN_MAX_IP": "3"}

    def login(self, user, password, forwarded=None, source="127.0.0.1"):
        """Status of one login through a fresh form, sent from `source`
        with X-Forwarded-For `forwarded` (None: none; a list: one header
        line each, as a proxy that appends its own line sends them)."""
        body, headers = login_form(self.cluster, user, password)
        lines = [forwarded] if isinstance(forwarded, str) else forwarded or []
        conn = http.client.HTTPConnection("127.0.0.1", self.cluster.port("dashboard"),
                                          timeout=60, source_address=(source, 0))
        try:
            conn.putrequest("POST", "/login")
            for name, value in headers.items():
                conn.putheader(name, value)
            for value in lines:
                conn.putheader("X-Forwarded-For", value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body.encode() if isinstance(body, str) else body)
            return conn.getresponse().status
        finally:
            conn.close()

    def test_limit_per_address_the_proxy_reports(self):
        r = self.cluster.ctl("user", "add", "eva", input="eva-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        # An attacker behind the proxy guesses three passwords (three user
        # names, so only the address limit counts) and is then refused,
        # also when it puts an address of its own in front (the proxy
        # appends the real one).
        for i in range(3):
            self.assertEqual(self.login("gok%d" % i, "geraden", "198.51.100.7"), 401)
        self.assertEqual(self.login("gok9", "geraden", "198.51.100.7"), 429)
        self.assertEqual(self.login("gok9", "geraden", "192.0.2.55, 198.51.100.7"), 429)
        # A proxy that appends a header line of its own (HAProxy's option
        # forwardfor) after the one the client sent: the last line counts.
        self.assertEqual(self.login("gok9", "geraden", ["192.0.2.56", "198.51.100.7"]), 429)
        # A staff member at another address, through the same proxy, gets
        # in (all requests came from the proxy's address: this was 429).
        self.assertEqual(self.login("eva", "eva-wachtwoord-1", "203.0.113.9"), 303)
        # A client that is no named proxy: the header is not believed, its
        # failures count for its own address whatever it claims.
        for i in range(3):
            self.assertEqual(self.login("gok%d" % i, "geraden", "192.0.2.%d" % (10 + i),
                                        source="127.0.0.2"), 401)
        self.assertEqual(self.login("eva", "eva-wachtwoord-1", "192.0.2.99", source="127.0.0.2"),
                         429)

    def test_limit_per_ipv6_network(self):
        """An IPv6 client has a whole /64 network to itself (a home line,
        a server): counted per address, it took a new address for every
        guess and the address limit never held. Its /64 counts as one."""
        r = self.cluster.ctl("user", "add", "ida", input="ida-wachtwoord-1\n" * 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        for i in range(3):
            self.assertEqual(self.login("zes%d" % i, "geraden", "2001:db8:6:4::%x" % (i + 1)),
                             401)
        self.assertEqual(self.login("zes9", "geraden", "2001:db8:6:4:ffff::99"), 429)
        # Someone in another /64 of the same provider gets in.
        self.assertEqual(self.login("ida", "ida-wachtwoord-1", "2001:db8:6:5::1"), 303)


if __name__ == "__main__":
    unittest.main(verbosity=2)
