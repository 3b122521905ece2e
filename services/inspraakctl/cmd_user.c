/*
 * NAME
 *   cmd_user - inspraakctl user add|list|delete|password: staff users for
 *   the dashboard
 *
 * DESCRIPTION
 *   user add NAME [--role admin|staff] (default staff). The password is
 *   read from stdin: one line when stdin is not a terminal (scripts), or
 *   asked twice without echo on a terminal. At least CTL_PW_MIN characters.
 *   Stored as crypto_pwhash_str (Argon2id, libsodium's interactive limits)
 *   in HSET inspraak:user:<NAME> pwhash role created_at. An existing user
 *   is not overwritten (exit 1). Audit entry user_add with the role as
 *   detail (user "inspraakctl"), as /beheer writes it.
 *
 *   user delete NAME (a staff member leaves) deletes inspraak:user:<NAME>;
 *   an API token is another thing, even under the same name (a staff user
 *   "monitor" beside the monitoring token "monitor"), and stays: token
 *   revoke NAME revokes it. user password NAME sets a new pwhash (same rules as add; role
 *   and created_at stay). Both end the user's dashboard sessions at their
 *   next request: the dashboard keeps a fingerprint of the pwhash in each
 *   session and ends one whose user has no pwhash or another one
 *   (services/dashboard/session.c); a new hash always has a new salt.
 *   Unknown NAME: exit 3, nothing changed. Both write an audit entry
 *   (user_delete, user_password;
 *   user "inspraakctl"), without the name, as /beheer's user_add.
 *   user list: cmd_user_list.c.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "audit.h"
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

/* Reads the password (s_password) and hashes it into hash; 0, or -1
 * after saying why. The password itself is wiped. */
static int s_hash_password(char hash[crypto_pwhash_STRBYTES])
{
    char pw[CTL_PW_MAX + 2];
    if (s_password(pw, sizeof pw) < 0) {
        sodium_memzero(pw, sizeof pw);
        return -1;
    }
    int hrc = crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sodium_memzero(pw, sizeof pw);
    if (hrc != 0) {
        ctl_err("cannot hash the password (out of memory)");
        return -1;
    }
    return 0;
}

/* The Redis key of user name: CTL_OK, or CTL_ERR after saying what a
 * user name may be. */
static int s_name_key(const char *name, char *key, size_t size)
{
    if (!auth_valid_name(name)) {
        ctl_err("a user name is 1 to %d of A-Z a-z 0-9 . _ @ -", AUTH_NAME_MAX);
        return CTL_ERR;
    }
    snprintf(key, size, CTL_PREFIX "user:%s", name);
    return CTL_OK;
}

/* An existing user is never overwritten (auth_user_add_lua). */
static int s_add(ctl_t *ctl, int argc, char **argv)
{
    const char *role;
    if (argc < 2 || ctl_role_opt(argc, argv, 2, s_roles, "staff", &role) < 0)
        return CTL_USAGE;
    const char *name = argv[1];
    char key[AUTH_NAME_MAX + 32];
    if (s_name_key(name, key, sizeof key) != CTL_OK)
        return CTL_ERR;
    char hash[crypto_pwhash_STRBYTES];
    if (s_hash_password(hash) < 0)
        return CTL_ERR;
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    const char *kv[] = {key, hash, role, now};
    long long added;
    if (ctl_eval_int(ctl, auth_user_add_lua, 1, kv, 3, &added) < 0)
        return CTL_ERR;
    if (added != 1) {
        ctl_err("user %s already exists", name);
        return CTL_ERR;
    }
    audit_log(ctl->rs, "user_add", "inspraakctl", NULL, role); /* as /beheer: no name */
    fprintf(stderr, "inspraakctl: user %s added (role %s)\n", name, role);
    return CTL_OK;
}

static const char s_password_script[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'pwhash', ARGV[1])\n"
    "return 1\n";

static int s_unknown(const char *name)
{
    ctl_err("no user named %s; nothing was changed", name);
    return CTL_NOTFOUND;
}

/* Checks the NAME of "user delete|password NAME" and makes its key:
 * CTL_OK, CTL_USAGE, or CTL_ERR after saying what is wrong. */
static int s_user_key(int argc, char **argv, char *key, size_t size)
{
    if (argc != 2 || argv[1][0] == '-')
        return CTL_USAGE;
    return s_name_key(argv[1], key, size);
}

static int s_delete(ctl_t *ctl, int argc, char **argv)
{
    char key[AUTH_NAME_MAX + 32];
    int rc = s_user_key(argc, argv, key, sizeof key);
    if (rc != CTL_OK)
        return rc;
    const char *name = argv[1];
    redisReply *r = rstore_cmd(ctl->rs, "DEL %s", key);
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r)
            freeReplyObject(r);
        return ctl_redis_err(ctl, "user delete");
    }
    long long deleted = r->integer;
    freeReplyObject(r);
    if (deleted == 0)
        return s_unknown(name);
    audit_log(ctl->rs, "user_delete", "inspraakctl", NULL, NULL);
    fprintf(stderr, "inspraakctl: user %s deleted; their dashboard sessions end\n", name);
    return CTL_OK;
}

static int s_new_password(ctl_t *ctl, int argc, char **argv)
{
    char key[AUTH_NAME_MAX + 32], hash[crypto_pwhash_STRBYTES];
    int rc = s_user_key(argc, argv, key, sizeof key);
    if (rc != CTL_OK)
        return rc;
    const char *name = argv[1];
    redisReply *r = rstore_cmd(ctl->rs, "EXISTS %s", key); /* before asking a password */
    if (!r)
        return ctl_redis_err(ctl, "user password");
    int exists = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    if (!exists)
        return s_unknown(name);
    if (s_hash_password(hash) < 0)
        return CTL_ERR;
    const char *kv[] = {key, hash};
    long long done;
    if (ctl_eval_int(ctl, s_password_script, 1, kv, 1, &done) < 0)
        return CTL_ERR;
    if (done != 1)
        return s_unknown(name);
    audit_log(ctl->rs, "user_password", "inspraakctl", NULL, NULL);
    fprintf(stderr, "inspraakctl: password of %s changed; their dashboard sessions end\n", name);
    return CTL_OK;
}

int cmd_user(ctl_t *ctl, int argc, char **argv)
{
    if (strcmp(argv[0], "add") == 0)
        return s_add(ctl, argc, argv);
    if (strcmp(argv[0], "list") == 0)
        return ctl_user_list(ctl, argc);
    if (strcmp(argv[0], "delete") == 0)
        return s_delete(ctl, argc, argv);
    if (strcmp(argv[0], "password") == 0)
        return s_new_password(ctl, argc, argv);
    return CTL_USAGE;
}
