/*
 * NAME
 *   test_dashboard_query - filter, date and cursor parsing of the dashboard
 *
 * DESCRIPTION
 *   The dashboard's query.c is pure (no I/O) but lives in services/, which
 *   unit tests do not link, so it is included here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/dashboard/query.c"
#include "../../services/dashboard/query_match.c"

/* Parameters as name=value pairs, NULL-terminated. */
static const char *s_get(const char *name, void *arg)
{
    const char *const *kv = arg;
    for (; kv[0]; kv += 2)
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    return NULL;
}

static int s_parse(query_t *q, query_err_t *err, const char *const *kv)
{
    return query_parse(q, s_get, (void *)kv, err);
}

static void test_defaults(void **state)
{
    (void)state;
    query_t q;
    query_err_t err;
    const char *kv[] = {"wijk", "", NULL};
    assert_int_equal(s_parse(&q, &err, kv), 0);
    assert_int_equal(q.limit, 50);
    assert_int_equal(q.n_eq, 0);
    assert_false(q.has_from);
    assert_false(q.has_to);
    assert_false(q.has_cursor);
    assert_string_equal(q.q, "");
}

static void test_filters_and_q(void **state)
{
    (void)state;
    query_t q;
    query_err_t err;
    const char *kv[] = {"wijk", "WK091701",     "theme", "groen", "status", "new",
                        "q",    "Meer BANKJES", "limit", "500",   NULL};
    assert_int_equal(s_parse(&q, &err, kv), 0);
    assert_int_equal(q.n_eq, 3);
    assert_string_equal(q.eq[QUERY_WIJK], "WK091701");
    assert_string_equal(q.eq[QUERY_THEME], "groen");
    assert_string_equal(q.eq[QUERY_STATUS], "new");
    assert_string_equal(q.eq[QUERY_CHANNEL], "");
    assert_string_equal(q.q, "meer bankjes");
    assert_int_equal(q.limit, 500);
}

/* Which queries are a selection: the people count walks those and reads
 * storage's counts for the rest, so paging or order must not count. */
static void test_filtered(void **state)
{
    (void)state;
    query_t q;
    query_err_t err;
    const char *none[] = {"limit", "7", "sort", "oud", "q", "  ", "wijk", "", NULL};
    assert_int_equal(s_parse(&q, &err, none), 0);
    assert_false(query_filtered(&q));
    const char *const each[][3] = {{"wijk", "WK091701", NULL},
                                   {"status", "hidden", NULL},
                                   {"q", "bankjes", NULL},
                                   {"from", "2026-01-01", NULL},
                                   {"to", "2026-01-01", NULL}};
    for (size_t i = 0; i < sizeof each / sizeof each[0]; i++) {
        assert_int_equal(s_parse(&q, &err, each[i]), 0);
        assert_true(query_filtered(&q));
    }
}

static void test_bad_limit(void **state)
{
    (void)state;
    const char *bad[] = {"abc", "0", "501", "-1", "5x", " 5", "+5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        query_t q;
        query_err_t err;
        const char *kv[] = {"limit", bad[i], NULL};
        assert_int_equal(s_parse(&q, &err, kv), -1);
        assert_string_equal(err.param, "limit");
        assert_non_null(strstr(err.message, "500"));
    }
}

static void test_too_long_values(void **state)
{
    (void)state;
    char longv[QUERY_MAX_Q + 2];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    query_t q;
    query_err_t err;
    const char *kv1[] = {"channel", longv, NULL};
    assert_int_equal(s_parse(&q, &err, kv1), -1);
    assert_string_equal(err.param, "channel");
    const char *kv2[] = {"q", longv, NULL};
    assert_int_equal(s_parse(&q, &err, kv2), -1);
    assert_string_equal(err.param, "q");
}

/* The search text's limit is in characters, as its message says
 * ("hoogstens 256 tekens"): 256 accented letters (512 bytes) are
 * searched, 257 refused. */
static void test_q_limit_counts_characters(void **state)
{
    (void)state;
    char text[2 * (QUERY_MAX_Q_CHARS + 1) + 1] = "";
    for (int i = 0; i < QUERY_MAX_Q_CHARS; i++)
        strcat(text, "\xc3\xa9");
    query_t q;
    query_err_t err;
    const char *kv[] = {"q", text, NULL};
    assert_int_equal(s_parse(&q, &err, kv), 0);
    assert_int_equal(strlen(q.q), 2 * QUERY_MAX_Q_CHARS);
    strcat(text, "\xc3\xa9");
    assert_int_equal(s_parse(&q, &err, kv), -1);
    assert_string_equal(err.param, "q");
    assert_non_null(strstr(err.message, "256 tekens"));
}

/* A search text with fewer than two letters or digits once folded ("é"
 * is "e", a bare accent nothing, "." or a quote none) would be found in
 * (nearly) every idea: it is refused with a message saying what to type.
 * Two letters, a word with punctuation or an accent, and a word in
 * quotes are searched. */
static void test_short_q_refused(void **state)
{
    (void)state;
    const char *refused[] = {"\xc3\xa9", "e", "E", "5", "\xcc\x81", ".", "\"", "''", "?!",
                             " \"\xc3\xa9\" ", "\xe2\x82\xac"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        query_t q;
        query_err_t err;
        const char *kv[] = {"q", refused[i], NULL};
        assert_int_equal(s_parse(&q, &err, kv), -1);
        assert_string_equal(err.param, "q");
        assert_non_null(strstr(err.message, "twee letters of cijfers"));
    }
    const char *kept[] = {"ab", "A2", "\xc3\xa9\xc3\xa9n", "\"bomen\"", "de", "12", "b.v."};
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        query_t q;
        query_err_t err;
        const char *kv[] = {"q", kept[i], NULL};
        assert_int_equal(s_parse(&q, &err, kv), 0);
        assert_true(query_filtered(&q));
    }
}

/* A typing error in a filter is an error, not an empty list. */
static void test_unknown_values_refused(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"channel", "fax"},       {"channel", "Form"},         {"sentiment", "blij"},
        {"question", "gisteren"}, {"status", "deleted"},       {"target_group", "toerist"},
        {"theme", "Groen"},       {"theme", "groen&x=1"},      {"wijk", "wk 091733"},
        {"wijk", "<script>"},     {"activity", "fax machine"}, {"channel", "none "},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        query_t q;
        query_err_t err;
        const char *kv[] = {bad[i][0], bad[i][1], NULL};
        assert_int_equal(s_parse(&q, &err, kv), -1);
        assert_string_equal(err.param, bad[i][0]);
        assert_true(strlen(err.message) > 10);
        assert_null(strstr(err.message, bad[i][1])); /* the value is not echoed */
    }
    query_t q;
    query_err_t err;
    const char *kv[] = {"channel", "fax", NULL};
    assert_int_equal(s_parse(&q, &err, kv), -1);
    assert_string_equal(err.message, "Deze waarde van channel kennen we niet. Kies uit: form, "
                                     "email, transcript, field (of none: zonder waarde).");
    const char *good[] = {
        "channel",      "transcript",       "sentiment", "negatief", "question", "nu",
        "target_group", "buurtorganisatie", "status",    "hidden",   "activity", "camjo-video",
        "theme",        "openbare-ruimte",  "wijk",      "WK091733", NULL};
    assert_int_equal(s_parse(&q, &err, good), 0);
    assert_int_equal(q.n_eq, 8);
    for (int i = 0; i < QUERY_NDIMS; i++) {
        const char *none[] = {query_dims[i], "none", NULL};
        assert_int_equal(s_parse(&q, &err, none), 0);
    }
}

static int s_known_calls;

/* Knows the theme "groen", the wijk "WK091733" and the activity "video". */
static bool s_known(int dim, const char *v, void *arg)
{
    (void)arg;
    s_known_calls++;
    return (dim == QUERY_THEME && strcmp(v, "groen") == 0) ||
           (dim == QUERY_WIJK && strcmp(v, "WK091733") == 0) ||
           (dim == QUERY_ACTIVITY && strcmp(v, "video") == 0);
}

static void test_known_values(void **state)
{
    (void)state;
    query_t q;
    query_err_t err;
    const char *ok[] = {"theme", "groen",   "wijk", "WK091733", "activity",
                        "video", "channel", "form", NULL};
    s_known_calls = 0;
    assert_int_equal(query_parse_known(&q, s_get, (void *)ok, s_known, NULL, &err), 0);
    assert_int_equal(s_known_calls, 3); /* fixed lists need no caller */
    const char *theme[] = {"theme", "ruimtevaart", NULL};
    assert_int_equal(query_parse_known(&q, s_get, (void *)theme, s_known, NULL, &err), -1);
    assert_string_equal(err.param, "theme");
    assert_non_null(strstr(err.message, "thema"));
    const char *wijk[] = {"wijk", "WK999999", NULL};
    assert_int_equal(query_parse_known(&q, s_get, (void *)wijk, s_known, NULL, &err), -1);
    assert_string_equal(err.param, "wijk");
    assert_non_null(strstr(err.message, "wijk"));
    const char *act[] = {"activity", "ideeenbus", NULL};
    assert_int_equal(query_parse_known(&q, s_get, (void *)act, s_known, NULL, &err), -1);
    assert_string_equal(err.param, "activity");
    const char *none[] = {"theme", "none", "wijk", "none", NULL};
    s_known_calls = 0;
    assert_int_equal(query_parse_known(&q, s_get, (void *)none, s_known, NULL, &err), 0);
    assert_int_equal(s_known_calls, 0);
}

static void test_times(void **state)
{
    (void)state;
    int64_t ms;
    /* a bare date is the whole day in Heerlen: 2026-11-28 starts at
     * 2026-11-27T23:00:00Z (CET, UTC+1) */
    assert_int_equal(query_parse_time("2026-11-28", false, &ms), 0);
    assert_int_equal(ms, 1795824000000LL - 3600000);
    assert_int_equal(query_parse_time("2026-11-28", true, &ms), 0);
    assert_int_equal(ms, 1795824000000LL - 3600000 + 86400000 - 1);
    /* the day summer time starts has 23 hours: 2026-03-29 runs from
     * 2026-03-28T23:00Z (CET) to 2026-03-29T22:00Z (CEST) */
    assert_int_equal(query_parse_time("2026-03-29", false, &ms), 0);
    assert_int_equal(ms, 1774738800000LL);
    assert_int_equal(query_parse_time("2026-03-29", true, &ms), 0);
    assert_int_equal(ms, 1774738800000LL + 23 * 3600000 - 1);
    assert_int_equal(query_parse_time("2026-11-28T10:00:00Z", false, &ms), 0);
    assert_int_equal(ms, 1795824000000LL + 36000000);
    assert_int_equal(query_parse_time("2026-11-28T11:00:00+01:00", false, &ms), 0);
    assert_int_equal(ms, 1795824000000LL + 36000000);
    assert_int_equal(query_parse_time("2026-11-28t09:30:00.25-00:30", false, &ms), 0);
    assert_int_equal(ms, 1795824000000LL + 36000000 + 250);
    assert_int_equal(query_parse_time("2024-02-29", false, &ms), 0);

    const char *bad[] = {"",
                         "2026-11-2",
                         "28-11-2026",
                         "2026-13-01",
                         "2026-02-29",
                         "2026-11-28T25:00:00Z",
                         "2026-11-28T10:00:00",
                         "2026-11-28T10:00Z",
                         "2026-11-28T10:00:00Zjunk",
                         "2026-11-28T10:00:00.Z",
                         "2026-11-28T10:00:00+1:00",
                         "2026-11-28 junk",
                         "1969-12-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(query_parse_time(bad[i], false, &ms), -1);
}

static void test_from_to_params(void **state)
{
    (void)state;
    query_t q;
    query_err_t err;
    const char *ok[] = {"from", "2026-11-01", "to", "2026-11-30", NULL};
    assert_int_equal(s_parse(&q, &err, ok), 0);
    assert_true(q.has_from && q.has_to);
    assert_true(q.from_ms < q.to_ms);
    const char *reversed[] = {"from", "2026-11-30", "to", "2026-11-01", NULL};
    assert_int_equal(s_parse(&q, &err, reversed), -1);
    const char *bad[] = {"to", "gisteren", NULL};
    assert_int_equal(s_parse(&q, &err, bad), -1);
    assert_string_equal(err.param, "to");
}

static void test_cursor_round_trip(void **state)
{
    (void)state;
    char cur[QUERY_MAX_CURSOR + 1], id[QUERY_MAX_ID + 1];
    int64_t score;
    assert_int_equal(query_cursor_encode(1795824000123LL, "f-0123456789abcdef", cur, sizeof cur),
                     0);
    assert_int_equal(query_cursor_decode(cur, &score, id, sizeof id), 0);
    assert_int_equal(score, 1795824000123LL);
    assert_string_equal(id, "f-0123456789abcdef");

    query_t q;
    query_err_t err;
    const char *kv[] = {"cursor", cur, NULL};
    assert_int_equal(s_parse(&q, &err, kv), 0);
    assert_true(q.has_cursor);
    assert_string_equal(q.cursor_id, "f-0123456789abcdef");

    /* ids with spaces or control characters are never made into cursors */
    assert_int_equal(query_cursor_encode(1, "a b", cur, sizeof cur), -1);
    assert_int_equal(query_cursor_encode(1, "", cur, sizeof cur), -1);
}

static void test_cursor_rejects(void **state)
{
    (void)state;
    char id[QUERY_MAX_ID + 1];
    int64_t score;
    const char *bad[] = {"not-a-cursor!",
                         "",
                         "MTIz" /* "123": no colon */,
                         "OmYtMQ" /* ":f-1": no score */,
                         "MTJhOmYtMQ" /* "12a:f-1" */,
                         "MTI6" /* "12:": no id */,
                         "MTI6ZiAx" /* "12:f 1" */,
                         /* scores past INT64_MAX (once a signed overflow) */
                         "OTk5OTk5OTk5OTk5OTk5OTk5OTpmLTE" /* "9999999999999999999:f-1" */,
                         "OTIyMzM3MjAzNjg1NDc3NTgwODpmLTE" /* "9223372036854775808:f-1" */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(query_cursor_decode(bad[i], &score, id, sizeof id), -1);
    /* the largest score there is still reads */
    assert_int_equal(query_cursor_decode("OTIyMzM3MjAzNjg1NDc3NTgwNzpmLTE", &score, id, sizeof id), 0);
    assert_true(score == INT64_MAX);
    query_t q;
    query_err_t err;
    const char *kv[] = {"cursor", "%%%", NULL};
    assert_int_equal(s_parse(&q, &err, kv), -1);
    assert_string_equal(err.param, "cursor");
}

static void test_after_cursor_order(void **state)
{
    (void)state;
    query_t q;
    memset(&q, 0, sizeof q);
    assert_true(query_after_cursor(&q, 5, "x", 1)); /* no cursor: everything */
    q.has_cursor = true;
    q.cursor_score = 100;
    strcpy(q.cursor_id, "f-b");
    assert_true(query_after_cursor(&q, 99, "f-z", 3));   /* older */
    assert_false(query_after_cursor(&q, 101, "f-a", 3)); /* newer */
    assert_true(query_after_cursor(&q, 100, "f-a", 3));  /* same ms, lower id */
    assert_false(query_after_cursor(&q, 100, "f-b", 3)); /* the cursor itself */
    assert_false(query_after_cursor(&q, 100, "f-c", 3));
    assert_true(query_after_cursor(&q, 100, "f-", 2)); /* prefix sorts lower */
    assert_false(query_after_cursor(&q, 100, "f-bb", 4));
}

static void test_match(void **state)
{
    (void)state;
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.channel, "email");
    proto_set(&idea.text, "Meer bankjes in het PARK, graag!");
    proto_set(&idea.title, "Zitten");
    idea_add_theme(&idea, "groen");
    idea_add_theme(&idea, "openbare-ruimte");
    idea.received_at = 1000;

    query_t q;
    memset(&q, 0, sizeof q);
    assert_true(query_match(&q, &idea));
    strcpy(q.eq[QUERY_THEME], "openbare-ruimte");
    assert_true(query_match(&q, &idea));
    strcpy(q.eq[QUERY_WIJK], "none"); /* no wijk */
    assert_true(query_match(&q, &idea));
    strcpy(q.eq[QUERY_STATUS], "new"); /* no status is stored as "new" */
    assert_true(query_match(&q, &idea));
    strcpy(q.q, "park, gra");
    assert_true(query_match(&q, &idea));
    strcpy(q.q, "zitten");
    assert_true(query_match(&q, &idea));
    q.has_from = true;
    q.from_ms = 1000;
    q.has_to = true;
    q.to_ms = 1000;
    assert_true(query_match(&q, &idea)); /* both ends inclusive */

    q.to_ms = 999;
    assert_false(query_match(&q, &idea));
    q.has_to = false;
    strcpy(q.q, "bank jes");
    assert_false(query_match(&q, &idea));
    q.q[0] = '\0';
    strcpy(q.eq[QUERY_THEME], "wonen");
    assert_false(query_match(&q, &idea));
    strcpy(q.eq[QUERY_THEME], "none");
    assert_false(query_match(&q, &idea));
    q.eq[QUERY_THEME][0] = '\0';
    strcpy(q.eq[QUERY_CHANNEL], "form");
    assert_false(query_match(&q, &idea));
    strcpy(q.eq[QUERY_CHANNEL], "email");
    strcpy(q.eq[QUERY_WIJK], "WK091701");
    assert_false(query_match(&q, &idea));
    idea_clear(&idea);
}

static void test_contains_ci(void **state)
{
    (void)state;
    assert_true(query_contains_ci("Heerlen Centrum", "centrum"));
    assert_true(query_contains_ci("abc", ""));
    assert_false(query_contains_ci(NULL, "a"));
    assert_false(query_contains_ci("ab", "abc"));
    assert_true(query_contains_ci("aaab", "aab"));
    assert_true(query_contains_ci("Café Één", "café"));
    /* accents and capitals as staff type them (or not) */
    static const struct {
        const char *text, *typed;
        bool found;
    } typed[] = {{"Een taalcafé in de bibliotheek", "cafe", true},
                 {"Een taalcafé in de bibliotheek", "CAFÉ", true},
                 {"Het repaircafe in Heksenberg", "café", true},
                 {"Meer IDEEËN van jongeren", "ideeen", true},
                 {"Meer ideeen van jongeren", "ideeën", true},
                 {"ŁÓDŹ", "łódź", true},
                 /* letters Unicode does not decompose, typed plain */
                 {"Mój pomysł na park", "pomysl", true},
                 {"Yaşlılar için bank lazım", "yaslilar", true},
                 {"Yaşlılar için bank lazım", "YAŞLILAR", true},
                 {"Grøn park", "gron", true},
                 {"Encyclopædia", "encyclopaedia", true},
                 {"Mój pomysł", "pomysk", false},
                 {"Een taalcafé", "cafes", false},
                 /* only an accent (U+0301): no letter to find, not every text */
                 {"Een taalcafé", "\xcc\x81", false},
                 {"Geen koffie hier", "\xcc\x81", false}};
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
        assert_int_equal(query_contains_ci(typed[i].text, typed[i].typed), typed[i].found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_filters_and_q),
        cmocka_unit_test(test_filtered),
        cmocka_unit_test(test_bad_limit),
        cmocka_unit_test(test_too_long_values),
        cmocka_unit_test(test_short_q_refused),
        cmocka_unit_test(test_q_limit_counts_characters),
        cmocka_unit_test(test_unknown_values_refused),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_from_to_params),
        cmocka_unit_test(test_cursor_round_trip),
        cmocka_unit_test(test_cursor_rejects),
        cmocka_unit_test(test_after_cursor_order),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_contains_ci),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
