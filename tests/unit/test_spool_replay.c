/*
 * NAME
 *   test_spool_replay - what the spool finds again after a crash or damage
 *
 * DESCRIPTION
 *   Real files in a mkdtemp() folder, patched by hand the way a crash or a
 *   bad disk would leave them. Segments are pre-allocated with zeros, so
 *   the cases are: the zero tail is the end of the data (newest and older
 *   segments), a torn record in front of the zeros is cut, zeros in the
 *   middle with records after them are damage (nothing after them is
 *   lost), a spool reopened after a crash appends after every good record
 *   and never inside the old data, a bad record in the middle sends the
 *   segment to corrupt/ with its good records rescued, a start on a full
 *   disk still opens and sends the backlog, and a child killed
 *   with SIGKILL while appending loses nothing it reported as accepted.
 */
#include "test_spool_util.h"

static void test_torn_tail(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    s_append_str(s, "f-2", "two");
    spool_destroy(&s);
    char seg[512];
    s_newest(seg, sizeof seg);
    size_t good = s_data_end(seg);
    /* Half a record: a header that promises more bytes than follow, and
     * after it the pre-allocated zeros. */
    const char torn[] = "ISP1\x40\x00\x00\x00\x12\x34\x56\x78\x03\x00"
                        "f-3par";
    s_write_at(seg, good, torn, sizeof torn - 1);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    assert_int_equal(s_size(seg), (off_t)good); /* cut back to the last good record */
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    s_append_str(s, "f-3", "three");
    spool_destroy(&s);

    /* A complete record whose crc is wrong, at the very end: also torn. */
    s_newest(seg, sizeof seg);
    good = s_data_end(seg);
    const char badcrc[] = "ISP1\x06\x00\x00\x00\x00\x00\x00\x00\x03\x00"
                          "f-4x";
    s_write_at(seg, good, badcrc, sizeof badcrc - 1);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 3);
    assert_false(spool_has(s, "f-4"));
    assert_int_equal(s_size(seg), (off_t)good);
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    spool_destroy(&s);
}

/* A restart on a full disk (RLIMIT_FSIZE stands in for it): every start
 * makes a new segment, and when that failed the spool did not open at
 * all, so the intake could not start and its accepted backlog waited for
 * an operator, although sending it (storage's acks trim the segments)
 * would free the space. Now it starts, sends, takes acks; appends fail
 * (the caller answers with an error) until there is room again. */
static void test_start_on_full_disk(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    s_append_str(s, "f-2", "two");
    spool_destroy(&s);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 4096; /* no room for a new segment's zeros */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char err[256] = "";
    s = spool_new(s_dir, err, sizeof err);
    int rc = -1;
    seen_t seen = {.refuse_after = -1};
    if (s) {
        spool_send_due(s, 1, 1000, 0, s_collect, &seen);
        rc = spool_append(s, "f-3", "three", 5);
        spool_ack(s, "f-1");
        spool_ack(s, "f-2");
    }
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    if (!s)
        fail_msg("spool_new on a full disk: %s", err);
    assert_int_equal(seen.n, 2); /* the backlog went out */
    assert_int_equal(rc, -1);    /* no room: not accepted */
    assert_false(spool_has(s, "f-3"));
    assert_int_equal(s_count(".", "seg-"), 0); /* acknowledged: its room is free */
    s_append_str(s, "f-4", "four"); /* room again */
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 1);
    assert_true(spool_has(s, "f-4"));
    spool_destroy(&s);
}

static void test_corrupt_middle(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-a", "payload-a");
    s_append_str(s, "f-b", "payload-b");
    s_append_str(s, "f-c", "payload-c");
    spool_destroy(&s);
    char seg[512];
    s_newest(seg, sizeof seg);
    /* Damage f-b's payload: its crc no longer matches. */
    char buf[512];
    int fd = open(seg, O_RDWR);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, sizeof buf);
    assert_true(n > 0);
    char *hit = memmem(buf, (size_t)n, "payload-b", 9);
    assert_non_null(hit);
    assert_int_equal(pwrite(fd, "X", 1, hit - buf), 1);
    close(fd);

    s = s_open();
    /* The damaged file is kept in corrupt/, and the good records on both
     * sides of the damage are still pending. */
    assert_int_equal(s_count("corrupt", "seg-"), 1);
    assert_int_equal(access(seg, F_OK), -1);
    assert_int_equal(s_stats(s).pending, 2);
    assert_true(spool_has(s, "f-a"));
    assert_false(spool_has(s, "f-b"));
    assert_true(spool_has(s, "f-c"));
    spool_destroy(&s);

    /* They were written again into a healthy segment: a second restart
     * still has them, and corrupt/ did not grow. */
    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    seen_t seen = {.refuse_after = -1};
    spool_send_due(s, 1, 100, 0, s_collect, &seen);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.data[0], "payload-a");
    assert_string_equal(seen.data[1], "payload-c");
    assert_int_equal(s_count("corrupt", "seg-"), 1);
    spool_destroy(&s);
}

/* The zeros after the last record are the end of the data, in the newest
 * segment and in older ones alike: no cut, nothing moved to corrupt/. */
static void test_zero_tail_is_end(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    s_append_str(s, "f-2", "two");
    spool_destroy(&s);
    char seg[512];
    s_newest(seg, sizeof seg);
    off_t size = s_size(seg);
    size_t end = s_data_end(seg);
    assert_true(end < (size_t)size); /* there is a zero tail */

    s = s_open(); /* newest segment: zero tail */
    assert_int_equal(s_stats(s).pending, 2);
    assert_int_equal(s_size(seg), size);
    s_append_str(s, "f-3", "three");
    spool_destroy(&s);
    s = s_open(); /* now the first one is an older segment */
    assert_int_equal(s_stats(s).pending, 3);
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    assert_int_equal(s_size(seg), size);
    seen_t seen = {.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1, 100, 0, s_collect, &seen), 3);
    assert_string_equal(seen.data[0], "one");
    assert_string_equal(seen.data[2], "three");
    spool_destroy(&s);
}

/* Appends f-1, f-2 and a 3000-byte f-3; *mid is where f-3 starts. */
static void s_three(char *seg, size_t segsize, size_t *mid, size_t *end)
{
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    s_append_str(s, "f-2", "two");
    s_newest(seg, segsize);
    *mid = s_data_end(seg);
    char big[3000];
    memset(big, 'z', sizeof big);
    assert_int_equal(spool_append(s, "f-3", big, sizeof big), 0);
    *end = s_data_end(seg);
    spool_destroy(&s);
}

/* A crash while f-3 was written but not yet fsync'd can leave any part of
 * it on disk, with the pre-allocated zeros after it. Only its first page
 * (header intact, crc wrong), or only its magic and length: both are torn
 * records, found and cut, never taken for data nor for the zero end. */
static void test_torn_before_zeros(void **state)
{
    (void)state;
    char seg[512], zeros[4096] = {0};
    size_t mid, end;
    s_three(seg, sizeof seg, &mid, &end);
    s_write_at(seg, end - 1000, zeros, 1000); /* its last 1000 bytes never arrived */
    spool_t *s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    assert_false(spool_has(s, "f-3"));
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    assert_int_equal(s_size(seg), (off_t)mid);
    spool_destroy(&s);
    teardown(state);
    setup(state);

    s_three(seg, sizeof seg, &mid, &end);
    s_write_at(seg, mid + 8, zeros, end - mid - 8); /* only "ISP1" and len */
    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    assert_false(spool_has(s, "f-3"));
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    assert_int_equal(s_size(seg), (off_t)mid);
    spool_destroy(&s);
}

/* Zeros in the middle, with a good record after them, are not the end:
 * the records after the gap would be lost. The segment counts as damaged,
 * the good records on both sides are kept. */
static void test_zero_gap_is_not_end(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "one");
    char seg[512];
    s_newest(seg, sizeof seg);
    size_t a = s_data_end(seg);
    s_append_str(s, "f-2", "two");
    size_t b = s_data_end(seg);
    s_append_str(s, "f-3", "three");
    spool_destroy(&s);
    char zeros[256] = {0};
    s_write_at(seg, a, zeros, b - a);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    assert_true(spool_has(s, "f-1"));
    assert_false(spool_has(s, "f-2"));
    assert_true(spool_has(s, "f-3"));
    assert_int_equal(s_count("corrupt", "seg-"), 1);
    spool_destroy(&s);
    s = s_open();
    assert_int_equal(s_stats(s).pending, 2);
    spool_destroy(&s);
}

/* After a crash (a child appends and dies without closing, leaving a torn
 * record behind its last good one), the reopened spool appends after every
 * good record, in a new segment: the bytes of the old one up to its last
 * good record are untouched, and every record is there at the next start. */
static void test_reopen_after_crash(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[256];
        spool_t *c = spool_new(s_dir, err, sizeof err);
        if (!c || spool_append(c, "f-1", "one", 3) < 0 || spool_append(c, "f-2", "two", 3) < 0)
            _exit(2);
        _exit(0); /* no spool_destroy: as if killed */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char seg[512];
    s_newest(seg, sizeof seg);
    size_t good = s_data_end(seg);
    const char torn[] = "ISP1\x40\x00\x00\x00\x12\x34";
    s_write_at(seg, good, torn, sizeof torn - 1);
    size_t n;
    char *before = s_slurp(seg, &n);

    spool_t *s = s_open();
    s_append_str(s, "f-3", "three");
    s_append_str(s, "f-4", "four");
    spool_destroy(&s);
    char *after = s_slurp(seg, &n);
    assert_int_equal(n, good);
    assert_memory_equal(before, after, good);
    free(before);
    free(after);
    char newest[512];
    s_newest(newest, sizeof newest);
    assert_string_not_equal(newest, seg);

    s = s_open();
    assert_int_equal(s_stats(s).pending, 4);
    assert_int_equal(s_count("corrupt", "seg-"), 0);
    seen_t seen = {.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1, 100, 0, s_collect, &seen), 4);
    assert_string_equal(seen.ids[0], "f-1");
    assert_string_equal(seen.ids[1], "f-2");
    assert_string_equal(seen.ids[2], "f-3");
    assert_string_equal(seen.ids[3], "f-4");
    spool_destroy(&s);
}

/* A child appends from four threads as fast as it can and reports each id
 * whose append returned 0; it is killed with SIGKILL mid-stream. Every
 * reported id must be there after reopening. */
#define KILL_THREADS 4

typedef struct {
    spool_t *s;
    int t;
    int fd;
} killer_t;

static void *s_kill_worker(void *arg)
{
    killer_t *k = arg;
    char payload[2048];
    memset(payload, 'k', sizeof payload);
    for (int i = 0;; i++) {
        char id[32];
        int v = k->t * 1000000 + i;
        snprintf(id, sizeof id, "k-%d", v);
        /* A 4-byte write to a pipe is atomic, so threads do not mix. */
        if (spool_append(k->s, id, payload, sizeof payload) == 0 &&
            write(k->fd, &v, sizeof v) != sizeof v)
            _exit(3);
    }
    return NULL;
}

static void s_kill_child(int fd)
{
    char err[256];
    spool_t *s = spool_new(s_dir, err, sizeof err);
    if (!s)
        _exit(2);
    pthread_t th[KILL_THREADS];
    killer_t k[KILL_THREADS];
    for (int t = 0; t < KILL_THREADS; t++) {
        k[t] = (killer_t){.s = s, .t = t, .fd = fd};
        if (pthread_create(&th[t], NULL, s_kill_worker, &k[t]) != 0)
            _exit(4);
    }
    pause();
    _exit(5);
}

static void test_kill_during_append(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        s_kill_child(p[1]);
    }
    close(p[1]);
    size_t cap = 1 << 20;
    int *got = calloc(cap, sizeof *got);
    assert_non_null(got);
    size_t n = 0;
    int v;
    while (n < 500 && read(p[0], &v, sizeof v) == sizeof v)
        got[n++] = v;
    assert_int_equal(n, 500);
    kill(pid, SIGKILL);
    while (n < cap && read(p[0], &v, sizeof v) == sizeof v)
        got[n++] = v;
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    spool_t *s = s_open();
    char id[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "k-%d", got[i]);
        if (!spool_has(s, id))
            fail_msg("id %s was accepted but is lost", id);
    }
    assert_true(s_stats(s).pending >= n);
    print_message("kill -9: %zu accepted, %llu found\n", n, (unsigned long long)s_stats(s).pending);
    spool_destroy(&s);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_on_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_tail_is_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_before_zeros, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_gap_is_not_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_after_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_during_append, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
