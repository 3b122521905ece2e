#!/usr/bin/env python3
"""
NAME
    test_staff_accounts - inspraakctl user list|delete|password against a
    real dashboard

DESCRIPTION
    Starts Redis, storage and the dashboard (tests/lib/harness.py;
    binaries from INSPRAAK_BIN) and checks what an operator and a staff
    member see:
      - user list: name, role, created and the last login (empty before
        the first), sorted by name;
      - user delete: a staff member who leaves is logged out at once (the
        next page is the login page), cannot log in again; unknown user:
        exit 3; no name: exit 2;
      - users and API tokens are apart: deleting user "monitor" leaves the
        monitoring token "monitor" working, and revoking that token leaves
        the user's sessions open;
      - the login page a deleted user or one with a new password lands on
        says to log in again, not that they did nothing for a while (which
        is not why), nor whether the account still exists;
      - user delete and user password write an audit entry (user
        "inspraakctl", never the name nor a password);
      - user add, token create|revoke and device add|revoke write the
        audit entries /beheer writes for the same change (user_add with
        the role, token_create with the role, token_revoke, device_add
        and device_revoke with the device name; user "inspraakctl"),
        never a user's name, a password or a token; a refused change
        writes none;
      - user password: a new password from stdin with the rules of user
        add; the old sessions end, the old password no longer logs in,
        the new one does; a short password changes nothing (exit 1).
      - after the upgrade that added the password check (operations.md:
        "staff log in once more"), a session an older dashboard made
        (no "pw") sends staff to the login page saying "U bent uitgelogd",
        not that they were idle; the list's CSV download does the same
        instead of a bare 401;
      - a staff page reads its session and the user's password hash in
        one round trip to Redis (MONITOR: one command from the dashboard
        before the session's EXPIRE, the hash read inside it).

Usage: INSPRAAK_BIN=build/asan/bin INSPRAAK_DATA=$PWD/data \
       python3 tests/integration/test_staff_accounts.py
"""
import hashlib
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients import redis  # noqa: E402
from harness import ClusterTestCase, main  # noqa: E402
from test_dashboard_ui import FORM, cookie, header, req  # noqa: E402

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z"


class TestStaffAccounts(ClusterTestCase):
    SERVICES = ("storage", "dashboard")

    def add(self, user, password, role="staff"):
        r = self.cluster.ctl("user", "add", user, "--role", role, input=password + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)

    def login(self, user, password, expect=303):
        st, hs, _ = req(self.cluster, "GET", "/login")
        self.assertEqual(st, 200)
        pre, _ = cookie(hs, "inspraak_login")
        form = urllib.parse.urlencode({"user": user, "password": password, "csrf": pre})
        st, hs, body = req(self.cluster, "POST", "/login", form,
                           dict(FORM, Cookie="inspraak_login=" + pre))
        self.assertEqual(st, expect, body[:400])
        return cookie(hs, "inspraak_session")[0]

    def page(self, sid, path="/ideeen"):
        """(status, Location or None) of a staff page with that session."""
        st, hs, _ = req(self.cluster, "GET", path,
                        headers={"Cookie": "inspraak_session=" + sid})
        loc = header(hs, "Location")
        return st, loc[0] if loc else None

    def login_page_text(self, loc):
        st, _, body = req(self.cluster, "GET", loc)
        self.assertEqual(st, 200)
        return body.decode() if isinstance(body, bytes) else body

    def audit(self, action):
        lines = [json.loads(x) for x in self.cluster.redis("LRANGE", "inspraak:audit", "0", "-1")]
        return [a for a in lines if a["action"] == action]

    def test_user_list_shows_role_created_and_last_login(self):
        self.add("lijst-a", "lijst-wachtwoord-a", "admin")
        self.add("lijst-b", "lijst-wachtwoord-b")
        self.login("lijst-a", "lijst-wachtwoord-a")
        r = self.cluster.ctl("user", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        mine = [row for row in rows if row[0].startswith("lijst-")]
        self.assertEqual([row[:2] for row in mine], [["lijst-a", "admin"], ["lijst-b", "staff"]])
        self.assertEqual([len(row) for row in mine], [4, 4])
        for row in mine:
            self.assertRegex(row[2], "^" + ISO + "$")
        self.assertRegex(mine[0][3], "^" + ISO + "$")
        self.assertEqual(mine[1][3], "")  # never logged in
        self.assertNotIn("argon2", r.stdout)
        self.assertEqual([row[0] for row in rows], sorted(row[0] for row in rows))

    def test_user_delete_ends_sessions_at_once(self):
        self.add("vertrekt", "vertrekt-wachtwoord")
        sid = self.login("vertrekt", "vertrekt-wachtwoord")
        self.assertEqual(self.page(sid)[0], 200)

        r = self.cluster.ctl("user", "delete", "vertrekt")
        self.assertEqual(r.returncode, 0, r.stderr)
        # The very next request: the login page.
        st, loc = self.page(sid)
        self.assertEqual(st, 303)
        self.assertTrue(loc.startswith("/login"), loc)
        text = self.login_page_text(loc)
        self.assertIn("U bent uitgelogd. Log opnieuw in.", text)
        self.assertNotIn("niets deed", text)  # not idle: that was not why
        newest = self.audit("user_delete")[0]
        self.assertEqual((newest["user"], newest["detail"]), ("inspraakctl", None))
        self.assertNotIn("vertrekt", json.dumps(newest))
        self.login("vertrekt", "vertrekt-wachtwoord", expect=401)
        self.assertNotIn("vertrekt\t", self.cluster.ctl("user", "list").stdout)

        r = self.cluster.ctl("user", "delete", "vertrekt")
        self.assertEqual(r.returncode, 3)
        self.assertIn("no user named vertrekt", r.stderr)
        self.assertEqual(self.cluster.ctl("user", "delete").returncode, 2)

    def test_user_delete_leaves_the_token_of_that_name(self):
        # The monitoring token is called "monitor", and so is a staff user.
        self.add("monitor", "monitor-wachtwoord")
        r = self.cluster.ctl("token", "create", "monitor")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()
        self.assertEqual(self.cluster.api("/api/v1/stats?by=wijk", token)[0], 200)

        r = self.cluster.ctl("user", "delete", "monitor")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.cluster.api("/api/v1/stats?by=wijk", token)[0], 200)
        self.assertNotIn("token", r.stderr)
        self.assertIn("monitor\t", self.cluster.ctl("token", "list").stdout)
        self.assertEqual(self.audit("user_delete")[0]["detail"], None)

    def test_token_revoke_leaves_the_user_of_that_name(self):
        self.add("meter", "meter-wachtwoord-1")
        sid = self.login("meter", "meter-wachtwoord-1")
        r = self.cluster.ctl("token", "create", "meter")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()

        r = self.cluster.ctl("token", "revoke", "meter")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.cluster.api("/api/v1/stats?by=wijk", token)[0], 401)
        self.assertEqual(self.page(sid)[0], 200)  # still logged in
        self.assertIn("meter\t", self.cluster.ctl("user", "list").stdout)
        self.login("meter", "meter-wachtwoord-1")

    def test_user_delete_then_add_again_does_not_revive_old_sessions(self):
        self.add("terug", "terug-wachtwoord-1")
        sid = self.login("terug", "terug-wachtwoord-1")
        self.assertEqual(self.cluster.ctl("user", "delete", "terug").returncode, 0)
        self.add("terug", "terug-wachtwoord-1")
        self.assertEqual(self.page(sid)[0], 303)

    def test_user_password_resets_and_ends_old_sessions(self):
        self.add("wisselt", "oud-wachtwoord-1")
        before = len(self.audit("user_password"))
        sid = self.login("wisselt", "oud-wachtwoord-1")
        self.assertEqual(self.page(sid)[0], 200)

        r = self.cluster.ctl("user", "password", "wisselt", input="kort\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("at least 10 characters", r.stderr)
        self.assertEqual(self.page(sid)[0], 200)  # nothing changed

        self.assertEqual(len(self.audit("user_password")), before)  # nothing changed
        r = self.cluster.ctl("user", "password", "wisselt", input="nieuw-wachtwoord-1\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        audit = self.audit("user_password")
        self.assertEqual(len(audit), before + 1)
        self.assertEqual((audit[0]["user"], audit[0]["detail"]), ("inspraakctl", None))
        self.assertNotIn("wisselt", json.dumps(audit[0]))
        # a form sent on the ended session: not saved, and the page says so
        st, hs, _ = req(self.cluster, "POST", "/activiteiten", "x=1",
                        dict(FORM, Cookie="inspraak_session=" + sid))
        self.assertEqual(st, 303)
        text = self.login_page_text(header(hs, "Location")[0])
        self.assertIn("U bent uitgelogd. Wat u net verstuurde, is niet opgeslagen.", text)
        self.assertNotIn("niets deed", text)
        self.login("wisselt", "oud-wachtwoord-1", expect=401)
        new = self.login("wisselt", "nieuw-wachtwoord-1")
        self.assertEqual(self.page(new)[0], 200)
        # the role stays
        rows = [line.split("\t") for line in self.cluster.ctl("user", "list").stdout.splitlines()]
        self.assertIn(["wisselt", "staff"], [row[:2] for row in rows])

        r = self.cluster.ctl("user", "password", "niemand", input="nieuw-wachtwoord-1\n")
        self.assertEqual(r.returncode, 3)
        self.assertIn("no user named niemand", r.stderr)

    def test_access_changes_are_in_the_audit_log(self):
        def newest():
            return json.loads(self.cluster.redis("LINDEX", "inspraak:audit", "0"))

        def count():
            return int(self.cluster.redis("LLEN", "inspraak:audit"))

        def entry(*args, input=None):
            before = count()
            r = self.cluster.ctl(*args, input=input)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(count(), before + 1, "no audit entry for " + " ".join(args))
            a = newest()
            self.assertEqual(a["user"], "inspraakctl", args)
            return (a["action"], a["detail"]), r.stdout.strip(), json.dumps(a)

        got, _, line = entry("user", "add", "auditnaam", "--role", "admin",
                             input="audit-wachtwoord-1\n")
        self.assertEqual(got, ("user_add", "admin"))
        self.assertNotIn("auditnaam", line)
        self.assertNotIn("audit-wachtwoord-1", line)

        got, token, line = entry("token", "create", "auditnaam")
        self.assertEqual(got, ("token_create", "staff"))
        self.assertNotIn("auditnaam", line)
        self.assertNotIn(token, line)
        got, _, line = entry("token", "revoke", "auditnaam")
        self.assertEqual(got, ("token_revoke", None))
        self.assertNotIn("auditnaam", line)

        got, token, line = entry("device", "add", "audit-tablet")
        self.assertEqual(got, ("device_add", "audit-tablet"))
        self.assertNotIn(token, line)
        self.assertEqual(entry("device", "revoke", "audit-tablet")[0],
                         ("device_revoke", "audit-tablet"))

        # a refused change writes nothing
        before = count()
        self.assertEqual(self.cluster.ctl("user", "add", "auditnaam",
                                          input="audit-wachtwoord-2\n").returncode, 1)
        self.assertEqual(self.cluster.ctl("token", "revoke", "auditnaam").returncode, 3)
        self.assertEqual(self.cluster.ctl("device", "revoke", "geen-tablet").returncode, 3)
        self.assertEqual(count(), before)

    def old_session(self, user):
        """A session cookie as a dashboard from before 2026-11-29 made it:
        no "pw" fingerprint of the password hash."""
        sid = os.urandom(32).hex()
        key = "inspraak:session:" + hashlib.blake2b(sid.encode(), digest_size=32).hexdigest()
        now = int(self.cluster.redis("TIME")[0]) * 1000
        self.cluster.redis("HSET", key, "user", user, "role", "staff", "csrf", "c" * 64,
                           "created", str(now), "long", "0")
        self.cluster.redis("EXPIRE", key, "1800")
        return sid

    def test_session_from_before_the_upgrade_says_logged_out(self):
        self.add("voorheen", "voorheen-wachtwoord-1")
        for path in ("/ideeen?wijk=WK091711", "/api/v1/export.csv?excel=1&wijk=WK091711"):
            st, loc = self.page(self.old_session("voorheen"), path)
            self.assertEqual(st, 303, path)
            self.assertTrue(loc.startswith("/login?"), loc)
            text = self.login_page_text(loc)
            self.assertIn("U bent uitgelogd. Log opnieuw in.", text)
            self.assertNotIn("niets deed", text)
            self.assertIn(urllib.parse.quote(path.split("?")[0], safe=""), loc)
        self.login("voorheen", "voorheen-wachtwoord-1")

    def redis_seen(self, action):
        """The commands Redis ran while action() ran (MONITOR lines: a
        client's own command names its address, one a script ran says
        "lua")."""
        mon = redis.Connection(host="127.0.0.1", port=self.cluster.redis_port,
                               socket_timeout=30, decode_responses=True)
        try:
            mon.send_command("MONITOR")
            self.assertEqual(mon.read_response(), "OK")
            action()
            marker = "ops-monitor-end-%d" % os.getpid()
            self.cluster.redis("ECHO", marker)
            lines = []
            while True:
                line = mon.read_response()
                if marker in line:
                    return lines
                lines.append(line)
        finally:
            mon.disconnect()

    def test_session_check_is_one_round_trip(self):
        self.add("snel", "snel-wachtwoord-1")
        sid = self.login("snel", "snel-wachtwoord-1")
        session = "inspraak:session:" + hashlib.blake2b(sid.encode(), digest_size=32).hexdigest()
        got = []
        lines = self.redis_seen(lambda: got.append(self.page(sid)[0]))
        self.assertEqual(got, [200])
        own = [x for x in lines if " [0 lua] " not in x]
        about = [x for x in own if session in x or '"inspraak:user:snel"' in x]
        reads = [x for x in about if '"EXPIRE"' not in x.upper()]
        self.assertEqual(len(reads), 1, "\n".join(about))
        # the hash is still read on every request, inside that one command
        self.assertTrue(any('"inspraak:user:snel"' in x and " [0 lua] " in x for x in lines),
                        "\n".join(lines))

    def test_report_also_says_logged_out(self):
        # /report looks for a session before an API token; the first look
        # ended the session, so a second one saw only an old cookie
        self.add("rapport", "rapport-wachtwoord-1")
        sid = self.login("rapport", "rapport-wachtwoord-1")
        self.assertEqual(self.page(sid, "/report")[0], 200)
        r = self.cluster.ctl("user", "password", "rapport", input="rapport-wachtwoord-2\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        st, loc = self.page(sid, "/report")
        self.assertEqual(st, 303)
        text = self.login_page_text(loc)
        self.assertIn("U bent uitgelogd. Log opnieuw in.", text)
        self.assertNotIn("niets deed", text)

    def test_help_names_the_new_commands(self):
        r = self.cluster.ctl("help")
        for cmd in ("user list", "user delete NAME", "user password NAME"):
            self.assertTrue(re.search(re.escape(cmd), r.stdout + r.stderr), cmd)


if __name__ == "__main__":
    main()
