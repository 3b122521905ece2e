/*
 * NAME
 *   fuzz_envelope - libFuzzer harness for proto_check, envelope_decode and
 *   idea_decode
 *
 * DESCRIPTION
 *   Feeds arbitrary bytes to the decoders (built with ASan and UBSan by
 *   tests/fuzz/run.sh). Besides "no crash, no leak", it checks the codec's
 *   promises on every input that decodes:
 *     - what decodes also encodes, unless the normalised form (all keys
 *       written, numbers as float64) breaks a size/item limit;
 *     - encoding is stable: decode(encode(x)) encodes to the same bytes;
 *     - proto_check agrees with the decoders: if it rejects, they reject.
 *   A broken promise calls abort(), which libFuzzer reports with the input.
 *
 *   FUZZ_DICT: tests/fuzz/msgpack.dict
 *   FUZZ_SEEDS: proto/fixtures
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idea_json.h"
#include "proto.h"

static void s_fail(const char *what, const proto_err_t *err)
{
    fprintf(stderr, "fuzz_envelope: %s (%s: %s)\n", what, err->code, err->message);
    abort();
}

static int s_limit_code(const proto_err_t *err)
{
    return strcmp(err->code, "too_large") == 0 || strcmp(err->code, "too_many_items") == 0;
}

static void s_envelope(const char *buf, size_t len, int checked)
{
    envelope_t e, again;
    proto_err_t err;
    char *out1, *out2;
    size_t len1, len2;
    if (envelope_decode(buf, len, &e, &err) < 0)
        return;
    if (!checked)
        s_fail("envelope decoded what proto_check rejected", &err);
    if (envelope_encode(&e, &out1, &len1, &err) < 0) {
        if (!s_limit_code(&err))
            s_fail("decoded envelope does not encode", &err);
        envelope_clear(&e);
        return;
    }
    if (envelope_decode(out1, len1, &again, &err) < 0)
        s_fail("encoded envelope does not decode", &err);
    if (envelope_encode(&again, &out2, &len2, &err) < 0)
        s_fail("re-encoding failed", &err);
    if (len1 != len2 || memcmp(out1, out2, len1) != 0)
        s_fail("encoding is not stable", &err);
    if (e.idea) {
        json_t *j = idea_to_json(e.idea);
        char *s = json_dumps(j, 0);
        if (!s)
            s_fail("idea_to_json gave JSON that does not print", &err);
        free(s);
        json_decref(j);
    }
    free(out1);
    free(out2);
    envelope_clear(&again);
    envelope_clear(&e);
}

static void s_idea(const char *buf, size_t len)
{
    idea_t idea, again;
    proto_err_t err;
    char *out1, *out2;
    size_t len1, len2;
    if (idea_decode(buf, len, &idea, &err) < 0)
        return;
    if (idea_encode(&idea, &out1, &len1, &err) < 0) {
        if (!s_limit_code(&err))
            s_fail("decoded idea does not encode", &err);
        idea_clear(&idea);
        return;
    }
    if (idea_decode(out1, len1, &again, &err) < 0)
        s_fail("encoded idea does not decode", &err);
    if (idea_encode(&again, &out2, &len2, &err) < 0)
        s_fail("re-encoding the idea failed", &err);
    if (len1 != len2 || memcmp(out1, out2, len1) != 0)
        s_fail("idea encoding is not stable", &err);
    free(out1);
    free(out2);
    idea_clear(&again);
    idea_clear(&idea);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    proto_err_t err;
    int checked = proto_check(buf, size, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH, PROTO_MAX_ITEMS,
                              PROTO_MAX_STRING, &err) == 0;
    /* Tight limits exercise every early exit of the walker too. */
    proto_check(buf, size, 512, 3, 16, 32, &err);
    s_envelope(buf, size, checked);
    s_idea(buf, size);
    return 0;
}
