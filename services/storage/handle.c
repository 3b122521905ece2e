/*
 * NAME
 *   handle - what storage does with one message from its PULL socket
 *   (see storage_int.h and main.c's DESCRIPTION)
 *
 * DESCRIPTION
 *   classified: store the idea (and participant), then "stored" and the
 *   ack; update: moderation (store_update.c); dead and unreadable: the
 *   dead-letter list. A message Redis could not take returns -1, and
 *   main.c retries it with back-off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "proto.h"
#include "storage_int.h"
#include "store.h"
#include "update_applied.h"

/* Returns 0 when done with the message, -1 when Redis failed (retry). */
int handle_dead(storage_t *s, const char *origin, const char *code, const char *reason,
                const char *raw, size_t len)
{
    char q1[200], q2[64];
    if (store_deadletter(s->st, origin, code, reason, raw, len) < 0) {
        log_warn("msg=\"deadletter write failed\" err=%s",
                 log_quote(q1, sizeof q1, store_error(s->st)));
        return -1;
    }
    metric_inc(s->m_dead);
    log_warn("msg=\"dead letter\" code=%s reason=%s", log_quote(q2, sizeof q2, code),
             log_quote(q1, sizeof q1, reason ? reason : ""));
    return 0;
}

/* Publishes what store_idea or store_ideas decided for one classified
 * envelope (r: 1 stored, 0 already stored), then acks it. "stored" goes
 * out before the ack: a subscriber to both on one socket then sees the
 * event before the ack that ends its wait. */
void handle_after_store(storage_t *s, envelope_t *e, int r)
{
    char q[200];
    idea_t *idea = e->idea;
    if (r == 1) {
        metric_inc(s->m_stored);
        events_publish(s, "stored", ENV_STORED, idea->id, idea);
        log_info("msg=\"stored\" id=%s", log_quote(q, sizeof q, idea->id));
    } else {
        metric_inc(s->m_dups);
        log_debug("msg=\"duplicate\" id=%s", log_quote(q, sizeof q, idea->id));
    }
    events_ack(s, e);
}

static int s_on_classified(storage_t *s, envelope_t *e, const char *raw, size_t len)
{
    char err[256], q[200];
    idea_t *idea = e->idea;
    if (!idea) {
        if (handle_dead(s, e->origin, "missing_field", "classified envelope without idea", raw,
                        len) < 0)
            return -1;
        events_ack(s, e);
        return 0;
    }
    if (!idea->id && e->id)
        proto_set(&idea->id, e->id);
    int bad = 0;
    int r = store_idea(s->st, idea, e->participant, &bad, err, sizeof err);
    if (r < 0 && bad) {
        if (handle_dead(s, e->origin, "bad_record", err, raw, len) < 0)
            return -1;
        events_ack(s, e);
        return 0;
    }
    if (r < 0) {
        log_warn("msg=\"redis write failed\" id=%s err=%s", log_quote(q, 64, idea->id),
                 log_quote(q + 64, sizeof q - 64, err));
        return -1;
    }
    handle_after_store(s, e, r);
    return 0;
}

/* An update applied is remembered by its envelope id (update_applied.h):
 * its senders re-send it with the same id until the ack
 * (common/bus_update.c), and a copy that waited in a busy classifier's or
 * storage's queue can come after a later update of the same idea, which
 * applying it again would undo. The check, the write and the mark are one
 * script (store_update.c, store_redact.c), so of two storages holding
 * copies of one update only one applies it, and the mark exists exactly
 * when the write does: an update a failing Redis did not apply was not
 * marked either and is applied by its re-send (not acked, comes again).
 * An envelope without an id is applied and not marked.
 *
 * Moderation from the dashboard (store_update.c). A bad or unknown-id
 * update is logged and acked: re-sending it would not help, and the
 * dashboard re-reads the idea to tell staff whether it was saved. A copy
 * of an update applied before is acked and not applied again, and so is
 * a save made on an idea page that no longer shows the idea as it is
 * (its "was", store_update.c): the dashboard tells staff so. */
static int s_on_update(storage_t *s, envelope_t *e)
{
    char err[256], q[200];
    int bad = 0, r = e->idea ? store_update(s->st, e->idea, e->id, &bad, err, sizeof err) : -1;
    if (!e->idea) {
        bad = 1;
        snprintf(err, sizeof err, "update envelope without idea");
    }
    if (r < 0 && !bad) { /* retried until Redis takes it: say which save waits */
        char qi[100], qu[100];
        log_warn("msg=\"redis update failed\" id=%s update=%s err=%s",
                 log_quote(qi, sizeof qi, e->idea->id), log_quote(qu, sizeof qu, e->id),
                 log_quote(q, sizeof q, err));
        return -1;
    }
    if (r < 0)
        log_warn("msg=\"update refused\" err=%s", log_quote(q, sizeof q, err));
    else if (r == UPDATE_APPLIED_BEFORE)
        log_info("msg=\"update applied before; not again\" update=%s",
                 log_quote(q, sizeof q, e->id));
    else if (r == STORE_UPDATE_STALE)
        log_info("msg=\"update not applied: the idea changed since staff saw it\" id=%s "
                 "update=%s",
                 log_quote(q, 100, e->idea->id), log_quote(q + 100, sizeof q - 100, e->id));
    else
        log_info("msg=\"%s\" id=%s", r == 1 ? "updated" : "update of unknown idea",
                 log_quote(q, sizeof q, e->idea->id));
    events_ack(s, e);
    return 0;
}

/* The classifier writes reasons as "<code>: <sentence>" (proto_err_t);
 * keep that code for the list, else call it "unreadable". */
static void s_dead_code(const char *reason, char *code, size_t size)
{
    size_t n = reason ? strspn(reason, "abcdefghijklmnopqrstuvwxyz_") : 0;
    if (n > 0 && n < size && reason[n] == ':')
        snprintf(code, size, "%.*s", (int)n, reason);
    else
        snprintf(code, size, "unreadable");
}

/* One message from the bus. Returns 0 when done, -1 to retry later. */
int handle_message(storage_t *s, const char *raw, size_t len)
{
    envelope_t e;
    proto_err_t perr;
    envelope_init(&e);
    if (envelope_decode(raw, len, &e, &perr) < 0) {
        envelope_clear(&e);
        return handle_dead(s, NULL, perr.code, perr.message, raw, len);
    }
    int rc;
    switch (e.type) {
    case ENV_CLASSIFIED:
        rc = s_on_classified(s, &e, raw, len);
        break;
    case ENV_UPDATE:
        rc = s_on_update(s, &e);
        break;
    case ENV_DEAD: {
        char code[32];
        s_dead_code(e.reason, code, sizeof code);
        rc = handle_dead(s, e.origin, code, e.reason, e.raw, e.raw_len);
        if (rc == 0)
            events_ack(s, &e);
        break;
    }
    default:
        /* Not meant for storage; keep the bytes rather than drop them, and
         * ack so the sender does not loop on it. */
        rc = handle_dead(s, e.origin, "unexpected_type", env_type_name(e.type), raw, len);
        if (rc == 0)
            events_ack(s, &e);
        break;
    }
    envelope_clear(&e);
    return rc;
}
