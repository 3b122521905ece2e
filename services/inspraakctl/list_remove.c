/*
 * NAME
 *   list_remove - walking a Redis list and removing the entries a
 *   predicate picks (shared by retention run and participant erase)
 *
 * DESCRIPTION
 *   ctl_list_remove_if() reads inspraak:<list> once (LRANGE 0 -1) and
 *   asks the predicate about every string entry. With remove, each entry
 *   it picks is removed by value (LREM 0), so entries a service pushes
 *   meanwhile are never touched, and the count is what LREM removed;
 *   without remove nothing changes and the count is the entries picked
 *   (the predicate can collect them: participant export). A reply of
 *   another type than the command's (not a list for LRANGE, not a count
 *   for LREM: e.g. "+QUEUED" from a connection left in MULTI, or a proxy)
 *   fails the walk like a Redis error: counted as nothing removed it
 *   would report an erase or a retention run that did not happen. Used by
 *   cmd_retention_lists.c (entries written before the cutoff) and
 *   cmd_erase.c (dead letters holding an address).
 *
 * OWNERSHIP
 *   Owned by inspraakctl. The entry passed to the predicate belongs to
 *   the walk; copy what must outlive the call.
 */
#include <stdlib.h>

#include "ctl.h"

long ctl_list_remove_if(ctl_t *ctl, const char *list, ctl_list_pred_t pick, void *arg, int remove)
{
    redisReply *r = rstore_cmd(ctl->rs, "LRANGE " CTL_PREFIX "%s 0 -1", list);
    if (!r)
        return -1;
    if (r->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(r);
        return -1;
    }
    long n = 0;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_STRING || !pick(e->str, e->len, arg))
            continue;
        if (!remove) {
            n++;
            continue;
        }
        redisReply *d = rstore_cmd(ctl->rs, "LREM " CTL_PREFIX "%s 0 %b", list, e->str, e->len);
        if (!d) {
            freeReplyObject(r);
            return -1;
        }
        int counted = d->type == REDIS_REPLY_INTEGER;
        n += counted ? (long)d->integer : 0;
        freeReplyObject(d);
        if (!counted) {
            freeReplyObject(r);
            return -1;
        }
    }
    freeReplyObject(r);
    return n;
}
