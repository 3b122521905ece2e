/*
 * NAME
 *   test_ctl_date - the day staff give `retention run --before` and
 *   `corrections export --since` is a day in Heerlen
 *
 * DESCRIPTION
 *   "--before 2027-01-01" must erase whoever signed up on New Year's Eve
 *   and keep whoever signed up at 00:30 on 1 January in Heerlen; the
 *   dashboard's from/to filters and every page read a date the same way
 *   (Europe/Amsterdam). Checked in winter and summer time and on both
 *   nights the clocks change, with fixed dates: no clock is read.
 */
#define _GNU_SOURCE /* ctl_date.c: strptime, timegm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/inspraakctl/ctl_date.c"

/* The dates below are UTC midnights (date -ud DATE +%s) less Heerlen's offset. */
#define S_HOUR 3600000LL

static void test_day_starts_at_midnight_in_heerlen(void **state)
{
    (void)state;
    /* 2027-01-01 00:00 in Heerlen is 2026-12-31 23:00 UTC (CET) */
    assert_int_equal(ctl_date_ms("2027-01-01"), 1798761600000LL - 1 * S_HOUR);
    /* 2026-07-01 00:00 in Heerlen is 2026-06-30 22:00 UTC (CEST) */
    assert_int_equal(ctl_date_ms("2026-07-01"), 1782864000000LL - 2 * S_HOUR);
    /* The days the clocks change start before the change: CET on
     * 2027-03-28 (clocks forward at 02:00), CEST on 2026-10-25 (back at 03:00). */
    assert_int_equal(ctl_date_ms("2027-03-28"), 1806192000000LL - 1 * S_HOUR);
    assert_int_equal(ctl_date_ms("2026-10-25"), 1792886400000LL - 2 * S_HOUR);
}

static void test_new_years_night(void **state)
{
    (void)state;
    int64_t before = ctl_date_ms("2027-01-01");
    int64_t eve_2330 = 1798756200000LL;      /* 2026-12-31 22:30 UTC: 23:30 in Heerlen */
    int64_t new_year_0030 = 1798759800000LL; /* 2026-12-31 23:30 UTC: 00:30 in Heerlen */
    assert_true(eve_2330 < before);          /* erased: signed up in 2026 */
    assert_false(new_year_0030 < before);    /* kept: signed up in 2027 */
}

static void test_not_a_day(void **state)
{
    (void)state;
    assert_int_equal(ctl_date_ms("2026-02-30"), -1);
    assert_int_equal(ctl_date_ms("2026-13-01"), -1);
    assert_int_equal(ctl_date_ms("2026-12-01x"), -1);
    assert_int_equal(ctl_date_ms("gisteren"), -1);
    assert_int_equal(ctl_date_ms(""), -1);
    assert_int_equal(ctl_date_ms(NULL), -1);
    assert_int_equal(ctl_date_ms("2028-02-29"), 1835395200000LL - 1 * S_HOUR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_starts_at_midnight_in_heerlen),
        cmocka_unit_test(test_new_years_night),
        cmocka_unit_test(test_not_a_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
