/*
 * NAME
 *   ideas_total - the "total" of a filtered idea list with two or more
 *   equality filters, from the indexes alone
 *
 * DESCRIPTION
 *   Part of GET /api/v1/ideas (api_ideas.c, which owns the list walk and
 *   answers ZCARD / ZCOUNT itself when the filters map onto one index).
 *   For two equality filters: one HGET of storage's pair counts
 *   (inspraak:pair:<a>:<b>, docs/redis.md), exact and O(1), used only
 *   when inspraak:pair:counted equals ZCARD inspraak:ideas (read in one
 *   MULTI), i.e. every idea was counted. Otherwise (three or more
 *   filters, or ideas stored before the pair counts existed) ZINTERCARD,
 *   which costs about 1 us per member of the smallest index (85 ms for
 *   wijk+theme at 1,000,000 ideas on the bench VM), so when that index has
 *   at least S_TOTAL_CACHE_MIN members the count is kept per filter set
 *   for S_TOTAL_TTL_MS in this process: such a "total" may lag the data by
 *   up to that long.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dashboard.h"
#include "ideas_total.h"
#include "xalloc.h"

#define S_TOTAL_CACHE_MIN 20000 /* smallest index size whose count is cached */
#define S_TOTAL_TTL_MS 10000
#define S_TOTAL_SLOTS 64
#define S_PAIR_SEP "\x1f" /* STORE_PAIRS_SEP of services/storage/store.h */

/* The ZINTERCARD cache: a few slots, the oldest replaced. */
typedef struct {
    char key[QUERY_NDIMS * (QUERY_MAX_VALUE + 64)];
    int64_t total, expires;
} s_total_slot_t;
static s_total_slot_t s_totals[S_TOTAL_SLOTS];
static pthread_mutex_t s_totals_lock = PTHREAD_MUTEX_INITIALIZER;

/* The cached count for key, or -1. */
static int64_t s_total_get(const char *key)
{
    int64_t now = clock_mono_ms(), v = -1;
    pthread_mutex_lock(&s_totals_lock);
    for (int i = 0; i < S_TOTAL_SLOTS && v < 0; i++)
        if (s_totals[i].expires > now && strcmp(s_totals[i].key, key) == 0)
            v = s_totals[i].total;
    pthread_mutex_unlock(&s_totals_lock);
    return v;
}

static void s_total_put(const char *key, int64_t total)
{
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&s_totals_lock);
    int slot = 0;
    for (int i = 0; i < S_TOTAL_SLOTS; i++) {
        if (strcmp(s_totals[i].key, key) == 0 || s_totals[i].expires <= now) {
            slot = i;
            break;
        }
        if (s_totals[i].expires < s_totals[slot].expires)
            slot = i;
    }
    snprintf(s_totals[slot].key, sizeof s_totals[slot].key, "%s", key);
    s_totals[slot].total = total;
    s_totals[slot].expires = now + S_TOTAL_TTL_MS;
    pthread_mutex_unlock(&s_totals_lock);
}

/* The total of exactly two equality filters from storage's pair counts.
 * Returns 1 (*total set), 0 (not usable: fall back) or -1 (Redis). */
static int s_pair_total(rstore_t *rs, const query_t *q, int64_t *total)
{
    int d[2], n = 0;
    for (int i = 0; i < QUERY_NDIMS; i++)
        if (q->eq[i][0] && n++ < 2)
            d[n - 1] = i;
    /* A value holding the separator could meet another pair's field. */
    if (n != 2 || strstr(q->eq[d[0]], S_PAIR_SEP) || strstr(q->eq[d[1]], S_PAIR_SEP))
        return 0;
    rstore_append(rs, "MULTI");
    rstore_append(rs, "HGET " DASH_KEY_PREFIX "pair:counted ideas");
    rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ideas");
    rstore_append(rs, "HGET " DASH_KEY_PREFIX "pair:%s:%s %s" S_PAIR_SEP "%s", query_dims[d[0]],
                  query_dims[d[1]], q->eq[d[0]], q->eq[d[1]]);
    rstore_append(rs, "EXEC");
    redisReply *x = rstore_exec_reply(rs, 3);
    if (!x || x->type != REDIS_REPLY_ARRAY || x->elements != 3 ||
        x->element[1]->type != REDIS_REPLY_INTEGER) {
        if (x)
            freeReplyObject(x);
        return -1;
    }
    redisReply *counted = x->element[0], *pair = x->element[2];
    int rc = 0;
    if (counted->type == REDIS_REPLY_STRING &&
        strtoll(counted->str, NULL, 10) == x->element[1]->integer) {
        *total = pair->type == REDIS_REPLY_STRING ? strtoll(pair->str, NULL, 10) : 0;
        rc = 1;
    }
    freeReplyObject(x);
    return rc;
}

int ideas_total_eq(rstore_t *rs, const query_t *q, long long smallest, int64_t *total)
{
    redisReply *r = NULL;
    int pr = s_pair_total(rs, q, total);
    if (pr != 0)
        return pr < 0 ? -1 : 0;
    const char *argv[2 + QUERY_NDIMS];
    size_t lens[2 + QUERY_NDIMS];
    char *keys[QUERY_NDIMS], nk[8];
    int argc = 0, n = 0;
    snprintf(nk, sizeof nk, "%d", q->n_eq);
    argv[argc++] = "ZINTERCARD";
    argv[argc++] = nk;
    for (int i = 0; i < QUERY_NDIMS; i++)
        if (q->eq[i][0]) {
            keys[n] = xasprintf(DASH_KEY_PREFIX "ix:%s:%s", query_dims[i], q->eq[i]);
            argv[argc++] = keys[n++];
        }
    char ck[sizeof s_totals[0].key] = "";
    size_t cl = 0;
    for (int i = 0; i < argc; i++) {
        lens[i] = strlen(argv[i]);
        if (i >= 2 && cl + lens[i] + 2 < sizeof ck)
            cl += (size_t)snprintf(ck + cl, sizeof ck - cl, "%s ", argv[i]);
    }
    bool cache = smallest >= S_TOTAL_CACHE_MIN;
    int64_t cached = cache ? s_total_get(ck) : -1;
    if (cached < 0)
        r = rstore_cmdargv(rs, argc, argv, lens);
    for (int i = 0; i < n; i++)
        free(keys[i]);
    if (cached >= 0) {
        *total = cached;
        return 0;
    }
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    if (cache)
        s_total_put(ck, r->integer);
    *total = r->integer;
    freeReplyObject(r);
    return 0;
}
