/*
 * NAME
 *   classify_model - the learned part of the classifier: a linear model
 *   (logistic regression) read from data/nl/model.tsv, and its prediction
 *
 * DESCRIPTION
 *   Features of one text: classify_features.c (classify_model_features).
 *
 *   The model file (written by bin/classify-train, services/classify-train):
 *     model<TAB>1
 *     head<TAB>NAME<TAB>softmax|sigmoid<TAB>CLASS<TAB>CLASS...
 *     w<TAB>NAME<TAB>FEATURE<TAB>WEIGHT<TAB>WEIGHT...   (one per class)
 *   The feature "_bias" is always on. softmax heads give one class
 *   (sentiment, question); sigmoid heads one probability per class
 *   (themes: an idea has 1..3).
 *
 *   Hand-written: Debian has no well-kept C library for logistic
 *   regression over sparse text features (liblinear has no Debian -dev
 *   package for C users that we may rely on here, and its model format is
 *   index-based, not word-based); prediction is a dot product per class.
 *   Limits when loading: 4096-byte lines, CLASSIFY_MODEL_MAX_CLASSES
 *   classes a head, 8 heads, 500000 weight lines.
 */
#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "classify_feat_int.h"
#include "xalloc.h"

#define MODEL_MAX_HEADS 8
#define MODEL_MAX_LINES 500000

typedef struct {
    char *name;
    bool softmax;
    int n;
    char *label[CLASSIFY_MODEL_MAX_CLASSES];
    GHashTable *w; /* feature -> double[n] */
} model_head_t;

/* Every head's weights of one feature (NULL: the head has none), so a
 * feature is looked up once per idea, not once per head. The weights
 * themselves stay owned by the heads' tables. */
struct model_row {
    const double *w[MODEL_MAX_HEADS];
};
typedef struct model_row model_row_t;

/* Remembered look-ups of rows: the same feature names ("w:straat",
 * "b:in de") come in idea after idea, each a new string, and the look-up
 * in the ~165,000-name table was ~120 instructions and a cache miss.
 * Direct-mapped by the name's hash, one name a slot (a new name takes
 * the slot over); names of MODEL_MEMO_KEY bytes or more are looked up
 * every time. A row never changes once loaded, so a slot is right for
 * as long as the model lives. */
#define MODEL_MEMO_SLOTS 4096
#define MODEL_MEMO_KEY 48

typedef struct {
    const model_row_t *row; /* NULL: the model has no such feature */
    guint hash;
    char name[MODEL_MEMO_KEY]; /* "" when empty (no feature name is empty) */
} model_memo_t;

struct classify_model {
    int n_heads;
    model_head_t head[MODEL_MAX_HEADS];
    GHashTable *rows; /* feature -> model_row_t (keys borrowed from the heads) */
    unsigned long gen; /* this load's number, see feat_hdr_t */
    model_memo_t *memo; /* MODEL_MEMO_SLOTS; written by classify_model_predict */
};

static unsigned long s_gen_next = 0;

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static model_head_t *s_head(classify_model_t *m, const char *name)
{
    for (int i = 0; i < m->n_heads; i++)
        if (strcmp(m->head[i].name, name) == 0)
            return &m->head[i];
    return NULL;
}

/* Cuts line at tabs into at most max fields; returns how many. */
static int s_fields(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        f[n++] = line;
        char *t = strchr(line, '\t');
        if (!t)
            break;
        *t = '\0';
        line = t + 1;
    }
    return n;
}

static int s_line(classify_model_t *m, char *line, char *err, size_t errlen)
{
    char *f[CLASSIFY_MODEL_MAX_CLASSES + 4];
    int n = s_fields(line, f, CLASSIFY_MODEL_MAX_CLASSES + 4);
    if (f[0][0] == '#' || f[0][0] == '\0' || strcmp(f[0], "model") == 0)
        return 0;
    if (strcmp(f[0], "head") == 0) {
        if (n < 4 || m->n_heads == MODEL_MAX_HEADS || s_head(m, f[1]) ||
            (strcmp(f[2], "softmax") != 0 && strcmp(f[2], "sigmoid") != 0)) {
            snprintf(err, errlen, "bad head line");
            return -1;
        }
        model_head_t *h = &m->head[m->n_heads++];
        h->name = xstrdup(f[1]);
        h->softmax = strcmp(f[2], "softmax") == 0;
        for (int i = 3; i < n; i++)
            h->label[h->n++] = xstrdup(f[i]);
        h->w = g_hash_table_new_full(classify_feat_hash, g_str_equal, classify_feat_free, g_free);
        return 0;
    }
    model_head_t *h = n >= 3 && strcmp(f[0], "w") == 0 ? s_head(m, f[1]) : NULL;
    if (!h || n != 3 + h->n) {
        snprintf(err, errlen, "bad weight line (unknown head or wrong number of weights)");
        return -1;
    }
    double *w = g_new(double, h->n);
    for (int i = 0; i < h->n; i++) {
        char *end;
        errno = 0;
        w[i] = strtod(f[3 + i], &end);
        if (errno || *end || !isfinite(w[i])) {
            g_free(w);
            snprintf(err, errlen, "bad weight \"%.40s\"", f[3 + i]);
            return -1;
        }
    }
    g_hash_table_replace(h->w, classify_feat_new(f[2], strlen(f[2]), g_str_hash(f[2])), w);
    return 0;
}

/* The per-feature rows over all heads (model_row_t), once the file is
 * read, and this load's number. */
static void s_rows(classify_model_t *m)
{
    m->rows = g_hash_table_new_full(classify_feat_hash, g_str_equal, NULL, g_free);
    for (int h = 0; h < m->n_heads; h++) {
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, m->head[h].w);
        while (g_hash_table_iter_next(&it, &key, &val)) {
            model_row_t *row = g_hash_table_lookup(m->rows, key);
            if (!row) {
                row = g_new0(model_row_t, 1);
                g_hash_table_insert(m->rows, key, row);
            }
            row->w[h] = val;
        }
    }
    m->gen = __atomic_add_fetch(&s_gen_next, 1, __ATOMIC_RELAXED);
    m->memo = xcalloc(MODEL_MEMO_SLOTS, sizeof *m->memo);
}

classify_model_t *classify_model_load(const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    classify_model_t *m = xcalloc(1, sizeof *m);
    char line[4096], why[200];
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        lineno++;
        if (lineno > MODEL_MAX_LINES || (!strchr(line, '\n') && !feof(fp))) {
            snprintf(why, sizeof why, "line too long or too many lines");
            rc = -1;
        } else {
            rc = s_line(m, line, why, sizeof why);
        }
    }
    fclose(fp);
    if (rc < 0 || m->n_heads == 0) {
        snprintf(err, errlen, "%s:%ld: %s", path, lineno, rc < 0 ? why : "no heads");
        classify_model_destroy(&m);
        return NULL;
    }
    s_rows(m);
    return m;
}

void classify_model_destroy(classify_model_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    classify_model_t *m = *self_p;
    for (int i = 0; i < m->n_heads; i++) {
        free(m->head[i].name);
        for (int j = 0; j < m->head[i].n; j++)
            free(m->head[i].label[j]);
        g_hash_table_destroy(m->head[i].w);
    }
    if (m->rows) /* before the heads' tables would be fine too: it owns no key */
        g_hash_table_destroy(m->rows);
    free(m->memo);
    free(m);
    *self_p = NULL;
}

/* ------------------------------------------------------------------ */
/* Prediction                                                          */
/* ------------------------------------------------------------------ */

/* The row of feature name (NULL: none), through the memo. */
static const model_row_t *s_row(const classify_model_t *m, const char *name, guint hash)
{
    model_memo_t *slot = &m->memo[hash & (MODEL_MEMO_SLOTS - 1)];
    if (slot->hash == hash && slot->name[0] && strcmp(slot->name, name) == 0)
        return slot->row;
    const model_row_t *row = g_hash_table_lookup(m->rows, name);
    size_t len = strlen(name);
    if (len < MODEL_MEMO_KEY) {
        memcpy(slot->name, name, len + 1);
        slot->hash = hash;
        slot->row = row;
    }
    return row;
}

int classify_model_predict(const classify_model_t *m, const char *head,
                           const classify_feats_t *f, const char *const **labels, double *p)
{
    model_head_t *h = s_head((classify_model_t *)m, head);
    if (!h)
        return -1;
    int hi = (int)(h - m->head);
    double z[CLASSIFY_MODEL_MAX_CLASSES] = {0};
    for (size_t i = 0; i < f->n; i++) {
        /* the name's header is ours (classify_feats_add), not the
         * caller's: writing the look-up there changes no feature */
        feat_hdr_t *hdr = classify_feat_hdr(f->name[i]);
        if (hdr->gen != m->gen) {
            hdr->row = s_row(m, f->name[i], hdr->hash);
            hdr->gen = m->gen;
        }
        const double *w = hdr->row ? hdr->row->w[hi] : NULL;
        for (int c = 0; w && c < h->n; c++)
            z[c] += w[c] * f->val[i];
    }
    if (h->softmax) {
        double max = z[0], sum = 0;
        for (int c = 1; c < h->n; c++)
            max = z[c] > max ? z[c] : max;
        for (int c = 0; c < h->n; c++)
            sum += (p[c] = exp(z[c] - max));
        for (int c = 0; c < h->n; c++)
            p[c] /= sum;
    } else {
        for (int c = 0; c < h->n; c++)
            p[c] = 1.0 / (1.0 + exp(-z[c]));
    }
    *labels = (const char *const *)h->label;
    return h->n;
}
