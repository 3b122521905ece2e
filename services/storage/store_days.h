/*
 * NAME
 *   store_days - the day counts (inspraak:stats:day) in Heerlen's days,
 *   rebuilt once from the stored ideas where an older storage kept UTC days
 *
 * SYNOPSIS
 *   #include "store_days.h"
 *
 *   long long ideas;
 *   int r = store_days_rebuild(st, &ideas);   // 1 rebuilt, 0 current, -1 error
 *
 * DESCRIPTION
 *   Storage files every idea under its day in Heerlen (store_day(),
 *   Europe/Amsterdam, as every page and the from/to filters). Storage
 *   before 2026-11-29 used the UTC day, so an idea sent between 00:00 and
 *   01:00 (winter) or 02:00 (summer) in Heerlen counted on the day before.
 *   STORE_DAYS_VERSION_KEY holds STORE_DAYS_VERSION once the counts are
 *   Heerlen's; storage calls store_days_rebuild() when it starts, and it
 *   does nothing more than that GET when the marker is there.
 *
 *   Otherwise it reads which days hold ideas (one ZRANGEBYSCORE LIMIT 0 1
 *   of inspraak:ideas, scored by received_at, per such day: reads only)
 *   and runs one script that, atomically:
 *     - returns at once when the marker is set (another instance did it);
 *     - counts each of those days' ideas with ZCOUNT over its bounds;
 *     - checks that the days hold every idea (ZCARD inspraak:ideas); an
 *       idea stored meanwhile on a day not read is found this way, and
 *       the days are read again (at most STORE_DAYS_TRIES times);
 *     - replaces inspraak:stats:day with those counts and sets the marker.
 *
 *   So a crash leaves either the old counts without the marker (the next
 *   start rebuilds) or the new counts with it; several instances starting
 *   together each try, the first script rebuilds and the others return;
 *   an idea stored before the script is counted by it from inspraak:ideas
 *   (its own HINCRBY is replaced), one stored after it adds to the new
 *   counts: none is counted twice or lost. stats:day holds hidden ideas
 *   too (the dashboard subtracts them), so inspraak:ideas is its truth.
 *   Deleting the marker makes the next start rebuild again, which is
 *   always safe (e.g. after an old storage still ran beside a new one).
 *
 * DIAGNOSTICS
 *   -1 with the reason in store_error(): Redis failed, or the days kept
 *   changing. The caller tries again later; storing may go on meanwhile.
 */
#ifndef INSPRAAK_STORE_DAYS_H
#define INSPRAAK_STORE_DAYS_H

#include "store.h"

#define STORE_DAYS_VERSION_KEY STORE_KEY_PREFIX "stats:day:version"
#define STORE_DAYS_VERSION "2" /* no marker: UTC days (version 1) */
#define STORE_DAYS_TRIES 5

/* See above. 1: rebuilt (*ideas: how many ideas the counts hold); 0:
 * already Heerlen's days; -1: failed (store_error()). */
int store_days_rebuild(store_t *self, long long *ideas);

#endif
