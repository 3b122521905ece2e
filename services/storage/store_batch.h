/*
 * NAME
 *   store_batch - one Lua script call for a batch of ideas (storage only)
 *
 * SUMMARY
 *   store_batch_t *b = store_batch_new();
 *   store_batch_add(b, argc, argv, lens);   // one idea's single-idea EVALSHA
 *   ...
 *   store_batch_argv(b, 0, &argc, &argv, &lens); argv[1] = sha of STORE_BATCH_LUA
 *   ... send it: an empty array means every idea was written; else
 *   nothing was written and the array holds the KEYS positions (1-based)
 *   already stored: store_batch_in_call() maps them back,
 *   store_batch_skip() leaves them out, and the call is built again ...
 *   store_batch_destroy(&b);
 *
 * DESCRIPTION
 *   store.c builds, for each idea, the arguments of its single-idea write
 *   script (the layout is in store.c above S_SCRIPT). A batch of 256 such
 *   calls made Redis run ~11 ZADDs and ~44 HINCRBYs per idea, most of
 *   them on the same few keys and fields. store_batch_add() files one
 *   idea's keys and fields once per batch (each distinct hash field and
 *   zset key gets a number); store_batch_argv() sums the increments per
 *   distinct field and collects the members per zset of the ideas not
 *   skipped, and writes one HINCRBY per distinct field, one ZADD per
 *   distinct zset and one MSET for the records as a list of commands that
 *   STORE_BATCH_LUA runs only when none of the records exists yet. The
 *   Redis content is the same as the single-idea script's for the same
 *   ideas (also the order of fields in small hashes: fields are
 *   incremented in the order they were first counted).
 *
 *   Pure: no Redis here. Hand-written: no library batches Redis commands
 *   into one script call.
 *
 * OWNERSHIP
 *   store_batch_add() borrows argv's strings until store_batch_destroy();
 *   the caller keeps them alive. store_batch_argv()'s arrays belong to b
 *   and are valid until the next store_batch_argv() or destroy.
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

/* The batch command: argv[0] "EVALSHA", argv[1] "" (the caller puts the
 * sha of STORE_BATCH_LUA there), the key count, the record keys of the
 * ideas not skipped, then the command list (store_batch.c); with
 * check_only an empty list: the call only answers which records exist. */
void store_batch_argv(store_batch_t *self, int check_only, int *argc, const char ***argv,
                      size_t **lens);

/* Leaves idea i (0-based, in the order added) out of the next
 * store_batch_argv(). */
void store_batch_skip(store_batch_t *self, int i);

/* The idea (0-based, in the order added) whose record key is KEYS[k + 1]
 * of the last store_batch_argv(), or -1 when there is none. */
int store_batch_in_call(const store_batch_t *self, int k);

/* The script. Returns an empty array when it wrote every idea of the
 * call, else the positions in KEYS (1-based) of the records that exist,
 * and it wrote nothing. */
extern const char STORE_BATCH_LUA[];

#endif
