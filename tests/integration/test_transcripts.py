"""
NAME
    test_transcripts - intake-transcript in a running stack

DESCRIPTION
    Starts Redis, storage, classifier, intake-transcript and the dashboard
    (tests/lib/harness.py), uploads a street interview as WebVTT with an
    interviewer and two residents and reads the ideas back through the
    dashboard API: one idea per resident turn, the video id, start and end,
    the interviewer's question as context, no interviewer text and no
    names. The same file again gives no new ideas. A multipart upload
    (the file in "file", the other fields beside it) gives the same. Files in the drop folder
    (SRT, text) end in done/ with their ideas stored; a broken one ends in
    failed/ with a .why naming it. Binary junk is refused (422) and stores
    nothing; control characters never reach an idea; a WebVTT file saved
    in Windows-1252 keeps its accents (as SRT and text do); a bare recorded_at
    date is accepted. A 7.9 MiB Windows-1252 interview with one resident
    talking for hours is stored whole, cut into ideas of at most 10,000
    characters that follow each other (as SRT and as WebVTT, whose
    converted text is over 8 MiB); a single cue longer than that is
    refused and stores nothing. With INSPRAAK_INTERVIEWERS set, the names given
    there (any case) are the interviewers, not the defaults.
    Bounded waits only, no timing thresholds.
"""
import json
import os
import random
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, http, main, multipart, wait_until  # noqa: E402

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>Wat zou u willen veranderen in uw wijk?

00:00:04.500 --> 00:00:08.000
<v Mevrouw Peters>Meer groen op het plein.

00:00:08.000 --> 00:00:11.250
<v Mevrouw Peters>En bankjes voor ouderen.

00:00:12.000 --> 00:00:14.000
<v camjo>En wat vindt u?

00:00:14.000 --> 00:00:19.500
<v Henk>Minder auto's in de Promenade.
"""

SRT = ("1\r\n00:00:01,000 --> 00:00:03,000\r\nCAMJO: Wat mist u?\r\n\r\n"
       "2\r\n00:00:03,500 --> 00:00:06,000\r\nANNA: Een speeltuin bij het station\r\n")
TXT = "Interviewer: Wat is uw idee?\nKees: Een markt op zaterdag in Hoensbroek.\n"


def own(text, tag):
    """text with tag at the end of its last statement. The same bytes a
    second time under another video id are a repeat (409, nothing
    stored: services/intake-transcript/README.md), so a test that uploads
    one of the files above uploads its own copy."""
    end = "\r\n" if text.endswith("\r\n") else "\n"
    return text[:-len(end)] + " (" + tag + ")" + end


class TestTranscripts(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-transcript", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token()

    def upload(self, body, ctype="text/vtt", token=None, **query):
        url = self.cluster.url("intake-transcript", "/api/v1/transcripts")
        if query:
            url += "?" + urllib.parse.urlencode(query)
        status, _, data = http("POST", url, body.encode() if isinstance(body, str) else body,
                               {"Content-Type": ctype,
                                "Authorization": "Bearer " + (token or self.token)})
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data

    def ideas(self, **filters):
        q = urllib.parse.urlencode(dict(channel="transcript", limit=100, **filters))
        status, body = self.cluster.api("/api/v1/ideas?" + q, self.token)
        self.assertEqual(status, 200, body)
        return body["items"]

    def video_ideas(self, video_id, n):
        def got():
            items = [i for i in self.ideas() if i["source"]["video_id"] == video_id]
            return items if len(items) >= n else None
        return wait_until("%d ideas of %s" % (n, video_id), got)

    def test_upload_vtt(self):
        status, body = self.upload(own(VTT, "straat-1"), video_id="straat-1", recorded_at="2026-05-02T14:00:00+02:00")
        self.assertEqual(status, 201, body)
        self.assertEqual(body["video_id"], "straat-1")
        self.assertEqual(body["skipped_interviewer"], 2)
        self.assertEqual([(i["start"], i["end"]) for i in body["ideas"]], [(4.5, 11.25), (14.0, 19.5)])

        items = sorted(self.video_ideas("straat-1", 2), key=lambda i: i["source"]["start"])
        self.assertEqual(len(items), 2)
        first, second = items
        self.assertEqual(first["text"], "Meer groen op het plein. En bankjes voor ouderen.")
        self.assertEqual(first["source"]["start"], 4.5)
        self.assertEqual(first["source"]["end"], 11.25)
        self.assertEqual(first["source"]["context"], "Wat zou u willen veranderen in uw wijk?")
        self.assertEqual(second["source"]["context"], "En wat vindt u?")
        self.assertEqual(second["source"]["start"], 14.0)
        self.assertEqual(first["channel"], "transcript")
        self.assertEqual(first["activity"], "camjo-video")
        self.assertTrue(first["received_at"].startswith("2026-05-02T12:00:00"), first["received_at"])
        for i in items:
            self.assertNotIn("Peters", i["text"])
            self.assertNotIn("Henk", i["text"])
            self.assertNotIn("veranderen", i["text"])
        ids = sorted(i["id"] for i in items)
        self.assertEqual(ids, sorted(i["id"] for i in body["ideas"]))

        # the same file again: the same ids, nothing new stored
        status, again = self.upload(own(VTT, "straat-1"), video_id="straat-1")
        self.assertEqual(status, 201, again)
        self.assertEqual(sorted(i["id"] for i in again["ideas"]), ids)
        # the repeat went through the whole pipeline once the next upload is stored
        status, _ = self.upload(own(TXT, "marker-1"), "text/plain", video_id="marker-1")
        self.assertEqual(status, 201)
        self.video_ideas("marker-1", 1)
        self.assertEqual(len([i for i in self.ideas() if i["source"]["video_id"] == "straat-1"]), 2)

    def test_upload_multipart_with_fields_in_the_form(self):
        # as a browser's upload form sends it: the file in "file", the
        # other fields beside it instead of in the query
        vtt = VTT.replace("Meer groen op het plein.", "Meer fietsenrekken bij het station.")
        body, ctype = multipart({"video_id": "straat-mp", "wijk": "WK091712",
                                 "activity": "wijkgesprek", "recorded_at": "2026-05-02"},
                                {"file": ("interview.vtt", "text/vtt", vtt)})
        status, answer = self.upload(body, ctype)
        self.assertEqual(status, 201, answer)
        self.assertEqual(answer["video_id"], "straat-mp")
        self.assertEqual(answer["skipped_interviewer"], 2)
        items = self.video_ideas("straat-mp", 2)
        self.assertEqual(sorted(i["id"] for i in items), sorted(i["id"] for i in answer["ideas"]))
        first = min(items, key=lambda i: i["source"]["start"])
        self.assertEqual(first["text"], "Meer fietsenrekken bij het station. En bankjes voor ouderen.")
        for i in items:
            self.assertEqual(i["wijk"], "WK091712")
            self.assertEqual(i["activity"], "wijkgesprek")
            self.assertEqual(i["received_at"][:19], "2026-05-01T22:00:00")  # midnight in Heerlen

    def test_upload_refused(self):
        status, body = self.upload(VTT, token="fout-token", video_id="x")
        self.assertEqual(status, 401)
        status, body = self.upload("dit is geen webvtt", "text/vtt", video_id="x")
        self.assertEqual(status, 422)
        self.assertIn("WebVTT", body["error"]["message"] if "error" in body else json.dumps(body))
        status, body = self.upload(VTT, video_id="x", wijk="Atlantis")
        self.assertEqual(status, 422)

    def test_drop_folder(self):
        base = os.path.join(self.cluster.var, "transcripts")
        inbox = os.path.join(base, "inbox")
        wait_until("inbox folder", lambda: os.path.isdir(inbox))
        with open(os.path.join(inbox, "markt.srt"), "w", newline="") as f:
            f.write(SRT)
        with open(os.path.join(inbox, "markt.json"), "w") as f:
            json.dump({"video_id": "markt-video", "activity": "wijkgesprek",
                       "video_url": "https://video.heerlen.nl/markt.mp4"}, f)
        with open(os.path.join(inbox, "kees.txt"), "w") as f:
            f.write(TXT)
        with open(os.path.join(inbox, "kapot.vtt"), "w") as f:
            f.write("Dit is geen ondertitelbestand\n")
        with open(os.path.join(inbox, "plein.vtt"), "w") as f:
            f.write(VTT)

        wait_until("markt.srt in done/", lambda: os.path.exists(os.path.join(base, "done", "markt.srt")))
        self.assertTrue(os.path.exists(os.path.join(base, "done", "markt.json")))
        wait_until("kees.txt in done/", lambda: os.path.exists(os.path.join(base, "done", "kees.txt")))
        wait_until("kapot.vtt.why", lambda: os.path.exists(os.path.join(base, "failed", "kapot.vtt.why")))
        self.assertTrue(os.path.exists(os.path.join(base, "failed", "kapot.vtt")))
        with open(os.path.join(base, "failed", "kapot.vtt.why")) as f:
            why = f.read()
        self.assertIn("WebVTT", why)
        self.assertFalse(os.path.exists(os.path.join(inbox, "kapot.vtt")))

        markt = self.video_ideas("markt-video", 1)
        self.assertEqual(len(markt), 1)
        self.assertEqual(markt[0]["text"], "Een speeltuin bij het station")
        self.assertEqual(markt[0]["activity"], "wijkgesprek")
        self.assertEqual((markt[0]["source"]["start"], markt[0]["source"]["end"]), (3.5, 6.0))
        self.assertEqual(markt[0]["source"]["context"], "Wat mist u?")
        self.assertEqual(markt[0]["source"]["video_url"], "https://video.heerlen.nl/markt.mp4")
        # The staff detail page links to the moment in the video.
        page = self.idea_page(markt[0]["id"])
        self.assertIn('href="https://video.heerlen.nl/markt.mp4#t=3"', page)
        # WebVTT from the drop folder: one idea per resident turn, the
        # video id from the file name, no interviewer text among the ideas.
        wait_until("plein.vtt in done/", lambda: os.path.exists(os.path.join(base, "done", "plein.vtt")))
        plein = sorted(self.video_ideas("plein", 2), key=lambda i: i["source"]["start"])
        self.assertEqual([(i["text"], i["source"]["start"], i["source"]["end"]) for i in plein],
                         [("Meer groen op het plein. En bankjes voor ouderen.", 4.5, 11.25),
                          ("Minder auto's in de Promenade.", 14.0, 19.5)])
        kees = self.video_ideas("kees", 1)
        self.assertEqual(kees[0]["text"], "Een markt op zaterdag in Hoensbroek.")
        self.assertIsNone(kees[0]["source"]["start"])
        self.assertIsNone(kees[0]["source"]["video_url"])
        self.assertNotIn("Video bekijken", self.idea_page(kees[0]["id"]))

    def test_binary_junk_refused(self):
        junk = random.Random(7).randbytes(300)
        for ctype in ("text/plain", "application/x-subrip", "application/octet-stream"):
            status, body = self.upload(junk, ctype, video_id="junk-1")
            self.assertEqual(status, 422, body)
            self.assertEqual(body["error"]["code"], "unreadable")
            self.assertIn("geen tekstbestand", body["error"]["message"])
        # without NUL bytes, the share of control characters gives it away
        status, body = self.upload(junk.replace(b"\0", b"a"), "text/plain", video_id="junk-1")
        self.assertEqual(status, 422, body)
        # nothing was stored: a later upload is stored, the junk is not
        status, _ = self.upload(own(TXT, "marker-junk"), "text/plain", video_id="marker-junk")
        self.assertEqual(status, 201)
        self.video_ideas("marker-junk", 1)
        self.assertEqual([i for i in self.ideas() if i["source"]["video_id"] == "junk-1"], [])

    def test_control_characters_cleaned(self):
        srt = ("1\r\n00:00:01,000 --> 00:00:03,000\r\nCAMJO: Wat\x13 mist u?\r\n\r\n"
               "2\r\n00:00:03,500 --> 00:00:06,000\r\nANNA: Een\x1b speeltuin\x0c bij het "
               "station\r\n")
        status, body = self.upload(srt, "application/x-subrip", video_id="ctl-1")
        self.assertEqual(status, 201, body)
        item = self.video_ideas("ctl-1", 1)[0]
        self.assertEqual(item["text"], "Een speeltuin bij het station")
        self.assertEqual(item["source"]["context"], "Wat mist u?")

    def test_vtt_in_windows_1252(self):
        # a WebVTT saved by a Windows tool: 0xE9 is e-acute, 0x80 the euro sign
        vtt = ("WEBVTT\r\n\r\n00:00:01.000 --> 00:00:03.000\r\n<v Interviewer>Wat mist u in "
               "het caf\xe9?\r\n\r\n00:00:03.500 --> 00:00:06.000\r\n<v Ren\xe9>Een caf\xe9 "
               "met koffie voor \u20ac 1.\r\n").encode("cp1252")
        status, body = self.upload(vtt, video_id="cp1252-1")
        self.assertEqual(status, 201, body)
        item = self.video_ideas("cp1252-1", 1)[0]
        self.assertEqual(item["text"], "Een caf\u00e9 met koffie voor \u20ac 1.")
        self.assertEqual(item["source"]["context"], "Wat mist u in het caf\u00e9?")

    def test_recorded_at_date_only(self):
        # a bare date is that day, midnight in Heerlen (CET in March: 23:00 UTC the day before)
        status, body = self.upload(own(SRT, "datum"), "application/x-subrip", video_id="datum-1",
                                   recorded_at="2023-03-01")
        self.assertEqual(status, 201, body)
        item = self.video_ideas("datum-1", 1)[0]
        self.assertEqual(item["received_at"], "2023-02-28T23:00:00Z")
        for bad in ("2023-02-30", "1 maart 2023", "2023-03-01T25:00:00Z"):
            status, body = self.upload(own(SRT, "datum"), "application/x-subrip", video_id="datum-2",
                                       recorded_at=bad)
            self.assertEqual(status, 422, (bad, body))
            self.assertEqual(body["error"]["code"], "invalid_recorded_at")
            self.assertIn("opnamedatum", body["error"]["message"])
        status, body = self.upload(own(SRT, "datum"), "application/x-subrip", video_id="x", wijk="Atlantis")
        self.assertEqual(body["error"]["code"], "unknown_wijk")

    def test_drop_folder_name_used_again(self):
        """The team drops "interview.vtt" (with interview.json) every week:
        last week's file and sidecar stay in done/ beside this week's."""
        base = os.path.join(self.cluster.var, "transcripts")
        inbox = os.path.join(base, "inbox")
        wait_until("inbox folder", lambda: os.path.isdir(inbox))
        weeks = []
        for week in ("week-1", "week-2"):
            vtt = VTT.replace("Promenade", "Promenade (%s)" % week)
            side = json.dumps({"video_id": "interview-" + week})
            with open(os.path.join(inbox, "interview.json"), "w") as f:
                f.write(side)
            with open(os.path.join(inbox, "interview.vtt"), "w") as f:
                f.write(vtt)
            wait_until(week + " read", lambda: not os.path.exists(os.path.join(inbox, "interview.vtt")))
            weeks += [vtt, side]
        done = []
        for name in os.listdir(os.path.join(base, "done")):
            with open(os.path.join(base, "done", name)) as f:
                done.append(f.read())
        for kept in weeks:
            self.assertEqual(done.count(kept), 1)
        self.assertEqual(len(self.video_ideas("interview-week-1", 2)), 2)

    def test_same_name_without_sidecar_keeps_each_weeks_statements(self):
        """Without a sidecar the video id is the file name, so "wekelijks.vtt"
        dropped every week gives every week's statements the same video id
        and, at the same cue times, they took the ids of last week's and
        were dropped as repeats: week 2 was lost. The same file dropped
        again still adds nothing."""
        base = os.path.join(self.cluster.var, "transcripts")
        inbox = os.path.join(base, "inbox")
        wait_until("inbox folder", lambda: os.path.isdir(inbox))
        week1 = VTT.replace("Meer groen op het plein.", "Week een: meer groen op het plein.")
        week2 = (VTT.replace("Meer groen op het plein.", "Week twee: een zebrapad bij de school.")
                 .replace("En bankjes voor ouderen.", "En een brievenbus in de straat."))
        for vtt in (week1, week2, week2):
            with open(os.path.join(inbox, "wekelijks.vtt"), "w") as f:
                f.write(vtt)
            wait_until("read", lambda: not os.path.exists(os.path.join(inbox, "wekelijks.vtt")))
        # Week 1: Mevrouw Peters and the resident after camjo's question;
        # week 2: Mevrouw Peters said something else, the other resident's
        # words are the same and stay one idea.
        items = self.video_ideas("wekelijks", 3)
        texts = sorted(i["text"] for i in items)
        self.assertEqual(len(texts), 3, texts)
        self.assertTrue(any("zebrapad" in t for t in texts), texts)
        self.assertTrue(any("Week een" in t for t in texts), texts)

    def test_drop_folder_refused(self):
        base = os.path.join(self.cluster.var, "transcripts")
        inbox = os.path.join(base, "inbox")
        wait_until("inbox folder", lambda: os.path.isdir(inbox))
        with open(os.path.join(inbox, "stuk.srt"), "w", newline="") as f:
            f.write(SRT)
        with open(os.path.join(inbox, "stuk.json"), "w") as f:
            f.write("{niet af")
        with open(os.path.join(inbox, "ruis.txt"), "wb") as f:
            f.write(random.Random(8).randbytes(300))
        # A sidecar with a field the service does not know ("Wijk" with a
        # capital, "plaats" for the interview place) is refused, naming
        # the field, rather than storing the ideas without their wijk.
        with open(os.path.join(inbox, "plek.srt"), "w", newline="") as f:
            f.write(SRT)
        with open(os.path.join(inbox, "plek.json"), "w") as f:
            json.dump({"video_id": "plek-video", "Wijk": "Heerlen-Centrum", "plaats": "Markt"}, f)
        def why(name):
            path = os.path.join(base, "failed", name + ".why")
            wait_until(name + ".why", lambda: os.path.exists(path))
            with open(path) as f:
                return f.read()
        why_stuk = why("stuk.srt")
        self.assertIn("Het bestand stuk.json is geen geldig JSON-object.", why_stuk)
        self.assertNotIn("NAAM", why_stuk)
        self.assertTrue(os.path.exists(os.path.join(base, "failed", "stuk.json")))
        self.assertIn("geen tekstbestand", why("ruis.txt"))
        why_plek = why("plek.srt")
        self.assertIn("plek.json", why_plek)
        self.assertIn('"Wijk"', why_plek)
        self.assertTrue(os.path.exists(os.path.join(base, "failed", "plek.srt")))
        self.assertEqual([i for i in self.ideas()
                          if i["source"]["video_id"] in ("ruis", "stuk", "plek-video", "plek")], [])

    def test_upload_long_turn(self):
        # over HTTP the same: a resident's turn of 12,000 characters in
        # three cues is two ideas; one cue of more than 10,000 characters
        # cannot be cut and is refused (422, in Dutch), storing nothing
        part = "Meer bomen. " * 333
        srt = SRT + "".join("\r\n%d\r\n00:00:%02d,000 --> 00:00:%02d,000\r\nHENK: %s\r\n"
                            % (n, 2 * n, 2 * n + 2, part) for n in (3, 4, 5))
        status, body = self.upload(srt, "application/x-subrip", video_id="lang-http")
        self.assertEqual(status, 201, body)
        self.assertEqual([(i["start"], i["end"]) for i in body["ideas"]],
                         [(3.5, 6.0), (6.0, 10.0), (10.0, 12.0)])
        one = SRT + "\r\n3\r\n00:00:07,000 --> 00:00:09,000\r\nHENK: " + "Meer bomen. " * 900
        status, body = self.upload(one, "application/x-subrip", video_id="lang-http-2")
        self.assertEqual(status, 422, body)
        self.assertEqual(body["error"]["code"], "text_too_long")
        self.assertIn("De beurt op 00:00:07 heeft meer dan 10.000 tekens", body["error"]["message"])
        status, _ = self.upload(own(TXT, "marker-lang-http"), "text/plain", video_id="marker-lang-http")
        self.assertEqual(status, 201)
        self.video_ideas("marker-lang-http", 1)
        self.assertEqual([i for i in self.ideas() if i["source"]["video_id"] == "lang-http-2"], [])

    def test_upload_long_turn_of_cues_with_one_time(self):
        # a tool that splits one long segment into cues with the same
        # times: the turn is cut into parts with the same start and end,
        # and each part is still an idea of its own (its own id, stored)
        part = "Meer bomen bij het café, graag 🌳. " * 170  # 5,780 characters
        srt = SRT + "".join("\r\n%d\r\n00:00:04,000 --> 00:00:09,000\r\nHENK: %s\r\n"
                            % (n, part) for n in (3, 4))
        status, body = self.upload(srt, "application/x-subrip", video_id="lang-een-tijd")
        self.assertEqual(status, 201, body)
        ids = [i["id"] for i in body["ideas"]]
        self.assertEqual(len(ids), 3, body)  # Henk's answer, then the two parts
        self.assertEqual(len(set(ids)), 3, body)
        items = self.video_ideas("lang-een-tijd", 3)
        self.assertEqual(sorted(i["id"] for i in items), sorted(ids))
        # the same file again: the same ids, nothing doubled
        status, again = self.upload(srt, "application/x-subrip", video_id="lang-een-tijd")
        self.assertEqual([i["id"] for i in again["ideas"]], ids)
        status, _ = self.upload(own(TXT, "marker-een-tijd"), "text/plain", video_id="marker-een-tijd")
        self.assertEqual(status, 201)
        self.video_ideas("marker-een-tijd", 1)
        self.assertEqual(len([i for i in self.ideas() if i["source"]["video_id"] == "lang-een-tijd"]),
                         3)

    def test_video_url_never_javascript(self):
        status, body = self.upload(own(SRT, "js-1"), "application/x-subrip", video_id="js-1",
                                   video_url="javascript:alert(1)//\"><b>")
        self.assertEqual(status, 201, body)
        item = self.video_ideas("js-1", 1)[0]
        self.assertEqual(item["source"]["video_url"], "javascript:alert(1)//\"><b>")
        page = self.idea_page(item["id"])
        self.assertNotIn('href="javascript', page.lower())
        self.assertNotIn('"><b>', page)
        self.assertIn("javascript:alert(1)//&quot;&gt;&lt;b&gt;", page)

    def test_colon_in_a_named_speakers_words_is_kept(self):
        # A resident named by a voice tag who says "Mijn moeder zei
        # altijd: ..." lost those words: they were taken for a repeated
        # speaker name. Only the speaker's own name is dropped.
        vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>Hoe is Heerlen?\n\n"
               "00:00:04.000 --> 00:00:09.000\n<v Spreker 8>Mijn moeder zei altijd: Hèrle was "
               "ooit de rijkste stad van Limburg.\n\n"
               "00:00:10.000 --> 00:00:12.000\n<v Interviewer>En u?\n\n"
               "00:00:12.000 --> 00:00:15.000\n<v Bob>Bob: Meer bankjes.\n")
        status, body = self.upload(vtt, video_id="dubbelepunt-1")
        self.assertEqual(status, 201, body)
        items = sorted(self.video_ideas("dubbelepunt-1", 2), key=lambda i: i["source"]["start"])
        self.assertEqual([i["text"] for i in items],
                         ["Mijn moeder zei altijd: Hèrle was ooit de rijkste stad van Limburg.",
                          "Meer bankjes."])

    def idea_page(self, idea_id):
        """The staff detail page of an idea, after logging in (once)."""
        if not getattr(TestTranscripts, "sid", None):
            TestTranscripts.sid = self.cluster.staff_login()
        status, page = self.cluster.staff_page("/ideeen/" + idea_id, TestTranscripts.sid)
        self.assertEqual(status, 200)
        return page


def chain(ideas, start, end):
    """True when the ideas' times follow each other from start to end."""
    times = sorted((i["source"]["start"], i["source"]["end"]) for i in ideas)
    return (bool(times) and times[0][0] == start and times[-1][1] == end
            and all(a[1] == b[0] for a, b in zip(times, times[1:])))


class TestLongInterview(ClusterTestCase):
    """A whole interview of 7.9 MiB in the drop folder: its own cluster,
    because the ~900 ideas it stores would push the other tests' ideas off
    the first page of the API."""
    SERVICES = TestTranscripts.SERVICES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token()

    def test_drop_folder_long_interview_stored_whole(self):
        # A 7.9 MiB SRT saved as Windows-1252 in which one resident talks
        # on for thousands of cues: every accented byte becomes two in
        # UTF-8, and what she says is far longer than an idea may be
        # (10,000 characters, as on the form). It is stored whole, cut
        # at cue boundaries into ideas of at most 10,000 characters that
        # cover her whole turn, one after the other; Henk's answer too.
        words = ("\u00c9\u00e9n caf\u00e9 \u00e0 la cr\u00e8me br\u00fbl\u00e9e, "
                 "\u00e9\u00e9n pat\u00e9, \u00e7a co\u00fbte \u00e9\u00e9n euro.") * 16
        cues = ["1\r\n00:00:01,000 --> 00:00:03,000\r\nINTERVIEWER: Wat mist u?\r\n",
                "2\r\n00:00:03,000 --> 00:00:05,000\r\nHENK: Een bakker op de hoek.\r\n",
                "3\r\n00:00:05,000 --> 00:00:06,000\r\nMEVROUW PETERS: " + words + "\r\n"]
        n_cues = self.drop_near_limit(
            "lang.srt", cues, lambda n: "%d\r\n%s --> %s\r\n%s\r\n" % (
                n + 1, self.srt_time(n + 3), self.srt_time(n + 4), words))
        last_end = float(n_cues + 3)
        items = self.all_ideas("lang", lambda got: chain(got, 3.0, last_end))
        parts = sorted(items, key=lambda i: i["source"]["start"])
        self.assertEqual(parts[0]["text"], "Een bakker op de hoek.")
        self.assertEqual(parts[0]["source"]["context"], "Wat mist u?")
        peters = parts[1:]
        self.assertGreater(len(peters), 100)
        self.assertEqual(peters[0]["source"]["start"], 5.0)
        self.assertEqual(peters[-1]["source"]["end"], last_end)
        for before, after in zip(peters, peters[1:]):
            self.assertEqual(before["source"]["end"], after["source"]["start"])
        for p in peters:
            self.assertLessEqual(len(p["text"]), 10000)
            self.assertTrue(p["text"].startswith("\u00c9\u00e9n caf\u00e9"), p["text"][:40])
        self.assertEqual(sum(p["text"].count("euro.") for p in peters), 16 * (n_cues - 2))

    def test_drop_folder_vtt_in_windows_1252_near_the_limit(self):
        # The same as WebVTT: under 8 MiB as saved, over 8 MiB once its
        # accents are UTF-8. The limit is on the file as given (as for SRT),
        # so it is read, not refused as "larger than 8388608 bytes".
        line = "\u00e9\u00e9n caf\u00e9 \u00e0 la cr\u00e8me br\u00fbl\u00e9e " * 16
        cues = ["WEBVTT\r\n", "00:00:01.000 --> 00:00:02.000\r\n<v Interviewer>Wat mist u?\r\n"]
        n_cues = self.drop_near_limit(
            "accent.vtt", cues, lambda n: "%s --> %s\r\n<v Ren\u00e9>%s\r\n" % (
                self.srt_time(n).replace(",", "."), self.srt_time(n + 1).replace(",", "."), line))
        last_end = float(n_cues)
        items = self.all_ideas("accent", lambda got: chain(got, 2.0, last_end))
        self.assertGreater(len(items), 100)
        for i in items:
            self.assertTrue(i["text"].startswith("\u00e9\u00e9n caf\u00e9 \u00e0 la"), i["text"][:40])
        first = min(items, key=lambda i: i["source"]["start"])
        self.assertEqual(first["source"]["context"], "Wat mist u?")

    def drop_near_limit(self, name, cues, cue):
        """Puts NAME into the drop folder: cues, then cue(n) for n =
        len(cues), ... until the file is 7.9 MiB, under 8 MiB as
        Windows-1252 and over 8 MiB as UTF-8. Checks it went to done/, not
        failed/; returns the number of cues."""
        base = os.path.join(self.cluster.var, "transcripts")
        inbox = os.path.join(base, "inbox")
        wait_until("inbox folder", lambda: os.path.isdir(inbox))
        size = sum(len(c) + 2 for c in cues)
        while size < int(7.9 * 1024 * 1024):
            cues.append(cue(len(cues)))
            size += len(cues[-1]) + 2
        data = "\r\n".join(cues).encode("cp1252")
        self.assertLess(len(data), 8 * 1024 * 1024)
        self.assertGreater(len(data.decode("cp1252").encode()), 8 * 1024 * 1024)
        with open(os.path.join(base, name + ".part"), "wb") as f:
            f.write(data)
        os.rename(os.path.join(base, name + ".part"), os.path.join(inbox, name))
        wait_until(name + " out of the inbox",
                   lambda: not os.path.exists(os.path.join(inbox, name)), timeout=300)
        self.assertFalse(os.path.exists(os.path.join(base, "failed", name + ".why")))
        self.assertTrue(os.path.exists(os.path.join(base, "done", name)))
        return len(cues)

    def all_ideas(self, video_id, done):
        """Every transcript idea of video_id (all pages), once done(ideas) is true."""
        def got():
            items, cursor = [], None
            while True:
                q = dict(channel="transcript", limit=100)
                if cursor:
                    q["cursor"] = cursor
                status, body = self.cluster.api("/api/v1/ideas?" + urllib.parse.urlencode(q),
                                                self.token)
                self.assertEqual(status, 200, body)
                items += [i for i in body["items"] if i["source"]["video_id"] == video_id]
                cursor = body.get("next_cursor")
                if not cursor:
                    return items if done(items) else None
        return wait_until("all ideas of " + video_id, got, timeout=300, interval=2)

    @staticmethod
    def srt_time(s):
        return "%02d:%02d:%02d,000" % (s // 3600, s // 60 % 60, s % 60)


class TestOwnInterviewers(ClusterTestCase):
    """INSPRAAK_INTERVIEWERS names the interviewers instead of the default
    "Interviewer,camjo" (case ignored): their turns are no ideas, the
    question is the next answer's context; a speaker called Interviewer is
    then a resident like any other."""
    SERVICES = TestTranscripts.SERVICES
    ENV = {"INSPRAAK_INTERVIEWERS": "Gespreksleider, Tourteam"}

    def test_configured_names_are_the_interviewers(self):
        c = self.cluster
        token = c.staff_token()
        vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v gespreksleider>Wat mist u hier?\n\n"
               "00:00:03.500 --> 00:00:06.000\n<v Interviewer>Ik mis een bakker op de hoek.\n\n"
               "00:00:07.000 --> 00:00:08.000\n<v TOURTEAM>Dank u wel!\n")
        url = c.url("intake-transcript", "/api/v1/transcripts?video_id=eigen-1")
        status, _, raw = http("POST", url, vtt.encode(), {"Content-Type": "text/vtt",
                                                          "Authorization": "Bearer " + token})
        self.assertEqual(status, 201, raw)
        body = json.loads(raw)
        self.assertEqual(body["skipped_interviewer"], 2)
        self.assertEqual([(i["start"], i["end"]) for i in body["ideas"]], [(3.5, 6.0)])
        item = c.wait_idea(body["ideas"][0]["id"], token)
        self.assertEqual(item["text"], "Ik mis een bakker op de hoek.")
        self.assertEqual(item["source"]["context"], "Wat mist u hier?")


if __name__ == "__main__":
    main()
