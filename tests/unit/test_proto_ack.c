/*
 * NAME
 *   test_proto_ack - the batched ack: wire form, both readings, limits
 *
 * DESCRIPTION
 *   Storage acknowledges a whole batch in one ENV_ACK ("ids", proto.h).
 *   The fixtures are written by proto/fixtures/gen.py, a MessagePack
 *   writer independent of msgpack-c: the C encoder must give the batch
 *   fixture byte for byte, a single id must still give the old single-id
 *   ack (envelope_ack.msgpack) byte for byte, and envelope_acks() must
 *   answer for both forms. Bad "ids" are refused with a code, never
 *   trusted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"
#include "test_proto_util.h"

static void s_same_as_fixture(const envelope_t *e, const char *name)
{
    char *buf = NULL;
    size_t len = 0, flen = 0;
    proto_err_t err;
    if (envelope_encode(e, &buf, &len, &err) < 0)
        fail_msg("encode: %s %s", err.code, err.message);
    char *want = s_fixture(name, &flen);
    assert_int_equal(len, flen);
    assert_memory_equal(buf, want, len);
    free(buf);
    free(want);
}

/* Decodes fixture name into *e (the caller clears it). */
static void s_decode_fixture(const char *name, envelope_t *e)
{
    size_t len;
    char *buf = s_fixture(name, &len);
    proto_err_t err;
    if (envelope_decode(buf, len, e, &err) < 0)
        fail_msg("%s: %s %s", name, err.code, err.message);
    free(buf);
    assert_int_equal(e->type, ENV_ACK);
}

static const char *const s_batch[] = {"f-00000000000000a1", "f-00000000000000b2",
                                      "e-00000000000000c3"};

static void test_batch_encodes_as_fixture(void **state)
{
    (void)state;
    envelope_t e;
    envelope_init(&e);
    assert_int_equal(envelope_set_acks(&e, s_batch, 3), 0);
    proto_set(&e.origin, "storage.0");
    e.sent_at = 1795860000456;
    assert_int_equal(e.type, ENV_ACK);
    assert_string_equal(e.id, s_batch[0]);
    s_same_as_fixture(&e, "envelope_ack_batch.msgpack");
    envelope_clear(&e);
}

static void test_batch_decodes(void **state)
{
    (void)state;
    envelope_t e;
    s_decode_fixture("envelope_ack_batch.msgpack", &e);
    assert_int_equal(e.n_ids, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(e.ids[i], s_batch[i]);
        assert_true(envelope_acks(&e, s_batch[i]));
    }
    assert_false(envelope_acks(&e, "f-00000000000000a"));  /* a prefix is not the id */
    assert_false(envelope_acks(&e, "f-00000000000000d4")); /* not in the batch */
    assert_int_equal(e.extra.count, 0); /* "ids" is known, not an unknown key */
    envelope_clear(&e);
}

/* An old single-id ack (written before batches existed) is understood,
 * and a batch of one is written exactly as that old form. */
static void test_single_id_is_the_old_form(void **state)
{
    (void)state;
    envelope_t e;
    s_decode_fixture("envelope_ack.msgpack", &e);
    assert_int_equal(e.n_ids, 0);
    assert_null(e.ids);
    assert_true(envelope_acks(&e, "t-00112233aabbccdd"));
    assert_false(envelope_acks(&e, "t-00112233aabbccde"));
    assert_false(envelope_acks(&e, NULL));
    envelope_clear(&e);

    const char *one = "t-00112233aabbccdd";
    envelope_init(&e);
    assert_int_equal(envelope_set_acks(&e, &one, 1), 0);
    proto_set(&e.origin, "intake-transcript.0");
    e.sent_at = 1795860000456;
    assert_int_equal(e.n_ids, 0);
    s_same_as_fixture(&e, "envelope_ack.msgpack");
    envelope_clear(&e);
}

/* Only an ack acknowledges: an idea envelope whose id matches does not. */
static void test_only_acks_acknowledge(void **state)
{
    (void)state;
    envelope_t e;
    envelope_init(&e);
    e.type = ENV_STORED;
    proto_set(&e.id, "f-1");
    assert_false(envelope_acks(&e, "f-1"));
    envelope_clear(&e);
    assert_int_equal(envelope_set_acks(&e, s_batch, 0), -1);
    assert_int_equal(envelope_set_acks(&e, s_batch, PROTO_MAX_ACK_IDS + 1), -1);
    envelope_clear(&e);
}

/* Hand-made MessagePack: {"v":1,"type":T,"id":"f-1","ids":IDS}. */
static void s_expect_refused(const char *type, const char *ids, size_t ids_len,
                             const char *code)
{
    char buf[8192];
    size_t n = 0;
    n += (size_t)snprintf(buf, sizeof buf, "\x84\xa1v\x01\xa4type%c%s\xa2id\xa3" "f-1\xa3ids",
                          (char)(0xa0 | strlen(type)), type);
    memcpy(buf + n, ids, ids_len);
    n += ids_len;
    envelope_t e;
    proto_err_t err;
    assert_int_equal(envelope_decode(buf, n, &e, &err), -1);
    assert_string_equal(err.code, code);
    assert_null(e.ids); /* nothing is left behind */
    assert_int_equal(e.n_ids, 0);
}

static void test_bad_ids_refused(void **state)
{
    (void)state;
    s_expect_refused("ack", "\x90", 1, "bad_field");               /* empty */
    s_expect_refused("ack", "\xa3" "f-2", 4, "bad_field");          /* not an array */
    s_expect_refused("ack", "\x92\xa3" "f-2\x07", 6, "bad_field");  /* not all strings */
    s_expect_refused("ack", "\x92\xa3" "f-2\xa2\xc3\x28", 8, "bad_field"); /* bad UTF-8 */
    s_expect_refused("dead", "\x91\xa3" "f-2", 5, "bad_field");     /* ids on a non-ack */
    /* One more than PROTO_MAX_ACK_IDS: array16 of fixstr "x" */
    char big[3 + 2 * (PROTO_MAX_ACK_IDS + 1)];
    big[0] = '\xdc';
    big[1] = (char)((PROTO_MAX_ACK_IDS + 1) >> 8);
    big[2] = (char)((PROTO_MAX_ACK_IDS + 1) & 0xff);
    for (int i = 0; i <= PROTO_MAX_ACK_IDS; i++) {
        big[3 + 2 * i] = '\xa1';
        big[4 + 2 * i] = 'x';
    }
    s_expect_refused("ack", big, sizeof big, "bad_field");
}

/* The largest batch goes through encode and decode intact. */
static void test_largest_batch_round_trip(void **state)
{
    (void)state;
    static char ids[PROTO_MAX_ACK_IDS][24];
    const char *ptrs[PROTO_MAX_ACK_IDS];
    for (int i = 0; i < PROTO_MAX_ACK_IDS; i++) {
        snprintf(ids[i], sizeof ids[i], "f-%016x", (unsigned)i);
        ptrs[i] = ids[i];
    }
    envelope_t e;
    envelope_init(&e);
    assert_int_equal(envelope_set_acks(&e, ptrs, PROTO_MAX_ACK_IDS), 0);
    proto_set(&e.origin, "storage.0");
    char *buf = NULL;
    size_t len = 0;
    proto_err_t err;
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), 0);
    envelope_clear(&e);
    assert_int_equal(envelope_decode(buf, len, &e, &err), 0);
    assert_int_equal(e.n_ids, PROTO_MAX_ACK_IDS);
    assert_true(envelope_acks(&e, "f-00000000000003ff"));
    assert_string_equal(e.ids[PROTO_MAX_ACK_IDS - 1], "f-00000000000003ff");
    envelope_clear(&e);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_encodes_as_fixture),
        cmocka_unit_test(test_batch_decodes),
        cmocka_unit_test(test_single_id_is_the_old_form),
        cmocka_unit_test(test_only_acks_acknowledge),
        cmocka_unit_test(test_bad_ids_refused),
        cmocka_unit_test(test_largest_batch_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
