/*
 * NAME
 *   test_proto - golden fixtures, hostile input and field errors of proto
 *
 * DESCRIPTION
 *   The fixtures in proto/fixtures/ were written by an independent
 *   MessagePack writer (proto/fixtures/gen.py); the C encoder must produce
 *   them byte for byte and the decoder must read back the same values.
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

static void s_assert_bytes(const char *got, size_t got_len, const char *fixture)
{
    size_t len;
    char *want = s_fixture(fixture, &len);
    assert_int_equal(got_len, len);
    for (size_t i = 0; i < len; i++)
        if (got[i] != want[i])
            fail_msg("%s differs at byte %zu: got 0x%02x want 0x%02x", fixture, i,
                     (unsigned char)got[i], (unsigned char)want[i]);
    free(want);
}

/* The same idea as KNOWN in proto/fixtures/gen.py. */
static void s_known_idea(idea_t *i)
{
    idea_init(i);
    proto_set(&i->id, "t-00112233aabbccdd");
    proto_set(&i->channel, "transcript");
    proto_set(&i->activity, "camjo-video");
    proto_set(&i->target_group, "inwoner");
    i->received_at = 1795860000123;
    proto_set(&i->text, "Meer groen in het centrum, en bankjes bij de Schinkelvijver. Één idee!");
    proto_set(&i->title, "Groen centrum");
    i->has_location = true;
    i->lat = 50.8882;
    i->lon = 5.9795;
    proto_set(&i->wijk, "WK091701");
    proto_set(&i->buurt, "BU09170101");
    proto_set(&i->postcode, "6411AB");
    proto_set(&i->question, "toekomst");
    proto_set(&i->source.video_id, "camjo-2026-07");
    i->source.has_times = true;
    i->source.start = 12.5;
    i->source.end = 47.25;
    proto_set(&i->source.context, "Wat moet Heerlen worden?");
    proto_set(&i->source.video_url, "https://video.heerlen.nl/camjo-2026-07.mp4");
    proto_set(&i->participant_id, "p-0123456789abcdef");
    assert_int_equal(idea_add_theme(i, "groen"), 0);
    assert_int_equal(idea_add_theme(i, "centrum"), 0);
    proto_set(&i->sentiment, "positief");
    proto_set(&i->language, "nl");
    proto_set(&i->cluster, "c-42");
    assert_int_equal(idea_add_pii(i, "place"), 0);
    proto_set(&i->status, "new");
    i->classified = true;
}

static void s_assert_known(const idea_t *i)
{
    assert_string_equal(i->id, "t-00112233aabbccdd");
    assert_string_equal(i->channel, "transcript");
    assert_string_equal(i->activity, "camjo-video");
    assert_string_equal(i->target_group, "inwoner");
    assert_true(i->received_at == 1795860000123);
    assert_string_equal(i->text,
                        "Meer groen in het centrum, en bankjes bij de Schinkelvijver. Één idee!");
    assert_true(i->has_location);
    assert_true(i->lat == 50.8882 && i->lon == 5.9795);
    assert_string_equal(i->wijk, "WK091701");
    assert_string_equal(i->buurt, "BU09170101");
    assert_string_equal(i->postcode, "6411AB");
    assert_string_equal(i->question, "toekomst");
    assert_string_equal(i->source.video_id, "camjo-2026-07");
    assert_true(i->source.has_times && i->source.start == 12.5 && i->source.end == 47.25);
    assert_string_equal(i->source.context, "Wat moet Heerlen worden?");
    assert_string_equal(i->source.video_url, "https://video.heerlen.nl/camjo-2026-07.mp4");
    assert_null(i->source.message_id);
    assert_null(i->source.device_id);
    assert_string_equal(i->participant_id, "p-0123456789abcdef");
    assert_int_equal(i->n_themes, 2);
    assert_string_equal(i->themes[0], "groen");
    assert_string_equal(i->themes[1], "centrum");
    assert_string_equal(i->sentiment, "positief");
    assert_string_equal(i->language, "nl");
    assert_string_equal(i->cluster, "c-42");
    assert_int_equal(i->n_pii, 1);
    assert_string_equal(i->pii[0], "place");
    assert_string_equal(i->status, "new");
    assert_true(i->classified);
    assert_int_equal(i->extra.count, 0);
}

static void test_known_idea_encodes_to_fixture(void **state)
{
    (void)state;
    idea_t i;
    char *buf;
    size_t len;
    proto_err_t err;
    s_known_idea(&i);
    assert_int_equal(idea_encode(&i, &buf, &len, &err), 0);
    s_assert_bytes(buf, len, "idea_known.msgpack");
    free(buf);
    idea_clear(&i);
}

static void test_known_fixture_decodes(void **state)
{
    (void)state;
    size_t len;
    char *buf = s_fixture("idea_known.msgpack", &len);
    idea_t i;
    proto_err_t err;
    assert_int_equal(idea_decode(buf, len, &i, &err), 0);
    s_assert_known(&i);
    idea_clear(&i);
    free(buf);
}

static void test_empty_idea_has_every_key(void **state)
{
    (void)state;
    idea_t i;
    char *buf;
    size_t len;
    proto_err_t err;
    idea_init(&i);
    assert_int_equal(idea_encode(&i, &buf, &len, &err), 0);
    s_assert_bytes(buf, len, "idea_empty.msgpack");
    idea_t back;
    assert_int_equal(idea_decode(buf, len, &back, &err), 0);
    assert_null(back.id);
    assert_null(back.text);
    assert_false(back.has_location);
    assert_false(back.source.has_times);
    assert_int_equal(back.n_themes, 0);
    assert_int_equal(back.n_pii, 0);
    assert_false(back.classified);
    idea_clear(&back);
    free(buf);
}

static void test_envelope_fixture(void **state)
{
    (void)state;
    envelope_t e;
    envelope_init(&e);
    e.type = ENV_IDEA;
    proto_set(&e.id, "t-00112233aabbccdd");
    proto_set(&e.origin, "intake-transcript.0");
    e.sent_at = 1795860000456;
    e.idea = malloc(sizeof(idea_t));
    s_known_idea(e.idea);
    e.participant = malloc(sizeof(participant_t));
    participant_init(e.participant);
    proto_set(&e.participant->name, "Anna de Vries");
    proto_set(&e.participant->email, "anna@example.org");
    e.participant->consent_feedback = true;
    e.participant->consent_at = 1795860000000;
    proto_set(&e.participant->consent_purpose, "feedback omgevingsvisie");
    char *buf;
    size_t len;
    proto_err_t err;
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), 0);
    s_assert_bytes(buf, len, "envelope_idea.msgpack");
    envelope_clear(&e);

    assert_int_equal(envelope_decode(buf, len, &e, &err), 0);
    assert_int_equal(e.version, PROTO_VERSION);
    assert_int_equal(e.type, ENV_IDEA);
    assert_string_equal(e.origin, "intake-transcript.0");
    assert_true(e.sent_at == 1795860000456);
    assert_non_null(e.idea);
    s_assert_known(e.idea);
    assert_non_null(e.participant);
    assert_string_equal(e.participant->email, "anna@example.org");
    assert_true(e.participant->consent_feedback);
    assert_true(e.participant->consent_at == 1795860000000);
    assert_null(e.reason);
    assert_null(e.raw);
    envelope_clear(&e);
    free(buf);
}

/* Decodes a fixture, encodes it again: same bytes. */
static void s_roundtrip(const char *name, envelope_t *e)
{
    size_t len, out_len;
    char *in = s_fixture(name, &len), *out;
    proto_err_t err;
    if (envelope_decode(in, len, e, &err) < 0)
        fail_msg("%s: %s: %s", name, err.code, err.message);
    assert_int_equal(envelope_encode(e, &out, &out_len, &err), 0);
    s_assert_bytes(out, out_len, name);
    free(out);
    free(in);
}

static void test_ack_and_dead_fixtures(void **state)
{
    (void)state;
    envelope_t e;
    s_roundtrip("envelope_ack.msgpack", &e);
    assert_int_equal(e.type, ENV_ACK);
    assert_null(e.idea);
    assert_null(e.participant);
    assert_string_equal(e.id, "t-00112233aabbccdd");
    envelope_clear(&e);

    s_roundtrip("envelope_dead.msgpack", &e);
    assert_int_equal(e.type, ENV_DEAD);
    assert_null(e.id);
    assert_string_equal(e.reason, "unknown_version");
    assert_int_equal(e.raw_len, sizeof("\x82\xa1v\x07\xa4type\xa4idea") - 1);
    assert_memory_equal(e.raw, "\x82\xa1v\x07\xa4type\xa4idea", e.raw_len);
    envelope_clear(&e);
}

static void test_unknown_fields_round_trip(void **state)
{
    (void)state;
    envelope_t e;
    s_roundtrip("envelope_unknown_fields.msgpack", &e);
    assert_int_equal(e.extra.count, 3); /* trace, hops, 7 */
    assert_int_equal(e.idea->extra.count, 2);
    assert_int_equal(e.idea->source.extra.count, 1);
    assert_int_equal(e.participant->extra.count, 1);
    assert_string_equal(e.idea->text, "Hallo");
    assert_string_equal(e.idea->source.video_id, "camjo-2026-07");

    /* A copy keeps them too. */
    idea_t copy;
    idea_copy(&copy, e.idea);
    envelope_t e2;
    envelope_init(&e2);
    e2.type = e.type;
    e2.idea = malloc(sizeof(idea_t));
    *e2.idea = copy;
    char *a, *b;
    size_t alen, blen;
    proto_err_t err;
    assert_int_equal(idea_encode(e.idea, &a, &alen, &err), 0);
    assert_int_equal(idea_encode(e2.idea, &b, &blen, &err), 0);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    free(a);
    free(b);
    envelope_clear(&e2);
    envelope_clear(&e);
}

static void s_expect(const char *name, const char *code)
{
    size_t len;
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
    size_t len;
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

/* Empty str/bin values among unknown keys round-trip. (msgpack-c hands
 * the writer a NULL body for them: clang UBSan in tests/fuzz caught it.) */
static void test_empty_unknown_values_round_trip(void **state)
{
    (void)state;
    static const char in[] = "\x85\xa1v\x01\xa4type\xa3"
                             "ack\xa0\xa0\xa1"
                             "b\xc4\x00\xa1"
                             "c\x90";
    envelope_t e;
    proto_err_t err;
    char *out;
    size_t len;
    assert_int_equal(envelope_decode(in, sizeof(in) - 1, &e, &err), 0);
    assert_int_equal(e.extra.count, 3);
    assert_int_equal(envelope_encode(&e, &out, &len, &err), 0);
    /* Known keys first (nil where empty), then the three unknown pairs. */
    assert_true(len > 9);
    assert_memory_equal(out + len - 9,
                        "\xa0\xa0\xa1"
                        "b\xc4\x00\xa1"
                        "c\x90",
                        9);
    free(out);
    envelope_clear(&e);
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

/* A moderation update (dashboard -> storage) round-trips with its idea and
 * needs one, like the other idea-carrying types. */
static void test_update_envelope(void **state)
{
    (void)state;
    assert_int_equal(env_type_parse("update"), ENV_UPDATE);
    assert_string_equal(env_type_name(ENV_UPDATE), "update");
    envelope_t e, back;
    proto_err_t err;
    char *buf = NULL;
    size_t len = 0;
    envelope_init(&e);
    e.version = PROTO_VERSION;
    e.type = ENV_UPDATE;
    proto_set(&e.id, "u-1");
    proto_set(&e.origin, "dashboard.0");
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), 0);
    assert_int_equal(envelope_decode(buf, len, &back, &err), -1); /* no idea */
    assert_string_equal(err.code, "missing_field");
    envelope_clear(&back);
    free(buf);
    e.idea = calloc(1, sizeof *e.idea);
    idea_init(e.idea);
    proto_set(&e.idea->id, "f-0123456789abcdef");
    proto_set(&e.idea->status, "approved");
    idea_add_theme(e.idea, "groen");
    assert_int_equal(envelope_encode(&e, &buf, &len, &err), 0);
    assert_int_equal(envelope_decode(buf, len, &back, &err), 0);
    assert_int_equal(back.type, ENV_UPDATE);
    assert_string_equal(back.idea->status, "approved");
    assert_int_equal(back.idea->n_themes, 1);
    assert_null(back.idea->wijk);
    envelope_clear(&back);
    envelope_clear(&e);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_idea_encodes_to_fixture),
        cmocka_unit_test(test_known_fixture_decodes),
        cmocka_unit_test(test_empty_idea_has_every_key),
        cmocka_unit_test(test_envelope_fixture),
        cmocka_unit_test(test_ack_and_dead_fixtures),
        cmocka_unit_test(test_unknown_fields_round_trip),
        cmocka_unit_test(test_version_2_is_rejected),
        cmocka_unit_test(test_hostile_fixtures),
        cmocka_unit_test(test_check_limits),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_envelope_errors),
        cmocka_unit_test(test_key_order_and_near_names),
        cmocka_unit_test(test_empty_unknown_values_round_trip),
        cmocka_unit_test(test_encode_refuses_what_would_not_decode),
        cmocka_unit_test(test_update_envelope),
        cmocka_unit_test(test_copied_pairs_still_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
