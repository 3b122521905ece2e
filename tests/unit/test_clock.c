/*
 * NAME
 *   test_clock - the wall clock is the epoch time, the monotonic clock
 *   never goes backwards, and neither is the other
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wall_is_epoch_time),
        cmocka_unit_test(test_mono_is_monotonic_clock),
        cmocka_unit_test(test_mono_never_goes_back),
        cmocka_unit_test(test_mono_counts_a_sleep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
