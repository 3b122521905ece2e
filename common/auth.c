/*
 * NAME
 *   auth - check a staff API token against Redis (see auth.h)
 */
#include "auth.h"

#include <sodium.h>
#include <string.h>

int auth_token_check(rstore_t *rs, const char *token)
{
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n > AUTH_MAX_TOKEN)
        return 0;
    unsigned char h[crypto_generichash_BYTES];
    char hex[2 * crypto_generichash_BYTES + 1];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, n, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    redisReply *r = rstore_cmd(rs, "EXISTS " AUTH_KEY_PREFIX "%s", hex);
    if (!r)
        return -1;
    int ok = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    return ok;
}
