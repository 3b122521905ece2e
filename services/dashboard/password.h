/*
 * NAME
 *   password.h - the argon2 check of a staff login (owned by the
 *   dashboard; see password.c)
 */
#ifndef INSPRAAK_PASSWORD_H
#define INSPRAAK_PASSWORD_H

#include <stddef.h>

/* Makes the dummy hash an unknown user name is checked against and
 * registers the metrics. Once, at start-up, before the HTTP threads.
 * Returns 0, or -1 with err (libsodium could not make the hash). */
int password_init(char *err, size_t errlen);

/* 1 when password matches hash (crypto_pwhash_str_verify). hash NULL (no
 * such user, or no usable hash stored): the same check against the dummy
 * hash, and 0. */
int password_verify(const char *hash, const char *password);

#endif
