/*
 * NAME
 *   decode - a field-app batch body (JSON or MessagePack) into a jansson tree
 *
 * SUMMARY
 *   decode_err_t e;
 *   json_t *root = decode_json(body, len, &e);      // or decode_msgpack()
 *   if (!root) answer e.status with e.code and e.message (Dutch);
 *
 * DESCRIPTION
 *   Both formats end as the same json_t tree so that one validator
 *   (batch.h) serves both. Limits are checked before anything is built:
 *   JSON gets a byte scan for nesting depth (jansson's own limit is 2048
 *   levels, far more than a batch needs), MessagePack goes through
 *   proto_check() (declared counts must fit in the bytes that follow, depth,
 *   string length, total number of values) before msgpack_unpack() may
 *   reserve memory for a declared count. Duplicate map keys, non-string
 *   keys, invalid UTF-8, bin/ext values and integers beyond int64 are
 *   refused in both formats.
 *
 * OWNERSHIP
 *   The returned tree belongs to the caller (json_decref).
 */
#ifndef INTAKE_FIELD_DECODE_H
#define INTAKE_FIELD_DECODE_H

#include <jansson.h>
#include <stddef.h>

#define FIELD_MAX_DEPTH 8          /* a batch needs 5: root, items, item, participant, consent */
#define FIELD_MAX_VALUES 400000    /* all values in one MessagePack batch (~40 per item) */
#define FIELD_MAX_STRING (64 * 1024) /* one string, in bytes (a text is <= 10,000 chars) */

typedef struct {
    int status;        /* HTTP status to answer: 400 or 413 */
    char code[32];     /* stable English slug */
    char message[300]; /* Dutch, for people */
} decode_err_t;

json_t *decode_json(const char *buf, size_t len, decode_err_t *err);
json_t *decode_msgpack(const char *buf, size_t len, size_t max_len, decode_err_t *err);

/* Deepest nesting of arrays/objects in JSON text, stopping early once it
 * passes limit (strings and escapes are skipped). Pure; for the tests. */
int decode_json_depth(const char *buf, size_t len, int limit);

#endif
