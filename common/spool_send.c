/*
 * NAME
 *   spool_send - the spool's (re-)send schedule (see spool.h)
 *
 * SUMMARY
 *   spool_send_due(s, now_ms, resend_ms, max, fn, arg);
 *
 * DESCRIPTION
 *   A record is sent at once when it is durable, and sent again only when
 *   it looks lost. A timer alone cannot tell "lost" from "queued": with a
 *   backlog of thousands of records in the bus and the classifiers, every
 *   record waits longer than resend_ms for its ack, and a timer counted from
 *   the send re-sent most of them (29 % of the classifier's work in the
 *   drain bench), which made the backlog longer still. So a re-send needs
 *   the record's timer (resend_ms after its last send, doubling to 60 s)
 *   AND one of:
 *
 *     progress: since its send, the pipeline acknowledged at least twice as
 *       many records of this spool as were in flight ahead of it (st.acked
 *       >= ack_mark). The bus and storage are about FIFO, so by then it
 *       should have come back; the factor 2 leaves room for the reordering
 *       of several classifier instances and batches. A record with nothing
 *       ahead of it goes on its timer alone, as before.
 *     stall: no ack at all arrived for resend_ms (a killed classifier or
 *       storage, Redis down): every record whose timer ran out goes again,
 *       as the plain timer did.
 *     bound: its last send is 60 s (or resend_ms, if more) ago, whatever
 *       the acks say.
 *
 *   A record whose timer ran out but which is held back is looked at again
 *   a quarter of resend_ms later (never past the bound), so a lost record
 *   is re-sent at most that late after the rule lets it go.
 *
 *   Hand-written: this is the spool's own bookkeeping; no library keeps a
 *   re-send schedule over our records.
 */
#include <stdbool.h>
#include <stdint.h>

#include "spool.h"
#include "spool_int.h"

#define SEND_BATCH 64

/* What one spool_send_due() call knows about the pipeline. */
typedef struct {
    int64_t now;
    long resend_ms;
    long cap;     /* the longest delay, and the bound on holding back */
    bool stalled; /* no ack for resend_ms */
    int64_t *min_due;
} s_round_t;

/* A sent record whose timer ran out: true when it goes again now; else it
 * gets the time to look again. Locked. */
static bool s_resend_now(spool_t *self, spool_rec_t *r, const s_round_t *rd)
{
    int64_t bound = r->sent_ms + rd->cap;
    if (rd->stalled || self->st.acked >= r->ack_mark || rd->now >= bound)
        return true;
    int64_t again = rd->now + (rd->resend_ms / 4 > 0 ? rd->resend_ms / 4 : 1);
    r->next_due = again < bound ? again : bound;
    return false;
}

/* Marks up to SEND_BATCH due records busy, starting at *cur; lowers
 * *rd->min_due to the due time of each sent record passed. Locked. */
static size_t s_collect(spool_t *self, spool_rec_t **cur, const s_round_t *rd, size_t room,
                        spool_rec_t **batch)
{
    size_t n = 0;
    spool_rec_t *r = *cur;
    while (r && n < SEND_BATCH && n < room) {
        if (r->gen > self->synced_gen) {
            r = NULL; /* append order: nothing after it is durable either */
            break;
        }
        if (!r->gone && !r->busy && r->next_due <= rd->now &&
            (r->delay == 0 || s_resend_now(self, r, rd))) {
            r->busy = 1;
            batch[n++] = r;
        } else if (!r->gone && r->next_due < *rd->min_due) {
            *rd->min_due = r->next_due;
        }
        r = r->next;
    }
    *cur = r;
    return n;
}

/* After the callback: the first n of batch were handed to the bus, the rest
 * were refused; acknowledged ones are freed. Locked. */
static void s_settle(spool_t *self, spool_rec_t **batch, size_t n, size_t done, const s_round_t *rd,
                     int64_t *min_due)
{
    for (size_t i = 0; i < n; i++) {
        spool_rec_t *r = batch[i];
        r->busy = 0;
        if (r->gone) {
            spool_rec_unlink(self, r);
            spool_rec_free(r);
            continue;
        }
        if (i >= done)
            continue;
        if (r->delay == 0) {
            self->st.sent++;
            r->delay = rd->resend_ms;
            if (self->first_unsent == r)
                self->first_unsent = r->next;
            self->inflight++;
        } else {
            self->st.resent++;
            r->delay = r->delay > rd->cap / 2 ? rd->cap : r->delay * 2;
        }
        /* In flight ahead of it: every sent, unacknowledged record but itself. */
        uint64_t ahead = self->inflight > 0 ? self->inflight - 1 : 0;
        r->ack_mark = self->st.acked + 2 * ahead;
        r->sent_ms = rd->now;
        r->next_due = rd->now + r->delay;
        if (r->next_due < *min_due)
            *min_due = r->next_due;
    }
}

int spool_send_due(spool_t *self, int64_t now_ms, long resend_ms, size_t max, spool_send_fn fn,
                   void *arg)
{
    spool_rec_t *batch[SEND_BATCH];
    size_t sent = 0;
    int stopped = 0;
    if (resend_ms < 1)
        resend_ms = 1;
    pthread_mutex_lock(&self->lock);
    /* A fully acknowledged active segment, with nothing written since the
     * last call, is rotated away (and so deleted by the trim): acknowledged
     * submissions, personal data included, do not linger on disk until 4 MiB
     * more arrive (participant erase, docs/privacy.md). When the new
     * segment cannot be made (a full disk), not again at every wake-up
     * (ten a second: a file created, filled with zeros until refused and
     * deleted, and an error logged, each time) but after
     * SPOOL_ROTATE_RETRY_MS; an append tries at once anyway. */
    if (self->active && self->active->live == 0 && self->seg_size > 0 && !self->syncing &&
        !self->sync_errno && self->idle_gen == self->write_gen && now_ms >= self->rotate_after &&
        spool_rotate_locked(self) < 0)
        self->rotate_after = now_ms + SPOOL_ROTATE_RETRY_MS;
    self->idle_gen = self->write_gen;
    if (self->st.acked != self->prog_acked) {
        self->prog_acked = self->st.acked;
        self->prog_ms = now_ms;
    }
    int64_t min_due = INT64_MAX, ignored = 0;
    s_round_t rd = {.now = now_ms,
                    .resend_ms = resend_ms,
                    .cap = resend_ms > SPOOL_MAX_DELAY_MS ? resend_ms : SPOOL_MAX_DELAY_MS,
                    .stalled = now_ms - self->prog_ms >= resend_ms};
    /* Every group commit wakes this; walking all pending records each time
     * made it O(pending) per idea (43 % of the intake's CPU while the
     * pipeline lagged). Records are sent in list order and a send stops at
     * the first failure, so the never-sent ones (delay 0) are a suffix of
     * the list, starting at first_unsent; until the earliest resend is due
     * (min_due, kept exact by every complete walk and as a lower bound
     * otherwise) only that suffix is walked. Once resends are due, a
     * complete walk runs at most every SPOOL_FULL_WALK_MS (a quarter of
     * resend_ms if that is less): with resends spread over time min_due
     * is nearly always past, and a walk of 50,000 pending records per
     * wakeup was again 10 % of the intake's CPU. A resend is at most that
     * much late. */
    long walk_gap = resend_ms / 4 < SPOOL_FULL_WALK_MS ? resend_ms / 4 : SPOOL_FULL_WALK_MS;
    bool full = now_ms >= self->min_due && now_ms - self->last_full >= walk_gap;
    spool_rec_t *cur = full ? self->head : self->first_unsent;
    if (full)
        self->last_full = now_ms;
    rd.min_due = full ? &min_due : &ignored;
    while (cur && !stopped && (max == 0 || sent < max)) {
        size_t n = s_collect(self, &cur, &rd, max ? max - sent : SEND_BATCH, batch);
        if (n == 0)
            break;
        pthread_mutex_unlock(&self->lock);
        size_t done = 0;
        while (done < n && fn(batch[done]->id, batch[done]->data, batch[done]->len, arg) == 0)
            done++;
        pthread_mutex_lock(&self->lock);
        cur = batch[n - 1]->next; /* still linked: it is busy */
        s_settle(self, batch, n, done, &rd, &min_due);
        sent += done;
        stopped = done < n;
    }
    /* A complete walk knows the earliest resend; otherwise keep a bound. */
    if (full && !stopped && (max == 0 || sent < max))
        self->min_due = min_due;
    else if (min_due < self->min_due)
        self->min_due = min_due;
    pthread_mutex_unlock(&self->lock);
    return (int)sent;
}
