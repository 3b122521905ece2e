/*
 * NAME
 *   cluster_redis - near-duplicate cluster state in Redis for the classifier
 *
 * DESCRIPTION
 *   The cluster_store_t of common/classify_cluster.c kept in Redis, so
 *   clusters hold across restarts and are shared by every classifier
 *   instance. The classifier only writes its own keys:
 *     inspraak:cluster:idea:ID        STRING  the idea's sketch (text, below)
 *     inspraak:cluster:band:B:HEX     LIST    ids of ideas with band key HEX
 *                                             in band B, newest first, kept to
 *                                             CLUSTER_BAND_KEEP (bounded
 *                                             fan-out for common words)
 *   Sketch text: "1<TAB>wijk<TAB>theme<TAB>cluster<TAB>n_keys<TAB>" then
 *   CLUSTER_HASHES 8-digit hex values. Not atomic across instances: two
 *   near-duplicates classified at the same moment by two instances may
 *   start two clusters (each then gathers its own later duplicates).
 *
 * OWNERSHIP
 *   The store borrows the rstore_t; the caller keeps it.
 */
#include <glib.h>
#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_redis.h"
#include "xalloc.h"

#define CLUSTER_BAND_KEEP 200
#define CLUSTER_MAX_CANDIDATES 300
/* Only the newest ids of each band are read: with one MinHash value a band,
 * common words fill every band list, and reading all of them made each
 * idea cost ~13,000 list entries (the classifier fell to ~60 ideas/s). The
 * newest ones are where a near-duplicate of a new idea usually is. */
#define CLUSTER_BAND_SCAN 16

static void s_format(const cluster_sketch_t *sk, char *out, size_t size)
{
    int n = snprintf(out, size, "1\t%s\t%s\t%s\t%d\t", sk->wijk, sk->theme, sk->cluster,
                     sk->n_keys);
    for (int k = 0; k < CLUSTER_HASHES && n > 0 && (size_t)n + 9 < size; k++)
        n += snprintf(out + n, size - (size_t)n, "%08x", sk->sig[k]);
}

/* Copies the field up to the next tab into dst; returns past the tab. */
static const char *s_field(const char *p, const char *end, char *dst, size_t size)
{
    const char *t = memchr(p, '\t', (size_t)(end - p));
    if (!t || (size_t)(t - p) >= size)
        return NULL;
    memcpy(dst, p, (size_t)(t - p));
    dst[t - p] = '\0';
    return t + 1;
}

int cluster_redis_parse(const char *s, size_t len, cluster_sketch_t *sk)
{
    const char *end = s + len, *p = s;
    char ver[4], num[16];
    memset(sk, 0, sizeof *sk);
    if (!(p = s_field(p, end, ver, sizeof ver)) || strcmp(ver, "1") != 0 ||
        !(p = s_field(p, end, sk->wijk, sizeof sk->wijk)) ||
        !(p = s_field(p, end, sk->theme, sizeof sk->theme)) ||
        !(p = s_field(p, end, sk->cluster, sizeof sk->cluster)) ||
        !(p = s_field(p, end, num, sizeof num)) || end - p != 8 * CLUSTER_HASHES)
        return -1;
    sk->n_keys = atoi(num);
    for (int k = 0; k < CLUSTER_HASHES; k++) {
        char hex[9];
        memcpy(hex, p + 8 * k, 8);
        hex[8] = '\0';
        char *e;
        sk->sig[k] = (uint32_t)strtoul(hex, &e, 16);
        if (*e)
            return -1;
    }
    return 0;
}

int cluster_redis_lookup(rstore_t *rs, const char *id, char *cluster, size_t size)
{
    redisReply *r = rstore_cmd(rs, "GET inspraak:cluster:idea:%s", id);
    if (!r)
        return -1;
    cluster_sketch_t sk;
    int rc = 0;
    if (r->type == REDIS_REPLY_STRING && cluster_redis_parse(r->str, r->len, &sk) == 0 &&
        sk.cluster[0]) {
        snprintf(cluster, size, "%s", sk.cluster);
        rc = 1;
    }
    freeReplyObject(r);
    return rc;
}

static int s_candidates(void *store, const uint64_t *bands, cluster_fn fn, void *arg)
{
    rstore_t *rs = store;
    for (int b = 0; b < CLUSTER_BANDS; b++)
        if (rstore_append(rs, "LRANGE inspraak:cluster:band:%d:%016llx 0 %d", b,
                          (unsigned long long)bands[b], CLUSTER_BAND_SCAN - 1) < 0)
            return -1;
    const char **argv = xcalloc(CLUSTER_MAX_CANDIDATES + 1, sizeof *argv);
    char **keys = xcalloc(CLUSTER_MAX_CANDIDATES + 1, sizeof *keys);
    int n = 0, rc = 0;
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    argv[n] = "MGET";
    for (int b = 0; b < CLUSTER_BANDS; b++) {
        redisReply *r = rstore_reply(rs);
        if (!r) {
            rc = -1;
            continue;
        }
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
            redisReply *e = r->element[i];
            if (e->type != REDIS_REPLY_STRING || n >= CLUSTER_MAX_CANDIDATES)
                continue;
            char *key = xasprintf("inspraak:cluster:idea:%s", e->str);
            if (g_hash_table_contains(seen, key)) {
                free(key);
            } else {
                keys[n++] = key;
                g_hash_table_add(seen, key);
            }
        }
        freeReplyObject(r);
    }
    if (rc == 0 && n > 0) {
        for (int j = 0; j < n; j++)
            argv[j + 1] = keys[j];
        redisReply *r = rstore_cmdargv(rs, n + 1, argv, NULL);
        if (!r)
            rc = -1;
        for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && rc == 0; i++) {
            cluster_sketch_t sk;
            redisReply *e = r->element[i];
            if (e->type == REDIS_REPLY_STRING && cluster_redis_parse(e->str, e->len, &sk) == 0)
                rc = fn(arg, &sk);
        }
        if (r)
            freeReplyObject(r);
    }
    g_hash_table_destroy(seen);
    for (int j = 0; j < n; j++)
        free(keys[j]);
    free(keys);
    free(argv);
    return rc;
}

static int s_put(void *store, const char *id, const uint64_t *bands, const cluster_sketch_t *sk)
{
    rstore_t *rs = store;
    char text[1024];
    s_format(sk, text, sizeof text);
    int sent = 0;
    if (rstore_append(rs, "SET inspraak:cluster:idea:%s %s", id, text) < 0)
        return -1;
    sent++;
    for (int b = 0; b < CLUSTER_BANDS; b++) {
        unsigned long long h = (unsigned long long)bands[b];
        if (rstore_append(rs, "LPUSH inspraak:cluster:band:%d:%016llx %s", b, h, id) < 0 ||
            rstore_append(rs, "LTRIM inspraak:cluster:band:%d:%016llx 0 %d", b, h,
                          CLUSTER_BAND_KEEP - 1) < 0)
            return -1;
        sent += 2;
    }
    int rc = 0;
    for (int i = 0; i < sent; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r)
            rc = -1;
        else
            freeReplyObject(r);
    }
    return rc;
}

cluster_store_t cluster_redis_store(rstore_t *rs)
{
    cluster_store_t st = {s_candidates, s_put, rs};
    return st;
}
