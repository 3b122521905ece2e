/*
 * NAME
 *   password - the argon2 check of a staff login: the same work for a user
 *   name that does not exist, and a cap on checks running at once
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
 *   Every check takes 64 MiB for its length, and the dashboard runs a
 *   thread per connection: logins sent at once from many addresses (each
 *   within its rate limit) could stack up checks until the machine ran
 *   out of memory. A counting semaphore (a mutex and a condition on the
 *   monotonic clock) lets at most max_running logins check at once; a
 *   login that finds no place free waits at most wait_ms, then is refused
 *   as busy (session.c answers 503 with Retry-After).
 *
 * DIAGNOSTICS
 *   inspraak_dashboard_password_checks_total: argon2 checks done, one per
 *   login that reached the check, whether the name exists or not.
 *   inspraak_dashboard_password_checks_running: checks (places) in use.
 *   inspraak_dashboard_login_busy_total: logins refused because every
 *   place stayed taken for the whole wait.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "password.h"

static char s_dummy[crypto_pwhash_STRBYTES];
static metric_t *s_checks, *s_running_m, *s_busy;

static pthread_mutex_t s_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_freed;
static long s_max = 1, s_wait_ms, s_running;

int password_init(long max_running, long wait_ms, char *err, size_t errlen)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s_freed, &ca);
    pthread_condattr_destroy(&ca);
    s_max = max_running > 0 ? max_running : 1;
    s_wait_ms = wait_ms > 0 ? wait_ms : 0;
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
    s_running_m = metrics_gauge("inspraak_dashboard_password_checks_running",
                                "Staff logins checking a password now.");
    s_busy = metrics_counter("inspraak_dashboard_login_busy_total",
                             "Staff logins refused (503) because too many were being checked.");
    return 0;
}

int password_slot_take(void)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += s_wait_ms / 1000;
    until.tv_nsec += (s_wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s_mu);
    int rc = 0;
    while (s_running >= s_max && rc == 0)
        rc = pthread_cond_timedwait(&s_freed, &s_mu, &until);
    int got = s_running < s_max; /* a place may come free as the wait ends */
    if (got)
        metric_set(s_running_m, (double)++s_running);
    pthread_mutex_unlock(&s_mu);
    if (!got)
        metric_inc(s_busy);
    return got ? 0 : -1;
}

void password_slot_give(void)
{
    pthread_mutex_lock(&s_mu);
    if (s_running > 0)
        metric_set(s_running_m, (double)--s_running);
    pthread_cond_signal(&s_freed);
    pthread_mutex_unlock(&s_mu);
}

int password_verify(const char *hash, const char *password)
{
    int ok = crypto_pwhash_str_verify(hash ? hash : s_dummy, password, strlen(password)) == 0;
    metric_inc(s_checks);
    return hash && ok;
}
