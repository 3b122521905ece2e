/*
 * NAME
 *   session - staff sessions: the session cookie, its timeouts, CSRF
 *   tokens, the way to the login page (the login itself: login.c)
 *
 * DESCRIPTION
 *   A session id is 32 random bytes (hex in the cookie "inspraak_session",
 *   HttpOnly, SameSite=Strict, Path=/, Secure when INSPRAAK_SECURE_COOKIES=1).
 *   Only its BLAKE2b-256 is used in Redis: inspraak:session:<hex> = HASH
 *   {user, role, csrf, created, long, pw}. The key's TTL is the idle timeout
 *   and is renewed on every request; "created" enforces the absolute
 *   timeout. So a copy of Redis does not hand out live cookies.
 *
 *   "pw" is a fingerprint of the user's password hash at login (session_pw_mark).
 *   Every request checks it against the user record, read in the same
 *   script as the session (s_read_script: one round trip), so a session ends at
 *   its next request when the user is deleted (inspraakctl user delete:
 *   a staff member left) or has a new password (user password; a new hash
 *   always has a new salt, so also a user deleted and added again). A
 *   session without it (made before this check) ends too, with the same
 *   "U bent uitgelogd" (it was no idle timeout): log in again.
 *
 *   Timing adjustable (WCAG 2.2.1): the pages run no JavaScript, so they
 *   cannot warn before the idle timeout. Instead staff choose at login:
 *   the check box "lang" gives the session INSPRAAK_SESSION_LONG_IDLE_S
 *   (20 h) of idle time instead of INSPRAAK_SESSION_IDLE_S ("long" 1 in
 *   the hash; a session without it has the short one), and such a session
 *   also lasts at least that long in all (its absolute limit is the
 *   larger of the two). Every staff page says beside "Uitloggen" until
 *   when the session lasts without a click (session_t.ends_ms).
 *
 *   CSRF: each session has its own random token, put in a hidden field of
 *   every form and compared in constant time. The login form (no session
 *   yet) uses a double-submit token: the same random value in a short-lived
 *   cookie and in the form.
 *
 *   Without a session a page answers 303 to /login?terug=<that page>
 *   (a GET keeps its query: the filters of a search), plus verlopen=1 when
 *   the request still carried a session cookie (the idle or absolute
 *   timeout ended it) or verlopen=2 when it was a form that was sent and is
 *   therefore not saved; verlopen=3 and 4 the same when the "pw" check
 *   ended it (the login page then says "U bent uitgelogd", not that they
 *   did nothing for a while, nor whether the account still exists); the
 *   login page says so and, once logged in, goes
 *   back there. Only a local path is followed (session_back_ok). After an idea's
 *   moderation form that was not saved, the idea's page says so as well
 *   (opgeslagen=0: the login page's message is gone once staff are in).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dashboard.h"
#include "session_cookie.h"
#include "xalloc.h"

/* The session's fields (user role csrf created long pw) and, when it has
 * a user, that user's pwhash as a 7th element: one round trip on every
 * staff request, where a separate HGET of the hash after the HMGET was
 * a second. The user's key is made here from the session's "user" (as
 * inspraakctl's token revoke makes the token's key from the name). */
static const char s_read_script[] =
    "local s = redis.call('HMGET', KEYS[1], 'user', 'role', 'csrf', 'created', 'long', 'pw')\n"
    "if s[1] then s[7] = redis.call('HGET', ARGV[1] .. s[1], 'pwhash') end\n"
    "return s\n";

/* 1 when the user still has the password hash the session was made with
 * (its "pw", the 6th element of s_read_script's answer, against pwhash,
 * the 7th); 0 when not (deleted, new password, or a session from before
 * the check, which has no "pw"). */
static int s_same_password(const redisReply *r)
{
    const redisReply *mark = r->element[5];
    char now[33] = "";
    if (mark->type != REDIS_REPLY_STRING || mark->len != 32)
        return 0;
    if (r->elements == 7 && r->element[6]->type == REDIS_REPLY_STRING)
        session_pw_mark(r->element[6]->str, r->element[6]->len, now);
    return *now && strcmp(now, mark->str) == 0;
}

int session_get(dash_t *d, rstore_t *rs, const http_req_t *req, session_t *s)
{
    char id[65], hex[65];
    memset(s, 0, sizeof *s);
    if (session_cookie_value(req, SESSION_COOKIE, id) < 0)
        return 0;
    session_hash_hex(id, hex);
    snprintf(s->key, sizeof s->key, DASH_KEY_PREFIX "session:%s", hex);
    redisReply *r = rstore_cmd(rs, "EVAL %s 1 %s " DASH_KEY_PREFIX "user:", s_read_script, s->key);
    if (!r)
        return -1;
    long idle = d->idle_s;
    int ok = r->type == REDIS_REPLY_ARRAY && r->elements >= 6;
    for (size_t i = 0; ok && i < 4; i++)
        ok = r->element[i]->type == REDIS_REPLY_STRING && r->element[i]->len < 65;
    if (ok) {
        snprintf(s->user, sizeof s->user, "%s", r->element[0]->str);
        snprintf(s->role, sizeof s->role, "%s", r->element[1]->str);
        snprintf(s->csrf, sizeof s->csrf, "%s", r->element[2]->str);
        long long created = strtoll(r->element[3]->str, NULL, 10);
        if (r->element[4]->type == REDIS_REPLY_STRING && strcmp(r->element[4]->str, "1") == 0)
            idle = d->long_idle_s;
        int64_t now = clock_wall_ms(), end = created + (int64_t)session_max_s(d, idle) * 1000;
        s->ends_ms = now + (int64_t)idle * 1000 < end ? now + (int64_t)idle * 1000 : end;
        if (now > end || !s_same_password(r)) {
            /* absolute timeout, user deleted, new password, or made by a
             * dashboard from before the check: end it */
            ok = 0;
            s->signed_out = now <= end;
            redisReply *x = rstore_cmd(rs, "DEL %s", s->key);
            if (x)
                freeReplyObject(x);
        }
    }
    freeReplyObject(r);
    if (!ok)
        return 0;
    r = rstore_cmd(rs, "EXPIRE %s %ld", s->key, idle);
    if (r)
        freeReplyObject(r);
    return 1;
}

static int s_query_arg(const char *key, const char *value, size_t len, void *arg)
{
    sb_t *sb = arg;
    sb_add(sb, strchr(sb->buf, '?') ? "&" : "?");
    sb_url(sb, key);
    sb_add(sb, "=");
    char *v = xstrndup(value, len);
    sb_url(sb, v);
    free(v);
    return 0;
}

int session_cookie_sent(const http_req_t *req)
{
    char old[65];
    return session_cookie_value(req, SESSION_COOKIE, old) == 0;
}

/* No (or no longer a) session: to the login page, which brings people back
 * to the page they asked for (with its filters) and, when their session
 * ran out, says so; for a form that was sent, that it was not saved.
 * Before, they landed on a bare login page and then on the overview, and a
 * correction sent after the idle time was dropped without a word. */
static void s_to_login(const http_req_t *req, http_res_t *res, const session_t *s)
{
    /* Logging out of a session that already ended loses nothing. */
    int expired = session_cookie_sent(req) && strcmp(http_path(req), "/logout") != 0;
    int sent = strcmp(http_method(req), "GET") != 0 && strcmp(http_method(req), "HEAD") != 0;
    sb_t back = {0}, loc = {0};
    sb_add(&back, http_path(req));
    if (!sent)
        http_query_each(req, s_query_arg, &back);
    sb_add(&loc, "/login");
    if (expired)
        sb_printf(&loc, "?verlopen=%d", (sent ? 2 : 1) + (s->signed_out ? 2 : 0));
    if (strcmp(back.buf, "/") != 0 && session_back_ok(back.buf)) {
        sb_add(&loc, expired ? "&terug=" : "?terug=");
        sb_url(&loc, back.buf);
    }
    page_redirect(res, loc.buf);
    sb_free(&back);
    sb_free(&loc);
}

void session_refuse(const http_req_t *req, http_res_t *res, int r, const session_t *s)
{
    if (r < 0)
        page_message(res, 503, "Even niet beschikbaar",
                     "De gegevens zijn nu niet bereikbaar. Probeer het over een paar minuten "
                     "opnieuw.");
    else if (r == 0)
        s_to_login(req, res, s);
}

int session_require(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res, session_t *s)
{
    int r = session_get(d, rs, req, s);
    if (r != 1)
        session_refuse(req, res, r, s);
    return r == 1;
}

int session_require_admin(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res,
                          session_t *s, const char *refusal)
{
    if (!session_require(d, rs, req, res, s))
        return 0;
    if (strcmp(s->role, "admin") != 0) {
        page_message(res, 403, "Geen toegang", refusal);
        return 0;
    }
    return 1;
}

int session_csrf_ok(const session_t *s, const char *token)
{
    return token && strlen(token) == 64 && strlen(s->csrf) == 64 &&
           sodium_memcmp(token, s->csrf, 64) == 0;
}
