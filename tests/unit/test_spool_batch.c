/*
 * NAME
 *   test_spool_batch - acks in batches, a torn ack batch, records written
 *   by the group commit
 *
 * DESCRIPTION
 *   Real files in a mkdtemp() folder, as in test_spool.c.
 *     - spool_ack_many(): duplicates, unknown, empty, over-long and NULL
 *       ids in one batch; exactly the matching ids reach acks.log, once;
 *       the acks survive a restart;
 *     - a batch torn by a crash ("x1" without its newline at the end of
 *       acks.log) acknowledges nothing, and the next ack appended behind
 *       it must not glue onto it ("x1" + "2" = "x12" would lose x12);
 *       the same torn by a full disk while the spool runs on is cut off
 *       before the next batch;
 *     - group commit: under 16 threads the records of a group reach the
 *       segment in fewer writes than records, and every one is back after
 *       a reopen;
 *     - async appends: each callback runs once with rc 0, the group hook
 *       counts them all, a durable duplicate answers 1 and gets no
 *       callback, and the records are back after a reopen;
 *     - the wakeup fd is written once per group commit at most, and not
 *       again until the sender clears it.
 *     - a full disk: an idle rotation that cannot make a new segment is
 *       not tried again at every wake-up, and succeeds once there is space.
 */
#include "test_spool_util.h"

#include <stdatomic.h>

static void s_acks_path(char *path, size_t size)
{
    snprintf(path, size, "%s/acks.log", s_dir);
}

static char *s_acks_log(size_t *len)
{
    char path[512];
    s_acks_path(path, sizeof path);
    return s_slurp(path, len);
}

static void test_ack_many(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    s_append_str(s, "f-2", "two");
    s_append_str(s, "f-3", "three");
    s_append_str(s, "f-4", "four");
    char longid[SPOOL_MAX_ID + 2];
    memset(longid, 'f', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    const char *ids[] = {"f-2", "f-2", "f-unknown", NULL, "", longid, "f-4", "f-2"};
    assert_int_equal(spool_ack_many(s, ids, sizeof ids / sizeof ids[0]), 0);
    assert_int_equal(s_stats(s).acked, 2);
    assert_int_equal(s_stats(s).pending, 2);
    assert_false(spool_has(s, "f-2"));
    assert_false(spool_has(s, "f-4"));
    assert_true(spool_has(s, "f-1"));
    size_t n;
    char *log = s_acks_log(&n);
    assert_int_equal(n, 8);
    assert_memory_equal(log, "f-2\nf-4\n", 8);
    free(log);
    assert_int_equal(spool_ack_many(s, ids, 0), 0); /* nothing: nothing written */
    log = s_acks_log(&n);
    assert_int_equal(n, 8);
    free(log);
    spool_destroy(&s);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    seen_t seen = {.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1, 100, 0, s_collect, &seen), 2);
    assert_string_equal(seen.ids[0], "f-1");
    assert_string_equal(seen.ids[1], "f-3");
    spool_destroy(&s);
}

/* The spool both torn-ack tests start from: x1, x12, 2 and f-9 appended
 * (x1 is a prefix of x12: a torn "x1" glued to the next ack would read
 * as "x12..."), f-9 acknowledged, so acks.log holds "f-9\n" (4 bytes). */
static spool_t *s_torn_ack_setup(void)
{
    spool_t *s = s_open();
    s_append_str(s, "x1", "a");
    s_append_str(s, "x12", "b");
    s_append_str(s, "2", "c");
    s_append_str(s, "f-9", "d");
    const char *f9[] = {"f-9"};
    spool_ack_many(s, f9, 1);
    return s;
}

static void test_torn_ack_batch(void **state)
{
    (void)state;
    spool_t *s = s_torn_ack_setup();
    spool_destroy(&s);
    /* The next batch, "x1\n", torn by a crash after two bytes. */
    char path[512];
    s_acks_path(path, sizeof path);
    s_append_bytes(path, "x1", 2);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 3); /* half a line acknowledges nothing */
    assert_true(spool_has(s, "x1"));
    const char *two[] = {"2"};
    spool_ack_many(s, two, 1);
    spool_destroy(&s);
    size_t n;
    char *log = s_acks_log(&n);
    assert_int_equal(n, 6);
    assert_memory_equal(log, "f-9\n2\n", 6);
    free(log);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    assert_true(spool_has(s, "x1"));
    assert_true(spool_has(s, "x12"));
    assert_false(spool_has(s, "2"));
    spool_destroy(&s);
}

/* The same, torn by a full disk while the intake runs on: the ack batch
 * "x1\n" gets only "x1" onto the disk (RLIMIT_FSIZE stands in for the
 * full disk), and the next batch, "2\n", went right behind it: "x12\n"
 * in acks.log, so after a restart the never-acknowledged x12 counted as
 * stored and was never sent again. */
static void test_ack_batch_torn_by_full_disk(void **state)
{
    (void)state;
    spool_t *s = s_torn_ack_setup(); /* acks.log: "f-9\n", 4 bytes */
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 6; /* room for "x1", not for its newline */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    const char *x1[] = {"x1"};
    spool_ack_many(s, x1, 1);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    const char *two[] = {"2"};
    spool_ack_many(s, two, 1); /* space again */
    spool_destroy(&s);

    s = s_open();
    assert_true(spool_has(s, "x12")); /* never acknowledged: still to send */
    assert_false(spool_has(s, "2"));
    assert_false(spool_has(s, "f-9"));
    spool_destroy(&s);
}

/* Lines of fd 2 that name what, while fn runs (log.c writes to fd 2). */
static int s_log_lines(const char *what, void (*fn)(spool_t *), spool_t *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/stderr.txt", s_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), saved = dup(2);
    assert_true(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    fn(s);
    dup2(saved, 2);
    close(saved);
    close(fd);
    size_t n;
    char *text = s_slurp(path, &n);
    int count = 0;
    size_t wl = strlen(what);
    for (char *p = text; (p = memmem(p, n - (size_t)(p - text), what, wl)); p++)
        count++;
    free(text);
    unlink(path);
    return count;
}

/* Ten seconds of an idle intake's wake-ups, one every 100 ms. */
static void s_idle_10s(spool_t *s)
{
    seen_t seen = {.refuse_after = -1};
    for (int64_t t = 1000; t < 11000; t += 100)
        spool_send_due(s, t, 1000, 0, s_collect, &seen);
}

/* Everything acknowledged, and the disk full: the idle rotation
 * (test_spool's test_idle_rotation) cannot make a new segment. It tried
 * again at every wake-up of the sender, ten times a second: each time a
 * file created, filled with zeros until the disk refused, deleted, and an
 * error logged (864,000 lines a day into a full disk). Now once per
 * SPOOL_ROTATE_RETRY_MS, and with space back the acknowledged segment is
 * still rotated away. */
static void test_idle_rotation_on_full_disk(void **state)
{
    (void)state;
    spool_t *s = s_open();
    seen_t seen = {.refuse_after = -1};
    s_append_str(s, "f-1", "anna@example.org");
    spool_send_due(s, 1, 1000, 0, s_collect, &seen);
    spool_ack(s, "f-1");
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 4096; /* no room for a new segment's zeros */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int failed = s_log_lines("spool rotate failed", s_idle_10s, s);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_in_range(failed, 1, 2); /* (the limit caps this log too: 25 lines fit) */
    assert_int_equal(s_count(".", "seg-"), 1); /* the old one, acknowledged */

    spool_send_due(s, 100000, 1000, 0, s_collect, &seen); /* space again */
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/seg-0000000000000001.log", s_dir);
    assert_int_equal(stat(path, &st), -1); /* rotated away and deleted */
    assert_int_equal(s_count(".", "seg-"), 1);
    s_append_str(s, "f-2", "b");
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 1);
    assert_true(spool_has(s, "f-2"));
    spool_destroy(&s);
}

#define THREADS 16
#define PER_THREAD 200

static void *s_writer(void *arg)
{
    spool_t *s = ((void **)arg)[0];
    int t = (int)(intptr_t)((void **)arg)[1];
    char id[32], payload[64];
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(id, sizeof id, "g-%d-%d", t, i);
        snprintf(payload, sizeof payload, "payload %d of thread %d", i, t);
        if (spool_append(s, id, payload, strlen(payload)) != 0)
            return (void *)1;
    }
    return NULL;
}

/* Records that arrive while an fdatasync runs are written by the fsync
 * thread in one write with the rest of their group: fewer writes than
 * records, and each one is whole on disk. */
static void test_group_write(void **state)
{
    (void)state;
    spool_t *s = s_open();
    pthread_t th[THREADS];
    void *args[THREADS][2];
    for (int t = 0; t < THREADS; t++) {
        args[t][0] = s;
        args[t][1] = (void *)(intptr_t)t;
        assert_int_equal(pthread_create(&th[t], NULL, s_writer, args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        void *rc;
        pthread_join(th[t], &rc);
        assert_null(rc);
    }
    spool_stats_t st = s_stats(s);
    assert_int_equal(st.appended, THREADS * PER_THREAD);
    assert_true(st.writes > 0);
    assert_true(st.writes < st.appended);
    spool_destroy(&s);

    s = s_open();
    assert_int_equal(s_stats(s).pending, THREADS * PER_THREAD);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i += 37) {
            char id[32];
            snprintf(id, sizeof id, "g-%d-%d", t, i);
            assert_true(spool_has(s, id));
        }
    spool_destroy(&s);
}

typedef struct {
    _Atomic int calls, bad;
    _Atomic size_t ok, failed;
} async_t;

static void s_done(void *arg, int rc, int err)
{
    async_t *a = arg;
    (void)err;
    if (rc != 0)
        a->bad++;
    a->calls++;
}

static void s_group(void *arg, size_t ok, size_t failed)
{
    async_t *a = arg;
    a->ok += ok;
    a->failed += failed;
}

static void test_async_answers(void **state)
{
    (void)state;
    spool_t *s = s_open();
    async_t a = {0};
    spool_set_group_fn(s, s_group, &a);
    char id[32];
    for (int i = 0; i < 500; i++) {
        snprintf(id, sizeof id, "a-%d", i);
        assert_int_equal(spool_append_new_async(s, id, "payload", 7, s_done, &a), 0);
    }
    while (a.calls < 500)
        usleep(1000); /* no time limit: a missing answer hangs the test */
    assert_int_equal(a.bad, 0);
    assert_int_equal(a.ok, 500);
    assert_int_equal(a.failed, 0);
    assert_int_equal(spool_append_new_async(s, "a-7", "again", 5, s_done, &a), 1);
    assert_int_equal(spool_append_new_async(s, "bad id", "x", 1, s_done, &a), -1);
    spool_destroy(&s);
    assert_int_equal(a.calls, 500); /* neither of the last two was answered */

    s = s_open();
    assert_int_equal(s_stats(s).pending, 500);
    assert_true(spool_has(s, "a-499"));
    spool_destroy(&s);
}

/* The wakeup fd is written once until the sender clears it: a sender
 * that does not read it (its bus is full) costs the fsync thread no write
 * per group, and an append after a clear wakes it again. */
static void test_wakeup_once_until_cleared(void **state)
{
    (void)state;
    spool_t *s = s_open();
    struct pollfd pfd = {.fd = spool_wakeup_fd(s), .events = POLLIN};
    spool_stats_t st;
    spool_stats(s, &st);
    uint64_t w0 = st.wakeups;
    s_append_str(s, "f-a", "a");
    s_append_str(s, "f-b", "b"); /* returns after its own fsync: a second group */
    s_append_str(s, "f-c", "c");
    spool_stats(s, &st);
    assert_int_equal(st.fsyncs >= 3, 1);
    assert_int_equal(st.wakeups - w0, 1);
    assert_int_equal(poll(&pfd, 1, 0), 1);
    spool_clear_wakeup(s);
    assert_int_equal(poll(&pfd, 1, 0), 0);
    s_append_str(s, "f-d", "d");
    assert_int_equal(poll(&pfd, 1, 0), 1);
    spool_stats(s, &st);
    assert_int_equal(st.wakeups - w0, 2);
    spool_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ack_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_ack_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_batch_torn_by_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_rotation_on_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wakeup_once_until_cleared, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
