/*
 * NAME
 *   cluster_redis_int - what cluster_redis.c and cluster_redis_io.c share
 *   (private to the classifier service)
 *
 * DESCRIPTION
 *   The store's state: the batch (items), the clusters it decided (puts,
 *   filed by index key in put_head/put_next), the postings and sketches
 *   read from Redis, and the scratch space of the write. cluster_redis.c
 *   decides; cluster_redis_io.c reads and writes Redis. See
 *   cluster_redis.c for the keys and the batch's steps.
 *
 * OWNERSHIP
 *   Everything here belongs to the cluster_redis_t (cluster_redis.h).
 */
#ifndef INSPRAAK_CLUSTER_REDIS_INT_H
#define INSPRAAK_CLUSTER_REDIS_INT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster_redis.h"

#define CLUSTER_ID_MAX 80
/* Handles and key hashes are stored as 6 bytes: 48 bits keep ids apart
 * (two ids of 100,000 share a handle with odds ~1 in 50,000), and 10
 * handles fit the 64 bytes of a listpack value. */
#define HB 6
#define CLUSTER_POST_BYTES (CLUSTER_POSTINGS * HB)

typedef enum {
    ITEM_SKIP = 0, /* had a cluster already */
    ITEM_OWN,      /* no keys: its own cluster, nothing stored */
    ITEM_MATCH     /* compared with its candidates */
} cluster_redis_kind_t;

typedef struct {
    idea_t *idea;
    cluster_redis_kind_t kind;
    cluster_sketch_t sk;
    char stored[CLUSTER_ID_MAX]; /* the cluster stored for its id, or "" */
} cluster_redis_item_t;

typedef struct {
    char id[CLUSTER_ID_MAX];
    uint64_t handle;
    cluster_sketch_t sk;
} cluster_redis_put_t;

_Static_assert(CLUSTER_INDEX_KEYS <= 8, "a chain link keeps the key's slot in 3 bits");
/* Slots of the put_head table: a power of two, at least twice the keys
 * of a full batch. */
#define CLUSTER_PUT_SLOTS 4096
_Static_assert(CLUSTER_PUT_SLOTS >= 2 * CLUSTER_REDIS_BATCH * CLUSTER_INDEX_KEYS,
               "put_head never more than half full");

/* One HMGET field: bucket key, HB-byte field, and where the answer goes.
 * order tells the buckets apart for sorting (kind and number). */
typedef struct {
    char key[40];
    unsigned key_len, order;
    char field[HB];
    int slot;
} cluster_redis_get_t;

/* Keys the EVAL of a full batch writes at most: a sketch and the
 * postings of CLUSTER_INDEX_KEYS keys for each idea. */
#define CLUSTER_WRITE_KEYS (CLUSTER_REDIS_BATCH * (1 + CLUSTER_INDEX_KEYS))

struct cluster_redis {
    rstore_t *rs;
    cluster_redis_item_t items[CLUSTER_REDIS_BATCH];
    int n_items;
    cluster_redis_put_t puts[CLUSTER_REDIS_BATCH];
    int n_puts;
    /* The batch's puts by index key, so that s_candidates (cluster_redis.c) walks the puts
     * filed under a key instead of every put's keys (that scan was ~5 %
     * of the service's instructions with full batches). A chain link is
     * put << 3 | slot of the key in that put's index, -1 at the end;
     * heads live in an open-addressing table valid for one generation
     * (one batch), so nothing is cleared between batches. */
    int put_next[CLUSTER_REDIS_BATCH][CLUSTER_INDEX_KEYS];
    struct {
        uint64_t key;
        unsigned gen;
        int head;
        int post; /* cluster_redis_write: its postings in w.post, -1 before */
    } put_head[CLUSTER_PUT_SLOTS];
    unsigned put_gen;
    /* cluster_redis_write's EVAL, built here every batch (no allocation per batch:
     * the block is ~0.5 MB, and freeing blocks that large made malloc
     * sort all its small free chunks each time). */
    struct {
        cluster_redis_get_t keys[CLUSTER_WRITE_KEYS]; /* sketch buckets, then postings buckets */
        char rec[CLUSTER_REDIS_BATCH][CLUSTER_PACK_MAX];
        size_t rec_len[CLUSTER_REDIS_BATCH];
        char post[CLUSTER_WRITE_KEYS][CLUSTER_POST_BYTES];
        size_t post_len[CLUSTER_WRITE_KEYS];
        const char *argv[5 + 3 * CLUSTER_WRITE_KEYS];
        size_t lens[5 + 3 * CLUSTER_WRITE_KEYS];
    } w;
    GHashTable *post;     /* uint64 key hash -> GBytes of stored handles (this batch) */
    GHashTable *sketches; /* uint64 handle -> cluster_sketch_t * (both owned) */
    long long corrected;  /* inspraak:cluster:corrected at the last batch (cluster_correct.c) */
};

/* The low HB bytes of v, big endian (handles and key hashes as stored). */
static inline void cluster_redis_be48(uint64_t v, char *out)
{
    for (int i = 0; i < HB; i++)
        out[i] = (char)(v >> (8 * (HB - 1 - i)));
}

static inline uint64_t cluster_redis_from_be48(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < HB; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

/* cluster_redis.c: the put_head slot of key in this batch's generation. */
int cluster_redis_put_slot(cluster_redis_t *self, uint64_t key);

/* cluster_redis_io.c: steps 1 and 2 (two pipelines of HMGETs): the stored
 * sketch of each batch id and the postings of each index key into
 * self->items and self->post, then the candidates' sketches not cached
 * into self->sketches. 0, or -1 when Redis could not be read. */
int cluster_redis_read(cluster_redis_t *self, int n);
/* cluster_redis_io.c: step 4, the one EVAL that stores the batch's
 * puts. 0, or -1 when it failed. */
int cluster_redis_write(cluster_redis_t *self);

#endif
