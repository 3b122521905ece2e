/*
 * NAME
 *   update_applied - which update envelopes storage has applied
 *
 * DESCRIPTION
 *   See update_applied.h.
 *
 * OWNERSHIP
 *   Storage's key (services/storage/README.md); the classifier only reads
 *   it.
 */
#include "update_applied.h"

#include <stddef.h>

#include "xalloc.h"

char *update_applied_key(const char *id)
{
    return id && *id ? xasprintf(UPDATE_APPLIED_KEY, id) : NULL;
}

int update_applied_before(rstore_t *rs, const char *id)
{
    if (!id || !*id)
        return 0;
    redisReply *r = rstore_cmd(rs, "EXISTS " UPDATE_APPLIED_KEY, id);
    int seen = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    if (r)
        freeReplyObject(r);
    return seen;
}
