/*
 * NAME
 *   fuzz_config - libFuzzer harness for the settings that are parsed,
 *   not just read: INSPRAAK_REDIS_URL (redis:// and redis-sentinel://)
 *   and INSPRAAK_TRUSTED_PROXIES
 *
 * DESCRIPTION
 *   The first byte picks the parser, the rest is the value (cut at a NUL,
 *   as an environment variable is):
 *     0: rstore_parse_url_user(), a redis:// URL;
 *     1: rstore_parse_sentinel_url(), a redis-sentinel:// URL (at most 4
 *        sentinels, as rstore.c allows);
 *     2: the trusted proxies of http_server_new() (http_proxies_parse).
 *   Promises checked (abort() when broken):
 *     - an accepted redis:// URL has a host of name characters, a port of
 *       1..65535 and a db of 0..100000, and the URL written again from
 *       those parts (password percent-encoded) parses to the same parts;
 *     - an accepted sentinel URL has 1..4 sentinels, each with a host and
 *       a port of 1..65535, and a master name;
 *     - accepted proxies are addresses inet_pton takes back; a refused
 *       list has a message naming INSPRAAK_TRUSTED_PROXIES.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_int.h"
#include "rstore.h"
#include "rstore_int.h"

#define FUZZ_NAME "fuzz_config"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_host_ok(const char *host)
{
    if (!host[0])
        s_fail("accepted URL without a host");
    for (const char *c = host; *c; c++)
        if (!strchr(".-:_", *c) && !((*c >= '0' && *c <= '9') || ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z')))
            s_fail("host with a character no host name has");
}

static void s_redis(const char *url)
{
    char host[256], user[RSTORE_MAX_USER], pw[256];
    int port, db;
    if (rstore_parse_url_user(url, host, sizeof host, &port, &db, user, sizeof user, pw,
                              sizeof pw) < 0)
        return;
    s_host_ok(host);
    if (port < 1 || port > 65535 || db < 0 || db > 100000)
        s_fail("port or db out of range");
    /* Written again from its parts, it must read the same. */
    char again[2048], enc[3 * sizeof pw];
    size_t o = 0;
    for (const char *c = pw; *c; c++)
        if (strchr("-._~", *c) || (*c >= '0' && *c <= '9') || ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z'))
            enc[o++] = *c;
        else
            o += (size_t)snprintf(enc + o, sizeof enc - o, "%%%02X", (unsigned char)*c);
    enc[o] = '\0';
    int bracket = strchr(host, ':') != NULL;
    snprintf(again, sizeof again, "redis://%s%s%s%s%s%s:%d/%d", user, pw[0] || user[0] ? ":" : "",
             enc, pw[0] || user[0] ? "@" : "", bracket ? "[" : "", host, port, db);
    if (bracket) { /* "[host]:port": put the ']' in */
        char *colon = strrchr(again, ':');
        memmove(colon + 1, colon, strlen(colon) + 1);
        *colon = ']';
    }
    if (strlen(again) > 1024)
        return; /* longer than any URL rstore takes, encoded or not */
    char host2[256], user2[RSTORE_MAX_USER], pw2[256];
    int port2, db2;
    if (rstore_parse_url_user(again, host2, sizeof host2, &port2, &db2, user2, sizeof user2, pw2,
                              sizeof pw2) < 0)
        s_fail("a redis URL written from accepted parts is refused");
    if (strcmp(host, host2) || strcmp(user, user2) || strcmp(pw, pw2) || port != port2 ||
        db != db2)
        s_fail("a redis URL written from its parts reads differently");
}

static void s_sentinel(const char *url)
{
    rstore_addr_t s[4];
    char master[128], pw[256];
    int n = -1, db;
    if (rstore_parse_sentinel_url(url, s, 4, &n, master, sizeof master, &db, pw, sizeof pw) < 0)
        return;
    if (n < 1 || n > 4 || !master[0] || db < 0 || db > 100000)
        s_fail("accepted sentinel URL without sentinels or master, or db out of range");
    for (int i = 0; i < n; i++) {
        s_host_ok(s[i].host);
        if (s[i].port < 1 || s[i].port > 65535)
            s_fail("sentinel port out of range");
    }
}

static void s_proxies(const char *list)
{
    http_server_t *srv =
        http_server_new(&(http_opts_t){.name = "fuzz_config", .trusted_proxies = list});
    char err[256] = "";
    if (http_proxies_parse(srv, err, sizeof err) < 0) {
        if (!strstr(err, "INSPRAAK_TRUSTED_PROXIES"))
            s_fail("refused proxies without a message");
    } else {
        unsigned char bin[16];
        for (int i = 0; i < srv->n_proxies; i++)
            if (inet_pton(AF_INET, srv->proxies[i], bin) != 1 &&
                inet_pton(AF_INET6, srv->proxies[i], bin) != 1)
                s_fail("a trusted proxy that is no address");
    }
    http_server_destroy(&srv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = strndup((const char *)data + 1, size - 1);
    if (!s)
        return 0;
    switch (data[0] % 3) {
    case 0: s_redis(s); break;
    case 1: s_sentinel(s); break;
    default: s_proxies(s); break;
    }
    free(s);
    return 0;
}
