/*
 * NAME
 *   cmd_user - inspraakctl user add: staff users for the dashboard
 *
 * DESCRIPTION
 *   user add NAME [--role admin|staff] (default staff). The password is
 *   read from stdin: one line when stdin is not a terminal (scripts), or
 *   asked twice without echo on a terminal. At least CTL_PW_MIN characters.
 *   Stored as crypto_pwhash_str (Argon2id, libsodium's interactive limits)
 *   in HSET inspraak:user:<NAME> pwhash role created_at. An existing user
 *   is not overwritten (exit 1).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "ctl.h"

#define CTL_PW_MIN 10
#define CTL_PW_MAX 1024

static const char *const s_roles[] = {"admin", "staff", NULL};

/* Reads one line (without its newline). Returns 0, or -1 on EOF/too long. */
static int s_read_line(FILE *in, char *buf, size_t size)
{
    if (!fgets(buf, (int)size, in))
        return -1;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(in))
        return -1; /* longer than the buffer */
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* Asks on the terminal with echo off. */
static int s_ask(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    int tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int rc = s_read_line(stdin, buf, size);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    return rc;
}

/* Characters, not bytes: a UTF-8 continuation byte does not count. */
static size_t s_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int s_password(char *pw, size_t size)
{
    if (isatty(STDIN_FILENO)) {
        char again[CTL_PW_MAX + 2];
        if (s_ask("Password: ", pw, size) < 0 || s_ask("Again: ", again, sizeof again) < 0) {
            ctl_err("no password given");
            return -1;
        }
        int same = strcmp(pw, again) == 0;
        sodium_memzero(again, sizeof again);
        if (!same) {
            ctl_err("the passwords differ");
            return -1;
        }
    } else if (s_read_line(stdin, pw, size) < 0) {
        ctl_err("no password on stdin (one line, at most %d bytes)", CTL_PW_MAX);
        return -1;
    }
    if (s_chars(pw) < CTL_PW_MIN) {
        ctl_err("the password must be at least %d characters", CTL_PW_MIN);
        return -1;
    }
    return 0;
}

/* An existing user is never overwritten (auth_user_add_lua). */
static int s_add(ctl_t *ctl, int argc, char **argv)
{
    const char *role;
    if (argc < 2 || ctl_role_opt(argc, argv, 2, s_roles, "staff", &role) < 0)
        return CTL_USAGE;
    const char *name = argv[1];
    if (!auth_valid_name(name)) {
        ctl_err("a user name is 1 to %d of A-Z a-z 0-9 . _ @ -", AUTH_NAME_MAX);
        return CTL_ERR;
    }
    char pw[CTL_PW_MAX + 2];
    if (s_password(pw, sizeof pw) < 0) {
        sodium_memzero(pw, sizeof pw);
        return CTL_ERR;
    }
    char hash[crypto_pwhash_STRBYTES];
    int hrc = crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sodium_memzero(pw, sizeof pw);
    if (hrc != 0) {
        ctl_err("cannot hash the password (out of memory)");
        return CTL_ERR;
    }
    char key[AUTH_NAME_MAX + 32], now[32];
    snprintf(key, sizeof key, CTL_PREFIX "user:%s", name);
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    const char *kv[] = {key, hash, role, now};
    long long added;
    if (ctl_eval_int(ctl, auth_user_add_lua, 1, kv, 3, &added) < 0)
        return CTL_ERR;
    if (added != 1) {
        ctl_err("user %s already exists", name);
        return CTL_ERR;
    }
    fprintf(stderr, "inspraakctl: user %s added (role %s)\n", name, role);
    return CTL_OK;
}

int cmd_user(ctl_t *ctl, int argc, char **argv)
{
    if (strcmp(argv[0], "add") == 0)
        return s_add(ctl, argc, argv);
    return CTL_USAGE;
}
