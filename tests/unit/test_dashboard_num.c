/*
 * NAME
 *   test_dashboard_num - counts and percentages as Dutch readers write them
 *
 * DESCRIPTION
 *   num_nl() and num_nl_percent() (services/dashboard/num_nl.c) write the
 *   numbers of the report, /resultaten and the staff pages: a dot between
 *   thousands, a comma before decimals ("1.234 ideeën", "12,5%"). The
 *   service file is included because unit tests do not link it.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/dashboard/num_nl.c"

/* num_nl(n) should write want. */
static const struct {
    long long n;
    const char *want;
} s_counts[] = {
    {0, "0"},
    {7, "7"},
    {999, "999"},
    {1000, "1.000"},
    {1050, "1.050"},
    {12345, "12.345"},
    {100000, "100.000"},
    {1234567, "1.234.567"},
    /* A count never goes below zero on a page, but a difference could. */
    {-1, "-1"},
    {-999, "-999"},
    {-1000, "-1.000"},
    {-12345, "-12.345"},
    {LLONG_MAX, "9.223.372.036.854.775.807"},
    {LLONG_MIN, "-9.223.372.036.854.775.808"},
};

/* num_nl_percent(pct) should write want. */
static const struct {
    double pct;
    const char *want;
} s_percentages[] = {
    {12.5, "12,5%"},   {0, "0,0%"},          {100, "100,0%"}, {33.333, "33,3%"},
    {99.96, "100,0%"}, {1234.5, "1.234,5%"}, {-2.5, "-2,5%"}, {-0.01, "0,0%"},
};

static void test_counts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_counts / sizeof s_counts[0]; i++)
        assert_string_equal(num_nl(s_counts[i].n).s, s_counts[i].want);
}

static void test_percentages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_percentages / sizeof s_percentages[0]; i++)
        assert_string_equal(num_nl_percent(s_percentages[i].pct).s, s_percentages[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_percentages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
