/*
 * NAME
 *   utf8_nfc - the composed form (Unicode NFC) of a UTF-8 text (see utf8_nfc.h)
 *
 * DESCRIPTION
 *   GLib's g_utf8_normalize() composes: GLib is linked into every program
 *   already (GMime and the classifier use it), and its tables follow the
 *   Unicode version of the GLib release, which a hand-written table would
 *   not. But it moves the rest of its buffer for every pair it composes,
 *   so one call on a long text takes time in the square of its length (a
 *   12 KB transcript turn: seconds under ASan; a large mail body: far
 *   longer). GLib has no piecewise normalisation, so a long text is cut
 *   here into pieces of about UTF8_NFC_PIECE bytes, each composed on its
 *   own; the pieces give what one call gives when every cut is made
 *   before a character that nothing before it can touch (UAX #15).
 *
 *   A cut before a character C is safe when C is a starter (canonical
 *   combining class 0: no mark is reordered across it) and NFC keeps it
 *   and never composes it with what precedes it (NFC_Quick_Check = Yes in
 *   Unicode's DerivedNormalizationProps.txt). Such a character is a
 *   boundary of UAX #15, and ICU's Normalizer2::hasBoundaryBefore, on
 *   which ICU normalises long texts piecewise, accepts it too (and a few
 *   more, which we need not).
 *
 *   Most characters are such starters: every one below U+0300 (in UTF-8
 *   a character below U+0300 is one whose first byte is below 0xCC: U+0300
 *   is CC 80, and the bytes that continue a character, 80..BF, are below
 *   0xCC too), and the letters and syllables of nearly every script. The
 *   same byte rule skips a text with no byte from 0xCC up (Dutch, French,
 *   German, Polish, Turkish): no character below U+0300 changes under NFC
 *   and no two of them compose, so such a text is NFC already. Above U+0300
 *   the combining class comes from GLib, and the few starters that NFC
 *   does not keep or that are the second half of a composition come from
 *   the table below (s_not_nfc_qc_yes), so that a long text with no
 *   character below U+0300 (Korean in jamo, Tamil or Devanagari without
 *   spaces) is cut as well: 64 KB of Korean in jamo took 52 ms in one
 *   call and takes 2.2 ms in pieces (1,014 and 14 ms under ASan;
 *   docs/benchmarks.md, session 19).
 */
#include "utf8_nfc.h"

#include "xalloc.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* True when the UTF-8 byte b is not the first byte of a character from
 * U+0300 on: it starts one below U+0300, or continues a character. */
static bool s_below_u0300(unsigned char b)
{
    return b < 0xCC;
}

/* True when one of the len bytes at s starts a character from U+0300 on:
 * only then may NFC change the text. */
static bool s_has_u0300_up(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!s_below_u0300((unsigned char)s[i]))
            return true;
    return false;
}

/* True when b is the first byte of a character, not a continuation. */
static bool s_starts_char(unsigned char b)
{
    return (b & 0xC0) != 0x80;
}

/* The starters (canonical combining class 0) whose NFC_Quick_Check is No
 * (NFC replaces them: U+0958, U+2126, the CJK compatibility ideographs)
 * or Maybe (they compose with what precedes them: Hangul vowel and final
 * jamo U+1161..U+1175 and U+11A8..U+11C2, Indic vowel signs such as
 * U+09BE, U+0B3E, U+0BBE), as ranges in order. Made from GLib 2.74's
 * data (Unicode 15.0), not by hand: tests/unit/test_utf8_nfc.c
 * (test_nfc_cut_rule_is_glibs) derives the rule for every code point from
 * g_unichar_combining_class(), g_unichar_decompose()/g_unichar_compose()
 * and g_utf8_normalize(), and lists what differs when a newer GLib knows
 * more. */
static const struct {
    uint32_t first, last;
} s_not_nfc_qc_yes[] = {
    {0x0374, 0x0374},   {0x037E, 0x037E},   {0x0387, 0x0387},   {0x0958, 0x095F},
    {0x09BE, 0x09BE},   {0x09D7, 0x09D7},   {0x09DC, 0x09DD},   {0x09DF, 0x09DF},
    {0x0A33, 0x0A33},   {0x0A36, 0x0A36},   {0x0A59, 0x0A5B},   {0x0A5E, 0x0A5E},
    {0x0B3E, 0x0B3E},   {0x0B56, 0x0B57},   {0x0B5C, 0x0B5D},   {0x0BBE, 0x0BBE},
    {0x0BD7, 0x0BD7},   {0x0CC2, 0x0CC2},   {0x0CD5, 0x0CD6},   {0x0D3E, 0x0D3E},
    {0x0D57, 0x0D57},   {0x0DCF, 0x0DCF},   {0x0DDF, 0x0DDF},   {0x0F43, 0x0F43},
    {0x0F4D, 0x0F4D},   {0x0F52, 0x0F52},   {0x0F57, 0x0F57},   {0x0F5C, 0x0F5C},
    {0x0F69, 0x0F69},   {0x0F73, 0x0F73},   {0x0F75, 0x0F76},   {0x0F78, 0x0F78},
    {0x0F81, 0x0F81},   {0x0F93, 0x0F93},   {0x0F9D, 0x0F9D},   {0x0FA2, 0x0FA2},
    {0x0FA7, 0x0FA7},   {0x0FAC, 0x0FAC},   {0x0FB9, 0x0FB9},   {0x102E, 0x102E},
    {0x1161, 0x1175},   {0x11A8, 0x11C2},   {0x1B35, 0x1B35},   {0x1F71, 0x1F71},
    {0x1F73, 0x1F73},   {0x1F75, 0x1F75},   {0x1F77, 0x1F77},   {0x1F79, 0x1F79},
    {0x1F7B, 0x1F7B},   {0x1F7D, 0x1F7D},   {0x1FBB, 0x1FBB},   {0x1FBE, 0x1FBE},
    {0x1FC9, 0x1FC9},   {0x1FCB, 0x1FCB},   {0x1FD3, 0x1FD3},   {0x1FDB, 0x1FDB},
    {0x1FE3, 0x1FE3},   {0x1FEB, 0x1FEB},   {0x1FEE, 0x1FEF},   {0x1FF9, 0x1FF9},
    {0x1FFB, 0x1FFB},   {0x1FFD, 0x1FFD},   {0x2000, 0x2001},   {0x2126, 0x2126},
    {0x212A, 0x212B},   {0x2329, 0x232A},   {0x2ADC, 0x2ADC},   {0xF900, 0xFA0D},
    {0xFA10, 0xFA10},   {0xFA12, 0xFA12},   {0xFA15, 0xFA1E},   {0xFA20, 0xFA20},
    {0xFA22, 0xFA22},   {0xFA25, 0xFA26},   {0xFA2A, 0xFA6D},   {0xFA70, 0xFAD9},
    {0xFB1D, 0xFB1D},   {0xFB1F, 0xFB1F},   {0xFB2A, 0xFB36},   {0xFB38, 0xFB3C},
    {0xFB3E, 0xFB3E},   {0xFB40, 0xFB41},   {0xFB43, 0xFB44},   {0xFB46, 0xFB4E},
    {0x11127, 0x11127}, {0x1133E, 0x1133E}, {0x11357, 0x11357}, {0x114B0, 0x114B0},
    {0x114BA, 0x114BA}, {0x114BD, 0x114BD}, {0x115AF, 0x115AF}, {0x11930, 0x11930},
    {0x1D15E, 0x1D164}, {0x1D1BB, 0x1D1C0}, {0x2F800, 0x2FA1D},
};

/* True when the starter c is in s_not_nfc_qc_yes. */
static bool s_not_nfc_qc_yes_has(uint32_t c)
{
    size_t lo = 0, hi = sizeof s_not_nfc_qc_yes / sizeof s_not_nfc_qc_yes[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c < s_not_nfc_qc_yes[mid].first)
            hi = mid;
        else if (c > s_not_nfc_qc_yes[mid].last)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* True when a piece may end before the character at p (n bytes left):
 * nothing before it composes with it or with anything after it, and no
 * mark is reordered across it (see above). */
static bool s_safe_cut_before(const unsigned char *p, size_t n)
{
    if (s_below_u0300(*p))
        return true;
    gunichar c = g_utf8_get_char_validated((const char *)p, (gssize)n);
    if (c == (gunichar)-1 || c == (gunichar)-2)
        return false; /* not valid UTF-8: utf8_nfc() never gets this far */
    return g_unichar_combining_class(c) == 0 && !s_not_nfc_qc_yes_has(c);
}

size_t utf8_nfc_piece_len(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = UTF8_NFC_PIECE; i < len; i++)
        if (s_starts_char(p[i]) && s_safe_cut_before(p + i, len - i))
            return i;
    return len;
}

char *utf8_nfc(const char *s, size_t len, size_t *out_len)
{
    if (!s || !s_has_u0300_up(s, len) || !g_utf8_validate(s, (gssize)len, NULL))
        return NULL; /* NFC already, or not valid UTF-8 */
    GString *nfc = g_string_sized_new(len + 16);
    for (size_t at = 0; at < len;) {
        size_t n = utf8_nfc_piece_len(s + at, len - at);
        char *part = g_utf8_normalize(s + at, (gssize)n, G_NORMALIZE_NFC);
        g_string_append(nfc, part);
        g_free(part);
        at += n;
    }
    char *out = NULL;
    if (nfc->len != len || memcmp(nfc->str, s, len) != 0) {
        out = xmalloc(nfc->len + 1);
        memcpy(out, nfc->str, nfc->len + 1);
        if (out_len)
            *out_len = nfc->len;
    }
    g_string_free(nfc, TRUE);
    return out;
}
