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
 */
#ifndef INSPRAAK_AUTH_H
#define INSPRAAK_AUTH_H

#include "rstore.h"

#define AUTH_MAX_TOKEN 512
#define AUTH_KEY_PREFIX "inspraak:token:"

int auth_token_check(rstore_t *rs, const char *token);

#endif
