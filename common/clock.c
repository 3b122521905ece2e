/*
 * NAME
 *   clock - wall and monotonic milliseconds (see clock.h)
 *
 * DESCRIPTION
 *   Fourteen files each had their own copy of these few lines; one copy
 *   here keeps the choice between the two clocks visible at every call.
 *   clock_local_format() uses GLib's time zone database reader
 *   (GTimeZone), which every service links through GMime, rather than
 *   setting TZ for localtime_r(), which would change the whole process.
 */
#include "clock.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int64_t s_ms(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_ms(void)
{
    return s_ms(CLOCK_REALTIME);
}

int64_t clock_mono_ms(void)
{
    return s_ms(CLOCK_MONOTONIC);
}

/* Europe/Amsterdam, looked up once (GLib caches zones; the pointer is
 * kept for the life of the process). */
static GTimeZone *s_local_zone(void)
{
    static gsize once;
    static GTimeZone *zone;
    if (g_once_init_enter(&once)) {
        zone = g_time_zone_new_identifier("Europe/Amsterdam");
        if (!zone) { /* no tzdata: times an hour or two off, and a bare
                      * date's bounds with them (install-deps.sh installs it) */
            log_warn("msg=\"no time zone data for Europe/Amsterdam; pages show UTC\"");
            zone = g_time_zone_new_utc();
        }
        g_once_init_leave(&once, 1);
    }
    return zone;
}

char *clock_local_format(int64_t ms, const char *fmt, char *out, size_t n)
{
    if (n == 0)
        return out;
    out[0] = '\0';
    GDateTime *utc = g_date_time_new_from_unix_utc(ms / 1000);
    GDateTime *local = utc ? g_date_time_to_timezone(utc, s_local_zone()) : NULL;
    gchar *text = local ? g_date_time_format(local, fmt) : NULL;
    if (text) {
        size_t len = strlen(text);
        if (len >= n)
            len = n - 1;
        memcpy(out, text, len);
        out[len] = '\0';
    }
    g_free(text);
    if (local)
        g_date_time_unref(local);
    if (utc)
        g_date_time_unref(utc);
    return out;
}

int clock_local_day(int y, int m, int d, int64_t *start, int64_t *end)
{
    GDateTime *first = g_date_time_new(s_local_zone(), y, m, d, 0, 0, 0);
    if (!first)
        return -1;
    GDateTime *next = g_date_time_add_days(first, 1);
    *start = g_date_time_to_unix(first) * 1000;
    *end = next ? g_date_time_to_unix(next) * 1000 - 1 : *start + 86400000 - 1;
    if (next)
        g_date_time_unref(next);
    g_date_time_unref(first);
    return 0;
}

/* The last day seen is kept per thread: a batch's ideas (storage) or a
 * set read in score order (the dashboard's hidden ideas) mostly share one,
 * and each GLib conversion allocates and frees a few objects. */
void clock_local_day_name(int64_t ms, char out[11])
{
    static _Thread_local struct {
        int64_t start, end;
        char ymd[11];
    } last = {1, 0, ""};
    if (ms >= 0 && (ms < last.start || ms > last.end) &&
        clock_local_day_of(ms, last.ymd, &last.start, &last.end) < 0) {
        last.start = 1; /* nothing kept */
        last.end = 0;
    }
    if (ms >= 0 && last.start <= ms && ms <= last.end)
        memcpy(out, last.ymd, 11);
    else
        memcpy(out, "none", 5);
}

int clock_local_day_of(int64_t ms, char ymd[11], int64_t *start, int64_t *end)
{
    ymd[0] = '\0';
    /* Whole seconds towards minus infinity: -1 ms is still 1969. */
    int64_t sec = ms / 1000 - (ms % 1000 < 0);
    GDateTime *utc = g_date_time_new_from_unix_utc(sec);
    GDateTime *local = utc ? g_date_time_to_timezone(utc, s_local_zone()) : NULL;
    int y = 0, m = 0, d = 0, rc = -1;
    if (local)
        g_date_time_get_ymd(local, &y, &m, &d);
    int64_t first, last;
    if (local && clock_local_day(y, m, d, &first, &last) == 0) {
        snprintf(ymd, 11, "%04d-%02d-%02d", y, m, d);
        if (start)
            *start = first;
        if (end)
            *end = last;
        rc = 0;
    }
    if (local)
        g_date_time_unref(local);
    if (utc)
        g_date_time_unref(utc);
    return rc;
}
