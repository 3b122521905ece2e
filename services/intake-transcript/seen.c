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
#include <time.h>

#include "clock.h"
#include "xalloc.h"

void seen_hash(const char *buf, size_t len, char hex[SEEN_HASH_HEX + 1])
{
    unsigned char h[SEEN_HASH_HEX / 2];
    crypto_generichash(h, sizeof h, (const unsigned char *)buf, len, NULL, 0);
    sodium_bin2hex(hex, SEEN_HASH_HEX + 1, h, sizeof h);
}

const char *seen_of_ideas(seen_t *rec, const json_t *ideas)
{
    const char *first = json_string_value(json_object_get(json_array_get(ideas, 0), "id"));
    rec->ideas = (int64_t)json_array_size(ideas);
    snprintf(rec->first_id, sizeof rec->first_id, "%s", first ? first : "");
    return first;
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
    const char *reading = json_string_value(json_object_get(v, "reading"));
    snprintf(rec->reading, sizeof rec->reading, "%s", reading ? reading : "");
    const char *via = json_string_value(json_object_get(v, "via"));
    rec->upload = via && strcmp(via, "upload") == 0;
    rec->moving = json_is_true(json_object_get(v, "moving"));
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
    if (rec->upload)
        json_object_set_new(v, "via", json_string("upload"));
    if (rec->moving)
        json_object_set_new(v, "moving", json_true());
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

int seen_moved(rstore_t *rs, const char *hash, const seen_t *rec)
{
    seen_t moved = *rec;
    moved.moving = false;
    return s_hset(rs, "HSET", hash, &moved, rec->read_at ? rec->read_at : clock_wall_ms());
}

int seen_add_old(rstore_t *rs, const char *hash, const seen_t *rec)
{
    seen_t old = *rec;
    old.ideas = -1;
    return s_hset(rs, "HSETNX", hash, &old, rec->read_at);
}

/* One command whose reply only says whether Redis took it. */
static int s_cmd_ok(redisReply *r)
{
    if (!r)
        return -1;
    freeReplyObject(r);
    return 0;
}

int seen_add_reading(rstore_t *rs, const char *hash, const char *ref)
{
    json_t *v = json_pack("{s:s, s:I}", "reading", ref, "since", (json_int_t)clock_wall_ms());
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    int rc = s ? s_cmd_ok(rstore_cmd(rs, "HSET " SEEN_KEY " %s %s", hash, s)) : -1;
    free(s);
    return rc;
}

int seen_forget(rstore_t *rs, const char *hash)
{
    return s_cmd_ok(rstore_cmd(rs, "HDEL " SEEN_KEY " %s", hash));
}

int seen_done_scanned(rstore_t *rs)
{
    redisReply *r = rstore_cmd(rs, "HEXISTS " SEEN_KEY " " SEEN_DONE_SCANNED);
    if (!r)
        return -1;
    int found = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    return found;
}

int seen_mark_done_scanned(rstore_t *rs, int files)
{
    json_t *v = json_pack("{s:I, s:i}", "at", (json_int_t)clock_wall_ms(), "files", files);
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    int rc = s ? s_cmd_ok(rstore_cmd(rs, "HSET " SEEN_KEY " " SEEN_DONE_SCANNED " %s", s)) : -1;
    free(s);
    return rc;
}

void seen_utc(int64_t ms, char out[SEEN_UTC_SIZE])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    strftime(out, SEEN_UTC_SIZE, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
}

void seen_repeat_text(const seen_t *rec, const char *earlier, char **nl, char **en)
{
    char local[40], utc[SEEN_UTC_SIZE];
    clock_local_format(rec->read_at, "%d-%m-%Y %H:%M", local, sizeof local);
    seen_utc(rec->read_at, utc);
    const char *first = rec->first_id[0] ? rec->first_id : "none";
    if (rec->reading[0]) {
        *nl = xasprintf("Dit bestand is hetzelfde als inbox/%s, dat nu wordt ingelezen. Er is "
                        "niets opnieuw opgeslagen.",
                        earlier ? earlier : "?");
        *en = xasprintf("repeat: the same bytes as inbox/%s (file_ref=%s), being read since %s; "
                        "nothing stored again",
                        earlier ? earlier : "?", rec->reading, utc);
        return;
    }
    if (rec->upload) {
        /* People read this (a 409's message): no idea ids, which the
         * answer's "repeats" gives programs, but what to do. */
        *nl = xasprintf("Dit bestand is hetzelfde als een bestand dat op %s is geüpload. Er is "
                        "niets opnieuw opgeslagen. Wilde u een ander gesprek inlezen? Kies dan "
                        "het bestand van dat gesprek.",
                        local);
        *en = xasprintf("repeat: the same bytes as an upload read %s into %lld ideas (first %s); "
                        "nothing stored again",
                        utc, (long long)rec->ideas, first);
        return;
    }
    *nl = earlier ? xasprintf("Dit bestand is hetzelfde als done/%s, ingelezen op %s. Er is niets "
                              "opnieuw opgeslagen.",
                              earlier, local)
                  : xasprintf("Dit bestand is hetzelfde als een bestand dat op %s is ingelezen "
                              "(niet meer in done/). Er is niets opnieuw opgeslagen.",
                              local);
    char *read = rec->ideas < 0 ? xasprintf("read %s (before this record existed)", utc)
                                : xasprintf("read %s into %lld ideas (first %s)", utc,
                                            (long long)rec->ideas, first);
    *en = xasprintf("repeat: the same bytes as %s%s (file_ref=%s), %s; nothing stored again",
                    earlier ? "done/" : "a file no longer in done/", earlier ? earlier : "",
                    rec->file_ref, read);
    free(read);
}
