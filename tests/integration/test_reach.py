#!/usr/bin/env python3
"""
NAME
    test_reach - "ongeveer N mensen deden mee" on /resultaten is right at
    every moment, and costs no reading of the ideas

DESCRIPTION
    The public page counts people: every participant (email or name) once,
    every idea without a person as one, hidden ideas left out. Storage
    keeps these counts with each idea it writes (services/storage/
    store_people.h), so the page reads a few counters. Against real Redis
    and services (tests/lib/harness.py) this checks what a reader and an
    operator see:
      - ideas that arrive with an older received_at (a tablet's batch from
        the street) are counted, and the visit reads no idea record
        (Redis INFO commandstats: no GET or MGET);
      - an idea hidden and another shown between two visits: the number
        follows both (the person whose only shown idea was hidden drops
        out, the one shown again comes back);
      - participant erase: the person stays counted (they took part), and
        their pseudonymous id is then in no key but their ideas' records;
        moderating their ideas afterwards brings it back nowhere; also
        when an older dashboard, still running during an upgrade, wrote
        its former count by pid (inspraak:reach:pids) again;
      - ideas stored before the counts existed (a Redis of an older
        storage: the counts deleted): two storage instances, restarted,
        count them once (backfill) and the page is right without reading
        records; restarting storage again changes nothing;
      - a rolling upgrade (docs/operations.md): an idea an older storage
        instance stored beside a new one, without the counts, is counted
        when that instance starts as a new one, and the page gives its
        number again;
      - damaged records among the ideas stored before (bytes that are no
        MessagePack, a record without its fields, a key of another type):
        the backfill of the people and the shown counts skips each (its
        id in the log once, a metric) and finishes, so the page gives a
        number instead of "still counting" for good.
"""
import html
import json
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, http, main, wait_until  # noqa: E402
from mpack import pack  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
OLD = "2025-05-12T14:%02d:00+02:00"  # months before the form ideas


def visible(page):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


class ReachCase(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-field", "dashboard")
    ENV = {"INSPRAAK_PUBLIC_CACHE_S": "0"}  # every visit renders the page

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        cls.token = c.staff_token()
        cls.sid = c.staff_login()
        r = c.ctl("device", "add", "tablet-reach")
        if r.returncode != 0:
            raise AssertionError("inspraakctl device add: %s" % r.stderr)
        cls.device = r.stdout.strip().split()[-1]

    # --- residents ---
    def post(self, text, wijk="WK091712", email=None):
        fields = {"wijk": wijk}
        if email:
            fields.update(name="Inwoner", email=email)
        st, body = self.cluster.post_idea(text, **fields)
        self.assertEqual(st, 201, body)
        return body["id"]

    def field(self, batch, items):
        """A tablet's batch collected on OLD days; returns the ideas' ids."""
        body = {"device_id": "tablet-reach", "activity": "omgevingsvisietour",
                "collected_by": "team", "items": []}
        for i, (text, email) in enumerate(items):
            item = {"local_id": "%s-%d" % (batch, i), "text": text, "wijk": "WK091733",
                    "collected_at": OLD % i}
            if email:
                item["participant"] = {"name": "Bewoner", "email": email}
            body["items"].append(item)
        st, _, data = http("POST", self.cluster.url("intake-field", "/api/v1/field/batches"),
                           json.dumps(body).encode(),
                           {"Content-Type": "application/json",
                            "Authorization": "Bearer " + self.device})
        self.assertEqual(st, 200, data[:300])
        ids = [a["id"] for a in json.loads(data)["accepted"]]
        self.assertEqual(len(ids), len(items), data[:300])
        return ids

    def stored(self, ids):
        for i in ids:
            self.cluster.wait_idea(i, self.token)

    # --- staff ---
    def moderate(self, idea_id, status):
        st, page = self.cluster.staff_page("/ideeen/" + idea_id, self.sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = {"csrf": csrf, "status": status, "wijk": "WK091712", "sentiment": "neutraal",
                "theme": "groen"}
        st, _, body = self.cluster.dash("POST", "/ideeen/" + idea_id,
                                        urllib.parse.urlencode(form),
                                        dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:300])

    # --- what a reader and an operator see ---
    def people(self):
        """(number, "ongeveer" shown) from /resultaten, or None while the
        page says it is still counting."""
        st, _, body = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(st, 200, body[:300])
        sec = visible(body.decode().split('id="mensen"', 1)[1].split("</section>", 1)[0])
        m = re.search(r"(ongeveer )?(\d+) (?:mensen deden mee|persoon deed mee)", sec)
        return (int(m.group(2)), bool(m.group(1))) if m else None

    def commandstats(self):
        info = self.cluster.redis("INFO", "commandstats")
        return {m.group(1): int(m.group(2))
                for m in re.finditer(r"cmdstat_([a-z|]+):calls=(\d+)", info)}

    def people_and_reads(self):
        """people(), and how many records that visit read (GET, MGET; the
        quotes read approved ideas, so callers approve none first)."""
        before = self.commandstats()
        n = self.people()
        after = self.commandstats()
        return n, sum(after.get(c, 0) - before.get(c, 0) for c in ("get", "mget"))

    def pid_of(self, email):
        r = self.cluster.ctl("participant", "export", email)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)["participant_id"]

    def keys_holding(self, pid):
        """Keys other than idea records whose name or content holds pid."""
        found = []
        for k in self.cluster.redis("KEYS", "*"):
            if k.startswith("inspraak:idea:"):
                continue
            t = self.cluster.redis("TYPE", k)
            read = {"string": ("GET", k), "hash": ("HGETALL", k), "set": ("SMEMBERS", k),
                    "zset": ("ZRANGE", k, 0, -1), "list": ("LRANGE", k, 0, -1)}.get(t)
            v = self.cluster.redis(*read) if read else ""
            if pid in k or pid in str(v):
                found.append(k)
        return found


class TestReach(ReachCase):
    def test_1_older_ideas_are_counted_without_reading_records(self):
        n0 = self.people() or (0, False)
        self.stored([self.post("Meer bomen langs de Akerstraat", email="ria@example.nl"),
                     self.post("Een speeltuin bij het kasteel", email="ria@example.nl"),
                     self.post("Een fietspad naar het station", email="jan@example.nl"),
                     self.post("Minder verkeer door de wijk")])
        self.assertEqual(self.people(), (n0[0] + 3, True))  # Ria, Jan, someone
        # The tour's tablet syncs ideas collected months before: Ria again,
        # Piet, and someone who left no name.
        self.stored(self.field("tour", [("Bankjes bij de bushalte graag", "ria@example.nl"),
                                        ("Een markt op zaterdag", "piet@example.nl"),
                                        ("Meer licht in het park", None)]))
        n, reads = self.people_and_reads()
        self.assertEqual(n, (n0[0] + 5, True))
        self.assertEqual(reads, 0, "the visit read idea records to count people")

    def test_2_hidden_and_shown_between_two_visits(self):
        n0 = self.people()[0]
        ann = [self.post("Een bibliotheek in de wijk", email="ann@example.nl"),
               self.post("Een moestuin voor iedereen", email="ann@example.nl")]
        bo = self.post("Een zebrapad bij de school", email="bo@example.nl")
        self.stored(ann + [bo])
        self.moderate(bo, "hidden")
        self.assertEqual(self.people()[0], n0 + 1)  # Ann
        # Staff hide one of Ann's ideas and show Bo's again: both count.
        self.moderate(ann[0], "hidden")
        self.moderate(bo, "new")  # not "approved": its quote would be read
        self.assertEqual(self.people()[0], n0 + 2)
        # Ann's other idea hidden too: she drops out; shown again: back.
        self.moderate(ann[1], "hidden")
        self.assertEqual(self.people()[0], n0 + 1)
        self.moderate(ann[1], "new")
        n, reads = self.people_and_reads()
        self.assertEqual(n[0], n0 + 2)
        self.assertEqual(reads, 0)

    def test_3_erased_person_stays_counted_without_their_id(self):
        n0 = self.people()[0]
        cas = [self.post("Een hondenlosloopveld", email="cas@example.nl"),
               self.post("Een skatebaan voor de jeugd", email="cas@example.nl")]
        self.stored(cas)
        self.assertEqual(self.people()[0], n0 + 1)
        pid = self.pid_of("cas@example.nl")
        self.assertTrue(pid)
        r = self.cluster.ctl("participant", "erase", "cas@example.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.people()[0], n0 + 1)  # Cas took part
        self.assertEqual(self.keys_holding(pid), [])
        # Moderating the erased person's ideas brings the id back nowhere
        # and leaves the count as it is.
        self.moderate(cas[0], "hidden")
        self.moderate(cas[0], "approved")
        self.assertEqual(self.keys_holding(pid), [])
        self.assertEqual(self.people()[0], n0 + 1)

    def test_4_erase_leaves_no_pid_in_an_older_dashboards_count(self):
        self.stored([self.post("Een kiosk in het park", email="dora@example.nl")])
        pid = self.pid_of("dora@example.nl")
        # Storage is upgraded first (docs/operations.md); the dashboard of
        # before counts again by pid on a visit to /resultaten.
        self.cluster.redis("HSET", "inspraak:reach:pids", pid, "1")
        self.cluster.redis("HSET", "inspraak:reach:state", "counted", "1")
        r = self.cluster.ctl("participant", "erase", "dora@example.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.keys_holding(pid), [])


class TestBackfill(ReachCase):
    INSTANCES = {"storage": 2}

    def restart_storage(self):
        for name in ("storage", "storage.1"):
            old = self.cluster.kill9(name)
            self.cluster.wait_restarted(name, old)

    def test_ideas_stored_before_are_counted_once(self):
        dirk = [self.post("Meer groen op het plein", email="dirk@example.nl"),
                self.post("Een waterspeelplaats", email="dirk@example.nl")]
        eva = self.post("Een hondenuitlaatplaats", email="eva@example.nl")
        fien = self.post("Een buurthuis met koffie", email="fien@example.nl")
        anon = self.post("Een bankje bij de vijver")
        old = self.field("old", [("Een pinautomaat in het centrum", "gijs@example.nl"),
                                 ("Meer parkeerplaatsen", "dirk@example.nl")])
        self.stored(dirk + [eva, fien, anon] + old)
        self.moderate(eva, "hidden")
        pid = self.pid_of("fien@example.nl")
        r = self.cluster.ctl("participant", "erase", "fien@example.nl")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Dirk, Fien (erased, she took part), Gijs and the anonymous idea.
        want = (4, True)
        self.assertEqual(self.people(), want)
        # A Redis written by an older storage: the ideas, no counts.
        self.cluster.redis("DEL", "inspraak:people:pids", "inspraak:people:counts")
        self.assertIsNone(self.people())  # "we are still counting", no wrong number
        # Staff who ask for the people behind the list are told the same.
        _, page = self.cluster.staff_page("/ideeen?mensen=1", self.sid)
        self.assertIn("Het aantal mensen wordt nog geteld", visible(page))
        self.restart_storage()
        wait_until("the backfill", lambda: self.cluster.redis(
            "HGET", "inspraak:people:counts", "state") == "done")
        n, reads = self.people_and_reads()
        self.assertEqual(n, want)
        self.assertEqual(reads, 0)
        self.assertEqual(self.keys_holding(pid), [])
        # A restart finds the counts done: nothing is counted twice.
        self.restart_storage()
        self.stored([self.post("Nog een idee van Dirk", email="dirk@example.nl")])
        self.assertEqual(self.people(), want)

    def test_later_start_counts_an_idea_an_older_instance_stored(self):
        """Runs after the backfill test (which counts from nothing)."""
        n0 = self.people()
        ivo = self.post("Een jeu-de-boulesbaan in het park", email="ivo@example.nl")
        self.stored([ivo])
        self.assertEqual(self.people(), (n0[0] + 1, n0[1]))
        # An older storage instance writes the record and its indexes but
        # none of the people counts: take away what the new one counted.
        pid = self.pid_of("ivo@example.nl")
        self.cluster.redis("HINCRBY", "inspraak:people:counts", "ideas", "-1")
        self.cluster.redis("HDEL", "inspraak:people:pids", pid)
        self.assertIsNone(self.people())  # an idea not counted: no number
        # That instance is replaced by a new one (and the other restarts).
        self.restart_storage()
        wait_until("the number of people", lambda: self.people() is not None)
        self.assertEqual(self.people(), (n0[0] + 1, n0[1]))

    def test_records_damaged_are_skipped_and_the_backfill_finishes(self):
        """Runs last (its damaged records stay)."""
        self.stored([self.post("Een bloemenweide langs de spoorlijn", email="jet@example.nl")])
        n0 = self.people()
        # Three records an older version or a hand edit left damaged: no
        # MessagePack at all, a map without the idea's fields (not even
        # its id), a hash.
        r = self.cluster.redis
        bad = {"damaged-bytes": b"\xc1\xc1 not messagepack",
               "damaged-fields": pack({"colour": "blue"})}
        for i, (idea, value) in enumerate(bad.items()):
            r("SET", "inspraak:idea:" + idea, value)
            r("ZADD", "inspraak:ideas", 1700000000000 + i, idea)
        r("HSET", "inspraak:idea:damaged-type", "text", "a hash, not a record")
        r("ZADD", "inspraak:ideas", 1700000000002, "damaged-type")
        # The counts of an older storage: none; both backfills run.
        r("DEL", "inspraak:people:pids", "inspraak:people:counts")
        for k in r("KEYS", "inspraak:shown*"):
            r("DEL", k)
        self.restart_storage()
        for key in ("inspraak:people:counts", "inspraak:shown-counted"):
            wait_until(key + " done", lambda: r("HGET", key, "state") == "done", timeout=30)
        # The page gives its number again; a damaged record is nobody.
        self.assertEqual(self.people(), n0)
        # Each skipped record is named once in the log (one pass feeds
        # both counts), and counted once.
        log = ""
        for name in ("storage", "storage.1"):
            with open(self.cluster.log_path(name)) as f:
                log += f.read()
        for idea in ("damaged-bytes", "damaged-fields", "damaged-type"):
            lines = [ln for ln in log.splitlines() if idea in ln and "skipped" in ln]
            self.assertEqual(len(lines), 1, "%s: %s" % (idea, lines))
        skipped = 0
        for inst in (0, 1):
            st, _, body = http("GET", self.cluster.url("storage", "/metrics", inst))
            m = re.search(rb"^inspraak_storage_backfill_skipped_total (\d+)", body, re.M)
            skipped += int(m.group(1)) if m else 0
        self.assertEqual(skipped, 3)


if __name__ == "__main__":
    main()
