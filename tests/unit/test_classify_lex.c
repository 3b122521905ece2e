/*
 * NAME
 *   test_classify_lex - classify_lex_at() with its remembered look-ups
 *
 * DESCRIPTION
 *   A lexicon remembers which entries each word it saw starts
 *   (classify_lex.c). These tests ask a small lexicon file the same
 *   words again and again, in different texts, and compare every answer
 *   (labels, weights, lengths, in order) with the answer of a freshly
 *   loaded copy that sees the text for the first time: multi-word
 *   patterns whose first word was remembered must still check the words
 *   after it, and a word starting more entries than a slot keeps is
 *   looked up in full.
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

static classify_tok_t *t_tok;
static char t_path[64];

/* Seven entries start with "park" (more than a memo slot keeps). */
static const char t_lexicon[] =
    "groen\tpark\n"
    "groen\tpark*\t2\n"
    "verkeer\tparkeren\n"
    "verkeer\tgratis parkeren\t3\n"
    "verkeer\t*parkeer*\n"
    "groen\t*boom*\n"
    "groen\tbomen\n"
    "groen\tgroen park\t2\n"
    "groen\tpark met bomen\t4\n"
    "spelen\tpark*speel*\n"
    "spelen\tspeeltuin\n"
    "groen\tpark\t0.5\n"
    "groen\tpark bank\n"
    "groen\t*ark\n";

static int t_setup(void **state)
{
    (void)state;
    char err[200];
    snprintf(t_path, sizeof t_path, "/tmp/test_classify_lex.%d.tsv", (int)getpid());
    FILE *f = fopen(t_path, "w");
    if (!f || fputs(t_lexicon, f) < 0 || fclose(f) != 0)
        return -1;
    t_tok = classify_tok_new(err, sizeof err);
    return t_tok ? 0 : -1;
}

static int t_teardown(void **state)
{
    (void)state;
    unlink(t_path);
    classify_tok_destroy(&t_tok);
    return 0;
}

/* Every hit of a text, as "label/weight/words;" in order. */
static void t_add(void *arg, const char *label, double weight, size_t words)
{
    char *out = arg;
    size_t n = strlen(out);
    snprintf(out + n, 4096 - n, "%s/%g/%zu;", label, weight, words);
}

static int t_hits(const classify_lex_t *lex, const char *text, char out[4096])
{
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(t_tok, text, &toks);
    int hits = 0;
    out[0] = '\0';
    for (size_t i = 0; i < toks.n; i++)
        hits += classify_lex_at(lex, &toks, i, t_add, out);
    classify_toks_clear(&toks);
    return hits;
}

static const char *const t_texts[] = {
    "gratis parkeren bij het park",
    "het park met bomen is mooi",
    "park",
    "een park bank en een groen park",
    "parkeren parkeren parkeren gratis",
    "de speeltuin in het parkspeeltuin park met",
    "boomgaard bomen boom park met bomen",
    "gratis",
    "park met",
    NULL};

static void test_same_as_first_look(void **state)
{
    (void)state;
    char err[200], got[4096], want[4096];
    classify_lex_t *lex = classify_lex_load(t_tok, t_path, err, sizeof err);
    assert_non_null(lex);
    for (int round = 0; round < 3; round++)
        for (int t = 0; t_texts[t]; t++) {
            classify_lex_t *fresh = classify_lex_load(t_tok, t_path, err, sizeof err);
            assert_non_null(fresh);
            int n_want = t_hits(fresh, t_texts[t], want);
            int n_got = t_hits(lex, t_texts[t], got);
            assert_string_equal(got, want);
            assert_int_equal(n_got, n_want);
            classify_lex_destroy(&fresh);
        }
    classify_lex_destroy(&lex);
}

/* What a reader of the lexicon expects, asked twice (the second time
 * from the remembered look-ups). */
static void test_expected_hits(void **state)
{
    (void)state;
    char err[200], got[4096];
    classify_lex_t *lex = classify_lex_load(t_tok, t_path, err, sizeof err);
    for (int round = 0; round < 2; round++) {
        /* "*parkeer*" is not in "parkeren" */
        assert_int_equal(t_hits(lex, "gratis parkeren", got), 3);
        assert_string_equal(got, "verkeer/3/2;groen/2/1;verkeer/1/1;");
        /* "park" starts six entries; "park bank" does not fit */
        assert_int_equal(t_hits(lex, "park met bomen", got), 6);
        assert_string_equal(got, "groen/1/1;groen/2/1;groen/4/3;groen/0.5/1;groen/1/1;"
                                 "groen/1/1;");
        assert_int_equal(t_hits(lex, "parkeren met bomen", got), 3);
        assert_string_equal(got, "groen/2/1;verkeer/1/1;groen/1/1;");
        assert_int_equal(t_hits(lex, "park met", got), 4); /* "park met bomen" does not fit */
        assert_null(strstr(got, "groen/4/3"));
    }
    classify_lex_destroy(&lex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_first_look),
        cmocka_unit_test(test_expected_hits),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
