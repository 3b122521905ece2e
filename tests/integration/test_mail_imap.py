#!/usr/bin/env python3
"""intake-mail reading IMAP from a real Dovecot, to the dashboard.

Starts a throwaway Dovecot (on a spare port of the harness's range,
harness.free_port(), before the cluster; with a generated config, a
passwd-file user and a Maildir in a temporary folder; never the system
config), then Redis, storage, classifier, intake-mail and dashboard through
tests/lib/harness.py (its port range), with intake-mail polling the Dovecot
INBOX. Appends mails over IMAP and checks what a staff member sees:

  - MailImapTest: ideas from the good mails (clean text, Message-ID in
    source.message_id, no sender name), the bounce skipped, the hostile
    GMime #165 mail failed, and every message flagged \\Seen $Inspraak and
    moved to "Verwerkt";
  - MailImapDozenTest: the dozen mails of test_mail.py give exactly the
    ideas and skip reasons that Maildir delivery gives.

The mails themselves live in test_mail.py (imported from there). Skipped
when dovecot (dovecot-imapd) is not installed.

    INSPRAAK_BIN=build/mail/bin python3 tests/integration/test_mail_imap.py
"""
import imaplib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
from harness import ClusterTestCase, wait_until  # noqa: E402
from test_mail import DOZEN, GMIME_165, HTML_ONLY, LATIN1_QP, SKIP_REASONS  # noqa: E402

# Ports: the harness's range for the stack; Dovecot picks a free one in
# 32000-32999 (see Dovecot below).

BOUNCE = (
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.nl>\r\n"
    b"To: inspraak@heerlen.nl\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <bounce-4.test@example.nl>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
    b"--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
    b"--r\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--r--\r\n"
)

DOVECOT_CONF = """base_dir = {tmp}/run
log_path = {tmp}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={tmp}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""
IMAP_USER, IMAP_PASSWORD = "inspraak", "test-wachtwoord"


class Dovecot:
    """A throwaway Dovecot: own config, passwd-file user, Maildir in a temp dir."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="inspraak-dovecot-")
        os.chmod(self.tmp, 0o755)  # the mail user (nobody) must reach its home
        self.port = harness.free_port()
        uid = gid = 65534 if os.getuid() == 0 else None
        if uid is None:
            uid, gid = os.getuid(), os.getgid()
        home = os.path.join(self.tmp, "home")
        os.makedirs(os.path.join(self.tmp, "run"))
        os.makedirs(home)
        os.chown(home, uid, gid)
        with open(os.path.join(self.tmp, "passwd"), "w") as f:
            f.write("%s:{PLAIN}%s\n" % (IMAP_USER, IMAP_PASSWORD))
        self.conf = os.path.join(self.tmp, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(DOVECOT_CONF.format(tmp=self.tmp, uid=uid, gid=gid, port=self.port))
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until("dovecot", self._login_ok)

    def _login_ok(self):
        with self.client():
            return True

    def client(self):
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(IMAP_USER, IMAP_PASSWORD)
        return m

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def imap_uids(m, mailbox, criteria="ALL"):
    typ, _ = m.select(mailbox)
    if typ != "OK":
        return []
    typ, data = m.uid("SEARCH", criteria)
    return data[0].split() if typ == "OK" and data[0] else []


class _ImapCluster(ClusterTestCase):
    """A stack whose intake-mail reads a real Dovecot started for the class."""
    SERVICES = ("storage", "classifier", "intake-mail", "dashboard")

    @classmethod
    def start_peers(cls):
        cls.dovecot = Dovecot()
        cls.ENV = {"INSPRAAK_MAIL_POLL_MS": "100", "INSPRAAK_IMAP_POLL_S": "1",
                   "INSPRAAK_IMAP_URL": "imap://127.0.0.1:%d/INBOX" % cls.dovecot.port,
                   "INSPRAAK_IMAP_USER": IMAP_USER, "INSPRAAK_IMAP_PASSWORD": IMAP_PASSWORD}
        return [cls.dovecot]


@unittest.skipUnless(shutil.which("dovecot"), "dovecot-imapd is not installed")
class MailImapTest(_ImapCluster):
    def test_imap(self):
        token = self.cluster.staff_token()
        m = self.dovecot.client()
        for raw in (GMIME_165, LATIN1_QP, BOUNCE, HTML_ONLY):
            typ, _ = m.append("INBOX", None, None, raw)
            self.assertEqual(typ, "OK")
        wait_until("the inbox emptied", lambda: imap_uids(m, "INBOX") == [])
        done = imap_uids(m, "Verwerkt")
        self.assertEqual(len(done), 4)
        self.assertEqual(len(imap_uids(m, "Verwerkt", "(KEYWORD $Inspraak SEEN)")), 4)
        m.logout()

        def ideas():
            status, body = self.cluster.api("/api/v1/ideas?channel=email&limit=50", token)
            return body["items"] if status == 200 else []
        wait_until("two email ideas", lambda: len(ideas()) >= 2)
        items = ideas()
        self.assertEqual(sorted(i["source"]["message_id"] for i in items),
                         ["html-2.test@example.nl", "qp-1.test@example.nl"])
        by_mid = {i["source"]["message_id"]: i for i in items}
        self.assertEqual(by_mid["html-2.test@example.nl"]["text"],
                         "De bus naar Hoensbroek moet vaker rijden, ook 's avonds.")
        self.assertNotIn("Bakker", json.dumps(items, ensure_ascii=False))

        skipped = os.path.join(self.cluster.var, "mail", "skipped")
        whys = [f for f in os.listdir(skipped) if f.endswith(".why")]
        self.assertEqual(len(whys), 1)
        with open(os.path.join(skipped, whys[0])) as f:
            self.assertTrue(f.read().startswith("bounce:"))
        self.assertTrue(os.path.exists(os.path.join(skipped, "cur",
                                                    whys[0][:-4] + ":2,S")))
        failed = os.path.join(self.cluster.var, "mail", "failed")
        self.assertEqual(len([f for f in os.listdir(failed) if f.endswith(".why")]), 1)


@unittest.skipUnless(shutil.which("dovecot"), "dovecot-imapd is not installed")
class MailImapDozenTest(_ImapCluster):
    """The issue's bar, the same via IMAP: the dozen mails appended to the
    Dovecot inbox give exactly the ideas (and skips) that Maildir gives."""

    def test_dozen_via_imap(self):
        token = self.cluster.staff_token()
        m = self.dovecot.client()
        for _, raw, _ in DOZEN + [DOZEN[6]]:  # no-message-id twice
            typ, _ = m.append("INBOX", None, None, raw)
            self.assertEqual(typ, "OK")
        wait_until("the inbox emptied", lambda: imap_uids(m, "INBOX") == [])
        self.assertEqual(len(imap_uids(m, "Verwerkt", "(KEYWORD $Inspraak SEEN)")),
                         len(DOZEN) + 1)
        m.logout()

        skipped = os.path.join(self.cluster.var, "mail", "skipped")
        reasons = []
        for f in os.listdir(skipped):
            if f.endswith(".why"):
                with open(os.path.join(skipped, f)) as fh:
                    reasons.append(fh.read().split(":", 1)[0])
        self.assertEqual(sorted(reasons),
                         sorted(want for _, _, want in DOZEN if want in SKIP_REASONS))

        want_texts = sorted(want for _, _, want in DOZEN if want not in SKIP_REASONS)

        def items():
            status, body = self.cluster.api("/api/v1/ideas?channel=email&limit=50", token)
            return body["items"] if status == 200 else []
        wait_until("the ideas stored", lambda: len(items()) >= len(want_texts))
        self.assertEqual(sorted(i["text"] for i in items()), want_texts)


if __name__ == "__main__":
    harness.main()
