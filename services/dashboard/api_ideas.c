/*
 * NAME
 *   api_ideas - GET /api/v1/ideas (filtered list) and GET /api/v1/ideas/{id}
 *
 * DESCRIPTION
 *   The list walks one sorted set newest first (sort=oud: oldest first,
 *   ZRANGEBYSCORE instead of ZREVRANGEBYSCORE): the smallest index of the
 *   equality filters (inspraak:ix:<dim>:<value>), or inspraak:ideas when
 *   there are none. Pages of ids come from ZREVRANGEBYSCORE; with more
 *   than one equality filter, one ZMSCORE per other filter's index (all
 *   pipelined) drops the ids that are not in every index, so only records
 *   that can match are fetched (pipelined GETs) and decoded. Every filter
 *   is then checked on the decoded record (query_match), so the indexes
 *   only narrow the work and never decide alone. (Fetching and decoding
 *   every record of the walked index was the cost: at 1,000,000 ideas a
 *   wijk+theme page walked ~4,000 records for 50 matches.)
 *
 *   Paging inside the walk and across requests uses the position (score,
 *   id) of the last item, never an offset, so ideas stored meanwhile do not
 *   shift anything. Ideas with the same received_at are ordered by id
 *   (Redis orders equal scores bytewise); to resume inside such a group,
 *   one MULTI fetches the rest of the group at score S and the next page
 *   strictly below S.
 *
 *   "total": see ideas_total.c.
 *
 *   ideas_walk() is the same walk over every match, without paging or
 *   JSON: the people count (headcount.c) reads the participant id from
 *   the decoded record, which the API answer never holds. When the total
 *   itself needs that walk (a search text, or equality filters with a
 *   date), ideas_find_also() hands every match to a callback in the same
 *   pass, so /ideeen?mensen=1 does not walk the matches a second time.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "ideas_total.h"
#include "idea_json.h"
#include "log.h"
#include "query.h"
#include "validate.h"
#include "xalloc.h"

#define S_PAGE 200           /* ids per page when every id is fetched */
#define S_PAGE_FILTERED 1000 /* ... when ZMSCORE drops most of them first */

typedef struct {
    rstore_t *rs;
    const query_t *q;
    char key[QUERY_MAX_VALUE + 64];
    int page;                 /* ids asked per ZREVRANGEBYSCORE */
    char *other[QUERY_NDIMS]; /* the other equality filters' index keys */
    int n_other;
    bool count_all; /* walk everything in range and count matches */
    int64_t total;
    json_t *items;
    int n_items;
    int64_t last_score; /* of the last item put in items */
    char last_id[QUERY_MAX_ID + 1];
    bool more; /* a match exists after the last item */
    bool done;
    /* ideas_walk: every match goes to each, and no JSON is made */
    void (*each)(const idea_t *idea, void *arg);
    void *each_arg;
    /* ideas_find_also: every match of a counting walk also goes to also */
    void (*also)(const idea_t *idea, void *arg);
    void *also_arg;
} s_walk_t;

static const char *s_get_param(const char *name, void *arg)
{
    return http_query((const http_req_t *)arg, name);
}

/* Fetches the records of ids[0..n) and feeds them through the filters.
 * Returns 0, or -1 when Redis failed. */
static int s_feed(s_walk_t *w, redisReply **ids, double *scores, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rstore_append(w->rs, "GET " DASH_KEY_PREFIX "idea:%b", ids[i]->str, ids[i]->len);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        redisReply *r = rstore_reply(w->rs);
        if (!r) {
            rc = -1;
            continue;
        }
        int64_t score = (int64_t)scores[i];
        bool after = query_after_cursor(w->q, score, ids[i]->str, ids[i]->len);
        if (r->type == REDIS_REPLY_STRING && !w->done && (after || w->count_all)) {
            idea_t idea;
            proto_err_t perr;
            if (idea_decode(r->str, r->len, &idea, &perr) < 0) {
                log_warn("msg=\"undecodable idea record\" err=%s", perr.code);
            } else if (w->each) {
                if (query_match(w->q, &idea))
                    w->each(&idea, w->each_arg);
                idea_clear(&idea);
            } else {
                if (query_match(w->q, &idea)) {
                    w->total += w->count_all;
                    if (w->count_all && w->also)
                        w->also(&idea, w->also_arg);
                    if (after && w->n_items < w->q->limit && ids[i]->len <= QUERY_MAX_ID) {
                        json_array_append_new(w->items, idea_to_json(&idea));
                        w->n_items++;
                        w->last_score = score;
                        memcpy(w->last_id, ids[i]->str, ids[i]->len);
                        w->last_id[ids[i]->len] = '\0';
                    } else if (after && w->n_items >= w->q->limit) {
                        w->more = true;
                        w->done = !w->count_all;
                    }
                }
                idea_clear(&idea);
            }
        }
        freeReplyObject(r);
    }
    return rc;
}

/* Keeps in ids/scores[0..*n) only the ids that are in every other
 * equality index (one pipelined ZMSCORE per index). 0, or -1 when Redis
 * failed. */
static int s_in_others(s_walk_t *w, redisReply **ids, double *scores, size_t *n)
{
    if (w->n_other == 0 || *n == 0)
        return 0;
    const char **argv = xcalloc(*n + 2, sizeof *argv);
    size_t *lens = xcalloc(*n + 2, sizeof *lens);
    bool *keep = xcalloc(*n, sizeof *keep);
    argv[0] = "ZMSCORE";
    lens[0] = 7;
    for (size_t i = 0; i < *n; i++) {
        argv[i + 2] = ids[i]->str;
        lens[i + 2] = ids[i]->len;
        keep[i] = true;
    }
    for (int k = 0; k < w->n_other; k++) {
        argv[1] = w->other[k];
        lens[1] = strlen(w->other[k]);
        rstore_appendargv(w->rs, (int)*n + 2, argv, lens);
    }
    int rc = 0;
    for (int k = 0; k < w->n_other; k++) {
        redisReply *r = rstore_reply(w->rs);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != *n)
            rc = -1;
        else
            for (size_t i = 0; i < *n; i++)
                keep[i] = keep[i] && r->element[i]->type != REDIS_REPLY_NIL;
        if (r)
            freeReplyObject(r);
    }
    size_t m = 0;
    for (size_t i = 0; i < *n; i++)
        if (keep[i]) {
            ids[m] = ids[i];
            scores[m++] = scores[i];
        }
    *n = m;
    free(argv);
    free(lens);
    free(keep);
    return rc;
}

/* Feeds the members of a WITHSCORES reply; with skip_id, only those that
 * sort below (S, skip_id) in a group of equal scores. */
static int s_feed_reply(s_walk_t *w, const redisReply *a, const char *skip_id)
{
    size_t n = a->elements / 2, k = 0;
    redisReply **ids = xcalloc(n + 1, sizeof *ids);
    double *scores = xcalloc(n + 1, sizeof *scores);
    for (size_t i = 0; i < n; i++) {
        redisReply *m = a->element[2 * i], *s = a->element[2 * i + 1];
        if (m->type != REDIS_REPLY_STRING || s->type != REDIS_REPLY_STRING)
            continue;
        if (skip_id) {
            size_t sl = strlen(skip_id);
            int c = memcmp(m->str, skip_id, m->len < sl ? m->len : sl);
            if (c == 0)
                c = m->len < sl ? -1 : m->len > sl;
            if (w->q->sort == QUERY_SORT_OLD ? c <= 0 : c >= 0)
                continue;
        }
        ids[k] = m;
        scores[k++] = strtod(s->str, NULL);
    }
    int rc = s_in_others(w, ids, scores, &k);
    if (rc == 0)
        rc = s_feed(w, ids, scores, k);
    free(ids);
    free(scores);
    return rc;
}

static void s_bound(char *buf, size_t size, bool has, int64_t v, const char *inf)
{
    if (has)
        snprintf(buf, size, "%lld", (long long)v);
    else
        snprintf(buf, size, "%s", inf);
}

/* Walks w->key from (start_score, start_id) (or the top) downwards, or
 * upwards for sort=oud: "start" is the bound the walk begins at, "end"
 * the one it goes to. */
static int s_walk(s_walk_t *w, bool from_cursor)
{
    bool up = w->q->sort == QUERY_SORT_OLD;
    const char *cmd = up ? "ZRANGEBYSCORE" : "ZREVRANGEBYSCORE";
    char min[32], max[32];
    s_bound(min, sizeof min, w->q->has_from, w->q->from_ms, "-inf");
    s_bound(max, sizeof max, w->q->has_to, w->q->to_ms, "+inf");
    const char *start = up ? min : max, *end = up ? max : min;
    bool have_bound = from_cursor;
    int64_t bs = w->q->cursor_score;
    char bid[QUERY_MAX_ID + 1];
    snprintf(bid, sizeof bid, "%s", w->q->cursor_id);

    while (!w->done) {
        redisReply *page = NULL, *exec = NULL;
        if (!have_bound) {
            page = rstore_cmd(w->rs, "%s %s %s %s WITHSCORES LIMIT 0 %d", cmd, w->key, start, end,
                              w->page);
            if (!page || page->type != REDIS_REPLY_ARRAY || s_feed_reply(w, page, NULL) < 0)
                goto fail;
        } else {
            rstore_append(w->rs, "MULTI");
            rstore_append(w->rs, "%s %s %lld %lld WITHSCORES", cmd, w->key, (long long)bs,
                          (long long)bs);
            rstore_append(w->rs, "%s %s (%lld %s WITHSCORES LIMIT 0 %d", cmd, w->key, (long long)bs,
                          end, w->page);
            rstore_append(w->rs, "EXEC");
            for (int i = 0; i < 3; i++) {
                redisReply *r = rstore_reply(w->rs);
                if (r)
                    freeReplyObject(r);
            }
            exec = rstore_reply(w->rs);
            if (!exec || exec->type != REDIS_REPLY_ARRAY || exec->elements != 2 ||
                exec->element[0]->type != REDIS_REPLY_ARRAY ||
                exec->element[1]->type != REDIS_REPLY_ARRAY)
                goto fail;
            page = exec->element[1];
            if (s_feed_reply(w, exec->element[0], bid) < 0 || s_feed_reply(w, page, NULL) < 0)
                goto fail;
        }
        size_t n = page->elements / 2;
        if (n < (size_t)w->page) {
            w->done = true;
        } else {
            redisReply *m = page->element[2 * n - 2], *s = page->element[2 * n - 1];
            if (m->len > QUERY_MAX_ID)
                goto fail; /* not an id we wrote */
            bs = (int64_t)strtod(s->str, NULL);
            memcpy(bid, m->str, m->len);
            bid[m->len] = '\0';
            have_bound = true;
        }
        freeReplyObject(exec ? exec : page);
        continue;
    fail:
        if (exec)
            freeReplyObject(exec);
        else if (page)
            freeReplyObject(page);
        return -1;
    }
    return 0;
}

/* Picks the smallest equality index to walk. Returns its size (0: the
 * answer is empty), or -1 when Redis failed. */
static long long s_choose_index(s_walk_t *w, const query_t *q)
{
    if (q->n_eq == 0) {
        snprintf(w->key, sizeof w->key, DASH_KEY_PREFIX "ideas");
        return 1;
    }
    int dims[QUERY_NDIMS], n = 0;
    for (int i = 0; i < QUERY_NDIMS; i++)
        if (q->eq[i][0]) {
            dims[n++] = i;
            rstore_append(w->rs, "ZCARD " DASH_KEY_PREFIX "ix:%s:%s", query_dims[i], q->eq[i]);
        }
    long long best = -1;
    int best_dim = dims[0];
    bool failed = false;
    for (int k = 0; k < n; k++) {
        redisReply *r = rstore_reply(w->rs);
        if (!r || r->type != REDIS_REPLY_INTEGER)
            failed = true;
        else if (best < 0 || r->integer < best) {
            best = r->integer;
            best_dim = dims[k];
        }
        if (r)
            freeReplyObject(r);
    }
    if (failed)
        return -1;
    snprintf(w->key, sizeof w->key, DASH_KEY_PREFIX "ix:%s:%s", query_dims[best_dim],
             q->eq[best_dim]);
    for (int k = 0; k < n; k++)
        if (dims[k] != best_dim)
            w->other[w->n_other++] =
                xasprintf(DASH_KEY_PREFIX "ix:%s:%s", query_dims[dims[k]], q->eq[dims[k]]);
    if (w->n_other)
        w->page = S_PAGE_FILTERED;
    return best;
}

/* Sets w->total from the indexes alone when the filters allow, else asks
 * for a counting walk. Returns 0 or -1 (Redis failed). */
static int s_total(s_walk_t *w, const query_t *q, long long chosen_card)
{
    if (q->q[0] || (q->n_eq > 0 && (q->has_from || q->has_to))) {
        w->count_all = true;
        return 0;
    }
    if (q->n_eq == 1) {
        w->total = chosen_card;
        return 0;
    }
    if (q->n_eq > 1)
        return ideas_total_eq(w->rs, q, chosen_card, &w->total);
    char min[32], max[32];
    s_bound(min, sizeof min, q->has_from, q->from_ms, "-inf");
    s_bound(max, sizeof max, q->has_to, q->to_ms, "+inf");
    redisReply *r = rstore_cmd(w->rs, "ZCOUNT " DASH_KEY_PREFIX "ideas %s %s", min, max);
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    w->total = r->integer;
    freeReplyObject(r);
    return 0;
}

static json_t *s_answer(s_walk_t *w)
{
    json_t *out = json_object();
    json_object_set_new(out, "items", w->items);
    w->items = NULL;
    json_object_set_new(out, "total", json_integer(w->total));
    char cur[QUERY_MAX_CURSOR + 1];
    if (w->more &&
        query_cursor_encode_sort(w->q->sort, w->last_score, w->last_id, cur, sizeof cur) == 0)
        json_object_set_new(out, "next_cursor", json_string(cur));
    else
        json_object_set_new(out, "next_cursor", json_null());
    return out;
}

json_t *ideas_find(rstore_t *rs, const query_t *query)
{
    bool all_seen;
    return ideas_find_also(rs, query, NULL, NULL, &all_seen);
}

json_t *ideas_find_also(rstore_t *rs, const query_t *query,
                        void (*fn)(const idea_t *idea, void *arg), void *arg, bool *all_seen)
{
    query_t qs = *query, *q = &qs;
    search_prepare(q);
    s_walk_t w = {.rs = rs, .q = q, .page = S_PAGE, .also = fn, .also_arg = arg};
    json_t *out = NULL;
    w.items = json_array();
    long long card = s_choose_index(&w, q);
    if (card < 0 ||
        (card > 0 && (s_total(&w, q, card) < 0 || s_walk(&w, q->has_cursor && !w.count_all) < 0)))
        json_decref(w.items);
    else
        out = s_answer(&w);
    *all_seen = w.count_all;
    for (int k = 0; k < w.n_other; k++)
        free(w.other[k]);
    search_done(q);
    return out;
}

/* The exports: every match, page by page of
 * QUERY_MAX_LIMIT (limit and cursor of q are overwritten). */
int ideas_each(rstore_t *rs, query_t *q, void (*fn)(json_t *it, void *arg), void *arg)
{
    q->limit = QUERY_MAX_LIMIT;
    for (;;) {
        json_t *ans = ideas_find(rs, q);
        if (!ans)
            return -1;
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(ans, "items"), i, it) fn(it, arg);
        const char *next = json_string_value(json_object_get(ans, "next_cursor"));
        int more = next &&
                   query_cursor_decode(next, &q->cursor_score, q->cursor_id, sizeof q->cursor_id) == 0;
        q->has_cursor = more;
        json_decref(ans);
        if (!more)
            return 0;
    }
}

int ideas_walk(rstore_t *rs, const query_t *query, void (*fn)(const idea_t *idea, void *arg),
               void *arg)
{
    query_t qs = *query, *q = &qs;
    q->has_cursor = false;
    search_prepare(q);
    s_walk_t w = {.rs = rs, .q = q, .page = S_PAGE, .each = fn, .each_arg = arg};
    long long card = s_choose_index(&w, q);
    int rc = card < 0 || (card > 0 && s_walk(&w, false) < 0) ? -1 : 0;
    for (int k = 0; k < w.n_other; k++)
        free(w.other[k]);
    search_done(q);
    return rc;
}

typedef struct {
    dash_t *d;
    rstore_t *rs;
} s_known_t;

static bool s_known(int dim, const char *v, void *arg)
{
    s_known_t *k = arg;
    if ((dim == QUERY_THEME && page_theme_known(k->d, v)) ||
        (dim == QUERY_WIJK && (!k->d->geo || geo_wijk_name(k->d->geo, v))) ||
        (dim == QUERY_ACTIVITY && value_allowed(v, VALID_ACTIVITIES)))
        return true;
    redisReply *r = rstore_cmd(k->rs, "HEXISTS " DASH_KEY_PREFIX "stats:%s %s", query_dims[dim], v);
    bool known = !r || r->type != REDIS_REPLY_INTEGER || r->integer == 1;
    if (r)
        freeReplyObject(r);
    return known;
}

int dash_query_parse(dash_t *d, rstore_t *rs, query_t *q, query_get_fn get, void *arg,
                     query_err_t *err)
{
    s_known_t k = {d, rs};
    return query_parse_known(q, get, arg, s_known, &k, err);
}

void dash_query_refuse(http_res_t *res, const query_err_t *err)
{
    json_t *fields = json_object();
    json_object_set_new(fields, err->param, json_string(err->message));
    http_res_error(res, 400, "invalid_query", err->message, fields);
}

void api_ideas_list(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    query_t q;
    query_err_t qerr;
    if (!auth_check(d, rs, req, res))
        goto out;
    if (dash_query_parse(d, rs, &q, s_get_param, (void *)req, &qerr) < 0) {
        dash_query_refuse(res, &qerr);
        goto out;
    }
    json_t *answer = ideas_find(rs, &q);
    if (!answer)
        dash_unavailable(res, rs);
    else
        http_res_json(res, 200, answer);
out:
    dash_redis_put(d, rs);
}

json_t *ideas_get_one(rstore_t *rs, const char *id, int *failed)
{
    *failed = 0;
    if (!id || !query_id_valid(id, strlen(id)))
        return NULL;
    redisReply *r = rstore_cmd(rs, "GET " DASH_KEY_PREFIX "idea:%s", id);
    if (!r) {
        *failed = 1;
        return NULL;
    }
    json_t *out = NULL;
    idea_t idea;
    proto_err_t perr;
    if (r->type == REDIS_REPLY_STRING) {
        if (idea_decode(r->str, r->len, &idea, &perr) == 0) {
            out = idea_to_json(&idea);
            idea_clear(&idea);
        } else {
            log_error("msg=\"undecodable idea record\" err=%s", perr.code);
        }
    }
    freeReplyObject(r);
    return out;
}

void api_ideas_get(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    const char *id = http_path_rest(req);
    redisReply *r = NULL;
    if (!auth_check(d, rs, req, res))
        goto out;
    if (!id || !query_id_valid(id, strlen(id))) {
        http_res_error(res, 404, "not_found", "Dit idee bestaat niet.", NULL);
        goto out;
    }
    r = rstore_cmd(rs, "GET " DASH_KEY_PREFIX "idea:%s", id);
    if (!r) {
        dash_unavailable(res, rs);
        goto out;
    }
    idea_t idea;
    proto_err_t perr;
    if (r->type != REDIS_REPLY_STRING) {
        http_res_error(res, 404, "not_found", "Dit idee bestaat niet.", NULL);
    } else if (idea_decode(r->str, r->len, &idea, &perr) < 0) {
        char qid[160];
        log_error("msg=\"undecodable idea record\" id=%s err=%s", log_quote(qid, sizeof qid, id),
                  perr.code);
        http_res_error(res, 500, "internal", "Dit idee kan nu niet worden gelezen.", NULL);
    } else {
        http_res_json(res, 200, idea_to_json(&idea));
        idea_clear(&idea);
    }
out:
    if (r)
        freeReplyObject(r);
    dash_redis_put(d, rs);
}
