/*
 * NAME
 *   events - what storage publishes on its PUB socket: "stored" for a new
 *   idea and the acks of a batch (see storage_int.h)
 *
 * DESCRIPTION
 *   Events may be lost (PUB drops at the high-water mark); a lost ack
 *   only causes a re-send. Acks are noted while a batch is handled and
 *   published together after it, one message per origin, after one
 *   replication check (INSPRAAK_REDIS_WAIT_REPLICAS: main.c, GUARANTEES).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "proto.h"
#include "rstore.h"
#include "storage_int.h"
#include "store.h"
#include "xalloc.h"

/* Encodes e (origin and time are set here) and publishes it. Events may
 * be lost (PUB drops at the high-water mark); a lost ack only causes a
 * re-send, so a failure is logged and otherwise ignored. */
static void s_send_env(storage_t *s, const char *topic, envelope_t *e)
{
    e->version = PROTO_VERSION;
    proto_set(&e->origin, s->cfg.name);
    e->sent_at = clock_wall_ms();
    char *buf = NULL;
    size_t len = 0;
    proto_err_t perr;
    char q[160];
    if (envelope_encode(e, &buf, &len, &perr) < 0)
        log_error("msg=\"cannot encode event\" id=%s err=%s", log_quote(q, sizeof q, e->id),
                  perr.code);
    else if (bus_send(s->pub, topic, buf, len, BUS_DONTWAIT) < 0)
        log_warn("msg=\"event not published\" topic=%s err=\"%s\"", log_quote(q, sizeof q, topic),
                 strerror(errno));
    free(buf);
}

/* Publishes an envelope of the given type. The idea is borrowed. */
void events_publish(storage_t *s, const char *topic, env_type_t type, const char *id, idea_t *idea)
{
    envelope_t e;
    envelope_init(&e);
    e.type = type;
    proto_set(&e.id, id);
    e.idea = idea;
    s_send_env(s, topic, &e);
    e.idea = NULL; /* borrowed */
    envelope_clear(&e);
}

/* 1 when the writes so far may be acknowledged: always without
 * INSPRAAK_REDIS_WAIT_REPLICAS; else when WAIT counts enough replicas. A
 * withheld ack costs only a re-send (the write is idempotent). */
static int s_replicated(storage_t *s)
{
    static long replicas = -1, wait_ms = 1000;
    static metric_t *m_unrepl;
    if (replicas < 0) {
        char err[160];
        if (config_long("INSPRAAK_REDIS_WAIT_REPLICAS", 0, 0, 16, &replicas, err, sizeof err) < 0 ||
            config_long("INSPRAAK_REDIS_WAIT_MS", 1000, 1, 60000, &wait_ms, err, sizeof err) < 0) {
            log_error("msg=\"bad setting, acks wait for 1 replica\" err=\"%s\"", err);
            replicas = 1;
        }
        m_unrepl = metrics_counter("inspraak_storage_unreplicated_total",
                                   "Acks withheld because too few replicas confirmed the write.");
    }
    if (replicas == 0)
        return 1;
    int n = rstore_wait(store_rstore(s->st), (int)replicas, (int)wait_ms);
    if (n >= replicas)
        return 1;
    metric_inc(m_unrepl);
    log_warn("msg=\"ack withheld: write not replicated\" replicas=%d want=%ld err=\"%s\"", n,
             replicas, n < 0 ? rstore_error(store_rstore(s->st)) : "");
    return 0;
}

/* Publishes the acks noted since the last flush: after one replication
 * check for all of them (a WAIT per batch, not per idea), one ENV_ACK per
 * origin, carrying every id of that origin in noted order (proto.h: a
 * single id keeps the old single-id form). Withheld: nothing is sent, and
 * the intakes re-send, as before. */
void events_acks_flush(storage_t *s)
{
    if (s->n_acks == 0)
        return;
    int ok = s_replicated(s);
    const char *ids[STORAGE_ACKS_MAX];
    for (int i = 0; ok && i < s->n_acks; i++) {
        if (!s->acks[i].origin)
            continue; /* sent with an earlier origin */
        const char *origin = s->acks[i].origin;
        int n = 0;
        for (int j = i; j < s->n_acks; j++)
            if (s->acks[j].origin && strcmp(s->acks[j].origin, origin) == 0)
                ids[n++] = s->acks[j].id;
        char topic[BUS_MAX_TOPIC];
        snprintf(topic, sizeof topic, "ack.%s", origin);
        envelope_t e;
        envelope_init(&e);
        envelope_set_acks(&e, ids, n);
        s_send_env(s, topic, &e);
        envelope_clear(&e);
        for (int j = s->n_acks - 1; j >= i; j--)
            if (s->acks[j].origin && (j == i || strcmp(s->acks[j].origin, origin) == 0)) {
                free(s->acks[j].origin);
                s->acks[j].origin = NULL;
            }
    }
    for (int i = 0; i < s->n_acks; i++) {
        free(s->acks[i].origin);
        free(s->acks[i].id);
    }
    s->n_acks = 0;
}

/* Notes an ack for e (to e->origin) for the next events_acks_flush(): acks
 * of one batch go out together, one message per origin, so an intake's
 * sender wakes and decodes once per batch instead of once per idea. */
void events_ack(storage_t *s, const envelope_t *e)
{
    if (!e->origin || !e->id || strlen(e->origin) + 5 > BUS_MAX_TOPIC)
        return;
    if (s->n_acks == STORAGE_ACKS_MAX)
        events_acks_flush(s);
    s->acks[s->n_acks].origin = xstrdup(e->origin);
    s->acks[s->n_acks].id = xstrdup(e->id);
    s->n_acks++;
}
