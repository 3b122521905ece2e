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
 *   CLUSTER_HASHES 8-digit hex values.
 *
 *   A batch at a time. One idea at a time cost three read round trips
 *   (GET of its own key, its band lists, the candidates' sketches) and a
 *   write that waited for Redis's AOF fsync (appendfsync always): the
 *   classifier service stored ~400 ideas/s (docs/benchmarks.md). So
 *   cluster_redis_add() takes each idea of a batch as soon as it is
 *   classified and
 *     1. computes its sketch and band keys (in memory, from the words
 *        classify_idea() just cut: the text is not tokenised twice);
 *   then cluster_redis_assign(), for the whole batch,
 *     2. reads, in ONE pipeline, the idea keys of the batch (a re-sent idea
 *        keeps its stored cluster) and every distinct band list the batch
 *        needs (the newest CLUSTER_BAND_SCAN ids of each);
 *     3. reads, in ONE more pipeline, the sketches of all those ids that
 *        are not in its cache (a stored sketch never changes, and the
 *        same ids are candidates again and again; CLUSTER_CACHE_MAX);
 *     4. decides the clusters in batch order in memory: an idea's
 *        candidates are the sketches read in 2-3 plus those of earlier
 *        ideas of the same batch (near-duplicates inside one batch are
 *        found), in the order the one-at-a-time code offered them, so the
 *        answers are the same;
 *     5. writes every new sketch and band entry in ONE pipeline (one
 *        fsync): LPUSH of all the batch's ids of a band key at once; the
 *        lists that grew past CLUSTER_BAND_KEEP are then trimmed (a
 *        second, small pipeline), which leaves the same lists as one
 *        LPUSH+LTRIM each.
 *   The caller hands the ideas to storage only after step 5, so a
 *   classifier killed at any moment either wrote nothing (the re-sent
 *   ideas are clustered again from the same state) or wrote the clusters
 *   that the re-sent ideas then find under their ids.
 *
 *   Not atomic across instances (as before batching): two near-duplicates
 *   in batches classified at the same moment by two instances may start
 *   two clusters (each then gathers its own later duplicates); an idea's
 *   cluster, once stored, never changes, so ids stay stable across
 *   restarts and instances. (The same idea re-sent to two instances at
 *   once may be stored twice with the same sketch; which SET wins does
 *   not matter, and a cached copy equals it.)
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
/* Keys per MGET of candidate sketches (the MGETs share one pipeline). */
#define CLUSTER_MGET_KEYS 512
#define CLUSTER_ID_MAX 80
/* Parsed sketches kept between batches (~400 bytes each; emptied when
 * full). A stored sketch never changes, and the same near-duplicates are
 * candidates again and again: without the cache every idea fetched and
 * parsed ~300 sketches of 600 bytes. */
#define CLUSTER_CACHE_MAX 20000

/* A band list: band number and band value. */
typedef struct {
    uint64_t band;
    int b;
} s_bkey_t;

typedef enum {
    ITEM_SKIP = 0, /* had a cluster already */
    ITEM_OWN,      /* no key stems: its own cluster, nothing stored */
    ITEM_MATCH     /* compared with its candidates */
} item_kind_t;

typedef struct {
    idea_t *idea;
    item_kind_t kind;
    cluster_sketch_t sk;
    uint64_t bands[CLUSTER_BANDS];
    char stored[CLUSTER_ID_MAX]; /* the cluster stored for its id, or "" */
} s_item_t;

typedef struct {
    char id[CLUSTER_ID_MAX];
    uint64_t bands[CLUSTER_BANDS];
    cluster_sketch_t sk;
} s_put_t;

struct cluster_redis {
    rstore_t *rs;
    s_item_t items[CLUSTER_REDIS_BATCH];
    int n_items;
    s_put_t puts[CLUSTER_REDIS_BATCH];
    int n_puts;
    GHashTable *lists;    /* s_bkey_t -> redisReply * of its LRANGE (both owned) */
    GHashTable *sketches; /* id -> cluster_sketch_t * (both owned), CLUSTER_CACHE_MAX */
    GHashTable *seen;     /* ids offered in one candidates() call */
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

static guint s_bkey_hash(gconstpointer p)
{
    const s_bkey_t *k = p;
    return (guint)(k->band ^ (k->band >> 32)) ^ ((guint)k->b * 2654435761u);
}

static gboolean s_bkey_equal(gconstpointer a, gconstpointer b)
{
    const s_bkey_t *x = a, *y = b;
    return x->band == y->band && x->b == y->b;
}

static void s_free_reply(void *r)
{
    if (r)
        freeReplyObject(r);
}

cluster_redis_t *cluster_redis_new(rstore_t *rs)
{
    cluster_redis_t *self = xcalloc(1, sizeof *self);
    self->rs = rs;
    self->lists = g_hash_table_new_full(s_bkey_hash, s_bkey_equal, free, s_free_reply);
    self->sketches = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
    self->seen = g_hash_table_new(g_str_hash, g_str_equal);
    return self;
}

void cluster_redis_destroy(cluster_redis_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cluster_redis_t *self = *self_p;
    g_hash_table_destroy(self->lists);
    g_hash_table_destroy(self->sketches);
    g_hash_table_destroy(self->seen);
    free(self);
    *self_p = NULL;
}

/* "inspraak:cluster:band:B:HEX" into out (room for 48), as
 * "%d:%016llx" would write B:HEX, without printf (64 per idea). */
static void s_band_key(int b, uint64_t band, char *out)
{
    static const char hex[] = "0123456789abcdef";
    static const char prefix[] = "inspraak:cluster:band:";
    memcpy(out, prefix, sizeof prefix - 1);
    char *p = out + sizeof prefix - 1;
    if (b >= 10)
        *p++ = (char)('0' + b / 10 % 10);
    *p++ = (char)('0' + b % 10);
    *p++ = ':';
    for (int i = 15; i >= 0; i--)
        *p++ = hex[(band >> (4 * i)) & 15];
    *p = '\0';
}

/* ------------------------------------------------------------------ */
/* 1. Sketches and band keys                                           */
/* ------------------------------------------------------------------ */

/* classify_cluster() computes the band keys and asks the store for
 * candidates; this store only notes them and stops it there, so the band
 * keys stay those of common/classify_cluster.c (not a copy of its code). */
static int s_probe_candidates(void *store, const uint64_t *bands, cluster_fn fn, void *arg)
{
    (void)fn;
    (void)arg;
    s_item_t *it = store;
    memcpy(it->bands, bands, sizeof it->bands);
    it->kind = ITEM_MATCH;
    return -1;
}

static int s_probe_put(void *store, const char *id, const uint64_t *bands,
                       const cluster_sketch_t *sk)
{
    (void)store, (void)id, (void)bands, (void)sk;
    return -1;
}

static void s_prepare(classify_t *cls, s_item_t *it, idea_t *idea)
{
    memset(it, 0, sizeof *it);
    it->idea = idea;
    if (idea->cluster)
        return; /* ITEM_SKIP */
    it->kind = ITEM_OWN;
    classify_idea_sketch(cls, idea, &it->sk);
    cluster_store_t probe = {s_probe_candidates, s_probe_put, it};
    cluster_sketch_t copy = it->sk;
    (void)classify_cluster(&probe, &copy, idea); /* ITEM_OWN: sets the idea's own id */
}

/* ------------------------------------------------------------------ */
/* 2-3. Reads                                                          */
/* ------------------------------------------------------------------ */

/* Reads n pipelined replies; *bad set when one failed. Calls keep(i, r)
 * for each good one (it takes the reply, or frees it). */
typedef void (*s_keep_fn)(cluster_redis_t *self, int i, redisReply *r, void *arg);

static int s_replies(cluster_redis_t *self, int n, s_keep_fn keep, void *arg)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        redisReply *r = rstore_reply(self->rs);
        if (!r)
            rc = -1;
        else
            keep(self, i, r, arg);
    }
    return rc;
}

typedef struct {
    int n_items;
    int *item_of_get;    /* GET i -> item index */
    s_bkey_t *list_keys; /* LRANGE j (after the GETs) -> band list */
    int n_gets;
} s_read1_t;

static void s_keep1(cluster_redis_t *self, int i, redisReply *r, void *arg)
{
    s_read1_t *rd = arg;
    if (i < rd->n_gets) {
        cluster_sketch_t sk;
        s_item_t *it = &self->items[rd->item_of_get[i]];
        if (r->type == REDIS_REPLY_STRING && cluster_redis_parse(r->str, r->len, &sk) == 0 &&
            sk.cluster[0])
            snprintf(it->stored, sizeof it->stored, "%s", sk.cluster);
        freeReplyObject(r);
        return;
    }
    s_bkey_t *k = xmalloc(sizeof *k);
    *k = rd->list_keys[i - rd->n_gets];
    g_hash_table_replace(self->lists, k, r);
}

/* The idea keys and the distinct band lists of the batch, one pipeline. */
static int s_read_lists(cluster_redis_t *self, int n)
{
    s_bkey_t *keys = xcalloc((size_t)n * CLUSTER_BANDS + 1, sizeof *keys);
    s_read1_t rd = {n, xcalloc((size_t)n + 1, sizeof(int)), keys, 0};
    GHashTable *asked = g_hash_table_new(s_bkey_hash, s_bkey_equal);
    int sent = 0, rc = 0, n_keys = 0;
    char scan[16];
    snprintf(scan, sizeof scan, "%d", CLUSTER_BAND_SCAN - 1);
    for (int i = 0; i < n && rc == 0; i++) {
        s_item_t *it = &self->items[i];
        if (it->kind == ITEM_SKIP || !it->idea->id)
            continue;
        if (rstore_append(self->rs, "GET inspraak:cluster:idea:%s", it->idea->id) < 0)
            rc = -1;
        else
            rd.item_of_get[sent++] = i;
    }
    rd.n_gets = sent;
    for (int i = 0; i < n && rc == 0; i++) {
        s_item_t *it = &self->items[i];
        for (int b = 0; it->kind == ITEM_MATCH && b < CLUSTER_BANDS; b++) {
            s_bkey_t *k = &keys[n_keys];
            k->band = it->bands[b];
            k->b = b;
            if (g_hash_table_contains(asked, k))
                continue;
            char key[48];
            s_band_key(b, k->band, key);
            const char *argv[] = {"LRANGE", key, "0", scan};
            if (rstore_appendargv(self->rs, 4, argv, NULL) < 0) {
                rc = -1;
                break;
            }
            g_hash_table_add(asked, k);
            n_keys++;
            sent++;
        }
    }
    if (s_replies(self, sent, s_keep1, &rd) < 0)
        rc = -1;
    g_hash_table_destroy(asked);
    free(keys);
    free(rd.item_of_get);
    return rc;
}

typedef struct {
    char **ids; /* all ids asked, in MGET order */
} s_read2_t;

static void s_keep2(cluster_redis_t *self, int i, redisReply *r, void *arg)
{
    s_read2_t *rd = arg;
    for (size_t k = 0; r->type == REDIS_REPLY_ARRAY && k < r->elements; k++) {
        redisReply *e = r->element[k];
        cluster_sketch_t sk;
        if (e->type == REDIS_REPLY_STRING && cluster_redis_parse(e->str, e->len, &sk) == 0) {
            cluster_sketch_t *copy = xmalloc(sizeof *copy);
            *copy = sk;
            g_hash_table_replace(self->sketches,
                                 xstrdup(rd->ids[(size_t)i * CLUSTER_MGET_KEYS + k]), copy);
        }
    }
    freeReplyObject(r);
}

/* The sketches of every id in the band lists read, one pipeline of MGETs. */
static int s_read_sketches(cluster_redis_t *self)
{
    GPtrArray *ids = g_ptr_array_new_with_free_func(free);
    GHashTable *asked = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, self->lists);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        redisReply *r = val;
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
            redisReply *e = r->element[i];
            if (e->type != REDIS_REPLY_STRING || g_hash_table_contains(asked, e->str) ||
                g_hash_table_contains(self->sketches, e->str))
                continue;
            char *id = xasprintf("inspraak:cluster:idea:%s", e->str);
            g_ptr_array_add(ids, id);
            g_hash_table_add(asked, e->str);
        }
    }
    int rc = 0, sent = 0;
    for (guint at = 0; at < ids->len && rc == 0; at += CLUSTER_MGET_KEYS) {
        guint n = ids->len - at < CLUSTER_MGET_KEYS ? ids->len - at : CLUSTER_MGET_KEYS;
        const char **argv = xcalloc(n + 1, sizeof *argv);
        argv[0] = "MGET";
        for (guint k = 0; k < n; k++)
            argv[k + 1] = ids->pdata[at + k];
        if (rstore_appendargv(self->rs, (int)n + 1, argv, NULL) < 0)
            rc = -1;
        else
            sent++;
        free(argv);
    }
    /* The sketches are filed under the bare id. */
    for (guint k = 0; k < ids->len; k++)
        memmove(ids->pdata[k], (char *)ids->pdata[k] + strlen("inspraak:cluster:idea:"),
                strlen(ids->pdata[k]) - strlen("inspraak:cluster:idea:") + 1);
    s_read2_t rd = {(char **)ids->pdata};
    if (s_replies(self, sent, s_keep2, &rd) < 0)
        rc = -1;
    g_hash_table_destroy(asked);
    g_ptr_array_free(ids, TRUE);
    return rc;
}

/* ------------------------------------------------------------------ */
/* 4. Clusters, in batch order                                         */
/* ------------------------------------------------------------------ */

/* Candidates of one idea, in the order the one-at-a-time store offered
 * them: the batch's own sketches that share a band, then the ids of the
 * band lists (band by band, newest first, each once, at most
 * CLUSTER_MAX_CANDIDATES) whose sketch could be read. */
static int s_candidates(void *store, const uint64_t *bands, cluster_fn fn, void *arg)
{
    cluster_redis_t *self = store;
    for (int i = 0; i < self->n_puts; i++) {
        int shared = 0;
        for (int b = 0; b < CLUSTER_BANDS && !shared; b++)
            shared = self->puts[i].bands[b] == bands[b];
        if (shared && fn(arg, &self->puts[i].sk) < 0)
            return -1;
    }
    g_hash_table_remove_all(self->seen);
    int n = 0;
    for (int b = 0; b < CLUSTER_BANDS; b++) {
        s_bkey_t key = {bands[b], b};
        redisReply *r = g_hash_table_lookup(self->lists, &key);
        for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
            redisReply *e = r->element[i];
            if (e->type != REDIS_REPLY_STRING || n >= CLUSTER_MAX_CANDIDATES ||
                g_hash_table_contains(self->seen, e->str))
                continue;
            g_hash_table_add(self->seen, e->str);
            n++;
            const cluster_sketch_t *sk = g_hash_table_lookup(self->sketches, e->str);
            if (sk && fn(arg, sk) < 0)
                return -1;
        }
    }
    return 0;
}

static int s_put(void *store, const char *id, const uint64_t *bands, const cluster_sketch_t *sk)
{
    cluster_redis_t *self = store;
    if (strlen(id) >= CLUSTER_ID_MAX || self->n_puts == CLUSTER_REDIS_BATCH)
        return -1;
    s_put_t *p = &self->puts[self->n_puts++];
    snprintf(p->id, sizeof p->id, "%s", id);
    memcpy(p->bands, bands, sizeof p->bands);
    p->sk = *sk;
    return 0;
}

/* The cluster this batch already gave id (the same idea twice), or NULL. */
static const char *s_put_cluster(const cluster_redis_t *self, const char *id)
{
    for (int i = 0; id && i < self->n_puts; i++)
        if (strcmp(self->puts[i].id, id) == 0 && self->puts[i].sk.cluster[0])
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

/* ------------------------------------------------------------------ */
/* 5. Writes                                                           */
/* ------------------------------------------------------------------ */

static int s_write(cluster_redis_t *self)
{
    rstore_t *rs = self->rs;
    int sent = 0, rc = 0;
    GHashTable *by_key = g_hash_table_new_full(g_str_hash, g_str_equal, free,
                                               (GDestroyNotify)g_ptr_array_unref);
    GPtrArray *order = g_ptr_array_new(); /* band keys, first use first */
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
            char key[48];
            s_band_key(b, p->bands[b], key);
            GPtrArray *ids = g_hash_table_lookup(by_key, key);
            if (!ids) {
                char *k = xstrdup(key);
                ids = g_ptr_array_new();
                g_ptr_array_add(ids, (gpointer) "LPUSH");
                g_ptr_array_add(ids, k);
                g_hash_table_insert(by_key, k, ids);
                g_ptr_array_add(order, k);
            }
            g_ptr_array_add(ids, (gpointer)p->id);
        }
    }
    int n_set = sent;
    guint n_push = 0;
    for (; n_push < order->len && rc == 0; n_push++) {
        GPtrArray *argv = g_hash_table_lookup(by_key, order->pdata[n_push]);
        if (rstore_appendargv(rs, (int)argv->len, (const char **)argv->pdata, NULL) < 0) {
            rc = -1;
            break;
        }
        sent++;
    }
    /* LPUSH answers the list's new length: only the lists that grew past
     * CLUSTER_BAND_KEEP are trimmed, in a second pipeline (an LTRIM per
     * list and idea was a third of Redis's work). A list may hold more for
     * the moment in between; candidates come from its head only. */
    GPtrArray *trim = g_ptr_array_new();
    for (int i = 0; i < sent; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r) {
            rc = -1;
            continue;
        }
        if (i >= n_set && r->type == REDIS_REPLY_INTEGER && r->integer > CLUSTER_BAND_KEEP)
            g_ptr_array_add(trim, order->pdata[i - n_set]);
        freeReplyObject(r);
    }
    char keep[16];
    snprintf(keep, sizeof keep, "%d", CLUSTER_BAND_KEEP - 1);
    int n_trim = 0;
    for (guint k = 0; k < trim->len && rc == 0; k++) {
        const char *argv[] = {"LTRIM", trim->pdata[k], "0", keep};
        if (rstore_appendargv(rs, 4, argv, NULL) < 0)
            rc = -1;
        else
            n_trim++;
    }
    for (int i = 0; i < n_trim; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r)
            rc = -1;
        else
            freeReplyObject(r);
    }
    g_ptr_array_free(trim, TRUE);
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(by_key);
    return rc;
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
        need += self->items[i].kind != ITEM_SKIP;
    self->n_items = 0;
    if (need == 0)
        return 0;
    self->n_puts = 0;
    if (s_read_lists(self, n) < 0 || s_read_sketches(self) < 0) {
        rc = -1; /* clusters must not stop ideas: these go without one */
        for (int i = 0; i < n; i++)
            if (self->items[i].kind != ITEM_SKIP)
                proto_set(&self->items[i].idea->cluster, NULL);
    } else {
        for (int i = 0; i < n; i++)
            if (self->items[i].kind != ITEM_SKIP)
                s_decide(self, &self->items[i]);
        if (self->n_puts > 0 && s_write(self) < 0)
            rc = -2;
        for (int i = 0; rc == 0 && i < self->n_puts; i++) { /* in Redis now: cache them */
            cluster_sketch_t *copy = xmalloc(sizeof *copy);
            *copy = self->puts[i].sk;
            g_hash_table_replace(self->sketches, xstrdup(self->puts[i].id), copy);
        }
    }
    self->n_puts = 0;
    g_hash_table_remove_all(self->lists);
    g_hash_table_remove_all(self->seen);
    if (g_hash_table_size(self->sketches) > CLUSTER_CACHE_MAX)
        g_hash_table_remove_all(self->sketches);
    return rc;
}
