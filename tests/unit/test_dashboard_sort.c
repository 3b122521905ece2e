/*
 * NAME
 *   test_dashboard_sort - the sort parameter of GET /api/v1/ideas and its
 *   cursors (query.c)
 *
 * DESCRIPTION
 *   query.c is included (services/ is not linked into unit tests). A
 *   client relies on: sort=oud resumes after the cursor in ascending
 *   order (equal ms: ascending id), a cursor made for one order is
 *   refused with the other, old cursors (made before sort existed) still
 *   mean newest first, and an unknown order gets a Dutch message.
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

static const char *const *s_params;

static const char *s_get(const char *name, void *arg)
{
    (void)arg;
    for (int i = 0; s_params[i]; i += 2)
        if (strcmp(s_params[i], name) == 0)
            return s_params[i + 1];
    return NULL;
}

static int s_parse(query_t *q, query_err_t *err, const char *const *params)
{
    s_params = params;
    return query_parse(q, s_get, NULL, err);
}

static void test_sort_values(void **state)
{
    (void)state;
    query_t q;
    query_err_t err;
    assert_int_equal(s_parse(&q, &err, (const char *[]){NULL}), 0);
    assert_int_equal(q.sort, QUERY_SORT_NEW);
    assert_int_equal(s_parse(&q, &err, (const char *[]){"sort", "oud", NULL}), 0);
    assert_int_equal(q.sort, QUERY_SORT_OLD);
    assert_int_equal(s_parse(&q, &err, (const char *[]){"sort", "OUD", NULL}), -1);
    assert_string_equal(err.param, "sort");
    assert_non_null(strstr(err.message, "nieuw"));
}

static void test_cursor_keeps_its_order(void **state)
{
    (void)state;
    char cur[QUERY_MAX_CURSOR + 1], legacy[QUERY_MAX_CURSOR + 1];
    query_t q;
    query_err_t err;
    assert_int_equal(query_cursor_encode_sort(QUERY_SORT_OLD, 1000, "f-b", cur, sizeof cur), 0);
    assert_int_equal(s_parse(&q, &err, (const char *[]){"sort", "oud", "cursor", cur, NULL}), 0);
    assert_true(q.has_cursor);
    assert_int_equal(q.cursor_score, 1000);
    assert_string_equal(q.cursor_id, "f-b");
    /* Ascending: later ms, or the same ms with a larger id, come next. */
    assert_true(query_after_cursor(&q, 1001, "f-a", 3));
    assert_true(query_after_cursor(&q, 1000, "f-c", 3));
    assert_true(query_after_cursor(&q, 1000, "f-bb", 4));
    assert_false(query_after_cursor(&q, 1000, "f-b", 3));
    assert_false(query_after_cursor(&q, 1000, "f-a", 3));
    assert_false(query_after_cursor(&q, 999, "f-z", 3));

    assert_int_equal(s_parse(&q, &err, (const char *[]){"cursor", cur, NULL}), -1);
    assert_string_equal(err.param, "cursor");
    assert_int_equal(query_cursor_encode(1000, "f-b", legacy, sizeof legacy), 0);
    assert_int_equal(s_parse(&q, &err, (const char *[]){"sort", "oud", "cursor", legacy, NULL}),
                     -1);
    assert_int_equal(s_parse(&q, &err, (const char *[]){"cursor", legacy, NULL}), 0);
    assert_true(query_after_cursor(&q, 1000, "f-a", 3));
    assert_false(query_after_cursor(&q, 1001, "f-a", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_values),
        cmocka_unit_test(test_cursor_keeps_its_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
