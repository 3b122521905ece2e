/*
 * NAME
 *   auth - staff and device tokens, user records (see auth.h)
 */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char auth_user_add_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'pwhash', ARGV[1], 'role', ARGV[2], 'created_at', ARGV[3])\n"
    "return 1\n";

const char auth_device_add_lua[] =
    "local old = redis.call('HGET', KEYS[1], 'revoked_at')\n"
    "if old and old == '' then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'token_hash', ARGV[1], 'created_at', ARGV[2], 'revoked_at', '')\n"
    "redis.call('SET', KEYS[2], ARGV[3])\n"
    "return 1\n";

const char auth_device_revoke_lua[] =
    "local h = redis.call('HGET', KEYS[1], 'token_hash')\n"
    "if not h then return 0 end\n"
    "redis.call('DEL', ARGV[2] .. h)\n"
    "if redis.call('HGET', KEYS[1], 'revoked_at') ~= '' then return 2 end\n"
    "redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1])\n"
    "return 1\n";

int auth_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > AUTH_NAME_MAX)
        return 0;
    /* Spelled out, not isalnum(): the rule must not follow the locale. */
    for (; *name; name++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-", *name))
            return 0;
    return 1;
}

void auth_token_new(const char *prefix, char out[AUTH_TOKEN_SIZE])
{
    unsigned char rnd[32];
    randombytes_buf(rnd, sizeof rnd);
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    sodium_bin2base64(out + p, AUTH_TOKEN_SIZE - p, rnd, sizeof rnd,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(rnd, sizeof rnd);
}

void auth_token_hash(const char *token, char out[AUTH_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, AUTH_HASH_HEX, h, sizeof h);
}

int auth_token_check(rstore_t *rs, const char *token)
{
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n > AUTH_MAX_TOKEN)
        return 0;
    char hex[AUTH_HASH_HEX];
    auth_token_hash(token, hex);
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
    char hex[AUTH_HASH_HEX];
    auth_token_hash(token, hex);
    redisReply *r = rstore_cmd(rs, "GET " AUTH_DEVICE_TOKEN_PREFIX "%s", hex);
    if (!r)
        return -1;
    if (r->type != REDIS_REPLY_STRING || r->len == 0) {
        freeReplyObject(r);
        return 0;
    }
    redisReply *d =
        rstore_cmd(rs, "HMGET " AUTH_DEVICE_PREFIX "%b token_hash revoked_at", r->str, r->len);
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
