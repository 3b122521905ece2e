/*
 * NAME
 *   test_storage_store - the pure helpers of storage's Redis writer
 *
 * DESCRIPTION
 *   store.c lives in services/storage/, which unit tests do not link, so
 *   it is included here. The Redis side (the Lua script, idempotency,
 *   participants) is tested against a real Redis in
 *   tests/integration/test_store_dashboard.py. store_record_encode() is
 *   checked here: the record without its nils must decode to the very idea
 *   that idea_encode() wrote, so readers see no difference.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "idea_json.h"

#include "../../services/storage/store.c"
#include "../../services/storage/store_batch.c"
#include "../../services/storage/store_erased.c"
#include "../../services/storage/store_pairs.c"
#include "../../services/storage/store_people.c"
#include "../../services/storage/store_shown.c"
#include "../../services/storage/store_record.c"
#include "../../services/storage/store_redact.c"

static void test_pid_from_idea(void **state)
{
    (void)state;
    char a[19], b[19];
    store_pid_from_idea("f-0123456789abcdef", a);
    /* python3: "p-" + hashlib.blake2b(id, digest_size=32).hexdigest()[:16] */
    assert_string_equal(a, "p-c0663503d191719b");
    store_pid_from_idea("f-0123456789abcdee", b);
    assert_string_not_equal(a, b);
}

static void test_day(void **state)
{
    (void)state;
    char d[11];
    /* Heerlen's day: 2026-11-28T00:00Z is 01:00 there (CET, +1), and the
     * day began at 23:00Z; in summer (CEST, +2) at 22:00Z. Back and forth,
     * so the day kept from the call before is not reused wrongly. */
    store_day(1795824000000LL, d);
    assert_string_equal(d, "2026-11-28");
    store_day(1795824000000LL - 1, d);
    assert_string_equal(d, "2026-11-28");
    store_day(1795824000000LL - 3600000, d);
    assert_string_equal(d, "2026-11-28");
    store_day(1795824000000LL - 3600000 - 1, d);
    assert_string_equal(d, "2026-11-27");
    store_day(1784066400000LL, d); /* 2026-07-14T22:00Z */
    assert_string_equal(d, "2026-07-15");
    store_day(1784066400000LL - 1, d);
    assert_string_equal(d, "2026-07-14");
    store_day(-5, d);
    assert_string_equal(d, "none");
    store_day(1784066400000LL - 1, d);
    assert_string_equal(d, "2026-07-14");
    store_day(INT64_C(253402300800000), d); /* year 10000 */
    assert_string_equal(d, "none");
}

static void test_cat(void **state)
{
    (void)state;
    char *s = store_cat("inspraak:ix:", "wijk", ":", "WK091701");
    assert_string_equal(s, "inspraak:ix:wijk:WK091701");
    free(s);
    s = store_cat("groen", STORE_PAIRS_SEP, "new", NULL);
    assert_string_equal(s, "groen\x1fnew");
    free(s);
    s = store_cat(NULL, "", NULL, NULL);
    assert_string_equal(s, "");
    free(s);
}

/* Decodes buf into a fresh idea; fails the test when it cannot. */
static void s_decode(const char *buf, size_t len, idea_t *out)
{
    proto_err_t err;
    idea_init(out);
    assert_int_equal(idea_decode(buf, len, out, &err), 0);
}

static bool s_has(const char *buf, size_t len, const char *needle)
{
    return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/* The compact record of idea against idea_encode(): the same idea back
 * (re-encoded byte for byte, and the dashboard's JSON), at most max_len
 * bytes. */
static void s_check_record(const idea_t *idea, size_t max_len, size_t *len_out, char **rec_out)
{
    char *full = NULL, *rec = NULL;
    size_t full_len = 0, rec_len = 0;
    proto_err_t err;
    assert_int_equal(idea_encode(idea, &full, &full_len, &err), 0);
    assert_int_equal(store_record_encode(idea, &rec, &rec_len, &err), 0);
    assert_true(rec_len <= max_len);
    idea_t a, b;
    s_decode(full, full_len, &a);
    s_decode(rec, rec_len, &b);
    char *again = NULL;
    size_t again_len = 0;
    assert_int_equal(idea_encode(&b, &again, &again_len, &err), 0);
    assert_int_equal(again_len, full_len);
    assert_memory_equal(again, full, full_len);
    json_t *ja = idea_to_json(&a), *jb = idea_to_json(&b);
    assert_true(json_equal(ja, jb));
    json_decref(ja);
    json_decref(jb);
    idea_clear(&a);
    idea_clear(&b);
    free(again);
    free(full);
    *len_out = rec_len;
    *rec_out = rec;
}

static void test_record_without_nils(void **state)
{
    (void)state;
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.id, "f-0123456789abcdef");
    proto_set(&idea.channel, "form");
    proto_set(&idea.text, "Meer bomen in de Akerstraat, graag.");
    proto_set(&idea.wijk, "WK091701");
    proto_set(&idea.status, "new");
    idea_add_theme(&idea, "groen");
    idea.received_at = 1795824000000LL;
    char *full = NULL, *rec = NULL;
    size_t full_len = 0, rec_len = 0;
    proto_err_t err;
    assert_int_equal(idea_encode(&idea, &full, &full_len, &err), 0);
    /* A form idea leaves ~20 keys nil: they go, ~190 bytes. */
    s_check_record(&idea, full_len - 150, &rec_len, &rec);
    assert_false(s_has(rec, rec_len, "postcode"));
    assert_false(s_has(rec, rec_len, "source"));
    assert_false(s_has(rec, rec_len, "message_id"));
    assert_true(s_has(rec, rec_len, "Akerstraat"));
    assert_true(s_has(rec, rec_len, "classified")); /* false is a value, kept */
    assert_true(s_has(rec, rec_len, "pii"));        /* an empty array too */
    free(rec);
    free(full);

    /* A mail idea: "source" stays with only its filled keys; a location. */
    proto_set(&idea.source.message_id, "<abc@example.nl>");
    assert_int_equal(idea_add_attachment(&idea, "foto.jpg", "image/jpeg", 1234), 0);
    idea.has_location = true;
    idea.lat = 50.8882;
    idea.lon = 5.9795;
    proto_set(&idea.participant_id, "p-c0663503d191719b");
    assert_int_equal(idea_encode(&idea, &full, &full_len, &err), 0);
    s_check_record(&idea, full_len - 100, &rec_len, &rec);
    assert_true(s_has(rec, rec_len, "source"));
    assert_true(s_has(rec, rec_len, "<abc@example.nl>"));
    assert_true(s_has(rec, rec_len, "foto.jpg"));
    assert_false(s_has(rec, rec_len, "video_id"));
    free(rec);
    free(full);
    idea_clear(&idea);
}

/* An idea decoded from hand-packed bytes: the known keys, then unknown
 * pairs (as an intake of a newer version could send). int_key: one of
 * them has an integer key. */
static void s_idea_with_extras(idea_t *idea, bool nil_extra, bool int_key)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 4 + (nil_extra ? 1 : 0) + (int_key ? 1 : 0));
    const char *kv[] = {"id", "f-0123456789abcdef", "text", "Een bankje bij de vijver.",
                        "wijk", "WK091701", "zz_new_field", "waarde"};
    for (int i = 0; i < 8; i++)
        msgpack_pack_str_with_body(&pk, kv[i], strlen(kv[i]));
    if (nil_extra) {
        msgpack_pack_str_with_body(&pk, "zz_empty", 8);
        msgpack_pack_nil(&pk);
    }
    if (int_key) {
        msgpack_pack_int(&pk, 7);
        msgpack_pack_str_with_body(&pk, "zeven", 5);
    }
    s_decode(sb.data, sb.size, idea);
    msgpack_sbuffer_destroy(&sb);
}

static void test_record_unknown_keys(void **state)
{
    (void)state;
    idea_t idea;
    char *rec = NULL, *full = NULL;
    size_t rec_len = 0, full_len = 0;
    proto_err_t err;
    /* Unknown pairs with a value are kept, byte for byte. */
    s_idea_with_extras(&idea, false, false);
    assert_int_equal(idea_encode(&idea, &full, &full_len, &err), 0);
    s_check_record(&idea, full_len - 150, &rec_len, &rec);
    assert_true(s_has(rec, rec_len, "zz_new_field"));
    free(rec);
    free(full);
    idea_clear(&idea);
    /* A nil one goes like the known ones (nil and missing are one). */
    s_idea_with_extras(&idea, true, false);
    assert_int_equal(store_record_encode(&idea, &rec, &rec_len, &err), 0);
    assert_false(s_has(rec, rec_len, "zz_empty"));
    assert_true(s_has(rec, rec_len, "zz_new_field"));
    idea_t back;
    s_decode(rec, rec_len, &back);
    assert_string_equal(back.text, "Een bankje bij de vijver.");
    idea_clear(&back);
    free(rec);
    idea_clear(&idea);
    /* A key that is no string: the record is stored as idea_encode wrote it. */
    s_idea_with_extras(&idea, true, true);
    assert_int_equal(idea_encode(&idea, &full, &full_len, &err), 0);
    assert_int_equal(store_record_encode(&idea, &rec, &rec_len, &err), 0);
    assert_int_equal(rec_len, full_len);
    assert_memory_equal(rec, full, full_len);
    free(rec);
    free(full);
    idea_clear(&idea);
}

static void test_bad_url(void **state)
{
    (void)state;
    char err[128] = "";
    assert_null(store_new("http://example.org/", err, sizeof err));
    assert_true(err[0] != '\0');
    store_t *st = store_new("redis://127.0.0.1:1", err, sizeof err); /* down is fine */
    assert_non_null(st);
    store_destroy(&st);
    assert_null(st);
    store_destroy(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pid_from_idea),
        cmocka_unit_test(test_day),
        cmocka_unit_test(test_cat),
        cmocka_unit_test(test_bad_url),
        cmocka_unit_test(test_record_without_nils),
        cmocka_unit_test(test_record_unknown_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
