/*
 * NAME
 *   test_storage_update_mark - storage checks, applies and marks an update
 *   envelope in one script
 *
 * DESCRIPTION
 *   A moderation or redaction from the bus is applied once per envelope
 *   id (common/update_applied.h): the update script of store_update.c and
 *   the compare-and-set of store_redact.c return UPDATE_APPLIED_BEFORE
 *   without touching the idea when the id is marked, and otherwise mark it
 *   in the same script as they write. Against a real redis-server
 *   (tests/unit/test_redis_util.h test_redis_up, INSPRAAK_TEST_PORTS'
 *   first port + 98, else 26098):
 *
 *     - an applied update is marked, for UPDATE_APPLIED_MS; its copy after
 *       a later save is skipped and the later save stays;
 *     - a mark already there (another storage applied the update) makes
 *       the script skip: status, index and stats unchanged;
 *     - an update without envelope id (NULL or "") is applied, unmarked;
 *     - a redaction is marked, and a marked one cuts nothing;
 *     - a key the update writes that holds something else (a string
 *       where a sorted set belongs, a count that is no number) fails the
 *       script before its first write: -1, nothing written, no mark; once
 *       repaired, the update is applied in full (Redis does not roll
 *       back a script that fails half way, so the mark is the last write);
 *     - a Redis that refuses the mark (a user who may only read the marks)
 *       gets -1 with nothing written: storage then does not ack, and the
 *       update comes again whole.
 *
 *   The two-storage race itself is in
 *   tests/integration/test_update_resend.py. store*.c live in
 *   services/storage/, which unit tests do not link, so they are included
 *   here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/storage/store.c"
#include "../../services/storage/store_batch.c"
#include "../../services/storage/store_correct.c"
#include "../../services/storage/store_erased.c"
#include "../../services/storage/store_pairs.c"
#include "../../services/storage/store_people.c"
#include "../../services/storage/store_record.c"
#include "../../services/storage/store_redact.c"
#include "../../services/storage/store_shown.c"
/* both files name their read-modify-write step s_attempt */
#define s_attempt s_update_attempt
#include "../../services/storage/store_update.c"
#undef s_attempt
#include "../../services/storage/store_write.c"
#include "test_redis_util.h"
#include "update_applied.h"

static test_redis_t s_redis;

static int s_group_setup(void **state)
{
    (void)state;
    return test_redis_up(&s_redis, "test_storage_update_mark", 98);
}

static int s_group_teardown(void **state)
{
    (void)state;
    return test_redis_down(&s_redis);
}

/* A store on an emptied database, with one idea "i-1" stored. */
static store_t *s_store_with_idea(const char *userinfo)
{
    char url[160], err[256];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", s_redis.port);
    store_t *admin = store_new(url, err, sizeof err);
    assert_non_null(admin);
    freeReplyObject(rstore_cmd(admin->rs, "FLUSHALL"));
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.id, "i-1");
    proto_set(&idea.channel, "form");
    proto_set(&idea.text, "Meer bankjes in het park. Bel 06-12345678.");
    proto_set(&idea.wijk, "WK091701");
    idea_add_theme(&idea, "groen");
    idea.received_at = 1764320000000LL;
    int bad = 0;
    assert_int_equal(store_idea(admin, &idea, NULL, &bad, err, sizeof err), 1);
    idea_clear(&idea);
    if (!userinfo)
        return admin;
    store_destroy(&admin);
    snprintf(url, sizeof url, "redis://%s@127.0.0.1:%d/0", userinfo, s_redis.port);
    store_t *st = store_new(url, err, sizeof err);
    assert_non_null(st);
    return st;
}

static int s_update(store_t *st, const char *update_id, const char *status)
{
    idea_t upd;
    idea_init(&upd);
    proto_set(&upd.id, "i-1");
    proto_set(&upd.status, status);
    proto_set(&upd.wijk, "WK091701");
    idea_add_theme(&upd, "groen");
    int bad = 0;
    char err[256];
    int r = store_update(st, &upd, update_id, &bad, err, sizeof err);
    assert_int_equal(bad, 0);
    idea_clear(&upd);
    return r;
}

/* The stored idea's status and text, as the dashboard shows them. */
static void s_stored(store_t *st, char *status, char *text, size_t size)
{
    redisReply *r = rstore_cmd(st->rs, "GET inspraak:idea:i-1");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    idea_t idea;
    proto_err_t perr;
    assert_int_equal(idea_decode(r->str, r->len, &idea, &perr), 0);
    snprintf(status, size, "%s", idea.status ? idea.status : "new");
    snprintf(text, size, "%s", idea.text);
    idea_clear(&idea);
    freeReplyObject(r);
}

static void assert_status(store_t *st, const char *want)
{
    char status[200], text[200];
    s_stored(st, status, text, sizeof text);
    assert_string_equal(status, want);
}

static long long s_int(store_t *st, const char *cmd)
{
    redisReply *r = rstore_cmd(st->rs, cmd);
    assert_non_null(r);
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer
                  : r->type == REDIS_REPLY_STRING ? atoll(r->str)
                                                  : 0;
    freeReplyObject(r);
    return v;
}

static void test_applied_then_marked_and_its_copy_skipped(void **state)
{
    (void)state;
    store_t *st = s_store_with_idea(NULL);
    assert_int_equal(s_update(st, "u-first", "approved"), 1);
    long long ttl = s_int(st, "PTTL inspraak:update:applied:u-first");
    assert_true(ttl > 0 && ttl <= UPDATE_APPLIED_MS);
    assert_int_equal(s_update(st, "u-second", "hidden"), 1);
    assert_int_equal(s_update(st, "u-first", "approved"), UPDATE_APPLIED_BEFORE);
    assert_status(st, "hidden");
    assert_int_equal(s_int(st, "HGET inspraak:stats:status hidden"), 1);
    assert_int_equal(s_int(st, "HGET inspraak:stats:status approved"), 0);
    store_destroy(&st);
}

static void test_a_mark_already_there_skips_the_update(void **state)
{
    (void)state;
    store_t *st = s_store_with_idea(NULL);
    freeReplyObject(rstore_cmd(st->rs, "SET inspraak:update:applied:u-other 1 PX 60000"));
    assert_int_equal(s_update(st, "u-other", "approved"), UPDATE_APPLIED_BEFORE);
    assert_status(st, "new");
    assert_int_equal(s_int(st, "HGET inspraak:stats:status new"), 1);
    assert_int_equal(s_int(st, "ZCARD inspraak:ix:status:approved"), 0);
    store_destroy(&st);
}

static void test_without_an_id_applied_and_not_marked(void **state)
{
    (void)state;
    store_t *st = s_store_with_idea(NULL);
    assert_int_equal(s_update(st, NULL, "approved"), 1);
    assert_status(st, "approved");
    assert_int_equal(s_update(st, "", "hidden"), 1);
    assert_status(st, "hidden");
    redisReply *keys = rstore_cmd(st->rs, "KEYS inspraak:update:applied:*");
    assert_non_null(keys);
    assert_int_equal(keys->elements, 0);
    freeReplyObject(keys);
    store_destroy(&st);
}

static int s_cut_phone(store_t *st, const char *update_id)
{
    redact_msg_t m;
    redact_msg_init(&m);
    redact_msg_add_text(&m, "06-12345678");
    int bad = 0;
    char err[256];
    int r = store_redact_update(st, "i-1", &m, update_id, &bad, err, sizeof err);
    assert_int_equal(bad, 0);
    redact_msg_clear(&m);
    return r;
}

static void test_redaction_marked_and_a_marked_one_skipped(void **state)
{
    (void)state;
    store_t *st = s_store_with_idea(NULL);
    freeReplyObject(rstore_cmd(st->rs, "SET inspraak:update:applied:r-other 1 PX 60000"));
    assert_int_equal(s_cut_phone(st, "r-other"), UPDATE_APPLIED_BEFORE);
    char status[200], text[200];
    s_stored(st, status, text, sizeof text);
    assert_non_null(strstr(text, "06-12345678"));
    assert_int_equal(s_cut_phone(st, "r-1"), 1);
    s_stored(st, status, text, sizeof text);
    assert_null(strstr(text, "06-12345678"));
    assert_int_equal(s_int(st, "EXISTS inspraak:update:applied:r-1"), 1);
    store_destroy(&st);
}

/* Redis does not roll back a script that fails half way: a key the
 * update writes that holds something else (another type, a count that
 * is no number) fails the script before its first write, so nothing is
 * written and nothing marked, and once repaired the update comes again
 * and is applied in full. */
static void test_a_damaged_key_writes_nothing_and_marks_nothing(void **state)
{
    (void)state;
    static const char *const damage[][2] = {
        {"SET inspraak:ix:status:approved damaged", "DEL inspraak:ix:status:approved"},
        {"HSET inspraak:stats:status approved damaged", "HDEL inspraak:stats:status approved"},
        {"SET inspraak:people:todo damaged", "DEL inspraak:people:todo"},
        {"SET inspraak:shown-todo damaged", "DEL inspraak:shown-todo"},
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        store_t *st = s_store_with_idea(NULL);
        freeReplyObject(rstore_cmd(st->rs, damage[i][0]));
        assert_int_equal(s_update(st, "u-damaged", "approved"), -1);
        assert_status(st, "new");
        assert_int_equal(s_int(st, "EXISTS inspraak:update:applied:u-damaged"), 0);
        assert_int_equal(s_int(st, "HGET inspraak:stats:status new"), 1);
        assert_int_equal(s_int(st, "ZCARD inspraak:ix:status:new"), 1);
        freeReplyObject(rstore_cmd(st->rs, damage[i][1]));
        assert_int_equal(s_update(st, "u-damaged", "approved"), 1);
        assert_status(st, "approved");
        assert_int_equal(s_int(st, "ZCARD inspraak:ix:status:approved"), 1);
        assert_int_equal(s_int(st, "ZCARD inspraak:ix:status:new"), 0);
        assert_int_equal(s_int(st, "HGET inspraak:stats:status approved"), 1);
        assert_int_equal(s_int(st, "HEXISTS inspraak:stats:status new"), 0);
        assert_int_equal(s_int(st, "EXISTS inspraak:update:applied:u-damaged"), 1);
        store_destroy(&st);
    }
}

/* The stored idea names p-erased, who has been erased (no participant
 * key), and waits for the people counts' backfill (people:todo): the
 * update counts it, in inspraak:people:counts "erased". */
static void s_name_an_erased_person(store_t *st)
{
    redisReply *r = rstore_cmd(st->rs, "GET inspraak:idea:i-1");
    assert_non_null(r);
    idea_t idea;
    proto_err_t perr;
    assert_int_equal(idea_decode(r->str, r->len, &idea, &perr), 0);
    freeReplyObject(r);
    proto_set(&idea.participant_id, "p-erased");
    char *rec = NULL;
    size_t len = 0;
    assert_int_equal(store_record_encode(&idea, &rec, &len, &perr), 0);
    freeReplyObject(rstore_cmd(st->rs, "SET inspraak:idea:i-1 %b", rec, len));
    freeReplyObject(rstore_cmd(st->rs, "ZADD " PEOPLE_TODO " 0 i-1"));
    free(rec);
    idea_clear(&idea);
}

/* The erased people's count is a count the update adds to as well: one
 * that is no number fails the script before its first write too. */
static void test_a_damaged_erased_count_writes_nothing(void **state)
{
    (void)state;
    store_t *st = s_store_with_idea(NULL);
    s_name_an_erased_person(st);
    freeReplyObject(rstore_cmd(st->rs, "HSET " PEOPLE_COUNTS " erased damaged"));
    assert_int_equal(s_update(st, "u-damaged", "approved"), -1);
    assert_status(st, "new");
    assert_int_equal(s_int(st, "EXISTS inspraak:update:applied:u-damaged"), 0);
    assert_int_equal(s_int(st, "ZCARD inspraak:ix:status:approved"), 0);
    freeReplyObject(rstore_cmd(st->rs, "HDEL " PEOPLE_COUNTS " erased"));
    assert_int_equal(s_update(st, "u-damaged", "approved"), 1);
    assert_status(st, "approved");
    assert_int_equal(s_int(st, "ZCARD inspraak:ix:status:approved"), 1);
    assert_int_equal(s_int(st, "HGET " PEOPLE_COUNTS " erased"), 1);
    store_destroy(&st);
}

static void test_a_refused_mark_writes_nothing(void **state)
{
    (void)state;
    store_t *admin = s_store_with_idea(NULL);
    /* may read the marks, write everything else */
    freeReplyObject(rstore_cmd(admin->rs, "ACL SETUSER nomark on >nomark-pw +@all "
                                          "~inspraak:[^u]* %%R~inspraak:update:*"));
    store_destroy(&admin);
    store_t *st = s_store_with_idea("nomark:nomark-pw");
    idea_t upd;
    idea_init(&upd);
    proto_set(&upd.id, "i-1");
    proto_set(&upd.status, "approved");
    int bad = 0;
    char err[256];
    assert_int_equal(store_update(st, &upd, "u-refused", &bad, err, sizeof err), -1);
    assert_int_equal(bad, 0); /* not acked: it comes again */
    idea_clear(&upd);
    assert_status(st, "new");
    assert_int_equal(s_int(st, "HGET inspraak:stats:status new"), 1);
    assert_int_equal(s_int(st, "ZCARD inspraak:ix:status:approved"), 0);
    assert_int_equal(s_int(st, "EXISTS inspraak:update:applied:u-refused"), 0);
    /* the same user may write the idea: only the mark was refused */
    assert_int_equal(s_update(st, NULL, "hidden"), 1);
    assert_status(st, "hidden");
    store_destroy(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_applied_then_marked_and_its_copy_skipped),
        cmocka_unit_test(test_a_mark_already_there_skips_the_update),
        cmocka_unit_test(test_without_an_id_applied_and_not_marked),
        cmocka_unit_test(test_redaction_marked_and_a_marked_one_skipped),
        cmocka_unit_test(test_a_damaged_key_writes_nothing_and_marks_nothing),
        cmocka_unit_test(test_a_damaged_erased_count_writes_nothing),
        cmocka_unit_test(test_a_refused_mark_writes_nothing),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
