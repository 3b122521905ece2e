/*
 * NAME
 *   test_metrics - counters, gauges, labels and the exact Prometheus text
 *
 * DESCRIPTION
 *   Each test starts from an empty registry (metrics_reset) so that the
 *   rendered text can be compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static int s_reset(void **state)
{
    (void)state;
    metrics_reset();
    return 0;
}

static void test_counter(void **state)
{
    (void)state;
    metric_t *m = metrics_counter("inspraak_test_total", "Test things.");
    assert_non_null(m);
    assert_true(metric_value(m) == 0.0);
    metric_inc(m);
    metric_inc(m);
    metric_add(m, 0.5);
    assert_true(metric_value(m) == 2.5);
    /* Same name, same metric. */
    assert_ptr_equal(metrics_counter("inspraak_test_total", "Other help."), m);
    char *text = metrics_render();
    assert_string_equal(text, "# HELP inspraak_test_total Test things.\n"
                              "# TYPE inspraak_test_total counter\n"
                              "inspraak_test_total 2.5\n");
    free(text);
}

static void test_gauge(void **state)
{
    (void)state;
    metric_t *g = metrics_gauge("inspraak_queue_depth", "Items waiting.");
    metric_set(g, 7);
    metric_add(g, -2);
    assert_true(metric_value(g) == 5.0);
    metric_set(g, -1.25);
    char *text = metrics_render();
    assert_string_equal(text, "# HELP inspraak_queue_depth Items waiting.\n"
                              "# TYPE inspraak_queue_depth gauge\n"
                              "inspraak_queue_depth -1.25\n");
    free(text);
}

static void test_labels_grouped(void **state)
{
    (void)state;
    metric_t *form = metrics_counter("inspraak_ideas_total{channel=\"form\"}", "Ideas.");
    metric_t *up = metrics_gauge("inspraak_up", "Up.");
    metric_t *mail = metrics_counter("inspraak_ideas_total{channel=\"email\"}", "Ideas.");
    metric_add(form, 3);
    metric_inc(mail);
    metric_set(up, 1);
    char *text = metrics_render();
    /* HELP/TYPE once per family, members together even when registered apart. */
    assert_string_equal(text, "# HELP inspraak_ideas_total Ideas.\n"
                              "# TYPE inspraak_ideas_total counter\n"
                              "inspraak_ideas_total{channel=\"form\"} 3\n"
                              "inspraak_ideas_total{channel=\"email\"} 1\n"
                              "# HELP inspraak_up Up.\n"
                              "# TYPE inspraak_up gauge\n"
                              "inspraak_up 1\n");
    free(text);
}

/* The services register one counter per reason or code with
 * metrics_counter_labelled: it must be the very metric the written-out
 * name gives, so /metrics shows the same lines as before. */
static void test_counter_labelled(void **state)
{
    (void)state;
    metric_t *m = metrics_counter_labelled("inspraak_mail_skipped_total", "reason", "empty",
                                           "Mails that make no idea, by reason.");
    assert_ptr_equal(metrics_counter("inspraak_mail_skipped_total{reason=\"empty\"}", NULL), m);
    metric_inc(m);
    char *text = metrics_render();
    assert_string_equal(text,
                        "# HELP inspraak_mail_skipped_total Mails that make no idea, by reason.\n"
                        "# TYPE inspraak_mail_skipped_total counter\n"
                        "inspraak_mail_skipped_total{reason=\"empty\"} 1\n");
    free(text);
}

static double s_answer(void *arg)
{
    return *(double *)arg;
}

static void test_gauge_fn(void **state)
{
    (void)state;
    double v = 42;
    metrics_gauge_fn("inspraak_spool_bytes", "Bytes in the spool.\nSecond line \\ here.", s_answer,
                     &v);
    char *text = metrics_render();
    assert_string_equal(text, "# HELP inspraak_spool_bytes Bytes in the spool.\\nSecond line "
                              "\\\\ here.\n"
                              "# TYPE inspraak_spool_bytes gauge\n"
                              "inspraak_spool_bytes 42\n");
    free(text);
    v = 0.1; /* computed again at every render */
    text = metrics_render();
    assert_non_null(strstr(text, "inspraak_spool_bytes 0.10000000000000001\n"));
    free(text);
}

static void *s_hammer(void *arg)
{
    for (int i = 0; i < 100000; i++)
        metric_inc(arg);
    return NULL;
}

static void test_concurrent_increments(void **state)
{
    (void)state;
    metric_t *m = metrics_counter("inspraak_race_total", "Race.");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, s_hammer, m);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_true(metric_value(m) == 400000.0);
}

static void test_empty(void **state)
{
    (void)state;
    char *text = metrics_render();
    assert_string_equal(text, "");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_counter, s_reset),
        cmocka_unit_test_setup(test_gauge, s_reset),
        cmocka_unit_test_setup(test_labels_grouped, s_reset),
        cmocka_unit_test_setup(test_counter_labelled, s_reset),
        cmocka_unit_test_setup(test_gauge_fn, s_reset),
        cmocka_unit_test_setup(test_concurrent_increments, s_reset),
        cmocka_unit_test_setup(test_empty, s_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
