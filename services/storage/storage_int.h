/*
 * NAME
 *   storage_int - what main.c, events.c and handle.c share (private to
 *   storage)
 *
 * DESCRIPTION
 *   The service's state (storage_t), and the steps the files take for
 *   each other: main.c receives messages, batches classified ideas and
 *   retries while Redis is down; handle.c handles one message (store,
 *   update, dead letter); events.c publishes "stored" and the acks of a
 *   batch. Not for use outside services/storage/.
 *
 * OWNERSHIP
 *   Everything here belongs to the storage_t of main(); the acks noted
 *   (events_ack) are owned by it until events_acks_flush() frees them.
 */
#ifndef INSPRAAK_STORAGE_INT_H
#define INSPRAAK_STORAGE_INT_H

#include <pthread.h>
#include <stddef.h>

#include "config.h"
#include "metrics.h"
#include "proto.h"
#include "store.h"
#include "store_upgrade.h"

/* Acks held for one message each of a batch (STORE_BATCH_MAX), at most;
 * PROTO_MAX_ACK_IDS bounds what one ack message may carry. */
#define STORAGE_ACKS_MAX STORE_BATCH_MAX

typedef struct {
    config_t cfg;
    store_t *st;        /* main loop only */
    store_t *health_st; /* HTTP threads, under health_mu */
    pthread_mutex_t health_mu;
    void *pull, *pub;
    metric_t *m_stored, *m_dups, *m_dead, *m_redis_err;
    /* acks noted, not yet published (events_ack, events_acks_flush): both owned */
    struct {
        char *origin, *id;
    } acks[STORAGE_ACKS_MAX];
    int n_acks;
    store_upgrade_t up; /* day counts and the counts' backfill, main loop only */
} storage_t;

/* events.c */

/* Publishes an envelope of the given type. The idea is borrowed. */
void events_publish(storage_t *s, const char *topic, env_type_t type, const char *id, idea_t *idea);
/* Publishes the acks noted since the last flush (one message per
 * origin, after one replication check); withheld when too few replicas
 * confirmed. */
void events_acks_flush(storage_t *s);
/* Notes an ack for e (to e->origin) for the next events_acks_flush(). */
void events_ack(storage_t *s, const envelope_t *e);

/* handle.c */

/* Writes a message to the dead-letter list. 0 when done with the
 * message, -1 when Redis failed (retry). */
int handle_dead(storage_t *s, const char *origin, const char *code, const char *reason,
                const char *raw, size_t len);
/* Publishes what store_idea or store_ideas decided for one classified
 * envelope (r: 1 stored, 0 already stored), then acks it. */
void handle_after_store(storage_t *s, envelope_t *e, int r);
/* One message from the bus. Returns 0 when done, -1 to retry later. */
int handle_message(storage_t *s, const char *raw, size_t len);

#endif
