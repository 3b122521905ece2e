/*
 * NAME
 *   spool - durable local queue of accepted submissions (see spool.h)
 *
 * SUMMARY
 *   The running spool: open/close, ack, stats. spool_append.c holds the
 *   append and its waiters, spool_send.c the (re-)send schedule,
 *   spool_sync.c the group commit, spool_disk.c the file handling and
 *   trim, spool_replay.c reads the folder at start-up.
 *
 * DESCRIPTION
 *   Locking: one mutex guards the whole struct. The only slow things done
 *   without it are fdatasync() by the group-commit thread (spool_sync.c),
 *   a writer's wait for it, and the send callbacks of spool_send_due();
 *   records handed to a callback are marked busy so that an ack arriving
 *   meanwhile does not free them under the caller's feet (they are freed
 *   when the callback returns).
 *
 *   An fsync that fails is sticky: every record not yet covered by a
 *   finished fsync fails, and so does every later append, until the
 *   process restarts and replays. After a failed fsync Linux may already
 *   have dropped the dirty pages, so the file no longer says what we think
 *   it says; retrying the fsync would "succeed" and lie (the PostgreSQL
 *   fsync lesson of 2018). The intake reports this on /healthz.
 *
 * DIAGNOSTICS
 *   Functions return 0 or -1 with errno; spool_new() writes a reason into
 *   err. Replay problems (torn tail, corrupt segment) are logged as warn.
 */
#define _GNU_SOURCE
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "spool_int.h"
#include "xalloc.h"

void spool_rec_free(spool_rec_t *r)
{
    free(r); /* id and data live in the same block (spool_append.c, replay) */
}

void spool_rec_unlink(spool_t *self, spool_rec_t *r)
{
    if (self->first_unsent == r)
        self->first_unsent = r->next;
    if (r->prev)
        r->prev->next = r->next;
    else
        self->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        self->tail = r->prev;
}

/* ---------------------------------------------------------------------
 * Open and close
 */

static int s_fail(spool_t *self, char *err, size_t errlen, const char *what)
{
    int e = errno;
    snprintf(err, errlen, "%s %s: %s", what, self->dir, strerror(e));
    errno = e;
    return -1;
}

static int s_open_dir(spool_t *self, char *err, size_t errlen)
{
    if (mkdir(self->dir, 0750) < 0 && errno != EEXIST)
        return s_fail(self, err, errlen, "cannot create");
    self->dir_fd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (self->dir_fd < 0)
        return s_fail(self, err, errlen, "cannot open");
    /* Two processes writing one spool would interleave records and each
     * trim the other's segments. The lock dies with the process. */
    self->lock_fd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (self->lock_fd < 0)
        return s_fail(self, err, errlen, "cannot open");
    if (flock(self->lock_fd, LOCK_EX | LOCK_NB) < 0)
        return s_fail(self, err, errlen, "spool in use by another process:");
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/corrupt", self->dir);
    if (mkdir(sub, 0750) < 0 && errno != EEXIST)
        return s_fail(self, err, errlen, "cannot create corrupt/ in");
    self->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (self->wake_fd < 0)
        return s_fail(self, err, errlen, "eventfd for");
    return 0;
}

void spool_wake(spool_t *self)
{
    /* Already readable and not yet cleared: the reader will look anyway.
     * This was one eventfd write (and often a wake-up) per group commit. */
    if (atomic_exchange(&self->wake_pending, true))
        return;
    atomic_fetch_add(&self->wakeups, 1);
    uint64_t one = 1;
    ssize_t n = write(self->wake_fd, &one, sizeof one);
    (void)n; /* EAGAIN: the counter is already non-zero, which is all we need */
}

spool_t *spool_new(const char *dir, char *err, size_t errlen)
{
    spool_t *self = xcalloc(1, sizeof *self);
    self->dir = xstrdup(dir);
    self->dir_fd = self->lock_fd = self->wake_fd = self->ack_fd = self->seg_fd = -1;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->cond, NULL);
    pthread_cond_init(&self->sync_cond, NULL);
    self->hash = xcalloc(SPOOL_HASH_SIZE, sizeof *self->hash);
    self->hash_mask = SPOOL_HASH_SIZE - 1;
    self->last_full = INT64_MIN / 2;
    self->prog_ms = INT64_MIN / 2;
    self->rotate_after = INT64_MIN / 2;
    if (strlen(dir) > 3000) {
        snprintf(err, errlen, "spool path too long");
        spool_destroy(&self);
        return NULL;
    }
    if (s_open_dir(self, err, errlen) < 0 || spool_replay(self, err, errlen) < 0) {
        int e = errno;
        spool_destroy(&self);
        errno = e;
        return NULL;
    }
    pthread_mutex_lock(&self->lock);
    self->st.replayed = self->st.pending;
    int rc = spool_trim_locked(self);
    if (rc == 0 && self->ack_fd < 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/acks.log", self->dir);
        self->ack_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        rc = self->ack_fd < 0 ? -1 : 0;
    }
    pthread_mutex_unlock(&self->lock);
    if (rc < 0) {
        s_fail(self, err, errlen, "cannot write acks.log in");
        spool_destroy(&self);
        return NULL;
    }
    if (spool_sync_start(self) < 0) {
        s_fail(self, err, errlen, "cannot start the fsync thread for");
        spool_destroy(&self);
        return NULL;
    }
    if (self->st.pending > 0)
        spool_wake(self);
    return self;
}

void spool_destroy(spool_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    spool_t *self = *self_p;
    *self_p = NULL;
    spool_sync_stop(self);
    int fds[] = {self->seg_fd, self->ack_fd, self->wake_fd, self->lock_fd, self->dir_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    while (self->head) {
        spool_rec_t *r = self->head;
        self->head = r->next;
        spool_rec_free(r);
    }
    while (self->segs) {
        spool_seg_t *s = self->segs;
        self->segs = s->next;
        spool_seg_free(s);
    }
    pthread_mutex_destroy(&self->lock);
    pthread_cond_destroy(&self->cond);
    pthread_cond_destroy(&self->sync_cond);
    free(self->ackbuf);
    free(self->wbuf);
    free(self->done);
    free(self->sbuf);
    free(self->hash);
    free(self->dir);
    free(self);
}

/* ---------------------------------------------------------------------
 * Acks and queries
 */

/* Removes every durable pending copy of id (hash h); counts the segments
 * left without pending records into *trim. Returns how many matched.
 * Locked. */
static int s_ack_one(spool_t *self, const char *id, uint32_t h, int *trim)
{
    int found = 0;
    spool_rec_t **pp = spool_bucket(self, h);
    while (*pp) {
        spool_rec_t *r = *pp;
        /* Only durable records: an ack cannot be for a copy whose append has
         * not returned yet, and such a copy may still fail. */
        if (r->hval != h || strcmp(r->id, id) != 0 || r->gen > self->synced_gen) {
            pp = &r->hnext;
            continue;
        }
        *pp = r->hnext;
        r->hnext = NULL;
        found++;
        spool_seg_note_ack(r->seg, id);
        if (--r->seg->live == 0 && (r->seg != self->active || self->seg_fd < 0))
            *trim = 1;
        self->st.pending--;
        if (r->delay != 0)
            self->inflight--; /* it had been sent (spool_send.c) */
        if (r->busy)
            r->gone = true; /* spool_send_due frees it */
        else {
            spool_rec_unlink(self, r);
            spool_rec_free(r);
        }
    }
    return found;
}

/* Appends the batch in ackbuf to acks.log. A full disk can take part of
 * it: the torn line is cut off again at once, because the next batch
 * would be appended right behind it while we run on, and the glued line
 * could name another record ("x1" + "2\n" = "x12\n"), which the next
 * replay would then take as stored although it never was. When even the
 * cut fails, acks.log is left alone (later acks are not written: only
 * re-sends, which storage acknowledges again) until the next rewrite
 * (spool_disk.c) writes it whole from memory. Locked. */
static void s_ack_write(spool_t *self)
{
    size_t done;
    if (spool_write_all(self->ack_fd, self->ackbuf, self->ackbuf_len, &done) == 0)
        return;
    log_warn("msg=\"spool cannot append to acks.log\" err=\"%s\"", strerror(errno));
    struct stat st;
    if (done == 0 || (fstat(self->ack_fd, &st) == 0 && st.st_size >= (off_t)done &&
                      ftruncate(self->ack_fd, st.st_size - (off_t)done) == 0))
        return;
    log_warn("msg=\"spool cannot cut torn acks.log line, acks not logged until rewrite\" "
             "err=\"%s\"",
             strerror(errno));
    close(self->ack_fd);
    self->ack_fd = -1;
}

int spool_ack_many(spool_t *self, const char *const *ids, size_t n)
{
    int trim = 0;
    pthread_mutex_lock(&self->lock);
    self->ackbuf_len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        size_t len = id ? strnlen(id, SPOOL_MAX_ID + 1) : 0;
        /* Only ids a record can have: acks.log is one id per line. */
        if (len == 0 || len > SPOOL_MAX_ID || !s_ack_one(self, id, spool_hash_full(id), &trim))
            continue;
        self->st.acked++;
        spool_lines_add(&self->ackbuf, &self->ackbuf_len, &self->ackbuf_cap, 4096, id, len);
    }
    /* One write for the whole batch. A crash may leave its last line torn:
     * replay ignores a line without a newline and cuts it off before
     * anything is appended behind it (spool_replay.c). */
    if (self->ackbuf_len > 0 && self->ack_fd >= 0)
        s_ack_write(self);
    if (trim)
        spool_trim_locked(self);
    pthread_mutex_unlock(&self->lock);
    return 0;
}

int spool_ack(spool_t *self, const char *id)
{
    return spool_ack_many(self, &id, 1);
}

int spool_wakeup_fd(spool_t *self)
{
    return self->wake_fd;
}

void spool_clear_wakeup(spool_t *self)
{
    uint64_t v;
    ssize_t n = read(self->wake_fd, &v, sizeof v);
    (void)n; /* EAGAIN: already empty */
    /* After the read, not before: a wake that comes in between finds the
     * flag still set and writes nothing, but its records were published
     * before it, so the caller's spool_send_due() (next) sees them. Had
     * the flag been cleared first, that wake's write could be read here
     * and leave the flag set with the fd empty: no wake-up ever again. */
    atomic_store(&self->wake_pending, false);
}

void spool_stats(spool_t *self, spool_stats_t *out)
{
    pthread_mutex_lock(&self->lock);
    *out = self->st;
    pthread_mutex_unlock(&self->lock);
    out->wakeups = atomic_load(&self->wakeups);
}

int spool_error(spool_t *self, char *reason, size_t size)
{
    pthread_mutex_lock(&self->lock);
    int e = self->sync_errno;
    pthread_mutex_unlock(&self->lock);
    if (!e)
        return 0;
    snprintf(reason, size, "spool fsync failed (%s); restart to replay", strerror(e));
    return -1;
}
