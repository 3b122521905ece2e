/*
 * NAME
 *   rstore_url - parsing of redis:// and redis-sentinel:// URLs (see rstore.h)
 *
 * DESCRIPTION
 *   Pure string functions, apart from rstore.c so that the connection code
 *   stays readable. Percent-escapes in the user and password are decoded
 *   here; nothing is allocated.
 */
#include "rstore.h"
#include "rstore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- URL parsing -------------------------------------------------------- */

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Percent-decodes [s, s+n) into out, so a password may hold '@' or '/'. */
static int s_unescape(const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = s_hex(s[i + 1]), l = s_hex(s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return -1;
            c = (char)(h * 16 + l);
            i += 2;
        }
        if (o + 1 >= size)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int s_number(const char *s, size_t n, long min, long max, long *out)
{
    if (n == 0 || n > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* user:password. user may be empty or "default" (AUTH password), or an ACL
 * user name (AUTH user password) when user is not NULL. */
static int s_parse_userinfo(const char *ui, size_t n, char *user, size_t user_size,
                            char *password, size_t password_size)
{
    const char *colon = memchr(ui, ':', n);
    if (!colon)
        return -1; /* a bare user name has no meaning here */
    size_t ulen = (size_t)(colon - ui);
    int is_default = ulen == 0 || (ulen == 7 && memcmp(ui, "default", 7) == 0);
    if (user)
        user[0] = '\0';
    if (!is_default) {
        if (!user || ulen >= user_size)
            return -1;
        for (size_t i = 0; i < ulen; i++)
            if (!(ui[i] == '.' || ui[i] == '-' || ui[i] == '_' || (ui[i] >= '0' && ui[i] <= '9') ||
                  ((ui[i] | 0x20) >= 'a' && (ui[i] | 0x20) <= 'z')))
                return -1;
        memcpy(user, ui, ulen);
        user[ulen] = '\0';
    }
    return s_unescape(colon + 1, n - ulen - 1, password, password_size);
}

int rstore_parse_url(const char *url, char *host, size_t host_size, int *port, int *db,
                     char *password, size_t password_size)
{
    char user[RSTORE_MAX_USER];
    return rstore_parse_url_user(url, host, host_size, port, db, user, sizeof user, password,
                       password_size);
}

int rstore_parse_url_user(const char *url, char *host, size_t host_size, int *port, int *db,
                          char *user, size_t user_size, char *password, size_t password_size)
{
    static const char scheme[] = "redis://";
    if (!url || strncasecmp(url, scheme, sizeof scheme - 1) != 0 || strlen(url) > 1024 ||
        host_size == 0 || password_size == 0)
        return -1;
    const char *p = url + sizeof scheme - 1;
    password[0] = '\0';
    *port = 6379;
    *db = 0;
    const char *end = p + strcspn(p, "/?#");
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    user[0] = '\0';
    if (at) {
        if (s_parse_userinfo(p, (size_t)(at - p), user, user_size, password, password_size) < 0)
            return -1;
        p = at + 1;
    }
    const char *hend, *portp = NULL;
    if (*p == '[') { /* [IPv6]:port */
        hend = memchr(p, ']', (size_t)(end - p));
        if (!hend || hend == p + 1)
            return -1;
        p++;
        if (hend + 1 < end && hend[1] != ':')
            return -1;
        portp = hend + 1 < end ? hend + 2 : NULL;
    } else {
        hend = memchr(p, ':', (size_t)(end - p));
        if (hend)
            portp = hend + 1;
        else
            hend = end;
    }
    size_t hlen = (size_t)(hend - p);
    if (hlen == 0 || hlen >= host_size)
        return -1;
    for (size_t i = 0; i < hlen; i++)
        if (!(p[i] == '.' || p[i] == '-' || p[i] == ':' || p[i] == '_' ||
              (p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')))
            return -1;
    memcpy(host, p, hlen);
    host[hlen] = '\0';
    long v;
    if (portp) {
        if (s_number(portp, (size_t)(end - portp), 1, 65535, &v) < 0)
            return -1;
        *port = (int)v;
    }
    if (*end == '/' && end[1] != '\0') {
        if (s_number(end + 1, strlen(end + 1), 0, 100000, &v) < 0)
            return -1;
        *db = (int)v;
    } else if (*end != '\0' && strcmp(end, "/") != 0) {
        return -1; /* query strings and fragments are not understood */
    }
    return 0;
}

static int s_master_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '.' || s[i] == '-' || s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
              ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
            return 0;
    return 1;
}

/* One "host:port" item of the sentinel list, parsed as a redis:// URL so
 * that host rules (names, IPv4, [IPv6]) are the same. */
static int s_parse_sentinel_item(const char *s, size_t n, rstore_addr_t *out)
{
    char buf[300], pw[2];
    int db;
    if (n == 0 || n + 9 > sizeof buf || memchr(s, '@', n))
        return -1;
    snprintf(buf, sizeof buf, "redis://%.*s", (int)n, s);
    return rstore_parse_url(buf, out->host, sizeof out->host, &out->port, &db, pw, sizeof pw);
}

int rstore_parse_sentinel_url(const char *url, rstore_addr_t *sentinels, int max, int *n,
                              char *master, size_t master_size, int *db, char *password,
                              size_t password_size)
{
    static const char scheme[] = "redis-sentinel://";
    *n = 0;
    if (!url || strncasecmp(url, scheme, sizeof scheme - 1) != 0 || strlen(url) > 1024 ||
        master_size == 0 || password_size == 0 || max <= 0)
        return -1;
    const char *p = url + sizeof scheme - 1;
    const char *slash = strchr(p, '/');
    if (!slash)
        return -1; /* the master name is required */
    password[0] = '\0';
    *db = 0;
    const char *at = NULL;
    for (const char *q = p; q < slash; q++)
        if (*q == '@')
            at = q;
    if (at) {
        if (s_parse_userinfo(p, (size_t)(at - p), NULL, 0, password, password_size) < 0)
            return -1;
        p = at + 1;
    }
    while (p < slash) {
        const char *comma = memchr(p, ',', (size_t)(slash - p));
        const char *iend = comma ? comma : slash;
        if (*n >= max || s_parse_sentinel_item(p, (size_t)(iend - p), &sentinels[*n]) < 0)
            return -1;
        (*n)++;
        p = comma ? comma + 1 : slash;
        if (comma && p == slash)
            return -1; /* trailing comma */
    }
    if (*n == 0)
        return -1;
    const char *name = slash + 1, *q = strchr(name, '?');
    size_t nlen = q ? (size_t)(q - name) : strlen(name);
    if (!s_master_name_ok(name, nlen) || nlen >= master_size)
        return -1;
    memcpy(master, name, nlen);
    master[nlen] = '\0';
    if (q) {
        long v;
        if (strncmp(q, "?db=", 4) != 0 || s_number(q + 4, strlen(q + 4), 0, 100000, &v) < 0)
            return -1;
        *db = (int)v;
    }
    return 0;
}

