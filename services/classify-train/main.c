/*
 * NAME
 *   classify-train - trains the classifier's model from labelled ideas
 *
 * SYNOPSIS
 *   bin/classify-train [-o model.tsv] [-l [HEAD:]L2] [-n [HEAD:]ITERATIONS]
 *                      [-m WRITERS] [-W WEIGHT:FILE]... [labelled.jsonl...]
 *   bin/classify-train -P model.tsv [labelled.jsonl...]
 *
 * DESCRIPTION
 *   Reads JSON Lines (the files in the order given, else stdin) of ideas with "text" (and
 *   optionally "title") and the labels "themes" (list), "sentiment" and
 *   "question" (LABELS.md); a missing label leaves that idea out of that
 *   head. Features come from classify_idea_features() (common/
 *   classify_features.c: stems, bigrams, compound heads and the keyword
 *   lexicon scores), so training and classifying see the same features.
 *   Trains, per head, an L2-regularised logistic regression: softmax for
 *   sentiment and question, one sigmoid a theme for themes. Optimiser:
 *   full-batch gradient descent with AdaGrad steps, a fixed number of
 *   iterations, no randomness, so the same input gives the same model.
 *   -W WEIGHT:FILE makes the ideas of FILE count WEIGHT times in the
 *   loss (make model: the dev set 3 times, its writers label like those
 *   of the sets that judge the model).
 *   -l and -n set the L2 weight and the steps of every head, or with
 *   HEAD: (sentiment, question, themes) of one. Each input file counts
 *   as one writer: -m WRITERS leaves out the word features (w:, b:, c:,
 *   h:) that fewer than WRITERS files have (default 1: none; only with 3
 *   files or more).
 *   -P MODEL trains nothing: it prints each input idea's class
 *   probabilities under MODEL, one JSON object a line ({"id",
 *   "sentiment": {CLASS: P}, "question": ..., "themes": ...}), for
 *   reading the confident mistakes of a model (eval_classify.py
 *   --suspects).
 *   Writes the model file classify_model_load() reads (default
 *   data/nl/model.tsv; "-" is stdout). `make model` retrains the shipped
 *   model from tests/data/ideas/dev.jsonl and the extra training corpus
 *   in data/nl/train/ (every .jsonl file there); `make eval` trains one
 *   per cross-validation fold.
 *
 *   Hand-written (about 200 lines) for the reason in classify_model.c;
 *   the training and the model file: train_model.c; reading the input
 *   files: train_input.c.
 *   Limits: lines up to 1 MiB, 100000 ideas over all files; bad lines are
 *   skipped with a warning on stderr (file and line).
 *
 * CONFIGURATION
 *   INSPRAAK_DATA (default ./data) for the lexicons the features use.
 *   Exit 0, 1 on a load or write error, 2 on bad usage.
 */
#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "train_input.h"
#include "train_int.h"
#include "xalloc.h"

/* A whole number or decimal; -1 (refused below) for anything else. */
static double s_number(const char *s)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    return end == s || *end || errno || !isfinite(v) ? -1 : v;
}

/* "-W WEIGHT:FILE": the file's ideas count WEIGHT times (0 < WEIGHT <=
 * 100); -1 on a bad argument. The weight goes to *weight, the file name
 * to *path (inside arg). */
static int s_weighted(char *arg, double *weight, const char **path)
{
    char *colon = strchr(arg, ':');
    if (!colon || !colon[1])
        return -1;
    *colon = '\0';
    *weight = s_number(arg);
    *colon = ':';
    *path = colon + 1;
    return *weight > 0 && *weight <= 100 ? 0 : -1;
}

/* "-l"/"-n" argument "VALUE" (every head) or "HEAD:VALUE" (HEAD one of
 * sentiment, question, themes) into val[3]; -1 on a bad argument
 * (a negative value or an unknown head). */
static int s_per_head(const char *arg, double *val)
{
    static const char *const heads[3] = {"sentiment", "question", "themes"};
    const char *colon = strchr(arg, ':');
    double v = s_number(colon ? colon + 1 : arg);
    for (int h = 0; h < 3 && v >= 0; h++) {
        if (!colon)
            val[h] = v;
        else if (strlen(heads[h]) == (size_t)(colon - arg) &&
                 strncmp(heads[h], arg, (size_t)(colon - arg)) == 0)
            return val[h] = v, 0;
    }
    return v >= 0 && !colon ? 0 : -1;
}

#define TRAIN_USAGE                                                                             \
    "usage: classify-train [-o model.tsv] [-l [HEAD:]L2] [-n [HEAD:]ITER] [-m WRITERS]\n"     \
    "                      [-W WEIGHT:FILE]... [-P model.tsv] [file...]\n"
/* 0, or 2 on bad usage (after the message). */
static int s_options(int argc, char **argv, opts_t *o)
{
    *o = (opts_t){"data/nl/model.tsv", NULL, {-1, -1, -1}, {-1, -1, -1}, -1, {0}, {0}, 0};
    bool bad = false;
    int opt;
    while ((opt = getopt(argc, argv, "o:l:n:m:W:P:")) != -1) {
        if (opt == 'o')
            o->outpath = optarg;
        else if (opt == 'P')
            o->probe = optarg;
        else if (opt == 'l')
            bad |= s_per_head(optarg, o->l2) < 0;
        else if (opt == 'n')
            bad |= s_per_head(optarg, o->iters) < 0;
        else if (opt == 'm')
            bad |= (o->min_writers = (long)s_number(optarg)) < 1 || o->min_writers > 1000;
        else if (opt == 'W' && o->n_weighted < TRAIN_MAX_WEIGHTED) {
            bad |= s_weighted(optarg, &o->wval[o->n_weighted], &o->wpath[o->n_weighted]) < 0;
            o->n_weighted++;
        } else {
            fprintf(stderr, TRAIN_USAGE);
            return 2;
        }
    }
    for (int h = 0; h < 3; h++)
        bad |= o->iters[h] != -1 && (o->iters[h] < 1 || o->iters[h] > 100000);
    if (bad) {
        fprintf(stderr, "classify-train: bad arguments\n");
        return 2;
    }
    return 0;
}

/* -P: each idea's class probabilities under the model at path, one JSON
 * object a line ({"id", "sentiment": {CLASS: P...}, "question": ...,
 * "themes": ...}), for reading the model's confident mistakes (label
 * noise, eval_classify.py --by-writer --suspects). 0 or 1. */
static int s_probe(classify_t *cls, const char *path, const train_input_t *in)
{
    char err[512];
    classify_model_t *m = classify_model_load(path, err, sizeof err);
    if (!m) {
        fprintf(stderr, "classify-train: %s\n", err);
        return 1;
    }
    for (size_t k = 0; k < in->n; k++) {
        idea_t idea;
        idea_init(&idea);
        json_t *v = json_object_get(in->rows[k], "text");
        proto_set(&idea.text, json_is_string(v) ? json_string_value(v) : NULL);
        v = json_object_get(in->rows[k], "title");
        proto_set(&idea.title, json_is_string(v) ? json_string_value(v) : NULL);
        classify_feats_t f = {0};
        classify_idea_features(cls, &idea, &f);
        idea_clear(&idea);
        json_t *out = json_object();
        json_object_set(out, "id", json_object_get(in->rows[k], "id"));
        static const char *const heads[] = {"sentiment", "question", "themes"};
        for (int h = 0; h < 3; h++) {
            const char *const *labels;
            double p[CLASSIFY_MODEL_MAX_CLASSES];
            int n = classify_model_predict(m, heads[h], &f, &labels, p);
            json_t *o = json_object();
            for (int c = 0; c < n; c++)
                json_object_set_new(o, labels[c], json_real(p[c]));
            json_object_set_new(out, heads[h], o);
        }
        classify_feats_clear(&f);
        char *line = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(4));
        puts(line);
        free(line);
        json_decref(out);
    }
    classify_model_destroy(&m);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    opts_t o;
    if (s_options(argc, argv, &o) != 0)
        return 2;
    train_input_t in = {0};
    if (train_input_read(&in, o.wpath, o.wval, o.n_weighted, argv + optind, argc - optind) < 0) {
        train_input_free(&in);
        return 1;
    }
    char err[512];
    const char *d = getenv("INSPRAAK_DATA");
    setenv("INSPRAAK_MODEL_FILE", "none", 1); /* features need no model: do not load one */
    classify_t *cls = classify_new(d && *d ? d : "./data", err, sizeof err);
    int rc = 1;
    if (!cls)
        fprintf(stderr, "classify-train: cannot load data: %s\n", err);
    else
        rc = o.probe ? s_probe(cls, o.probe, &in) : train_model(cls, &o, &in);
    classify_destroy(&cls);
    train_input_free(&in);
    return rc;
}
