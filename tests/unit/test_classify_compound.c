/*
 * NAME
 *   test_classify_compound - Dutch compound splitting (classify_compound.c)
 *
 * DESCRIPTION
 *   Splits real compounds from participation ideas with the system's
 *   hunspell-nl dictionary (/usr/share/hunspell, Debian hunspell-nl) and
 *   checks that ordinary and derived words stay whole, that the linking
 *   -s-/-en-/-e- is handled, that three-part words split in three, that
 *   the stems of the parts come out, that the limits hold and that a
 *   missing dictionary is an error, not a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"

#define T_AFF "/usr/share/hunspell/nl.aff"
#define T_DIC "/usr/share/hunspell/nl.dic"

static int t_setup(void **state)
{
    char err[256];
    classify_compound_t *cc = classify_compound_new(T_AFF, T_DIC, err, sizeof err);
    if (!cc)
        fprintf(stderr, "%s (apt-get install hunspell-nl)\n", err);
    *state = cc;
    return cc ? 0 : -1;
}

static int t_teardown(void **state)
{
    classify_compound_t *cc = *state;
    classify_compound_destroy(&cc);
    assert_null(cc);
    classify_compound_destroy(&cc); /* idempotent */
    return 0;
}

/* The parts of word joined with '+', as a reader would check them. */
static const char *t_split(classify_compound_t *cc, const char *word, bool stems)
{
    static char out[512];
    char parts[CLASSIFY_COMPOUND_MAX_PARTS][CLASSIFY_COMPOUND_PART_BYTES];
    int n = classify_compound_split(cc, word, parts, stems);
    assert_in_range(n, 1, CLASSIFY_COMPOUND_MAX_PARTS);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(out, "+");
        strcat(out, parts[i]);
    }
    return out;
}

static void test_two_parts(void **state)
{
    classify_compound_t *cc = *state;
    assert_string_equal(t_split(cc, "huurwoningen", false), "huur+woningen");
    assert_string_equal(t_split(cc, "speeltuinen", false), "speel+tuinen");
    assert_string_equal(t_split(cc, "winkelcentrum", false), "winkel+centrum");
    assert_string_equal(t_split(cc, "parkeerplaats", false), "parkeer+plaats"); /* not par+keer+plaats */
}

static void test_linking(void **state)
{
    classify_compound_t *cc = *state;
    assert_string_equal(t_split(cc, "ontmoetingsplek", false), "ontmoeting+plek"); /* -s- */
    assert_string_equal(t_split(cc, "hondenpoep", false), "honden+poep");
    assert_string_equal(t_split(cc, "zonnepanelen", false), "zonne+panelen");
    assert_string_equal(t_split(cc, "snelheidscontroles", false), "snelheid+controles");
}

static void test_three_parts(void **state)
{
    classify_compound_t *cc = *state;
    assert_string_equal(t_split(cc, "natuurspeelplek", false), "natuur+speel+plek");
    assert_string_equal(t_split(cc, "kunstgrasveld", false), "kunst+gras+veld");
}

static void test_whole_words(void **state)
{
    classify_compound_t *cc = *state;
    assert_string_equal(t_split(cc, "gemeente", false), "gemeente");
    assert_string_equal(t_split(cc, "verlichting", false), "verlichting"); /* not ver+lichting */
    assert_string_equal(t_split(cc, "veiligheid", false), "veiligheid"); /* not veilig+heid */
    assert_string_equal(t_split(cc, "kinderen", false), "kinderen");     /* not kin+deren */
    assert_string_equal(t_split(cc, "jongeren", false), "jongeren");
    assert_string_equal(t_split(cc, "bedrijven", false), "bedrijven");
    assert_string_equal(t_split(cc, "bushalte", false), "bus+halte");
    assert_string_equal(t_split(cc, "wijkpad", false), "wijkpad"); /* under 8 letters */
    assert_string_equal(t_split(cc, "xqzwvbnmkl", false), "xqzwvbnmkl");
}

static void test_stems(void **state)
{
    classify_compound_t *cc = *state;
    /* snowball's stems, as the w: features have them ("huur" -> "hur") */
    assert_string_equal(t_split(cc, "huurwoningen", true), "hur+woning");
    assert_string_equal(t_split(cc, "speeltuinen", true), "spel+tuin");
    assert_string_equal(t_split(cc, "hondenpoep", true), "hond+poep");
    /* the cache gives the same answers the second time, both ways */
    assert_string_equal(t_split(cc, "huurwoningen", false), "huur+woningen");
    assert_string_equal(t_split(cc, "huurwoningen", true), "hur+woning");
}

static void test_limits(void **state)
{
    classify_compound_t *cc = *state;
    char longword[200];
    memset(longword, 'a', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    char parts[CLASSIFY_COMPOUND_MAX_PARTS][CLASSIFY_COMPOUND_PART_BYTES];
    assert_int_equal(classify_compound_split(cc, longword, parts, false), 1);
    assert_int_equal(strlen(parts[0]), CLASSIFY_COMPOUND_PART_BYTES - 1);
    /* over CLASSIFY_COMPOUND_MAX_BYTES: whole, though made of words */
    const char *many = "huurwoningwoningwoningwoningwoningwoningwoningwoningen";
    assert_true(strlen(many) > CLASSIFY_COMPOUND_MAX_BYTES);
    assert_string_equal(t_split(cc, many, false), many);
    assert_int_equal(classify_compound_split(cc, "", parts, false), 1);
    assert_string_equal(parts[0], "");
    /* a cut UTF-8 character or stray bytes: an answer, no crash */
    assert_int_equal(classify_compound_split(cc, "woning\xc3", parts, false), 1);
    assert_in_range(classify_compound_split(cc, "caf\xc3\xa9terrasjes", parts, false), 1, 4);
}

/* More distinct words than the cache holds (a long run of new ideas):
 * the words in use keep their splits and stems through the cache's
 * turnover, and a word asked again after it left the cache is split the
 * same way again (by the remembered hunspell answers). */
static void test_cache_turnover(void **state)
{
    classify_compound_t *cc = *state;
    char word[32];
    for (int i = 0; i < CLASSIFY_COMPOUND_CACHE + 10; i++) {
        snprintf(word, sizeof word, "w%07d", i); /* not letters enough to split */
        assert_string_equal(t_split(cc, word, false), word);
        if (i % 20000 == 0) {
            assert_string_equal(t_split(cc, "huurwoningen", false), "huur+woningen");
            assert_string_equal(t_split(cc, "huurwoningen", true), "hur+woning");
        }
    }
    assert_string_equal(t_split(cc, "parkeerplaats", false), "parkeer+plaats");
    assert_string_equal(t_split(cc, "speeltuinen", false), "speel+tuinen");
    assert_string_equal(t_split(cc, "huurwoningen", false), "huur+woningen");
}

static void test_missing_dictionary(void **state)
{
    (void)state;
    char err[256] = "";
    classify_compound_t *cc = classify_compound_new("/nonexistent/nl.aff", "/nonexistent/nl.dic",
                                                    err, sizeof err);
    assert_null(cc);
    assert_non_null(strstr(err, "/nonexistent/nl.aff"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_parts),   cmocka_unit_test(test_linking),
        cmocka_unit_test(test_three_parts), cmocka_unit_test(test_whole_words),
        cmocka_unit_test(test_stems),       cmocka_unit_test(test_limits),
        cmocka_unit_test(test_missing_dictionary), cmocka_unit_test(test_cache_turnover),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
