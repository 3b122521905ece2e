/*
 * NAME
 *   test_classify_cluster - the near-duplicate index, in memory and in Redis
 *
 * DESCRIPTION
 *   The inverted index of common/classify_cluster.c and its Redis store
 *   (services/classifier/cluster_redis.c, which unit tests do not link, so
 *   it is included here). Checks: a near-duplicate pair is found in both
 *   stores; a very common key offers only the newest CLUSTER_POSTINGS
 *   ideas; an idea is filed under its heaviest keys; the packed sketch
 *   round-trips and bad bytes are refused; the Redis store gives the same
 *   clusters as the in-memory one for the dev set fed in batches; re-sent
 *   ideas get their stored cluster, also from a second instance; the
 *   postings stay within 64 bytes (listpack); an idea with no wish
 *   (question nu) scores lower and its '~' mark survives the packed
 *   record; another hash seed moves the slots, not the pair; a new
 *   sketch folded to 64 slots is the sketch of before (the fixture
 *   tests/data/sketch/dev-v2.tsv), which a version 2 record still
 *   gives, and scores against one as the old sketch did. The pair
 *   score itself: test_classify_cluster_score.c.
 *   Starts a real redis-server (no persistence, a temporary folder) on the
 *   first port of INSPRAAK_TEST_PORTS (lo-hi) plus 91, else 26091 (the
 *   harness's default range); it must be free (the test checks that the
 *   Redis answering is the one it started); data
 *   from INSPRAAK_DATA or ./data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../services/classifier/cluster_pack.c"
#include "../../services/classifier/cluster_redis.c"
#include "../../services/classifier/cluster_redis_io.c"
#include "test_classify_util.h"
#include "test_redis_util.h"

static test_redis_t s_redis;
static classify_t *s_cls;

static int s_setup(void **state)
{
    (void)state;
    s_cls = s_classify_new();
    return s_cls ? test_redis_up(&s_redis, "test_classify_cluster", 91) : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    classify_destroy(&s_cls);
    return test_redis_down(&s_redis);
}

static rstore_t *s_open(void)
{
    char url[64], err[256] = "";
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", s_redis.port);
    rstore_t *rs = rstore_new(url, err, sizeof err);
    assert_non_null(rs);
    redisReply *r = rstore_cmd(rs, "FLUSHDB");
    assert_non_null(r);
    freeReplyObject(r);
    return rs;
}

/* Two sketches hold the same slots and values. */
static bool s_same_slots(const cluster_sketch_t *a, const cluster_sketch_t *b)
{
    return a->slots == b->slots && a->n_slots == b->n_slots &&
           memcmp(a->slot, b->slot, a->n_slots * sizeof *a->slot) == 0 &&
           memcmp(a->val, b->val, a->n_slots * sizeof *a->val) == 0;
}

/* The dev set's ids and texts, in file order. */
static void s_dev(GPtrArray *ids, GPtrArray *texts)
{
    const char *d = getenv("INSPRAAK_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/../tests/data/ideas/dev.jsonl", d && *d ? d : "./data");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[16384];
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j)
            continue;
        g_ptr_array_add(ids, xstrdup(json_string_value(json_object_get(j, "id"))));
        g_ptr_array_add(texts, xstrdup(json_string_value(json_object_get(j, "text"))));
        json_decref(j);
    }
    fclose(f);
    assert_true(ids->len > 100);
}

static const char *s_pair[][2] = {
    {"p1", "Er moet een openbare wc komen in het centrum van Heerlen."},
    {"x1", "Meer bankjes in het Molenbergpark, om even te zitten."},
    {"p2", "Meer toiletten in de binnenstad graag, voor iedereen."},
};

/* A near-duplicate pair is found in memory, in Redis one batch at a
 * time, and in Redis within one batch. */
static void test_pair_both_stores(void **state)
{
    (void)state;
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    char mem[3][80];
    for (int i = 0; i < 3; i++) {
        idea_t *idea = s_idea(s_cls, s_pair[i][0], s_pair[i][1]);
        assert_int_equal(classify_idea_cluster(s_cls, &st, idea), 0);
        snprintf(mem[i], sizeof mem[i], "%s", idea->cluster);
        s_idea_free(idea);
    }
    cluster_mem_destroy(&st.store);
    assert_string_equal(mem[0], "p1");
    assert_string_equal(mem[1], "x1");
    assert_string_equal(mem[2], "p1");
    for (int together = 0; together < 2; together++) {
        rstore_t *rs = s_open();
        cluster_redis_t *cr = cluster_redis_new(rs);
        idea_t *ideas[3];
        for (int i = 0; i < 3; i++) {
            ideas[i] = s_idea(s_cls, s_pair[i][0], s_pair[i][1]);
            assert_int_equal(cluster_redis_add(cr, s_cls, ideas[i]), 0);
            if (!together)
                assert_int_equal(cluster_redis_assign(cr), 0);
        }
        assert_int_equal(cluster_redis_assign(cr), 0);
        for (int i = 0; i < 3; i++) {
            assert_string_equal(ideas[i]->cluster, mem[i]);
            s_idea_free(ideas[i]);
        }
        cluster_redis_destroy(&cr);
        rstore_destroy(&rs);
    }
}

static int s_count(void *arg, uint64_t handle, const cluster_sketch_t *sk)
{
    (void)handle, (void)sk;
    (*(int *)arg)++;
    return 0;
}

/* 50 ideas share one key: a new idea with that key gets only the newest
 * CLUSTER_POSTINGS of them as candidates, not all 50. */
static void test_common_key_limited(void **state)
{
    (void)state;
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    cluster_sketch_t sk;
    memset(&sk, 0, sizeof sk);
    sk.n_keys = 2;
    sk.n_index = 2;
    sk.index[0] = 42; /* the common key */
    for (int i = 0; i < 50; i++) {
        char id[16];
        snprintf(id, sizeof id, "i%d", i);
        snprintf(sk.cluster, sizeof sk.cluster, "%s", id);
        sk.index[1] = 1000 + (uint64_t)i; /* a key of its own */
        assert_int_equal(st.put(st.store, id, &sk), 0);
    }
    int n = 0;
    uint64_t common = 42, own = 1007, none = 7;
    assert_int_equal(st.candidates(st.store, &common, 1, s_count, &n), 0);
    assert_int_equal(n, CLUSTER_POSTINGS);
    n = 0;
    assert_int_equal(st.candidates(st.store, &own, 1, s_count, &n), 0);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(st.candidates(st.store, &none, 1, s_count, &n), 0);
    assert_int_equal(n, 0);
    cluster_mem_destroy(&st.store);
}

/* An idea is filed under at most CLUSTER_INDEX_KEYS keys, the heaviest. */
static void test_index_keys(void **state)
{
    (void)state;
    idea_t *a = s_idea(s_cls, "a",
                       "Een skatepark in Hoensbroek bij het kasteel, met verlichting en "
                       "bankjes, prullenbakken, fietsenrekken, bomen en een waterpunt.");
    cluster_sketch_t sk;
    classify_idea_sketch(s_cls, a, &sk);
    assert_int_equal(sk.n_index, CLUSTER_INDEX_KEYS);
    idea_t *b = s_idea(s_cls, "b", "Skatepark!");
    cluster_sketch_t sk2;
    classify_idea_sketch(s_cls, b, &sk2);
    assert_true(sk2.n_index >= 1 && sk2.n_index < CLUSTER_INDEX_KEYS);
    bool shared = false; /* the concept "skatepark" is among both ideas' keys */
    for (int i = 0; i < sk.n_index; i++)
        for (int k = 0; k < sk2.n_index; k++)
            shared = shared || sk.index[i] == sk2.index[k];
    assert_true(shared);
    s_idea_free(a);
    s_idea_free(b);
}

/* Another hash seed (bin/classify --hash-seed, evaluation only) places
 * the keys in other slots and names other index keys, but a pair is still
 * the pair it was and identical ideas still share every slot; seed 0 is
 * the hash the service stores, back again after the test. */
static void test_hash_seed(void **state)
{
    (void)state;
    idea_t *a = s_idea(s_cls, "a", s_pair[0][1]);
    idea_t *b = s_idea(s_cls, "b", s_pair[2][1]);
    cluster_sketch_t a0, b0, a5, b5, again;
    classify_idea_sketch(s_cls, a, &a0);
    classify_idea_sketch(s_cls, b, &b0);
    classify_cluster_hash_seed(5);
    classify_idea_sketch(s_cls, a, &a5);
    classify_idea_sketch(s_cls, b, &b5);
    classify_cluster_hash_seed(0);
    classify_idea_sketch(s_cls, a, &again);
    assert_memory_not_equal(a0.slot, a5.slot, sizeof a0.slot);
    assert_memory_not_equal(a0.index, a5.index, sizeof a0.index);
    assert_true(s_same_slots(&a0, &again));
    assert_int_equal(a0.n_keys, a5.n_keys);
    assert_true(classify_cluster_similarity(&a5, &a5) == classify_cluster_similarity(&a0, &a0));
    assert_true(classify_cluster_similarity(&a0, &b0) >= 0.6);
    assert_true(classify_cluster_similarity(&a5, &b5) >= 0.6);
    s_idea_free(a);
    s_idea_free(b);
}

/* An idea about Heerlen as it is now (question nu: a story, a complaint
 * with no wish in it) is rarely the same idea as another: the same keys
 * score a little lower with one such idea and much lower with two; the
 * '~' that marks it in the sketch does not hide the theme. */
static void test_no_wish_now(void **state)
{
    (void)state;
    idea_t *a = s_idea(s_cls, "n1",
                       "Meer bankjes langs de route naar de winkels, mijn moeder moet "
                       "onderweg kunnen zitten.");
    cluster_sketch_t x, y;
    classify_idea_sketch(s_cls, a, &x);
    y = x;
    snprintf(x.theme, sizeof x.theme, "openbare-ruimte");
    snprintf(y.theme, sizeof y.theme, "openbare-ruimte");
    double wishes = classify_cluster_similarity(&x, &y);
    snprintf(y.theme, sizeof y.theme, "~openbare-ruimte");
    double one = classify_cluster_similarity(&x, &y);
    snprintf(x.theme, sizeof x.theme, "~openbare-ruimte");
    double both = classify_cluster_similarity(&x, &y);
    assert_true(wishes > one + 0.01);
    assert_true(one > both + 0.1);
    /* two complaints in one wijk are one problem: no more than one "nu"
     * costs; in two wijken both still cost the full penalty */
    snprintf(x.wijk, sizeof x.wijk, "WK091721");
    snprintf(y.wijk, sizeof y.wijk, "WK091721");
    double both_here = classify_cluster_similarity(&x, &y);
    snprintf(x.theme, sizeof x.theme, "openbare-ruimte");
    assert_true(fabs(both_here - classify_cluster_similarity(&x, &y)) < 1e-9);
    snprintf(y.wijk, sizeof y.wijk, "WK091712");
    double one_apart = classify_cluster_similarity(&x, &y);
    snprintf(x.theme, sizeof x.theme, "~openbare-ruimte");
    assert_true(one_apart > classify_cluster_similarity(&x, &y) + 0.1);
    x.wijk[0] = y.wijk[0] = '\0';
    snprintf(y.theme, sizeof y.theme, "+~openbare-ruimte"); /* praised, now, same theme */
    double same_theme = classify_cluster_similarity(&x, &y);
    snprintf(y.theme, sizeof y.theme, "+~zorg");
    assert_true(same_theme > classify_cluster_similarity(&x, &y) + 0.05);
    /* the marker is part of the stored theme: a sketch stored before it
     * existed reads as a wish, as it was scored then */
    char rec[512], id[CLUSTER_ID_MAX];
    cluster_sketch_t back;
    snprintf(y.cluster, sizeof y.cluster, "n1");
    size_t n = cluster_redis_pack(&y, "n1", rec);
    assert_int_equal(cluster_redis_parse(rec, n, &back, id, sizeof id), 0);
    assert_string_equal(back.theme, "+~zorg");
    assert_true(classify_cluster_similarity(&x, &back) == classify_cluster_similarity(&x, &y));
    s_idea_free(a);
    /* the marker comes from the question: a complaint about what is there
     * is "nu", a wish "toekomst" (keywords alone here) */
    idea_t *now = s_idea(s_cls, "n2",
                         "Op mijn straat staan drie lantaarnpalen al maanden uit. Het is "
                         "er 's avonds pikdonker.");
    idea_t *wish = s_idea(s_cls, "n3", "Ik zou graag meer lantaarnpalen willen in mijn straat.");
    classify_idea_sketch(s_cls, now, &x);
    classify_idea_sketch(s_cls, wish, &y);
    assert_string_equal(now->question, "nu");
    assert_string_equal(wish->question, "toekomst");
    assert_non_null(strchr(x.theme, '~'));
    assert_null(strchr(y.theme, '~'));
    s_idea_free(now);
    s_idea_free(wish);
}

static void test_pack_parse(void **state)
{
    (void)state;
    idea_t *a =
        s_idea(s_cls, "d001", "Lege winkelpanden op de Promenade gratis aan kunstenaars geven.");
    cluster_sketch_t sk, back;
    classify_idea_sketch(s_cls, a, &sk);
    snprintf(sk.wijk, sizeof sk.wijk, "WK091733");
    snprintf(sk.cluster, sizeof sk.cluster, "d001");
    char rec[512], id[CLUSTER_ID_MAX];
    size_t n = cluster_redis_pack(&sk, "d001", rec);
    assert_true(n < 200);
    assert_int_equal(cluster_redis_parse(rec, n, &back, id, sizeof id), 0);
    assert_string_equal(id, "d001");
    assert_string_equal(back.cluster, "d001");
    assert_string_equal(back.wijk, "WK091733");
    assert_string_equal(back.theme, sk.theme);
    assert_int_equal(back.n_keys, sk.n_keys);
    assert_true(s_same_slots(&back, &sk));
    assert_true(classify_cluster_similarity(&sk, &back) > 0.6);
    snprintf(sk.cluster, sizeof sk.cluster, "another");
    n = cluster_redis_pack(&sk, "d001", rec);
    assert_int_equal(cluster_redis_parse(rec, n, &back, id, sizeof id), 0);
    assert_string_equal(back.cluster, "another");
    for (size_t cut = 0; cut < n; cut++) /* every truncation is refused */
        assert_int_equal(cluster_redis_parse(rec, cut, &back, id, sizeof id), -1);
    /* version 3's slots must be ascending and under CLUSTER_SLOTS (the
     * score merges them as sorted lists): swapped or out of range, refused */
    size_t at = n - 6 * (size_t)sk.n_slots; /* the first slot number */
    assert_true(sk.n_slots >= 2);
    char bad[512];
    memcpy(bad, rec, n);
    memcpy(bad + at, rec + at + 2, 2);
    memcpy(bad + at + 2, rec + at, 2);
    assert_int_equal(cluster_redis_parse(bad, n, &back, id, sizeof id), -1);
    memcpy(bad, rec, n);
    bad[at + 2 * (sk.n_slots - 1) + 1] = (char)(CLUSTER_SLOTS >> 8);
    assert_int_equal(cluster_redis_parse(bad, n, &back, id, sizeof id), -1);
    const char *old = "1\tWK091733\tverkeer\td001\t3\t00000000";
    assert_int_equal(cluster_redis_parse(old, strlen(old), &back, id, sizeof id), -1);
    assert_int_equal(cluster_redis_parse(rec, n, &back, id, 3), -1); /* id too long */
    /* a label, then a field a later version appended: skipped, the rest
     * read as written; a field longer than what is left is refused */
    snprintf(sk.label, sizeof sk.label, "d077");
    n = cluster_redis_pack(&sk, "d001", rec);
    memcpy(rec + n, "\x03new", 4);
    assert_int_equal(cluster_redis_parse(rec, n + 4, &back, id, sizeof id), 0);
    assert_string_equal(back.label, "d077");
    assert_string_equal(back.cluster, "another");
    assert_true(s_same_slots(&back, &sk));
    assert_int_equal(cluster_redis_parse(rec, n + 3, &back, id, sizeof id), -1);
    /* no label: the later version writes an empty one before its field */
    sk.label[0] = '\0';
    n = cluster_redis_pack(&sk, "d001", rec);
    memcpy(rec + n, "\x00\x02" "ab", 4);
    assert_int_equal(cluster_redis_parse(rec, n + 4, &back, id, sizeof id), 0);
    assert_string_equal(back.label, "");
    assert_string_equal(back.cluster, "another");
    s_idea_free(a);
    /* a long letter (over CLUSTER_SKETCH_MAX) has the 64-slot sketch, read
     * back as written: the service compares what bin/classify does */
    char *text = s_long_letter("Graag een skatepark in Hoensbroek.", 900);
    a = s_idea(s_cls, "d002", text);
    free(text);
    classify_idea_sketch(s_cls, a, &sk);
    assert_int_equal(sk.slots, CLUSTER_HASHES);
    snprintf(sk.cluster, sizeof sk.cluster, "d002");
    char long_rec[CLUSTER_PACK_MAX];
    n = cluster_redis_pack(&sk, "d002", long_rec);
    assert_int_equal(cluster_redis_parse(long_rec, n, &back, id, sizeof id), 0);
    assert_true(s_same_slots(&back, &sk));
    s_idea_free(a);
}

/* The bytes of hex into out; how many. */
static size_t s_unhex(const char *hex, char *out, size_t size)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < size; hex += 2) {
        unsigned byte;
        assert_int_equal(sscanf(hex, "%2x", &byte), 1);
        out[n++] = (char)byte;
    }
    return n;
}

/* Sketches stored before 2026-11-29 stay comparable. The fixture
 * tests/data/sketch/dev-v2.tsv holds, for every dev idea, the key count
 * and the slot bytes of the packed version 2 record (the 64-bit mask of
 * the slots in use, then their values, little endian) that the 64-slot
 * classifier of 2026-11-28 (commit f478737) wrote for its text. Folding
 * the new sketch of the same text gives exactly those bytes; a version 2
 * record parses to that 64-slot sketch and packs back to the same bytes;
 * and a new sketch scores against it as the old sketch of its text did. */
static void test_fold_is_old_sketch(void **state)
{
    (void)state;
    GPtrArray *ids = g_ptr_array_new_with_free_func(free);
    GPtrArray *texts = g_ptr_array_new_with_free_func(free);
    s_dev(ids, texts);
    const char *d = getenv("INSPRAAK_DATA");
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/../tests/data/sketch/dev-v2.tsv", d && *d ? d : "./data");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    cluster_sketch_t prev_new, prev_old;
    guint n_ideas = 0, folded = 0;
    while (fgets(line, sizeof line, f)) {
        char id[16], hex[2048];
        int n_keys;
        assert_int_equal(sscanf(line, "%15s %d %2047s", id, &n_keys, hex), 3);
        assert_true(n_ideas < ids->len);
        assert_string_equal(id, ids->pdata[n_ideas]);
        idea_t *idea = s_idea(s_cls, id, texts->pdata[n_ideas++]);
        cluster_sketch_t sk, old;
        classify_idea_sketch(s_cls, idea, &sk);
        s_idea_free(idea);
        assert_int_equal(sk.n_keys, n_keys);
        assert_int_equal(sk.slots, CLUSTER_SLOTS);
        /* the fold, as version 2 wrote it: mask, then the values */
        uint16_t slot[CLUSTER_HASHES];
        uint32_t val[CLUSTER_HASHES];
        int n = classify_cluster_fold(&sk, slot, val);
        folded += n < sk.n_slots; /* two slots of the new sketch in one old one */
        char want[8 + 4 * CLUSTER_HASHES], got[sizeof want];
        size_t want_len = s_unhex(hex, want, sizeof want), got_len = 8;
        uint64_t mask = 0;
        for (int k = 0; k < n; k++)
            mask |= 1ULL << slot[k];
        for (int i = 0; i < 8; i++)
            got[i] = (char)(mask >> (8 * i));
        for (int k = 0; k < n; k++)
            for (int i = 0; i < 4; i++)
                got[got_len++] = (char)(val[k] >> (8 * i));
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);
        /* the whole version 2 record: the old sketch, 64 slots */
        char rec[CLUSTER_PACK_MAX], back_id[CLUSTER_ID_MAX];
        size_t r = 0;
        rec[r++] = 2;
        rec[r++] = (char)(n_keys & 255);
        rec[r++] = (char)(n_keys >> 8);
        rec[r++] = (char)strlen(sk.wijk);
        memcpy(rec + r, sk.wijk, strlen(sk.wijk));
        r += strlen(sk.wijk);
        rec[r++] = (char)strlen(sk.theme);
        memcpy(rec + r, sk.theme, strlen(sk.theme));
        r += strlen(sk.theme);
        rec[r++] = (char)strlen(id);
        memcpy(rec + r, id, strlen(id));
        r += strlen(id);
        rec[r++] = 0; /* the cluster is the id */
        memcpy(rec + r, want, want_len);
        r += want_len;
        assert_int_equal(cluster_redis_parse(rec, r, &old, back_id, sizeof back_id), 0);
        assert_string_equal(back_id, id);
        assert_int_equal(old.slots, CLUSTER_HASHES);
        assert_int_equal(old.n_slots, n);
        assert_memory_equal(old.slot, slot, n * sizeof *slot);
        assert_memory_equal(old.val, val, n * sizeof *val);
        assert_int_equal(old.n_keys, n_keys);
        /* packed again (staff corrected it): the same version 2 bytes */
        char again[CLUSTER_PACK_MAX];
        assert_int_equal(cluster_redis_pack(&old, id, again), r);
        assert_memory_equal(again, rec, r);
        /* a new sketch against a stored one scores as its old sketch did */
        if (n_ideas > 1) {
            double mixed = classify_cluster_similarity(&sk, &prev_old);
            assert_true(mixed == classify_cluster_similarity(&old, &prev_old));
            assert_true(classify_cluster_similarity(&prev_new, &old) ==
                        classify_cluster_similarity(&prev_old, &old));
        }
        prev_new = sk;
        prev_old = old;
    }
    fclose(f);
    assert_int_equal(n_ideas, ids->len);
    assert_true(folded > 10); /* the fold did merge slots: the test can tell */
    g_ptr_array_free(ids, TRUE);
    g_ptr_array_free(texts, TRUE);
}

/* The dev set, in file order: the Redis store in a batch of 200 (many
 * ideas of one batch filed under the same key) and then batches of 37
 * gives every idea the cluster the in-memory store gives. */
static void test_same_as_memory(void **state)
{
    (void)state;
    GPtrArray *ids = g_ptr_array_new_with_free_func(free);
    GPtrArray *texts = g_ptr_array_new_with_free_func(free);
    s_dev(ids, texts);
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    rstore_t *rs = s_open();
    cluster_redis_t *cr = cluster_redis_new(rs);
    idea_t **batch = xcalloc(ids->len, sizeof *batch);
    int joined = 0;
    for (guint at = 0, step = 200; at < ids->len; at += step, step = 37) {
        guint end = at + step < ids->len ? at + step : ids->len;
        for (guint i = at; i < end; i++) {
            batch[i] = s_idea(s_cls, ids->pdata[i], texts->pdata[i]);
            assert_int_equal(cluster_redis_add(cr, s_cls, batch[i]), 0);
        }
        assert_int_equal(cluster_redis_assign(cr), 0);
        for (guint i = at; i < end; i++) {
            idea_t *m = s_idea(s_cls, ids->pdata[i], texts->pdata[i]);
            assert_int_equal(classify_idea_cluster(s_cls, &st, m), 0);
            assert_string_equal(batch[i]->cluster, m->cluster);
            joined += strcmp(m->cluster, m->id) != 0;
            s_idea_free(m);
        }
    }
    assert_true(joined > 20); /* the set has near-duplicates, and they were found */
    /* a second instance (a new store, empty cache) re-sent the whole set:
     * every idea gets its stored cluster */
    cluster_redis_t *cr2 = cluster_redis_new(rs);
    for (guint at = 0; at < ids->len; at += 256) {
        guint end = at + 256 < ids->len ? at + 256 : ids->len;
        idea_t *again[256];
        for (guint i = at; i < end; i++) {
            again[i - at] = s_idea(s_cls, ids->pdata[i], texts->pdata[i]);
            assert_int_equal(cluster_redis_add(cr2, s_cls, again[i - at]), 0);
        }
        assert_int_equal(cluster_redis_assign(cr2), 0);
        for (guint i = at; i < end; i++) {
            assert_string_equal(again[i - at]->cluster, batch[i]->cluster);
            s_idea_free(again[i - at]);
        }
    }
    /* postings never grow past 64 bytes, so their buckets stay listpacks */
    redisReply *r = rstore_cmd(rs, "KEYS inspraak:cluster:ix:*");
    assert_non_null(r);
    assert_true(r->elements > 0);
    for (size_t k = 0; k < r->elements; k++) {
        redisReply *e = rstore_cmd(rs, "OBJECT ENCODING %s", r->element[k]->str);
        assert_non_null(e);
        assert_string_equal(e->str, "listpack");
        freeReplyObject(e);
    }
    freeReplyObject(r);
    for (guint i = 0; i < ids->len; i++)
        s_idea_free(batch[i]);
    free(batch);
    cluster_redis_destroy(&cr);
    cluster_redis_destroy(&cr2);
    rstore_destroy(&rs);
    cluster_mem_destroy(&st.store);
    g_ptr_array_free(ids, TRUE);
    g_ptr_array_free(texts, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair_both_stores), cmocka_unit_test(test_common_key_limited),
        cmocka_unit_test(test_index_keys),       cmocka_unit_test(test_pack_parse),
        cmocka_unit_test(test_hash_seed),        cmocka_unit_test(test_fold_is_old_sketch),
        cmocka_unit_test(test_same_as_memory),   cmocka_unit_test(test_no_wish_now),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
