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
 *
 *   reach_people_listed is the same count for every idea the staff list
 *   shows (/ideeen and /api/v1/ideas without filters: hidden ideas too),
 *   so that list need not read a million records: reach_people plus what
 *   the hidden ideas (ix:status:hidden, a few) add. It agrees with
 *   counting the ideas one by one (headcount.c) except for a person
 *   erased while all their ideas were hidden: the count keeps no id of
 *   them, so they are left out here.
 */
#include <glib.h>
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

/* ------------------------------------------------------------------ */
/* Every idea the list shows, hidden ones too                          */
/* ------------------------------------------------------------------ */

/* The distinct participant ids of the hidden ideas into pids; each
 * hidden idea without one adds 1 to *anon. 0, or -1 when Redis failed. */
static int s_hidden_pids(rstore_t *rs, GHashTable *pids, long long *anon)
{
    redisReply *ids = rstore_cmd(rs, "ZRANGE " DASH_KEY_PREFIX "ix:status:hidden 0 -1");
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        if (ids)
            freeReplyObject(ids);
        return -1;
    }
    for (size_t i = 0; i < ids->elements; i++)
        rstore_append(rs, "GET " DASH_KEY_PREFIX "idea:%b", ids->element[i]->str,
                      (size_t)ids->element[i]->len);
    int rc = 0;
    for (size_t i = 0; i < ids->elements; i++) {
        redisReply *r = rstore_reply(rs);
        idea_t idea;
        proto_err_t perr;
        if (!r) {
            rc = -1;
            continue;
        }
        if (r->type == REDIS_REPLY_STRING && idea_decode(r->str, r->len, &idea, &perr) == 0) {
            if (!idea.participant_id || !*idea.participant_id)
                (*anon)++;
            else
                g_hash_table_add(pids, g_strdup(idea.participant_id));
            idea_clear(&idea);
        }
        freeReplyObject(r);
    }
    freeReplyObject(ids);
    return rc;
}

long long reach_people_listed(rstore_t *rs)
{
    long long people = reach_people(rs, NULL);
    if (people < 0)
        return people;
    GHashTable *pids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    long long anon = 0;
    int rc = s_hidden_pids(rs, pids, &anon);
    /* A participant of a hidden idea is someone new here only when they
     * have no idea that is not hidden (not in PEOPLE_PIDS) and were not
     * erased (an erased person is in "erased" already, and their
     * participant hash is gone). */
    GHashTableIter it;
    gpointer pid;
    g_hash_table_iter_init(&it, pids);
    while (rc == 0 && g_hash_table_iter_next(&it, &pid, NULL)) {
        rstore_append(rs, "HEXISTS " PEOPLE_PIDS " %s", (const char *)pid);
        rstore_append(rs, "EXISTS " DASH_KEY_PREFIX "participant:%s", (const char *)pid);
    }
    for (guint i = 0; rc == 0 && i < g_hash_table_size(pids); i++) {
        redisReply *in = rstore_reply(rs), *exists = rstore_reply(rs);
        if (!in || !exists || in->type != REDIS_REPLY_INTEGER ||
            exists->type != REDIS_REPLY_INTEGER)
            rc = -1;
        else
            people += in->integer == 0 && exists->integer == 1;
        if (in)
            freeReplyObject(in);
        if (exists)
            freeReplyObject(exists);
    }
    g_hash_table_destroy(pids);
    return rc < 0 ? -1 : people + anon;
}
