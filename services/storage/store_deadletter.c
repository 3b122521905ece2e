/*
 * NAME
 *   store_deadletter - keeps a message storage could not read, for staff
 *   (see store.h)
 *
 * DESCRIPTION
 *   store_deadletter() pushes one JSON entry (time, origin, reason, code,
 *   the raw bytes as base64) onto inspraak:deadletter and trims the list to
 *   STORE_DEADLETTER_MAX entries. `inspraakctl participant erase` and
 *   `retention run` remove entries from it (docs/privacy.md).
 *
 * OWNERSHIP
 *   Owned by the storage service.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

#include "clock.h"
#include "log.h"
#include "rstore.h"
#include "store_int.h"
#include "xalloc.h"

/* Deadletter entries keep at most this much of the raw bytes: the list is
 * capped in entries, this caps it in bytes (10000 x 256 KiB worst case). */
#define S_DEAD_RAW_MAX (256u * 1024)

/* json_string() refuses invalid UTF-8; a reason quoting bad input must
 * still be recorded, so fall back to a marker. */
static json_t *s_jstr(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    return j ? j : json_string("(invalid utf-8)");
}

int store_deadletter(store_t *self, const char *origin, const char *code, const char *reason,
                     const char *raw, size_t raw_len)
{
    size_t keep = raw_len > S_DEAD_RAW_MAX ? S_DEAD_RAW_MAX : raw_len;
    size_t b64_size = sodium_base64_ENCODED_LEN(keep, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64_size);
    sodium_bin2base64(b64, b64_size, (const unsigned char *)(raw ? raw : ""), raw ? keep : 0,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *j = json_object();
    json_object_set_new(j, "at", json_integer(clock_wall_ms()));
    json_object_set_new(j, "origin", s_jstr(origin));
    json_object_set_new(j, "reason", s_jstr(reason));
    json_object_set_new(j, "code", s_jstr(code ? code : "unknown"));
    json_object_set_new(j, "raw_base64", json_string(b64));
    json_object_set_new(j, "raw_len", json_integer((json_int_t)raw_len));
    free(b64);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);

    int rc = 0;
    redisReply *r = rstore_cmd(self->rs, "LPUSH " STORE_KEY_PREFIX "deadletter %s", text);
    free(text);
    if (!r) {
        store_set_err(self, "deadletter lpush");
        return -1;
    }
    freeReplyObject(r);
    r = rstore_cmd(self->rs, "LTRIM " STORE_KEY_PREFIX "deadletter 0 %d", STORE_DEADLETTER_MAX - 1);
    if (r)
        freeReplyObject(r);
    else
        log_warn("msg=\"deadletter trim failed\"");
    return rc;
}
