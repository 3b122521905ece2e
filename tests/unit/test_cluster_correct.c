/*
 * NAME
 *   test_cluster_correct - staff move an idea to another cluster; the
 *   classifier's stored sketch follows, in every instance
 *
 * DESCRIPTION
 *   services/classifier/cluster_correct.c against a real redis-server
 *   (no persistence, a temporary folder) on the first port of
 *   INSPRAAK_TEST_PORTS (lo-hi) plus 93, else 26093. Two cluster_redis_t
 *   on one Redis stand for two classifier instances. Checks: after staff
 *   put an idea in another cluster, a new near-duplicate of it joins that
 *   cluster, also in the instance that had the old sketch in its cache
 *   (the counter makes it read again); a re-sent idea gets the corrected
 *   cluster; the sketch keeps its keys; an id with nothing stored, a bad
 *   cluster and Redis down change nothing and say so; a copy of a move
 *   storage marked applied (common/update_applied.h) moves nothing; after
 *   storage's ack the sketch follows the record's cluster
 *   (cluster_redis_follow: a move storage refused is undone, a later
 *   move still in flight is left to its own ack); a counter
 *   that holds no number fails the move before the sketch is written.
 *   Unit tests do not link service code, so the classifier's files are
 *   included here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../services/classifier/cluster_correct.c"
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
    return s_cls ? test_redis_up(&s_redis, "test_cluster_correct", 93) : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    classify_destroy(&s_cls);
    return test_redis_down(&s_redis);
}

static rstore_t *s_open(int port, int flush)
{
    char url[64], err[256] = "";
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", port);
    rstore_t *rs = rstore_new(url, err, sizeof err);
    assert_non_null(rs);
    if (flush) {
        redisReply *r = rstore_cmd(rs, "FLUSHDB");
        assert_non_null(r);
        freeReplyObject(r);
    }
    return rs;
}

/* Classifies one idea in cr as the service does (sync, add, assign) and
 * copies the cluster it got into out. */
static void s_classify(cluster_redis_t *cr, const char *id, const char *text, char *out,
                       size_t size)
{
    idea_t *idea = s_idea(s_cls, id, text);
    assert_int_equal(cluster_redis_sync(cr), 0);
    assert_int_equal(cluster_redis_add(cr, s_cls, idea), 0);
    assert_int_equal(cluster_redis_assign(cr), 0);
    assert_non_null(idea->cluster);
    snprintf(out, size, "%s", idea->cluster);
    s_idea_free(idea);
}

static long long s_counter(rstore_t *rs)
{
    redisReply *r = rstore_cmd(rs, "GET inspraak:cluster:corrected");
    assert_non_null(r);
    long long n = r->type == REDIS_REPLY_STRING ? atoll(r->str) : 0;
    freeReplyObject(r);
    return n;
}

static const char s_bench1[] = "Meer bankjes in het Molenbergpark, om even te zitten.";
static const char s_bench2[] = "Graag meer bankjes in het Molenbergpark om even uit te rusten.";
static const char s_wc[] = "Er moet een openbare wc komen in het centrum van Heerlen.";

/* An emptied Redis in *rs with the bench wish b1 and the toilet wish w1
 * classified in the instance returned. */
static cluster_redis_t *s_bench_and_wc(rstore_t **rs)
{
    *rs = s_open(s_redis.port, 1);
    cluster_redis_t *cr = cluster_redis_new(*rs);
    char c[80];
    s_classify(cr, "b1", s_bench1, c, sizeof c);
    s_classify(cr, "w1", s_wc, c, sizeof c);
    return cr;
}

/* One command whose answer does not matter. */
static void s_do(rstore_t *rs, const char *cmd)
{
    redisReply *r = rstore_cmd(rs, cmd);
    assert_non_null(r);
    freeReplyObject(r);
}

/* Instance 1 classified b1 (its sketch in its cache); staff put b1 with
 * the toilet wish w1 through instance 2. The next wording of b1 joins
 * w1's cluster in instance 1 too, and so does b1 when it is re-sent. */
static void test_correction_followed_by_both_instances(void **state)
{
    (void)state;
    rstore_t *rs1 = s_open(s_redis.port, 1), *rs2 = s_open(s_redis.port, 0);
    cluster_redis_t *one = cluster_redis_new(rs1), *two = cluster_redis_new(rs2);
    char c[80];
    s_classify(one, "w1", s_wc, c, sizeof c);
    assert_string_equal(c, "w1");
    s_classify(one, "b1", s_bench1, c, sizeof c);
    assert_string_equal(c, "b1");
    /* Without a correction the second wording joins b1 (in bin/classify's
     * memory store: nothing stored): the test would show nothing if these
     * two were not near-duplicates. */
    cluster_store_t mem = cluster_mem_ops;
    mem.store = cluster_mem_new();
    const char *probe[][2] = {{"b1", s_bench1}, {"probe", s_bench2}};
    for (int i = 0; i < 2; i++) {
        idea_t *idea = s_idea(s_cls, probe[i][0], probe[i][1]);
        assert_int_equal(classify_idea_cluster(s_cls, &mem, idea), 0);
        assert_string_equal(idea->cluster, "b1");
        s_idea_free(idea);
    }
    cluster_mem_destroy(&mem.store);

    assert_int_equal(cluster_redis_correct(two, "b1", "w1"), 1);
    assert_int_equal(s_counter(rs1), 1);
    s_classify(one, "b2", s_bench2, c, sizeof c);
    assert_string_equal(c, "w1");
    s_classify(two, "b3", s_bench2, c, sizeof c);
    assert_string_equal(c, "w1");
    s_classify(one, "b1", s_bench1, c, sizeof c); /* re-sent: the stored cluster */
    assert_string_equal(c, "w1");

    /* Made its own cluster again ("los maken"). */
    assert_int_equal(cluster_redis_correct(one, "b1", "b1-los"), 1);
    s_classify(two, "b1", s_bench1, c, sizeof c);
    assert_string_equal(c, "b1-los");
    cluster_redis_destroy(&one);
    cluster_redis_destroy(&two);
    rstore_destroy(&rs1);
    rstore_destroy(&rs2);
}

/* The corrected sketch is the same sketch with another cluster. */
static void test_sketch_keeps_its_keys(void **state)
{
    (void)state;
    rstore_t *rs = s_open(s_redis.port, 1);
    cluster_redis_t *cr = cluster_redis_new(rs);
    char c[80];
    s_classify(cr, "b1", s_bench1, c, sizeof c);
    idea_t *idea = s_idea(s_cls, "b1", s_bench1);
    cluster_sketch_t want, got;
    classify_idea_sketch(s_cls, idea, &want);
    s_idea_free(idea);
    assert_int_equal(cluster_redis_correct(cr, "b1", "elders"), 1);

    uint64_t h = classify_cluster_handle("b1");
    char field[HB], id[CLUSTER_ID_MAX];
    cluster_redis_be48(h, field);
    redisReply *r = rstore_cmd(rs, "HGET inspraak:cluster:sk:%u %b",
                               (unsigned)(h % CLUSTER_REDIS_SK_BUCKETS), field, (size_t)HB);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_int_equal(cluster_redis_parse(r->str, r->len, &got, id, sizeof id), 0);
    freeReplyObject(r);
    assert_string_equal(id, "b1");
    assert_string_equal(got.label, "elders");
    assert_string_equal(got.cluster, "~b1"); /* a group of its own */
    assert_int_equal(got.n_keys, want.n_keys);
    assert_string_equal(got.wijk, want.wijk);
    assert_string_equal(got.theme, want.theme);
    assert_int_equal(got.slots, want.slots);
    assert_int_equal(got.n_slots, want.n_slots);
    assert_memory_equal(got.slot, want.slot, want.n_slots * sizeof *want.slot);
    assert_memory_equal(got.val, want.val, want.n_slots * sizeof *want.val);
    cluster_redis_destroy(&cr);
    rstore_destroy(&rs);
}

/* Nothing stored for the id, or a cluster that cannot be stored:
 * nothing is written and the counter stays. */
static void test_nothing_to_correct(void **state)
{
    (void)state;
    rstore_t *rs = s_open(s_redis.port, 1);
    cluster_redis_t *cr = cluster_redis_new(rs);
    char c[80], long_id[100];
    s_classify(cr, "b1", s_bench1, c, sizeof c);
    assert_int_equal(cluster_redis_correct(cr, "nooit-gezien", "b1"), 0);
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    const char *bad[] = {"", "met spatie", "tab\there", long_id, NULL};
    for (int i = 0; i < 5; i++)
        assert_int_equal(cluster_redis_correct(cr, "b1", bad[i]), 0);
    assert_int_equal(cluster_redis_correct(cr, long_id, "b1"), 0);
    assert_true(idea_cluster_ok("01JD5X-los"));
    assert_int_equal(s_counter(rs), 0);
    s_classify(cr, "b1", s_bench1, c, sizeof c);
    assert_string_equal(c, "b1");
    cluster_redis_destroy(&cr);
    rstore_destroy(&rs);
}

/* The same correction again (the dashboard re-sends until it sees the
 * ack) writes nothing: the other instances keep their caches. */
static void test_same_correction_twice(void **state)
{
    (void)state;
    rstore_t *rs = s_open(s_redis.port, 1);
    cluster_redis_t *cr = cluster_redis_new(rs);
    char c[80];
    s_classify(cr, "b1", s_bench1, c, sizeof c);
    assert_int_equal(cluster_redis_correct(cr, "b1", "w1"), 1);
    assert_int_equal(cluster_redis_correct(cr, "b1", "w1"), 1);
    assert_int_equal(s_counter(rs), 1);
    assert_int_equal(cluster_redis_correct(cr, "b1", "w2"), 1);
    assert_int_equal(s_counter(rs), 2);
    cluster_redis_destroy(&cr);
    rstore_destroy(&rs);
}

/* A move from the bus whose envelope id storage marked applied (a copy)
 * leaves the sketch, in the script that would write it; one not marked
 * moves it. */
static void test_move_applied_before_leaves_the_sketch(void **state)
{
    (void)state;
    rstore_t *rs;
    cluster_redis_t *cr = s_bench_and_wc(&rs);
    char c[80];
    s_do(rs, "SET inspraak:update:applied:m-copy 1 PX 60000");
    idea_t upd;
    idea_init(&upd);
    proto_set(&upd.id, "b1");
    proto_set(&upd.cluster, "w1");
    assert_int_equal(cluster_redis_correct_update(cr, &upd, "m-copy"), 0);
    assert_int_equal(s_counter(rs), 0);
    s_classify(cr, "b2", s_bench2, c, sizeof c);
    assert_string_equal(c, "b1");
    assert_int_equal(cluster_redis_correct_update(cr, &upd, "m-new"), 1);
    assert_int_equal(s_counter(rs), 1);
    s_classify(cr, "b3", s_bench2, c, sizeof c);
    assert_string_equal(c, "w1");
    idea_clear(&upd);
    cluster_redis_destroy(&cr);
    rstore_destroy(&rs);
}

/* One group name with two labels (ideas that joined a corrected idea
 * before staff corrected it again) are two groups: a new idea like the
 * one labelled "eerst" joins that group and takes "eerst", and is not
 * averaged with the unlike idea labelled "later". */
static void test_group_is_cluster_and_label(void **state)
{
    (void)state;
    cluster_store_t mem = cluster_mem_ops;
    mem.store = cluster_mem_new();
    const char *texts[] = {s_bench1,
                           "Het Molenbergpark heeft 's avonds meer verlichting nodig, het is er "
                           "veel te donker om te wandelen."};
    const char *labels[] = {"eerst", "later"};
    for (int i = 0; i < 2; i++) {
        idea_t *idea = s_idea(s_cls, i ? "v1" : "b1", texts[i]);
        cluster_sketch_t sk;
        classify_idea_sketch(s_cls, idea, &sk);
        snprintf(sk.cluster, sizeof sk.cluster, "~a1");
        snprintf(sk.label, sizeof sk.label, "%s", labels[i]);
        assert_int_equal(mem.put(mem.store, idea->id, &sk), 0);
        s_idea_free(idea);
    }
    idea_t *idea = s_idea(s_cls, "b2", s_bench2);
    assert_int_equal(classify_idea_cluster(s_cls, &mem, idea), 0);
    assert_string_equal(idea->cluster, "eerst");
    s_idea_free(idea);
    cluster_mem_destroy(&mem.store);
}

/* Stores a record of idea id (storage's inspraak:idea:<id>) whose
 * cluster is cluster. */
static void s_record(rstore_t *rs, const char *id, const char *text, const char *cluster)
{
    idea_t *idea = s_idea(s_cls, id, text);
    proto_set(&idea->cluster, cluster);
    char *buf = NULL;
    size_t len = 0;
    proto_err_t perr;
    assert_int_equal(idea_encode(idea, &buf, &len, &perr), 0);
    const char *argv[3] = {"SET", "inspraak:idea:", buf};
    char key[80];
    snprintf(key, sizeof key, "inspraak:idea:%s", id);
    argv[1] = key;
    size_t lens[3] = {3, strlen(key), len};
    redisReply *r = rstore_cmdargv(rs, 3, argv, lens);
    assert_non_null(r);
    freeReplyObject(r);
    free(buf);
    s_idea_free(idea);
}

/* After storage's ack the sketch gives the record's cluster: a move that
 * storage refused (the record kept "b1") is undone, so the next wording
 * joins b1 again; a sketch that gives the record's cluster already, moved
 * or never moved, is not written (the counter stays); no record: 0. */
static void test_sketch_follows_the_record(void **state)
{
    (void)state;
    rstore_t *rs;
    cluster_redis_t *cr = s_bench_and_wc(&rs);
    char c[80];
    assert_int_equal(cluster_redis_follow(cr, "b1", NULL), 0); /* no record yet */
    s_record(rs, "b1", s_bench1, "b1");
    s_record(rs, "w1", s_wc, "w1");
    assert_int_equal(cluster_redis_follow(cr, "w1", NULL), 3);
    assert_int_equal(s_counter(rs), 0);
    assert_int_equal(cluster_redis_correct(cr, "b1", "w1"), 1);
    s_classify(cr, "b2", s_bench2, c, sizeof c);
    assert_string_equal(c, "w1");
    assert_int_equal(cluster_redis_follow(cr, "b1", "w1"), 1);
    assert_int_equal(s_counter(rs), 2);
    s_classify(cr, "b3", s_bench2, c, sizeof c);
    assert_string_equal(c, "b1");
    assert_int_equal(cluster_redis_follow(cr, "b1", NULL), 3);
    assert_int_equal(s_counter(rs), 2);
    cluster_redis_destroy(&cr);
    rstore_destroy(&rs);
}

/* Two moves of b1 in flight: instance one put it with the toilet wish
 * (storage applied that, the record says w1), then staff put it back with
 * the bench wish through instance two, whose save storage has not yet
 * applied. The ack of the first move reaches instance one now: the sketch
 * shows the later move, not the one instance one made, so it is left to
 * the later move's own ack; when that ack is lost (a restart, the PUB
 * socket's high-water mark), the next wording still joins the bench wish
 * staff chose last, as the record says once storage applied it. */
static void test_an_ack_leaves_a_later_move(void **state)
{
    (void)state;
    rstore_t *rs;
    cluster_redis_t *one = s_bench_and_wc(&rs), *two = cluster_redis_new(rs);
    char c[80];
    s_record(rs, "w1", s_wc, "w1");
    assert_int_equal(cluster_redis_correct(one, "b1", "w1"), 1);
    s_record(rs, "b1", s_bench1, "w1");                       /* storage applied it */
    assert_int_equal(cluster_redis_correct(two, "b1", "b1"), 1); /* on its way to storage */
    assert_int_equal(cluster_redis_follow(one, "b1", "w1"), 6); /* the first move's ack */
    s_record(rs, "b1", s_bench1, "b1");                       /* storage applied the second */
    s_classify(two, "b2", s_bench2, c, sizeof c);
    assert_string_equal(c, "b1");
    cluster_redis_destroy(&two);
    cluster_redis_destroy(&one);
    rstore_destroy(&rs);
}

/* Redis does not roll back a script that fails half way: with a counter
 * that holds no number, the move fails before it writes the sketch (an
 * instance that reads it now finds it as it was), so no sketch moves
 * while the other instances' caches cannot be told. */
static void test_a_damaged_counter_moves_nothing(void **state)
{
    (void)state;
    rstore_t *rs;
    cluster_redis_t *cr = s_bench_and_wc(&rs);
    char c[80];
    s_do(rs, "SET inspraak:cluster:corrected damaged");
    assert_int_equal(cluster_redis_correct(cr, "b1", "w1"), -1);
    cluster_redis_t *fresh = cluster_redis_new(rs); /* reads the sketch from Redis */
    s_classify(fresh, "b2", s_bench2, c, sizeof c);
    assert_string_equal(c, "b1");
    cluster_redis_destroy(&fresh);
    cluster_redis_destroy(&cr);
    rstore_destroy(&rs);
}

/* Redis down: the correction and the counter read fail and say so. */
static void test_redis_gone(void **state)
{
    (void)state;
    int port = s_redis.port + 1; /* nothing listens there */
    rstore_t *rs = s_open(port, 0);
    cluster_redis_t *cr = cluster_redis_new(rs);
    assert_int_equal(cluster_redis_correct(cr, "b1", "w1"), -1);
    assert_int_equal(cluster_redis_sync(cr), -1);
    cluster_redis_destroy(&cr);
    rstore_destroy(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correction_followed_by_both_instances),
        cmocka_unit_test(test_sketch_keeps_its_keys),
        cmocka_unit_test(test_nothing_to_correct),
        cmocka_unit_test(test_same_correction_twice),
        cmocka_unit_test(test_move_applied_before_leaves_the_sketch),
        cmocka_unit_test(test_group_is_cluster_and_label),
        cmocka_unit_test(test_sketch_follows_the_record),
        cmocka_unit_test(test_an_ack_leaves_a_later_move),
        cmocka_unit_test(test_a_damaged_counter_moves_nothing),
        cmocka_unit_test(test_redis_gone),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
