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
 *   Only the files directly in each folder; never a subfolder, a symbolic
 *   link or a name that starts with ".". Never the folders a service is
 *   still reading or writing (transcripts/inbox/, mail/inbox/new/ and
 *   tmp/, mail/outbox/tmp/, the spools' own segments and acks.log; only
 *   their corrupt/ subfolders): a file gets into a processed
 *   store by rename(2), complete, and no service opens it for writing
 *   again (intake-transcript and intake-mail write a .why, and an IMAP
 *   mail they keep, under a dot name first, then rename it), so no file
 *   here is ever half written.
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
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "log.h"
#include "xalloc.h"

typedef struct {
    const char *store; /* its name in the output and the log */
    const char *dir;   /* under $INSPRAAK_VAR */
    const char *each;  /* non-NULL: the folder of that name in each folder of dir */
} s_store_t;

static const s_store_t s_stores[] = {
    {"transcripts_done", "transcripts/done", NULL},
    {"transcripts_failed", "transcripts/failed", NULL},
    {"mail_inbox_cur", "mail/inbox/cur", NULL}, /* never inbox/new/ or tmp/: not read yet */
    {"mail_skipped", "mail/skipped", NULL},     /* the .why files */
    {"mail_skipped", "mail/skipped/cur", NULL},
    {"mail_failed", "mail/failed", NULL},
    {"mail_outbox", "mail/outbox/new", NULL}, /* never outbox/tmp/: being written */
    {"mail_outbox", "mail/outbox/cur", NULL},
    {"spool_corrupt", "spool", "corrupt"}, /* never the segments beside it */
};

/* Deletes the regular files directly in dir last modified before
 * cutoff_ms. Returns how many; adds files it could not delete to *failed. */
static long s_age_out(const char *dir, int64_t cutoff_ms, long *failed)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* the service never ran here */
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') /* ".", "..", and names still being written */
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        int64_t mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        if (mtime_ms >= cutoff_ms)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
        else if (errno != ENOENT) {
            (*failed)++;
            ctl_err("cannot delete a file in %s: %s", dir, strerror(errno));
        }
    }
    closedir(d);
    return n;
}

/* s_age_out() in dir/NAME/each for every folder NAME in dir. */
static long s_age_out_each(const char *dir, const char *each, int64_t cutoff_ms, long *failed)
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
        n += s_age_out(sub, cutoff_ms, failed);
        free(sub);
    }
    closedir(d);
    return n;
}

long ctl_retention_files(int64_t cutoff_ms, json_t *removed)
{
    const char *var = config_str("INSPRAAK_VAR", "./var");
    long failed = 0;
    for (size_t i = 0; i < sizeof s_stores / sizeof s_stores[0]; i++) {
        char *dir = xasprintf("%s/%s", var, s_stores[i].dir);
        long n = s_stores[i].each ? s_age_out_each(dir, s_stores[i].each, cutoff_ms, &failed)
                                  : s_age_out(dir, cutoff_ms, &failed);
        free(dir);
        /* a store in two folders (mail_outbox: new/, cur/) sums them */
        json_int_t sum = json_integer_value(json_object_get(removed, s_stores[i].store)) + n;
        json_object_set_new(removed, s_stores[i].store, json_integer(sum));
    }
    const char *store;
    json_t *count;
    json_object_foreach(removed, store, count)
        log_info("msg=\"retention removed files\" store=%s files=%lld", store,
                 (long long)json_integer_value(count));
    return failed;
}
