/*
 * NAME
 *   cluster_redis - near-duplicate cluster state in Redis (classifier service)
 *
 * DESCRIPTION
 *   See cluster_redis.c for the keys (inspraak:cluster:*) and for why a
 *   batch of ideas is read and written together; the Redis round trips
 *   are in cluster_redis_io.c.
 *
 * OWNERSHIP
 *   The store borrows rs; the caller keeps and frees it. The ideas given
 *   to cluster_redis_assign() stay the caller's.
 */
#ifndef INSPRAAK_CLUSTER_REDIS_H
#define INSPRAAK_CLUSTER_REDIS_H

#include "classify.h"
#include "rstore.h"

/* Bytes of a packed sketch at most: version and key count 3, wijk 16,
 * theme 32, id 80, cluster 80 (length byte and bytes), slot count 2,
 * CLUSTER_SKETCH_MAX slots of 6, label 80. */
#define CLUSTER_PACK_MAX (293 + 6 * CLUSTER_SKETCH_MAX)
/* Ideas clustered together at most (two read rounds, one EVAL). */
#define CLUSTER_REDIS_BATCH 256
/* Buckets (HASH keys) of the sketches and of the index postings. */
#define CLUSTER_REDIS_SK_BUCKETS 1024
#define CLUSTER_REDIS_IX_BUCKETS 4096

typedef struct cluster_redis cluster_redis_t;

/* Borrows rs. */
cluster_redis_t *cluster_redis_new(rstore_t *rs);
void cluster_redis_destroy(cluster_redis_t **self_p);

/* Adds an idea to the batch (classify_idea() must have run on it; the
 * idea stays the caller's and must live until cluster_redis_assign()).
 * 0, or -1 when the batch already holds CLUSTER_REDIS_BATCH ideas. */
int cluster_redis_add(cluster_redis_t *self, classify_t *cls, idea_t *idea);
int cluster_redis_pending(const cluster_redis_t *self);
/* Sets the cluster of every idea added since the last call that has
 * none: a re-sent idea gets the cluster stored for its id, the others
 * join their most similar near-duplicate (stored before, or earlier in
 * this batch) or start their own. Two read round trips and one write
 * EVAL for the whole batch; the batch is empty afterwards. Returns
 * 0; -1 when Redis could not be read (the ideas that needed a cluster
 * keep cluster NULL; nothing is written); -2 when the clusters were set
 * but could not be saved. rstore_error() says why. */
int cluster_redis_assign(cluster_redis_t *self);

/* Staff put idea id in another cluster (cluster_correct.c): sets the
 * cluster of its stored sketch, so later near-duplicates follow. 1 done,
 * 0 nothing stored for id (or a bad id/cluster: nothing written), -1
 * Redis failed. */
int cluster_redis_correct(cluster_redis_t *self, const char *id, const char *cluster);
/* A moderation that came through the classifier (main.c): when it sets a
 * cluster and storage will accept it (idea_update_check(): a refused
 * update must not move the sketch, its record never changes), corrects
 * the sketch with cluster_redis_correct() and logs what happened. Returns
 * cluster_redis_correct()'s answer, or 0 when there was nothing to do,
 * also when storage applied the update with envelope id update_id (may be
 * NULL) before: a late copy must not undo a later move. */
int cluster_redis_correct_update(cluster_redis_t *self, const idea_t *upd, const char *update_id);
/* After storage acked a cluster update of idea id (main.c): its sketch
 * gives the cluster its record has now. Storage may have refused the
 * update that moved the sketch (a save from an older page, "was", that
 * a save without a cluster overtook after the classifier's check), and
 * such a save never comes here. A sketch that gives the record's cluster
 * already is left as it is; one that does not becomes a group of its own
 * with that label, as a staff move makes it (cluster_correct.c); written
 * only while the record is the one read. moved_to: the cluster the
 * acked update moved the sketch to (cluster_redis_correct_update() said
 * 1), or NULL when it moved none; a sketch that gives neither the
 * record's cluster nor moved_to was moved since by a later update, not
 * yet applied, whose own ack follows, and is left as it is (one
 * classifier's ack must not undo another's move in flight). 1 moved,
 * 3 already so, 6 moved since, 0 no record, no cluster in it or no
 * sketch, -1 Redis failed. */
int cluster_redis_follow(cluster_redis_t *self, const char *id, const char *moved_to);
/* Before a batch: empties the sketch cache when any instance corrected a
 * cluster since the last call (one GET). 0, or -1 when Redis failed. */
int cluster_redis_sync(cluster_redis_t *self);

/* The packed sketch of idea id as stored (see cluster_redis.c) into out
 * (room for CLUSTER_PACK_MAX bytes); returns its length. */
size_t cluster_redis_pack(const cluster_sketch_t *sk, const char *id, char *out);
/* Parses a packed sketch and the id it was stored for (id_size bytes of
 * room); -1 when it is not one (also for the earlier text layout). */
int cluster_redis_parse(const char *s, size_t len, cluster_sketch_t *sk, char *id, size_t id_size);

#endif
