/*
 * NAME
 *   auth - staff API tokens, device tokens and user records: how they are
 *   made, kept and checked in Redis
 *
 * SUMMARY
 *   int ok = auth_token_check(rs, http_bearer(req));  // 1 yes, 0 no, -1 Redis down
 *
 *   char token[AUTH_TOKEN_SIZE], hex[AUTH_HASH_HEX];
 *   auth_token_new("isd_", token);    // shown once, never stored
 *   auth_token_hash(token, hex);      // stored: inspraak:device-token:<hex>
 *
 * DESCRIPTION
 *   Tokens are never stored: inspraakctl keeps the hex of their BLAKE2b-256
 *   hash (crypto_generichash, 32 bytes, auth_token_hash()) as
 *   inspraak:token:<hex>. We hash what the client sends and look the key
 *   up; nothing is cached, so a revoked token stops working at the next
 *   request. The dashboard's /api/ routes, the transcript upload and the
 *   field app check tokens here.
 *   Needs sodium_init() before the first call of any function.
 *
 *   auth_device_check() does the same for field-app device tokens
 *   (inspraakctl device add, /beheer): inspraak:device-token:<hex> holds the device
 *   name, and inspraak:device:<name> must exist with an empty revoked_at.
 *   Revoking deletes the token key, so the second check only guards against
 *   a half-done revoke.
 *
 *   The writers (inspraakctl and the dashboard's /beheer page) share the
 *   name rule, token making and hashing, and the EVAL scripts below, so
 *   both tools write the same records and see the same accounts.
 */
#ifndef INSPRAAK_AUTH_H
#define INSPRAAK_AUTH_H

#include <stddef.h>

#include "rstore.h"

#define AUTH_MAX_TOKEN 512
#define AUTH_KEY_PREFIX "inspraak:token:"

int auth_token_check(rstore_t *rs, const char *token);

#define AUTH_DEVICE_TOKEN_PREFIX "inspraak:device-token:"
#define AUTH_DEVICE_PREFIX "inspraak:device:"
/* 1 and the device name in name (truncated to size) for a live device
 * token; 0 for an unknown or revoked one; -1 when Redis cannot answer. */
int auth_device_check(rstore_t *rs, const char *token, char *name, size_t size);

/* --- making tokens and records ------------------------------------- */

/* Longest user, token or device name. */
#define AUTH_NAME_MAX 64
/* A new token: a prefix of 4 ("isk_", "isd_"), 43 base64url characters, NUL. */
#define AUTH_TOKEN_SIZE 64
/* A token's hash as kept in the keys: 64 hex digits and NUL. */
#define AUTH_HASH_HEX 65

/* 1 when name is 1..AUTH_NAME_MAX of [A-Za-z0-9._@-], else 0. */
int auth_valid_name(const char *name);
/* prefix (at most 4 characters) + base64url without padding of 32 random
 * bytes into out. */
void auth_token_new(const char *prefix, char out[AUTH_TOKEN_SIZE]);
/* The hex of the BLAKE2b-256 of token (NUL-terminated): the <hex> of
 * inspraak:token:<hex> and inspraak:device-token:<hex>. */
void auth_token_hash(const char *token, char out[AUTH_HASH_HEX]);

/* EVAL scripts that write the records (docs/redis.md).
 * auth_user_add_lua: KEYS user:<name>; ARGV pwhash role created_at.
 *   Returns 0 when the user exists (left alone), 1 when made.
 * auth_device_add_lua: KEYS device:<name> device-token:<hex>;
 *   ARGV <hex> created_at <name>. Returns 0 when the device exists and is
 *   not revoked (left alone), 1 when made (a revoked one gets the new token).
 * auth_device_revoke_lua: KEYS device:<name>; ARGV revoked_at, the key
 *   prefix "inspraak:device-token:". Deletes the token key; returns 0 for
 *   an unknown device, 1 when revoked now, 2 when it was revoked before. */
extern const char auth_user_add_lua[];
extern const char auth_device_add_lua[];
extern const char auth_device_revoke_lua[];

#endif
