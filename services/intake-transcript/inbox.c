/*
 * NAME
 *   inbox - the drop folder of intake-transcript (see inbox.h)
 *
 * DESCRIPTION
 *   Owns the thread that looks at inbox/, the reading of a settled file
 *   (and its sidecar) into ideas, and the moves to done/ and failed/
 *   under a free name with a .why. A file whose bytes were read before,
 *   and the one-time recording of done/, are repeat.c's (inbox_int.h).
 */
#include "inbox_int.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "file.h"
#include "log.h"
#include "webvtt.h"
#include "xalloc.h"

#define SIDECAR_MAX (64 * 1024) /* bytes of NAME.json */

static int s_mkdir(const char *dir, const char *sub, char *err, size_t errlen)
{
    char *p = sub ? xasprintf("%s/%s", dir, sub) : xstrdup(dir);
    int rc = mkdir(p, 0750) < 0 && errno != EEXIST ? -1 : 0;
    if (rc < 0)
        snprintf(err, errlen, "mkdir %s: %s", p, strerror(errno));
    free(p);
    return rc;
}

/* How the log names a file: a transcript's name is often the
 * interviewee's ("Gesprek_met_Anna_Jansen.srt"), and logs carry no names
 * (docs/privacy.md). The first FILE_REF_HEX hex digits of the SHA-256 of
 * the name, which an operator can compute with sha256sum; a failed file's
 * .why repeats it. */
void inbox_file_ref(const char *name, char ref[FILE_REF_HEX + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)name, strlen(name));
    sodium_bin2hex(ref, FILE_REF_HEX + 1, h, FILE_REF_HEX / 2);
}

/* Whether to/ holds a file called name (one that cannot be looked at is
 * taken to be free: the move then fails and is logged). */
static bool s_taken(inbox_t *ib, const char *to, const char *name)
{
    char *path = xasprintf("%s/%s/%s", ib->dir, to, name);
    struct stat st;
    bool taken = lstat(path, &st) == 0;
    free(path);
    return taken;
}

/* The stem under which a file (NAME = stem + ext), its sidecar stem.json
 * and its NAME.why are kept in to/: stem itself, or, when to/ already
 * holds one of those three names, stem-2, stem-3, ... An earlier file is
 * never replaced: the same name ("interview.vtt" every week) is often
 * used for another interview, whose source file is kept until the
 * retention date too. */
static char *s_kept_stem(inbox_t *ib, const char *stem, const char *ext, const char *to)
{
    for (unsigned n = 1;; n++) {
        char *kept = n == 1 ? xstrdup(stem) : xasprintf("%s-%u", stem, n);
        char *file = xasprintf("%s%s", kept, ext);
        char *side = xasprintf("%s.json", kept);
        char *why = xasprintf("%s%s.why", kept, ext);
        bool taken = s_taken(ib, to, file) || s_taken(ib, to, side) || s_taken(ib, to, why);
        free(file);
        free(side);
        free(why);
        if (!taken)
            return kept;
        free(kept);
    }
}

/* inbox/NAME to to/KEPT; link(2) then unlink(2), as link never replaces
 * a file of that name (rename(2) would). On a file system without hard
 * links (a mounted share) rename(2): KEPT was free a moment ago. A missing
 * NAME is no error. */
static void s_move(inbox_t *ib, const char *name, const char *to, const char *kept)
{
    char *from = xasprintf("%s/inbox/%s", ib->dir, name);
    char *dest = xasprintf("%s/%s/%s", ib->dir, to, kept);
    int rc = link(from, dest) == 0 ? unlink(from)
             : errno == ENOENT     ? 0
             : errno == EEXIST     ? -1
                                   : rename(from, dest);
    if (rc < 0 && errno != ENOENT) {
        int e = errno;
        char ref[FILE_REF_HEX + 1];
        inbox_file_ref(name, ref);
        log_error("msg=\"cannot move file out of inbox/\" file_ref=%s to=%s err=\"%s\"", ref, to,
                  strerror(e));
    }
    free(from);
    free(dest);
}

/* The stem NAME (= stem + ext) is to be kept under in to/ (s_kept_stem),
 * and in ref the file_ref of the name it will have there (its own name
 * unless that was taken), so hashing the names there finds it. */
char *inbox_keep_as(inbox_t *ib, const char *name, const char *stem, const char *to,
                    char ref[FILE_REF_HEX + 1])
{
    const char *ext = name + strlen(stem);
    char *kept = s_kept_stem(ib, stem, ext, to);
    char *file = xasprintf("%s%s", kept, ext);
    inbox_file_ref(file, ref);
    free(file);
    return kept;
}

/* NAME and its sidecar STEM.json (which may be missing) from inbox/ to
 * to/, as KEPT + the extension of NAME and KEPT.json. */
void inbox_move_with_sidecar(inbox_t *ib, const char *name, const char *stem, const char *to,
                             const char *kept)
{
    char *file = xasprintf("%s%s", kept, name + strlen(stem));
    s_move(ib, name, to, file);
    free(file);
    char *side = xasprintf("%s.json", stem);
    char *kept_side = xasprintf("%s.json", kept);
    s_move(ib, side, to, kept_side);
    free(side);
    free(kept_side);
}

/* to/KEPT+EXT.why holding the Dutch line, the English line and the
 * file_ref. Written under a dot name, then renamed: a .why under its own
 * name is complete (retention run deletes old ones; inspraakctl). Named
 * after the whole name: leeg.vtt and leeg.srt each keep their own. */
void inbox_write_why(inbox_t *ib, const char *to, const char *kept, const char *ext, const char *nl,
                     const char *en, const char *ref)
{
    char *tmp = xasprintf("%s/%s/.%s%s.why", ib->dir, to, kept, ext);
    char *why = xasprintf("%s/%s/%s%s.why", ib->dir, to, kept, ext);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%s\n%s\nfile_ref=%s\n", nl, en, ref);
        if (fclose(f) != 0 || rename(tmp, why) < 0)
            unlink(tmp);
    }
    free(tmp);
    free(why);
}

static void s_fail(inbox_t *ib, const char *name, const char *stem, const ingest_result_t *r)
{
    const char *ext = name + strlen(stem);
    char ref[FILE_REF_HEX + 1];
    char *kept = inbox_keep_as(ib, name, stem, "failed", ref);
    inbox_write_why(ib, "failed", kept, ext, r->why_nl, r->why_en, ref);
    inbox_move_with_sidecar(ib, name, stem, "failed", kept);
    free(kept);
    metric_inc(ib->failed);
    /* The code, not why_en: that may name the sidecar or quote the text. */
    log_info("msg=\"transcript failed\" file_ref=%s code=%s", ref,
             r->code[0] ? r->code : "unreadable");
}

/* A reason of the drop folder's own, in r. */
static void s_reason(ingest_result_t *r, const char *code, const char *nl, const char *en)
{
    snprintf(r->code, sizeof r->code, "%s", code);
    snprintf(r->why_nl, sizeof r->why_nl, "%s", nl);
    snprintf(r->why_en, sizeof r->why_en, "%s", en);
}

/* Whether buf holds nothing but white space (a 0-byte file included). */
static bool s_blank(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n\f\v", buf[i]) || buf[i] == '\0')
            return false;
    return true;
}

char *inbox_name_of_ref(const char *dir, const char *sub, const char *ref)
{
    char *path = xasprintf("%s/%s", dir, sub);
    DIR *d = opendir(path);
    free(path);
    char *found = NULL;
    struct dirent *e;
    while (d && !found && (e = readdir(d))) {
        char r[FILE_REF_HEX + 1];
        inbox_file_ref(e->d_name, r);
        if (e->d_name[0] != '.' && strcmp(r, ref) == 0)
            found = xstrdup(e->d_name);
    }
    if (d)
        closedir(d);
    return found;
}

/* Read into ideas (ideas, first_id) and recorded (seen.h): inbox/NAME
 * and its sidecar to done/ as KEPT. */
void inbox_done(inbox_t *ib, const char *name, const char *stem, const char *kept, const char *ref,
                int64_t ideas, const char *first, int interviewer)
{
    inbox_move_with_sidecar(ib, name, stem, "done", kept);
    metric_inc(ib->done);
    /* No video_id: by default it is the file's stem, a name. */
    log_info("msg=\"transcript done\" file_ref=%s ideas=%lld first_id=%s interviewer=%d", ref,
             (long long)ideas, first[0] ? first : "none", interviewer);
}

/* Logs once when Redis stops answering the inbox and once when it is
 * back, not every second. */
void inbox_redis_state(inbox_t *ib, bool answered)
{
    if (!answered && !ib->redis_down)
        log_error("msg=\"redis unavailable: transcripts wait in inbox/\" err=\"%s\"",
                  rstore_error(ib->rs));
    else if (answered && ib->redis_down)
        log_info("msg=\"redis available again: reading inbox/\"");
    ib->redis_down = !answered;
}

/* Whether the file with these bytes (hash) was read before: 1 (handled
 * by repeat_file, or waiting: a file with these bytes is being read and
 * still in inbox/), 0 (read it: not recorded as being read, it is),
 * -1 (Redis unavailable: it stays in inbox/, as when the spool refuses;
 * reading it could store it twice). */
static int s_seen_before_locked(inbox_t *ib, const char *name, const char *stem, const char *hash)
{
    seen_t rec;
    int found = seen_find(ib->rs, hash, &rec);
    char ref[FILE_REF_HEX + 1];
    inbox_file_ref(name, ref);
    if (found == 1 && rec.reading[0]) {
        /* Being read when the service was killed: this very file (read
         * again, the same ids), a copy of it (waits for it), or a file
         * no longer in inbox/ (stale: this one is read). */
        char *other =
            strcmp(rec.reading, ref) == 0 ? NULL : inbox_name_of_ref(ib->dir, "inbox", rec.reading);
        found = other != NULL;
        free(other);
    } else if (found == 1) {
        repeat_file(ib, name, stem, hash, &rec);
    }
    /* Redis may answer reads but take no writes: one state for both, so
     * the outage is logged once, not at every look. */
    if (found == 0 && seen_add_reading(ib->rs, hash, ref) < 0)
        found = -1;
    inbox_redis_state(ib, found >= 0);
    return found;
}

/* s_seen_before_locked() under read_mu, which an upload holds from its
 * look into the record to its record: an upload and a file with the same
 * bytes at the same moment do not both find them not read before. */
static int s_seen_before(inbox_t *ib, const char *name, const char *stem, const char *hash)
{
    if (!ib->rs)
        return 0;
    if (ib->read_mu)
        pthread_mutex_lock(ib->read_mu);
    int found = s_seen_before_locked(ib, name, stem, hash);
    if (ib->read_mu)
        pthread_mutex_unlock(ib->read_mu);
    return found;
}

/* Read into ideas: the record of its bytes ("moving"), then to done/,
 * then the record notes it is there (repeat_moved). When Redis does not take
 * the record the file stays and is read again (the same ids: storage
 * stores nothing twice). */
static void s_read(inbox_t *ib, const char *name, const char *stem, const char *hash,
                   const ingest_result_t *r)
{
    char ref[FILE_REF_HEX + 1];
    char *kept = inbox_keep_as(ib, name, stem, "done", ref);
    seen_t rec = {.moving = true};
    snprintf(rec.file_ref, sizeof rec.file_ref, "%s", ref);
    seen_of_ideas(&rec, r->ideas);
    if (ib->rs && seen_add(ib->rs, hash, &rec) < 0) {
        log_error("msg=\"cannot record transcript as read; it stays in inbox/\" file_ref=%s "
                  "err=\"%s\"",
                  ref, rstore_error(ib->rs));
    } else {
        inbox_done(ib, name, stem, kept, ref, rec.ideas, rec.first_id, r->skipped_interviewer);
        repeat_moved(ib, hash, &rec);
    }
    free(kept);
}

/* One file of the inbox. */
static void s_one(inbox_t *ib, const char *name, const char *stem)
{
    ingest_result_t r = {0};
    ingest_meta_t m;
    ingest_meta_init(&m);
    ingest_meta_set(&m, "video_id", stem);
    char *sname = xasprintf("%s.json", stem);
    char *path = xasprintf("%s/inbox/%s", ib->dir, sname);
    size_t len;
    char *side = file_read(path, SIDECAR_MAX, &len);
    free(path);
    int bad = side ? ingest_meta_json(&m, sname, side, len, &r) < 0 : errno != ENOENT;
    if (!side && bad) { /* there but unreadable: failing beats dropping its fields */
        int e = errno;
        snprintf(r.why_nl, sizeof r.why_nl,
                 e == EFBIG ? "Het bestand %.200s is te groot (hoogstens 64 kB)."
                            : "Het bestand %.200s kan niet worden geopend.",
                 sname);
        snprintf(r.why_en, sizeof r.why_en, "cannot read %.200s: %s", sname, strerror(e));
        snprintf(r.code, sizeof r.code, "invalid_sidecar");
    }
    free(side);
    free(sname);
    path = xasprintf("%s/inbox/%s", ib->dir, name);
    char *buf = bad ? NULL : file_read(path, WEBVTT_MAX_BYTES, &len);
    free(path);
    if (!bad && !buf) {
        int e = errno;
        snprintf(r.why_nl, sizeof r.why_nl, "%s",
                 e == EFBIG ? "Het bestand is te groot (hoogstens 8 MB)."
                            : "Het bestand kan niet worden geopend.");
        snprintf(r.why_en, sizeof r.why_en, "cannot read: %s", strerror(e));
        bad = 1;
    }
    if (!bad && s_blank(buf, len)) { /* staff are told that, not "not WebVTT" */
        s_reason(&r, "empty", "Het bestand is leeg. Er is niets opgeslagen.", "the file is empty");
        bad = 1;
    }
    char hash[SEEN_HASH_HEX + 1] = "";
    if (!bad)
        seen_hash(buf, len, hash);
    if (bad) {
        s_fail(ib, name, stem, &r);
    } else if (s_seen_before(ib, name, stem, hash) == 0) {
        ingest_rc_t rc = ingest_file(ib->ing, buf, len, ingest_format_from_name(name), &m, &r);
        if (rc == INGEST_OK && json_array_size(r.ideas) == 0) {
            /* Read, but nothing to store (only a header, or only the
             * interviewer): a word to staff in failed/, not done/ in silence. */
            s_reason(&r, "no_statement",
                     "In het bestand staat geen uitspraak van een bewoner (alleen een kop, of "
                     "alleen de interviewer). Er is niets opgeslagen.",
                     "no resident statement found");
            rc = INGEST_BAD;
        }
        if (rc == INGEST_BAD && ib->rs)
            seen_forget(ib->rs, hash); /* nothing spooled: not being read */
        if (rc == INGEST_BAD)
            s_fail(ib, name, stem, &r);
        else if (rc == INGEST_OK)
            s_read(ib, name, stem, hash, &r);
        /* INGEST_UNAVAILABLE: stays, tried again at the next look */
    }
    free(buf);
    ingest_result_clear(&r);
    ingest_meta_clear(&m);
}

/* Not changed for settle_ms (a file changed "in the future" is not).
 * A time of whole seconds (a share or FAT keeps no more: SMB, vfat) may
 * be up to a second before the last write, so it counts as the end of
 * its second: settle_ms is never shortened by the clock's grain. */
static bool s_settled(const inbox_t *ib, const struct stat *st, int64_t now_ms)
{
    int64_t mtime_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
    if (st->st_mtim.tv_nsec == 0)
        mtime_ms += 999;
    return now_ms - mtime_ms >= ib->settle_ms;
}

static void s_scan(inbox_t *ib)
{
    if (ib->rs && !ib->done_recorded)
        ib->done_recorded = repeat_record_done(ib) == 0;
    if (ib->rs && !ib->done_recorded)
        return;     /* a file in done/ not yet recorded could be read again */
    if (ib->trim) { /* no file is being recorded; an upload neither (read_mu) */
        if (ib->read_mu)
            pthread_mutex_lock(ib->read_mu);
        trim_step(ib->trim, ib->rs);
        if (ib->read_mu)
            pthread_mutex_unlock(ib->read_mu);
    }

    char *in = xasprintf("%s/inbox", ib->dir);
    DIR *d = opendir(in);
    if (!d) {
        free(in);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (name[0] == '.' || ingest_format_from_name(name) == INGEST_AUTO)
            continue;
        char *path = xasprintf("%s/%s", in, name);
        struct stat st;
        bool ready = stat(path, &st) == 0 && S_ISREG(st.st_mode) && s_settled(ib, &st, now_ms);
        free(path);
        char *stem = xstrndup(name, (size_t)(strrchr(name, '.') - name));
        /* The sidecar settles too: one still being written would fail the
         * file as invalid_sidecar. A missing sidecar is no reason to wait. */
        path = xasprintf("%s/%s.json", in, stem);
        if (ready && stat(path, &st) == 0 && !s_settled(ib, &st, now_ms))
            ready = false;
        free(path);
        if (ready) /* else still being written (or not a file) */
            s_one(ib, name, stem);
        free(stem);
    }
    closedir(d);
    free(in);
}

static void *s_main(void *arg)
{
    inbox_t *ib = arg;
    pthread_mutex_lock(&ib->mu);
    while (!ib->stop) {
        pthread_mutex_unlock(&ib->mu);
        s_scan(ib);
        pthread_mutex_lock(&ib->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += ib->look_ms / 1000;
        until.tv_nsec += ib->look_ms % 1000 * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        while (!ib->stop && pthread_cond_timedwait(&ib->cv, &ib->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&ib->mu);
    return NULL;
}

inbox_t *inbox_start(ingest_t *ing, const char *dir, const char *redis_url,
                     pthread_mutex_t *read_mu, char *err, size_t errlen)
{
    if (s_mkdir(dir, NULL, err, errlen) < 0 || s_mkdir(dir, "inbox", err, errlen) < 0 ||
        s_mkdir(dir, "done", err, errlen) < 0 || s_mkdir(dir, "failed", err, errlen) < 0)
        return NULL;
    long days, look_ms, settle_ms;
    if (config_long("INSPRAAK_TRANSCRIPT_RECORD_DAYS", TRIM_DAYS_DEFAULT, 1, 36500, &days, err,
                    errlen) < 0 ||
        config_long("INSPRAAK_TRANSCRIPT_LOOK_MS", 1000, 10, 60000, &look_ms, err, errlen) < 0 ||
        config_long("INSPRAAK_TRANSCRIPT_SETTLE_MS", 1000, 100, 3600000, &settle_ms, err, errlen) < 0)
        return NULL;
    inbox_t *ib = xcalloc(1, sizeof *ib);
    ib->ing = ing;
    ib->look_ms = look_ms;
    ib->settle_ms = settle_ms;
    ib->dir = xstrdup(dir);
    ib->read_mu = read_mu;
    if (redis_url && !(ib->rs = rstore_new(redis_url, err, errlen))) {
        free(ib->dir);
        free(ib);
        return NULL;
    }
    if (ib->rs)
        ib->trim = trim_new(dir, days);
    pthread_mutex_init(&ib->mu, NULL);
    pthread_cond_init(&ib->cv, NULL);
    const char *help = "Transcript files from the drop folder, by result.";
    ib->done = metrics_counter("inspraak_transcript_files_total{result=\"done\"}", help);
    ib->failed = metrics_counter("inspraak_transcript_files_total{result=\"failed\"}", help);
    ib->repeat = metrics_counter("inspraak_transcript_files_total{result=\"repeat\"}", help);
    if (pthread_create(&ib->thread, NULL, s_main, ib) != 0) {
        snprintf(err, errlen, "cannot start the inbox thread");
        trim_destroy(&ib->trim);
        rstore_destroy(&ib->rs);
        free(ib->dir);
        free(ib);
        return NULL;
    }
    return ib;
}

void inbox_stop(inbox_t **self_p)
{
    inbox_t *ib = *self_p;
    if (!ib)
        return;
    pthread_mutex_lock(&ib->mu);
    ib->stop = true;
    pthread_cond_signal(&ib->cv);
    pthread_mutex_unlock(&ib->mu);
    pthread_join(ib->thread, NULL);
    pthread_mutex_destroy(&ib->mu);
    pthread_cond_destroy(&ib->cv);
    trim_destroy(&ib->trim);
    rstore_destroy(&ib->rs);
    free(ib->dir);
    free(ib);
    *self_p = NULL;
}
