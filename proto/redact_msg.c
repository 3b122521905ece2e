/*
 * NAME
 *   redact_msg - encode and decode the "redact" key of an update's idea
 *
 * DESCRIPTION
 *   The key lives in idea->extra (proto_extra_t: packed key, value, key,
 *   value, ...). To read it, the pairs are wrapped in a map header and
 *   unpacked with proto_unpack(), so the same limits and the same
 *   no-allocation-before-checking rule apply as to a whole message. To
 *   write it, a one-pair map {"redact": {...}} is encoded with the proto
 *   encoder (UTF-8 and limit checks included) and its one-byte fixmap
 *   header dropped, which leaves exactly the packed pair.
 *
 * DIAGNOSTICS
 *   bad_field with a sentence naming "idea.redact..." for anything that is
 *   not the documented shape; malformed/too_large from proto_unpack().
 */
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"
#include "redact_msg.h"
#include "xalloc.h"

void redact_msg_init(redact_msg_t *m)
{
    memset(m, 0, sizeof(*m));
}

void redact_msg_clear(redact_msg_t *m)
{
    for (int i = 0; i < m->n_kinds; i++)
        free(m->kinds[i]);
    for (int i = 0; i < m->n_texts; i++)
        free(m->texts[i]);
    redact_msg_init(m);
}

static int s_add(char **v, int *n, int max, size_t max_len, const char *s, size_t len)
{
    if (!s || len == 0 || len > max_len || memchr(s, '\0', len))
        return -1;
    for (int i = 0; i < *n; i++)
        if (strlen(v[i]) == len && memcmp(v[i], s, len) == 0)
            return 0;
    if (*n >= max)
        return -1;
    v[*n] = xstrndup(s, len);
    (*n)++;
    return 0;
}

int redact_msg_add_kind(redact_msg_t *m, const char *kind)
{
    return s_add(m->kinds, &m->n_kinds, REDACT_MSG_MAX_KINDS, REDACT_MSG_MAX_KIND_LEN, kind,
                 kind ? strlen(kind) : 0);
}

int redact_msg_add_text(redact_msg_t *m, const char *text)
{
    return s_add(m->texts, &m->n_texts, REDACT_MSG_MAX_TEXTS, REDACT_MSG_MAX_TEXT_LEN, text,
                 text ? strlen(text) : 0);
}

/* Wraps the packed pairs of x in a map header: a buffer proto_unpack()
 * can read as one map. */
static char *s_wrap(const proto_extra_t *x, size_t *len)
{
    unsigned char hdr[5];
    size_t h = 0;
    if (x->count < 16) {
        hdr[h++] = (unsigned char)(0x80 | x->count);
    } else if (x->count <= 0xffff) {
        hdr[h++] = 0xde;
        hdr[h++] = (unsigned char)(x->count >> 8);
        hdr[h++] = (unsigned char)x->count;
    } else {
        hdr[h++] = 0xdf;
        for (int s = 24; s >= 0; s -= 8)
            hdr[h++] = (unsigned char)(x->count >> s);
    }
    char *buf = xmalloc(h + x->len + 1);
    memcpy(buf, hdr, h);
    if (x->len)
        memcpy(buf + h, x->buf, x->len);
    *len = h + x->len;
    return buf;
}

static int s_is_key(const msgpack_object *k)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(REDACT_MSG_KEY) &&
           memcmp(k->via.str.ptr, REDACT_MSG_KEY, k->via.str.size) == 0;
}

/* One array of strings into v: -1 (err) unless every entry is a UTF-8
 * string of 1..max_len bytes without NUL, and there are at most max. */
static int s_strs(const msgpack_object *o, const char *name, char **v, int *n, int max,
                  size_t max_len, proto_err_t *err)
{
    if (o->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size > (uint32_t)max) {
        proto_err_set(err, "bad_field",
                      "field \"idea.redact.%s\" must be an array of at most %d "
                      "strings",
                      name, max);
        return -1;
    }
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *s = &o->via.array.ptr[i];
        if (s->type != MSGPACK_OBJECT_STR || s->via.str.size == 0 || s->via.str.size > max_len ||
            !proto_utf8_valid(s->via.str.ptr, s->via.str.size) ||
            s_add(v, n, max, max_len, s->via.str.ptr, s->via.str.size) < 0) {
            proto_err_set(err, "bad_field",
                          "field \"idea.redact.%s\" holds an entry that is not "
                          "UTF-8 text of 1..%zu bytes",
                          name, max_len);
            return -1;
        }
    }
    return 0;
}

static int s_from(const msgpack_object *o, redact_msg_t *m, proto_err_t *err)
{
    if (o->type != MSGPACK_OBJECT_MAP) {
        proto_err_set(err, "bad_field", "field \"idea.redact\" must be a map");
        return -1;
    }
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR)
            continue; /* tolerant: unknown keys are a later version's */
        if (k->via.str.size == 5 && memcmp(k->via.str.ptr, "kinds", 5) == 0) {
            if (s_strs(v, "kinds", m->kinds, &m->n_kinds, REDACT_MSG_MAX_KINDS,
                       REDACT_MSG_MAX_KIND_LEN, err) < 0)
                return -1;
        } else if (k->via.str.size == 5 && memcmp(k->via.str.ptr, "texts", 5) == 0) {
            if (s_strs(v, "texts", m->texts, &m->n_texts, REDACT_MSG_MAX_TEXTS,
                       REDACT_MSG_MAX_TEXT_LEN, err) < 0)
                return -1;
        }
    }
    if (m->n_kinds == 0 && m->n_texts == 0) {
        proto_err_set(err, "bad_field", "field \"idea.redact\" names neither kinds nor texts");
        return -1;
    }
    return 0;
}

int redact_msg_get(const idea_t *upd, redact_msg_t *m, proto_err_t *err)
{
    if (upd->extra.count == 0)
        return 0;
    size_t len = 0;
    char *buf = s_wrap(&upd->extra, &len);
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    msgpack_object obj;
    int rc = 0;
    if (proto_unpack(buf, len, &zone, &obj, err) < 0) {
        rc = -1;
    } else {
        for (uint32_t i = 0; i < obj.via.map.size && rc == 0; i++) {
            if (!s_is_key(&obj.via.map.ptr[i].key))
                continue;
            rc = s_from(&obj.via.map.ptr[i].val, m, err) < 0 ? -1 : 1;
        }
    }
    msgpack_zone_destroy(&zone);
    free(buf);
    if (rc < 0)
        redact_msg_clear(m);
    return rc;
}

/* upd->extra without its "redact" pairs. */
static void s_drop_key(proto_extra_t *x)
{
    size_t len = 0;
    char *buf = s_wrap(x, &len);
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    msgpack_object obj;
    proto_err_t err;
    proto_extra_t keep = {NULL, 0, 0};
    if (proto_unpack(buf, len, &zone, &obj, &err) == 0) {
        for (uint32_t i = 0; i < obj.via.map.size; i++)
            if (!s_is_key(&obj.via.map.ptr[i].key))
                proto_extra_add(&keep, &obj.via.map.ptr[i].key, &obj.via.map.ptr[i].val);
        proto_extra_clear(x);
        *x = keep;
    }
    msgpack_zone_destroy(&zone);
    free(buf);
}

int redact_msg_put(idea_t *upd, const redact_msg_t *m, proto_err_t *err)
{
    proto_enc_t enc;
    proto_enc_init(&enc, err);
    msgpack_pack_map(&enc.pk, 1);
    proto_enc_key(&enc, REDACT_MSG_KEY);
    msgpack_pack_map(&enc.pk, 2);
    proto_enc_strs(&enc, "idea.redact", "kinds", m->kinds, m->n_kinds, REDACT_MSG_MAX_KINDS);
    proto_enc_strs(&enc, "idea.redact", "texts", m->texts, m->n_texts, REDACT_MSG_MAX_TEXTS);
    char *buf = NULL;
    size_t len = 0;
    if (proto_enc_finish(&enc, &buf, &len) < 0)
        return -1;
    if (upd->extra.count)
        s_drop_key(&upd->extra);
    /* buf is 0x81 (fixmap, one pair) followed by the pair itself. */
    upd->extra.buf = xrealloc(upd->extra.buf, upd->extra.len + len - 1);
    memcpy(upd->extra.buf + upd->extra.len, buf + 1, len - 1);
    upd->extra.len += len - 1;
    upd->extra.count++;
    free(buf);
    return 0;
}
