/*
 * NAME
 *   reach - how many people took part, for the public page /resultaten:
 *   distinct participants of the ideas not hidden, plus one per idea not
 *   hidden without a participant
 *
 * DESCRIPTION
 *   Storage keeps the counts with every idea it writes, moderates or
 *   backfills (services/storage/store_people.h, keys in common/people.h):
 *   the people are HLEN inspraak:people:pids (one field per person with
 *   an idea not hidden) + "erased" (people erased after they took part:
 *   each counts once, with no id kept) + "anon" (ideas not hidden without
 *   a person). One MULTI reads them with ZCARD inspraak:ideas: O(1),
 *   however many ideas there are and in whatever order of received_at
 *   they came. The counts are trusted only when "ideas" (ideas counted)
 *   equals ZCARD inspraak:ideas: right after an upgrade storage is still
 *   counting the ideas stored before (its backfill), and the page then
 *   says so instead of showing a number that is too low.
 */
#include <stdlib.h>

#include "dashboard.h"
#include "people.h"

/* Field i of an HMGET reply as a number (nil: 0). */
static long long s_field(const redisReply *r, size_t i)
{
    return i < r->elements && r->element[i]->type == REDIS_REPLY_STRING
               ? strtoll(r->element[i]->str, NULL, 10)
               : 0;
}

long long reach_people(rstore_t *rs, long long *anon_out)
{
    rstore_append(rs, "MULTI");
    rstore_append(rs, "HMGET " PEOPLE_COUNTS " ideas anon erased");
    rstore_append(rs, "HLEN " PEOPLE_PIDS);
    rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ideas");
    rstore_append(rs, "EXEC");
    redisReply *last = rstore_exec_reply(rs, 3);
    if (!last)
        return -1;
    long long people = -1;
    if (last->type == REDIS_REPLY_ARRAY && last->elements == 3 &&
        last->element[0]->type == REDIS_REPLY_ARRAY &&
        last->element[1]->type == REDIS_REPLY_INTEGER &&
        last->element[2]->type == REDIS_REPLY_INTEGER) {
        const redisReply *c = last->element[0];
        long long anon = s_field(c, 1);
        if (s_field(c, 0) != last->element[2]->integer) {
            people = REACH_COUNTING;
        } else {
            people = last->element[1]->integer + s_field(c, 2) + anon;
            if (anon_out)
                *anon_out = anon;
        }
    }
    freeReplyObject(last);
    return people;
}
