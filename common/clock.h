/*
 * NAME
 *   clock - the two clocks every service reads, in milliseconds
 *
 * SYNOPSIS
 *   #include "clock.h"
 *
 *   int64_t clock_wall_ms(void);
 *   int64_t clock_mono_ms(void);
 *   char *clock_local_format(int64_t ms, const char *fmt, char *out, size_t n);
 *   int clock_local_day(int y, int m, int d, int64_t *start, int64_t *end);
 *   int clock_local_day_of(int64_t ms, char ymd[11], int64_t *start, int64_t *end);
 *   void clock_local_day_name(int64_t ms, char out[11]);
 *
 * DESCRIPTION
 *   Two kinds of time, and a caller must pick the right one:
 *
 *   clock_wall_ms() is the wall clock (CLOCK_REALTIME): milliseconds since
 *   1970-01-01 UTC. Use it for moments that are stored, sent or shown
 *   (received_at, sent_at, audit lines, expiry times kept in Redis). It can
 *   jump when the system time is set, so never measure an interval with it.
 *
 *   clock_mono_ms() is the monotonic clock (CLOCK_MONOTONIC): milliseconds
 *   since an unspecified start, never going backwards. Use it for deadlines,
 *   timeouts, retry intervals and caches that expire. Its values mean
 *   nothing outside the running process.
 *
 *   Both are thread-safe and allocate nothing. Sub-millisecond parts are
 *   cut off (rounded towards zero), as every service did before this module.
 *
 * DIAGNOSTICS
 *   None: clock_gettime() cannot fail for these two clocks on Linux.
 */
#ifndef INSPRAAK_CLOCK_H
#define INSPRAAK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock milliseconds since the epoch (CLOCK_REALTIME). */
int64_t clock_wall_ms(void);
/* Monotonic milliseconds for intervals and deadlines (CLOCK_MONOTONIC). */
int64_t clock_mono_ms(void);

/* The wall-clock moment ms (since the epoch) as people in Heerlen read
 * it: Europe/Amsterdam time (CET/CEST, whatever TZ the process has),
 * formatted with g_date_time_format()'s fmt ("%d-%m-%Y %H:%M") into out
 * (n bytes, always terminated). Without tzdata on the machine, UTC.
 * Returns out. For pages and mails; logs and stored values stay UTC. */
char *clock_local_format(int64_t ms, const char *fmt, char *out, size_t n);
/* The day y-m-d as people in Heerlen live it: *start is its first and
 * *end its last millisecond, Europe/Amsterdam (23 or 25 hours on the days
 * the clocks change). -1 for a date that does not exist. */
int clock_local_day(int y, int m, int d, int64_t *start, int64_t *end);
/* The day as people in Heerlen live it that holds the moment ms (since
 * the epoch): "YYYY-MM-DD" into ymd, and its first and last millisecond
 * into *start and *end as clock_local_day() (either may be NULL). -1,
 * with ymd "", for a moment outside the years 1 to 9999. */
int clock_local_day_of(int64_t ms, char ymd[11], int64_t *start, int64_t *end);
/* The name a count files the moment ms under: its day in Heerlen as
 * clock_local_day_of() gives it, or "none" for a negative time or one
 * outside the years 1 to 9999 (storage's stats:day, store_day()). */
void clock_local_day_name(int64_t ms, char out[11]);

#endif
