#!/usr/bin/env python3
"""
NAME
    test_field_app - the field web app in a real headless Chromium

DESCRIPTION
    Starts Redis, storage, classifier, intake-field and the dashboard
    (tests/lib/harness.py), issues a device token, and runs field_app.js
    (playwright-core driving Debian's /usr/bin/chromium): register the
    tablet, go offline, save 2 ideas, see "2 wachten", go online, see them
    sent. Then the dashboard API must list exactly 2 field ideas, with the
    activity type and name, and no personal data. field_app_cases.js plays
    unlucky moments, one case per test, from a file per subject
    (field_app_*_cases.js): an idea saved while a batch is on its way, an
    e-mail address only the browser accepts, an over-long activity or
    name, ideas the server rejects (kept on the tablet, corrected or
    removed), the app started offline, the form itself (the field a
    refusal focuses, the wijk and day a reload keeps).
    Installs playwright-core into tests/browser/node_modules (npm ci from
    package-lock.json) when it is missing; skips when node, npm or chromium
    are not installed (deploy/install-deps.sh test installs them).

    INSPRAAK_BIN=build/asan/bin python3 tests/browser/test_field_app.py
"""
import datetime
import json
import os
import sys
import threading
import time
import unittest
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from harness import ClusterTestCase, main, wait_until  # noqa: E402
import browser  # noqa: E402



@unittest.skipUnless(browser.AVAILABLE, browser.MISSING)
class TestFieldApp(browser.SharedBrowser, ClusterTestCase):
    SERVICES = ("storage", "classifier", "intake-field", "dashboard")

    def test_offline_then_sync(self):
        c = self.cluster
        r = c.ctl("device", "add", "tablet-browser")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip().split()[-1]
        run = browser.run_script("field_app.js", FIELD_URL=c.url("intake-field", "/field"),
                                 FIELD_DEVICE="tablet-browser", FIELD_TOKEN=token)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["waiting"], "2 wachten op verzenden")
        self.assertEqual(seen["rejected"], [])

        # The other tests here add field ideas of their own tablets.
        wait_until("2 field ideas in the dashboard",
                   lambda: len(self.field_ideas("tablet-browser")) >= 2)
        items = self.field_ideas("tablet-browser")
        self.assertEqual(len(items), 2)
        self.assertEqual(len({i["source"]["local_id"] for i in items}), 2)
        for i in items:
            self.assertEqual(i["source"]["device_id"], "tablet-browser")
            self.assertEqual(i["activity"], "omgevingsvisietour")
            self.assertEqual(i["source"]["context"], "omgevingsvisietour Browsertest 12 mei")
        self.assertIn("WK091733", {i["wijk"] for i in items})  # Heerlen-Centrum, given by name
        self.assertNotIn("jan@example.org", json.dumps(items))

    def run_case(self, case, device):
        c = self.cluster
        r = c.ctl("device", "add", device)
        self.assertEqual(r.returncode, 0, r.stderr)
        run = browser.run_script("field_app_cases.js", FIELD_CASE=case, FIELD_DEVICE=device,
                                 FIELD_URL=c.url("intake-field", "/field"),
                                 FIELD_TOKEN=r.stdout.strip().split()[-1])
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        return json.loads(run.stdout.strip().splitlines()[-1])

    def field_ideas(self, device):
        status, body = self.cluster.api("/api/v1/ideas?channel=field&limit=100",
                                        self.cluster.staff_token())
        self.assertEqual(status, 200)
        return [i for i in body["items"] if i["source"]["device_id"] == device]

    def test_idea_saved_while_sending_is_sent_too(self):
        seen = self.run_case("save_during_sync", "tablet-busy")
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("2 ideas of tablet-busy", lambda: len(self.field_ideas("tablet-busy")) == 2)

    def test_email_the_server_refuses_keeps_the_idea(self):
        # The browser's own check lets "jan@heerlen" through; the server
        # refuses it, and the idea (already gone from the form) was lost.
        seen = self.run_case("email_typo", "tablet-typo")
        self.assertTrue(seen["message_is_error"], seen)
        self.assertIn("e-mailadres", seen["message"])
        self.assertTrue(seen["text"].startswith("De stoep"), seen)
        self.assertEqual(seen["pending"], "Alles is verzonden")
        self.assertEqual(seen["rejected"], [])

    def test_long_activity_does_not_block_the_queue(self):
        # Over 200 characters the server refuses the whole batch (422):
        # the idea waited for ever and the screen said nothing.
        seen = self.run_case("long_activity", "tablet-long")
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        self.assertEqual(seen["rejected"], [])
        items = wait_until("the idea of tablet-long", lambda: self.field_ideas("tablet-long"))
        self.assertEqual(items[0]["activity"], "wijkgesprek")

    def test_long_name_keeps_the_idea(self):
        # Over 200 characters the server rejected the item (invalid_name)
        # and the idea itself was gone from the tablet.
        seen = self.run_case("long_name", "tablet-name")
        self.assertEqual(seen["rejected"], [], seen)
        self.assertEqual(seen["pending"], "Alles is verzonden")
        wait_until("the idea of tablet-name", lambda: self.field_ideas("tablet-name"))

    def test_rejected_idea_stays_on_the_tablet_until_corrected(self):
        # The server rejected an item (here: a wijk it does not know) and
        # the app deleted it, showing only "Niet opgeslagen: ...": the
        # resident's words were gone after a reload.
        seen = self.run_case("rejected_kept", "tablet-reject")
        self.assertIn("niet opgeslagen", seen["message_after_reject"].lower(), seen)
        self.assertEqual(len(seen["after_reload"]), 2, seen)
        kept = [r for r in seen["after_reload"] if "fietsenstalling" in r]
        self.assertEqual(len(kept), 1, seen)
        self.assertIn("Deze wijk kennen we niet in Heerlen.", kept[0])
        self.assertIn("Een overdekte fietsenstalling", kept[0])
        self.assertEqual(seen["form"], {
            "activity": "wijkgesprek Zeswegen",
            "text": "Een overdekte fietsenstalling bij station Heerlen, met toezicht.",
            "question": "toekomst", "target_group": "professional",
            "wijk": "Heerlen-Centrumm", "name": "Anna de Vries",
            "email": "anna@example.org", "consent": True, "focused": "wijk"}, seen)
        # A screen reader on the field with the focus hears that it is
        # wrong and why (the note above the form is tied to it).
        self.assertEqual(seen["focused_says"]["id"], "wijk", seen)
        self.assertTrue(seen["focused_says"]["invalid"], seen)
        self.assertIn("Deze wijk kennen we niet in Heerlen.", seen["focused_says"]["described"])
        # The next new idea belongs to the activity chosen before "Aanpassen".
        self.assertEqual(seen["activity_after_save"], "omgevingsvisietour Markt")
        self.assertIn("verwijderen", seen["confirm"].lower())
        self.assertEqual(seen["rejected"], [], seen)
        self.assertEqual(seen["pending"], "Alles is verzonden")
        self.assertEqual(seen["held"], "")

        items = wait_until("the corrected idea of tablet-reject",
                           lambda: self.field_ideas("tablet-reject"))
        self.assertEqual(len(items), 1, items)
        idea = items[0]
        self.assertTrue(idea["text"].startswith("Een overdekte fietsenstalling"), idea)
        self.assertEqual(idea["wijk"], "WK091733")
        self.assertEqual(idea["question"], "toekomst")
        self.assertEqual(idea["target_group"], "professional")
        self.assertEqual(idea["activity"], "wijkgesprek")
        self.assertEqual(idea["source"]["context"], "wijkgesprek Zeswegen")
        self.assertNotIn("hondenweide", json.dumps(self.field_ideas("tablet-reject")))

    def test_wrong_device_code_is_said_at_registration(self):
        # A mistyped code was taken without a word: the tablet collected
        # ideas that could not be sent, and only later said so.
        seen = self.run_case("wrong_code", "tablet-code")
        self.assertTrue(seen["wrong"]["setup_shown"], seen)
        self.assertIn("apparaatcode", seen["wrong"]["said"])
        # the code field has the focus, and says it is wrong and why
        says = seen["wrong"]["focused_says"]
        self.assertEqual(says["id"], "token", seen)
        self.assertTrue(says["invalid"], seen)
        self.assertEqual(says["described"], seen["wrong"]["said"])
        self.assertEqual(seen["right"]["pending"], "Alles is verzonden", seen)
        self.assertEqual(seen["right"]["message"], "Bewaard. Dank u wel!", seen)
        self.assertFalse(seen["right"]["message_is_error"], seen)
        wait_until("the idea of tablet-code", lambda: self.field_ideas("tablet-code"))

    def test_wijk_field_offers_the_names_the_server_knows(self):
        # The wijk was free text: "hoensbroek de dem" or "Heerlerbaan", as
        # people say it, came back "Deze wijk kennen we niet in Heerlen.",
        # and nothing on the tablet said which names would do. Now the
        # first is taken (case and "-"/" " do not matter); the second,
        # which no wijk is called, is refused with the two wijken whose
        # names start with it (as the form says it).
        seen = self.run_case("wijk_list", "tablet-wijk")
        self.assertIn("Hoensbroek-De Dem", seen["online"], seen)
        self.assertIn("Heerlen-Centrum", seen["online"], seen)
        self.assertEqual(len(seen["online"]), 23, seen["online"])  # Heerlen's wijken
        self.assertEqual(seen["offline"], seen["online"])
        self.assertEqual(len(seen["rejected"]), 1, seen)
        self.assertIn("Er zijn twee wijken met Heerlerbaan in de naam: Heerlerbaan-Centrum en "
                      "Heerlerbaan-Schil. Kies een van deze wijken uit de lijst.",
                      seen["rejected"][0])
        # one idea: "het staat", not "ze staan"
        self.assertEqual(seen["message"], "1 idee is niet opgeslagen. Het staat nog op dit "
                         "apparaat, onder „Niet opgeslagen”.")
        items = wait_until("the idea of tablet-wijk", lambda: self.field_ideas("tablet-wijk"))
        wait_until("both ideas of tablet-wijk", lambda: len(self.field_ideas("tablet-wijk")) == 2)
        items = self.field_ideas("tablet-wijk")
        self.assertEqual(sorted(i["wijk"] for i in items), ["WK091712", "WK091733"])

    def test_queue_of_the_old_app_is_still_sent(self):
        # The app's database gained a store for rejected items (version 2);
        # ideas a tablet queued before the update must survive it.
        seen = self.run_case("old_queue", "tablet-old")
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        items = wait_until("the queued idea of tablet-old", lambda: self.field_ideas("tablet-old"))
        self.assertEqual([i["source"]["local_id"] for i in items], ["v1-item"])

    def test_app_starts_offline_from_its_cache(self):
        # The app is several files (web/*.js); the service worker keeps
        # the ones in its list (sw.js SHELL) at install. A file left out
        # of that list was not there offline: the app did not start on
        # the street, with ideas waiting in the queue.
        seen = self.run_case("offline_start", "tablet-offline")
        self.assertEqual(seen["kept"], seen["files"], seen)
        self.assertIn("/field/app.js", seen["files"], seen)
        self.assertIn("/field/queue.js", seen["files"], seen)
        self.assertEqual(seen["offline"]["message"], "Bewaard. Dank u wel!", seen)
        self.assertEqual(seen["offline"]["pending"], "1 wacht op verzenden", seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("the idea of tablet-offline", lambda: self.field_ideas("tablet-offline"))

    def test_phone_day_offline(self):
        # Two emoji are 4 UTF-16 units but 2 characters: the app said
        # "Bewaard", the server refused it, and it came back later under
        # "Niet opgeslagen" instead of the form saying so at once.
        seen = self.run_case("phone_day", "phone-day")
        # the app's files of before are gone once the new app runs
        self.assertEqual(seen["caches"], ["inspraak-field-v17"], seen)
        self.assertEqual(seen["emoji_only"]["message"], "Schrijf minstens 3 tekens.", seen)
        self.assertTrue(seen["emoji_only"]["message_is_error"], seen)
        self.assertEqual(seen["emoji_only"]["pending"], "1 wacht op verzenden", seen)
        # reloaded and killed offline: the queue is still there
        self.assertEqual(seen["after_reload"], "1 wacht op verzenden", seen)
        self.assertEqual(seen["after_kill"], "1 wacht op verzenden", seen)
        # The browser was never allowed to give the location: the app said
        # "De locatie is niet gevonden", and trying again never helped.
        self.assertEqual(seen["gps_refused"], "Deze app mag de locatie niet gebruiken. Vul de wijk "
                         "in. Of geef toestemming voor de locatie in de instellingen van de browser.")
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        self.assertEqual(seen["rejected"], [], seen)
        items = wait_until("the idea of phone-day", lambda: self.field_ideas("phone-day"))
        self.assertEqual(len(items), 1, items)
        self.assertEqual(items[0]["text"], "Gooj plaats veur de kinjer in de wiek, 't is hie sjoan 😊🌳")
        self.assertEqual(items[0]["channel"], "field")
        # staff see when it was said on the street, not when the phone got online
        self.assertLess(items[0]["received_at"], seen["online_at"])

    def staff_steps(self, mark, steps):
        """Plays staff for a case: runs steps[name]() when the case writes
        mark.name, and writes what it returns to mark.name.done."""
        def play():
            for name, step in steps:
                while not os.path.exists(mark + "." + name):
                    time.sleep(0.1)
                said = step()
                with open(mark + "." + name + ".tmp", "w") as f:
                    f.write(said)
                os.rename(mark + "." + name + ".tmp", mark + "." + name + ".done")
        threading.Thread(target=play, daemon=True).start()

    def test_device_revoked_mid_tour(self):
        # The phone was revoked while offline. The app said "Meld de tablet
        # opnieuw aan": the worker tapped "Andere tablet-aanmelding", the
        # idea form was gone, and without a new code at hand no more ideas
        # could be saved; nothing said that the ideas waiting were safe, and
        # the phone's name had to be typed again (a different one would
        # send ideas already stored again, under another device).
        c = self.cluster
        mark = os.path.join(c.var, "field-revoke")
        def revoke():
            self.assertEqual(c.ctl("device", "revoke", "phone-rev").returncode, 0)
            return ""
        def new_code():
            r = c.ctl("device", "add", "phone-rev")
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout.strip().split()[-1]
        self.staff_steps(mark, [("revoke", revoke), ("new-code", new_code)])
        os.environ["FIELD_MARK"] = mark
        try:
            seen = self.run_case("revoked_mid_tour", "phone-rev")
        finally:
            del os.environ["FIELD_MARK"]
        said = seen["revoked"]["message"]
        self.assertIn("De ideeën blijven op dit apparaat bewaard", said, seen)
        self.assertIn("nieuwe code", said, seen)
        self.assertTrue(seen["form_shown"], seen)
        self.assertEqual(seen["after_reload"], "2 wachten op verzenden", seen)
        self.assertEqual(seen["device_field"], "phone-rev", seen)
        self.assertEqual(seen["signed_in_again"]["pending"], "Alles is verzonden", seen)
        wait_until("2 ideas of phone-rev", lambda: len(self.field_ideas("phone-rev")) == 2)

    def test_double_tap_saves_one_idea(self):
        # A second tap on "Bewaar idee" before the form was emptied saved
        # the same words again under a new local_id: two ideas on the
        # dashboard for one resident.
        seen = self.run_case("double_tap", "phone-tap")
        self.assertEqual(seen["after_first"], "1 wacht op verzenden", seen)
        self.assertEqual(seen["waiting"], "2 wachten op verzenden", seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("the ideas of phone-tap", lambda: len(self.field_ideas("phone-tap")) >= 2)
        texts = sorted(i["text"] for i in self.field_ideas("phone-tap"))
        self.assertEqual(len(texts), 2, texts)

    def test_next_idea_tapped_while_saving_is_saved(self):
        # The form was emptied before the save was done (the count, the
        # thanks): a volunteer who typed the next idea and tapped "Bewaar
        # idee" in that moment was ignored without a word, and walked on
        # with the idea still in the form, unsaved.
        seen = self.run_case("next_while_saving", "laptop-hurry")
        self.assertEqual(seen["text"], "", seen)
        self.assertEqual(seen["message"], "Bewaard. Dank u wel!", seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("2 ideas of laptop-hurry", lambda: len(self.field_ideas("laptop-hurry")) >= 2)
        self.assertEqual(sorted(i["text"] for i in self.field_ideas("laptop-hurry")), [
            "Een bankje bij de bushalte aan de Kissel.",
            "Meer groen op het schoolplein van de basisschool."])

    def test_double_submit_saves_one_idea_without_error(self):
        # The tap remembered while a save runs finds the form emptied by
        # that save: it saves nothing, and says nothing wrong.
        seen = self.run_case("double_submit", "laptop-twice")
        self.assertEqual(seen["message"], "Bewaard. Dank u wel!", seen)
        self.assertFalse(seen["message_is_error"], seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("the idea of laptop-twice", lambda: self.field_ideas("laptop-twice"))
        self.assertEqual([i["text"] for i in self.field_ideas("laptop-twice")],
                         ["Een zebrapad bij de basisschool aan de Ganzeweide."])

    def test_send_now_offline_says_why_not(self):
        # "Nu verzenden" without a connection did nothing at all: the
        # screen still said "Bewaard. Dank u wel!", and the worker did not
        # know whether the idea had gone, or would.
        seen = self.run_case("send_offline", "phone-send")
        said = seen["offline"]["message"]
        self.assertIn("geen internet", said, seen)
        self.assertIn("vanzelf verzonden", said, seen)
        self.assertEqual(seen["offline"]["pending"], "1 wacht op verzenden", seen)
        self.assertEqual(seen["online"]["pending"], "Alles is verzonden", seen)
        self.assertNotIn("geen internet", seen["online"]["message"], seen)
        wait_until("the idea of phone-send", lambda: self.field_ideas("phone-send"))

    def test_send_now_gets_past_a_dead_connection(self):
        # A batch on a mobile connection that died gets neither an answer
        # nor an error: the app waited for it, "Nu verzenden" did nothing
        # (a round was still running), and every idea after it stayed on
        # the phone with "1 wacht op verzenden".
        seen = self.run_case("hung_send", "phone-hung")
        self.assertEqual(seen["waiting"], "1 wacht op verzenden", seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("the idea of phone-hung", lambda: self.field_ideas("phone-hung"))
        self.assertEqual(len(self.field_ideas("phone-hung")), 1)

    def assert_one_try_then_the_retry(self, case, device, tapped_at, ideas):
        """Plays a case where "Nu verzenden" is tapped at the moment the app
        calls IndexedDB's tapped_at and the server is away: the app tries
        once, then waits for its retry (5 s); with the server back its
        ideas arrive, each once."""
        seen = self.run_case(case, device)
        self.assertEqual(seen["tapped"], tapped_at, seen)  # the tap did land at that moment
        self.assertEqual(seen["tries_before_waiting"], 1, seen)
        self.assertEqual(seen["tries_after_5_s"], 2, seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("the ideas of " + device, lambda: len(self.field_ideas(device)) >= ideas)
        self.assertEqual(len(self.field_ideas(device)), ideas)

    def test_send_now_after_the_answer_keeps_the_retry_delay(self):
        # "Nu verzenden" tapped just after a batch's answer came in gave
        # up nothing (the batch was done) but left "start again" set: the
        # next round that failed (the server away) tried again at once
        # instead of after 5 s.
        self.assert_one_try_then_the_retry("tap_after_answer", "phone-tap-answer", "delete", 2)

    def test_send_now_while_a_round_ends_starts_no_second_round(self):
        # With the server away, "Nu verzenden" tapped while the app
        # redrew "1 wacht op verzenden" after the failed batch started a
        # second round beside the first, which was still deciding: two
        # tries at once, and a retry set while a round ran.
        self.assert_one_try_then_the_retry("tap_while_deciding", "phone-tap-end", "count", 1)

    def test_late_position_stays_with_its_own_idea(self):
        # "Gebruik mijn locatie", then "Bewaar idee" before the GPS found
        # the position: the answer came while the next idea was typed, and
        # that idea was sent with the position of the one before (and the
        # screen said "Locatie: ..." under it, though nobody asked).
        seen = self.run_case("late_gps", "phone-gps")
        self.assertEqual(seen["where_next"], "", seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("both ideas of phone-gps", lambda: len(self.field_ideas("phone-gps")) == 2)
        by_text = {i["text"]: i for i in self.field_ideas("phone-gps")}
        nxt = by_text["Meer licht in de tunnel, 's avonds is het er donker."]
        self.assertIsNone(nxt["wijk"], nxt)
        self.assertIsNone(nxt["buurt"], nxt)

    def test_app_asks_to_keep_its_storage(self):
        # The ideas waiting on the phone live in the browser's storage,
        # which a phone low on space may clear unless the app asked to
        # keep it (navigator.storage.persist()); the app never asked.
        seen = self.run_case("keep_storage", "phone-keep")
        self.assertEqual(seen["asked_before_saving"], 0, seen)
        self.assertEqual(seen["asked"], 1, seen)
        # whatever the browser answers, the worker sees only the thanks
        self.assertEqual(seen["message"], "Bewaard. Dank u wel!", seen)
        self.assertFalse(seen["message_is_error"], seen)
        self.assertEqual(seen["pending"], "2 wachten op verzenden", seen)

    def test_words_fit_a_phone(self):
        # Field workers use their phones; the app spoke of "deze tablet"
        # ("Tablet aanmelden", "Ze staan nog op deze tablet"); "telefoon of
        # tablet" is fine.
        seen = self.run_case("words", "phone-words")
        self.assertEqual(len(seen["said"]), 3, seen)
        for said in seen["said"]:
            self.assertNotRegex(said.replace("telefoon of tablet", ""), "(?i)tablet", said)
        self.assertIn("Naam van dit apparaat", seen["said"][2])

    def test_counts_are_written_the_dutch_way(self):
        # 1,050 ideas waiting read "1050 wachten op verzenden", and after
        # the server refused them "· 1050 niet opgeslagen" and "50 ideeën
        # zijn niet opgeslagen" (the last batch only); the dashboard
        # writes "1.050".
        seen = self.run_case("thousand", "phone-many")
        self.assertEqual(seen["waiting"], "1.050 wachten op verzenden", seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        self.assertEqual(seen["held"], " · 1.050 niet opgeslagen", seen)
        self.assertTrue(seen["message"].startswith("1.050 ideeën zijn niet opgeslagen."), seen)

    def test_wijk_stays_for_the_next_idea(self):
        # Typing the 40 post-its of a wijkgesprek, the wijk field was empty
        # after every saved idea: picked again 40 times, or left empty, and
        # then the idea was not counted under the register entry with that
        # wijk. It stays now; a position found with "Gebruik mijn
        # locatie" (another wijk, on a street tour) still decides.
        seen = self.run_case("session_wijk", "laptop-wijk")
        self.assertEqual(seen["wijk_after_save"], "Hoensbroek-De Dem", seen)
        # the position found empties the wijk left from the idea before
        self.assertEqual(seen["wijk_after_locate"], "", seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("3 ideas of laptop-wijk", lambda: len(self.field_ideas("laptop-wijk")) == 3)
        by_text = {i["text"]: i["wijk"] for i in self.field_ideas("laptop-wijk")}
        self.assertEqual(by_text, {
            "Een ontmoetingsplek voor ouderen bij het kasteel.": "WK091712",
            "Veiliger oversteken op de Hoofdstraat, bij de school.": "WK091712",
            "Meer fietsenrekken bij het station.": "WK091731"}, by_text)  # its position

    def test_post_its_of_yesterday_count_on_its_day(self):
        # Post-its of a session typed after midnight were sent with the
        # moment of typing: outside the register entry's day, so
        # /resultaten and the report counted 0 ideas for the session.
        # The day of the session can be chosen now (today by default, not
        # in the future, not before 1970 as the server refuses) and stays
        # for the next idea.
        seen = self.run_case("session_date", "laptop-avond-b")
        self.assertEqual(seen["day_shown"], seen["today"], seen)
        for refused in (seen["future"], seen["before_1970"]):
            self.assertTrue(refused["message_is_error"], seen)
            self.assertEqual(refused["text"], "Een bankje bij de bushalte aan de Kissel.", seen)
            self.assertEqual(refused["pending"], "Alles is verzonden", seen)
            # a screen reader on the day field hears that it is wrong, and why
            says = refused["day_says"]
            self.assertEqual(says["id"], "day", seen)
            self.assertTrue(says["invalid"], seen)
            self.assertIn(refused["message"], says["described"], seen)
        self.assertIn("nog niet geweest", seen["future"]["message"])
        self.assertIn("1970", seen["before_1970"]["message"])
        self.assertEqual(seen["day_after_save"], seen["yesterday"], seen)
        self.assertFalse(seen["day_invalid_after_save"], seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        wait_until("2 ideas of laptop-avond-b",
                   lambda: len(self.field_ideas("laptop-avond-b")) == 2)
        heerlen = zoneinfo.ZoneInfo("Europe/Amsterdam")
        days = [datetime.datetime.fromisoformat(i["received_at"].replace("Z", "+00:00"))
                .astimezone(heerlen).date().isoformat()
                for i in self.field_ideas("laptop-avond-b")]
        self.assertEqual(days, [seen["yesterday"]] * 2, seen)

    def test_fields_keep_their_hint_for_a_screen_reader(self):
        # The hints under the wijk and the day field were not tied to the
        # fields, and an error the server found replaced whatever the field
        # described: a screen reader read either the hint or the error, and
        # after the error was fixed, nothing. Now it reads the hint, with
        # the error after it while there is one.
        seen = self.run_case("field_hints", "laptop-hints")
        wijk_hint = ("De wijk blijft staan voor het volgende idee. Met „Gebruik mijn locatie” "
                     "bepaalt de locatie de wijk.")
        day_hint = ("Typt u post-its over van een bijeenkomst op een eerdere dag? Kies dan die "
                    "dag. De datum blijft staan voor het volgende idee.")
        hints = {"wijk": wijk_hint, "day": day_hint}
        self.assertEqual(seen["before"], hints, seen)
        for field, other in (("wijk", "day"), ("day", "wijk")):
            said = seen[field + "_error"]
            self.assertTrue(said[field].startswith(hints[field] + " U past een idee aan dat "
                                                   "niet is opgeslagen. Reden:"), seen)
            self.assertEqual(said[other], hints[other], seen)
            self.assertEqual(seen[field + "_fixed"], hints, seen)
        self.assertIn("Deze wijk kennen we niet in Heerlen.", seen["wijk_error"]["wijk"])
        self.assertIn("De datum of tijd klopt niet", seen["day_error"]["day"])

    def test_refusal_focuses_the_field_it_is_about(self):
        # The server refused a consent it could not read ("De toestemming
        # om te mailen klopt niet"), and "Aanpassen" put the focus on the
        # name field, marked invalid: a screen-reader user heard that the
        # name was wrong, and the consent checkbox was never reached. A
        # position out of range put it on the text. Now the focus and the
        # mark go to the field that is wrong, and to no other.
        seen = self.run_case("refusal_focus", "laptop-focus")
        for code, field, said in (
                ("invalid_participant", "consent", "De toestemming om te mailen klopt niet."),
                ("invalid_location", "wijk", "De locatie klopt niet.")):
            says = seen[code]
            self.assertEqual(says["id"], field, seen)
            self.assertTrue(says["invalid"], seen)
            self.assertIn(said, says["described"], seen)
            self.assertEqual(says["marked"], [field], seen)

    def test_wijk_and_day_survive_a_reload(self):
        # The wijk and the day chosen for a session stayed for the next
        # idea only until the page reloaded (a tablet low on memory does,
        # in the middle of a street tour): then the wijk was empty and the
        # day was today, and the next ideas went under no wijk and the
        # wrong day. Both stay now; the day only for the day it was
        # chosen on: the next morning the app starts at today.
        seen = self.run_case("kept_on_reload", "tablet-reload")
        kept = {"wijk": "Hoensbroek-De Dem", "day": seen["yesterday"]}
        self.assertEqual(seen["after_reload"], kept, seen)
        self.assertEqual(seen["after_save"], kept, seen)
        self.assertEqual(seen["pending"], "Alles is verzonden", seen)
        morning = seen["next_morning"]
        self.assertEqual(morning["day"], morning["today"], seen)
        self.assertNotEqual(morning["day"], seen["today"], seen)  # the clock did move on
        self.assertEqual(morning["wijk"], "Hoensbroek-De Dem", seen)
        ideas = wait_until("2 ideas of tablet-reload",
                           lambda: len(self.field_ideas("tablet-reload")) == 2
                           and self.field_ideas("tablet-reload"))
        heerlen = zoneinfo.ZoneInfo("Europe/Amsterdam")
        self.assertEqual(sorted((i["wijk"], datetime.datetime.fromisoformat(
            i["received_at"].replace("Z", "+00:00")).astimezone(heerlen).date().isoformat())
            for i in ideas), [("WK091712", seen["yesterday"])] * 2, ideas)


if __name__ == "__main__":
    main()
