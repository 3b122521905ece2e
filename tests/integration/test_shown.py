#!/usr/bin/env python3
"""
NAME
    test_shown - the counts on /resultaten and in the participation report
    leave hidden ideas out, are right after every moderation, and cost no
    recount of the hidden ideas

DESCRIPTION
    Storage keeps, with every idea and every moderation, the counts of the
    ideas that are not hidden (services/storage/store_shown.h), so a page
    reads one hash per chart. Against real Redis and services
    (tests/lib/harness.py) this checks what a reader and an operator see,
    in the report's appendix ("Bijlage: alle aantallen") and on
    /resultaten:
      - hiding an idea takes it out of every table (each table of a
        dimension with one value per idea adds up to the ideas shown),
        showing it again brings it back;
      - staff correcting the wijk or theme of a shown idea move it, of a
        hidden idea move nothing;
      - rendering the report or /resultaten with hidden ideas issues no
        ZINTERCARD (Redis INFO commandstats): nothing is recounted;
      - ideas stored before these counts existed (a Redis of an older
        storage: the counts deleted): the pages stay right meanwhile, two
        storage instances, restarted, count them once (backfill), and a
        restart after that counts nothing twice;
      - ideas hidden or corrected while still waiting for the backfill
        (as a kill -9 right after it began leaves them) are counted once,
        as they are after the moderation.
"""
import html
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import main, wait_until  # noqa: E402
from test_report import ReportCase, visible  # noqa: E402 (post, stored, report, results)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CENTRUM, HOENSBROEK = "WK091733", "WK091712"
# Tables of a dimension where an idea has exactly one value.
SINGLE = ("Kanaal", "Activiteit", "Doelgroep", "Wijk", "Gevoel", "Nu of toekomst", "Per dag",
          "Status")


class ShownCase(ReportCase):
    ENV = {"INSPRAAK_PUBLIC_CACHE_S": "0"}  # every visit renders the page

    def moderate(self, idea_id, status, wijk, theme):
        """Staff's moderation form: status, wijk and one theme."""
        st, page = self.cluster.staff_page("/ideeen/" + idea_id, self.sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = {"csrf": csrf, "status": status, "wijk": wijk, "sentiment": "neutraal",
                "theme": theme}
        st, _, body = self.cluster.dash("POST", "/ideeen/" + idea_id,
                                        urllib.parse.urlencode(form),
                                        dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:300])

    def commandstats(self):
        info = self.cluster.redis("INFO", "commandstats")
        return {m.group(1): int(m.group(2))
                for m in re.finditer(r"cmdstat_([a-z|]+):calls=(\d+)", info)}

    def figures(self):
        """What the report's appendix and /resultaten show: ({table
        caption: {row label: n}}, the number of ideas on /resultaten), and
        the ZINTERCARDs those two renders issued."""
        before = self.commandstats()
        page = self.report()
        results = self.results()
        recounts = self.commandstats().get("zintercard", 0) - before.get("zintercard", 0)
        appendix = page.split("Bijlage: alle aantallen", 1)[1]
        tables = {}
        for cap, body in re.findall(r"<caption>([^<]*)</caption>.*?<tbody>(.*?)</tbody>",
                                    appendix, re.S):
            rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td>(?:<td>[^<]*</td>)?</tr>", body)
            # a day's cell is <time datetime="...">2 augustus 2026</time>
            tables[html.unescape(cap)] = {html.unescape(re.sub(r"<[^>]+>", "", k)): int(n)
                                          for k, n in rows}
        figures = visible(results.split('id="totaal"', 1)[1])
        total = int(re.search(r"(\d+) (?:ideeën|idee)\b", figures).group(1))
        return tables, total, recounts

    def assertFigures(self, base, want, label):
        """The appendix and /resultaten against base ({caption: {label:
        n}}, total) changed by want ({(caption, label): delta}, total
        delta), every single-value table adding up to the total, with no
        recount."""
        tables, total, recounts = self.figures()
        self.assertEqual(recounts, 0, "%s: the pages recounted hidden ideas" % label)
        self.assertEqual(total, base[1] + want.get("total", 0), label)
        for key, d in want.items():
            if key == "total":
                continue
            cap, row = key
            self.assertEqual(tables[cap].get(row, 0), base[0][cap].get(row, 0) + d,
                             "%s: %s %s" % (label, cap, row))
        for cap in SINGLE:
            self.assertEqual(sum(tables[cap].values()), total, "%s: table %s" % (label, cap))
        return tables

    def labels(self, tables):
        """The report's names of the two wijken used here."""
        names = [k for k in tables["Wijk"] if "Centrum" in k or "Hoensbroek" in k]
        centrum = [k for k in names if "Centrum" in k][0]
        hoensbroek = [k for k in names if "Hoensbroek" in k][0]
        return centrum, hoensbroek


class TestShown(ShownCase):
    def test_counts_follow_hide_show_and_corrections(self):
        ideas = [self.post("Meer bomen op het Pancratiusplein", CENTRUM),
                 self.post("Een bankje bij de Schinkelweg", CENTRUM),
                 self.post("Betaalbare woningen voor starters in het centrum", CENTRUM),
                 self.post("Een speeltuin bij het kasteel", HOENSBROEK)]
        self.stored(ideas)
        a, b, c, d = ideas
        for i, theme in zip(ideas, ("groen", "groen", "wonen", "groen")):
            self.moderate(i, "new", CENTRUM if i != d else HOENSBROEK, theme)
        tables, total, _ = self.figures()
        base = (tables, total)
        centrum, hoensbroek = self.labels(tables)
        groen = [k for k in tables["Thema"] if "groen" in k.lower()][0]
        wonen = [k for k in tables["Thema"] if "won" in k.lower()][0]
        self.assertEqual(tables["Wijk"][centrum], 3)
        self.assertEqual(total, 4)

        self.moderate(b, "hidden", CENTRUM, "groen")
        want = {("Wijk", centrum): -1, ("Thema", groen): -1, "total": -1}
        self.assertFigures(base, want, "b hidden")
        # a correction of a shown idea moves it: wijk and theme
        self.moderate(c, "new", HOENSBROEK, "groen")
        want.update({("Wijk", centrum): -2, ("Wijk", hoensbroek): 1, ("Thema", groen): 0,
                     ("Thema", wonen): -1})
        self.assertFigures(base, want, "c corrected")
        # a correction of a hidden idea moves nothing
        self.moderate(b, "hidden", HOENSBROEK, "wonen")
        self.assertFigures(base, want, "hidden b corrected")
        # shown again (approved), it counts where it is now
        self.moderate(b, "approved", HOENSBROEK, "wonen")
        want.update({("Wijk", hoensbroek): 2, ("Thema", wonen): 0, "total": 0})
        tables = self.assertFigures(base, want, "b approved")
        self.assertEqual(tables["Status"].get("Verborgen", 0), 0)
        # and hidden once more, with a new idea beside it
        self.moderate(a, "hidden", CENTRUM, "groen")
        self.stored([self.post("Een zebrapad bij de school in Hoensbroek", HOENSBROEK)])
        want.update({("Wijk", centrum): -3, ("Wijk", hoensbroek): 3, ("Thema", groen): -1})
        self.assertFigures(base, want, "a hidden, e new")


class TestBackfill(ShownCase):
    INSTANCES = {"storage": 2}

    def kill_and_wait(self, *names):
        """kill -9 of each storage instance named, and its restart."""
        pids = {name: self.cluster.kill9(name) for name in names}
        for name, pid in pids.items():
            self.cluster.wait_restarted(name, pid)

    def test_1_ideas_stored_before_are_counted_once(self):
        ideas = [self.post("Meer groen op het plein", CENTRUM),
                 self.post("Een waterspeelplaats", CENTRUM),
                 self.post("Een hondenuitlaatplaats", HOENSBROEK),
                 self.post("Een buurthuis met koffie", HOENSBROEK)]
        self.stored(ideas)
        self.moderate(ideas[1], "hidden", CENTRUM, "groen")
        tables, total, _ = self.figures()
        centrum, hoensbroek = self.labels(tables)
        self.assertEqual((tables["Wijk"][centrum], tables["Wijk"][hoensbroek], total), (1, 2, 3))
        base = (tables, total)
        # A Redis written by an older storage: the ideas, no shown counts.
        for k in self.cluster.redis("KEYS", "inspraak:shown*"):
            self.cluster.redis("DEL", k)
        tables, total, _ = self.figures()  # still right meanwhile (recounted)
        self.assertEqual((tables, total), base)
        self.kill_and_wait("storage", "storage.1")
        wait_until("the backfill", lambda: self.cluster.redis(
            "HGET", "inspraak:shown-counted", "state") == "done")
        self.assertFigures(base, {}, "after the backfill")
        # A moderation after it, and a restart: nothing is counted twice.
        self.moderate(ideas[1], "new", CENTRUM, "groen")
        self.kill_and_wait("storage", "storage.1")
        self.stored([self.post("Nog een idee voor Hoensbroek", HOENSBROEK)])
        self.assertFigures(base, {("Wijk", centrum): 1, ("Wijk", hoensbroek): 1, "total": 2},
                           "after a restart")

    def test_2_moderated_while_waiting_for_the_backfill(self):
        a, b, c, d = ideas = [self.post("Een fontein op het plein", CENTRUM),
                              self.post("Meer fietsenrekken bij het station", CENTRUM),
                              self.post("Een pannaveld bij de school", HOENSBROEK),
                              self.post("Bloembakken in de straat", HOENSBROEK)]
        self.stored(ideas)
        for i in ideas:
            self.moderate(i, "new", CENTRUM if i in (a, b) else HOENSBROEK, "groen")
        tables, total, _ = self.figures()
        base = (tables, total)
        centrum, hoensbroek = self.labels(tables)
        # What a kill -9 right after a backfill began leaves: the counts
        # started from nothing, every idea still to count.
        r = self.cluster.redis
        for k in r("KEYS", "inspraak:shown*"):
            r("DEL", k)
        r("COPY", "inspraak:ideas", "inspraak:shown-todo")
        r("HSET", "inspraak:shown-counted", "state", "backfill", "ideas", "0")
        # Staff hide one idea and move another meanwhile: the figures are
        # right at once (recounted) and after the backfill (counted there).
        self.moderate(a, "hidden", CENTRUM, "groen")
        self.moderate(b, "new", HOENSBROEK, "groen")
        want = {("Wijk", centrum): -2, ("Wijk", hoensbroek): 1, "total": -1}
        tables, total, _ = self.figures()
        for (cap, row), n in ((k, v) for k, v in want.items() if k != "total"):
            self.assertEqual(tables[cap].get(row, 0), base[0][cap].get(row, 0) + n, row)
        self.assertEqual(total, base[1] - 1)
        self.kill_and_wait("storage", "storage.1")
        wait_until("the backfill", lambda: r("HGET", "inspraak:shown-counted", "state") == "done")
        self.assertFigures(base, want, "after the backfill")


if __name__ == "__main__":
    main()
