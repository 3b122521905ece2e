"""
NAME
    test_deploy_files - docker-compose.yml and deploy/systemd/ are valid and
    cover every service

DESCRIPTION
    No container engine and no systemd as PID 1 are needed:
      - `docker-compose config -q` accepts docker-compose.yml, with and
        without the "scale" profile; the parsed file (`docker-compose
        config`, PyYAML) has Redis with AOF always and a volume, and every
        service a health check, a restart policy, a memory limit, its own
        state volume; the services docs/configuration.md calls public
        (the form, transcript upload, field API, notify's /afmelden and
        the dashboard) publish their port on every interface, for the
        reverse proxy in front, and every other port is published on
        127.0.0.1 only; the scale profile adds classifier-1 and
        storage-1 with INSPRAAK_INSTANCE=1; every container gets (from
        compose or the image) each setting inspraak.env.example sets;
      - every service unit runs as its own user (inspraak-SERVICE) with its
        own state folder, and gets only its own secrets as systemd
        credentials: its Redis password file (for its own Redis ACL user
        in deploy/redis-users.conf), notify's unsubscribe key for the two
        services that sign links; every *_FILE setting a unit sets points
        into its own credentials ($CREDENTIALS_DIRECTORY, %d); the shared
        inspraak.env.example names no secret, no Redis URL and no state
        folder (it would override every unit's own);
      - `systemd-analyze verify` accepts every unit (copied to a temporary
        folder, templates as instance 0, ExecStart pointed at the built
        binaries, since /opt/inspraak is not installed here);
      - every folder services/NAME with a main.c is either a service with a
        unit inspraak-NAME@.service, a Wants= in inspraak.target and a
        compose service, or one of the tools listed below;
      - every service's port (8080 + its offset in common/config.h) is the
        one its compose service publishes and health-checks and its unit
        names, and docs/configuration.md and docs/interfaces.md state it
        beside the service's name;
      - every INSPRAAK_* variable a program names (a string literal in
        common/ or services/) is in docs/configuration.md, which says it
        holds the full list, and every one that docker-compose.yml or
        deploy/systemd/ sets is one a program reads.
    A check whose program is missing is skipped with a message.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import OFFSETS, REPO, bin_dir  # noqa: E402

# Folders with a main.c that are programs, not long-running services.
TOOLS = {"supervisor", "inspraakctl", "classify", "classify-train", "inspraak-import"}
COMPOSE = os.path.join(REPO, "docker-compose.yml")
UNITS = os.path.join(REPO, "deploy", "systemd")


def service_folders():
    return sorted(os.path.basename(os.path.dirname(p))
                  for p in glob.glob(os.path.join(REPO, "services", "*", "main.c")))


def public_services():
    """The services whose port docs/configuration.md calls public."""
    with open(os.path.join(REPO, "docs", "configuration.md")) as f:
        return set(re.findall(r"^\| `([a-z-]+)` \| \d+ \|.*\(public", f.read(), re.M))


def compose(*args):
    return subprocess.run(["docker-compose", "-f", COMPOSE] + list(args), cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@unittest.skipUnless(shutil.which("docker-compose"), "docker-compose is not installed "
                     "(deploy/install-deps.sh test installs it)")
class TestCompose(unittest.TestCase):
    def parsed(self, *profile):
        try:
            import yaml
        except ImportError:
            self.skipTest("python3-yaml is not installed")
        r = compose(*(list(profile) + ["config"]))
        self.assertEqual(r.returncode, 0, r.stderr)
        return yaml.safe_load(r.stdout)

    def test_config_validates(self):
        for args in ([], ["--profile", "scale"]):
            r = compose(*(args + ["config", "-q"]))
            self.assertEqual(r.returncode, 0, "docker-compose %s config -q: %s" % (args, r.stderr))

    def test_every_service_is_complete(self):
        cfg = self.parsed()
        services = cfg["services"]
        for name in set(OFFSETS) | {"redis"}:
            self.assertIn(name, services)
        redis = services["redis"]
        cmd = " ".join(redis["command"])
        self.assertIn("--appendfsync always", cmd)
        self.assertIn("--appendonly yes", cmd)
        self.assertTrue(redis.get("volumes"), "redis has no volume")
        volumes_seen = set()
        public = public_services()
        self.assertGreaterEqual(public, {"intake-form", "notify", "dashboard"})
        for name, svc in services.items():
            self.assertIn("healthcheck", svc, name)
            self.assertIn(svc.get("restart"), ("unless-stopped", "always"), name)
            self.assertTrue(svc.get("mem_limit"), "%s has no memory limit" % name)
            for p in svc.get("ports", []):
                if isinstance(p, dict):
                    host_ip = p.get("host_ip")
                else:  # "[HOST_IP:]HOST_PORT:CONTAINER_PORT[/proto]"
                    parts = str(p).split(":")
                    host_ip = parts[0] if len(parts) == 3 else None
                if re.sub(r"-\d+$", "", name) in public:  # reached through the proxy
                    self.assertIn(host_ip, (None, "", "0.0.0.0"),
                                  "%s is public but publishes %r on %s only" % (name, p, host_ip))
                else:
                    self.assertEqual(host_ip, "127.0.0.1",
                                     "%s publishes %r beyond loopback" % (name, p))
            if name != "redis":
                env = svc["environment"]
                self.assertIn("INSPRAAK_REDIS_URL", env, name)
                vols = [v["source"] if isinstance(v, dict) else v.split(":")[0]
                        for v in svc.get("volumes", [])]
                self.assertEqual(len(vols), 1, "%s: one state volume, got %r" % (name, vols))
                self.assertNotIn(vols[0], volumes_seen, "%s shares a state volume" % name)
                volumes_seen.add(vols[0])

    def test_production_settings_reach_every_container(self):
        """What deploy/systemd/inspraak.env.example sets for production
        (public URLs for the links in mails, Secure cookies, ...) is set
        for every compose service too (or by the image), so an operator
        can give it (.env), instead of mails linking to localhost."""
        with open(os.path.join(UNITS, "inspraak.env.example")) as f:
            wanted = set(re.findall(r"^(INSPRAAK_[A-Z0-9_]+)=", f.read(), re.M))
        with open(os.path.join(REPO, "deploy", "Dockerfile")) as f:
            image = set(re.findall(r"\b(INSPRAAK_[A-Z0-9_]+)=", f.read()))
        for name, svc in self.parsed()["services"].items():
            if name != "redis":
                self.assertEqual(sorted(wanted - image - set(svc["environment"])), [], name)

    def test_scale_profile_runs_two_classifiers_and_storages(self):
        cfg = self.parsed("--profile", "scale")
        services = cfg["services"]
        for name in ("classifier", "storage"):
            second = services[name + "-1"]
            self.assertEqual(str(second["environment"]["INSPRAAK_INSTANCE"]), "1")
            self.assertEqual(second.get("profiles"), ["scale"])
        intake_env = services["intake-form"]["environment"]
        self.assertEqual(len(intake_env["INSPRAAK_BUS_CLASSIFY"].split(",")), 2)
        self.assertEqual(len(intake_env["INSPRAAK_BUS_EVENTS"].split(",")), 2)
        self.assertEqual(len(services["classifier"]["environment"]["INSPRAAK_BUS_STORE"]
                             .split(",")), 2)


class TestCoverage(unittest.TestCase):
    def test_every_service_has_a_unit_and_a_compose_service(self):
        with open(COMPOSE) as f:
            compose_text = f.read()
        with open(os.path.join(UNITS, "inspraak.target")) as f:
            target = f.read()
        services = [s for s in service_folders() if s not in TOOLS]
        self.assertEqual(set(services), set(OFFSETS),
                         "a new program in services/: add it to compose, systemd and "
                         "harness.OFFSETS, or to TOOLS here")
        for s in services:
            unit = os.path.join(UNITS, "inspraak-%s@.service" % s)
            self.assertTrue(os.path.exists(unit), "no unit for %s" % s)
            self.assertIn("inspraak-%s@0.service" % s, target, "%s not in inspraak.target" % s)
            self.assertIn("\n  %s:\n" % s, compose_text, "no compose service for %s" % s)
            with open(unit) as f:
                text = f.read()
            for line in ("NoNewPrivileges=yes", "ProtectSystem=strict",
                         "StateDirectory=inspraak/%s" % s, "Restart=always",
                         "EnvironmentFile=/etc/inspraak/inspraak.env", "PartOf=inspraak.target",
                         "WantedBy=inspraak.target"):
                self.assertIn(line, text, "%s lacks %s" % (unit, line))


    def test_intakes_yield_cpu_to_the_pipeline(self):
        """Every intake runs at one lower CPU priority wherever it is
        deployed (the Procfile of deploy/inspraak.sh, the systemd units,
        compose, the test harness), and nothing else does."""
        import harness
        with open(os.path.join(REPO, "deploy", "inspraak.sh")) as f:
            m = re.search(r"^INTAKE_NICE=(\d+)$", f.read(), re.M)
        self.assertIsNotNone(m, "deploy/inspraak.sh sets no INTAKE_NICE")
        nice = int(m.group(1))
        self.assertGreater(nice, 0)
        self.assertEqual(harness.INTAKE_NICE, nice)
        with open(COMPOSE) as f:
            compose_text = f.read()
        for s in OFFSETS:
            with open(os.path.join(UNITS, "inspraak-%s@.service" % s)) as f:
                unit = f.read()
            block = compose_text.split("\n  %s:\n" % s, 1)[1].split("\n\n", 1)[0]
            if s.startswith("intake-"):
                self.assertIn("\nNice=%d\n" % nice, unit, s)
                self.assertIn("cpu_shares:", block, s)
            else:
                self.assertNotIn("Nice=", unit, s)
                self.assertNotIn("cpu_shares:", block, s)


# How the docs name a service beside its port ("form 8080", "field API 8083",
# "intake-mail 8081").
DOC_NAMES = {"intake-form": ("intake-form", "form"), "intake-mail": ("intake-mail", "mail"),
             "intake-transcript": ("intake-transcript", "transcript"),
             "intake-field": ("intake-field", "field")}


def config_offsets():
    """{service: HTTP port offset} as common/config.h defines them."""
    with open(os.path.join(REPO, "common", "config.h")) as f:
        text = f.read()
    offs = {m.group(1): int(m.group(2))
            for m in re.finditer(r"PORT_OFF_([A-Z_]+) = (-?\d+)", text)}
    return {s: offs[(s[len("intake-"):] if s.startswith("intake-") else s).upper()]
            for s in OFFSETS}


class TestPorts(unittest.TestCase):
    def test_harness_offsets_are_config_h(self):
        self.assertEqual(config_offsets(), OFFSETS)

    def test_compose_and_units_use_each_service_port(self):
        with open(COMPOSE) as f:
            compose_text = f.read()
        for s, off in config_offsets().items():
            port = 8080 + off
            block = compose_text.split("\n  %s:\n" % s, 1)[1].split("\n\n", 1)[0]
            self.assertRegex(block, r'"(127\.0\.0\.1:)?%d:%d"' % (port, port), s)
            self.assertIn("http://127.0.0.1:%d/healthz" % port, block, s)
            with open(os.path.join(UNITS, "inspraak-%s@.service" % s)) as f:
                self.assertIn("INSPRAAK_PORT_BASE + %d + 20 * instance" % off, f.read(), s)

    def test_docs_state_every_default_port(self):
        for doc in ("configuration.md", "interfaces.md"):
            with open(os.path.join(REPO, "docs", doc)) as f:
                text = f.read()
            for s, off in config_offsets().items():
                names = "|".join(re.escape(n) for n in DOC_NAMES.get(s, (s,)))
                pattern = r"`?\b(%s)`?(?:\s+[a-zA-Z]+)?[\s:|`]{1,6}%d\b" % (names, 8080 + off)
                found = re.search(pattern, text)
                self.assertTrue(found, "docs/%s does not state %s's default port %d"
                                % (doc, s, 8080 + off))


def variables_read():
    """The INSPRAAK_* names the programs read: string literals in their C."""
    names = set()
    for path in glob.glob(os.path.join(REPO, "common", "*.c")) + \
            glob.glob(os.path.join(REPO, "services", "*", "*.c")):
        with open(path) as f:
            names |= set(re.findall(r'"(INSPRAAK_[A-Z0-9_]+)', f.read()))
    return names


class TestSettings(unittest.TestCase):
    def test_every_variable_read_is_documented(self):
        with open(os.path.join(REPO, "docs", "configuration.md")) as f:
            documented = set(re.findall(r"`(INSPRAAK_[A-Z0-9_]+)`", f.read()))
        self.assertEqual(sorted(variables_read() - documented), [],
                         "read by a program, missing from docs/configuration.md")

    def test_every_variable_deploy_sets_is_read(self):
        read = variables_read()
        for path in [COMPOSE] + glob.glob(os.path.join(UNITS, "*")):
            with open(path) as f:
                named = set(re.findall(r"\b(INSPRAAK_[A-Z0-9_]+)", f.read()))
            self.assertEqual(sorted(named - read), [], "%s sets what nothing reads" % path)


def unit_settings(path):
    """[(key, value)] of the unit file at path, in order (comments left out)."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")) and "=" in line:
                key, value = line.split("=", 1)
                out.append((key.strip(), value.strip()))
    return out


def redis_acl_users():
    with open(os.path.join(REPO, "deploy", "redis-users.conf")) as f:
        return set(re.findall(r"^user (\S+) ", f.read(), re.M))


# Secrets that more than one service needs by design: notify signs the
# unsubscribe links in mails, the dashboard the ones in campaign previews
# and letters, with the same key (common/letter.c, unsubscribe.h).
SHARED_SECRETS = {"/etc/inspraak/unsubscribe.key": {"notify", "dashboard"}}


class TestSecrets(unittest.TestCase):
    """One broken service must not open another's secrets: each unit runs
    as its own user and gets only its own secrets, as systemd credentials
    (readable by that unit's user only)."""

    def units(self):
        return {s: unit_settings(os.path.join(UNITS, "inspraak-%s@.service" % s))
                for s in sorted(OFFSETS)}

    def test_every_service_runs_as_its_own_user_in_its_own_folder(self):
        users = {}
        for s, kv in self.units().items():
            d = dict(kv)
            self.assertEqual(d.get("User"), "inspraak-" + s, s)
            self.assertEqual(d.get("Group"), "inspraak-" + s, s)
            self.assertEqual(d.get("StateDirectory"), "inspraak/" + s, s)
            self.assertIn(("Environment", "INSPRAAK_VAR=/var/lib/inspraak/" + s), kv, s)
            self.assertNotIn("ReadWritePaths", d, "%s may write beyond its own folder" % s)
            users[d["User"]] = s
        redis = dict(unit_settings(os.path.join(UNITS, "inspraak-redis.service")))
        self.assertNotIn(redis.get("User"), users, "Redis runs as a service's user")
        self.assertEqual(len(users), len(OFFSETS), "two services share a user")

    def test_each_unit_gets_only_its_own_secrets(self):
        acl = redis_acl_users()
        sources = {}
        for s, kv in self.units().items():
            creds = {}
            for key, value in kv:
                if key == "LoadCredential":
                    name, _, src = value.partition(":")
                    creds[name] = src
                    sources.setdefault(src, set()).add(s)
            env = dict(v.split("=", 1) for k, v in kv if k == "Environment")
            # Every *_FILE setting the unit makes names one of its own credentials.
            for var, value in env.items():
                if var.endswith("_FILE"):
                    self.assertTrue(value.startswith("%d/"), "%s: %s=%s is no credential"
                                    % (s, var, value))
                    self.assertIn(value[3:], creds, "%s: %s names no credential it loads"
                                  % (s, var))
            # Its Redis user is its own, with its own password file.
            if "inspraak-" + s in acl:
                self.assertEqual(env.get("INSPRAAK_REDIS_URL"),
                                 "redis://inspraak-%s@127.0.0.1:6390" % s, s)
                self.assertEqual(env.get("INSPRAAK_REDIS_PASSWORD_FILE"), "%d/redis-password", s)
                self.assertEqual(creds.get("redis-password"),
                                 "/etc/inspraak/%s.redis-password" % s, s)
            else:
                self.assertNotIn("redis-password", creds, "%s has no Redis user" % s)
            # The unsubscribe key goes to the services whose code reads it.
            with open(os.path.join(REPO, "services", s, "main.c")) as f:
                reads_key = "INSPRAAK_SECRET_FILE" in f.read()
            self.assertEqual(env.get("INSPRAAK_SECRET_FILE") == "%d/unsubscribe-key", reads_key, s)
            # Per-service settings (SMTP, IMAP passwords) in a file of its own,
            # read after the shared one, so they win.
            files = [v for k, v in kv if k == "EnvironmentFile"]
            self.assertEqual(files, ["/etc/inspraak/inspraak.env",
                                     "-/etc/inspraak/inspraak-%s.env" % s], s)
        for src, services in sources.items():
            self.assertTrue(src.startswith("/etc/inspraak/"), src)
            if src in SHARED_SECRETS:
                self.assertEqual(services, SHARED_SECRETS[src], src)
            else:
                self.assertEqual(len(services), 1, "%s goes to %s" % (src, sorted(services)))
                self.assertTrue(os.path.basename(src).startswith(next(iter(services)) + "."),
                                "%s is named after another service" % src)

    def test_redis_reads_its_users_from_a_credential(self):
        kv = unit_settings(os.path.join(UNITS, "inspraak-redis.service"))
        self.assertIn(("LoadCredential", "redis-users.conf:/etc/inspraak/redis-users.conf"), kv)
        self.assertIn("--include %d/redis-users.conf", dict(kv)["ExecStart"])

    def test_shared_settings_hold_no_secret(self):
        """inspraak.env reaches every unit: no password, key, Redis URL or
        state folder in it, not even as a commented example."""
        with open(os.path.join(UNITS, "inspraak.env.example")) as f:
            named = set(re.findall(r"^#?(INSPRAAK_[A-Z0-9_]+)=", f.read(), re.M))
        bad = {n for n in named if re.search(r"PASSWORD|SECRET|_KEY|TOKEN|_FILE$", n)}
        bad |= named & {"INSPRAAK_REDIS_URL", "INSPRAAK_VAR", "INSPRAAK_INSTANCE"}
        self.assertEqual(sorted(bad), [])


@unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
class TestSystemd(unittest.TestCase):
    def test_units_verify(self):
        bins = bin_dir()
        if not os.access(os.path.join(bins, "storage"), os.X_OK):
            self.skipTest("binaries not built in %s" % bins)
        tmp = tempfile.mkdtemp(prefix="inspraak-units-")
        try:
            names = []
            for path in sorted(glob.glob(os.path.join(UNITS, "*.service")) +
                               glob.glob(os.path.join(UNITS, "*.target"))):
                name = os.path.basename(path).replace("@.", "@0.")
                with open(path) as f:
                    text = f.read().replace("/opt/inspraak/bin", bins)
                with open(os.path.join(tmp, name), "w") as f:
                    f.write(text)
                names.append(name)
            self.assertGreaterEqual(len(names), 9)
            r = subprocess.run(["systemd-analyze", "verify"] + names, cwd=tmp,
                               capture_output=True, text=True, timeout=120)
            # Warnings about the build host (no systemd as PID 1) are not
            # about the units; anything naming one of ours is.
            ours = [line for line in (r.stdout + r.stderr).splitlines() if "inspraak" in line]
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(ours, [], "\n".join(ours))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
