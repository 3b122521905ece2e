"""
NAME
    test_notify - receipts, batching, consent, injection, unsubscribe, retry,
    bounce and a kill -9 campaign against a real SMTP server

DESCRIPTION
    The SMTP server is aiosmtpd (Debian python3-aiosmtpd, run with the
    system /usr/bin/python3) with a small handler of our own: it stores each
    message as a file, and reads two control files in its folder: `mode`
    ("ok", "tempfail N": the first N messages get 451, "perm": 550 at RCPT,
    "permdata": 554 after DATA) and
    `hold` (a number K: when K messages are stored, the next RCPT waits
    until `hold` is removed, having written `held`; the test kills notify
    in that moment, so notify dies with a claimed, unsent mail).
    "Nothing was sent" is checked with a sentinel: a later receipt to
    another address, which notify handles after the earlier one.
    The campaign has 200 participants (1,000 with INSPRAAK_SOAK=1).
"""
import email
import email.policy
import glob
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, free_port, http, wait_until  # noqa: E402

SMTP_HANDLER = r'''
import asyncio, os, sys
from aiosmtpd.controller import Controller
D = sys.argv[1]
class H:
    def __init__(self):
        self.n = 0; self.mode = None; self.fails = 0
    def _mode(self):
        try:
            m = open(os.path.join(D, "mode")).read().strip()
        except OSError:
            m = "ok"
        if m != self.mode:
            self.mode, self.fails = m, 0
        return m
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            k = int(open(os.path.join(D, "hold")).read().strip())
        except (OSError, ValueError):
            k = -1
        if k == self.n:
            open(os.path.join(D, "held"), "w").close()
            while os.path.exists(os.path.join(D, "hold")):
                await asyncio.sleep(0.05)
            return "451 4.3.0 held"
        if self._mode() == "perm":
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        m = self._mode()
        if m == "permdata":
            return "554 5.6.0 message refused"
        if m.startswith("tempfail") and self.fails < int(m.split()[1]):
            self.fails += 1
            return "451 4.3.0 try again later"
        self.n += 1
        path = os.path.join(D, "%06d.eml" % self.n)
        with open(path + ".tmp", "wb") as f:
            f.write(("X-Test-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK stored"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[2]))
c.start()
print("ready", flush=True)
try:
    sys.stdin.read()
finally:
    c.stop()
'''


class Smtp:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="inspraak-smtp-")
        self.port = free_port()
        script = os.path.join(self.dir, "handler.py")
        with open(script, "w") as f:
            f.write(SMTP_HANDLER)
        self.box = os.path.join(self.dir, "box")
        os.makedirs(self.box)
        py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        self.proc = subprocess.Popen([py, script, self.box, str(self.port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout.readline().strip() == b"ready"

    def control(self, name, value=None):
        path = os.path.join(self.box, name)
        if value is None:
            if os.path.exists(path):
                os.unlink(path)
        else:
            with open(path + ".tmp", "w") as f:
                f.write(value)
            os.rename(path + ".tmp", path)

    def messages(self, rcpt=None):
        out = []
        for p in sorted(glob.glob(os.path.join(self.box, "*.eml"))):
            with open(p, "rb") as f:
                m = email.message_from_binary_file(f, policy=email.policy.default)
            if rcpt is None or m["X-Test-Rcpt"] == rcpt:
                out.append(m)
        return out

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=20)
        subprocess.run(["rm", "-rf", self.dir])


def body_text(m):
    return m.get_body(preferencelist=("plain",)).get_content()


class NotifyCase(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "notify")
    BATCH_S = "2"

    @classmethod
    def start_peers(cls):
        cls.smtp = Smtp()
        cls.ENV = {"INSPRAAK_SMTP_URL": "smtp://127.0.0.1:%d" % cls.smtp.port,
                   "INSPRAAK_RECEIPT_BATCH_S": cls.BATCH_S, "INSPRAAK_NOTIFY_SCAN_S": "1",
                   "INSPRAAK_SMTP_RATE": "0", "INSPRAAK_SMTP_RETRY_MS": "200",
                   "INSPRAAK_SMTP_RETRIES": "4"}
        return [cls.smtp]

    def post(self, text, addr, consent=True, name="Test Bewoner"):
        status, body = self.cluster.post_idea(text, email=addr, name=name,
                                              consent={"feedback": consent})
        self.assertEqual(status, 201, body)
        return body["id"]

    def wait_mails(self, rcpt, n=1, timeout=60):
        return wait_until("%d mail(s) to %s" % (n, rcpt),
                          lambda: len(self.smtp.messages(rcpt)) >= n and self.smtp.messages(rcpt),
                          timeout)

    def sentinel(self, tag):
        addr = "sentinel-%s@example.org" % tag
        self.post("Sentinel idee voor de volgorde %s" % tag, addr)
        self.wait_mails(addr)

    def campaign_preview(self, name, addr):
        """The mail a campaign quoting each idea ({{ideeen}}) would send to
        addr (inspraakctl campaign preview), parsed."""
        tf = os.path.join(self.cluster.var, name + "-campaign.txt")
        with open(tf, "w") as f:
            f.write("Dank u wel, {{naam}}. Uw ideeen:\n{{ideeen}}\n")
        r = self.cluster.ctl("campaign", "create", "--subject", "Terugkoppeling", "--text-file", tf)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.cluster.ctl("campaign", "preview", r.stdout.strip(), addr)
        self.assertEqual(r.returncode, 0, r.stderr)
        return email.message_from_string(r.stdout, policy=email.policy.default)

    def start_campaign(self, name):
        """A running campaign (its mail lists the ideas); its id."""
        tf = os.path.join(self.cluster.var, name + ".txt")
        with open(tf, "w") as f:
            f.write("Dank u wel, {{naam}}. Dit deden we met de ideeën.\n")
        r = self.cluster.ctl("campaign", "create", "--subject", "Wat we met uw idee deden",
                             "--text-file", tf)
        self.assertEqual(r.returncode, 0, r.stderr)
        cid = r.stdout.strip()
        self.assertEqual(self.cluster.ctl("campaign", "start", cid).returncode, 0)
        return cid

    def pid_of(self, addr):
        h = hashlib.blake2b(addr.encode(), digest_size=16).hexdigest()
        return self.cluster.redis("GET", "inspraak:participant-email:" + h)


class TestReceipts(NotifyCase):
    def test_1_receipt_only_with_consent(self):
        iid = self.post("Meer bomen op het Pancratiusplein alstublieft", "anna@example.org",
                        name="Anna de Vries")
        self.post("Een fietspad langs de Geleenbeek", "bert@example.org", consent=False)
        m = self.wait_mails("anna@example.org")[0]
        text = body_text(m)
        self.assertIn("Meer bomen op het Pancratiusplein", text)
        self.assertIn(iid, text)
        self.assertIn("/afmelden?p=", text)
        # both links point at this installation: its ports moved with
        # INSPRAAK_PORT_BASE, and nothing set INSPRAAK_PUBLIC_URL
        self.assertIn("http://localhost:%d/resultaten" % self.cluster.port("dashboard"), text)
        self.assertIn("http://localhost:%d/afmelden?p=" % self.cluster.port("notify"), text)
        self.assertIn("/afmelden?p=", m["List-Unsubscribe"])
        self.assertEqual(m["Subject"], "Bedankt voor uw idee voor Heerlen")
        self.assertIn("Wij hebben uw idee voor Heerlen goed ontvangen", text)
        # what the resident reads, in both parts, as written (data/mail/receipt.*)
        self.assertIn("We lezen alle ideeën.", text)
        self.assertIn("We lezen alle ideeën.", m.get_body(preferencelist=("html",)).get_content())
        # with consent a feedback mail follows, and the receipt says so
        for part in (text, m.get_body(preferencelist=("html",)).get_content()):
            self.assertIn("Later krijgt u van ons een mail over wat er met de ideeën is gedaan.",
                          " ".join(part.split()))
        self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertIn("Anna de Vries", str(m["To"]))
        self.assertTrue(m["Message-ID"] and m["Date"])
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        self.sentinel("consent")
        self.assertEqual(self.smtp.messages("bert@example.org"), [])

    def test_1b_receipt_without_a_name(self):
        # The name is optional on every channel; the greeting must still
        # read as Dutch, in both parts ("Beste ," was what people got).
        iid = self.post("Een bankje bij de bushalte op de Akerstraat", "zonder-naam@example.org",
                        name=None)
        m = self.wait_mails("zonder-naam@example.org")[0]
        text = body_text(m)
        html = m.get_body(preferencelist=("html",)).get_content()
        self.assertIn(iid, text)
        self.assertTrue(text.startswith("Beste deelnemer,\n"), text[:80])
        self.assertIn("<p>Beste deelnemer,</p>", html)
        self.assertNotIn("Beste ,", text + html)
        self.assertEqual(str(m["To"]), "zonder-naam@example.org")

    def test_1c_arabic_quote_reads_right_to_left(self):
        # An Arabic idea quoted in the Dutch mail: without its own direction
        # the paragraph is laid out left to right, so the "!" the writer
        # ended with shows at the start of the Arabic sentence. The HTML
        # part lets the quote choose its direction (dir="auto"); the text
        # part isolates it (U+2068 ... U+2069), so a client showing it left
        # to right keeps the "!" at the end and the Dutch line around it.
        arabic = "نريد المزيد من الأشجار في الحديقة. الشوارع مظلمة في الليل!"
        iid = self.post(arabic, "ahmed@example.org", name="أحمد الحسن")
        m = self.wait_mails("ahmed@example.org")[0]
        text = body_text(m)
        html = m.get_body(preferencelist=("html",)).get_content()
        self.assertIn('- "\u2068%s\u2069"\n  (nummer van uw idee: %s)' % (arabic, iid), text)
        self.assertIn('<p dir="auto" style="overflow-wrap:anywhere;word-break:break-word">%s</p>'
                      % arabic, html)
        self.assertIn("<p>Beste أحمد الحسن,</p>", html)

    def test_1c2_address_with_an_idn_domain(self):
        # "jan@bücher.nl" was refused by the idea box. It is accepted,
        # stored as the resident wrote it, and the receipt goes out to the
        # domain's ASCII form (what SMTP without SMTPUTF8 needs).
        iid = self.post("Een zebrapad bij de basisschool in Meezenbroek", "jan@bücher.nl")
        m = self.wait_mails("jan@xn--bcher-kva.nl")[0]
        self.assertIn(iid, body_text(m))
        self.assertEqual(m["To"].addresses[0].addr_spec, "jan@xn--bcher-kva.nl")
        r = self.cluster.ctl("participant", "export", "jan@bücher.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["participant"]["email"], "jan@bücher.nl")
        # The same domain typed in its ASCII form is stored readable too.
        self.post("Meer bankjes in het Aambos", "ali@xn--strae-oqa.de")
        self.wait_mails("ali@xn--strae-oqa.de")
        r = self.cluster.ctl("participant", "export", "ali@straße.de")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Non-ASCII before the @ stays refused, with a message saying what to do.
        status, body = self.cluster.post_idea("Een speeltuin in Hoensbroek", email="jürgen@example.de",
                                              consent={"feedback": True})
        self.assertEqual(status, 422, body)
        self.assertIn("Vóór de @", body["error"]["fields"]["email"])

    def test_1c3_one_participant_however_the_idn_domain_is_written(self):
        # A request to erase "piet@xn--bcher-kva.nl" (how a mail's From:
        # shows piet@bücher.nl) found no participant: the email index key
        # was made of the address as written, so each spelling of the
        # domain was another person. Now every spelling is one participant.
        self.post("Een bloembak bij de bibliotheek in Heerlerheide", "piet@bücher.nl")
        self.wait_mails("piet@xn--bcher-kva.nl")
        pids = set()
        for spelling in ("piet@bücher.nl", "PIET@XN--BCHER-KVA.NL", "Piet@BÜCHER.nl"):
            r = self.cluster.ctl("participant", "export", spelling)
            self.assertEqual(r.returncode, 0, (spelling, r.stderr))
            pids.add(json.loads(r.stdout)["participant_id"])
        self.assertEqual(len(pids), 1, pids)

    def test_1d_long_word_wraps_inside_the_mail(self):
        # A quoted idea with one very long unbroken word (170 letters, as a
        # pasted code or link without its dots) ran past the mail's 40em
        # body: mail clients keep a word whole unless told it may break,
        # and many ignore a <style> block, so the quote says it inline.
        # The same quote goes into a campaign (its preview is the mail).
        word = "Groen" * 34
        self.assertEqual(len(word), 170)
        quote = '<p dir="auto" style="overflow-wrap:anywhere;word-break:break-word">'
        iid = self.post("Meer bomen graag %s einde" % word, "lang-woord@example.org")
        m = self.wait_mails("lang-woord@example.org")[0]
        html = m.get_body(preferencelist=("html",)).get_content()
        self.assertIn(quote + "Meer bomen graag %s einde</p>" % word, html)
        self.assertIn(iid, html)
        c = self.campaign_preview("long-word", "lang-woord@example.org")
        self.assertIn(quote + "Meer bomen graag %s einde</p>" % word,
                      c.get_body(preferencelist=("html",)).get_content())

    def test_1e_campaign_to_one_idea_does_not_say_ideas(self):
        # A resident who sent one idea read "Uw ideeën:" above it in the
        # feedback mail: plural, for one idea.
        iid = self.post("Een zebrapad bij de basisschool in Molenberg", "een-idee@example.org")
        self.wait_mails("een-idee@example.org")
        c = self.campaign_preview("one-idea", "een-idee@example.org")
        text = body_text(c)
        html = c.get_body(preferencelist=("html",)).get_content()
        self.assertIn(iid, text)
        self.assertNotIn("Uw ideeën", text)
        self.assertNotIn("Uw ideeën", html)

    def test_1f_campaign_without_meeting_leaves_no_gap(self):
        # With no terugkombijeenkomst set, {{bijeenkomst}} stood alone on
        # its line: the text part had a hole of blank lines before the
        # closing, the HTML part an empty paragraph.
        self.post("Meer bankjes langs de Geleenbeek", "geen-bijeenkomst@example.org")
        self.wait_mails("geen-bijeenkomst@example.org")
        c = self.campaign_preview("no-meeting", "geen-bijeenkomst@example.org")
        text = body_text(c).replace("\r\n", "\n")
        html = c.get_body(preferencelist=("html",)).get_content()
        self.assertIn("Met vriendelijke groet", text)
        self.assertNotIn("\n\n\n", text)
        self.assertNotRegex(html, r"<p>\s*</p>")

    def test_1g_receipt_and_campaign_link_the_privacy_statement(self):
        # The privacy statement (the form's /privacy) tells a resident how
        # to see or erase what we keep; neither mail linked to it. The link
        # points at this installation's form, which moved with
        # INSPRAAK_PORT_BASE (nothing set INSPRAAK_FORM_PUBLIC_URL).
        url = "http://localhost:%d/privacy" % self.cluster.port("intake-form")
        self.post("Een speeltuin in de Vrieheide", "privacy-link@example.org")
        r = self.wait_mails("privacy-link@example.org")[0]
        c = self.campaign_preview("privacy-link", "privacy-link@example.org")
        for m in (r, c):
            self.assertIn("Lees dan onze privacyverklaring: " + url, body_text(m))
            self.assertIn('<a href="%s">privacyverklaring</a>' % url,
                          m.get_body(preferencelist=("html",)).get_content())

    def test_1h_campaign_lists_the_ideas_in_the_order_sent(self):
        # The feedback mail listed a resident's ideas in the order of a
        # Redis set: shuffled, unlike the receipt before it.
        addr = "volgorde@example.org"
        ids = [self.post("Idee %d over de wijk Heerlerheide" % i, addr) for i in range(8)]
        self.wait_mails(addr)
        text = body_text(self.campaign_preview("order-sent", addr))
        at = [text.index(i) for i in ids]
        self.assertEqual(at, sorted(at), "ideas in the mail in this order: %s"
                         % [ids.index(i) for i in sorted(ids, key=text.index)])

    def test_2_batching(self):
        self.post("Eerste idee: meer bankjes in het park", "carla@example.org")
        self.post("Tweede idee: een speeltuin in Heerlerbaan", "carla@example.org")
        m = self.wait_mails("carla@example.org")[0]
        self.assertIn("meer bankjes", body_text(m))
        self.assertIn("een speeltuin", body_text(m))
        # one blank line between the ideas and after the list, never two
        text = body_text(m).replace("\r\n", "\n")
        self.assertNotIn("\n\n\n", text)
        self.assertRegex(text, r"\(nummer van uw idee: [^)]*\)\n\n- ")
        self.assertRegex(text, r"\(nummer van uw idee: [^)]*\)\n\nWat gebeurt er nu\?")
        # two ideas: "uw ideeën", in the subject and the first sentence
        self.assertEqual(m["Subject"], "Bedankt voor uw ideeën voor Heerlen")
        self.assertIn("Wij hebben uw ideeën voor Heerlen goed ontvangen", body_text(m))
        html = m.get_body(preferencelist=("html",)).get_content()
        self.assertIn("Wij hebben uw ideeën voor Heerlen goed ontvangen", html)
        # the HTML part's title (a mail reader may show it) says so too
        self.assertIn("<title>Bedankt voor uw ideeën</title>", html)
        self.sentinel("batch")
        self.assertEqual(len(self.smtp.messages("carla@example.org")), 1)

    def test_3_injection(self):
        evil = "dirk@example.org\r\nBcc: evil@example.org"
        status, _ = self.cluster.post_idea("Idee met een vreemd adres erin", email=evil,
                                           consent={"feedback": True})
        # The form may refuse it (422) or not; either way no mail may go out.
        self.assertIn(status, (201, 400, 422))
        # A record that somehow holds CR/LF (older data, a bug elsewhere).
        # notify is paused meanwhile, so its receipt cannot go out before
        # the record is broken, however slow the machine (its batch wait
        # is only BATCH_S).
        self.assertTrue(self.cluster.signal("notify", signal.SIGSTOP), "notify has no pid")
        try:
            self.post("Idee waarvan het adres later kapot gaat", "eva@example.org")
            pid = wait_until("eva stored", lambda: self.pid_of("eva@example.org"))
            self.cluster.redis("HSET", "inspraak:participant:" + pid, "email",
                               "eva@example.org\r\nBcc: evil@example.org")
        finally:
            self.cluster.signal("notify", signal.SIGCONT)
        self.sentinel("inject")
        for m in self.smtp.messages():
            self.assertNotIn("evil@example.org", m["X-Test-Rcpt"])
            self.assertNotIn("evil@example.org", str(m.get("Bcc", "")))
            self.assertNotIn("dirk@example.org", m["X-Test-Rcpt"])
        self.assertEqual(self.smtp.messages("eva@example.org"), [])

    def test_4_unsubscribe(self):
        self.post("Betere verlichting bij het station", "fien@example.org")
        m = self.wait_mails("fien@example.org")[0]
        url = str(m["List-Unsubscribe"]).strip("<>")
        u = urllib.parse.urlsplit(url)
        local = self.cluster.url("notify", u.path + "?" + u.query)
        status, headers, page = http("GET", local)
        self.assertEqual(status, 200)
        self.assertIn("meld mij af", page.decode())
        # The page with the button may not be framed by another site (a
        # page that shows it invisibly under its own button makes the
        # resident unsubscribe without knowing), nor load anything.
        csp = headers.get("content-security-policy", "")
        for rule in ("default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"):
            self.assertIn(rule, csp)
        self.assertEqual(headers.get("x-frame-options"), "DENY")
        bad = self.cluster.url("notify", u.path + "?" + u.query[:-3] + "AAA")
        self.assertEqual(http("POST", bad, "List-Unsubscribe=One-Click",
                              {"Content-Type": "application/x-www-form-urlencoded"})[0], 400)
        status, _, page = http("POST", local, "List-Unsubscribe=One-Click",
                               {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        self.assertIn("afgemeld", page.decode())
        # The link again (an old mail): it says so, and asks nothing.
        status, _, page = http("GET", local)
        self.assertEqual(status, 200)
        self.assertIn("al afgemeld", page.decode())
        self.assertNotIn("meld mij af", page.decode())
        pid = wait_until("fien stored", lambda: self.pid_of("fien@example.org"))
        self.assertEqual(self.cluster.redis("HGET", "inspraak:participant:" + pid,
                                            "consent_feedback"), "0")
        self.post("Nog een idee na het afmelden", "fien@example.org", consent=False)
        self.sentinel("unsub")
        self.assertEqual(len(self.smtp.messages("fien@example.org")), 1)

    def test_4b_one_click_as_rfc8058_sends_it(self):
        # A mail client's one-click unsubscribe (RFC 8058 section 3.1, as
        # Gmail and Apple Mail send it): multipart/form-data, no cookie.
        self.post("Een watertappunt in het Burgemeester van Grunsvenpark", "joke@example.org")
        m = self.wait_mails("joke@example.org")[0]
        self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        u = urllib.parse.urlsplit(str(m["List-Unsubscribe"]).strip().strip("<>"))
        body = ("---FormBoundaryjWmhtjORrn\r\n"
                "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                "One-Click\r\n---FormBoundaryjWmhtjORrn--\r\n")
        ctype = "multipart/form-data; boundary=-FormBoundaryjWmhtjORrn"
        status, _, page = http("POST", self.cluster.url("notify", u.path + "?" + u.query), body,
                               {"Content-Type": ctype})
        self.assertEqual(status, 200, page)
        pid = wait_until("joke stored", lambda: self.pid_of("joke@example.org"))
        self.assertEqual(self.cluster.redis("SISMEMBER", "inspraak:unsubscribed", pid), 1)

    def test_4c_campaign_preview_names_the_unsubscribe(self):
        # Staff previewing a campaign for someone who unsubscribed read
        # "gets no mail: no_consent", as if the resident had never agreed:
        # unsubscribing also sets consent_feedback 0, and consent was
        # checked first. The real reason is that they unsubscribed.
        self.post("Meer groen op het schoolplein in Hoensbroek", "afgemeld@example.org")
        m = self.wait_mails("afgemeld@example.org")[0]
        u = urllib.parse.urlsplit(str(m["List-Unsubscribe"]).strip("<>"))
        status, _, _ = http("POST", self.cluster.url("notify", u.path + "?" + u.query),
                            "List-Unsubscribe=One-Click",
                            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        tf = os.path.join(self.cluster.var, "unsubscribed-campaign.txt")
        with open(tf, "w") as f:
            f.write("Dank u wel, {{naam}}.\n")
        r = self.cluster.ctl("campaign", "create", "--subject", "Terugkoppeling", "--text-file", tf)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.cluster.ctl("campaign", "preview", r.stdout.strip(), "afgemeld@example.org")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertIn("gets no mail: unsubscribed", r.stderr)
        self.assertNotIn("no_consent", r.stderr)

    def test_5_retry_after_4xx(self):
        self.smtp.control("mode", "tempfail 2")
        try:
            self.post("Idee dat pas de derde keer aankomt", "gert@example.org")
            m = self.wait_mails("gert@example.org")[0]
            self.assertIn("derde keer", body_text(m))
        finally:
            self.smtp.control("mode", "ok")
        self.assertIn("mail deferred", self.cluster.log_tail("notify", 400))

    def refused(self, mode, text, addr):
        """Posts an idea while the SMTP server refuses mail (mode); returns
        the pid once notify recorded the bounce."""
        self.smtp.control("mode", mode)
        try:
            self.post(text, addr)
            pid = wait_until(addr + " stored", lambda: self.pid_of(addr))
            wait_until("bounce recorded",
                       lambda: self.cluster.redis("HGET", "inspraak:notify:bounced", pid))
        finally:
            self.smtp.control("mode", "ok")
        return pid

    def test_6_bounce_on_5xx(self):
        pid = self.refused("perm", "Idee voor een adres dat niet bestaat", "hans@example.org")
        self.assertEqual(self.smtp.messages("hans@example.org"), [])
        # The server refused the address itself (550 5.1.1 at RCPT): a hard
        # bounce. The municipality expects that address to be marked and
        # not mailed again: not the next receipt, not a campaign (which
        # uses the same participant check).
        self.assertTrue(self.cluster.redis("HGET", "inspraak:participant:" + pid,
                                           "email_bounced_at"))
        self.post("Nog een idee van hetzelfde adres", "hans@example.org")
        self.sentinel("hardbounce")
        self.assertEqual(self.smtp.messages("hans@example.org"), [])
        self.assertIn("why=bounced_address", self.cluster.log_tail("notify", 400))

    def test_6b_refused_content_does_not_mark_the_address(self):
        # A 5xx after DATA refuses this message, not the address: the
        # participant stays reachable.
        pid = self.refused("permdata", "Idee waarvan de mail geweigerd wordt", "ineke@example.org")
        self.assertIsNone(self.cluster.redis("HGET", "inspraak:participant:" + pid,
                                             "email_bounced_at"))
        self.post("Tweede idee van ineke", "ineke@example.org")
        self.wait_mails("ineke@example.org")


    def test_7_no_links_from_a_strangers_text(self):
        # Anyone can type someone else's address in the form: that person
        # got a receipt from Heerlen quoting the stranger's text, links and
        # addresses included (phishing with the city's name on it).
        text = ("Uw parkeervergunning verloopt. Betaal via "
                "https://heerlen-betalen.example/login?id=7 of www.heerlen-loket.example, "
                "of kijk op heerlen-pas.example/nu en mail boete@heerlen-boete.example. "
                "Meer bomen graag.")
        iid = self.post(text, "doelwit@example.org", name="Zie www.naam-link.example")
        m = self.wait_mails("doelwit@example.org")[0]
        parts = [p.get_content() for p in m.walk() if p.get_content_maintype() == "text"]
        self.assertEqual(len(parts), 2)
        for part in parts + [str(m["To"])]:
            for gone in ("heerlen-betalen", "heerlen-loket", "heerlen-pas", "heerlen-boete",
                         "boete@", "naam-link"):
                self.assertNotIn(gone, part)
        for part in parts:
            self.assertIn(iid, part)
            self.assertIn("Uw parkeervergunning verloopt. Betaal via [link weggelaten] of "
                          "[link weggelaten], of kijk op [link weggelaten] en mail "
                          "[e-mailadres weggelaten]. Meer bomen graag.", part)
        # A campaign quotes the same ideas (its preview is the mail it sends).
        c = self.campaign_preview("links", "doelwit@example.org")
        parts = [p.get_content() for p in c.walk() if p.get_content_maintype() == "text"]
        self.assertEqual(len(parts), 2)
        for part in parts:
            self.assertIn("Betaal via [link weggelaten] of [link weggelaten]", part)
            for gone in ("heerlen-betalen", "heerlen-loket", "heerlen-pas", "heerlen-boete",
                         "boete@", "naam-link"):
                self.assertNotIn(gone, part)


class TestReceiptLimit(NotifyCase):
    """A receipt lists at most 50 ideas (LETTER_MAX_IDEAS); the rest of a
    larger batch must come in the next receipt, not be dropped."""
    BATCH_S = "8"

    def test_more_than_fifty_ideas_all_get_a_receipt(self):
        addr = "veel@example.org"
        ids = [self.post("Idee nummer %d: meer groen en bankjes in de wijk" % i, addr)
               for i in range(60)]
        mails = self.wait_mails(addr, n=2, timeout=120)
        texts = [body_text(m) for m in mails]
        self.assertTrue(all(sum(i in t for i in ids) <= 50 for t in texts))
        for i in ids:
            self.assertEqual(sum(i in t for t in texts), 1, "idea %s in %d receipts" % (
                i, sum(i in t for t in texts)))


class TestScanTies(NotifyCase):
    """The catch-up scan pages 500 ids at a time; ideas sharing one
    received_at (a field batch, collected_at in whole seconds) across a
    page boundary must all be found (notify down, or events dropped)."""
    BATCH_S = "86400"  # no mails needed: only what the scan queues counts

    def test_scan_finds_every_idea_of_a_tie_past_a_page(self):
        iid = self.post("Idee om te kopieren voor de scan", "scan@example.org")
        wait_until("idea stored", lambda: self.cluster.redis("EXISTS", "inspraak:idea:" + iid))
        n, score = 600, int(time.time() * 1000)
        # Copies that storage never announced: only the scan can find them.
        self.cluster.redis(
            "EVAL", "for i = 1, tonumber(ARGV[2]) do local id = 'scan-tie-' .. i\n"
            "redis.call('COPY', KEYS[1], 'inspraak:idea:' .. id)\n"
            "redis.call('ZADD', 'inspraak:ideas', ARGV[1], id) end return 1",
            "1", "inspraak:idea:" + iid, str(score), str(n))
        ids = ["scan-tie-%d" % i for i in range(1, n + 1)]

        def queued():
            flags = self.cluster.redis("SMISMEMBER", "inspraak:notify:receipt-seen", *ids)
            return sum(flags) == n

        wait_until("every tied idea queued by the scan", queued, 20)


class TestReceiptBeforeCampaign(NotifyCase):
    """A campaign started while a resident's receipt still waits for its
    batch (INSPRAAK_RECEIPT_BATCH_S) reached them first: "what we did with
    your ideas" before "we received your idea". The campaign mail to that
    person now waits until their receipt has gone out."""
    BATCH_S = "6"

    def assert_receipt_then_campaign(self, addr, iid, cid):
        """addr got its receipt, then the campaign mail, each once."""
        mails = self.wait_mails(addr, n=2)
        self.assertEqual([m["Subject"] for m in mails],
                         ["Bedankt voor uw idee voor Heerlen", "Wat we met uw idee deden"])
        self.assertIn(iid, body_text(mails[0]))
        self.assertIn(iid, body_text(mails[1]))
        wait_until("campaign done", lambda: '"state": "done"' in
                   self.cluster.ctl("campaign", "status", cid).stdout, timeout=120)
        self.sentinel(cid)
        self.assertEqual(len(self.smtp.messages(addr)), 2)

    def test_1_receipt_comes_before_the_campaign(self):
        addr = "eerst-bedankt@example.org"
        iid = self.post("Een moestuin voor de buurt in Meezenbroek", addr)
        wait_until("participant stored", lambda: self.pid_of(addr))
        cid = self.start_campaign("order")
        self.assert_receipt_then_campaign(addr, iid, cid)

    def test_2_kill9_while_the_campaign_waits(self):
        # notify dies while the campaign mail waits for the receipt: after
        # the restart each mail comes once, still in that order.
        addr = "na-de-crash@example.org"
        iid = self.post("Een bankje bij de bushalte in Heerlerheide", addr)
        pid = wait_until("participant stored", lambda: self.pid_of(addr))
        cid = self.start_campaign("order-kill")
        todo = "inspraak:campaign:%s:todo" % cid
        wait_until("campaign mail waiting for the receipt",
                   lambda: float(self.cluster.redis("ZSCORE", todo, pid) or 0) > 0)
        old = self.cluster.kill9("notify")
        self.assertTrue(old)
        self.cluster.wait_restarted("notify", old)
        self.assert_receipt_then_campaign(addr, iid, cid)


class TestCampaignWhileIdeasKeepComing(NotifyCase):
    """A resident who kept sending ideas, each before the receipt of the
    last one went out, kept the campaign mail waiting: it waited for every
    pending receipt, and a new idea always made one. The campaign was not
    done while they kept writing. Now the campaign mail lists the ideas
    received before the campaign started and waits only for their
    receipt; later ideas get their own receipt after it.
    The worst moment for a new idea is while the receipt is on its way:
    the SMTP server holds each mail at RCPT (`hold`) until the resident
    has sent the next idea, then answers 451 (as a greylisting server
    does), so the idea is there when the receipt goes out on the retry."""
    BATCH_S = "3"
    ROUNDS = 4  # receipts the resident keeps sending ideas across

    def test_campaign_mail_comes_while_the_resident_keeps_sending(self):
        addr = "blijft-schrijven@example.org"
        self.smtp.control("hold", str(len(self.smtp.messages())))
        first = self.post("Een speeltuin in Molenberg voor de kleintjes", addr)
        wait_until("participant stored", lambda: self.pid_of(addr))
        cid = self.start_campaign("keeps-sending")
        later = []

        def campaign_mails():
            return [m for m in self.smtp.messages(addr)
                    if m["Subject"] == "Wat we met uw idee deden"]

        for i in range(self.ROUNDS):
            held = os.path.join(self.smtp.box, "held")
            wait_until("a mail to the resident held, or the campaign mail",
                       lambda: os.path.exists(held) or campaign_mails())
            if campaign_mails():
                break
            iid = self.post("Nog een idee, nummer %d: bloemen langs de Akerstraat" % i, addr)
            wait_until("idea stored", lambda: self.cluster.redis("EXISTS", "inspraak:idea:" + iid))
            later.append(iid)
            n = len(self.smtp.messages())
            self.smtp.control("hold")
            self.smtp.control("held")
            wait_until("the held mail sent on its retry", lambda: len(self.smtp.messages()) > n)
            self.smtp.control("hold", str(len(self.smtp.messages())))  # and hold the next
        self.smtp.control("hold")
        self.smtp.control("held")
        self.assertTrue(campaign_mails(), "no campaign mail in %d receipts while the resident "
                        "kept sending ideas" % self.ROUNDS)
        mails = self.smtp.messages(addr)
        subjects = [m["Subject"] for m in mails]
        at = subjects.index("Wat we met uw idee deden")
        self.assertEqual(subjects[0], "Bedankt voor uw idee voor Heerlen")
        self.assertIn(first, body_text(mails[0]))
        # Every idea the campaign mail names had its receipt before it.
        told = " ".join(body_text(m) for m in mails[:at])
        for iid in [first] + later:
            if iid in body_text(mails[at]):
                self.assertIn(iid, told)
        self.assertIn(first, body_text(mails[at]))
        wait_until("campaign done", lambda: '"state": "done"' in
                   self.cluster.ctl("campaign", "status", cid).stdout, timeout=60)
        # The later ideas still get their receipt, each once.
        self.sentinel(cid)
        wait_until("a receipt for every later idea", lambda: all(
            any(iid in body_text(m) for m in self.smtp.messages(addr)) for iid in later))
        texts = [body_text(m) for m in self.smtp.messages(addr)
                 if m["Subject"] != "Wat we met uw idee deden"]
        for iid in [first] + later:
            self.assertEqual(sum(iid in t for t in texts), 1, iid)
        self.assertEqual(len(campaign_mails()), 1)


class TestCampaign(NotifyCase):
    # Every receipt goes out before the campaign starts (a campaign mail
    # waits for a pending receipt); only campaign mails are counted.
    BATCH_S = "1"
    N = 1000 if os.environ.get("INSPRAAK_SOAK") == "1" else 200

    def test_campaign_kill9_twice(self):
        c = self.cluster
        addrs = ["deelnemer%04d@example.org" % i for i in range(self.N)]
        for i, a in enumerate(addrs):
            self.post("Idee nummer %d voor de wijk" % i, a)
        self.post("Idee zonder toestemming", "zonder@example.org", consent=False)
        wait_until("all participants stored",
                   lambda: len([a for a in addrs[-5:] if self.pid_of(a)]) == 5)
        wait_until("all ideas stored", lambda: c.redis("ZCARD", "inspraak:ideas") >= self.N + 1)
        wait_until("every receipt sent", lambda: len(self.smtp.messages()) >= self.N, timeout=120)
        tf = os.path.join(c.var, "campaign.txt")
        with open(tf, "w") as f:
            f.write("Dank u wel, {{naam}}. Bekijk wat we met alle ideeën deden.\n")
        r = c.ctl("campaign", "create", "--subject", "Wat er met uw idee gebeurt",
                  "--text-file", tf, "--meeting", "12 maart, 19.00 uur, Glaspaleis")
        self.assertEqual(r.returncode, 0, r.stderr)
        cid = r.stdout.strip()
        r = c.ctl("campaign", "preview", cid, addrs[7])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Idee nummer 7 voor de wijk", r.stdout)
        self.assertIn("Subject:", r.stdout)
        r = c.ctl("campaign", "test", cid, "staf@example.org")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_mails("staf@example.org")
        before = len(self.smtp.messages())  # the receipts and the test mail
        first_kill, second_kill = before + self.N // 3, before + 2 * self.N // 3
        self.smtp.control("hold", str(first_kill))
        self.assertEqual(c.ctl("campaign", "start", cid).returncode, 0)
        for k in (first_kill, second_kill):
            wait_until("smtp hold", lambda: os.path.exists(os.path.join(self.smtp.box, "held")))
            old = c.kill9("notify")
            self.assertTrue(old)
            self.smtp.control("held")
            if k == first_kill:
                self.smtp.control("hold", str(second_kill))
            else:
                self.smtp.control("hold")
            c.wait_restarted("notify", old)
        wait_until("campaign done", lambda: '"state": "done"' in
                   c.ctl("campaign", "status", cid).stdout, timeout=300)
        got = [m["X-Test-Rcpt"] for m in self.smtp.messages()
               if m["X-Test-Rcpt"].startswith("deelnemer")
               and m["Subject"] == "Wat er met uw idee gebeurt"]
        self.assertEqual(len(got), self.N)
        self.assertEqual(sorted(set(got)), sorted(addrs))
        self.assertEqual(self.smtp.messages("zonder@example.org"), [])
        st = c.ctl("campaign", "status", cid).stdout
        self.assertIn('"sent": %d' % self.N, st)
        # Both kills left a claimed mail, which the next notify sent again.
        self.assertGreaterEqual(c.log_tail("notify", 100000).count("sending again"), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
