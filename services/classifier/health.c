/*
 * health.c - the classifier's /healthz and /metrics (services/classifier):
 * "waiting for storage" when a send has been blocked too long, and the
 * counters listed in main.c's DIAGNOSTICS.
 */
#include <stdio.h>
#include <string.h>

#include "classifier_int.h"
#include "clock.h"

static const char *const s_langs[] = {"nl", "en", "de", "fr", "other", "none", NULL};

static double s_waiting_seconds(void *arg)
{
    classifier_t *c = arg;
    int64_t since = atomic_load(&c->waiting_since);
    return since ? (double)(clock_mono_ms() - since) / 1000.0 : 0.0;
}

int classifier_health(char *reason, size_t size, void *arg)
{
    classifier_t *c = arg;
    int64_t since = atomic_load(&c->waiting_since);
    if (since && clock_mono_ms() - since > CLASSIFIER_STALL_MS) {
        snprintf(reason, size, "waiting for storage for %lld s",
                 (long long)((clock_mono_ms() - since) / 1000));
        return 0;
    }
    return 1;
}

void classifier_metrics_init(classifier_t *c)
{
    c->m_classified = metrics_counter("inspraak_classifier_classified_total",
                                      "Ideas classified and sent to storage.");
    c->m_dead = metrics_counter("inspraak_classifier_dead_total",
                                "Unreadable messages sent to storage as dead letters.");
    for (int i = 0; i < N_LANGS; i++)
        c->m_lang[i] =
            metrics_counter_labelled("inspraak_classifier_language_total", "language", s_langs[i],
                                     "Ideas classified, by detected language.");
    for (int i = 0; i < N_SOURCES; i++)
        c->m_wijk[i] = metrics_counter_labelled("inspraak_classifier_wijk_total", "source",
                                                classify_wijk_source_name((wijk_source_t)i),
                                                "Ideas classified, by where the wijk came from.");
    c->m_cluster_err = metrics_counter("inspraak_classifier_cluster_errors_total",
                                       "Ideas sent without cluster because Redis failed.");
    c->m_cluster_joined = metrics_counter("inspraak_classifier_cluster_joined_total",
                                          "Ideas that joined the cluster of an earlier idea.");
    c->m_resent = metrics_counter("inspraak_classifier_resent_total",
                                  "Re-sent ideas answered again without classifying.");
    c->m_corrected = metrics_counter("inspraak_classifier_cluster_corrected_total",
                                     "Ideas staff moved to another cluster (sketch updated).");
    c->m_batches = metrics_counter("inspraak_classifier_batches_total",
                                   "Batches of queued ideas clustered and sent together.");
    metrics_gauge_fn("inspraak_classifier_waiting_seconds",
                     "How long the current send to storage has been blocked.",
                     s_waiting_seconds, c);
}

void classifier_count_language(classifier_t *c, const char *lang)
{
    int i = 0;
    if (!lang)
        i = N_LANGS - 1;
    else
        while (i < N_LANGS - 2 && strcmp(s_langs[i], lang) != 0)
            i++;
    metric_inc(c->m_lang[i]);
}
