/*
 * NAME
 *   people - the keys that count the people who took part (for
 *   /resultaten), shared by storage (writes them), the dashboard (reads
 *   them) and inspraakctl (participant erase)
 *
 * DESCRIPTION
 *   Storage keeps, in the same write as each idea (docs/redis.md,
 *   "People"):
 *     PEOPLE_PIDS    HASH pid -> the person's ideas that are not hidden
 *                    (a field that falls to 0 is deleted);
 *     PEOPLE_COUNTS  HASH ideas (ideas counted), anon (ideas not hidden
 *                    without a person), erased (people erased while they
 *                    had an idea not hidden: each counts once, with no id
 *                    kept), state ("backfill" or "done");
 *     PEOPLE_TODO    ZSET the ideas stored before these counts existed
 *                    and not yet counted (only during the backfill);
 *     PEOPLE_SEEN    SET erased pids met by the backfill (only during it).
 *   People = HLEN PEOPLE_PIDS + erased + anon, to be trusted when
 *   PEOPLE_COUNTS ideas equals ZCARD inspraak:ideas.
 *
 *   PEOPLE_ERASE_LUA is the part of inspraakctl's erase script that takes
 *   the person's pid out of PEOPLE_PIDS (atomically with deleting
 *   inspraak:participant:<pid>, which storage's scripts read): a person
 *   who was reached stays counted, in "erased", without the id.
 */
#ifndef INSPRAAK_PEOPLE_H
#define INSPRAAK_PEOPLE_H

#define PEOPLE_PIDS "inspraak:people:pids"
#define PEOPLE_COUNTS "inspraak:people:counts"
#define PEOPLE_TODO "inspraak:people:todo"
#define PEOPLE_SEEN "inspraak:people:erased-seen"

/* Expects a local `pid`. While the backfill runs, the pid goes into
 * PEOPLE_SEEN, so the backfill does not count the person a second time
 * from an idea it has not reached yet. The dashboard's former count by pid
 * (inspraak:reach:*, read by nothing now) goes too: storage deletes it
 * when it begins the counts, but a dashboard of before still running
 * during an upgrade writes it again. */
#define PEOPLE_ERASE_LUA                                                                           \
    "redis.call('DEL', 'inspraak:reach:pids', 'inspraak:reach:state')\n"                           \
    "local counted = tonumber(redis.call('HGET', '" PEOPLE_PIDS "', pid) or '0')\n"                \
    "redis.call('HDEL', '" PEOPLE_PIDS "', pid)\n"                                                 \
    "if counted > 0 then\n"                                                                        \
    "  redis.call('HINCRBY', '" PEOPLE_COUNTS "', 'erased', 1)\n"                                  \
    "  if redis.call('EXISTS', '" PEOPLE_TODO "') == 1 then\n"                                     \
    "    redis.call('SADD', '" PEOPLE_SEEN "', pid)\n"                                             \
    "  end\n"                                                                                      \
    "end\n"

#endif
