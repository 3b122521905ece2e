/*
 * NAME
 *   test_spool - the running spool: append, ack, trim, group commit, sends
 *
 * DESCRIPTION
 *   Real files in a mkdtemp() folder. Covers append/reopen, bad input, ack
 *   and trim, write failures, pre-allocated segments, rotation, group
 *   commit under 16 threads, idle rotation and many pending records. The
 *   send schedule is in test_spool_send.c; what replay makes of a crashed
 *   or damaged folder is in test_spool_replay.c.
 */
#include "test_spool_util.h"

static void test_append_reopen(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    s_append_str(s, "f-2", "two");
    s_append_str(s, "f-3", "three");
    assert_int_equal(s_stats(s).appended, 3);
    assert_int_equal(s_stats(s).pending, 3);
    assert_true(s_stats(s).fsyncs >= 1);
    assert_true(spool_has(s, "f-2"));
    assert_false(spool_has(s, "f-4"));
    spool_destroy(&s);
    assert_null(s);

    s = s_open();
    assert_int_equal(s_stats(s).replayed, 3);
    assert_int_equal(s_stats(s).pending, 3);
    seen_t seen = {.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1000, 100, 0, s_collect, &seen), 3);
    assert_string_equal(seen.ids[0], "f-1");
    assert_string_equal(seen.data[0], "one");
    assert_string_equal(seen.ids[2], "f-3");
    assert_string_equal(seen.data[2], "three");
    spool_destroy(&s);
}

static void test_bad_input(void **state)
{
    (void)state;
    spool_t *s = s_open();
    errno = 0;
    assert_int_equal(spool_append(s, "has space", "x", 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(spool_append(s, "", "x", 1), -1);
    assert_int_equal(spool_append(s, "bad\nid", "x", 1), -1);
    char longid[SPOOL_MAX_ID + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(spool_append(s, longid, "x", 1), -1);
    assert_int_equal(spool_append(s, "f-big", "x", SPOOL_MAX_RECORD + 1), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(s_stats(s).pending, 0);
    /* A second process (here: a second open) must not share the folder. */
    char err[256] = "";
    assert_null(spool_new(s_dir, err, sizeof err));
    assert_non_null(strstr(err, "in use"));
    spool_destroy(&s);
    spool_destroy(&s); /* idempotent */
}

/* spool_append_new writes an id only when no durable copy is pending: a
 * retried submission is not spooled twice; after its ack it is written
 * again (and sent; storage, idempotent on the id, ignores it). */
static void test_append_new(void **state)
{
    (void)state;
    spool_t *s = s_open();
    assert_int_equal(spool_append_new(s, "f-1", "one", 3), 0);
    assert_int_equal(spool_append_new(s, "f-1", "one again", 9), 1);
    assert_int_equal(s_stats(s).appended, 1);
    assert_int_equal(s_stats(s).pending, 1);
    assert_int_equal(spool_append_new(s, "bad id", "x", 1), -1);
    assert_int_equal(errno, EINVAL);
    spool_ack(s, "f-1");
    assert_int_equal(spool_append_new(s, "f-1", "later", 5), 0);
    assert_int_equal(s_stats(s).appended, 2);
    seen_t seen = {.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1, 100, 0, s_collect, &seen), 1);
    assert_string_equal(seen.data[0], "later");
    spool_destroy(&s);
}

static void test_ack_trim(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-a", "a");
    s_append_str(s, "f-b", "b");
    s_append_str(s, "f-c", "c");
    spool_destroy(&s);

    /* Reopen: the old segment is now read-only; acking all of it deletes it. */
    s = s_open();
    assert_int_equal(s_count(".", "seg-"), 2);
    assert_int_equal(spool_ack(s, "f-b"), 0);
    assert_int_equal(spool_ack(s, "f-b"), 0); /* twice is harmless */
    assert_int_equal(spool_ack(s, "f-unknown"), 0);
    assert_int_equal(s_stats(s).acked, 1);
    assert_int_equal(s_stats(s).pending, 2);
    assert_false(spool_has(s, "f-b"));
    spool_destroy(&s);

    s = s_open(); /* the ack survived: f-b is not pending again */
    assert_int_equal(s_stats(s).pending, 2);
    assert_false(spool_has(s, "f-b"));
    seen_t seen = {.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1, 100, 0, s_collect, &seen), 2);
    assert_string_equal(seen.ids[0], "f-a");
    assert_string_equal(seen.ids[1], "f-c");
    spool_ack(s, "f-a");
    spool_ack(s, "f-c");
    assert_int_equal(s_stats(s).pending, 0);
    /* Only the active segment is left, and acks.log no longer lists ids
     * whose segments are gone. */
    assert_int_equal(s_count(".", "seg-"), 1);
    assert_int_equal(s_stats(s).segments, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/acks.log", s_dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    spool_destroy(&s);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 0);
    spool_destroy(&s);
}

/* acks.log is rewritten on every trim; like the segments it is 0640 under
 * any umask (before, the rewrite made it 0644 under umask 022). */
static void test_file_modes(void **state)
{
    (void)state;
    mode_t old = umask(022);
    spool_t *s = s_open();
    s_append_str(s, "f-a", "a");
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(spool_ack(s, "f-a"), 0); /* its segment goes: acks.log rewritten */
    s_append_str(s, "f-b", "b");
    umask(old);
    DIR *d = opendir(s_dir);
    assert_non_null(d);
    int seen = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", s_dir, e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISREG(st.st_mode) && (st.st_mode & 0777) != 0640)
            fail_msg("%s has mode %o, want 640", e->d_name, st.st_mode & 0777);
        seen += strcmp(e->d_name, "acks.log") == 0;
    }
    closedir(d);
    assert_int_equal(seen, 1);
    spool_destroy(&s);
}

static void test_duplicate_id(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "e-dup", "first");
    s_append_str(s, "e-dup", "again");
    assert_int_equal(s_stats(s).pending, 2);
    spool_ack(s, "e-dup");
    assert_int_equal(s_stats(s).pending, 0);
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 0);
    spool_destroy(&s);
}

/* A write that fails halfway (here: the file size limit, as with a full
 * disk) fails only that append, and leaves no garbage that would make the
 * segment look damaged at the next start. Inside the pre-allocated zeros a
 * full disk cannot stop a write, so the record here is bigger than what is
 * left of them: it must extend the file, and that fails. */
static void test_write_failure(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    char seg[512];
    s_newest(seg, sizeof seg);
    off_t alloc = s_size(seg);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = (rlim_t)alloc + 100;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    size_t big_len = (size_t)alloc + 1000;
    char *big = malloc(big_len);
    assert_non_null(big);
    memset(big, 'b', big_len);
    errno = 0;
    int rc = spool_append(s, "f-2", big, big_len);
    int e = errno;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    free(big);
    assert_int_equal(rc, -1);
    assert_int_equal(e, EFBIG);
    assert_false(spool_has(s, "f-2"));
    s_append_str(s, "f-3", "three");
    assert_int_equal(s_stats(s).pending, 2);
    spool_destroy(&s);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    assert_true(spool_has(s, "f-1"));
    assert_true(spool_has(s, "f-3"));
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    spool_destroy(&s);
}

/* Segments are pre-allocated: appends overwrite zeros that are already
 * part of the file, so the file does not grow per append (which is what
 * lets fdatasync skip the journal), and the records sit at its start. */
static void test_preallocated(void **state)
{
    (void)state;
    spool_t *s = s_open();
    char seg[512];
    s_newest(seg, sizeof seg);
    off_t alloc = s_size(seg);
    assert_true(alloc >= 64 * 1024);
    assert_true(s_zero_from(seg, 0));
    s_append_str(s, "f-1", "one");
    s_append_str(s, "f-2", "two");
    assert_int_equal(s_size(seg), alloc);
    size_t end = s_data_end(seg);
    assert_true(end > 0 && end < 200);
    /* More records than the first zeros hold: zeros are added ahead. */
    char *payload = malloc(64 * 1024);
    assert_non_null(payload);
    memset(payload, 'p', 64 * 1024);
    char id[32];
    int n = (int)(alloc / (64 * 1024)) + 2;
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "p-%d", i);
        assert_int_equal(spool_append(s, id, payload, 64 * 1024), 0);
    }
    free(payload);
    assert_true(s_size(seg) > alloc);
    assert_true(s_data_end(seg) < (size_t)s_size(seg));
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, (uint64_t)n + 2);
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    spool_destroy(&s);
}

static void test_rotation(void **state)
{
    (void)state;
    size_t big = 1024 * 1024;
    char *payload = malloc(big);
    assert_non_null(payload);
    memset(payload, 'p', big);
    spool_t *s = s_open();
    char id[32];
    for (int i = 0; i < 9; i++) {
        snprintf(id, sizeof id, "t-%d", i);
        assert_int_equal(spool_append(s, id, payload, big), 0);
    }
    /* 9 MiB at 4 MiB per segment: at least three files. */
    assert_true(s_count(".", "seg-") >= 3);
    assert_int_equal((int)s_stats(s).segments, s_count(".", "seg-"));
    spool_destroy(&s);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 9);
    for (int i = 0; i < 9; i++) {
        snprintf(id, sizeof id, "t-%d", i);
        spool_ack(s, id);
    }
    assert_int_equal(s_count(".", "seg-"), 1);
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 0);
    spool_destroy(&s);
    free(payload);
}

#define THREADS 16
#define PER_THREAD 200

typedef struct {
    spool_t *s;
    int t;
    int failed;
} worker_t;

static void *s_worker(void *arg)
{
    worker_t *w = arg;
    /* 3200 x 2 KiB: the segments also rotate while threads append. */
    char id[32], data[2048];
    memset(data, '.', sizeof data);
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(id, sizeof id, "c-%d-%d", w->t, i);
        snprintf(data, 64, "thread %d item %d", w->t, i);
        if (spool_append(w->s, id, data, sizeof data) != 0)
            w->failed++;
    }
    return NULL;
}

static void test_group_commit(void **state)
{
    (void)state;
    spool_t *s = s_open();
    pthread_t th[THREADS];
    worker_t w[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker_t){.s = s, .t = t};
        assert_int_equal(pthread_create(&th[t], NULL, s_worker, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(w[t].failed, 0);
    }
    spool_stats_t st = s_stats(s);
    assert_int_equal(st.appended, THREADS * PER_THREAD);
    /* Concurrent appends shared fsyncs. */
    assert_true(st.fsyncs < st.appended);
    assert_true(st.segments >= 2);
    print_message("group commit: %llu appends, %llu fsyncs, %llu segments\n",
                  (unsigned long long)st.appended, (unsigned long long)st.fsyncs,
                  (unsigned long long)st.segments);
    spool_destroy(&s);

    s = s_open();
    assert_int_equal(s_stats(s).pending, THREADS * PER_THREAD);
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    char id[32];
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            snprintf(id, sizeof id, "c-%d-%d", t, i);
            assert_true(spool_has(s, id));
        }
    spool_destroy(&s);
}

/* An acknowledged submission does not stay on disk in the segment being
 * written: once everything in it is acked and nothing was written since
 * the previous spool_send_due, it is rotated away and deleted (erase of
 * personal data, docs/privacy.md). A busy segment is left alone. */
static void test_idle_rotation(void **state)
{
    (void)state;
    spool_t *s = s_open();
    seen_t seen = {.refuse_after = -1};
    s_append_str(s, "f-secret", "anna@example.org");
    s_append_str(s, "f-other", "b");
    spool_send_due(s, 1, 100, 0, s_collect, &seen);
    spool_ack(s, "f-secret");
    spool_send_due(s, 2, 100000, 0, s_collect, &seen); /* f-other pending: kept */
    spool_send_due(s, 3, 100000, 0, s_collect, &seen);
    assert_int_equal(s_count(".", "seg-"), 1);
    spool_ack(s, "f-other");
    s_append_str(s, "f-new", "c"); /* written since: not idle yet */
    spool_ack(s, "f-new");
    spool_send_due(s, 4, 100000, 0, s_collect, &seen);
    assert_int_equal(s_count(".", "seg-"), 1);
    spool_send_due(s, 5, 100000, 0, s_collect, &seen); /* idle, all acked: rotated */
    assert_int_equal(s_count(".", "seg-"), 1);
    assert_int_equal(s_stats(s).segments, 1);
    /* The one left is the new segment, with no record in it (only its
     * pre-allocated zeros). */
    char path[512];
    snprintf(path, sizeof path, "%s/seg-0000000000000002.log", s_dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(s_zero_from(path, 0));
    /* Nothing to rotate in an empty segment: it stays. */
    spool_send_due(s, 6, 100000, 0, s_collect, &seen);
    assert_int_equal(stat(path, &st), 0);
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 0);
    spool_destroy(&s);
}

/* Many pending records (a long storage outage): lookups and acks stay
 * right while the id hash grows past its starting size, and after a
 * restart. */
#define MANY_THREADS 16
#define MANY_PER_THREAD 600

static void *s_many_worker(void *arg)
{
    worker_t *w = arg;
    char id[32];
    for (int i = 0; i < MANY_PER_THREAD; i++) {
        snprintf(id, sizeof id, "m-%d-%d", w->t, i);
        if (spool_append(w->s, id, id, strlen(id)) != 0)
            w->failed++;
    }
    return NULL;
}

static void test_many_pending(void **state)
{
    (void)state;
    spool_t *s = s_open();
    pthread_t th[MANY_THREADS];
    worker_t w[MANY_THREADS];
    for (int t = 0; t < MANY_THREADS; t++) {
        w[t] = (worker_t){.s = s, .t = t};
        assert_int_equal(pthread_create(&th[t], NULL, s_many_worker, &w[t]), 0);
    }
    for (int t = 0; t < MANY_THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(w[t].failed, 0);
    }
    char id[32];
    for (int t = 0; t < MANY_THREADS; t++)
        for (int i = 0; i < MANY_PER_THREAD; i++) {
            snprintf(id, sizeof id, "m-%d-%d", t, i);
            assert_true(spool_has(s, id));
            if (i % 2)
                spool_ack(s, id);
        }
    assert_false(spool_has(s, "m-0-1"));
    assert_true(spool_has(s, "m-0-2"));
    assert_false(spool_has(s, "m-99-0"));
    assert_int_equal(s_stats(s).pending, MANY_THREADS * MANY_PER_THREAD / 2);
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, MANY_THREADS * MANY_PER_THREAD / 2);
    assert_true(spool_has(s, "m-15-598"));
    assert_false(spool_has(s, "m-15-599"));
    spool_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preallocated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_pending, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
