/*
 * NAME
 *   session - staff login, session cookies, CSRF tokens, login rate limit
 *
 * DESCRIPTION
 *   Users are inspraak:user:<name> {pwhash, role} (inspraakctl user add);
 *   the password is checked with crypto_pwhash_str_verify (argon2id), and
 *   a name that is no user against a dummy hash, so that both take the
 *   same work (password.c).
 *
 *   A session id is 32 random bytes (hex in the cookie "inspraak_session",
 *   HttpOnly, SameSite=Strict, Path=/, Secure when INSPRAAK_SECURE_COOKIES=1).
 *   Only its BLAKE2b-256 is used in Redis: inspraak:session:<hex> = HASH
 *   {user, role, csrf, created, long, pw}. The key's TTL is the idle timeout
 *   and is renewed on every request; "created" enforces the absolute
 *   timeout. So a copy of Redis does not hand out live cookies.
 *
 *   "pw" is a fingerprint of the user's password hash at login (s_pw_mark).
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
 *   Rate limit: failed logins are counted per client address (an IPv6
 *   one as its /64: http_client_net) and per user name for 15 minutes
 *   (inspraak:loginfail:ip:<hash>, :user:<hash>); over the limit every
 *   attempt is refused (429), even with the right password.
 *   An attempt is counted before its password is checked (and given back
 *   when it was right, or when Redis failed before it could be judged:
 *   503), so parallel guesses cannot pass the limit.
 *
 *   Memory: each password check takes 64 MiB; at most
 *   INSPRAAK_LOGIN_CHECKS_MAX run at once (password.c). A login that finds
 *   no place within INSPRAAK_LOGIN_WAIT_MS gets the form again with 503,
 *   Retry-After and "te druk", and nothing is counted against it.
 *
 *   Without a session a page answers 303 to /login?terug=<that page>
 *   (a GET keeps its query: the filters of a search), plus verlopen=1 when
 *   the request still carried a session cookie (the idle or absolute
 *   timeout ended it) or verlopen=2 when it was a form that was sent and is
 *   therefore not saved; verlopen=3 and 4 the same when the "pw" check
 *   ended it (the login page then says "U bent uitgelogd", not that they
 *   did nothing for a while, nor whether the account still exists); the
 *   login page says so and, once logged in, goes
 *   back there. Only a local path is followed (s_back_ok). After an idea's
 *   moderation form that was not saved, the idea's page says so as well
 *   (opgeslagen=0: the login page's message is gone once staff are in).
 *
 *   Audit: logins and logouts go to inspraak:audit (audit_log(),
 *   common/audit.c); a failed login does not record the name that was
 *   typed.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dashboard.h"
#include "log.h"
#include "password.h"
#include "xalloc.h"

#define S_COOKIE "inspraak_session"
#define S_PRE_COOKIE "inspraak_login"
#define S_FAIL_WINDOW 900
/* The longest password inspraakctl and /beheer store (CTL_PW_MAX,
 * ui_admin's S_PW_MAX): a longer limit here would lock such users out. */
#define S_PW_MAX 1024
#define S_BACK_MAX 1000 /* the way back after logging in: a path and its query */

static void s_hash_hex(const char *s, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void s_random_hex(char out[65])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(out, 65, r, sizeof r);
}

/* The value of cookie `name` (64 hex chars) into out; 0 or -1. */
static int s_cookie(const http_req_t *req, const char *name, char out[65])
{
    const char *c = http_header(req, "Cookie");
    size_t nl = strlen(name);
    while (c && *c) {
        while (*c == ' ' || *c == ';')
            c++;
        if (strncmp(c, name, nl) == 0 && c[nl] == '=') {
            const char *v = c + nl + 1;
            size_t n = strspn(v, "0123456789abcdef");
            if (n != 64)
                return -1;
            memcpy(out, v, 64);
            out[64] = '\0';
            return 0;
        }
        c = strchr(c, ';');
    }
    return -1;
}

static void s_set_cookie(dash_t *d, http_res_t *res, const char *name, const char *value,
                         long max_age)
{
    char *c = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", name, value,
                        max_age, d->secure_cookies ? "; Secure" : "");
    http_res_header(res, "Set-Cookie", c);
    free(c);
}

/* The hex of the BLAKE2b-128 of a user's pwhash: what a session keeps of
 * it (never the hash itself). */
static void s_pw_mark(const char *pwhash, size_t len, char out[33])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)pwhash, len, NULL, 0);
    sodium_bin2hex(out, 33, h, sizeof h);
}

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
        s_pw_mark(r->element[6]->str, r->element[6]->len, now);
    return *now && strcmp(now, mark->str) == 0;
}

/* How long a session with this idle timeout lasts in all: a long one
 * (chosen at login) at least its idle time, else the idle time chosen
 * would be cut short by INSPRAAK_SESSION_MAX_S. */
static long s_max_s(const dash_t *d, long idle)
{
    return idle > d->max_s ? idle : d->max_s;
}

int session_get(dash_t *d, rstore_t *rs, const http_req_t *req, session_t *s)
{
    char id[65], hex[65];
    memset(s, 0, sizeof *s);
    if (s_cookie(req, S_COOKIE, id) < 0)
        return 0;
    s_hash_hex(id, hex);
    snprintf(s->key, sizeof s->key, DASH_KEY_PREFIX "session:%s", hex);
    redisReply *r =
        rstore_cmd(rs, "EVAL %s 1 %s " DASH_KEY_PREFIX "user:", s_read_script, s->key);
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
        int64_t now = clock_wall_ms(), end = created + (int64_t)s_max_s(d, idle) * 1000;
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

/* A place the login may send people back to: a path of this dashboard,
 * never another site ("//host", "/\\host") nor the login itself. */
static int s_back_ok(const char *p)
{
    if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\' || strlen(p) > S_BACK_MAX)
        return 0;
    if (strncmp(p, "/login", 6) == 0 || strncmp(p, "/logout", 7) == 0)
        return 0;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c < 0x21 || *c == 0x7f)
            return 0;
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
    return s_cookie(req, S_COOKIE, old) == 0;
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
    if (strcmp(back.buf, "/") != 0 && s_back_ok(back.buf)) {
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

/* back: where to go after logging in (checked again when it comes back);
 * unsent: a form sent on the ended session was not saved (verlopen=2),
 * which the page staff go back to says as well; user, long_session: what
 * a failed login sent, kept in the form (never the password). */
static void s_form(dash_t *d, http_res_t *res, int status, const char *error, const char *back,
                   int unsent, const char *user, int long_session)
{
    char pre[65];
    s_random_hex(pre);
    sb_t sb = {0};
    page_begin(&sb, "Inloggen", NULL);
    sb_add(&sb, "<h1>Inloggen voor medewerkers</h1>\n");
    if (error)
        page_notice(&sb, 0, error);
    sb_add(&sb, "<form method=\"post\" action=\"/login\">\n"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(&sb, pre);
    if (s_back_ok(back)) {
        sb_add(&sb, "\">\n<input type=\"hidden\" name=\"terug\" value=\"");
        sb_esc(&sb, back);
        if (unsent)
            sb_add(&sb, "\">\n<input type=\"hidden\" name=\"verlopen\" value=\"2");
    }
    sb_add(&sb, "\">\n<p><label for=\"user\">Gebruikersnaam</label>"
                "<input id=\"user\" name=\"user\" autocomplete=\"username\" required");
    if (user && *user) {
        sb_add(&sb, " value=\"");
        sb_esc(&sb, user);
        sb_add(&sb, "\"");
    }
    sb_add(&sb, "></p>\n"
                "<p><label for=\"password\">Wachtwoord</label>"
                "<input id=\"password\" name=\"password\" type=\"password\" "
                "autocomplete=\"current-password\" required></p>\n"
                "<p class=\"check\"><input type=\"checkbox\" id=\"lang\" name=\"lang\" "
                "value=\"1\"");
    sb_add(&sb, long_session ? " checked>" : ">");
    sb_add(&sb, "<label for=\"lang\">Ik werk lang aan één pagina: houd mij ");
    if (d->long_idle_s % 3600 == 0)
        sb_printf(&sb, "%ld uur", d->long_idle_s / 3600);
    else
        sb_printf(&sb, "%s minuten", num_nl((d->long_idle_s + 59) / 60).s);
    sb_printf(&sb, " lang ingelogd (anders tot %s minuten na mijn laatste klik)</label></p>\n",
              num_nl((d->idle_s + 59) / 60).s);
    sb_add(&sb, "<p><button type=\"submit\">Inloggen</button></p>\n</form>\n"
                "<p>Op zoek naar de resultaten? Zie <a href=\"/resultaten\">de openbare "
                "pagina</a>.</p>\n<p>Koppelingen met andere systemen gebruiken de API "
                "(<code>/api/v1/ideas</code>, <code>/api/v1/stats</code>, "
                "<code>/api/v1/export.csv</code>) met een API-sleutel van "
                "<code>inspraakctl token create</code>.</p>\n");
    page_send(res, status, &sb);
    s_set_cookie(d, res, S_PRE_COOKIE, pre, 3600);
}

void session_login_form(const http_req_t *req, http_res_t *res, void *arg)
{
    const char *why = http_query(req, "verlopen"), *msg = NULL;
    int v = why && why[0] >= '1' && why[0] <= '4' && !why[1] ? why[0] - '0' : 0;
    /* 3 and 4: the account changed (s_to_login); whether it still exists
     * is not said */
    if (v == 1)
        msg = "Uw sessie is verlopen, omdat u een tijd niets deed. Log opnieuw in.";
    else if (v == 2)
        msg = "Uw sessie is verlopen, omdat u een tijd niets deed. Wat u net verstuurde, is "
              "niet opgeslagen. Log opnieuw in en doe het nog een keer.";
    else if (v == 3)
        msg = "U bent uitgelogd. Log opnieuw in.";
    else if (v == 4)
        msg = "U bent uitgelogd. Wat u net verstuurde, is niet opgeslagen. Log opnieuw in en doe "
              "het nog een keer.";
    s_form(arg, res, 200, msg, http_query(req, "terug"), v == 2 || v == 4, NULL, 0);
}

typedef struct {
    char user[65], password[S_PW_MAX + 1], csrf[65], back[S_BACK_MAX + 1];
    int too_long, long_session; /* long_session: the check box "lang" */
    int unsent;                 /* verlopen=2: a form sent on the ended session */
} s_fields_t;

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_fields_t *f = arg;
    char *dst = NULL;
    size_t cap = 0;
    if (strcmp(key, "lang") == 0)
        f->long_session = len == 1 && value[0] == '1';
    else if (strcmp(key, "verlopen") == 0)
        f->unsent = len == 1 && value[0] == '2';
    else if (strcmp(key, "user") == 0)
        dst = f->user, cap = sizeof f->user;
    else if (strcmp(key, "password") == 0)
        dst = f->password, cap = sizeof f->password;
    else if (strcmp(key, "csrf") == 0)
        dst = f->csrf, cap = sizeof f->csrf;
    else if (strcmp(key, "terug") == 0 && len < sizeof f->back)
        dst = f->back, cap = sizeof f->back; /* a longer one is dropped, not an error */
    if (!dst)
        return 0;
    if (len >= cap || memchr(value, '\0', len)) {
        f->too_long = 1;
        return 0;
    }
    memcpy(dst, value, len);
    dst[len] = '\0';
    return 0;
}

/* Counts this attempt as a failed login for the address and the user
 * name before the password is checked: 1 when either was already at its
 * limit (then nothing is counted), 0 when the attempt may go on, -1 when
 * Redis failed. Check and count are one script: checked first and counted
 * after the slow argon2 verify, guesses sent at the same moment on
 * parallel connections (a thread each) all passed the check, so an
 * attacker got as many tries as connections instead of the limit. */
static int s_take_attempt(dash_t *d, rstore_t *rs, const char *iph, const char *uh)
{
    static const char script[] =
        "for i = 1, 2 do\n"
        "  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then\n"
        "    return 1\n"
        "  end\n"
        "end\n"
        "for i = 1, 2 do\n"
        "  redis.call('INCR', KEYS[i])\n"
        "  redis.call('EXPIRE', KEYS[i], ARGV[3], 'NX')\n"
        "end\n"
        "return 0\n";
    redisReply *r = rstore_cmd(rs,
                               "EVAL %s 2 " DASH_KEY_PREFIX "loginfail:ip:%s " DASH_KEY_PREFIX
                               "loginfail:user:%s %ld %ld %d",
                               script, iph, uh, d->login_max_ip, d->login_max_user, S_FAIL_WINDOW);
    int over = r && r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1;
    if (r)
        freeReplyObject(r);
    return over;
}

/* Gives this attempt back (best effort; a key that expired meanwhile has
 * nothing to give back). good: the login succeeded, so the user name's
 * count starts again; otherwise Redis failed before the password could be
 * judged (the user lookup, the session write), which was no failed
 * attempt: a staff member retrying through such a hiccup with the right
 * password was locked out for a quarter of an hour. */
static void s_attempt_give_back(rstore_t *rs, const char *iph, const char *uh, int good)
{
    static const char script[] = "for i = 1, 2 do\n"
                                 "  if i == 2 and ARGV[1] == '1' then\n"
                                 "    redis.call('DEL', KEYS[2])\n"
                                 "  elseif tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then\n"
                                 "    redis.call('DECR', KEYS[i])\n"
                                 "  end\n"
                                 "end\n"
                                 "return 1\n";
    redisReply *r = rstore_cmd(
        rs, "EVAL %s 2 " DASH_KEY_PREFIX "loginfail:ip:%s " DASH_KEY_PREFIX "loginfail:user:%s %d",
        script, iph, uh, good);
    if (r)
        freeReplyObject(r);
}

/* 1 when user exists and password matches (role and the s_pw_mark of
 * the hash filled); 0; -1 Redis.
 * A name without a user (or without a usable hash) costs the same argon2
 * check as a wrong password (password.c): answered at once, it told an
 * attacker by the time which staff user names exist. */
static int s_verify(rstore_t *rs, const s_fields_t *f, char *role, size_t size, char mark[33])
{
    redisReply *r = rstore_cmd(rs, "HMGET " DASH_KEY_PREFIX "user:%s pwhash role", f->user);
    if (!r)
        return -1;
    char hash[crypto_pwhash_STRBYTES];
    int known = r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
                r->element[0]->type == REDIS_REPLY_STRING &&
                r->element[0]->len < crypto_pwhash_STRBYTES;
    if (known) {
        memcpy(hash, r->element[0]->str, r->element[0]->len);
        hash[r->element[0]->len] = '\0';
        s_pw_mark(hash, r->element[0]->len, mark);
        snprintf(role, size, "%s",
                 r->element[1]->type == REDIS_REPLY_STRING ? r->element[1]->str : "staff");
    }
    freeReplyObject(r);
    return password_verify(known ? hash : NULL, f->password);
}

static int s_start_session(dash_t *d, rstore_t *rs, http_res_t *res, const s_fields_t *f,
                           const char *role, const char *mark)
{
    long idle = f->long_session ? d->long_idle_s : d->idle_s;
    char id[65], hex[65], csrf[65];
    s_random_hex(id);
    s_random_hex(csrf);
    s_hash_hex(id, hex);
    rstore_append(
        rs, "HSET " DASH_KEY_PREFIX "session:%s user %s role %s csrf %s created %lld long %d pw %s",
        hex, f->user, role, csrf, (long long)clock_wall_ms(), f->long_session, mark);
    rstore_append(rs, "EXPIRE " DASH_KEY_PREFIX "session:%s %ld", hex, idle);
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        redisReply *r = rstore_reply(rs);
        ok = ok && r && r->type != REDIS_REPLY_ERROR;
        if (r)
            freeReplyObject(r);
    }
    if (!ok)
        return -1;
    /* An idea's moderation form that was not saved: its page says so
     * (ui_idea.c, opgeslagen=0) */
    int idea = f->unsent && strncmp(f->back, "/ideeen/", 8) == 0 && !strchr(f->back, '?');
    char *to = xasprintf("%s%s", s_back_ok(f->back) ? f->back : "/", idea ? "?opgeslagen=0" : "");
    page_redirect(res, to);
    free(to);
    /* One Set-Cookie per response (http_res_header replaces); the login
     * cookie is harmless and expires by itself. */
    s_set_cookie(d, res, S_COOKIE, id, s_max_s(d, idle));
    return 0;
}

void session_login(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    s_fields_t f = {{0}, {0}, {0}, {0}, 0, 0, 0};
    char pre[65], ip[64], iph[65], uh[65], role[17] = "staff", mark[33] = "";
    if (http_form_fields(req, S_PW_MAX, s_field, &f) < 0 || f.too_long || !f.user[0]) {
        s_form(d, res, 400, "Vul uw gebruikersnaam en wachtwoord in.", f.back, f.unsent, f.user,
               f.long_session);
        return;
    }
    if (s_cookie(req, S_PRE_COOKIE, pre) < 0 || strlen(f.csrf) != 64 ||
        sodium_memcmp(pre, f.csrf, 64) != 0) {
        s_form(d, res, 403, "Het formulier is verlopen. Probeer het nog eens.", f.back, f.unsent,
               f.user, f.long_session);
        return;
    }
    /* A place among the checks that may run at once, before anything is
     * counted: a login refused as busy was no failed attempt. */
    if (password_slot_take() < 0) {
        sodium_memzero(f.password, sizeof f.password);
        s_form(d, res, 503, "Het is nu te druk om in te loggen. Probeer het zo opnieuw.", f.back,
               f.unsent, f.user, f.long_session);
        http_res_header(res, "Retry-After", "10");
        return;
    }
    s_hash_hex(http_client_net(req, ip, sizeof ip) ? ip : "unknown", iph);
    s_hash_hex(f.user, uh);
    rstore_t *rs = dash_redis_get(d);
    int over = s_take_attempt(d, rs, iph, uh);
    int ok = over == 0 ? s_verify(rs, &f, role, sizeof role, mark) : 0;
    password_slot_give();
    sodium_memzero(f.password, sizeof f.password);
    if (over == 0 && ok < 0)
        s_attempt_give_back(rs, iph, uh, 0);
    if (over < 0 || ok < 0) {
        page_message(res, 503, "Even niet beschikbaar",
                     "Inloggen lukt nu niet. Probeer het "
                     "over een paar minuten opnieuw.");
    } else if (over) {
        audit_log(rs, "login_blocked", NULL, NULL, "too many failed logins");
        s_form(d, res, 429,
               "Te veel mislukte pogingen. Wacht een kwartier en probeer het "
               "dan opnieuw.",
               f.back, f.unsent, f.user, f.long_session);
    } else if (!ok) {
        audit_log(rs, "login_failed", NULL, NULL, NULL);
        s_form(d, res, 401, "Gebruikersnaam of wachtwoord klopt niet.", f.back, f.unsent, f.user,
               f.long_session);
    } else if (s_start_session(d, rs, res, &f, role, mark) < 0) {
        dash_unavailable_page(res, rs); /* logs the error first */
        s_attempt_give_back(rs, iph, uh, 0);
    } else {
        s_attempt_give_back(rs, iph, uh, 1);
        audit_log(rs, "login", f.user, NULL, NULL);
    }
    dash_redis_put(d, rs);
}

void session_logout(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    s_fields_t f = {{0}, {0}, {0}, {0}, 0, 0, 0};
    session_t s;
    rstore_t *rs = dash_redis_get(d);
    if (session_require(d, rs, req, res, &s)) {
        if (http_form_fields(req, 512, s_field, &f) < 0 || !session_csrf_ok(&s, f.csrf)) {
            page_message(res, 403, "Niet toegestaan",
                         "Dit formulier is niet geldig. Ga terug en probeer het opnieuw.");
        } else {
            redisReply *r = rstore_cmd(rs, "DEL %s", s.key);
            if (r)
                freeReplyObject(r);
            audit_log(rs, "logout", s.user, NULL, NULL);
            page_redirect(res, "/login");
            s_set_cookie(d, res, S_COOKIE, "", 0);
        }
    }
    dash_redis_put(d, rs);
}
