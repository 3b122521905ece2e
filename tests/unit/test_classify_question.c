/*
 * NAME
 *   test_classify_question - nu/toekomst markers (data/nl/question.tsv)
 *   on Dutch examples, true and false
 *
 * DESCRIPTION
 *   classify_question() is the keyword rule (used when no model is
 *   loaded); its marker sums and the other groups of question.tsv are
 *   features of the learned model (kq:LABEL, kv:LABEL, see
 *   classify_model_features()), so the groups are checked through the
 *   features the model sees. Runs from the repository root (data from
 *   INSPRAAK_DATA or ./data) on the shipped lexicons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static classify_tok_t *t_tok;
static classify_lex_t *t_question, *t_themes;
static classify_senti_t *t_senti;

static void t_path(char *out, size_t len, const char *file)
{
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(out, len, "%s/nl/%s", d && *d ? d : "./data", file);
}

static int t_setup(void **state)
{
    (void)state;
    char err[256] = "", q[512], th[512], xml[512], dom[512];
    t_path(q, sizeof q, "question.tsv");
    t_path(th, sizeof th, "themes.tsv");
    t_path(xml, sizeof xml, "pattern-nl-sentiment.xml");
    t_path(dom, sizeof dom, "sentiment.tsv");
    t_tok = classify_tok_new(err, sizeof err);
    if (!t_tok)
        return -1;
    t_question = classify_lex_load(t_tok, q, err, sizeof err);
    t_themes = t_question ? classify_lex_load(t_tok, th, err, sizeof err) : NULL;
    t_senti = t_themes ? classify_senti_new(t_tok, xml, dom, err, sizeof err) : NULL;
    if (!t_senti)
        fprintf(stderr, "setup: %s\n", err);
    return t_senti ? 0 : -1;
}

static int t_teardown(void **state)
{
    (void)state;
    classify_senti_destroy(&t_senti);
    classify_lex_destroy(&t_themes);
    classify_lex_destroy(&t_question);
    classify_tok_destroy(&t_tok);
    return 0;
}

static const char *t_rule(const char *text)
{
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(t_tok, text, &toks);
    const char *q = classify_question(t_question, &toks);
    classify_toks_clear(&toks);
    return q;
}

/* The value of the model feature name for text, 0 when it is absent. */
static double t_feature(const char *text, const char *name)
{
    classify_toks_t toks = {0, NULL, NULL};
    classify_feats_t f = {0, 0, NULL, NULL};
    classify_tokenize(t_tok, text, &toks);
    classify_model_features(t_themes, t_question, t_senti, text, &toks, &f);
    double v = 0;
    for (size_t i = 0; i < f.n; i++)
        if (strcmp(f.name[i], name) == 0)
            v = f.val[i];
    classify_feats_clear(&f);
    classify_toks_clear(&toks);
    return v;
}

typedef struct {
    const char *text, *question;
} q_case_t;

static void test_keyword_rule(void **state)
{
    (void)state;
    static const q_case_t cases[] = {
        /* wishes, requests, visions */
        {"Er moet een zwembad komen in Hoensbroek.", "toekomst"},
        {"Ik zou graag meer bankjes willen in het park.", "toekomst"},
        {"In 2050 is Heerlen een groene stad.", "toekomst"},
        {"Mooi plein geworden. Nu nog wat meer schaduw en groen.", "toekomst"},
        {"Proszę o więcej mieszkań dla rodzin.", "toekomst"},
        /* how it is now: habit, experience, thanks */
        {"Ik fiets elke dag over de Akerstraat, het is er altijd druk.", "nu"},
        {"Ik wil de buurtpreventie een compliment geven voor hun rondes.", "nu"},
        {"Bedankt voor de nieuwe wadi in onze straat.", "nu"},
        {"Sinds vorig jaar is het park veel schoner geworden.", "nu"},
        {"Mevrouw (72) bij de Promenade: mist een schoenmaker in het centrum.", "nu"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = t_rule(cases[i].text);
        if (!got || strcmp(got, cases[i].question) != 0)
            fail_msg("\"%s\": %s, expected %s", cases[i].text, got ? got : "NULL",
                     cases[i].question);
    }
    assert_null(t_rule(""));
}

/* kv:rhetorical: a question nobody expects answered (a complaint about
 * now) is told from a request for something new. */
static void test_rhetorical_group(void **state)
{
    (void)state;
    assert_true(t_feature("De speeltuin is al maanden dicht. Waar moeten onze kinderen nu "
                          "spelen?",
                          "kv:rhetorical") > 0);
    assert_true(t_feature("Lachgas en lege flessen overal. Wie controleert dit eigenlijk?",
                          "kv:rhetorical") > 0);
    assert_true(t_feature("Hoe is het mogelijk dat de lift weer kapot is?", "kv:rhetorical") > 0);
    assert_true(t_feature("Die oude bomen kappen voor parkeerplaatsen, dat is toch waanzin?",
                          "kv:rhetorical") > 0);
    assert_true(t_feature("Kan er een zebrapad komen bij de school?", "kv:rhetorical") == 0);
    assert_true(t_feature("Meer bankjes langs de route naar de markt, graag.", "kv:rhetorical") ==
                0);
}

/* The markers reach the model as kq:nu / kq:toekomst. */
static void test_markers_are_model_features(void **state)
{
    (void)state;
    assert_true(t_feature("Ik wil de gemeente een compliment geven.", "kq:nu") > 0);
    assert_true(t_feature("Nu nog een paar bomen erbij.", "kq:toekomst") > 0);
    assert_true(t_feature("Het park ligt er goed bij.", "kq:toekomst") == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_rule),
        cmocka_unit_test(test_rhetorical_group),
        cmocka_unit_test(test_markers_are_model_features),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
