/*
 * NAME
 *   auth - staff API tokens for the dashboard's /api/ routes
 *
 * DESCRIPTION
 *   A token is never stored: inspraakctl keeps the hex of its BLAKE2b-256
 *   hash as inspraak:token:<hex> (a hash with name, role, created_at).
 *   common/auth.c hashes what the client sends and looks the key up, so no
 *   comparison of secrets happens here and nothing is cached: a revoked
 *   token (key deleted) stops working at the next request. This file turns
 *   the answer into HTTP: 401 with a Dutch message, or 503 when Redis is
 *   down.
 */
#include <string.h>

#include "auth.h"
#include "dashboard.h"
#include "log.h"

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
    if (n == 0 || n > AUTH_MAX_TOKEN) {
        s_unauthorized(res);
        return 0;
    }
    int ok = auth_token_check(rs, token);
    if (ok < 0) {
        dash_unavailable(res, rs);
        return 0;
    }
    if (!ok) {
        log_info("msg=\"unknown api token\"");
        s_unauthorized(res);
    }
    return ok;
}
