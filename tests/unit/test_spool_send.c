/*
 * NAME
 *   test_spool_send - the spool's send schedule: order, back-off, refused
 *   sends, the wakeup fd and the spacing of resend walks
 *
 * DESCRIPTION
 *   Moved from test_spool.c. Real files in a mkdtemp() folder; the clock
 *   is the explicit now_ms given to spool_send_due() (never sleeps). The
 *   re-send rule under a moving or stalled pipeline is in
 *   test_spool_resend.c.
 */
#include "test_spool_util.h"

static void test_send_schedule(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "1");
    s_append_str(s, "f-2", "2");
    s_append_str(s, "f-3", "3");
    seen_t seen = {.refuse_after = -1};
    /* First send: at once, oldest first. */
    assert_int_equal(spool_send_due(s, 1000, 100, 0, s_collect, &seen), 3);
    assert_string_equal(seen.ids[0], "f-1");
    assert_string_equal(seen.ids[1], "f-2");
    assert_string_equal(seen.ids[2], "f-3");
    assert_int_equal(s_stats(s).sent, 3);
    /* Nothing before resend_ms has passed. */
    assert_int_equal(spool_send_due(s, 1099, 100, 0, s_collect, &seen), 0);
    assert_int_equal(spool_send_due(s, 1100, 100, 0, s_collect, &seen), 3);
    assert_int_equal(s_stats(s).resent, 3);
    /* The delay doubled: 200 ms now. */
    assert_int_equal(spool_send_due(s, 1299, 100, 0, s_collect, &seen), 0);
    assert_int_equal(spool_send_due(s, 1300, 100, 0, s_collect, &seen), 3);
    /* 400 ms next, and so on, never more than 60 s. */
    int64_t now = 1300;
    long delay = 400;
    for (int i = 0; i < 12; i++) {
        assert_int_equal(spool_send_due(s, now + delay - 1, 100, 0, s_collect, &seen), 0);
        now += delay;
        assert_int_equal(spool_send_due(s, now, 100, 0, s_collect, &seen), 3);
        delay = delay * 2 > 60000 ? 60000 : delay * 2;
    }
    assert_int_equal(delay, 60000);

    /* An acknowledged record is not sent again. */
    spool_ack(s, "f-2");
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, now + 60000, 100, 0, s_collect, &seen), 2);
    assert_string_equal(seen.ids[0], "f-1");
    assert_string_equal(seen.ids[1], "f-3");
    spool_destroy(&s);
}

/* New records appended while older ones wait for their ack are sent at
 * once, without resending the older ones early; the older ones are resent
 * when due, and a refused new record is tried again on the next call. */
static void test_send_new_while_waiting(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "1");
    s_append_str(s, "f-2", "2");
    seen_t seen = {.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1000, 100, 0, s_collect, &seen), 2);
    s_append_str(s, "f-3", "3");
    seen = (seen_t){.refuse_after = 0}; /* refuses everything */
    assert_int_equal(spool_send_due(s, 1010, 100, 0, s_collect, &seen), 0);
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1020, 100, 0, s_collect, &seen), 1);
    assert_string_equal(seen.ids[0], "f-3");
    s_append_str(s, "f-4", "4");
    spool_ack(s, "f-4"); /* acknowledged before it was ever sent */
    s_append_str(s, "f-5", "5");
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1050, 100, 0, s_collect, &seen), 1);
    assert_string_equal(seen.ids[0], "f-5");
    spool_ack(s, "f-1");
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1100, 100, 0, s_collect, &seen), 1);
    assert_string_equal(seen.ids[0], "f-2");
    /* f-3 and f-5 had more in flight ahead of them than acks came back
     * (test_spool_resend.c): they go once no ack came for resend_ms. */
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1150, 100, 0, s_collect, &seen), 0);
    assert_int_equal(spool_send_due(s, 1200, 100, 0, s_collect, &seen), 2);
    assert_string_equal(seen.ids[0], "f-3");
    assert_string_equal(seen.ids[1], "f-5");
    spool_destroy(&s);
}

static void test_send_refused_and_max(void **state)
{
    (void)state;
    spool_t *s = s_open();
    s_append_str(s, "f-1", "1");
    s_append_str(s, "f-2", "2");
    s_append_str(s, "f-3", "3");
    /* The bus takes one and then refuses: the round stops there. */
    seen_t seen = {.refuse_after = 1};
    assert_int_equal(spool_send_due(s, 1000, 100, 0, s_collect, &seen), 1);
    assert_int_equal(seen.n, 1);
    /* The refused ones are still due at once; the sent one is not. */
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1001, 100, 1, s_collect, &seen), 1);
    assert_string_equal(seen.ids[0], "f-2");
    assert_int_equal(spool_send_due(s, 1002, 100, 0, s_collect, &seen), 1);
    assert_string_equal(seen.ids[1], "f-3");
    spool_destroy(&s);
}

static void test_wakeup(void **state)
{
    (void)state;
    spool_t *s = s_open();
    struct pollfd pfd = {.fd = spool_wakeup_fd(s), .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 0), 0);
    s_append_str(s, "f-w", "w");
    assert_int_equal(poll(&pfd, 1, 0), 1);
    spool_clear_wakeup(s);
    assert_int_equal(poll(&pfd, 1, 0), 0);
    char reason[128];
    assert_int_equal(spool_error(s, reason, sizeof reason), 0);
    spool_destroy(&s);
    /* Replayed records wake the sender too. */
    s = s_open();
    pfd.fd = spool_wakeup_fd(s);
    assert_int_equal(poll(&pfd, 1, 0), 1);
    spool_destroy(&s);
}

/* Resends that fall due while new ideas stream in: the complete walk of
 * the pending records runs at most every 100 ms (here resend_ms / 4 would
 * be more), so a resend may be up to that late; new records are sent at
 * once in between. */
static void test_resend_walk_spacing(void **state)
{
    (void)state;
    spool_t *s = s_open();
    seen_t seen = {.refuse_after = -1};
    s_append_str(s, "f-1", "1");
    assert_int_equal(spool_send_due(s, 0, 1000, 0, s_collect, &seen), 1);
    s_append_str(s, "f-2", "2");
    assert_int_equal(spool_send_due(s, 10, 1000, 0, s_collect, &seen), 1);
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1000, 1000, 0, s_collect, &seen), 1);
    assert_string_equal(seen.ids[0], "f-1");
    /* f-2 is due at 1010, but the last complete walk was 10 ms ago. */
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1010, 1000, 0, s_collect, &seen), 0);
    s_append_str(s, "f-3", "3");
    assert_int_equal(spool_send_due(s, 1050, 1000, 0, s_collect, &seen), 1);
    assert_string_equal(seen.ids[0], "f-3");
    seen = (seen_t){.refuse_after = -1};
    assert_int_equal(spool_send_due(s, 1100, 1000, 0, s_collect, &seen), 1);
    assert_string_equal(seen.ids[0], "f-2");
    assert_int_equal(s_stats(s).resent, 2);
    spool_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_send_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_new_while_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_refused_and_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wakeup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resend_walk_spacing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
