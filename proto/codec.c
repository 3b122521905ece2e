/*
 * NAME
 *   codec - the encoder context, the table-driven map decoder and the
 *   unknown-key store shared by the proto codecs
 *
 * DESCRIPTION
 *   Encoding packs with msgpack-c's msgpack_packer into a msgpack_sbuffer,
 *   but through our own write callback that grows the buffer with
 *   xrealloc(): msgpack_sbuffer_write() reports out-of-memory as a return
 *   code on every single pack call, while the house rule is that allocation
 *   never fails. Errors in the data (bad UTF-8, limits) stick in the
 *   context so the record encoders read as a plain list of keys.
 *
 *   Decoding walks a msgpack_object map against a field table. Unknown
 *   keys are re-packed with msgpack_pack_object() into proto_extra_t so
 *   that decode -> encode gives them back unchanged.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"
#include "xalloc.h"

/* Room for len more bytes. 1 KiB first: an idea envelope fits, so it is
 * one allocation. */
static void s_grow(msgpack_sbuffer *sb, size_t len)
{
    size_t n = sb->alloc ? sb->alloc : 1024;
    while (n - sb->size < len)
        n *= 2;
    sb->data = xrealloc(sb->data, n);
    sb->alloc = n;
}

/* msgpack-c's packer calls this for every map header, number, nil and bin
 * it packs (strings go through s_put_str), so the common case is kept
 * short: room enough, and a few bytes copied without a call to memcpy. */
static int s_write(void *data, const char *buf, size_t len)
{
    msgpack_sbuffer *sb = data;
    if (len == 0)
        return 0; /* msgpack-c passes a NULL body for an empty str/bin */
    if (sb->alloc - sb->size < len)
        s_grow(sb, len);
    char *dst = sb->data + sb->size;
    if (len <= 8) {
        for (size_t i = 0; i < len; i++)
            dst[i] = buf[i];
    } else {
        memcpy(dst, buf, len);
    }
    sb->size += len;
    return 0;
}

void proto_enc_init(proto_enc_t *enc, proto_err_t *err)
{
    memset(enc, 0, sizeof(*enc));
    msgpack_sbuffer_init(&enc->sb);
    msgpack_packer_init(&enc->pk, &enc->sb, s_write);
    enc->err = err;
}

void proto_enc_fail(proto_enc_t *enc, const char *code, const char *fmt, ...)
{
    if (enc->failed)
        return;
    enc->failed = true;
    if (!enc->err)
        return;
    snprintf(enc->err->code, sizeof(enc->err->code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(enc->err->message, sizeof(enc->err->message), fmt, ap);
    va_end(ap);
}

int proto_enc_finish(proto_enc_t *enc, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    /* Our shapes nest at most 4 deep (envelope, idea, attachments, an
     * attachment) and pack strings only through s_str_ok(); what was copied
     * in (unknown pairs) may nest or count differently, so then the walk
     * runs. It used to run for every idea an intake spooled. */
    bool by_construction = !enc->copied && enc->sb.size <= PROTO_MAX_ITEMS;
    if (!enc->failed && !by_construction &&
        proto_check(enc->sb.data, enc->sb.size, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH,
                    PROTO_MAX_ITEMS, PROTO_MAX_STRING, enc->err) < 0)
        enc->failed = true;
    if (enc->failed) {
        msgpack_sbuffer_destroy(&enc->sb);
        return -1;
    }
    *len = enc->sb.size;
    *buf = msgpack_sbuffer_release(&enc->sb);
    return 0;
}

/* A whole str (header and body) straight into the buffer, with one
 * room check: msgpack-c's packer makes two calls through its write
 * callback per string, and strings are most of an idea, so that was about
 * half of the encoding. The header is msgpack_pack_str()'s, byte for byte
 * (fixstr below 32 bytes, then str8, str16, str32: the MessagePack spec);
 * the golden fixtures in tests/unit/test_proto.c hold us to it. */
static void s_put_str(proto_enc_t *enc, const char *s, size_t n)
{
    unsigned char h[5];
    size_t hl;
    if (n < 32) {
        h[0] = (unsigned char)(0xa0 | n);
        hl = 1;
    } else if (n < 256) {
        h[0] = 0xd9;
        h[1] = (unsigned char)n;
        hl = 2;
    } else if (n < 65536) {
        h[0] = 0xda;
        h[1] = (unsigned char)(n >> 8);
        h[2] = (unsigned char)n;
        hl = 3;
    } else {
        h[0] = 0xdb;
        for (int i = 0; i < 4; i++)
            h[1 + i] = (unsigned char)(n >> (24 - 8 * i));
        hl = 5;
    }
    msgpack_sbuffer *sb = &enc->sb;
    if (sb->alloc - sb->size < hl + n)
        s_grow(sb, hl + n);
    memcpy(sb->data + sb->size, h, hl);
    if (n)
        memcpy(sb->data + sb->size + hl, s, n);
    sb->size += hl + n;
}

void proto_enc_key(proto_enc_t *enc, const char *key)
{
    s_put_str(enc, key, strlen(key));
}

static bool s_str_ok(proto_enc_t *enc, const char *where, const char *key, const char *s,
                     size_t n)
{
    if (n > PROTO_MAX_STRING) {
        proto_enc_fail(enc, "too_large", "field \"%s.%s\" is longer than %u bytes", where, key,
                       PROTO_MAX_STRING);
        return false;
    }
    if (!proto_utf8_valid(s, n)) {
        proto_enc_fail(enc, "bad_field", "field \"%s.%s\" is not valid UTF-8", where, key);
        return false;
    }
    return true;
}

void proto_enc_str(proto_enc_t *enc, const char *where, const char *key, const char *s)
{
    proto_enc_key(enc, key);
    if (!s) {
        msgpack_pack_nil(&enc->pk);
        return;
    }
    size_t n = strlen(s);
    if (s_str_ok(enc, where, key, s, n))
        s_put_str(enc, s, n);
}

void proto_enc_strs(proto_enc_t *enc, const char *where, const char *key, char *const *v, int n,
                    int max)
{
    proto_enc_key(enc, key);
    if (n < 0 || n > max) {
        proto_enc_fail(enc, "bad_field", "field \"%s.%s\" holds %d entries (at most %d)", where,
                       key, n, max);
        return;
    }
    msgpack_pack_array(&enc->pk, (size_t)n);
    for (int i = 0; i < n; i++) {
        if (!v[i]) {
            proto_enc_fail(enc, "bad_field", "field \"%s.%s\" holds a NULL entry", where, key);
            return;
        }
        size_t len = strlen(v[i]);
        if (s_str_ok(enc, where, key, v[i], len))
            s_put_str(enc, v[i], len);
    }
}

void proto_enc_raw(proto_enc_t *enc, const char *data, size_t len)
{
    if (len) {
        enc->copied = true;
        s_write(&enc->sb, data, len);
    }
}

/* --- extra --- */

void proto_extra_add(proto_extra_t *x, const msgpack_object *key, const msgpack_object *val)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, s_write);
    msgpack_pack_object(&pk, *key);
    msgpack_pack_object(&pk, *val);
    x->buf = xrealloc(x->buf, x->len + sb.size);
    memcpy(x->buf + x->len, sb.data, sb.size);
    x->len += sb.size;
    x->count++;
    msgpack_sbuffer_destroy(&sb);
}

void proto_extra_copy(proto_extra_t *dst, const proto_extra_t *src)
{
    dst->buf = NULL;
    dst->len = src->len;
    dst->count = src->count;
    if (src->len) {
        dst->buf = xmalloc(src->len);
        memcpy(dst->buf, src->buf, src->len);
    }
}

void proto_extra_clear(proto_extra_t *x)
{
    free(x->buf);
    memset(x, 0, sizeof(*x));
}

char *proto_extra_wrap(const proto_extra_t *x, size_t *len)
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

static bool s_str_is(const msgpack_object *k, const char *key)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(key) &&
           memcmp(k->via.str.ptr, key, k->via.str.size) == 0;
}

int proto_extra_find(const proto_extra_t *x, const char *key, proto_extra_fn_t fn, void *arg,
                     proto_err_t *err)
{
    if (x->count == 0)
        return 0;
    size_t len = 0;
    char *buf = proto_extra_wrap(x, &len);
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    msgpack_object obj;
    int rc = 0;
    if (proto_unpack(buf, len, &zone, &obj, err) < 0) {
        rc = -1;
    } else {
        for (uint32_t i = 0; i < obj.via.map.size && rc == 0; i++)
            if (s_str_is(&obj.via.map.ptr[i].key, key))
                rc = fn(&obj.via.map.ptr[i].val, arg, err) < 0 ? -1 : 1;
    }
    msgpack_zone_destroy(&zone);
    free(buf);
    return rc;
}

/* x without its pairs under key. */
static void s_extra_drop(proto_extra_t *x, const char *key)
{
    size_t len = 0;
    char *buf = proto_extra_wrap(x, &len);
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    msgpack_object obj;
    proto_err_t err;
    proto_extra_t keep = {NULL, 0, 0};
    if (proto_unpack(buf, len, &zone, &obj, &err) == 0) {
        for (uint32_t i = 0; i < obj.via.map.size; i++)
            if (!s_str_is(&obj.via.map.ptr[i].key, key))
                proto_extra_add(&keep, &obj.via.map.ptr[i].key, &obj.via.map.ptr[i].val);
        proto_extra_clear(x);
        *x = keep;
    }
    msgpack_zone_destroy(&zone);
    free(buf);
}

int proto_extra_replace(proto_extra_t *x, const char *key, proto_enc_t *enc)
{
    char *pair = NULL;
    size_t len = 0;
    if (proto_enc_finish(enc, &pair, &len) < 0)
        return -1;
    if (x->count)
        s_extra_drop(x, key);
    /* pair is 0x81 (fixmap, one pair) followed by the pair itself. */
    x->buf = xrealloc(x->buf, x->len + len - 1);
    memcpy(x->buf + x->len, pair + 1, len - 1);
    x->len += len - 1;
    x->count++;
    free(pair);
    return 0;
}

/* --- decoding --- */

/* Byte by byte, without strlen(name): this runs for every key of every
 * message against the table, so it is kept to a few instructions when the
 * first byte differs. */
static bool s_key_is(const msgpack_object *k, const char *name)
{
    if (k->type != MSGPACK_OBJECT_STR)
        return false;
    const char *p = k->via.str.ptr;
    uint32_t n = k->via.str.size;
    for (uint32_t i = 0; i < n; i++)
        if (name[i] == '\0' || name[i] != p[i])
            return false;
    return name[n] == '\0';
}

/* A decoded string: valid UTF-8 without NUL bytes, since members are C
 * strings and a NUL would silently cut the text. */
static char *s_str(const msgpack_object *v, const char *where, const char *name, proto_err_t *err)
{
    if (v->type != MSGPACK_OBJECT_STR) {
        proto_err_set(err, "bad_field", "field \"%s.%s\" must be a string", where, name);
        return NULL;
    }
    const char *p = v->via.str.size ? v->via.str.ptr : "";
    size_t n = v->via.str.size;
    if (memchr(p, 0, n) || !proto_utf8_valid(p, n)) {
        proto_err_set(err, "bad_field", "field \"%s.%s\" is not valid UTF-8 text", where, name);
        return NULL;
    }
    return xstrndup(p, n);
}

char *proto_obj_str(const msgpack_object *v, const char *where, const char *name,
                    proto_err_t *err)
{
    return s_str(v, where, name, err);
}

static int s_strs(const msgpack_object *v, const proto_field_t *f, char *base, const char *where,
                  proto_err_t *err)
{
    if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > (uint32_t)f->max) {
        proto_err_set(err, "bad_field", "field \"%s.%s\" must be an array of at most %d strings",
                      where, f->name, f->max);
        return -1;
    }
    char **arr = (char **)(base + f->off);
    int *count = (int *)(base + f->off2);
    for (uint32_t i = 0; i < v->via.array.size; i++) {
        char *s = s_str(&v->via.array.ptr[i], where, f->name, err);
        if (!s)
            return -1;
        arr[(*count)++] = s;
    }
    return 0;
}

static int s_field(const msgpack_object *v, const proto_field_t *f, char *base, const char *where,
                   proto_err_t *err)
{
    switch (f->kind) {
    case PF_STR: {
        char *s = s_str(v, where, f->name, err);
        if (!s)
            return -1;
        *(char **)(base + f->off) = s;
        return 0;
    }
    case PF_INT:
        if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= INT64_MAX) {
            *(int64_t *)(base + f->off) = (int64_t)v->via.u64;
            return 0;
        }
        if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            *(int64_t *)(base + f->off) = v->via.i64;
            return 0;
        }
        proto_err_set(err, "bad_field", "field \"%s.%s\" must be an integer", where, f->name);
        return -1;
    case PF_BOOL:
        if (v->type != MSGPACK_OBJECT_BOOLEAN) {
            proto_err_set(err, "bad_field", "field \"%s.%s\" must be true or false", where,
                          f->name);
            return -1;
        }
        *(bool *)(base + f->off) = v->via.boolean;
        return 0;
    case PF_NUM: {
        double d;
        if (v->type == MSGPACK_OBJECT_FLOAT32 || v->type == MSGPACK_OBJECT_FLOAT64)
            d = v->via.f64;
        else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            d = (double)v->via.u64;
        else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
            d = (double)v->via.i64;
        else
            d = NAN;
        if (!isfinite(d)) {
            proto_err_set(err, "bad_field", "field \"%s.%s\" must be a finite number", where,
                          f->name);
            return -1;
        }
        *(double *)(base + f->off) = d;
        return 0;
    }
    case PF_STRS:
        return s_strs(v, f, base, where, err);
    case PF_OBJ:
        return 0;
    }
    return 0;
}

int proto_map_decode(const msgpack_object *map, const proto_field_t *fields, int n, void *base,
                     proto_extra_t *extra, const msgpack_object **found, const char *where,
                     proto_err_t *err)
{
    if (map->type != MSGPACK_OBJECT_MAP) {
        proto_err_set(err, "bad_field", "field \"%s\" must be a map", where);
        return -1;
    }
    uint64_t seen = 0; /* tables hold fewer than 64 fields */
    for (int i = 0; i < n; i++)
        found[i] = NULL;
    int next = 0; /* our encoders write keys in table order: try that first */
    for (uint32_t k = 0; k < map->via.map.size; k++) {
        const msgpack_object *key = &map->via.map.ptr[k].key;
        const msgpack_object *val = &map->via.map.ptr[k].val;
        int i = 0;
        if (next < n && s_key_is(key, fields[next].name))
            i = next;
        else
            while (i < n && !s_key_is(key, fields[i].name))
                i++;
        if (i < n)
            next = i + 1;
        if (i == n) {
            proto_extra_add(extra, key, val);
            continue;
        }
        if (seen & (1ull << i)) {
            proto_err_set(err, "bad_field", "field \"%s.%s\" appears twice", where, fields[i].name);
            return -1;
        }
        seen |= 1ull << i;
        if (val->type == MSGPACK_OBJECT_NIL)
            continue;
        found[i] = val;
        if (s_field(val, &fields[i], base, where, err) < 0)
            return -1;
    }
    return 0;
}

int proto_unpack(const char *buf, size_t len, msgpack_zone *zone, msgpack_object *obj,
                 proto_err_t *err)
{
    if (!buf && len) {
        proto_err_set(err, "malformed", "no buffer");
        return -1;
    }
    if (proto_check(buf, len, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH, PROTO_MAX_ITEMS, PROTO_MAX_STRING,
                    err) < 0)
        return -1;
    size_t off = 0;
    msgpack_unpack_return r = msgpack_unpack(buf, len, &off, zone, obj);
    if (r != MSGPACK_UNPACK_SUCCESS) {
        /* Only out-of-memory can get here once proto_check passed. */
        proto_err_set(err, "malformed", "msgpack could not unpack the message (%d)", (int)r);
        return -1;
    }
    if (obj->type != MSGPACK_OBJECT_MAP) {
        proto_err_set(err, "not_a_map", "message is not a MessagePack map");
        return -1;
    }
    return 0;
}
