/*
 * NAME
 *   test_spool_resend - the spool re-sends what looks lost, not what is queued
 *
 * DESCRIPTION
 *   Real spool files in a mkdtemp() folder; the clock is the explicit now_ms
 *   given to spool_send_due() (never sleeps), and "the pipeline" is this
 *   test acknowledging records in the order they were sent, at a rate it
 *   chooses. Checks, as an operator reading inspraak_bus_resent_total would:
 *     - a long backlog that keeps moving (acks keep arriving, each record
 *       waits far longer than resend_ms) is not re-sent at all: the old
 *       rule (resend_ms after the send) re-sent most of it;
 *     - a stalled pipeline (no ack for resend_ms) re-sends what is still
 *       pending, and only that;
 *     - one record lost while the rest keeps flowing is re-sent soon after
 *       its timer, and nothing else is;
 *     - a lost record behind a pipeline that moves too slowly to tell is
 *       still re-sent, 60 s after its send at the latest.
 */
#include "test_spool_util.h"

#define RESEND_MS 3000
#define N_MAX 1000

/* What the bus saw: sends per record and the clock of the last one. */
typedef struct {
    int sends[N_MAX];
    int64_t last_at[N_MAX];
    int64_t now;
    int total;
} bus_t;

static int s_bus(const char *id, const void *data, size_t len, void *arg)
{
    bus_t *bus = arg;
    (void)data, (void)len;
    int i = atoi(id + 2);
    assert_in_range(i, 0, N_MAX - 1);
    bus->sends[i]++;
    bus->last_at[i] = bus->now;
    bus->total++;
    return 0;
}

static void s_fill(spool_t *s, int n)
{
    char id[32];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "r-%d", i);
        s_append_str(s, id, "idea");
    }
}

static void s_ack(spool_t *s, int i)
{
    char id[32];
    snprintf(id, sizeof id, "r-%d", i);
    spool_ack(s, id);
}

static int s_tick(spool_t *s, bus_t *bus, int64_t now)
{
    bus->now = now;
    return spool_send_due(s, now, RESEND_MS, 0, s_bus, bus);
}

/* A fresh spool with n records, all sent at time 0 onto a cleared bus. */
static spool_t *s_start(bus_t *bus, int n)
{
    spool_t *s = s_open();
    memset(bus, 0, sizeof *bus);
    s_fill(s, n);
    assert_int_equal(s_tick(s, bus, 0), n);
    return s;
}

/* 1,000 records in flight, acknowledged 10 per 100 ms in send order: the
 * last waits 10 s for its ack, more than three times resend_ms, but acks
 * never stop, so nothing is sent twice. */
static void test_moving_backlog_not_resent(void **state)
{
    (void)state;
    static bus_t bus;
    spool_t *s = s_start(&bus, N_MAX);
    int next = 0;
    for (int64_t now = 100; next < N_MAX; now += 100) {
        for (int k = 0; k < 10; k++)
            s_ack(s, next++);
        s_tick(s, &bus, now);
    }
    assert_int_equal(s_stats(s).resent, 0);
    assert_int_equal(bus.total, N_MAX);
    assert_int_equal(s_stats(s).pending, 0);
    spool_destroy(&s);
}

/* 100 records; the first 50 are acknowledged, then nothing comes back: the
 * other 50 go again once no ack came for resend_ms, each exactly once. */
static void test_stalled_resent(void **state)
{
    (void)state;
    static bus_t bus;
    spool_t *s = s_start(&bus, 100);
    for (int i = 0; i < 50; i++) {
        s_ack(s, i);
        s_tick(s, &bus, 20 * (i + 1)); /* last ack seen at 1000 */
    }
    for (int64_t now = 1100; now < 1000 + RESEND_MS; now += 100)
        assert_int_equal(s_tick(s, &bus, now), 0);
    /* Held back at 3000 (an ack came 2 s before) and looked at again every
     * quarter of resend_ms: re-sent at most that long after the stall
     * began (4000). */
    int64_t now = 1000 + RESEND_MS;
    int resent = 0;
    for (; now <= 1000 + 2 * RESEND_MS && resent == 0; now += 50)
        resent = s_tick(s, &bus, now);
    assert_int_equal(resent, 50);
    assert_true(now - 50 <= 1000 + RESEND_MS + RESEND_MS / 4);
    for (int i = 0; i < 100; i++)
        assert_int_equal(bus.sends[i], i < 50 ? 1 : 2);
    assert_int_equal(s_stats(s).resent, 50);
    spool_destroy(&s);
}

/* 1,000 in flight, acknowledged in order 10 per 100 ms, except r-10, which
 * a killed classifier took with it: r-10 goes again when its timer runs
 * out (the acks of what was behind it say it is lost); nothing else does. */
static void test_lost_while_moving(void **state)
{
    (void)state;
    static bus_t bus;
    spool_t *s = s_start(&bus, N_MAX);
    int next = 0;
    for (int64_t now = 100; now <= 12000; now += 100) {
        for (int k = 0; k < 10 && next < N_MAX; k++, next++)
            if (next != 10)
                s_ack(s, next);
        s_tick(s, &bus, now);
    }
    assert_int_equal(bus.sends[10], 2);
    assert_int_equal(bus.last_at[10], RESEND_MS);
    assert_int_equal(bus.total, N_MAX + 1);
    assert_int_equal(s_stats(s).resent, 1);
    s_ack(s, 10);
    assert_int_equal(s_stats(s).pending, 0);
    spool_destroy(&s);
}

/* 60 in flight, r-50 lost, the others acknowledged in order, one every
 * 2 s: never a stall, but the 100 acks that would mark r-50 lost (2 x 50
 * ahead of it) take 200 s. It goes again at the bound, 60 s after its
 * send, with the others still waiting then; nothing goes before. */
static void test_lost_behind_slow_pipeline(void **state)
{
    (void)state;
    static bus_t bus;
    spool_t *s = s_start(&bus, 60);
    int next = 0;
    for (int64_t now = 1000; now <= 61000; now += 1000) {
        if (now % 2000 == 0)
            s_ack(s, next++);
        int n = s_tick(s, &bus, now);
        if (now < 60000)
            assert_int_equal(n, 0);
    }
    assert_int_equal(bus.sends[50], 2);
    assert_int_equal(bus.last_at[50], 60000);
    assert_int_equal(s_stats(s).resent, 60 - 30);
    spool_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_moving_backlog_not_resent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stalled_resent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_while_moving, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_behind_slow_pipeline, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
