/*
 * NAME
 *   test_utf8_nfc - NFC in pieces gives NFC of the whole, and long texts
 *   are cut
 *
 * DESCRIPTION
 *   utf8_nfc() composes a long text piece by piece (GLib's one-call
 *   normalisation takes time in the square of the length). The pieces
 *   must give what one g_utf8_normalize() call on the whole text gives,
 *   whatever the script, and a long text must be cut even when it has no
 *   space or ASCII in it. Where a cut is safe is checked against GLib
 *   for every code point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "utf8_nfc.h"

#define N_UNITS(a) (sizeof(a) / sizeof(a)[0])

/* Korean in conjoining jamo, no spaces: han-guk-eo, seo-ul (L V T). */
#define KO_JAMO                                                                                    \
    "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8\xE1\x84\x8B\xE1\x85" \
    "\xA5\xE1\x84\x89\xE1\x85\xA5\xE1\x84\x8B\xE1\x85\xAE\xE1\x86\xAF"
/* Hangul syllables followed by a final jamo that joins them: ha + n. */
#define KO_SYLLABLE_JAMO "\xED\x95\x98\xE1\x86\xAB\xEA\xB5\xAC\xE1\x86\xA8"
/* Tamil ko, ko, kau with the vowel signs in two parts. */
#define TA_SPLIT_VOWELS                                                                            \
    "\xE0\xAE\x95\xE0\xAF\x86\xE0\xAE\xBE\xE0\xAE\x95\xE0\xAF\x87\xE0\xAE\xBE\xE0\xAE\x95\xE0\xAF" \
    "\x86\xE0\xAF\x97"
/* Bengali ko, kau with the vowel signs in two parts. */
#define BN_SPLIT_VOWELS "\xE0\xA6\x95\xE0\xA7\x87\xE0\xA6\xBE\xE0\xA6\x95\xE0\xA7\x87\xE0\xA7\x97"
/* Devanagari namaste and nnna (U+0928 + nukta: U+0929), no spaces. */
#define HI_NUKTA                                                                                   \
    "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87\xE0\xA4\xA8\xE0\xA4" \
    "\xBC\xE0\xA5\x80"

/* A text of at least `bytes` bytes: the units one after the other, with
 * the first repeated every third time so pieces fall at many offsets. */
static GString *s_text(const char *const *units, size_t n, size_t bytes)
{
    GString *text = g_string_new(NULL);
    for (size_t i = 0; text->len < bytes; i++)
        g_string_append(text, units[(i * (i % 3 != 0)) % n]);
    return text;
}

/* utf8_nfc() of the text is what one call on the whole gives. */
static void s_check_pieces_give_whole(const GString *text, const char *why)
{
    char *whole = g_utf8_normalize(text->str, (gssize)text->len, G_NORMALIZE_NFC);
    size_t n = 0;
    char *pieces = utf8_nfc(text->str, text->len, &n);
    bool same = strcmp(pieces ? pieces : text->str, whole) == 0; /* NULL: NFC already */
    free(pieces);
    g_free(whole);
    if (!same)
        fail_msg("%s: pieces differ from the whole", why);
}

/* Long texts of composed and decomposed Latin, Arabic, decomposed Korean
 * (jamo that compose with the syllable before them), Indic vowel signs
 * that compose with a starter, marks out of order, and emoji. */
static void test_nfc_in_pieces_is_nfc_of_the_whole(void **state)
{
    (void)state;
    static const char *const units[] = {
        "Een caf\xC3\xA9 bij de Pancratiuskerk, cafe\xCC\x81 en ide\xC3\xABn. ",
        "e\xCC\x81"
        "e\xCC\x88"
        "o\xCC\x82", /* decomposed, no space */
        "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD9\x83\xD9\x85 ", /* Arabic */
        KO_JAMO,
        KO_SYLLABLE_JAMO,
        TA_SPLIT_VOWELS,
        BN_SPLIT_VOWELS,
        HI_NUKTA,
        "a\xCC\xA3\xCC\x81"
        "a\xCC\x81\xCC\xA3",            /* marks in two orders */
        "\xF0\x9F\x91\x8D\xE2\x84\xA6", /* emoji, Ohm sign */
    };
    for (size_t u = 0; u < N_UNITS(units); u++) {
        const char *rotated[N_UNITS(units)];
        for (size_t i = 0; i < N_UNITS(units); i++)
            rotated[i] = units[(u + i) % N_UNITS(units)];
        GString *text = s_text(rotated, N_UNITS(units), 4000);
        char why[32];
        snprintf(why, sizeof why, "mix from unit %zu", u);
        s_check_pieces_give_whole(text, why);
        g_string_free(text, TRUE);
    }
}

/* A long text without a space or a character below U+0300 (Korean in
 * jamo, Tamil, Bengali, Devanagari) is cut too: no piece runs further
 * past UTF8_NFC_PIECE than the character there and the few after it
 * that compose with what precedes them (a syllable's vowel and final
 * jamo: 12 bytes at most), and the pieces still give the whole. */
static void test_nfc_cuts_long_texts_without_spaces(void **state)
{
    (void)state;
    static const struct {
        const char *unit, *why;
    } scripts[] = {
        {KO_JAMO, "Korean jamo"},
        {KO_SYLLABLE_JAMO, "Hangul syllables + final jamo"},
        {TA_SPLIT_VOWELS, "Tamil"},
        {BN_SPLIT_VOWELS, "Bengali"},
        {HI_NUKTA, "Devanagari"},
        {KO_JAMO TA_SPLIT_VOWELS KO_SYLLABLE_JAMO BN_SPLIT_VOWELS HI_NUKTA, "mixed"},
    };
    for (size_t k = 0; k < N_UNITS(scripts); k++) {
        GString *text = s_text(&scripts[k].unit, 1, 64 * 1024);
        size_t longest = 0;
        for (size_t at = 0, n; at < text->len; at += n) {
            n = utf8_nfc_piece_len(text->str + at, text->len - at);
            longest = n > longest ? n : longest;
        }
        size_t len = text->len;
        s_check_pieces_give_whole(text, scripts[k].why);
        g_string_free(text, TRUE);
        if (longest > UTF8_NFC_PIECE + 12)
            print_message("%s: a piece of %zu bytes in %zu\n", scripts[k].why, longest, len);
        assert_true(longest <= UTF8_NFC_PIECE + 12);
    }
}

/* True when NFC leaves the character c alone (NFC_Quick_Check is not
 * No): it has no canonical decomposition, or composes back to itself. */
static bool s_nfc_keeps(gunichar c)
{
    gunichar a, b;
    if (!g_unichar_decompose(c, &a, &b))
        return true;
    char one[8];
    int n = g_unichar_to_utf8(c, one);
    char *nfc = g_utf8_normalize(one, n, G_NORMALIZE_NFC);
    bool same = strlen(nfc) == (size_t)n && memcmp(nfc, one, (size_t)n) == 0;
    g_free(nfc);
    return same;
}

/* utf8_nfc cuts before a character exactly when GLib's own data say it
 * is safe: canonical combining class 0 (no mark is reordered across it)
 * and NFC_Quick_Check Yes (NFC keeps it, and it is never the second of
 * a composition: ICU's Normalizer2::hasBoundaryBefore, UAX #15). When a
 * newer GLib (a newer Unicode) knows more such characters, this lists
 * them for the table in common/utf8_nfc.c. */
static void test_nfc_cut_rule_is_glibs(void **state)
{
    (void)state;
    bool *second = calloc(0x110000, sizeof *second); /* NFC_Quick_Check Maybe */
    assert_non_null(second);
    for (gunichar x = 0; x < 0x110000; x++) {
        gunichar a, b, c;
        if (g_unichar_decompose(x, &a, &b) && b && g_unichar_compose(a, b, &c) && c == x)
            second[b] = true;
    }
    char text[UTF8_NFC_PIECE + 8];
    memset(text, 'a', UTF8_NFC_PIECE);
    int wrong = 0;
    for (gunichar c = 0; c < 0x110000; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue; /* surrogates: not in UTF-8 */
        int n = g_unichar_to_utf8(c, text + UTF8_NFC_PIECE);
        text[UTF8_NFC_PIECE + n] = 'a';
        bool safe = g_unichar_combining_class(c) == 0 && !second[c] && s_nfc_keeps(c);
        bool cut = utf8_nfc_piece_len(text, UTF8_NFC_PIECE + (size_t)n + 1) == UTF8_NFC_PIECE;
        if (cut != safe && wrong++ < 40)
            print_message("U+%04X: GLib says a cut before it is %s, utf8_nfc %s it\n", c,
                          safe ? "safe" : "unsafe", cut ? "makes" : "does not make");
    }
    free(second);
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfc_in_pieces_is_nfc_of_the_whole),
        cmocka_unit_test(test_nfc_cuts_long_texts_without_spaces),
        cmocka_unit_test(test_nfc_cut_rule_is_glibs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
