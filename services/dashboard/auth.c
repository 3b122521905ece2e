/*
 * NAME
 *   auth - staff API tokens for the dashboard's /api/ routes
 *
 * DESCRIPTION
 *   A token is never stored: inspraakctl keeps the hex of its BLAKE2b-256
 *   hash as inspraak:token:<hex> (a hash with name, role, created_at). We
 *   hash what the client sends and look the key up, so no comparison of
 *   secrets happens here and nothing is cached: a revoked token (key
 *   deleted) stops working at the next request.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "dashboard.h"
#include "log.h"

#define S_MAX_TOKEN 512

static void s_unauthorized(http_res_t *res)
{
    http_res_error(res, 401, "unauthorized", "Log in of geef een geldige API-sleutel mee.", NULL);
    http_res_header(res, "WWW-Authenticate", "Bearer");
}

int auth_check(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res)
{
    (void)d;
    const char *token = http_bearer(req);
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n > S_MAX_TOKEN) {
        s_unauthorized(res);
        return 0;
    }
    unsigned char h[crypto_generichash_BYTES];
    char hex[2 * crypto_generichash_BYTES + 1];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, n, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);

    redisReply *r = rstore_cmd(rs, "EXISTS " DASH_KEY_PREFIX "token:%s", hex);
    if (!r) {
        dash_unavailable(res, rs);
        return 0;
    }
    int ok = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    if (!ok) {
        log_info("msg=\"unknown api token\"");
        s_unauthorized(res);
    }
    return ok;
}
