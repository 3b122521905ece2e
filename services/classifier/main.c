/*
 * NAME
 *   classifier - adds language, wijk, PII flags, themes, sentiment and question to ideas
 *
 * SYNOPSIS
 *   bin/classifier        (settings from the environment; see CONFIGURATION)
 *
 * DESCRIPTION
 *   Reads envelopes from its PULL socket (bound at item INSPRAAK_INSTANCE
 *   of INSPRAAK_BUS_CLASSIFY), where the intakes PUSH their spooled ideas.
 *   For each ENV_IDEA it fills, in the idea record:
 *     language  ISO 639-1 from libexttextcat (classify_lang.c)
 *     wijk, buurt  from the wijk field, GPS, postcode or names in the text
 *               (classify_wijk.c, common/geo.c)
 *     pii       "email" / "phone" when the text holds one (classify_pii.c)
 *     themes, sentiment, question  from the words (classify_theme.c,
 *               classify_sentiment.c, classify_question.c), only when
 *               the idea has none yet
 *     status    "new" when empty; classified = true
 *   and sends it as ENV_CLASSIFIED (same id, origin, participant and
 *   unknown fields) to storage's PULL socket(s) (INSPRAAK_BUS_STORE).
 *   All of it through classify_idea() (common/classify_idea.c), which
 *   bin/classify uses too. cluster: the near-duplicate cluster id
 *   (common/classify_cluster.c), kept in Redis (cluster_redis.c, keys
 *   inspraak:cluster:*; the classifier writes no other keys) so it holds
 *   across restarts and instances; an idea that already has a cluster
 *   keeps it, a re-sent idea gets the cluster stored for its id.
 *
 *   An envelope that cannot be read (envelope_decode fails, e.g. code
 *   unknown_version) or that is not an idea becomes an ENV_DEAD with the
 *   reason, the raw bytes and the id/origin if they could be read; storage
 *   files it in the dead-letter list and acks it, so the intake stops
 *   re-sending. A bad message never takes the service down.
 *
 * GUARANTEES
 *   Work is never dropped here: the send to storage blocks while storage
 *   is down (the intakes keep their spools and re-send; storage is
 *   idempotent). The classifier holds at most one message; SIGTERM or
 *   SIGINT stops it after the message in hand. If storage is down at that
 *   moment the message is given up: it was never acked, so its intake
 *   sends it again.
 *
 * CONFIGURATION
 *   common/config.h: INSPRAAK_PORT_BASE, INSPRAAK_INSTANCE, INSPRAAK_DATA,
 *   INSPRAAK_BUS_CLASSIFY, INSPRAAK_BUS_STORE, INSPRAAK_REDIS_URL (cluster
 *   state), INSPRAAK_MODEL_FILE (classify_idea.c), INSPRAAK_HTTP_PORT (admin
 *   port, default PORT_BASE + 4 + 20 * instance), INSPRAAK_LOG_LEVEL;
 *   common/geo.h: INSPRAAK_GEO_WIJKEN, INSPRAAK_GEO_BUURTEN.
 *
 * DIAGNOSTICS
 *   GET /healthz: 503 "waiting for storage" when a send has been blocked
 *   for more than CLASSIFIER_STALL_MS. GET /metrics:
 *     inspraak_classifier_classified_total
 *     inspraak_classifier_dead_total
 *     inspraak_classifier_language_total{language="nl|en|de|fr|other|none"}
 *     inspraak_classifier_wijk_total{source="field|gps|postcode|text|none"}
 *     inspraak_classifier_waiting_seconds
 *     inspraak_classifier_cluster_joined_total
 *     inspraak_classifier_cluster_errors_total
 *   Exits 1 with a fatal log line when a setting or the data is unusable.
 */
#include <errno.h>
#include <msgpack.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "bus.h"
#include "classify.h"
#include "cluster_redis.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

#define CLASSIFIER_STALL_MS 5000
#define CLASSIFIER_POLL_MS 500

static const char *const s_langs[] = {"nl", "en", "de", "fr", "other", "none", NULL};
#define N_LANGS 6
#define N_SOURCES 5

typedef struct {
    config_t cfg;
    classify_t *cls; /* common/classify_idea.c: the same code as bin/classify */
    rstore_t *redis; /* near-duplicate cluster state (cluster_redis.c) */
    cluster_redis_t *cr;      /* buffers cluster puts per batch */
    cluster_store_t clusters; /* over cr */
    /* Classified ideas of the current batch, sent to storage only after
     * their cluster state is written (s_flush). */
    char *out[CLUSTER_REDIS_BATCH];
    size_t out_len[CLUSTER_REDIS_BATCH];
    char *out_id[CLUSTER_REDIS_BATCH];
    int n_out;
    metric_t *m_cluster_err, *m_cluster_joined;
    void *pull, *push;
    http_server_t *http;
    _Atomic int64_t waiting_since; /* ms; 0 when not blocked on storage */
    metric_t *m_classified, *m_dead;
    metric_t *m_lang[N_LANGS];
    metric_t *m_wijk[N_SOURCES];
} classifier_t;

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* Health and metrics                                                  */
/* ------------------------------------------------------------------ */

static double s_waiting_seconds(void *arg)
{
    classifier_t *c = arg;
    int64_t since = atomic_load(&c->waiting_since);
    return since ? (double)(s_now_ms() - since) / 1000.0 : 0.0;
}

static int s_health(char *reason, size_t size, void *arg)
{
    classifier_t *c = arg;
    int64_t since = atomic_load(&c->waiting_since);
    if (since && s_now_ms() - since > CLASSIFIER_STALL_MS) {
        snprintf(reason, size, "waiting for storage for %lld s",
                 (long long)((s_now_ms() - since) / 1000));
        return 0;
    }
    return 1;
}

static void s_metrics_init(classifier_t *c)
{
    c->m_classified = metrics_counter("inspraak_classifier_classified_total",
                                      "Ideas classified and sent to storage.");
    c->m_dead = metrics_counter("inspraak_classifier_dead_total",
                                "Unreadable messages sent to storage as dead letters.");
    for (int i = 0; i < N_LANGS; i++) {
        char name[96];
        snprintf(name, sizeof name, "inspraak_classifier_language_total{language=\"%s\"}",
                 s_langs[i]);
        c->m_lang[i] = metrics_counter(name, "Ideas classified, by detected language.");
    }
    for (int i = 0; i < N_SOURCES; i++) {
        char name[96];
        snprintf(name, sizeof name, "inspraak_classifier_wijk_total{source=\"%s\"}",
                 classify_wijk_source_name((wijk_source_t)i));
        c->m_wijk[i] = metrics_counter(name, "Ideas classified, by where the wijk came from.");
    }
    c->m_cluster_err = metrics_counter("inspraak_classifier_cluster_errors_total",
                                       "Ideas sent without cluster because Redis failed.");
    c->m_cluster_joined = metrics_counter("inspraak_classifier_cluster_joined_total",
                                          "Ideas that joined the cluster of an earlier idea.");
    metrics_gauge_fn("inspraak_classifier_waiting_seconds",
                     "How long the current send to storage has been blocked.",
                     s_waiting_seconds, c);
}

static void s_count_language(classifier_t *c, const char *lang)
{
    int i = 0;
    if (!lang)
        i = N_LANGS - 1;
    else
        while (i < N_LANGS - 2 && strcmp(s_langs[i], lang) != 0)
            i++;
    metric_inc(c->m_lang[i]);
}

/* ------------------------------------------------------------------ */
/* Sending to storage                                                  */
/* ------------------------------------------------------------------ */

/* Blocks until storage takes the message (bus_send flags 0). Returns -1
 * only when stopping (or the context is gone): the intake re-sends. */
static int s_send(classifier_t *c, const char *buf, size_t len)
{
    int rc = -1;
    atomic_store(&c->waiting_since, s_now_ms());
    for (;;) {
        if (bus_send(c->push, NULL, buf, len, 0) == 0) {
            rc = 0;
            break;
        }
        if (errno == EINTR && !s_stop)
            continue;
        if (errno != EINTR && errno != ETERM) {
            char e[128];
            log_error("msg=\"send to storage failed, retrying\" err=%s",
                      log_quote(e, sizeof e, strerror(errno)));
            struct timespec ts = {0, 200 * 1000000L};
            nanosleep(&ts, NULL);
            if (!s_stop)
                continue;
        }
        break;
    }
    atomic_store(&c->waiting_since, 0);
    return rc;
}

/* Reads "id" and "origin" from a message that the envelope decoder
 * refused, when it is still well-formed MessagePack within the limits.
 * Only printable ASCII up to 200 bytes is taken (they go into logs). */
static void s_peek_ids(const char *data, size_t len, char **id, char **origin)
{
    proto_err_t perr;
    *id = *origin = NULL;
    if (proto_check(data, len, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH, PROTO_MAX_ITEMS,
                    PROTO_MAX_STRING, &perr) < 0)
        return;
    msgpack_zone zone;
    msgpack_object obj;
    size_t off = 0;
    msgpack_zone_init(&zone, 2048);
    if (msgpack_unpack(data, len, &off, &zone, &obj) == MSGPACK_UNPACK_SUCCESS &&
        obj.type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < obj.via.map.size; i++) {
            const msgpack_object *k = &obj.via.map.ptr[i].key, *v = &obj.via.map.ptr[i].val;
            if (k->type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_STR ||
                v->via.str.size == 0 || v->via.str.size > 200)
                continue;
            int printable = 1;
            for (uint32_t j = 0; j < v->via.str.size; j++)
                if (v->via.str.ptr[j] < 0x21 || v->via.str.ptr[j] > 0x7e)
                    printable = 0;
            char **dst = NULL;
            if (k->via.str.size == 2 && memcmp(k->via.str.ptr, "id", 2) == 0)
                dst = id;
            else if (k->via.str.size == 6 && memcmp(k->via.str.ptr, "origin", 6) == 0)
                dst = origin;
            if (dst && !*dst && printable)
                *dst = xstrndup(v->via.str.ptr, v->via.str.size);
        }
    }
    msgpack_zone_destroy(&zone);
}

/* An unreadable message goes to storage as ENV_DEAD. data may be NULL
 * (a message too large to keep). */
static void s_dead(classifier_t *c, const char *data, size_t len, const char *code,
                   const char *message)
{
    envelope_t dead;
    envelope_init(&dead);
    dead.type = ENV_DEAD;
    dead.sent_at = s_now_ms();
    if (data)
        s_peek_ids(data, len, &dead.id, &dead.origin);
    size_t keep = len > PROTO_MAX_STRING ? PROTO_MAX_STRING : len;
    dead.reason = xasprintf("%s: %s%s", code, message, keep < len ? " (raw truncated)" : "");
    if (data) {
        dead.raw = xmalloc(keep ? keep : 1);
        memcpy(dead.raw, data, keep);
        dead.raw_len = keep;
    }
    char qid[240], qorigin[240], qreason[300];
    log_warn("msg=\"unreadable message, sending dead letter\" id=%s origin=%s reason=%s",
             log_quote(qid, sizeof qid, dead.id), log_quote(qorigin, sizeof qorigin, dead.origin),
             log_quote(qreason, sizeof qreason, dead.reason));
    char *buf = NULL;
    size_t blen = 0;
    proto_err_t perr;
    if (envelope_encode(&dead, &buf, &blen, &perr) < 0) {
        log_error("msg=\"cannot encode dead letter\" err=%s",
                  log_quote(qreason, sizeof qreason, perr.message));
    } else if (s_send(c, buf, blen) == 0) {
        metric_inc(c->m_dead);
    }
    free(buf);
    envelope_clear(&dead);
}

/* ------------------------------------------------------------------ */
/* One message                                                         */
/* ------------------------------------------------------------------ */

/* The cluster of an idea: the one stored for its id (a re-sent idea),
 * else from its near-duplicates. Redis down: no cluster, the idea goes on
 * (clusters help staff; they must not stop the pipeline). */
static void s_cluster(classifier_t *c, idea_t *idea)
{
    char have[80];
    int rc = idea->id ? cluster_redis_lookup(c->cr, idea->id, have, sizeof have) : 0;
    if (rc == 1)
        proto_set(&idea->cluster, have);
    else if (rc == 0)
        rc = classify_idea_cluster(c->cls, &c->clusters, idea);
    if (rc < 0) {
        char qid[120], qe[200];
        metric_inc(c->m_cluster_err);
        proto_set(&idea->cluster, NULL);
        log_warn("msg=\"cluster state unavailable, idea sent without cluster\" id=%s err=%s",
                 log_quote(qid, sizeof qid, idea->id),
                 log_quote(qe, sizeof qe, rstore_error(c->redis)));
    } else if (idea->cluster && idea->id && strcmp(idea->cluster, idea->id) != 0) {
        metric_inc(c->m_cluster_joined);
    }
}

static void s_classify(classifier_t *c, idea_t *idea)
{
    wijk_source_t src = classify_idea(c->cls, idea);
    if (!idea->cluster)
        s_cluster(c, idea);
    s_count_language(c, idea->language);
    metric_inc(c->m_wijk[src]);
    char qid[120], qw[40];
    log_debug("msg=\"classified\" id=%s wijk=%s wijk_source=%s language=%s pii=%d themes=%d "
              "sentiment=%s question=%s cluster=%s",
              log_quote(qid, sizeof qid, idea->id), log_quote(qw, sizeof qw, idea->wijk),
              classify_wijk_source_name(src), idea->language ? idea->language : "none",
              idea->n_pii, idea->n_themes, idea->sentiment ? idea->sentiment : "none",
              idea->question ? idea->question : "none", idea->cluster ? idea->cluster : "none");
}

/* Writes the batch's cluster state (one Redis round trip), then hands the
 * batch's ideas to storage in order. */
static void s_flush(classifier_t *c)
{
    if (cluster_redis_pending(c->cr) > 0 && cluster_redis_flush(c->cr) < 0) {
        char qe[200];
        metric_inc(c->m_cluster_err);
        log_warn("msg=\"cluster state not saved; ideas go on with their clusters\" err=%s",
                 log_quote(qe, sizeof qe, rstore_error(c->redis)));
    }
    for (int i = 0; i < c->n_out; i++) {
        if (!s_stop && s_send(c, c->out[i], c->out_len[i]) == 0) {
            metric_inc(c->m_classified);
        } else {
            char qid[120];
            log_info("msg=\"stopping before storage took the idea; its intake re-sends it\" "
                     "id=%s",
                     log_quote(qid, sizeof qid, c->out_id[i]));
        }
        free(c->out[i]);
        free(c->out_id[i]);
    }
    c->n_out = 0;
}

static void s_handle(classifier_t *c, const char *data, size_t len)
{
    envelope_t env;
    proto_err_t perr;
    if (envelope_decode(data, len, &env, &perr) < 0) {
        s_dead(c, data, len, perr.code, perr.message);
        return;
    }
    if (env.type != ENV_IDEA || !env.idea) {
        char why[96];
        snprintf(why, sizeof why, "the classifier takes ideas, not \"%s\"",
                 env_type_name(env.type));
        envelope_clear(&env);
        s_dead(c, data, len, "unexpected_type", why);
        return;
    }
    s_classify(c, env.idea);
    env.type = ENV_CLASSIFIED;
    char *buf = NULL;
    size_t blen = 0;
    if (envelope_encode(&env, &buf, &blen, &perr) < 0) {
        envelope_clear(&env);
        s_dead(c, data, len, perr.code, perr.message);
        return;
    }
    if (c->n_out == CLUSTER_REDIS_BATCH)
        s_flush(c);
    c->out[c->n_out] = buf;
    c->out_len[c->n_out] = blen;
    c->out_id[c->n_out++] = xstrdup(env.id ? env.id : "");
    envelope_clear(&env);
}

/* ------------------------------------------------------------------ */
/* Start, loop, stop                                                   */
/* ------------------------------------------------------------------ */

static void s_start(classifier_t *c)
{
    char err[512];
    if (config_load(&c->cfg, "classifier", PORT_OFF_CLASSIFIER, err, sizeof err) < 0)
        log_fatal("msg=\"bad setting\" err=\"%s\"", err);
    log_init(c->cfg.name);
    c->cls = classify_new(c->cfg.data_dir, err, sizeof err);
    if (!c->cls) {
        char q[600];
        log_fatal("msg=\"cannot load classifier data (geo, data/nl)\" err=%s", log_quote(q, sizeof q, err));
    }
    if (!(c->redis = rstore_new(c->cfg.redis_url, err, sizeof err)))
        log_fatal("msg=\"bad redis url\" err=\"%s\"", err);
    c->cr = cluster_redis_new(c->redis);
    c->clusters = cluster_redis_store(c->cr);
    s_metrics_init(c);
    c->http = http_server_new(&(http_opts_t){.port = c->cfg.http_port,
                                             .max_body = 4096,
                                             .threads = c->cfg.http_threads,
                                             .name = c->cfg.name});
    http_server_set_health(c->http, s_health, c);
    if (http_server_start(c->http, err, sizeof err) < 0)
        log_fatal("msg=\"cannot start admin http\" port=%d err=\"%s\"", c->cfg.http_port, err);
    c->pull = bus_pull_bind(c->cfg.bus_classify, c->cfg.instance, err, sizeof err);
    if (!c->pull)
        log_fatal("msg=\"cannot bind classify socket\" err=\"%s\"", err);
    c->push = bus_push_connect(c->cfg.bus_store, err, sizeof err);
    if (!c->push)
        log_fatal("msg=\"cannot connect to storage\" err=\"%s\"", err);
    log_info("msg=\"started\" http_port=%d wijken=%zu", c->cfg.http_port,
             geo_wijk_count(classify_geo(c->cls)));
}

static void s_loop(classifier_t *c)
{
    while (!s_stop) {
        zmq_pollitem_t item = {.socket = c->pull, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, CLASSIFIER_POLL_MS) <= 0)
            continue; /* timeout, or EINTR: look at s_stop */
        char *data = NULL;
        size_t len = 0;
        if (bus_recv(c->pull, NULL, 0, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT) < 0) {
            if (errno == EMSGSIZE)
                s_dead(c, NULL, 0, "too_large", "message larger than PROTO_MAX_MESSAGE dropped");
            else if (errno == ETERM)
                break;
            continue;
        }
        s_handle(c, data, len);
        free(data);
        /* Batch what is already waiting; flush when the queue is empty. */
        zmq_pollitem_t more = {.socket = c->pull, .events = ZMQ_POLLIN};
        if (c->n_out > 0 && zmq_poll(&more, 1, 0) <= 0)
            s_flush(c);
    }
    s_flush(c);
}

int main(void)
{
    static classifier_t c;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal; /* no SA_RESTART: a blocked send must wake */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    s_start(&c);
    s_loop(&c);
    log_info("msg=\"stopping\" classified=%.0f dead=%.0f", metric_value(c.m_classified),
             metric_value(c.m_dead));
    http_server_destroy(&c.http);
    bus_close(&c.pull);
    bus_close(&c.push);
    bus_shutdown();
    classify_destroy(&c.cls);
    cluster_redis_destroy(&c.cr);
    rstore_destroy(&c.redis);
    return 0;
}
