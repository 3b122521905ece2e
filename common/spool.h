/*
 * NAME
 *   spool - durable local queue of accepted submissions
 *
 * SUMMARY
 *   spool_t *s = spool_new("var/spool/intake-form.0", err, sizeof err);
 *   spool_append(s, id, bytes, len);   // returns only once fsync'd
 *   ... main loop: spool_send_due(s, now_ms, send_fn, arg);
 *   ... on "ack":  spool_ack(s, id);   // or spool_ack_many(s, ids, n)
 *
 * DESCRIPTION
 *   The Postfix queue file, for inspraak: an intake says "accepted" only
 *   after spool_append() returned 0, and that happens only after the record
 *   is written and fsync'd. The records stay in the spool, and are sent
 *   again with growing delays when they look lost, until storage
 *   acknowledges them.
 *
 *   Files (one folder per intake instance):
 *     seg-<16 digit seq>.log  records: magic "ISP1", u32 len, u32 crc32,
 *                             u16 id_len, id, payload, written into zeros
 *                             written ahead of them (pre-allocated, so an
 *                             fdatasync flushes data, not a new size); the
 *                             first all-zero rest is the end. A new
 *                             segment starts past 4 MiB.
 *     acks.log                one acknowledged id per line (not fsync'd: a
 *                             lost ack only means a harmless re-send).
 *     corrupt/                segments with a damaged record in the middle
 *                             are moved here, never deleted by the spool
 *                             (inspraakctl retention run deletes old ones).
 *   Group commit: writers copy their record into a buffer under a lock and
 *   wait (without it) until an fdatasync covers it; one thread per spool
 *   writes each group with one pwrite and fdatasyncs it, back to back,
 *   each covering everything appended so far, then answers the whole
 *   group in one pass. Many concurrent requests share one write and one
 *   fsync.
 *   Replay: spool_new() reads every segment (a torn record at the tail of the
 *   newest segment is cut off: it was never acknowledged to anyone), reads
 *   acks.log, and keeps what is not acknowledged as pending, due at once.
 *   Trim: a segment whose records are all acknowledged, and which is not
 *   the one being written, is deleted; acks.log is rewritten then.
 *
 *   Thread-safe: spool_append() may be called from many HTTP threads while
 *   one main loop calls spool_send_due() and spool_ack(). spool_new()
 *   starts the fsync thread; spool_destroy() stops it.
 *
 * DIAGNOSTICS
 *   Functions return 0 or -1; spool_new() and spool_append() leave a reason
 *   in err / errno. A failed fsync is reported, and the caller must answer
 *   the sender with an error (never "accepted").
 */
#ifndef INSPRAAK_SPOOL_H
#define INSPRAAK_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_MAX_ID 200
#define SPOOL_MAX_RECORD (4u * 1024 * 1024)

typedef struct spool spool_t;

typedef struct {
    uint64_t appended; /* records appended since start */
    uint64_t fsyncs;   /* fsync calls since start (appended/fsyncs = group size) */
    uint64_t acked;    /* acks applied since start */
    uint64_t sent;     /* first sends */
    uint64_t resent;   /* re-sends */
    uint64_t replayed; /* pending records found at start */
    uint64_t pending;  /* records not yet acknowledged, now */
    uint64_t segments; /* segment files on disk, now */
    uint64_t writes;   /* write calls that carried records into segments
                        * (a group commit writes its group in one) */
    uint64_t wakeups;  /* writes to the wakeup fd: at most one between two
                        * spool_clear_wakeup() calls */
} spool_stats_t;

/* Opens (creating) the folder and replays it. Returns NULL with err set. */
spool_t *spool_new(const char *dir, char *err, size_t errlen);
void spool_destroy(spool_t **self_p);

/* Appends one record and returns after it is on disk (fsync'd).
 * Returns 0, or -1 with errno (and nothing acknowledged). Thread-safe. */
int spool_append(spool_t *self, const char *id, const void *data, size_t len);

/* Like spool_append(), but writes nothing and returns 1 when a durable copy
 * of id is already pending (the check and the write share one lock: the
 * intake asks this on every request). 0 = appended and fsync'd, -1 with
 * errno = not durable. Thread-safe. */
int spool_append_new(spool_t *self, const char *id, const void *data, size_t len);

/* Called once per spool_append_new_async() that returned 0, from the
 * spool's fsync thread and without any spool lock held: rc 0 when the
 * record is durable, rc -1 with err (an errno value) when it is not (the
 * record was dropped; answer the sender with an error). Keep it short: the
 * next group commit waits for it. */
typedef void (*spool_done_fn)(void *arg, int rc, int err);

/* Like spool_append_new(), but returns without waiting for the fsync, so
 * an event-driven server need not hold a thread per waiting request.
 * Returns 0 when the record is written and fn(arg, ...) will follow (once,
 * after the fdatasync that covers it, or when it failed); 1 when a durable
 * copy is already pending; -1 with errno when nothing was written. fn is
 * called only after a 0. Thread-safe. */
int spool_append_new_async(spool_t *self, const char *id, const void *data, size_t len,
                           spool_done_fn fn, void *arg);

/* Called by the fsync thread once per pass of spool_append_new_async()
 * answers, after their callbacks: how many were durable (ok) and how many
 * failed. For counters: one update per group, not per record. Set it
 * before the first async append. */
typedef void (*spool_group_fn)(void *arg, size_t ok, size_t failed);
void spool_set_group_fn(spool_t *self, spool_group_fn fn, void *arg);

/* True when id is pending (appended, not acknowledged). Thread-safe. */
int spool_has(spool_t *self, const char *id);

/* Marks id acknowledged; trims fully acknowledged segments. Unknown ids are
 * ignored (an ack may arrive twice). Thread-safe. */
int spool_ack(spool_t *self, const char *id);

/* spool_ack() for n ids at once: one lock and one write to acks.log for
 * the batch (the intake hands over every ack of one wake-up). Duplicates
 * in the batch, unknown ids and NULLs are ignored. Thread-safe. */
int spool_ack_many(spool_t *self, const char *const *ids, size_t n);

/* Callback for spool_send_due: return 0 when the record was handed to the
 * bus, -1 when it could not be (e.g. no peer, high-water mark): the spool
 * then stops this round and tries again later. */
typedef int (*spool_send_fn)(const char *id, const void *data, size_t len, void *arg);

/* Calls fn for each pending record whose (re)send time has come, oldest
 * first, at most max records (0 = no limit). The first send is due at once.
 * A re-send needs the record's timer (resend_ms after its last send,
 * doubling up to 60 s) and a sign that it is lost rather than queued: the
 * spool's acks since its send reached twice the records in flight ahead of
 * it, or no ack at all came for resend_ms, or its last send is 60 s (or
 * resend_ms, if more) ago (spool_send.c says why). Returns how many were sent.
 * now_ms may come from any clock that only moves forward (the intake uses
 * CLOCK_MONOTONIC); use the same clock on every call. fn runs without the
 * spool's lock held, so it may call spool_ack(). */
int spool_send_due(spool_t *self, int64_t now_ms, long resend_ms, size_t max, spool_send_fn fn,
                   void *arg);

/* A file descriptor that becomes readable when records were appended, for a
 * poll loop; spool_clear_wakeup() empties it. Once readable it is not
 * written again until cleared: a sender that stops polling it (its bus is
 * full) costs the appenders nothing; after clearing, call spool_send_due(),
 * which sees every record whose wake-up the clear swallowed. */
int spool_wakeup_fd(spool_t *self);
void spool_clear_wakeup(spool_t *self);

void spool_stats(spool_t *self, spool_stats_t *out);

/* 0 while the spool can accept; -1 with a reason after an fsync failed
 * (then every append fails until the process restarts). For /healthz. */
int spool_error(spool_t *self, char *reason, size_t size);

#endif
