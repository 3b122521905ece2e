/*
 * NAME
 *   seen - the transcript files the drop folder has read (see seen.h)
 */
#include "seen.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

void seen_hash(const char *buf, size_t len, char hex[SEEN_HASH_HEX + 1])
{
    unsigned char h[SEEN_HASH_HEX / 2];
    crypto_generichash(h, sizeof h, (const unsigned char *)buf, len, NULL, 0);
    sodium_bin2hex(hex, SEEN_HASH_HEX + 1, h, sizeof h);
}

int seen_find(rstore_t *rs, const char *hash, seen_t *rec)
{
    memset(rec, 0, sizeof *rec);
    redisReply *r = rstore_cmd(rs, "HGET " SEEN_KEY " %s", hash);
    if (!r)
        return -1;
    int found = r->type == REDIS_REPLY_STRING;
    json_t *v = found ? json_loadb(r->str, r->len, 0, NULL) : NULL;
    freeReplyObject(r);
    const char *ref = json_string_value(json_object_get(v, "file_ref"));
    const char *first = json_string_value(json_object_get(v, "first_id"));
    snprintf(rec->file_ref, sizeof rec->file_ref, "%s", ref ? ref : "");
    snprintf(rec->first_id, sizeof rec->first_id, "%s", first ? first : "");
    rec->read_at = json_integer_value(json_object_get(v, "read_at"));
    json_t *ideas = json_object_get(v, "ideas");
    rec->ideas = json_is_integer(ideas) ? json_integer_value(ideas) : -1;
    json_decref(v);
    return found;
}

/* HSET (or HSETNX) of hash to rec as JSON, read_at given; ideas null when unknown. */
static int s_hset(rstore_t *rs, const char *cmd, const char *hash, const seen_t *rec,
                  int64_t read_at)
{
    json_t *v = json_pack(
        "{s:s, s:I, s:o, s:s}", "file_ref", rec->file_ref, "read_at", (json_int_t)read_at, "ideas",
        rec->ideas < 0 ? json_null() : json_integer(rec->ideas), "first_id", rec->first_id);
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    redisReply *r = s ? rstore_cmd(rs, "%s " SEEN_KEY " %s %s", cmd, hash, s) : NULL;
    free(s);
    if (!r)
        return -1;
    freeReplyObject(r);
    return 0;
}

int seen_add(rstore_t *rs, const char *hash, const seen_t *rec)
{
    return s_hset(rs, "HSET", hash, rec, clock_wall_ms());
}

int seen_add_old(rstore_t *rs, const char *hash, const seen_t *rec)
{
    seen_t old = *rec;
    old.ideas = -1;
    return s_hset(rs, "HSETNX", hash, &old, rec->read_at);
}
