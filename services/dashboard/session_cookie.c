/*
 * NAME
 *   session_cookie - what session.c and login.c share: session ids and
 *   their BLAKE2b hashes, the cookies, the password mark, a session's
 *   absolute length and the way back after logging in (owned by the
 *   dashboard; the rules are in session.c's header)
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "dashboard.h"
#include "session_cookie.h"
#include "xalloc.h"

void session_hash_hex(const char *s, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

void session_random_hex(char out[65])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(out, 65, r, sizeof r);
}

/* The value of cookie `name` (64 hex chars) into out; 0 or -1. */
int session_cookie_value(const http_req_t *req, const char *name, char out[65])
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

void session_set_cookie(dash_t *d, http_res_t *res, const char *name, const char *value,
                        long max_age)
{
    char *c = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", name, value,
                        max_age, d->secure_cookies ? "; Secure" : "");
    http_res_header(res, "Set-Cookie", c);
    free(c);
}

/* The hex of the BLAKE2b-128 of a user's pwhash: what a session keeps of
 * it (never the hash itself). */
void session_pw_mark(const char *pwhash, size_t len, char out[33])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)pwhash, len, NULL, 0);
    sodium_bin2hex(out, 33, h, sizeof h);
}

/* How long a session with this idle timeout lasts in all: a long one
 * (chosen at login) at least its idle time, else the idle time chosen
 * would be cut short by INSPRAAK_SESSION_MAX_S. */
long session_max_s(const dash_t *d, long idle)
{
    return idle > d->max_s ? idle : d->max_s;
}

/* A place the login may send people back to: a path of this dashboard,
 * never another site ("//host", "/\\host") nor the login itself. */
int session_back_ok(const char *p)
{
    if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\' || strlen(p) > SESSION_BACK_MAX)
        return 0;
    if (strncmp(p, "/login", 6) == 0 || strncmp(p, "/logout", 7) == 0)
        return 0;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c < 0x21 || *c == 0x7f)
            return 0;
    return 1;
}
