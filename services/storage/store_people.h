/*
 * NAME
 *   store_people - storage keeps the number of people who took part
 *   (common/people.h: inspraak:people:*), with every idea it writes
 *
 * SUMMARY
 *   ns += store_people_of(idea, has_p, &keys[ns], &fields[ns]);  // with the stats
 *   store_people_begin(st);            // once, before the first idea is stored
 *   while (store_people_step(st) > 0)  // the backfill, when idle
 *       ;
 *
 * DESCRIPTION
 *   Why storage: Redis has no index by participant, so the dashboard used
 *   to count distinct pids from the records, and an idea with an older
 *   received_at made it read every record again (1.85 s at 100,000
 *   ideas). Storage writes each idea once, so it counts it once, in the
 *   same atomic write as the record (O(1) an idea; kill -9 can neither
 *   lose nor double a count):
 *     - a new idea: store_people_of() gives the HINCRBYs, which go with
 *       the stats (store.c's script and store_write.c's MULTI alike):
 *       PEOPLE_COUNTS ideas +1, and when it is not hidden PEOPLE_PIDS
 *       <pid> +1 (with a participant) or PEOPLE_COUNTS anon +1;
 *     - moderation (store_update.c, STORE_PEOPLE_UPDATE_LUA): hidden <->
 *       not hidden moves the same +-1 (a pid field at 0 is deleted);
 *     - erase (inspraakctl, PEOPLE_ERASE_LUA): the pid leaves PEOPLE_PIDS,
 *       the person stays counted in PEOPLE_COUNTS erased; the ideas of a
 *       pid whose participant hash is gone no longer move any count, and
 *       an idea whose pid was resolved before the erase and written after
 *       it does not add the pid again (store.c, S_SCRIPT: its email index
 *       key is gone).
 *   Why a hash pid -> ideas and not a set or a HyperLogLog: the page must
 *   be exact (it says "ongeveer" only for ideas without a person), a
 *   person whose every idea is hidden must drop out (a set cannot tell
 *   when), and an erased pid must be removable (a HyperLogLog can neither
 *   be exact nor forget). Memory: one field per person (~70 bytes), ~70 MB
 *   if 1,000,000 ideas came from 1,000,000 different people; the hash the
 *   dashboard kept before was the same size.
 *
 *   The backfill, for ideas stored before these counts existed:
 *   store_people_begin() runs one script that, the first time, copies
 *   inspraak:ideas into PEOPLE_TODO and sets state "backfill" (when
 *   PEOPLE_COUNTS ideas already equals ZCARD inspraak:ideas, as on a new
 *   Redis, it only sets "done"; it starts again from nothing when the
 *   counts are "done" but miss ideas an older storage instance stored
 *   beside a newer one). Storage calls it before it stores
 *   anything, so every idea is either counted by its write or in the todo
 *   set, never both. store_people_step() reads S_CHUNK ids of the todo
 *   set, their records, and counts them in one script that takes each id
 *   out of the todo set first and counts only those it removed: a crash
 *   between steps leaves them in the set, two storage instances never
 *   count one twice, and a moderation of an idea still in the set counts
 *   it there with its new status (the backfill then skips it). The last
 *   step sets "done". The dashboard trusts the counts only when PEOPLE_COUNTS
 *   ideas equals ZCARD inspraak:ideas.
 *
 * DIAGNOSTICS
 *   -1 with store_error() on a Redis failure; the caller tries again. A
 *   damaged record (nil from MGET: gone or another type; no record; not
 *   its own id) is counted as nobody's hidden idea and the backfill goes
 *   on: level=warn msg="backfill: damaged idea record skipped, ..." with
 *   its id, once (by the step that took it), and
 *   inspraak_storage_backfill_skipped_total.
 */
#ifndef INSPRAAK_STORE_PEOPLE_H
#define INSPRAAK_STORE_PEOPLE_H

#include "people.h"
#include "proto.h"
#include "store.h"

#define STORE_PEOPLE_MAX 2 /* stats entries of one idea */

/* The (hash key, field) pairs a newly stored idea increments by 1, into
 * keys and fields (room for STORE_PEOPLE_MAX; borrowed: static names and
 * the idea's own pid). has_p: the idea names a participant (store.c).
 * Returns how many. */
int store_people_of(const idea_t *idea, int has_p, const char **keys, const char **fields);

/* Starts the counts (see above). 1: a backfill is to be done; 0: none;
 * -1: Redis failed. */
int store_people_begin(store_t *self);

/* Counts one chunk of the backfill. 1: more to do; 0: done; -1: Redis
 * failed. */
int store_people_step(store_t *self);

/*
 * Lua for a script that counts an idea the first time (locals: none;
 * defines s_people_add(pid, shown)). shown is "1" for an idea not hidden.
 */
#define STORE_PEOPLE_ADD_LUA                                                                       \
    "local function s_people_add(pid, shown)\n"                                                    \
    "  redis.call('HINCRBY', '" PEOPLE_COUNTS "', 'ideas', 1)\n"                                   \
    "  if shown ~= '1' then return end\n"                                                          \
    "  if pid == '' then\n"                                                                        \
    "    redis.call('HINCRBY', '" PEOPLE_COUNTS "', 'anon', 1)\n"                                  \
    "  elseif redis.call('EXISTS', 'inspraak:participant:' .. pid) == 1 then\n"                    \
    "    redis.call('HINCRBY', '" PEOPLE_PIDS "', pid, 1)\n"                                       \
    "  elseif redis.call('SADD', '" PEOPLE_SEEN "', pid) == 1 then\n"                              \
    "    redis.call('HINCRBY', '" PEOPLE_COUNTS "', 'erased', 1)\n"                                \
    "  end\n"                                                                                      \
    "end\n"

/*
 * Lua appended to store_update.c's S_UPDATE: expects locals `id` and
 * `ui`, the ARGV index of the pid ("" for none), followed by "1"/"0" for
 * the idea shown before and after the update. An idea still waiting for
 * the backfill is counted here, as it is now.
 */
#define STORE_PEOPLE_UPDATE_LUA                                                                    \
    STORE_PEOPLE_ADD_LUA                                                                           \
    "local upid, was, now = ARGV[ui], ARGV[ui + 1], ARGV[ui + 2]\n"                                \
    "if redis.call('ZREM', '" PEOPLE_TODO "', id) == 1 then\n"                                     \
    "  s_people_add(upid, now)\n"                                                                  \
    "elseif was ~= now then\n"                                                                     \
    "  local d = now == '1' and 1 or -1\n"                                                         \
    "  if upid == '' then\n"                                                                       \
    "    redis.call('HINCRBY', '" PEOPLE_COUNTS "', 'anon', d)\n"                                  \
    "  elseif redis.call('EXISTS', 'inspraak:participant:' .. upid) == 1 then\n"                   \
    "    if redis.call('HINCRBY', '" PEOPLE_PIDS "', upid, d) <= 0 then\n"                         \
    "      redis.call('HDEL', '" PEOPLE_PIDS "', upid)\n"                                          \
    "    end\n"                                                                                    \
    "  end\n"                                                                                      \
    "end\n"

#endif
