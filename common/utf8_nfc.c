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
 *   One rule serves both the skip and the cut: in UTF-8 a character below
 *   U+0300 is one whose first byte is below 0xCC (U+0300 is CC 80, and
 *   the bytes that continue a character are 80..BF, below 0xCC too).
 *   Characters below U+0300 never change under NFC and never compose
 *   with what precedes them (the combining marks begin at U+0300), so a
 *   text with no byte from 0xCC up (Dutch, French, German, Polish,
 *   Turkish) is NFC already and left as it is, and a cut before such a
 *   character is safe.
 */
#include "utf8_nfc.h"

#include "xalloc.h"

#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* True when the UTF-8 byte b starts a character below U+0300 or
 * continues one (see above). */
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

/* True when a piece may end before the character at p: nothing before
 * it composes with it or with anything after it, and no mark is
 * reordered across it. */
static bool s_safe_cut_before(const unsigned char *p)
{
    return s_below_u0300(*p);
}

size_t utf8_nfc_piece_len(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = UTF8_NFC_PIECE; i < len; i++)
        if (s_starts_char(p[i]) && s_safe_cut_before(p + i))
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
