/*
 * NAME
 *   test_erase_window - an idea storage writes while `inspraakctl
 *   participant erase` is cutting the person's name and address from
 *   their ideas is cut too, or the erase deletes nothing
 *
 * DESCRIPTION
 *   ctl_erase_person() (services/inspraakctl/cmd_erase.c) first has storage
 *   cut the address and name from the texts of the ideas in
 *   inspraak:participant-ideas:<pid> (step 1, cmd_erase_ideas.c, over the
 *   bus: seconds), then deletes the participant, the email index key and
 *   the set in one Redis script (step 2). An idea storage writes between
 *   step 1's read of the set and step 2 lands in the set, but step 1 never
 *   cut it, and storage's own check (store.c: an idea of an erased person
 *   is cut) does not see it either, because the email key still names the
 *   pid until step 2.
 *
 *   The interleaving is made step by step against a real redis-server
 *   (tests/unit/test_redis_util.h, INSPRAAK_TEST_PORTS' first port + 97,
 *   else 26097): cmd_erase.c is included and runs as it does in
 *   inspraakctl; its step 1 (ctl_erase_ideas, the bus round trip to
 *   storage) is played here by storage's own code: it reads the set, then
 *   storage writes Jan's new idea (store_idea, the window), then storage
 *   cuts the ideas read (store_redact, what storage does with the
 *   redaction step 1 sends). What a resident checks: after the erase
 *   neither idea holds his name or address and his participant record is
 *   gone; and when new ideas keep coming in every round, the erase fails
 *   and deletes nothing (he can be erased by running it again).
 *   store*.c live in services/storage/ and cmd_erase.c in
 *   services/inspraakctl/, which unit tests do not link, so they are
 *   included.
 *
 *   Also here, with the same redis-server: a reply of another type than
 *   the command's (list_remove.c; the connection is put in MULTI, so a
 *   real Redis answers "+QUEUED") makes the erase of dead letters fail
 *   (inspraakctl exits 1 with a message) instead of reporting 0 removed.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/inspraakctl/cmd_erase.c"
#include "../../services/inspraakctl/list_remove.c"
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

static test_redis_t s_redis;
static store_t *s_st;       /* storage's connection (the window's writes) */
static int s_window_rounds; /* how many of step 1's rounds see a new idea */
static int s_written;       /* Jan's ideas stored so far */

/* --- what inspraakctl's main.c and cmd_participant.c give cmd_erase.c --- */

void ctl_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("inspraakctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int ctl_redis_err(ctl_t *ctl, const char *what)
{
    ctl_err("redis: %s: %s", what, rstore_error(ctl->rs));
    return CTL_ERR;
}

void ctl_email_key(const char *email, char *out)
{
    s_email_key(email, out);
}

/* Not reached by ctl_erase_person (retention only). */
int64_t ctl_date_ms(const char *s)
{
    (void)s;
    return -1;
}

long ctl_retention_files(int64_t cutoff_ms, json_t *removed)
{
    (void)cutoff_ms, (void)removed;
    return 0;
}

long ctl_retention_list(ctl_t *ctl, const char *list, int64_t cutoff_ms, long *undated)
{
    (void)ctl, (void)list, (void)cutoff_ms, (void)undated;
    return 0;
}

/* --- Jan's ideas, as the form sends them to storage --- */

/* Stores Jan's next idea (id jan-N), text holding his name and address;
 * returns his pid (static). */
static const char *s_store_next(void)
{
    static char pid[64];
    char id[32], text[128];
    s_written++;
    snprintf(id, sizeof id, "jan-%d", s_written);
    snprintf(text, sizeof text, "Idee %d. Mail me op " S_EMAIL ". Groeten, " S_NAME, s_written);
    idea_t idea;
    participant_t p;
    idea_init(&idea);
    participant_init(&p);
    proto_set(&idea.id, id);
    proto_set(&idea.channel, "form");
    proto_set(&idea.text, text);
    proto_set(&idea.wijk, "WK091701");
    idea_add_theme(&idea, "groen");
    idea.received_at = 1764320000000LL + s_written;
    proto_set(&p.email, S_EMAIL);
    proto_set(&p.name, S_NAME);
    int bad = 0;
    char err[256];
    assert_int_equal(store_idea(s_st, &idea, &p, &bad, err, sizeof err), 1);
    snprintf(pid, sizeof pid, "%s", idea.participant_id);
    idea_clear(&idea);
    participant_clear(&p);
    return pid;
}

/* Step 1 of the erase as storage answers it: the set is read, then (in
 * the first s_window_rounds calls) storage writes a new idea of Jan's,
 * then storage cuts the ideas read that were not cut before. */
int ctl_erase_ideas(ctl_t *ctl, const char *pid, const char *email, json_t *done, json_t *out)
{
    redisReply *ids = rstore_cmd(ctl->rs, "SMEMBERS " CTL_PREFIX "participant-ideas:%s", pid);
    assert_non_null(ids);
    if (s_window_rounds > 0) {
        s_window_rounds--;
        s_store_next();
    }
    long cut = json_integer_value(json_object_get(out, "ideas_redacted"));
    for (size_t i = 0; i < ids->elements; i++) {
        const char *id = ids->element[i]->str;
        if (json_object_get(done, id))
            continue;
        redact_msg_t m;
        redact_msg_init(&m);
        redact_msg_add_text(&m, email);
        redact_msg_add_text(&m, S_NAME);
        int bad = 0;
        char err[256];
        assert_int_equal(store_redact(s_st, id, &m, &bad, err, sizeof err), 1);
        redact_msg_clear(&m);
        json_object_set_new(done, id, json_true());
        cut++;
    }
    freeReplyObject(ids);
    json_object_set_new(out, "ideas_redacted", json_integer(cut));
    return CTL_OK;
}

/* --- the tests --- */

static int s_group_setup(void **state)
{
    (void)state;
    setenv("INSPRAAK_VAR", "/nonexistent/inspraak-test-erase-window", 1); /* no mail files */
    return test_redis_up(&s_redis, "test_erase_window", 97);
}

static int s_group_teardown(void **state)
{
    (void)state;
    return test_redis_down(&s_redis);
}

static ctl_t s_ctl;                    /* inspraakctl's connection */
static const char *s_pid;              /* Jan's pid */
static char s_ekey[CTL_EMAIL_KEY_MAX]; /* Jan's email index key */

/* Database db, Jan with his first idea stored. */
static void s_jan(int db)
{
    char url[96], err[256];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/%d", s_redis.port, db);
    s_st = store_new(url, err, sizeof err);
    assert_non_null(s_st);
    s_ctl = (ctl_t){.rs = s_st->rs, .cfg = NULL};
    s_written = 0;
    s_pid = s_store_next();
    ctl_email_key(S_EMAIL, s_ekey);
}

/* `inspraakctl participant erase jan@example.nl`, with a new idea of his
 * written in the first window_rounds rounds of step 1; its exit code, and
 * what it prints in *out (the caller's). */
static int s_erase_jan(int window_rounds, json_t **out)
{
    s_window_rounds = window_rounds;
    *out = json_object();
    return ctl_erase_person(&s_ctl, s_pid, S_EMAIL, s_ekey, *out);
}

/* 1 when the stored idea jan-n holds s (its text is in the record). */
static int s_idea_holds(int n, const char *s)
{
    redisReply *r = rstore_cmd(s_st->rs, "GET inspraak:idea:jan-%d", n);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    int found = memmem(r->str, r->len, s, strlen(s)) != NULL;
    freeReplyObject(r);
    return found;
}

/* The integer Redis answers to the command fmt (one %s: arg). */
static long long s_number(const char *fmt, const char *arg)
{
    redisReply *r = rstore_cmd(s_st->rs, fmt, arg);
    assert_non_null(r);
    long long n = r->integer;
    freeReplyObject(r);
    return n;
}

/* Jan has one idea; while the erase cuts it, storage writes his second:
 * after the erase neither holds his name or address. */
static void test_idea_written_during_the_cut_is_cut(void **state)
{
    (void)state;
    s_jan(1);
    json_t *out;
    assert_int_equal(s_erase_jan(1, &out), CTL_OK);
    assert_int_equal(s_written, 2);
    for (int n = 1; n <= 2; n++) {
        assert_false(s_idea_holds(n, S_EMAIL));
        assert_false(s_idea_holds(n, S_NAME));
        assert_true(s_idea_holds(n, "[weggehaald]"));
    }
    assert_int_equal(s_number("EXISTS inspraak:participant:%s", s_pid), 0);
    assert_int_equal(s_number("EXISTS %s", s_ekey), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "ideas_kept_anonymous")), 2);
    json_decref(out);
    store_destroy(&s_st);
}

/* New ideas of Jan's keep arriving in every round: the erase gives up
 * and deletes nothing, so running it again erases him. */
static void test_ideas_arriving_every_round_delete_nothing(void **state)
{
    (void)state;
    s_jan(2);
    json_t *out;
    assert_int_equal(s_erase_jan(1000, &out), CTL_ERR);
    json_decref(out);
    assert_int_equal(s_number("EXISTS inspraak:participant:%s", s_pid), 1);
    assert_int_equal(s_number("EXISTS %s", s_ekey), 1);
    assert_int_equal(s_number("SCARD inspraak:participant-ideas:%s", s_pid), s_written);
    assert_int_equal(s_number("HEXISTS inspraak:people:pids %s", s_pid), 1);
    assert_int_equal(s_erase_jan(0, &out), CTL_OK);
    json_decref(out);
    for (int n = 1; n <= s_written; n++)
        assert_false(s_idea_holds(n, S_NAME));
    assert_int_equal(s_number("EXISTS inspraak:participant:%s", s_pid), 0);
    store_destroy(&s_st);
}

/* One dead letter holding Jan's address, in database db. */
static void s_dead_letter(int db)
{
    s_jan(db);
    redisReply *r = rstore_cmd(s_st->rs, "RPUSH inspraak:deadletter %s",
                               "{\"at\":1764320000000,\"to\":\"" S_EMAIL "\"}");
    assert_non_null(r);
    freeReplyObject(r);
}

static void s_discard(void)
{
    redisReply *r = rstore_cmd(s_st->rs, "DISCARD");
    assert_non_null(r);
    freeReplyObject(r);
}

/* Redis answers LRANGE with another type than a list ("+QUEUED"): the
 * erase of Jan's address fails (CTL_ERR: exit 1), it does not report "0
 * dead letters" while his stays; run again, it removes it. */
static void test_list_reply_of_another_type_fails_the_erase(void **state)
{
    (void)state;
    s_dead_letter(3);
    redisReply *r = rstore_cmd(s_st->rs, "MULTI");
    assert_non_null(r);
    freeReplyObject(r);
    json_t *out = json_object();
    long dead = 0;
    assert_int_equal(ctl_erase_address(&s_ctl, S_EMAIL, out, &dead), CTL_ERR);
    json_decref(out);
    s_discard();
    out = json_object();
    assert_int_equal(ctl_erase_address(&s_ctl, S_EMAIL, out, &dead), CTL_OK);
    assert_int_equal(dead, 1);
    json_decref(out);
    assert_int_equal(s_number("LLEN %s", "inspraak:deadletter"), 0);
    store_destroy(&s_st);
}

/* Picks every entry and puts the connection in MULTI, so that the LREM
 * after it is answered "+QUEUED", not with a count. */
static int s_pick_then_multi(const char *entry, size_t len, void *arg)
{
    (void)entry, (void)len;
    redisReply *r = rstore_cmd(((ctl_t *)arg)->rs, "MULTI");
    assert_non_null(r);
    freeReplyObject(r);
    return 1;
}

/* Redis answers LREM with another type than a count: the walk fails, it
 * does not count the entry as 0 removed. */
static void test_remove_reply_of_another_type_fails(void **state)
{
    (void)state;
    s_dead_letter(4);
    assert_int_equal(ctl_list_remove_if(&s_ctl, "deadletter", s_pick_then_multi, &s_ctl, 1), -1);
    s_discard();
    assert_int_equal(s_number("LLEN %s", "inspraak:deadletter"), 1);
    store_destroy(&s_st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idea_written_during_the_cut_is_cut),
        cmocka_unit_test(test_ideas_arriving_every_round_delete_nothing),
        cmocka_unit_test(test_list_reply_of_another_type_fails_the_erase),
        cmocka_unit_test(test_remove_reply_of_another_type_fails),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
