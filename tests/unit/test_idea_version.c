/*
 * NAME
 *   test_idea_version - the version of an idea's moderated fields and the
 *   "was" key of an update (proto/idea_version.c)
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "idea_version.h"
#include "redact_msg.h"

static void s_idea(idea_t *i)
{
    idea_init(i);
    proto_set(&i->id, "f-0000000000000001");
    proto_set(&i->status, "new");
    proto_set(&i->wijk, "WK091711");
    idea_add_theme(i, "groen");
}

/* Each covered field changes the version; NULL and "" do not differ, nor
 * do fields it does not cover (the text). */
static void test_version_covers_the_moderated_fields(void **state)
{
    (void)state;
    idea_t a, b;
    char va[IDEA_VERSION_SIZE], vb[IDEA_VERSION_SIZE];
    s_idea(&a);
    idea_version(&a, va);
    assert_int_equal(strlen(va), 32);
    static const size_t fields[] = {offsetof(idea_t, status), offsetof(idea_t, wijk),
                                    offsetof(idea_t, sentiment), offsetof(idea_t, question),
                                    offsetof(idea_t, cluster)};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        idea_copy(&b, &a);
        proto_set((char **)((char *)&b + fields[k]), "x");
        idea_version(&b, vb);
        assert_string_not_equal(va, vb);
        idea_clear(&b);
    }
    idea_copy(&b, &a);
    idea_add_theme(&b, "wonen");
    idea_version(&b, vb);
    assert_string_not_equal(va, vb);
    idea_clear(&b);

    idea_copy(&b, &a);
    proto_set(&b.sentiment, "");
    proto_set(&b.text, "Andere tekst");
    idea_version(&b, vb);
    assert_string_equal(va, vb);
    idea_clear(&b);

    const char *vals[IDEA_VERSION_FIELDS] = {"new", "WK091711", NULL, "", NULL};
    const char *themes[] = {"groen"};
    idea_version_of(vals, themes, 1, vb);
    assert_string_equal(va, vb);
    idea_clear(&a);
}

/* "was" travels in the update's extra beside a "redact", survives a
 * round trip through MessagePack, and a bad one is refused on both ends. */
static void test_was_round_trip(void **state)
{
    (void)state;
    idea_t upd;
    proto_err_t err;
    char was[IDEA_VERSION_SIZE], got[IDEA_VERSION_SIZE];
    s_idea(&upd);
    idea_version(&upd, was);
    assert_int_equal(idea_version_get(&upd, got, &err), 0);
    redact_msg_t m;
    redact_msg_init(&m);
    redact_msg_add_kind(&m, "phone");
    assert_int_equal(redact_msg_put(&upd, &m, &err), 0);
    assert_int_equal(idea_version_put(&upd, "0123", &err), -1);
    assert_string_equal(err.code, "bad_field");
    assert_int_equal(idea_version_put(&upd, "ffffffffffffffffffffffffffffffff", &err), 0);
    assert_int_equal(idea_version_put(&upd, was, &err), 0); /* replaces */
    assert_int_equal(upd.extra.count, 2);

    char *buf = NULL;
    size_t len = 0;
    idea_t back;
    assert_int_equal(idea_encode(&upd, &buf, &len, &err), 0);
    assert_int_equal(idea_decode(buf, len, &back, &err), 0);
    assert_int_equal(idea_version_get(&back, got, &err), 1);
    assert_string_equal(got, was);
    redact_msg_clear(&m);
    assert_int_equal(redact_msg_get(&back, &m, &err), 1);
    assert_int_equal(m.n_kinds, 1);
    redact_msg_clear(&m);
    idea_clear(&back);
    free(buf);

    /* A "was" that is not 32 lowercase hex digits, from another sender. */
    idea_t bad;
    idea_init(&bad);
    bad.extra.buf = malloc(8);
    memcpy(bad.extra.buf,
           "\xa3was\xa3"
           "ABC",
           8);
    bad.extra.len = 8;
    bad.extra.count = 1;
    assert_int_equal(idea_version_get(&bad, got, &err), -1);
    assert_string_equal(err.code, "bad_field");
    assert_string_equal(got, "");
    idea_clear(&bad);
    idea_clear(&upd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_covers_the_moderated_fields),
        cmocka_unit_test(test_was_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
