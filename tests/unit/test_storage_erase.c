/*
 * NAME
 *   test_storage_erase - a participant erase that comes between storage
 *   resolving an idea's participant id and writing the idea counts the
 *   person once on /resultaten, and brings back none of their data
 *
 * DESCRIPTION
 *   Storage resolves the participant id of an idea from its address
 *   (store_prepare: the email index key, SET NX then GET) in one round
 *   trip and writes the idea (the script, or a batch's WATCH, check and
 *   MULTI/EXEC) in the next. `inspraakctl participant erase` may run in
 *   between: it deletes the participant hash, the email index key and the
 *   participant-ideas set and moves the person from inspraak:people:pids
 *   to "erased" (common/people.h, PEOPLE_ERASE_LUA) in one script. The
 *   write then must neither count the person again under the erased pid
 *   nor write their name and address back.
 *
 *   The interleaving is made step by step against a real redis-server
 *   (tests/unit/test_redis_util.h test_redis_up, INSPRAAK_TEST_PORTS'
 *   first port + 96, else 26096): Jan has one idea stored; a second idea of his is
 *   prepared; the erase's Redis script runs; the second idea is written.
 *   What a reader checks is the number of people /resultaten shows
 *   (the dashboard's reach_people()), and what the privacy promise
 *   checks: no key holds his address or name, and the address he typed
 *   in the second idea is cut as erase cuts it from the first. Once
 *   with the single-idea script (store_idea's write), once with a batch
 *   (store_ideas' write), and once in the order where the erase comes
 *   after the write, for the same answer. And storage killed (kill -9)
 *   between that write and the cut: when the message comes again (single
 *   and in a batch), the idea is found stored and the cut is made then.
 *
 *   A re-send of Jan's stored idea after the erase (a spool replay, an
 *   intake retry), alone and in a batch, is a duplicate that leaves no
 *   email index key (the BLAKE2b of his address) behind; and when Jan
 *   takes part again with two new ideas in flight at once and the re-send
 *   among them, both get one pid and he is counted once more.
 *   store.c lives in services/storage/, which unit tests do not link, so
 *   it is included here, as reach.c of the dashboard.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/dashboard/reach.c"
#include "../../services/storage/store.c"
#include "../../services/storage/store_batch.c"
#include "../../services/storage/store_erased.c"
#include "../../services/storage/store_pairs.c"
#include "../../services/storage/store_people.c"
#include "../../services/storage/store_record.c"
#include "../../services/storage/store_redact.c"
#include "../../services/storage/store_shown.c"
#include "../../services/storage/store_write.c"
#include "test_redis_util.h"

#define S_EMAIL "jan@example.nl"
#define S_NAME "Jan Smeets"
#define S_PHONE "06-12345678" /* typed into his idea: erase cuts every pii kind */
/* Jan's second idea, the one in flight while he is erased */
#define S_TEXT_2 "Een bankje bij de bushalte. Bel me: " S_PHONE ". Groeten, " S_NAME

static test_redis_t s_redis;

static int s_group_setup(void **state)
{
    (void)state;
    return test_redis_up(&s_redis, "test_storage_erase", 96);
}

static int s_group_teardown(void **state)
{
    (void)state;
    return test_redis_down(&s_redis);
}

static store_t *s_store(int db)
{
    char url[96], err[256];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/%d", s_redis.port, db);
    store_t *st = store_new(url, err, sizeof err);
    assert_non_null(st);
    return st;
}

/* An idea of Jan's (address and name given, as the form sends them). */
static void s_make(idea_t *idea, participant_t *p, const char *id, const char *text)
{
    idea_init(idea);
    participant_init(p);
    proto_set(&idea->id, id);
    proto_set(&idea->channel, "form");
    proto_set(&idea->text, text);
    proto_set(&idea->wijk, "WK091701");
    idea_add_theme(idea, "groen");
    idea->received_at = 1764320000000LL;
    proto_set(&p->email, S_EMAIL);
    proto_set(&p->name, S_NAME);
}

/* The Redis part of `inspraakctl participant erase` for pid (its step 0,
 * the redaction of the ideas in the participant-ideas set, is storage's
 * store_redact, run here for the ideas stored by then). */
static void s_erase(store_t *st, const char *pid)
{
    redisReply *ids = rstore_cmd(st->rs, "SMEMBERS inspraak:participant-ideas:%s", pid);
    assert_non_null(ids);
    for (size_t i = 0; i < ids->elements; i++) {
        redact_msg_t m;
        redact_msg_init(&m);
        redact_msg_add_text(&m, S_EMAIL);
        redact_msg_add_text(&m, S_NAME);
        redact_msg_add_all_kinds(&m);
        int bad = 0;
        char err[256];
        assert_int_equal(store_redact(st, ids->element[i]->str, &m, &bad, err, sizeof err), 1);
        redact_msg_clear(&m);
    }
    freeReplyObject(ids);
    char ekey[STORE_EMAIL_KEY_SIZE];
    s_email_key(S_EMAIL, ekey);
    redisReply *r =
        rstore_cmd(st->rs, "EVAL %s 3 inspraak:participant:%s %s inspraak:participant-ideas:%s %s",
                   "redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])\n"
                   "local pid = ARGV[1]\n" PEOPLE_ERASE_LUA "return 1\n",
                   pid, ekey, pid, pid);
    assert_non_null(r);
    freeReplyObject(r);
}

/* 1 when Redis holds Jan's email index key (the BLAKE2b of his address,
 * store.c's s_email_key). */
static int s_email_key_left(store_t *st)
{
    char ekey[STORE_EMAIL_KEY_SIZE];
    s_email_key(S_EMAIL, ekey);
    redisReply *r = rstore_cmd(st->rs, "EXISTS %s", ekey);
    assert_non_null(r);
    int left = r->integer == 1;
    freeReplyObject(r);
    return left;
}

/* What /resultaten says: the number of people (the dashboard's reach.c). */
static long long s_people(store_t *st)
{
    return reach_people(st->rs, NULL);
}

/* 1 when any key or value of the database holds s. */
static int s_anywhere(store_t *st, const char *s)
{
    redisReply *keys = rstore_cmd(st->rs, "KEYS *");
    assert_non_null(keys);
    int found = 0;
    for (size_t i = 0; !found && i < keys->elements; i++) {
        const char *k = keys->element[i]->str;
        redisReply *t = rstore_cmd(st->rs, "TYPE %s", k);
        const char *type = t->str;
        redisReply *v = strcmp(type, "string") == 0 ? rstore_cmd(st->rs, "GET %s", k)
                        : strcmp(type, "hash") == 0 ? rstore_cmd(st->rs, "HGETALL %s", k)
                        : strcmp(type, "set") == 0  ? rstore_cmd(st->rs, "SMEMBERS %s", k)
                        : strcmp(type, "zset") == 0 ? rstore_cmd(st->rs, "ZRANGE %s 0 -1", k)
                        : strcmp(type, "list") == 0 ? rstore_cmd(st->rs, "LRANGE %s 0 -1", k)
                                                    : NULL;
        found = strstr(k, s) != NULL;
        if (v && v->type == REDIS_REPLY_STRING)
            found |= memmem(v->str, v->len, s, strlen(s)) != NULL;
        for (size_t j = 0; v && v->type == REDIS_REPLY_ARRAY && j < v->elements; j++)
            found |= v->element[j]->str &&
                     memmem(v->element[j]->str, v->element[j]->len, s, strlen(s)) != NULL;
        if (v)
            freeReplyObject(v);
        freeReplyObject(t);
    }
    freeReplyObject(keys);
    return found;
}

/* Jan's first idea, stored: one person. Returns his pid (static). */
static const char *s_first(store_t *st)
{
    static char pid[64];
    idea_t idea;
    participant_t p;
    int bad = 0;
    char err[256];
    s_make(&idea, &p, "jan-1", "Meer bomen in de straat, mail me op " S_EMAIL);
    assert_int_equal(store_idea(st, &idea, &p, &bad, err, sizeof err), 1);
    snprintf(pid, sizeof pid, "%s", idea.participant_id);
    idea_clear(&idea);
    participant_clear(&p);
    assert_int_equal(s_people(st), 1);
    return pid;
}

/* After the erase and the second idea, in whatever order: Jan counted
 * once, his address and name nowhere, both ideas stored. */
static void s_check(store_t *st)
{
    assert_int_equal(s_people(st), 1);
    assert_false(s_anywhere(st, S_EMAIL));
    assert_false(s_anywhere(st, S_NAME));
    assert_false(s_anywhere(st, S_PHONE));
    redisReply *r = rstore_cmd(st->rs, "ZCARD inspraak:ideas");
    assert_int_equal(r->integer, 2);
    freeReplyObject(r);
}

/* Jan's second idea, prepared, then Jan erased, then the single-idea
 * script (store_idea's write); with crash, storage dies (kill -9) right
 * after the script, before it cuts his address and name from the text. */
static void s_single_raced(store_t *st, const char *pid, int crash)
{
    idea_t idea;
    participant_t p;
    store_args_t a;
    char *rec = NULL, err[256];
    int bad = 0;
    s_make(&idea, &p, "jan-2", S_TEXT_2);
    assert_int_equal(store_prepare(st, &idea, &p, &a, &rec, &bad, err, sizeof err), 0);
    assert_string_equal(idea.participant_id, pid);
    s_erase(st, pid);
    if (crash) {
        redisReply *r = s_evalsha(st, &a); /* the write; the cut never runs */
        assert_non_null(r);
        assert_int_equal(r->integer, 2);
        freeReplyObject(r);
    } else {
        assert_int_equal(s_write(st, idea.id, &a, err, sizeof err), 1);
    }
    store_args_free(&a);
    free(rec);
    idea_clear(&idea);
    participant_clear(&p);
}

/* The race with store_idea's single-idea script. */
static void test_erase_between_prepare_and_script(void **state)
{
    (void)state;
    store_t *st = s_store(1);
    s_single_raced(st, s_first(st), 0);
    s_check(st);
    store_destroy(&st);
}

/* Jan's second idea written by a batch of one (store_ideas' write:
 * WATCH, check, MULTI/EXEC), Jan erased after the prepare when erase_pid
 * is given; the write's answer must be want. */
static void s_batch_one(store_t *st, const char *erase_pid, int want)
{
    idea_t idea;
    participant_t p;
    store_args_t a;
    char *rec = NULL, err[256];
    int bad = 0, res[1] = {-1}, idx[1] = {0};
    s_make(&idea, &p, "jan-2", S_TEXT_2);
    assert_int_equal(store_prepare(st, &idea, &p, &a, &rec, &bad, err, sizeof err), 0);
    if (erase_pid)
        assert_string_equal(idea.participant_id, erase_pid);
    store_batch_t *b = store_batch_new();
    assert_int_equal(store_batch_add(b, a.argc, a.argv, a.lens), 0);
    if (erase_pid)
        s_erase(st, erase_pid);
    s_batch_write(st, b, idx, res, err, sizeof err);
    assert_int_equal(res[0], want);
    store_batch_destroy(&b);
    store_args_free(&a);
    free(rec);
    idea_clear(&idea);
    participant_clear(&p);
}

/* The race with store_ideas' batch write. */
static void test_erase_between_prepare_and_batch(void **state)
{
    (void)state;
    store_t *st = s_store(2);
    s_batch_one(st, s_first(st), 1);
    s_check(st);
    store_destroy(&st);
}

/* The race of test_erase_between_prepare_and_script, and storage killed
 * (kill -9) after the script wrote the idea, before it cut Jan's name from
 * its text; the restarted storage gets the message again (the intake's
 * spool resends what was not acknowledged): single (batch 0) or in a
 * batch (1). */
static void s_redelivered_after_crash(int db, int batch)
{
    store_t *st = s_store(db);
    s_single_raced(st, s_first(st), 1);
    if (batch) {
        s_batch_one(st, NULL, 0);
    } else {
        idea_t idea;
        participant_t p;
        char err[256];
        int bad = 0;
        s_make(&idea, &p, "jan-2", S_TEXT_2);
        assert_int_equal(store_idea(st, &idea, &p, &bad, err, sizeof err), 0);
        idea_clear(&idea);
        participant_clear(&p);
    }
    s_check(st);
    store_destroy(&st);
}

static void test_redelivered_after_a_crash_before_the_cut(void **state)
{
    (void)state;
    s_redelivered_after_crash(4, 0);
}

static void test_redelivered_in_a_batch_after_a_crash_before_the_cut(void **state)
{
    (void)state;
    s_redelivered_after_crash(5, 1);
}

/* After the same crash, a message that only reuses the idea's id (a
 * mail with a copied Message-ID), with another text and a "name" that is
 * a word of the stored idea: nothing is cut from the stored idea. */
static void test_same_id_with_another_text_cuts_nothing(void **state)
{
    (void)state;
    store_t *st = s_store(6);
    s_single_raced(st, s_first(st), 1);
    idea_t idea;
    participant_t p;
    char err[256];
    int bad = 0;
    s_make(&idea, &p, "jan-2", "Iets heel anders");
    proto_set(&p.name, "bankje");
    proto_set(&p.email, "iemand@example.nl");
    assert_int_equal(store_idea(st, &idea, &p, &bad, err, sizeof err), 0);
    assert_true(s_anywhere(st, "Een bankje bij de bushalte"));
    idea_clear(&idea);
    participant_clear(&p);
    store_destroy(&st);
}

/* The other order: the second idea is stored, then Jan is erased. */
static void test_erase_after_the_write(void **state)
{
    (void)state;
    store_t *st = s_store(3);
    const char *pid = s_first(st);
    idea_t idea;
    participant_t p;
    int bad = 0;
    char err[256];
    s_make(&idea, &p, "jan-2", S_TEXT_2);
    assert_int_equal(store_idea(st, &idea, &p, &bad, err, sizeof err), 1);
    assert_int_equal(s_people(st), 1);
    s_erase(st, pid);
    s_check(st);
    idea_clear(&idea);
    participant_clear(&p);
    store_destroy(&st);
}

/* Jan's stored idea is sent again after his erase (a spool replay after a
 * crash, an intake retry), alone or with batch in a batch write: it is a
 * duplicate, and nothing derived from his address comes back. */
static void s_resend(int db, int batch)
{
    store_t *st = s_store(db);
    s_erase(st, s_first(st));
    assert_false(s_email_key_left(st));
    idea_t idea;
    participant_t p;
    int bad = 0, res = -1;
    char err[256];
    s_make(&idea, &p, "jan-1", "Meer bomen in de straat, mail me op " S_EMAIL);
    if (batch) {
        idea_t *ideas[1] = {&idea};
        const participant_t *ps[1] = {&p};
        assert_int_equal(store_ideas(st, ideas, ps, 1, &res, &bad, err, sizeof err), 1);
    } else {
        res = store_idea(st, &idea, &p, &bad, err, sizeof err);
    }
    assert_int_equal(res, 0);
    assert_false(s_email_key_left(st));
    assert_int_equal(s_people(st), 1);
    assert_false(s_anywhere(st, S_EMAIL));
    assert_false(s_anywhere(st, S_NAME));
    idea_clear(&idea);
    participant_clear(&p);
    store_destroy(&st);
}

static void test_resend_after_erase(void **state)
{
    (void)state;
    s_resend(7, 0);
}

static void test_resend_in_a_batch_after_erase(void **state)
{
    (void)state;
    s_resend(8, 1);
}

/* After his erase Jan takes part again (a new person to storage) with two
 * new ideas in flight at once, and his erased idea is re-sent between
 * them: all three prepared before any is written. The new ideas share one
 * pid, whose participant and email index key exist, and /resultaten
 * counts the erased Jan and the new one. */
static void test_new_ideas_in_flight_with_a_resend(void **state)
{
    (void)state;
    store_t *st = s_store(9);
    s_erase(st, s_first(st));
    static const char *const ids[3] = {"jan-3", "jan-1", "jan-4"};
    idea_t idea[3];
    participant_t p[3];
    store_args_t a[3];
    char *rec[3], err[256];
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        s_make(&idea[i], &p[i], ids[i], "Een speeltuin in het park");
        assert_int_equal(store_prepare(st, &idea[i], &p[i], &a[i], &rec[i], &bad, err, sizeof err),
                         0);
    }
    assert_int_equal(s_write(st, "jan-1", &a[1], err, sizeof err), 0);
    assert_int_equal(s_write(st, "jan-3", &a[0], err, sizeof err), 1);
    assert_int_equal(s_write(st, "jan-4", &a[2], err, sizeof err), 1);
    assert_string_equal(idea[0].participant_id, idea[2].participant_id);
    redisReply *r =
        rstore_cmd(st->rs, "HGET inspraak:participant:%s email", idea[0].participant_id);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, S_EMAIL);
    freeReplyObject(r);
    assert_true(s_email_key_left(st));
    assert_int_equal(s_people(st), 2);
    for (int i = 0; i < 3; i++) {
        store_args_free(&a[i]);
        free(rec[i]);
        idea_clear(&idea[i]);
        participant_clear(&p[i]);
    }
    store_destroy(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erase_after_the_write),
        cmocka_unit_test(test_erase_between_prepare_and_script),
        cmocka_unit_test(test_erase_between_prepare_and_batch),
        cmocka_unit_test(test_redelivered_after_a_crash_before_the_cut),
        cmocka_unit_test(test_redelivered_in_a_batch_after_a_crash_before_the_cut),
        cmocka_unit_test(test_same_id_with_another_text_cuts_nothing),
        cmocka_unit_test(test_resend_after_erase),
        cmocka_unit_test(test_resend_in_a_batch_after_erase),
        cmocka_unit_test(test_new_ideas_in_flight_with_a_resend),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
