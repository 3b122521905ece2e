/*
 * NAME
 *   fuzz_field - libFuzzer harness for intake-field's batch decoding:
 *   JSON and MessagePack bodies, the batch head and every item
 *
 * DESCRIPTION
 *   The first byte picks the body type (even: JSON through decode_json,
 *   odd: MessagePack through decode_msgpack, as POST /api/v1/field/batches
 *   does by Content-Type); the rest is the body. A decoded root goes
 *   through batch_head_check and batch_item_check for each item, and each
 *   accepted item's envelope is encoded. Promises checked (abort() when
 *   broken):
 *     - a decode error has status 400 or 413, a slug and a Dutch message;
 *     - an accepted item's envelope encodes and passes proto_check.
 *
 *   FUZZ_SOURCES: services/intake-field/decode.c
 *   FUZZ_SOURCES: services/intake-field/batch.c
 *   FUZZ_DICT: tests/fuzz/msgpack.dict
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "decode.h"
#include "geo.h"
#include "proto.h"

#define FUZZ_NAME "fuzz_field"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_item(const json_t *item, const batch_head_t *head)
{
    envelope_t env;
    batch_reject_t rej;
    memset(&rej, 0, sizeof rej);
    if (batch_item_check(item, head, s_geo, 1700000000000, &env, &rej) < 0) {
        if (!rej.code[0] || !rej.message[0])
            s_fail("item rejected without code or message");
        batch_reject_clear(&rej);
        return;
    }
    char *out;
    size_t len;
    proto_err_t err;
    if (envelope_encode(&env, &out, &len, &err) < 0) {
        if (strcmp(err.code, "too_large") != 0 && strcmp(err.code, "too_many_items") != 0)
            s_fail("accepted item does not encode");
    } else {
        if (proto_check(out, len, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH, PROTO_MAX_ITEMS,
                        PROTO_MAX_STRING, &err) < 0)
            s_fail("accepted item's envelope fails proto_check");
        free(out);
    }
    envelope_clear(&env);
    batch_reject_clear(&rej);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    decode_err_t derr;
    memset(&derr, 0, sizeof derr);
    json_t *root =
        data[0] % 2 ? decode_msgpack(buf, len, 1024 * 1024, &derr) : decode_json(buf, len, &derr);
    if (!root) {
        if ((derr.status != 400 && derr.status != 413) || !derr.code[0] || !derr.message[0])
            s_fail("decode error without status, code or message");
        return 0;
    }
    batch_head_t head;
    memset(&head, 0, sizeof head);
    if (s_geo && batch_head_check(root, &head, &derr) == 0) {
        json_t *items = json_object_get(root, "items");
        for (size_t i = 0; i < json_array_size(items); i++)
            s_item(json_array_get(items, i), &head);
    }
    batch_head_clear(&head);
    json_decref(root);
    return 0;
}
