/*
 * NAME
 *   store_record - the idea record as storage keeps it in Redis: the
 *   MessagePack of idea_encode() without its nil values (see store.h)
 *
 * DESCRIPTION
 *   idea_encode() writes every key of the record, nil where unknown
 *   (docs/proto.md), which is right on the bus. In Redis, where every idea
 *   is kept for years, those nils were ~190 of the ~600 bytes of a
 *   200-character idea (title, lat, lon, buurt, postcode, participant_id,
 *   cluster and the eleven keys of "source", which only a mail, a
 *   transcript or a field-app idea fills). idea_decode() reads a missing
 *   key exactly as a nil one ("lenient about missing keys and nil: both
 *   mean unknown", proto/idea.c), so every reader (dashboard, notify,
 *   inspraakctl, storage's moderation and redaction) gets the same idea_t
 *   from either form, and records written before keep being read as they
 *   are: no migration.
 *
 *   What is left out: a nil value at the top level or inside "source", and
 *   "source" itself when nothing in it is left. Everything else (false,
 *   empty arrays, unknown keys with a value, the key order) is kept.
 *   msgpack-c unpacks the encoder's bytes and packs them again into a
 *   buffer of the encoder's size (leaving pairs out never makes it longer:
 *   msgpack-c picks the same shortest forms as the encoder); a dedicated
 *   encoder would be proto/'s to write.
 *
 * DIAGNOSTICS
 *   The codes of idea_encode(); "bad_record" when its output cannot be
 *   read back (cannot happen with proto's encoder).
 */
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xalloc.h"

typedef struct { /* the output: a fixed buffer, never grown */
    char *buf;
    size_t size, cap;
    bool over;
} s_rec_out_t;

/* msgpack_packer's write callback. */
static int s_rec_write(void *data, const char *b, size_t n)
{
    s_rec_out_t *o = data;
    if (n > o->cap - o->size) {
        o->over = true;
        return -1;
    }
    if (n)
        memcpy(o->buf + o->size, b, n);
    o->size += n;
    return 0;
}

static void s_rec_fail(proto_err_t *err, const char *message)
{
    snprintf(err->code, sizeof err->code, "bad_record");
    snprintf(err->message, sizeof err->message, "%s", message);
}

static bool s_rec_key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
           memcmp(k->via.str.ptr, name, n) == 0;
}

static uint32_t s_rec_non_nil(const msgpack_object_map *m)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->size; i++)
        n += m->ptr[i].val.type != MSGPACK_OBJECT_NIL;
    return n;
}

/* The map m without its nil values. */
static void s_rec_pack_map(msgpack_packer *pk, const msgpack_object_map *m)
{
    msgpack_pack_map(pk, s_rec_non_nil(m));
    for (uint32_t i = 0; i < m->size; i++) {
        if (m->ptr[i].val.type == MSGPACK_OBJECT_NIL)
            continue;
        msgpack_pack_object(pk, m->ptr[i].key);
        msgpack_pack_object(pk, m->ptr[i].val);
    }
}

/* The "source" entry of the top-level map: nil, or a map of only nils. */
static bool s_rec_empty_source(const msgpack_object_kv *kv)
{
    return s_rec_key_is(&kv->key, "source") && kv->val.type == MSGPACK_OBJECT_MAP &&
           s_rec_non_nil(&kv->val.via.map) == 0;
}

int store_record_encode(const idea_t *idea, char **buf, size_t *len, proto_err_t *err)
{
    char *full = NULL;
    size_t full_len = 0;
    *buf = NULL;
    *len = 0;
    if (idea_encode(idea, &full, &full_len, err) < 0)
        return -1;
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    msgpack_object o;
    size_t off = 0;
    if (msgpack_unpack(full, full_len, &off, &zone, &o) != MSGPACK_UNPACK_SUCCESS ||
        o.type != MSGPACK_OBJECT_MAP) {
        msgpack_zone_destroy(&zone);
        free(full);
        s_rec_fail(err, "the encoded record cannot be read back");
        return -1;
    }
    const msgpack_object_map *m = &o.via.map;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < m->size; i++)
        keep += m->ptr[i].val.type != MSGPACK_OBJECT_NIL && !s_rec_empty_source(&m->ptr[i]);
    s_rec_out_t out = {xmalloc(full_len), 0, full_len, false};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out, s_rec_write);
    msgpack_pack_map(&pk, keep);
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object_kv *kv = &m->ptr[i];
        if (kv->val.type == MSGPACK_OBJECT_NIL || s_rec_empty_source(kv))
            continue;
        msgpack_pack_object(&pk, kv->key);
        if (s_rec_key_is(&kv->key, "source") && kv->val.type == MSGPACK_OBJECT_MAP)
            s_rec_pack_map(&pk, &kv->val.via.map);
        else
            msgpack_pack_object(&pk, kv->val);
    }
    msgpack_zone_destroy(&zone);
    free(full);
    if (out.over) { /* cannot happen (see above); never store a cut record */
        free(out.buf);
        s_rec_fail(err, "the record grew when its nils were left out");
        return -1;
    }
    *buf = out.buf;
    *len = out.size;
    return 0;
}
