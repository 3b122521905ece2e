/*
 * NAME
 *   trim - drops old entries from the record of transcript files read
 *   (see trim.h)
 */
#include "trim.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "inbox.h"
#include "log.h"
#include "seen.h"
#include "xalloc.h"

typedef char s_ref_t[13];

struct trim {
    char *dir;
    int64_t keep_ms;   /* entries younger than this stay */
    bool in_pass;      /* a pass is going on */
    int64_t next_pass; /* clock_mono_ms() when the next pass starts */
    char cursor[32];   /* HSCAN cursor of the pass */
    s_ref_t *done;     /* file_refs of the names in done/ at the pass's start, sorted */
    size_t ndone;
    long checked, removed, kept_in_done;
    bool warned; /* a Redis failure was logged in this pass */
};

trim_t *trim_new(const char *dir, long days)
{
    trim_t *t = xcalloc(1, sizeof *t);
    t->dir = xstrdup(dir);
    t->keep_ms = (int64_t)days * 86400 * 1000;
    t->next_pass = clock_mono_ms(); /* the first pass at the start */
    return t;
}

void trim_destroy(trim_t **self_p)
{
    trim_t *t = *self_p;
    if (!t)
        return;
    free(t->done);
    free(t->dir);
    free(t);
    *self_p = NULL;
}

static int s_cmp_ref(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* t->done: the file_refs of what done/ holds now; 0, or -1 when done/
 * exists but cannot be listed (then nothing may be dropped: every old
 * entry would look as if its file were gone). No done/ yet holds none. */
static int s_list_done(trim_t *t)
{
    free(t->done);
    t->done = NULL;
    t->ndone = 0;
    size_t cap = 0;
    char *path = xasprintf("%s/done", t->dir);
    DIR *d = opendir(path);
    free(path);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (t->ndone == cap) {
            cap = cap ? cap * 2 : 64;
            t->done = xrealloc(t->done, cap * sizeof *t->done);
        }
        inbox_file_ref(e->d_name, t->done[t->ndone++]);
        errno = 0;
    }
    int rc = errno ? -1 : 0;
    closedir(d);
    if (t->ndone)
        qsort(t->done, t->ndone, sizeof *t->done, s_cmp_ref);
    return rc;
}

/* Whether the entry (field, value) is to be dropped; counts it. */
static bool s_old(trim_t *t, const redisReply *field, const redisReply *value, int64_t before)
{
    if (field->type != REDIS_REPLY_STRING || field->len != SEEN_HASH_HEX)
        return false; /* scan:done and anything not an entry */
    t->checked++;
    json_t *v =
        value->type == REDIS_REPLY_STRING ? json_loadb(value->str, value->len, 0, NULL) : NULL;
    json_t *at = json_object_get(v, "read_at");
    if (!at)
        at = json_object_get(v, "since"); /* being read */
    int64_t when = json_is_integer(at) ? json_integer_value(at) : 0;
    const char *ref = json_string_value(json_object_get(v, "file_ref"));
    bool in_done =
        ref && ref[0] && t->ndone && bsearch(ref, t->done, t->ndone, sizeof *t->done, s_cmp_ref);
    json_decref(v);
    if (when <= 0 || when >= before) /* unreadable ones stay, as seen_find counts them */
        return false;
    t->kept_in_done += in_done;
    return !in_done;
}

/* HDEL of the n fields in del; 0 or -1. */
static int s_drop(trim_t *t, rstore_t *rs, const char **del, const size_t *lens, int n)
{
    if (n == 2)
        return 0;
    redisReply *r = rstore_cmdargv(rs, n, del, lens);
    if (!r)
        return -1;
    t->removed += r->type == REDIS_REPLY_INTEGER ? (long)r->integer : 0;
    freeReplyObject(r);
    return 0;
}

int trim_step(trim_t *t, rstore_t *rs)
{
    if (!t->in_pass) {
        if (clock_mono_ms() < t->next_pass)
            return 0;
        if (s_list_done(t) < 0) {
            log_warn("msg=\"cannot list done/; record of files read not trimmed\" err=\"%s\"",
                     strerror(errno));
            t->next_pass = clock_mono_ms() + TRIM_EVERY_MS;
            return 0;
        }
        snprintf(t->cursor, sizeof t->cursor, "0");
        t->checked = t->removed = t->kept_in_done = 0;
        t->warned = false;
        t->in_pass = true;
    }
    redisReply *r = rstore_cmd(rs, "HSCAN " SEEN_KEY " %s COUNT %d", t->cursor, TRIM_STEP);
    bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
              r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_ARRAY;
    int rc = ok ? 0 : -1;
    if (ok) {
        const redisReply *kv = r->element[1];
        const char **del = xcalloc(kv->elements / 2 + 2, sizeof *del);
        size_t *lens = xcalloc(kv->elements / 2 + 2, sizeof *lens);
        int n = 0;
        del[n] = "HDEL", lens[n++] = 4;
        del[n] = SEEN_KEY, lens[n++] = strlen(SEEN_KEY);
        int64_t before = clock_wall_ms() - t->keep_ms;
        for (size_t i = 0; i + 1 < kv->elements; i += 2)
            if (s_old(t, kv->element[i], kv->element[i + 1], before))
                del[n] = kv->element[i]->str, lens[n++] = kv->element[i]->len;
        rc = s_drop(t, rs, del, lens, n);
        free(del);
        free(lens);
        /* Dropped or not, the cursor moves on: HSCAN returns every
         * field there from the pass's start to its end at least once. */
        if (rc == 0)
            snprintf(t->cursor, sizeof t->cursor, "%s", r->element[0]->str);
    }
    if (r)
        freeReplyObject(r);
    if (rc < 0 && !t->warned)
        log_warn("msg=\"cannot trim the record of files read; tried again\" err=\"%s\"",
                 rstore_error(rs));
    t->warned |= rc < 0;
    if (rc == 0 && strcmp(t->cursor, "0") == 0) {
        t->in_pass = false;
        t->next_pass = clock_mono_ms() + TRIM_EVERY_MS;
        log_info("msg=\"record of files read trimmed\" checked=%ld removed=%ld kept_in_done=%ld",
                 t->checked, t->removed, t->kept_in_done);
    }
    return rc;
}
