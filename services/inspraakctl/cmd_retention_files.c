/*
 * NAME
 *   cmd_retention_files - retention run, part two: the files kept after
 *   processing (raw input and copies) that hold personal data
 *
 * DESCRIPTION
 *   ctl_retention_files() deletes, in each processed store below, every
 *   regular file last modified before the cutoff, and counts them per
 *   store (docs/privacy.md, "Retention"):
 *     transcripts_done    $INSPRAAK_VAR/transcripts/done/    transcripts read
 *                         (speaker names) and their sidecars
 *     transcripts_failed  $INSPRAAK_VAR/transcripts/failed/  transcripts that
 *                         could not be read, and their .why
 *     mail_inbox_cur      $INSPRAAK_VAR/mail/inbox/cur/      mails that became ideas
 *     mail_skipped        $INSPRAAK_VAR/mail/skipped/ and skipped/cur/  auto-replies,
 *                         bounces, list mail, and their .why
 *     mail_failed         $INSPRAAK_VAR/mail/failed/         unreadable mails, .why
 *     mail_outbox         $INSPRAAK_VAR/mail/outbox/new/ and cur/  mails notify
 *                         wrote (Maildir outbox, when no SMTP server is set)
 *     spool_corrupt       $INSPRAAK_VAR/spool/<intake>/corrupt/  damaged
 *                         segments replay moved there for a human (their
 *                         good records were spooled again; common/spool.h)
 *   Only the files directly in each folder; never a subfolder or a
 *   symbolic link. Never the folders a service is still reading or
 *   writing (transcripts/inbox/, mail/inbox/new/ and tmp/, mail/outbox/tmp/,
 *   the spools' own segments and acks.log; only their corrupt/
 *   subfolders), except for leftovers (below): a file gets into a
 *   processed store by rename(2) (a transcript: link(2)), complete, and no service opens it for
 *   writing again (intake-transcript and intake-mail write a .why, and an
 *   IMAP mail they keep, under a dot name first, then rename it), so no
 *   file here is ever half written.
 *
 *   temp_leftovers: a file being written has one of the dot names the
 *   project writes (".x.why": intake-transcript's inbox.c; ".x.part",
 *   ".x.why.part": intake-mail's mail_files.c; in transcripts/inbox/ a
 *   transcript copied in under a dot name, ".x.vtt|srt|txt|json", as the
 *   intake-transcript README asks) or is in a Maildir's tmp/
 *   (mail/inbox/tmp/, mail/outbox/tmp/). Any other dot file (an
 *   operator's ".gitkeep") is left alone. A crash at that
 *   moment leaves it there for good, holding the same personal data. Such
 *   a file is deleted once it is older than the cutoff and than
 *   TEMP_STALE_MS (36 hours, the Maildir rule for tmp/): no service or
 *   delivery takes that long to write one, so a file still being written
 *   is never touched.
 *   The counts go to the summary ("files_removed") and to the log; file
 *   names never do (a name can be a person's).
 *
 * OWNERSHIP
 *   Owned by inspraakctl; the folders are the services' (the intake-transcript,
 *   intake-mail and notify READMEs say what goes where).
 */
#define _GNU_SOURCE /* st_mtim */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "log.h"
#include "xalloc.h"

/* A temporary file untouched this long is a crash's leftover (above). */
#define TEMP_STALE_MS (36LL * 3600 * 1000)
#define TEMP_STORE "temp_leftovers"

typedef struct {
    const char *store; /* its name in the output and the log */
    const char *dir;   /* under $INSPRAAK_VAR */
    const char *each;  /* non-NULL: the folder of that name in each folder of dir */
    int temp;          /* a folder being written: 0 no, 1 its dot-named transcripts are
                        * temporary files, 2 every file is (a Maildir tmp/) */
} s_store_t;

static const s_store_t s_stores[] = {
    {"transcripts_done", "transcripts/done", NULL, 0},
    {"transcripts_failed", "transcripts/failed", NULL, 0},
    {"mail_inbox_cur", "mail/inbox/cur", NULL, 0}, /* inbox/new/ is not read yet */
    {"mail_skipped", "mail/skipped", NULL, 0},     /* the .why files */
    {"mail_skipped", "mail/skipped/cur", NULL, 0},
    {"mail_failed", "mail/failed", NULL, 0},
    {"mail_outbox", "mail/outbox/new", NULL, 0},
    {"mail_outbox", "mail/outbox/cur", NULL, 0},
    {"spool_corrupt", "spool", "corrupt", 0}, /* never the segments beside it */
    {TEMP_STORE, "transcripts/inbox", NULL, 1},
    {TEMP_STORE, "mail/inbox/tmp", NULL, 2},
    {TEMP_STORE, "mail/outbox/tmp", NULL, 2},
};

typedef struct {
    int64_t cutoff_ms; /* a complete file last changed before it goes */
    int64_t stale_ms;  /* a temporary file last changed before it goes */
    long temps;        /* temporary files deleted */
    long failed;       /* files that could not be deleted */
} s_run_t;

/* Whether name is a temporary file's (above) in a folder of that temp
 * kind: a dot name ending in a suffix the project writes under. */
static int s_temp_name(const char *name, int temp_dir)
{
    static const char *const written[] = {".why", ".part", NULL};
    static const char *const dropped[] = {".vtt", ".srt", ".txt", ".json", NULL};
    if (temp_dir == 2)
        return 1;
    size_t n = strlen(name);
    if (name[0] != '.')
        return 0;
    for (const char *const *suf = temp_dir ? dropped : written; *suf; suf++) {
        size_t k = strlen(*suf);
        if (n > k + 1 && strcasecmp(name + n - k, *suf) == 0)
            return 1;
    }
    return 0;
}

/* Deletes the regular files directly in dir last modified before the
 * cutoff (with temp: none but the temporary ones), and the temporary
 * files (s_temp_name) that are stale; other dot files stay. Returns how
 * many complete files; adds the temporary ones to run->temps. */
static long s_age_out(const char *dir, int temp_dir, s_run_t *run)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* the service never ran here */
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int temp = s_temp_name(e->d_name, temp_dir);
        if ((temp_dir || e->d_name[0] == '.') && !temp)
            continue; /* a file still to be read, or an operator's dot file */
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        int64_t mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        if (mtime_ms >= (temp ? run->stale_ms : run->cutoff_ms))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            *(temp ? &run->temps : &n) += 1;
        else if (errno != ENOENT) {
            run->failed++;
            ctl_err("cannot delete a file in %s: %s", dir, strerror(errno));
        }
    }
    closedir(d);
    return n;
}

/* s_age_out() in dir/NAME/each for every folder NAME in dir. */
static long s_age_out_each(const char *dir, const char *each, s_run_t *run)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        char *sub = xasprintf("%s/%s/%s", dir, e->d_name, each);
        n += s_age_out(sub, 0, run);
        free(sub);
    }
    closedir(d);
    return n;
}

/* Adds n to removed[store]: a store in more folders sums them. */
static void s_add(json_t *removed, const char *store, long n)
{
    json_int_t sum = json_integer_value(json_object_get(removed, store)) + n;
    json_object_set_new(removed, store, json_integer(sum));
}

long ctl_retention_files(int64_t cutoff_ms, json_t *removed)
{
    const char *var = config_str("INSPRAAK_VAR", "./var");
    int64_t stale = clock_wall_ms() - TEMP_STALE_MS;
    s_run_t run = {cutoff_ms, stale < cutoff_ms ? stale : cutoff_ms, 0, 0};
    for (size_t i = 0; i < sizeof s_stores / sizeof s_stores[0]; i++) {
        const s_store_t *st = &s_stores[i];
        char *dir = xasprintf("%s/%s", var, st->dir);
        long n = st->each ? s_age_out_each(dir, st->each, &run) : s_age_out(dir, st->temp, &run);
        free(dir);
        if (!st->temp)
            s_add(removed, st->store, n);
    }
    s_add(removed, TEMP_STORE, run.temps);
    const char *store;
    json_t *count;
    json_object_foreach(removed, store, count)
        log_info("msg=\"retention removed files\" store=%s files=%lld", store,
                 (long long)json_integer_value(count));
    return run.failed;
}
