/*
 * NAME
 *   idea - the idea record: lifetime, copy and MessagePack codec
 *
 * SUMMARY
 *   idea_init() idea_clear() idea_copy() proto_set() idea_add_theme()
 *   idea_add_pii() idea_encode() idea_decode()
 *
 * DESCRIPTION
 *   The record is written with ALL its keys, in the order of proto.h and
 *   docs/proto.md, nil where unknown, so every stored record has one shape
 *   and a reader never has to guess whether a key was forgotten or empty.
 *   Unknown keys follow the known ones. Reading is lenient about missing
 *   keys and nil (both mean "unknown") and strict about types.
 *
 * DIAGNOSTICS
 *   idea_decode(): the codes of proto_check(), not_a_map, and bad_field
 *   (wrong type, invalid UTF-8, too many themes/pii, a key twice, lat
 *   without lon, start without end).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"
#include "xalloc.h"

enum { SRC_START = 2, SRC_END = 3 };

static const proto_field_t s_source_fields[] = {
    {"message_id", PF_STR, offsetof(idea_source_t, message_id), 0, 0},
    {"video_id", PF_STR, offsetof(idea_source_t, video_id), 0, 0},
    {"start", PF_NUM, offsetof(idea_source_t, start), 0, 0},
    {"end", PF_NUM, offsetof(idea_source_t, end), 0, 0},
    {"device_id", PF_STR, offsetof(idea_source_t, device_id), 0, 0},
    {"local_id", PF_STR, offsetof(idea_source_t, local_id), 0, 0},
    {"context", PF_STR, offsetof(idea_source_t, context), 0, 0},
    {"idempotency_key", PF_STR, offsetof(idea_source_t, idempotency_key), 0, 0},
    {"subject", PF_STR, offsetof(idea_source_t, subject), 0, 0},
    {"video_url", PF_STR, offsetof(idea_source_t, video_url), 0, 0},
    {"attachments", PF_OBJ, 0, 0, 0},
};
#define N_SOURCE (int)(sizeof(s_source_fields) / sizeof(s_source_fields[0]))

enum { SRC_ATTACHMENTS = 10 };

static const proto_field_t s_attachment_fields[] = {
    {"name", PF_STR, offsetof(idea_attachment_t, name), 0, 0},
    {"type", PF_STR, offsetof(idea_attachment_t, type), 0, 0},
    {"size", PF_INT, offsetof(idea_attachment_t, size), 0, 0},
};
#define N_ATTACHMENT (int)(sizeof(s_attachment_fields) / sizeof(s_attachment_fields[0]))

enum { IDEA_LAT = 7, IDEA_LON = 8, IDEA_SOURCE = 13 };

static const proto_field_t s_idea_fields[] = {
    {"id", PF_STR, offsetof(idea_t, id), 0, 0},
    {"channel", PF_STR, offsetof(idea_t, channel), 0, 0},
    {"activity", PF_STR, offsetof(idea_t, activity), 0, 0},
    {"target_group", PF_STR, offsetof(idea_t, target_group), 0, 0},
    {"received_at", PF_INT, offsetof(idea_t, received_at), 0, 0},
    {"text", PF_STR, offsetof(idea_t, text), 0, 0},
    {"title", PF_STR, offsetof(idea_t, title), 0, 0},
    {"lat", PF_NUM, offsetof(idea_t, lat), 0, 0},
    {"lon", PF_NUM, offsetof(idea_t, lon), 0, 0},
    {"wijk", PF_STR, offsetof(idea_t, wijk), 0, 0},
    {"buurt", PF_STR, offsetof(idea_t, buurt), 0, 0},
    {"postcode", PF_STR, offsetof(idea_t, postcode), 0, 0},
    {"question", PF_STR, offsetof(idea_t, question), 0, 0},
    {"source", PF_OBJ, 0, 0, 0},
    {"participant_id", PF_STR, offsetof(idea_t, participant_id), 0, 0},
    {"themes", PF_STRS, offsetof(idea_t, themes), offsetof(idea_t, n_themes), PROTO_MAX_THEMES},
    {"sentiment", PF_STR, offsetof(idea_t, sentiment), 0, 0},
    {"language", PF_STR, offsetof(idea_t, language), 0, 0},
    {"cluster", PF_STR, offsetof(idea_t, cluster), 0, 0},
    {"pii", PF_STRS, offsetof(idea_t, pii), offsetof(idea_t, n_pii), PROTO_MAX_PII},
    {"status", PF_STR, offsetof(idea_t, status), 0, 0},
    {"classified", PF_BOOL, offsetof(idea_t, classified), 0, 0},
};
#define N_IDEA (int)(sizeof(s_idea_fields) / sizeof(s_idea_fields[0]))

/* --- lifetime --- */

void idea_init(idea_t *idea)
{
    memset(idea, 0, sizeof(*idea));
}

static void s_free_strs(const proto_field_t *fields, int n, void *base)
{
    for (int i = 0; i < n; i++) {
        char *b = (char *)base;
        if (fields[i].kind == PF_STR) {
            free(*(char **)(b + fields[i].off));
        } else if (fields[i].kind == PF_STRS) {
            char **arr = (char **)(b + fields[i].off);
            for (int k = 0; k < fields[i].max; k++)
                free(arr[k]);
        }
    }
}

static void s_attachments_clear(idea_source_t *s)
{
    for (int i = 0; i < s->n_attachments; i++) {
        free(s->attachments[i].name);
        free(s->attachments[i].type);
        proto_extra_clear(&s->attachments[i].extra);
    }
    free(s->attachments);
    s->attachments = NULL;
    s->n_attachments = 0;
}

void idea_clear(idea_t *idea)
{
    s_attachments_clear(&idea->source);
    s_free_strs(s_source_fields, N_SOURCE, &idea->source);
    s_free_strs(s_idea_fields, N_IDEA, idea);
    proto_extra_clear(&idea->source.extra);
    proto_extra_clear(&idea->extra);
    idea_init(idea);
}

/* Copies scalars wholesale, then replaces every string pointer by a copy. */
static void s_dup_strs(const proto_field_t *fields, int n, void *base)
{
    for (int i = 0; i < n; i++) {
        char *b = (char *)base;
        if (fields[i].kind == PF_STR) {
            char **p = (char **)(b + fields[i].off);
            *p = xstrdup(*p);
        } else if (fields[i].kind == PF_STRS) {
            char **arr = (char **)(b + fields[i].off);
            for (int k = 0; k < fields[i].max; k++)
                arr[k] = xstrdup(arr[k]);
        }
    }
}

void idea_copy(idea_t *dst, const idea_t *src)
{
    if (dst == src)
        return;
    *dst = *src;
    s_dup_strs(s_idea_fields, N_IDEA, dst);
    s_dup_strs(s_source_fields, N_SOURCE, &dst->source);
    proto_extra_copy(&dst->extra, &src->extra);
    proto_extra_copy(&dst->source.extra, &src->source.extra);
    dst->source.attachments = NULL;
    dst->source.n_attachments = 0;
    for (int i = 0; i < src->source.n_attachments; i++) {
        const idea_attachment_t *a = &src->source.attachments[i];
        idea_add_attachment(dst, a->name, a->type, a->size);
        proto_extra_copy(&dst->source.attachments[i].extra, &a->extra);
    }
}

bool idea_cluster_ok(const char *cluster)
{
    size_t n = cluster ? strlen(cluster) : 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)cluster[i] <= 0x20 || (unsigned char)cluster[i] >= 0x7f)
            return false;
    return n > 0 && n < PROTO_MAX_CLUSTER;
}

bool idea_id_ok(const char *id)
{
    return idea_cluster_ok(id);
}

/* Values become parts of storage's key names (its index sets): lowercase
 * letters, digits, '_', '-' and capitals (wijk codes), at most 64 bytes. */
static int s_key_safe(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", v[i]))
            return 0;
    return 1;
}

int idea_update_check(const idea_t *upd, char *err, size_t errlen)
{
    static const char *const st[] = {"new", "approved", "hidden"};
    static const char *const se[] = {"", "positief", "neutraal", "negatief"};
    int ok_st = 0, ok_se = 0;
    for (size_t i = 0; i < 3; i++)
        ok_st |= upd->status && strcmp(upd->status, st[i]) == 0;
    for (size_t i = 0; i < 4; i++)
        ok_se |= strcmp(upd->sentiment ? upd->sentiment : "", se[i]) == 0;
    int ok_q = !upd->question || strcmp(upd->question, "nu") == 0 ||
               strcmp(upd->question, "toekomst") == 0;
    int ok = upd->id && *upd->id && ok_st && ok_se && ok_q && s_key_safe(upd->wijk) &&
             (!upd->wijk || !*upd->wijk || strncmp(upd->wijk, "WK", 2) == 0);
    for (int k = 0; ok && k < upd->n_themes; k++)
        ok = upd->themes[k] && *upd->themes[k] && s_key_safe(upd->themes[k]) &&
             strcmp(upd->themes[k], "none") != 0;
    ok = ok && (!upd->cluster || idea_cluster_ok(upd->cluster));
    /* Only a cluster, no status: a whole group moved (the dashboard's
     * cluster page); the other fields stay as they are. */
    if (!upd->status && upd->cluster && upd->id && *upd->id)
        ok = idea_cluster_ok(upd->cluster);
    if (!ok && err && errlen)
        snprintf(err, errlen,
                 "update with a bad id, status, sentiment, question, wijk, theme or cluster");
    return ok ? 0 : -1;
}

void proto_set(char **field, const char *value)
{
    char *copy = xstrdup(value); /* first: value may point into *field */
    free(*field);
    *field = copy;
}

static int s_add(char **arr, int *n, int max, const char *s)
{
    if (!s || *n >= max)
        return -1;
    for (int i = 0; i < *n; i++)
        if (strcmp(arr[i], s) == 0)
            return -1;
    arr[(*n)++] = xstrdup(s);
    return 0;
}

int idea_add_theme(idea_t *idea, const char *theme)
{
    return s_add(idea->themes, &idea->n_themes, PROTO_MAX_THEMES, theme);
}

int idea_add_pii(idea_t *idea, const char *flag)
{
    return s_add(idea->pii, &idea->n_pii, PROTO_MAX_PII, flag);
}

int idea_add_attachment(idea_t *idea, const char *name, const char *type, int64_t size)
{
    idea_source_t *s = &idea->source;
    if (s->n_attachments >= PROTO_MAX_ATTACHMENTS)
        return -1;
    /* at most 20 entries: grown one at a time, no capacity to keep */
    s->attachments =
        xrealloc(s->attachments, (size_t)(s->n_attachments + 1) * sizeof *s->attachments);
    s->attachments[s->n_attachments++] =
        (idea_attachment_t){.name = xstrdup(name), .type = xstrdup(type), .size = size};
    return 0;
}

/* --- encoding --- */

static void s_num(proto_enc_t *enc, const char *key, bool has, double v)
{
    proto_enc_key(enc, key);
    if (has)
        msgpack_pack_double(&enc->pk, v);
    else
        msgpack_pack_nil(&enc->pk);
}

static void s_source_pack(proto_enc_t *enc, const idea_source_t *s)
{
    const char *w = "idea.source";
    msgpack_pack_map(&enc->pk, (size_t)N_SOURCE + s->extra.count);
    proto_enc_str(enc, w, "message_id", s->message_id);
    proto_enc_str(enc, w, "video_id", s->video_id);
    s_num(enc, "start", s->has_times, s->start);
    s_num(enc, "end", s->has_times, s->end);
    proto_enc_str(enc, w, "device_id", s->device_id);
    proto_enc_str(enc, w, "local_id", s->local_id);
    proto_enc_str(enc, w, "context", s->context);
    proto_enc_str(enc, w, "idempotency_key", s->idempotency_key);
    proto_enc_str(enc, w, "subject", s->subject);
    proto_enc_str(enc, w, "video_url", s->video_url);
    proto_enc_key(enc, "attachments");
    if (s->n_attachments > PROTO_MAX_ATTACHMENTS) {
        proto_enc_fail(enc, "bad_field", "field \"%s.attachments\" holds more than %d entries", w,
                       PROTO_MAX_ATTACHMENTS);
    } else if (s->n_attachments > 0) {
        msgpack_pack_array(&enc->pk, (size_t)s->n_attachments);
        for (int i = 0; i < s->n_attachments; i++) {
            const idea_attachment_t *a = &s->attachments[i];
            const char *wa = "idea.source.attachments";
            msgpack_pack_map(&enc->pk, (size_t)N_ATTACHMENT + a->extra.count);
            proto_enc_str(enc, wa, "name", a->name);
            proto_enc_str(enc, wa, "type", a->type);
            proto_enc_key(enc, "size");
            msgpack_pack_int64(&enc->pk, a->size);
            proto_enc_raw(enc, a->extra.buf, a->extra.len);
        }
    } else
        msgpack_pack_nil(&enc->pk); /* none: nil, like every empty key of source */
    proto_enc_raw(enc, s->extra.buf, s->extra.len);
}

void proto_idea_pack(proto_enc_t *enc, const idea_t *idea)
{
    const char *w = "idea";
    msgpack_packer *pk = &enc->pk;
    msgpack_pack_map(pk, (size_t)N_IDEA + idea->extra.count);
    proto_enc_str(enc, w, "id", idea->id);
    proto_enc_str(enc, w, "channel", idea->channel);
    proto_enc_str(enc, w, "activity", idea->activity);
    proto_enc_str(enc, w, "target_group", idea->target_group);
    proto_enc_key(enc, "received_at");
    msgpack_pack_int64(pk, idea->received_at);
    proto_enc_str(enc, w, "text", idea->text);
    proto_enc_str(enc, w, "title", idea->title);
    s_num(enc, "lat", idea->has_location, idea->lat);
    s_num(enc, "lon", idea->has_location, idea->lon);
    proto_enc_str(enc, w, "wijk", idea->wijk);
    proto_enc_str(enc, w, "buurt", idea->buurt);
    proto_enc_str(enc, w, "postcode", idea->postcode);
    proto_enc_str(enc, w, "question", idea->question);
    proto_enc_key(enc, "source");
    s_source_pack(enc, &idea->source);
    proto_enc_str(enc, w, "participant_id", idea->participant_id);
    proto_enc_strs(enc, w, "themes", idea->themes, idea->n_themes, PROTO_MAX_THEMES);
    proto_enc_str(enc, w, "sentiment", idea->sentiment);
    proto_enc_str(enc, w, "language", idea->language);
    proto_enc_str(enc, w, "cluster", idea->cluster);
    proto_enc_strs(enc, w, "pii", idea->pii, idea->n_pii, PROTO_MAX_PII);
    proto_enc_str(enc, w, "status", idea->status);
    proto_enc_key(enc, "classified");
    if (idea->classified)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    proto_enc_raw(enc, idea->extra.buf, idea->extra.len);
}

int idea_encode(const idea_t *idea, char **buf, size_t *len, proto_err_t *err)
{
    proto_enc_t enc;
    proto_enc_init(&enc, err);
    proto_idea_pack(&enc, idea);
    return proto_enc_finish(&enc, buf, len);
}

/* --- decoding --- */

/* Two numbers that only mean something together (lat/lon, start/end). */
static int s_pair(const msgpack_object *a, const msgpack_object *b, const char *where,
                  const char *na, const char *nb, bool *has, proto_err_t *err)
{
    if (!a != !b) {
        proto_err_set(err, "bad_field", "fields \"%s.%s\" and \"%s.%s\" go together", where, na,
                      where, nb);
        return -1;
    }
    *has = a != NULL;
    return 0;
}

/* source.attachments: an array of at most PROTO_MAX_ATTACHMENTS maps
 * {name str, type str, size int >= 0}, each key nil or missing allowed. */
static int s_attachments_from(const msgpack_object *v, idea_source_t *s, proto_err_t *err)
{
    const char *w = "idea.source.attachments";
    if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > PROTO_MAX_ATTACHMENTS) {
        proto_err_set(err, "bad_field", "field \"%s\" must be an array of at most %d maps", w,
                      PROTO_MAX_ATTACHMENTS);
        return -1;
    }
    if (v->via.array.size == 0)
        return 0;
    s->attachments = xcalloc(v->via.array.size, sizeof *s->attachments);
    for (uint32_t i = 0; i < v->via.array.size; i++) {
        idea_attachment_t *a = &s->attachments[s->n_attachments++]; /* freed by idea_clear */
        const msgpack_object *found[N_ATTACHMENT];
        if (proto_map_decode(&v->via.array.ptr[i], s_attachment_fields, N_ATTACHMENT, a, &a->extra,
                             found, w, err) < 0)
            return -1;
        if (a->size < 0) {
            proto_err_set(err, "bad_field", "field \"%s.size\" must not be negative", w);
            return -1;
        }
    }
    return 0;
}

int proto_idea_from(const msgpack_object *obj, idea_t *idea, proto_err_t *err)
{
    const msgpack_object *found[N_IDEA];
    const msgpack_object *sfound[N_SOURCE];
    idea_init(idea);
    if (proto_map_decode(obj, s_idea_fields, N_IDEA, idea, &idea->extra, found, "idea", err) < 0)
        goto fail;
    if (s_pair(found[IDEA_LAT], found[IDEA_LON], "idea", "lat", "lon", &idea->has_location, err) <
        0)
        goto fail;
    if (idea->has_location &&
        (idea->lat < -90 || idea->lat > 90 || idea->lon < -180 || idea->lon > 180)) {
        proto_err_set(err, "bad_field", "fields \"idea.lat\"/\"idea.lon\" are out of range");
        goto fail;
    }
    if (found[IDEA_SOURCE]) {
        idea_source_t *s = &idea->source;
        if (proto_map_decode(found[IDEA_SOURCE], s_source_fields, N_SOURCE, s, &s->extra, sfound,
                             "idea.source", err) < 0)
            goto fail;
        if (s_pair(sfound[SRC_START], sfound[SRC_END], "idea.source", "start", "end", &s->has_times,
                   err) < 0)
            goto fail;
        if (sfound[SRC_ATTACHMENTS] && s_attachments_from(sfound[SRC_ATTACHMENTS], s, err) < 0)
            goto fail;
    }
    return 0;
fail:
    idea_clear(idea);
    return -1;
}

int idea_decode(const char *buf, size_t len, idea_t *idea, proto_err_t *err)
{
    msgpack_zone zone;
    msgpack_object obj;
    msgpack_zone_init(&zone, 2048);
    int rc = proto_unpack(buf, len, &zone, &obj, err);
    if (rc == 0)
        rc = proto_idea_from(&obj, idea, err);
    else
        idea_init(idea);
    msgpack_zone_destroy(&zone);
    return rc;
}
