/*
 * NAME
 *   auth - check a staff API token against Redis (see auth.h)
 */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
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

int auth_device_check(rstore_t *rs, const char *token, char *name, size_t size)
{
    size_t n = token ? strlen(token) : 0;
    if (size)
        name[0] = '\0';
    if (n == 0 || n > AUTH_MAX_TOKEN)
        return 0;
    unsigned char h[crypto_generichash_BYTES];
    char hex[2 * crypto_generichash_BYTES + 1];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, n, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    redisReply *r = rstore_cmd(rs, "GET " AUTH_DEVICE_TOKEN_PREFIX "%s", hex);
    if (!r)
        return -1;
    if (r->type != REDIS_REPLY_STRING || r->len == 0) {
        freeReplyObject(r);
        return 0;
    }
    redisReply *d = rstore_cmd(rs, "HMGET " AUTH_DEVICE_PREFIX "%b token_hash revoked_at", r->str,
                               r->len);
    if (!d) {
        freeReplyObject(r);
        return -1;
    }
    int ok = d->type == REDIS_REPLY_ARRAY && d->elements == 2 &&
             d->element[0]->type == REDIS_REPLY_STRING && strcmp(d->element[0]->str, hex) == 0 &&
             (d->element[1]->type != REDIS_REPLY_STRING || d->element[1]->len == 0);
    if (ok)
        snprintf(name, size, "%s", r->str);
    freeReplyObject(d);
    freeReplyObject(r);
    return ok;
}
