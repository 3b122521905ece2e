/*
 * NAME
 *   store_upgrade - the count work storage does once after an upgrade,
 *   before and between messages: the day counts in Heerlen's days
 *   (store_days.h) and the backfill of the people and shown counts
 *   (store_counts.h)
 *
 * SUMMARY
 *   store_upgrade_t up;
 *   store_upgrade_init(&up);
 *   while (running) {
 *       store_upgrade_days(&up, st);
 *       if (store_upgrade_counts(&up, st) < 0)   // Redis failed: pause
 *           ...;
 *       if (up.counts < 0) continue;             // nothing may be stored yet
 *       ... poll the bus, not waiting while up.counts > 0 ...
 *   }
 *
 * DESCRIPTION
 *   The day counts are rebuilt once a process, before the first message;
 *   while Redis is away, again every 10 s. Storing need not wait: the
 *   rebuild counts whatever is stored by then. The people and shown
 *   counts are begun before the first idea is stored, so each idea is
 *   counted by its write or by the backfill; then one backfill step runs
 *   per turn of storage's loop while one is due.
 *
 * DIAGNOSTICS
 *   Logs a failed day count check (tried again in 10 s) and a failed
 *   begin or step of the counts (the caller pauses and tries again).
 */
#ifndef INSPRAAK_STORE_UPGRADE_H
#define INSPRAAK_STORE_UPGRADE_H

#include <stdint.h>

#include "store.h"

typedef struct {
    int days_done;         /* stats:day known to be in Heerlen's days */
    int64_t days_retry_at; /* mono ms: next try when not */
    int counts;            /* -1 not begun (nothing may be stored), 1 backfill, 0 done */
} store_upgrade_t;

/* Nothing done yet. */
void store_upgrade_init(store_upgrade_t *self);

/* The day counts, once (see above); does nothing when done or not yet
 * due again. */
void store_upgrade_days(store_upgrade_t *self, store_t *st);

/* Begins the counts, or runs one backfill step while one is due. 0, or
 * -1 when Redis failed (logged). */
int store_upgrade_counts(store_upgrade_t *self, store_t *st);

#endif
