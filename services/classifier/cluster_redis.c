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
 *        (one AOF fsync): atomic, so a classifier killed at any moment
 *        either wrote nothing for the batch (the re-sent ideas are
 *        clustered again from the same state) or wrote all of it (the
 *        re-sent ideas find their clusters under their ids), and two
 *        instances prepending to the same postings lose nothing.
 *   The caller hands the ideas to storage only after step 4.
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
#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_redis.h"
#include "xalloc.h"

#define CLUSTER_ID_MAX 80
/* Parsed sketches kept between batches (~500 bytes each; emptied when
 * full): the same near-duplicates are candidates again and again. */
#define CLUSTER_CACHE_MAX 20000
/* Handles and key hashes are stored as 6 bytes: 48 bits keep ids apart
 * (two ids of 100,000 share a handle with odds ~1 in 50,000), and 10
 * handles fit the 64 bytes of a listpack value. */
#define HB 6
#define CLUSTER_POST_BYTES (CLUSTER_POSTINGS * HB)

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

typedef enum {
    ITEM_SKIP = 0, /* had a cluster already */
    ITEM_OWN,      /* no keys: its own cluster, nothing stored */
    ITEM_MATCH     /* compared with its candidates */
} item_kind_t;

typedef struct {
    idea_t *idea;
    item_kind_t kind;
    cluster_sketch_t sk;
    char stored[CLUSTER_ID_MAX]; /* the cluster stored for its id, or "" */
} s_item_t;

typedef struct {
    char id[CLUSTER_ID_MAX];
    uint64_t handle;
    cluster_sketch_t sk;
} s_put_t;

_Static_assert(CLUSTER_INDEX_KEYS <= 8, "a chain link keeps the key's slot in 3 bits");
/* Slots of the put_head table: a power of two, at least twice the keys
 * of a full batch. */
#define CLUSTER_PUT_SLOTS 4096
_Static_assert(CLUSTER_PUT_SLOTS >= 2 * CLUSTER_REDIS_BATCH * CLUSTER_INDEX_KEYS,
               "put_head never more than half full");

/* One HMGET field: bucket key, HB-byte field, and where the answer goes.
 * order tells the buckets apart for sorting (kind and number). */
typedef struct {
    char key[40];
    unsigned key_len, order;
    char field[HB];
    int slot;
} s_get_t;

/* Keys the EVAL of a full batch writes at most: a sketch and the
 * postings of CLUSTER_INDEX_KEYS keys for each idea. */
#define CLUSTER_WRITE_KEYS (CLUSTER_REDIS_BATCH * (1 + CLUSTER_INDEX_KEYS))

struct cluster_redis {
    rstore_t *rs;
    s_item_t items[CLUSTER_REDIS_BATCH];
    int n_items;
    s_put_t puts[CLUSTER_REDIS_BATCH];
    int n_puts;
    /* The batch's puts by index key, so that s_candidates walks the puts
     * filed under a key instead of every put's keys (that scan was ~5 %
     * of the service's instructions with full batches). A chain link is
     * put << 3 | slot of the key in that put's index, -1 at the end;
     * heads live in an open-addressing table valid for one generation
     * (one batch), so nothing is cleared between batches. */
    int put_next[CLUSTER_REDIS_BATCH][CLUSTER_INDEX_KEYS];
    struct {
        uint64_t key;
        unsigned gen;
        int head;
        int post; /* s_write: its postings in w.post, -1 before */
    } put_head[CLUSTER_PUT_SLOTS];
    unsigned put_gen;
    /* s_write's EVAL, built here every batch (no allocation per batch:
     * the block is ~0.5 MB, and freeing blocks that large made malloc
     * sort all its small free chunks each time). */
    struct {
        s_get_t keys[CLUSTER_WRITE_KEYS]; /* sketch buckets, then postings buckets */
        char rec[CLUSTER_REDIS_BATCH][512];
        size_t rec_len[CLUSTER_REDIS_BATCH];
        char post[CLUSTER_WRITE_KEYS][CLUSTER_POST_BYTES];
        size_t post_len[CLUSTER_WRITE_KEYS];
        const char *argv[5 + 3 * CLUSTER_WRITE_KEYS];
        size_t lens[5 + 3 * CLUSTER_WRITE_KEYS];
    } w;
    GHashTable *post;     /* uint64 key hash -> GBytes of stored handles (this batch) */
    GHashTable *sketches; /* uint64 handle -> cluster_sketch_t * (both owned) */
};

/* The low HB bytes of v, big endian. */
static void s_be(uint64_t v, char *out)
{
    for (int i = 0; i < HB; i++)
        out[i] = (char)(v >> (8 * (HB - 1 - i)));
}

static uint64_t s_from_be(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < HB; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

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

/* The bucket and field of a sketch ("sk") or of a key's postings ("ix"):
 * "inspraak:cluster:<kind>:<number>", written by hand (snprintf was 2 %
 * of the service's instructions with full batches). */
static void s_at(s_get_t *g, const char *kind, uint64_t h, unsigned buckets, int slot)
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
    s_be(h, g->field);
    g->slot = slot;
}
#define s_sk_get(g, h, slot) s_at(g, "sk", h, CLUSTER_REDIS_SK_BUCKETS, slot)
#define s_ix_get(g, h, slot) s_at(g, "ix", h, CLUSTER_REDIS_IX_BUCKETS, slot)

/* ------------------------------------------------------------------ */
/* Reads: HMGETs, one per bucket, in one pipeline                      */
/* ------------------------------------------------------------------ */

static int s_get_cmp(const void *a, const void *b)
{
    unsigned x = ((const s_get_t *)a)->order, y = ((const s_get_t *)b)->order;
    return (x > y) - (x < y);
}

/* Calls got(arg, slot, value, len) for every field found. -1 on error. */
typedef void (*s_got_fn)(cluster_redis_t *self, void *arg, int slot, const char *v, size_t len);

static int s_hmget(cluster_redis_t *self, s_get_t *gets, int n, s_got_fn got, void *arg)
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
        s_item_t *it = &self->items[slot];
        cluster_sketch_t sk;
        char id[CLUSTER_ID_MAX];
        if (cluster_redis_parse(v, len, &sk, id, sizeof id) == 0 && strcmp(id, it->idea->id) == 0)
            snprintf(it->stored, sizeof it->stored, "%s", sk.cluster);
        return;
    }
    uint64_t key = rd->ix_keys[slot - CLUSTER_REDIS_BATCH];
    g_hash_table_replace(self->post, g_memdup2(&key, sizeof key), g_bytes_new(v, len - len % HB));
}

static int s_read_postings(cluster_redis_t *self, int n)
{
    s_get_t *gets = self->w.keys; /* n * (CLUSTER_INDEX_KEYS + 1) at most; s_write comes later */
    s_read1_t rd = {xcalloc((size_t)n * CLUSTER_INDEX_KEYS + 1, sizeof(uint64_t))};
    GHashTable *asked = g_hash_table_new(g_int64_hash, g_int64_equal);
    int n_gets = 0, n_ix = 0;
    for (int i = 0; i < n; i++) {
        s_item_t *it = &self->items[i];
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
            uint64_t h = s_from_be(p + at);
            if (g_hash_table_contains(asked, &h) || g_hash_table_contains(self->sketches, &h))
                continue;
            g_hash_table_add(asked, g_memdup2(&h, sizeof h));
            g_array_append_val(handles, h);
        }
    }
    s_get_t *gets = xcalloc(handles->len + 1, sizeof *gets);
    for (guint i = 0; i < handles->len; i++)
        s_sk_get(&gets[i], g_array_index(handles, uint64_t, i), (int)i);
    int rc = s_hmget(self, gets, (int)handles->len, s_got2, handles->data);
    free(gets);
    g_hash_table_destroy(asked);
    g_array_free(handles, TRUE);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Clusters, in batch order                                            */
/* ------------------------------------------------------------------ */

/* The put_head slot of key in this batch's generation: its own, or the
 * free one where it goes. */
static int s_put_slot(cluster_redis_t *self, uint64_t key)
{
    unsigned i = (unsigned)((key ^ (key >> 29)) * 0x9E3779B97F4A7C15ull >> 52);
    for (;; i = (i + 1) % CLUSTER_PUT_SLOTS)
        if (self->put_head[i].gen != self->put_gen || self->put_head[i].key == key)
            return (int)i;
}

/* Files put i under each of its index keys (once per key). */
static void s_put_link(cluster_redis_t *self, int i)
{
    const s_put_t *p = &self->puts[i];
    for (int x = 0; x < p->sk.n_index; x++) {
        int at = s_put_slot(self, p->sk.index[x]);
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
        int offered = 0, at = s_put_slot(self, keys[k]);
        int link = self->put_head[at].gen == self->put_gen ? self->put_head[at].head : -1;
        for (; link >= 0 && offered < CLUSTER_POSTINGS; link = self->put_next[link >> 3][link & 7]) {
            const s_put_t *p = &self->puts[link >> 3];
            if ((offered++, fn(arg, p->handle, &p->sk) < 0))
                return -1;
        }
        GBytes *post = g_hash_table_lookup(self->post, &keys[k]);
        gsize len = 0;
        const char *v = post ? g_bytes_get_data(post, &len) : NULL;
        for (gsize at = 0; at + HB <= len && offered < CLUSTER_POSTINGS; at += HB) {
            uint64_t h = s_from_be(v + at);
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
    s_put_t *p = &self->puts[self->n_puts++];
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
            return self->puts[i].sk.cluster;
    return NULL;
}

static void s_decide(cluster_redis_t *self, s_item_t *it)
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

/* The EVAL of s_script for the batch's puts, built in self->w: the
 * sketch of every put (newest first), then for every index key (in order
 * of first use, newest put first) the handles of the puts filed under
 * it, newest first, cut at CLUSTER_POST_BYTES. */
static int s_write(cluster_redis_t *self)
{
    int n_keys = 0, n_post = 0;
    for (int i = self->n_puts - 1; i >= 0; i--) { /* newest first */
        const s_put_t *p = &self->puts[i];
        s_sk_get(&self->w.keys[n_keys++], p->handle, 0);
        self->w.rec_len[i] = cluster_redis_pack(&p->sk, p->id, self->w.rec[i]);
        for (int k = 0; k < p->sk.n_index; k++) {
            int at = s_put_slot(self, p->sk.index[k]); /* live: s_put_link filed it */
            if (self->put_head[at].post < 0) {
                self->put_head[at].post = n_post;
                self->w.post_len[n_post++] = 0;
            }
            int x = self->put_head[at].post;
            if (self->w.post_len[x] < CLUSTER_POST_BYTES) {
                s_be(p->handle, self->w.post[x] + self->w.post_len[x]);
                self->w.post_len[x] += HB;
            }
        }
    }
    int n_sk = n_keys;
    for (int i = self->n_puts - 1, x = 0; i >= 0; i--) /* the postings keys, same order */
        for (int k = 0; k < self->puts[i].sk.n_index; k++) {
            uint64_t key = self->puts[i].sk.index[k];
            if (self->put_head[s_put_slot(self, key)].post == x)
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

static void s_prepare(classify_t *cls, s_item_t *it, idea_t *idea)
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
    if (s_read_postings(self, n) < 0 || s_read_sketches(self) < 0) {
        rc = -1; /* clusters must not stop ideas: these go without one */
        for (int i = 0; i < n; i++)
            if (self->items[i].kind == ITEM_MATCH)
                proto_set(&self->items[i].idea->cluster, NULL);
    } else {
        for (int i = 0; i < n; i++)
            if (self->items[i].kind != ITEM_SKIP)
                s_decide(self, &self->items[i]);
        if (self->n_puts > 0 && s_write(self) < 0)
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
