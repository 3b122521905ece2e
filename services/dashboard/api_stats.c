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

static const char *const s_by[] = {"wijk",     "theme",        "channel",  "sentiment",
                                   "question", "target_group", "activity", "day"};

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
                       "activity of day.",
                       NULL);
        goto out;
    }
    rstore_append(rs, "HGETALL " DASH_KEY_PREFIX "stats:%s", by);
    rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ideas");
    redisReply *h = rstore_reply(rs);
    redisReply *n = rstore_reply(rs);
    if (!h || !n || h->type != REDIS_REPLY_ARRAY || n->type != REDIS_REPLY_INTEGER) {
        dash_unavailable(res, rs);
    } else {
        json_t *counts = json_object();
        for (size_t i = 0; i + 1 < h->elements; i += 2) {
            redisReply *k = h->element[i], *v = h->element[i + 1];
            if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
                continue;
            /* json_object_setn refuses keys that are not UTF-8; skip those. */
            json_object_setn_new(counts, k->str, k->len, json_integer(strtoll(v->str, NULL, 10)));
        }
        json_t *out = json_object();
        json_object_set_new(out, "by", json_string(by));
        json_object_set_new(out, "counts", counts);
        json_object_set_new(out, "total", json_integer(n->integer));
        http_res_json(res, 200, out);
    }
    if (h)
        freeReplyObject(h);
    if (n)
        freeReplyObject(n);
out:
    dash_redis_put(d, rs);
}
