/*
 * NAME
 *   test_storage_pairs - the pair counts storage keeps for two-filter
 *   totals (store_pairs_of, store_pairs_diff)
 *
 * DESCRIPTION
 *   store.c is included (services/ is not linked into unit tests). What a
 *   staff member relies on: one idea is counted once under every pair of
 *   its values (themes: each distinct theme), missing values under
 *   "none", and moderation moves exactly the pairs whose values changed.
 *   The Redis side is tests/integration/test_list_sort.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/storage/store.c"
#include "../../services/storage/store_batch.c"
#include "../../services/storage/store_erased.c"
#include "../../services/storage/store_pairs.c"
#include "../../services/storage/store_people.c"
#include "../../services/storage/store_shown.c"
#include "../../services/storage/store_record.c"
#include "../../services/storage/store_redact.c"

static void s_idea(idea_t *i, const char *wijk, const char *t1, const char *t2)
{
    idea_init(i);
    proto_set(&i->id, "f-1");
    proto_set(&i->channel, "form");
    proto_set(&i->status, "new");
    proto_set(&i->sentiment, "positief");
    if (wijk)
        proto_set(&i->wijk, wijk);
    if (t1)
        idea_add_theme(i, t1);
    if (t2)
        idea_add_theme(i, t2);
}

/* Delta of (key, field) in p, 0 when absent. */
static int s_find(const store_pairs_t *p, const char *key, const char *field)
{
    char full[128];
    snprintf(full, sizeof full, STORE_KEY_PREFIX "pair:%s", key);
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i], full) == 0 && strcmp(p->field[i], field) == 0)
            return p->delta[i];
    return 0;
}

static void test_pairs_of_one_idea(void **state)
{
    (void)state;
    idea_t i;
    store_pairs_t p;
    s_idea(&i, "WK091701", "groen", "wonen");
    store_pairs_of(&i, &p);
    assert_int_equal(p.n, 21 + 7 * 2); /* 8 dims; theme counts per theme */
    assert_int_equal(s_find(&p, "wijk:theme", "WK091701\x1fgroen"), 1);
    assert_int_equal(s_find(&p, "wijk:theme", "WK091701\x1fwonen"), 1);
    assert_int_equal(s_find(&p, "theme:status", "groen\x1fnew"), 1);
    assert_int_equal(s_find(&p, "wijk:activity", "WK091701\x1fnone"), 1);
    assert_int_equal(s_find(&p, "channel:sentiment", "form\x1fpositief"), 1);
    assert_int_equal(s_find(&p, "theme:wijk", "groen\x1fWK091701"), 0); /* one order only */
    store_pairs_clear(&p);
    idea_clear(&i);

    s_idea(&i, NULL, NULL, NULL);
    store_pairs_of(&i, &p);
    assert_int_equal(p.n, 28);
    assert_int_equal(s_find(&p, "wijk:theme", "none\x1fnone"), 1);
    store_pairs_clear(&p);
    idea_clear(&i);
}

static void test_diff_moves_only_what_changed(void **state)
{
    (void)state;
    idea_t a, b;
    store_pairs_t d;
    s_idea(&a, "WK091701", "groen", NULL);
    s_idea(&b, "WK091701", "groen", NULL);
    store_pairs_diff(&a, &b, &d);
    assert_int_equal(d.n, 0); /* a re-sent update moves nothing */
    store_pairs_clear(&d);
    idea_clear(&b);

    s_idea(&b, "WK091702", "groen", NULL); /* the wijk corrected */
    store_pairs_diff(&a, &b, &d);
    assert_int_equal(d.n, 2 * 7); /* wijk pairs with each of the 7 other dims */
    assert_int_equal(s_find(&d, "wijk:theme", "WK091701\x1fgroen"), -1);
    assert_int_equal(s_find(&d, "wijk:theme", "WK091702\x1fgroen"), 1);
    assert_int_equal(s_find(&d, "theme:channel", "groen" STORE_PAIRS_SEP "form"), 0);
    store_pairs_clear(&d);
    idea_clear(&b);

    s_idea(&b, "WK091701", "groen", "zorg"); /* a theme added */
    store_pairs_diff(&a, &b, &d);
    assert_int_equal(d.n, 7);
    assert_int_equal(s_find(&d, "wijk:theme", "WK091701\x1fzorg"), 1);
    store_pairs_clear(&d);
    idea_clear(&b);
    idea_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_of_one_idea),
        cmocka_unit_test(test_diff_moves_only_what_changed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
