/*
 * NAME
 *   spool_disk - segment files, records and trim, for spool.c and
 *   spool_replay.c (see spool.h, spool_int.h)
 *
 * DESCRIPTION
 *   The pieces both the running spool and replay need: the id hash, the
 *   record encoder, creating a segment (and fsyncing the folder so its name
 *   survives a crash), writing records into the pre-allocated segment
 *   (spool_int.h says why), and trim, which deletes fully acknowledged segments
 *   and rewrites acks.log with write-to-temp + rename so that a crash
 *   leaves either the old or the new file, never half of one.
 *   Callers hold the spool's lock where a function touches the struct.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "spool_int.h"
#include "xalloc.h"

/* ---------------------------------------------------------------------
 * Small helpers shared with spool_replay.c
 */

/* FNV-1a: ids are short and not chosen by an attacker in a way that could
 * hurt (they are hashes or server-made), so a simple hash is enough. */
uint32_t spool_hash_full(const char *id)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* Bucket index in a fixed table of SPOOL_HASH_SIZE (replay's ack set). */
uint32_t spool_hash_id(const char *id)
{
    return spool_hash_full(id) % SPOOL_HASH_SIZE;
}

spool_rec_t **spool_bucket(spool_t *self, uint32_t hval)
{
    return &self->hash[hval & self->hash_mask];
}

/* Doubles the pending-record hash when chains would grow past ~2: a
 * storage outage or a lagging classifier leaves tens of thousands of
 * records pending, and every request looks its id up (spool_has). */
static void s_hash_grow(spool_t *self)
{
    size_t n = self->hash_mask + 1, m = n * 2;
    spool_rec_t **nh = xcalloc(m, sizeof *nh);
    for (size_t i = 0; i < n; i++)
        while (self->hash[i]) {
            spool_rec_t *r = self->hash[i];
            self->hash[i] = r->hnext;
            r->hnext = nh[r->hval & (m - 1)];
            nh[r->hval & (m - 1)] = r;
        }
    free(self->hash);
    self->hash = nh;
    self->hash_mask = m - 1;
}

/* Adds r at the tail of the pending list and into the hash. Locked. */
void spool_link_rec(spool_t *self, spool_rec_t *r)
{
    r->next = NULL;
    r->prev = self->tail;
    if (self->tail)
        self->tail->next = r;
    else
        self->head = r;
    self->tail = r;
    if (!self->first_unsent && r->delay == 0)
        self->first_unsent = r;
    if (self->st.pending >= 2 * (self->hash_mask + 1))
        s_hash_grow(self);
    r->hval = spool_hash_full(r->id);
    spool_rec_t **b = spool_bucket(self, r->hval);
    r->hnext = *b;
    *b = r;
    if (r->seg)
        r->seg->live++;
    self->st.pending++;
}

spool_seg_t *spool_seg_add(spool_t *self, uint64_t seq)
{
    spool_seg_t *seg = xcalloc(1, sizeof *seg);
    seg->seq = seq;
    spool_seg_t **pp = &self->segs;
    while (*pp && (*pp)->seq < seq)
        pp = &(*pp)->next;
    seg->next = *pp;
    *pp = seg;
    self->st.segments++;
    return seg;
}

int spool_seg_path(const spool_t *self, uint64_t seq, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/seg-%016llu.log", self->dir, (unsigned long long)seq);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

void spool_lines_add(char **buf, size_t *len, size_t *cap, size_t first_cap, const char *s,
                     size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : first_cap;
        while (c < *len + n + 1)
            c *= 2;
        *buf = xrealloc(*buf, c);
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    (*buf)[*len + n] = '\n';
    *len += n + 1;
}

void spool_seg_note_ack(spool_seg_t *seg, const char *id)
{
    spool_lines_add(&seg->acked, &seg->acked_len, &seg->acked_cap, 1024, id, strlen(id));
}

static void s_put32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)((v >> (8 * i)) & 0xff);
}

/* Writes one record into out (which holds SPOOL_HEADER + 2 + id_len + len
 * bytes) and returns its size. */
size_t spool_record_encode(char *out, const char *id, size_t id_len, const void *data, size_t len)
{
    size_t body = 2 + id_len + len;
    memcpy(out, SPOOL_MAGIC, 4);
    s_put32(out + 4, (uint32_t)body);
    out[12] = (char)(id_len & 0xff);
    out[13] = (char)(id_len >> 8);
    memcpy(out + 14, id, id_len);
    if (len)
        memcpy(out + 14 + id_len, data, len);
    uLong crc = crc32(0L, (const Bytef *)out + SPOOL_HEADER, (uInt)body);
    s_put32(out + 8, (uint32_t)crc);
    return SPOOL_HEADER + body;
}

void spool_record_head(char head[14], const char *id, size_t id_len, const void *data, size_t len)
{
    memcpy(head, SPOOL_MAGIC, 4);
    s_put32(head + 4, (uint32_t)(2 + id_len + len));
    head[12] = (char)(id_len & 0xff);
    head[13] = (char)(id_len >> 8);
    uLong crc = crc32(0L, (const Bytef *)head + SPOOL_HEADER, 2);
    crc = crc32(crc, (const Bytef *)id, (uInt)id_len);
    if (len)
        crc = crc32(crc, (const Bytef *)data, (uInt)len);
    s_put32(head + 8, (uint32_t)crc);
}

int spool_write_all(int fd, const char *buf, size_t len, size_t *done)
{
    *done = 0;
    while (*done < len) {
        ssize_t n = write(fd, buf + *done, len - *done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return -1;
        }
        *done += (size_t)n;
    }
    return 0;
}

int spool_pwrite_all(int fd, const char *buf, size_t len, size_t off)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, buf, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
        off += (size_t)n;
    }
    return 0;
}

static int s_write_zeros(int fd, size_t off, size_t len)
{
    static const char zeros[65536];
    while (len > 0) {
        size_t n = len < sizeof zeros ? len : sizeof zeros;
        if (spool_pwrite_all(fd, zeros, n, off) < 0)
            return -1;
        off += n;
        len -= n;
    }
    return 0;
}

/* Writes zeros ahead so that the active segment holds at least `need`
 * allocated bytes, in SPOOL_PREALLOC steps, never past SPOOL_SEGMENT_MAX
 * (a bigger record simply extends the file itself). Real zeros, not
 * fallocate(): ext4 keeps fallocated blocks as "unwritten" extents, and
 * the first write into one changes the extent tree, metadata that
 * fdatasync must write out again.
 *
 * Each step is fdatasync'd before any record goes into it, so whatever
 * lies past the last record on disk is durable zeros (not, after a crash
 * of a filesystem without a journal, blocks whose size was recorded but
 * whose zeros never arrived): the zero tail replay relies on. One extra
 * fsync per MiB of records. A failed zero write is not fatal: the record
 * write that follows extends the file as an append would, and fails on its
 * own. A failed fdatasync is sticky (see spool.c): -1. */
static int s_prealloc(spool_t *self, size_t need)
{
    while (self->seg_alloc < need && self->seg_alloc < SPOOL_SEGMENT_MAX) {
        size_t n = SPOOL_SEGMENT_MAX - self->seg_alloc;
        if (n > SPOOL_PREALLOC)
            n = SPOOL_PREALLOC;
        size_t at = self->seg_alloc > self->seg_size ? self->seg_alloc : self->seg_size;
        if (at >= self->seg_alloc + n) { /* a record already went past these */
            self->seg_alloc += n;
            continue;
        }
        if (s_write_zeros(self->seg_fd, at, self->seg_alloc + n - at) < 0)
            return 0;
        self->st.fsyncs++;
        if (fdatasync(self->seg_fd) < 0) {
            self->sync_errno = errno;
            log_error("msg=\"spool fsync failed\" err=\"%s\"", strerror(errno));
            spool_sync_publish(self);
            errno = self->sync_errno;
            return -1;
        }
        self->seg_alloc += n;
    }
    return 0;
}

/* Puts [off, off+len) back to zeros (or cuts it off where it lies past the
 * pre-allocated part), so that no half record sits in front of the next
 * one. If that fails too, the segment is abandoned (need_rotate). */
static void s_unwrite(spool_t *self, size_t off, size_t len)
{
    size_t end = off + len;
    int rc = 0;
    if (end > self->seg_alloc) {
        size_t to = self->seg_alloc > off ? self->seg_alloc : off;
        rc = ftruncate(self->seg_fd, (off_t)to);
        end = to;
    }
    if (rc == 0 && end > off)
        rc = s_write_zeros(self->seg_fd, off, end - off);
    if (rc < 0)
        self->need_rotate = true;
}

int spool_seg_reserve(spool_t *self, size_t size)
{
    if (s_prealloc(self, self->seg_size + size) < 0)
        return -1;
    return self->seg_size + size <= self->seg_alloc ? 1 : 0;
}

void spool_wbuf_add(spool_t *self, const char *head, const char *id, size_t id_len,
                    const void *data, size_t len)
{
    size_t size = 14 + id_len + len;
    if (self->wbuf_len == 0)
        self->wbuf_off = self->seg_size;
    if (self->wbuf_len + size > self->wbuf_cap) {
        size_t cap = self->wbuf_cap ? self->wbuf_cap : 65536;
        while (cap < self->wbuf_len + size)
            cap *= 2;
        self->wbuf = xrealloc(self->wbuf, cap);
        self->wbuf_cap = cap;
    }
    char *p = self->wbuf + self->wbuf_len;
    memcpy(p, head, 14);
    memcpy(p + 14, id, id_len);
    if (len)
        memcpy(p + 14 + id_len, data, len);
    self->wbuf_len += size;
    self->seg_size += size;
}

/* A failed write into pre-allocated blocks is an I/O error, not a full
 * disk: it is sticky, like a failed fsync (spool.c). */
int spool_wbuf_flush_locked(spool_t *self)
{
    if (self->wbuf_len == 0)
        return 0;
    self->st.writes++;
    if (spool_pwrite_all(self->seg_fd, self->wbuf, self->wbuf_len, self->wbuf_off) < 0) {
        self->sync_errno = errno;
        log_error("msg=\"spool write failed\" err=\"%s\"", strerror(errno));
        spool_sync_publish(self);
        errno = self->sync_errno;
        return -1;
    }
    self->wbuf_len = 0;
    return 0;
}

/* Writes one encoded record at the end of the records of the active
 * segment, at once (a record that does not fit into the pre-allocated
 * zeros, and replay's rescued records). 0, or -1 with errno and nothing
 * of the record left behind. Locked, with no group write running (records
 * waiting in wbuf are written first, so the file never holds a record
 * behind a gap). Not durable yet: the caller waits for an fsync. */
int spool_seg_write(spool_t *self, const char *buf, size_t len)
{
    if (s_prealloc(self, self->seg_size + len) < 0 || spool_wbuf_flush_locked(self) < 0)
        return -1;
    self->st.writes++;
    if (spool_pwrite_all(self->seg_fd, buf, len, self->seg_size) < 0) {
        int e = errno;
        s_unwrite(self, self->seg_size, len);
        errno = e;
        return -1;
    }
    self->seg_size += len;
    return 0;
}

/* Creates segment seq, writes its first SPOOL_PREALLOC zeros and makes it
 * the active one. The file (size and blocks) and the folder are fsync'd so
 * that the new name and the zeros survive a crash, and the first group
 * commit only has data to flush. */
int spool_open_segment(spool_t *self, uint64_t seq, char *err, size_t errlen)
{
    char path[4096];
    if (spool_seg_path(self, seq, path, sizeof path) < 0) {
        snprintf(err, errlen, "spool path too long");
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 || s_write_zeros(fd, 0, SPOOL_PREALLOC) < 0 || fdatasync(fd) < 0 ||
        fsync(self->dir_fd) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
        if (fd >= 0) {
            close(fd);
            unlink(path); /* empty or zeros: nothing in it */
        }
        errno = e;
        return -1;
    }
    self->active = spool_seg_add(self, seq);
    self->last_seq = seq;
    self->seg_fd = fd;
    self->seg_size = 0;
    self->seg_alloc = SPOOL_PREALLOC;
    self->need_rotate = false;
    return 0;
}

void spool_seg_free(spool_seg_t *seg)
{
    free(seg->acked);
    free(seg);
}

/* ---------------------------------------------------------------------
 * Trim: delete fully acknowledged segments, then rewrite acks.log with
 * the ids that still matter (those of records in segments still on disk).
 */

static int s_rewrite_acks(spool_t *self)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/acks.log.tmp", self->dir);
    snprintf(path, sizeof path, "%s/acks.log", self->dir);
    /* 0640 like the segments, whatever the umask; fchmod for a tmp file a
     * crash left behind with another mode (O_CREAT keeps that mode). */
    int tfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    FILE *f = tfd < 0 || fchmod(tfd, 0640) < 0 ? NULL : fdopen(tfd, "w");
    if (!f) {
        if (tfd >= 0)
            close(tfd);
        return -1;
    }
    for (spool_seg_t *s = self->segs; s; s = s->next)
        if (s->acked_len > 0)
            fwrite(s->acked, 1, s->acked_len, f);
    /* Written out before the rename and the rename made durable after it:
     * else a power cut could leave an empty acks.log in place of the old
     * one, and every acknowledged record of the kept segments would be
     * sent again (harmless downstream, which drops ids it has, but
     * needless). One trim, one fsync: trims are rare. */
    int bad = fflush(f) != 0 || fdatasync(fileno(f)) < 0;
    if (fclose(f) != 0 || bad || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    (void)fsync(self->dir_fd); /* the new name; a failure costs only a replay */
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (self->ack_fd >= 0)
        close(self->ack_fd);
    self->ack_fd = fd;
    return 0;
}

int spool_trim_locked(spool_t *self)
{
    int removed = 0;
    spool_seg_t **pp = &self->segs;
    while (*pp) {
        spool_seg_t *s = *pp;
        /* The active segment only while it is open for writing: after a
         * rotation failed for a full disk, deleting it is what makes room
         * for the next one. */
        if ((s == self->active && self->seg_fd >= 0) || s->live > 0) {
            pp = &s->next;
            continue;
        }
        char path[4096];
        if (spool_seg_path(self, s->seq, path, sizeof path) == 0 && unlink(path) < 0 &&
            errno != ENOENT) {
            char q[512];
            log_warn("msg=\"spool trim failed\" file=%s err=\"%s\"", log_quote(q, sizeof q, path),
                     strerror(errno));
            pp = &s->next;
            continue;
        }
        *pp = s->next;
        if (s == self->active)
            self->active = NULL;
        spool_seg_free(s);
        self->st.segments--;
        removed++;
    }
    if (removed > 0 && s_rewrite_acks(self) < 0) {
        log_warn("msg=\"spool cannot rewrite acks.log\" err=\"%s\"", strerror(errno));
        return -1;
    }
    return 0;
}
