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

/* Puts are kept here until cluster_redis_flush() writes them all in one
 * pipeline: with appendfsync always, every round trip that writes costs
 * Redis an fsync, and one put per idea held the classifier to ~400 ideas/s
 * (docs/benchmarks.md). Reads need no fsync, so candidates are still read
 * per idea, and the buffered sketches of the same batch are offered too. */
typedef struct {
    char id[80];
    uint64_t bands[CLUSTER_BANDS];
    cluster_sketch_t sk;
} s_put_t;

struct cluster_redis {
    rstore_t *rs;
    s_put_t puts[CLUSTER_REDIS_BATCH];
    int n_puts;
};

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

cluster_redis_t *cluster_redis_new(rstore_t *rs)
{
    cluster_redis_t *self = xcalloc(1, sizeof *self);
    self->rs = rs;
    return self;
}

void cluster_redis_destroy(cluster_redis_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

int cluster_redis_lookup(cluster_redis_t *self, const char *id, char *cluster, size_t size)
{
    for (int i = 0; i < self->n_puts; i++)
        if (strcmp(self->puts[i].id, id) == 0 && self->puts[i].sk.cluster[0]) {
            snprintf(cluster, size, "%s", self->puts[i].sk.cluster);
            return 1;
        }
    redisReply *r = rstore_cmd(self->rs, "GET inspraak:cluster:idea:%s", id);
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

/* The buffered sketches (not yet in Redis) that share a band with bands. */
static int s_buffered(const cluster_redis_t *self, const uint64_t *bands, cluster_fn fn,
                      void *arg)
{
    for (int i = 0; i < self->n_puts; i++) {
        int shared = 0;
        for (int b = 0; b < CLUSTER_BANDS && !shared; b++)
            shared = self->puts[i].bands[b] == bands[b];
        if (shared && fn(arg, &self->puts[i].sk) < 0)
            return -1;
    }
    return 0;
}

static int s_candidates(void *store, const uint64_t *bands, cluster_fn fn, void *arg)
{
    cluster_redis_t *self = store;
    if (s_buffered(self, bands, fn, arg) < 0)
        return -1;
    rstore_t *rs = self->rs;
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

/* Buffers the put; a full buffer is flushed first. */
static int s_put(void *store, const char *id, const uint64_t *bands, const cluster_sketch_t *sk)
{
    cluster_redis_t *self = store;
    if (strlen(id) >= sizeof self->puts[0].id)
        return -1;
    if (self->n_puts == CLUSTER_REDIS_BATCH && cluster_redis_flush(self) < 0)
        return -1;
    s_put_t *p = &self->puts[self->n_puts++];
    snprintf(p->id, sizeof p->id, "%s", id);
    memcpy(p->bands, bands, sizeof p->bands);
    p->sk = *sk;
    return 0;
}

int cluster_redis_flush(cluster_redis_t *self)
{
    rstore_t *rs = self->rs;
    int sent = 0, rc = 0;
    for (int i = 0; i < self->n_puts && rc == 0; i++) {
        const s_put_t *p = &self->puts[i];
        char text[1024];
        s_format(&p->sk, text, sizeof text);
        if (rstore_append(rs, "SET inspraak:cluster:idea:%s %s", p->id, text) < 0) {
            rc = -1;
            break;
        }
        sent++;
        for (int b = 0; b < CLUSTER_BANDS; b++) {
            unsigned long long h = (unsigned long long)p->bands[b];
            if (rstore_append(rs, "LPUSH inspraak:cluster:band:%d:%016llx %s", b, h, p->id) < 0 ||
                rstore_append(rs, "LTRIM inspraak:cluster:band:%d:%016llx 0 %d", b, h,
                              CLUSTER_BAND_KEEP - 1) < 0) {
                rc = -1;
                break;
            }
            sent += 2;
        }
    }
    for (int i = 0; i < sent; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r)
            rc = -1;
        else
            freeReplyObject(r);
    }
    self->n_puts = 0; /* written, or lost with Redis: clusters must not stop ideas */
    return rc;
}

int cluster_redis_pending(const cluster_redis_t *self)
{
    return self->n_puts;
}

cluster_store_t cluster_redis_store(cluster_redis_t *self)
{
    cluster_store_t st = {s_candidates, s_put, self};
    return st;
}
