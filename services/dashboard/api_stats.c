/*
 * NAME
 *   api_stats - GET /api/v1/stats?by=DIM
 *
 * DESCRIPTION
 *   Answers {"by": DIM, "counts": {value: n, ...}, "total": n} straight
 *   from the stats hash that storage keeps up to date in the same script
 *   that writes each idea (docs/redis.md), so this costs two commands
 *   whatever the number of ideas. "total" is the number of ideas; for
 *   by=theme the counts may add up to more (an idea has up to 3 themes).
 *   Ideas with an empty field are counted under "none".
 *
 *   With any filter of GET /api/v1/ideas (wijk, theme, channel, ..., q,
 *   from, to; an unknown value is the list's 400) the counts are of the
 *   matching ideas only: "how many ideas from Heerlerheide, per channel".
 *   Those are counted from the matches themselves (ideas_walk, the walk
 *   the exports use), one pass over the ideas the list would show; the
 *   hashes only know every idea.
 *
 *   With people=1, "people" is the number of people behind the ideas
 *   counted, as on /resultaten: each distinct participant once, each idea without one as
 *   a person (headcount.h); with a filter also "people_counts" {value:
 *   people}, from the same pass. Without a filter "people" comes from
 *   storage's people counts and the hidden ideas (reach_people_listed:
 *   no pass over every idea), and there is no "people_counts". null
 *   while storage is still counting after an update. Only counts leave
 *   the dashboard: never an id. Without people=1 neither is there, and
 *   nothing is spent on them (the tally skips the headcount).
 *
 *   stats_counts_visible / stats_total_visible are the same figures
 *   without hidden ideas (status "hidden"), for the public page and the
 *   report. Storage keeps them with every write and moderation
 *   (common/shown.h, services/storage/store_shown.h): one MULTI reads a
 *   dimension's hash with ZCARD inspraak:ideas, O(1) however many ideas
 *   are hidden; "status" is its stats hash without "hidden", the total
 *   ZCARD inspraak:ideas minus ZCARD ix:status:hidden. Only while storage
 *   has not yet counted every idea (its backfill after an upgrade: the
 *   counted ideas differ from ZCARD inspraak:ideas) are the hidden ideas
 *   subtracted here, with one ZINTERCARD per value against
 *   ix:status:hidden (pipelined); "day" has no index: the scores
 *   (received_at) of the hidden set give the days (Heerlen's, as storage
 *   files them). "language" has neither an index nor shown counts: its
 *   stats hash minus the languages of the hidden ideas, read one by one
 *   (ideas_walk over ix:status:hidden; staff hide few ideas).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dashboard.h"
#include "headcount.h"
#include "shown.h"
#include "xalloc.h"

#define S_HIDDEN DASH_KEY_PREFIX "ix:status:hidden"

static const char *const s_by[] = {"wijk",         "theme",    "channel", "sentiment", "question",
                                   "target_group", "activity", "day",     "status"};

static const char *const s_shown_dims[] = {SHOWN_DIMS};

/* {value: n} of a HGETALL reply, or NULL when it is none. */
static json_t *s_counts_of(const redisReply *h)
{
    if (!h || h->type != REDIS_REPLY_ARRAY)
        return NULL;
    json_t *counts = json_object();
    for (size_t i = 0; i + 1 < h->elements; i += 2) {
        redisReply *k = h->element[i], *v = h->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        long long n = strtoll(v->str, NULL, 10);
        /* json_object_setn refuses keys that are not UTF-8; skip those.
         * Values moderated down to 0 are not shown. */
        if (n > 0)
            json_object_setn_new(counts, k->str, k->len, json_integer(n));
    }
    return counts;
}

json_t *stats_counts(rstore_t *rs, const char *by)
{
    redisReply *h = rstore_cmd(rs, "HGETALL " DASH_KEY_PREFIX "stats:%s", by);
    json_t *counts = s_counts_of(h);
    if (h)
        freeReplyObject(h);
    return counts;
}

/* The counts without hidden ideas that storage keeps for by, read in one
 * MULTI with the number of ideas: 1 with *out, 0 when they do not cover
 * every idea yet (storage's backfill), -1 when Redis failed. */
static int s_kept(rstore_t *rs, const char *by, json_t **out)
{
    rstore_append(rs, "MULTI");
    rstore_append(rs, "HGET " SHOWN_COUNTED " ideas");
    rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ideas");
    rstore_append(rs, "HGETALL " SHOWN_PREFIX "%s", by);
    rstore_append(rs, "EXEC");
    redisReply *r = rstore_exec_reply(rs, 3);
    if (!r)
        return -1;
    int rc = -1;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
        r->element[1]->type == REDIS_REPLY_INTEGER) {
        const redisReply *counted = r->element[0];
        rc = counted->type == REDIS_REPLY_STRING &&
             strtoll(counted->str, NULL, 10) == r->element[1]->integer;
        *out = rc ? s_counts_of(r->element[2]) : NULL;
        rc = rc && !*out ? -1 : rc;
    }
    freeReplyObject(r);
    return rc;
}

long long stats_total(rstore_t *rs)
{
    redisReply *n = rstore_cmd(rs, "ZCARD " DASH_KEY_PREFIX "ideas");
    long long v = n && n->type == REDIS_REPLY_INTEGER ? n->integer : -1;
    if (n)
        freeReplyObject(n);
    return v;
}

long long stats_total_hidden(rstore_t *rs)
{
    redisReply *r = rstore_cmd(rs, "ZCARD " S_HIDDEN);
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r)
        freeReplyObject(r);
    return v;
}

/* Subtracts n from counts[key]; removes the key at 0. */
static void s_sub(json_t *counts, const char *key, long long n)
{
    long long left = json_integer_value(json_object_get(counts, key)) - n;
    if (left > 0)
        json_object_set_new(counts, key, json_integer(left));
    else
        json_object_del(counts, key);
}

static int s_hidden_days(rstore_t *rs, json_t *counts)
{
    redisReply *r = rstore_cmd(rs, "ZRANGE " S_HIDDEN " 0 -1 WITHSCORES");
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    for (size_t i = 1; i < r->elements; i += 2) {
        const char *sc = r->element[i]->str;
        char day[11]; /* Heerlen's day, as storage counts it (store_day) */
        clock_local_day_name(strtoll(sc ? sc : "0", NULL, 10), day);
        s_sub(counts, day, 1);
    }
    freeReplyObject(r);
    return 0;
}

static int s_hidden_values(rstore_t *rs, const char *by, json_t *counts)
{
    size_t n = json_object_size(counts), i = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof *keys);
    const char *k;
    json_t *v;
    json_object_foreach(counts, k, v) keys[i++] = k;
    int rc = 0;
    for (i = 0; i < n && rc == 0; i++)
        rc =
            rstore_append(rs, "ZINTERCARD 2 " S_HIDDEN " " DASH_KEY_PREFIX "ix:%s:%s", by, keys[i]);
    long long *sub = xcalloc(n ? n : 1, sizeof *sub);
    for (i = 0; i < n && rc == 0; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r || r->type != REDIS_REPLY_INTEGER)
            rc = -1;
        else
            sub[i] = r->integer;
        if (r)
            freeReplyObject(r);
    }
    /* Keys are removed only after the walk, so keys[] stays valid. */
    for (i = 0; i < n && rc == 0; i++)
        if (sub[i] > 0)
            s_sub(counts, keys[i], sub[i]);
    free(sub);
    free(keys);
    return rc;
}

static void s_sub_language(const idea_t *idea, void *arg)
{
    s_sub(arg, idea->language && *idea->language ? idea->language : "none", 1);
}

/* "language" has no index (docs/redis.md): the hidden ideas themselves
 * (ix:status:hidden, a few) say which languages to take off. */
static int s_hidden_languages(rstore_t *rs, json_t *counts)
{
    query_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.eq[QUERY_STATUS], sizeof q.eq[QUERY_STATUS], "hidden");
    q.n_eq = 1;
    return ideas_walk(rs, &q, s_sub_language, counts);
}

json_t *stats_counts_visible(rstore_t *rs, const char *by)
{
    json_t *counts = NULL;
    if (strcmp(by, "status") == 0) {
        counts = stats_counts(rs, by);
        json_object_del(counts, "hidden");
        return counts;
    }
    for (size_t i = 0; i < SHOWN_NDIMS; i++) {
        if (strcmp(by, s_shown_dims[i]) != 0)
            continue;
        int kept = s_kept(rs, by, &counts);
        if (kept != 0)
            return kept > 0 ? counts : NULL;
    }
    counts = stats_counts(rs, by);
    long long hidden = counts ? stats_total_hidden(rs) : -1;
    if (hidden < 0) {
        json_decref(counts);
        return NULL;
    }
    if (hidden == 0)
        return counts;
    int rc = strcmp(by, "day") == 0        ? s_hidden_days(rs, counts)
             : strcmp(by, "language") == 0 ? s_hidden_languages(rs, counts)
                                           : s_hidden_values(rs, by, counts);
    if (rc < 0) {
        json_decref(counts);
        return NULL;
    }
    return counts;
}

long long stats_total_visible(rstore_t *rs)
{
    long long all = stats_total(rs);
    long long hidden = all < 0 ? -1 : stats_total_hidden(rs);
    return hidden < 0 ? -1 : all - hidden;
}

/* The list's filters; limit, cursor and sort mean nothing for counts. */
static const char *s_filter_param(const char *name, void *arg)
{
    if (strcmp(name, "limit") == 0 || strcmp(name, "cursor") == 0 || strcmp(name, "sort") == 0)
        return NULL;
    return http_query((const http_req_t *)arg, name);
}

/* Counting the matches of a filtered query, ideas and people, for
 * ideas_walk. */
typedef struct {
    const char *by;
    json_t *counts;
    long long total;
    headcount_t *people;
} s_tally_t;

static void s_count(s_tally_t *t, const char *v, const char *pid)
{
    if (!v || !*v)
        v = "none";
    json_object_set_new(t->counts, v,
                        json_integer(json_integer_value(json_object_get(t->counts, v)) + 1));
    headcount_add(t->people, v, pid);
}

static void s_tally(const idea_t *idea, void *arg)
{
    s_tally_t *t = arg;
    const char *pid = idea->participant_id;
    t->total++;
    headcount_add(t->people, NULL, pid);
    if (strcmp(t->by, "theme") == 0) {
        if (idea->n_themes == 0)
            s_count(t, NULL, pid);
        for (int i = 0; i < idea->n_themes; i++)
            s_count(t, idea->themes[i], pid);
    } else if (strcmp(t->by, "day") == 0) {
        char day[11]; /* the Heerlen day, as storage files stats:day */
        clock_local_day_name(idea->received_at, day);
        s_count(t, day, pid);
    } else {
        const char *fields[] = {idea->wijk,         idea->channel,  idea->sentiment, idea->question,
                                idea->target_group, idea->activity, idea->status};
        static const char *const names[] = {"wijk",         "channel",  "sentiment", "question",
                                            "target_group", "activity", "status"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(t->by, names[i]) == 0)
                s_count(t, fields[i], pid);
    }
}

void api_stats(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    const char *by = http_query(req, "by");
    bool known = false;
    for (size_t i = 0; by && i < sizeof s_by / sizeof s_by[0]; i++)
        known = known || strcmp(by, s_by[i]) == 0;
    rstore_t *rs = dash_redis_get(d);
    if (!auth_check(d, rs, req, res))
        goto out;
    if (!known) {
        http_res_error(res, 400, "invalid_query",
                       "Kies by uit: wijk, theme, channel, sentiment, question, target_group, "
                       "activity, day of status.",
                       NULL);
        goto out;
    }
    query_t q;
    query_err_t qerr;
    if (dash_query_parse(d, rs, &q, s_filter_param, (void *)req, &qerr) < 0) {
        dash_query_refuse(res, &qerr);
        goto out;
    }
    /* the people cost a walk (or, without a filter, a GET per hidden
     * idea): only when asked for */
    const char *ask = http_query(req, "people");
    bool want_people = ask && strcmp(ask, "1") == 0;
    json_t *counts, *people_counts = NULL;
    long long total, people = 0;
    if (query_filtered(&q)) {
        s_tally_t t = {by, json_object(), 0, want_people ? headcount_new() : NULL};
        counts = t.counts;
        total = ideas_walk(rs, &q, s_tally, &t) < 0 ? -1 : t.total;
        if (want_people) {
            people = headcount_people(t.people, NULL);
            people_counts = headcount_by(t.people);
            headcount_destroy(&t.people);
        }
    } else {
        counts = stats_counts(rs, by);
        total = counts ? stats_total(rs) : -1;
        if (want_people)
            people = total < 0 ? -1 : reach_people_listed(rs);
    }
    if (!counts || total < 0 || people == -1) {
        json_decref(counts);
        json_decref(people_counts);
        dash_unavailable(res, rs);
        goto out;
    }
    json_t *o = json_object();
    json_object_set_new(o, "by", json_string(by));
    json_object_set_new(o, "counts", counts);
    json_object_set_new(o, "total", json_integer(total));
    /* null while storage counts the ideas of before an update (reach.c) */
    if (want_people)
        json_object_set_new(o, "people", people < 0 ? json_null() : json_integer(people));
    if (people_counts)
        json_object_set_new(o, "people_counts", people_counts);
    http_res_json(res, 200, o);
out:
    dash_redis_put(d, rs);
}
