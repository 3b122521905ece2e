/*
 * NAME
 *   repeat - the drop folder's files whose bytes were read before
 *
 * DESCRIPTION
 *   Owns what the drop folder (inbox.c) does with the record of files
 *   read (seen.h) once a file's bytes are found in it: a repeat moves to
 *   done/ with a .why naming the earlier file and stores nothing; the
 *   file itself, killed after its record and before its move, moves to
 *   done/ as read; and the record notes a file as moved to done/. Also
 *   the one look into done/ at the first start with the record, which
 *   records the files an older version read. inbox.c decides when (after
 *   a file's bytes are hashed; before the first file is read); see
 *   inbox.h and the service README for what staff see.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "inbox_int.h"
#include "log.h"
#include "webvtt.h"
#include "xalloc.h"

/* The name in to/ whose file_ref is ref (caller frees), or NULL when
 * none is (retention run or staff deleted it). */
static char *s_name_of_ref(inbox_t *ib, const char *to, const char *ref)
{
    return inbox_name_of_ref(ib->dir, to, ref);
}

/* Not noted, the record stays "moving" (a kill before this leaves it
 * so: seen.h); the same bytes dropped under that name after its copy
 * left done/ came after the record, so they are still a repeat
 * (repeat_file). */
void repeat_moved(inbox_t *ib, const char *hash, const seen_t *rec)
{
    if (ib->rs && seen_moved(ib->rs, hash, rec) < 0)
        log_warn("msg=\"cannot record transcript as moved to done/\" file_ref=%s err=\"%s\"",
                 rec->file_ref, rstore_error(ib->rs));
}

/* Whether inbox/NAME was put there before the record rec was written:
 * its status change time (ctime: set when the file was made, renamed or
 * linked; a copy with its old mtime kept still gets a new one) is not
 * after rec->read_at. A file that cannot be looked at is taken to be new. */
static bool s_in_inbox_before(inbox_t *ib, const char *name, const seen_t *rec)
{
    char *path = xasprintf("%s/inbox/%s", ib->dir, name);
    struct stat st;
    bool before = stat(path, &st) == 0 &&
                  (int64_t)st.st_ctim.tv_sec * 1000 + st.st_ctim.tv_nsec / 1000000 <= rec->read_at;
    free(path);
    return before;
}

/* A file with the bytes of one read before (rec, of hash): to done/ with
 * a .why naming that earlier file (or saying it is no longer in done/),
 * nothing stored. Unless rec is this very file, recorded but not yet
 * moved when the service was killed: its record is still "moving", its
 * file_ref is that of the name it was to be kept under, still free, and
 * the file was in inbox/ before the record was written. (A record left
 * "moving" because Redis refused its second write (repeat_moved) is met
 * by the same bytes dropped under that name after the done/ copy left:
 * that file came later, so it is a repeat, with a .why.) */
void repeat_file(inbox_t *ib, const char *name, const char *stem, const char *hash,
                 const seen_t *rec)
{
    const char *ext = name + strlen(stem);
    char ref[FILE_REF_HEX + 1];
    char *kept = inbox_keep_as(ib, name, stem, "done", ref);
    if (rec->moving && strcmp(ref, rec->file_ref) == 0 && s_in_inbox_before(ib, name, rec)) {
        inbox_done(ib, name, stem, kept, ref, rec->ideas, rec->first_id, 0);
        repeat_moved(ib, hash, rec);
        free(kept);
        return;
    }
    char *earlier = rec->upload ? NULL : s_name_of_ref(ib, "done", rec->file_ref);
    for (char *c = earlier; c && *c; c++) /* the .why is one line each */
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    char *nl, *en;
    seen_repeat_text(rec, earlier, &nl, &en);
    inbox_write_why(ib, "done", kept, ext, nl, en, ref);
    inbox_move_with_sidecar(ib, name, stem, "done", kept);
    metric_inc(ib->repeat);
    log_info("msg=\"transcript repeat\" file_ref=%s repeats=%s", ref,
             rec->upload ? "upload" : rec->file_ref);
    free(nl);
    free(en);
    free(earlier);
    free(kept);
}

/* Files read before the record existed, by a version without it, are in
 * done/ only; recorded, the same bytes dropped again are a repeat too.
 * Once (SEEN_DONE_SCANNED), at the first start with the record, before
 * the first file is read; when Redis did not answer it is tried again at
 * the next look, and no file is read meanwhile. */
int repeat_record_done(inbox_t *ib)
{
    int scanned = seen_done_scanned(ib->rs);
    inbox_redis_state(ib, scanned >= 0);
    if (scanned != 0)
        return scanned < 0 ? -1 : 0;
    char *path = xasprintf("%s/done", ib->dir);
    DIR *d = opendir(path);
    free(path);
    int rc = 0, n = 0;
    struct dirent *e;
    while (d && rc == 0 && (e = readdir(d))) {
        const char *name = e->d_name;
        if (name[0] == '.' || ingest_format_from_name(name) == INGEST_AUTO)
            continue;
        char *file = xasprintf("%s/done/%s", ib->dir, name);
        struct stat st;
        size_t len;
        char *buf = stat(file, &st) == 0 && S_ISREG(st.st_mode)
                        ? file_read(file, WEBVTT_MAX_BYTES, &len)
                        : NULL;
        free(file);
        if (!buf)
            continue;
        char hash[SEEN_HASH_HEX + 1];
        seen_hash(buf, len, hash);
        free(buf);
        seen_t rec = {.read_at = (int64_t)st.st_mtime * 1000};
        inbox_file_ref(name, rec.file_ref);
        rc = seen_add_old(ib->rs, hash, &rec);
        n += rc == 0;
    }
    if (d)
        closedir(d);
    if (rc == 0)
        rc = seen_mark_done_scanned(ib->rs, n);
    inbox_redis_state(ib, rc == 0);
    if (rc == 0)
        log_info("msg=\"files in done/ recorded as read\" files=%d", n);
    return rc;
}
