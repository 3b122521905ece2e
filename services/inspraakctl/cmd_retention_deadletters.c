/*
 * NAME
 *   cmd_retention_deadletters - retention run, part three: the dead letters
 *   written before the cutoff
 *
 * DESCRIPTION
 *   ctl_retention_deadletters() removes every entry of inspraak:deadletter
 *   (storage's list of unreadable messages, raw bytes as base64: they can
 *   hold names and addresses no erase by address finds) whose "at" (ms
 *   since the epoch, set by storage's store_deadletter()) is before the
 *   cutoff. Entries are removed by value (LREM), so entries storage pushes
 *   meanwhile are never touched. An entry without a readable "at" (not
 *   JSON: none is written so) is kept and counted apart, so the operator
 *   can look at it. Counts only, in the summary and the log; never the
 *   contents.
 *
 * OWNERSHIP
 *   Owned by inspraakctl; the list is storage's (docs/redis.md).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "log.h"

long ctl_retention_deadletters(ctl_t *ctl, int64_t cutoff_ms, long *undated)
{
    redisReply *r = rstore_cmd(ctl->rs, "LRANGE " CTL_PREFIX "deadletter 0 -1");
    if (!r)
        return ctl_redis_err(ctl, "dead letters"), -1;
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
        redisReply *d = rstore_cmd(ctl->rs, "LREM " CTL_PREFIX "deadletter 0 %b", e->str, e->len);
        if (!d) {
            freeReplyObject(r);
            return ctl_redis_err(ctl, "dead letters"), -1;
        }
        n += d->type == REDIS_REPLY_INTEGER ? (long)d->integer : 0;
        freeReplyObject(d);
    }
    freeReplyObject(r);
    log_info("msg=\"retention removed dead letters\" removed=%ld undated=%ld", n, *undated);
    return n;
}
