/*
 * NAME
 *   store_people - the people counts and their one-time backfill (see
 *   store_people.h)
 */
#include "store_people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "xalloc.h"

/* The first call copies the ideas into the todo set, unless every idea is
 * counted already (a new Redis). Counts without a state (keys deleted by
 * hand) cannot be told apart from ideas never counted, so they start
 * again from nothing. So do "done" counts that miss ideas: every write of
 * this storage counts its idea with it, so only an older storage instance
 * still running beside a newer one (a rolling upgrade) stores ideas they
 * miss, and the page would say it is counting until the keys were
 * deleted by hand. The dashboard's former keys (inspraak:reach:*, pids
 * included) go. */
const char STORE_PEOPLE_BEGIN_LUA[] =
    "local st = redis.call('HGET', '" PEOPLE_COUNTS "', 'state')\n"
    "if st == 'backfill' then return 1 end\n"
    "local n = redis.call('ZCARD', 'inspraak:ideas')\n"
    "if tonumber(redis.call('HGET', '" PEOPLE_COUNTS "', 'ideas') or '0') == n then\n"
    "  if st == 'done' then return 0 end\n"
    "  redis.call('DEL', 'inspraak:reach:pids', 'inspraak:reach:state')\n"
    "  redis.call('HSET', '" PEOPLE_COUNTS "', 'state', 'done')\n"
    "  return 0\n"
    "end\n"
    "redis.call('DEL', 'inspraak:reach:pids', 'inspraak:reach:state')\n"
    "redis.call('DEL', '" PEOPLE_COUNTS "', '" PEOPLE_PIDS "', '" PEOPLE_TODO "', '" PEOPLE_SEEN
    "')\n"
    "redis.call('COPY', 'inspraak:ideas', '" PEOPLE_TODO "')\n"
    "redis.call('HSET', '" PEOPLE_COUNTS "', 'state', 'backfill', 'ideas', 0)\n"
    "return 1\n";

int store_people_of(const idea_t *idea, int has_p, const char **keys, const char **fields)
{
    int n = 0;
    keys[n] = PEOPLE_COUNTS;
    fields[n++] = "ideas";
    if (!store_idea_shown(idea))
        return n;
    /* A pid without a participant (only a peer skipping store_prepare
     * could send one) is no person storage knows: one idea, one person. */
    int person = has_p && idea->participant_id && *idea->participant_id;
    keys[n] = person ? PEOPLE_PIDS : PEOPLE_COUNTS;
    fields[n++] = person ? idea->participant_id : "anon";
    return n;
}

void store_people_backfill_args(const idea_t *idea, const char **pid, const char **shown)
{
    *pid = idea && idea->participant_id ? idea->participant_id : "";
    *shown = !idea ? "d" : store_idea_shown(idea) ? "1" : "0";
}
