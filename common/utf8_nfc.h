/*
 * NAME
 *   utf8_nfc - the composed form (Unicode NFC) of a UTF-8 text
 *
 * SUMMARY
 *   size_t n;
 *   char *nfc = utf8_nfc("cafe\xCC\x81", 6, &n); // "café", n == 5
 *
 * DESCRIPTION
 *   Every intake stores text in NFC (text_normalise() of validate.h), so
 *   "e" + U+0301 is the "é" that the classifier's word lists, the PII
 *   rules and the language detection know. GLib does the composing; this
 *   module feeds it a long text in pieces, because one call takes time in
 *   the square of the length (see utf8_nfc.c).
 *
 * OWNERSHIP
 *   utf8_nfc() returns a malloc'd string (caller frees) or NULL.
 */
#ifndef INSPRAAK_UTF8_NFC_H
#define INSPRAAK_UTF8_NFC_H

#include <stddef.h>

/* A piece is cut at the first safe place at or after this many bytes. */
#define UTF8_NFC_PIECE 256

/* The composed form (Unicode NFC: "e" + U+0301 becomes "é") of the len
 * bytes of valid UTF-8 at s, NUL-terminated, its length in *out_len (may
 * be NULL); NULL when s is NULL, already NFC (all ASCII is) or not valid
 * UTF-8. NFC makes a decomposed text shorter, but a few characters
 * (U+0958: two after NFC) longer. Caller frees. */
char *utf8_nfc(const char *s, size_t len, size_t *out_len);

/* The length in bytes of the first piece of the len bytes of valid UTF-8
 * at s that utf8_nfc() composes on its own: up to the first place at or
 * after UTF8_NFC_PIECE bytes where a cut changes nothing, or len when
 * there is none. Exposed for the unit test. */
size_t utf8_nfc_piece_len(const char *s, size_t len);

#endif
