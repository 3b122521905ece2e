/*
 * NAME
 *   store_people - storage keeps the number of people who took part
 *   (common/people.h: inspraak:people:*), with every idea it writes
 *
 * SUMMARY
 *   ns += store_people_of(idea, has_p, &keys[ns], &fields[ns]);  // with the stats
 *   store_people_backfill_args(idea, &pid, &shown);  // the backfill (store_counts.c)
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
 *       key is gone); a person the erase did not count (no idea shown
 *       then) goes uncounted (README.md, "Erase during a write").
 *   Why a hash pid -> ideas and not a set or a HyperLogLog: the page must
 *   be exact (it says "ongeveer" only for ideas without a person), a
 *   person whose every idea is hidden must drop out (a set cannot tell
 *   when), and an erased pid must be removable (a HyperLogLog can neither
 *   be exact nor forget). Memory: one field per person (~70 bytes), ~70 MB
 *   if 1,000,000 ideas came from 1,000,000 different people; the hash the
 *   dashboard kept before was the same size.
 *
 *   The backfill, for ideas stored before these counts existed, is
 *   store_counts.h's, which counts the shown counts in the same pass:
 *   STORE_PEOPLE_BEGIN_LUA, run before storage stores anything, the
 *   first time copies inspraak:ideas into PEOPLE_TODO and sets state
 *   "backfill" (when PEOPLE_COUNTS ideas already equals ZCARD
 *   inspraak:ideas, as on a new Redis, it only sets "done"; it starts
 *   again from nothing when the counts are "done" but miss ideas an older
 *   storage instance stored beside a newer one). Each step then takes
 *   ids out of PEOPLE_TODO and counts those it removed with
 *   s_people_add() (STORE_PEOPLE_ADD_LUA), from the arguments
 *   store_people_backfill_args() gives; a moderation of an idea still in
 *   the set counts it there with its new status (the backfill then skips
 *   it). The step that finds the set empty sets "done". The dashboard
 *   trusts the counts only when PEOPLE_COUNTS ideas equals ZCARD
 *   inspraak:ideas.
 *
 * DIAGNOSTICS
 *   None here: the backfill's are store_counts.h's.
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

/* The script that begins the counts (see above; no KEYS, no ARGV): 1
 * when a backfill is to be done, else 0. */
extern const char STORE_PEOPLE_BEGIN_LUA[];

/* The backfill's two arguments of a record for s_people_add(): its pid
 * ("" for none) and "1" (not hidden) or "0" (hidden); for a damaged
 * record (idea NULL) "" and "d", which counts the idea and nobody.
 * Borrowed from idea or static. */
void store_people_backfill_args(const idea_t *idea, const char **pid, const char **shown);

/*
 * Lua for a script that counts an idea the first time (locals: none;
 * defines s_people_add(pid, shown, incr)). shown is "1" for an idea not
 * hidden (anything else counts the idea, not a person). incr(key, field,
 * n) does the increments: an HINCRBY at once (s_people_hincrby), or the
 * backfill's sums per chunk (store_counts.c).
 */
#define STORE_PEOPLE_ADD_LUA                                                                       \
    "local function s_people_hincrby(k, f, n) redis.call('HINCRBY', k, f, n) end\n"                \
    "local function s_people_add(pid, shown, incr)\n"                                              \
    "  incr('" PEOPLE_COUNTS "', 'ideas', 1)\n"                                                    \
    "  if shown ~= '1' then return end\n"                                                          \
    "  if pid == '' then\n"                                                                        \
    "    incr('" PEOPLE_COUNTS "', 'anon', 1)\n"                                                   \
    "  elseif redis.call('EXISTS', 'inspraak:participant:' .. pid) == 1 then\n"                    \
    "    incr('" PEOPLE_PIDS "', pid, 1)\n"                                                        \
    "  elseif redis.call('SADD', '" PEOPLE_SEEN "', pid) == 1 then\n"                              \
    "    incr('" PEOPLE_COUNTS "', 'erased', 1)\n"                                                 \
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
    "  s_people_add(upid, now, s_people_hincrby)\n"                                                \
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
