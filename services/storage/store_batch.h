/*
 * NAME
 *   store_batch - the two Redis commands that write a batch of ideas
 *   (storage only)
 *
 * SUMMARY
 *   store_batch_t *b = store_batch_new();
 *   store_batch_add(b, argc, argv, lens);   // one idea's single-idea EVALSHA
 *   ...
 *   store_batch_check_argv(b, &argc, &nkeys, &argv, &lens); argv[1] = sha
 *   ... WATCH the same keys, send it: the KEYS positions (1-based) of the
 *   records that exist, and minus those of the ideas whose participant
 *   was erased meanwhile; store_batch_in_call() maps them back to ideas,
 *   store_batch_skip() leaves the first out, store_batch_gone() marks
 *   the others ...
 *   n = store_batch_cmds(b, &cmd_argc, &argv, &lens);
 *   ... MULTI, the n commands (cmd_argc[i] arguments each, one after the
 *   other in argv), EXEC ...
 *   store_batch_destroy(&b);
 *
 * DESCRIPTION
 *   store.c builds, for each idea, the arguments of its single-idea write
 *   script (the layout is in store.c above S_SCRIPT). A batch of 256 such
 *   calls made Redis run ~11 ZADDs and ~44 HINCRBYs per idea, most of
 *   them on the same few keys and fields. store_batch_add() files one
 *   idea's keys and fields once per batch (each distinct hash field and
 *   zset key gets a number); store_batch_cmds() sums the increments per
 *   distinct field and collects the members per zset of the ideas not
 *   skipped: one HINCRBY per distinct field, one ZADD per distinct zset
 *   and one MSET for the records. The Redis content is the same as the
 *   single-idea script's for the same ideas (also the order of fields in
 *   small hashes: fields are incremented in the order they were first
 *   counted).
 *
 *   Pure: no Redis here. Hand-written: no library batches Redis commands
 *   like this.
 *
 * OWNERSHIP
 *   store_batch_add() borrows argv's strings until store_batch_destroy();
 *   the caller keeps them alive. The arrays that store_batch_check_argv()
 *   and store_batch_cmds() hand out belong to b and are valid until the
 *   next of those calls or destroy.
 */
#ifndef INSPRAAK_STORE_BATCH_H
#define INSPRAAK_STORE_BATCH_H

#include <stddef.h>

typedef struct store_batch store_batch_t;

store_batch_t *store_batch_new(void);
void store_batch_destroy(store_batch_t **self_p);

/* Adds one idea, given the complete single-idea command ("EVALSHA", sha,
 * numkeys, KEYS..., ARGV...). 0, or -1 when argv is not in that layout
 * (nothing added). */
int store_batch_add(store_batch_t *self, int argc, const char **argv, const size_t *lens);

/* Ideas added so far. */
int store_batch_count(const store_batch_t *self);

/* The check: argv[0] "EVALSHA", argv[1] "" (the caller puts the sha of
 * STORE_BATCH_LUA there), the key count (*nkeys), KEYS: the record keys
 * of the ideas not skipped, then the email index keys of those that name
 * their participant by address; ARGV: per record, that participant's
 * pid, or "". The caller WATCHes the KEYS. */
void store_batch_check_argv(store_batch_t *self, int *argc, int *nkeys, const char ***argv,
                            size_t **lens);

/* The write, for the ideas not skipped: returns the number of commands;
 * command i has (*cmd_argc)[i] arguments, the commands' arguments follow
 * each other in *argv / *lens. */
int store_batch_cmds(store_batch_t *self, const int **cmd_argc, const char ***argv, size_t **lens);

/* Leaves idea i (0-based, in the order added) out of the next check and
 * write. */
void store_batch_skip(store_batch_t *self, int i);

/* Marks idea i: its participant was erased since store_prepare()
 * resolved the pid (the check said so). The write then stores it without
 * the participant steps and without its PEOPLE_PIDS count, as S_SCRIPT
 * does (store.c). */
void store_batch_gone(store_batch_t *self, int i);

/* 1 when idea i was written marked gone (not skipped); its id, the
 * normalised address and the name as given (borrowed) for
 * store_erased_meanwhile(). */
int store_batch_erased(const store_batch_t *self, int i, const char **id, const char **email,
                       const char **name);

/* 1 when idea i, which names a participant, was left out as stored
 * before; its id, record, address and name (borrowed, as
 * store_batch_erased() gives them) for store_stored_erased(). */
int store_batch_stored_before(const store_batch_t *self, int i, const char **id, const char **rec,
                              size_t *rec_len, const char **email, const char **name);

/* The idea (0-based, in the order added) whose record key is KEYS[k + 1]
 * of the last check (or the k-th record of the last write), or -1. */
int store_batch_in_call(const store_batch_t *self, int k);

/* The check script: the positions in KEYS (1-based) of the records that
 * exist, and the negated positions of the records whose pid (ARGV) their
 * email index key no longer names (an empty array when neither).
 * Writes nothing. */
extern const char STORE_BATCH_LUA[];

#endif
