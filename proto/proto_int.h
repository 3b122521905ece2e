/*
 * NAME
 *   proto_int - helpers shared by the proto/ source files (not a public API)
 *
 * DESCRIPTION
 *   The encoder context (a msgpack_packer writing into a msgpack_sbuffer
 *   that grows with xrealloc, plus the first error seen), the table-driven
 *   map decoder, the strict UTF-8 check and the proto_extra_t helpers.
 *   Services include proto.h only.
 *
 * OWNERSHIP
 *   proto_enc_finish() hands the encoded buffer to the caller (free()).
 *   Strings decoded into structs are malloc'd copies; nothing points into
 *   the input buffer or the msgpack_zone after a decoder returns.
 */
#ifndef INSPRAAK_PROTO_INT_H
#define INSPRAAK_PROTO_INT_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* --- errors --- */
void proto_err_set(proto_err_t *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
bool proto_utf8_valid(const char *s, size_t len);

/* --- encoding --- */
typedef struct {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    proto_err_t *err;
    bool failed; /* the first failure sticks; later calls do nothing */
    bool copied; /* proto_enc_raw() copied pairs from elsewhere (see proto_enc_finish) */
} proto_enc_t;

void proto_enc_init(proto_enc_t *enc, proto_err_t *err);
/* Checks the result against the PROTO_MAX_* limits (so whatever encodes
 * also decodes) and hands the buffer over; -1 frees it. The walk over the
 * result (proto_check) is skipped when the limits hold by construction:
 * only our own fixed shapes were packed (nothing copied in by
 * proto_enc_raw), every str and bin was checked as it was packed, and the
 * message has no more bytes than PROTO_MAX_ITEMS (each item takes one). */
int proto_enc_finish(proto_enc_t *enc, char **buf, size_t *len);
void proto_enc_fail(proto_enc_t *enc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void proto_enc_key(proto_enc_t *enc, const char *key);
/* nil for NULL; fails on invalid UTF-8, a NUL byte or a too long string. */
void proto_enc_str(proto_enc_t *enc, const char *where, const char *key, const char *s);
void proto_enc_strs(proto_enc_t *enc, const char *where, const char *key, char *const *v, int n,
                    int max);
void proto_enc_raw(proto_enc_t *enc, const char *data, size_t len);

/* --- extra (unknown pairs) --- */
void proto_extra_add(proto_extra_t *x, const msgpack_object *key, const msgpack_object *val);
void proto_extra_copy(proto_extra_t *dst, const proto_extra_t *src);
void proto_extra_clear(proto_extra_t *x);
/* The packed pairs of x behind a map header: a buffer proto_unpack()
 * reads as one map. Malloc'd; the caller frees it. */
char *proto_extra_wrap(const proto_extra_t *x, size_t *len);
/* Calls fn with the value of the first pair of x whose key is the str
 * key (the value lives only during the call). 1 when found and fn
 * returned 0, 0 when x has no such key, -1 (err) when x cannot be read
 * or fn returned -1. */
typedef int (*proto_extra_fn_t)(const msgpack_object *val, void *arg, proto_err_t *err);
int proto_extra_find(const proto_extra_t *x, const char *key, proto_extra_fn_t fn, void *arg,
                     proto_err_t *err);
/* Finishes enc, which packed a one-pair map {key: value}, and replaces
 * the pairs under key in x by that pair. 0, or -1 with enc's error (x
 * unchanged). */
int proto_extra_replace(proto_extra_t *x, const char *key, proto_enc_t *enc);

/* --- decoding --- */
typedef enum {
    PF_STR,  /* char *          at off */
    PF_INT,  /* int64_t         at off */
    PF_BOOL, /* bool            at off */
    PF_NUM,  /* double (finite) at off; int or float on the wire */
    PF_STRS, /* char *[max] at off, int count at off2 */
    PF_OBJ   /* handed back to the caller in found[] */
} proto_kind_t;

typedef struct {
    const char *name;
    proto_kind_t kind;
    size_t off;
    size_t off2;
    int max;
} proto_field_t;

/* Decodes map into base following fields[]: nil or a missing key leaves
 * the member as it is; unknown keys go to extra; a duplicate or wrongly
 * typed known key fails with "bad_field". found[i] is the value of
 * fields[i] when present and not nil, else NULL. */
int proto_map_decode(const msgpack_object *map, const proto_field_t *fields, int n, void *base,
                     proto_extra_t *extra, const msgpack_object **found, const char *where,
                     proto_err_t *err);

/* A str object as a malloc'd NUL-terminated copy; NULL with err when it
 * is not a str, holds a NUL byte or is not valid UTF-8 ("where.name" in
 * the message). */
char *proto_obj_str(const msgpack_object *v, const char *where, const char *name,
                    proto_err_t *err);

/* proto_check() with the PROTO_MAX_* limits, then msgpack_unpack() of the
 * single object. The caller destroys the zone. */
int proto_unpack(const char *buf, size_t len, msgpack_zone *zone, msgpack_object *obj,
                 proto_err_t *err);

/* --- record bodies, shared by idea.c and envelope.c --- */
void proto_idea_pack(proto_enc_t *enc, const idea_t *idea);
int proto_idea_from(const msgpack_object *obj, idea_t *idea, proto_err_t *err);
void proto_participant_pack(proto_enc_t *enc, const participant_t *p);
int proto_participant_from(const msgpack_object *obj, participant_t *p, proto_err_t *err);

#endif
