/*
 * NAME
 *   store_batch - one Lua script call for a batch of ideas (storage only)
 *
 * SUMMARY
 *   store_batch_t *b = store_batch_new();
 *   store_batch_add(b, argc, argv, lens);   // one idea's single-idea EVALSHA
 *   ...
 *   store_batch_argv(b, &argc, &argv, &lens); argv[1] = sha of STORE_BATCH_LUA
 *   ... send it, read an array of 0/1 (one per idea added, in order) ...
 *   store_batch_destroy(&b);
 *
 * DESCRIPTION
 *   store.c builds, for each idea, the arguments of its single-idea write
 *   script (the layout is in store.c above S_SCRIPT). A batch of 256 such
 *   calls made Redis run ~11 ZADDs and ~44 HINCRBYs per idea, most of
 *   them on the same few keys and fields. store_batch_add() files one
 *   idea's keys and fields once per batch (each distinct hash field and
 *   zset key gets a number), and STORE_BATCH_LUA then, for the ideas not
 *   yet stored, sums the increments per distinct field and collects the
 *   members per zset in Lua tables, and issues one HINCRBY per distinct
 *   field, one ZADD per distinct zset and one MSET for the records. The
 *   Redis content is the same as the single-idea script's for the same
 *   ideas (also the order of fields in small hashes: fields are
 *   incremented in the order they were first counted).
 *
 *   Pure: no Redis here. Hand-written: no library batches Lua arguments.
 *
 * OWNERSHIP
 *   store_batch_add() borrows argv's strings until store_batch_destroy();
 *   the caller keeps them alive. store_batch_argv()'s arrays belong to b.
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
 * sha of STORE_BATCH_LUA there), "0" keys, then the batch's ARGV. */
void store_batch_argv(store_batch_t *self, int *argc, const char ***argv, size_t **lens);

/* The script. Returns an array with 1 (stored now) or 0 (already stored,
 * or the same id earlier in the batch) per idea, in the order added. */
extern const char STORE_BATCH_LUA[];

#endif
