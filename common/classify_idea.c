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
 *   Not thread-safe (textcat and libstemmer keep state): one per thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

struct classify {
    geo_t *geo;
    classify_lang_t *lang;
    classify_tok_t *tok;
    classify_lex_t *themes;
    classify_lex_t *question;
    classify_senti_t *senti;
};

classify_t *classify_new(const char *data_dir, char *err, size_t errlen)
{
    classify_t *self = xcalloc(1, sizeof *self);
    char path[1024], path2[1024];
    const char *tf = getenv("INSPRAAK_THEMES_FILE");
    if (!(self->geo = geo_load(data_dir, err, errlen)) ||
        !(self->lang = classify_lang_new(err, errlen)) ||
        !(self->tok = classify_tok_new(err, errlen)))
        goto fail;
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

wijk_source_t classify_idea(classify_t *self, idea_t *idea)
{
    const char *lang = classify_lang(self->lang, idea->text);
    if (lang || !idea->language)
        proto_set(&idea->language, lang);
    wijk_source_t src = classify_wijk(self->geo, idea);
    classify_pii(idea);

    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(self->tok, idea->title, &toks);
    classify_tokenize(self->tok, idea->text, &toks);
    if (idea->n_themes == 0) {
        const char *t[3];
        int n = classify_themes(self->themes, &toks, t, 3);
        for (int i = 0; i < n; i++)
            idea_add_theme(idea, t[i]);
    }
    if (!idea->sentiment && toks.n)
        proto_set(&idea->sentiment, classify_sentiment(self->senti, &toks));
    if (!idea->question)
        proto_set(&idea->question, classify_question(self->question, &toks));
    classify_toks_clear(&toks);

    if (!idea->status)
        proto_set(&idea->status, "new");
    idea->classified = true;
    return src;
}
