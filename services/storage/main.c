/*
 * NAME
 *   storage - the only writer of ideas into Redis
 *
 * SUMMARY
 *   storage            (settings from the environment, see config.h)
 *
 * DESCRIPTION
 *   Reads envelopes from its PULL socket (item INSPRAAK_INSTANCE of
 *   INSPRAAK_BUS_STORE) and writes them into Redis (key layout:
 *   docs/redis.md):
 *
 *   classified  the participant (if the envelope names one) and the idea,
 *               with its indexes and stats, in one atomic Lua script that
 *               does nothing when the id is already stored. Then it
 *               publishes "ack" (topic "ack.<origin>") and, for a new idea,
 *               "stored" (the idea without personal data) on its PUB socket
 *               (item INSPRAAK_INSTANCE of INSPRAAK_BUS_EVENTS).
 *   update      moderation from the dashboard (status, themes, wijk,
 *               sentiment of a stored idea): store_update() rewrites the
 *               record, its indexes and stats in one script, which also
 *               skips an update whose envelope id is marked applied and
 *               marks it (update_applied.h), then "ack". A save that
 *               says which version of the idea staff saw ("was") and no
 *               longer matches it is acked and not applied.
 *   dead        (the classifier could not read a record) goes to the
 *               inspraak:deadletter list, then is acked so the intake stops
 *               re-sending it.
 *   unreadable  bytes (bad MessagePack, unknown version) go to the
 *               deadletter list with the reason and are dropped.
 *   At start, before the first message, the day counts are rebuilt in
 *   Heerlen's days when an older storage left them in UTC days
 *   (store_days.h; once per Redis). The people counts and the counts of
 *   ideas not hidden of /resultaten are begun before the first idea is
 *   stored; ideas stored before they existed are counted between messages
 *   in one pass feeding both (store_counts.h; both run by store_upgrade.h).
 *   This file receives, batches and retries; handle.c handles one
 *   message, events.c publishes the events and acks (storage_int.h).
 *
 * GUARANTEES
 *   An ack is published only after Redis confirmed the write (Redis runs
 *   with appendfsync always). While Redis is down nothing is acked: the
 *   message in hand is retried with back-off (1 s doubling to 10 s) and
 *   /healthz answers 503; the intakes re-send meanwhile, which is harmless
 *   because the write is idempotent on the idea id.
 *   With INSPRAAK_REDIS_WAIT_REPLICAS=N (default 0) an ack also waits until
 *   N replicas have every write (Redis WAIT, at most INSPRAAK_REDIS_WAIT_MS
 *   [1000] ms); when fewer confirm, the ack is withheld and the intake
 *   re-sends. So a Sentinel failover cannot lose an acknowledged idea
 *   (docs/operations.md, "Redis high availability").
 *   Messages already queued on the PULL socket are taken together (up to
 *   STORE_BATCH_MAX) and their ideas written with pipelined EVALSHAs
 *   (store_ideas): one round trip and about one Redis fsync per batch
 *   instead of per idea. No ack goes out before its idea's reply; the
 *   acks of a batch go out together after it, one message per origin
 *   carrying every id (proto.h, "ids"), after one replication check.
 *   SIGTERM: the message in hand is finished (unless Redis is down), then
 *   the process exits 0.
 *
 * CONFIGURATION
 *   INSPRAAK_REDIS_URL, INSPRAAK_BUS_STORE, INSPRAAK_BUS_EVENTS,
 *   INSPRAAK_INSTANCE, INSPRAAK_PORT_BASE, INSPRAAK_HTTP_PORT (admin port,
 *   default PORT_BASE+5: /healthz and /metrics), INSPRAAK_LOG_LEVEL.
 *
 * DIAGNOSTICS
 *   Structured log lines on stderr. Metrics: inspraak_storage_stored_total,
 *   inspraak_storage_duplicates_total, inspraak_storage_deadletter_total,
 *   inspraak_storage_redis_errors_total,
 *   inspraak_storage_backfill_skipped_total (store_counts.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "bus.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "proto.h"
#include "rstore.h"
#include "service.h"
#include "storage_int.h"
#include "store.h"
#include "store_upgrade.h"
#include "update_applied.h"
#include "xalloc.h"

static volatile sig_atomic_t s_stop;

static int s_health(char *reason, size_t size, void *arg)
{
    storage_t *s = arg;
    pthread_mutex_lock(&s->health_mu);
    int ok = store_ping(s->health_st);
    if (!ok)
        snprintf(reason, size, "degraded: redis does not answer: %s",
                 rstore_error(store_rstore(s->health_st)));
    pthread_mutex_unlock(&s->health_mu);
    return ok;
}

/* Sleeps ms, waking early on SIGTERM. */
static void s_sleep_ms(long ms)
{
    while (ms > 0 && !s_stop) {
        long step = ms > 100 ? 100 : ms;
        struct timespec ts = {0, step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static void s_process(storage_t *s, const char *raw, size_t len)
{
    long delay = 1000;
    while (handle_message(s, raw, len) < 0) {
        metric_inc(s->m_redis_err);
        events_acks_flush(s); /* what is stored already need not wait for Redis */
        if (s_stop) {
            log_warn("msg=\"stopping with a message not stored; the intake will re-send it\"");
            return;
        }
        s_sleep_ms(delay);
        delay = delay * 2 > 10000 ? 10000 : delay * 2;
    }
}

/* A message received but not yet handled (see s_batch). */
typedef struct {
    char *data;
    size_t len;
    envelope_t env;
    int decoded; /* 1: env holds a classified envelope with an idea */
} s_msg_t;

/* Writes the classified ideas of msgs[0..n) in one pipelined round trip
 * (store_ideas), then acks each after its reply. Anything that did not go
 * through cleanly (bad record, Redis error) is handed to s_process, the
 * one-at-a-time path with its dead letters and back-off, so a batch changes
 * only the speed, never the outcome. */
static void s_store_batch(storage_t *s, s_msg_t *msgs, int n)
{
    idea_t *ideas[STORE_BATCH_MAX];
    const participant_t *ps[STORE_BATCH_MAX];
    int res[STORE_BATCH_MAX], bad[STORE_BATCH_MAX];
    char err[256];
    for (int i = 0; i < n; i++) {
        ideas[i] = msgs[i].env.idea;
        if (!ideas[i]->id && msgs[i].env.id)
            proto_set(&ideas[i]->id, msgs[i].env.id);
        ps[i] = msgs[i].env.participant;
    }
    store_ideas(s->st, ideas, ps, n, res, bad, err, sizeof err);
    for (int i = 0; i < n; i++) {
        if (res[i] >= 0)
            handle_after_store(s, &msgs[i].env, res[i]);
        else
            s_process(s, msgs[i].data, msgs[i].len);
    }
}

/* Handles msgs[0..n) in their order: runs of classified ideas go to Redis
 * together; anything else (update, dead, unreadable) one at a time. */
static void s_batch(storage_t *s, s_msg_t *msgs, int n)
{
    int run = 0; /* msgs[run..i) are classified ideas not yet written */
    for (int i = 0; i <= n; i++) {
        if (i < n && msgs[i].decoded)
            continue;
        if (i > run)
            s_store_batch(s, msgs + run, i - run);
        if (i < n)
            s_process(s, msgs[i].data, msgs[i].len);
        run = i + 1;
    }
}

static void s_decode(s_msg_t *m)
{
    proto_err_t perr;
    envelope_init(&m->env);
    m->decoded = envelope_decode(m->data, m->len, &m->env, &perr) == 0 &&
                 m->env.type == ENV_CLASSIFIED && m->env.idea != NULL;
}

/* Receives one message (the caller saw POLLIN) and then whatever else is
 * already queued, up to STORE_BATCH_MAX. Returns how many. */
static int s_receive(storage_t *s, s_msg_t *msgs)
{
    int n = 0;
    while (n < STORE_BATCH_MAX) {
        char *data = NULL;
        size_t len = 0;
        if (bus_recv(s->pull, NULL, 0, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT) < 0) {
            if (errno == EMSGSIZE) {
                char reason[96];
                snprintf(reason, sizeof reason, "message larger than %u bytes", PROTO_MAX_MESSAGE);
                /* The bytes are gone (bus.h discards them); record the fact. */
                while (handle_dead(s, NULL, "too_large", reason, NULL, 0) < 0 && !s_stop) {
                    metric_inc(s->m_redis_err);
                    s_sleep_ms(1000);
                }
                continue;
            }
            break; /* EAGAIN: nothing more queued */
        }
        msgs[n].data = data;
        msgs[n].len = len;
        s_decode(&msgs[n++]);
    }
    return n;
}

/* The counts' work after an upgrade (store_upgrade.h). 0, or -1 while
 * Redis fails (retried after a pause). */
static int s_upgrade(storage_t *s)
{
    store_upgrade_days(&s->up, s->st);
    if (store_upgrade_counts(&s->up, s->st) == 0)
        return 0;
    metric_inc(s->m_redis_err);
    s_sleep_ms(1000);
    return -1;
}

static void s_loop(storage_t *s)
{
    s_msg_t *msgs = xcalloc(STORE_BATCH_MAX, sizeof *msgs);
    store_upgrade_init(&s->up);
    while (!s_stop) {
        if (s_upgrade(s) < 0 && s->up.counts < 0)
            continue; /* nothing is stored before the counts have begun */
        zmq_pollitem_t item = {.socket = s->pull, .events = ZMQ_POLLIN};
        /* a backfill step waits for no message: it runs between them */
        if (zmq_poll(&item, 1, s->up.counts > 0 ? 0 : 500) <= 0)
            continue; /* timeout or EINTR: look at s_stop again */
        int n = s_receive(s, msgs);
        s_batch(s, msgs, n);
        events_acks_flush(s);
        for (int i = 0; i < n; i++) {
            envelope_clear(&msgs[i].env);
            free(msgs[i].data);
        }
    }
    free(msgs);
}

static int s_setup(storage_t *s, http_server_t **srv)
{
    char err[256];
    service_init(&s->cfg, "storage", PORT_OFF_STORAGE);
    s->st = store_new(s->cfg.redis_url, err, sizeof err);
    s->health_st = s->st ? store_new(s->cfg.redis_url, err, sizeof err) : NULL;
    if (!s->st || !s->health_st)
        log_fatal("msg=\"bad redis url\" err=\"%s\"", err);
    pthread_mutex_init(&s->health_mu, NULL);
    s->m_stored = metrics_counter("inspraak_storage_stored_total", "Ideas newly stored.");
    s->m_dups = metrics_counter("inspraak_storage_duplicates_total",
                                "Ideas received again and not stored twice.");
    s->m_dead = metrics_counter("inspraak_storage_deadletter_total",
                                "Messages written to the dead-letter list.");
    s->m_redis_err = metrics_counter("inspraak_storage_redis_errors_total",
                                     "Failed Redis writes (each is retried).");

    *srv = service_http_new(&s->cfg, 0);
    if (*srv)
        http_server_set_health(*srv, s_health, s);
    if (service_http_start(srv, &s->cfg) < 0)
        log_fatal("msg=\"cannot start admin http\"");
    s->pull = bus_pull_bind(s->cfg.bus_store, s->cfg.instance, err, sizeof err);
    if (!s->pull)
        log_fatal("msg=\"cannot bind bus\" err=\"%s\"", err);
    s->pub = bus_pub_bind(s->cfg.bus_events, s->cfg.instance, err, sizeof err);
    if (!s->pub)
        log_fatal("msg=\"cannot bind events\" err=\"%s\"", err);
    return 0;
}

int main(void)
{
    storage_t s;
    http_server_t *srv = NULL;
    memset(&s, 0, sizeof s);
    service_on_stop(&s_stop);

    s_setup(&s, &srv);
    log_info("msg=\"started\" http_port=%d store=\"%s\" events=\"%s\"", s.cfg.http_port,
             s.cfg.bus_store, s.cfg.bus_events);
    s_loop(&s);
    log_info("msg=\"stopping\"");

    http_server_destroy(&srv);
    bus_close(&s.pull);
    bus_close(&s.pub);
    bus_shutdown();
    store_destroy(&s.st);
    store_destroy(&s.health_st);
    pthread_mutex_destroy(&s.health_mu);
    return 0;
}
