/*
 * NAME
 *   bus_update - send update envelopes to storage and wait for their acks
 *
 * DESCRIPTION
 *   See bus_update.h. Ids are "m-" and 16 random hex digits, one per
 *   update, so acks of another program's updates are never taken for ours
 *   even when both use the same origin.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus.h"
#include "bus_update.h"
#include "clock.h"
#include "log.h"
#include "xalloc.h"

#define S_ID_SIZE 48

static int s_encode(const char *origin, const idea_t *upd, const char *id, char **buf,
                    size_t *len, proto_err_t *perr)
{
    envelope_t e;
    envelope_init(&e);
    e.version = PROTO_VERSION;
    e.type = ENV_UPDATE;
    proto_set(&e.id, id);
    proto_set(&e.origin, origin);
    e.sent_at = clock_wall_ms();
    e.idea = (idea_t *)upd; /* borrowed */
    int rc = envelope_encode(&e, buf, len, perr);
    e.idea = NULL;
    envelope_clear(&e);
    return rc;
}

/* Marks the updates an ack message names as acked; returns how many. */
static int s_mark(const envelope_t *e, char (*ids)[S_ID_SIZE], int *acked, int n)
{
    int marked = 0;
    for (int i = 0; i < n; i++)
        if (!acked[i] && envelope_acks(e, ids[i]))
            acked[i] = 1, marked++;
    return marked;
}

/* Waits up to wait_ms for acks of our updates; returns how many came. */
static int s_wait_acks(void *sub, char (*ids)[S_ID_SIZE], int *acked, int n, int wait_ms)
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

int bus_update_send(const char *to, const char *events, const char *origin, idea_t *const *upds,
                    int n, int wait_ms, int *acked, char *err, size_t errlen)
{
    size_t slots = (size_t)(n > 0 ? n : 1);
    char topic[BUS_MAX_TOPIC], berr[256];
    char(*ids)[S_ID_SIZE] = xcalloc(slots, sizeof *ids);
    char **bufs = xcalloc(slots, sizeof *bufs);
    size_t *lens = xcalloc(slots, sizeof *lens);
    int done = 0, encoded = 1;
    proto_err_t perr;
    for (int i = 0; i < n; i++)
        acked[i] = 0;
    snprintf(topic, sizeof topic, "ack.%s", origin);
    for (int i = 0; i < n && encoded; i++) {
        unsigned char rnd[8];
        randombytes_buf(rnd, sizeof rnd);
        memcpy(ids[i], "m-", 2);
        sodium_bin2hex(ids[i] + 2, sizeof ids[i] - 2, rnd, sizeof rnd);
        encoded = s_encode(origin, upds[i], ids[i], &bufs[i], &lens[i], &perr) == 0;
    }
    if (!encoded) {
        log_error("msg=\"cannot encode update\" err=%s", perr.code);
        snprintf(err, errlen, "cannot encode update: %s", perr.code);
        done = BUS_UPDATE_EENCODE;
    }
    void *sub = encoded ? bus_sub_connect(events, topic, berr, sizeof berr) : NULL;
    void *push = sub ? bus_push_connect(to, berr, sizeof berr) : NULL;
    if (encoded && !push) {
        log_error("msg=\"cannot connect to the bus\" err=\"%s\"", berr);
        snprintf(err, errlen, "cannot connect to the bus: %s", berr);
        done = BUS_UPDATE_ECONNECT;
    } else if (push) {
        int64_t end = clock_mono_ms() + wait_ms;
        int resend_ms = BUS_UPDATE_FIRST_RESEND_MS;
        while (done < n && clock_mono_ms() < end) {
            if (s_send_unacked(push, bufs, lens, acked, n) < 0)
                break;
            int64_t left = end - clock_mono_ms();
            done += s_wait_acks(sub, ids, acked, n, left < resend_ms ? (int)left : resend_ms);
            resend_ms = resend_ms * 2 > BUS_UPDATE_RESEND_MS ? BUS_UPDATE_RESEND_MS : resend_ms * 2;
        }
    }
    bus_close(&push);
    bus_close(&sub);
    for (int i = 0; i < n; i++)
        free(bufs[i]);
    free(bufs), free(lens), free(ids);
    return done;
}
