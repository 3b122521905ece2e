/*
 * NAME
 *   test_classify_text - themes, sentiment, question and stemming
 *
 * DESCRIPTION
 *   Runs the whole classify_idea() on short Dutch texts with the data in
 *   INSPRAAK_DATA or ./data (run from the repository root), and the parts
 *   (stemming, lexicon patterns, negation) on their own. The learned
 *   model is switched off here (INSPRAAK_MODEL_FILE=none).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"

static classify_t *t_cls;

static int t_setup(void **state)
{
    (void)state;
    char err[512] = "";
    const char *d = getenv("INSPRAAK_DATA");
    /* These tests check the keyword lexicons (negation, markers); the
     * learned model on top is tested in test_classify_model.c. */
    setenv("INSPRAAK_MODEL_FILE", "none", 1);
    t_cls = classify_new(d && *d ? d : "./data", err, sizeof err);
    if (!t_cls)
        fprintf(stderr, "classify_new: %s\n", err);
    return t_cls ? 0 : -1;
}

static int t_teardown(void **state)
{
    (void)state;
    classify_destroy(&t_cls);
    return 0;
}

/* classify_idea on a text; the caller idea_clear()s. */
static void t_run(idea_t *idea, const char *text)
{
    idea_init(idea);
    proto_set(&idea->text, text);
    classify_idea(t_cls, idea);
}

static void test_stemming(void **state)
{
    (void)state;
    char err[100], a[64], b[64];
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    assert_non_null(tok);
    classify_stem(tok, "woningen", a, sizeof a);
    classify_stem(tok, "woning", b, sizeof b);
    assert_string_equal(a, b);
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(tok, "ÉÉN Straat, 's avonds… Bomen!", &toks);
    assert_int_equal(toks.n, 5);
    assert_string_equal(toks.word[0], "één");
    assert_string_equal(toks.word[1], "straat");
    assert_string_equal(toks.word[4], "bomen");
    classify_toks_clear(&toks);
    classify_tokenize(tok, NULL, &toks);
    assert_int_equal(toks.n, 0);
    classify_tok_destroy(&tok);
    assert_null(tok);
}

static void test_lexicon_patterns(void **state)
{
    (void)state;
    char err[300], path[] = "/tmp/test_classify_text_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *lex = "# comment\nwonen\twoning\t2\nwonen\t*huur*\ngroen\tpark*\n"
                      "groen\topenbaar groen\t3\n";
    assert_int_equal(write(fd, lex, strlen(lex)), (int)strlen(lex));
    close(fd);
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    classify_lex_t *l = classify_lex_load(tok, path, err, sizeof err);
    assert_non_null(l);
    classify_toks_t toks = {0, NULL, NULL};
    /* stem match (plural), compound via *huur*, phrase of two words */
    classify_tokenize(tok, "Betaalbare huurwoningen en woningen bij het openbaar groen", &toks);
    const char *out[3];
    int n = classify_themes(l, &toks, out, 3);
    assert_int_equal(n, 2);
    assert_string_equal(out[0], "wonen"); /* 1 + 2 = 3 ... */
    assert_string_equal(out[1], "groen"); /* 3 >= 0.6 * 3 */
    classify_toks_clear(&toks);
    classify_tokenize(tok, "Niets hierover", &toks);
    assert_int_equal(classify_themes(l, &toks, out, 3), 0);
    classify_toks_clear(&toks);
    classify_lex_destroy(&l);
    /* a bad weight is refused with the line number */
    FILE *f = fopen(path, "w");
    fputs("wonen\twoning\tveel\n", f);
    fclose(f);
    assert_null(classify_lex_load(tok, path, err, sizeof err));
    assert_non_null(strstr(err, ":1:"));
    assert_null(classify_lex_load(tok, "/nonexistent/themes.tsv", err, sizeof err));
    unlink(path);
    classify_tok_destroy(&tok);
}

static void test_themes(void **state)
{
    (void)state;
    idea_t idea;
    t_run(&idea, "Er zijn veel te weinig betaalbare huurwoningen voor starters.");
    assert_true(idea.n_themes >= 1);
    assert_string_equal(idea.themes[0], "wonen");
    idea_clear(&idea);
    t_run(&idea, "Meer bomen en bloemen in het park graag.");
    assert_string_equal(idea.themes[0], "groen");
    idea_clear(&idea);
    t_run(&idea, "De fietspaden naar het station zijn slecht.");
    assert_string_equal(idea.themes[0], "mobiliteit");
    idea_clear(&idea);
    /* themes the idea already has are kept */
    idea_init(&idea);
    proto_set(&idea.text, "Meer bomen in het park.");
    idea_add_theme(&idea, "cultuur");
    classify_idea(t_cls, &idea);
    assert_int_equal(idea.n_themes, 1);
    assert_string_equal(idea.themes[0], "cultuur");
    idea_clear(&idea);
}

static void test_sentiment_negation(void **state)
{
    (void)state;
    idea_t idea;
    t_run(&idea, "Het park is heel mooi, ik ben er trots op.");
    assert_string_equal(idea.sentiment, "positief");
    idea_clear(&idea);
    t_run(&idea, "Het park is helemaal niet mooi en niet veilig.");
    assert_string_equal(idea.sentiment, "negatief");
    idea_clear(&idea);
    t_run(&idea, "Overal zwerfvuil, het is hier een vuilnisbelt. Schandalig!");
    assert_string_equal(idea.sentiment, "negatief");
    idea_clear(&idea);
    t_run(&idea, "Ik zou graag meer bankjes willen bij de bushalte.");
    assert_string_equal(idea.sentiment, "neutraal");
    idea_clear(&idea);
}

static void test_question(void **state)
{
    (void)state;
    idea_t idea;
    t_run(&idea, "In de toekomst zou er een zwembad moeten komen.");
    assert_string_equal(idea.question, "toekomst");
    idea_clear(&idea);
    t_run(&idea, "Idee: een markt op zondag.");
    assert_string_equal(idea.question, "toekomst");
    idea_clear(&idea);
    t_run(&idea, "Ik woon hier al jaren en elke dag geniet ik van het park, vroeger was het hier grijs.");
    assert_string_equal(idea.question, "nu");
    idea_clear(&idea);
    /* a question the idea has is kept */
    idea_init(&idea);
    proto_set(&idea.text, "In 2050 wil ik een tram.");
    proto_set(&idea.question, "nu");
    classify_idea(t_cls, &idea);
    assert_string_equal(idea.question, "nu");
    idea_clear(&idea);
    /* no words: no question, no sentiment */
    t_run(&idea, "...");
    assert_null(idea.question);
    assert_null(idea.sentiment);
    assert_int_equal(idea.n_themes, 0);
    idea_clear(&idea);
}

static void test_wijk_places(void **state)
{
    (void)state;
    idea_t idea;
    t_run(&idea, "Het Maankwartier is 's avonds zo stil.");
    assert_string_equal(idea.wijk, "WK091733");
    idea_clear(&idea);
    t_run(&idea, "In Hoensbroek-centrum mist een bankje.");
    assert_string_equal(idea.wijk, "WK091712");
    idea_clear(&idea);
    /* short forms of official names */
    t_run(&idea, "In Welten rijden de auto's te hard.");
    assert_string_equal(idea.wijk, "WK091736");
    idea_clear(&idea);
    t_run(&idea, "Het speelveld in Rennemig is kapot.");
    assert_string_equal(idea.wijk, "WK091724");
    idea_clear(&idea);
    t_run(&idea, "Meer bomen in het Versilienbosch.");
    assert_string_equal(idea.wijk, "WK091720");
    idea_clear(&idea);
    /* "het centrum" / "het station": Heerlen-Centrum, unless another
     * place is named */
    t_run(&idea, "Bij het station is het 's avonds onveilig.");
    assert_string_equal(idea.wijk, "WK091733");
    idea_clear(&idea);
    t_run(&idea, "Parkeren in het centrum is te duur.");
    assert_string_equal(idea.wijk, "WK091733");
    idea_clear(&idea);
    t_run(&idea, "Het centrum van Hoensbroek heeft meer bankjes nodig.");
    assert_string_equal(idea.wijk, "WK091712");
    idea_clear(&idea);
    t_run(&idea, "Meer groen in heel Heerlen.");
    assert_null(idea.wijk);
    idea_clear(&idea);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stemming),          cmocka_unit_test(test_lexicon_patterns),
        cmocka_unit_test(test_themes),            cmocka_unit_test(test_sentiment_negation),
        cmocka_unit_test(test_question),          cmocka_unit_test(test_wijk_places),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
