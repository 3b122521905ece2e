/*
 * NAME
 *   spool_int - private parts of the spool, shared by the spool*.c files only
 *
 * DESCRIPTION
 *   Not an API: nothing outside spool*.c includes this. The
 *   struct lives here so that the running spool (append, ack), the send
 *   schedule, the file handling (records, segments, trim) and replay
 *   (reading segments at start-up) can be files of readable size instead
 *   of one long one.
 *
 *   Record layout on disk (all integers little-endian):
 *     "ISP1"  u32 len  u32 crc32  | u16 id_len  id  payload
 *     len counts the bytes after the 12-byte header; crc32 (zlib) covers
 *     exactly those len bytes.
 *
 *   Segments are pre-allocated: zeros are written ahead of the records,
 *   SPOOL_PREALLOC bytes at a time, so a record overwrites blocks that are
 *   already allocated and part of the file (and a write into them cannot
 *   fail for lack of space, so the group write may be deferred to the
 *   fsync thread: spool_sync.c), and the group commit's
 *   fdatasync() flushes data only, without writing a new file size and
 *   extents (or journalling them) per group. Each step of zeros is
 *   fdatasync'd before records go into it. A record never starts with a
 *   zero byte (magic), so replay reads the first all-zero rest of a
 *   segment as its end.
 */
#ifndef INSPRAAK_SPOOL_INT_H
#define INSPRAAK_SPOOL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spool.h"

#define SPOOL_MAGIC "ISP1"
#define SPOOL_HEADER 12u
#define SPOOL_SEGMENT_MAX (4u * 1024 * 1024)
#define SPOOL_PREALLOC (1024u * 1024) /* zeros written ahead of the records */
#define SPOOL_MAX_DELAY_MS 60000L
#define SPOOL_HASH_SIZE 4096u  /* buckets at start (and for replay's ack set) */
#define SPOOL_FULL_WALK_MS 100 /* at most one walk of every pending record per this */
#define SPOOL_ROTATE_RETRY_MS 10000 /* a failed idle rotation (full disk) is tried again after */

/* One segment file on disk. */
typedef struct spool_seg {
    uint64_t seq;
    size_t live;  /* pending records in this file */
    char *acked; /* "id\n" lines acknowledged from this file, as acks.log
                  * holds them (for its rewrite); one buffer, so an ack
                  * allocates nothing */
    size_t acked_len, acked_cap;
    struct spool_seg *next; /* ascending seq */
} spool_seg_t;

/* One pending (not yet acknowledged) record, in memory. */
typedef struct spool_rec {
    char *id;
    uint32_t hval; /* spool_hash_full(id) */
    char *data;
    size_t len;
    uint64_t gen;      /* append order; durable when gen <= synced_gen */
    int64_t next_due;  /* ms; 0 = at once */
    long delay;        /* last delay used; 0 = never sent */
    int64_t sent_ms;   /* now_ms of its last send */
    uint64_t ack_mark; /* st.acked by which it should have come back (spool_send.c) */
    int busy;          /* handed to a send callback right now */
    bool gone;         /* acknowledged (or failed) while busy: free when idle */
    spool_seg_t *seg;
    /* spool_append_new_async(): its caller's callback, and the queue of
     * records waiting for their fsync (only while not yet durable) */
    spool_done_fn wfn;
    void *warg;
    struct spool_rec *wnext;
    struct spool_rec *prev, *next; /* append order */
    struct spool_rec *hnext;       /* hash chain */
} spool_rec_t;

/* An async append's answer, taken off the queue by the syncer and called
 * without the lock (the record itself may be acknowledged and freed by
 * then, so fn and arg are copied out). */
typedef struct {
    spool_done_fn fn;
    void *arg;
    int rc, err;
} spool_done_t;

struct spool {
    char *dir;
    int dir_fd;
    int lock_fd; /* flock: one process per spool folder */
    int wake_fd;
    /* The wakeup fd was written and not yet cleared: later wakes need no
     * write (spool.c), so a sender that does not read it (its bus is
     * full) costs the fsync thread no system call per group. */
    _Atomic bool wake_pending;
    _Atomic uint64_t wakeups; /* writes to wake_fd (spool_stats_t) */
    int ack_fd; /* acks.log, O_APPEND */

    pthread_mutex_t lock;
    pthread_cond_t cond;      /* "syncing" went false (rotation, destroy) */
    pthread_cond_t sync_cond; /* wakes the idle syncer thread */
    pthread_t syncer;
    bool syncer_started, stopping;
    /* synced_gen and sync_errno as published for writers that wait without
     * the lock (spool_sync.c), and the futex word they sleep on */
    _Atomic uint64_t pub_synced;
    _Atomic int pub_errno;
    _Atomic uint32_t pub_seq;
    _Atomic uint32_t pub_sleepers; /* writers in spool_sync_wait() */
    spool_rec_t *wait_head, *wait_tail; /* async appends, in gen order */
    spool_done_t *done;                 /* the syncer's: answers of one pass */
    size_t done_cap;
    spool_group_fn group_fn;            /* once per pass, after the answers */
    void *group_arg;

    /* writing */
    spool_seg_t *segs;   /* every segment on disk, ascending */
    spool_seg_t *active; /* the one being written (last of segs) */
    uint64_t last_seq;   /* the newest segment made or found: the next is + 1
                          * (active may be gone: trim, below) */
    int seg_fd;
    size_t seg_size;     /* end of the records in the active segment */
    size_t seg_alloc;    /* zeros written up to here (>= seg_size, or less
                          * when a record went past them) */
    bool need_rotate;    /* a failed write left the tail uncertain */
    uint64_t write_gen;  /* records written */
    uint64_t synced_gen; /* records covered by a finished fsync */
    bool syncing;        /* the syncer is in fdatasync() */
    int sync_errno;      /* sticky: an fsync failed (see spool.c) */
    /* Group write: records that fit into the pre-allocated zeros are
     * copied here by their appenders and written by the fsync thread, in
     * one pwrite per group, right before its fdatasync (spool_sync.c).
     * wbuf holds segment bytes [wbuf_off, wbuf_off + wbuf_len); sbuf is
     * the syncer's, swapped with wbuf under the lock. */
    char *wbuf, *sbuf;
    size_t wbuf_len, wbuf_cap, sbuf_cap, wbuf_off;
    uint64_t idle_gen;   /* write_gen at the last spool_send_due (idle rotation) */
    int64_t rotate_after; /* now_ms before which a failed idle rotation waits */

    /* pending records */
    spool_rec_t *head, *tail;
    spool_rec_t *first_unsent; /* first never-sent record (they are a suffix) */
    spool_rec_t **hash;        /* hash_mask + 1 buckets, doubled as pending grows */
    size_t hash_mask;
    int64_t min_due;   /* <= next_due of every sent record (spool_send_due) */
    int64_t last_full; /* now_ms of the last walk of every pending record */
    /* ack progress, for the re-send rule (spool_send.c) */
    uint64_t inflight;   /* records sent and not acknowledged */
    uint64_t prog_acked; /* st.acked as last seen by spool_send_due */
    int64_t prog_ms;     /* now_ms when st.acked was last seen to move */

    /* acks.log lines of one spool_ack_many() call, written at once;
     * kept between calls so a batch allocates nothing */
    char *ackbuf;
    size_t ackbuf_len, ackbuf_cap;

    spool_stats_t st;
};

/* spool_disk.c */
uint32_t spool_hash_full(const char *id);
uint32_t spool_hash_id(const char *id);
spool_rec_t **spool_bucket(spool_t *self, uint32_t hval);
void spool_link_rec(spool_t *self, spool_rec_t *r);
spool_seg_t *spool_seg_add(spool_t *self, uint64_t seq);
int spool_seg_path(const spool_t *self, uint64_t seq, char *buf, size_t size);
void spool_seg_note_ack(spool_seg_t *seg, const char *id);
/* Appends s (n bytes) and '\n' to the growable buffer *buf (*len used,
 * *cap allocated; the first allocation is first_cap bytes). */
void spool_lines_add(char **buf, size_t *len, size_t *cap, size_t first_cap, const char *s,
                     size_t n);
void spool_seg_free(spool_seg_t *seg);
size_t spool_record_encode(char *out, const char *id, size_t id_len, const void *data, size_t len);
/* The first 14 bytes of a record (header and id length), crc computed
 * over id and data in place: the same bytes spool_record_encode() writes. */
void spool_record_head(char head[14], const char *id, size_t id_len, const void *data, size_t len);
/* Reserves what the active segment needs for a record of size bytes
 * (pre-allocation); 1 when it fits into the zeros, so that the group
 * commit may write it (spool_wbuf_add), 0 when it must be written at once
 * (spool_seg_write), -1 with errno after a failed fsync. Locked. */
int spool_seg_reserve(spool_t *self, size_t size);
/* Copies a record into the group-write buffer at the end of the records. Locked. */
void spool_wbuf_add(spool_t *self, const char *head, const char *id, size_t id_len,
                    const void *data, size_t len);
/* Writes the group-write buffer into the active segment now (rotation,
 * a record written at once behind it). -1 with errno. Locked, !syncing. */
int spool_wbuf_flush_locked(spool_t *self);
int spool_pwrite_all(int fd, const char *buf, size_t len, size_t off);
/* write() until all len bytes are written; 0, or -1 with errno (a write
 * that takes nothing counts as ENOSPC). *done: the bytes written either way. */
int spool_write_all(int fd, const char *buf, size_t len, size_t *done);
int spool_seg_write(spool_t *self, const char *buf, size_t len);
int spool_open_segment(spool_t *self, uint64_t seq, char *err, size_t errlen);
int spool_trim_locked(spool_t *self);

/* spool_sync.c: the group commit */
int spool_sync_start(spool_t *self);
void spool_sync_stop(spool_t *self);
void spool_sync_kick(spool_t *self);
void spool_sync_publish(spool_t *self);
int spool_sync_wait(spool_t *self, uint64_t gen);
int spool_rotate_locked(spool_t *self);

/* spool.c */
void spool_wake(spool_t *self);
void spool_rec_free(spool_rec_t *r);
/* Takes r out of the append-order list (and first_unsent). Locked. */
void spool_rec_unlink(spool_t *self, spool_rec_t *r);

/* spool_append.c */
/* Takes the async waiters that are done (durable, or failed and dropped)
 * off the queue into self->done and returns how many; every one when all
 * is true (shutdown: the rest fail with ECANCELED). Locked, syncer only.
 * spool_waiters_run() then answers them, unlocked, in one pass. */
size_t spool_waiters_take_locked(spool_t *self, bool all);
void spool_waiters_run(spool_t *self, size_t n);

/* spool_replay.c: reads every segment and acks.log into self. */
int spool_replay(spool_t *self, char *err, size_t errlen);

#endif
