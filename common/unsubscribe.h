/*
 * NAME
 *   unsubscribe - signed one-click unsubscribe links (libsodium crypto_auth)
 *
 * DESCRIPTION
 *   A link is <base>/afmelden?p=<pid>&s=<sig> where sig is the base64url
 *   (no padding) of crypto_auth(pid) under a 32-byte key kept in
 *   INSPRAAK_SECRET_FILE (default $INSPRAAK_VAR/secret; created with mode
 *   0600 from random bytes when missing; unsubscribe_key_load() deletes
 *   the temporary files beside it that a killed start left, see
 *   unsubscribe.c). Without the key nobody can make a
 *   link for another pid, so a guessed pid cannot unsubscribe someone.
 *
 *   unsubscribe_apply() marks the participant: SADD inspraak:unsubscribed
 *   <pid> and, when the record exists, HSET consent_feedback 0 and
 *   unsubscribed_at (ms), in one transaction. Applying twice is harmless.
 */
#ifndef INSPRAAK_UNSUBSCRIBE_H
#define INSPRAAK_UNSUBSCRIBE_H

#include <stddef.h>

#include "config.h"
#include "rstore.h"

#define UNSUBSCRIBE_KEY_BYTES 32
#define UNSUBSCRIBE_SIG_SIZE 48 /* 43 base64url characters + NUL, rounded */

/* Reads (or creates) the key. Returns 0, or -1 with err. */
int unsubscribe_key_load(const config_t *cfg, unsigned char key[UNSUBSCRIBE_KEY_BYTES], char *err,
                         size_t errlen);
/* sig for pid into out. */
void unsubscribe_sign(const unsigned char key[UNSUBSCRIBE_KEY_BYTES], const char *pid,
                      char out[UNSUBSCRIBE_SIG_SIZE]);
/* 1 when sig is valid for pid (and pid looks like a pid), else 0. */
int unsubscribe_verify(const unsigned char key[UNSUBSCRIBE_KEY_BYTES], const char *pid,
                       const char *sig);
/* Marks pid as unsubscribed. Returns 0 or -1 (Redis error). */
int unsubscribe_apply(rstore_t *rs, const char *pid, long long now_ms);
/* 1 when pid is unsubscribed, 0 when not, -1 on a Redis error. */
int unsubscribe_is(rstore_t *rs, const char *pid);

#endif
