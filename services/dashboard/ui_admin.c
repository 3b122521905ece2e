/*
 * NAME
 *   ui_admin - GET/POST /beheer: user and device administration (role
 *   admin only)
 *
 * DESCRIPTION
 *   The same Redis layout as inspraakctl, written by the same scripts
 *   (common/auth.h; docs/redis.md), so both tools see the same accounts:
 *     inspraak:user:<name>           HASH pwhash role created_at
 *     inspraak:device:<name>         HASH token_hash created_at revoked_at
 *     inspraak:device-token:<hash>   STRING <name> (what intake-field checks)
 *   The page lists users (name, role, created; never the password hash)
 *   and devices. Forms (each with the session's CSRF token, field
 *   "action"): user_add (name, password of at least 10 characters, role;
 *   stored as crypto_pwhash_str, Argon2id, under the same cap on argon2
 *   runs at once as the logins (password.c; none free in time: 503 and
 *   "te druk"), an existing user is never
 *   overwritten), device_add (name; the token "isd_" + 43 base64url
 *   characters is shown once on the answer page and only its BLAKE2b-256
 *   is stored) and device_revoke (the token stops working at once).
 *   A staff user gets 403 with a Dutch message. Audit entries user_add,
 *   device_add, device_revoke hold the role or the device name, never the
 *   new user's name or a password.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "clock.h"
#include "dashboard.h"
#include "password.h"
#include "xalloc.h"

#define S_PW_MIN 10
#define S_PW_MAX 1024

typedef struct {
    char csrf[65], action[32], name[AUTH_NAME_MAX + 1], role[16];
    char password[S_PW_MAX + 1];
    int bad;
} s_form_t;

static size_t s_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A list of "<prefix><name>" keys with two hash fields, sorted by name;
 * NULL when Redis failed. [[name, f1, f2], ...] (a missing field: "").
 * The fields are two arguments: one "%s" of "role created_at" was one
 * field name to hiredis, so every role and date showed empty. */
static json_t *s_scan(rstore_t *rs, const char *prefix, const char *f1, const char *f2)
{
    json_t *out = json_array();
    char cursor[32] = "0";
    size_t plen = strlen(prefix);
    do {
        redisReply *r = rstore_cmd(rs, "SCAN %s MATCH %s* COUNT 500", cursor, prefix);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
            r->element[0]->type != REDIS_REPLY_STRING) {
            if (r)
                freeReplyObject(r);
            json_decref(out);
            return NULL;
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++) {
            const char *key = keys->element[i]->str;
            redisReply *h = key ? rstore_cmd(rs, "HMGET %s %s %s", key, f1, f2) : NULL;
            if (h && h->type == REDIS_REPLY_ARRAY) {
                json_t *row = json_array();
                json_array_append_new(row, json_string(key + plen));
                for (size_t k = 0; k < h->elements; k++)
                    json_array_append_new(
                        row, json_string(h->element[k]->str ? h->element[k]->str : ""));
                json_array_append_new(out, row);
            }
            if (h)
                freeReplyObject(h);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return out;
}

static int s_by_name(const void *a, const void *b)
{
    const char *x = json_string_value(json_array_get(*(json_t *const *)a, 0));
    const char *y = json_string_value(json_array_get(*(json_t *const *)b, 0));
    return strcmp(x ? x : "", y ? y : "");
}

static void s_sort_rows(json_t *rows)
{
    size_t n = json_array_size(rows);
    json_t **v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(rows, i));
    qsort(v, n, sizeof *v, s_by_name);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, v[i]);
    free(v);
}

static void s_when(sb_t *sb, const char *ms)
{
    if (!ms || !*ms) {
        sb_add(sb, "-");
        return;
    }
    char buf[40];
    sb_add(sb, clock_local_format(strtoll(ms, NULL, 10), PAGE_WHEN_FMT, buf, sizeof buf));
}

/* A role as the form's options name it. */
static const char *s_role(const char *v)
{
    if (v && strcmp(v, "admin") == 0)
        return "beheerder";
    if (v && strcmp(v, "staff") == 0)
        return "medewerker";
    return v;
}

static void s_table(sb_t *sb, json_t *rows, const char *caption, const char *const *cols, int nc)
{
    sb_add(sb, "<table><caption>");
    sb_esc(sb, caption);
    sb_add(sb, "</caption><thead><tr>");
    for (int c = 0; c < nc; c++)
        sb_printf(sb, "<th scope=\"col\">%s</th>", cols[c]);
    sb_add(sb, "</tr></thead><tbody>\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        sb_add(sb, "<tr>");
        for (int c = 0; c < nc; c++) {
            const char *v = json_string_value(json_array_get(row, (size_t)c));
            sb_add(sb, "<td>");
            if (strstr(cols[c], "Gemaakt") || strstr(cols[c], "Ingetrokken"))
                s_when(sb, v);
            else if (strcmp(cols[c], "Rol") == 0)
                sb_esc(sb, s_role(v));
            else
                sb_esc(sb, v);
            sb_add(sb, "</td>");
        }
        sb_add(sb, "</tr>\n");
    }
    sb_add(sb, "</tbody></table>\n");
}

static void s_hidden(sb_t *sb, const session_t *s, const char *action)
{
    sb_add(sb, "<form method=\"post\" action=\"/beheer\"><input type=\"hidden\" name=\"csrf\" "
               "value=\"");
    sb_esc(sb, s->csrf);
    sb_printf(sb, "\"><input type=\"hidden\" name=\"action\" value=\"%s\">\n", action);
}

static void s_forms(sb_t *sb, const session_t *s)
{
    sb_add(sb, "<h2>Gebruiker toevoegen</h2>\n");
    s_hidden(sb, s, "user_add");
    sb_add(sb, "<p><label for=\"u-name\">Naam (letters, cijfers, . _ @ -)</label><input "
               "id=\"u-name\" name=\"name\" maxlength=\"64\" required></p>\n<p><label "
               "for=\"u-pw\">Wachtwoord (minstens 10 tekens)</label><input id=\"u-pw\" "
               "name=\"password\" type=\"password\" minlength=\"10\" autocomplete=\"new-password\" "
               "required></p>\n<p><label for=\"u-role\">Rol</label><select id=\"u-role\" "
               "name=\"role\"><option value=\"staff\">medewerker (staff)</option><option "
               "value=\"admin\">beheerder (admin)</option></select></p>\n<p><button "
               "type=\"submit\">Gebruiker toevoegen</button></p></form>\n<h2>Apparaat "
               "toevoegen</h2>\n");
    s_hidden(sb, s, "device_add");
    sb_add(sb, "<p><label for=\"d-name\">Naam van het apparaat</label><input id=\"d-name\" "
               "name=\"name\" maxlength=\"64\" required></p>\n<p><button type=\"submit\">"
               "Apparaat toevoegen</button></p></form>\n<h2>Apparaat intrekken</h2>\n");
    s_hidden(sb, s, "device_revoke");
    sb_add(sb, "<p><label for=\"r-name\">Naam van het apparaat</label><input id=\"r-name\" "
               "name=\"name\" maxlength=\"64\" required></p>\n<p><button type=\"submit\">"
               "Intrekken</button></p></form>\n");
}

/* The page; msg (escaped) on top, and a new device token shown once. */
static void s_page(rstore_t *rs, const session_t *s, http_res_t *res, int status, const char *msg,
                   int ok, const char *token)
{
    json_t *users = s_scan(rs, DASH_KEY_PREFIX "user:", "role", "created_at");
    json_t *devs = users ? s_scan(rs, DASH_KEY_PREFIX "device:", "created_at", "revoked_at") : NULL;
    if (!users || !devs) {
        json_decref(users);
        dash_unavailable_page(res, rs);
        return;
    }
    s_sort_rows(users);
    s_sort_rows(devs);
    sb_t sb = {0};
    page_begin(&sb, "Beheer", s);
    sb_add(&sb, "<h1>Beheer: gebruikers en apparaten</h1>\n");
    if (msg)
        page_notice(&sb, ok, msg);
    if (token) {
        sb_add(&sb, "<p>De apparaatcode van het nieuwe apparaat (u ziet hem maar één keer; "
                    "vul hem nu in de veld-app in):</p>\n<p><code class=\"token\">");
        sb_esc(&sb, token);
        sb_add(&sb, "</code></p>\n");
    }
    static const char *const ucols[] = {"Naam", "Rol", "Gemaakt"};
    static const char *const dcols[] = {"Naam", "Gemaakt", "Ingetrokken"};
    s_table(&sb, users, "Gebruikers", ucols, 3);
    s_table(&sb, devs, "Apparaten van de veld-app", dcols, 3);
    json_decref(users);
    json_decref(devs);
    s_forms(&sb, s);
    page_send(res, status, &sb);
}

/* 1 for an admin session; else the answer is set (login / 403). */
static int s_admin(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res, session_t *s)
{
    return session_require_admin(
        d, rs, req, res, s,
        "Alleen beheerders mogen gebruikers en apparaten beheren. Vraag een "
        "beheerder om hulp.");
}

void ui_admin(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    if (s_admin(d, rs, req, res, &s))
        s_page(rs, &s, res, 200, NULL, 1, NULL);
    dash_redis_put(d, rs);
}

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_form_t *f = arg;
    const page_field_t map[] = {{"csrf", f->csrf, sizeof f->csrf},
                                {"action", f->action, sizeof f->action},
                                {"name", f->name, sizeof f->name},
                                {"role", f->role, sizeof f->role},
                                {"password", f->password, sizeof f->password}};
    page_field_copy(map, sizeof map / sizeof map[0], key, value, len, &f->bad);
    return 0;
}

/* EVAL of one of auth.h's record scripts: the integer it returned, or -1. */
static long long s_eval(rstore_t *rs, const char *script, int nkeys, const char **kv, int n)
{
    const char *argv[8];
    char nk[8];
    snprintf(nk, sizeof nk, "%d", nkeys);
    argv[0] = "EVAL";
    argv[1] = script;
    argv[2] = nk;
    for (int i = 0; i < n; i++)
        argv[3 + i] = kv[i];
    redisReply *r = rstore_cmdargv(rs, 3 + n, argv, NULL);
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r)
        freeReplyObject(r);
    return v;
}

/* busy: no place among the argon2 runs that may go at once (password.c:
 * 64 MiB each, shared with the logins) came free in time. */
static const char *s_user_add(rstore_t *rs, s_form_t *f, int *ok, int *busy)
{
    if (strcmp(f->role, "admin") != 0 && strcmp(f->role, "staff") != 0)
        return "Kies de rol medewerker of beheerder.";
    if (s_chars(f->password) < S_PW_MIN)
        return "Het wachtwoord moet minstens 10 tekens hebben.";
    char hash[crypto_pwhash_STRBYTES], key[AUTH_NAME_MAX + 32], now[32];
    if (password_slot_take() < 0) {
        *busy = 1;
        return "Het is nu te druk om een gebruiker toe te voegen. Probeer het zo opnieuw.";
    }
    int hashed = crypto_pwhash_str(hash, f->password, strlen(f->password),
                                   crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
    password_slot_give();
    if (!hashed)
        return "Het wachtwoord kon niet worden opgeslagen (te weinig geheugen).";
    snprintf(key, sizeof key, DASH_KEY_PREFIX "user:%s", f->name);
    snprintf(now, sizeof now, "%lld", (long long)time(NULL) * 1000);
    const char *kv[] = {key, hash, f->role, now};
    long long rc = s_eval(rs, auth_user_add_lua, 1, kv, 4);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        return "Er is al een gebruiker met deze naam.";
    *ok = 1;
    return "De gebruiker is toegevoegd.";
}

static const char *s_device_add(rstore_t *rs, const s_form_t *f, char token[AUTH_TOKEN_SIZE],
                                int *ok)
{
    char hash[AUTH_HASH_HEX], dkey[AUTH_NAME_MAX + 32], tkey[AUTH_HASH_HEX + 32], now[32];
    auth_token_new("isd_", token);
    auth_token_hash(token, hash);
    snprintf(dkey, sizeof dkey, DASH_KEY_PREFIX "device:%s", f->name);
    snprintf(tkey, sizeof tkey, DASH_KEY_PREFIX "device-token:%s", hash);
    snprintf(now, sizeof now, "%lld", (long long)time(NULL) * 1000);
    const char *kv[] = {dkey, tkey, hash, now, f->name};
    long long rc = s_eval(rs, auth_device_add_lua, 2, kv, 5);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        return "Dit apparaat bestaat al. Trek het eerst in om een nieuwe apparaatcode te maken.";
    *ok = 1;
    return "Het apparaat is toegevoegd.";
}

static const char *s_device_revoke(rstore_t *rs, const s_form_t *f, int *ok)
{
    char dkey[AUTH_NAME_MAX + 32], now[32];
    snprintf(dkey, sizeof dkey, DASH_KEY_PREFIX "device:%s", f->name);
    snprintf(now, sizeof now, "%lld", (long long)time(NULL) * 1000);
    const char *kv[] = {dkey, now, DASH_KEY_PREFIX "device-token:"};
    long long rc = s_eval(rs, auth_device_revoke_lua, 1, kv, 3);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        return "Er is geen apparaat met deze naam.";
    *ok = 1;
    return rc == 1 ? "Het apparaat is ingetrokken; de apparaatcode werkt niet meer."
                   : "Dit apparaat was al ingetrokken.";
}

void ui_admin_post(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_form_t *f = xcalloc(1, sizeof *f);
    char token[AUTH_TOKEN_SIZE] = "";
    int ok = 0, busy = 0;
    const char *msg = "Onbekende actie.";
    if (!s_admin(d, rs, req, res, &s))
        goto out;
    if (http_form_fields(req, S_PW_MAX + 1, s_field, f) < 0 || !session_csrf_ok(&s, f->csrf)) {
        page_message(res, 403, "Niet toegestaan", "Dit formulier is niet geldig of verlopen.");
        goto out;
    }
    if (f->bad || !auth_valid_name(f->name))
        msg = "Een naam is 1 tot 64 letters, cijfers of . _ @ -";
    else if (strcmp(f->action, "user_add") == 0)
        msg = s_user_add(rs, f, &ok, &busy);
    else if (strcmp(f->action, "device_add") == 0)
        msg = s_device_add(rs, f, token, &ok);
    else if (strcmp(f->action, "device_revoke") == 0)
        msg = s_device_revoke(rs, f, &ok);
    if (!msg) {
        dash_unavailable_page(res, rs);
        goto out;
    }
    if (ok) /* no new user name and no password in the audit log */
        audit_log(rs, f->action, s.user, NULL,
                  strcmp(f->action, "user_add") == 0 ? f->role : f->name);
    /* a key only for a device that was added: a refused one never works */
    s_page(rs, &s, res, ok ? 200 : busy ? 503 : 400, msg, ok, ok && token[0] ? token : NULL);
    if (busy)
        http_res_header(res, "Retry-After", "10");
out:
    sodium_memzero(f, sizeof *f);
    free(f);
    sodium_memzero(token, sizeof token);
    dash_redis_put(d, rs);
}
