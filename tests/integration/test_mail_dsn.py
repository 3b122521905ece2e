#!/usr/bin/env python3
"""
NAME
    test_mail_dsn - a bounce report that arrives later stops mail to that address

DESCRIPTION
    Most mail servers accept a receipt (250) and only later find that the
    address does not exist; they then send a delivery-status report
    (RFC 3464: multipart/report; report-type=delivery-status) back to the
    participation mailbox. The stack: Redis, storage, classifier,
    intake-form, intake-mail reading a real Dovecot over IMAP
    (test_mail_imap.Dovecot) and notify sending to a real SMTP server
    (test_notify.Smtp, aiosmtpd). The reports are the Postfix and Exchange
    shaped fixtures in tests/data/dsn/, with the address and the returned
    Message-ID set to those of the receipt the SMTP server got.

    What the municipality checks: after a hard bounce (Action: failed,
    Status 5.x.x) the next receipt and a campaign skip that address, and
    `inspraakctl participant export` shows the bounce (on the record and
    in "bounce", as a refusal at RCPT TO); a delay (4.4.7)
    marks nobody, nor does a report naming an address other than the one
    the returned mail went to; no report becomes an idea. A report naming
    an internationalised domain in its ASCII form (jan@xn--bcher-kva.nl,
    as the receipt went out) marks the participant stored readable
    (jan@bücher.nl). A report that
    arrives while Redis is down stays in the mailbox, not done, and marks
    its participant once Redis is back (nothing lost).

    INSPRAAK_BIN=build/asan/bin python3 tests/integration/test_mail_dsn.py
"""
import json
import os
import shutil
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
from harness import ClusterTestCase, participant_email_key, wait_until  # noqa: E402
from test_mail_imap import IMAP_USER, IMAP_PASSWORD, Dovecot, imap_uids  # noqa: E402
from test_mail import mail, service_metric  # noqa: E402
from test_notify import Smtp  # noqa: E402

DSN_DIR = os.path.join(os.path.dirname(__file__), "..", "data", "dsn")


def dsn(fixture, old_addr, old_msgid, addr, msgid):
    """The fixture as if it reported the mail msgid to addr."""
    with open(os.path.join(DSN_DIR, fixture), "rb") as f:
        raw = f.read()
    return raw.replace(old_addr.encode(), addr.encode()).replace(old_msgid.encode(),
                                                                 msgid.encode())


def postfix(addr, msgid):
    return dsn("postfix-user-unknown.eml", "gerda.vos@example.nl",
               "notify.receipt.1762161100000.p-0123456789abcdef@heerlen.nl", addr, msgid)


def exchange(addr, msgid):
    return dsn("exchange-recipient-not-found.eml", "jan.smeets@contoso.nl",
               "notify.campaign.c-42.p-fedcba9876543210@heerlen.nl", addr, msgid)


def delayed(addr, msgid):
    return dsn("exchange-delayed.eml", "marieke.claessen@contoso.nl",
               "notify.receipt.1762161100000.p-00112233aabbccdd@heerlen.nl", addr, msgid)


@unittest.skipUnless(shutil.which("dovecot"), "dovecot-imapd is not installed")
class MailDsnTest(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-mail", "notify")
    GERDA, JAN = "gerda.vos@example.nl", "jan.smeets@example.org"
    MARIEKE, PIET = "marieke.claessen@example.org", "piet.peters@example.nl"

    @classmethod
    def start_peers(cls):
        cls.smtp = Smtp()
        cls.dovecot = Dovecot()
        cls.ENV = {"INSPRAAK_SMTP_URL": "smtp://127.0.0.1:%d" % cls.smtp.port,
                   "INSPRAAK_RECEIPT_BATCH_S": "1", "INSPRAAK_NOTIFY_SCAN_S": "1",
                   "INSPRAAK_SMTP_RATE": "0", "INSPRAAK_MAIL_POLL_MS": "100",
                   "INSPRAAK_IMAP_POLL_S": "1",
                   "INSPRAAK_IMAP_URL": "imap://127.0.0.1:%d/INBOX" % cls.dovecot.port,
                   "INSPRAAK_IMAP_USER": IMAP_USER, "INSPRAAK_IMAP_PASSWORD": IMAP_PASSWORD}
        return [cls.smtp, cls.dovecot]

    def post(self, text, addr):
        status, body = self.cluster.post_idea(text, email=addr, name="Bewoner",
                                              consent={"feedback": True})
        self.assertEqual(status, 201, body)

    def mails(self, addr):
        return self.smtp.messages(addr)

    def receipt_id(self, addr):
        m = wait_until("receipt to " + addr, lambda: self.mails(addr))[0]
        return m["Message-ID"].strip().strip("<>")

    def participant(self, addr):
        r = self.cluster.ctl("participant", "export", addr)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_dsn_marks_the_address(self):
        c = self.cluster
        for addr in (self.GERDA, self.JAN, self.MARIEKE, self.PIET):
            self.post("Meer bankjes langs de Geleenbeek voor %s" % addr, addr)
        ids = {a: self.receipt_id(a) for a in (self.GERDA, self.JAN, self.MARIEKE, self.PIET)}
        reports = [postfix(self.GERDA, ids[self.GERDA]), exchange(self.JAN, ids[self.JAN]),
                   delayed(self.MARIEKE, ids[self.MARIEKE]),
                   # forged: Piet's address with a mail that went to Gerda
                   postfix(self.PIET, ids[self.GERDA])]
        m = self.dovecot.client()
        for raw in reports:
            self.assertEqual(m.append("INBOX", None, None, raw)[0], "OK")
        wait_until("the inbox emptied", lambda: imap_uids(m, "INBOX") == [])
        self.assertEqual(len(imap_uids(m, "Verwerkt", "(KEYWORD $Inspraak SEEN)")), 4)
        m.logout()

        # Each report is skipped as a bounce, none became an idea.
        skipped = os.path.join(c.var, "mail", "skipped")
        whys = []
        for f in sorted(os.listdir(skipped)):
            if f.endswith(".why"):
                with open(os.path.join(skipped, f)) as fh:
                    whys.append(fh.read())
        self.assertEqual([w.split(":")[0] for w in whys], ["bounce"] * 4)

        # The hard bounces mark the participant (marked before the IMAP
        # message moved), the delay and the forged report do not.
        gerda = self.participant(self.GERDA)["participant"]
        self.assertIn("email_bounced_at", gerda)
        self.assertIn("5.1.1", gerda["email_bounce"])
        self.assertIn("5.1.10", self.participant(self.JAN)["participant"]["email_bounce"])
        self.assertNotIn("email_bounced_at", self.participant(self.MARIEKE)["participant"])
        self.assertNotIn("email_bounced_at", self.participant(self.PIET)["participant"])
        self.assertIn("address bounced", c.log_tail("intake-mail", 400))
        # export's "bounce" (the record of our mail that failed) names it as
        # it does a refusal at RCPT TO: "<ms> <purpose>:<key> <why>"
        self.assertRegex(self.participant(self.GERDA)["bounce"] or "",
                         r"^\d+ receipt:\S+ dsn 5\.1\.1 ")
        self.assertRegex(self.participant(self.JAN)["bounce"] or "", r"^\d+ receipt:\S+ dsn 5\.1\.10 ")
        self.assertIsNone(self.participant(self.MARIEKE)["bounce"])
        self.assertIsNone(self.participant(self.PIET)["bounce"])

        # The next receipt skips Gerda; Piet (forged report) still gets his.
        pid = self.participant(self.GERDA)["participant_id"]
        self.post("Een tweede idee: een speeltuin in Meezenbroek", self.GERDA)
        self.post("Een tweede idee: een bibliotheek in Hoensbroek", self.PIET)
        wait_until("the receipt skipped", lambda: "pid=%s why=bounced_address" % pid
                   in c.log_tail("notify", 2000))
        wait_until("Piet's second receipt", lambda: len(self.mails(self.PIET)) == 2)
        self.assertEqual(len(self.mails(self.GERDA)), 1)

        # A campaign skips both bounced addresses.
        tf = os.path.join(c.var, "campaign.txt")
        with open(tf, "w") as f:
            f.write("Dank u wel, {{naam}}.\n")
        r = c.ctl("campaign", "create", "--subject", "Wat er met uw idee gebeurt",
                  "--text-file", tf)
        self.assertEqual(r.returncode, 0, r.stderr)
        cid = r.stdout.strip()
        self.assertEqual(c.ctl("campaign", "start", cid).returncode, 0)
        wait_until("campaign done",
                   lambda: '"state": "done"' in c.ctl("campaign", "status", cid).stdout)
        st = c.ctl("campaign", "status", cid).stdout
        self.assertIn('"sent": 2', st)
        self.assertIn('"skipped": 2', st)
        self.assertEqual(len(self.mails(self.GERDA)), 1)
        self.assertEqual(len(self.mails(self.JAN)), 1)
        self.assertEqual(len(self.mails(self.MARIEKE)), 2)


    def test_idn_mail_and_form_are_one_participant(self):
        # A resident typed "els@bücher.nl" in the idea box and later mailed
        # an idea; her mail program sent the domain's ASCII form, as mail
        # programs do ("els@xn--bcher-kva.nl"). The mail made a second
        # participant (its own export, consent and bounce mark); now the
        # mail's idea is hers, filed under the readable address.
        c = self.cluster
        self.post("Een bankje bij de vijver in het Aambos", "els@bücher.nl")
        key = participant_email_key("els@bücher.nl")
        ascii_key = participant_email_key("els@xn--bcher-kva.nl")
        pid = wait_until("the form idea stored", lambda: c.redis("GET", key))
        m = self.dovecot.client()
        raw = mail(["From: Els <Els@XN--BCHER-KVA.nl>", "Subject: Nog een idee",
                    "Message-ID: <idn-els-1@xn--bcher-kva.nl>"],
                   "Graag meer fietsenrekken bij station Heerlen.\r\n")
        self.assertEqual(m.append("INBOX", None, None, raw)[0], "OK")
        wait_until("the inbox emptied", lambda: imap_uids(m, "INBOX") == [])
        m.logout()
        ideas = "inspraak:participant-ideas:" + pid
        wait_until("the mail idea stored", lambda: c.redis("SCARD", ideas) == 2
                   or c.redis("GET", ascii_key))
        self.assertIsNone(c.redis("GET", ascii_key))
        self.assertEqual(c.redis("SCARD", ideas), 2)
        self.assertEqual(self.participant("els@bücher.nl")["participant"]["email"],
                         "els@bücher.nl")

    def test_idn_dsn_marks_the_readable_record(self):
        # The receipt to "jan@bücher.nl" went out as "jan@xn--bcher-kva.nl";
        # the report that it bounced names that ASCII form. It marks the
        # participant stored as jan@bücher.nl (mail_bounce.c).
        addr, ascii_addr = "jan@bücher.nl", "jan@xn--bcher-kva.nl"
        self.post("Een zebrapad bij de school in Heerlerbaan", addr)
        report = postfix(ascii_addr, self.receipt_id(ascii_addr))
        m = self.dovecot.client()
        self.assertEqual(m.append("INBOX", None, None, report)[0], "OK")
        wait_until("the inbox emptied", lambda: imap_uids(m, "INBOX") == [])
        m.logout()
        p = self.participant(addr)
        self.assertEqual(p["participant"]["email"], addr)
        self.assertIn("email_bounced_at", p["participant"])
        self.assertIn("5.1.1", p["participant"]["email_bounce"])
        self.assertRegex(p["bounce"] or "", r"^\d+ receipt:\S+ dsn 5\.1\.1 ")

    def metric(self, name):
        return service_metric(self.cluster, "intake-mail", name) or 0.0

    def bounce_whys(self):
        skipped = os.path.join(self.cluster.var, "mail", "skipped")
        return [f for f in os.listdir(skipped) if f.endswith(".why")]

    def redis_down(self):
        try:
            self.cluster.redis_ping()
            return False
        except OSError:
            return True

    def test_zz_report_while_redis_down(self):
        """Named to run last: it stops Redis. The supervisor is held
        (SIGSTOP) so that it does not start Redis again before we do."""
        c = self.cluster
        addr = "anna.janssen@example.nl"
        self.post("Een bankje bij de bushalte in de Heerlerbaan", addr)
        report = postfix(addr, self.receipt_id(addr))
        errors = self.metric("inspraak_mail_bounce_errors_total")
        whys = len(self.bounce_whys())
        os.kill(c.proc.pid, signal.SIGSTOP)
        try:
            os.kill(c.pid_of("redis"), signal.SIGKILL)
            wait_until("redis down", self.redis_down)
            m = self.dovecot.client()
            self.assertEqual(m.append("INBOX", None, None, report)[0], "OK")
            # Not lost: read, kept, and read again at the next poll; still
            # in the inbox, not flagged done.
            wait_until("intake-mail read the report twice",
                       lambda: self.metric("inspraak_mail_bounce_errors_total") >= errors + 2)
            self.assertEqual(len(imap_uids(m, "INBOX", "NOT KEYWORD $Inspraak")), 1)
        finally:
            os.kill(c.proc.pid, signal.SIGCONT)
        wait_until("redis back", c.redis_ping)
        wait_until("the inbox emptied", lambda: imap_uids(m, "INBOX") == [])
        m.logout()
        p = self.participant(addr)
        self.assertIn("email_bounced_at", p["participant"])
        self.assertIn("5.1.1", p["participant"]["email_bounce"])
        self.assertRegex(p["bounce"] or "", r"^\d+ receipt:\S+ dsn 5\.1\.1 ")
        # Marked once, skipped once.
        marks = [l for l in c.log_tail("intake-mail", 5000).splitlines()
                 if "address bounced" in l and p["participant_id"] in l]
        self.assertEqual(len(marks), 1, marks)
        self.assertEqual(len(self.bounce_whys()), whys + 1)


if __name__ == "__main__":
    harness.main()
