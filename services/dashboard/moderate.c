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

/* 1 when an ack for id arrived within wait_ms, 0 when not. */
static int s_wait_ack(void *sub, const char *id, int wait_ms)
{
    int64_t end = clock_mono_ms() + wait_ms;
    while (clock_mono_ms() < end) {
        zmq_pollitem_t it = {.socket = sub, .events = ZMQ_POLLIN};
        if (zmq_poll(&it, 1, (long)(end - clock_mono_ms())) <= 0)
            continue;
        char topic[BUS_MAX_TOPIC], *data = NULL;
        size_t len = 0;
        if (bus_recv(sub, topic, sizeof topic, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT) < 0)
            continue;
        envelope_t e;
        proto_err_t perr;
        envelope_init(&e);
        /* Storage may acknowledge several updates of ours in one message. */
        int ours = envelope_decode(data, len, &e, &perr) == 0 && envelope_acks(&e, id);
        envelope_clear(&e);
        free(data);
        if (ours)
            return 1;
    }
    return 0;
}

int moderate_send(dash_t *d, const idea_t *upd, char *err, size_t errlen)
{
    char id[48], topic[BUS_MAX_TOPIC], berr[256];
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    memcpy(id, "m-", 2);
    sodium_bin2hex(id + 2, sizeof id - 2, rnd, sizeof rnd);
    snprintf(topic, sizeof topic, "ack.%s", d->cfg.name);

    char *buf = NULL;
    size_t len = 0;
    if (s_encode(d, upd, id, &buf, &len) < 0) {
        snprintf(err, errlen, "De wijziging kon niet worden gemaakt.");
        return -1;
    }
    void *sub = bus_sub_connect(d->cfg.bus_events, topic, berr, sizeof berr);
    const char *to = upd->cluster ? d->cfg.bus_classify : d->cfg.bus_store;
    void *push = sub ? bus_push_connect(to, berr, sizeof berr) : NULL;
    int acked = 0;
    if (!push) {
        log_error("msg=\"cannot connect to the bus\" err=\"%s\"", berr);
    } else {
        int64_t end = clock_mono_ms() + S_WAIT_MS;
        while (!acked && clock_mono_ms() < end) {
            if (bus_send(push, NULL, buf, len, BUS_DONTWAIT) < 0 && errno != EAGAIN)
                break;
            int64_t left = end - clock_mono_ms();
            acked = s_wait_ack(sub, id, left < S_RESEND_MS ? (int)left : S_RESEND_MS);
        }
    }
    bus_close(&push);
    bus_close(&sub);
    free(buf);
    if (!acked) {
        log_warn("msg=\"no ack for update\" update=%s", id);
        snprintf(err, errlen,
                 "De opslag reageert niet. De wijziging is misschien niet "
                 "bewaard; probeer het over een minuut opnieuw.");
        return -1;
    }
    return 0;
}
