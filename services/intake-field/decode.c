/*
 * NAME
 *   decode - a field-app batch body (JSON or MessagePack) into a jansson tree
 *
 * DESCRIPTION
 *   See decode.h. The MessagePack-to-jansson walk is hand-written: msgpack-c
 *   has no JSON output that keeps types and refuses what JSON cannot hold.
 *   Its recursion is bounded by FIELD_MAX_DEPTH, which proto_check() has
 *   enforced on the raw bytes before msgpack_unpack() runs.
 *
 * DIAGNOSTICS
 *   Codes: invalid_json, too_deep, too_many_values, value_too_large (400),
 *   too_large (413), invalid_msgpack,
 *   unsupported_value, invalid_utf8, duplicate_key (400).
 */
#include "decode.h"

#include <msgpack.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "validate.h"

static void s_err(decode_err_t *err, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void s_err(decode_err_t *err, int status, const char *code, const char *fmt, ...)
{
    err->status = status;
    snprintf(err->code, sizeof err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* JSON                                                               */
/* ------------------------------------------------------------------ */

int decode_json_depth(const char *buf, size_t len, int limit)
{
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\')
                i++; /* whatever follows is escaped, also a quote */
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest)
                deepest = depth;
            if (deepest > limit)
                return deepest;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

json_t *decode_json(const char *buf, size_t len, decode_err_t *err)
{
    if (decode_json_depth(buf, len, FIELD_MAX_DEPTH) > FIELD_MAX_DEPTH) {
        s_err(err, 400, "too_deep", "De gegevens zijn te diep genest (meer dan %d niveaus).",
              FIELD_MAX_DEPTH);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        s_err(err, 400, "invalid_json", "Dit is geen geldige JSON (regel %d, teken %d).",
              jerr.line, jerr.column);
        return NULL;
    }
    return root;
}

/* ------------------------------------------------------------------ */
/* MessagePack                                                        */
/* ------------------------------------------------------------------ */

static json_t *s_value(const msgpack_object *o, decode_err_t *err);

static json_t *s_string(const char *p, uint32_t n, decode_err_t *err)
{
    if (!p) /* msgpack-c gives an empty str a NULL pointer (found by fuzz_field) */
        p = "";
    if (!utf8_valid(p, n)) {
        s_err(err, 400, "invalid_utf8", "Een tekst in de gegevens is geen geldige UTF-8.");
        return NULL;
    }
    return json_stringn(p, n);
}

static json_t *s_map(const msgpack_object_map *m, decode_err_t *err)
{
    json_t *obj = json_object();
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR) {
            s_err(err, 400, "unsupported_value", "Elke sleutel in een map moet tekst zijn.");
            goto fail;
        }
        const char *kp = k->via.str.ptr ? k->via.str.ptr : ""; /* NULL when empty */
        uint32_t kn = k->via.str.size;
        if (!utf8_valid(kp, kn) || memchr(kp, '\0', kn)) {
            s_err(err, 400, "invalid_utf8", "Een sleutel in de gegevens is geen geldige UTF-8.");
            goto fail;
        }
        char key[256];
        if (kn >= sizeof key) {
            s_err(err, 400, "unsupported_value", "Een sleutel is langer dan 255 tekens.");
            goto fail;
        }
        memcpy(key, kp, kn);
        key[kn] = '\0';
        if (json_object_get(obj, key)) {
            s_err(err, 400, "duplicate_key", "De sleutel \"%.60s\" staat twee keer in een map.",
                  key);
            goto fail;
        }
        json_t *v = s_value(&m->ptr[i].val, err);
        if (!v)
            goto fail;
        json_object_set_new(obj, key, v);
    }
    return obj;
fail:
    json_decref(obj);
    return NULL;
}

static json_t *s_value(const msgpack_object *o, decode_err_t *err)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return json_null();
    case MSGPACK_OBJECT_BOOLEAN:
        return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX)
            break;
        return json_integer((json_int_t)o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return json_integer((json_int_t)o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        /* jansson refuses NaN and infinities: so do we. */
        return json_real(o->via.f64);
    case MSGPACK_OBJECT_STR:
        return s_string(o->via.str.ptr, o->via.str.size, err);
    case MSGPACK_OBJECT_ARRAY: {
        json_t *arr = json_array();
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            json_t *v = s_value(&o->via.array.ptr[i], err);
            if (!v) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, v);
        }
        return arr;
    }
    case MSGPACK_OBJECT_MAP:
        return s_map(&o->via.map, err);
    default:
        break;
    }
    s_err(err, 400, "unsupported_value",
          "De gegevens bevatten een waarde die niet past (binair, extensie of te groot getal).");
    return NULL;
}

json_t *decode_msgpack(const char *buf, size_t len, size_t max_len, decode_err_t *err)
{
    proto_err_t perr;
    if (len > max_len) {
        s_err(err, 413, "too_large", "De batch is te groot (meer dan %zu bytes).", max_len);
        return NULL;
    }
    if (proto_check(buf, len, max_len, FIELD_MAX_DEPTH, FIELD_MAX_VALUES, FIELD_MAX_STRING,
                    &perr) < 0) {
        if (strcmp(perr.code, "too_large") == 0) /* one string over FIELD_MAX_STRING */
            s_err(err, 400, "value_too_large", "Een waarde in de batch is te groot (meer dan %d bytes).",
                  FIELD_MAX_STRING);
        else if (strcmp(perr.code, "too_deep") == 0)
            s_err(err, 400, "too_deep", "De gegevens zijn te diep genest (meer dan %d niveaus).",
                  FIELD_MAX_DEPTH);
        else if (strcmp(perr.code, "too_many_items") == 0)
            s_err(err, 400, "too_many_values", "De batch bevat te veel waarden (meer dan %d).",
                  FIELD_MAX_VALUES);
        else
            s_err(err, 400, "invalid_msgpack", "Dit is geen geldige MessagePack.");
        return NULL;
    }
    msgpack_zone zone;
    msgpack_zone_init(&zone, 4096);
    msgpack_object obj;
    size_t off = 0;
    json_t *root = NULL;
    msgpack_unpack_return r = msgpack_unpack(buf, len, &off, &zone, &obj);
    if (r == MSGPACK_UNPACK_SUCCESS && off == len) {
        /* A NaN float is the one case s_value returns NULL without a message. */
        s_err(err, 400, "unsupported_value", "De gegevens bevatten een ongeldig getal.");
        root = s_value(&obj, err);
    } else {
        s_err(err, 400, "invalid_msgpack", "Dit is geen geldige MessagePack.");
    }
    msgpack_zone_destroy(&zone);
    return root;
}
