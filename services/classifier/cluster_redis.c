/*
 * NAME
 *   cluster_redis - near-duplicate cluster state in Redis for the classifier
 *
 * DESCRIPTION
 *   The cluster_store_t of common/classify_cluster.c kept in Redis, so
 *   clusters hold across restarts and are shared by every classifier
 *   instance. The classifier only writes its own keys, all HASHes bucketed
 *   so that Redis holds few keys (a key costs ~100 bytes of its own):
 *     inspraak:cluster:sk:N   field: the idea's handle (6 bytes, big
 *                             endian; classify_cluster_handle() of its id),
 *                             value: its packed sketch (below).
 *                             N = handle % CLUSTER_REDIS_SK_BUCKETS.
 *     inspraak:cluster:ix:N   field: an index key's hash (its low 6 bytes,
 *                             big endian), value: the handles (6 bytes each) of
 *                             the newest CLUSTER_POSTINGS ideas filed
 *                             under it, newest first (at most 60 bytes, so
 *                             the buckets stay listpack-encoded under
 *                             Redis's default hash-max-listpack-value).
 *                             N = key hash % CLUSTER_REDIS_IX_BUCKETS.
 *   The packed sketch's layout (~120-200 bytes an idea): cluster_pack.c.
 *   State written by the earlier layout (inspraak:cluster:idea:* and
 *   inspraak:cluster:band:*) is not read: see docs/redis.md for the
 *   upgrade.
 *
 *   A batch at a time: cluster_redis_add() computes each idea's sketch
 *   and index keys; then cluster_redis_assign(), for the whole batch,
 *     1. reads, in ONE pipeline of HMGETs (one per bucket), the stored
 *        sketch of every id of the batch (a re-sent idea keeps its stored
 *        cluster) and the postings of every distinct index key;
 *     2. reads, in ONE more pipeline of HMGETs, the sketches of the
 *        candidates that are not in its cache (a stored sketch never
 *        changes; CLUSTER_CACHE_MAX);
 *     3. decides the clusters in batch order in memory: an idea's
 *        candidates are, key by key, the batch's earlier ideas filed under
 *        that key (newest first) and then the stored postings, cut at
 *        CLUSTER_POSTINGS: the same candidates in the same order as the
 *        one-at-a-time in-memory store, so the answers are the same;
 *     4. writes every new sketch and posting with ONE EVAL of s_script
 *        (cluster_redis_io.c; one AOF fsync): atomic, so a classifier killed at any moment
 *        either wrote nothing for the batch (the re-sent ideas are
 *        clustered again from the same state) or wrote all of it (the
 *        re-sent ideas find their clusters under their ids), and two
 *        instances prepending to the same postings lose nothing.
 *   The caller hands the ideas to storage only after step 4. This file
 *   holds the batch and step 3; the Redis round trips (steps 1, 2 and 4,
 *   with the bucket keys) are in cluster_redis_io.c, and the state both
 *   share is in cluster_redis_int.h.
 *
 *   Not atomic across instances' decisions: two near-duplicates in
 *   batches classified at the same moment by two instances may start two
 *   clusters (each then gathers its own later duplicates); an idea's
 *   cluster, once stored, never changes. The same idea re-sent to two
 *   instances at once may be filed twice with the same sketch (a posting
 *   repeated; candidates are taken once).
 *
 * OWNERSHIP
 *   The store borrows the rstore_t; the caller keeps it.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_redis_int.h"
#include "xalloc.h"

/* Parsed sketches kept between batches (1,064 bytes each since the
 * 1,024-slot sketch, 544 before: ~21 MB when full; emptied when full):
 * the same near-duplicates are candidates again and again. */
#define CLUSTER_CACHE_MAX 20000

cluster_redis_t *cluster_redis_new(rstore_t *rs)
{
    cluster_redis_t *self = xcalloc(1, sizeof *self);
    self->rs = rs;
    self->post =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_bytes_unref);
    self->sketches = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free);
    return self;
}

void cluster_redis_destroy(cluster_redis_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cluster_redis_t *self = *self_p;
    g_hash_table_destroy(self->post);
    g_hash_table_destroy(self->sketches);
    free(self);
    *self_p = NULL;
}

/* ------------------------------------------------------------------ */
/* Clusters, in batch order                                            */
/* ------------------------------------------------------------------ */

/* The put_head slot of key in this batch's generation: its own, or the
 * free one where it goes. */
int cluster_redis_put_slot(cluster_redis_t *self, uint64_t key)
{
    unsigned i = (unsigned)((key ^ (key >> 29)) * 0x9E3779B97F4A7C15ull >> 52);
    for (;; i = (i + 1) % CLUSTER_PUT_SLOTS)
        if (self->put_head[i].gen != self->put_gen || self->put_head[i].key == key)
            return (int)i;
}

/* Files put i under each of its index keys (once per key). */
static void s_put_link(cluster_redis_t *self, int i)
{
    const cluster_redis_put_t *p = &self->puts[i];
    for (int x = 0; x < p->sk.n_index; x++) {
        int at = cluster_redis_put_slot(self, p->sk.index[x]);
        bool live = self->put_head[at].gen == self->put_gen;
        if (live && self->put_head[at].head >> 3 == i)
            continue; /* the same key twice in one put's index */
        self->put_next[i][x] = live ? self->put_head[at].head : -1;
        if (!live)
            self->put_head[at].post = -1;
        self->put_head[at].key = p->sk.index[x];
        self->put_head[at].gen = self->put_gen;
        self->put_head[at].head = i << 3 | x;
    }
}

/* Key by key: the batch's earlier ideas filed under it (newest first),
 * then its stored postings, CLUSTER_POSTINGS in all (as cluster_mem). */
static int s_candidates(void *store, const uint64_t *keys, int n_keys, cluster_fn fn, void *arg)
{
    cluster_redis_t *self = store;
    for (int k = 0; k < n_keys; k++) {
        int offered = 0, at = cluster_redis_put_slot(self, keys[k]);
        int link = self->put_head[at].gen == self->put_gen ? self->put_head[at].head : -1;
        for (; link >= 0 && offered < CLUSTER_POSTINGS; link = self->put_next[link >> 3][link & 7]) {
            const cluster_redis_put_t *p = &self->puts[link >> 3];
            if ((offered++, fn(arg, p->handle, &p->sk) < 0))
                return -1;
        }
        GBytes *post = g_hash_table_lookup(self->post, &keys[k]);
        gsize len = 0;
        const char *v = post ? g_bytes_get_data(post, &len) : NULL;
        for (gsize at = 0; at + HB <= len && offered < CLUSTER_POSTINGS; at += HB) {
            uint64_t h = cluster_redis_from_be48(v + at);
            const cluster_sketch_t *sk = g_hash_table_lookup(self->sketches, &h);
            offered++;
            if (sk && fn(arg, h, sk) < 0)
                return -1;
        }
    }
    return 0;
}

static int s_put(void *store, const char *id, const cluster_sketch_t *sk)
{
    cluster_redis_t *self = store;
    if (strlen(id) >= CLUSTER_ID_MAX || self->n_puts == CLUSTER_REDIS_BATCH)
        return -1;
    cluster_redis_put_t *p = &self->puts[self->n_puts++];
    snprintf(p->id, sizeof p->id, "%s", id);
    p->handle = classify_cluster_handle(id);
    p->sk = *sk;
    s_put_link(self, self->n_puts - 1);
    return 0;
}

/* The cluster this batch already gave id (the same idea twice), or NULL.
 * The handles are compared first: a strcmp per put and idea was 1 % of
 * the service's instructions with full batches. */
static const char *s_put_cluster(const cluster_redis_t *self, const char *id)
{
    uint64_t h = id ? classify_cluster_handle(id) : 0;
    for (int i = 0; id && i < self->n_puts; i++)
        if (self->puts[i].handle == h && strcmp(self->puts[i].id, id) == 0 &&
            self->puts[i].sk.cluster[0])
            return classify_cluster_label(&self->puts[i].sk);
    return NULL;
}

static void s_decide(cluster_redis_t *self, cluster_redis_item_t *it)
{
    const char *have = s_put_cluster(self, it->idea->id);
    if (have || it->stored[0]) {
        proto_set(&it->idea->cluster, have ? have : it->stored);
        return;
    }
    if (it->kind != ITEM_MATCH)
        return; /* ITEM_OWN: set by s_prepare */
    cluster_store_t st = {s_candidates, s_put, self};
    if (classify_cluster(&st, &it->sk, it->idea) < 0)
        proto_set(&it->idea->cluster, NULL);
}

static int s_no_candidates(void *store, const uint64_t *keys, int n, cluster_fn fn, void *arg)
{
    (void)store, (void)keys, (void)n, (void)fn, (void)arg;
    return -1;
}

static int s_no_put(void *store, const char *id, const cluster_sketch_t *sk)
{
    (void)store, (void)id, (void)sk;
    return -1;
}

static void s_prepare(classify_t *cls, cluster_redis_item_t *it, idea_t *idea)
{
    memset(it, 0, sizeof *it);
    it->idea = idea;
    if (idea->cluster)
        return; /* ITEM_SKIP */
    classify_idea_sketch(cls, idea, &it->sk);
    it->kind = it->sk.n_keys > 0 ? ITEM_MATCH : ITEM_OWN;
    if (it->kind == ITEM_OWN) { /* sets the idea's own id, touches no store */
        cluster_store_t none = {s_no_candidates, s_no_put, NULL};
        cluster_sketch_t copy = it->sk;
        (void)classify_cluster(&none, &copy, idea);
    }
}

int cluster_redis_add(cluster_redis_t *self, classify_t *cls, idea_t *idea)
{
    if (self->n_items == CLUSTER_REDIS_BATCH)
        return -1;
    s_prepare(cls, &self->items[self->n_items++], idea);
    return 0;
}

int cluster_redis_pending(const cluster_redis_t *self)
{
    return self->n_items;
}

int cluster_redis_assign(cluster_redis_t *self)
{
    int n = self->n_items, need = 0, rc = 0;
    for (int i = 0; i < n; i++)
        need += self->items[i].kind == ITEM_MATCH;
    self->n_items = 0;
    if (need == 0)
        return 0;
    self->n_puts = 0;
    if (++self->put_gen == 0) { /* wrapped: no slot may look current */
        memset(self->put_head, 0, sizeof self->put_head);
        self->put_gen = 1;
    }
    if (cluster_redis_read(self, n) < 0) {
        rc = -1; /* clusters must not stop ideas: these go without one */
        for (int i = 0; i < n; i++)
            if (self->items[i].kind == ITEM_MATCH)
                proto_set(&self->items[i].idea->cluster, NULL);
    } else {
        for (int i = 0; i < n; i++)
            if (self->items[i].kind != ITEM_SKIP)
                s_decide(self, &self->items[i]);
        if (self->n_puts > 0 && cluster_redis_write(self) < 0)
            rc = -2;
        for (int i = 0; rc == 0 && i < self->n_puts; i++) /* in Redis now: cache them */
            g_hash_table_replace(self->sketches, g_memdup2(&self->puts[i].handle, sizeof(uint64_t)),
                                 g_memdup2(&self->puts[i].sk, sizeof self->puts[i].sk));
    }
    self->n_puts = 0;
    g_hash_table_remove_all(self->post);
    if (g_hash_table_size(self->sketches) > CLUSTER_CACHE_MAX)
        g_hash_table_remove_all(self->sketches);
    return rc;
}
