/*
 * NAME
 *   store_counts - the one-time backfill of the people counts
 *   (store_people.h) and the shown counts (store_shown.h): one pass over
 *   the stored ideas feeding both
 *
 * SUMMARY
 *   store_counts_begin(st);            // once, before the first idea is stored
 *   while (store_counts_step(st) > 0)  // the backfill, between messages
 *       ;
 *
 * DESCRIPTION
 *   Both counts are kept by storage with every idea it writes; ideas
 *   stored before a count existed (a Redis of an older storage) are
 *   counted once by a backfill. store_counts_begin() runs each count's
 *   begin script (STORE_PEOPLE_BEGIN_LUA, STORE_SHOWN_BEGIN_LUA): the
 *   first time it copies inspraak:ideas into that count's todo set
 *   (PEOPLE_TODO, SHOWN_TODO) and sets its state "backfill", or only
 *   "done" when every idea is counted already (a new Redis). Storage calls
 *   it before it stores anything, so every idea is either counted by its
 *   write or in the todo sets, never both.
 *
 *   store_counts_step() takes 1,000 ids of PEOPLE_TODO (when that is
 *   empty, of SHOWN_TODO: one count may have been reset alone), reads
 *   their records in one MGET, and counts them in one script: the ids
 *   that are in PEOPLE_TODO go into the people counts (s_people_add of
 *   STORE_PEOPLE_ADD_LUA, with store_people_backfill_args()), those in
 *   SHOWN_TODO into the shown counts (the pairs of store_shown_values()),
 *   and each set loses the ids it had. Counting only what it removes, in
 *   one script, keeps the guarantees of the two backfills before: a
 *   kill -9 between steps leaves the rest in the sets, and two storage
 *   instances never count one idea twice (nor does a moderation, which
 *   counts an idea still in a todo set there, as it is after the
 *   moderation: STORE_PEOPLE_UPDATE_LUA, STORE_SHOWN_UPDATE_LUA). The
 *   step that finds a todo set empty while its state is "backfill" sets
 *   "done" (and deletes PEOPLE_SEEN).
 *
 *   Why one pass with sums: the two backfills before each read every
 *   record and counted each idea with ~15 commands; 100,000 ideas took
 *   8-14 s, now 4-6 s (README.md, "Backfill of the people and shown
 *   counts").
 *
 * DIAGNOSTICS
 *   -1 with store_error() on a Redis failure; the caller tries again. A
 *   damaged record (MGET's nil: gone or a key of another type; bytes that
 *   are no record; a record without its own id, store_record_read()) is
 *   counted as nobody's hidden idea and the backfill goes on:
 *   level=warn msg="backfill: damaged idea record skipped, ..." with its
 *   id, once (by the step that took it), and
 *   inspraak_storage_backfill_skipped_total.
 */
#ifndef INSPRAAK_STORE_COUNTS_H
#define INSPRAAK_STORE_COUNTS_H

#include "store.h"

/* Begins both counts (see above): 1 when either has a backfill to do, 0
 * when neither, -1 when Redis failed. Registers the metric. */
int store_counts_begin(store_t *self);

/* Counts one chunk of the backfill: 1 more to do, 0 done, -1 Redis
 * failed. */
int store_counts_step(store_t *self);

#endif
