/*
 * NAME
 *   store - the storage service's writes into Redis (ideas, participants,
 *   dead letters)
 *
 * SUMMARY
 *   store_t *st = store_new(cfg.redis_url, err, sizeof err);
 *   int r = store_idea(st, &idea, participant_or_NULL);   // 1 new, 0 dup, -1 error
 *   store_deadletter(st, origin, code, reason, raw, raw_len);
 *   store_destroy(&st);
 *
 * DESCRIPTION
 *   The key layout is docs/redis.md; this file is the only code that writes
 *   idea records, their indexes and stats (DESIGN.md contract 4).
 *   store_idea() first resolves the participant id (SET NX on the email
 *   hash, so one person keeps one id; not for an idea stored already),
 *   sets idea->participant_id and a default status "new", then runs ONE Lua script that writes the record,
 *   every index, the stats and the participant atomically, or nothing when
 *   the id is already stored. Redis runs with appendfsync always, so a
 *   return of 1 or 0 means the idea is durable.
 *
 * OWNERSHIP
 *   store_idea() may replace idea->participant_id and idea->status (the
 *   idea keeps owning them). Nothing returned needs freeing.
 */
#ifndef INSPRAAK_STORE_H
#define INSPRAAK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define STORE_KEY_PREFIX "inspraak:"
#define STORE_DEADLETTER_MAX 10000

typedef struct store store_t;

/* NULL only for an unusable Redis URL (err says why); Redis may be down. */
store_t *store_new(const char *redis_url, char *err, size_t errlen);
void store_destroy(store_t **self_p);

/* 1: newly stored; 0: already stored (nothing written); -1: Redis failed
 * (or the record cannot be encoded: *bad is then set to 1 and retrying
 * will not help; err says why). */
int store_idea(store_t *self, idea_t *idea, const participant_t *p, int *bad, char *err,
               size_t errlen);

/* The same for up to STORE_BATCH_MAX ideas (ps may be NULL) in one
 * MULTI/EXEC after a WATCH and a check of the records (store_batch.h):
 * two round trips, one AOF fsync, and one HINCRBY per distinct
 * stats/pair field and one ZADD per distinct index of the batch's new
 * ideas. res[i] and bad[i] are what store_idea would return for ideas[i]
 * (an id twice in one batch: 1 then 0). When the write fails, every idea
 * not found stored gets -1 (store them one at a time). Returns n when
 * every idea got 0 or 1, else minus the number of failures (err holds the
 * last message). */
#define STORE_BATCH_MAX 256
int store_ideas(store_t *self, idea_t **ideas, const participant_t **ps, int n, int *res, int *bad,
                char *err, size_t errlen);

/* LPUSHes {"at","origin","reason","code","raw_base64"} onto
 * inspraak:deadletter and trims it to STORE_DEADLETTER_MAX. origin and
 * reason may be NULL. Returns 0 or -1 (Redis failed). */
int store_deadletter(store_t *self, const char *origin, const char *code, const char *reason,
                     const char *raw, size_t raw_len);

/*
 * Pair counts (docs/redis.md "Pair counts"): HASH inspraak:pair:<a>:<b>,
 * field "<value a>" STORE_PAIRS_SEP "<value b>" -> number of ideas, for
 * every two of the dashboard's filter dimensions (a before b in the order
 * wijk, theme, channel, sentiment, question, target_group, status,
 * activity), so a two-filter "total" is one HGET. The write script counts
 * them with the stats, and HINCRBYs inspraak:pair:counted "ideas" per
 * idea, which the dashboard compares with ZCARD inspraak:ideas before it
 * trusts them.
 */
#define STORE_PAIRS_SEP "\x1f"
#define STORE_PAIRS_COUNTED_KEY STORE_KEY_PREFIX "pair:counted"
#define STORE_PAIRS_COUNTED_FIELD "ideas"
#define STORE_PAIRS_MAX (21 + 7 * PROTO_MAX_THEMES) /* pairs of one idea */

typedef struct {
    int n;
    const char *key[2 * STORE_PAIRS_MAX]; /* full key names: static, never freed */
    char *field[2 * STORE_PAIRS_MAX];
    int delta[2 * STORE_PAIRS_MAX]; /* +1 or -1 */
} store_pairs_t;

/* Every pair field of an idea, delta +1. Free with store_pairs_clear (the
 * fields are malloc'd; the key names are one static copy per pair). */
void store_pairs_of(const idea_t *idea, store_pairs_t *out);
/* What moderation from old to new changes: -1 for pairs only old has, +1
 * for pairs only new has (none when nothing counted changed). Free with
 * store_pairs_clear. */
void store_pairs_diff(const idea_t *old, const idea_t *new, store_pairs_t *out);
void store_pairs_clear(store_pairs_t *p);

/*
 * Lua for a script that applies a store_pairs_diff (store_update.c's
 * S_UPDATE): expects a local `pa`, the ARGV index holding the number of
 * entries, followed by (key, field, delta) triples. A count that reaches
 * 0 is deleted, like the stats.
 */
#define STORE_PAIRS_LUA                                                                            \
    "for i = 0, tonumber(ARGV[pa]) - 1 do\n"                                                       \
    "  local k, f = ARGV[pa + 1 + 3 * i], ARGV[pa + 2 + 3 * i]\n"                                  \
    "  if redis.call('HINCRBY', k, f, tonumber(ARGV[pa + 3 + 3 * i])) <= 0 then\n"                 \
    "    redis.call('HDEL', k, f)\n"                                                               \
    "  end\n"                                                                                      \
    "end\n"

/* store_update.c: moderation (ENV_UPDATE). upd holds the id and the new
 * status (new|approved|hidden), themes, wijk, sentiment (NULL/empty and no
 * themes clear them). Rewrites the record and moves the id between the
 * index sets and stats atomically, and in the same script checks and
 * marks update_id (the envelope id; NULL or "": applied, not marked;
 * update_applied.h). 1: applied (also when nothing changed);
 * UPDATE_APPLIED_BEFORE: update_id was applied before, nothing done;
 * STORE_UPDATE_STALE: upd carries the version staff saw ("was",
 * idea_version.h) and the stored idea no longer has it: nothing done,
 * nothing marked; 0: no such idea; -1: Redis failed (nothing written and
 * nothing marked: retry), or *bad = 1 when the update itself is invalid
 * (err says why; what it accepts is idea_update_check(), proto.h, and a
 * "was" of 32 lowercase hex digits). */
#define STORE_UPDATE_STALE 3
int store_update(store_t *self, const idea_t *upd, const char *update_id, int *bad, char *err,
                 size_t errlen);
/* The connection, for the other files of storage. */
struct rstore;
struct rstore *store_rstore(store_t *self);

/* 1 when Redis answers PING. */
int store_ping(store_t *self);
const char *store_error(const store_t *self);

/* store_record.c: the record as storage writes it to inspraak:idea:<id>:
 * idea_encode() without its nil values (top level and "source"; "source"
 * left out when nothing in it is left), which idea_decode() reads as the
 * same idea. Malloc'd into *buf; 0, or -1 with err (idea_encode's codes). */
int store_record_encode(const idea_t *idea, char **buf, size_t *len, proto_err_t *err);

/* Pure helpers, public for tests. */
/* "p-" + 16 hex chars from the first 8 bytes of BLAKE2b-256(idea_id). */
void store_pid_from_idea(const char *idea_id, char out[19]);
/* "YYYY-MM-DD" of ms since epoch: the day in Heerlen (Europe/Amsterdam,
 * clock_local_day_of), "none" for a negative or unreadable time. */
void store_day(int64_t ms, char out[11]);
/* 1 when the public counts see the idea (its status is not "hidden"). */
int store_idea_shown(const idea_t *idea);
/* a, b, c and d joined (NULL = ""), malloc'd: the caller frees it. The
 * ~100 key and field names of each idea are built with this rather than
 * xasprintf (whose format parsing was ~20 % of storage's CPU). */
char *store_cat(const char *a, const char *b, const char *c, const char *d);

#endif
