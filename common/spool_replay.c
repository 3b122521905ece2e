/*
 * NAME
 *   spool_replay - read a spool folder back at start-up (see spool.h)
 *
 * DESCRIPTION
 *   spool_replay() runs once, from spool_new(), before any other thread can
 *   see the spool. It:
 *
 *   1. reads acks.log (a last line without a newline is ignored and cut
 *      off: it may be half an id, and half an id could equal another,
 *      shorter id, or grow into another id when the next ack is appended);
 *   2. reads every seg-*.log in order. Each good record whose id is not
 *      acknowledged becomes pending, due at once; acknowledged ones are
 *      remembered per segment, so acks.log can be rewritten at trim time.
 *      Where the rest of a segment is all zero bytes, its records end:
 *      segments are pre-allocated with zeros (spool_int.h), and a record
 *      starts with the magic "ISP1", so zeros are never a record. Only a
 *      rest that is entirely zero counts: a zero run in the middle (a
 *      page of an unsynced record that never reached the disk) with
 *      anything non-zero after it is a bad record, handled below;
 *   3. a bad record (wrong magic, length or crc) at the end of the NEWEST
 *      segment, with no good record after it, is a torn write from a crash:
 *      the append never returned, so nobody was told "accepted". The file
 *      is cut back to the last good record;
 *   4. any other bad record means damage (disk, someone editing the file).
 *      Every good record of that segment (before the damage, and after it
 *      by scanning for the next "ISP1" with a valid crc) is written again
 *      into the new active segment and fsync'd, and only then is the damaged
 *      file moved to corrupt/, never deleted (Postfix's habit). So nothing
 *      that was accepted disappears with the damaged file;
 *   5. opens a fresh active segment; the old ones are only read from now on
 *      and are deleted by trim once all their records are acknowledged. On
 *      a full disk it starts without one (s_open_active).
 *
 *   The record parser is hand-written because the format is ours; it checks
 *   every length against the bytes that are really there before using it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"
#include "log.h"
#include "spool_int.h"
#include "xalloc.h"

/* The acknowledged ids read from acks.log, only during replay. */
typedef struct ackent {
    char *id;
    struct ackent *next;
} ackent_t;

typedef struct {
    ackent_t *b[SPOOL_HASH_SIZE];
} ackset_t;

typedef struct {
    spool_t *self;
    ackset_t acks;
    spool_rec_t **rescued; /* records from corrupt segments, to write again */
    size_t n_rescued, cap_rescued;
    uint64_t *corrupt; /* seqs of segments to move to corrupt/ */
    size_t n_corrupt;
} replay_t;

static int s_ack_has(const ackset_t *set, const char *id)
{
    for (const ackent_t *e = set->b[spool_hash_id(id)]; e; e = e->next)
        if (strcmp(e->id, id) == 0)
            return 1;
    return 0;
}

static void s_ack_free(ackset_t *set)
{
    for (size_t i = 0; i < SPOOL_HASH_SIZE; i++)
        while (set->b[i]) {
            ackent_t *e = set->b[i];
            set->b[i] = e->next;
            free(e->id);
            free(e);
        }
}

/* Cuts a last line without a newline off acks.log. It is half of an ack
 * batch whose write a crash cut short; left there, the next run's first
 * ack would be appended to it and the glued line could name another
 * record (torn "x1" + "2\n" = "x12"), losing that record on the following
 * replay. Synced: it happens once, after a crash. */
static void s_cut_torn_ack(const char *path, off_t keep)
{
    char q[512];
    log_warn("msg=\"spool torn acks.log line cut\" file=%s offset=%lld",
             log_quote(q, sizeof q, path), (long long)keep);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, keep) < 0 || fdatasync(fd) < 0)
        log_warn("msg=\"spool cannot cut acks.log\" file=%s err=\"%s\"", q, strerror(errno));
    if (fd >= 0)
        close(fd);
}

static void s_read_acks(replay_t *rp)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/acks.log", rp->self->dir);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    off_t whole = 0; /* bytes up to the last newline */
    bool torn = false;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n') {
            torn = true; /* only the last line can lack its newline */
            continue;
        }
        whole += n;
        if (n < 2 || n > SPOOL_MAX_ID + 1)
            continue;
        line[n - 1] = '\0';
        if (s_ack_has(&rp->acks, line))
            continue;
        ackent_t *e = xmalloc(sizeof *e);
        e->id = xstrdup(line);
        uint32_t h = spool_hash_id(line);
        e->next = rp->acks.b[h];
        rp->acks.b[h] = e;
    }
    free(line);
    fclose(f);
    if (torn)
        s_cut_torn_ack(path, whole);
}

/* ---------------------------------------------------------------------
 * Records
 */

typedef struct {
    char id[SPOOL_MAX_ID + 1];
    const char *data;
    size_t len;
} recview_t;

static uint32_t s_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Size of the good record at off, or 0 when it is not one. */
static size_t s_parse(const char *buf, size_t n, size_t off, recview_t *v)
{
    const unsigned char *p = (const unsigned char *)buf + off;
    if (off > n || n - off < SPOOL_HEADER + 3 || memcmp(p, SPOOL_MAGIC, 4) != 0)
        return 0;
    uint32_t body = s_get32(p + 4);
    if (body < 3 || body > 2 + SPOOL_MAX_ID + SPOOL_MAX_RECORD || body > n - off - SPOOL_HEADER)
        return 0;
    if ((uint32_t)crc32(0L, p + SPOOL_HEADER, body) != s_get32(p + 8))
        return 0;
    size_t id_len = (size_t)p[12] | (size_t)p[13] << 8;
    if (id_len < 1 || id_len > SPOOL_MAX_ID || 2 + id_len > body)
        return 0;
    for (size_t i = 0; i < id_len; i++)
        if (p[14 + i] <= 0x20 || p[14 + i] >= 0x7f)
            return 0;
    memcpy(v->id, p + 14, id_len);
    v->id[id_len] = '\0';
    v->data = (const char *)p + 14 + id_len;
    v->len = body - 2 - id_len;
    return SPOOL_HEADER + body;
}

/* Offset of the next good record at or after off, or (size_t)-1. */
static size_t s_resync(const char *buf, size_t n, size_t off)
{
    recview_t v;
    while (off < n) {
        const char *m = memmem(buf + off, n - off, SPOOL_MAGIC, 4);
        if (!m)
            break;
        off = (size_t)(m - buf);
        if (s_parse(buf, n, off, &v) > 0)
            return off;
        off++;
    }
    return (size_t)-1;
}

/* Makes a record pending (or notes its ack). seg NULL: rescued record. */
static void s_take(replay_t *rp, spool_seg_t *seg, const recview_t *v)
{
    spool_t *self = rp->self;
    if (s_ack_has(&rp->acks, v->id)) {
        if (seg)
            spool_seg_note_ack(seg, v->id);
        return;
    }
    size_t id_len = strlen(v->id);
    spool_rec_t *r = xmalloc(sizeof *r + id_len + 1 + v->len); /* as spool.c's s_rec_new */
    memset(r, 0, sizeof *r);
    r->id = (char *)(r + 1);
    memcpy(r->id, v->id, id_len + 1);
    r->data = r->id + id_len + 1;
    memcpy(r->data, v->data, v->len);
    r->len = v->len;
    r->gen = ++self->write_gen;
    r->seg = seg;
    spool_link_rec(self, r);
    if (!seg) {
        if (rp->n_rescued == rp->cap_rescued) {
            rp->cap_rescued = rp->cap_rescued ? rp->cap_rescued * 2 : 64;
            rp->rescued = xrealloc(rp->rescued, rp->cap_rescued * sizeof *rp->rescued);
        }
        rp->rescued[rp->n_rescued++] = r;
    }
}

static int s_read_file(const char *path, char **buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size, got = 0;
    *buf = xmalloc(n ? n : 1);
    while (got < n) {
        ssize_t r = read(fd, *buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    *len = got;
    return 0;
}

/* True when buf[off..n) holds only zero bytes: the unused, pre-allocated
 * end of a segment. */
static int s_zero_rest(const char *buf, size_t n, size_t off)
{
    if (off >= n)
        return 1;
    /* Zero first byte, and the rest equal to itself shifted by one. */
    return buf[off] == 0 && memcmp(buf + off, buf + off + 1, n - off - 1) == 0;
}

/* Cuts a torn tail off the newest segment. The file is never written again
 * (every start opens a fresh segment), so cutting is enough. */
static void s_cut_tail(const char *path, size_t at, size_t was)
{
    char q[512];
    log_warn("msg=\"spool torn tail cut\" file=%s offset=%zu bytes=%zu",
             log_quote(q, sizeof q, path), at, was - at);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)at) < 0 || fdatasync(fd) < 0)
        log_warn("msg=\"spool cannot cut torn tail\" file=%s err=\"%s\"", q, strerror(errno));
    if (fd >= 0)
        close(fd);
}

static int s_replay_segment(replay_t *rp, uint64_t seq, int newest)
{
    char path[4096], *buf = NULL;
    size_t n = 0, off = 0, sz;
    recview_t v;
    spool_seg_path(rp->self, seq, path, sizeof path);
    if (s_read_file(path, &buf, &n) < 0)
        return -1;
    while (off < n && s_parse(buf, n, off, &v) > 0)
        off += s_parse(buf, n, off, &v);
    size_t end = s_zero_rest(buf, n, off) ? n : off; /* n: records end in zeros */
    int corrupt = end < n && (!newest || s_resync(buf, n, off + 1) != (size_t)-1);
    if (!corrupt) {
        if (end < n)
            s_cut_tail(path, off, n);
        spool_seg_t *seg = spool_seg_add(rp->self, seq);
        for (size_t o = 0; o < off; o += sz)
            sz = s_parse(buf, n, o, &v), s_take(rp, seg, &v);
    } else {
        char q[512];
        log_warn("msg=\"spool segment damaged, moved to corrupt/\" file=%s offset=%zu",
                 log_quote(q, sizeof q, path), off);
        for (size_t o = 0; o < n && o != (size_t)-1;) {
            if ((sz = s_parse(buf, n, o, &v)) > 0) {
                s_take(rp, NULL, &v);
                o += sz;
            } else
                o = s_resync(buf, n, o + 1);
        }
        rp->corrupt = xrealloc(rp->corrupt, (rp->n_corrupt + 1) * sizeof *rp->corrupt);
        rp->corrupt[rp->n_corrupt++] = seq;
    }
    free(buf);
    return 0;
}

/* ---------------------------------------------------------------------
 * The folder
 */

static int s_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted seqs of the seg-<16 digits>.log files. */
static int s_list(spool_t *self, uint64_t **seqs, size_t *count)
{
    DIR *d = opendir(self->dir);
    if (!d)
        return -1;
    size_t n = 0, cap = 0;
    struct dirent *de;
    *seqs = NULL;
    while ((de = readdir(d))) {
        const char *s = de->d_name;
        if (strlen(s) != 24 || strncmp(s, "seg-", 4) != 0 || strcmp(s + 20, ".log") != 0 ||
            strspn(s + 4, "0123456789") != 16)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            *seqs = xrealloc(*seqs, cap * sizeof **seqs);
        }
        (*seqs)[n++] = strtoull(s + 4, NULL, 10);
    }
    closedir(d);
    if (n)
        qsort(*seqs, n, sizeof **seqs, s_cmp_u64);
    *count = n;
    return 0;
}

/* Writes the rescued records into the active segment and fsyncs it. */
static int s_write_rescued(replay_t *rp)
{
    spool_t *self = rp->self;
    for (size_t i = 0; i < rp->n_rescued; i++) {
        spool_rec_t *r = rp->rescued[i];
        size_t id_len = strlen(r->id), size = SPOOL_HEADER + 2 + id_len + r->len;
        char *buf = xmalloc(size);
        spool_record_encode(buf, r->id, id_len, r->data, r->len);
        int rc = spool_seg_write(self, buf, size);
        free(buf);
        if (rc < 0)
            return -1;
        r->seg = self->active;
        self->active->live++;
    }
    if (rp->n_rescued == 0)
        return 0;
    self->st.fsyncs++;
    return fdatasync(self->seg_fd);
}

static void s_move_corrupt(replay_t *rp)
{
    spool_t *self = rp->self;
    for (size_t i = 0; i < rp->n_corrupt; i++) {
        char from[4096], to[4200];
        spool_seg_path(self, rp->corrupt[i], from, sizeof from);
        snprintf(to, sizeof to, "%s/corrupt/seg-%016llu.log", self->dir,
                 (unsigned long long)rp->corrupt[i]);
        if (access(to, F_OK) == 0)
            snprintf(to, sizeof to, "%s/corrupt/seg-%016llu.log.%lld", self->dir,
                     (unsigned long long)rp->corrupt[i], (long long)clock_wall_ms());
        if (rename(from, to) < 0)
            log_warn("msg=\"spool cannot move damaged segment\" err=\"%s\"", strerror(errno));
    }
    if (rp->n_corrupt == 0)
        return;
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/corrupt", self->dir);
    int fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) < 0)
            log_warn("msg=\"spool cannot fsync corrupt/\" err=\"%s\"", strerror(errno));
        close(fd);
    }
    if (fsync(self->dir_fd) < 0)
        log_warn("msg=\"spool cannot fsync folder\" err=\"%s\"", strerror(errno));
}

/* Opens the segment new records go into. On a full disk the spool starts
 * without one: the newest segment read stands as the active one, as after
 * a rotation that failed (spool_sync.c), so each append tries again (and
 * fails, answered with an error, until there is room). Refusing to start
 * kept the accepted backlog from being sent, and sending it is what frees
 * the space (acknowledged segments are deleted, this one too: it is not
 * open for writing). Not when a damaged
 * segment's records must be written again first. */
static int s_open_active(spool_t *self, const replay_t *rp, uint64_t seq, char *err,
                         size_t errlen)
{
    if (spool_open_segment(self, seq, err, errlen) == 0)
        return 0;
    if (rp->n_rescued > 0 || (errno != ENOSPC && errno != EDQUOT && errno != EFBIG))
        return -1;
    char q[600];
    log_error("msg=\"spool started without room for new records\" err=%s",
              log_quote(q, sizeof q, err));
    spool_seg_t *last = self->segs;
    while (last && last->next)
        last = last->next;
    self->active = last;
    self->last_seq = seq - 1;
    self->need_rotate = true;
    return 0;
}

int spool_replay(spool_t *self, char *err, size_t errlen)
{
    replay_t rp = {.self = self};
    uint64_t *seqs = NULL;
    size_t n = 0;
    int rc = -1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/acks.log.tmp", self->dir);
    unlink(tmp); /* left by a crash during a rewrite; acks.log is still whole */
    s_read_acks(&rp);
    if (s_list(self, &seqs, &n) < 0) {
        snprintf(err, errlen, "cannot list %s: %s", self->dir, strerror(errno));
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (s_replay_segment(&rp, seqs[i], i + 1 == n) < 0) {
            snprintf(err, errlen, "cannot read segment %llu in %s: %s", (unsigned long long)seqs[i],
                     self->dir, strerror(errno));
            goto out;
        }
    if (s_open_active(self, &rp, n ? seqs[n - 1] + 1 : 1, err, errlen) < 0)
        goto out;
    if (s_write_rescued(&rp) < 0) {
        snprintf(err, errlen, "cannot save records of a damaged segment in %s: %s", self->dir,
                 strerror(errno));
        goto out;
    }
    s_move_corrupt(&rp);
    self->synced_gen = self->write_gen;
    if (self->st.pending)
        log_info("msg=\"spool replayed\" pending=%llu segments=%llu",
                 (unsigned long long)self->st.pending, (unsigned long long)self->st.segments);
    rc = 0;
out:
    s_ack_free(&rp.acks);
    free(rp.rescued);
    free(rp.corrupt);
    free(seqs);
    return rc;
}
