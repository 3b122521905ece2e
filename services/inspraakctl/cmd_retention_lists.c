/*
 * NAME
 *   cmd_retention_lists - retention run, part three: the entries of the
 *   dated Redis lists written before the cutoff
 *
 * DESCRIPTION
 *   ctl_retention_list() removes every entry of one list whose "at" (ms
 *   since the epoch) is before the cutoff. Two lists hold personal data
 *   with a time on each entry:
 *   - inspraak:deadletter, storage's unreadable messages (raw bytes as
 *     base64: they can hold names and addresses no erase by address
 *     finds; "at" set by storage's store_deadletter());
 *   - inspraak:mail:skipped, intake-mail's skipped mails that staff see
 *     (the subject can hold a name; "at" set by mail_skiplog_json()).
 *   Entries are removed by value (LREM, ctl_list_remove_if() in
 *   list_remove.c), so entries a service pushes meanwhile are never
 *   touched. An entry without a readable "at" (not JSON: none is written
 *   so) is kept and counted apart, so the operator can look at it. Counts
 *   only, in the summary and the log; never the contents.
 *
 * OWNERSHIP
 *   Owned by inspraakctl; the lists are storage's and intake-mail's
 *   (docs/redis.md).
 */
#include <jansson.h>
#include <stdint.h>

#include "ctl.h"
#include "log.h"

typedef struct {
    int64_t cutoff_ms;
    long undated; /* entries without a readable "at" */
} s_dated_t;

/* 1 when the entry's "at" is before the cutoff; counts those without one. */
static int s_written_before(const char *entry, size_t len, void *arg)
{
    s_dated_t *d = arg;
    json_t *j = json_loadb(entry, len, 0, NULL);
    json_t *at = json_object_get(j, "at");
    int old = json_is_integer(at) && json_integer_value(at) < d->cutoff_ms;
    d->undated += !json_is_integer(at);
    json_decref(j);
    return old;
}

long ctl_retention_list(ctl_t *ctl, const char *list, int64_t cutoff_ms, long *undated)
{
    s_dated_t d = {cutoff_ms, 0};
    long n = ctl_list_remove_if(ctl, list, s_written_before, &d, 1);
    *undated = d.undated;
    if (n < 0)
        return ctl_redis_err(ctl, list), -1;
    log_info("msg=\"retention removed list entries\" list=%s removed=%ld undated=%ld", list, n,
             *undated);
    return n;
}
