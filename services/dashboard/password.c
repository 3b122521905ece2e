/*
 * NAME
 *   password - the argon2 check of a staff login: the same work for a user
 *   name that does not exist
 *
 * DESCRIPTION
 *   Passwords are stored as crypto_pwhash_str (Argon2id with libsodium's
 *   interactive limits: inspraakctl user add, /beheer). Checking one takes
 *   tens of milliseconds and 64 MiB. When a name was unknown the login used
 *   to answer 401 at once, without a check, so the time of the answer told
 *   an attacker which staff user names exist. Now an unknown name (or a
 *   user without a usable hash) is checked against a dummy hash made at
 *   start-up with the same limits from a random password nobody knows, and
 *   the answer comes after the same work.
 *
 * DIAGNOSTICS
 *   inspraak_dashboard_password_checks_total: argon2 checks done, one per
 *   login that reached the check, whether the name exists or not.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "password.h"

static char s_dummy[crypto_pwhash_STRBYTES];
static metric_t *s_checks;

int password_init(char *err, size_t errlen)
{
    char pw[65];
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(pw, sizeof pw, r, sizeof r);
    /* The limits inspraakctl (cmd_user.c) and /beheer (ui_admin.c) store. */
    int rc = crypto_pwhash_str(s_dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sodium_memzero(pw, sizeof pw);
    if (rc != 0) {
        snprintf(err, errlen, "cannot make the dummy password hash (out of memory?)");
        return -1;
    }
    s_checks = metrics_counter("inspraak_dashboard_password_checks_total",
                               "Argon2 password checks of staff logins (unknown names too).");
    return 0;
}

int password_verify(const char *hash, const char *password)
{
    int ok = crypto_pwhash_str_verify(hash ? hash : s_dummy, password, strlen(password)) == 0;
    metric_inc(s_checks);
    return hash && ok;
}
