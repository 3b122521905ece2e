/*
 * NAME
 *   test_proto_errors - hostile input, limits and field errors of proto
 *
 * DESCRIPTION
 *   What the decoder refuses and with which error code: the hostile
 *   fixtures of proto/fixtures/ (written by gen.py), envelope version 2,
 *   proto_check()'s limits, bad idea fields, bad envelopes and duplicate
 *   keys; and what the encoder refuses because no decoder would take it.
 *   Run from the repository root (or set PROTO_FIXTURES to the folder).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"
#include "test_proto_util.h"

/* A string literal and its length, for byte strings with NULs in them. */
#define L(lit) lit, sizeof(lit) - 1

static void s_expect(const char *name, const char *code)
{
    size_t len = 0;
    char *buf = s_fixture(name, &len);
    envelope_t e;
    proto_err_t err;
    memset(&err, 0, sizeof(err));
    assert_int_equal(envelope_decode(buf, len, &e, &err), -1);
    if (strcmp(err.code, code) != 0)
        fail_msg("%s: want %s, got %s (%s)", name, code, err.code, err.message);
    assert_true(err.message[0] != '\0');
    assert_null(e.idea);
    assert_null(e.id);
    free(buf);
}

static void test_version_2_is_rejected(void **state)
{
    (void)state;
    size_t len = 0;
    char *buf = s_fixture("envelope_v2.msgpack", &len);
    envelope_t e;
    proto_err_t err;
    assert_int_equal(envelope_decode(buf, len, &e, &err), -1);
    assert_string_equal(err.code, "unknown_version");
    assert_string_equal(err.message, "envelope version 2 is not supported (this build reads 1)");
    free(buf);
    s_expect("envelope_no_version.msgpack", "missing_field");
}

static void test_hostile_fixtures(void **state)
{
    (void)state;
    s_expect("hostile_array32.msgpack", "too_many_items");
    s_expect("hostile_deep.msgpack", "too_deep");
    s_expect("hostile_str32.msgpack", "too_large");
    s_expect("hostile_truncated.msgpack", "malformed");
}

static int s_check(const char *buf, size_t len, const char *code)
{
    proto_err_t err;
    memset(&err, 0, sizeof(err));
    int rc = proto_check(buf, len, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH, PROTO_MAX_ITEMS,
                         PROTO_MAX_STRING, &err);
    if (code && strcmp(err.code, code) != 0)
        fail_msg("want %s, got %s (%s)", code, err.code, err.message);
    return rc;
}

static void test_check_limits(void **state)
{
    (void)state;
    /* A count the bytes cannot hold, under the item limit: malformed. */
    assert_int_equal(s_check("\xdc\x00\x10\xc0\xc0", 5, "malformed"), -1);
    assert_int_equal(s_check("\xdf\x00\x00\x00\x03\xc0\xc0\xc0\xc0\xc0", 10, "malformed"), -1);
    assert_int_equal(s_check("", 0, "malformed"), -1);
    assert_int_equal(s_check("\xc0\xc0", 2, "malformed"), -1); /* trailing bytes */
    assert_int_equal(s_check("\x91\xc1", 2, "malformed"), -1);
    assert_int_equal(s_check("\xd9\x05"
                             "abc",
                             5, "malformed"),
                     -1);
    assert_int_equal(s_check("\xcb\x00\x00", 3, "malformed"), -1);
    assert_int_equal(s_check("\xc7\x02\x01\xaa\xbb", 5, NULL), 0); /* ext8 */
    assert_int_equal(s_check("\xd6\x01\x00\x00\x00\x00", 6, NULL), 0);

    /* Depth: 8 nested arrays pass, 9 do not. */
    char deep[16];
    memset(deep, 0x91, 9);
    deep[8] = (char)0xc0;
    assert_int_equal(s_check(deep, 9, NULL), 0);
    deep[9] = (char)0xc0;
    deep[8] = (char)0x91;
    assert_int_equal(s_check(deep, 10, "too_deep"), -1);

    /* Items: 4096 pass, 4097 do not. */
    char *big = malloc(5 + 4097);
    memcpy(big, "\xdd\x00\x00\x10\x00", 5);
    memset(big + 5, 0xc0, 4097);
    assert_int_equal(s_check(big, 5 + 4096, NULL), 0);
    memcpy(big, "\xdd\x00\x00\x10\x01", 5);
    assert_int_equal(s_check(big, 5 + 4097, "too_many_items"), -1);
    free(big);

    /* Size of the whole message and of one string. */
    proto_err_t err;
    assert_int_equal(proto_check("\xc0", 1, 0, 8, 10, 10, &err), -1);
    assert_string_equal(err.code, "too_large");
    assert_int_equal(proto_check("\xa5hello", 6, 100, 8, 10, 4, &err), -1);
    assert_string_equal(err.code, "too_large");
    assert_int_equal(proto_check("\xa5hello", 6, 100, 8, 10, 5, &err), 0);
}

/* Envelope with one idea field replaced by raw bytes (key + value). */
static int s_decode_idea_with(const char *kv, size_t kvlen, proto_err_t *err)
{
    char buf[256];
    size_t n = 0;
    memcpy(buf, "\x83\xa1v\x01\xa4type\xa4idea\xa4idea", 19);
    n = 19;
    buf[n++] = (char)0x81;
    memcpy(buf + n, kv, kvlen);
    n += kvlen;
    envelope_t e;
    int rc = envelope_decode(buf, n, &e, err);
    envelope_clear(&e);
    return rc;
}

static void s_bad(const char *kv, size_t kvlen, const char *code, const char *needle)
{
    proto_err_t err;
    assert_int_equal(s_decode_idea_with(kv, kvlen, &err), -1);
    assert_string_equal(err.code, code);
    if (needle && !strstr(err.message, needle))
        fail_msg("message \"%s\" does not name %s", err.message, needle);
}

static void test_bad_fields(void **state)
{
    (void)state;
    proto_err_t err;
    assert_int_equal(s_decode_idea_with(L("\xa4text\xa2ok"), &err), 0);
    assert_int_equal(s_decode_idea_with(L("\xa4text\xc0"), &err), 0);
    s_bad(L("\xa4text\x07"), "bad_field", "idea.text");
    s_bad(L("\xa4text\xa2\xc3\x28"), "bad_field", "idea.text");     /* bad UTF-8 */
    s_bad(L("\xa4text\xa2\xc0\xaf"), "bad_field", "idea.text");     /* overlong */
    s_bad(L("\xa4text\xa3\xed\xa0\x80"), "bad_field", "idea.text"); /* surrogate */
    s_bad(L("\xa4text\xa3"
            "a\0b"),
          "bad_field", "idea.text");
    s_bad(L("\xa6themes\x94\xa1"
            "a\xa1"
            "b\xa1"
            "c\xa1"
            "d"),
          "bad_field", "idea.themes");
    s_bad(L("\xa6themes\xa1"
            "a"),
          "bad_field", "idea.themes");
    s_bad(L("\xa6themes\x91\x01"), "bad_field", "idea.themes");
    s_bad(L("\xa3pii\x99\xa1"
            "a\xa1"
            "a\xa1"
            "a\xa1"
            "a\xa1"
            "a\xa1"
            "a\xa1"
            "a\xa1"
            "a\xa1"
            "a"),
          "bad_field", "idea.pii");
    s_bad(L("\xa3lat\xcb\x40\x49\x00\x00\x00\x00\x00\x00"), "bad_field", "lon");
    s_bad(L("\xabreceived_at\xa1x"), "bad_field", "idea.received_at");
    s_bad(L("\xaa"
            "classified\x01"),
          "bad_field", "idea.classified");
    s_bad(L("\xa6source\x01"), "bad_field", "idea.source");
    s_bad(L("\xa6source\x81\xa5start\x01"), "bad_field", "end");
    s_bad(L("\xa6source\x81\xa7"
            "subject\x01"),
          "bad_field", "idea.source.subject");
}

static void test_envelope_errors(void **state)
{
    (void)state;
    envelope_t e;
    proto_err_t err;
    assert_int_equal(envelope_decode(L("\x91\x01"), &e, &err), -1);
    assert_string_equal(err.code, "not_a_map");
    assert_int_equal(envelope_decode(L("\x82\xa1v\x01\xa4type\xa4oops"), &e, &err), -1);
    assert_string_equal(err.code, "bad_field");
    assert_int_equal(envelope_decode(L("\x81\xa1v\x01"), &e, &err), -1);
    assert_string_equal(err.code, "missing_field");
    assert_int_equal(envelope_decode(L("\x82\xa1v\x01\xa4type\xa4idea"), &e, &err), -1);
    assert_string_equal(err.code, "missing_field"); /* idea needs "idea" */
    assert_int_equal(envelope_decode(L("\x82\xa1v\xa1"
                                       "1\xa4type\xa3"
                                       "ack"),
                                     &e, &err),
                     -1);
    assert_string_equal(err.code, "bad_field");
    assert_int_equal(envelope_decode(L("\x82\xa1v\xff\xa4type\xa3"
                                       "ack"),
                                     &e, &err),
                     -1);
    assert_string_equal(err.code, "unknown_version");
    assert_int_equal(envelope_decode(L("\x83\xa1v\x01\xa4type\xa3"
                                       "ack\xa4type\xa3"
                                       "ack"),
                                     &e, &err),
                     -1);
    assert_string_equal(err.code, "bad_field"); /* a key twice */
    assert_int_equal(envelope_decode(L("\x83\xa1v\x01\xa4type\xa3"
                                       "ack\xa3raw\xa1x"),
                                     &e, &err),
                     -1);
    assert_string_equal(err.code, "bad_field");
    assert_int_equal(envelope_decode(L("\x82\xa1v\x01\xa4type\xa3"
                                       "ack"),
                                     &e, &err),
                     0);
    assert_int_equal(e.type, ENV_ACK);
    envelope_clear(&e);
    assert_int_equal(envelope_decode(NULL, 0, &e, &err), -1);
    assert_string_equal(err.code, "malformed");
}

/* Keys in any order decode the same (the decoder tries the table order
 * first), and near-misses of a field name ("ty", "types") stay unknown
 * keys instead of being taken for "type". */
static void test_key_order_and_near_names(void **state)
{
    (void)state;
    envelope_t e;
    proto_err_t err;
    assert_int_equal(envelope_decode(L("\x85\xa2id\xa1x\xa2ty\x01\xa4type\xa3"
                                       "ack\xa5types\x02\xa1v\x01"),
                                     &e, &err),
                     0);
    assert_int_equal(e.type, ENV_ACK);
    assert_string_equal(e.id, "x");
    assert_int_equal(e.extra.count, 2);
    envelope_clear(&e);
    assert_int_equal(envelope_decode(L("\x84\xa1v\x01\xa4type\xa3"
                                       "ack\xa2id\xa1x\xa2id\xa1y"),
                                     &e, &err),
                     -1);
    assert_string_equal(err.code, "bad_field"); /* "id" twice, in table order */
}

static void test_encode_refuses_what_would_not_decode(void **state)
{
    (void)state;
    idea_t i;
    char *buf = (char *)1;
    size_t len = 1;
    proto_err_t err;
    idea_init(&i);
    proto_set(&i.text, "caf\xc3");
    assert_int_equal(idea_encode(&i, &buf, &len, &err), -1);
    assert_string_equal(err.code, "bad_field");
    assert_non_null(strstr(err.message, "idea.text"));
    assert_null(buf);
    idea_clear(&i);

    i.n_themes = 4; /* a caller writing past idea_add_theme() */
    assert_int_equal(idea_encode(&i, &buf, &len, &err), -1);
    assert_string_equal(err.code, "bad_field");
    idea_init(&i);

    envelope_t e;
    envelope_init(&e);
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), -1); /* no type */
    assert_string_equal(err.code, "bad_field");
    e.type = ENV_DEAD;
    e.raw_len = PROTO_MAX_STRING + 1;
    e.raw = calloc(1, e.raw_len);
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), -1);
    assert_string_equal(err.code, "too_large");
    e.raw_len = PROTO_MAX_STRING;
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), 0);
    envelope_t back;
    assert_int_equal(envelope_decode(buf, len, &back, &err), 0);
    assert_int_equal(back.raw_len, PROTO_MAX_STRING);
    envelope_clear(&back);
    free(buf);
    envelope_clear(&e);
}

/* Unknown pairs copied into a new message can nest deeper there than in
 * the message they came from: encoding still refuses what no decoder
 * would take (the limit walk runs whenever something was copied in). */
static void test_copied_pairs_still_checked(void **state)
{
    (void)state;
    /* An idea whose unknown key "x" holds 7 nested arrays: 8 deep, the
     * limit. Inside an envelope it would be 9 deep. */
    static const char deep[] = "\x81\xa1x\x91\x91\x91\x91\x91\x91\x91\x01";
    idea_t *idea = malloc(sizeof *idea);
    proto_err_t err;
    assert_int_equal(idea_decode(deep, sizeof deep - 1, idea, &err), 0);
    envelope_t e;
    envelope_init(&e);
    e.type = ENV_IDEA;
    proto_set(&e.id, "f-1");
    e.idea = idea;
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), -1);
    assert_string_equal(err.code, "too_deep");
    assert_null(buf);
    envelope_clear(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_2_is_rejected),
        cmocka_unit_test(test_hostile_fixtures),
        cmocka_unit_test(test_check_limits),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_envelope_errors),
        cmocka_unit_test(test_key_order_and_near_names),
        cmocka_unit_test(test_encode_refuses_what_would_not_decode),
        cmocka_unit_test(test_copied_pairs_still_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
