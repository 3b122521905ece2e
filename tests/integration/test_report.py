#!/usr/bin/env python3
"""
NAME
    test_report - what readers see in the participatieverslag (/report,
    also as PDF) and on the public results page (/resultaten)

DESCRIPTION
    Starts Redis, storage, classifier, intake-form and dashboard
    (tests/lib/harness.py), posts ideas through the form API, approves
    some through the dashboard's moderation form (storage writes them) and
    reads the pages as the city's communication team would:
      - one idea is "1 idee", one wijk "1 wijk" (B1 Dutch plurals);
      - quotes name each group of (near-)identical ideas once, and a clean
        idea is still quoted behind many approved ideas with a phone number;
      - a very long word (a pasted link) is printed whole in the PDF
        (pdftotext, poppler-utils), not cut off at the page edge;
      - the PDF is tagged, names its language and has bookmarks (pdfinfo);
      - /resultaten tells the steps taken (each activity of the register
        with its ideas, in date order, and the standing channels) and the
        people reached (about how many, from how many wijken), with ideas
        from the form and from a street-interview video, without the
        activity's place or any name or address.
    test_dashboard_ui.py covers access, escaping, labels and hidden ideas.
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import ClusterTestCase, http, main  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def visible(page):
    """The text a reader sees (tags removed, entities decoded, spaces folded)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def quotes(page):
    """The quoted texts of a page, in order."""
    return [html.unescape(q) for q in
            re.findall(r'<blockquote><p class="text" dir="auto"[^>]*>(.*?)</p></blockquote>', page, re.S)]


class ReportCase(ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-form", "dashboard")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.cluster.staff_token()
        cls.sid = cls.cluster.staff_login()

    def post(self, text, wijk):
        st, body = self.cluster.post_idea(text, wijk=wijk)
        self.assertEqual(st, 201, body)
        return body["id"]

    def stored(self, ids):
        return [self.cluster.wait_idea(i, self.token) for i in ids]

    def approve(self, idea_id, wijk, themes=("groen",)):
        st, page = self.cluster.staff_page("/ideeen/" + idea_id, self.sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = [("csrf", csrf), ("status", "approved"), ("wijk", wijk),
                ("sentiment", "neutraal")] + [("theme", t) for t in themes]
        st, _, body = self.cluster.dash("POST", "/ideeen/" + idea_id, urllib.parse.urlencode(form),
                                        dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:300])

    def confirm(self, idea):
        """Staff approve IDEA with the labels the classifier gave it."""
        st, page = self.cluster.staff_page("/ideeen/" + idea["id"], self.sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = [("csrf", csrf), ("status", "approved"), ("wijk", idea.get("wijk") or ""),
                ("sentiment", idea.get("sentiment") or "")]
        form += [("theme", t) for t in idea.get("themes") or []]
        st, _, body = self.cluster.dash("POST", "/ideeen/" + idea["id"],
                                        urllib.parse.urlencode(form),
                                        dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:300])

    def label(self, idea_id, wijk, status="approved", sentiment="neutraal", question=""):
        """Staff set IDEA_ID's status, tone and question (theme groen)."""
        st, body = self.cluster.staff_form("/ideeen/" + idea_id, self.sid,
                                           {"status": status, "wijk": wijk, "theme": "groen",
                                            "sentiment": sentiment, "question": question})
        self.assertEqual(st, 303, body[:300])

    def report(self):
        st, _, body = self.cluster.dash("GET", "/report",
                                        headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(st, 200, body[:300])
        return body.decode()

    def results(self):
        st, _, body = self.cluster.dash("GET", "/resultaten")
        self.assertEqual(st, 200, body[:300])
        return body.decode()

    def tour_video(self, video_id="tour-hoensbroek"):
        """Two residents interviewed on the tour's stop in Hoensbroek
        (needs intake-transcript in SERVICES); their ideas' ids."""
        url = self.cluster.url("intake-transcript", "/api/v1/transcripts") + "?" + \
            urllib.parse.urlencode({"video_id": video_id, "wijk": "WK091712",
                                    "recorded_at": "2026-03-12", "activity": "omgevingsvisietour"})
        st, _, data = http("POST", url, TOUR_VTT.encode(),
                           {"Content-Type": "text/vtt", "Authorization": "Bearer " + self.token})
        self.assertIn(st, (200, 201), data[:300])
        return [i["id"] for i in json.loads(data)["ideas"]]

    def wijk_section(self, report, name):
        """The quotes under the report's heading for wijk NAME (section 4)."""
        sec = report.split("4. Ideeën per wijk", 1)[1].split("</section>", 1)[0]
        m = re.search(r"<h3>%s \(\d+ ide[^)]*\)</h3>\n((?:<blockquote>.*?</blockquote>\n)*)"
                      % re.escape(name), sec, re.S)
        self.assertIsNotNone(m, "no heading for %s in: %s" % (name, sec[-2000:]))
        return quotes(m.group(1))


class TestOneIdea(ReportCase):
    def test_one_idea_is_one_idee(self):
        self.stored([self.post("Meer bomen op het Pancratiusplein", "WK091733")])
        for name, page in (("/resultaten", self.results()), ("/report", self.report())):
            seen = visible(page)
            self.assertNotRegex(seen, r"\b1 (ideeën|wijken)\b", name)
            self.assertIn("1 idee", seen, name)
        self.assertIn("1 wijk met ideeën", visible(self.results()))
        self.assertIn("kwam 1 idee binnen", visible(self.report()))
        # the map writes the number in the wijk (a phone or a print has no
        # hover title): one number, 1, inside the map
        page = self.results()
        svg = re.search(r'<svg class="map".*?</svg>', page, re.S).group(0)
        self.assertEqual(re.findall(r'<text class="count"[^>]*>(\d+)</text>', svg), ["1"])
        self.assertIn("Het getal in een wijk is het aantal ideeën", visible(page))
        # The "Per dag" chart names the day as people write it, as the
        # steps section does ("12 maart 2026"); it showed "2026-11-29".
        _, stats = self.cluster.api("/api/v1/stats?by=day", self.token)
        (iso,) = stats["counts"].keys()  # the idea's day in Heerlen, "2026-11-29"
        y, m, d = (int(x) for x in iso.split("-"))
        months = ("januari februari maart april mei juni juli augustus september oktober "
                  "november december").split()
        chart = page.split("<title>Ideeën per dag</title>", 1)[1].split("</svg>", 1)[0]
        self.assertIn(">%d %s %d</text>" % (d, months[m - 1], y), chart)
        self.assertNotIn(iso, visible(page))


def commandstats(cluster):
    """Calls so far per Redis command: {"zcard": 12, ...}."""
    info = cluster.redis("INFO", "commandstats")
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"cmdstat_([a-z|]+):calls=(\d+)", info)}


class TestPublicCache(ReportCase):
    """A second visit to /resultaten, with nothing changed, is the copy
    rendered before: it reads only the few counts that make its version,
    not the stats, activities or ideas again. An idea or a staff action
    shows at once."""

    def test_unchanged_page_is_not_rendered_again(self):
        self.stored([self.post("Meer bomen langs de Akerstraat", "WK091733")])
        first = self.results()
        before = commandstats(self.cluster)
        self.assertEqual(self.results(), first)
        after = commandstats(self.cluster)
        grew = {k for k in after if after[k] > before.get(k, 0)}
        self.assertLessEqual(grew, {"zcard", "lindex", "info"}, grew)
        # a new idea is on the page at the next visit
        self.stored([self.post("Een zebrapad bij de school in Hoensbroek", "WK091712")])
        self.assertIn("2 ideeën", visible(self.results()))
        # and so is a quote staff approve
        other = self.post("Een moestuin voor de buurt in Welten", "WK091736")
        self.stored([other])
        self.approve(other, "WK091736")
        self.assertIn("Een moestuin voor de buurt in Welten", quotes(self.results()))


class TestQuotes(ReportCase):
    def test_near_duplicates_are_quoted_once(self):
        same = "Meer bankjes op het Burgemeester van Grunsvenplein zodat ouderen kunnen rusten"
        other = "Een bibliotheek met een leestafel voor de kinderen in de buurt"
        ids = [self.post(same, "WK091712") for _ in range(3)] + [self.post(other, "WK091712")]
        items = self.stored(ids)
        self.assertEqual(len({i["cluster"] for i in items[:3]}), 1)  # one group of three
        for i in ids:
            self.approve(i, "WK091712")
        for name, shown in (("/resultaten", quotes(self.results())),
                            ("report, Hoensbroek", self.wijk_section(self.report(), "Hoensbroek-De Dem"))):
            self.assertEqual(shown.count(same), 1, (name, shown))
            self.assertIn(other, shown, name)

    def test_clean_idea_is_quoted_behind_flagged_ones(self):
        clean = "Het park in Welten is prachtig, houd het groen zo"
        first = self.post(clean, "WK091736")
        self.stored([first])
        flagged = [self.post("Bel mij op 06-1234567%d over de speeltuin in Welten" % i, "WK091736")
                   for i in range(9)]
        for item in self.stored(flagged):
            self.assertIn("phone", item["pii"])
        for i in [first] + flagged:
            self.approve(i, "WK091736")
        shown = self.wijk_section(self.report(), "Welten-Benzenrade")
        self.assertEqual(shown, [clean])

    def test_quote_in_another_language_says_which(self):
        # A Polish idea was quoted inside the Dutch page with nothing to
        # say it was Polish: a screen reader read it out with Dutch sounds
        # (WCAG 3.1.2, language of parts). It now carries lang="pl"; a
        # Dutch quote takes the page's own language.
        polish = ("Chcialbym wiecej miejsc pracy dla ludzi w Heerlen i lepszy transport "
                  "publiczny do Maastricht")
        dutch = "Een moestuin voor de buurt bij de school in Heerlerheide"
        ids = [self.post(polish, "WK091721"), self.post(dutch, "WK091721")]
        items = self.stored(ids)
        self.assertEqual(items[0]["language"], "pl")
        for i in ids:
            self.approve(i, "WK091721")
        for name, page in (("/resultaten", self.results()), ("/report", self.report())):
            marks = re.findall(r'<p class="text" dir="auto"([^>]*)>%s</p>' % re.escape(polish),
                               page)
            self.assertTrue(marks, name)
            self.assertEqual(set(marks), {' lang="pl"'}, name)
            self.assertEqual(set(re.findall(r'<p class="text" dir="auto"([^>]*)>%s</p>'
                                            % re.escape(dutch), page)), {""}, name)

    def report_pdf(self, tool, *args):
        """/report?format=pdf, and what the poppler-utils TOOL prints
        about it: (PDF bytes, TOOL's output)."""
        st, _, pdf = self.cluster.dash("GET", "/report?format=pdf",
                                       headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(st, 200, pdf[:300])
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            return pdf, subprocess.run([tool, f.name, *args], capture_output=True, check=True,
                                       text=True).stdout

    def test_long_idea_is_quoted_in_part(self):
        # 10,000 characters, the most the form takes: a quote is its start,
        # cut after a whole word, the same on /resultaten and in the report.
        words = ("Maak van het Schinkelplein een groen plein met bomen, bankjes en "
                 "een speelplek voor de kinderen uit Nieuw Lotbroek. ")
        text = (words * (10000 // len(words) + 1))[:10000].strip()
        idea = self.post(text, "WK091713")
        self.stored([idea])
        self.approve(idea, "WK091713")
        cut = [q for q in quotes(self.results()) if q.startswith("Maak van het Schinkelplein")]
        self.assertEqual(len(cut), 1)
        self.assertLess(len(cut[0]), 1000)
        self.assertTrue(cut[0].endswith("..."), cut[0][-40:])
        self.assertTrue(text.startswith(cut[0][:-3]), cut[0][-40:])
        self.assertIn(text[len(cut[0]) - 3], " ,.", "cut inside a word: " + cut[0][-40:])
        section = [q for q in self.wijk_section(self.report(), "Nieuw Lotbroek")
                   if q.startswith("Maak van het Schinkelplein")]
        self.assertEqual(section, cut)

    @unittest.skipUnless(os.access("/usr/bin/chromium", os.X_OK) and shutil.which("pdftotext"),
                         "needs /usr/bin/chromium and pdftotext (poppler-utils)")
    def test_long_word_is_printed_whole(self):
        # No hyphen or space where a line may break (pdftotext drops a
        # hyphen at a line end): only letters and digits.
        word = "https://www.heerlen.nl/plan?id=" + "".join("groen%d" % i for i in range(60))
        idea = self.post("Mijn plan staat op " + word + " en gaat over groen", "WK091737")
        self.stored([idea])
        self.approve(idea, "WK091737")
        _, text = self.report_pdf("pdftotext", "-")
        self.assertIn("Participatieverslag", text)
        self.assertIn(word, re.sub(r"\s+", "", text))

    @unittest.skipUnless(os.access("/usr/bin/chromium", os.X_OK) and shutil.which("pdfinfo"),
                         "needs /usr/bin/chromium and pdfinfo (poppler-utils)")
    def test_pdf_is_tagged_with_bookmarks(self):
        # A screen reader needs the structure (tags) and the language; a
        # long report needs bookmarks to go to a chapter (WCAG 2.4.5, PDF2).
        self.stored([self.post("Meer bankjes in het park van Welten", "WK091736")])
        pdf, info = self.report_pdf("pdfinfo")
        self.assertRegex(info, r"(?m)^Tagged:\s+yes$")
        self.assertTrue(b"/Lang" in pdf, "the PDF names no language")
        self.assertTrue(b"/Outlines" in pdf, "the PDF has no bookmarks")


class TestCharts(ReportCase):
    def test_appendix_tables_run_from_most_to_fewest(self):
        # De Beitel gets its ideas last but has the most: it leads the table.
        self.stored([self.post("Een zebrapad bij de school in Molenberg", "WK091739")])
        self.stored([self.post("Meer licht in het park van De Beitel", "WK091742")
                     for _ in range(3)])
        table = re.search(r"<caption>Wijk</caption>.*?<tbody>(.*?)</tbody>", self.report(), re.S)
        rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td><td>[^<]*</td></tr>", table.group(1))
        counts = [int(n) for _, n in rows]
        self.assertEqual(rows[0], ("De Beitel", "3"), rows)
        self.assertEqual(counts, sorted(counts, reverse=True), rows)

    def test_every_wijk_with_ideas_has_its_bar(self):
        # 14 wijken, one idea each: more than the 12 bars the charts had.
        codes = ["WK0917%d" % n for n in (10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 30, 31, 32, 33)]
        self.stored([self.post("Een bankje bij de bushalte in mijn wijk", c) for c in codes])
        _, wijken = self.cluster.api("/api/v1/stats?by=wijk", self.token)
        self.assertLessEqual(set(codes), set(wijken["counts"]))
        for name, page in (("/resultaten", self.results()), ("/report", self.report())):
            chart = re.search(r"<figcaption>Wijk</figcaption>\s*(<svg.*?</svg>)", page, re.S)
            self.assertIsNotNone(chart, name)
            bars = re.findall(r"<g><title>([^<]*): \d+</title>", chart.group(1))
            self.assertEqual(len(bars), len(wijken["counts"]), (name, bars))
            # what a screen reader says first: what the chart shows
            self.assertIn("<title>Ideeën per wijk</title>", chart.group(1), name)


TOUR_VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>Wat zou u willen veranderen in uw wijk?

00:00:04.500 --> 00:00:08.000
<v Mevrouw Peters>Meer groen op het plein bij de kerk.

00:00:09.000 --> 00:00:12.000
<v camjo>En u, meneer?

00:00:12.500 --> 00:00:16.000
<v Meneer Smeets>Een veilige oversteek bij de school voor de kinderen.
"""


class TestStepsAndPeople(ReportCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-transcript", "dashboard")

    def add_activity(self, **fields):
        st, page = self.cluster.staff_page("/activiteiten", self.sid)
        self.assertEqual(st, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        st, _, body = self.cluster.dash("POST", "/activiteiten",
                                        urllib.parse.urlencode(dict(fields, csrf=csrf)),
                                        dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:500])

    def moderate(self, idea_id, status, wijk):
        st, page = self.cluster.staff_page("/ideeen/" + idea_id, self.sid)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = {"csrf": csrf, "status": status, "wijk": wijk, "sentiment": "neutraal",
                "theme": "groen"}
        st, _, body = self.cluster.dash("POST", "/ideeen/" + idea_id, urllib.parse.urlencode(form),
                                        dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:300])

    def sections(self):
        page = self.results()
        steps = visible(page.split('id="stappen"', 1)[1].split("</section>", 1)[0])
        people = visible(page.split('id="mensen"', 1)[1].split("</section>", 1)[0])
        return page, steps, people

    def test_steps_and_people_reached(self):
        self.add_activity(kind="tourstop", name="Omgevingsvisietour in Hoensbroek",
                          date="2026-03-12", place="Akerstraat 12, bij de kerk", wijk="WK091712",
                          people="40")
        # Three residents use the idea box: Ria twice (one person), Jan once,
        # and someone who left no name or address.
        form = [self.post_as("Meer bomen langs de Akerstraat", "WK091712", "ria@example.nl"),
                self.post_as("Een speeltuin bij het Kasteel Hoensbroek", "WK091712",
                             "ria@example.nl"),
                self.post_as("Fietspad naar het station graag", "WK091733", "jan@example.nl"),
                self.post("Minder verkeer door de wijk", "WK091736")]
        self.stored(form)
        page, steps, people = self.sections()
        self.assertIn("In totaal was er 1 activiteit.", steps)
        self.assertIn("12 maart 2026 Omgevingsvisietour in Hoensbroek "
                      "Stop van de omgevingsvisietour Hoensbroek-De Dem 0 ideeën", steps)
        self.assertIn("Ideeënbus online het formulier op de website 4 ideeën", steps)
        # one name per channel on the whole page: the charts say what the
        # steps say (they said "Formulier" and "Op straat (app)")
        self.assertNotIn("Formulier", visible(page))
        self.assertNotIn("Op straat (app)", visible(page))
        self.assertIn("Ideeënbus online", visible(page).replace(
            "Ideeënbus online het formulier op de website", ""))
        self.assertIn("ongeveer 3 mensen deden mee", people)
        # The wijk is the one an idea is about (the form asks for that), not
        # where its giver lives: the page said "waar zij wonen of werken".
        self.assertIn("3 wijken waar de ideeën over gaan", people)
        self.assertNotIn("wonen of werken", people)

        # The tour's video (an idea older than the form's) and a second
        # activity of two days, entered later but held earlier.
        video = self.tour_video()
        self.assertEqual(len(video), 2)
        self.stored(video)
        self.add_activity(kind="wijkgesprek", name="Wijkgesprek Welten", date="2026-02-03",
                          until="2026-02-04", place="Buurthuis, Weltertuinstraat 5",
                          wijk="WK091736", people="15")
        page, steps, people = self.sections()
        self.assertIn("In totaal waren er 2 activiteiten.", steps)
        rows = re.findall(r"(\d+ \w+ 2026(?: t/m \d+ \w+ 2026)?) (Wijkgesprek Welten|"
                          r"Omgevingsvisietour in Hoensbroek) .*? (\d+) ide", steps)
        self.assertEqual(rows, [("3 februari 2026 t/m 4 februari 2026", "Wijkgesprek Welten", "0"),
                                ("12 maart 2026", "Omgevingsvisietour in Hoensbroek", "2")], steps)
        self.assertIn("Straatinterviews en video gesprekken op straat, op video opgenomen 2 ideeën",
                      steps)
        self.assertIn("E-mail een e-mail aan de gemeente 0 ideeën", steps)
        self.assertIn("ongeveer 5 mensen deden mee", people)  # each speaker is one person
        self.assertIn("Samen gaven zij 6 ideeën", people)
        self.assertIn("spraken medewerkers met 55 mensen", people)
        # the participatieverslag says how many people took part, in the
        # same words as /resultaten (it said nothing about them)
        self.assertEqual(self.report_people(), people)
        for secret in ("Akerstraat 12", "Weltertuinstraat", "ria@example.nl", "Peters", "anna"):
            self.assertNotIn(secret, visible(page).replace("Meer bomen langs de Akerstraat", ""),
                             secret)

        # Jan's only idea is hidden: he and it no longer count, as on the
        # rest of the page; the report's channel table agrees.
        self.moderate(form[2], "hidden", "WK091733")
        _, steps, people = self.sections()
        self.assertIn("ongeveer 4 mensen deden mee", people)
        self.assertIn("Samen gaven zij 5 ideeën", people)
        self.assertEqual(self.report_people(), people)
        self.assertIn("2 wijken waar de ideeën over gaan", people)
        self.assertIn("Ideeënbus online het formulier op de website 3 ideeën", steps)
        self.assertRegex(self.report(), re.compile(r"<caption>Kanaal</caption>.*?<tr><td>"
                                                   r"Ideeënbus online</td><td>3</td><td>", re.S))

        # Ria writes again and a new resident joins without a name: one
        # more person, two more ideas.
        self.stored([self.post_as("Ook een bankje bij de speeltuin", "WK091712",
                                  "ria@example.nl"),
                     self.post("Een markt op zaterdag in Hoensbroek", "WK091712")])
        _, steps, people = self.sections()
        self.assertIn("ongeveer 5 mensen deden mee", people)
        self.assertIn("Samen gaven zij 7 ideeën", people)
        self.assertIn("Bij 4 ideeën weten we niet wie ze gaf", people)  # 2 + the video's 2

    def report_people(self):
        """The report's section on who took part, as read."""
        sec = self.report().split('id="mensen"', 1)
        self.assertEqual(len(sec), 2, "the report has no section on the people")
        return visible(sec[1].split("</section>", 1)[0])

    def post_as(self, text, wijk, email):
        st, body = self.cluster.post_idea(text, wijk=wijk, name="Inwoner", email=email)
        self.assertEqual(st, 201, body)
        return body["id"]


class TestSortingAndNextSteps(ReportCase):
    """The plan promises the council a traceable report and residents a
    page on what happened and what comes next: both say how the ideas were
    sorted (by a computer, checked by staff), how often the computer was
    right where staff looked, and what happens now."""

    def test_report_says_how_ideas_were_sorted_and_what_comes_next(self):
        ids = [self.post("Meer bomen en groen op het Pancratiusplein", "WK091733"),
               self.post("Een veilige fietsroute naar school in Heerlerheide", "WK091721"),
               self.post("Meer bankjes in het park van Welten", "WK091736"),
               self.post("Een speeltuin voor kleine kinderen in Zeswegen", "WK091730")]
        stored = self.stored(ids)
        self.confirm(stored[0])                           # the computer was right
        other = "WK091713" if stored[1].get("wijk") != "WK091713" else "WK091712"
        self.approve(ids[1], other, themes=("mobiliteit",))  # staff corrected it
        report = visible(self.report())
        self.assertIn("Hoe we de ideeën indeelden", report)
        self.assertIn("Een computerprogramma", report)
        self.assertIn("Medewerkers keken 2 van de 4 ideeën na.", report)
        self.assertIn("Bij 1 idee veranderden zij de indeling.", report)
        self.assertIn("De andere 2 ideeën zijn (nog) niet nagekeken.", report)
        for name, page in (("/report", report), ("/resultaten", visible(self.results()))):
            self.assertIn("Wat gebeurt er nu met de ideeën?", page, name)
            self.assertIn("bijlage bij de omgevingsvisie", page, name)
            self.assertIn("terugkombijeenkomst", page, name)
            self.assertIn("e-mail", page, name)
        self.assertIn("Hoe we de ideeën indeelden", visible(self.results()))


class TestSentiment(ReportCase):
    def test_report_says_what_people_like_and_dislike(self):
        # The plan asks what residents are proud of and what not ("Waar
        # zijn ze trots op en waarop niet? ... het heersende sentiment").
        # The report had the tone only as a table in its appendix, without
        # a chart or a single quote.
        liked = "Ik ben trots op het mooie park in Welten, daar wandel ik graag"
        disliked = "Het station is vies en 's avonds voel ik me er niet veilig"
        for text, tone in ((liked, "positief"), (disliked, "negatief")):
            idea = self.post(text, "WK091736")
            self.stored([idea])
            st, page = self.cluster.staff_page("/ideeen/" + idea, self.sid)
            csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
            form = {"csrf": csrf, "status": "approved", "wijk": "WK091736", "sentiment": tone,
                    "theme": "groen"}
            st, _, body = self.cluster.dash("POST", "/ideeen/" + idea,
                                            urllib.parse.urlencode(form),
                                            dict(FORM, Cookie="inspraak_session=" + self.sid))
            self.assertEqual(st, 303, body[:300])
        report = self.report()
        sec = re.search(r"<h2>\d+\. Positief of negatief: hoe denken mensen over Heerlen\?</h2>"
                        r"(.*?)</section>", report, re.S)
        self.assertIsNotNone(sec, "the report has no section on the tone of the ideas")
        self.assertIn("<figcaption>Gevoel</figcaption>", sec.group(1))
        for label, text in (("Positief", liked), ("Negatief", disliked)):
            m = re.search(r"<h3>%s \(1 idee\)</h3>\n((?:<blockquote>.*?</blockquote>\n)*)"
                          % label, sec.group(1), re.S)
            self.assertIsNotNone(m, label)
            self.assertEqual(quotes(m.group(1)), [text], label)


class TestTargetGroups(ReportCase):
    def test_report_quotes_each_group(self):
        # The plan talks with three groups (professionals, buurtorganisaties,
        # inwoners) and promises "ideeën en wensen" of each. The report's
        # section per target group was a chart alone: nothing of what
        # professionals or buurtorganisaties asked for.
        said = {"professional": "Als zorgaanbieder willen we een gezondheidscentrum in Heerlerbaan",
                "buurtorganisatie": "Onze buurtvereniging wil een ontmoetingsplek in het buurthuis"}
        for group, text in said.items():
            st, body = self.cluster.post_idea(text, wijk="WK091740", target_group=group)
            self.assertEqual(st, 201, body)
            self.stored([body["id"]])
            self.approve(body["id"], "WK091740")
        sec = re.search(r"<h2>3\. Ideeën per doelgroep[^<]*</h2>(.*?)</section>", self.report(),
                        re.S)
        self.assertIsNotNone(sec, "the report has no section per target group")
        for label, group in (("Professional", "professional"),
                             ("Buurtorganisatie", "buurtorganisatie")):
            m = re.search(r"<h3>%s \(1 idee\)</h3>\n((?:<blockquote>.*?</blockquote>\n)*)"
                          % label, sec.group(1), re.S)
            self.assertIsNotNone(m, label)
            self.assertEqual(quotes(m.group(1)), [said[group]], label)


class TestReportDate(ReportCase):
    def test_report_date_is_written_in_words(self):
        # "Gemaakt op 29-11-2026" read as a form field; the rest of the
        # report (and the day chart) writes "29 november 2026".
        self.stored([self.post("Een bankje bij de bushalte in Bekkerveld", "WK091737")])
        made = re.search(r"Gemaakt op ([^.]*)\.", visible(self.report()))
        self.assertIsNotNone(made, "the report does not say when it was made")
        months = ("januari februari maart april mei juni juli augustus september oktober "
                  "november december").split()
        self.assertRegex(made.group(1), r"^[1-9]\d? (%s) 20\d\d$" % "|".join(months))


class TestNoQuoteYet(ReportCase):
    def test_heading_without_quotes_says_so(self):
        # Before staff approve anything, every wijk, theme and group of the
        # report had a heading with nothing under it, as if a quote had
        # gone missing. It now says no quote was chosen yet, as
        # /resultaten does.
        self.stored([self.post("Een bankje bij de bushalte in Bekkerveld", "WK091737")])
        report = self.report()
        sec = report.split("4. Ideeën per wijk", 1)[1].split("</section>", 1)[0]
        after = re.search(r"<h3>Bekkerveld \([^)]*\)</h3>\n(.*?)(?:\n|$)", sec)
        self.assertIsNotNone(after, sec[-600:])
        self.assertEqual(visible(after.group(1)).strip(), "Hier is nog geen citaat gekozen.")
        self.assertEqual(quotes(report), [])


class TestReportPeriod(ReportCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-transcript", "dashboard")

    def test_report_says_over_which_days_the_ideas_came(self):
        # "In totaal kwamen 4 ideeën binnen" said nothing of when: a council
        # member could not tell a week of the tour from a year of the idea
        # box. The opening now names the first and the last day.
        self.stored(self.tour_video("tour-2"))
        self.stored([self.post("Een bankje bij de bushalte in Bekkerveld", "WK091737")])
        _, stats = self.cluster.api("/api/v1/stats?by=day", self.token)
        last = max(stats["counts"])  # today in Heerlen, "2026-11-29"
        y, m, d = (int(x) for x in last.split("-"))
        months = ("januari februari maart april mei juni juli augustus september oktober "
                  "november december").split()
        self.assertIn("De ideeën in dit verslag zijn gegeven tussen 12 maart 2026 en "
                      "%d %s %d." % (d, months[m - 1], y), visible(self.report()))


class TestReportActivities(ReportCase):
    def test_activities_in_the_report_read_as_on_resultaten(self):
        # The report's table of activities showed "2026-11-20" and, for
        # a buurtenconferentie for all of Heerlen, wijk "Onbekend";
        # /resultaten says "20 november 2026" and "Heel Heerlen".
        _, page = self.cluster.staff_page("/activiteiten", self.sid)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        form = {"csrf": csrf, "kind": "buurtenconferentie", "date": "2026-11-20",
                "until": "2026-11-21", "place": "Glaspaleis", "people": "22"}
        st, _, body = self.cluster.dash("POST", "/activiteiten", urllib.parse.urlencode(form),
                                        dict(FORM, Cookie="inspraak_session=" + self.sid))
        self.assertEqual(st, 303, body[:300])
        sec = self.report().split("<caption>Activiteiten en bereikte mensen</caption>", 1)
        self.assertEqual(len(sec), 2, "the report has no table of activities")
        row = visible(re.search(r"<tbody>(.*?)</tbody>", sec[1], re.S).group(1))
        self.assertIn("20 november 2026 t/m 21 november 2026", row)
        self.assertIn("Heel Heerlen", row)
        self.assertNotIn("Onbekend", row)
        self.assertNotIn("2026-11", row)
        # The place is staff's own note (it may be a home address, as
        # /resultaten knows): the report, a public appendix, leaves it out;
        # /activiteiten still shows it to staff.
        self.assertNotIn("Glaspaleis", row)
        self.assertNotIn(">Plaats<", sec[1].split("</table>", 1)[0])
        self.assertIn("Glaspaleis", self.cluster.staff_page("/activiteiten", self.sid)[1])

    def test_activity_without_a_name_is_named_by_its_kind(self):
        # An activity staff entered without a public name had an empty
        # "Naam" cell in the report; /resultaten names it by its kind.
        st, body = self.cluster.staff_form("/activiteiten", self.sid,
                                           {"kind": "wijkgesprek", "date": "2026-04-02",
                                            "place": "Buurthuis", "wijk": "WK091736",
                                            "people": "12"})
        self.assertEqual(st, 303, body[:300])
        table = self.report().split("<caption>Activiteiten en bereikte mensen</caption>", 1)[1]
        rows = re.findall(r"<tr><td>2 april 2026</td><td>([^<]*)</td><td>([^<]*)</td>", table)
        self.assertEqual(rows, [("Wijkgesprek", "Wijkgesprek")], table[:600])
        steps = self.cluster.dash("GET", "/resultaten")[2].decode()
        self.assertIn("<td>2 april 2026</td><td>Wijkgesprek</td>", steps)

    def test_activities_in_the_report_run_from_first_to_last(self):
        # The report listed the activities in the order staff entered them
        # (the newest entry first): a stakeholder session of 1 February
        # stood below a buurtenconferentie of 15 February and the tour of
        # 12 March above both. /resultaten lists them from first to last.
        for kind, day in (("tourstop", "2026-03-12"), ("stakeholdersessie", "2026-02-01"),
                          ("buurtenconferentie", "2026-02-15")):
            st, body = self.cluster.staff_form("/activiteiten", self.sid,
                                               {"kind": kind, "date": day, "place": "Glaspaleis",
                                                "people": "10"})
            self.assertEqual(st, 303, body[:300])
        table = self.report().split("<caption>Activiteiten en bereikte mensen</caption>", 1)[1]
        rows = re.findall(r"<tr><td>([^<]*)</td>", table.split("</tbody>", 1)[0])
        months = {m: n for n, m in enumerate(("januari februari maart april mei juni juli "
                                              "augustus september oktober november "
                                              "december").split(), 1)}

        def day(text):
            d, m, y = text.split(" t/m ")[0].split()
            return int(y), months[m], int(d)
        self.assertEqual([r for r in rows if r.endswith(" 2026") and day(r)[1] in (2, 3)],
                         ["1 februari 2026", "15 februari 2026", "12 maart 2026"], rows)
        self.assertEqual([day(r) for r in rows], sorted(day(r) for r in rows), rows)


class TestWhoWeHeardLittleFrom(ReportCase):
    def test_wijken_and_groups_with_few_or_no_ideas_are_named(self):
        # The plan asks who took part and who did not: the council must
        # see which wijken and target groups gave few or no ideas. Twelve
        # wijken give 4 ideas each (half of Heerlen's 23 wijken gave 4 or
        # more), De Hei gives 1 (less than half of 4), ten give none; no
        # buurtorganisatie gave an idea.
        full = ["WK0917%02d" % n for n in (10, 11, 12, 13, 14, 20, 21, 22, 24, 30, 31, 32)]
        ids = []
        for n, wijk in enumerate(full * 4):
            st, body = self.cluster.post_idea("Meer groen en bankjes in de buurt %d" % n,
                                              wijk=wijk, target_group=("inwoner", "professional")[n % 2])
            self.assertEqual(st, 201, body)
            ids.append(body["id"])
        ids.append(self.post("Een ijsbaan in de winter bij De Hei", "WK091723"))
        self.stored(ids)
        page = visible(self.results().split('id="mensen"', 1)[1].split("</section>", 1)[0])
        report = visible(self.report().split('id="mensen"', 1)[1].split("</section>", 1)[0])
        self.assertEqual(page, report)
        self.assertIn("De helft van de wijken kreeg 4 ideeën of meer. Over deze wijk kwamen weinig "
                      "ideeën, minder dan de helft daarvan: De Hei (1 idee).", page)
        self.assertIn("Over deze 10 wijken kwam nog geen idee: ", page)
        for none in ("Eikenderveld", "Heerlen-Centrum", "Bekkerveld", "De Beitel"):
            self.assertIn(none, page.split("kwam nog geen idee:", 1)[1])
        self.assertNotIn("Mariarade", page.split("kwam nog geen idee:", 1)[1])
        self.assertIn("Van buurtorganisaties kwam nog geen idee.", page)


@unittest.skipUnless(os.access("/usr/bin/chromium", os.X_OK) and shutil.which("pdftotext"),
                     "needs /usr/bin/chromium and pdftotext (poppler-utils)")
class TestPdfPageBreaks(ReportCase):
    def test_no_page_ends_with_a_heading(self):
        # A printed report had "Ideeën per wijk op de kaart" as the last
        # line of a page and the map on the next, and a wijk's heading
        # with its quotes overleaf. Ideas of the test corpus, approved in
        # their wijk, fill the sections with quotes over many pages.
        path = os.path.join(os.path.dirname(__file__), "..", "data", "ideas", "dev.jsonl")
        with open(path, encoding="utf-8") as f:
            rows = [r for r in map(json.loads, f) if r.get("wijk")][:80]
        ids = [self.post(r["text"], r["wijk"]) for r in rows]
        self.stored(ids)
        for i, r in zip(ids, rows):
            self.approve(i, r["wijk"], themes=r["themes"][:1])
        page = self.report()
        headings = [visible(h).strip() for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page,
                                                          re.S)]
        _, text = TestQuotes.report_pdf(self, "pdftotext", "-")
        pages = text.split("\f")  # pdftotext ends each page with a form feed
        self.assertGreater(len(pages), 5)
        ends = []
        for n, p in enumerate(pages, 1):
            lines = [x.strip() for x in p.splitlines() if x.strip()]
            if lines and any(h.endswith(lines[-1]) for h in headings):
                ends.append((n, lines[-1]))
        self.assertEqual(ends, [], "pages ending with a heading")


class TestSortingInPlainWords(ReportCase):
    def test_changes_by_staff_are_said_plainly(self):
        # "Bij 0 daarvan veranderden zij de indeling." is not how people
        # talk; nor is "daarvan" after a number without its noun.
        stored = self.stored([self.post("Meer bomen en groen op het Pancratiusplein", "WK091733"),
                              self.post("Een veilige fietsroute naar school", "WK091721"),
                              self.post("Meer bankjes in het park van Welten", "WK091736"),
                              self.post("Een speeltuin bij de Schelsberg", "WK091711")])
        self.confirm(stored[0])
        self.confirm(stored[1])
        report = visible(self.report())
        self.assertIn("Zij hebben de indeling nergens veranderd.", report)
        self.assertNotIn("Bij 0", report)
        for idea in stored[2:]:
            other = "WK091713" if idea.get("wijk") != "WK091713" else "WK091712"
            self.approve(idea["id"], other, themes=("mobiliteit",))
        self.assertIn("Bij 2 ideeën veranderden zij de indeling.", visible(self.report()))


class TestSortingOfTheFirstIdea(ReportCase):
    def test_one_idea_not_checked_is_not_called_the_other(self):
        # With one idea and no check yet the report said "Medewerkers
        # hebben de indeling nog niet nagekeken. Het andere idee is (nog)
        # niet nagekeken.": there is no other idea.
        self.stored([self.post("Meer bomen en groen op het Pancratiusplein", "WK091733")])
        for name, page in (("/report", self.report()), ("/resultaten", self.results())):
            text = visible(page)
            self.assertIn("Medewerkers hebben de indeling nog niet nagekeken.", text, name)
            self.assertNotIn("andere idee", text, name)
            # nor "Daar kan de indeling soms niet kloppen.": "daar"
            # pointed at nothing named
            self.assertIn("Medewerkers hebben de indeling nog niet nagekeken. Daarom kan de "
                          "indeling soms niet kloppen.", text, name)

    def test_the_one_idea_checked_and_changed_is_called_that_idea(self):
        # One idea checked and changed read "De indeling van de computer
        # klopte bij geen van die ideeën.": plural, for one idea.
        first = self.cluster.api("/api/v1/ideas?limit=1", self.token)[1]["items"][0]
        self.stored([self.post("Een veilige fietsroute naar school", "WK091721")])
        other = "WK091713" if first.get("wijk") != "WK091713" else "WK091712"
        self.approve(first["id"], other, themes=("mobiliteit",))
        for name, page in (("/report", self.report()), ("/resultaten", self.results())):
            text = visible(page)
            self.assertIn("Medewerkers keken 1 van de 2 ideeën na. Zij veranderden de indeling "
                          "van dat idee. Het andere idee is (nog) niet nagekeken.", text, name)
            self.assertNotIn("Bij 1 idee veranderden", text, name)


class TestSortingOfTheOnlyIdea(ReportCase):
    def test_the_only_idea_checked_is_not_one_of_one(self):
        # "Medewerkers keken 1 van de 1 idee na." is no way to say it.
        idea = self.stored([self.post("Meer bomen en groen op het Pancratiusplein",
                                      "WK091733")])[0]
        other = "WK091713" if idea.get("wijk") != "WK091713" else "WK091712"
        self.approve(idea["id"], other, themes=("mobiliteit",))
        for name, page in (("/report", self.report()), ("/resultaten", self.results())):
            text = visible(page)
            self.assertIn("Medewerkers keken het idee na. Zij veranderden de indeling van dat "
                          "idee.", text, name)
            self.assertNotIn("1 van de 1", text, name)


class TestSortingOfTheOnlyIdeaConfirmed(ReportCase):
    def test_the_only_idea_confirmed_is_called_that_idea(self):
        # "Bij 1 idee klopte de indeling van de computer al." said of the
        # only idea there is.
        idea = self.stored([self.post("Meer bomen en groen op het Pancratiusplein",
                                      "WK091733")])[0]
        self.confirm(idea)
        for name, page in (("/report", self.report()), ("/resultaten", self.results())):
            text = visible(page)
            self.assertIn("Medewerkers keken het idee na. De indeling van de computer klopte "
                          "bij dat idee al.", text, name)
            self.assertNotIn("Bij 1 idee klopte", text, name)


class TestSortingSaysOnlyWhatIsTrue(ReportCase):
    def test_one_theme_per_idea_is_not_called_more_themes(self):
        # A resident whose only idea got one theme read "Daarom zijn de
        # aantallen per thema samen meer dan het aantal ideeën." under a
        # theme table of 1 idea: not true for these figures.
        idea = self.stored([self.post("Meer bomen en groen op het Pancratiusplein",
                                      "WK091733")])[0]
        self.approve(idea["id"], "WK091733", themes=("groen",))
        for name, page in (("/report", self.report()), ("/resultaten", self.results())):
            text = visible(page)
            self.assertIn("Een idee kan over meer dan één thema gaan.", text, name)
            self.assertNotIn("samen meer dan het aantal ideeën", text, name)


class TestShares(ReportCase):
    def test_tables_give_each_share_and_the_total(self):
        # A council member comparing wijken saw "3" and "1" and had to
        # work out the shares and the total by hand.
        self.stored([self.post("Meer licht in het park van De Beitel", "WK091742")
                     for _ in range(3)])
        self.stored([self.post("Een zebrapad bij de school in Molenberg", "WK091739")])
        for name, page in (("/report", self.report()), ("/resultaten", self.results())):
            table = re.search(r"<caption>Wijk</caption>.*?</table>", page, re.S).group(0)
            rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td><td>([^<]*)</td></tr>", table)
            self.assertEqual(rows, [("De Beitel", "3", "75,0%"), ("Molenberg", "1", "25,0%")],
                             name)
            self.assertIn("<th scope=\"col\">Deel</th>", table, name)
            self.assertEqual(visible(table.split("<tfoot>", 1)[-1].split("</tfoot>", 1)[0]).split(),
                             ["Totaal", "4", "100,0%"], name)
            # an idea may have more themes: the theme shares are of all
            # ideas and have no total that would count ideas twice
            themes = re.search(r"<caption>Thema</caption>.*?</table>", page, re.S).group(0)
            self.assertNotIn("<tfoot>", themes, name)
            # the chart's own text alternative still names count per bar
            chart = re.search(r"<figcaption>Wijk</figcaption>\s*(<svg.*?</svg>)", page, re.S)
            self.assertIn("<g><title>De Beitel: 3</title>", chart.group(1), name)


class TestThemeShares(ReportCase):
    def test_theme_shares_say_they_are_of_all_ideas(self):
        # An idea may have up to three themes, so the theme shares add up
        # to more than 100%: a reader who saw every other table end at
        # "Totaal 100,0%" took the column "Deel" for an error.
        ideas = self.stored([self.post("Meer bomen en betaalbare woningen in De Beitel",
                                       "WK091742"),
                             self.post("Een zebrapad bij de school in Molenberg", "WK091739")])
        self.approve(ideas[0]["id"], "WK091742", themes=("groen", "wonen"))
        self.approve(ideas[1]["id"], "WK091739", themes=("groen",))
        for name, page in (("/report", self.report()), ("/resultaten", self.results())):
            table = re.search(r"<caption>Thema</caption>.*?</table>", page, re.S).group(0)
            after = visible(page.split(table, 1)[1][:400])  # what a reader reads next
            heads = [visible(h).strip() for h in re.findall(r"<th scope=\"col\">(.*?)</th>", table)]
            self.assertEqual(heads, ["Waarde", "Aantal ideeën", "Deel van alle ideeën"], name)
            rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td><td>([^<]*)</td></tr>", table)
            self.assertEqual(sorted(r[2] for r in rows), ["100,0%", "50,0%"], name)
            self.assertIn("Een idee kan over meer dan één thema gaan. Daarom zijn de delen samen "
                          "meer dan 100%.", after, name)


class TestEveryWijkQuoted(ReportCase):
    def test_a_small_wijk_gets_its_quote(self):
        # Only the 8 largest wijken had a heading and quotes: a council
        # member of a small wijk found nothing of it in section 4.
        big = ["WK0917%d" % n for n in (10, 11, 12, 13, 14, 20, 21, 22)]
        self.stored([self.post("Een bankje bij de bushalte in mijn wijk", c)
                     for c in big for _ in range(2)])
        text = "Een speelveld voor de jeugd achter de kerk in Bekkerveld"
        (small,) = self.stored([self.post(text, "WK091737")])
        self.approve(small["id"], "WK091737")
        report = self.report()
        self.assertEqual(self.wijk_section(report, "Bekkerveld"), [text])


class TestToneByQuestion(ReportCase):
    def test_tone_is_split_into_now_and_future(self):
        # Plan: "Waar zijn ze trots op en waarop niet?" is about Heerlen
        # now; section 7 counted the tone of all ideas, wishes for the
        # future too, without saying so.
        wanted = (("positief", "nu", "approved"), ("negatief", "nu", "approved"),
                  ("positief", "toekomst", "approved"), ("positief", "nu", "hidden"))
        ideas = self.stored([self.post("Idee nummer %d over het park in Welten" % i, "WK091736")
                             for i in range(len(wanted))])
        for idea, (tone, question, status) in zip(ideas, wanted):
            self.label(idea["id"], "WK091736", status, tone, question)
        report = self.report()
        sec = re.search(r"<h2>7\. Positief of negatief[^<]*</h2>(.*?)</section>", report, re.S)
        table = re.search(r"<caption>Gevoel per vraag</caption>(.*?)</table>", sec.group(1), re.S)
        self.assertIsNotNone(table, "section 7 does not split the tone by question")
        rows = {visible(r).strip() for r in re.findall(r"<tr>(.*?)</tr>", table.group(1))}
        self.assertIn("Heerlen nu 1 0 1 2", rows)
        self.assertIn("Heerlen in de toekomst 1 0 0 1", rows)
        self.assertIn("De citaten hieronder komen uit alle ideeën", visible(sec.group(1)))


class TestReportStepsWithIdeas(ReportCase):
    SERVICES = ("storage", "classifier", "intake-form", "intake-transcript", "dashboard")

    def test_report_says_the_ideas_of_each_activity_and_channel(self):
        # The plan wants the steps traceable: the report's table of
        # activities had the people spoken to but not the ideas each
        # activity gave, and no table of the channels as /resultaten has.
        st, body = self.cluster.staff_form("/activiteiten", self.sid,
                                           {"kind": "tourstop", "name": "Tour in Hoensbroek",
                                            "date": "2026-03-12", "place": "Markt",
                                            "wijk": "WK091712", "people": "40"})
        self.assertEqual(st, 303, body[:300])
        self.stored(self.tour_video())
        self.stored([self.post("Een bankje bij de bushalte in Bekkerveld", "WK091737")])
        report = self.report()
        table = report.split("<caption>Activiteiten en bereikte mensen</caption>", 1)[1]
        table = table.split("</table>", 1)[0]
        self.assertIn("<th scope=\"col\">Ideeën</th>", table)
        row = re.search(r"<tr><td>12 maart 2026</td>.*?</tr>", table).group(0)
        self.assertEqual(visible(row).split()[-2:], ["40", "2"], row)
        chan = re.search(r"<caption>Kanalen</caption>(.*?)</table>", report, re.S)
        self.assertIsNotNone(chan, "the report has no table of the channels")
        seen = visible(chan.group(1))
        self.assertIn("Ideeënbus online het formulier op de website 1 idee", seen)
        self.assertIn("gesprekken op straat, op video opgenomen 2 ideeën", seen)


if __name__ == "__main__":
    main()
