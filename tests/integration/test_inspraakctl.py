#!/usr/bin/env python3
"""
NAME
    test_inspraakctl - bin/inspraakctl against a real redis-server

DESCRIPTION
    Starts redis-server on a spare loopback port (harness.free_port(), in
    INSPRAAK_TEST_PORTS) with a temporary folder and no persistence, runs
    every inspraakctl command and checks the keys with redis-cli, as an
    operator would. A participant with two
    ideas is written by hand in the agreed layout (docs/redis.md; the idea
    records are MessagePack, encoded by the small encoder of
    tests/lib/mpack.py, so no MessagePack package is needed).

    Binaries: $INSPRAAK_BIN (default ./bin). Run from the repository root.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import find_port_base, free_port  # noqa: E402
from mpack import pack as mp  # noqa: E402

BIN = os.environ.get("INSPRAAK_BIN", "./bin")
CTL = os.path.join(BIN, "inspraakctl")


def idea_record(idea_id, pid, text, wijk, pii=(), themes=("groen",), cluster=None,
                status="new"):
    source = {k: None for k in ("message_id", "video_id", "start", "end", "device_id",
                                "local_id", "context", "idempotency_key", "subject")}
    return mp({
        "id": idea_id, "channel": "form", "activity": "ideeenbus", "target_group": "inwoner",
        "received_at": 1795000000000, "text": text, "title": None, "lat": None, "lon": None,
        "wijk": wijk, "buurt": None, "postcode": None, "question": "toekomst",
        "source": source, "participant_id": pid, "themes": list(themes), "sentiment": None,
        "language": "nl", "cluster": cluster, "pii": list(pii), "status": status,
        "classified": True,
    })


class InspraakctlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(CTL, os.X_OK):
            raise unittest.SkipTest(f"{CTL} not built")
        cls.tmp = tempfile.mkdtemp(prefix="inspraakctl-test-")
        cls.port = free_port()
        cls.redis = subprocess.Popen(
            ["redis-server", "--port", str(cls.port), "--bind", "127.0.0.1", "--dir", cls.tmp,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if subprocess.run(["redis-cli", "-p", str(cls.port), "PING"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                break
            time.sleep(0.05)
        else:
            cls.tearDownClass()
            raise RuntimeError("redis-server did not start")
        cls.env = dict(os.environ, INSPRAAK_REDIS_URL=f"redis://127.0.0.1:{cls.port}")

    @classmethod
    def tearDownClass(cls):
        cls.redis.terminate()
        cls.redis.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def ctl(self, *args, stdin=""):
        return subprocess.run([CTL, *args], input=stdin, capture_output=True, text=True,
                              env=self.env)

    def start_storage(self):
        """A real bin/storage on this Redis (erase asks it over the bus to
        cut the address and name out of the ideas); the env for ctl."""
        base = find_port_base()
        env = dict(self.env, INSPRAAK_PORT_BASE=str(base), INSPRAAK_INSTANCE="0",
                   INSPRAAK_VAR=os.path.join(self.tmp, "var-storage"),
                   INSPRAAK_DATA=os.path.join(os.path.dirname(__file__), "..", "..", "data"))
        os.makedirs(env["INSPRAAK_VAR"], exist_ok=True)
        with open(os.path.join(self.tmp, "storage.log"), "ab") as log:
            proc = subprocess.Popen([os.path.join(BIN, "storage")], env=env, stdout=log,
                                    stderr=log)
        self.addCleanup(lambda: (proc.terminate(), proc.wait()))
        for _ in range(600):
            try:
                if urllib.request.urlopen("http://127.0.0.1:%d/healthz" % (base + 5),
                                          timeout=2).status == 200:
                    return env
            except OSError:
                pass
            self.assertIsNone(proc.poll(), "storage exited")
            time.sleep(0.1)
        self.fail("storage did not become ready")

    def cli(self, *args, raw=False):
        out = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True)
        return out.stdout if raw else out.stdout.decode(errors="replace").rstrip("\n")

    def hgetall(self, key):
        if self.cli("EXISTS", key) != "1":
            return {}
        text = self.cli("HGETALL", key, raw=True).decode(errors="replace")
        lines = text[:-1].split("\n")  # values may be empty: strip only the last newline
        return dict(zip(lines[0::2], lines[1::2]))

    # --- usage ---
    def test_help_and_usage(self):
        r = self.ctl("help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("participant erase EMAIL", r.stdout)
        self.assertIn("participant export|erase --idea IDEA_ID", r.stdout)
        # retention run deletes more than participants: the help says what
        retention = r.stdout.split("retention run", 1)[1].split("\n  corrections", 1)[0]
        for what in ("files", "dead letters", "skipped mails"):
            self.assertIn(what, retention)
        self.assertEqual(self.ctl().returncode, 2)
        # A mistyped command is named: the bare usage did not say what was
        # wrong with "partcipant export ...".
        r = self.ctl("partcipant", "export", "jan@example.org")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.split("\n")[0], 'inspraakctl: unknown command "partcipant"')
        r = self.ctl("device")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.split("\n")[0], 'inspraakctl: device needs more: see the '
                         'lines starting with "device" below')
        self.assertEqual(self.ctl("token", "create").returncode, 2)
        self.assertEqual(self.ctl("user", "add", "x", "--role", "root").returncode, 2)

    def test_user_add_says_what_is_wrong_with_the_role(self):
        # A bad or missing role value names the problem and the roles
        # allowed; nothing is stored.
        cases = {("--role",): "--role needs a value",
                 ("--role=",): "--role needs a value",
                 ("--role", "root"): 'role "root" does not exist',
                 ("--role=Admin",): 'role "Admin" does not exist'}
        for opts, says in cases.items():
            r = self.ctl("user", "add", "xaver", *opts, stdin="long enough pw\n")
            self.assertEqual(r.returncode, 2, opts)
            first = r.stderr.split("\n")[0]
            self.assertIn(says, first, opts)
            self.assertIn("admin, staff", first, opts)
        # the role before the name: the name is missing, not an option wrong
        r = self.ctl("user", "add", "--role", "admin", stdin="long enough pw\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("the NAME comes first", r.stderr.split("\n")[0])
        for name in ("xaver", "--role"):
            self.assertEqual(self.cli("EXISTS", "inspraak:user:" + name), "0")

    def test_redis_down(self):
        env = dict(self.env, INSPRAAK_REDIS_URL=f"redis://127.0.0.1:{free_port()}")
        r = subprocess.run([CTL, "token", "list"], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("redis", r.stderr)
        # It said "eval: redis: connect ...: Connection refused"; an operator
        # in another folder (INSPRAAK_VAR is ./var) had no idea why.
        self.assertIn(env["INSPRAAK_REDIS_URL"][len("redis://"):], r.stderr)
        self.assertIn("make start", r.stderr)
        self.assertIn("INSPRAAK_VAR", r.stderr)

    # --- users ---
    def test_user_add(self):
        r = self.ctl("user", "add", "anna", "--role", "admin", stdin="correct horse battery\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        u = self.hgetall("inspraak:user:anna")
        self.assertEqual(u["role"], "admin")
        self.assertTrue(u["pwhash"].startswith("$argon2id$"))
        self.assertNotIn("correct horse", u["pwhash"])
        self.assertGreater(int(u["created_at"]), 1700000000000)
        # the same name again is refused and changes nothing
        r = self.ctl("user", "add", "anna", stdin="another long password\n")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.hgetall("inspraak:user:anna")["pwhash"], u["pwhash"])
        # default role, short password, no password, bad name
        self.assertEqual(self.ctl("user", "add", "bert", stdin="long enough pw\n").returncode, 0)
        self.assertEqual(self.hgetall("inspraak:user:bert")["role"], "staff")
        self.assertEqual(self.ctl("user", "add", "carl", stdin="short\n").returncode, 1)
        self.assertEqual(self.ctl("user", "add", "carl", stdin="").returncode, 1)
        self.assertEqual(self.cli("EXISTS", "inspraak:user:carl"), "0")
        self.assertEqual(self.ctl("user", "add", "bad name", stdin="long enough pw\n").returncode, 1)

    # --- staff API tokens ---
    def test_token_create_list_revoke(self):
        r = self.ctl("token", "create", "rapportage")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()
        self.assertRegex(token, r"^isk_[A-Za-z0-9_-]{43}$")
        h = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
        t = self.hgetall(f"inspraak:token:{h}")
        self.assertEqual(t["name"], "rapportage")
        self.assertEqual(t["role"], "staff")
        self.assertEqual(self.cli("HGET", "inspraak:token-names", "rapportage"), h)
        # the token itself is stored nowhere, only its hash
        for key in self.cli("--scan").split("\n"):
            kind = self.cli("TYPE", key)
            value = self.cli("GET", key) if kind == "string" else json.dumps(self.hgetall(key))
            self.assertNotIn(token[4:], key + value)
        # one token per name
        self.assertEqual(self.ctl("token", "create", "rapportage").returncode, 1)
        r = self.ctl("token", "create", "beheer", "--role", "admin")
        self.assertEqual(r.returncode, 0)
        lst = self.ctl("token", "list").stdout.strip().split("\n")
        self.assertEqual([l.split("\t")[:2] for l in lst],
                         [["beheer", "admin"], ["rapportage", "staff"]])
        # a time a person can read: ISO 8601 in UTC
        for l in lst:
            self.assertRegex(l.split("\t")[2], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")
        # revoke: both keys gone; again: not found
        self.assertEqual(self.ctl("token", "revoke", "rapportage").returncode, 0)
        self.assertEqual(self.cli("EXISTS", f"inspraak:token:{h}"), "0")
        self.assertEqual(self.cli("HEXISTS", "inspraak:token-names", "rapportage"), "0")
        self.assertEqual(self.ctl("token", "revoke", "rapportage").returncode, 3)

    # --- field devices ---
    def test_device_add_revoke(self):
        r = self.ctl("device", "add", "tablet-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()
        self.assertRegex(token, r"^isd_[A-Za-z0-9_-]{43}$")
        h = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
        d = self.hgetall("inspraak:device:tablet-1")
        self.assertEqual(d["token_hash"], h)
        self.assertEqual(d["revoked_at"], "")
        self.assertEqual(self.cli("GET", f"inspraak:device-token:{h}"), "tablet-1")
        self.assertEqual(self.ctl("device", "add", "tablet-1").returncode, 1)
        self.assertEqual(self.ctl("device", "add", "tablet-2").returncode, 0)
        lst = self.ctl("device", "list").stdout.rstrip("\n").split("\n")
        self.assertEqual([l.split("\t")[0] for l in lst], ["tablet-1", "tablet-2"])

        self.assertEqual(self.ctl("device", "revoke", "tablet-1").returncode, 0)
        self.assertEqual(self.cli("EXISTS", f"inspraak:device-token:{h}"), "0")
        self.assertGreater(int(self.hgetall("inspraak:device:tablet-1")["revoked_at"]), 0)
        self.assertEqual(self.ctl("device", "revoke", "tablet-1").returncode, 0)
        self.assertEqual(self.ctl("device", "revoke", "nope").returncode, 3)
        rows = [l.split("\t") for l in self.ctl("device", "list").stdout.rstrip("\n").split("\n")]
        lst = dict((row[0], row[2]) for row in rows)
        iso = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$"
        self.assertRegex(lst["tablet-1"], iso)
        for row in rows:
            self.assertRegex(row[1], iso)
        self.assertEqual(lst["tablet-2"], "")
        # a revoked device may get a new token; the old one stays dead
        r = self.ctl("device", "add", "tablet-1")
        self.assertEqual(r.returncode, 0)
        h2 = hashlib.blake2b(r.stdout.strip().encode(), digest_size=32).hexdigest()
        self.assertNotEqual(h, h2)
        self.assertEqual(self.cli("GET", f"inspraak:device-token:{h2}"), "tablet-1")
        self.assertEqual(self.cli("EXISTS", f"inspraak:device-token:{h}"), "0")

    # --- participants ---
    def put_participant(self, email, pid):
        norm = email.strip().lower()
        ekey = "inspraak:participant-email:" + hashlib.blake2b(norm.encode(),
                                                               digest_size=16).hexdigest()
        self.cli("SET", ekey, pid)
        self.cli("HSET", f"inspraak:participant:{pid}", "name", "Jan Jansen", "email", norm,
                 "consent_feedback", "1", "consent_at", "1795000000000", "created_at",
                 "1795000000000", "consent_purpose", "feedback")
        ids = []
        for n, (text, wijk) in enumerate([("Meer bomen op het plein", "WK091733"),
                                          ("Een speeltuin in de wijk", None)]):
            idea_id = f"f-00000000000000{n:02d}"
            rec = idea_record(idea_id, pid, text, wijk)
            subprocess.run(["redis-cli", "-p", str(self.port), "-x", "SET",
                            f"inspraak:idea:{idea_id}"], input=rec, capture_output=True)
            self.cli("SADD", f"inspraak:participant-ideas:{pid}", idea_id)
            ids.append(idea_id)
        return ekey, ids

    def feedback_campaign(self, file_name):
        """A campaign that quotes the participant's ideas; its id."""
        text = os.path.join(self.tmp, file_name)
        with open(text, "w") as f:
            f.write("Beste {{naam}}, dank voor uw ideeen:\n{{ideeen}}\n")
        r = self.ctl("campaign", "create", "--subject", "Terugkoppeling", "--text-file", text)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_campaign_text_file_is_cleaned_as_the_dashboard_does(self):
        # a text saved on Windows: CRLF, a trailing space, blank lines at the end
        text = os.path.join(self.tmp, "windows-campaign.txt")
        with open(text, "wb") as f:
            f.write("Beste {{naam}}, \r\n\r\nDank voor uw ideeën.\r\n\r\n\r\n".encode())
        r = self.ctl("campaign", "create", "--subject", "Terugkoppeling", "--text-file", text)
        self.assertEqual(r.returncode, 0, r.stderr)
        stored = self.cli("HGET", f"inspraak:campaign:{r.stdout.strip()}", "text", raw=True)
        self.assertEqual(stored.decode(), "Beste {{naam}},\n\nDank voor uw ideeën.\n")  # + cli's

    def test_participant_export_erase(self):
        pid = "p-0123456789abcdef"
        ekey, ids = self.put_participant("Jan.Jansen@Example.NL", pid)
        r = self.ctl("participant", "export", "  jan.jansen@example.nl ")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["participant_id"], pid)
        self.assertEqual(out["participant"]["name"], "Jan Jansen")
        self.assertEqual(out["participant"]["consent_feedback"], "1")
        # times a resident can read (ISO 8601, UTC), not epoch milliseconds
        self.assertEqual(out["participant"]["consent_at"], "2026-11-18T11:06:40Z")
        self.assertEqual(out["participant"]["created_at"], "2026-11-18T11:06:40Z")
        self.assertEqual(sorted(i["id"] for i in out["ideas"]), ids)
        texts = {i["id"]: i for i in out["ideas"]}
        self.assertEqual(texts[ids[0]]["text"], "Meer bomen op het plein")
        self.assertEqual(texts[ids[0]]["wijk"], "WK091733")
        self.assertEqual(texts[ids[0]]["themes"], ["groen"])
        self.assertEqual(out["unreadable_ideas"], [])

        self.assertEqual(self.ctl("participant", "export", "nobody@example.nl").returncode, 3)
        env = self.start_storage()
        r = subprocess.run([CTL, "participant", "erase", "JAN.JANSEN@EXAMPLE.NL"],
                           capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["removed"], {"participant": True, "email_index": True,
                                          "idea_index": True, "notify_keys": 0, "dead_letters": 0,
                                          "mail_files": []})
        self.assertTrue(out["aof_rewritten"])
        self.assertEqual(out["ideas_kept_anonymous"], 2)
        self.assertEqual(out["ideas_redacted"], 2)
        for key in (ekey, f"inspraak:participant:{pid}", f"inspraak:participant-ideas:{pid}"):
            self.assertEqual(self.cli("EXISTS", key), "0", key)
        for idea_id in ids:  # the ideas stay
            self.assertEqual(self.cli("EXISTS", f"inspraak:idea:{idea_id}"), "1")
        # gone now: export and erase say not found
        r = self.ctl("participant", "export", "jan.jansen@example.nl")
        self.assertEqual(r.returncode, 3)
        self.assertIn("no participant", r.stderr)
        self.assertEqual(self.ctl("participant", "erase", "jan.jansen@example.nl").returncode, 3)

    def test_participant_unbounce_lifts_the_hard_bounce_mark(self):
        # notify marked the address dead (a 550 at RCPT TO); the resident
        # fixed their mailbox and asks to get mail again
        pid = "p-00000000000b0b0b"
        self.put_participant("Bo.Bounce@Example.NL", pid)
        self.cli("HSET", f"inspraak:participant:{pid}", "email_bounced_at", "1795000000000",
                 "email_bounce", "550 5.1.1 no such user")
        out = json.loads(self.ctl("participant", "export", "bo.bounce@example.nl").stdout)
        self.assertEqual(out["participant"]["email_bounced_at"], "2026-11-18T11:06:40Z")
        campaign = self.feedback_campaign("unbounce-campaign.txt")
        r = self.ctl("campaign", "preview", campaign, "bo.bounce@example.nl")
        self.assertIn("gets no mail: bounced_address", r.stderr)
        r = self.ctl("participant", "unbounce", " BO.BOUNCE@example.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("lifted", r.stderr)
        # the audit says an operator did it, never whose address
        newest = json.loads(self.cli("LINDEX", "inspraak:audit", "0"))
        self.assertEqual((newest["action"], newest["user"], newest["detail"]),
                         ("participant_unbounce", "inspraakctl", None))
        self.assertNotIn("bounce@", json.dumps(newest).lower())
        self.assertNotIn(pid, json.dumps(newest))
        r = self.ctl("campaign", "preview", campaign, "bo.bounce@example.nl")  # mail again
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<bo.bounce@example.nl>", r.stdout.split("\n\n", 1)[0])  # To:
        out = json.loads(self.ctl("participant", "export", "bo.bounce@example.nl").stdout)
        self.assertNotIn("email_bounced_at", out["participant"])
        self.assertNotIn("email_bounce", out["participant"])
        self.assertEqual(out["participant"]["email"], "bo.bounce@example.nl")  # the rest stays
        self.assertEqual(out["participant"]["consent_feedback"], "1")
        # again: nothing to lift, still fine; by the participant id as well
        r = self.ctl("participant", "unbounce", "--participant-id", pid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("no bounce mark", r.stderr)
        r = self.ctl("participant", "unbounce", "nobody@example.nl")
        self.assertEqual(r.returncode, 3)
        self.assertIn("no participant", r.stderr)
        self.assertEqual(self.ctl("participant", "unbounce").returncode, 2)
        self.assertIn("participant unbounce EMAIL", self.ctl("help").stdout)

    def test_participant_by_the_ascii_form_of_an_idn_address(self):
        # jan@bücher.nl is stored readable (services/intake-form/README.md).
        # The operator copied the address from a mail header, where it is
        # "Jan@XN--BCHER-KVA.nl", and got "no participant" from export,
        # unbounce, erase and campaign preview. Each finds the person now.
        pid = "p-00000000000b0c4e"
        ekey, ids = self.put_participant("jan@bücher.nl", pid)
        ascii_addr = "Jan@XN--BCHER-KVA.nl"
        self.cli("HSET", f"inspraak:participant:{pid}", "email_bounced_at", "1795000000000",
                 "email_bounce", "550 5.1.1 no such user")
        r = self.ctl("participant", "export", ascii_addr)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out["participant_id"], out["participant"]["email"]),
                         (pid, "jan@bücher.nl"))
        campaign = self.feedback_campaign("idn-campaign.txt")
        r = self.ctl("campaign", "preview", campaign, ascii_addr)
        self.assertIn("gets no mail: bounced_address", r.stderr)
        r = self.ctl("participant", "unbounce", ascii_addr)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("lifted", r.stderr)
        r = self.ctl("campaign", "preview", campaign, ascii_addr)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<jan@xn--bcher-kva.nl>", r.stdout.split("\n\n", 1)[0])  # To:
        env = self.start_storage()
        r = subprocess.run([CTL, "participant", "erase", ascii_addr], capture_output=True,
                           text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(json.loads(r.stdout)["removed"]["email_index"])
        self.assertEqual(self.cli("EXISTS", ekey, f"inspraak:participant:{pid}"), "0")

    def test_participant_by_idea(self):
        # a person who gave name and address, named by one of their ideas:
        # erase by idea removes the address's index key as erase by address does
        pid = "p-00000000000000bb"
        ekey, ids = self.put_participant("Bert@Example.NL", pid)
        r = self.ctl("participant", "export", f"--idea={ids[1]}")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out["email"], out["participant_id"], out["idea"]),
                         ("bert@example.nl", pid, ids[1]))
        self.assertEqual(sorted(i["id"] for i in out["ideas"]), ids)
        for args, code in ((["--idea"], 2), (["--idea", ""], 1), (["--idee", ids[0]], 2),
                           (["--participant-id", "p-*"], 1), (["--participant-id", "p-none"], 3)):
            r = self.ctl("participant", "erase", *args)
            self.assertEqual(r.returncode, code, (args, r.stderr))
            self.assertEqual(r.stdout, "")
        self.assertEqual(self.cli("EXISTS", f"inspraak:participant:{pid}", ekey), "2")
        env = self.start_storage()
        r = subprocess.run([CTL, "participant", "erase", "--participant-id", pid],
                           capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["email"], "bert@example.nl")
        self.assertTrue(out["removed"]["email_index"], out)
        self.assertEqual(out["ideas_redacted"], 2)
        for key in (ekey, f"inspraak:participant:{pid}", f"inspraak:participant-ideas:{pid}"):
            self.assertEqual(self.cli("EXISTS", key), "0", key)
        r = self.ctl("participant", "erase", "--idea", ids[0])
        self.assertEqual(r.returncode, 3)
        self.assertIn("already erased", r.stderr)

    def test_participant_erase_again_after_interruption(self):
        # An erase stopped after its first step (Redis connection lost, the
        # operator pressed Ctrl-C) leaves the participant keys gone but the
        # mails and dead letters holding the address in place. Running erase
        # again must still remove them, not answer "no participant" only.
        pid = "p-00000000000000bb"
        ekey, _ = self.put_participant("lotte@example.nl", pid)
        var = os.path.join(self.tmp, "var-again")
        os.makedirs(os.path.join(var, "mail", "failed"))
        mail = os.path.join(var, "mail", "failed", "1.eml")
        with open(mail, "w") as f:
            f.write("To: Lotte <Lotte@Example.NL>\r\nSubject: Uw idee\r\n\r\nDank u.\r\n")
        self.cli("LPUSH", "inspraak:deadletter",
                 json.dumps({"reason": "bad", "raw_base64": "bG90dGVAZXhhbXBsZS5ubA=="}))
        self.cli("DEL", ekey, f"inspraak:participant:{pid}", f"inspraak:participant-ideas:{pid}")
        r = subprocess.run([CTL, "participant", "erase", "lotte@example.nl"], capture_output=True,
                           text=True, env=dict(self.env, INSPRAAK_VAR=var))
        self.assertEqual(r.returncode, 3, r.stderr)  # no participant record any more
        self.assertFalse(os.path.exists(mail), "the mail holding the address is still there")
        self.assertNotIn("bG90dGVAZXhhbXBsZS5ubA", self.cli("LRANGE", "inspraak:deadletter",
                                                           "0", "-1"))
        out = json.loads(r.stdout)
        self.assertIsNone(out["participant_id"])
        self.assertEqual(out["removed"]["mail_files"], [mail])
        self.assertEqual(out["removed"]["dead_letters"], 1)

    def test_participant_erase_finds_the_ascii_form_in_mails(self):
        # jan@bücher.nl is stored readable, but a mail's headers carry the
        # domain's ASCII form ("From: Jan@XN--BCHER-KVA.nl"), and so do the
        # raw bytes of a dead letter. Erase looked for the readable form
        # only and left those holding the address.
        var = os.path.join(self.tmp, "var-idn")
        os.makedirs(os.path.join(var, "mail", "cur"))
        mail = os.path.join(var, "mail", "cur", "1.eml")
        with open(mail, "w") as f:
            f.write("From: Jan <Jan@XN--BCHER-KVA.nl>\r\nSubject: Idee\r\n\r\nMeer bomen.\r\n")
        raw = base64.b64encode(b"From: jan@xn--bcher-kva.nl\r\n").decode()
        self.cli("LPUSH", "inspraak:deadletter", json.dumps({"reason": "bad", "raw_base64": raw}))
        r = subprocess.run([CTL, "participant", "erase", "jan@bücher.nl"], capture_output=True,
                           text=True, env=dict(self.env, INSPRAAK_VAR=var))
        self.assertEqual(r.returncode, 3, r.stderr)  # no participant record
        self.assertFalse(os.path.exists(mail), "the mail holding the address is still there")
        self.assertNotIn(raw, self.cli("LRANGE", "inspraak:deadletter", "0", "-1"))
        out = json.loads(r.stdout)
        self.assertEqual((out["removed"]["mail_files"], out["removed"]["dead_letters"]), ([mail], 1))

    def test_participant_erase_finds_both_forms_of_an_idn_address(self):
        # The receipt to jan@bücher.nl goes out as "To: jan@xn--bcher-kva.nl"
        # (SMTP needs the ASCII form); a copy of it in var/mail (failed, or
        # the outbox) and a dead letter of it stayed after the erase, which
        # looked for the readable form only.
        pid = "p-00000000000000bd"
        self.put_participant("jan@bücher.nl", pid)  # stored readable (email_stored_form)
        self.cli("DEL", f"inspraak:participant-ideas:{pid}")  # no storage here to cut ideas
        var = os.path.join(self.tmp, "var-idn")
        os.makedirs(os.path.join(var, "mail", "failed"))
        sent = os.path.join(var, "mail", "failed", "1.eml")
        with open(sent, "w") as f:
            f.write("To: Jan <jan@xn--bcher-kva.nl>\r\nSubject: Uw idee\r\n\r\nDank u.\r\n")
        got = os.path.join(var, "mail", "failed", "2.eml")
        with open(got, "w", encoding="utf-8") as f:
            f.write("From: Jan <jan@bücher.nl>\r\nSubject: Idee\r\n\r\nMeer bomen.\r\n")
        raw = base64.b64encode(b"To: jan@xn--bcher-kva.nl\r\n\r\nDank u.").decode()
        self.cli("LPUSH", "inspraak:deadletter", json.dumps({"reason": "bad", "raw_base64": raw}))
        r = subprocess.run([CTL, "participant", "erase", "jan@bücher.nl"], capture_output=True,
                           text=True, env=dict(self.env, INSPRAAK_VAR=var))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(got), r.stdout)
        self.assertFalse(os.path.exists(sent), "the receipt to the ASCII form is still there")
        self.assertNotIn(raw, self.cli("LRANGE", "inspraak:deadletter", "0", "-1"))
        out = json.loads(r.stdout)
        self.assertEqual(out["participant_id"], pid)
        self.assertEqual(sorted(out["removed"]["mail_files"]), [sent, got])
        self.assertEqual(out["removed"]["dead_letters"], 1)

    def test_retention_refuses_a_bad_date(self):
        # An erase cannot be undone: a --before that is empty (a script's
        # unset variable) or a day that does not exist must not erase
        # everyone, or everyone up to a later day.
        pid = "p-00000000000000cc"
        self.put_participant("noor@example.nl", pid)  # created 2026-11-18
        for bad in ("", "2026-11-31", "2026-02-30", "2026-11-18x"):
            r = self.ctl("retention", "run", "--before", bad)
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertIn("date", r.stderr, bad)
            self.assertEqual(self.cli("EXISTS", f"inspraak:participant:{pid}"), "1", bad)
        self.cli("DEL", f"inspraak:participant:{pid}")

    def test_corrections_export_holds_no_personal_data(self):
        # Training data goes into a shared file: a re-labelled idea whose
        # text still holds a phone number and a name (flagged, not yet cut
        # by staff) is exported with those places cut.
        text = "Meer bankjes graag. Bel 06-12345678. Groet, Karin Bemelmans"
        rec = idea_record("f-00000000000000cc", None, text, "WK091733", ("name", "phone"))
        subprocess.run(["redis-cli", "-p", str(self.port), "-x", "SET",
                        "inspraak:idea:f-00000000000000cc"], input=rec, capture_output=True)
        self.cli("HSET", "inspraak:corrections", "f-00000000000000cc",
                 json.dumps({"themes": ["verkeer"], "wijk": "WK091733", "sentiment": None}))
        self.cli("ZADD", "inspraak:corrections:at", "1795000000000", "f-00000000000000cc")
        r = self.ctl("corrections", "export")
        self.assertEqual(r.returncode, 0, r.stderr)
        line = [json.loads(x) for x in r.stdout.splitlines()
                if '"f-00000000000000cc"' in x][0]
        self.assertEqual(line["corrected"], ["themes"])
        self.assertNotIn("12345678", r.stdout)
        self.assertNotIn("Bemelmans", r.stdout)
        self.assertEqual(line["text"], "Meer bankjes graag. Bel [weggehaald: telefoonnummer]. "
                         "Groet, [weggehaald: naam]")

    def test_participant_unreadable_idea(self):
        pid = "p-00000000000000aa"
        self.put_participant("kim@example.nl", pid)
        self.cli("SADD", f"inspraak:participant-ideas:{pid}", "f-missing")
        self.cli("SET", "inspraak:idea:f-garbage", "not msgpack")
        self.cli("SADD", f"inspraak:participant-ideas:{pid}", "f-garbage")
        r = self.ctl("participant", "export", "kim@example.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(len(out["ideas"]), 2)
        self.assertEqual(sorted(out["unreadable_ideas"]), ["f-garbage", "f-missing"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
