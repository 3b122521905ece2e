/*
 * NAME
 *   classify_idea - every label of one idea, for the service and bin/classify
 *
 * DESCRIPTION
 *   One entry point so the classifier service and the offline tool give
 *   the same answers for the same text. Themes, sentiment and question
 *   are read from title + text; an idea that already has themes, a
 *   sentiment or a question (the resident chose it, or staff did) keeps
 *   them. Files, from data_dir/nl/:
 *     themes.tsv (INSPRAAK_THEMES_FILE overrides)  theme keywords
 *     question.tsv                                 nu/toekomst markers
 *     sentiment.tsv, pattern-nl-sentiment.xml      polarity lexicons
 *     model.tsv (INSPRAAK_MODEL_FILE overrides)    the learned model
 *     synonyms.tsv, stopwords-iso-nl.txt           cluster keys
 *   With a model, themes, sentiment and question come from it (it takes
 *   the keyword scores as features, see classify_features.c); without one
 *   (no model.tsv), from the keyword lexicons alone. A model file named by
 *   INSPRAAK_MODEL_FILE must load ("none": keywords alone); the default
 *   one may be missing.
 *   Not thread-safe (textcat and libstemmer keep state): one per thread.
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "validate.h"
#include "xalloc.h"

struct classify {
    geo_t *geo;
    classify_lang_t *lang;
    classify_tok_t *tok;
    classify_lex_t *themes;
    classify_lex_t *question;
    classify_senti_t *senti;
    classify_model_t *model; /* NULL: keywords alone */
    classify_lex_t *syn;     /* NULL: no synonym folding */
    char **stop;             /* sorted stopwords for cluster keys */
    size_t n_stop;
    /* The words of the last title + text cut (s_tokens): classify_idea()
     * and then classify_idea_cluster() on the same idea cut them once. */
    classify_toks_t toks;
    char *toks_title, *toks_text;
    bool toks_valid;
};

static int s_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* stopwords-iso-nl.txt: one word a line (the larger of the two lists;
 * cluster keys want only content words). Missing file: no stopwords. */
static void s_load_stop(classify_t *self, const char *path)
{
    FILE *fp = fopen(path, "r");
    char line[128];
    while (fp && fgets(line, sizeof line, fp) && self->n_stop < 5000) {
        line[strcspn(line, " \t\r\n|")] = '\0';
        if (!line[0])
            continue;
        self->stop = xrealloc(self->stop, (self->n_stop + 1) * sizeof *self->stop);
        self->stop[self->n_stop++] = xstrdup(line);
    }
    if (fp)
        fclose(fp);
    if (self->n_stop)
        qsort(self->stop, self->n_stop, sizeof *self->stop, s_strcmp);
}

/* Extra themes join the first when the model gives them at least this. */
#define MODEL_THEME_EXTRA 0.3 /* chosen by cross-validation on the dev set (0.3-0.5 differ by 0.01) */

classify_t *classify_new(const char *data_dir, char *err, size_t errlen)
{
    classify_t *self = xcalloc(1, sizeof *self);
    char path[1024], path2[1024];
    const char *tf = getenv("INSPRAAK_THEMES_FILE");
    snprintf(path, sizeof path, "%s/nl/textcat.conf", data_dir);
    if (!(self->geo = geo_load(data_dir, err, errlen)) ||
        !(self->lang = classify_lang_new_conf(access(path, R_OK) == 0 ? path : NULL, err,
                                              errlen)) ||
        !(self->tok = classify_tok_new(err, errlen)))
        goto fail;
    classify_lang_set_geo(self->lang, self->geo);
    snprintf(path, sizeof path, "%s/nl/themes.tsv", data_dir);
    if (!(self->themes = classify_lex_load(self->tok, tf && *tf ? tf : path, err, errlen)))
        goto fail;
    snprintf(path, sizeof path, "%s/nl/question.tsv", data_dir);
    if (!(self->question = classify_lex_load(self->tok, path, err, errlen)))
        goto fail;
    snprintf(path, sizeof path, "%s/nl/pattern-nl-sentiment.xml", data_dir);
    snprintf(path2, sizeof path2, "%s/nl/sentiment.tsv", data_dir);
    if (!(self->senti = classify_senti_new(self->tok, path, path2, err, errlen)))
        goto fail;
    const char *mf = getenv("INSPRAAK_MODEL_FILE");
    snprintf(path, sizeof path, "%s/nl/model.tsv", data_dir);
    if (mf && strcmp(mf, "none") == 0)
        ; /* keywords alone: bin/classify-train, and the keyword baseline in make eval */
    else if ((mf && *mf) || access(path, R_OK) == 0)
        if (!(self->model = classify_model_load(mf && *mf ? mf : path, err, errlen)))
            goto fail;
    /* The model's features split compounds with hunspell: load its
     * dictionary now (~0.2 s), at start-up, not in the first idea's time
     * (the bench's first latency samples waited for it). */
    if (self->model)
        (void)classify_compound_shared();
    snprintf(path, sizeof path, "%s/nl/synonyms.tsv", data_dir);
    if (access(path, R_OK) == 0 && !(self->syn = classify_lex_load(self->tok, path, err, errlen)))
        goto fail;
    snprintf(path, sizeof path, "%s/nl/stopwords-iso-nl.txt", data_dir);
    s_load_stop(self, path);
    return self;
fail:
    classify_destroy(&self);
    return NULL;
}

void classify_destroy(classify_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    classify_t *self = *self_p;
    classify_toks_clear(&self->toks);
    free(self->toks_title);
    free(self->toks_text);
    for (size_t i = 0; i < self->n_stop; i++)
        free(self->stop[i]);
    free(self->stop);
    classify_model_destroy(&self->model);
    classify_lex_destroy(&self->syn);
    classify_senti_destroy(&self->senti);
    classify_lex_destroy(&self->question);
    classify_lex_destroy(&self->themes);
    classify_tok_destroy(&self->tok);
    classify_lang_destroy(&self->lang);
    geo_destroy(&self->geo);
    free(self);
    *self_p = NULL;
}

const geo_t *classify_geo(const classify_t *self)
{
    return self->geo;
}

bool classify_has_model(const classify_t *self)
{
    return self->model != NULL;
}

static bool s_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The words of the idea's title and text, cut once for all the callers
 * that ask about the same strings in a row (contents compared, so a
 * changed or reused idea is cut again). Owned by self, valid until the
 * next call. */
static const classify_toks_t *s_tokens(classify_t *self, const idea_t *idea)
{
    if (self->toks_valid && s_same(self->toks_title, idea->title) &&
        s_same(self->toks_text, idea->text))
        return &self->toks;
    classify_toks_clear(&self->toks);
    free(self->toks_title);
    free(self->toks_text);
    classify_tokenize(self->tok, idea->title, &self->toks);
    classify_tokenize(self->tok, idea->text, &self->toks);
    self->toks_title = idea->title ? xstrdup(idea->title) : NULL;
    self->toks_text = idea->text ? xstrdup(idea->text) : NULL;
    self->toks_valid = true;
    return &self->toks;
}

void classify_idea_features(classify_t *self, const idea_t *idea, classify_feats_t *out)
{
    const classify_toks_t *toks = s_tokens(self, idea);
    classify_model_features(self->themes, self->question, self->senti, idea->text, toks, out);
}

/* The most probable class of a softmax head, or NULL without the head. */
static const char *s_best(const classify_model_t *m, const char *head, const classify_feats_t *f)
{
    const char *const *labels;
    double p[CLASSIFY_MODEL_MAX_CLASSES];
    int n = classify_model_predict(m, head, f, &labels, p);
    int best = 0;
    for (int c = 1; c < n; c++)
        if (p[c] > p[best])
            best = c;
    return n > 0 ? labels[best] : NULL;
}

/* Themes from the model: the most probable one, then up to two more that
 * reach MODEL_THEME_EXTRA, most probable first. */
static void s_model_themes(const classify_model_t *m, const classify_feats_t *f, idea_t *idea)
{
    const char *const *labels;
    double p[CLASSIFY_MODEL_MAX_CLASSES];
    int n = classify_model_predict(m, "themes", f, &labels, p);
    for (int k = 0; k < 3 && n > 0; k++) {
        int best = 0;
        for (int c = 1; c < n; c++)
            if (p[c] > p[best])
                best = c;
        if (p[best] < 0 || (k > 0 && p[best] < MODEL_THEME_EXTRA))
            break;
        idea_add_theme(idea, labels[best]);
        p[best] = -1;
    }
}

static void s_from_model(classify_t *self, idea_t *idea, const classify_toks_t *toks)
{
    classify_feats_t f = {0};
    classify_model_features(self->themes, self->question, self->senti, idea->text, toks, &f);
    if (idea->n_themes == 0)
        s_model_themes(self->model, &f, idea);
    if (!idea->sentiment)
        proto_set(&idea->sentiment, s_best(self->model, "sentiment", &f));
    if (!idea->question)
        proto_set(&idea->question, s_best(self->model, "question", &f));
    classify_feats_clear(&f);
}

static void s_from_keywords(classify_t *self, idea_t *idea, const classify_toks_t *toks)
{
    if (idea->n_themes == 0) {
        const char *t[3];
        int n = classify_themes(self->themes, toks, t, 3);
        for (int i = 0; i < n; i++)
            idea_add_theme(idea, t[i]);
    }
    if (!idea->sentiment)
        proto_set(&idea->sentiment, classify_sentiment(self->senti, toks));
    if (!idea->question)
        proto_set(&idea->question, classify_question(self->question, toks));
}

/* *field in its composed form (NFC), when it is not already. */
static void s_compose(char **field)
{
    char *nfc = *field ? utf8_nfc(*field, strlen(*field), NULL) : NULL;
    if (nfc) {
        free(*field);
        *field = nfc;
    }
}

wijk_source_t classify_idea(classify_t *self, idea_t *idea)
{
    /* The word lists, the stemmer, the PII rules and the language
     * profiles know composed letters ("é", not "e" + U+0301). The intakes
     * store NFC (text_normalise); bin/classify reads anyone's JSON. */
    s_compose(&idea->text);
    s_compose(&idea->title);
    s_compose(&idea->source.context);
    s_compose(&idea->wijk);
    const char *lang = classify_lang(self->lang, idea->text);
    if (lang || !idea->language)
        proto_set(&idea->language, lang);
    wijk_source_t src = classify_wijk(self->geo, idea);
    classify_pii_words_t pw = {(const char *const *)self->stop, self->n_stop, self->tok,
                               self->senti, self->geo};
    classify_pii_words(idea, &pw);

    const classify_toks_t *toks = s_tokens(self, idea);
    if (toks->n && self->model)
        s_from_model(self, idea, toks);
    else if (toks->n)
        s_from_keywords(self, idea, toks);

    if (!idea->status)
        proto_set(&idea->status, "new");
    idea->classified = true;
    return src;
}

void classify_idea_sketch(classify_t *self, const idea_t *idea, cluster_sketch_t *sk)
{
    classify_cluster_sketch(self->syn, (const char *const *)self->stop, self->n_stop,
                            s_tokens(self, idea), idea, sk);
}

int classify_idea_cluster(classify_t *self, const cluster_store_t *st, idea_t *idea)
{
    cluster_sketch_t sk;
    classify_idea_sketch(self, idea, &sk);
    return classify_cluster(st, &sk, idea);
}
