/*
 * classifier_int.h - what the classifier's files share (services/classifier):
 * its limits, the service's state, and the health and metrics functions
 * (health.c). Internal: nothing outside services/classifier includes it.
 */
#ifndef INSPRAAK_CLASSIFIER_INT_H
#define INSPRAAK_CLASSIFIER_INT_H

#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "classify.h"
#include "cluster_redis.h"
#include "config.h"
#include "http.h"
#include "metrics.h"
#include "moves.h"
#include "proto.h"
#include "rstore.h"

#define CLASSIFIER_STALL_MS 5000
#define CLASSIFIER_POLL_MS 500
/* Bytes of received messages held in one batch at most. */
#define CLASSIFIER_BATCH_BYTES (16u * 1024 * 1024)
/* Answers kept for re-sent messages (~1 KB each; emptied when full). */
#define CLASSIFIER_DONE_MAX 16384
/* The acks the classifier reads: those to the dashboard's instances
 * ("ack.dashboard.N"), the only sender of cluster updates. Every ack
 * ("ack.") would be every intake's too: one per stored batch, each waking
 * both classifiers. make bench --quick, alternated runs on 2 cores: the
 * intake at c32 gave 4,000-4,900 req/s with "ack." against 5,300-7,600
 * with this topic (6,400-6,700 before the classifier read acks). */
#define CLASSIFIER_ACK_TOPIC "ack.dashboard."
/* Ack messages read in one go, so that a busy bus cannot hold ideas up. */
#define CLASSIFIER_ACKS_AT_ONCE 1024

/* The languages counted apart (classifier_count_language); the rest are
 * "other", no language "none". */
#define N_LANGS 6
#define N_SOURCES 5

typedef struct {
    config_t cfg;
    classify_t *cls; /* common/classify_idea.c: the same code as bin/classify */
    rstore_t *redis; /* near-duplicate cluster state (cluster_redis.c) */
    cluster_redis_t *cr; /* near-duplicate clusters, a batch at a time */
    /* The batch in hand: decoded, classified ideas waiting for their
     * clusters (one Redis round per batch, cluster_redis.c), sent to
     * storage by s_flush. raw is the message as received, for a dead
     * letter when the classified idea cannot be encoded. */
    struct {
        envelope_t env;
        char *raw;
        size_t len;
        unsigned char key[crypto_generichash_BYTES]; /* BLAKE2b of raw (done) */
        bool had_cluster;
        wijk_source_t src;
    } batch[CLUSTER_REDIS_BATCH];
    int n_batch;
    size_t batch_bytes;
    metric_t *m_cluster_err, *m_cluster_joined, *m_batches, *m_resent, *m_corrected;
    /* BLAKE2b of a message as received -> the ENV_CLASSIFIED it became.
     * An intake re-sends the same bytes (its spool keeps them) when
     * storage has not acked in INSPRAAK_RESEND_MS; with a backlog that is
     * a fifth of all messages. The answer is the same (classify_idea() is
     * pure; the cluster is the one then stored for the id), so it is sent
     * again without classifying. Only answers whose cluster state was
     * saved are kept. */
    GHashTable *done;
    /* the cluster updates sent on to storage whose ack has not come
     * (s_correct, s_on_acks; moves.c) */
    moves_t *moves;
    void *pull, *push, *acks;
    http_server_t *http;
    /* clock_mono_ms() when the send to storage began (an interval: never
     * the wall clock, which may step); 0 when not blocked on storage. */
    _Atomic int64_t waiting_since;
    metric_t *m_classified, *m_dead;
    metric_t *m_lang[N_LANGS];
    metric_t *m_wijk[N_SOURCES];
} classifier_t;

/* Registers the service's metrics (GET /metrics). */
void classifier_metrics_init(classifier_t *c);
/* Counts one classified idea under its language (NULL: "none"). */
void classifier_count_language(classifier_t *c, const char *lang);
/* GET /healthz: 0 with a reason while a send to storage has been blocked
 * for more than CLASSIFIER_STALL_MS, else 1 (http_health_fn). */
int classifier_health(char *reason, size_t size, void *arg);

#endif
