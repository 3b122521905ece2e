/*
 * NAME
 *   test_proto_attach - source.attachments of the idea record (proto)
 *
 * DESCRIPTION
 *   A mail's attachments are listed in the idea, never stored. What a
 *   reader of the record would check: the list survives encode, decode and
 *   copy with name, type and size; the bytes are the golden fixture that
 *   proto/fixtures/gen.py writes independently; a record written before
 *   the key existed still reads (no attachments); more than 20 entries, a
 *   wrongly typed entry or a negative size are refused as bad_field; the
 *   dashboard JSON lists them for email ideas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idea_json.h"
#include "proto.h"
#include "test_proto_util.h"

/* The same idea as MAIL in proto/fixtures/gen.py, without the unknown key. */
static void s_mail_idea(idea_t *i)
{
    idea_init(i);
    proto_set(&i->id, "e-0123456789abcdef");
    proto_set(&i->channel, "email");
    proto_set(&i->activity, "email");
    i->received_at = 1795860000123;
    proto_set(&i->text, "Zie de bijlage: een plan voor het park.");
    proto_set(&i->source.message_id, "abc@example.org");
    proto_set(&i->source.subject, "Plan voor het park");
    assert_int_equal(idea_add_attachment(i, "plan park.pdf", "application/pdf", 48213), 0);
    assert_int_equal(idea_add_attachment(i, NULL, "image/jpeg", 0), 0);
    proto_set(&i->status, "new");
}

static void s_assert_listed(const idea_t *i)
{
    assert_int_equal(i->source.n_attachments, 2);
    assert_string_equal(i->source.attachments[0].name, "plan park.pdf");
    assert_string_equal(i->source.attachments[0].type, "application/pdf");
    assert_int_equal(i->source.attachments[0].size, 48213);
    assert_null(i->source.attachments[1].name);
    assert_string_equal(i->source.attachments[1].type, "image/jpeg");
    assert_int_equal(i->source.attachments[1].size, 0);
}

static void test_fixture_round_trip(void **state)
{
    (void)state;
    size_t len;
    char *want = s_fixture("idea_attachments.msgpack", &len);
    idea_t i;
    proto_err_t err;
    assert_int_equal(idea_decode(want, len, &i, &err), 0);
    s_assert_listed(&i);
    /* the unknown key inside an entry is kept and written back */
    assert_int_equal(i.source.attachments[1].extra.count, 1);
    char *buf;
    size_t blen;
    assert_int_equal(idea_encode(&i, &buf, &blen, &err), 0);
    assert_int_equal(blen, len);
    assert_memory_equal(buf, want, len);
    free(buf);

    idea_t copy;
    idea_copy(&copy, &i);
    idea_clear(&i);
    s_assert_listed(&copy);
    assert_int_equal(idea_encode(&copy, &buf, &blen, &err), 0);
    assert_memory_equal(buf, want, len);
    free(buf);
    idea_clear(&copy);
    free(want);
}

static void test_built_idea_encodes(void **state)
{
    (void)state;
    idea_t i, back;
    char *buf;
    size_t len;
    proto_err_t err;
    s_mail_idea(&i);
    assert_int_equal(idea_encode(&i, &buf, &len, &err), 0);
    assert_int_equal(idea_decode(buf, len, &back, &err), 0);
    s_assert_listed(&back);
    assert_int_equal(back.source.attachments[1].extra.count, 0);
    free(buf);
    idea_clear(&back);

    /* at most 20 */
    for (int k = 2; k < PROTO_MAX_ATTACHMENTS; k++)
        assert_int_equal(idea_add_attachment(&i, "x.txt", "text/plain", k), 0);
    assert_int_equal(idea_add_attachment(&i, "een-te-veel.txt", "text/plain", 1), -1);
    assert_int_equal(i.source.n_attachments, PROTO_MAX_ATTACHMENTS);
    assert_int_equal(idea_encode(&i, &buf, &len, &err), 0);
    free(buf);
    idea_clear(&i);
}

static void test_old_record_reads(void **state)
{
    (void)state;
    size_t len;
    char *old = s_fixture("idea_old_no_attachments.msgpack", &len);
    idea_t i;
    proto_err_t err;
    assert_int_equal(idea_decode(old, len, &i, &err), 0);
    assert_string_equal(i.id, "t-00112233aabbccdd");
    assert_string_equal(i.source.video_id, "camjo-2026-07");
    assert_int_equal(i.source.n_attachments, 0);
    assert_null(i.source.attachments);
    assert_int_equal(i.source.extra.count, 0);
    idea_clear(&i);
    free(old);
}

/* An email idea whose source.attachments is replaced by what pack_value
 * writes. */
static char *s_with_attachments(void (*pack_value)(msgpack_packer *), size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str_with_body(&pk, "id", 2);
    msgpack_pack_str_with_body(&pk, "e-1", 3);
    msgpack_pack_str_with_body(&pk, "source", 6);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, "attachments", 11);
    pack_value(&pk);
    *len = sb.size;
    return sb.data; /* msgpack_sbuffer uses malloc: free() it */
}

static void s_too_many(msgpack_packer *pk)
{
    msgpack_pack_array(pk, PROTO_MAX_ATTACHMENTS + 1);
    for (int k = 0; k <= PROTO_MAX_ATTACHMENTS; k++)
        msgpack_pack_map(pk, 0);
}

static void s_not_a_map(msgpack_packer *pk)
{
    msgpack_pack_array(pk, 1);
    msgpack_pack_str_with_body(pk, "plan.pdf", 8);
}

static void s_negative(msgpack_packer *pk)
{
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 1);
    msgpack_pack_str_with_body(pk, "size", 4);
    msgpack_pack_int64(pk, -5);
}

static void s_name_number(msgpack_packer *pk)
{
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 1);
    msgpack_pack_str_with_body(pk, "name", 4);
    msgpack_pack_int64(pk, 7);
}

static void s_empty_entry(msgpack_packer *pk)
{
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 0);
}

static void test_bad_lists_refused(void **state)
{
    (void)state;
    void (*bad[])(msgpack_packer *) = {s_too_many, s_not_a_map, s_negative, s_name_number};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        size_t len;
        char *buf = s_with_attachments(bad[k], &len);
        idea_t i;
        proto_err_t err;
        assert_int_equal(idea_decode(buf, len, &i, &err), -1);
        assert_string_equal(err.code, "bad_field");
        assert_non_null(strstr(err.message, "attachments"));
        assert_int_equal(i.source.n_attachments, 0);
        idea_clear(&i);
        free(buf);
    }
    /* an entry with every key missing is an attachment we know nothing of */
    size_t len;
    char *buf = s_with_attachments(s_empty_entry, &len);
    idea_t i;
    proto_err_t err;
    assert_int_equal(idea_decode(buf, len, &i, &err), 0);
    assert_int_equal(i.source.n_attachments, 1);
    assert_null(i.source.attachments[0].name);
    idea_clear(&i);
    free(buf);
}

static void test_json_lists_them(void **state)
{
    (void)state;
    idea_t i;
    s_mail_idea(&i);
    json_t *j = idea_to_json(&i);
    json_t *a = json_object_get(json_object_get(j, "source"), "attachments");
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "name")),
                        "plan park.pdf");
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "type")),
                        "application/pdf");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "size")), 48213);
    assert_true(json_is_null(json_object_get(json_array_get(a, 1), "name")));
    json_decref(j);
    idea_clear(&i);

    /* an email idea without attachments: an empty list, not a missing key */
    idea_init(&i);
    proto_set(&i.channel, "email");
    j = idea_to_json(&i);
    a = json_object_get(json_object_get(j, "source"), "attachments");
    assert_true(json_is_array(a));
    assert_int_equal(json_array_size(a), 0);
    json_decref(j);
    idea_clear(&i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_round_trip), cmocka_unit_test(test_built_idea_encodes),
        cmocka_unit_test(test_old_record_reads),   cmocka_unit_test(test_bad_lists_refused),
        cmocka_unit_test(test_json_lists_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
