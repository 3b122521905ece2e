/*
 * NAME
 *   test_field_batch - intake-field's batch decoding and per-item checks
 *
 * DESCRIPTION
 *   Includes the service's pure files (decode.c, batch.c) and checks what a
 *   client of POST /api/v1/field/batches would see: limits refused before
 *   parsing, MessagePack and JSON giving the same tree, each bad item its
 *   own code, ids stable per (device, local_id), location rules (explicit
 *   wijk wins, outside Heerlen flagged), activity type and name, RFC 3339,
 *   a tablet clock over a day ahead (kept, with the time of arrival), the
 *   messages a field worker reads in plain Dutch (no format names or JSON).
 *   Geo data from INSPRAAK_DATA or ./data.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../services/intake-field/batch.c"
#include "../../services/intake-field/decode.c"
#include "test_geo_util.h"

#define NOW 1747051200000LL /* 2025-05-12T12:00:00Z */

/* Checks one item (JSON text) under a head for device "tab-1". Returns
 * 0/-1 like batch_item_check; env and rej for the caller to clear. */
static int s_check(const char *item_json, envelope_t *env, batch_reject_t *rej)
{
    json_t *item = json_loads(item_json, 0, NULL);
    assert_non_null(item);
    batch_head_t head = {.device_id = "tab-1", .activity = "omgevingsvisietour"};
    int rc = batch_item_check(item, &head, s_geo, NOW, env, rej);
    json_decref(item);
    return rc;
}

static void s_expect_code(const char *item_json, const char *code)
{
    envelope_t env;
    batch_reject_t rej;
    assert_int_equal(s_check(item_json, &env, &rej), -1);
    assert_string_equal(rej.code, code);
    assert_true(strlen(rej.message) > 0);
    assert_null(env.idea);
    batch_reject_clear(&rej);
}

/* The message a field worker reads in the app under "Niet opgeslagen" and
 * in the "Aanpassen" note: plain Dutch, no format names or JSON. */
static void s_expect_message(const char *item_json, const char *code, const char *message)
{
    envelope_t env;
    batch_reject_t rej;
    assert_int_equal(s_check(item_json, &env, &rej), -1);
    assert_string_equal(rej.code, code);
    assert_string_equal(rej.message, message);
    batch_reject_clear(&rej);
}

static void test_messages_for_people(void **state)
{
    (void)state;
    s_expect_message("{\"local_id\": \"a\", \"text\": \"tekst\", \"collected_at\": \"12 mei\"}",
                     "invalid_collected_at",
                     "De datum of tijd klopt niet. Kies de dag waarop de inwoner het idee gaf.");
    s_expect_message("{\"local_id\": \"a\", \"text\": \"tekst\", \"lat\": 91, \"lon\": 5}",
                     "invalid_location",
                     "De locatie klopt niet. Vul de wijk in of zoek de locatie opnieuw.");
    s_expect_message("{\"local_id\": \"a\", \"text\": \"tekst\", \"participant\": "
                     "{\"email\": \"p@example.org\", \"consent\": true}}",
                     "invalid_participant",
                     "De toestemming om te mailen klopt niet. Kies opnieuw of de inwoner "
                     "een e-mail wil krijgen.");
    s_expect_message("{\"local_id\": \"a\", \"text\": \"tekst\", \"participant\": "
                     "{\"email\": \"p@example.org\", \"consent\": {\"feedback\": \"ja\"}}}",
                     "invalid_participant",
                     "De toestemming om te mailen klopt niet. Kies opnieuw of de inwoner "
                     "een e-mail wil krijgen.");
    /* A place two wijken's names start with: the same answer as the form
     * (common/geo.c), naming both, not "Deze wijk kennen we niet". */
    s_expect_message("{\"local_id\": \"a\", \"text\": \"tekst\", \"wijk\": \" heerlerbaan \"}",
                     "unknown_wijk",
                     "Er zijn twee wijken met Heerlerbaan in de naam: Heerlerbaan-Centrum en "
                     "Heerlerbaan-Schil. Kies een van deze wijken uit de lijst.");
    s_expect_message("{\"local_id\": \"a\", \"text\": \"tekst\", \"wijk\": \"Atlantis\"}",
                     "unknown_wijk",
                     "Deze wijk kennen we niet in Heerlen. Kies een wijk uit de lijst, of laat "
                     "het veld leeg.");
}

static void test_good_item(void **state)
{
    (void)state;
    envelope_t env;
    batch_reject_t rej;
    assert_int_equal(s_check("{\"local_id\": \"a-1\", \"text\": \"  Meer bomen  \", "
                             "\"question\": \"toekomst\", \"target_group\": \"inwoner\", "
                             "\"collected_at\": \"2025-05-12T14:03:00.5+02:00\", "
                             "\"participant\": {\"name\": \"Piet\", \"email\": \"p@example.org\", "
                             "\"consent\": {\"feedback\": true}}}",
                             &env, &rej),
                     0);
    char id[PROTO_ID_SIZE];
    proto_derive_id("field", "tab-1/a-1", id);
    assert_string_equal(env.id, id);
    assert_string_equal(env.idea->id, id);
    assert_string_equal(env.idea->channel, "field");
    assert_string_equal(env.idea->text, "Meer bomen");
    assert_string_equal(env.idea->source.device_id, "tab-1");
    assert_string_equal(env.idea->source.local_id, "a-1");
    assert_int_equal(env.idea->received_at, 1747051380500LL);
    assert_null(env.idea->wijk);
    assert_string_equal(env.participant->email, "p@example.org");
    assert_true(env.participant->consent_feedback);
    assert_int_equal(env.participant->consent_at, NOW);
    envelope_clear(&env);
    batch_reject_clear(&rej);
}

/* A tablet clock more than a day ahead: the idea is kept and counts from
 * its arrival; a clock a few hours ahead keeps the tablet's time. */
static void test_clock_ahead(void **state)
{
    (void)state;
    envelope_t env;
    batch_reject_t rej;
    assert_int_equal(s_check("{\"local_id\": \"a\", \"text\": \"tekst\", "
                             "\"collected_at\": \"2099-01-01T00:00:00Z\"}",
                             &env, &rej),
                     0);
    assert_int_equal(env.idea->received_at, NOW);
    envelope_clear(&env);
    assert_int_equal(s_check("{\"local_id\": \"a\", \"text\": \"tekst\", "
                             "\"collected_at\": \"2025-05-12T20:00:00Z\"}",
                             &env, &rej),
                     0);
    assert_int_equal(env.idea->received_at, NOW + 8 * 3600000LL);
    envelope_clear(&env);
}

static void test_bad_items(void **state)
{
    (void)state;
    s_expect_code("[1]", "invalid_item");
    s_expect_code("{\"text\": \"zonder id\"}", "invalid_local_id");
    s_expect_code("{\"local_id\": \"a b\", \"text\": \"spatie\"}", "invalid_local_id");
    s_expect_code("{\"local_id\": \"a\"}", "missing_text");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"  \\n \"}", "missing_text");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"ok\"}", "text_too_short");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"question\": \"later\"}",
                  "invalid_question");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"target_group\": 3}",
                  "invalid_target_group");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"lat\": 91, \"lon\": 5}",
                  "invalid_location");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"lon\": 5.9}", "invalid_location");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"lat\": \"50\", \"lon\": 5}",
                  "invalid_location");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"wijk\": \"Atlantis\"}",
                  "unknown_wijk");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"collected_at\": \"12 mei\"}",
                  "invalid_collected_at");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"participant\": "
                  "{\"email\": \"nee\"}}",
                  "invalid_email");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"participant\": "
                  "{\"consent\": {\"feedback\": true}}}",
                  "consent_without_email");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"participant\": 5}",
                  "invalid_participant");
    /* consent is {"feedback": bool}: a bare true must not pass as "no
     * consent" unnoticed (the participant would never get the outcome) */
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"participant\": "
                  "{\"email\": \"p@example.org\", \"consent\": true}}",
                  "invalid_participant");
    s_expect_code("{\"local_id\": \"a\", \"text\": \"tekst\", \"participant\": "
                  "{\"email\": \"p@example.org\", \"consent\": \"ja\"}}",
                  "invalid_participant");
}

static void test_text_limits(void **state)
{
    (void)state;
    size_t n = TEXT_MAX_CHARS + 1;
    char *big = malloc(n + 64);
    strcpy(big, "{\"local_id\": \"a\", \"text\": \"");
    size_t off = strlen(big);
    memset(big + off, 'x', n);
    strcpy(big + off + n, "\"}");
    s_expect_code(big, "text_too_long");
    free(big);
}

/* Explicit wijk wins; GPS gives wijk and buurt; outside is flagged. */
static void test_location(void **state)
{
    (void)state;
    envelope_t env;
    batch_reject_t rej;
    const char *wk, *bu;
    /* A point inside Heerlen, found through the geo module itself. */
    assert_int_equal(geo_locate(s_geo, 50.8864, 5.9795, &wk, &bu), 0);
    assert_int_equal(
        s_check("{\"local_id\": \"g\", \"text\": \"hier\", \"lat\": 50.8864, \"lon\": 5.9795}",
                &env, &rej),
        0);
    assert_string_equal(env.idea->wijk, wk);
    assert_true(env.idea->has_location);
    assert_int_equal(env.idea->extra.count, 0);
    envelope_clear(&env);

    const char *other = strcmp(wk, "WK091710") == 0 ? "WK091720" : "WK091710";
    char item[256];
    snprintf(item, sizeof item,
             "{\"local_id\": \"g\", \"text\": \"hier\", \"lat\": 50.8864, \"lon\": 5.9795, "
             "\"wijk\": \"%s\"}",
             other);
    assert_int_equal(s_check(item, &env, &rej), 0);
    assert_string_equal(env.idea->wijk, other);
    assert_null(env.idea->buurt); /* the point's buurt is not in that wijk */
    envelope_clear(&env);

    assert_int_equal(
        s_check("{\"local_id\": \"g\", \"text\": \"daar\", \"lat\": 52.37, \"lon\": 4.9}", &env,
                &rej),
        0);
    assert_null(env.idea->wijk);
    assert_true(env.idea->has_location);
    assert_int_equal(env.idea->extra.count, 1);
    /* The flag survives the record's round trip through proto. */
    char *buf;
    size_t len;
    proto_err_t perr;
    assert_int_equal(idea_encode(env.idea, &buf, &len, &perr), 0);
    idea_t back;
    assert_int_equal(idea_decode(buf, len, &back, &perr), 0);
    assert_int_equal(back.extra.count, 1);
    assert_non_null(memmem(back.extra.buf, back.extra.len, BATCH_LOCATION_OUTSIDE,
                           strlen(BATCH_LOCATION_OUTSIDE)));
    idea_clear(&back);
    free(buf);
    envelope_clear(&env);
    batch_reject_clear(&rej);
}

static void test_head(void **state)
{
    (void)state;
    decode_err_t err;
    batch_head_t head;
    json_t *root = json_loads("{\"device_id\": \"t\", \"activity\": \"Omgevingsvisietour "
                              "Hoensbroek 12 mei\", \"items\": []}",
                              0, NULL);
    assert_int_equal(batch_head_check(root, &head, &err), 0);
    assert_string_equal(head.activity, "omgevingsvisietour");
    assert_string_equal(head.activity_name, "Omgevingsvisietour Hoensbroek 12 mei");
    batch_head_clear(&head);
    json_decref(root);

    root = json_loads("{\"device_id\": \"t\", \"activity\": \"wijkgesprek\", \"items\": []}", 0,
                      NULL);
    assert_int_equal(batch_head_check(root, &head, &err), 0);
    assert_string_equal(head.activity, "wijkgesprek");
    assert_null(head.activity_name);
    batch_head_clear(&head);
    json_decref(root);

    root = json_loads("{\"device_id\": \"t\", \"activity\": \"Ijsjeskar op de markt\", "
                      "\"items\": []}",
                      0, NULL);
    assert_int_equal(batch_head_check(root, &head, &err), 0);
    assert_string_equal(head.activity, "omgevingsvisietour");
    assert_string_equal(head.activity_name, "Ijsjeskar op de markt");
    batch_head_clear(&head);
    json_decref(root);

    /* the plural, as staff name an evening of several sessions */
    static const char *const plural[][2] = {
        {"Stakeholdersessies zorg en welzijn", "stakeholder-sessie"},
        {"Interventies op basisscholen", "interventie"},
        {"Wijkgesprekken Hoensbroek", "wijkgesprek"},
        {"Buurtenconferenties 2026", "buurtenconferentie"}};
    for (size_t i = 0; i < sizeof plural / sizeof plural[0]; i++) {
        json_t *b = json_pack("{s:s, s:s, s:[]}", "device_id", "t", "activity", plural[i][0],
                              "items");
        assert_int_equal(batch_head_check(b, &head, &err), 0);
        assert_string_equal(head.activity, plural[i][1]);
        assert_string_equal(head.activity_name, plural[i][0]);
        batch_head_clear(&head);
        json_decref(b);
    }

    root = json_loads("{\"items\": []}", 0, NULL);
    assert_int_equal(batch_head_check(root, &head, &err), -1);
    assert_string_equal(err.code, "missing_device_id");
    json_decref(root);
    root = json_loads("{\"device_id\": \"t\"}", 0, NULL);
    assert_int_equal(batch_head_check(root, &head, &err), -1);
    assert_string_equal(err.code, "missing_items");
    json_decref(root);
    root = json_array();
    for (int i = 0; i <= BATCH_MAX_ITEMS; i++)
        json_array_append_new(root, json_null());
    json_t *big = json_pack("{s:s, s:o}", "device_id", "t", "items", root);
    assert_int_equal(batch_head_check(big, &head, &err), -1);
    assert_string_equal(err.code, "too_many_items");
    assert_int_equal(err.status, 413);
    json_decref(big);
}

static void test_decode_json(void **state)
{
    (void)state;
    decode_err_t err;
    char deep[80];
    memset(deep, '[', 33);
    memset(deep + 33, ']', 33);
    assert_int_equal(decode_json_depth(deep, 66, 100), 33);
    assert_null(decode_json(deep, 66, &err));
    assert_string_equal(err.code, "too_deep");
    /* Brackets inside strings do not count, escaped quotes do not end them. */
    const char *s = "{\"a\": \"[[[[[[[[[[\\\"[[[[[\"}";
    assert_int_equal(decode_json_depth(s, strlen(s), 100), 1);
    json_t *ok = decode_json(s, strlen(s), &err);
    assert_non_null(ok);
    json_decref(ok);
    assert_null(decode_json("{\"a\":1,\"a\":2}", 13, &err));
    assert_string_equal(err.code, "invalid_json");
    assert_null(decode_json("{\"a\":\"\xff\"}", 8, &err));
    assert_string_equal(err.code, "invalid_json");
}

static void test_decode_msgpack(void **state)
{
    (void)state;
    decode_err_t err;
    /* {"items": [{"local_id": "a", "lat": 50.5, "n": -3, "ok": true, "x": nil}]} */
    const char good[] = "\x81\xa5items\x91\x85\xa8local_id\xa1" "a"
                        "\xa3lat\xcb\x40\x49\x40\x00\x00\x00\x00\x00"
                        "\xa1n\xfd\xa2ok\xc3\xa1x\xc0";
    json_t *root = decode_msgpack(good, sizeof good - 1, 1 << 20, &err);
    assert_non_null(root);
    json_t *item = json_array_get(json_object_get(root, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "local_id")), "a");
    assert_true(json_real_value(json_object_get(item, "lat")) == 50.5);
    assert_int_equal(json_integer_value(json_object_get(item, "n")), -3);
    assert_true(json_is_true(json_object_get(item, "ok")));
    assert_true(json_is_null(json_object_get(item, "x")));
    json_decref(root);

    struct {
        const char *buf;
        size_t len;
        const char *code;
    } bad[] = {
        {"\xdd\xff\xff\xff\xff", 5, "too_many_values"}, /* array32 claiming 4e9 items */
        {"\xdb\x7f\xff\xff\xff" "abc", 8, "value_too_large"}, /* str32 of 2 GiB */
        {"\xdb\x00\x00\x01\x00" "abc", 8, "invalid_msgpack"}, /* 256 bytes promised, 3 sent */
        {"\x81\xa1" "a\xc4\x01z", 6, "unsupported_value"},  /* bin */
        {"\x82\xa1" "a\x01\xa1" "a\x02", 7, "duplicate_key"},
        {"\x81\x01\x02", 3, "unsupported_value"},            /* integer key */
        {"\x81\xa1" "a\xa1\xff", 5, "invalid_utf8"},
        {"\x81\xa1" "a\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 12, "unsupported_value"},
        {"\xc0\xc0", 2, "invalid_msgpack"}, /* two objects */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(decode_msgpack(bad[i].buf, bad[i].len, 1 << 20, &err));
        assert_string_equal(err.code, bad[i].code);
        assert_int_equal(err.status, 400);
    }
    char nest[40];
    memset(nest, '\x91', 33);
    nest[33] = '\xc0';
    assert_null(decode_msgpack(nest, 34, 1 << 20, &err));
    assert_string_equal(err.code, "too_deep");
    assert_null(decode_msgpack(good, sizeof good - 1, 10, &err));
    assert_int_equal(err.status, 413);
}

static void test_time_and_ids(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(batch_parse_time("1970-01-01T00:00:00Z", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(batch_parse_time("2025-05-12T14:00:00-01:30", &ms), 0);
    assert_int_equal(ms, 1747063800000LL);
    assert_int_equal(batch_parse_time("2024-02-29T00:00:00.123456789Z", &ms), 0);
    assert_int_equal(ms % 1000, 123);
    assert_int_equal(batch_parse_time("2025-02-29T00:00:00Z", &ms), -1);
    assert_int_equal(batch_parse_time("2025-05-12 14:00:00Z", &ms), -1);
    assert_int_equal(batch_parse_time("2025-05-12T14:00:00", &ms), -1);
    assert_int_equal(batch_parse_time("2025-05-12T24:00:00Z", &ms), -1);
    assert_int_equal(batch_parse_time("2025-05-12T14:00:00Zjunk", &ms), -1);
    assert_true(batch_local_id_valid("0f8e9a2c-1b3d-4e5f-8a9b-0c1d2e3f4a5b"));
    assert_false(batch_local_id_valid(""));
    assert_false(batch_local_id_valid("a/b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_item),     cmocka_unit_test(test_bad_items),
        cmocka_unit_test(test_clock_ahead),   cmocka_unit_test(test_messages_for_people),
        cmocka_unit_test(test_text_limits),   cmocka_unit_test(test_location),
        cmocka_unit_test(test_head),          cmocka_unit_test(test_decode_json),
        cmocka_unit_test(test_decode_msgpack), cmocka_unit_test(test_time_and_ids),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
