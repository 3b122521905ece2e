/*
 * NAME
 *   ctl - shared parts of inspraakctl (internal header)
 *
 * DESCRIPTION
 *   Every command gets a ctl_t holding the Redis connection and returns
 *   an exit code: CTL_OK 0, CTL_ERR 1 (Redis down, bad input), CTL_USAGE 2,
 *   CTL_NOTFOUND 3. Messages for the operator go to stderr as
 *   "inspraakctl: ..."; results go to stdout.
 *
 *   Redis keys written (docs/redis.md has the whole layout):
 *     inspraak:user:<name>          hash pwhash role created_at
 *     inspraak:token:<hex>          hash name role created_at
 *     inspraak:token-names          hash name -> <hex>
 *     inspraak:device:<name>        hash token_hash created_at revoked_at
 *     inspraak:device-token:<hex>   string name (deleted on revoke)
 *   <hex> is the hex of the BLAKE2b-256 (crypto_generichash, 32 bytes) of
 *   the token; times are ms since the epoch, as decimal strings.
 *
 * OWNERSHIP
 *   Replies from ctl_eval() are hiredis replies the caller frees with
 *   freeReplyObject().
 */
#ifndef INSPRAAK_CTL_H
#define INSPRAAK_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h" /* names, tokens and the record scripts */
#include "config.h"
#include "rstore.h"

#define CTL_OK 0
#define CTL_ERR 1
#define CTL_USAGE 2
#define CTL_NOTFOUND 3

#define CTL_PREFIX "inspraak:"

typedef struct {
    rstore_t *rs;
    const config_t *cfg; /* the bus endpoints and our name (participant erase) */
} ctl_t;

/* main.c */
void ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports a failed Redis call and returns CTL_ERR. */
int ctl_redis_err(ctl_t *ctl, const char *what);
/* ctl_date.c: "YYYY-MM-DD", a day in Heerlen, into ms since the epoch of
 * its start (midnight Europe/Amsterdam); -1 when it is not a day. */
int64_t ctl_date_ms(const char *s);
/* main.c: EVAL script with nkeys keys then args (NULL-terminated list after nkeys
 * keys, all strings). NULL on error (message printed). */
redisReply *ctl_eval(ctl_t *ctl, const char *script, int nkeys, const char **keys_then_args,
                     int nargs);
/* ctl_eval() for the record scripts that answer a number (1 = done, 0 =
 * nothing to do, ...): sets *answer to it (0 when the reply is not an
 * integer) and returns 0, or -1 when Redis failed (message printed). */
int ctl_eval_int(ctl_t *ctl, const char *script, int nkeys, const char **keys_then_args, int nargs,
                 long long *answer);
/* Sorts the n malloc'd lines, prints one per line on stdout, frees them
 * and the array (the listing commands). */
void ctl_print_sorted(char **lines, size_t n);
/* A stored time (ms since the epoch, as Redis holds it) as a person reads
 * it: ISO 8601 in UTC, "2026-11-29T10:02:33.106Z", into buf (>= 32 bytes).
 * Anything that is not a number ("" for "never") is copied as it is.
 * Returns buf. */
const char *ctl_time(const char *ms, char *buf, size_t size);
/* Parses "--role R" (or "--role=R") from argv[from..argc); R must be one
 * of allowed (NULL terminated). argv[from - 1] is the command's NAME: one
 * that starts with "-" is an option given before it. Returns 0 with *role
 * set (default def), or -1 after saying on stderr what is wrong and which
 * roles there are. */
int ctl_role_opt(int argc, char **argv, int from, const char *const *allowed, const char *def,
                 const char **role);

/* The commands: argv[0] is the subcommand ("add", "create", ...). */
int cmd_user(ctl_t *ctl, int argc, char **argv);
int cmd_token(ctl_t *ctl, int argc, char **argv);
int cmd_device(ctl_t *ctl, int argc, char **argv);
int cmd_participant(ctl_t *ctl, int argc, char **argv);
int cmd_campaign(ctl_t *ctl, int argc, char **argv);
int cmd_retention(ctl_t *ctl, int argc, char **argv);
int cmd_corrections(ctl_t *ctl, int argc, char **argv);
/* cmd_user_list.c: "user list" (argc counts "list"). */
int ctl_user_list(ctl_t *ctl, int argc);
/* cmd_buskeys.c: "bus-keys FOLDER"; needs no Redis (argv[0] is FOLDER). */
int cmd_buskeys(int argc, char **argv);

/* cmd_participant.c: the email index key storage files an address under,
 * CTL_PREFIX "participant-email:" and the hex of its 16-byte BLAKE2b,
 * into out (at least CTL_EMAIL_KEY_MAX bytes). email must already be as
 * storage stores it (email_stored_form(), common/email_idn.h). */
#define CTL_EMAIL_KEY_MAX 96
void ctl_email_key(const char *email, char *out);

/* cmd_erase.c: removes the person's data everywhere (see there) and adds
 * "participant_id", "removed" and "ideas_kept_anonymous" to out. email may
 * be "" (then no files are searched). CTL_OK or CTL_ERR. */
struct json_t;
int ctl_erase_person(ctl_t *ctl, const char *pid, const char *email, const char *email_key,
                     struct json_t *out);
/* cmd_erase_ideas.c: asks storage (over the bus, waiting for each ack)
 * to cut email and the participant's name out of the texts of every idea
 * in inspraak:participant-ideas:<pid> that is not in done (a JSON object
 * used as a set of ids), adds each id handled to done and the running count
 * to "ideas_redacted" in out. Called by ctl_erase_person() before anything
 * is deleted, again for ideas storage wrote meanwhile. CTL_OK, or
 * CTL_ERR (message printed; nothing deleted) when storage did not answer. */
int ctl_erase_ideas(ctl_t *ctl, const char *pid, const char *email, struct json_t *done,
                    struct json_t *out);
/* cmd_erase.c: for an address with no participant record (any more, e.g.
 * an earlier erase was interrupted): removes only the dead letters and
 * mail files holding it; adds the same members to out ("participant_id"
 * null). Sets *dead to the dead letters removed. CTL_OK or CTL_ERR. */
int ctl_erase_address(ctl_t *ctl, const char *email, struct json_t *out, long *dead);
/* cmd_erase.c: what erase would remove outside the participant's Redis
 * keys, found and left in place: adds "mail_files" (paths of the files
 * under $INSPRAAK_VAR/mail/ holding the address) and "dead_letters" (the
 * dead-letter entries holding it) to out; both empty when email is "".
 * CTL_OK or CTL_ERR. */
int ctl_held_elsewhere(ctl_t *ctl, const char *email, struct json_t *out);
/* cmd_erase.c: calls fn(ctl, key, arg) for every key SCAN finds for
 * pattern (a key may come twice, as SCAN allows). CTL_OK, or CTL_ERR on a
 * Redis error (no message printed) or when fn returns something else. */
int ctl_scan(ctl_t *ctl, const char *pattern, int (*fn)(ctl_t *, const char *, void *), void *arg);
/* cmd_retention_files.c: deletes the files of the processed stores
 * (transcripts done/ and failed/, ...) last modified before cutoff_ms and
 * adds each store's count to removed ({"store": N}). Returns how many
 * files could not be deleted (each said on stderr). */
long ctl_retention_files(int64_t cutoff_ms, struct json_t *removed);
/* cmd_retention_lists.c: removes the entries of the list inspraak:<list>
 * ("deadletter", "mail:skipped") whose "at" is before cutoff_ms; sets
 * *undated to those without one (kept). Returns how many were removed, or
 * -1 (message printed). */
long ctl_retention_list(ctl_t *ctl, const char *list, int64_t cutoff_ms, long *undated);
/* list_remove.c: walks inspraak:<list> and, for every string entry pick()
 * answers non-zero to, removes it by value (LREM 0) when remove is set.
 * Returns the entries removed (without remove: the entries picked), or -1
 * when Redis failed or answered with a reply of the wrong type (nothing
 * printed: the caller names what it was doing, ctl_redis_err()). */
typedef int (*ctl_list_pred_t)(const char *entry, size_t len, void *arg);
long ctl_list_remove_if(ctl_t *ctl, const char *list, ctl_list_pred_t pick, void *arg, int remove);
/* BGREWRITEAOF and wait until Redis has finished it. CTL_OK or CTL_ERR. */
int ctl_aof_rewrite(ctl_t *ctl);

#endif
