/*
 * NAME
 *   ctl_date - the day staff type for retention and corrections
 *
 * DESCRIPTION
 *   See ctl.h (ctl_date_ms). A date staff give is a day in Heerlen, as
 *   the dashboard's from/to filters and every page read one: midnight
 *   in Europe/Amsterdam (clock_local_day), an hour or two before UTC
 *   midnight. On its own so a unit test can include it
 *   (tests/unit/test_ctl_date.c): main.c holds main().
 */
#define _GNU_SOURCE /* strptime */
#include <string.h>
#include <time.h>

#include "clock.h"
#include "ctl.h"

int64_t ctl_date_ms(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = s ? strptime(s, "%Y-%m-%d", &tm) : NULL;
    if (!end || *end)
        return -1;
    /* strptime takes any day 1..31 in any month: clock_local_day() refuses
     * "2026-02-30" rather than rolling it over to 2 March, since retention
     * would otherwise erase people up to a later day. */
    int64_t first, last;
    if (clock_local_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &first, &last) < 0)
        return -1;
    return first;
}
