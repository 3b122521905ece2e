/*
 * NAME
 *   auth - check a staff API token against Redis
 *
 * SUMMARY
 *   int ok = auth_token_check(rs, http_bearer(req));  // 1 yes, 0 no, -1 Redis down
 *
 * DESCRIPTION
 *   Tokens are never stored: inspraakctl keeps the hex of their BLAKE2b-256
 *   hash (crypto_generichash, 32 bytes) as inspraak:token:<hex>. We hash
 *   what the client sends and look the key up; nothing is cached, so a
 *   revoked token stops working at the next request. Same rule as
 *   services/dashboard/auth.c (which may switch to this function).
 *   Needs sodium_init() before the first call.
 *
 *   auth_device_check() does the same for field-app device tokens
 *   (inspraakctl device add): inspraak:device-token:<hex> holds the device
 *   name, and inspraak:device:<name> must exist with an empty revoked_at.
 *   Revoking deletes the token key, so the second check only guards against
 *   a half-done revoke.
 */
#ifndef INSPRAAK_AUTH_H
#define INSPRAAK_AUTH_H

#include "rstore.h"

#define AUTH_MAX_TOKEN 512
#define AUTH_KEY_PREFIX "inspraak:token:"

int auth_token_check(rstore_t *rs, const char *token);

#define AUTH_DEVICE_TOKEN_PREFIX "inspraak:device-token:"
#define AUTH_DEVICE_PREFIX "inspraak:device:"
/* 1 and the device name in name (truncated to size) for a live device
 * token; 0 for an unknown or revoked one; -1 when Redis cannot answer. */
int auth_device_check(rstore_t *rs, const char *token, char *name, size_t size);

#endif
