#!/usr/bin/env python3
"""
NAME
    test_redis_acl - every service on a Redis ACL user of its own, as
    deploy/redis-users.conf defines them

DESCRIPTION
    A city that follows docs/operations.md ("Redis: one ACL user per
    service") starts Redis with deploy/redis-users.conf and gives each
    program its own user. A command missing from a user's list is refused
    (NOPERM) and what the resident or staff member did silently does not
    happen: an idea without its cluster, a move that is not saved.

    The test starts the harness's real Redis with that file: its
    placeholders replaced by the SHA-256 of passwords made for this run,
    except the `default` user, which gets no password so the harness's
    own checks (PING, ACL LOG) work; no service uses it. Every service,
    and inspraakctl, runs as its own user (INSPRAAK_REDIS_URL=
    redis://USER@... and INSPRAAK_REDIS_PASSWORD_FILE), and the main
    flows run: a form idea stored, classified and in a cluster, a receipt
    (notify's Maildir outbox), a mail idea, a transcript and a field-app
    idea, a staff save and a cluster move from the dashboard, search,
    stats, the overview, results page and report, inspraakctl (user add,
    token create, device add, participant erase). Then no service log
    says NOPERM, Redis's ACL LOG is empty and no service connection runs
    as `default`.

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_redis_acl.py
"""
import glob
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import REPO, Cluster, ClusterTestCase, http, wait_until  # noqa: E402

ACL_FILE = os.path.join(REPO, "deploy", "redis-users.conf")
ALL = ("storage", "classifier", "intake-form", "intake-mail", "intake-transcript",
       "intake-field", "notify", "dashboard")
PLACEHOLDER = "#REPLACE-WITH-SHA256"

TOILET = "Een openbaar toilet bij het busstation van Heerlen zou fijn zijn"
TOILET_2 = "Graag een openbaar toilet bij het busstation in Heerlen"
BENCH = "Meer bankjes in het Aambos om even uit te rusten tijdens de wandeling"
MAIL = (b"From: Mia Mulder <mia.mulder@example.nl>\r\n"
        b"To: inspraak@heerlen.nl\r\n"
        b"Subject: Fietsenstalling bij station\r\n"
        b"Message-ID: <acl-1.test@example.nl>\r\n"
        b"Date: Tue, 03 Jun 2025 10:12:00 +0200\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Bij het station van Heerlen is te weinig plek voor fietsen. Graag een grotere "
        b"overdekte fietsenstalling.\r\n")
RESIDENT = "ria.acl@example.org"


def user_of(program, users):
    """The ACL user of a program, given the users the file defines:
    inspraak-admin for inspraakctl, else inspraak-SERVICE, or for an
    intake one shared inspraak-intake when the file has that instead."""
    if program == "inspraakctl":
        return "inspraak-admin"
    if program.startswith("intake-") and "inspraak-" + program not in users and \
            "inspraak-intake" in users:
        return "inspraak-intake"
    return "inspraak-" + program


class AclCluster(Cluster):
    """Redis with deploy/redis-users.conf (real passwords), each program
    on its own user."""

    def start(self, timeout=60.0):
        self.secrets = tempfile.mkdtemp(prefix="inspraak-test-acl-")
        self.passwords = {}
        with open(ACL_FILE) as f:
            self.users = [l.split()[1] for l in f if l.startswith("user ")]
        lines = []
        with open(ACL_FILE) as f:
            for line in f:
                if line.startswith("user ") and PLACEHOLDER in line:
                    name = line.split()[1]
                    if name == "default":
                        line = line.replace(PLACEHOLDER, "nopass")
                    else:
                        line = line.replace(PLACEHOLDER, "#" + hashlib.sha256(
                            self.password(name).encode()).hexdigest())
                lines.append(line)
        conf = os.path.join(self.secrets, "redis-users.conf")
        with open(conf, "w") as f:
            f.writelines(lines)
        self.REDIS_ARGS = "--include %s" % conf
        try:
            return super().start(timeout)
        except BaseException:
            shutil.rmtree(self.secrets, ignore_errors=True)
            raise

    def password(self, name):
        """A new password for user name, in the file secrets/NAME (0600)."""
        if name not in self.passwords:
            self.passwords[name] = secrets.token_urlsafe(24)
            fd = os.open(os.path.join(self.secrets, name), os.O_WRONLY | os.O_CREAT, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(self.passwords[name] + "\n")
        return self.passwords[name]

    def redis_user(self, program):
        # A program the file has no user for (intake-form, which does
        # not use Redis) gets a user Redis does not know: should it ever
        # connect, the refused AUTH is in ACL LOG.
        name = user_of(program, self.users)
        self.password(name)
        return name, os.path.join(self.secrets, name)

    def cleanup(self):
        super().cleanup()
        shutil.rmtree(self.secrets, ignore_errors=True)


class TestRedisAcl(ClusterTestCase):
    SERVICES = ALL
    CLUSTER_CLASS = AclCluster
    ENV = {"INSPRAAK_RECEIPT_BATCH_S": "1", "INSPRAAK_NOTIFY_SCAN_S": "1",
           "INSPRAAK_MAIL_POLL_MS": "200"}

    def test_1_file_has_placeholders_only(self):
        """The shipped file holds no usable password: every user has the
        placeholder, none is `nopass`, and Redis will not start with it."""
        with open(ACL_FILE) as f:
            users = [l for l in f if l.startswith("user ")]
        self.assertTrue(users)
        for line in users:
            self.assertIn(PLACEHOLDER, line)
            self.assertNotIn("nopass", line)
            self.assertNotRegex(line, r"(^| )>")
        # As shipped, Redis refuses it (no port: nothing listens if it did not).
        r = subprocess.run(["redis-server", "--port", "0", "--save", "", "--daemonize", "no",
                            "--include", ACL_FILE], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("password hash must be exactly 64 characters", r.stdout + r.stderr)

    def test_2_main_flows_without_noperm(self):
        c = self.cluster
        # inspraakctl: a token, a staff user (and its login), a device.
        token = c.staff_token("acl")
        sid = c.staff_login("anna", "anna-wachtwoord-1", role="admin")
        r = c.ctl("device", "add", "tablet-acl")
        self.assertEqual(r.returncode, 0, r.stderr)
        device = r.stdout.strip().split()[-1]

        # A form idea with an address and consent: stored, classified, in
        # a cluster, and a receipt in notify's outbox.
        st, body = c.post_idea(TOILET, email=RESIDENT, name="Ria Acl",
                               consent={"feedback": True}, wijk="Heerlen-Centrum",
                               question="toekomst")
        self.assertEqual(st, 201, body)
        toilet = c.wait_idea(body["id"], token)
        self.assertEqual(toilet["cluster"], toilet["id"])
        self.assertTrue(toilet.get("themes"), toilet)
        st, body = c.post_idea(TOILET_2)
        self.assertEqual(st, 201, body)
        toilet_2 = c.wait_idea(body["id"], token)
        self.assertEqual(toilet_2["cluster"], toilet["id"])
        st, body = c.post_idea(BENCH, wijk="Heerlen-Centrum", question="nu")
        self.assertEqual(st, 201, body)
        bench = c.wait_idea(body["id"], token)

        outbox = os.path.join(c.var, "mail", "outbox")

        def receipt():
            for p in glob.glob(os.path.join(outbox, "new", "*")) + \
                    glob.glob(os.path.join(outbox, "cur", "*")):
                with open(p, "rb") as f:
                    data = f.read()
                if RESIDENT.encode() in data and toilet["id"].encode() in data:
                    return True
            return False
        wait_until("the receipt to %s in the outbox" % RESIDENT, receipt)

        # A mail idea.
        inbox = os.path.join(c.var, "mail", "inbox")
        name = "%d.Macl.test" % int(time.time())
        wait_until("the inbox made", lambda: os.path.isdir(os.path.join(inbox, "tmp")))
        with open(os.path.join(inbox, "tmp", name), "wb") as f:
            f.write(MAIL)
        os.rename(os.path.join(inbox, "tmp", name), os.path.join(inbox, "new", name))

        def mail_idea():
            st, body = c.api("/api/v1/ideas?channel=email", token)
            return st == 200 and body.get("items")
        mail = wait_until("the mail idea stored", mail_idea)[0]
        self.assertIn("fietsenstalling", mail["text"])

        # A transcript upload and a field-app idea.
        st, _, data = http("POST", c.url("intake-transcript",
                                         "/api/v1/transcripts?video_id=acl-video-1"),
                           b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
                           b"Meer bomen in de Akerstraat.\n",
                           {"Content-Type": "text/vtt", "Authorization": "Bearer " + token})
        self.assertEqual(st, 201, data)
        st, _, data = http("POST", c.url("intake-field", "/api/v1/field/batches"),
                           {"device_id": "tablet-acl", "activity": "omgevingsvisietour",
                            "items": [{"local_id": "acl-1", "wijk": "Heerlen-Centrum",
                                       "text": "Een speeltuin in de Schandelermolen",
                                       "question": "toekomst", "target_group": "inwoner"}]},
                           {"Authorization": "Bearer " + device}, timeout=60)
        self.assertEqual(st, 200, data)
        for channel in ("transcript", "field"):
            wait_until("the %s idea stored" % channel, lambda: c.api(
                "/api/v1/ideas?channel=" + channel, token)[1].get("items"))

        # Staff save bench approved and move it into the toilet's cluster.
        st, page = c.staff_page("/ideeen/" + urllib.parse.quote(bench["id"]), sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        was = re.search(r'name="was" value="([^"]*)"', page)
        form = [("csrf", csrf), ("status", "approved"), ("wijk", bench.get("wijk") or ""),
                ("sentiment", bench.get("sentiment") or ""), ("bij", toilet["id"])]
        form += [("theme", t) for t in bench.get("themes") or []]
        if was:
            form.append(("was", was.group(1)))
        st, hs, body = c.dash("POST", "/ideeen/" + urllib.parse.quote(bench["id"]),
                              urllib.parse.urlencode(form),
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "inspraak_session=" + sid})
        self.assertEqual(st, 303, body[:300])
        wait_until("bench approved in the toilet's cluster", lambda: (
            lambda i: i["status"] == "approved" and i["cluster"] == toilet["id"])(
                c.api("/api/v1/ideas/" + urllib.parse.quote(bench["id"]), token)[1]))

        # Search, stats and the staff and public pages.
        st, body = c.api("/api/v1/ideas?q=toilet", token)
        self.assertEqual(st, 200)
        self.assertEqual({i["id"] for i in body["items"]}, {toilet["id"], toilet_2["id"]})
        st, body = c.api("/api/v1/stats?by=wijk", token)
        self.assertEqual(st, 200)
        self.assertGreaterEqual(body["total"], 6)
        for path in ("/", "/ideeen?q=bankjes", "/clusters?cluster=" + toilet["id"], "/report"):
            st, page = c.staff_page(path, sid)
            self.assertEqual(st, 200, path)
        st, _, _ = c.dash("GET", "/resultaten")
        self.assertEqual(st, 200)

        # inspraakctl erases the resident: the address is gone from Redis.
        r = c.ctl("participant", "erase", RESIDENT)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = c.ctl("participant", "export", RESIDENT)
        self.assertNotIn(RESIDENT, r.stdout)

        # Nothing was refused.
        refused = []
        for name in c.proc_names():
            try:
                with open(c.log_path(name), "rb") as f:
                    refused += ["%s: %s" % (name, l.strip()) for l in
                                f.read().decode("utf-8", "replace").splitlines()
                                if "NOPERM" in l]
            except OSError:
                pass
        log = ["%(username)s: %(reason)s %(object)s (%(context)s)" % dict(zip(e[::2], e[1::2]))
               for e in c.redis("ACL", "LOG")]
        self.assertEqual(refused, [], "\n".join(refused[:20]))
        self.assertEqual(log, [], "Redis refused:\n" + "\n".join(log))
        # Every connection but this one runs as a service's own user.
        users = re.findall(r" user=(\S+)", c.redis("CLIENT", "LIST"))
        self.assertEqual(users.count("default"), 1, users)
        self.assertLessEqual(set(users) - {"default"}, {user_of(s, c.users) for s in ALL})


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
