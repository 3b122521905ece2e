/*
 * NAME
 *   envelope - the message every service puts on the bus
 *
 * SUMMARY
 *   env_type_name() env_type_parse() envelope_init() envelope_clear()
 *   envelope_encode() envelope_decode()
 *
 * DESCRIPTION
 *   Keys in wire order: v type id origin sent_at idea participant reason
 *   raw, then unknown keys. All are written (nil where empty) so that
 *   fixtures compare byte for byte. "ids" (a batched ack) comes after raw
 *   and only when there are ids: a single-id ack keeps the bytes it
 *   always had, which every older reader understands.
 *
 *   The version is read before anything else: a message of another
 *   version may use the other keys differently, so nothing of it is
 *   interpreted. Missing "v" is missing_field; a "v" that is not
 *   PROTO_VERSION is unknown_version (storage files it as dead letter).
 *   "idea" is required for the types idea, classified and stored.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"
#include "xalloc.h"

enum { F_V, F_TYPE, F_ID, F_ORIGIN, F_SENT_AT, F_IDEA, F_PARTICIPANT, F_REASON, F_RAW, F_IDS };

static const proto_field_t s_fields[] = {
    {"v", PF_OBJ, 0, 0, 0},
    {"type", PF_OBJ, 0, 0, 0},
    {"id", PF_STR, offsetof(envelope_t, id), 0, 0},
    {"origin", PF_STR, offsetof(envelope_t, origin), 0, 0},
    {"sent_at", PF_INT, offsetof(envelope_t, sent_at), 0, 0},
    {"idea", PF_OBJ, 0, 0, 0},
    {"participant", PF_OBJ, 0, 0, 0},
    {"reason", PF_STR, offsetof(envelope_t, reason), 0, 0},
    {"raw", PF_OBJ, 0, 0, 0},
    {"ids", PF_OBJ, 0, 0, 0},
};
#define N_FIELDS (int)(sizeof(s_fields) / sizeof(s_fields[0]))
#define N_ALWAYS (N_FIELDS - 1) /* every key but "ids" is always written */

static const char *const s_type_names[] = {"none",   "idea", "classified", "ack",
                                           "stored", "dead", "update"};
#define N_TYPES (int)(sizeof(s_type_names) / sizeof(s_type_names[0]))

const char *env_type_name(env_type_t t)
{
    if ((int)t <= 0 || (int)t >= N_TYPES)
        return "none";
    return s_type_names[t];
}

env_type_t env_type_parse(const char *name)
{
    for (int i = 1; name && i < N_TYPES; i++)
        if (strcmp(name, s_type_names[i]) == 0)
            return (env_type_t)i;
    return ENV_NONE;
}

void envelope_init(envelope_t *e)
{
    memset(e, 0, sizeof(*e));
    e->version = PROTO_VERSION;
}

static void s_ids_free(envelope_t *e)
{
    for (int i = 0; i < e->n_ids; i++)
        free(e->ids[i]);
    free(e->ids);
    e->ids = NULL;
    e->n_ids = 0;
}

void envelope_clear(envelope_t *e)
{
    if (e->idea) {
        idea_clear(e->idea);
        free(e->idea);
    }
    if (e->participant) {
        participant_clear(e->participant);
        free(e->participant);
    }
    free(e->id);
    free(e->origin);
    free(e->reason);
    free(e->raw);
    s_ids_free(e);
    proto_extra_clear(&e->extra);
    envelope_init(e);
}

int envelope_encode(const envelope_t *e, char **buf, size_t *len, proto_err_t *err)
{
    proto_enc_t enc;
    proto_enc_init(&enc, err);
    msgpack_packer *pk = &enc.pk;
    if (e->type <= ENV_NONE || (int)e->type >= N_TYPES)
        proto_enc_fail(&enc, "bad_field", "envelope has no valid type (%d)", (int)e->type);
    msgpack_pack_map(pk, (size_t)N_ALWAYS + (e->n_ids > 0) + e->extra.count);
    proto_enc_key(&enc, "v");
    msgpack_pack_int(pk, e->version ? e->version : PROTO_VERSION);
    proto_enc_str(&enc, "envelope", "type", env_type_name(e->type));
    proto_enc_str(&enc, "envelope", "id", e->id);
    proto_enc_str(&enc, "envelope", "origin", e->origin);
    proto_enc_key(&enc, "sent_at");
    msgpack_pack_int64(pk, e->sent_at);
    proto_enc_key(&enc, "idea");
    if (e->idea)
        proto_idea_pack(&enc, e->idea);
    else
        msgpack_pack_nil(pk);
    proto_enc_key(&enc, "participant");
    if (e->participant)
        proto_participant_pack(&enc, e->participant);
    else
        msgpack_pack_nil(pk);
    proto_enc_str(&enc, "envelope", "reason", e->reason);
    proto_enc_key(&enc, "raw");
    if (e->raw) {
        if (e->raw_len > PROTO_MAX_STRING)
            proto_enc_fail(&enc, "too_large", "field \"envelope.raw\" is longer than %u bytes",
                           PROTO_MAX_STRING);
        else
            msgpack_pack_bin_with_body(pk, e->raw, e->raw_len);
    } else
        msgpack_pack_nil(pk);
    if (e->n_ids > 0)
        proto_enc_strs(&enc, "envelope", "ids", e->ids, e->n_ids, PROTO_MAX_ACK_IDS);
    proto_enc_raw(&enc, e->extra.buf, e->extra.len);
    return proto_enc_finish(&enc, buf, len);
}

/* Finds "v" before anything else is looked at. */
static int s_version(const msgpack_object *map, proto_err_t *err)
{
    const msgpack_object *v = NULL;
    for (uint32_t k = 0; k < map->via.map.size && !v; k++) {
        const msgpack_object *key = &map->via.map.ptr[k].key;
        if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == 1 && key->via.str.ptr[0] == 'v')
            v = &map->via.map.ptr[k].val;
    }
    if (!v || v->type == MSGPACK_OBJECT_NIL) {
        proto_err_set(err, "missing_field", "envelope has no version (\"v\")");
        return -1;
    }
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (v->via.u64 == PROTO_VERSION)
            return 0;
        proto_err_set(err, "unknown_version",
                      "envelope version %" PRIu64 " is not supported (this build reads %d)",
                      v->via.u64, PROTO_VERSION);
        return -1;
    }
    if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        proto_err_set(err, "unknown_version",
                      "envelope version %" PRId64 " is not supported (this build reads %d)",
                      v->via.i64, PROTO_VERSION);
        return -1;
    }
    proto_err_set(err, "bad_field", "field \"envelope.v\" must be an integer");
    return -1;
}

static int s_type(const msgpack_object *v, envelope_t *e, proto_err_t *err)
{
    if (!v) {
        proto_err_set(err, "missing_field", "envelope has no \"type\"");
        return -1;
    }
    if (v->type == MSGPACK_OBJECT_STR) {
        for (int i = 1; i < N_TYPES; i++)
            if (v->via.str.size == strlen(s_type_names[i]) &&
                memcmp(v->via.str.ptr, s_type_names[i], v->via.str.size) == 0) {
                e->type = (env_type_t)i;
                return 0;
            }
    }
    proto_err_set(err, "bad_field",
                  "field \"envelope.type\" must be one of idea, classified, ack, stored, dead, update");
    return -1;
}

/* A batched ack's "ids": an array of 1..PROTO_MAX_ACK_IDS strings, only
 * on an ack (on another type it would be a key we misread). */
static int s_ids(const msgpack_object *v, envelope_t *e, proto_err_t *err)
{
    if (!v)
        return 0;
    if (e->type != ENV_ACK || v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size == 0 ||
        v->via.array.size > PROTO_MAX_ACK_IDS) {
        proto_err_set(err, "bad_field",
                      "field \"envelope.ids\" must be an array of 1 to %d strings, on an ack",
                      PROTO_MAX_ACK_IDS);
        return -1;
    }
    e->ids = xcalloc(v->via.array.size, sizeof *e->ids);
    for (uint32_t i = 0; i < v->via.array.size; i++) {
        char *s = proto_obj_str(&v->via.array.ptr[i], "envelope", "ids", err);
        if (!s)
            return -1; /* envelope_clear() frees the ones before it */
        e->ids[e->n_ids++] = s;
    }
    return 0;
}

/* The parts that are maps or bin: idea, participant, raw; and ids. */
static int s_parts(const msgpack_object **found, envelope_t *e, proto_err_t *err)
{
    if (found[F_IDEA]) {
        e->idea = xmalloc(sizeof(*e->idea));
        if (proto_idea_from(found[F_IDEA], e->idea, err) < 0)
            return -1;
    } else if (e->type == ENV_IDEA || e->type == ENV_CLASSIFIED || e->type == ENV_STORED ||
               e->type == ENV_UPDATE) {
        proto_err_set(err, "missing_field", "envelope of type %s has no \"idea\"",
                      env_type_name(e->type));
        return -1;
    }
    if (found[F_PARTICIPANT]) {
        e->participant = xmalloc(sizeof(*e->participant));
        if (proto_participant_from(found[F_PARTICIPANT], e->participant, err) < 0)
            return -1;
    }
    const msgpack_object *raw = found[F_RAW];
    if (raw) {
        if (raw->type != MSGPACK_OBJECT_BIN) {
            proto_err_set(err, "bad_field", "field \"envelope.raw\" must be bin");
            return -1;
        }
        e->raw_len = raw->via.bin.size;
        e->raw = xmalloc(e->raw_len ? e->raw_len : 1);
        if (e->raw_len)
            memcpy(e->raw, raw->via.bin.ptr, e->raw_len);
    }
    return s_ids(found[F_IDS], e, err);
}

int envelope_decode(const char *buf, size_t len, envelope_t *e, proto_err_t *err)
{
    msgpack_zone zone;
    msgpack_object obj;
    const msgpack_object *found[N_FIELDS];
    envelope_init(e);
    msgpack_zone_init(&zone, 4096);
    int rc = proto_unpack(buf, len, &zone, &obj, err);
    if (rc == 0)
        rc = s_version(&obj, err);
    if (rc == 0)
        rc = proto_map_decode(&obj, s_fields, N_FIELDS, e, &e->extra, found, "envelope", err);
    if (rc == 0)
        rc = s_type(found[F_TYPE], e, err);
    if (rc == 0)
        rc = s_parts(found, e, err);
    if (rc < 0)
        envelope_clear(e);
    msgpack_zone_destroy(&zone);
    return rc;
}

bool envelope_acks(const envelope_t *e, const char *id)
{
    if (!e || e->type != ENV_ACK || !id)
        return false;
    if (e->id && strcmp(e->id, id) == 0)
        return true;
    for (int i = 0; i < e->n_ids; i++)
        if (strcmp(e->ids[i], id) == 0)
            return true;
    return false;
}

int envelope_set_acks(envelope_t *e, const char *const *ids, int n)
{
    if (n < 1 || n > PROTO_MAX_ACK_IDS)
        return -1;
    e->type = ENV_ACK;
    proto_set(&e->id, ids[0]);
    s_ids_free(e);
    if (n > 1) {
        e->ids = xcalloc((size_t)n, sizeof *e->ids);
        for (int i = 0; i < n; i++)
            e->ids[i] = xstrdup(ids[i] ? ids[i] : "");
        e->n_ids = n;
    }
    return 0;
}
