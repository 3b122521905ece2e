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
 *   Entries are removed by value (LREM), so entries a service pushes
 *   meanwhile are never touched. An entry without a readable "at" (not
 *   JSON: none is written so) is kept and counted apart, so the operator
 *   can look at it. Counts only, in the summary and the log; never the
 *   contents.
 *
 * OWNERSHIP
 *   Owned by inspraakctl; the lists are storage's and intake-mail's
 *   (docs/redis.md).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "log.h"

long ctl_retention_list(ctl_t *ctl, const char *list, int64_t cutoff_ms, long *undated)
{
    redisReply *r = rstore_cmd(ctl->rs, "LRANGE " CTL_PREFIX "%s 0 -1", list);
    if (!r)
        return ctl_redis_err(ctl, list), -1;
    long n = 0;
    *undated = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        const redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_STRING)
            continue;
        json_t *j = json_loadb(e->str, e->len, 0, NULL);
        json_t *at = json_object_get(j, "at");
        int old = json_is_integer(at) && json_integer_value(at) < cutoff_ms;
        *undated += !json_is_integer(at);
        json_decref(j);
        if (!old)
            continue;
        redisReply *d = rstore_cmd(ctl->rs, "LREM " CTL_PREFIX "%s 0 %b", list, e->str, e->len);
        if (!d) {
            freeReplyObject(r);
            return ctl_redis_err(ctl, list), -1;
        }
        n += d->type == REDIS_REPLY_INTEGER ? (long)d->integer : 0;
        freeReplyObject(d);
    }
    freeReplyObject(r);
    log_info("msg=\"retention removed list entries\" list=%s removed=%ld undated=%ld", list, n,
             *undated);
    return n;
}
