"""
NAME
    test_privacy - participant erase and the retention job leave the address
    nowhere; no service logs a name or an address

DESCRIPTION
    A real stack with notify writing receipts to the Maildir outbox
    ($INSPRAAK_VAR/mail/outbox, no SMTP) and intake-mail reading
    $INSPRAAK_VAR/mail/inbox. A resident sends ideas by form (with consent,
    so a receipt is written) and by mail; the test waits until the ideas
    are stored and the receipt is in the outbox, checks that
    `inspraakctl participant export` lists what is held on the person
    outside their record too (the mail files holding the address, the
    dead letter), then runs
    `inspraakctl participant erase` and checks, after the AOF rewrite it
    waits for, that:
      - the dead letter holding the address (as base64 of the raw bytes of
        an unreadable message pushed to storage's bus port) is gone;
      - every Redis key and every value (redis-cli --scan, then GET/HGETALL/
        SMEMBERS/ZRANGE/LRANGE/XRANGE of each) holds neither the address
        nor the name;
      - grep -r of $INSPRAAK_VAR (AOF, spools, Maildirs, logs) finds the
        address nowhere;
      - the ideas are still there (anonymous); the one whose text and
        title held the resident's own address and name (typed in another
        case) now has "[weggehaald]" there instead, and the other
        participants' ideas did not change by a byte.
    With storage stopped (SIGSTOP), erase fails with a clear message and
    exit 1 and deletes nothing; once storage runs again it succeeds.
    Then `inspraakctl retention run --before DATE` erases the remaining
    participants created before DATE and says so; none is left.
    Finally the service logs are searched for every name and address used.
    No log holds a file name or a mail header that names a person: a
    transcript named after its interviewee (done, and failed with a broken
    sidecar) is logged by its file_ref (the first 12 hex digits of the
    SHA-256 of its name; a failed one's .why repeats it), and an
    out-of-office whose subject holds a name by the header that made it a
    skip.

    Files kept after processing, with names in them, are limited by the
    retention date too: street-interview transcripts (with the speakers'
    names) read from the drop folder into transcripts/done/, and one that
    could not be read in transcripts/failed/ (with its .why), are still
    there after `retention run --before 2000-01-01` and gone after
    `retention run --before DATE` (a date after today), which prints how
    many files it removed from each store and no file name; a file still
    being written into the drop folder (a dotfile) is not touched. The same
    for the mails intake-mail keeps after processing whose sender no erase
    by address reaches: an idea from a name without a valid address
    (mail/inbox/cur/), an auto-reply (mail/skipped/, with its .why) and a
    mail over the size limit (mail/failed/, with its .why); a mail still
    being delivered (mail/inbox/tmp/) is not touched. A damaged spool
    segment that replay moved to spool/<intake>/corrupt/ for a human (its
    good records were spooled again) is kept until the retention date too,
    and so is a dead letter whose raw bytes hold a name but no address
    (one no erase by address finds): gone after the later date, counted.

    A resident who gave only a name (a field-app idea on the street tour,
    no address) is found by the idea's id, as staff see it:
    `participant export --idea ID` shows the name, `participant erase --idea
    ID` removes it, after which the name is in no Redis key or value and in
    no file under $INSPRAAK_VAR (the AOF rewritten), and the idea stays with
    "[weggehaald]" where the resident signed with their name. An unknown
    idea, and an idea given without name or address, are refused (exit 3)
    and change nothing.
"""
import base64
import datetime
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import ClusterTestCase, http, wait_until  # noqa: E402

ERASE_ADDR = "Erik.Wisser@Example.ORG"
ERASE_NAME = "Erik Wisselmans"
KEEP = [("Rita Tentie", "rita.tentie@example.net"), ("Bas Bewaar", "bas.bewaar@example.com")]
FIELD_NAME = "Fenna Veldhuis"  # gave only her name to the street tour's tablet
SPEAKER = "Truus Straatman"  # a speaker's name in a street-interview transcript
# mails that intake-mail keeps after processing, from senders whose files
# no erase by address reaches: a name without a valid address (an idea, so
# in inbox/cur/), an auto-reply (skipped/), a mail over the size limit (failed/)
MAIL_IDEA = ("Otto Zonderadres", "otto.zonderadres")
MAIL_AUTO = ("Alma Afwezig", "alma.afwezig@example.net")
MAIL_BIG = ("Fred Foutief", "fred.foutief@example.net")
MAIL_MAX_BYTES = 1 << 20
DAMAGED = "Dirk Beschadigd"  # in a spool segment that replay found damaged
UNREADABLE = "Ursula Onleesbaar"  # a name in the raw bytes of a dead letter
SKIPPED = "Sanne Onderwerp"  # a name in the subject of an auto-reply (skipped mail list)
LEFTOVER = "Lotte Achtergelaten"  # in temporary files a crash left behind
FILE_DONE = "Gesprek_met_Anna_Jansen"  # a transcript named after the interviewee
FILE_FAILED = "Interview_Piet_Peeters"  # the same, with a broken sidecar
SUBJECT_NAME = "Gerda Grootveld"  # in an out-of-office subject
UPLOAD_VIDEO = "Interview_Klaas_Kuipers"  # a video_id staff typed for an upload


def redis_cli(cluster, *args):
    r = subprocess.run(["redis-cli", "-p", str(cluster.redis_port)] + list(args),
                       capture_output=True, timeout=120)
    return r.stdout.decode("utf-8", "replace")  # values are MessagePack too


PRIVACY_CONTACT = "Gemeente Heerlen, t.a.v. Privacy & Inspraak <AVG>, Postbus 1, 6400 AA Heerlen"


class TestPrivacy(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-mail", "intake-field", "notify",
                "intake-transcript", "dashboard")
    ENV = {"INSPRAAK_RECEIPT_BATCH_S": "1", "INSPRAAK_NOTIFY_SCAN_S": "1",
           "INSPRAAK_SMTP_URL": "", "INSPRAAK_MAIL_POLL_MS": "200",
           "INSPRAAK_MAIL_MAX_BYTES": str(MAIL_MAX_BYTES),
           # the address the privacy statement gives (test_14c), with
           # characters that must be escaped in HTML
           "INSPRAAK_PRIVACY_CONTACT": PRIVACY_CONTACT}

    def dump_everything(self):
        """Every key and every value in Redis, as text."""
        c = self.cluster
        keys = [k for k in redis_cli(c, "--scan").splitlines() if k]
        out = list(keys)
        for k in keys:
            t = redis_cli(c, "TYPE", k).strip()
            cmd = {"string": ["GET", k], "hash": ["HGETALL", k], "set": ["SMEMBERS", k],
                   "zset": ["ZRANGE", k, "0", "-1", "WITHSCORES"], "list": ["LRANGE", k, "0", "-1"],
                   "stream": ["XRANGE", k, "-", "+"]}.get(t)
            if cmd:
                out.append(redis_cli(c, *cmd))
        return "\n".join(out)

    def deadletters_with(self, addr):
        """Dead-letter entries whose raw bytes hold addr (any case)."""
        n = 0
        for entry in self.cluster.redis("LRANGE", "inspraak:deadletter", 0, -1) or []:
            try:
                raw = base64.b64decode(json.loads(entry).get("raw_base64") or "")
            except ValueError:
                raw = b""
            n += addr.lower().encode() in (raw + entry.encode()).lower()
        return n

    def grep_var(self, needle):
        r = subprocess.run(["grep", "-r", "-i", "-l", "-a", "-F", needle, self.cluster.var],
                           capture_output=True, text=True)
        return [f for f in r.stdout.splitlines() if f]

    def send_mail(self, name, addr, text, n, headers="", body_bytes=0,
                  subject="Idee voor de wijk"):
        """Delivers a mail from name <addr> into the inbox Maildir (tmp/,
        then new/), as Postfix does; body_bytes pads the body to that size."""
        inbox = os.path.join(self.cluster.var, "mail", "inbox")
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(inbox, sub), exist_ok=True)
        msg = ("From: %s <%s>\r\nTo: idee@heerlen.nl\r\nSubject: %s\r\n%s"
               "Message-ID: <privacy-%d@example.org>\r\nDate: Mon, 12 May 2025 14:03:00 +0200\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
               % (name, addr, subject, headers, n, text))
        msg += "x" * max(0, body_bytes - len(msg))
        tmp = os.path.join(inbox, "tmp", "privacy-%d" % n)
        with open(tmp, "w") as f:
            f.write(msg)
        os.rename(tmp, os.path.join(inbox, "new", "privacy-%d" % n))

    def post(self, text, name, addr, **fields):
        status, body = self.cluster.post_idea(text, name=name, email=addr,
                                              consent={"feedback": True}, **fields)
        self.assertEqual(status, 201, body)
        return body["id"]

    def wait_stored(self, ids):
        wait_until("ideas stored", lambda: all(
            self.cluster.redis("EXISTS", "inspraak:idea:" + i) for i in ids), timeout=120)

    def test_1_erase_leaves_the_address_nowhere(self):
        c = self.cluster
        ids = [self.post("Meer bomen langs de Akerstraat, graag.", ERASE_NAME, ERASE_ADDR),
               self.post("Een zebrapad bij de school in Hoensbroek.", ERASE_NAME,
                         ERASE_ADDR.lower()),
               # the resident's own address and name typed into the idea
               self.post("Een moestuin op het plein. Mail me op %s als u vragen heeft. "
                         "Groeten, %s" % (ERASE_ADDR.upper(), ERASE_NAME), ERASE_NAME, ERASE_ADDR,
                         title="Moestuin van %s" % ERASE_NAME.lower())]
        for name, addr in KEEP:
            ids.append(self.post("Een bankje in het park voor %s. Vragen: %s" % (name, addr),
                                 name, addr))
        self.send_mail(ERASE_NAME, ERASE_ADDR, "Ik wil een speeltuin in mijn straat.", 1)
        self.wait_stored(ids)
        wait_until("the mail taken in", lambda: not os.listdir(
            os.path.join(c.var, "mail", "inbox", "new")), timeout=120)
        outbox = os.path.join(c.var, "mail", "outbox")
        wait_until("a receipt for %s in the outbox" % ERASE_ADDR,
                   lambda: self.grep_var(ERASE_ADDR) and any(
                       f.startswith(outbox) for f in self.grep_var(ERASE_ADDR)), timeout=120)
        # an unreadable message holding the address lands in the dead letters
        # (as base64 of its raw bytes, so no plain-text search would see it)
        r = subprocess.run([os.path.join(c.bin, "bus-inject"),
                            "tcp://127.0.0.1:%d" % (c.base + 12),
                            "tcp://127.0.0.1:%d" % (c.base + 13)],
                           input=json.dumps({"raw": "\x93garbage from " + ERASE_ADDR}) + "\n",
                           capture_output=True, text=True, timeout=120,
                           env=dict(c.env(), INJECT_TIMEOUT_S="5"))
        wait_until("a dead letter", lambda: self.deadletters_with(ERASE_ADDR), timeout=60)
        before = self.grep_var(ERASE_ADDR)
        self.assertIn(ERASE_ADDR.lower(), self.dump_everything().lower())

        kept = {i: c.redis("GET", "inspraak:idea:" + i) for i in ids[3:]}
        self.assertIn(ERASE_NAME.lower(), c.redis("GET", "inspraak:idea:" + ids[2]).lower())

        # export shows everything held on the person, also what lies
        # outside the participant record: their mail and our receipt in the
        # Maildirs, and the dead letter with their address
        r = c.ctl("participant", "export", ERASE_ADDR)
        self.assertEqual(r.returncode, 0, r.stderr)
        export = json.loads(r.stdout)
        self.assertEqual(len(export["ideas"]), 4)  # three by form, one by mail
        mail_dir = os.path.join(c.var, "mail") + os.sep
        held = sorted(f for f in before if f.startswith(mail_dir))
        self.assertTrue(any(f.startswith(outbox) for f in held), held)
        self.assertEqual(sorted(export.get("mail_files", [])), held)
        self.assertEqual(len(export.get("dead_letters", [])), 1, export.get("dead_letters"))
        self.assertIn(ERASE_ADDR, base64.b64decode(export["dead_letters"][0]["raw_base64"]).decode())

        r = c.ctl("participant", "erase", ERASE_ADDR)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(json.loads(r.stdout)["removed"]["mail_files"]), held)
        self.assertGreaterEqual(json.loads(r.stdout)["ideas_redacted"], 3)
        self.assertIn('"aof_rewritten": true', r.stdout)
        self.assertIn('"participant": true', r.stdout)

        dump = self.dump_everything().lower()
        self.assertNotIn(ERASE_ADDR.lower(), dump)
        self.assertNotIn(ERASE_NAME.lower(), dump)
        self.assertEqual(self.deadletters_with(ERASE_ADDR), 0)
        left = [f for f in self.grep_var(ERASE_ADDR) if "/log/" not in f]
        self.assertEqual(left, [], "the address is still in these files (before erase: %s)"
                         % before)
        # the ideas stay, without the person
        for i in ids:
            self.assertEqual(c.redis("EXISTS", "inspraak:idea:" + i), 1)
        own = c.redis("GET", "inspraak:idea:" + ids[2])
        self.assertEqual(own.count("[weggehaald]"), 3, own)  # address, name, name in title
        self.assertIn("Een moestuin op het plein.", own)
        self.assertIn("redact", c.redis("LINDEX", "inspraak:audit", 0))
        for i, rec in kept.items():
            self.assertEqual(c.redis("GET", "inspraak:idea:" + i), rec)
        r = c.ctl("participant", "export", ERASE_ADDR)
        self.assertEqual(r.returncode, 3, r.stdout)
        # the others are untouched
        for name, addr in KEEP:
            self.assertIn(addr, dump)

    def test_2_retention_erases_everyone_before_the_date(self):
        c = self.cluster
        r = c.ctl("retention", "run", "--before", "2000-01-01")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"participants_erased":0', r.stdout)
        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        r = c.ctl("retention", "run", "--before", tomorrow)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"participants_erased":%d' % len(KEEP), r.stdout)
        dump = self.dump_everything().lower()
        for name, addr in KEEP:
            self.assertNotIn(addr, dump)
            self.assertNotIn(name.lower(), dump)
            self.assertEqual([f for f in self.grep_var(addr) if "/log/" not in f], [])
        self.assertEqual(redis_cli(c, "--scan", "--pattern", "inspraak:participant:*").strip(), "")
        # no email index key left behind either (it names no one, but would
        # point a new idea from the same address at an erased pid)
        self.assertEqual(
            redis_cli(c, "--scan", "--pattern", "inspraak:participant-email:*").strip(), "")
        r = c.ctl("retention", "run", "--before", "gisteren")
        self.assertEqual(r.returncode, 1)

    def test_3_no_personal_data_in_logs(self):
        found = []
        for name, addr in [(ERASE_NAME, ERASE_ADDR)] + KEEP:
            for needle in (addr, name):
                found += ["%s in %s" % (needle, f) for f in self.grep_var(needle)
                          if "/log/" in f]
        self.assertEqual(found, [])

    def test_4_erase_without_storage_fails_and_deletes_nothing(self):
        c = self.cluster
        name, addr = "Nora Nietweg", "nora.nietweg@example.org"
        i = self.post("Een fietsenstalling. Groeten, %s (%s)" % (name, addr), name, addr)
        self.wait_stored([i])
        record = c.redis("GET", "inspraak:idea:" + i)
        export = c.ctl("participant", "export", addr)
        self.assertEqual(export.returncode, 0, export.stderr)
        pid = c.signal("storage", signal.SIGSTOP)
        self.assertTrue(pid)
        try:
            env = dict(c.env(), INSPRAAK_ERASE_WAIT_S="2")
            r = subprocess.run([os.path.join(c.bin, "inspraakctl"), "participant", "erase", addr],
                               env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("storage did not confirm", r.stderr)
            self.assertIn("nothing was deleted", r.stderr)
            self.assertEqual(r.stdout, "")
            # the person, the list of their ideas and the idea itself are all
            # still there; mail files and notify's marker of the receipt may
            # only have come
            before, after = json.loads(export.stdout), json.loads(
                c.ctl("participant", "export", addr).stdout)
            self.assertLessEqual(set(before.pop("mail_files")), set(after.pop("mail_files")))
            self.assertLessEqual({m["mail"] for m in before.pop("mails_sent")},
                                 {m["mail"] for m in after.pop("mails_sent")})
            self.assertEqual(after, before)
            self.assertEqual(c.redis("GET", "inspraak:idea:" + i), record)
        finally:
            os.kill(pid, signal.SIGCONT)
        r = c.ctl("participant", "erase", addr)
        self.assertEqual(r.returncode, 0, r.stderr)
        dump = self.dump_everything().lower()
        self.assertNotIn(addr, dump)
        self.assertNotIn(name.lower(), dump)
        self.assertIn("een fietsenstalling", c.redis("GET", "inspraak:idea:" + i).lower())

    def post_field(self, local_id, text, participant=None):
        """One field-app item from tablet-priv; returns the idea's id."""
        c = self.cluster
        if not getattr(self, "device", None):
            r = c.ctl("device", "add", "tablet-priv")
            self.assertEqual(r.returncode, 0, r.stderr)
            type(self).device = r.stdout.strip().split()[-1]
        item = {"local_id": local_id, "text": text, "wijk": "Heerlen-Centrum",
                "question": "toekomst", "target_group": "inwoner"}
        if participant:
            item["participant"] = participant
        status, _, data = http("POST", c.url("intake-field", "/api/v1/field/batches"),
                               {"device_id": "tablet-priv", "activity": "omgevingsvisietour",
                                "items": [item]},
                               {"Authorization": "Bearer " + self.device}, timeout=60)
        body = json.loads(data)
        self.assertEqual((status, body["rejected"]), (200, []), body)
        return body["accepted"][0]["id"]

    def test_5_erase_by_idea_when_only_a_name_was_given(self):
        c = self.cluster
        i = self.post_field("naam-1", "Een bankje bij de bushalte. Groeten, %s" % FIELD_NAME,
                            {"name": FIELD_NAME})
        anon = self.post_field("anoniem-1", "Meer licht in het park.")
        self.wait_stored([i, anon])
        self.assertIn(FIELD_NAME.lower(), self.dump_everything().lower())
        self.assertTrue([f for f in self.grep_var(FIELD_NAME) if "/log/" not in f])  # the AOF

        # export: everything held on her, found by the idea staff can see
        r = c.ctl("participant", "export", "--idea", i)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["participant"]["name"], FIELD_NAME)
        self.assertIsNone(out["email"])
        self.assertEqual(out["idea"], i)
        self.assertEqual([idea["id"] for idea in out["ideas"]], [i])
        pid = out["participant_id"]
        r = c.ctl("participant", "export", "--participant-id", pid)
        self.assertEqual((r.returncode, json.loads(r.stdout)["participant"]["name"]),
                         (0, FIELD_NAME), r.stderr)

        # refused, nothing changed: an unknown idea, an idea without a person
        def held():
            return [c.redis("GET", "inspraak:idea:" + i), c.redis("GET", "inspraak:idea:" + anon),
                    c.redis("HGETALL", "inspraak:participant:" + pid),
                    c.redis("SMEMBERS", "inspraak:participant-ideas:" + pid),
                    c.redis("LRANGE", "inspraak:audit", 0, -1)]
        before = held()
        for args in (["--idea", "f-0000000000000000"], ["--idea", anon]):
            for cmd in ("export", "erase"):
                r = c.ctl("participant", cmd, *args)
                self.assertEqual(r.returncode, 3, (cmd, args, r.stdout, r.stderr))
                self.assertEqual(r.stdout, "")
                self.assertIn("nothing was changed", r.stderr)
        self.assertEqual(held(), before)

        r = c.ctl("participant", "erase", "--idea", i)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out["participant_id"], out["ideas_redacted"], out["aof_rewritten"]),
                         (pid, 1, True), out)
        self.assertTrue(out["removed"]["participant"], out)
        self.assertEqual(self.cluster.redis("EXISTS", "inspraak:participant:" + pid), 0)
        self.assertNotIn(FIELD_NAME.lower(), self.dump_everything().lower())
        self.assertEqual(self.grep_var(FIELD_NAME), [])  # AOF, spools, and no log holds it
        # the idea stays, anonymous, without her signature
        own = c.redis("GET", "inspraak:idea:" + i)
        self.assertIn("Een bankje bij de bushalte.", own)
        self.assertEqual(own.count("[weggehaald]"), 1, own)
        self.assertIn('"idea":"%s"' % i, c.redis("LINDEX", "inspraak:audit", 0).replace(" ", ""))
        # asked again: she is gone, and it says so
        r = c.ctl("participant", "erase", "--idea", i)
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertIn("already erased", r.stderr)

    def drop_transcript(self, name, text):
        """Puts NAME into intake-transcript's drop folder, as a transcriber
        does: written under a dot name, then renamed."""
        inbox = os.path.join(self.cluster.var, "transcripts", "inbox")
        wait_until("transcript drop folder", lambda: os.path.isdir(inbox))
        with open(os.path.join(inbox, "." + name), "w") as f:
            f.write(text)
        os.rename(os.path.join(inbox, "." + name), os.path.join(inbox, name))

    def ideas_saying(self, text):
        """How many stored ideas hold text."""
        keys = [k for k in redis_cli(self.cluster, "--scan", "--pattern", "inspraak:idea:*")
                .splitlines() if k]
        return sum(text in (self.cluster.redis("GET", k) or "") for k in keys)

    def retention_summary(self, date, r=None):
        """retention run --before DATE: its summary line ("retention")."""
        r = r or self.cluster.ctl("retention", "run", "--before", date)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout.splitlines()[-1])["retention"]

    def retention_files(self, date):
        """retention run --before DATE: its summary's files_removed."""
        r = self.cluster.ctl("retention", "run", "--before", date)
        return self.retention_summary(date, r).get("files_removed", {}), r

    def test_6_retention_deletes_processed_transcripts(self):
        c = self.cluster
        tr = os.path.join(c.var, "transcripts")
        self.drop_transcript("markt.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
                             "<v Interviewer>Wat mist u?\n\n00:00:04.500 --> 00:00:08.000\n"
                             "<v %s>Een speeltuin bij het station.\n" % SPEAKER)
        with open(os.path.join(tr, "inbox", "markt.json"), "w") as f:
            json.dump({"video_id": "markt-privacy", "wijk": "Heerlen-Centrum"}, f)
        self.drop_transcript("kapot.vtt", "Geen ondertitels, wel %s.\n" % SPEAKER)
        done = [os.path.join(tr, "done", n) for n in ("markt.vtt", "markt.json")]
        failed = [os.path.join(tr, "failed", n) for n in ("kapot.vtt", "kapot.vtt.why")]
        wait_until("transcripts read", lambda: all(map(os.path.exists, done + failed)),
                   timeout=120)
        wait_until("the interview's idea stored",
                   lambda: self.ideas_saying("Een speeltuin bij het station"), timeout=120)
        # a transcript still being written into the drop folder
        writing = os.path.join(tr, "inbox", ".half.vtt")
        with open(writing, "w") as f:
            f.write("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v %s>Meer" % SPEAKER)
        held = [f for f in self.grep_var(SPEAKER) if "/log/" not in f]
        self.assertEqual(sorted(held), sorted([done[0], failed[0], writing]))

        removed, _ = self.retention_files("2000-01-01")
        self.assertEqual(removed.get("transcripts_done", 0), 0, removed)
        self.assertTrue(all(map(os.path.exists, done + failed)))

        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        removed, r = self.retention_files(tomorrow)
        self.assertEqual([f for f in self.grep_var(SPEAKER) if "/log/" not in f], [writing])
        self.assertEqual([f for f in done + failed if os.path.exists(f)], [])
        self.assertEqual((removed.get("transcripts_done"), removed.get("transcripts_failed")),
                         (2, 2), r.stdout)
        for name in ("markt", "kapot"):
            self.assertNotIn(name, r.stdout + r.stderr)
        # the log says it too, one line per store
        self.assertIn('msg="retention removed files" store=transcripts_done files=2', r.stderr)
        # the idea stays: only the file it was read from is gone
        self.assertEqual(self.ideas_saying("Een speeltuin bij het station"), 1)

    def test_7_retention_deletes_processed_mail_files(self):
        c = self.cluster
        mail = os.path.join(c.var, "mail")
        self.send_mail(*MAIL_IDEA, "Een bloementuin bij de kerk in Welten.", 71)
        self.send_mail(*MAIL_AUTO, "Ik ben tot 1 juli afwezig.", 72,
                       headers="Auto-Submitted: auto-replied\r\n")
        self.send_mail(*MAIL_BIG, "Een heel lange brief.", 73, body_bytes=MAIL_MAX_BYTES + 1)
        kept = [os.path.join(mail, "inbox", "cur", "privacy-71:2,S"),
                os.path.join(mail, "skipped", "cur", "privacy-72:2,S"),
                os.path.join(mail, "skipped", "privacy-72.why"),
                os.path.join(mail, "failed", "privacy-73"),
                os.path.join(mail, "failed", "privacy-73.why")]
        wait_until("the mails processed", lambda: all(map(os.path.exists, kept)), timeout=120)
        # a mail still being delivered into the inbox
        arriving = os.path.join(mail, "inbox", "tmp", "privacy-74")
        with open(arriving, "w") as f:
            f.write("From: %s <%s>\r\n" % MAIL_AUTO)
        held = set()
        for name, _ in (MAIL_IDEA, MAIL_AUTO, MAIL_BIG):
            held |= {f for f in self.grep_var(name) if "/log/" not in f}
        self.assertTrue(held >= set(kept[:2] + kept[3:4]), held)

        removed, _ = self.retention_files("2000-01-01")
        self.assertTrue(all(map(os.path.exists, kept + [arriving])))

        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        removed, r = self.retention_files(tomorrow)
        for name, addr in (MAIL_IDEA, MAIL_AUTO, MAIL_BIG):
            self.assertEqual([f for f in self.grep_var(name) + self.grep_var(addr)
                              if "/log/" not in f and f != arriving], [], name)
        self.assertEqual([f for f in kept if os.path.exists(f)], [])
        self.assertTrue(os.path.exists(arriving))
        self.assertEqual((removed.get("mail_inbox_cur"), removed.get("mail_skipped"),
                          removed.get("mail_failed")), (1, 2, 2), r.stdout)
        self.assertIn("mail_outbox", removed)
        self.assertNotIn("privacy-", r.stdout + r.stderr)
        self.assertEqual(self.ideas_saying("Een bloementuin bij de kerk in Welten."), 1)

    def test_8_retention_deletes_damaged_spool_segments(self):
        c = self.cluster
        spool = os.path.join(c.var, "spool", "intake-form.0")
        wait_until("intake-form's spool", lambda: os.path.isdir(os.path.join(spool, "corrupt")))
        # what replay leaves when a segment has a damaged record in the
        # middle (common/spool_replay.c; tests/unit/test_spool_replay.c): the file,
        # with whatever names its records held
        damaged = os.path.join(spool, "corrupt", "seg-0000000000000001.log")
        with open(damaged, "wb") as f:
            f.write(b"ISP1\x00\x00\x00\x40garbage {\"name\":\"%s\"}" % DAMAGED.encode())
        self.assertEqual([f for f in self.grep_var(DAMAGED) if "/log/" not in f], [damaged])

        removed, _ = self.retention_files("2000-01-01")
        self.assertTrue(os.path.exists(damaged))

        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        removed, r = self.retention_files(tomorrow)
        self.assertEqual([f for f in self.grep_var(DAMAGED) if "/log/" not in f], [])
        self.assertEqual(removed.get("spool_corrupt"), 1, r.stdout)
        # the intake still takes ideas: its spool is untouched
        status, body = c.post_idea("Een watertappunt in het park.")
        self.assertEqual(status, 201, body)
        self.wait_stored([body["id"]])

    def test_9_retention_removes_old_dead_letters(self):
        c = self.cluster
        subprocess.run([os.path.join(c.bin, "bus-inject"), "tcp://127.0.0.1:%d" % (c.base + 12),
                        "tcp://127.0.0.1:%d" % (c.base + 13)],
                       input=json.dumps({"raw": "\x93garbage from " + UNREADABLE}) + "\n",
                       capture_output=True, text=True, timeout=120,
                       env=dict(c.env(), INJECT_TIMEOUT_S="5"))
        wait_until("a dead letter", lambda: self.deadletters_with(UNREADABLE), timeout=60)

        early = self.retention_summary("2000-01-01")
        self.assertEqual(self.deadletters_with(UNREADABLE), 1)

        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        later = self.retention_summary(tomorrow)
        self.assertEqual(self.deadletters_with(UNREADABLE), 0)
        self.assertNotIn(UNREADABLE.lower(), self.dump_everything().lower())
        self.assertEqual(early.get("dead_letters_removed"), 0, early)
        self.assertGreaterEqual(later.get("dead_letters_removed", 0), 1, later)

    def test_10_retention_removes_old_skipped_mail_entries(self):
        c = self.cluster

        def listed():
            return sum(SKIPPED in e for e in c.redis("LRANGE", "inspraak:mail:skipped", 0, -1) or [])
        self.send_mail("Sanne", "sanne.onderwerp@example.net", "Ik ben er niet.", 101,
                       headers="Auto-Submitted: auto-replied\r\n",
                       subject="Afwezig: " + SKIPPED)
        wait_until("the skipped mail listed", lambda: listed() == 1, timeout=120)

        early = self.retention_summary("2000-01-01")
        self.assertEqual(listed(), 1)
        self.assertEqual(early.get("skipped_mails_removed"), 0, early)

        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        later = self.retention_summary(tomorrow)
        self.assertEqual(listed(), 0)
        self.assertNotIn(SKIPPED.lower(), self.dump_everything().lower())
        self.assertGreaterEqual(later.get("skipped_mails_removed", 0), 1, later)

    def test_11_retention_deletes_temporary_files_a_crash_left(self):
        """A crash while a .why, a kept mail, an outbox mail or a dropped
        transcript was being written leaves its temporary file (dot name, or
        Maildir tmp/) behind for good; retention deletes those that nothing
        has touched for 36 hours, never one that may still be written."""
        c = self.cluster
        var = c.var
        old = time.time() - 3 * 86400
        places = [("transcripts", "failed", ".kapot.vtt.why"),
                  ("transcripts", "inbox", ".interview.vtt"),
                  ("mail", "skipped", ".privacy-81.why.part"),
                  ("mail", "failed", ".privacy-82.part"),
                  ("mail", "inbox", "tmp", "privacy-83"),
                  ("mail", "outbox", "tmp", "1764400000.M1P2.inspraak")]
        stale, fresh = [], []
        for parts in places:
            os.makedirs(os.path.join(var, *parts[:-1]), exist_ok=True)
            for age, kind in ((old, stale), (None, fresh)):
                path = os.path.join(var, *parts[:-1]) + "/" + \
                    ("" if age else "nieuw-" if "tmp" in parts else ".nieuw") + parts[-1]
                with open(path, "w") as f:
                    f.write("Van: %s\n" % LEFTOVER)
                if age:
                    os.utime(path, (age, age))
                kind.append(path)

        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        removed, r = self.retention_files(tomorrow)
        self.assertEqual([f for f in stale if os.path.exists(f)], [], r.stdout)
        self.assertEqual([f for f in fresh if not os.path.exists(f)], [], r.stdout)
        self.assertEqual(sorted(f for f in self.grep_var(LEFTOVER) if "/log/" not in f),
                         sorted(fresh))
        self.assertEqual(removed.get("temp_leftovers"), len(stale), r.stdout)
        self.assertIn('msg="retention removed files" store=temp_leftovers files=%d' % len(stale),
                      r.stderr)
        self.assertNotIn("privacy-8", r.stdout + r.stderr)
        for f in fresh:
            os.unlink(f)

    def test_11b_retention_keeps_an_operators_own_dot_files(self):
        """A dot file an operator keeps in a folder retention cleans
        (.gitkeep, .keep: no temporary name a service writes) is no crash's
        leftover: retention leaves it, however old."""
        var = self.cluster.var
        old = time.time() - 3 * 86400
        kept = []
        for folder in ("transcripts/done", "transcripts/failed", "transcripts/inbox",
                       "mail/inbox/cur", "mail/skipped", "mail/failed", "mail/outbox/new"):
            os.makedirs(os.path.join(var, folder), exist_ok=True)
            for name in (".gitkeep", ".keep", ".mailcheck"):
                path = os.path.join(var, folder, name)
                open(path, "w").close()
                os.utime(path, (old, old))
                self.addCleanup(lambda p=path: os.path.exists(p) and os.unlink(p))
                kept.append(path)

        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        removed, r = self.retention_files(tomorrow)
        self.assertEqual([f for f in kept if not os.path.exists(f)], [], r.stdout)
        self.assertEqual(removed.get("temp_leftovers"), 0, r.stdout)

    def test_12_no_file_name_or_subject_in_logs(self):
        """A transcript's file name is often the interviewee's name, and an
        out-of-office subject the sender's: no log line carries either. The
        log names a dropped file by FILE_REF (the first 12 hex digits of the
        SHA-256 of its name), which the .why of a failed file repeats."""
        c = self.cluster
        tr = os.path.join(c.var, "transcripts")
        srt = ("1\r\n00:00:01,000 --> 00:00:03,000\r\nCAMJO: Wat mist u?\r\n\r\n"
               "2\r\n00:00:03,500 --> 00:00:06,000\r\nANNA: Een bankje bij de bushalte.\r\n")
        self.drop_transcript(FILE_DONE + ".srt", srt)
        with open(os.path.join(tr, "inbox", FILE_FAILED + ".json"), "w") as f:
            f.write("{niet af")
        self.drop_transcript(FILE_FAILED + ".vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nJa.\n")
        self.send_mail("Gerda", "gerda@example.net", "Ik ben er niet.", 121,
                       subject="Afwezig: " + SUBJECT_NAME)
        status, _, body = http("POST", c.url("intake-transcript", "/api/v1/transcripts?video_id="
                                             + UPLOAD_VIDEO),
                               b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
                               b"Meer bomen in de Akerstraat.\n",
                               {"Content-Type": "text/vtt",
                                "Authorization": "Bearer " + c.staff_token()})
        self.assertEqual(status, 201, body)
        files = [os.path.join(tr, "done", FILE_DONE + ".srt"),
                 os.path.join(tr, "failed", FILE_FAILED + ".vtt"),
                 os.path.join(tr, "failed", FILE_FAILED + ".json"),
                 os.path.join(tr, "failed", FILE_FAILED + ".vtt.why"),
                 os.path.join(c.var, "mail", "skipped", "cur", "privacy-121:2,S"),
                 os.path.join(c.var, "mail", "skipped", "privacy-121.why")]
        wait_until("the files processed", lambda: all(map(os.path.exists, files)), timeout=120)
        wait_until("the interview's idea stored",
                   lambda: self.ideas_saying("Een bankje bij de bushalte."), timeout=120)
        found = []
        for needle in (FILE_DONE, FILE_FAILED, "Anna_Jansen", "Piet_Peeters", SUBJECT_NAME,
                       UPLOAD_VIDEO):
            found += ["%s in %s" % (needle, f) for f in self.grep_var(needle) if "/log/" in f]
        self.assertEqual(found, [])
        # the operator still finds each file from its log line
        with open(c.log_path("intake-transcript"), encoding="utf-8", errors="replace") as f:
            log = f.read()
        for name in (FILE_DONE + ".srt", FILE_FAILED + ".vtt"):
            ref = hashlib.sha256(name.encode()).hexdigest()[:12]
            self.assertIn("file_ref=" + ref, log)
        with open(files[3]) as f:
            self.assertIn("file_ref=" + hashlib.sha256((FILE_FAILED + ".vtt").encode())
                          .hexdigest()[:12], f.read())
        for f in files:  # the retention tests count the files they leave
            os.unlink(f)

    def test_13_erase_cuts_the_phone_number_and_address_from_their_own_ideas(self):
        """The register promises that after erase (and so after retention)
        an idea stays "zonder iets dat naar u wijst": the phone number,
        postcode with house number, IBAN and signed name the resident typed
        into their own idea go with their address, as the pii flags find
        them; another resident's idea with a phone number is not touched."""
        c = self.cluster
        own = self.post("Bel mij op 06-12345678 of kom langs op 6411 HB 12. "
                        "Mijn naam is Hanna Heuvels. Mijn IBAN: NL91ABNA0417164300",
                        "H. Heuvels", "hanna.heuvels@example.org", title="Speeltuin")
        other = self.post("Bel de wijkagent op 06-87654321.", "Otto Ander",
                          "otto.ander@example.org")
        self.wait_stored([own, other])
        before_other = c.redis("GET", "inspraak:idea:" + other)
        r = c.ctl("participant", "erase", "hanna.heuvels@example.org")
        self.assertEqual(r.returncode, 0, r.stderr)
        dump = self.dump_everything()
        for needle in ("06-12345678", "6411 HB 12", "Hanna Heuvels", "NL91ABNA0417164300"):
            self.assertNotIn(needle, dump)
            self.assertEqual([f for f in self.grep_var(needle) if "/log/" not in f], [], needle)
        text = c.redis("GET", "inspraak:idea:" + own)
        self.assertIn("Bel mij op [weggehaald: telefoonnummer]", text)
        self.assertIn("Speeltuin", text)
        self.assertEqual(c.redis("GET", "inspraak:idea:" + other), before_other)
        # test_2 counts the participants left before it runs
        self.assertEqual(c.ctl("participant", "erase", "otto.ander@example.org").returncode, 0)

    def test_14_privacy_page_names_the_period_and_how_to_use_the_rights(self):
        """The form links to /privacy. A resident reading it learns how long
        their name and address are kept (until the council adopts the
        omgevingsvisie: the retention date, docs/privacy.md) and which
        rights they have (inzien, verwijderen, afmelden, a complaint) and
        how to use them: whom to ask, and what to name (the address, or the
        idea's number from the thank-you page when they gave only a name)."""
        status, _, form = http("GET", self.cluster.url("intake-form", "/"))
        self.assertEqual(status, 200)
        self.assertIn('href="/privacy"', form.decode())
        status, _, data = http("GET", self.cluster.url("intake-form", "/privacy"))
        self.assertEqual(status, 200)
        page = data.decode()
        period = page.split("<h2>Hoe lang</h2>")[1].split("<h2>")[0]
        self.assertIn("gemeenteraad", period)
        self.assertIn("omgevingsvisie heeft vastgesteld", period)
        rights = page.split("<h2>Uw rechten</h2>")[1]
        for words in ("inzien", "verwijderen", "afmelden", "14 045", "nummer van uw idee",
                      "Autoriteit Persoonsgegevens"):
            self.assertIn(words, rights)

    def test_14c_privacy_page_gives_the_address_to_write_to(self):
        """The statement said "of schrijf de gemeente" but gave no address
        to write to. It names the one INSPRAAK_PRIVACY_CONTACT holds,
        escaped, so the page shows it as set."""
        status, _, data = http("GET", self.cluster.url("intake-form", "/privacy"))
        self.assertEqual(status, 200)
        rights = data.decode().split("<h2>Uw rechten</h2>")[1]
        self.assertIn("of schrijf naar: Gemeente Heerlen, t.a.v. Privacy &amp; Inspraak "
                      "&lt;AVG&gt;, Postbus 1, 6400 AA Heerlen.", rights)

    def test_14b_thank_you_page_says_to_keep_the_number_when_only_a_name_was_given(self):
        """The privacy statement tells a resident who gave a name but no
        e-mail address to name the idea's number from the thank-you page;
        that page never said to keep it, so once closed it was gone."""
        import urllib.parse
        form = urllib.parse.urlencode({"tekst": "Een bankje bij de bushalte op de Akerstraat",
                                       "naam": "Mia Claessen"})
        status, _, data = http("POST", self.cluster.url("intake-form", "/ideeen"), form,
                               {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200, data[:300])
        page = data.decode()
        self.assertIn("Bewaar dit nummer", page)
        self.assertIn('href="/privacy"', page)
        # the number on the page finds her name; then it goes (the later
        # retention test counts the participants it erases)
        number = page.split("Het nummer van uw idee is <strong>", 1)[1].split("<", 1)[0]
        wait_until("the idea stored", lambda: self.cluster.ctl(
            "participant", "export", "--idea", number).returncode == 0)
        r = self.cluster.ctl("participant", "export", "--idea", number)
        self.assertEqual(json.loads(r.stdout)["participant"]["name"], "Mia Claessen")
        r = self.cluster.ctl("participant", "erase", "--idea", number)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_15_export_lists_the_mails_sent_to_the_person(self):
        """Inzage (AVG art. 15) covers what notify holds on a person too: the
        receipt mailed to them (when, in what state), whether they
        unsubscribed, a bounce. A receipt is sent; export shows it as the
        Redis key notify holds for the pid does."""
        c = self.cluster
        addr = "mila.mailbaar@example.org"
        i = self.post("Een watertappunt op het Pancratiusplein.", "Mila Mailbaar", addr)
        self.wait_stored([i])
        outbox = os.path.join(c.var, "mail", "outbox", "new")
        wait_until("the receipt", lambda: any(
            addr in open(os.path.join(outbox, f), errors="replace").read()
            for f in os.listdir(outbox)), timeout=60)
        r = c.ctl("participant", "export", addr)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        pid = out["participant_id"]
        keys = [k for k in redis_cli(c, "--scan", "--pattern", "inspraak:notify:sent:%s:*" % pid)
                .splitlines() if k]
        self.assertEqual(len(keys), 1, keys)
        flat = c.redis("HGETALL", keys[0])
        held = dict(zip(flat[::2], flat[1::2]))
        mails = out.get("mails_sent")
        self.assertEqual([m["mail"] for m in mails or []],
                         [keys[0].split(pid + ":", 1)[1]], out)
        self.assertEqual(mails[0]["state"], held["state"])
        self.assertTrue(mails[0]["at"].endswith("Z"), mails)
        self.assertEqual((out["unsubscribed"], out["bounce"]), (False, None))
        self.assertEqual(c.ctl("participant", "erase", addr).returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
