/*
 * NAME
 *   inbox - the drop folder of intake-transcript (see inbox.h)
 */
#include "inbox.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
#include "metrics.h"
#include "webvtt.h"
#include "xalloc.h"

#define SIDECAR_MAX (64 * 1024) /* bytes of NAME.json */

struct inbox {
    ingest_t *ing;
    char *dir;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    metric_t *done, *failed;
};

static int s_mkdir(const char *dir, const char *sub, char *err, size_t errlen)
{
    char *p = sub ? xasprintf("%s/%s", dir, sub) : xstrdup(dir);
    int rc = mkdir(p, 0750) < 0 && errno != EEXIST ? -1 : 0;
    if (rc < 0)
        snprintf(err, errlen, "mkdir %s: %s", p, strerror(errno));
    free(p);
    return rc;
}

static void s_move(inbox_t *ib, const char *name, const char *to)
{
    char *from = xasprintf("%s/inbox/%s", ib->dir, name);
    char *dest = xasprintf("%s/%s/%s", ib->dir, to, name);
    char qf[1100], qd[1100]; /* file names come from whoever fills the inbox */
    if (rename(from, dest) < 0 && errno != ENOENT)
        log_error("msg=\"cannot move file\" from=%s to=%s err=\"%s\"",
                  log_quote(qf, sizeof qf, from), log_quote(qd, sizeof qd, dest), strerror(errno));
    free(from);
    free(dest);
}

/* NAME and its sidecar STEM.json (which may be missing) from inbox/ to to/. */
static void s_move_with_sidecar(inbox_t *ib, const char *name, const char *stem, const char *to)
{
    s_move(ib, name, to);
    char *side = xasprintf("%s.json", stem);
    s_move(ib, side, to);
    free(side);
}

static void s_fail(inbox_t *ib, const char *name, const char *stem, const ingest_result_t *r)
{
    /* Written under a dot name, then renamed: a file under its own name in
     * failed/ is complete (retention run deletes old ones; inspraakctl). */
    char *tmp = xasprintf("%s/failed/.%s.why", ib->dir, stem);
    char *why = xasprintf("%s/failed/%s.why", ib->dir, stem);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%s\n%s\n", r->why_nl, r->why_en);
        if (fclose(f) != 0 || rename(tmp, why) < 0)
            unlink(tmp);
    }
    free(tmp);
    free(why);
    s_move_with_sidecar(ib, name, stem, "failed");
    metric_inc(ib->failed);
    char q[400], qn[600];
    log_info("msg=\"transcript failed\" file=%s why=%s", log_quote(qn, sizeof qn, name),
             log_quote(q, sizeof q, r->why_en));
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
    if (bad) {
        s_fail(ib, name, stem, &r);
    } else {
        ingest_rc_t rc = ingest_file(ib->ing, buf, len, ingest_format_from_name(name), &m, &r);
        if (rc == INGEST_BAD) {
            s_fail(ib, name, stem, &r);
        } else if (rc == INGEST_OK) {
            s_move_with_sidecar(ib, name, stem, "done");
            metric_inc(ib->done);
            char qn[600], qv[600];
            log_info("msg=\"transcript done\" file=%s video_id=%s ideas=%zu interviewer=%d",
                     log_quote(qn, sizeof qn, name), log_quote(qv, sizeof qv, r.video_id),
                     json_array_size(r.ideas), r.skipped_interviewer);
        } /* INGEST_UNAVAILABLE: stays, tried again at the next look */
    }
    free(buf);
    ingest_result_clear(&r);
    ingest_meta_clear(&m);
}

static void s_scan(inbox_t *ib)
{
    char *in = xasprintf("%s/inbox", ib->dir);
    DIR *d = opendir(in);
    if (!d) {
        free(in);
        return;
    }
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (name[0] == '.' || ingest_format_from_name(name) == INGEST_AUTO)
            continue;
        char *path = xasprintf("%s/%s", in, name);
        struct stat st;
        bool ready = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < now - 1;
        free(path);
        if (!ready) /* still being written (or not a file) */
            continue;
        char *stem = xstrndup(name, (size_t)(strrchr(name, '.') - name));
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
        until.tv_sec += 1;
        while (!ib->stop && pthread_cond_timedwait(&ib->cv, &ib->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&ib->mu);
    return NULL;
}

inbox_t *inbox_start(ingest_t *ing, const char *dir, char *err, size_t errlen)
{
    if (s_mkdir(dir, NULL, err, errlen) < 0 || s_mkdir(dir, "inbox", err, errlen) < 0 ||
        s_mkdir(dir, "done", err, errlen) < 0 || s_mkdir(dir, "failed", err, errlen) < 0)
        return NULL;
    inbox_t *ib = xcalloc(1, sizeof *ib);
    ib->ing = ing;
    ib->dir = xstrdup(dir);
    pthread_mutex_init(&ib->mu, NULL);
    pthread_cond_init(&ib->cv, NULL);
    const char *help = "Transcript files from the drop folder, by result.";
    ib->done = metrics_counter("inspraak_transcript_files_total{result=\"done\"}", help);
    ib->failed = metrics_counter("inspraak_transcript_files_total{result=\"failed\"}", help);
    if (pthread_create(&ib->thread, NULL, s_main, ib) != 0) {
        snprintf(err, errlen, "cannot start the inbox thread");
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
    free(ib->dir);
    free(ib);
    *self_p = NULL;
}
