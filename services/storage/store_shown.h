/*
 * NAME
 *   store_shown - storage keeps the counts of the ideas the public sees
 *   (not hidden) per dimension (common/shown.h: inspraak:shown:*), with
 *   every idea it writes and every moderation
 *
 * SUMMARY
 *   ns += store_shown_of(idea, day, &keys[ns], &fields[ns]);  // with the stats
 *   store_shown_update_args(&old, &new, &sa);  // ARGV of STORE_SHOWN_UPDATE_LUA
 *   n = store_shown_values(idea, day, keys, vals);  // the backfill (store_counts.c)
 *
 * DESCRIPTION
 *   Why: /resultaten and the report leave hidden ideas out of every
 *   count. The stats hashes count every idea, so the dashboard subtracted
 *   the hidden ones with one ZINTERCARD per value against
 *   ix:status:hidden on every render: with a third of 100,000 ideas hidden
 *   /resultaten after a change took 941 ms (now 4.9 ms). Storage writes each idea and
 *   each moderation, so it keeps the counts without hidden ideas in the
 *   same atomic write (O(1) an idea; kill -9 can neither lose nor double
 *   a count), as it keeps the people counts (store_people.h):
 *     - a new idea: store_shown_of() gives the HINCRBYs, which go with
 *       the stats (store.c's script and store_write.c's MULTI alike):
 *       SHOWN_COUNTED ideas +1, and when it is not hidden +1 for each of
 *       its values in SHOWN_PREFIX<dim>;
 *     - moderation (store_update.c, STORE_SHOWN_UPDATE_LUA): the values of
 *       the record before (when it was not hidden) go -1, those after
 *       (when it is not hidden) +1, netted per value: a hide or unhide
 *       moves all its values, a correction of theme or wijk by staff only
 *       the changed ones, an approval nothing.
 *   Why one hash per dimension (and not one hash of "dim:value"): the
 *   dashboard reads one dimension at a time with one HGETALL, and small
 *   hashes stay listpacks (shown:day holds one field per day, as
 *   stats:day); a new idea touches the same number of fields either way
 *   (~11).
 *
 *   The backfill, for ideas stored before these counts existed, is
 *   store_counts.h's, in the same pass as the people counts':
 *   STORE_SHOWN_BEGIN_LUA, run before storage stores anything, the first
 *   time copies inspraak:ideas into SHOWN_TODO and sets state "backfill"
 *   (when SHOWN_COUNTED ideas already equals ZCARD inspraak:ideas, as on
 *   a new Redis, it only sets "done"). Each step then takes ids out of
 *   SHOWN_TODO and counts those it removed: SHOWN_COUNTED ideas +1 and
 *   +1 for each pair store_shown_values() gives; a moderation of an idea
 *   still in the set counts it there as it is after the moderation (the
 *   backfill then skips it). The step that finds the set empty sets
 *   "done". The dashboard trusts the counts only when SHOWN_COUNTED
 *   ideas equals ZCARD inspraak:ideas, and until then subtracts the
 *   hidden ideas itself.
 *
 * DIAGNOSTICS
 *   None here: the backfill's are store_counts.h's.
 */
#ifndef INSPRAAK_STORE_SHOWN_H
#define INSPRAAK_STORE_SHOWN_H

#include "proto.h"
#include "shown.h"
#include "store.h"

/* Values of one idea: 6 single dimensions, up to 3 themes, the day. */
#define STORE_SHOWN_VALUES (6 + PROTO_MAX_THEMES + 1)
/* Stats entries of one new idea: SHOWN_COUNTED ideas and the values. */
#define STORE_SHOWN_MAX (1 + STORE_SHOWN_VALUES)

/* The (hash key, field) pairs a newly stored idea increments by 1, into
 * keys and fields (room for STORE_SHOWN_MAX; borrowed: static names, the
 * idea's own values and day, its Heerlen day from store_day()). Returns
 * how many. */
int store_shown_of(const idea_t *idea, const char *day, const char **keys, const char **fields);

/* The ARGV that STORE_SHOWN_UPDATE_LUA reads, for a moderation from old
 * to new: the number of old values, their (key, value) pairs (none when
 * old is hidden), then the same for new. Borrows from old and new. */
typedef struct {
    char day[11], n_old[4], n_new[4];
    const char *argv[2 + 4 * STORE_SHOWN_VALUES];
    int argc;
} store_shown_args_t;
void store_shown_update_args(const idea_t *old, const idea_t *new, store_shown_args_t *a);

/* The (key, value) pairs of an idea not hidden (borrowed: static names,
 * the idea's values, day), room for STORE_SHOWN_VALUES; none (0) for a
 * hidden idea. Returns how many. */
int store_shown_values(const idea_t *idea, const char *day, const char **keys, const char **vals);

/* The script that begins the counts (see above; no KEYS, no ARGV): 1
 * when a backfill is to be done, else 0. */
extern const char STORE_SHOWN_BEGIN_LUA[];

/*
 * Lua appended to store_update.c's S_UPDATE: expects locals `id` and
 * `si`, the ARGV index of store_shown_args_t's first argument. An idea
 * still waiting for the backfill is counted here, as it is now. Deltas
 * are summed per (key, value) first, so a value that stays moves nothing.
 */
#define STORE_SHOWN_UPDATE_LUA                                                                     \
    "local s_old = tonumber(ARGV[si])\n"                                                           \
    "local s_new_at = si + 1 + 2 * s_old\n"                                                        \
    "local s_new = tonumber(ARGV[s_new_at])\n"                                                     \
    "if redis.call('ZREM', '" SHOWN_TODO "', id) == 1 then\n"                                      \
    "  redis.call('HINCRBY', '" SHOWN_COUNTED "', 'ideas', 1)\n"                                   \
    "  s_old = 0\n"                                                                                \
    "end\n"                                                                                        \
    "local s_delta, s_order = {}, {}\n"                                                            \
    "local function s_move(k, v, d)\n"                                                             \
    "  s_delta[k] = s_delta[k] or {}\n"                                                            \
    "  if not s_delta[k][v] then s_delta[k][v] = 0; s_order[#s_order + 1] = {k, v} end\n"          \
    "  s_delta[k][v] = s_delta[k][v] + d\n"                                                        \
    "end\n"                                                                                        \
    "for i = 0, s_old - 1 do s_move(ARGV[si + 1 + 2 * i], ARGV[si + 2 + 2 * i], -1) end\n"         \
    "for i = 0, s_new - 1 do s_move(ARGV[s_new_at + 1 + 2 * i], ARGV[s_new_at + 2 + 2 * i], 1) "   \
    "end\n"                                                                                        \
    "for _, kv in ipairs(s_order) do\n"                                                            \
    "  local d = s_delta[kv[1]][kv[2]]\n"                                                          \
    "  if d ~= 0 and redis.call('HINCRBY', kv[1], kv[2], d) <= 0 then\n"                           \
    "    redis.call('HDEL', kv[1], kv[2])\n"                                                       \
    "  end\n"                                                                                      \
    "end\n"

#endif
