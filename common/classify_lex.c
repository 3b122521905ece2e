/*
 * NAME
 *   classify_lex - keyword lexicon files for themes, question and sentiment
 *
 * DESCRIPTION
 *   Staff edit these files (data/nl/themes.tsv etc.), so the format is
 *   plain: "label<TAB>pattern[<TAB>weight]" per line, '#' starts a
 *   comment, blank lines are skipped. See classify.h for the pattern
 *   forms. Patterns without '*' are stemmed when loaded, so one entry
 *   covers singular, plural and verb forms. Hand-written because it is a
 *   dozen lines of parsing; limits: 4096-byte lines, 6 words a pattern,
 *   20000 entries, 64 labels.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

#define LEX_MAX_LINE 4096
#define LEX_MAX_WORDS 6
#define LEX_MAX_ENTRIES 20000
#define LEX_MAX_LABELS 64

typedef enum { PAT_STEM, PAT_PREFIX, PAT_SUFFIX, PAT_CONTAINS } pat_kind_t;

typedef struct {
    pat_kind_t kind;
    char *s;
    size_t len;
} pat_word_t;

typedef struct {
    int label;
    double weight;
    size_t n;
    pat_word_t w[LEX_MAX_WORDS];
} lex_entry_t;

struct classify_lex {
    const char *labels[LEX_MAX_LABELS];
    size_t n_labels;
    lex_entry_t *e;
    size_t n;
};

static int s_label(classify_lex_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_labels; i++)
        if (strcmp(self->labels[i], name) == 0)
            return (int)i;
    if (self->n_labels == LEX_MAX_LABELS)
        return -1;
    self->labels[self->n_labels] = xstrdup(name);
    return (int)self->n_labels++;
}

/* Parses one pattern word into w (lowercase expected). */
static void s_word(classify_tok_t *tok, const char *word, pat_word_t *w)
{
    size_t len = strlen(word);
    int pre = len > 1 && word[0] == '*', post = len > 1 && word[len - 1] == '*';
    char buf[128];
    snprintf(buf, sizeof buf, "%.*s", (int)(len - (size_t)pre - (size_t)post), word + pre);
    for (char *c = buf; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    if (pre && post)
        w->kind = PAT_CONTAINS;
    else if (pre)
        w->kind = PAT_SUFFIX;
    else if (post)
        w->kind = PAT_PREFIX;
    else {
        w->kind = PAT_STEM;
        char stem[128];
        classify_stem(tok, buf, stem, sizeof stem);
        snprintf(buf, sizeof buf, "%s", stem);
    }
    w->s = xstrdup(buf);
    w->len = strlen(buf);
}

/* One non-comment line; returns 0 or -1 (err set). */
static int s_line(classify_lex_t *self, classify_tok_t *tok, char *line, char *err,
                  size_t errlen)
{
    char *label = strtok(line, "\t"), *pattern = strtok(NULL, "\t"), *weight = strtok(NULL, "\t");
    if (!label || !pattern) {
        snprintf(err, errlen, "want label<TAB>pattern[<TAB>weight]");
        return -1;
    }
    lex_entry_t e = {.weight = 1.0};
    if (weight) {
        char *end;
        e.weight = strtod(weight, &end);
        if (end == weight || (*end && *end != ' ')) {
            snprintf(err, errlen, "bad weight \"%.40s\"", weight);
            return -1;
        }
    }
    if ((e.label = s_label(self, label)) < 0 || self->n == LEX_MAX_ENTRIES) {
        snprintf(err, errlen, "too many labels or entries");
        return -1;
    }
    for (char *w = strtok(pattern, " "); w; w = strtok(NULL, " ")) {
        if (e.n == LEX_MAX_WORDS) {
            snprintf(err, errlen, "pattern longer than %d words", LEX_MAX_WORDS);
            return -1;
        }
        s_word(tok, w, &e.w[e.n++]);
    }
    if (e.n == 0) {
        snprintf(err, errlen, "empty pattern");
        return -1;
    }
    self->e = xrealloc(self->e, (self->n + 1) * sizeof *self->e);
    self->e[self->n++] = e;
    return 0;
}

classify_lex_t *classify_lex_load(classify_tok_t *tok, const char *path, char *err,
                                  size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    classify_lex_t *self = xcalloc(1, sizeof *self);
    char line[LEX_MAX_LINE], why[200];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        if (strspn(line, " \t") == strlen(line))
            continue;
        if ((rc = s_line(self, tok, line, why, sizeof why)) < 0)
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
    }
    fclose(f);
    if (rc < 0)
        classify_lex_destroy(&self);
    return self;
}

void classify_lex_destroy(classify_lex_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    classify_lex_t *self = *self_p;
    for (size_t i = 0; i < self->n; i++)
        for (size_t k = 0; k < self->e[i].n; k++)
            free(self->e[i].w[k].s);
    for (size_t i = 0; i < self->n_labels; i++)
        free((char *)self->labels[i]);
    free(self->e);
    free(self);
    *self_p = NULL;
}

static int s_match(const pat_word_t *w, const char *word, const char *stem)
{
    size_t len = strlen(word);
    switch (w->kind) {
    case PAT_STEM:
        return strcmp(w->s, stem) == 0;
    case PAT_PREFIX:
        return strncmp(word, w->s, w->len) == 0;
    case PAT_SUFFIX:
        return len >= w->len && strcmp(word + len - w->len, w->s) == 0;
    case PAT_CONTAINS:
        return strstr(word, w->s) != NULL;
    }
    return 0;
}

int classify_lex_at(const classify_lex_t *self, const classify_toks_t *toks, size_t i,
                    classify_lex_fn fn, void *arg)
{
    int hits = 0;
    for (size_t k = 0; k < self->n; k++) {
        const lex_entry_t *e = &self->e[k];
        if (i + e->n > toks->n)
            continue;
        size_t j = 0;
        while (j < e->n && s_match(&e->w[j], toks->word[i + j], toks->stem[i + j]))
            j++;
        if (j < e->n)
            continue;
        hits++;
        if (fn)
            fn(arg, self->labels[e->label], e->weight, e->n);
    }
    return hits;
}

const char *const *classify_lex_labels(const classify_lex_t *self, size_t *n)
{
    *n = self->n_labels;
    return self->labels;
}
