/*
 * NAME
 *   login - the staff login page, logging in and logging out (the
 *   session it starts and checks: session.c)
 *
 * DESCRIPTION
 *   Users are inspraak:user:<name> {pwhash, role} (inspraakctl user add);
 *   the password is checked with crypto_pwhash_str_verify (argon2id), and
 *   a name that is no user against a dummy hash, so that both take the
 *   same work (password.c). A good login starts a session (session.c's
 *   header: the cookie, the timeouts, the "lang" check box) and goes back
 *   to the page asked for.
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
 *   Audit: logins and logouts go to inspraak:audit (audit_log(),
 *   common/audit.c); a failed login does not record the name that was
 *   typed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dashboard.h"
#include "log.h"
#include "password.h"
#include "session_cookie.h"
#include "xalloc.h"

#define S_FAIL_WINDOW 900
/* The longest password inspraakctl and /beheer store (CTL_PW_MAX,
 * ui_admin's S_PW_MAX): a longer limit here would lock such users out. */
#define S_PW_MAX 1024

/* back: where to go after logging in (checked again when it comes back);
 * unsent: a form sent on the ended session was not saved (verlopen=2),
 * which the page staff go back to says as well; user, long_session: what
 * a failed login sent, kept in the form (never the password). */
static void s_form(dash_t *d, http_res_t *res, int status, const char *error, const char *back,
                   int unsent, const char *user, int long_session)
{
    char pre[65];
    session_random_hex(pre);
    sb_t sb = {0};
    page_begin(&sb, "Inloggen", NULL);
    sb_add(&sb, "<h1>Inloggen voor medewerkers</h1>\n");
    if (error)
        page_notice(&sb, 0, error);
    sb_add(&sb, "<form method=\"post\" action=\"/login\">\n"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(&sb, pre);
    if (session_back_ok(back)) {
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
    session_set_cookie(d, res, SESSION_LOGIN_COOKIE, pre, 3600);
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
    char user[65], password[S_PW_MAX + 1], csrf[65], back[SESSION_BACK_MAX + 1];
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

/* 1 when user exists and password matches (role and the session_pw_mark of
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
        session_pw_mark(hash, r->element[0]->len, mark);
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
    session_random_hex(id);
    session_random_hex(csrf);
    session_hash_hex(id, hex);
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
    char *to =
        xasprintf("%s%s", session_back_ok(f->back) ? f->back : "/", idea ? "?opgeslagen=0" : "");
    page_redirect(res, to);
    free(to);
    /* One Set-Cookie per response (http_res_header replaces); the login
     * cookie is harmless and expires by itself. */
    session_set_cookie(d, res, SESSION_COOKIE, id, session_max_s(d, idle));
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
    if (session_cookie_value(req, SESSION_LOGIN_COOKIE, pre) < 0 || strlen(f.csrf) != 64 ||
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
    session_hash_hex(http_client_net(req, ip, sizeof ip) ? ip : "unknown", iph);
    session_hash_hex(f.user, uh);
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
            session_set_cookie(d, res, SESSION_COOKIE, "", 0);
        }
    }
    dash_redis_put(d, rs);
}
