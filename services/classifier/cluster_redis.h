/*
 * NAME
 *   cluster_redis - near-duplicate cluster state in Redis (classifier service)
 *
 * DESCRIPTION
 *   See cluster_redis.c for the keys (inspraak:cluster:*).
 *
 * OWNERSHIP
 *   The store borrows rs; the caller keeps and frees it.
 */
#ifndef INSPRAAK_CLUSTER_REDIS_H
#define INSPRAAK_CLUSTER_REDIS_H

#include "classify.h"
#include "rstore.h"

/* Sketches written per flush at most. */
#define CLUSTER_REDIS_BATCH 256

typedef struct cluster_redis cluster_redis_t;

/* Borrows rs. */
cluster_redis_t *cluster_redis_new(rstore_t *rs);
void cluster_redis_destroy(cluster_redis_t **self_p);
/* A cluster_store_t (for classify_idea_cluster) whose puts are buffered
 * until cluster_redis_flush(); its candidates include the buffered ones. */
cluster_store_t cluster_redis_store(cluster_redis_t *self);
/* Writes the buffered sketches in one pipeline (one Redis fsync).
 * 0, or -1 when Redis failed (the buffer is emptied either way). */
int cluster_redis_flush(cluster_redis_t *self);
int cluster_redis_pending(const cluster_redis_t *self);
/* The cluster already stored (or buffered) for idea id (a re-sent idea
 * keeps its cluster): 1 and cluster set, 0 when none, -1 on a Redis error. */
int cluster_redis_lookup(cluster_redis_t *self, const char *id, char *cluster, size_t size);
/* Parses a stored sketch; -1 when it is not one. */
int cluster_redis_parse(const char *s, size_t len, cluster_sketch_t *sk);

#endif
