/*
 * NAME
 *   classify_cluster - near-duplicate ideas: MinHash sketches and clusters
 *
 * DESCRIPTION
 *   The same wish comes in many wordings and channels ("openbare wc",
 *   "toiletten", a long email about a bladder problem). An idea's keys:
 *   every word that matches data/nl/synonyms.tsv is folded to its concept
 *   ("wc", "toiletten", "plassen" -> toilet; a compound may give several:
 *   "hondenpoepbak" -> hond, hondenpoep), weighted by how specific the
 *   concept is; other content words (4+ letters, no stopwords) give their
 *   Dutch stem with weight 1, or CLUSTER_NAME_WEIGHT for a name (written
 *   with a capital inside a sentence: "Caumerbeek", "Brightlands"). A
 *   key of weight w enters the set as w copies (weighted MinHash by
 *   replication).
 *
 *   The sketch is a one-permutation MinHash of that set (CLUSTER_SLOTS
 *   slots, 1,024; a key's hash picks its slot and the slot keeps the
 *   smallest value), kept sparse: the occupied slots, ascending, beside
 *   their values (at most CLUSTER_SKETCH_MAX; an idea over it, a long
 *   letter, gets the 64-slot sketch of its keys). Equal slots count
 *   shared keys nearly exactly, also for long emails: with the 64 slots
 *   of before (CLUSTER_HASHES, until 2026-11-29) two keys of one idea
 *   often shared a slot, and pair F1
 *   moved with the hash (docs/classifier-history.md "The hash decides").
 *   classify_cluster_fold() gives the 64-slot sketch of the same keys,
 *   which the score compares with a sketch stored before. The score of two
 *   ideas is their shared key weight (not a ratio: a long email and a
 *   one-line form share few keys of very different totals), or, for a
 *   short idea that comes back almost whole in another, its contained
 *   share; plus agreement on wijk and first theme, minus a little when
 *   the two are placed in two different wijken (the same wish at another
 *   school or park is another wish; an idea without a wijk is
 *   Heerlen-wide and neither), when either praises what is there
 *   (praise is no wish), when either only describes Heerlen as it is now
 *   (question "nu": no wish at all), when they share no main concept or
 *   one has main concepts the other lacks, and when they share keys by
 *   volume only (a small share of the shorter one's keys) outside one
 *   wijk. An idea's main concepts are the specific concepts
 *   it names most often: a letter about loneliness that mentions a bench
 *   once is not the wish for benches. The slot values carry the kind of key in their low 2 bits
 *   (main concept, other concept, plain word), so the score can tell
 *   a shared main concept with no extra bytes stored.
 *
 *   Finding candidates: an inverted index. Each idea is filed under its
 *   CLUSTER_INDEX_KEYS most specific keys (most copies first; among equal
 *   weights the smallest key hashes, a consistent sample like MinHash's,
 *   so two ideas sharing most words share most index keys). A new idea is
 *   compared with the newest CLUSTER_POSTINGS ideas filed under each of
 *   its index keys: at most 80 candidates, however common a key is (a
 *   near-duplicate of a wish for "verlichting" is usually among the recent
 *   ones; the MinHash bands this replaced filed every idea under 64 keys
 *   and cost Redis ~9 KB and ~130 commands per idea). A new idea joins the
 *   cluster whose candidate members score best on average (at least
 *   CLUSTER_THRESHOLD), else starts a cluster named after itself. Clusters
 *   are never merged afterwards (an idea's cluster, once stored, does not
 *   change).
 *
 *   The sketch (wijk, theme, cluster, n_keys, the occupied slots) is what
 *   services/classifier/cluster_redis.c stores (packed: cluster_pack.c);
 *   the theme field carries a leading '+' for a positive idea,
 *   then a '~' for one about Heerlen as it is now, then the first theme
 *   and, after a ',', the second. Both
 *   stores offer candidates in the same order with the same limits, so
 *   bin/classify and the service give the same clusters for the same
 *   input order.
 *
 *   The score of two sketches is in classify_cluster_score.c; joining a
 *   cluster and the in-memory store are in classify_cluster_join.c.
 *
 *   Hand-written: MinHash is a few lines; no Debian C library offers it.
 */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "classify_cluster_int.h"
#include "xalloc.h"

#define CLUSTER_MIN_LEN 4
/* A concept from synonyms.tsv (weight 1) counts as this many plain words:
 * a shared concept ("toilet") says far more about "the same wish" than a
 * shared ordinary word ("straat"). Weighted MinHash by copies: a key of
 * weight w enters the set as w distinct copies. */
#define CLUSTER_CONCEPT_WEIGHT 2.0
#define CLUSTER_MAX_COPIES 8
/* A specific concept (weight 2 in synonyms.tsv) enters as 4 copies. */
#define CLUSTER_SPECIFIC_COPIES 4
#define CLUSTER_NAME_WEIGHT 2.0

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

/* classify_cluster_hash_seed(); 0 in every service. Set once before
 * any sketch, so a plain static is enough. */
static uint64_t s_hash_seed;

void classify_cluster_hash_seed(unsigned seed)
{
    s_hash_seed = seed;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every concept that matches at a word (a compound may give several:
 * "hondenpoepbak" is hond + hondenpoep + afval), with the largest weight
 * of its matching lines. */
#define SYN_MAX_HITS 8
typedef struct {
    int n;
    const char *key[SYN_MAX_HITS];
    double weight[SYN_MAX_HITS];
} syn_hit_t;

static void s_syn(void *arg, const char *label, double weight, size_t words)
{
    (void)words;
    syn_hit_t *h = arg;
    for (int i = 0; i < h->n; i++)
        if (strcmp(h->key[i], label) == 0) {
            if (weight > h->weight[i])
                h->weight[i] = weight;
            return;
        }
    if (h->n < SYN_MAX_HITS) {
        h->key[h->n] = label;
        h->weight[h->n++] = weight;
    }
}

/* s_keys' keys, each once in order of appearance with its largest
 * weight and how often it was named: a stem, or a concept (the label
 * borrowed from the synonyms lexicon; reported as before with '=' in
 * front, which no stem has: words are letters and digits). An
 * open-addressing table over that list in two allocations a text (a
 * GHashTable, three GPtrArrays and a g_strconcat and g_new a key were
 * ~40 allocations an idea). Hand-written: glib has no table that keeps
 * insertion order without an allocation per entry. */
typedef struct {
    const char *key;
    bool concept;
    double w, times;
} s_key_t;

typedef struct {
    s_key_t *key; /* in order of appearance */
    size_t n, max;
    unsigned *slot; /* 1 + index into key; 0: empty */
    size_t mask;
} s_keyset_t;

/* Room for max keys (each token reports at most SYN_MAX_HITS); the
 * slots start at twice expect and double when half full (s_report).
 * They were sized for max at once: 8 keys a token, a 4 KB memset for a
 * 35-word idea that names ~30 keys. */
static void s_keyset_init(s_keyset_t *ks, size_t max, size_t expect)
{
    size_t slots = 16;
    while (slots < 2 * expect)
        slots *= 2;
    ks->key = xmalloc(max * sizeof *ks->key);
    ks->slot = xcalloc(slots, sizeof *ks->slot);
    ks->n = 0;
    ks->max = max;
    ks->mask = slots - 1;
}

static size_t s_key_slot(const char *key, bool concept)
{
    return g_str_hash(key) ^ (concept ? 0x9E3779B9u : 0);
}

/* Twice the slots, the keys filed again (the list, and so the order of
 * the keys, stays as it is). */
static void s_keyset_grow(s_keyset_t *ks)
{
    size_t slots = 2 * (ks->mask + 1);
    free(ks->slot);
    ks->slot = xcalloc(slots, sizeof *ks->slot);
    ks->mask = slots - 1;
    for (size_t k = 0; k < ks->n; k++) {
        size_t i = s_key_slot(ks->key[k].key, ks->key[k].concept) & ks->mask;
        while (ks->slot[i])
            i = (i + 1) & ks->mask;
        ks->slot[i] = (unsigned)k + 1;
    }
}

/* Reports a key: new ones go to the end of the list, known ones keep
 * their largest weight and count one more time named. */
static void s_report(s_keyset_t *ks, const char *key, bool concept, double w)
{
    size_t i = s_key_slot(key, concept) & ks->mask;
    for (; ks->slot[i]; i = (i + 1) & ks->mask) {
        s_key_t *k = &ks->key[ks->slot[i] - 1];
        if (k->concept == concept && strcmp(k->key, key) == 0) {
            if (w > k->w)
                k->w = w;
            k->times += 1;
            return;
        }
    }
    if (ks->n == ks->max) /* cannot happen: max is the most a text reports */
        return;
    ks->key[ks->n] = (s_key_t){key, concept, w, 1};
    ks->slot[i] = (unsigned)++ks->n;
    if (2 * ks->n > ks->mask + 1)
        s_keyset_grow(ks);
}

/* Names: words written with a capital inside a sentence ("Caumerbeek",
 * "Brightlands", "Meezenbroek"), lowercased, into set. A shared name is
 * a strong hint that two ideas are about the same thing. Words after
 * . ! ? : or a line break, and words in capitals (shouting), are skipped. */
static void s_names(const char *text, GHashTable *set)
{
    const char *p = text;
    bool start = true;
    while (p && *p) {
        unsigned char c = (unsigned char)*p;
        if (!(g_ascii_isalpha(c) || c >= 0x80)) {
            if (c == '.' || c == '!' || c == '?' || c == ':' || c == '\n') /* no call a space */
                start = true;
            p++;
            continue;
        }
        const char *w = p;
        bool upper_rest = false;
        while (*p && (g_ascii_isalpha(*p) || (unsigned char)*p >= 0x80)) {
            if (p > w && g_ascii_isupper(*p))
                upper_rest = true;
            p++;
        }
        if (!start && g_ascii_isupper(*w) && !upper_rest && p - w >= CLUSTER_MIN_LEN) {
            char *lw = g_ascii_strdown(w, p - w);
            g_hash_table_add(set, lw);
        }
        start = false;
    }
}

/* A key as s_keys() reports it: dominant is true for the specific
 * concepts (weight CLUSTER_SPECIFIC_COPIES or more) named most often in
 * the text, what the idea is mainly about. */
typedef void (*s_key_fn)(void *arg, const char *key, bool concept, double weight, bool dominant,
                         bool city);

static void s_keys(const classify_lex_t *syn, const char *const *stop, size_t n_stop,
                   const classify_toks_t *toks, GHashTable *names, s_key_fn fn, void *arg);

typedef struct {
    cluster_key_fn fn;
    void *arg;
} s_public_t;

static void s_public_key(void *arg, const char *key, bool concept, double weight, bool dominant,
                         bool city)
{
    (void)dominant;
    (void)city;
    s_public_t *p = arg;
    p->fn(p->arg, key, concept, weight);
}

void classify_cluster_keys(const classify_lex_t *syn, const char *const *stop, size_t n_stop,
                           const classify_toks_t *toks, cluster_key_fn fn, void *arg)
{
    s_public_t p = {fn, arg};
    s_keys(syn, stop, n_stop, toks, NULL, s_public_key, &p);
}

/* The concepts of the word at i into seen/order: of several concepts
 * that match one word only the most specific count ("fietspad" is the
 * wish fietspad, not also the topic fiets: counting both made every
 * shared compound weigh double). */
static void s_concepts(const syn_hit_t *hit, s_keyset_t *ks)
{
    double top = 0;
    for (int k = 0; k < hit->n; k++)
        if (hit->weight[k] > top)
            top = hit->weight[k];
    for (int k = 0; k < hit->n; k++) {
        if (strcmp(hit->key[k], "-") == 0 || hit->weight[k] < top)
            continue; /* '-': a word every idea has */
        s_report(ks, hit->key[k], true, hit->weight[k] * CLUSTER_CONCEPT_WEIGHT);
    }
}

static void s_keys(const classify_lex_t *syn, const char *const *stop, size_t n_stop,
                   const classify_toks_t *toks, GHashTable *names, s_key_fn fn, void *arg)
{
    s_keyset_t ks;
    s_keyset_init(&ks, toks->n * SYN_MAX_HITS + 1, toks->n + 1);
    for (size_t i = 0; i < toks->n; i++) {
        syn_hit_t hit = {0};
        if (syn)
            classify_lex_at(syn, toks, i, s_syn, &hit);
        if (hit.n > 0) {
            s_concepts(&hit, &ks);
            continue;
        }
        if (strlen(toks->word[i]) < CLUSTER_MIN_LEN ||
            (stop && bsearch(&toks->word[i], stop, n_stop, sizeof *stop, s_cmp)))
            continue;
        s_report(&ks, toks->stem[i], false,
                 names && g_hash_table_contains(names, toks->word[i]) ? CLUSTER_NAME_WEIGHT : 1.0);
    }
    double most = 0; /* how often the most named specific concept is named */
    for (size_t k = 0; k < ks.n; k++)
        if (ks.key[k].concept && ks.key[k].w >= CLUSTER_SPECIFIC_COPIES && ks.key[k].times > most)
            most = ks.key[k].times;
    for (size_t k = 0; k < ks.n; k++) {
        const s_key_t *key = &ks.key[k];
        /* '@' before a concept's label: a wish heard city-wide (see
         * synonyms.tsv); not part of the key, so sketches stored before
         * still share it */
        bool city = key->concept && key->key[0] == CLUSTER_CITY_MARK;
        fn(arg, key->key + city, key->concept, key->w,
           key->concept && key->w >= CLUSTER_SPECIFIC_COPIES && key->times == most, city);
    }
    free(ks.key);
    free(ks.slot);
}

/* The sketch while its keys come in: every slot's smallest value so far
 * (valid where its bit in used is set), compacted into the sketch's
 * sorted list at the end (s_compact). A bitmap rather than a 4 KB memset
 * of the values an idea. */
typedef struct {
    uint32_t val[CLUSTER_SLOTS];
    uint64_t used[CLUSTER_SLOTS / 64];
} s_dense_t;

static void s_add_key(s_dense_t *d, cluster_sketch_t *sk, const char *key, unsigned band)
{
    uint64_t h = s_fnv(key, 1 + 16 * s_hash_seed);
    unsigned slot = (unsigned)(h >> (64 - CLUSTER_SLOT_BITS));
    uint32_t v = (uint32_t)h;
    v = (v & ~3U) | band;
    /* never CLUSTER_EMPTY, nor CLUSTER_EMPTY ^ 3 (the score takes a slot
     * value 3 apart from another for the same main concept): keep the kind */
    if ((v | 3U) == CLUSTER_EMPTY)
        v -= 4;
    uint64_t bit = 1ULL << (slot % 64);
    if (!(d->used[slot / 64] & bit) || v < d->val[slot]) {
        d->val[slot] = v;
        d->used[slot / 64] |= bit;
    }
    sk->n_keys++;
}

/* The occupied slots into sk, ascending. An idea over CLUSTER_SKETCH_MAX
 * (a long letter) gets the 64-slot sketch of its keys instead, what
 * classify_cluster_fold() gives and the sketch of before (packed as
 * version 2): keeping its lowest slots would leave most keys of a short
 * idea it repeats out of it, so the two would share none. */
_Static_assert(CLUSTER_SKETCH_MAX >= CLUSTER_HASHES, "a 64-slot sketch fits");
static void s_compact(const s_dense_t *d, cluster_sketch_t *sk)
{
    int occupied = 0;
    for (int w = 0; w < CLUSTER_SLOTS / 64; w++)
        occupied += __builtin_popcountll(d->used[w]);
    int shift = occupied > CLUSTER_SKETCH_MAX ? CLUSTER_SLOT_BITS - 6 : 0;
    sk->slots = CLUSTER_SLOTS >> shift;
    sk->n_slots = 0;
    for (int w = 0; w < CLUSTER_SLOTS / 64; w++)
        for (uint64_t m = d->used[w]; m; m &= m - 1) {
            int slot = 64 * w + __builtin_ctzll(m);
            uint16_t s = (uint16_t)(slot >> shift);
            if (sk->n_slots > 0 && sk->slot[sk->n_slots - 1] == s) { /* folded: the smallest */
                if (d->val[slot] < sk->val[sk->n_slots - 1])
                    sk->val[sk->n_slots - 1] = d->val[slot];
                continue;
            }
            sk->slot[sk->n_slots] = s;
            sk->val[sk->n_slots++] = d->val[slot];
        }
}

int classify_cluster_fold(const cluster_sketch_t *sk, uint16_t *slot, uint32_t *val)
{
    /* 64 slots are the top 6 bits: drop the other 4 (none for a sketch
     * that has 64 already) */
    int shift = sk->slots > CLUSTER_HASHES ? CLUSTER_SLOT_BITS - 6 : 0, n = 0;
    for (int i = 0; i < sk->n_slots; i++) {
        uint16_t s = (uint16_t)(sk->slot[i] >> shift);
        if (n > 0 && slot[n - 1] == s) { /* ascending: a folded slot's values are adjacent */
            if (sk->val[i] < val[n - 1])
                val[n - 1] = sk->val[i];
            continue;
        }
        slot[n] = s;
        val[n++] = sk->val[i];
    }
    return n;
}

/* Index key candidates of one sketch: every key with its copies and hash
 * (a long email's keys past the first 512 are in the MinHash, not among
 * the candidates for its index keys). */
#define CLUSTER_MAX_INDEXED 512
typedef struct {
    uint64_t hash;
    long copies;
} s_ikey_t;

typedef struct {
    cluster_sketch_t *sk;
    s_dense_t dense;
    s_ikey_t keys[CLUSTER_MAX_INDEXED];
    int n;
} s_build_t;

/* A key of weight w enters the MinHash set as round(w) copies ("key",
 * "key\x01", "key\x02", ...), so the Jaccard estimate is weighted. */
static void s_sketch_key(void *arg, const char *key, bool concept, double weight, bool dominant,
                         bool city)
{
    s_build_t *bld = arg;
    cluster_sketch_t *sk = bld->sk;
    char buf[96];
    long copies = lround(weight);
    if (copies < 1)
        copies = 1;
    if (copies > CLUSTER_MAX_COPIES)
        copies = CLUSTER_MAX_COPIES;
    /* concepts and plain stems apart: the concept "park" is not the stem
     * "park". The bytes are those snprintf("%s%s%c") into buf gave (cut
     * at sizeof buf - 1, the copy digit first to go), written by hand:
     * snprintf cost ~30k instructions an idea here. */
    size_t n = 0;
    if (concept)
        buf[n++] = '=';
    size_t lk = strnlen(key, sizeof buf - 1 - n);
    memcpy(buf + n, key, lk);
    n += lk;
    for (long c = 0; c < copies; c++) {
        if (n + 1 < sizeof buf) {
            buf[n] = (char)('0' + c);
            buf[n + 1] = '\0';
        } else {
            buf[n] = '\0';
        }
        s_add_key(&bld->dense, sk, buf,
                  dominant  ? (city ? CLUSTER_BAND_MAIN_CITY : CLUSTER_BAND_MAIN)
                  : concept ? CLUSTER_BAND_CONCEPT
                            : CLUSTER_BAND_WORD);
    }
    if (bld->n < CLUSTER_MAX_INDEXED) {
        buf[n] = '\0'; /* as snprintf("%s%s") */
        bld->keys[bld->n].hash = s_fnv(buf, 2 + 16 * s_hash_seed);
        bld->keys[bld->n++].copies = copies;
    }
}

/* Most copies first, then the smallest hash (a consistent sample). */
static int s_ikey_cmp(const void *a, const void *b)
{
    const s_ikey_t *x = a, *y = b;
    if (x->copies != y->copies)
        return x->copies > y->copies ? -1 : 1;
    return x->hash < y->hash ? -1 : x->hash > y->hash;
}

void classify_cluster_sketch(const classify_lex_t *syn, const char *const *stop, size_t n_stop,
                             const classify_toks_t *toks, const idea_t *idea, cluster_sketch_t *sk)
{
    memset(sk, 0, sizeof *sk);
    /* on the stack (12 KB; no thread here has a small stack): a heap block
     * this size cost ~5k instructions an idea in malloc; keys[] and
     * dense.val[] are written before they are read */
    s_build_t bld_store;
    s_build_t *bld = &bld_store;
    bld->sk = sk;
    bld->n = 0;
    memset(bld->dense.used, 0, sizeof bld->dense.used);
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s_names(idea->title, names);
    s_names(idea->text, names);
    s_keys(syn, stop, n_stop, toks, names, s_sketch_key, bld);
    g_hash_table_destroy(names);
    s_compact(&bld->dense, sk);
    qsort(bld->keys, (size_t)bld->n, sizeof *bld->keys, s_ikey_cmp);
    for (int i = 0; i < bld->n && sk->n_index < CLUSTER_INDEX_KEYS; i++)
        sk->index[sk->n_index++] = bld->keys[i].hash;
    snprintf(sk->wijk, sizeof sk->wijk, "%s", idea->wijk ? idea->wijk : "");
    /* '+' marks praise: "the new benches are lovely" is not a wish for
     * benches; '~' an idea about Heerlen as it is now (no wish, see
     * CLUSTER_NOW_PENALTY) */
    bool pos = idea->sentiment && strcmp(idea->sentiment, "positief") == 0;
    bool now = idea->question && strcmp(idea->question, "nu") == 0;
    snprintf(sk->theme, sizeof sk->theme, "%s%s%s%s%s", pos ? "+" : "", now ? "~" : "",
             idea->n_themes ? idea->themes[0] : "", idea->n_themes > 1 ? "," : "",
             idea->n_themes > 1 ? idea->themes[1] : "");
}

uint64_t classify_cluster_handle(const char *id)
{
    return s_fnv(id, 3) >> 16; /* 48 bits: 6 bytes a posting in Redis */
}
