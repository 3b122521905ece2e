/*
 * NAME
 *   test_classify_tok - classify_stem() with its remembered stems
 *
 * DESCRIPTION
 *   classify_stem() keeps the stems of the words it saw in a fixed table
 *   (classify_tok.c). These tests compare its answers with libstemmer's
 *   own, asked directly, for words seen once and again, for many words
 *   that take each other's slots, for words too long to remember, and
 *   with an out buffer shorter than the stem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

/* libstemmer's answer for word, cut at outlen as classify_stem() does. */
static void t_truth(struct sb_stemmer *sb, const char *word, char *out, size_t outlen)
{
    const sb_symbol *s = sb_stemmer_stem(sb, (const sb_symbol *)word, (int)strlen(word));
    size_t n = (size_t)sb_stemmer_length(sb);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static const char *const t_words[] = {
    "woningen", "woning",    "bomen",        "straat",       "straten", "parkeren",
    "de",       "het",       "fietspaden",   "speeltuinen",  "één",     "groener",
    "kinderen", "veiliger",  "huurwoningen", "verkeersdrempels", "a",  "zeeën",
    NULL};

static void test_same_as_libstemmer(void **state)
{
    (void)state;
    char err[100], got[64], want[64];
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    struct sb_stemmer *sb = sb_stemmer_new("dutch", "UTF_8");
    assert_non_null(tok);
    assert_non_null(sb);
    for (int round = 0; round < 3; round++) /* first time, then remembered */
        for (int i = 0; t_words[i]; i++) {
            classify_stem(tok, t_words[i], got, sizeof got);
            t_truth(sb, t_words[i], want, sizeof want);
            assert_string_equal(got, want);
        }
    sb_stemmer_delete(sb);
    classify_tok_destroy(&tok);
}

/* 20,000 different words take each other's slots many times over; each
 * is asked twice, far apart, and answered as libstemmer answers. */
static void test_many_words(void **state)
{
    (void)state;
    char err[100], got[64], want[64], word[64];
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    struct sb_stemmer *sb = sb_stemmer_new("dutch", "UTF_8");
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 20000; i++) {
            snprintf(word, sizeof word, "%s%dingen", t_words[i % 18], i);
            classify_stem(tok, word, got, sizeof got);
            t_truth(sb, word, want, sizeof want);
            assert_string_equal(got, want);
        }
    sb_stemmer_delete(sb);
    classify_tok_destroy(&tok);
}

/* Words and stems are cut from one block per text (classify_tok.c,
 * s_block_take), the arrays start at 64 words: a title and a long text
 * appended to one list keep every word and stem in place, in order, and
 * (under ASan) the list frees all of it once. */
static void test_tokenize_blocks(void **state)
{
    (void)state;
    char err[100], want[64], word[64];
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    char title[256] = "", *text = calloc(300, 32);
    assert_non_null(text);
    for (int i = 0; i < 10; i++)
        sprintf(title + strlen(title), "Titel%d ", i);
    size_t at = 0;
    for (int i = 0; i < 300; i++)
        at += (size_t)sprintf(text + at, "%s%dingen, ", t_words[i % 18], i);
    classify_toks_t toks = {0};
    classify_tokenize(tok, title, &toks);
    assert_int_equal(toks.n, 10);
    classify_tokenize(tok, text, &toks);
    assert_int_equal(toks.n, 310);
    for (size_t i = 0; i < toks.n; i++) {
        if (i < 10)
            snprintf(word, sizeof word, "titel%zu", i);
        else
            snprintf(word, sizeof word, "%s%zuingen", t_words[(i - 10) % 18], i - 10);
        assert_string_equal(toks.word[i], word);
        classify_stem(tok, word, want, sizeof want);
        assert_string_equal(toks.stem[i], want);
    }
    classify_toks_clear(&toks);
    assert_int_equal(toks.n, 0);
    assert_null(toks.word);
    free(text);
    classify_tok_destroy(&tok);
}

/* Words of 32 bytes or more are not remembered but still stemmed; a
 * short out buffer cuts the stem whether it was remembered or not. */
static void test_long_words_and_short_out(void **state)
{
    (void)state;
    char err[100], got[64], want[64];
    const char *lng = "gemeenteraadsvergaderingsverslagen"; /* 34 bytes */
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    struct sb_stemmer *sb = sb_stemmer_new("dutch", "UTF_8");
    for (int round = 0; round < 2; round++) {
        classify_stem(tok, lng, got, sizeof got);
        t_truth(sb, lng, want, sizeof want);
        assert_string_equal(got, want);
        assert_string_equal(got, "gemeenteraadsvergaderingsverslag");
        classify_stem(tok, "woningen", got, 4);
        assert_string_equal(got, "won");
        classify_stem(tok, "woningen", got, 1);
        assert_string_equal(got, "");
    }
    classify_stem(tok, "", got, sizeof got);
    t_truth(sb, "", want, sizeof want);
    assert_string_equal(got, want);
    sb_stemmer_delete(sb);
    classify_tok_destroy(&tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_libstemmer),
        cmocka_unit_test(test_many_words),
        cmocka_unit_test(test_tokenize_blocks),
        cmocka_unit_test(test_long_words_and_short_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
