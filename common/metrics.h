/*
 * NAME
 *   metrics - counters and gauges rendered as Prometheus text
 *
 * DESCRIPTION
 *   metric_t *m = metrics_counter("inspraak_ideas_accepted_total",
 *                                 "Ideas accepted by this intake.");
 *   metric_inc(m);
 *   A name may carry labels: "inspraak_ideas_total{channel=\"form\"}"; HELP
 *   and TYPE are written once per base name. Registration is idempotent
 *   (same name, same metric). Updates are atomic and lock-free; register at
 *   start-up. Gauges may also be computed at render time with a callback.
 */
#ifndef INSPRAAK_METRICS_H
#define INSPRAAK_METRICS_H

typedef struct metric metric_t;

metric_t *metrics_counter(const char *name, const char *help);
metric_t *metrics_gauge(const char *name, const char *help);
/* The counter family{label="value"}, e.g. ("inspraak_mail_skipped_total",
 * "reason", "empty", help): one call per value of a label, so that callers
 * registering one counter per reason or code need not build the name. */
metric_t *metrics_counter_labelled(const char *family, const char *label, const char *value,
                                   const char *help);
/* A gauge whose value fn(arg) computes when /metrics is read. fn runs with
 * the registry locked: it must be quick and must not register metrics. */
void metrics_gauge_fn(const char *name, const char *help, double (*fn)(void *arg), void *arg);

void metric_inc(metric_t *m);
void metric_add(metric_t *m, double v);
void metric_set(metric_t *m, double v);
double metric_value(const metric_t *m);

/* The whole registry in Prometheus text format 0.0.4. Caller frees. */
char *metrics_render(void);

/* Forgets every metric (tests only: pointers handed out before become
 * invalid). */
void metrics_reset(void);

#endif
