"""
NAME
    test_transcript_repeats - a transcript file dropped again under another
    name is not stored twice

DESCRIPTION
    Starts Redis, storage, classifier, intake-transcript and the dashboard
    (tests/lib/harness.py). A file dropped into the drop folder without a
    sidecar takes its name as video id; the same bytes again under another
    name ("gesprek.vtt", then "gesprek (1).vtt", as a browser download or a
    copy names it) gave every statement a second idea. Now the second file
    stores nothing and ends in done/ with a .why naming the first, also
    after intake-transcript was killed and restarted (the record is in
    Redis); a file with changed bytes is read as before. The two moments a
    kill -9 can leave behind (statements spooled but no record yet; record
    made but the file not yet moved) each end with the file in done/ and
    its statements stored once. A file in done/ from before the record
    existed is a repeat too once the service restarted. Bounded waits
    only, no timing thresholds.
"""
import hashlib
import json
import os
import shutil
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, http, main, wait_until  # noqa: E402

RECORD_KEY = "inspraak:transcript:read"


def vtt(words):
    """An interview: the interviewer's question and two residents' turns."""
    return ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>Wat mist u hier?\n\n"
            "00:00:04.500 --> 00:00:08.000\n<v Mevrouw Peters>%s\n\n"
            "00:00:12.000 --> 00:00:14.000\n<v Henk>Een bakker op de hoek.\n" % words)


class TestTranscriptRepeats(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-transcript", "dashboard")
    # intake-transcript is killed seven times, each within a minute of the
    # last: the supervisor's back-off (doubling from 250 ms) would wait
    # 32 s in all; these tests are about what the restarted service does.
    ENV = {"INSPRAAK_RESTART_MAX_MS": "250"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token()
        cls.base = os.path.join(cls.cluster.var, "transcripts")
        wait_until("inbox folder", lambda: os.path.isdir(os.path.join(cls.base, "inbox")))
        cls.markers = 0

    def path(self, sub, name):
        return os.path.join(self.base, sub, name)

    def drop(self, name, text):
        """Writes inbox/NAME as a transcriber does (a dot name, then
        renamed) and waits until the service moved it out of inbox/."""
        tmp = self.path("inbox", "." + name)
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.path("inbox", name))
        wait_until(name + " read", lambda: not os.path.exists(self.path("inbox", name)))

    def texts(self, video_id):
        """The texts of the stored ideas of video_id, once everything
        spooled before now is stored: a marker file dropped after them
        is stored after them."""
        TestTranscriptRepeats.markers += 1
        marker = "marker-%d" % self.markers
        self.drop(marker + ".vtt", vtt("Merkteken %d." % self.markers))

        def ideas():
            q = urllib.parse.urlencode(dict(channel="transcript", limit=500))
            status, body = self.cluster.api("/api/v1/ideas?" + q, self.token)
            self.assertEqual(status, 200, body)
            return body["items"]
        wait_until(marker + " stored", lambda: [i for i in ideas()
                                                if i["source"]["video_id"] == marker])
        return sorted(i["text"] for i in ideas() if i["source"]["video_id"] == video_id)

    def kill_and_restart(self):
        """kill -9 of intake-transcript; returns once it runs again."""
        pid = self.cluster.kill9("intake-transcript")
        self.assertIsNotNone(pid)
        self.cluster.wait_restarted("intake-transcript", pid)

    def why(self, sub, name):
        with open(self.path(sub, name + ".why")) as f:
            return f.read()

    def test_same_bytes_under_another_name_stored_once(self):
        first = vtt("Een speeltuin bij het station.")
        self.drop("gesprek.vtt", first)
        self.assertEqual(self.texts("gesprek"),
                         ["Een bakker op de hoek.", "Een speeltuin bij het station."])

        self.drop("gesprek (1).vtt", first)
        self.assertEqual(self.texts("gesprek (1)"), [])
        self.assertTrue(os.path.exists(self.path("done", "gesprek (1).vtt")))
        why = self.why("done", "gesprek (1).vtt")
        self.assertIn("done/gesprek.vtt", why)
        self.assertIn("Er is niets opnieuw opgeslagen.", why)
        self.assertIn("file_ref=" + hashlib.sha256(b"gesprek (1).vtt").hexdigest()[:12], why)
        self.assertFalse(os.path.exists(self.path("done", "gesprek.vtt.why")))

        # The record outlives the service: killed and restarted, it still
        # knows the bytes.
        self.kill_and_restart()
        self.drop("gesprek-kopie.vtt", first)
        self.assertEqual(self.texts("gesprek-kopie"), [])
        self.assertIn("done/gesprek.vtt", self.why("done", "gesprek-kopie.vtt"))

        # Changed bytes are another file: read as always.
        self.drop("gesprek-2.vtt", vtt("Een speeltuin bij de school."))
        self.assertEqual(self.texts("gesprek-2"),
                         ["Een bakker op de hoek.", "Een speeltuin bij de school."])
        self.assertFalse(os.path.exists(self.path("done", "gesprek-2.vtt.why")))

    def test_file_read_before_the_record_existed(self):
        """A file read by a version without the record (or the upgrade
        before the word fingerprint in ids) is in done/ but not in the
        record: at its start the service records what done/ holds, so
        the same bytes dropped again store nothing."""
        text = vtt("Een fietsenstalling bij het station.")
        with open(self.path("done", "oud.vtt"), "w") as f:
            f.write(text)
        # The Redis of such a version holds no "scan:done" (done/ read once).
        self.cluster.redis("HDEL", RECORD_KEY, "scan:done")
        self.kill_and_restart()
        self.drop("oud (1).vtt", text)
        self.assertEqual(self.texts("oud (1)"), [])
        self.assertIn("done/oud.vtt", self.why("done", "oud (1).vtt"))

    def name_listed_before(self, name, stem):
        """A copy's name (STEM (1).vtt, ...) that a directory on this file
        system lists before NAME, so the service finds the copy first."""
        scratch = os.path.join(self.base, "order-%d" % os.getpid())
        os.makedirs(scratch)
        copies = ["%s (%d).vtt" % (stem, n) for n in range(1, 30)]
        for n in [name] + copies:
            open(os.path.join(scratch, n), "w").close()
        listed = os.listdir(scratch)
        shutil.rmtree(scratch)
        return next(c for c in listed if c != name and listed.index(c) < listed.index(name))

    def place(self, name, text):
        """inbox/NAME, written a minute ago (read at the next look)."""
        tmp = self.path("inbox", "." + name)
        with open(tmp, "w") as f:
            f.write(text)
        past = time.time() - 60
        os.utime(tmp, (past, past))
        os.rename(tmp, self.path("inbox", name))

    def log_since(self, offset):
        with open(self.cluster.log_path("intake-transcript"), errors="replace") as f:
            f.seek(offset)
            return f.read()

    def test_killed_after_spooled_with_a_copy_in_inbox(self):
        """A copy of a file ("pin (1).vtt") in inbox/ beside it, and the
        file's statements spooled but not recorded (Redis took no writes,
        then kill -9): the copy, not recorded either, was stored a second
        time under its own name. Now a file is recorded as being read
        before anything is spooled (no record, nothing spooled), and a
        copy waits while the file being read is in inbox/."""
        text = vtt("Een pinautomaat in de wijk.")
        copy = self.name_listed_before("pin.vtt", "pin")
        # Redis takes no writes: the service cannot record the file.
        offset = os.path.getsize(self.cluster.log_path("intake-transcript"))
        self.cluster.redis("CLIENT", "PAUSE", "300000", "WRITE")
        try:
            self.place("pin.vtt", text)
            wait_until("the record refused",
                       lambda: 'msg="redis unavailable' in self.log_since(offset))
            self.place(copy, text)
            self.kill_and_restart()
        finally:
            self.cluster.redis("CLIENT", "UNPAUSE")
        for name in ("pin.vtt", copy):
            wait_until(name + " read", lambda: not os.path.exists(self.path("inbox", name)))
        stored = self.texts("pin") + self.texts(copy[:-4])
        self.assertEqual(sorted(stored), ["Een bakker op de hoek.", "Een pinautomaat in de wijk."])

        # Killed after spooling with the record "being read" (as the
        # service leaves it; docs/redis.md): the copy, found first, waits
        # until the file itself is read again (the same ids), then is a
        # repeat of it.
        text = vtt("Een brievenbus bij de kerk.")
        digest = hashlib.blake2b(text.encode(), digest_size=32).hexdigest()
        copy = self.name_listed_before("kerk.vtt", "kerk")
        ref = hashlib.sha256(b"kerk.vtt").hexdigest()[:12]
        self.cluster.redis("HSET", RECORD_KEY, digest,
                           json.dumps({"reading": ref, "since": int(time.time() * 1000)}))
        self.place("kerk.vtt", text)
        self.place(copy, text)
        for name in ("kerk.vtt", copy):
            wait_until(name + " read", lambda: not os.path.exists(self.path("inbox", name)))
        self.assertEqual(self.texts("kerk"), ["Een bakker op de hoek.", "Een brievenbus bij de kerk."])
        self.assertEqual(self.texts(copy[:-4]), [])
        self.assertFalse(os.path.exists(self.path("done", "kerk.vtt.why")))
        self.assertIn("done/kerk.vtt", self.why("done", copy))

    def test_same_name_after_done_copy_deleted(self):
        """A file read, its done/ copy deleted (retention run), then the
        same bytes dropped again under the same name: nothing was stored
        again, but the file went to done/ without a .why, as if read, so
        the operator could not see why. Now its .why says it repeats a
        file no longer in done/."""
        text = vtt("Een watertappunt in het park.")
        self.drop("water.vtt", text)
        stored = ["Een bakker op de hoek.", "Een watertappunt in het park."]
        self.assertEqual(self.texts("water"), stored)
        os.unlink(self.path("done", "water.vtt"))  # as inspraakctl retention run does

        self.drop("water.vtt", text)
        self.assertEqual(self.texts("water"), stored)
        self.assertTrue(os.path.exists(self.path("done", "water.vtt")))
        why = self.why("done", "water.vtt")
        self.assertIn("niet meer in done/", why)
        self.assertIn("Er is niets opnieuw opgeslagen.", why)
        self.assertIn("file_ref=" + hashlib.sha256(b"water.vtt").hexdigest()[:12], why)

    def test_moving_mark_refused_then_same_name_after_done_copy_deleted(self):
        """Redis took the record of a file but refused its second write
        (the mark that the file reached done/), so the record stayed
        "moving". The same bytes dropped under that name after the done/
        copy was deleted were taken for that file, killed before its
        move: they went to done/ without a .why, logged as read. Now a
        file put into inbox/ after its record was written is a repeat,
        with a .why."""
        text = vtt("Een hondenuitlaatplaats bij de vijver.")
        digest = hashlib.blake2b(text.encode(), digest_size=32).hexdigest()
        self.drop("vijver.vtt", text)
        stored = ["Een bakker op de hoek.", "Een hondenuitlaatplaats bij de vijver."]
        self.assertEqual(self.texts("vijver"), stored)
        record = json.loads(self.cluster.redis("HGET", RECORD_KEY, digest))
        # The record as a refused second write leaves it.
        self.cluster.redis("HSET", RECORD_KEY, digest, json.dumps(dict(record, moving=True)))
        os.unlink(self.path("done", "vijver.vtt"))  # as inspraakctl retention run does

        self.drop("vijver.vtt", text)
        self.assertEqual(self.texts("vijver"), stored)
        why = self.why("done", "vijver.vtt")
        self.assertIn("niet meer in done/", why)
        self.assertIn("Er is niets opnieuw opgeslagen.", why)

    def test_upload_again_of_a_file_recorded_from_done(self):
        """A file read before the record existed is recorded from done/
        with no idea ids. Uploaded again under its own video id (the same
        ids: storage stores nothing twice) it got 409 "repeat" instead of
        201 with its ids; under another video id it is still a repeat."""
        text = vtt("Een parkeerplaats voor bakfietsen.")
        digest = hashlib.blake2b(text.encode(), digest_size=32).hexdigest()
        self.drop("bakfiets.vtt", text)
        stored = ["Een bakker op de hoek.", "Een parkeerplaats voor bakfietsen."]
        self.assertEqual(self.texts("bakfiets"), stored)
        # As a version without the record left it: ideas stored, file in
        # done/, no record; the next start records done/.
        self.cluster.redis("HDEL", RECORD_KEY, digest, "scan:done")
        self.kill_and_restart()
        wait_until("done/ recorded", lambda: self.cluster.redis("HGET", RECORD_KEY, digest))
        self.assertIsNone(json.loads(self.cluster.redis("HGET", RECORD_KEY, digest))["ideas"])

        status, body = self.upload(text, video_id="bakfiets")
        self.assertEqual(status, 201, body)
        self.assertEqual(len(body["ideas"]), 2)
        self.assertEqual(self.texts("bakfiets"), stored)
        status, body = self.upload(text, video_id="bakfiets-2")
        self.assertEqual(status, 409, body)
        self.assertIn("done/bakfiets.vtt", body["error"]["message"])
        self.assertEqual(self.texts("bakfiets-2"), [])

    def test_old_entries_trimmed(self):
        """The record of files read grew by one entry a file for ever.
        Now an entry older than INSPRAAK_TRANSCRIPT_RECORD_DAYS (365) is
        dropped, unless its file is still in done/; a recent one stays
        and still stops a repeat after its done/ copy is gone."""
        year_ago = int(time.time() * 1000) - 400 * 86400 * 1000
        old_upload = "a" * 64
        old_dropped = "b" * 64
        self.cluster.redis("HSET", RECORD_KEY, old_upload, json.dumps(
            {"file_ref": "", "read_at": year_ago, "ideas": 2, "first_id": "t-0", "via": "upload"}))
        self.cluster.redis("HSET", RECORD_KEY, old_dropped, json.dumps(
            {"file_ref": "0123456789ab", "read_at": year_ago, "ideas": 1, "first_id": "t-1"}))
        # Old, but its file is still in done/: kept while it is there.
        kept_text = vtt("Een oud gesprek dat nog in done/ staat.")
        kept = hashlib.blake2b(kept_text.encode(), digest_size=32).hexdigest()
        with open(self.path("done", "nog-daar.vtt"), "w") as f:
            f.write(kept_text)
        self.cluster.redis("HSET", RECORD_KEY, kept, json.dumps(
            {"file_ref": hashlib.sha256(b"nog-daar.vtt").hexdigest()[:12], "read_at": year_ago,
             "ideas": None, "first_id": ""}))
        recent_text = vtt("Een bankje onder de lindeboom.")
        recent = hashlib.blake2b(recent_text.encode(), digest_size=32).hexdigest()
        self.drop("linde.vtt", recent_text)
        os.unlink(self.path("done", "linde.vtt"))

        offset = os.path.getsize(self.cluster.log_path("intake-transcript"))
        self.kill_and_restart()
        wait_until("record trimmed",
                   lambda: 'msg="record of files read trimmed"' in self.log_since(offset))
        self.assertIsNone(self.cluster.redis("HGET", RECORD_KEY, old_upload))
        self.assertIsNone(self.cluster.redis("HGET", RECORD_KEY, old_dropped))
        self.assertIsNotNone(self.cluster.redis("HGET", RECORD_KEY, kept))
        self.assertIsNotNone(self.cluster.redis("HGET", RECORD_KEY, recent))
        self.assertIsNotNone(self.cluster.redis("HGET", RECORD_KEY, "scan:done"))

        self.drop("linde.vtt", recent_text)
        self.assertIn("niet meer in done/", self.why("done", "linde.vtt"))

    def upload(self, text, **query):
        """POST /api/v1/transcripts; (status, parsed JSON)."""
        url = self.cluster.url("intake-transcript", "/api/v1/transcripts")
        if query:
            url += "?" + urllib.parse.urlencode(query)
        status, _, data = http("POST", url, text.encode(),
                               {"Content-Type": "text/vtt", "Authorization": "Bearer " + self.token})
        return status, json.loads(data)

    def test_upload_with_the_bytes_of_one_read_before(self):
        """The same bytes uploaded under another video id, or uploaded
        and also dropped into the folder, were stored twice. Now the
        second stores nothing: an upload gets 409 "repeat" naming the
        earlier file in Dutch, a dropped file a .why. The same upload
        again with the same video id (a re-send after a lost answer)
        still gets 201 with the same ids."""
        text = vtt("Een bankje bij de bushalte.")
        status, first = self.upload(text, video_id="upload-a")
        self.assertEqual(status, 201, first)
        self.assertEqual(len(first["ideas"]), 2)
        status, again = self.upload(text, video_id="upload-a")
        self.assertEqual(status, 201, again)
        self.assertEqual(again["ideas"], first["ideas"])

        status, body = self.upload(text, video_id="upload-b")
        self.assertEqual(status, 409, body)
        self.assertEqual(body["error"]["code"], "repeat")
        self.assertIn("Er is niets opnieuw opgeslagen.", body["error"]["message"])
        self.assertIn("geüpload", body["error"]["message"])
        # what staff can do about it, and no idea id (that is in "repeats")
        self.assertIn("Kies dan het bestand van dat gesprek.", body["error"]["message"])
        self.assertNotIn(first["ideas"][0]["id"], body["error"]["message"])
        self.assertEqual(body["error"]["repeats"]["first_id"], first["ideas"][0]["id"])
        self.assertEqual(self.texts("upload-b"), [])
        self.assertEqual(self.texts("upload-a"),
                         ["Een bakker op de hoek.", "Een bankje bij de bushalte."])

        self.drop("upload-kopie.vtt", text)
        self.assertEqual(self.texts("upload-kopie"), [])
        why = self.why("done", "upload-kopie.vtt")
        self.assertIn("geüpload", why)
        self.assertIn(first["ideas"][0]["id"], why)

        # Dropped first, uploaded after (without a video id): the answer
        # names the file in done/.
        dropped = vtt("Een zebrapad bij de school.")
        self.drop("zebrapad.vtt", dropped)
        status, body = self.upload(dropped)
        self.assertEqual(status, 409, body)
        self.assertIn("done/zebrapad.vtt", body["error"]["message"])
        self.assertEqual(body["error"]["repeats"]["file"], "done/zebrapad.vtt")
        video_id = "upload-" + hashlib.blake2b(dropped.encode(), digest_size=8).hexdigest()
        self.assertEqual(self.texts(video_id), [])

    def blocked_clients(self, cmd):
        """Ids of the Redis clients waiting on a cmd that CLIENT PAUSE WRITE holds."""
        return [c["id"] for c in self.clients() if c["cmd"] == cmd and "b" in c["flags"]]

    def clients(self):
        return [dict(f.split("=", 1) for f in line.split(" "))
                for line in self.cluster.redis("CLIENT", "LIST").splitlines()]

    def test_upload_and_dropped_file_at_the_same_moment(self):
        """An upload and a dropped file with the same bytes at the same
        moment were both stored: the upload looked at the record while
        the file was about to be recorded as being read. Here Redis holds
        the file's "being read" record (CLIENT PAUSE WRITE) while the
        upload arrives; then it takes it. Now the upload waits for the
        file to be recorded, and gets 409 naming it."""
        self.kill_and_restart()  # its first upload opens a new connection to Redis
        text = vtt("Een drinkfontein bij de markt.")
        result = {}
        self.cluster.redis("CLIENT", "PAUSE", "300000", "WRITE")
        try:
            self.place("fontein.vtt", text)
            wait_until("the file's record held", lambda: self.blocked_clients("hset"))
            before = max(int(c["id"]) for c in self.clients())
            thread = threading.Thread(
                target=lambda: result.update(answer=self.upload(text, video_id="fontein-upload")))
            thread.start()
            wait_until("the upload's token checked", lambda: [
                c for c in self.clients() if int(c["id"]) > before
                and c["cmd"] in ("exists", "hget", "hset")])
        finally:
            self.cluster.redis("CLIENT", "UNPAUSE")
        thread.join(60)
        status, body = result["answer"]
        wait_until("fontein.vtt read", lambda: not os.path.exists(self.path("inbox", "fontein.vtt")))
        stored = self.texts("fontein") + self.texts("fontein-upload")
        self.assertEqual(sorted(stored), ["Een bakker op de hoek.", "Een drinkfontein bij de markt."])
        if status == 201:  # Redis gave up on the held record first: the upload was read
            self.assertIn("geüpload", self.why("done", "fontein.vtt"))
        else:
            self.assertEqual(status, 409, body)
            self.assertIn("inbox/fontein.vtt", body["error"]["message"])

    def test_done_read_once_not_at_every_start(self):
        """At its start the service recorded the bytes of every file in
        done/, reading them all at every start. Now it does that once (the
        record keeps "scan:done"); a file that reaches done/ later is not
        read at a start. Without that field (the Redis of a version before
        the record) done/ is read again."""
        text = vtt("Een bloembak bij de bibliotheek.")
        digest = hashlib.blake2b(text.encode(), digest_size=32).hexdigest()
        self.drop("marker-before.vtt", vtt("Merkteken voor de start."))  # read after the scan
        with open(self.path("done", "later.vtt"), "w") as f:
            f.write(text)
        self.kill_and_restart()
        self.drop("marker-start.vtt", vtt("Merkteken bij de start."))  # read after any scan
        self.assertIsNone(self.cluster.redis("HGET", RECORD_KEY, digest))

        self.assertEqual(self.cluster.redis("HDEL", RECORD_KEY, "scan:done"), 1)
        self.kill_and_restart()
        wait_until("done/ recorded", lambda: self.cluster.redis("HGET", RECORD_KEY, "scan:done"))
        self.assertIsNotNone(self.cluster.redis("HGET", RECORD_KEY, digest))

    def test_upload_without_a_statement_is_not_a_record(self):
        """An upload with no resident's statement (only the interviewer)
        gets 201 with no ideas and stored nothing: the same bytes dropped
        later go to failed/ saying so, not to done/ as a repeat."""
        text = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
                "<v Interviewer>Wat mist u bij het zwembad?\n")
        status, body = self.upload(text, video_id="alleen-vraag")
        self.assertEqual(status, 201, body)
        self.assertEqual(body["ideas"], [])
        self.drop("alleen-vraag.vtt", text)
        self.assertIn("geen uitspraak", self.why("failed", "alleen-vraag.vtt"))
        self.assertFalse(os.path.exists(self.path("done", "alleen-vraag.vtt")))

    def put_back(self, name):
        """done/NAME back into inbox/, as it was before it was moved."""
        shutil.move(self.path("done", name), self.path("inbox", name))
        wait_until(name + " read", lambda: not os.path.exists(self.path("inbox", name)))

    def test_killed_between_stored_and_recorded_or_moved(self):
        text = vtt("Meer licht in het park.")
        digest = hashlib.blake2b(text.encode(), digest_size=32).hexdigest()
        self.drop("park.vtt", text)
        self.assertEqual(self.texts("park"), ["Een bakker op de hoek.", "Meer licht in het park."])
        self.assertIsNotNone(self.cluster.redis("HGET", RECORD_KEY, digest))

        self.kill_and_restart()
        # Killed after the record, before the move: the file is still in
        # inbox/ and its record, still "moving", names the place it was
        # going to in done/.
        record = json.loads(self.cluster.redis("HGET", RECORD_KEY, digest))
        self.assertNotIn("moving", record)  # it reached done/
        # The service writes the record once the file is in inbox/, so its
        # read_at is after the file got there (put_back, below, renames it
        # there now); a file put there after its record is a new drop.
        written = int(time.time() * 1000) + 86400 * 1000
        self.cluster.redis("HSET", RECORD_KEY, digest,
                           json.dumps(dict(record, moving=True, read_at=written)))
        self.put_back("park.vtt")
        self.assertTrue(os.path.exists(self.path("done", "park.vtt")))
        self.assertFalse(os.path.exists(self.path("done", "park-2.vtt")))
        self.assertFalse(os.path.exists(self.path("done", "park.vtt.why")))
        self.assertNotIn("moving", json.loads(self.cluster.redis("HGET", RECORD_KEY, digest)))
        self.assertEqual(self.texts("park"), ["Een bakker op de hoek.", "Meer licht in het park."])

        # Killed after the statements were spooled, before the record:
        # read again, stored once, recorded this time.
        self.assertEqual(self.cluster.redis("HDEL", RECORD_KEY, digest), 1)
        self.put_back("park.vtt")
        self.assertTrue(os.path.exists(self.path("done", "park.vtt")))
        self.assertFalse(os.path.exists(self.path("done", "park.vtt.why")))
        self.assertEqual(self.texts("park"), ["Een bakker op de hoek.", "Meer licht in het park."])
        self.assertIsNotNone(self.cluster.redis("HGET", RECORD_KEY, digest))



class TestTranscriptRedisWritesRefused(ClusterTestCase):
    """intake-transcript alone: the only client of Redis that reads the
    record of files read, so HGET calls in INFO commandstats count its
    looks at a file."""
    SERVICES = ("intake-transcript",)

    def hget_calls(self):
        stats = self.cluster.redis("INFO", "commandstats")
        line = next((l for l in stats.splitlines() if l.startswith("cmdstat_hget:")), "")
        return int(line.split("calls=")[1].split(",")[0]) if line else 0

    def test_writes_refused_logged_once(self):
        """While Redis answers reads but takes no writes, a file waits in
        inbox/; the warning "cannot record transcript as being read" was
        logged at every look (once a second). Now the outage is logged
        once, and once when Redis takes writes again."""
        base = os.path.join(self.cluster.var, "transcripts")
        wait_until("inbox folder", lambda: os.path.isdir(os.path.join(base, "inbox")))
        log = self.cluster.log_path("intake-transcript")
        offset = os.path.getsize(log)
        looks = self.hget_calls()
        self.cluster.redis("CLIENT", "PAUSE", "300000", "WRITE")
        try:
            tmp = os.path.join(base, "inbox", ".wacht.vtt")
            with open(tmp, "w") as f:
                f.write(vtt("Een fontein op het plein."))
            past = time.time() - 60
            os.utime(tmp, (past, past))
            os.rename(tmp, os.path.join(base, "inbox", "wacht.vtt"))
            # A third look at the file began: the first two ended (one at a time).
            wait_until("three looks", lambda: self.hget_calls() >= looks + 3, timeout=120)
        finally:
            self.cluster.redis("CLIENT", "UNPAUSE")
        wait_until("wacht.vtt read",
                   lambda: os.path.exists(os.path.join(base, "done", "wacht.vtt")))
        with open(log, errors="replace") as f:
            f.seek(offset)
            lines = f.read().splitlines()
        refused = [l for l in lines if 'msg="cannot record transcript as being read' in l
                   or 'msg="redis unavailable' in l]
        self.assertEqual(len(refused), 1, "\n".join(lines))
        back = [l for l in lines if 'msg="redis available again' in l]
        self.assertEqual(len(back), 1, "\n".join(lines))

if __name__ == "__main__":
    main()
