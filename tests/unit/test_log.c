/*
 * NAME
 *   test_log - INSPRAAK_LOG_LEVEL as an operator sets it
 *
 * DESCRIPTION
 *   Captures stderr in a temporary file around log_init() and a few log
 *   lines, and checks what an operator would see in the service's log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Runs log_init() with INSPRAAK_LOG_LEVEL=level (unset when NULL), then
 * logs one debug and one info line; returns what reached stderr in out. */
static void s_capture(const char *level, char *out, size_t size)
{
    char path[] = "/tmp/inspraak-test-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    if (level)
        setenv("INSPRAAK_LOG_LEVEL", level, 1);
    else
        unsetenv("INSPRAAK_LOG_LEVEL");
    log_init("test");
    log_debug("msg=\"probe debug\"");
    log_info("msg=\"probe info\"");
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    ssize_t n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

static int s_count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_unknown_level_warns_once_naming_the_accepted_values(void **state)
{
    (void)state;
    char out[4096];
    s_capture("verbose", out, sizeof out);
    const char *warn = strstr(out, "level=warn");
    assert_non_null(warn);
    const char *eol = strchr(warn, '\n');
    assert_non_null(eol);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)(eol - warn), warn);
    assert_non_null(strstr(line, "verbose"));
    assert_non_null(strstr(line, "debug"));
    assert_non_null(strstr(line, "info"));
    assert_non_null(strstr(line, "warn"));
    assert_non_null(strstr(line, "error"));
    /* the warning, then the info line: the level stays the default */
    assert_int_equal(s_count_lines(out), 2);
    assert_non_null(strstr(out, "probe info"));
    assert_null(strstr(out, "probe debug"));
}

static void test_level_case_does_not_matter(void **state)
{
    (void)state;
    char out[4096];
    s_capture("DEBUG", out, sizeof out);
    assert_null(strstr(out, "level=warn"));
    assert_non_null(strstr(out, "probe debug"));
}

static void test_known_and_unset_levels_are_quiet(void **state)
{
    (void)state;
    char out[4096];
    s_capture("warn", out, sizeof out);
    assert_string_equal(out, "");
    s_capture(NULL, out, sizeof out);
    assert_int_equal(s_count_lines(out), 1);
    assert_non_null(strstr(out, "probe info"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_level_warns_once_naming_the_accepted_values),
        cmocka_unit_test(test_level_case_does_not_matter),
        cmocka_unit_test(test_known_and_unset_levels_are_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
