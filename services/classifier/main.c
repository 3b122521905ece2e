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
 *     pii       "email", "phone", "iban", "postcode", "name" for what the
 *               text, title or interview question (source.context) holds
 *               (classify_pii.c, classify_pii_addr.c, classify_pii_name.c)
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
 *   An ENV_UPDATE with a cluster (staff moved the idea to another
 *   near-duplicate cluster in the dashboard) sets that cluster in the
 *   idea's stored sketch (cluster_correct.c) and goes on to storage as it
 *   came, so later near-duplicates follow staff's choice. Storage may
 *   still refuse it (a save from an older page that a save without a
 *   cluster overtook after the classifier's check), so the classifier
 *   subscribes to storage's acks to the dashboard (INSPRAAK_BUS_EVENTS,
 *   topic CLASSIFIER_ACK_TOPIC) and,
 *   when one covers a cluster update it handed on, makes the sketch give
 *   the cluster the idea's record has (cluster_redis_follow).
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
 *   idempotent). The classifier holds at most one batch: the messages
 *   already queued when it looks (up to CLUSTER_REDIS_BATCH ideas), whose
 *   clusters are read and written in one Redis round each
 *   (cluster_redis.c) before any of them goes to storage; a message that
 *   cannot be read becomes a dead letter at once, the rest of its batch
 *   goes on. SIGTERM or SIGINT stops it after the batch in hand. If
 *   storage is down at that moment the rest of the batch is given up: it
 *   was never acked, so its intakes send it again (and a re-sent idea
 *   finds the cluster stored for its id).
 *
 * CONFIGURATION
 *   common/config.h: INSPRAAK_PORT_BASE, INSPRAAK_INSTANCE, INSPRAAK_DATA,
 *   INSPRAAK_BUS_CLASSIFY, INSPRAAK_BUS_STORE, INSPRAAK_BUS_EVENTS
 *   (storage's acks), INSPRAAK_REDIS_URL (cluster
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
 *     inspraak_classifier_cluster_corrected_total  (staff's cluster moves
 *                                         that moved a sketch)
 *     inspraak_classifier_batches_total  (batches of queued ideas)
 *     inspraak_classifier_resent_total   (re-sent messages answered again
 *                                         from the answers kept, not classified)
 *   Exits 1 with a fatal log line when a setting or the data is unusable.
 */
#include <errno.h>
#include <glib.h>
#include <sodium.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "bus.h"
#include "classifier_int.h"
#include "clock.h"
#include "log.h"
#include "peek_ids.h"
#include "xalloc.h"

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

/* ------------------------------------------------------------------ */
/* Sending to storage                                                  */
/* ------------------------------------------------------------------ */

/* Blocks until storage takes the message (bus_send flags 0). Returns -1
 * only when stopping (or the context is gone): the intake re-sends. */
static int s_send(classifier_t *c, const char *buf, size_t len)
{
    int rc = -1;
    atomic_store(&c->waiting_since, clock_mono_ms());
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

/* An unreadable message goes to storage as ENV_DEAD. data may be NULL
 * (a message too large to keep). */
static void s_dead(classifier_t *c, const char *data, size_t len, const char *code,
                   const char *message)
{
    envelope_t dead;
    envelope_init(&dead);
    dead.type = ENV_DEAD;
    dead.sent_at = clock_wall_ms();
    if (data)
        peek_ids(data, len, &dead.id, &dead.origin);
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

/* Classifies one idea now; its cluster comes with the batch (s_flush). */
static void s_classify(classifier_t *c, int i)
{
    idea_t *idea = c->batch[i].env.idea;
    c->batch[i].src = classify_idea(c->cls, idea);
    c->batch[i].had_cluster = idea->cluster != NULL;
    cluster_redis_add(c->cr, c->cls, idea); /* room: n_batch <= CLUSTER_REDIS_BATCH */
    classifier_count_language(c, idea->language);
    metric_inc(c->m_wijk[c->batch[i].src]);
}

/* A moderation that sets a cluster (the dashboard sends those here):
 * the stored sketch gets the cluster staff chose, so later near-duplicates
 * follow it (cluster_correct.c); then the update goes on to storage as it
 * came, and storage's ack reaches the dashboard. Redis down: the record
 * is still corrected, later ideas may still join the old cluster. The
 * update is remembered until storage's ack, when the sketch follows the
 * record (s_on_acks): storage may refuse what the sketch took. */
static void s_correct(classifier_t *c, const envelope_t *env, const char *data, size_t len)
{
    int moved = cluster_redis_correct_update(c->cr, env->idea, env->id) == 1;
    if (moved)
        metric_inc(c->m_corrected);
    if (s_stop || s_send(c, data, len) < 0 || !env->id || !env->idea->id ||
        !env->idea->cluster)
        return;
    moves_remember(c->moves, env->id, env->idea->id, moved ? env->idea->cluster : NULL,
                   clock_mono_ms());
}

/* moves_on_ack's follow function: the sketch follows the record. */
static void s_follow(void *arg, const char *update_id, const char *idea_id, const char *moved_to)
{
    classifier_t *c = arg;
    int rc = cluster_redis_follow(c->cr, idea_id, moved_to);
    char qid[120], qu[120];
    log_info("msg=\"storage acked the cluster update; the sketch follows the record\" "
             "id=%s update=%s sketch=%s",
             log_quote(qid, sizeof qid, idea_id), log_quote(qu, sizeof qu, update_id),
             rc == 1   ? "moved"
             : rc == 3 ? "as_record"
             : rc == 6 ? "moved_since"
             : rc == 0 ? "none"
                       : "redis_failed");
}

/* Storage's acks to the dashboard (CLASSIFIER_ACK_TOPIC). For each cluster update
 * sent on to storage that one covers, storage has applied it, or refused
 * it: a save from an older idea page ("was") that another save, one
 * without a cluster, which does not come here, overtook after this
 * classifier moved the sketch. Either way the sketch now follows the
 * record (cluster_redis_follow), so the next wording of the same wish
 * joins the cluster the idea has, not one storage refused. A sketch that
 * a later update moved since (through any instance, maybe not yet
 * applied) is left to that update's ack: the record read now may not have
 * it yet. */
static void s_on_acks(classifier_t *c)
{
    char *data = NULL;
    size_t len = 0;
    for (int n = 0; n < CLASSIFIER_ACKS_AT_ONCE &&
                    bus_recv(c->acks, NULL, 0, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT) == 0;
         n++) {
        envelope_t e;
        proto_err_t perr;
        if (moves_waiting(c->moves) > 0 && envelope_decode(data, len, &e, &perr) == 0) {
            moves_on_ack(c->moves, &e, s_follow, c);
            envelope_clear(&e);
        }
        free(data);
    }
    moves_expire(c->moves, clock_mono_ms());
}

/* Takes one message (and data with it): an idea joins the batch, anything
 * else goes to storage as a dead letter at once. */
static void s_take(classifier_t *c, char *data, size_t len)
{
    unsigned char *key = c->batch[c->n_batch].key; /* kept for s_remember */
    crypto_generichash(key, crypto_generichash_BYTES, (const unsigned char *)data, len, NULL, 0);
    GBytes *k = g_bytes_new_static(key, crypto_generichash_BYTES);
    GBytes *answer = g_hash_table_lookup(c->done, k);
    g_bytes_unref(k);
    if (answer) {
        gsize alen;
        const char *abuf = g_bytes_get_data(answer, &alen);
        if (!s_stop && s_send(c, abuf, alen) == 0) {
            metric_inc(c->m_classified);
            metric_inc(c->m_resent);
        }
        free(data);
        return;
    }
    envelope_t *env = &c->batch[c->n_batch].env;
    proto_err_t perr;
    if (envelope_decode(data, len, env, &perr) < 0) {
        s_dead(c, data, len, perr.code, perr.message);
        free(data);
        return;
    }
    if (env->type == ENV_UPDATE && env->idea) {
        s_correct(c, env, data, len);
        envelope_clear(env);
        free(data);
        return;
    }
    if (env->type != ENV_IDEA || !env->idea) {
        char why[96];
        snprintf(why, sizeof why, "the classifier takes ideas, not \"%s\"",
                 env_type_name(env->type));
        envelope_clear(env);
        s_dead(c, data, len, "unexpected_type", why);
        free(data);
        return;
    }
    /* The idea's id names its near-duplicate cluster. Storage stores an
     * idea without one under the envelope's id, so it is clustered under
     * that id too; an id that cannot be a cluster id (empty: storage
     * refuses it; too long) would file the idea's near-duplicates under
     * a made-up cluster that names no idea, so it is a dead letter. */
    if (!env->idea->id && env->id)
        proto_set(&env->idea->id, env->id);
    if (!env->idea->id || !idea_id_ok(env->idea->id)) {
        char why[120];
        snprintf(why, sizeof why,
                 "field \"idea.id\" must be 1 to %d printable ASCII bytes without spaces",
                 PROTO_MAX_ID);
        envelope_clear(env);
        s_dead(c, data, len, "bad_field", why);
        free(data);
        return;
    }
    c->batch[c->n_batch].raw = data;
    c->batch[c->n_batch].len = len;
    c->batch_bytes += len;
    s_classify(c, c->n_batch++);
}

/* Counts and logs the clusters the batch got (Redis down: none). */
static void s_cluster_result(classifier_t *c, int rc)
{
    int lost = 0;
    for (int i = 0; i < c->n_batch; i++) {
        const idea_t *idea = c->batch[i].env.idea;
        if (c->batch[i].had_cluster)
            continue;
        if (!idea->cluster)
            lost++;
        else if (idea->id && strcmp(idea->cluster, idea->id) != 0)
            metric_inc(c->m_cluster_joined);
    }
    for (int i = 0; i < lost; i++)
        metric_inc(c->m_cluster_err);
    char qe[200];
    if (rc == -1)
        log_warn("msg=\"cluster state unavailable, ideas sent without cluster\" ideas=%d err=%s",
                 lost, log_quote(qe, sizeof qe, rstore_error(c->redis)));
    else if (rc == -2) {
        metric_inc(c->m_cluster_err);
        log_warn("msg=\"cluster state not saved; ideas go on with their clusters\" err=%s",
                 log_quote(qe, sizeof qe, rstore_error(c->redis)));
    }
}

static void s_log_classified(const idea_t *idea, wijk_source_t src)
{
    if (!log_enabled(LOG_DEBUG))
        return; /* the quoting below is not free */
    char qid[120], qw[40];
    log_debug("msg=\"classified\" id=%s wijk=%s wijk_source=%s language=%s pii=%d themes=%d "
              "sentiment=%s question=%s cluster=%s",
              log_quote(qid, sizeof qid, idea->id), log_quote(qw, sizeof qw, idea->wijk),
              classify_wijk_source_name(src), idea->language ? idea->language : "none",
              idea->n_pii, idea->n_themes, idea->sentiment ? idea->sentiment : "none",
              idea->question ? idea->question : "none", idea->cluster ? idea->cluster : "none");
}

/* Keeps the answer to a message for its re-sends: key is the BLAKE2b of
 * the message that s_take computed; the table takes out (malloc'd) over,
 * no copy. */
static void s_remember(classifier_t *c, const unsigned char *key, char *out, size_t olen)
{
    if (g_hash_table_size(c->done) >= CLASSIFIER_DONE_MAX)
        g_hash_table_remove_all(c->done);
    g_hash_table_replace(c->done, g_bytes_new(key, crypto_generichash_BYTES),
                         g_bytes_new_with_free_func(out, olen, free, out));
}

/* Clusters the batch (its state written to Redis in one pipeline), then
 * hands its ideas to storage in order. */
static void s_flush(classifier_t *c)
{
    if (c->n_batch == 0)
        return;
    cluster_redis_sync(c->cr); /* Redis down: assign fails as well and says so */
    int rc = cluster_redis_assign(c->cr);
    s_cluster_result(c, rc);
    metric_inc(c->m_batches);
    for (int i = 0; i < c->n_batch; i++) {
        envelope_t *env = &c->batch[i].env;
        s_log_classified(env->idea, c->batch[i].src);
        env->type = ENV_CLASSIFIED;
        char *buf = NULL;
        size_t blen = 0;
        proto_err_t perr;
        if (envelope_encode(env, &buf, &blen, &perr) < 0) {
            s_dead(c, c->batch[i].raw, c->batch[i].len, perr.code, perr.message);
        } else {
            if (!s_stop && s_send(c, buf, blen) == 0) {
                metric_inc(c->m_classified);
            } else {
                char qid[120];
                log_info("msg=\"stopping before storage took the idea; its intake re-sends "
                         "it\" id=%s",
                         log_quote(qid, sizeof qid, env->id));
            }
            if (rc == 0) { /* clusters saved: a re-send gets the same answer */
                s_remember(c, c->batch[i].key, buf, blen);
                buf = NULL;
            }
        }
        free(buf);
        free(c->batch[i].raw);
        envelope_clear(env);
    }
    c->n_batch = 0;
    c->batch_bytes = 0;
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
    if (sodium_init() < 0)
        log_fatal("msg=\"cannot start libsodium\"");
    c->done = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                    (GDestroyNotify)g_bytes_unref);
    c->moves = moves_new();
    classifier_metrics_init(c);
    c->http = http_server_new(&(http_opts_t){.port = c->cfg.http_port,
                                             .max_body = 4096,
                                             .threads = c->cfg.http_threads,
                                             .name = c->cfg.name});
    http_server_set_health(c->http, classifier_health, c);
    if (http_server_start(c->http, err, sizeof err) < 0)
        log_fatal("msg=\"cannot start admin http\" port=%d err=\"%s\"", c->cfg.http_port, err);
    c->pull = bus_pull_bind(c->cfg.bus_classify, c->cfg.instance, err, sizeof err);
    if (!c->pull)
        log_fatal("msg=\"cannot bind classify socket\" err=\"%s\"", err);
    c->push = bus_push_connect(c->cfg.bus_store, err, sizeof err);
    if (!c->push)
        log_fatal("msg=\"cannot connect to storage\" err=\"%s\"", err);
    c->acks = bus_sub_connect(c->cfg.bus_events, CLASSIFIER_ACK_TOPIC, err, sizeof err);
    if (!c->acks)
        log_fatal("msg=\"cannot subscribe to storage's acks\" err=\"%s\"", err);
    log_info("msg=\"started\" http_port=%d wijken=%zu", c->cfg.http_port,
             geo_wijk_count(classify_geo(c->cls)));
}

/* True when a message waits on the PULL socket. */
static bool s_more(classifier_t *c)
{
    zmq_pollitem_t item = {.socket = c->pull, .events = ZMQ_POLLIN};
    return zmq_poll(&item, 1, 0) > 0;
}

/* A batch is every message already queued, up to CLUSTER_REDIS_BATCH
 * ideas or CLASSIFIER_BATCH_BYTES: under load the Redis round trips and
 * the fsync of the cluster state are shared by many ideas, and an idea
 * that arrives alone is sent at once. */
static void s_loop(classifier_t *c)
{
    while (!s_stop) {
        zmq_pollitem_t items[2] = {{.socket = c->pull, .events = ZMQ_POLLIN},
                                   {.socket = c->acks, .events = ZMQ_POLLIN}};
        if (zmq_poll(items, 2, CLASSIFIER_POLL_MS) <= 0)
            continue; /* timeout, or EINTR: look at s_stop */
        if (items[1].revents & ZMQ_POLLIN)
            s_on_acks(c); /* first: an idea that came after an ack sees its sketch */
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
        do {
            char *data = NULL;
            size_t len = 0;
            if (bus_recv(c->pull, NULL, 0, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT) < 0) {
                if (errno == EMSGSIZE)
                    s_dead(c, NULL, 0, "too_large",
                           "message larger than PROTO_MAX_MESSAGE dropped");
                else if (errno == ETERM)
                    s_stop = 1;
                continue;
            }
            s_take(c, data, len);
        } while (!s_stop && c->n_batch < CLUSTER_REDIS_BATCH &&
                 c->batch_bytes < CLASSIFIER_BATCH_BYTES && s_more(c));
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
    bus_close(&c.acks);
    bus_shutdown();
    classify_destroy(&c.cls);
    cluster_redis_destroy(&c.cr);
    g_hash_table_destroy(c.done);
    moves_free(c.moves);
    rstore_destroy(&c.redis);
    return 0;
}
