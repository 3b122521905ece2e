/*
 * NAME
 *   cluster_redis_io - the Redis round trips of the classifier's cluster
 *   store: the bucket keys, the two HMGET pipelines and the EVAL
 *
 * DESCRIPTION
 *   Steps 1, 2 and 4 of cluster_redis_assign() (cluster_redis.c describes
 *   the keys and the steps): cluster_redis_read() asks, one HMGET per
 *   bucket in one pipeline, for the stored sketch of every id of the
 *   batch and the postings of every distinct index key, then in a second
 *   pipeline for the candidates' sketches that are not cached;
 *   cluster_redis_write() stores the batch's sketches and prepends its
 *   postings with one EVAL of s_script. Nothing is decided here.
 *
 * OWNERSHIP
 *   The classifier service (services/classifier/README.md). Fills the
 *   cluster_redis_t it is given (cluster_redis_int.h); the replies are
 *   freed here.
 */
#include <glib.h>
#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_redis_int.h"
#include "xalloc.h"

/* Prepends each batch's handles to its postings, cut at ARGV[2] bytes,
 * and stores the sketches; one EVAL per batch. A script runs atomically,
 * and its writes reach the AOF together. KEYS: ARGV[1] sketch buckets,
 * then postings buckets; ARGV from 3: field and value for each key. */
static const char s_script[] =
    "local n, keep, a = tonumber(ARGV[1]), tonumber(ARGV[2]), 3\n"
    "for i = 1, #KEYS do\n"
    "  if i <= n then\n"
    "    redis.call('HSET', KEYS[i], ARGV[a], ARGV[a + 1])\n"
    "  else\n"
    "    local old = redis.call('HGET', KEYS[i], ARGV[a]) or ''\n"
    "    redis.call('HSET', KEYS[i], ARGV[a], string.sub(ARGV[a + 1] .. old, 1, keep))\n"
    "  end\n"
    "  a = a + 2\n"
    "end\n"
    "return #KEYS\n";

/* The bucket and field of a sketch ("sk") or of a key's postings ("ix"):
 * "inspraak:cluster:<kind>:<number>", written by hand (snprintf was 2 %
 * of the service's instructions with full batches). */
static void s_at(cluster_redis_get_t *g, const char *kind, uint64_t h, unsigned buckets, int slot)
{
    static const char prefix[] = "inspraak:cluster:";
    unsigned bucket = (unsigned)(h % buckets), n = sizeof prefix - 1;
    char digits[12];
    int nd = 0;
    memcpy(g->key, prefix, n);
    g->key[n++] = kind[0], g->key[n++] = kind[1], g->key[n++] = ':';
    do
        digits[nd++] = (char)('0' + bucket % 10);
    while ((bucket /= 10) > 0);
    while (nd > 0)
        g->key[n++] = digits[--nd];
    g->key[n] = '\0';
    g->key_len = n;
    g->order = (unsigned)(kind[0] == 'i') << 31 | (unsigned)(h % buckets);
    cluster_redis_be48(h, g->field);
    g->slot = slot;
}
#define s_sk_get(g, h, slot) s_at(g, "sk", h, CLUSTER_REDIS_SK_BUCKETS, slot)
#define s_ix_get(g, h, slot) s_at(g, "ix", h, CLUSTER_REDIS_IX_BUCKETS, slot)

/* ------------------------------------------------------------------ */
/* Reads: HMGETs, one per bucket, in one pipeline                      */
/* ------------------------------------------------------------------ */

static int s_get_cmp(const void *a, const void *b)
{
    unsigned x = ((const cluster_redis_get_t *)a)->order;
    unsigned y = ((const cluster_redis_get_t *)b)->order;
    return (x > y) - (x < y);
}

/* Calls got(arg, slot, value, len) for every field found. -1 on error. */
typedef void (*s_got_fn)(cluster_redis_t *self, void *arg, int slot, const char *v, size_t len);

static int s_hmget(cluster_redis_t *self, cluster_redis_get_t *gets, int n, s_got_fn got, void *arg)
{
    qsort(gets, (size_t)n, sizeof *gets, s_get_cmp);
    const char **argv = xcalloc((size_t)n + 2, sizeof *argv);
    size_t *lens = xcalloc((size_t)n + 2, sizeof *lens);
    int sent = 0, rc = 0;
    for (int at = 0, end; at < n && rc == 0; at = end) {
        argv[0] = "HMGET", lens[0] = 5;
        argv[1] = gets[at].key, lens[1] = gets[at].key_len;
        int argc = 2;
        for (end = at; end < n && gets[end].order == gets[at].order; end++)
            argv[argc] = gets[end].field, lens[argc++] = HB;
        if (rstore_appendargv(self->rs, argc, argv, lens) < 0)
            rc = -1;
        else
            sent++;
    }
    for (int i = 0, at = 0; i < sent; i++) {
        redisReply *r = rstore_reply(self->rs);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            rc = -1;
        } else {
            for (size_t k = 0; k < r->elements && at + (int)k < n; k++)
                if (r->element[k]->type == REDIS_REPLY_STRING)
                    got(self, arg, gets[at + k].slot, r->element[k]->str, r->element[k]->len);
        }
        int group = 1; /* this HMGET's fields: the run of equal keys */
        while (at + group < n && gets[at + group].order == gets[at].order)
            group++;
        at += group;
        if (r)
            freeReplyObject(r);
    }
    free(argv);
    free(lens);
    return rc;
}

/* Read 1: a stored sketch of a batch item (re-sent idea) or a postings value. */
typedef struct {
    uint64_t *ix_keys; /* slot - CLUSTER_REDIS_BATCH -> index key */
} s_read1_t;

static void s_got1(cluster_redis_t *self, void *arg, int slot, const char *v, size_t len)
{
    s_read1_t *rd = arg;
    if (slot < CLUSTER_REDIS_BATCH) {
        cluster_redis_item_t *it = &self->items[slot];
        cluster_sketch_t sk;
        char id[CLUSTER_ID_MAX];
        if (cluster_redis_parse(v, len, &sk, id, sizeof id) == 0 && strcmp(id, it->idea->id) == 0)
            snprintf(it->stored, sizeof it->stored, "%s", classify_cluster_label(&sk));
        return;
    }
    uint64_t key = rd->ix_keys[slot - CLUSTER_REDIS_BATCH];
    g_hash_table_replace(self->post, g_memdup2(&key, sizeof key), g_bytes_new(v, len - len % HB));
}

static int s_read_postings(cluster_redis_t *self, int n)
{
    /* n * (CLUSTER_INDEX_KEYS + 1) at most; cluster_redis_write comes later */
    cluster_redis_get_t *gets = self->w.keys;
    s_read1_t rd = {xcalloc((size_t)n * CLUSTER_INDEX_KEYS + 1, sizeof(uint64_t))};
    GHashTable *asked = g_hash_table_new(g_int64_hash, g_int64_equal);
    int n_gets = 0, n_ix = 0;
    for (int i = 0; i < n; i++) {
        cluster_redis_item_t *it = &self->items[i];
        if (it->kind != ITEM_MATCH)
            continue;
        if (it->idea->id && strlen(it->idea->id) < CLUSTER_ID_MAX)
            s_sk_get(&gets[n_gets++], classify_cluster_handle(it->idea->id), i);
        for (int k = 0; k < it->sk.n_index; k++) {
            if (g_hash_table_contains(asked, &it->sk.index[k]))
                continue;
            rd.ix_keys[n_ix] = it->sk.index[k];
            g_hash_table_add(asked, &rd.ix_keys[n_ix]);
            s_ix_get(&gets[n_gets++], it->sk.index[k], CLUSTER_REDIS_BATCH + n_ix);
            n_ix++;
        }
    }
    int rc = s_hmget(self, gets, n_gets, s_got1, &rd);
    g_hash_table_destroy(asked);
    free(rd.ix_keys);
    return rc;
}

/* Read 2: candidate sketches not in the cache. */
static void s_got2(cluster_redis_t *self, void *arg, int slot, const char *v, size_t len)
{
    uint64_t *handles = arg;
    cluster_sketch_t sk;
    char id[CLUSTER_ID_MAX];
    if (cluster_redis_parse(v, len, &sk, id, sizeof id) == 0 &&
        classify_cluster_handle(id) == handles[slot])
        g_hash_table_replace(self->sketches, g_memdup2(&handles[slot], sizeof handles[slot]),
                             g_memdup2(&sk, sizeof sk));
}

static int s_read_sketches(cluster_redis_t *self)
{
    GArray *handles = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    GHashTable *asked = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GHashTableIter iter;
    gpointer key, val;
    g_hash_table_iter_init(&iter, self->post);
    while (g_hash_table_iter_next(&iter, &key, &val)) {
        gsize len;
        const char *p = g_bytes_get_data(val, &len);
        for (gsize at = 0; at + HB <= len && at < CLUSTER_POST_BYTES; at += HB) {
            uint64_t h = cluster_redis_from_be48(p + at);
            if (g_hash_table_contains(asked, &h) || g_hash_table_contains(self->sketches, &h))
                continue;
            g_hash_table_add(asked, g_memdup2(&h, sizeof h));
            g_array_append_val(handles, h);
        }
    }
    cluster_redis_get_t *gets = xcalloc(handles->len + 1, sizeof *gets);
    for (guint i = 0; i < handles->len; i++)
        s_sk_get(&gets[i], g_array_index(handles, uint64_t, i), (int)i);
    int rc = s_hmget(self, gets, (int)handles->len, s_got2, handles->data);
    free(gets);
    g_hash_table_destroy(asked);
    g_array_free(handles, TRUE);
    return rc;
}

int cluster_redis_read(cluster_redis_t *self, int n)
{
    if (s_read_postings(self, n) < 0)
        return -1;
    return s_read_sketches(self);
}

/* ------------------------------------------------------------------ */
/* Write: one EVAL                                                     */
/* ------------------------------------------------------------------ */

/* The EVAL of s_script for the batch's puts, built in self->w: the
 * sketch of every put (newest first), then for every index key (in order
 * of first use, newest put first) the handles of the puts filed under
 * it, newest first, cut at CLUSTER_POST_BYTES. */
int cluster_redis_write(cluster_redis_t *self)
{
    int n_keys = 0, n_post = 0;
    for (int i = self->n_puts - 1; i >= 0; i--) { /* newest first */
        const cluster_redis_put_t *p = &self->puts[i];
        s_sk_get(&self->w.keys[n_keys++], p->handle, 0);
        self->w.rec_len[i] = cluster_redis_pack(&p->sk, p->id, self->w.rec[i]);
        for (int k = 0; k < p->sk.n_index; k++) {
            /* live: s_put_link (cluster_redis.c) filed it */
            int at = cluster_redis_put_slot(self, p->sk.index[k]);
            if (self->put_head[at].post < 0) {
                self->put_head[at].post = n_post;
                self->w.post_len[n_post++] = 0;
            }
            int x = self->put_head[at].post;
            if (self->w.post_len[x] < CLUSTER_POST_BYTES) {
                cluster_redis_be48(p->handle, self->w.post[x] + self->w.post_len[x]);
                self->w.post_len[x] += HB;
            }
        }
    }
    int n_sk = n_keys;
    for (int i = self->n_puts - 1, x = 0; i >= 0; i--) /* the postings keys, same order */
        for (int k = 0; k < self->puts[i].sk.n_index; k++) {
            uint64_t key = self->puts[i].sk.index[k];
            if (self->put_head[cluster_redis_put_slot(self, key)].post == x)
                s_ix_get(&self->w.keys[n_keys++], key, x++);
        }
    char nkeys[16], nsk[16], keep[16];
    snprintf(nkeys, sizeof nkeys, "%d", n_keys);
    snprintf(nsk, sizeof nsk, "%d", n_sk);
    snprintf(keep, sizeof keep, "%d", CLUSTER_POST_BYTES);
    const char **argv = self->w.argv;
    size_t *lens = self->w.lens;
    int a = 0;
    argv[a] = "EVAL", lens[a++] = 4;
    argv[a] = s_script, lens[a++] = sizeof s_script - 1;
    argv[a] = nkeys, lens[a++] = strlen(nkeys);
    for (int k = 0; k < n_keys; k++)
        argv[a] = self->w.keys[k].key, lens[a++] = self->w.keys[k].key_len;
    argv[a] = nsk, lens[a++] = strlen(nsk);
    argv[a] = keep, lens[a++] = strlen(keep);
    for (int k = 0; k < n_keys; k++) {
        argv[a] = self->w.keys[k].field, lens[a++] = HB;
        if (k < n_sk) { /* key k is the sketch of put n_puts - 1 - k */
            int i = self->n_puts - 1 - k;
            argv[a] = self->w.rec[i], lens[a++] = self->w.rec_len[i];
        } else {
            int x = self->w.keys[k].slot;
            argv[a] = self->w.post[x], lens[a++] = self->w.post_len[x];
        }
    }
    redisReply *r = rstore_cmdargv(self->rs, a, argv, lens);
    int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (r)
        freeReplyObject(r);
    return rc;
}
