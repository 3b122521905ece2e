/*
 * NAME
 *   test_proto - golden fixtures and round trips of proto
 *
 * DESCRIPTION
 *   The fixtures in proto/fixtures/ were written by an independent
 *   MessagePack writer (proto/fixtures/gen.py); the C encoder must produce
 *   them byte for byte and the decoder must read back the same values.
 *   Unknown keys and the update envelope round-trip. Hostile input and
 *   field errors are in test_proto_errors.c.
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
    size_t len = 0; /* s_fixture() leaves it unset when it fails the test */
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
    size_t len = 0, out_len;
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

/* A moderation update (dashboard -> storage) round-trips with its idea and
 * needs one, like the other idea-carrying types. */
/* Which cluster ids staff may set (classifier and storage both ask). */
static void test_cluster_ok(void **state)
{
    (void)state;
    char longest[PROTO_MAX_CLUSTER], too_long[PROTO_MAX_CLUSTER + 1];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    assert_true(idea_cluster_ok("f-8c4e502f523fbc09"));
    assert_true(idea_cluster_ok("f-8c4e502f523fbc09-los"));
    assert_true(idea_cluster_ok(longest));
    assert_false(idea_cluster_ok(too_long));
    assert_false(idea_cluster_ok(""));
    assert_false(idea_cluster_ok(NULL));
    assert_false(idea_cluster_ok("met spatie"));
    assert_false(idea_cluster_ok("tab\there"));
    assert_false(idea_cluster_ok("caf\xc3\xa9"));
    assert_false(idea_cluster_ok("del\x7f"));
}

/* The one check of a moderation update (storage applies, the classifier
 * corrects its sketch, the dashboard sends): each field's bad value is
 * refused with a reason, and a cluster-only move needs no status. */
static void test_update_check(void **state)
{
    (void)state;
    idea_t u;
    char err[160];
    idea_init(&u);
    proto_set(&u.id, "f-1");
    proto_set(&u.status, "approved");
    proto_set(&u.sentiment, "negatief");
    proto_set(&u.question, "nu");
    proto_set(&u.wijk, "WK091733");
    idea_add_theme(&u, "groen");
    proto_set(&u.cluster, "f-2");
    assert_int_equal(idea_update_check(&u, err, sizeof err), 0);
    const struct {
        size_t field;
        const char *bad;
    } cases[] = {
        {offsetof(idea_t, status), "bogus"},      {offsetof(idea_t, sentiment), "boos"},
        {offsetof(idea_t, question), "later"},    {offsetof(idea_t, wijk), "Heerlen"},
        {offsetof(idea_t, wijk), "WK 0917"},      {offsetof(idea_t, cluster), "met spatie"},
        {offsetof(idea_t, id), ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        idea_t v;
        idea_copy(&v, &u);
        char **f = (char **)((char *)&v + cases[i].field);
        proto_set(f, cases[i].bad);
        err[0] = '\0';
        assert_int_equal(idea_update_check(&v, err, sizeof err), -1);
        assert_non_null(strstr(err, "update with a bad"));
        assert_int_equal(idea_update_check(&v, NULL, 0), -1); /* no err buffer: fine */
        idea_clear(&v);
    }
    idea_t t;
    idea_copy(&t, &u);
    idea_add_theme(&t, "none");
    assert_int_equal(idea_update_check(&t, err, sizeof err), -1);
    idea_clear(&t);
    /* a whole group moved: cluster only */
    idea_t m;
    idea_init(&m);
    proto_set(&m.id, "f-3");
    proto_set(&m.cluster, "f-2");
    assert_int_equal(idea_update_check(&m, err, sizeof err), 0);
    proto_set(&m.cluster, "");
    assert_int_equal(idea_update_check(&m, err, sizeof err), -1);
    idea_clear(&m);
    idea_clear(&u);
}

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
        cmocka_unit_test(test_empty_unknown_values_round_trip),
        cmocka_unit_test(test_update_envelope),
        cmocka_unit_test(test_cluster_ok),
        cmocka_unit_test(test_update_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
