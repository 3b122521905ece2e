"""
NAME
    test_notify_tls - notify over STARTTLS and SMTPS with SMTP AUTH, against a
    real aiosmtpd that requires TLS and a login

DESCRIPTION
    Each class makes a throwaway CA and a server certificate for 127.0.0.1
    and localhost with the openssl CLI in the server's temp folder, starts
    aiosmtpd (Debian python3-aiosmtpd, system /usr/bin/python3) and a
    cluster whose notify trusts only that CA (INSPRAAK_SMTP_CA_FILE).
    The server stores each message with two headers of its own in front:
    X-Test-TLS (the TLS version of the connection, "none" without TLS) and
    X-Test-Auth (the login name the session authenticated with, "none").
    The accepted password is read from the control file `password` at each
    AUTH, so a test can make notify's password wrong for a while.

    TestStartTls: STARTTLS required, AUTH required and only after TLS.
      a receipt arrives over TLS, authenticated.
    TestStartTlsWrongPassword: the server refuses notify's password (535):
      nothing is delivered, notify defers (never "sent", never a bounce: a
      refused login is our configuration, not the recipient) and delivers
      once the server accepts the password again.
    TestSmtps: implicit TLS (smtps://), AUTH required: a receipt arrives.
    TestUntrustedCa: notify trusts a different CA: the certificate is
      refused, nothing is delivered, the mail is deferred.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import free_port, wait_until  # noqa: E402
from test_notify import NotifyCase, Smtp, body_text  # noqa: E402

USER = "inspraak-notify"
PASSWORD = "Juist-wachtwoord-42"

TLS_HANDLER = r'''
import os, ssl, sys, warnings
warnings.simplefilter("ignore")  # the SMTPS case's "AUTH without STARTTLS" notice
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
D, port, mode, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)

def auth(server, session, envelope, mechanism, data):
    try:
        want = open(os.path.join(D, "password")).read().strip()
    except OSError:
        return AuthResult(success=False, handled=False)
    ok = (mechanism in ("LOGIN", "PLAIN") and data.login.decode() == sys.argv[6]
          and data.password.decode() == want)
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

class H:
    def __init__(self):
        self.n = 0
    async def handle_DATA(self, server, session, envelope):
        tls = server.transport.get_extra_info("ssl_object")
        login = session.auth_data.login.decode() if session.authenticated else "none"
        self.n += 1
        path = os.path.join(D, "%06d.eml" % self.n)
        with open(path + ".tmp", "wb") as f:
            f.write(("X-Test-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(("X-Test-TLS: %s\r\n" % (tls.version() if tls else "none")).encode())
            f.write(("X-Test-Auth: %s\r\n" % login).encode())
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK stored"

if mode == "starttls":
    c = Controller(H(), hostname="127.0.0.1", port=port, server_hostname="localhost",
                   tls_context=ctx, require_starttls=True, auth_required=True,
                   auth_require_tls=True, authenticator=auth)
else:
    # Implicit TLS: the whole connection is TLS from the first byte.
    # aiosmtpd's auth_require_tls only knows STARTTLS (it would refuse AUTH
    # here), so it is off; the handler's X-Test-TLS shows the TLS instead.
    c = Controller(H(), hostname="127.0.0.1", port=port, server_hostname="localhost",
                   ssl_context=ctx, auth_required=True, auth_require_tls=False,
                   authenticator=auth)
c.start()
print("ready", flush=True)
try:
    sys.stdin.read()
finally:
    c.stop()
'''


def s_openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(d, name):
    """A CA key + self-signed certificate: d/name.pem, d/name.key."""
    s_openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2",
              "-subj", "/CN=inspraak test " + name,
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    return os.path.join(d, name + ".pem")


def make_server_cert(d, ca):
    """d/server.pem + d/server.key for 127.0.0.1 and localhost, signed by ca."""
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    s_openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=d)
    s_openssl("x509", "-req", "-in", "server.csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
              "-CAcreateserial", "-out", "server.pem", "-days", "2",
              "-extfile", "server.ext", cwd=d)
    return os.path.join(d, "server.pem"), os.path.join(d, "server.key")


class TlsSmtp(Smtp):
    """aiosmtpd with TLS (mode "starttls" or "smtps") and AUTH; the
    accepted password is the control file `password`."""

    def __init__(self, mode, password=PASSWORD):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="inspraak-smtp-tls-")
        self.port = free_port()
        self.box = os.path.join(self.dir, "box")
        os.makedirs(self.box)
        self.ca_file = make_ca(self.dir, "ca")
        self.other_ca_file = make_ca(self.dir, "other-ca")
        cert, key = make_server_cert(self.dir, "ca")
        self.control("password", password)
        script = os.path.join(self.dir, "handler.py")
        with open(script, "w") as f:
            f.write(TLS_HANDLER)
        py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        self.proc = subprocess.Popen([py, script, self.box, str(self.port), mode, cert, key,
                                      USER], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout.readline().strip() == b"ready"


class TlsCase(NotifyCase):
    MODE = "starttls"
    TRUST = "ca"  # or "other-ca": notify trusts a CA that did not sign the server
    PASSWORD_AT_START = PASSWORD  # what the server accepts when the class starts

    @classmethod
    def start_peers(cls):
        cls.smtp = TlsSmtp(cls.MODE, cls.PASSWORD_AT_START)
        scheme = "smtps" if cls.MODE == "smtps" else "smtp"
        cls.ENV = {"INSPRAAK_SMTP_URL": "%s://127.0.0.1:%d" % (scheme, cls.smtp.port),
                   "INSPRAAK_SMTP_USER": USER, "INSPRAAK_SMTP_PASSWORD": PASSWORD,
                   "INSPRAAK_SMTP_CA_FILE": (cls.smtp.ca_file if cls.TRUST == "ca"
                                             else cls.smtp.other_ca_file),
                   "INSPRAAK_RECEIPT_BATCH_S": "1", "INSPRAAK_NOTIFY_SCAN_S": "1",
                   "INSPRAAK_SMTP_RATE": "0", "INSPRAAK_SMTP_RETRY_MS": "200",
                   "INSPRAAK_SMTP_RETRIES": "8"}
        if cls.MODE == "starttls":
            cls.ENV["INSPRAAK_SMTP_STARTTLS"] = "1"
        return [cls.smtp]

    def marker_states(self, pid):
        keys = self.cluster.redis("KEYS", "inspraak:notify:sent:%s:*" % pid) or []
        return [self.cluster.redis("HGET", k, "state") for k in keys]

    def assert_delivered_securely(self, addr, text):
        m = self.wait_mails(addr)[0]
        self.assertIn(text, body_text(m))
        self.assertTrue(m["X-Test-TLS"].startswith("TLSv1."), m["X-Test-TLS"])
        self.assertEqual(m["X-Test-Auth"], USER)
        return m


class TestStartTls(TlsCase):
    def test_1_receipt_over_starttls_with_login(self):
        self.post("Een zebrapad bij de basisschool in Meezenbroek", "ilse@example.org")
        self.assert_delivered_securely("ilse@example.org", "Een zebrapad bij de basisschool")
        self.assertEqual(len(self.smtp.messages("ilse@example.org")), 1)



class TestStartTlsWrongPassword(TlsCase):
    """A class of its own: notify keeps its SMTP connection (and login)
    between mails, so the wrong password must be there from the start."""
    PASSWORD_AT_START = "een-ander-wachtwoord"

    def test_wrong_password_defers_then_delivers(self):
        self.post("Idee tijdens een fout wachtwoord", "joost@example.org")
        pid = wait_until("joost stored", lambda: self.pid_of("joost@example.org"))
        try:
            log = wait_until("a deferral after the refused login", lambda: [
                ln for ln in self.cluster.log_tail("notify", 400).splitlines()
                if "mail deferred" in ln and pid in ln])
            self.assertIn("smtp 535", log[0])
            self.assertEqual(self.smtp.messages(), [])
            self.assertIsNone(self.cluster.redis("HGET", "inspraak:notify:bounced", pid))
            self.assertNotIn("sent", self.marker_states(pid))
        finally:
            self.smtp.control("password", PASSWORD)
        self.assert_delivered_securely("joost@example.org", "fout wachtwoord")
        self.assertIsNone(self.cluster.redis("HGET", "inspraak:notify:bounced", pid))
        self.assertIn("sent", self.marker_states(pid))
        self.assertEqual(len(self.smtp.messages("joost@example.org")), 1)


class TestSmtps(TlsCase):
    MODE = "smtps"

    def test_receipt_over_smtps_with_login(self):
        self.post("Een watertappunt in het Aambos", "karin@example.org")
        self.assert_delivered_securely("karin@example.org", "watertappunt in het Aambos")


class TestUntrustedCa(TlsCase):
    TRUST = "other-ca"

    def test_certificate_of_unknown_ca_is_refused(self):
        self.post("Idee dat niet naar een onbekende server mag", "lars@example.org")
        pid = wait_until("lars stored", lambda: self.pid_of("lars@example.org"))
        log = wait_until("a deferral after the refused certificate", lambda: [
            ln for ln in self.cluster.log_tail("notify", 400).splitlines()
            if "mail deferred" in ln and pid in ln])
        self.assertIn("certificate", log[0].lower())
        self.assertEqual(self.smtp.messages(), [])
        self.assertNotIn("sent", self.marker_states(pid))


if __name__ == "__main__":
    unittest.main(verbosity=2)
