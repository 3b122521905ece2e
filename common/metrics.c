/*
 * NAME
 *   metrics - counters and gauges rendered as Prometheus text (see metrics.h)
 *
 * SUMMARY
 *   metric_t *m = metrics_counter("inspraak_x_total", "What x counts.");
 *   metric_inc(m);
 *   char *text = metrics_render();
 *
 * DESCRIPTION
 *   A fixed registry of METRICS_MAX entries. Registration takes a mutex
 *   (it happens at start-up); updates are lock-free: each value is an
 *   _Atomic double changed with a compare-exchange loop, because C11 has no
 *   atomic add for floating point. Rendering groups entries by base name
 *   (the part before '{') so HELP and TYPE appear once per family, in the
 *   order families were first registered.
 *
 * DIAGNOSTICS
 *   A full registry is a programming error: the extra metric is logged and
 *   backed by a scratch entry that is never rendered, so callers never see
 *   NULL.
 */
#include "metrics.h"

#include "log.h"
#include "xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define METRICS_MAX 256

typedef enum { M_COUNTER, M_GAUGE, M_GAUGE_FN } mtype_t;

struct metric {
    char name[192];
    size_t base_len; /* length of the name before '{' */
    char help[256];
    mtype_t type;
    _Atomic double value;
    double (*fn)(void *arg);
    void *arg;
};

static struct metric s_reg[METRICS_MAX];
static struct metric s_scratch;
static int s_count;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

static metric_t *s_register(const char *name, const char *help, mtype_t type)
{
    metric_t *m = NULL;
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < s_count; i++)
        if (strcmp(s_reg[i].name, name) == 0) {
            m = &s_reg[i];
            break;
        }
    if (!m && (s_count == METRICS_MAX || strlen(name) >= sizeof m->name)) {
        log_error("msg=\"metric not registered: registry full or name too long\" name=%.100s",
                  name);
        m = &s_scratch;
    } else if (!m) {
        m = &s_reg[s_count++];
        snprintf(m->name, sizeof m->name, "%s", name);
        m->base_len = strcspn(name, "{");
        snprintf(m->help, sizeof m->help, "%s", help ? help : "");
        m->type = type;
        atomic_store(&m->value, 0.0);
    }
    pthread_mutex_unlock(&s_lock);
    return m;
}

metric_t *metrics_counter(const char *name, const char *help)
{
    return s_register(name, help, M_COUNTER);
}

metric_t *metrics_counter_labelled(const char *family, const char *label, const char *value,
                                   const char *help)
{
    /* One byte more than a registered name holds: a longer one is refused
     * (and logged) by s_register rather than registered cut short. */
    char name[sizeof s_scratch.name + 1];
    snprintf(name, sizeof name, "%s{%s=\"%s\"}", family, label, value);
    return s_register(name, help, M_COUNTER);
}

metric_t *metrics_gauge(const char *name, const char *help)
{
    return s_register(name, help, M_GAUGE);
}

void metrics_gauge_fn(const char *name, const char *help, double (*fn)(void *arg), void *arg)
{
    metric_t *m = s_register(name, help, M_GAUGE_FN);
    pthread_mutex_lock(&s_lock);
    m->fn = fn;
    m->arg = arg;
    pthread_mutex_unlock(&s_lock);
}

void metric_add(metric_t *m, double v)
{
    double old = atomic_load(&m->value);
    while (!atomic_compare_exchange_weak(&m->value, &old, old + v))
        ;
}

void metric_inc(metric_t *m)
{
    metric_add(m, 1.0);
}

void metric_set(metric_t *m, double v)
{
    atomic_store(&m->value, v);
}

double metric_value(const metric_t *m)
{
    return atomic_load(&((metric_t *)m)->value);
}

void metrics_reset(void)
{
    pthread_mutex_lock(&s_lock);
    memset(s_reg, 0, sizeof s_reg);
    s_count = 0;
    pthread_mutex_unlock(&s_lock);
}

/* --- rendering ---------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf_t;

static void s_put(sbuf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->buf = xrealloc(b->buf, b->cap);
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void s_puts(sbuf_t *b, const char *s)
{
    s_put(b, s, strlen(s));
}

/* HELP text escapes backslash and newline (text format 0.0.4). */
static void s_put_help(sbuf_t *b, const char *help)
{
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            s_puts(b, "\\\\");
        else if (*p == '\n')
            s_puts(b, "\\n");
        else
            s_put(b, p, 1);
    }
}

/* Integers print without a fraction so counters read naturally. */
static void s_put_value(sbuf_t *b, double v)
{
    char num[64];
    if (isnan(v))
        snprintf(num, sizeof num, "NaN");
    else if (isinf(v))
        snprintf(num, sizeof num, "%s", v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(num, sizeof num, "%.0f", v);
    else
        snprintf(num, sizeof num, "%.17g", v);
    s_puts(b, num);
}

static void s_render_family(sbuf_t *b, int first)
{
    const struct metric *f = &s_reg[first];
    static const char *types[] = {"counter", "gauge", "gauge"};
    s_puts(b, "# HELP ");
    s_put(b, f->name, f->base_len);
    s_puts(b, " ");
    s_put_help(b, f->help);
    s_puts(b, "\n# TYPE ");
    s_put(b, f->name, f->base_len);
    s_puts(b, " ");
    s_puts(b, types[f->type]);
    s_puts(b, "\n");
    for (int i = first; i < s_count; i++) {
        const struct metric *m = &s_reg[i];
        if (m->base_len != f->base_len || memcmp(m->name, f->name, f->base_len) != 0)
            continue;
        double v =
            m->type == M_GAUGE_FN ? (m->fn ? m->fn(m->arg) : NAN) : atomic_load(&s_reg[i].value);
        s_puts(b, m->name);
        s_puts(b, " ");
        s_put_value(b, v);
        s_puts(b, "\n");
    }
}

char *metrics_render(void)
{
    sbuf_t b = {xmalloc(1024), 0, 1024};
    b.buf[0] = '\0';
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < s_count; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = s_reg[j].base_len == s_reg[i].base_len &&
                   memcmp(s_reg[j].name, s_reg[i].name, s_reg[i].base_len) == 0;
        if (!seen)
            s_render_family(&b, i);
    }
    pthread_mutex_unlock(&s_lock);
    return b.buf;
}
