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

int update_applied_mark(rstore_t *rs, const char *id)
{
    if (!id || !*id)
        return 0;
    redisReply *r = rstore_cmd(rs, "SET " UPDATE_APPLIED_KEY " 1 PX %d", id, UPDATE_APPLIED_MS);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}
