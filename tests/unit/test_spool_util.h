/*
 * NAME
 *   test_spool_util - helpers shared by test_spool.c and test_spool_replay.c
 *
 * DESCRIPTION
 *   Not a library: each test program includes this once. A fresh mkdtemp()
 *   folder per test (setup/teardown), opening the spool, counting files,
 *   reading and patching segment files, and a send callback that records
 *   what it saw. Everything is static inline so that a test file may leave
 *   some helpers unused.
 */
#ifndef INSPRAAK_TEST_SPOOL_UTIL_H
#define INSPRAAK_TEST_SPOOL_UTIL_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "spool.h"

static char s_dir[256];

static inline int s_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static inline int setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/test_spool.XXXXXX");
    assert_non_null(mkdtemp(s_dir));
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    nftw(s_dir, s_rm, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static spool_t *s_open(void)
{
    char err[256] = "";
    spool_t *s = spool_new(s_dir, err, sizeof err);
    if (!s)
        fail_msg("spool_new: %s", err);
    return s;
}

/* Files in s_dir (or a subfolder) whose names start with prefix. */
static inline int s_count(const char *sub, const char *prefix)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", s_dir, sub);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* Path of the newest segment file. */
static inline void s_newest(char *out, size_t size)
{
    DIR *d = opendir(s_dir);
    assert_non_null(d);
    char best[256] = "";
    struct dirent *de;
    while ((de = readdir(d)))
        if (strncmp(de->d_name, "seg-", 4) == 0 && strcmp(de->d_name, best) > 0)
            snprintf(best, sizeof best, "%s", de->d_name);
    closedir(d);
    assert_true(best[0]);
    snprintf(out, size, "%s/%s", s_dir, best);
}

/* What a send callback saw. */
typedef struct {
    char ids[64][SPOOL_MAX_ID + 1];
    char data[64][64];
    int n;
    int refuse_after; /* -1: accept all */
} seen_t;

static inline int s_collect(const char *id, const void *data, size_t len, void *arg)
{
    seen_t *seen = arg;
    if (seen->refuse_after >= 0 && seen->n >= seen->refuse_after)
        return -1;
    if (seen->n < 64) {
        snprintf(seen->ids[seen->n], sizeof seen->ids[0], "%s", id);
        snprintf(seen->data[seen->n], sizeof seen->data[0], "%.*s", (int)len, (const char *)data);
    }
    seen->n++;
    return 0;
}

static inline void s_append_str(spool_t *s, const char *id, const char *payload)
{
    assert_int_equal(spool_append(s, id, payload, strlen(payload)), 0);
}

static inline spool_stats_t s_stats(spool_t *s)
{
    spool_stats_t st;
    spool_stats(s, &st);
    return st;
}

static inline off_t s_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static inline void s_append_bytes(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
}

/* Reads a whole file into a malloc'd buffer (the caller frees it). */
static inline char *s_slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    close(fd);
    *len = got;
    return buf;
}

/* Where the bytes of a segment end: one past its last non-zero byte (the
 * records in these tests never end in a zero byte). */
static inline size_t s_data_end(const char *path)
{
    size_t n;
    char *buf = s_slurp(path, &n);
    while (n > 0 && buf[n - 1] == 0)
        n--;
    free(buf);
    return n;
}

/* True when the file holds only zero bytes from off on. */
static inline int s_zero_from(const char *path, size_t off)
{
    size_t n;
    char *buf = s_slurp(path, &n);
    int zero = 1;
    for (size_t i = off; i < n && zero; i++)
        zero = buf[i] == 0;
    free(buf);
    return zero;
}

/* Overwrites bytes at off, as a crash halfway through a write would leave
 * them in a pre-allocated segment. */
static inline void s_write_at(const char *path, size_t off, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, buf, len, (off_t)off), (ssize_t)len);
    close(fd);
}

#endif
