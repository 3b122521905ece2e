/*
 * NAME
 *   spool_sync - group commit for the spool: one fsync thread, writers that
 *   wait without a lock (see spool.h, spool_int.h)
 *
 * SUMMARY
 *   spool_sync_start(self);            // from spool_new(), after replay
 *   ... writer, locked: copy record into wbuf, gen = ++write_gen;
 *       spool_sync_kick(self); unlock; spool_sync_wait(self, gen);
 *   spool_sync_stop(self);             // from spool_destroy()
 *
 * DESCRIPTION
 *   One thread per spool does every group-commit write and fdatasync:
 *   while it is in fdatasync() writers copy their records into the
 *   group-write buffer behind it, and as soon as it returns it publishes
 *   what is durable, answers the writers, takes the buffer (swapping in
 *   an empty one), writes it with one pwrite at its place in the segment
 *   and starts the next fdatasync. So a group of N records costs one
 *   write and one fsync instead of N writes and one fsync, and appenders
 *   make no system call of their own. Nothing acknowledged to a sender is
 *   ever answered before the fdatasync that covers it returned, and the
 *   fdatasync covers exactly what it acknowledges: every record with a
 *   gen up to the write_gen noted when the buffer was taken (records that
 *   do not fit into the pre-allocated zeros are written by their appender
 *   before write_gen counts them).
 *
 *   A failed group write (the blocks are pre-allocated, so this is an I/O
 *   error, not a full disk) is treated like a failed fsync: sticky.
 *
 *   Why not leader/follower with pthread_cond_broadcast(), as before: a
 *   broadcast wakes the whole group, and every woken writer must take the
 *   spool mutex again on its way out of pthread_cond_wait(); on this
 *   2-CPU machine the group formed a convoy on the mutex (perf: a quarter
 *   of the intake's CPU in futex waits and context switches). Writers now
 *   wait on a sequence word with the Linux futex call, which glibc does not
 *   offer as such (hand-written for that reason): the syncer stores the
 *   durable generation, bumps the word and wakes all waiters, which check
 *   the generation and return without touching any lock.
 *
 *   Async writers (spool_append_new_async) queue their record (which
 *   carries the callback) instead of sleeping; after each fdatasync the
 *   syncer takes the covered ones off the queue in one pass, copying the
 *   callbacks out under the lock, and calls them without it, followed by
 *   one call of the group hook (the intake's counter). The futex wake for
 *   blocking writers is only made when one is waiting.
 *
 *   A failed fdatasync is sticky (spool.c says why): sync_errno is set and
 *   published, every waiter whose record is not covered returns -1, and the
 *   syncer does no further fsync.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "spool_int.h"

static void s_futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void s_futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
    /* Returns at once (EAGAIN) when the word already moved on; EINTR and
     * spurious wakeups are fine: the caller looks again. */
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

/* Makes synced_gen and sync_errno visible to lock-free waiters and wakes
 * them. Locked. */
void spool_sync_publish(spool_t *self)
{
    atomic_store(&self->pub_errno, self->sync_errno);
    atomic_store(&self->pub_synced, self->synced_gen);
    atomic_fetch_add(&self->pub_seq, 1);
    /* No blocking writer (intake-form only uses async appends): no wake
     * call. A writer counts itself in before it reads pub_synced, so
     * either it sees the new value or we see it (both sequentially
     * consistent). */
    if (atomic_load(&self->pub_sleepers) > 0)
        s_futex_wake_all(&self->pub_seq);
    pthread_cond_broadcast(&self->cond); /* rotation and destroy wait for !syncing */
    /* A rotation's own fsync may have covered async writers while the
     * syncer slept: it hands them their answers. */
    if (self->wait_head && (self->wait_head->gen <= self->synced_gen || self->sync_errno))
        pthread_cond_signal(&self->sync_cond);
}

/* Tells an idle syncer there is something to fsync. Locked. */
void spool_sync_kick(spool_t *self)
{
    if (!self->syncing)
        pthread_cond_signal(&self->sync_cond);
}

int spool_sync_wait(spool_t *self, uint64_t gen)
{
    atomic_fetch_add(&self->pub_sleepers, 1);
    int rc = 0;
    for (;;) {
        /* Read the word before the state: a publish in between changes the
         * word, so the futex wait below returns at once. */
        uint32_t seq = atomic_load(&self->pub_seq);
        if (atomic_load(&self->pub_synced) >= gen)
            break;
        int e = atomic_load(&self->pub_errno);
        if (e) {
            errno = e;
            rc = -1;
            break;
        }
        s_futex_wait(&self->pub_seq, seq);
    }
    atomic_fetch_sub(&self->pub_sleepers, 1);
    return rc;
}

/* Hands the filled group-write buffer to the syncer (sbuf) and gives the
 * appenders the other one, empty. Locked. */
static void s_swap_buffers(spool_t *self)
{
    char *b = self->sbuf;
    size_t cap = self->sbuf_cap;
    self->sbuf = self->wbuf;
    self->sbuf_cap = self->wbuf_cap;
    self->wbuf = b;
    self->wbuf_cap = cap;
    self->wbuf_len = 0;
}

static void *s_syncer(void *arg)
{
    spool_t *self = arg;
    pthread_setname_np(pthread_self(), "spool-sync"); /* for top -H and perf */
    pthread_mutex_lock(&self->lock);
    for (;;) {
        /* Async writers first: their callbacks run without the lock, while
         * the next group is already being written behind us. */
        size_t done = spool_waiters_take_locked(self, false);
        if (done) {
            pthread_mutex_unlock(&self->lock);
            spool_waiters_run(self, done);
            pthread_mutex_lock(&self->lock);
            continue;
        }
        bool idle = self->write_gen <= self->synced_gen || self->sync_errno || self->seg_fd < 0;
        /* Stopping: still fsync what async writers wait for, so that none
         * is left without an answer. */
        if (self->stopping && (idle || !self->wait_head))
            break;
        if (idle) {
            pthread_cond_wait(&self->sync_cond, &self->lock);
            continue;
        }
        self->syncing = true;
        uint64_t target = self->write_gen;
        int fd = self->seg_fd; /* rotation waits for !syncing before closing it */
        /* The group's records, copied in by their appenders, go out in one
         * write; appenders fill the other buffer meanwhile. */
        size_t len = self->wbuf_len, off = self->wbuf_off;
        s_swap_buffers(self);
        if (len)
            self->st.writes++;
        pthread_mutex_unlock(&self->lock);
        int rc = len ? spool_pwrite_all(fd, self->sbuf, len, off) : 0;
        if (rc == 0)
            rc = fdatasync(fd);
        int e = errno;
        pthread_mutex_lock(&self->lock);
        self->syncing = false;
        self->st.fsyncs++;
        if (rc == 0 && target > self->synced_gen)
            self->synced_gen = target;
        else if (rc < 0) {
            self->sync_errno = e;
            log_error("msg=\"spool %s failed\" err=\"%s\"", len ? "write or fsync" : "fsync",
                      strerror(e));
        }
        /* The sender's wakeup before the publish: a blocking writer returns
         * as soon as it sees pub_synced, and must find the wakeup already
         * pending (test_spool's test_wakeup_once_until_cleared). The sender
         * reads synced_gen under the lock we hold, so it cannot run ahead. */
        if (rc == 0)
            spool_wake(self); /* one wakeup of the sender per group */
        spool_sync_publish(self);
    }
    size_t left = spool_waiters_take_locked(self, true);
    pthread_mutex_unlock(&self->lock);
    spool_waiters_run(self, left); /* ECANCELED: the spool is closing */
    return NULL;
}

int spool_sync_start(spool_t *self)
{
    pthread_mutex_lock(&self->lock);
    spool_sync_publish(self);
    pthread_mutex_unlock(&self->lock);
    int rc = pthread_create(&self->syncer, NULL, s_syncer, self);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    self->syncer_started = true;
    return 0;
}

void spool_sync_stop(spool_t *self)
{
    if (!self->syncer_started)
        return;
    pthread_mutex_lock(&self->lock);
    self->stopping = true;
    pthread_cond_signal(&self->sync_cond);
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->syncer, NULL);
    self->syncer_started = false;
}

/* Starts a new segment: the old one is fsync'd completely first, so every
 * record written so far is durable and the new fd only carries new ones.
 * Locked, and only while the syncer is not using the old fd. */
int spool_rotate_locked(spool_t *self)
{
    if (self->sync_errno) {
        errno = self->sync_errno;
        return -1;
    }
    if (self->seg_fd >= 0) {
        if (spool_wbuf_flush_locked(self) < 0)
            return -1;
        self->st.fsyncs++;
        if (fdatasync(self->seg_fd) < 0) {
            self->sync_errno = errno;
            log_error("msg=\"spool fsync failed\" err=\"%s\"", strerror(errno));
            spool_sync_publish(self);
            return -1;
        }
        close(self->seg_fd);
        self->seg_fd = -1;
        self->synced_gen = self->write_gen;
        spool_sync_publish(self);
    }
    char err[256];
    uint64_t seq = self->last_seq + 1;
    spool_seg_t *old = self->active;
    self->active = NULL;
    if (spool_open_segment(self, seq, err, sizeof err) < 0) {
        int e = errno;
        log_error("msg=\"spool rotate failed\" err=\"%s\"", err);
        self->active = old;
        self->need_rotate = true;
        errno = e;
        return -1;
    }
    spool_trim_locked(self);
    return 0;
}
