/*
 * NAME
 *   test_storage_store - the pure helpers of storage's Redis writer
 *
 * DESCRIPTION
 *   store.c lives in services/storage/, which unit tests do not link, so
 *   it is included here. The Redis side (the Lua script, idempotency,
 *   participants) is tested against a real Redis in
 *   tests/integration/test_store_dashboard.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/storage/store.c"
#include "../../services/storage/store_batch.c"
#include "../../services/storage/store_pairs.c"

static void test_email_normalise(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(store_email_normalise("  An.Jansen@Example.ORG \r\n", out, sizeof out), 0);
    assert_string_equal(out, "an.jansen@example.org");
    /* non-ASCII bytes are left alone, not folded or broken */
    assert_int_equal(store_email_normalise("Ülla@Example.de", out, sizeof out), 0);
    assert_string_equal(out, "Ülla@example.de");
    assert_int_equal(store_email_normalise("   ", out, sizeof out), -1);
    assert_int_equal(store_email_normalise("", out, sizeof out), -1);
    assert_int_equal(store_email_normalise(NULL, out, sizeof out), -1);
    assert_int_equal(store_email_normalise("a@b.nl", out, 6), -1); /* does not fit */
}

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
    store_day(1795824000000LL, d);
    assert_string_equal(d, "2026-11-28");
    store_day(1795824000000LL - 1, d);
    assert_string_equal(d, "2026-11-27");
    store_day(-5, d);
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
        cmocka_unit_test(test_email_normalise),
        cmocka_unit_test(test_pid_from_idea),
        cmocka_unit_test(test_day),
        cmocka_unit_test(test_cat),
        cmocka_unit_test(test_bad_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
