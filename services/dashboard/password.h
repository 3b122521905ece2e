/*
 * NAME
 *   password.h - the argon2 check of a staff login (owned by the
 *   dashboard; see password.c)
 */
#ifndef INSPRAAK_PASSWORD_H
#define INSPRAAK_PASSWORD_H

#include <stddef.h>

/* Makes the dummy hash an unknown user name is checked against and
 * registers the metrics; at most max_running checks run at once
 * (INSPRAAK_LOGIN_CHECKS_MAX), a login waits at most wait_ms for a place
 * (INSPRAAK_LOGIN_WAIT_MS). Once, at start-up, before the HTTP threads.
 * Returns 0, or -1 with err (libsodium could not make the hash). */
int password_init(long max_running, long wait_ms, char *err, size_t errlen);

/* Takes a place for one check, waiting up to wait_ms for one to come
 * free: 0, or -1 when none did (the login must be refused as busy). A
 * place taken is given back with password_slot_give(). */
int password_slot_take(void);
void password_slot_give(void);

/* 1 when password matches hash (crypto_pwhash_str_verify). hash NULL (no
 * such user, or no usable hash stored): the same check against the dummy
 * hash, and 0. */
int password_verify(const char *hash, const char *password);

#endif
