/*
 * NAME
 *   proto - the inspraak message schema: envelope and idea record, MessagePack
 *
 * SUMMARY
 *   #include "proto.h"
 *
 * DESCRIPTION
 *   Every message on the bus is one MessagePack map, the envelope:
 *
 *     {"v": 1, "type": "idea"|"classified"|"ack"|"stored"|"dead"|"update",
 *      "id": str, "origin": str, "sent_at": int (ms since epoch, UTC),
 *      "idea": {...idea record...}          (idea, classified, stored, update)
 *      "participant": {...} | nil           (idea, classified: personal data,
 *                                            never written into the idea)
 *      "reason": str, "raw": bin            (dead: why, and the bytes)
 *      "ids": [str, ...]                    (ack only, optional: a batch)
 *      ...unknown keys are kept...}
 *
 *   An ack acknowledges its "id" and, when it has "ids", every id listed
 *   there (storage acknowledges a whole batch in one message; "id" is then
 *   the batch's first id, so a reader that knows only "id" still gets
 *   that one, and re-sends the rest, which storage ignores). A single-id
 *   ack has no "ids" key at all: its bytes are those of the older form.
 *   envelope_acks() answers "does this ack cover id?" for both forms.
 *
 *   The idea record (also the value stored in Redis) is a map with ALL of
 *   these keys, nil where unknown (docs/proto.md is the long form):
 *
 *     id channel activity target_group received_at(int ms) text title
 *     lat lon (float64 or nil) wijk buurt postcode question
 *     source {message_id video_id start end device_id local_id context
 *             idempotency_key subject video_url attachments}
 *            (start/end float64 s or nil; attachments nil or an array of
 *             at most 20 maps {name type size})
 *     participant_id themes[str,<=3] sentiment language cluster pii[str,<=8]
 *     status classified(bool)
 *
 *   Unknown keys (in the envelope, the idea, the source and the participant)
 *   are kept as raw MessagePack and written back on encode, so an older
 *   service passes newer fields through untouched. An envelope whose "v" is
 *   not PROTO_VERSION is rejected with code "unknown_version".
 *
 *   Decoding checks the limits below on the raw bytes BEFORE msgpack-c
 *   allocates anything (msgpack-c reserves memory for a container from its
 *   declared count; a 5-byte array32 header would otherwise ask for
 *   gigabytes). Functions are pure: buffers in, buffers out, no I/O.
 *
 * OWNERSHIP
 *   Strings inside idea_t/participant_t/envelope_t are malloc'd and owned by
 *   the struct; free them with the matching *_clear(). Encoders return a
 *   malloc'd buffer the caller frees.
 */
#ifndef INSPRAAK_PROTO_H
#define INSPRAAK_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_MAX_MESSAGE (2u * 1024 * 1024) /* bytes in one message */
#define PROTO_MAX_DEPTH 8                    /* nesting of maps/arrays */
#define PROTO_MAX_ITEMS 4096                 /* all map pairs + array items in one message */
#define PROTO_MAX_STRING (1024u * 1024)      /* one str or bin */
#define PROTO_MAX_THEMES 3
#define PROTO_MAX_PII 8
#define PROTO_MAX_ACK_IDS 1024 /* ids in one batched ack */

/* Error on decode: a stable English slug and a sentence for logs. */
typedef struct {
    char code[32];   /* too_large, too_deep, too_many_items, malformed, not_a_map,
                        unknown_version, bad_field, missing_field */
    char message[200];
} proto_err_t;

/* Unknown key/value pairs, kept as packed MessagePack (key, value, key, ...). */
typedef struct {
    char *buf;
    size_t len;
    uint32_t count; /* number of pairs */
} proto_extra_t;

/* An attachment of a mail: listed, never stored (INTERFACES.md "Email"). */
#define PROTO_MAX_ATTACHMENTS 20
typedef struct {
    char *name;   /* UTF-8 file name as the sender gave it, may be NULL */
    char *type;   /* MIME type, e.g. "application/pdf", may be NULL */
    int64_t size; /* decoded bytes (0 when unknown) */
    proto_extra_t extra;
} idea_attachment_t;

typedef struct {
    char *message_id;      /* email */
    char *subject;         /* email */
    char *video_id;        /* transcript */
    bool has_times;
    double start, end;     /* transcript, seconds */
    char *context;         /* transcript: the question the interviewer asked */
    char *device_id;       /* field */
    char *local_id;        /* field */
    char *idempotency_key; /* form */
    char *video_url;       /* transcript: where the video can be watched */
    idea_attachment_t *attachments; /* email: n_attachments entries, owned */
    int n_attachments;              /* 0..PROTO_MAX_ATTACHMENTS */
    proto_extra_t extra;
} idea_source_t;

typedef struct {
    char *id;
    char *channel;      /* form|email|transcript|field */
    char *activity;     /* ideeenbus, wijkgesprek, omgevingsvisietour, ... */
    char *target_group; /* inwoner|professional|buurtorganisatie or NULL */
    int64_t received_at; /* ms since epoch, UTC */
    char *text;
    char *title;
    bool has_location;
    double lat, lon;
    char *wijk;     /* CBS code WK0917xx or NULL */
    char *buurt;    /* CBS code BU0917xxxx or NULL */
    char *postcode; /* as given, normalised "6411AB" or "6411", or NULL */
    char *question; /* nu|toekomst or NULL */
    idea_source_t source;
    char *participant_id;
    char *themes[PROTO_MAX_THEMES];
    int n_themes;
    char *sentiment; /* positief|neutraal|negatief or NULL */
    char *language;  /* ISO 639-1, e.g. "nl", or NULL */
    char *cluster;
    char *pii[PROTO_MAX_PII];
    int n_pii;
    char *status; /* moderation: new|approved|hidden */
    bool classified;
    proto_extra_t extra;
} idea_t;

typedef struct {
    char *name;
    char *email;
    bool consent_feedback;
    int64_t consent_at;    /* ms, 0 when no consent */
    char *consent_purpose; /* e.g. "feedback omgevingsvisie" */
    proto_extra_t extra;
} participant_t;

typedef enum {
    ENV_NONE = 0,
    ENV_IDEA,       /* intake -> classifier */
    ENV_CLASSIFIED, /* classifier -> storage */
    ENV_ACK,        /* storage -> intake (PUB topic "ack.<origin>") */
    ENV_STORED,     /* storage -> anyone (PUB topic "stored") */
    ENV_DEAD,       /* classifier -> storage: could not be read */
    ENV_UPDATE      /* dashboard -> storage: moderation of a stored idea; the
                       idea holds the id and the moderated fields status,
                       themes, wijk, sentiment (all four: nil/empty clears),
                       question (nu|toekomst; nil keeps it)
                       and, when staff moved it to another near-duplicate
                       cluster, cluster (then dashboard -> classifier ->
                       storage: the classifier moves its sketch too); a
                       save from the idea page also carries the version
                       staff saw, "was" (idea_version.h) */
} env_type_t;

typedef struct {
    int version;
    env_type_t type;
    char *id;
    char *origin;    /* service.instance that spooled it, e.g. "intake-form.0" */
    int64_t sent_at; /* ms */
    idea_t *idea;             /* owned, may be NULL */
    participant_t *participant; /* owned, may be NULL */
    char *reason;    /* ENV_DEAD */
    char *raw;       /* ENV_DEAD: the unreadable bytes */
    size_t raw_len;
    char **ids;      /* ENV_ACK batch: n_ids ids (the first is also in id), owned;
                        NULL and 0 for a single-id ack */
    int n_ids;       /* 0..PROTO_MAX_ACK_IDS */
    proto_extra_t extra;
} envelope_t;

/* --- ids (DESIGN.md contract 2: stable ids from the source) --- */
#define PROTO_ID_SIZE 24
/* Writes "<c>-<16 hex>" into out, c = first letter of channel (f, e, t, v for
 * field: "veld"). With source_key, the hex is the first 8 bytes of
 * BLAKE2b("<channel>:<source_key>") so the same source gives the same id;
 * with source_key NULL it is random (libsodium). */
void proto_derive_id(const char *channel, const char *source_key, char out[PROTO_ID_SIZE]);

/* --- idea record --- */
void idea_init(idea_t *idea);   /* all empty; status "new" is NOT set here */
void idea_clear(idea_t *idea);  /* frees members, leaves an empty idea */
/* Deep copy. */
void idea_copy(idea_t *dst, const idea_t *src);
/* Sets a string member: frees the old value, copies the new (NULL allowed). */
void proto_set(char **field, const char *value);
int idea_add_theme(idea_t *idea, const char *theme); /* -1 when full or dup */
int idea_add_pii(idea_t *idea, const char *flag);
/* The longest cluster id plus its NUL: the classifier's sketch keeps it
 * in this many bytes (cluster_sketch_t.cluster). */
#define PROTO_MAX_CLUSTER 80
/* True when cluster can be an idea's cluster id set by staff (an update's
 * cluster, checked by the classifier and by storage alike): 1 to
 * PROTO_MAX_CLUSTER - 1 printable ASCII bytes, no spaces. */
bool idea_cluster_ok(const char *cluster);
/* The longest idea id. An idea's id names its near-duplicate cluster (the
 * classifier files an idea under its own id), so an id follows the
 * cluster id's rule; derived ids ("<c>-<16 hex>") take 18 bytes. */
#define PROTO_MAX_ID (PROTO_MAX_CLUSTER - 1)
/* True when id can be an idea's id: 1 to PROTO_MAX_ID printable ASCII
 * bytes, no spaces. The classifier and storage both dead-letter an idea
 * whose id fails it, whichever of them it reaches first. */
bool idea_id_ok(const char *id);
/* 0 when upd is a moderation update storage applies (ENV_UPDATE: id;
 * status new|approved|hidden, or none with a cluster for a cluster-only
 * move; sentiment, question, wijk and themes of allowed values and
 * characters; a cluster idea_cluster_ok() accepts), else -1 with err
 * (NULL allowed). Storage applies nothing else, and the classifier
 * corrects a sketch only for an update that passes, so the two never
 * disagree on what a staff correction is. */
int idea_update_check(const idea_t *upd, char *err, size_t errlen);
/* Appends {name, type, size} (copies of the strings, NULL allowed) to
 * source.attachments; -1 when PROTO_MAX_ATTACHMENTS are listed already. */
int idea_add_attachment(idea_t *idea, const char *name, const char *type, int64_t size);

/* Encodes into a malloc'd buffer. Returns 0, or -1 when a member breaks a
 * limit (err says which). */
int idea_encode(const idea_t *idea, char **buf, size_t *len, proto_err_t *err);
/* Decodes a record; on -1 *idea is left empty and err says why. */
int idea_decode(const char *buf, size_t len, idea_t *idea, proto_err_t *err);

/* --- participant --- */
void participant_init(participant_t *p);
void participant_clear(participant_t *p);

/* --- envelope --- */
const char *env_type_name(env_type_t t);
env_type_t env_type_parse(const char *name);
void envelope_init(envelope_t *e);
void envelope_clear(envelope_t *e);
int envelope_encode(const envelope_t *e, char **buf, size_t *len, proto_err_t *err);
int envelope_decode(const char *buf, size_t len, envelope_t *e, proto_err_t *err);
/* True when e is an ack that covers id: its "id", or one of its "ids". */
bool envelope_acks(const envelope_t *e, const char *id);
/* Makes e an ack of ids[0..n) (n >= 1; copies): "id" = ids[0], and "ids"
 * only when n > 1, so that one id gives the single-id form. Frees what
 * e->id and e->ids held. Returns 0, or -1 when n is 0 or over
 * PROTO_MAX_ACK_IDS. */
int envelope_set_acks(envelope_t *e, const char *const *ids, int n);

/* Walks raw MessagePack and checks it against the PROTO_MAX_* limits and
 * that every declared count fits in the remaining bytes, without allocating.
 * Returns 0 or -1 with err filled. Used by the decoders; public for the
 * other parsers of untrusted MessagePack (field app batches). */
int proto_check(const char *buf, size_t len, size_t max_len, int max_depth, size_t max_items,
                size_t max_string, proto_err_t *err);

#endif
