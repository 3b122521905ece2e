/*
 * NAME
 *   test_proto_more - round trips of random ideas, copy/clear/set, ids and
 *   the JSON shape of an idea
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <msgpack.h>

#include "idea_json.h"
#include "proto.h"

static unsigned s_seed = 12345;

static unsigned s_rand(void)
{
    s_seed = s_seed * 1103515245u + 12345u;
    return (s_seed >> 8) & 0xffffff;
}

/* A random valid UTF-8 string (ASCII, Dutch accents, euro sign, emoji), or
 * NULL one time in four. */
static char *s_rand_str(void)
{
    static const char *const parts[] = {"a", "Z", " ", "é", "ë", "€", "😀", "\n", "\"", "0", "ij"};
    if (s_rand() % 4 == 0)
        return NULL;
    size_t n = s_rand() % 40;
    char *s = malloc(n * 4 + 1);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(s, parts[s_rand() % (sizeof(parts) / sizeof(parts[0]))]);
    return s;
}

static void s_rand_set(char **field)
{
    char *s = s_rand_str();
    proto_set(field, s);
    free(s);
}

static void s_rand_idea(idea_t *i)
{
    idea_init(i);
    char **strs[] = {&i->id,
                     &i->channel,
                     &i->activity,
                     &i->target_group,
                     &i->text,
                     &i->title,
                     &i->wijk,
                     &i->buurt,
                     &i->postcode,
                     &i->question,
                     &i->participant_id,
                     &i->sentiment,
                     &i->language,
                     &i->cluster,
                     &i->status,
                     &i->source.message_id,
                     &i->source.subject,
                     &i->source.video_id,
                     &i->source.context,
                     &i->source.device_id,
                     &i->source.local_id,
                     &i->source.idempotency_key,
                     &i->source.video_url};
    for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
        s_rand_set(strs[k]);
    i->received_at = (int64_t)s_rand() * 1000003 - 5000000;
    i->has_location = s_rand() % 2;
    if (i->has_location) {
        i->lat = (double)(s_rand() % 180000) / 1000.0 - 90.0;
        i->lon = (double)(s_rand() % 360000) / 1000.0 - 180.0;
    }
    i->source.has_times = s_rand() % 2;
    if (i->source.has_times) {
        i->source.start = s_rand() / 7.0;
        i->source.end = i->source.start + s_rand() / 3.0;
    }
    static const char *const themes[] = {"wonen", "groen", "mobiliteit", "zorg", "jeugd"};
    for (unsigned n = s_rand() % 4; n > 0; n--)
        idea_add_theme(i, themes[s_rand() % 5]);
    for (unsigned n = s_rand() % 9; n > 0; n--) {
        char flag[16];
        snprintf(flag, sizeof(flag), "pii%u", s_rand() % 12);
        idea_add_pii(i, flag);
    }
    i->classified = s_rand() % 2;
}

static void s_assert_str(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void s_assert_same(const idea_t *a, const idea_t *b)
{
    s_assert_str(a->id, b->id);
    s_assert_str(a->text, b->text);
    s_assert_str(a->title, b->title);
    s_assert_str(a->status, b->status);
    s_assert_str(a->source.subject, b->source.subject);
    s_assert_str(a->source.idempotency_key, b->source.idempotency_key);
    s_assert_str(a->source.video_url, b->source.video_url);
    assert_true(a->received_at == b->received_at);
    assert_int_equal(a->has_location, b->has_location);
    if (a->has_location)
        assert_true(a->lat == b->lat && a->lon == b->lon);
    assert_int_equal(a->source.has_times, b->source.has_times);
    if (a->source.has_times)
        assert_true(a->source.start == b->source.start && a->source.end == b->source.end);
    assert_int_equal(a->n_themes, b->n_themes);
    for (int k = 0; k < a->n_themes; k++)
        assert_string_equal(a->themes[k], b->themes[k]);
    assert_int_equal(a->n_pii, b->n_pii);
    for (int k = 0; k < a->n_pii; k++)
        assert_string_equal(a->pii[k], b->pii[k]);
    assert_int_equal(a->classified, b->classified);
}

static void test_random_ideas_round_trip(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        idea_t a, b;
        char *buf1, *buf2;
        size_t len1, len2;
        proto_err_t err;
        s_rand_idea(&a);
        if (idea_encode(&a, &buf1, &len1, &err) < 0)
            fail_msg("round %d: %s %s", round, err.code, err.message);
        assert_int_equal(idea_decode(buf1, len1, &b, &err), 0);
        s_assert_same(&a, &b);
        assert_int_equal(idea_encode(&b, &buf2, &len2, &err), 0);
        assert_int_equal(len1, len2);
        assert_memory_equal(buf1, buf2, len1);

        /* The same idea inside an envelope, truncated anywhere: never a crash,
         * never a success. */
        envelope_t e, back;
        envelope_init(&e);
        e.type = ENV_CLASSIFIED;
        e.idea = malloc(sizeof(idea_t));
        idea_copy(e.idea, &a);
        char *ebuf;
        size_t elen;
        assert_int_equal(envelope_encode(&e, &ebuf, &elen, &err), 0);
        size_t cut = s_rand() % elen;
        assert_int_equal(envelope_decode(ebuf, cut, &back, &err), -1);
        assert_null(back.idea);
        assert_int_equal(envelope_decode(ebuf, elen, &back, &err), 0);
        s_assert_same(&a, back.idea);
        envelope_clear(&back);
        envelope_clear(&e);
        free(ebuf);
        free(buf1);
        free(buf2);
        idea_clear(&a);
        idea_clear(&b);
    }
}

static void test_copy_is_deep_and_clear_reusable(void **state)
{
    (void)state;
    idea_t a, b;
    s_seed = 99;
    s_rand_idea(&a);
    proto_set(&a.text, "origineel");
    idea_copy(&b, &a);
    assert_ptr_not_equal(a.text, b.text);
    s_assert_same(&a, &b);
    proto_set(&b.text, "anders");
    assert_string_not_equal(a.text, "anders");
    idea_clear(&a); /* b must not depend on a */
    assert_string_equal(b.text, "anders");
    idea_clear(&b);
    assert_null(b.text);
    assert_int_equal(b.n_themes, 0);
    /* A cleared idea is an empty one, ready to use again. */
    assert_int_equal(idea_add_theme(&b, "wonen"), 0);
    proto_set(&b.text, "opnieuw");
    idea_clear(&b);
}

static void test_set_and_add(void **state)
{
    (void)state;
    idea_t i;
    idea_init(&i);
    proto_set(&i.text, "Heerlen 2050");
    proto_set(&i.text, i.text + 8); /* a value pointing into the old one */
    assert_string_equal(i.text, "2050");
    proto_set(&i.text, NULL);
    assert_null(i.text);
    assert_int_equal(idea_add_theme(&i, "wonen"), 0);
    assert_int_equal(idea_add_theme(&i, "wonen"), -1);
    assert_int_equal(idea_add_theme(&i, "groen"), 0);
    assert_int_equal(idea_add_theme(&i, "zorg"), 0);
    assert_int_equal(idea_add_theme(&i, "jeugd"), -1);
    assert_int_equal(i.n_themes, PROTO_MAX_THEMES);
    for (int k = 0; k < PROTO_MAX_PII; k++) {
        char flag[16];
        snprintf(flag, sizeof(flag), "f%d", k);
        assert_int_equal(idea_add_pii(&i, flag), 0);
    }
    assert_int_equal(idea_add_pii(&i, "meer"), -1);
    idea_clear(&i);
}

static void test_derive_id(void **state)
{
    (void)state;
    char a[PROTO_ID_SIZE], b[PROTO_ID_SIZE];
    /* BLAKE2b-256("email:<abc@example.org>")[0..8], computed with Python's hashlib. */
    proto_derive_id("email", "<abc@example.org>", a);
    assert_string_equal(a, "e-ee4976d280e058ce");
    proto_derive_id("field", "dev-7/42", a);
    assert_string_equal(a, "v-f10d865e2258ad2d");
    proto_derive_id("field", "dev-7/42", b);
    assert_string_equal(a, b);
    proto_derive_id("field", "dev-7/43", b);
    assert_string_not_equal(a, b);
    proto_derive_id("form", NULL, a);
    proto_derive_id("form", NULL, b);
    assert_int_equal(strlen(a), 18);
    assert_int_equal(a[0], 'f');
    assert_string_not_equal(a, b);
    proto_derive_id("transcript", "x", a);
    assert_int_equal(a[0], 't');
    proto_derive_id("Enquete", "x", a);
    assert_int_equal(a[0], 'e');
    proto_derive_id(NULL, "x", a);
    assert_int_equal(a[0], 'x');
}

static void test_rfc3339(void **state)
{
    (void)state;
    char buf[40];
    proto_rfc3339(1795860000000, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-28T10:00:00Z");
    proto_rfc3339(1795860000123, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-28T10:00:00.123Z");
    proto_rfc3339(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    proto_rfc3339(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
}

static void test_idea_json(void **state)
{
    (void)state;
    idea_t i;
    idea_init(&i);
    proto_set(&i.id, "e-0011223344556677");
    proto_set(&i.channel, "email");
    proto_set(&i.text, "Meer bankjes");
    proto_set(&i.participant_id, "p-secret");
    proto_set(&i.source.message_id, "<m1@example.org>");
    proto_set(&i.source.video_id, "not-for-email");
    i.received_at = 1795860000000;
    idea_add_theme(&i, "groen");
    json_t *j = idea_to_json(&i);
    static const char *const keys[] = {
        "id",     "channel", "activity", "target_group", "received_at", "text",     "title",
        "wijk",   "buurt",   "question", "themes",       "sentiment",   "language", "cluster",
        "status", "pii",     "location", "postcode",     "source"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        if (!json_object_get(j, keys[k]))
            fail_msg("key %s missing", keys[k]);
    assert_int_equal(json_object_size(j), sizeof(keys) / sizeof(keys[0]));
    assert_null(json_object_get(j, "participant_id"));
    assert_string_equal(json_string_value(json_object_get(j, "received_at")),
                        "2026-11-28T10:00:00Z");
    assert_true(json_is_null(json_object_get(j, "wijk")));
    assert_true(json_is_null(json_object_get(j, "location")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "themes"), 0)),
                        "groen");
    json_t *src = json_object_get(j, "source");
    assert_string_equal(json_string_value(json_object_get(src, "message_id")), "<m1@example.org>");
    assert_null(json_object_get(src, "video_id"));
    json_decref(j);

    proto_set(&i.channel, "transcript");
    i.source.has_times = true;
    i.source.start = 1.5;
    i.source.end = 9;
    i.has_location = true;
    i.lat = 50.9;
    i.lon = 5.98;
    j = idea_to_json(&i);
    src = json_object_get(j, "source");
    assert_true(json_real_value(json_object_get(src, "start")) == 1.5);
    assert_string_equal(json_string_value(json_object_get(src, "video_id")), "not-for-email");
    assert_null(json_object_get(src, "message_id"));
    assert_true(json_real_value(json_object_get(json_object_get(j, "location"), "lat")) == 50.9);
    json_decref(j);

    proto_set(&i.channel, "form");
    j = idea_to_json(&i);
    assert_int_equal(json_object_size(json_object_get(j, "source")), 0);
    json_decref(j);
    idea_clear(&i);
}

/* The encoder writes string headers itself: they must be exactly the
 * ones msgpack-c writes (fixstr, str8, str16, str32 at the length
 * boundaries), and decode back to the same text. */
static void test_string_headers_match_msgpack(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 31, 32, 255, 256, 65535, 65536, 100000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t n = lens[k];
        char *text = malloc(n + 1);
        memset(text, 'a', n);
        text[n] = '\0';
        idea_t idea, back;
        idea_init(&idea);
        proto_set(&idea.id, "f-1");
        proto_set(&idea.text, text);
        char *buf = NULL;
        size_t len = 0;
        proto_err_t err;
        assert_int_equal(idea_encode(&idea, &buf, &len, &err), 0);

        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        msgpack_packer pk;
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_str(&pk, 4);
        msgpack_pack_str_body(&pk, "text", 4);
        msgpack_pack_str(&pk, n);
        msgpack_pack_str_body(&pk, text, n);
        const char *at = NULL;
        for (size_t i = 0; i + sb.size <= len && !at; i++)
            if (memcmp(buf + i, sb.data, sb.size) == 0)
                at = buf + i;
        if (!at)
            fail_msg("text of %zu bytes is not packed as msgpack-c packs it", n);

        assert_int_equal(idea_decode(buf, len, &back, &err), 0);
        assert_string_equal(back.text, text);
        idea_clear(&back);
        msgpack_sbuffer_destroy(&sb);
        idea_clear(&idea);
        free(buf);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ideas_round_trip),
        cmocka_unit_test(test_string_headers_match_msgpack),
        cmocka_unit_test(test_copy_is_deep_and_clear_reusable),
        cmocka_unit_test(test_set_and_add),
        cmocka_unit_test(test_derive_id),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_idea_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
