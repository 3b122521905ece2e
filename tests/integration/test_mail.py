#!/usr/bin/env python3
"""intake-mail against a real installation: Maildir delivery to dashboard.

Starts Redis, storage, classifier, intake-mail and dashboard through
tests/lib/harness.py (its port range), delivers mails into
$INSPRAAK_VAR/mail/inbox/ the way an MTA does (write into tmp/, rename into
new/), and checks what a staff member sees in the dashboard API:

  - a Latin-1 quoted-printable mail with a reply quote and a signature and
    an HTML-only mail become two ideas with clean text and their
    Message-ID in source.message_id; the sender's name and address appear
    nowhere in the idea JSON;
  - an auto-reply makes no idea and lands in mail/skipped/ with a .why;
  - the GMime #165 mail and a 10,000-deep multipart land in mail/failed/
    with a .why, and the mails after them are still processed;
  - the same mail delivered again gives no new idea;
  - a mail with a PDF attachment: the stored idea lists it in
    source.attachments (name, type, size), the staff idea page shows the
    name escaped, the public page does not;
  - a dozen realistic Dutch mails of every kind give exactly the expected
    ideas and skip reasons;
  - a name in the subject ("Idee van Piet Jansen"), which becomes the
    text's first line, is flagged: the approved idea is not quoted on
    /resultaten until staff cut the name, from the text and the subject.

The same through IMAP against a real Dovecot is in test_mail_imap.py,
which imports the mails (LATIN1_QP, HTML_ONLY, GMIME_165, DOZEN) from here.

    INSPRAAK_BIN=build/mail/bin python3 tests/integration/test_mail.py
"""
import email
import email.policy
import json
import os
import re
import urllib.parse
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
from harness import ClusterTestCase, wait_until, http  # noqa: E402

# Ports: the harness's range (INSPRAAK_TEST_PORTS, see tests/lib/harness.py).

LATIN1_QP = (
    b"Return-Path: <renee.bakker@example.nl>\r\n"
    b"From: =?ISO-8859-1?Q?Ren=E9e_Bakker?= <renee.bakker@example.nl>\r\n"
    b"To: inspraak@heerlen.nl\r\n"
    b"Subject: =?ISO-8859-1?Q?Meer_groen_op_het_Pancratiusplein?=\r\n"
    b"Message-ID: <qp-1.test@example.nl>\r\n"
    b"Date: Tue, 03 Jun 2025 10:12:00 +0200\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"Het plein is nu te stenig. Graag b=E9=E9n rij bomen en een fonteintje, =\r\n"
    b"zodat het in de zomer koel blijft.\r\n"
    b"\r\n"
    b"Met vriendelijke groet,\r\n"
    b"Ren=E9e Bakker\r\n"
    b"06-12345678\r\n"
    b"\r\n"
    b"Op ma 2 jun 2025 om 09:00 schreef Gemeente Heerlen <inspraak@heerlen.nl>:\r\n"
    b"> Beste inwoner, wat moet Heerlen worden?\r\n"
)
HTML_ONLY = (
    b"From: \"Piet Jansen\" <piet.jansen@example.nl>\r\n"
    b"To: inspraak@heerlen.nl\r\n"
    b"Subject: Re: Uw mening over Heerlen\r\n"
    b"Message-ID: <html-2.test@example.nl>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"<html><head><style>p{font-family:Arial}</style></head><body>"
    b"<p>De bus naar Hoensbroek moet vaker rijden, ook &#39;s avonds.</p>"
    b"<script>track()</script>"
    b"<div class=\"gmail_quote\">Op 2 jun 2025 schreef Gemeente Heerlen:"
    b"<blockquote>Wat is Heerlen nu?</blockquote></div></body></html>\r\n"
)

AUTO_REPLY = (
    b"From: Karin de Wit <karin@example.nl>\r\n"
    b"To: inspraak@heerlen.nl\r\n"
    b"Subject: Automatisch antwoord: Uw mening over Heerlen\r\n"
    b"Auto-Submitted: auto-replied\r\n"
    b"Message-ID: <auto-3.test@example.nl>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Ik ben tot 1 juli afwezig.\r\n"
)

LIST_MAIL = (
    b"From: Nieuwsbrief <nieuws@lijst.example.org>\r\n"
    b"To: inspraak@heerlen.nl\r\n"
    b"Subject: <script>alert(1)</script> Nieuwsbrief juni\r\n"
    b"List-Id: <nieuws.lijst.example.org>\r\n"
    b"Message-ID: <list-4.test@example.org>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Het laatste nieuws.\r\n"
)

GMIME_165 = (
    b"From: x@example.nl\r\nMessage-ID: <bad-165.test@example.nl>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed;\r\n " + "ќ".encode() * 36 + "=\"ќ\"".encode() +
    b"\r\n\r\nbody\r\n"
)


def deep_mail(depth=10000):
    parts = [b"From: x@example.nl\r\nMessage-ID: <deep.test@example.nl>\r\nMIME-Version: 1.0\r\n"]
    for i in range(depth):
        parts.append(b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n" % (i, i))
    parts.append(b"Content-Type: text/plain\r\n\r\ndiep\r\n")
    return b"".join(parts)


# Above deep_mail()'s ~0.6 MB, so that one fails on its depth, not its size.
MAX_BYTES = 1 << 20


def big_mail():
    """A well-formed mail one byte over INSPRAAK_MAIL_MAX_BYTES."""
    head = (b"From: Groot <groot@example.nl>\r\nMessage-ID: <big.test@example.nl>\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n")
    return head + b"x" * (MAX_BYTES + 1 - len(head))



def service_metric(cluster, service, name):
    """The value of an unlabelled metric on service's /metrics, or None."""
    status, _, data = http("GET", cluster.url(service, "/metrics"))
    if status != 200:
        raise AssertionError("%s /metrics: %s" % (service, status))
    for line in data.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None

class MailTest(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-mail", "dashboard", "notify")
    # No SMTP server set: notify writes into the Maildir outbox.
    ENV = {"INSPRAAK_MAIL_POLL_MS": "100", "INSPRAAK_RECEIPT_BATCH_S": "1",
           "INSPRAAK_NOTIFY_SCAN_S": "1", "INSPRAAK_MAIL_MAX_BYTES": str(MAX_BYTES)}
    seq = 0

    def receipts(self):
        """The mails notify wrote into $INSPRAAK_VAR/mail/outbox/new/."""
        d = os.path.join(self.cluster.var, "mail", "outbox", "new")
        out = []
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return out

    def notify_metric(self, name):
        return service_metric(self.cluster, "notify", name)

    def deliver(self, raw):
        """As an MTA does: write into tmp/, then rename into new/."""
        MailTest.seq += 1
        inbox = os.path.join(self.cluster.var, "mail", "inbox")
        name = "%d.M%dP%d.test" % (int(time.time()), MailTest.seq, os.getpid())
        tmp = os.path.join(inbox, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(raw)
        os.rename(tmp, os.path.join(inbox, "new", name))
        return name

    def left_new(self, name):
        return not os.path.exists(os.path.join(self.cluster.var, "mail", "inbox", "new", name))

    def email_ideas(self):
        status, body = self.cluster.api("/api/v1/ideas?channel=email&limit=50", self.token)
        self.assertEqual(status, 200, body)
        return body["items"]

    def metric(self, name):
        return service_metric(self.cluster, "intake-mail", name)

    def test_maildir(self):
        self.token = self.cluster.staff_token()
        # A folder where a mail should be must not hold up the mails after it.
        os.mkdir(os.path.join(self.cluster.var, "mail", "inbox", "new", "0.folder.test"))
        big = self.deliver(big_mail())
        bad = [self.deliver(GMIME_165), self.deliver(deep_mail()), "0.folder.test", big]
        good = [self.deliver(LATIN1_QP), self.deliver(HTML_ONLY)]
        auto = self.deliver(AUTO_REPLY)
        listed = self.deliver(LIST_MAIL)
        for name in bad + good + [auto, listed]:
            wait_until("intake-mail took " + name, lambda n=name: self.left_new(n))

        # The hostile mails: in failed/ with a reason.
        failed = os.path.join(self.cluster.var, "mail", "failed")
        for name in bad:
            self.assertTrue(os.path.exists(os.path.join(failed, name)), name)
            with open(os.path.join(failed, name + ".why")) as f:
                self.assertTrue(f.read().strip())
        with open(os.path.join(failed, big + ".why")) as f:
            self.assertIn("too large (more than %d bytes)" % MAX_BYTES, f.read())
        # The good ones: in cur/ with the seen flag.
        cur = os.path.join(self.cluster.var, "mail", "inbox", "cur")
        for name in good:
            self.assertTrue(os.path.exists(os.path.join(cur, name + ":2,S")), name)
        # The auto-reply: skipped, with its reason.
        skipped = os.path.join(self.cluster.var, "mail", "skipped")
        self.assertTrue(os.path.exists(os.path.join(skipped, "cur", auto + ":2,S")))
        with open(os.path.join(skipped, auto + ".why")) as f:
            self.assertIn("autoreply", f.read())
        self.assertEqual(self.metric('inspraak_mail_skipped_total{reason="autoreply"}'), 1)
        self.assertEqual(self.metric('inspraak_mail_skipped_total{reason="list"}'), 1)
        self.check_skipped_list()
        self.assertEqual(self.metric("inspraak_mail_failed_total"), 4)

        wait_until("two email ideas", lambda: len(self.email_ideas()) >= 2)
        items = self.email_ideas()
        self.assertEqual(len(items), 2, items)
        by_mid = {i["source"]["message_id"]: i for i in items}
        self.assertEqual(set(by_mid), {"qp-1.test@example.nl", "html-2.test@example.nl"})

        qp = by_mid["qp-1.test@example.nl"]["text"]
        self.assertTrue(qp.startswith("Meer groen op het Pancratiusplein\n\n"), qp)
        self.assertEqual(qp, "Meer groen op het Pancratiusplein\n\nHet plein is nu te stenig. "
                             "Graag béén rij bomen en een fonteintje, zodat het in de zomer "
                             "koel blijft.")
        for gone in ("schreef", "groet", "Renée", "06-12345678", "wat moet Heerlen worden"):
            self.assertNotIn(gone, qp)

        html = by_mid["html-2.test@example.nl"]["text"]
        self.assertEqual(html, "De bus naar Hoensbroek moet vaker rijden, ook 's avonds.")

        dump = json.dumps(items, ensure_ascii=False)
        for personal in ("Bakker", "renee.bakker", "Piet", "piet.jansen", "example.nl>"):
            self.assertNotIn(personal, dump)
        for i in items:
            self.assertEqual(i["channel"], "email")
            self.assertEqual(i["activity"], "email")

        # The same mail again: taken, but no new idea (same Message-ID, same id).
        again = self.deliver(LATIN1_QP)
        wait_until("intake-mail took the repeat", lambda: self.left_new(again))
        wait_until("the repeat acknowledged",
                   lambda: self.metric("inspraak_spool_pending") == 0)
        self.assertEqual(len(self.email_ideas()), 2)
        self.check_receipts()

    def check_skipped_list(self):
        # Staff see the skipped mails with the reason, without the sender's
        # address or name: in Redis and on the dashboard page /overgeslagen.
        raw = self.cluster.redis("LRANGE", "inspraak:mail:skipped", "0", "-1")
        entries = [json.loads(e) for e in raw]
        self.assertEqual(len(entries), 2, entries)
        by_reason = {e["reason"].split(":")[0]: e for e in entries}
        auto = by_reason["autoreply"]
        self.assertEqual(set(auto), {"at", "reason", "subject", "from_domain"})
        self.assertEqual(auto["reason"], "autoreply: Auto-Submitted: auto-replied")
        self.assertEqual(auto["subject"], "Automatisch antwoord: Uw mening over Heerlen")
        self.assertEqual(auto["from_domain"], "example.nl")
        self.assertEqual(by_reason["list"]["from_domain"], "lijst.example.org")
        dump = json.dumps(entries)
        for personal in ("karin", "Karin", "de Wit", "nieuws@"):
            self.assertNotIn(personal, dump)

        status, _, _ = self.cluster.dash("GET", "/overgeslagen")
        self.assertEqual(status, 303)  # login first
        sid = self.cluster.staff_login()
        status, page = self.cluster.staff_page("/overgeslagen", sid)
        self.assertEqual(status, 200)
        self.assertIn('href="/overgeslagen"', page)  # in the staff navigation
        self.assertIn("De laatste 2 overgeslagen e-mails, nieuwste eerst", page)
        self.assertIn("automatisch antwoord", page)
        self.assertIn("Auto-Submitted: auto-replied", page)
        self.assertIn("Automatisch antwoord: Uw mening over Heerlen", page)
        self.assertIn("mailinglijst", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Nieuwsbrief juni", page)
        self.assertNotIn("<script>alert(1)", page)
        self.assertNotIn("karin", page.lower())

    def check_receipts(self):
        # Each sender gets one receipt, as a reply to their own mail, without
        # having given consent (docs/privacy.md); the auto-reply gets none,
        # and the repeated mail adds none.
        wait_until("two receipts", lambda: len(self.receipts()) >= 2)
        wait_until("the repeat seen by notify",
                   lambda: self.cluster.redis("SCARD", "inspraak:notify:receipt-seen") >= 2)
        got = {str(m["To"].addresses[0].addr_spec): m for m in self.receipts()}
        self.assertEqual(len(self.receipts()), 2)
        self.assertEqual(set(got), {"renee.bakker@example.nl", "piet.jansen@example.nl"})
        for addr, mid in (("renee.bakker@example.nl", "<qp-1.test@example.nl>"),
                          ("piet.jansen@example.nl", "<html-2.test@example.nl>")):
            self.assertEqual(str(got[addr]["In-Reply-To"]).strip(), mid)
            self.assertIn(mid, str(got[addr]["References"]))
        self.assertNotIn("karin@example.nl", json.dumps(list(got)))
        # Without consent no campaign ever follows (docs/privacy.md): the
        # receipt promised one ("Later krijgt u van ons een mail over wat
        # er met de ideeën is gedaan"). It points at the results instead.
        for m in got.values():
            for part in ("plain", "html"):
                body = " ".join(m.get_body(preferencelist=(part,)).get_content().split())
                self.assertNotIn("Later krijgt u van ons een mail", body)
                self.assertIn("Wat er met de ideeën is gedaan, leest u later op onze website.",
                              body)

        # Unsubscribed: the next mail from the same sender gets no receipt.
        url = str(got["renee.bakker@example.nl"]["List-Unsubscribe"]).strip("<>")
        u = urllib.parse.urlsplit(url)
        status, _, _ = http("POST", self.cluster.url("notify", u.path + "?" + u.query),
                            "List-Unsubscribe=One-Click",
                            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        skipped = self.notify_metric("inspraak_notify_skipped_total") or 0
        self.deliver(LATIN1_QP.replace(b"qp-1.test", b"qp-9.test")
                     .replace(b"fonteintje", b"waterpartij"))
        wait_until("notify skipped the unsubscribed sender",
                   lambda: self.notify_metric("inspraak_notify_skipped_total") > skipped)
        self.assertEqual(len(self.receipts()), 2)


def mail(headers, body, ctype="text/plain; charset=utf-8", cte="8bit"):
    """A simple mail from header lines and a body (bytes or str)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    head = "".join(h + "\r\n" for h in headers).encode("utf-8")
    return (head + b"MIME-Version: 1.0\r\nContent-Type: " + ctype.encode() +
            b"\r\nContent-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body)


# A dozen mails as residents (and their mail clients) send them, each with
# what a person reading it would take from it: the idea text, or the
# reason it is no idea at all.
DOZEN = [
    ("outlook-1252", mail(
        ["From: \"Maria Janssen\" <m.janssen@example.nl>", "Subject: RE: Uw mening telt",
         "Message-ID: <d1@example.nl>"],
        b"Ik vind dat de Promenade =93echt=94 meer bankjes moet krijgen.=0D=0A=0D=0A"
        b"Van: Gemeente Heerlen <inspraak@heerlen.nl>=0D=0AVerzonden: maandag 2 juni 2025 09:00"
        b"=0D=0AAan: Maria Janssen=0D=0AOnderwerp: Uw mening telt=0D=0A=0D=0A"
        b"Beste inwoner, wat vindt u?=0D=0A",
        "text/plain; charset=windows-1252", "quoted-printable"),
     "Ik vind dat de Promenade \u201cecht\u201d meer bankjes moet krijgen."),
    ("gmail-alternative", (
        b"From: Tom Peters <tom.peters@example.nl>\r\nSubject: Speeltuin Meezenbroek\r\n"
        b"Message-ID: <d2@example.nl>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/alternative; boundary=\"g\"\r\n\r\n"
        b"--g\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
        b"De speeltuin in Meezenbroek is kapot. Kunnen er nieuwe toestellen komen?\r\n\r\n"
        b"Op ma 2 jun 2025 om 09:00 schreef Gemeente Heerlen <inspraak@heerlen.nl>:\r\n\r\n"
        b"> Wat moet Heerlen worden?\r\n\r\n-- \r\nTom Peters\r\n"
        b"--g\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<div>HTML-versie</div>\r\n--g--\r\n"),
     "Speeltuin Meezenbroek\n\nDe speeltuin in Meezenbroek is kapot. Kunnen er nieuwe "
     "toestellen komen?"),
    ("apple-list", mail(
        ["From: Jan Smeets <jan@example.nl>", "Subject: Mijn idee\u00ebn voor Hoensbroek",
         "Message-ID: <d3@example.nl>"],
        "Drie dingen:\n1. Meer groen rond het kasteel\n2. Een veilige fietsroute naar "
        "school\n3. Minder leegstand in de Hoofdstraat\n\nGroet,\nJan\n"),
     "Mijn idee\u00ebn voor Hoensbroek\n\nDrie dingen:\n1. Meer groen rond het kasteel\n"
     "2. Een veilige fietsroute naar school\n3. Minder leegstand in de Hoofdstraat"),
    ("html-disclaimer", mail(
        ["From: Bureau Groen <info@groenbureau.example.nl>", "Subject: Ruimte voor water",
         "Message-ID: <d4@example.nl>"],
        "<html><body><p>Wij stellen voor om de Geleenbeek meer ruimte te geven.</p>"
        "<p>Dit bericht is uitsluitend bestemd voor de geadresseerde. Als u dit bericht "
        "onterecht ontvangt, verwijder het dan.</p></body></html>",
        "text/html; charset=utf-8"),
     "Ruimte voor water\n\nWij stellen voor om de Geleenbeek meer ruimte te geven."),
    ("base64-attachment", (
        b"From: =?UTF-8?B?U2FuZGVyIEfDvGxlbg==?= <sander@example.nl>\r\n"
        b"Subject: Foto kapotte stoep\r\nMessage-ID: <d5@example.nl>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
        b"--m\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + __import__("base64").encodebytes("De stoep in de Akerstraat is gevaarlijk "
                                           "voor rollators.\n".encode()).replace(b"\n", b"\r\n")
        + b"--m\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''stoep%20%C3%A9%C3%A9n.jpg\r\n\r\n"
        b"/9j/4AAQSkZJRg==\r\n--m--\r\n"),
     "Foto kapotte stoep\n\nDe stoep in de Akerstraat is gevaarlijk voor rollators."),
    ("subject-idee", mail(
        ["From: Els <els@example.nl>", "Subject: idee", "Message-ID: <d6@example.nl>"],
        "Een overdekte markt op het Pancratiusplein.\n"),
     "Een overdekte markt op het Pancratiusplein."),
    ("no-message-id", mail(
        ["From: Henk <henk@example.nl>", "Subject: Parkeren"],
        "Parkeren in het centrum is te duur voor bewoners.\n"),
     "Parkeren\n\nParkeren in het centrum is te duur voor bewoners."),
    ("x-autoreply", mail(
        ["From: Karin <karin@example.nl>", "Subject: Re: Uw mening telt", "X-Autoreply: yes",
         "Message-ID: <d8@example.nl>"], "Ik ben er niet.\n"), "autoreply"),
    ("afwezig", mail(
        ["From: Piet <piet@example.nl>", "Subject: Afwezig: Uw mening telt",
         "Message-ID: <d9@example.nl>"], "Ik ben tot maandag afwezig.\n"), "autoreply"),
    ("bounce", (
        b"Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.nl>\r\n"
        b"Subject: Undelivered Mail\r\nMessage-ID: <d10@example.nl>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
        b"--r\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n--r--\r\n"), "bounce"),
    ("list", mail(
        ["From: Buurtvereniging <buurt@example.nl>", "Subject: Nieuwsbrief juni",
         "List-Id: Buurt <buurt.lists.example.nl>", "Message-ID: <d11@example.nl>"],
        "Nieuws uit de buurt.\n"), "list"),
    ("bulk", mail(
        ["From: Winkel <nieuws@winkel.example.nl>", "Subject: Aanbiedingen",
         "Precedence: bulk", "Message-ID: <d12@example.nl>"], "Korting!\n"), "autoreply"),
    ("only-quote", mail(
        ["From: Anna <anna@example.nl>", "Subject: Re: Uw mening telt",
         "Message-ID: <d13@example.nl>"],
        "Op 2 jun 2025 schreef Gemeente Heerlen <inspraak@heerlen.nl>:\n> Wat vindt u?\n"),
     "empty"),
    ("iphone-html-only", mail(
        ["From: Sanne <sanne@example.nl>", "Subject: Prullenbakken",
         "Message-ID: <d15@example.nl>"],
        "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\">"
        "</head><body dir=\"auto\">Graag meer prullenbakken langs het Aambos, nu ligt er "
        "overal afval.<br><br><div dir=\"ltr\">Verzonden vanaf mijn iPhone</div></body></html>",
        "text/html; charset=utf-8"),
     "Prullenbakken\n\nGraag meer prullenbakken langs het Aambos, nu ligt er overal afval."),
    ("thanks-reply-to-receipt", mail(
        ["From: Anna <anna@example.nl>", "Subject: Re: Bedankt voor uw idee voor Heerlen",
         "In-Reply-To: <receipt-1@inspraak.heerlen.nl>", "Message-ID: <d16@example.nl>"],
        "Bedankt!\n\nOp 3 jun 2025 om 10:00 schreef Gemeente Heerlen <inspraak@heerlen.nl>:\n"
        "> Beste Anna,\n>\n> Bedankt! Wij hebben uw idee voor Heerlen goed ontvangen:\n"),
     "empty"),
    ("thank-you-very-much", mail(
        ["From: Bert <bert@example.nl>", "Subject: Re: Bedankt voor uw ideeën voor Heerlen",
         "Message-ID: <d17@example.nl>"],
        "Hartelijk dank voor uw snelle reactie!\n\nMet vriendelijke groet,\nBert\n\n"
        "Op 3 jun 2025 om 10:00 schreef Gemeente Heerlen <inspraak@heerlen.nl>:\n> Beste Bert,\n"),
     "empty"),
    ("new-idea-above-receipt", mail(
        ["From: Anna <anna@example.nl>", "Subject: Re: Bedankt voor uw idee voor Heerlen",
         "Message-ID: <d18@example.nl>"],
        "Dank u! Nog een idee: een zebrapad bij de school in Zeswegen.\n\n"
        "Op 3 jun 2025 om 10:00 schreef Gemeente Heerlen <inspraak@heerlen.nl>:\n"
        "> Bedankt! Wij hebben uw idee voor Heerlen goed ontvangen:\n"),
     "Dank u! Nog een idee: een zebrapad bij de school in Zeswegen."),
    ("forward-from-a-neighbour", mail(
        ["From: Jan <jan@example.nl>", "Subject: Fwd: Bankje bij de bushalte",
         "Message-ID: <d19@example.nl>"],
        "Hoi, hieronder het idee van mijn buurvrouw, zij heeft geen e-mail.\n\n"
        "---------- Forwarded message ---------\nVan: Mies Hendriks <mies@example.nl>\n"
        "Date: di 3 jun 2025 om 09:00\nSubject: Bankje bij de bushalte\nTo: Jan <jan@example.nl>\n\n"
        "Graag een bankje bij de bushalte in de Heerlerbaan, ik kan niet lang staan.\n\n"
        "Groetjes,\nMies\n"),
     "Bankje bij de bushalte\n\nHoi, hieronder het idee van mijn buurvrouw, zij heeft geen "
     "e-mail.\n\nGraag een bankje bij de bushalte in de Heerlerbaan, ik kan niet lang staan."),
    ("outlook-forward", mail(
        ["From: Kees <kees@example.nl>", "Subject: FW: Hondenpoep", "Message-ID: <d20@example.nl>"],
        "\n\n________________________________\nVan: Ria Coenen <ria@example.nl>\n"
        "Verzonden: maandag 2 juni 2025 20:14\nAan: Kees <kees@example.nl>\nOnderwerp: Hondenpoep\n\n"
        "Kunnen er meer afvalbakken voor hondenpoep komen in Schandelen?\n"),
     "Hondenpoep\n\nKunnen er meer afvalbakken voor hondenpoep komen in Schandelen?"),
    ("polish-latin2", mail(
        ["From: Marek <marek@example.nl>", "Subject: =?ISO-8859-2?Q?Wi=EAcej_zieleni?=",
         "Message-ID: <d21@example.nl>"],
        "Prosz\u0119 o wi\u0119cej drzew na placu Pancratius.\n\nPozdrawiam,\nMarek Nowak\n\n"
        "Wys\u0142ane z iPhone'a\n".encode("iso-8859-2"),
        "text/plain; charset=iso-8859-2"),
     "Wi\u0119cej zieleni\n\nProsz\u0119 o wi\u0119cej drzew na placu Pancratius."),
    ("arabic-html", mail(
        ["From: Samira <samira@example.nl>", "Subject: =?UTF-8?B?" +
         __import__("base64").b64encode("حديقة للأطفال".encode()).decode() + "?=",
         "Message-ID: <d22@example.nl>"],
        "<html><body dir=\"rtl\"><p>نريد حديقة للأطفال في هيرلربان.</p>"
        "<p>مع تحياتي<br>سميرة</p></body></html>",
        "text/html; charset=utf-8"),
     "حديقة للأطفال\n\nنريد حديقة للأطفال في هيرلربان."),
    ("opening-salutation", mail(
        ["From: Lisa <lisa@example.nl>", "Subject: Idee voor Heerlen",
         "Message-ID: <d14@example.nl>"],
        "Beste gemeente,\n\nGraag een losloopgebied voor honden in Molenberg.\n\n"
        "Met vriendelijke groet,\nLisa\n"),
     "Idee voor Heerlen\n\nGraag een losloopgebied voor honden in Molenberg."),
    # Residents who write in their own language open with its "hello";
    # the report quotes the idea, not the salutation (the Arabic comma
    # "،" ends a line as "," does).
    ("polish-salutation", mail(
        ["From: Ewa <ewa@example.nl>", "Subject: Plac zabaw", "Message-ID: <d23@example.nl>"],
        "Dzie\u0144 dobry,\n\nProsz\u0119 o plac zabaw w Hoensbroek.\n\nPozdrawiam,\nEwa\n"),
     "Plac zabaw\n\nProsz\u0119 o plac zabaw w Hoensbroek."),
    ("turkish-salutation", mail(
        ["From: Ay\u015fe <ayse@example.nl>", "Subject: Park", "Message-ID: <d24@example.nl>"],
        "Merhaba,\n\nParkta \u00e7ocuklar i\u00e7in daha fazla a\u011fa\u00e7 istiyoruz.\n\n"
        "Sayg\u0131lar\u0131mla,\nAy\u015fe\n"),
     "Park\n\nParkta \u00e7ocuklar i\u00e7in daha fazla a\u011fa\u00e7 istiyoruz."),
    ("arabic-salutation", mail(
        ["From: Ahmed <ahmed@example.nl>", "Subject: Licht", "Message-ID: <d25@example.nl>"],
        "مرحبا،\n\nالشوارع مظلمة في الليل في هيرلربان!\n\nمع تحياتي\nأحمد\n"),
     "Licht\n\nالشوارع مظلمة في الليل في هيرلربان!"),
    # A Limburgish writer ends with "Doag," (Dutch "Dag,") and a first
    # name: a bare farewell after the text ends it, as "Groetjes," does.
    ("limburgish-farewell", mail(
        ["From: Sjef <sjef@example.nl>", "Subject: Get veur Heerle",
         "Message-ID: <d26@example.nl>"],
        "Hoi,\n\nVeer wille mie greun in de sjtad en 'n sjoon plein veur de kinjer.\n\n"
        "Doag,\nSjef\n"),
     "Get veur Heerle\n\nVeer wille mie greun in de sjtad en 'n sjoon plein veur de kinjer."),
]
SKIP_REASONS = ("autoreply", "bounce", "list", "empty")


PDF_MAIL = (
    b"From: Anna de Vries <anna@example.nl>\r\n"
    b"To: inspraak@heerlen.nl\r\n"
    b"Subject: Plan voor het Aambos\r\n"
    b"Message-ID: <pdf-1.test@example.nl>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"grens\"\r\n"
    b"\r\n"
    b"--grens\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"In de bijlage mijn plan voor een speelplek in het Aambos.\r\n"
    b"--grens\r\n"
    b"Content-Type: application/pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"Content-Disposition: attachment; filename=\"Plan <b>Aambos</b> & co.pdf\"\r\n"
    b"\r\n"
    b"JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK\r\n"
    b"--grens--\r\n"
)


def maildir_deliver(cluster, raw, tag):
    """As an MTA delivers into intake-mail's Maildir: tmp/, then renamed
    into new/. Returns the file's name."""
    inbox = os.path.join(cluster.var, "mail", "inbox")
    name = "%d.M1P%d.%s" % (int(time.time()), os.getpid(), tag)
    with open(os.path.join(inbox, "tmp", name), "wb") as f:
        f.write(raw)
    os.rename(os.path.join(inbox, "tmp", name), os.path.join(inbox, "new", name))
    return name


class MailAttachmentTest(ClusterTestCase):
    """Attachments are listed in the idea (name, type, size), not stored:
    the staff idea page shows them escaped; the public page does not."""
    SERVICES = ("storage", "classifier", "intake-mail", "dashboard")
    ENV = {"INSPRAAK_MAIL_POLL_MS": "100"}

    def test_pdf_listed(self):
        token = self.cluster.staff_token()
        maildir_deliver(self.cluster, PDF_MAIL, "pdf")

        def items():
            status, body = self.cluster.api("/api/v1/ideas?channel=email&limit=50", token)
            return body["items"] if status == 200 else []
        got = wait_until("the idea stored", lambda: items() or None)
        self.assertEqual(len(got), 1)
        src = got[0]["source"]
        self.assertEqual(src["message_id"], "pdf-1.test@example.nl")
        self.assertEqual(src["attachments"],
                         [{"name": "Plan <b>Aambos</b> & co.pdf", "type": "application/pdf",
                           "size": 48}])
        self.assertNotIn("JVBER", json.dumps(got))  # listed, not stored

        sid = self.cluster.staff_login()
        status, page = self.cluster.staff_page("/ideeen/" + got[0]["id"], sid)
        self.assertEqual(status, 200)
        self.assertIn("Bijlagen (niet bewaard)", page)
        self.assertIn("Plan &lt;b&gt;Aambos&lt;/b&gt; &amp; co.pdf, application/pdf, 48 bytes",
                      page)
        self.assertNotIn("<b>Aambos</b>", page)
        status, _, public = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(status, 200)
        self.assertNotIn(b"Aambos</b>", public)
        self.assertNotIn(b"co.pdf", public)


PHOTO_ONLY = (
    b"From: Wim Hermans <wim.hermans@example.nl>\r\nTo: inspraak@heerlen.nl\r\n"
    b"Message-ID: <photo-1.test@example.nl>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"Apple-Mail-7F3A\"\r\n\r\n"
    b"--Apple-Mail-7F3A\r\nContent-Type: image/jpeg; name=IMG_4821.jpeg\r\n"
    b"Content-Disposition: inline; filename=IMG_4821.jpeg\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n"
    b"--Apple-Mail-7F3A\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    b"\r\n\r\nVerzonden vanaf mijn iPhone\r\n--Apple-Mail-7F3A--\r\n")


class MailPhotoOnlyTest(ClusterTestCase):
    """A photo sent from a phone without a word: the resident expects it to
    arrive. It becomes an idea that says so (the photo listed, not
    stored) and the sender gets the receipt, which tells them the same;
    before, the mail was skipped as empty and they heard nothing."""
    SERVICES = ("storage", "classifier", "intake-mail", "dashboard", "notify")
    ENV = {"INSPRAAK_MAIL_POLL_MS": "100", "INSPRAAK_RECEIPT_BATCH_S": "1",
           "INSPRAAK_NOTIFY_SCAN_S": "1"}

    def test_photo_without_text(self):
        token = self.cluster.staff_token()
        inbox = os.path.join(self.cluster.var, "mail", "inbox")
        name = maildir_deliver(self.cluster, PHOTO_ONLY, "photo")
        wait_until("the mail read",
                   lambda: not os.path.exists(os.path.join(inbox, "new", name)))
        self.assertTrue(os.path.exists(os.path.join(inbox, "cur", name + ":2,S")),
                        "the photo-only mail was skipped, not made an idea")
        want = "[Alleen een foto gestuurd, zonder tekst. De foto bewaren we niet.]"

        def items():
            status, body = self.cluster.api("/api/v1/ideas?channel=email&limit=50", token)
            return body["items"] if status == 200 else []
        got = wait_until("the idea stored", lambda: items() or None)
        self.assertEqual([i["text"] for i in got], [want])
        self.assertEqual(got[0]["source"]["attachments"],
                         [{"name": "IMG_4821.jpeg", "type": "image/jpeg", "size": 10}])
        outbox = os.path.join(self.cluster.var, "mail", "outbox", "new")
        files = wait_until("the receipt", lambda: os.path.isdir(outbox) and os.listdir(outbox))
        with open(os.path.join(outbox, files[0]), "rb") as f:
            m = email.message_from_bytes(f.read(), policy=email.policy.default)
        self.assertEqual(m["To"].addresses[0].addr_spec, "wim.hermans@example.nl")
        self.assertEqual(str(m["In-Reply-To"]).strip(), "<photo-1.test@example.nl>")
        self.assertIn(want, m.get_body(preferencelist=("plain",)).get_content())
        # The receipt asks for a few words, in both parts, and says honestly
        # what a reply becomes (a reply to a receipt is a mail of its own).
        ask = ("We zagen alleen een foto. Wilt u in een paar woorden zeggen wat u ermee "
               "bedoelt? Antwoord dan op deze mail. Uw antwoord komt bij ons binnen als een "
               "nieuw idee.")
        text = m.get_body(preferencelist=("plain",)).get_content()
        self.assertIn(ask, " ".join(text.split()))
        html = m.get_body(preferencelist=("html",)).get_content()
        self.assertIn(ask, " ".join(html.split()))


SUBJECT_NAME = (
    b"From: \"Piet Jansen\" <piet.jansen@example.nl>\r\n"
    b"To: inspraak@heerlen.nl\r\n"
    b"Subject: Idee van Piet Jansen\r\n"
    b"Message-ID: <subject-name.test@example.nl>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Graag meer bankjes bij de vijver in het Aambos, voor ouderen die even willen zitten.\r\n"
)


class MailSubjectNameTest(ClusterTestCase):
    """The subject becomes the idea text's first line: a name in it ("Idee
    van Piet Jansen") is flagged, so the approved idea is not quoted on
    /resultaten until staff cut the name (from the text and the subject)."""
    SERVICES = ("storage", "classifier", "intake-mail", "dashboard")
    ENV = {"INSPRAAK_MAIL_POLL_MS": "100"}

    def test_name_in_subject_not_public(self):
        token = self.cluster.staff_token()
        maildir_deliver(self.cluster, SUBJECT_NAME, "subject")

        def idea():
            status, body = self.cluster.api("/api/v1/ideas?channel=email&limit=5", token)
            items = body["items"] if status == 200 else []
            return items[0] if items and "pii" in items[0] else None
        it = wait_until("the idea stored and classified", idea)
        self.assertTrue(it["text"].startswith("Idee van Piet Jansen\n"), it["text"])
        self.assertEqual(it["pii"], ["name"])

        sid = self.cluster.staff_login()
        form = {"Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "inspraak_session=" + sid}

        def post(path, fields):
            _, page = self.cluster.staff_page("/ideeen/" + it["id"], sid)
            csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
            st, _, body = self.cluster.dash("POST", path,
                                            urllib.parse.urlencode(fields + [("csrf", csrf)]),
                                            form)
            self.assertEqual(st, 303, body[:300])
        post("/ideeen/" + it["id"], [("status", "approved"), ("wijk", "WK091712"),
                                     ("sentiment", "positief"), ("theme", "jeugd")])
        status, _, public = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(status, 200)
        self.assertNotIn(b"Jansen", public)
        self.assertNotIn(b"vijver", public)  # flagged: not quoted at all

        post("/ideeen/%s/weghalen" % it["id"], [("soort", "name")])
        it = idea()
        self.assertEqual(it["pii"], [])
        self.assertTrue(it["text"].startswith("Idee van [weggehaald: naam]\n"), it["text"])
        self.assertEqual(it["source"]["subject"], "Idee van [weggehaald: naam]")
        status, _, public = self.cluster.dash("GET", "/resultaten")
        self.assertIn(b"vijver", public)  # now quoted, without the name
        self.assertNotIn(b"Jansen", public)


class MailSkippedOneTest(ClusterTestCase):
    """One skipped mail is counted in the singular on /overgeslagen."""
    SERVICES = ("storage", "classifier", "intake-mail", "dashboard")
    ENV = {"INSPRAAK_MAIL_POLL_MS": "100"}

    def test_one_skipped_mail(self):
        maildir_deliver(self.cluster, DOZEN[8][1], "afwezig")  # "Afwezig: Uw mening telt"
        wait_until("the mail skipped",
                   lambda: self.cluster.redis("LLEN", "inspraak:mail:skipped") == 1)
        status, page = self.cluster.staff_page("/overgeslagen", self.cluster.staff_login())
        self.assertEqual(status, 200)
        self.assertIn("Afwezig: Uw mening telt", page)
        self.assertIn("<caption>1 overgeslagen e-mail</caption>", page)
        self.assertNotIn("1 overgeslagen e-mails", page)


class MailDozenTest(ClusterTestCase):
    """The issue's bar: a dozen realistic Dutch mails of every kind, into
    the Maildir of a running stack, give exactly the expected ideas."""
    SERVICES = ("storage", "classifier", "intake-mail", "dashboard")
    ENV = {"INSPRAAK_MAIL_POLL_MS": "100"}

    def test_dozen(self):
        token = self.cluster.staff_token()
        inbox = os.path.join(self.cluster.var, "mail", "inbox")
        names = {}
        for i, (label, raw, _) in enumerate(DOZEN + [DOZEN[6]]):  # no-message-id twice
            name = "%d.M%dP%d.dozen" % (int(time.time()), i, os.getpid())
            with open(os.path.join(inbox, "tmp", name), "wb") as f:
                f.write(raw)
            os.rename(os.path.join(inbox, "tmp", name), os.path.join(inbox, "new", name))
            names.setdefault(label, []).append(name)
        wait_until("intake-mail took every mail", lambda: os.listdir(os.path.join(inbox, "new")) == [])

        skipped = os.path.join(self.cluster.var, "mail", "skipped")
        want_texts = sorted(want for _, _, want in DOZEN if want not in SKIP_REASONS)
        for label, _, want in DOZEN:
            if want in SKIP_REASONS:
                with open(os.path.join(skipped, names[label][0] + ".why")) as f:
                    self.assertTrue(f.read().startswith(want + ":"), label)

        def items():
            status, body = self.cluster.api("/api/v1/ideas?channel=email&limit=50", token)
            return body["items"] if status == 200 else []
        wait_until("the ideas stored", lambda: len(items()) >= len(want_texts))
        wait_until("every spooled idea acknowledged", lambda: self._pending() == 0)
        got = items()
        self.assertEqual(sorted(i["text"] for i in got), want_texts)
        dump = json.dumps(got, ensure_ascii=False)
        for personal in ("Maria", "janssen", "Tom Peters", "Smeets", "G\u00fclen", "sander@",
                         "henk@", "els@", "Hendriks", "mies@", "Coenen", "ria@",
                         "Nowak", "سميرة", "Sjef"):
            self.assertNotIn(personal, dump)

    def _pending(self):
        status, _, data = http("GET", self.cluster.url("intake-mail", "/metrics"))
        for line in data.decode().splitlines():
            if line.startswith("inspraak_spool_pending "):
                return float(line.split()[-1])
        return None


if __name__ == "__main__":
    harness.main()
