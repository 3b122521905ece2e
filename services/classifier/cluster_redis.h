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

/* A cluster_store_t over rs (for classify_idea_cluster). */
cluster_store_t cluster_redis_store(rstore_t *rs);
/* The cluster already stored for idea id (a re-sent idea keeps its
 * cluster): 1 and cluster set, 0 when none, -1 on a Redis error. */
int cluster_redis_lookup(rstore_t *rs, const char *id, char *cluster, size_t size);
/* Parses a stored sketch; -1 when it is not one. */
int cluster_redis_parse(const char *s, size_t len, cluster_sketch_t *sk);

#endif
