/*
 * NAME
 *   moderate - send a moderation update to storage and wait for its ack
 *
 * DESCRIPTION
 *   Storage is the only writer of ideas (DESIGN.md contract 4), so the
 *   dashboard PUSHes an "update" envelope (proto.h ENV_UPDATE) to
 *   INSPRAAK_BUS_STORE and waits on a SUB socket of INSPRAAK_BUS_EVENTS for
 *   "ack.<our name>" with the envelope's id. An update that moves the idea
 *   to another near-duplicate cluster goes to INSPRAAK_BUS_CLASSIFY
 *   instead: the classifier moves its stored sketch too (so later
 *   near-duplicates follow staff's choice) and hands the update on to
 *   storage, whose ack comes the same way. With no classifier running it
 *   is not saved, and staff are told so. ZeroMQ sockets belong to one
 *   thread, and HTTP handlers run on many, so each moderation opens its own
 *   pair and closes it afterwards; moderation is rare, so that is cheap.
 *
 *   The SUB is connected first, but a subscription can still reach the
 *   publisher after a fast ack went out (ZeroMQ "slow joiner"), so the
 *   update is re-sent every second until the ack arrives or S_WAIT_MS pass.
 *   Re-sending is safe: applying the same update twice changes nothing.
 *   moderate_send_many() does the same for many updates over one socket
 *   pair (a whole near-duplicate group moved: ui_cluster_merge.c),
 *   re-sending only those not acked yet.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus.h"
#include "clock.h"
#include "dashboard.h"
#include "log.h"
#include "xalloc.h"

/* Storage takes updates in turn with the ideas on its PULL queue, so under
 * a burst of new ideas an update can wait seconds for its turn: give it
 * 15 s before telling staff it may not have been saved. */
#define S_WAIT_MS 15000
#define S_RESEND_MS 1000

static int s_encode(dash_t *d, const idea_t *upd, const char *id, char **buf, size_t *len)
{
    envelope_t e;
    proto_err_t perr;
    envelope_init(&e);
    e.version = PROTO_VERSION;
    e.type = ENV_UPDATE;
    proto_set(&e.id, id);
    proto_set(&e.origin, d->cfg.name);
    e.sent_at = clock_wall_ms();
    e.idea = (idea_t *)upd; /* borrowed */
    int rc = envelope_encode(&e, buf, len, &perr);
    e.idea = NULL;
    envelope_clear(&e);
    if (rc < 0)
        log_error("msg=\"cannot encode update\" err=%s", perr.code);
    return rc;
}

/* Marks the updates an ack message names as acked; returns how many. */
static int s_mark(const envelope_t *e, char (*ids)[48], int *acked, int n)
{
    int marked = 0;
    for (int i = 0; i < n; i++)
        if (!acked[i] && envelope_acks(e, ids[i]))
            acked[i] = 1, marked++;
    return marked;
}

/* Waits up to wait_ms for acks of our updates; returns how many came. */
static int s_wait_acks(void *sub, char (*ids)[48], int *acked, int n, int wait_ms)
{
    int64_t end = clock_mono_ms() + wait_ms;
    int got = 0, left = 0;
    for (int i = 0; i < n; i++)
        left += !acked[i];
    for (int64_t rest; got < left && (rest = end - clock_mono_ms()) > 0;) {
        zmq_pollitem_t it = {.socket = sub, .events = ZMQ_POLLIN};
        if (zmq_poll(&it, 1, (long)rest) <= 0) /* rest > 0: never "wait forever" */
            continue;
        char topic[BUS_MAX_TOPIC], *data = NULL;
        size_t len = 0;
        if (bus_recv(sub, topic, sizeof topic, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT) < 0)
            continue;
        envelope_t e;
        proto_err_t perr;
        envelope_init(&e);
        /* Storage may acknowledge several updates of ours in one message. */
        if (envelope_decode(data, len, &e, &perr) == 0)
            got += s_mark(&e, ids, acked, n);
        envelope_clear(&e);
        free(data);
    }
    return got;
}

/* Sends every update not acked yet; 0, or -1 when the socket failed. */
static int s_send_unacked(void *push, char **bufs, const size_t *lens, const int *acked, int n)
{
    for (int i = 0; i < n; i++)
        if (!acked[i] && bus_send(push, NULL, bufs[i], lens[i], BUS_DONTWAIT) < 0 &&
            errno != EAGAIN)
            return -1;
    return 0;
}

int moderate_send_many(dash_t *d, idea_t *const *upds, int n, char *err, size_t errlen)
{
    char topic[BUS_MAX_TOPIC], berr[256];
    char(*ids)[48] = xcalloc((size_t)(n > 0 ? n : 1), sizeof *ids);
    char **bufs = xcalloc((size_t)(n > 0 ? n : 1), sizeof *bufs);
    size_t *lens = xcalloc((size_t)(n > 0 ? n : 1), sizeof *lens);
    int *acked = xcalloc((size_t)(n > 0 ? n : 1), sizeof *acked), done = 0, encoded = 1;
    snprintf(topic, sizeof topic, "ack.%s", d->cfg.name);
    for (int i = 0; i < n && encoded; i++) {
        unsigned char rnd[8];
        randombytes_buf(rnd, sizeof rnd);
        memcpy(ids[i], "m-", 2);
        sodium_bin2hex(ids[i] + 2, sizeof ids[i] - 2, rnd, sizeof rnd);
        encoded = s_encode(d, upds[i], ids[i], &bufs[i], &lens[i]) == 0;
    }
    void *sub = encoded ? bus_sub_connect(d->cfg.bus_events, topic, berr, sizeof berr) : NULL;
    /* A cluster goes through the classifier, which moves its sketch too. */
    const char *to = n > 0 && upds[0]->cluster ? d->cfg.bus_classify : d->cfg.bus_store;
    void *push = sub ? bus_push_connect(to, berr, sizeof berr) : NULL;
    if (encoded && !push) {
        log_error("msg=\"cannot connect to the bus\" err=\"%s\"", berr);
    } else if (push) {
        int64_t end = clock_mono_ms() + S_WAIT_MS;
        while (done < n && clock_mono_ms() < end) {
            if (s_send_unacked(push, bufs, lens, acked, n) < 0)
                break;
            int64_t left = end - clock_mono_ms();
            done += s_wait_acks(sub, ids, acked, n, left < S_RESEND_MS ? (int)left : S_RESEND_MS);
        }
    }
    bus_close(&push);
    bus_close(&sub);
    for (int i = 0; i < n; i++)
        free(bufs[i]);
    free(bufs), free(lens), free(acked), free(ids);
    if (!encoded) {
        snprintf(err, errlen, "De wijziging kon niet worden gemaakt.");
        return -1;
    }
    if (done < n) {
        log_warn("msg=\"no ack for update\" updates=%d acked=%d via=%s", n, done,
                 to == d->cfg.bus_classify ? "classifier" : "storage");
        snprintf(err, errlen, "%s De wijziging is misschien niet bewaard; probeer het over een "
                 "minuut opnieuw.",
                 to == d->cfg.bus_classify ? "Het indelen van ideeën werkt nu niet."
                                           : "De opslag reageert niet.");
        return -1;
    }
    return 0;
}

int moderate_send(dash_t *d, const idea_t *upd, char *err, size_t errlen)
{
    idea_t *one = (idea_t *)upd; /* only read */
    return moderate_send_many(d, &one, 1, err, errlen);
}
