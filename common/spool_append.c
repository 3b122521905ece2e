/*
 * NAME
 *   spool_append - putting records into the spool (see spool.h)
 *
 * DESCRIPTION
 *   Appends with group commit: a record is checked and copied before the
 *   lock is taken, placed into the active segment (usually only into the
 *   group-write buffer) under it, and is durable when the fsync thread
 *   (spool_sync.c) has covered its generation. spool_append() waits for
 *   that; spool_append_new_async() queues the caller's callback, which
 *   spool_waiters_take_locked() and spool_waiters_run() answer for the
 *   fsync thread. A record whose fsync failed is dropped here: the
 *   caller answers "error" (spool.c says why a failed fsync is sticky).
 *   spool_has() asks the question the "new" appends ask: is a durable
 *   copy of this id pending?
 */
#define _GNU_SOURCE
#include "spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "spool_int.h"
#include "xalloc.h"

/* Takes r out of the hash (it is no longer pending). Locked. */
static void s_unhash(spool_t *self, spool_rec_t *r)
{
    spool_rec_t **pp = spool_bucket(self, r->hval);
    while (*pp && *pp != r)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = r->hnext;
    r->hnext = NULL;
}

static int s_valid_id(const char *id, size_t n)
{
    if (n == 0 || n > SPOOL_MAX_ID)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
            return 0;
    return 1;
}

/* Drops a record that was never durable. Locked. */
static void s_drop(spool_t *self, spool_rec_t *r)
{
    s_unhash(self, r);
    spool_rec_unlink(self, r);
    r->seg->live--;
    self->st.pending--;
    spool_rec_free(r);
}

/* A durable pending copy of id (hash h)? Locked. */
static bool s_has_locked(spool_t *self, const char *id, uint32_t h)
{
    /* Only durable copies count: a copy still waiting for its fsync could
     * yet fail, and then nobody would hold the submission. */
    for (spool_rec_t *r = *spool_bucket(self, h); r; r = r->hnext)
        if (r->hval == h && strcmp(r->id, id) == 0 && r->gen <= self->synced_gen)
            return true;
    return false;
}

/* A new pending record (one allocation: id and payload follow it). */
static spool_rec_t *s_rec_new(const char *id, size_t id_len, const void *data, size_t len)
{
    spool_rec_t *r = xmalloc(sizeof *r + id_len + 1 + len);
    memset(r, 0, sizeof *r);
    r->id = (char *)(r + 1);
    memcpy(r->id, id, id_len + 1);
    r->data = r->id + id_len + 1;
    if (len)
        memcpy(r->data, data, len);
    r->len = len;
    return r;
}

/* Puts the record's bytes into the active segment (rotating first when it
 * would not fit). Usually they only go into the group-write buffer, and
 * the fsync thread writes the whole group before its fdatasync; a record
 * that does not fit into the pre-allocated zeros is written here, at once,
 * after a running group write has finished (so no record ever lies behind
 * a gap). Locked. 0, or -1 with errno. */
static int s_place(spool_t *self, const char *head, const char *id, size_t id_len,
                   const void *data, size_t len)
{
    size_t size = 14 + id_len + len;
    for (;;) {
        if (self->sync_errno) {
            errno = self->sync_errno;
            return -1;
        }
        if (self->need_rotate ||
            (self->seg_size > 0 && self->seg_size + size > SPOOL_SEGMENT_MAX)) {
            /* Wait for a running fsync to finish with the old fd, then look
             * again: another writer may have rotated meanwhile. */
            if (self->syncing)
                pthread_cond_wait(&self->cond, &self->lock);
            else if (spool_rotate_locked(self) < 0)
                return -1;
            continue;
        }
        int fits = spool_seg_reserve(self, size);
        if (fits < 0)
            return -1;
        if (fits) {
            spool_wbuf_add(self, head, id, id_len, data, len);
            return 0;
        }
        if (self->syncing) {
            pthread_cond_wait(&self->cond, &self->lock);
            continue;
        }
        char *buf = xmalloc(size); /* rare: a huge record, or no zeros ahead */
        spool_record_encode(buf, id, id_len, data, len);
        int rc = spool_seg_write(self, buf, size);
        int e = errno;
        free(buf);
        if (rc < 0)
            log_warn("msg=\"spool write failed\" err=\"%s\"", strerror(e));
        errno = e;
        return rc;
    }
}

/* Writes one record under the lock. Returns 0 with *gen_out and *rec_out
 * set (and, when fn is given, the record queued for the syncer's answer
 * under the same lock),
 * 1 when a durable copy is already pending (once), -1 with errno. */
static int s_write(spool_t *self, const char *id, const void *data, size_t len, bool once,
                   spool_done_fn fn, void *arg, uint64_t *gen_out, spool_rec_t **rec_out)
{
    size_t id_len = id ? strlen(id) : 0;
    if (!s_valid_id(id, id_len)) {
        errno = EINVAL; /* ids are printable ASCII without spaces (acks.log is per line) */
        return -1;
    }
    if (len > SPOOL_MAX_RECORD) {
        errno = EMSGSIZE;
        return -1;
    }
    /* The crc and the copy are made before the lock is taken. */
    char head[14];
    spool_record_head(head, id, id_len, data, len);
    spool_rec_t *r = s_rec_new(id, id_len, data, len);
    uint32_t h = spool_hash_full(id);

    pthread_mutex_lock(&self->lock);
    if (once && s_has_locked(self, id, h)) {
        pthread_mutex_unlock(&self->lock);
        spool_rec_free(r);
        return 1;
    }
    if (s_place(self, head, r->id, id_len, r->data, len) < 0) {
        int e = errno;
        pthread_mutex_unlock(&self->lock);
        spool_rec_free(r);
        errno = e;
        return -1;
    }
    r->gen = ++self->write_gen;
    r->seg = self->active;
    spool_link_rec(self, r);
    self->st.appended++;
    *gen_out = r->gen;
    *rec_out = r;
    if (fn) {
        r->wfn = fn;
        r->warg = arg;
        if (self->wait_tail)
            self->wait_tail->wnext = r;
        else
            self->wait_head = r;
        self->wait_tail = r;
    }
    spool_sync_kick(self);
    pthread_mutex_unlock(&self->lock);
    return 0;
}

static int s_append(spool_t *self, const char *id, const void *data, size_t len, bool once)
{
    uint64_t gen;
    spool_rec_t *r;
    int rc = s_write(self, id, data, len, once, NULL, NULL, &gen, &r);
    if (rc != 0)
        return rc;
    /* Wait without the lock (spool_sync.c says why). Until that fsync,
     * nobody else touches r: an unsynced record is neither sent nor
     * acknowledged, so it is still ours to drop if the fsync fails. */
    rc = spool_sync_wait(self, gen);
    int e = errno;
    if (rc < 0) {
        pthread_mutex_lock(&self->lock);
        s_drop(self, r); /* not durable: the caller answers "error" */
        pthread_mutex_unlock(&self->lock);
    }
    errno = e;
    return rc;
}

int spool_append_new_async(spool_t *self, const char *id, const void *data, size_t len,
                           spool_done_fn fn, void *arg)
{
    uint64_t gen;
    spool_rec_t *r;
    return s_write(self, id, data, len, true, fn, arg, &gen, &r);
}

void spool_set_group_fn(spool_t *self, spool_group_fn fn, void *arg)
{
    pthread_mutex_lock(&self->lock);
    self->group_fn = fn;
    self->group_arg = arg;
    pthread_mutex_unlock(&self->lock);
}

size_t spool_waiters_take_locked(spool_t *self, bool all)
{
    size_t n = 0;
    /* The queue is in gen order: the done ones are a prefix. A failed
     * fsync fails every record not covered (the failure is sticky). */
    while (self->wait_head &&
           (self->wait_head->gen <= self->synced_gen || self->sync_errno || all)) {
        spool_rec_t *r = self->wait_head;
        self->wait_head = r->wnext;
        r->wnext = NULL;
        if (n == self->done_cap) {
            self->done_cap = self->done_cap ? self->done_cap * 2 : 64;
            self->done = xrealloc(self->done, self->done_cap * sizeof *self->done);
        }
        spool_done_t *d = &self->done[n++];
        *d = (spool_done_t){.fn = r->wfn, .arg = r->warg};
        if (r->gen > self->synced_gen) {
            d->rc = -1;
            d->err = self->sync_errno ? self->sync_errno : ECANCELED;
            if (self->sync_errno)
                s_drop(self, r); /* nobody else touches an unsynced record */
        }
    }
    if (!self->wait_head)
        self->wait_tail = NULL;
    return n;
}

void spool_waiters_run(spool_t *self, size_t n)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        spool_done_t *d = &self->done[i];
        d->fn(d->arg, d->rc, d->err);
        ok += d->rc == 0;
    }
    if (n > 0 && self->group_fn)
        self->group_fn(self->group_arg, ok, n - ok);
}

int spool_append(spool_t *self, const char *id, const void *data, size_t len)
{
    return s_append(self, id, data, len, false);
}

int spool_append_new(spool_t *self, const char *id, const void *data, size_t len)
{
    return s_append(self, id, data, len, true);
}

int spool_has(spool_t *self, const char *id)
{
    int found = 0;
    if (!id)
        return 0;
    uint32_t h = spool_hash_full(id);
    pthread_mutex_lock(&self->lock);
    found = s_has_locked(self, id, h);
    pthread_mutex_unlock(&self->lock);
    return found;
}
