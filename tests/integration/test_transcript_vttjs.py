"""
NAME
    test_transcript_vttjs - every file of the vtt.js conformance suite
    through the drop folder: none is lost in silence

DESCRIPTION
    Starts Redis, storage, classifier, intake-transcript and the dashboard
    (tests/lib/harness.py) and drops each of the 267 .vtt files of
    tests/data/vtt/ (mozilla/vtt.js, SOURCE.txt) into the drop folder,
    named after its path. What an operator checks: every file leaves
    inbox/; each one in failed/ has a .why with a reason and a file_ref;
    each one in done/ without a .why (a .why there names the earlier file
    it repeats) has its statements stored, under its name as video id.
    Bounded waits only, no timing thresholds.
"""
import os
import shutil
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402

SUITE = os.path.join(HERE, "..", "data", "vtt", "tests")


def suite_files():
    """{drop name: path} of every .vtt of the suite ("cuetext__bold__basic.vtt")."""
    files = {}
    for root, _, names in os.walk(SUITE):
        for name in names:
            if name.endswith(".vtt"):
                rel = os.path.relpath(os.path.join(root, name), SUITE)
                files[rel.replace(os.sep, "__")] = os.path.join(root, name)
    return files


class TestVttJsSuite(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-transcript", "dashboard")

    def test_every_file_ends_in_done_or_failed_with_a_reason(self):
        files = suite_files()
        self.assertEqual(len(files), 267)
        base = os.path.join(self.cluster.var, "transcripts")
        inbox = os.path.join(base, "inbox")
        wait_until("inbox folder", lambda: os.path.isdir(inbox))
        for name, path in files.items():
            shutil.copyfile(path, os.path.join(inbox, "." + name))
            os.rename(os.path.join(inbox, "." + name), os.path.join(inbox, name))
        wait_until("every file read", lambda: not [n for n in os.listdir(inbox)
                                                   if not n.startswith(".")], timeout=300)
        done = set(os.listdir(os.path.join(base, "done")))
        failed = set(os.listdir(os.path.join(base, "failed")))
        stored = []
        for name in sorted(files):
            if name in failed:
                with open(os.path.join(base, "failed", name + ".why")) as f:
                    lines = f.read().splitlines()
                self.assertEqual(len(lines), 3, (name, lines))
                self.assertTrue(lines[0] and lines[1], (name, lines))
                self.assertTrue(lines[2].startswith("file_ref="), (name, lines))
            elif name + ".why" in done:  # the bytes of another file of the suite
                self.assertIn(name, done)
                with open(os.path.join(base, "done", name + ".why")) as f:
                    self.assertIn("the same bytes as done/", f.read())
            else:
                self.assertIn(name, done)
                stored.append(name[:-len(".vtt")])
        token = self.cluster.staff_token()

        def video_ids():
            ids, cursor = set(), None
            while True:
                q = dict(channel="transcript", limit=500)
                if cursor:
                    q["cursor"] = cursor
                status, body = self.cluster.api("/api/v1/ideas?" + urllib.parse.urlencode(q),
                                                token)
                self.assertEqual(status, 200, body)
                ids |= {i["source"]["video_id"] for i in body["items"]}
                cursor = body.get("next_cursor")
                if not cursor:
                    return ids
        wait_until("statements of every file in done/",
                   lambda: not set(stored) - video_ids(), timeout=300)


if __name__ == "__main__":
    main()
