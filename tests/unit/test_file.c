/*
 * NAME
 *   test_file - file_read(): the size rule at the exact limit, the errors
 *   a caller tells apart, and files that change while they are read
 *
 * DESCRIPTION
 *   Files live in a fresh mkdtemp() folder per test. Pipes (no size to
 *   stat) are opened through /proc/self/fd/N.
 *
 *   To make read errors, EINTR, short reads and a file that grows or
 *   shrinks halfway deterministic, this program defines read() itself: the
 *   static library's file_read() links to it instead of libc's. It passes
 *   through to the read system call unless a test has set s_fault, and the
 *   "halfway" change happens inside the read that follows the first one,
 *   so no timing is involved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"

/* --- the read() seam ------------------------------------------------- */

typedef enum {
    FAULT_NONE = 0,
    FAULT_EINTR_FIRST, /* the first call fails with EINTR */
    FAULT_EIO_SECOND,  /* the second call fails with EIO */
    FAULT_GROW,        /* before the second call, grow_by bytes are appended */
    FAULT_SHRINK,      /* before the second call, the file is cut to shrink_to */
} fault_kind_t;

static struct {
    fault_kind_t kind;
    size_t chunk; /* 0, or at most this many bytes a call (short reads) */
    const char *path;
    size_t grow_by, shrink_to;
    int calls;
    int count; /* 1: sum the bytes read into bytes */
    size_t bytes;
} s_fault;

ssize_t read(int fd, void *buf, size_t n)
{
    int call = s_fault.kind != FAULT_NONE || s_fault.chunk ? ++s_fault.calls : 0;
    if (s_fault.chunk && n > s_fault.chunk)
        n = s_fault.chunk;
    if (s_fault.kind == FAULT_EINTR_FIRST && call == 1) {
        errno = EINTR;
        return -1;
    }
    if (s_fault.kind == FAULT_EIO_SECOND && call == 2) {
        errno = EIO;
        return -1;
    }
    if (s_fault.kind == FAULT_GROW && call == 2) {
        int w = open(s_fault.path, O_WRONLY | O_APPEND);
        char *more = malloc(s_fault.grow_by);
        memset(more, 'g', s_fault.grow_by);
        ssize_t k = w >= 0 ? write(w, more, s_fault.grow_by) : -1;
        free(more);
        if (w >= 0)
            close(w);
        if (k != (ssize_t)s_fault.grow_by)
            abort(); /* the test's own setup failed */
    }
    if (s_fault.kind == FAULT_SHRINK && call == 2 &&
        truncate(s_fault.path, (off_t)s_fault.shrink_to) < 0)
        abort();
    ssize_t r = syscall(SYS_read, fd, buf, n);
    if (s_fault.count && r > 0)
        s_fault.bytes += (size_t)r;
    return r;
}

/* --- fixtures -------------------------------------------------------- */

typedef struct {
    char dir[64];
    char path[128];
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_file.XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/f", fx->dir);
    memset(&s_fault, 0, sizeof s_fault);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    memset(&s_fault, 0, sizeof s_fault);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/sub", fx->dir);
    unlink(fx->path);
    rmdir(sub);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void s_write(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* n bytes of a repeating pattern, so a misplaced byte shows. */
static char *s_pattern(size_t n)
{
    char *p = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (char)('a' + i % 26);
    p[n] = '\0';
    return p;
}

/* --- the size rule --------------------------------------------------- */

static void test_empty_file_is_empty_string(void **state)
{
    fx_t *fx = *state;
    s_write(fx->path, "", 0);
    size_t len = 99;
    char *buf = file_read(fx->path, 100, &len);
    assert_non_null(buf);
    assert_int_equal(len, 0);
    assert_int_equal(buf[0], '\0');
    free(buf);
}

static void test_exactly_max_is_accepted(void **state)
{
    fx_t *fx = *state;
    char *want = s_pattern(10000);
    s_write(fx->path, want, 10000);
    size_t len = 0;
    char *buf = file_read(fx->path, 10000, &len);
    assert_non_null(buf);
    assert_int_equal(len, 10000);
    assert_memory_equal(buf, want, 10000);
    assert_int_equal(buf[10000], '\0');
    free(buf);
    free(want);
}

static void test_max_plus_one_is_efbig(void **state)
{
    fx_t *fx = *state;
    char *data = s_pattern(10001);
    s_write(fx->path, data, 10001);
    size_t len = 12345;
    errno = 0;
    assert_null(file_read(fx->path, 10000, &len));
    assert_int_equal(errno, EFBIG);
    assert_int_equal(len, 12345); /* untouched on failure */
    free(data);
}

static void test_max_zero_takes_only_empty(void **state)
{
    fx_t *fx = *state;
    s_write(fx->path, "", 0);
    size_t len = 1;
    char *buf = file_read(fx->path, 0, &len);
    assert_non_null(buf);
    assert_int_equal(len, 0);
    free(buf);
    s_write(fx->path, "x", 1);
    errno = 0;
    assert_null(file_read(fx->path, 0, &len));
    assert_int_equal(errno, EFBIG);
}

static void test_nul_bytes_are_kept(void **state)
{
    fx_t *fx = *state;
    static const char data[] = {'a', '\0', 'b', '\0', '\0', 'c'};
    s_write(fx->path, data, sizeof data);
    size_t len = 0;
    char *buf = file_read(fx->path, 64, &len);
    assert_non_null(buf);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(buf, data, sizeof data);
    assert_int_equal(buf[len], '\0');
    free(buf);
}

static void test_len_out_may_be_null(void **state)
{
    fx_t *fx = *state;
    s_write(fx->path, "hallo", 5);
    char *buf = file_read(fx->path, 5, NULL);
    assert_non_null(buf);
    assert_string_equal(buf, "hallo");
    free(buf);
}

/* --- errors ---------------------------------------------------------- */

static void test_missing_file_is_enoent(void **state)
{
    fx_t *fx = *state;
    size_t len = 7;
    errno = 0;
    assert_null(file_read(fx->path, 100, &len));
    assert_int_equal(errno, ENOENT);
    assert_int_equal(len, 7);
}

static void test_directory_is_eisdir(void **state)
{
    fx_t *fx = *state;
    char sub[160];
    snprintf(sub, sizeof sub, "%s/sub", fx->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    errno = 0;
    assert_null(file_read(sub, 100, NULL));
    assert_int_equal(errno, EISDIR);
}

static void test_read_error_is_reported(void **state)
{
    fx_t *fx = *state;
    char *data = s_pattern(100);
    s_write(fx->path, data, 100);
    s_fault.kind = FAULT_EIO_SECOND;
    s_fault.chunk = 10;
    errno = 0;
    assert_null(file_read(fx->path, 1000, NULL));
    assert_int_equal(errno, EIO);
    assert_int_equal(s_fault.calls, 2);
    free(data);
}

/* --- how it reads ---------------------------------------------------- */

static void test_eintr_is_retried(void **state)
{
    fx_t *fx = *state;
    s_write(fx->path, "inspraak", 8);
    s_fault.kind = FAULT_EINTR_FIRST;
    size_t len = 0;
    char *buf = file_read(fx->path, 100, &len);
    assert_non_null(buf);
    assert_int_equal(len, 8);
    assert_string_equal(buf, "inspraak");
    free(buf);
}

static void test_short_reads_are_joined(void **state)
{
    fx_t *fx = *state;
    char *want = s_pattern(1000);
    s_write(fx->path, want, 1000);
    s_fault.chunk = 3;
    size_t len = 0;
    char *buf = file_read(fx->path, 1000, &len);
    assert_non_null(buf);
    assert_int_equal(len, 1000);
    assert_memory_equal(buf, want, 1000);
    assert_true(s_fault.calls > 300); /* the seam really cut the reads */
    free(buf);
    free(want);
}

static void test_file_that_grows_is_read_to_its_end(void **state)
{
    fx_t *fx = *state;
    s_write(fx->path, "0123456789", 10);
    s_fault.kind = FAULT_GROW;
    s_fault.path = fx->path;
    s_fault.grow_by = 20000; /* past the first buffer, which stat sized */
    size_t len = 0;
    char *buf = file_read(fx->path, 20010, &len);
    assert_non_null(buf);
    assert_int_equal(len, 20010);
    assert_memory_equal(buf, "0123456789gggg", 14);
    assert_int_equal(buf[20009], 'g');
    free(buf);
}

static void test_file_that_grows_past_max_is_efbig(void **state)
{
    fx_t *fx = *state;
    s_write(fx->path, "0123456789", 10);
    s_fault.kind = FAULT_GROW;
    s_fault.path = fx->path;
    s_fault.grow_by = 20001;
    errno = 0;
    assert_null(file_read(fx->path, 20010, NULL));
    assert_int_equal(errno, EFBIG);
}

static void test_file_that_shrinks_gives_what_is_left(void **state)
{
    fx_t *fx = *state;
    s_write(fx->path, "0123456789", 10);
    s_fault.kind = FAULT_SHRINK;
    s_fault.path = fx->path;
    s_fault.shrink_to = 5;
    s_fault.chunk = 3;
    size_t len = 0;
    char *buf = file_read(fx->path, 100, &len);
    assert_non_null(buf);
    assert_int_equal(len, 5);
    assert_string_equal(buf, "01234");
    free(buf);
}

/* A pipe has no size to stat: the buffer must grow as bytes come. */
static void s_pipe_case(size_t n, size_t max, int want_ok)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    char *data = s_pattern(n);
    assert_int_equal(write(p[1], data, n), (ssize_t)n);
    close(p[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    size_t len = 0;
    errno = 0;
    char *buf = file_read(path, max, &len);
    close(p[0]);
    if (want_ok) {
        assert_non_null(buf);
        assert_int_equal(len, n);
        assert_memory_equal(buf, data, n);
    } else {
        assert_null(buf);
        assert_int_equal(errno, EFBIG);
    }
    free(buf);
    free(data);
}

static void test_pipe_without_size(void **state)
{
    (void)state;
    s_pipe_case(20000, 20000, 1);
    s_pipe_case(20001, 20000, 0);
    s_pipe_case(0, 10, 1);
}

/* The header's promise: a file too large costs at most max + 1 bytes of
 * reading, whether its size is known (a file) or not (a pipe). */
static void test_too_large_reads_at_most_max_plus_one(void **state)
{
    fx_t *fx = *state;
    char *data = s_pattern(60000);
    s_write(fx->path, data, 60000);
    s_fault.count = 1;
    assert_null(file_read(fx->path, 5000, NULL));
    assert_int_equal(errno, EFBIG);
    assert_true(s_fault.bytes <= 5001);
    s_fault.bytes = 0;
    s_pipe_case(60000, 5000, 0);
    assert_true(s_fault.bytes <= 5001);
    free(data);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
    const struct CMUnitTest tests[] = {
        T(test_empty_file_is_empty_string),
        T(test_exactly_max_is_accepted),
        T(test_max_plus_one_is_efbig),
        T(test_max_zero_takes_only_empty),
        T(test_nul_bytes_are_kept),
        T(test_len_out_may_be_null),
        T(test_missing_file_is_enoent),
        T(test_directory_is_eisdir),
        T(test_read_error_is_reported),
        T(test_eintr_is_retried),
        T(test_short_reads_are_joined),
        T(test_file_that_grows_is_read_to_its_end),
        T(test_file_that_grows_past_max_is_efbig),
        T(test_file_that_shrinks_gives_what_is_left),
        T(test_pipe_without_size),
        T(test_too_large_reads_at_most_max_plus_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
