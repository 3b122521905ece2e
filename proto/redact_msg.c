/*
 * NAME
 *   redact_msg - encode and decode the "redact" key of an update's idea
 *
 * DESCRIPTION
 *   The key lives in idea->extra (proto_extra_t: packed key, value, key,
 *   value, ...). To read it, proto_extra_find() unpacks the pairs with
 *   proto_unpack(), so the same limits and the same
 *   no-allocation-before-checking rule apply as to a whole message. To
 *   write it, a one-pair map {"redact": {...}} is encoded with the proto
 *   encoder (UTF-8 and limit checks included) and handed to
 *   proto_extra_replace().
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

/* The "redact" value into arg (a redact_msg_t): a proto_extra_fn_t. */
static int s_from(const msgpack_object *o, void *arg, proto_err_t *err)
{
    redact_msg_t *m = arg;
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
    int rc = proto_extra_find(&upd->extra, REDACT_MSG_KEY, s_from, m, err);
    if (rc < 0)
        redact_msg_clear(m);
    return rc;
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
    return proto_extra_replace(&upd->extra, REDACT_MSG_KEY, &enc);
}
