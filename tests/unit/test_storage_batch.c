/*
 * NAME
 *   test_storage_batch - a batch script call leaves what one call per idea
 *   leaves
 *
 * DESCRIPTION
 *   A real redis-server (tests/unit/test_redis_util.h) on INSPRAAK_TEST_PORTS'
 *   first port + 95 (else 26095). The same 60 ideas (varied wijken, one to
 *   three themes, channels, sentiments, statuses, some with a participant)
 *   are stored one at a time with store_idea() into database 1, and with
 *   store_ideas() in batches of 16 into database 2, where some ideas were
 *   already stored and one id comes twice within a batch. Then every key
 *   of both databases is compared: type, encoding and value (hash fields in
 *   Redis's own order, zsets with scores, sets). It also checks that the
 *   batch answers 1 for new and 0 for stored ideas, and that storing the
 *   whole lot again changes nothing (a re-send never counts twice), and
 *   that two storage instances writing the same ideas at the same moment
 *   store and count each once (a batch's EXEC is guarded by a WATCH of
 *   its records).
 *   store.c lives in services/storage/, which unit tests do not link, so
 *   it is included here.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/storage/store.c"
#include "../../services/storage/store_batch.c"
#include "../../services/storage/store_erased.c"
#include "../../services/storage/store_pairs.c"
#include "../../services/storage/store_people.c"
#include "../../services/storage/store_shown.c"
#include "../../services/storage/store_record.c"
#include "../../services/storage/store_redact.c"
#include "../../services/storage/store_write.c"
#include "test_redis_util.h"

#define N_IDEAS 60
#define BATCH 16

static int s_port;
static pid_t s_pid;
static char s_dir[64];

static int s_group_setup(void **state)
{
    (void)state;
    const char *range = getenv("INSPRAAK_TEST_PORTS");
    s_port = (range && atoi(range) > 0 ? atoi(range) : 26000) + 95;
    snprintf(s_dir, sizeof s_dir, "/tmp/test_storage_batch_XXXXXX");
    if (!mkdtemp(s_dir))
        return -1;
    s_pid = test_redis_start(s_port, s_dir, NULL);
    return s_pid > 0 ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    test_redis_stop(&s_pid);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static store_t *s_store(int db)
{
    char url[96], err[256];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/%d", s_port, db);
    store_t *st = store_new(url, err, sizeof err);
    assert_non_null(st);
    return st;
}

/* Idea k of the test set; participant (name only, so its id comes from
 * the idea id and is the same in both databases) for every fifth. */
static void s_make(idea_t *idea, participant_t *p, int k)
{
    static const char *const wijk[] = {"WK091701", "WK091712", "WK091733", NULL};
    static const char *const theme[] = {"groen", "wonen", "mobiliteit", "zorg", "jeugd"};
    static const char *const chan[] = {"form", "email", "field"};
    static const char *const senti[] = {"positief", "neutraal", "negatief"};
    static const char *const status[] = {"new", "approved", NULL};
    char id[32];
    idea_init(idea);
    participant_init(p);
    snprintf(id, sizeof id, "f-%04d", k);
    proto_set(&idea->id, id);
    proto_set(&idea->channel, chan[k % 3]);
    proto_set(&idea->text, "Meer bomen in de straat");
    if (wijk[k % 4])
        proto_set(&idea->wijk, wijk[k % 4]);
    proto_set(&idea->sentiment, senti[k % 3]);
    if (status[k % 3])
        proto_set(&idea->status, status[k % 3]);
    for (int t = 0; t <= k % 3; t++)
        idea_add_theme(idea, theme[(k + 2 * t) % 5]);
    idea->received_at = 1764320000000LL + (int64_t)k * 3600 * 1000 * 7;
    if (k % 5 == 0) {
        proto_set(&p->name, k % 10 ? "Anna" : "Bram");
        p->consent_feedback = k % 10 == 0;
        p->consent_at = p->consent_feedback ? 1764320000000LL : 0;
    }
}

static void s_free(idea_t *ideas, participant_t *ps, int n)
{
    for (int i = 0; i < n; i++) {
        idea_clear(&ideas[i]);
        participant_clear(&ps[i]);
    }
}

static gint s_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends one line per key of db (sorted keys) with type, encoding, value. */
static char *s_dump(int db)
{
    redisContext *c = redisConnect("127.0.0.1", s_port);
    assert_non_null(c);
    redisReply *r = redisCommand(c, "SELECT %d", db);
    freeReplyObject(r);
    GString *out = g_string_new(NULL);
    redisReply *keys = redisCommand(c, "KEYS *");
    assert_int_equal(keys->type, REDIS_REPLY_ARRAY);
    GPtrArray *names = g_ptr_array_new();
    for (size_t i = 0; i < keys->elements; i++)
        g_ptr_array_add(names, keys->element[i]->str);
    g_ptr_array_sort(names, s_cmp);
    for (guint i = 0; i < names->len; i++) {
        const char *k = g_ptr_array_index(names, i);
        redisReply *t = redisCommand(c, "TYPE %s", k),
                   *e = redisCommand(c, "OBJECT ENCODING %s", k);
        g_string_append_printf(out, "%s %s %s:", k, t->str, e->str);
        const char *cmd = strcmp(t->str, "string") == 0 ? "GET %s"
                          : strcmp(t->str, "zset") == 0 ? "ZRANGE %s 0 -1 WITHSCORES"
                          : strcmp(t->str, "hash") == 0 ? "HGETALL %s"
                                                        : "SORT %s ALPHA";
        redisReply *v = redisCommand(c, cmd, k);
        if (v->type == REDIS_REPLY_STRING) { /* MessagePack: as hex */
            for (size_t j = 0; j < v->len; j++)
                g_string_append_printf(out, "%02x", (unsigned char)v->str[j]);
        } else {
            for (size_t j = 0; j < v->elements; j++) {
                /* created_at is the clock at the time of storing */
                if (strcmp(t->str, "hash") == 0 && j % 2 == 0 &&
                    strcmp(v->element[j]->str, "created_at") == 0) {
                    j++;
                    continue;
                }
                g_string_append_printf(out, " %s", v->element[j]->str);
            }
        }
        g_string_append_c(out, '\n');
        freeReplyObject(t);
        freeReplyObject(e);
        freeReplyObject(v);
    }
    g_ptr_array_free(names, TRUE);
    freeReplyObject(keys);
    redisFree(c);
    return g_string_free(out, FALSE);
}

static void test_batch_equals_one_by_one(void **state)
{
    (void)state;
    idea_t ideas[N_IDEAS + 1];
    participant_t ps[N_IDEAS + 1];
    int bad[N_IDEAS + 1], res[N_IDEAS + 1];
    char err[256];
    store_t *one = s_store(1), *batch = s_store(2);

    /* Ideas 3 and 20 are stored first (in the batch database they are
     * then re-sends; the order in which hash fields first appear is part
     * of what is compared). */
    for (int k = 0; k < N_IDEAS; k++)
        s_make(&ideas[k], &ps[k], k);
    for (int k = 0; k < N_IDEAS + 2; k++) {
        int i = k == 0 ? 3 : k == 1 ? 20 : k - 2;
        int want = k >= 2 && (i == 3 || i == 20) ? 0 : 1;
        assert_int_equal(store_idea(one, &ideas[i], &ps[i], &bad[0], err, sizeof err), want);
    }
    s_free(ideas, ps, N_IDEAS);

    /* The same, in batches; idea 7 comes twice in the first batch (index 7
     * and the extra last one). */
    for (int k = 0; k < N_IDEAS; k++)
        s_make(&ideas[k], &ps[k], k);
    assert_int_equal(store_idea(batch, &ideas[3], &ps[3], &bad[0], err, sizeof err), 1);
    assert_int_equal(store_idea(batch, &ideas[20], &ps[20], &bad[0], err, sizeof err), 1);
    idea_t *ptr[BATCH + 1];
    const participant_t *pp[BATCH + 1];
    for (int first = 0; first < N_IDEAS; first += BATCH) {
        int n = first + BATCH <= N_IDEAS ? BATCH : N_IDEAS - first;
        for (int i = 0; i < n; i++)
            ptr[i] = &ideas[first + i], pp[i] = &ps[first + i];
        if (first == 0) {
            s_make(&ideas[N_IDEAS], &ps[N_IDEAS], 7);
            ptr[n] = &ideas[N_IDEAS], pp[n] = &ps[N_IDEAS];
            n++;
        }
        assert_int_equal(store_ideas(batch, ptr, pp, n, res, bad, err, sizeof err), n);
        for (int i = 0; i < n; i++) {
            int k = first + i;
            int want = (k == 3 || k == 20 || (first == 0 && i == n - 1)) ? 0 : 1;
            assert_int_equal(res[i], want);
        }
    }
    char *a = s_dump(1), *b = s_dump(2);
    if (strcmp(a, b) != 0) { /* for the reader of a failure: diff them */
        g_file_set_contents("/tmp/test_storage_batch.one", a, -1, NULL);
        g_file_set_contents("/tmp/test_storage_batch.batch", b, -1, NULL);
    }
    assert_true(strstr(a, "inspraak:pair:counted hash listpack: ideas 60\n") != NULL);
    assert_string_equal(a, b);

    /* All of it again, in one batch of 60: nothing new, nothing counted twice. */
    idea_t *all[N_IDEAS];
    const participant_t *allp[N_IDEAS];
    for (int i = 0; i < N_IDEAS; i++)
        all[i] = &ideas[i], allp[i] = &ps[i];
    assert_int_equal(store_ideas(batch, all, allp, N_IDEAS, res, bad, err, sizeof err), N_IDEAS);
    for (int i = 0; i < N_IDEAS; i++)
        assert_int_equal(res[i], 0);
    char *again = s_dump(2);
    assert_string_equal(a, again);

    free(a);
    free(b);
    free(again);
    s_free(ideas, ps, N_IDEAS + 1);
    store_destroy(&one);
    store_destroy(&batch);
}

/* After a Redis restart the script cache is empty: the batch loads its
 * script again (NOSCRIPT) and stores. */
static void test_batch_after_script_flush(void **state)
{
    (void)state;
    idea_t idea;
    participant_t p;
    int res[1], bad[1];
    char err[256];
    store_t *st = s_store(3);
    s_make(&idea, &p, 1);
    idea_t *ptr[1] = {&idea};
    assert_int_equal(store_ideas(st, ptr, NULL, 1, res, bad, err, sizeof err), 1);
    redisContext *c = redisConnect("127.0.0.1", s_port);
    freeReplyObject(redisCommand(c, "SCRIPT FLUSH"));
    redisFree(c);
    s_free(&idea, &p, 1);
    s_make(&idea, &p, 2);
    assert_int_equal(store_ideas(st, ptr, NULL, 1, res, bad, err, sizeof err), 1);
    assert_int_equal(res[0], 1);
    s_free(&idea, &p, 1);
    store_destroy(&st);
}

#define N_RACE 200
#define RACE_ROUNDS 8

typedef struct {
    store_t *st;
    int first; /* idea numbers first .. first + N_RACE - 1 */
    int stored;
} s_racer_t;

/* Stores the race's ideas in batches of 50 and counts its 1s. */
static void *s_race(void *arg)
{
    s_racer_t *r = arg;
    idea_t ideas[N_RACE];
    participant_t ps[N_RACE];
    idea_t *ptr[N_RACE];
    int res[N_RACE], bad[N_RACE];
    char err[256];
    for (int i = 0; i < N_RACE; i++) {
        s_make(&ideas[i], &ps[i], r->first + i);
        ptr[i] = &ideas[i];
    }
    for (int i = 0; i < N_RACE; i += 50) {
        int got = store_ideas(r->st, ptr + i, NULL, 50, res, bad, err, sizeof err);
        for (int k = 0; got == 50 && k < 50; k++)
            r->stored += res[k];
        if (got != 50)
            r->stored = -100000; /* a failure: the test below says so */
    }
    s_free(ideas, ps, N_RACE);
    return NULL;
}

static long long s_int(redisContext *c, const char *cmd)
{
    redisReply *r = redisCommand(c, cmd);
    long long v = r->type == REDIS_REPLY_INTEGER  ? r->integer
                  : r->type == REDIS_REPLY_STRING ? atoll(r->str)
                                                  : -1;
    freeReplyObject(r);
    return v;
}

/* Two instances, the same ideas, the same moment: each idea is stored by
 * one of them and counted once, whoever wins each batch. */
static void test_two_instances_store_once(void **state)
{
    (void)state;
    redisContext *c = redisConnect("127.0.0.1", s_port);
    freeReplyObject(redisCommand(c, "SELECT 4"));
    for (int round = 0; round < RACE_ROUNDS; round++) {
        s_racer_t a = {s_store(4), 10000 + round * N_RACE, 0};
        s_racer_t b = {s_store(4), 10000 + round * N_RACE, 0};
        pthread_t ta, tb;
        assert_int_equal(pthread_create(&ta, NULL, s_race, &a), 0);
        assert_int_equal(pthread_create(&tb, NULL, s_race, &b), 0);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        assert_int_equal(a.stored + b.stored, N_RACE);
        long long want = (long long)(round + 1) * N_RACE;
        assert_int_equal(s_int(c, "ZCARD inspraak:ideas"), want);
        assert_int_equal(s_int(c, "HGET inspraak:pair:counted ideas"), want);
        long long channels = s_int(c, "HGET inspraak:stats:channel form") +
                             s_int(c, "HGET inspraak:stats:channel email") +
                             s_int(c, "HGET inspraak:stats:channel field");
        assert_int_equal(channels, want);
        store_destroy(&a.st);
        store_destroy(&b.st);
    }
    redisFree(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_equals_one_by_one),
        cmocka_unit_test(test_batch_after_script_flush),
        cmocka_unit_test(test_two_instances_store_once),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
