/*
 * NAME
 *   store_upgrade - the day counts rebuild and the counts' backfill as
 *   storage's loop runs them (see store_upgrade.h)
 */
#include "store_upgrade.h"

#include "clock.h"
#include "log.h"
#include "store_counts.h"
#include "store_days.h"

void store_upgrade_init(store_upgrade_t *self)
{
    self->days_done = 0;
    self->days_retry_at = 0;
    self->counts = -1;
}

void store_upgrade_days(store_upgrade_t *self, store_t *st)
{
    if (self->days_done || clock_mono_ms() < self->days_retry_at)
        return;
    long long ideas = 0;
    char q[200];
    int r = store_days_rebuild(st, &ideas);
    if (r < 0) {
        log_warn("msg=\"day counts not checked; trying again in 10 s\" err=%s",
                 log_quote(q, sizeof q, store_error(st)));
        self->days_retry_at = clock_mono_ms() + 10000;
        return;
    }
    self->days_done = 1;
    if (r == 1)
        log_info("msg=\"day counts rebuilt in heerlen days\" ideas=%lld", ideas);
}

int store_upgrade_counts(store_upgrade_t *self, store_t *st)
{
    if (self->counts == 0)
        return 0;
    int r = self->counts < 0 ? store_counts_begin(st) : store_counts_step(st);
    if (r < 0) {
        char q[300];
        log_warn("msg=\"people counts: redis failed, trying again\" err=%s",
                 log_quote(q, sizeof q, store_error(st)));
        return -1;
    }
    self->counts = r;
    return 0;
}
