/*
 * test_classifier_moves.c - the classifier's table of cluster moves
 * waiting for storage's ack (services/classifier/moves.c): a batched ack
 * covers every move whose update it names and no other, a move is
 * followed once, a move without an ack is forgotten after MOVES_WAIT_MS,
 * and a full table forgets its oldest move, not all of them.
 *
 * The follow function records what it was called with; the sketch and
 * Redis side of following is test_cluster_correct.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../services/classifier/moves.c"

typedef struct {
    int n;
    char update[8][64], idea[8][64], moved_to[8][64];
} followed_t;

static void s_record(void *arg, const char *update_id, const char *idea_id, const char *moved_to)
{
    followed_t *f = arg;
    if (f->n < 8) {
        snprintf(f->update[f->n], sizeof f->update[0], "%s", update_id);
        snprintf(f->idea[f->n], sizeof f->idea[0], "%s", idea_id);
        snprintf(f->moved_to[f->n], sizeof f->moved_to[0], "%s", moved_to ? moved_to : "(none)");
    }
    f->n++;
}

/* An ack as storage batches them: envelope_set_acks. */
static void s_ack(envelope_t *e, const char *const *ids, int n)
{
    memset(e, 0, sizeof *e);
    assert_int_equal(envelope_set_acks(e, ids, n), 0);
}

static void test_a_batched_ack_follows_the_moves_it_names(void **state)
{
    (void)state;
    moves_t *m = moves_new();
    moves_remember(m, "u-1", "idea-1", "c-bench", 1000);
    moves_remember(m, "u-2", "idea-2", NULL, 1000);
    moves_remember(m, "u-3", "idea-3", "c-toilet", 1000);
    envelope_t ack;
    const char *ids[] = {"x-9", "u-3", "x-8", "u-1"};
    s_ack(&ack, ids, 4);
    followed_t f = {0};
    assert_int_equal(moves_on_ack(m, &ack, s_record, &f), 2);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.update[0], "u-3");
    assert_string_equal(f.idea[0], "idea-3");
    assert_string_equal(f.moved_to[0], "c-toilet");
    assert_string_equal(f.update[1], "u-1");
    assert_string_equal(f.moved_to[1], "c-bench");
    assert_int_equal(moves_waiting(m), 1);
    /* The same ack again (SUB may see it twice): nothing is followed twice. */
    assert_int_equal(moves_on_ack(m, &ack, s_record, &f), 0);
    envelope_clear(&ack);
    const char *one[] = {"u-2"};
    s_ack(&ack, one, 1);
    assert_int_equal(moves_on_ack(m, &ack, s_record, &f), 1);
    assert_string_equal(f.moved_to[2], "(none)");
    assert_int_equal(moves_waiting(m), 0);
    envelope_clear(&ack);
    moves_free(m);
}

static void test_only_an_ack_covers_a_move(void **state)
{
    (void)state;
    moves_t *m = moves_new();
    moves_remember(m, "u-1", "idea-1", "c-1", 0);
    envelope_t e = {.type = ENV_IDEA, .id = "u-1"};
    followed_t f = {0};
    assert_int_equal(moves_on_ack(m, &e, s_record, &f), 0);
    assert_int_equal(moves_on_ack(m, NULL, s_record, &f), 0);
    assert_int_equal(f.n, 0);
    assert_int_equal(moves_waiting(m), 1);
    moves_free(m);
}

static void test_a_move_resent_is_remembered_once_with_its_last_cluster(void **state)
{
    (void)state;
    moves_t *m = moves_new();
    moves_remember(m, "u-1", "idea-1", "c-old", 0);
    moves_remember(m, "u-1", "idea-1", "c-new", 10);
    assert_int_equal(moves_waiting(m), 1);
    envelope_t ack;
    const char *ids[] = {"u-1"};
    s_ack(&ack, ids, 1);
    followed_t f = {0};
    assert_int_equal(moves_on_ack(m, &ack, s_record, &f), 1);
    assert_string_equal(f.moved_to[0], "c-new");
    envelope_clear(&ack);
    moves_free(m);
}

static void test_a_move_without_ack_is_forgotten_after_the_wait(void **state)
{
    (void)state;
    moves_t *m = moves_new();
    moves_remember(m, "u-old", "idea-1", "c-1", 0);
    moves_remember(m, "u-new", "idea-2", "c-2", MOVES_WAIT_MS);
    assert_int_equal(moves_expire(m, MOVES_WAIT_MS), 0);
    assert_int_equal(moves_expire(m, MOVES_WAIT_MS + 1), 1);
    assert_int_equal(moves_waiting(m), 1);
    envelope_t ack;
    const char *ids[] = {"u-old", "u-new"};
    s_ack(&ack, ids, 2);
    followed_t f = {0};
    assert_int_equal(moves_on_ack(m, &ack, s_record, &f), 1);
    assert_string_equal(f.update[0], "u-new");
    envelope_clear(&ack);
    moves_free(m);
}

static void test_a_full_table_forgets_its_oldest_move_only(void **state)
{
    (void)state;
    moves_t *m = moves_new();
    char id[32];
    for (int i = 0; i <= MOVES_MAX; i++) {
        snprintf(id, sizeof id, "u-%d", i);
        moves_remember(m, id, "idea", "c", i);
    }
    assert_int_equal(moves_waiting(m), MOVES_MAX);
    envelope_t ack;
    const char *ids[] = {"u-0", "u-1", id};
    s_ack(&ack, ids, 3);
    followed_t f = {0};
    assert_int_equal(moves_on_ack(m, &ack, s_record, &f), 2);
    assert_string_equal(f.update[0], "u-1");
    assert_string_equal(f.update[1], id);
    envelope_clear(&ack);
    moves_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_batched_ack_follows_the_moves_it_names),
        cmocka_unit_test(test_only_an_ack_covers_a_move),
        cmocka_unit_test(test_a_move_resent_is_remembered_once_with_its_last_cluster),
        cmocka_unit_test(test_a_move_without_ack_is_forgotten_after_the_wait),
        cmocka_unit_test(test_a_full_table_forgets_its_oldest_move_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
