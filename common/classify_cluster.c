/*
 * NAME
 *   classify_cluster - near-duplicate ideas: MinHash sketches and clusters
 *
 * DESCRIPTION
 *   The same wish comes in many wordings and channels. An idea's key set
 *   is the Dutch stems of its content words (4+ letters, no stopwords),
 *   folded through data/nl/synonyms.tsv ("wc", "toiletten" -> toilet).
 *   Its sketch is the MinHash of that set (CLUSTER_HASHES seeded 64-bit
 *   FNV-1a hashes, the minimum of each kept), so two sketches estimate the
 *   Jaccard overlap of two sets in fixed space. Similarity adds agreement
 *   on wijk and first theme, because the same words in another wijk are
 *   often another wish ("more benches" in two parks).
 *
 *   Finding candidates: locality-sensitive hashing. The signature is cut
 *   into CLUSTER_BANDS bands; ideas that agree on all values of any band
 *   are compared (the store indexes the band keys). A new idea joins the
 *   cluster of its most similar candidate at CLUSTER_THRESHOLD or more,
 *   else starts a cluster named after itself. Clusters are never merged
 *   afterwards (an idea's cluster, once stored, does not change).
 *
 *   Hand-written: MinHash is a few lines; no Debian C library offers it.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

#define CLUSTER_THRESHOLD 0.22
#define CLUSTER_WIJK_BONUS 0.10
#define CLUSTER_THEME_BONUS 0.05
#define CLUSTER_ROWS (CLUSTER_HASHES / CLUSTER_BANDS)
#define CLUSTER_MIN_LEN 4

static uint64_t s_fnv(const char *s, uint64_t seed)
{
    uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    h ^= h >> 33; /* FNV's low bits mix poorly: finish like murmur3 */
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct {
    const char *key;
} syn_hit_t;

static void s_syn(void *arg, const char *label, double weight, size_t words)
{
    (void)weight;
    (void)words;
    ((syn_hit_t *)arg)->key = label;
}

static void s_add_key(cluster_sketch_t *sk, const char *key)
{
    for (int k = 0; k < CLUSTER_HASHES; k++) {
        uint32_t h = (uint32_t)s_fnv(key, (uint64_t)k + 1);
        if (h < sk->sig[k])
            sk->sig[k] = h;
    }
    sk->n_keys++;
}

void classify_cluster_sketch(const classify_lex_t *syn, const char *const *stop, size_t n_stop,
                             const classify_toks_t *toks, const idea_t *idea,
                             cluster_sketch_t *sk)
{
    memset(sk, 0, sizeof *sk);
    memset(sk->sig, 0xff, sizeof sk->sig);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < toks->n; i++) {
        syn_hit_t hit = {NULL};
        const char *key = toks->stem[i];
        if (syn && classify_lex_at(syn, toks, i, s_syn, &hit) > 0)
            key = hit.key;
        else if (strlen(toks->word[i]) < CLUSTER_MIN_LEN ||
                 (stop && bsearch(&toks->word[i], stop, n_stop, sizeof *stop, s_cmp)))
            continue;
        if (g_hash_table_contains(seen, key))
            continue;
        g_hash_table_add(seen, (gpointer)key);
        s_add_key(sk, key);
    }
    g_hash_table_destroy(seen);
    snprintf(sk->wijk, sizeof sk->wijk, "%s", idea->wijk ? idea->wijk : "");
    snprintf(sk->theme, sizeof sk->theme, "%s", idea->n_themes ? idea->themes[0] : "");
}

double classify_cluster_similarity(const cluster_sketch_t *a, const cluster_sketch_t *b)
{
    if (a->n_keys == 0 || b->n_keys == 0)
        return 0;
    int same = 0;
    for (int k = 0; k < CLUSTER_HASHES; k++)
        same += a->sig[k] == b->sig[k];
    double s = (double)same / CLUSTER_HASHES;
    if (a->wijk[0] && strcmp(a->wijk, b->wijk) == 0)
        s += CLUSTER_WIJK_BONUS;
    if (a->theme[0] && strcmp(a->theme, b->theme) == 0)
        s += CLUSTER_THEME_BONUS;
    return s;
}

/* Band keys: a hash of the band's values and its number. */
static void s_bands(const cluster_sketch_t *sk, uint64_t *bands)
{
    for (int b = 0; b < CLUSTER_BANDS; b++) {
        uint64_t h = 1469598103934665603ULL ^ (uint64_t)b;
        for (int r = 0; r < CLUSTER_ROWS; r++) {
            h ^= sk->sig[b * CLUSTER_ROWS + r];
            h *= 1099511628211ULL;
        }
        bands[b] = h;
    }
}

typedef struct {
    const cluster_sketch_t *me;
    double best;
    char cluster[sizeof ((cluster_sketch_t *)0)->cluster];
} best_t;

static int s_consider(void *arg, const cluster_sketch_t *sk)
{
    best_t *b = arg;
    double s = classify_cluster_similarity(b->me, sk);
    if (s >= CLUSTER_THRESHOLD && s > b->best && sk->cluster[0]) {
        b->best = s;
        snprintf(b->cluster, sizeof b->cluster, "%s", sk->cluster);
    }
    return 0;
}

int classify_cluster(const cluster_store_t *st, cluster_sketch_t *sk, idea_t *idea)
{
    uint64_t bands[CLUSTER_BANDS];
    char own[40];
    const char *id = idea->id;
    if (!id || !*id || strlen(id) >= sizeof sk->cluster) {
        snprintf(own, sizeof own, "c%08x%08x", sk->sig[0], sk->sig[1]);
        id = own;
    }
    if (sk->n_keys == 0) { /* nothing to compare: a cluster of its own, not stored */
        proto_set(&idea->cluster, id);
        return 0;
    }
    s_bands(sk, bands);
    best_t b = {sk, 0, ""};
    if (st->candidates(st->store, bands, s_consider, &b) < 0)
        return -1;
    snprintf(sk->cluster, sizeof sk->cluster, "%s", b.cluster[0] ? b.cluster : id);
    if (st->put(st->store, id, bands, sk) < 0)
        return -1;
    proto_set(&idea->cluster, sk->cluster);
    return 0;
}

/* ------------------------------------------------------------------ */
/* In memory                                                           */
/* ------------------------------------------------------------------ */

typedef struct {
    GHashTable *band;  /* uint64 key -> GPtrArray of cluster_sketch_t* */
    GPtrArray *all;    /* owns the sketches */
    GHashTable *visit; /* per candidates() call: sketches already seen */
} cluster_mem_t;

void *cluster_mem_new(void)
{
    cluster_mem_t *m = xcalloc(1, sizeof *m);
    m->band = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify)g_ptr_array_unref);
    m->all = g_ptr_array_new_with_free_func(free);
    m->visit = g_hash_table_new(g_direct_hash, g_direct_equal);
    return m;
}

void cluster_mem_destroy(void **self_p)
{
    if (!self_p || !*self_p)
        return;
    cluster_mem_t *m = *self_p;
    g_hash_table_destroy(m->band);
    g_hash_table_destroy(m->visit);
    g_ptr_array_free(m->all, TRUE);
    free(m);
    *self_p = NULL;
}

static int s_mem_candidates(void *store, const uint64_t *bands, cluster_fn fn, void *arg)
{
    cluster_mem_t *m = store;
    g_hash_table_remove_all(m->visit);
    for (int b = 0; b < CLUSTER_BANDS; b++) {
        GPtrArray *list = g_hash_table_lookup(m->band, &bands[b]);
        for (guint i = 0; list && i < list->len; i++) {
            cluster_sketch_t *sk = g_ptr_array_index(list, i);
            if (g_hash_table_contains(m->visit, sk))
                continue;
            g_hash_table_add(m->visit, sk);
            if (fn(arg, sk) < 0)
                return -1;
        }
    }
    return 0;
}

static int s_mem_put(void *store, const char *id, const uint64_t *bands,
                     const cluster_sketch_t *sk)
{
    (void)id;
    cluster_mem_t *m = store;
    cluster_sketch_t *copy = xmalloc(sizeof *copy);
    *copy = *sk;
    g_ptr_array_add(m->all, copy);
    for (int b = 0; b < CLUSTER_BANDS; b++) {
        GPtrArray *list = g_hash_table_lookup(m->band, &bands[b]);
        if (!list) {
            list = g_ptr_array_new();
            g_hash_table_insert(m->band, g_memdup2(&bands[b], sizeof bands[b]), list);
        }
        g_ptr_array_add(list, copy);
    }
    return 0;
}

const cluster_store_t cluster_mem_ops = {s_mem_candidates, s_mem_put, NULL};
