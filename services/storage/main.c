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
#include "store.h"
#include "store_upgrade.h"
#include "update_applied.h"
#include "xalloc.h"

/* Acks held for one message each of a batch (STORE_BATCH_MAX), at most;
 * PROTO_MAX_ACK_IDS bounds what one ack message may carry. */
#define S_ACKS_MAX STORE_BATCH_MAX

static volatile sig_atomic_t s_stop;

typedef struct {
    config_t cfg;
    store_t *st;        /* main loop only */
    store_t *health_st; /* HTTP threads, under health_mu */
    pthread_mutex_t health_mu;
    void *pull, *pub;
    metric_t *m_stored, *m_dups, *m_dead, *m_redis_err;
    /* acks noted, not yet published (s_ack, s_acks_flush): both owned */
    struct {
        char *origin, *id;
    } acks[S_ACKS_MAX];
    int n_acks;
    store_upgrade_t up; /* day counts and the counts' backfill, main loop only */
} storage_t;

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
static void s_publish(storage_t *s, const char *topic, env_type_t type, const char *id,
                      idea_t *idea)
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
static void s_acks_flush(storage_t *s)
{
    if (s->n_acks == 0)
        return;
    int ok = s_replicated(s);
    const char *ids[S_ACKS_MAX];
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

/* Notes an ack for e (to e->origin) for the next s_acks_flush(): acks
 * of one batch go out together, one message per origin, so an intake's
 * sender wakes and decodes once per batch instead of once per idea. */
static void s_ack(storage_t *s, const envelope_t *e)
{
    if (!e->origin || !e->id || strlen(e->origin) + 5 > BUS_MAX_TOPIC)
        return;
    if (s->n_acks == S_ACKS_MAX)
        s_acks_flush(s);
    s->acks[s->n_acks].origin = xstrdup(e->origin);
    s->acks[s->n_acks].id = xstrdup(e->id);
    s->n_acks++;
}

/* Returns 0 when done with the message, -1 when Redis failed (retry). */
static int s_dead(storage_t *s, const char *origin, const char *code, const char *reason,
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
static void s_after_store(storage_t *s, envelope_t *e, int r)
{
    char q[200];
    idea_t *idea = e->idea;
    if (r == 1) {
        metric_inc(s->m_stored);
        s_publish(s, "stored", ENV_STORED, idea->id, idea);
        log_info("msg=\"stored\" id=%s", log_quote(q, sizeof q, idea->id));
    } else {
        metric_inc(s->m_dups);
        log_debug("msg=\"duplicate\" id=%s", log_quote(q, sizeof q, idea->id));
    }
    s_ack(s, e);
}

static int s_on_classified(storage_t *s, envelope_t *e, const char *raw, size_t len)
{
    char err[256], q[200];
    idea_t *idea = e->idea;
    if (!idea) {
        if (s_dead(s, e->origin, "missing_field", "classified envelope without idea", raw, len) < 0)
            return -1;
        s_ack(s, e);
        return 0;
    }
    if (!idea->id && e->id)
        proto_set(&idea->id, e->id);
    int bad = 0;
    int r = store_idea(s->st, idea, e->participant, &bad, err, sizeof err);
    if (r < 0 && bad) {
        if (s_dead(s, e->origin, "bad_record", err, raw, len) < 0)
            return -1;
        s_ack(s, e);
        return 0;
    }
    if (r < 0) {
        log_warn("msg=\"redis write failed\" id=%s err=%s", log_quote(q, 64, idea->id),
                 log_quote(q + 64, sizeof q - 64, err));
        return -1;
    }
    s_after_store(s, e, r);
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
    if (r < 0 && !bad) {
        log_warn("msg=\"redis update failed\" err=%s", log_quote(q, sizeof q, err));
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
    s_ack(s, e);
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
static int s_handle(storage_t *s, const char *raw, size_t len)
{
    envelope_t e;
    proto_err_t perr;
    envelope_init(&e);
    if (envelope_decode(raw, len, &e, &perr) < 0) {
        envelope_clear(&e);
        return s_dead(s, NULL, perr.code, perr.message, raw, len);
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
        rc = s_dead(s, e.origin, code, e.reason, e.raw, e.raw_len);
        if (rc == 0)
            s_ack(s, &e);
        break;
    }
    default:
        /* Not meant for storage; keep the bytes rather than drop them, and
         * ack so the sender does not loop on it. */
        rc = s_dead(s, e.origin, "unexpected_type", env_type_name(e.type), raw, len);
        if (rc == 0)
            s_ack(s, &e);
        break;
    }
    envelope_clear(&e);
    return rc;
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
    while (s_handle(s, raw, len) < 0) {
        metric_inc(s->m_redis_err);
        s_acks_flush(s); /* what is stored already need not wait for Redis */
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
            s_after_store(s, &msgs[i].env, res[i]);
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
                while (s_dead(s, NULL, "too_large", reason, NULL, 0) < 0 && !s_stop) {
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
        s_acks_flush(s);
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
