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
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"

static const char *const s_by[] = {"wijk",         "theme",    "channel", "sentiment", "question",
                                   "target_group", "activity", "day",     "status"};

json_t *stats_counts(rstore_t *rs, const char *by)
{
    redisReply *h = rstore_cmd(rs, "HGETALL " DASH_KEY_PREFIX "stats:%s", by);
    if (!h || h->type != REDIS_REPLY_ARRAY) {
        if (h)
            freeReplyObject(h);
        return NULL;
    }
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
    freeReplyObject(h);
    return counts;
}

long long stats_total(rstore_t *rs)
{
    redisReply *n = rstore_cmd(rs, "ZCARD " DASH_KEY_PREFIX "ideas");
    long long v = n && n->type == REDIS_REPLY_INTEGER ? n->integer : -1;
    if (n)
        freeReplyObject(n);
    return v;
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
    json_t *counts = stats_counts(rs, by);
    long long total = counts ? stats_total(rs) : -1;
    if (!counts || total < 0) {
        json_decref(counts);
        dash_unavailable(res, rs);
        goto out;
    }
    json_t *o = json_object();
    json_object_set_new(o, "by", json_string(by));
    json_object_set_new(o, "counts", counts);
    json_object_set_new(o, "total", json_integer(total));
    http_res_json(res, 200, o);
out:
    dash_redis_put(d, rs);
}
