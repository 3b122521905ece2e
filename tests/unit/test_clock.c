/*
 * NAME
 *   test_clock - the wall clock is the epoch time, the monotonic clock
 *   never goes backwards, and neither is the other; Heerlen's day of a
 *   moment
 *
 * DESCRIPTION
 *   Each reading is bracketed by direct clock_gettime() reads of the clock
 *   it must be, so a swap of the two kinds fails here. The sleep test only
 *   uses the lower bound a sleep guarantees, never an upper one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "clock.h"

static int64_t s_direct_ms(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_wall_is_epoch_time(void **state)
{
    (void)state;
    time_t t0 = time(NULL);
    int64_t before = s_direct_ms(CLOCK_REALTIME);
    int64_t w = clock_wall_ms();
    int64_t after = s_direct_ms(CLOCK_REALTIME);
    time_t t1 = time(NULL);
    assert_true(before <= w && w <= after);
    /* time() may read a coarser clock that lags a tick: one second of slack. */
    assert_true((int64_t)t0 - 1 <= w / 1000 && w / 1000 <= (int64_t)t1 + 1);
    /* After 2020-01-01 in milliseconds, not seconds or microseconds. */
    assert_true(w > INT64_C(1577836800000) && w < INT64_C(32503680000000));
}

static void test_mono_is_monotonic_clock(void **state)
{
    (void)state;
    int64_t before = s_direct_ms(CLOCK_MONOTONIC);
    int64_t m = clock_mono_ms();
    int64_t after = s_direct_ms(CLOCK_MONOTONIC);
    assert_true(before <= m && m <= after);
}

static void test_mono_never_goes_back(void **state)
{
    (void)state;
    int64_t prev = clock_mono_ms();
    for (int i = 0; i < 100000; i++) {
        int64_t now = clock_mono_ms();
        assert_true(now >= prev);
        prev = now;
    }
}

static void test_mono_counts_a_sleep(void **state)
{
    (void)state;
    int64_t t0 = clock_mono_ms();
    struct timespec d = {.tv_sec = 0, .tv_nsec = 30 * 1000000L};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &d, &d) != 0)
        ;
    /* A 30 ms sleep on the monotonic clock lasts at least 30 ms on it. */
    assert_true(clock_mono_ms() - t0 >= 30);
}

/* The Heerlen day of a moment: its name and bounds, on a day of 24 hours
 * (winter and summer) and on the 23-hour day the clocks go forward. */
static void test_local_day_of(void **state)
{
    (void)state;
    char ymd[11];
    int64_t start = 0, end = 0;
    /* 2026-07-14T22:00Z is 00:00 on 15 July (CEST, +2) */
    assert_int_equal(clock_local_day_of(INT64_C(1784066400000), ymd, &start, &end), 0);
    assert_string_equal(ymd, "2026-07-15");
    assert_true(start == INT64_C(1784066400000));
    assert_true(end == INT64_C(1784066400000) + 86400000 - 1);
    assert_int_equal(clock_local_day_of(INT64_C(1784066400000) - 1, ymd, NULL, NULL), 0);
    assert_string_equal(ymd, "2026-07-14");
    /* 2026-01-14T23:30Z is 00:30 on 15 January (CET, +1) */
    assert_int_equal(clock_local_day_of(INT64_C(1768433400000), ymd, &start, &end), 0);
    assert_string_equal(ymd, "2026-01-15");
    assert_true(start == INT64_C(1768431600000));
    /* 29 March 2026 lasts 23 hours: 2026-03-28T23:00Z to 2026-03-29T22:00Z */
    assert_int_equal(clock_local_day_of(INT64_C(1774742400000), ymd, &start, &end), 0);
    assert_string_equal(ymd, "2026-03-29");
    assert_true(start == INT64_C(1774742400000) - 3600000);
    assert_true(end - start + 1 == INT64_C(23) * 3600000);
    /* -1 ms is 1969-12-31T23:59:59.999Z, 00:59 on 1 January 1970 there */
    assert_int_equal(clock_local_day_of(-1, ymd, NULL, NULL), 0);
    assert_string_equal(ymd, "1970-01-01");
    assert_int_equal(clock_local_day_of(INT64_C(253402300800000), ymd, NULL, NULL), -1);
    assert_string_equal(ymd, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wall_is_epoch_time),
        cmocka_unit_test(test_mono_is_monotonic_clock),
        cmocka_unit_test(test_mono_never_goes_back),
        cmocka_unit_test(test_mono_counts_a_sleep),
        cmocka_unit_test(test_local_day_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
