/*
 * NAME
 *   validate - checks and clean-up of what people type
 *
 * DESCRIPTION
 *   Shared by every intake so that a text is valid or not whatever the
 *   channel. Nothing here allocates except text_normalise() (and
 *   utf8_nfc(), utf8_nfc.h, which validate.h includes).
 */
#ifndef INSPRAAK_VALIDATE_H
#define INSPRAAK_VALIDATE_H

#include "utf8_nfc.h"

#include <stdbool.h>
#include <stddef.h>

#define TEXT_MAX_CHARS 10000 /* an idea's text, in characters */
#define TEXT_MIN_CHARS 3
#define TITLE_MAX_CHARS 200
#define NAME_MAX_CHARS 200
#define EMAIL_MAX_BYTES 254

extern const char *const VALID_CHANNELS[];      /* form email transcript field */
extern const char *const VALID_QUESTIONS[];     /* nu toekomst */
extern const char *const VALID_SENTIMENTS[];    /* positief neutraal negatief */
extern const char *const VALID_TARGET_GROUPS[]; /* inwoner professional buurtorganisatie */
extern const char *const VALID_ACTIVITIES[];    /* ideeenbus wijkgesprek ... interventie */
extern const char *const VALID_STATUSES[];      /* new approved hidden */

/* Strict UTF-8 (no overlongs, no surrogates, no code points > U+10FFFF).
 * A NUL byte is refused too: texts travel on as C strings. */
bool utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t utf8_chars(const char *s, size_t len);

/* A clean copy of a valid UTF-8 text: CRLF and CR to LF, control characters
 * other than LF and TAB removed, composed to Unicode NFC ("e" + U+0301
 * becomes "é"), trailing spaces on lines removed, more than two blank
 * lines in a row collapsed, leading/trailing white space trimmed.
 * Control characters are C0 (also NUL), DEL and C1. Invalid bytes, should
 * any slip through, become U+FFFD so the result is always valid. Caller
 * frees. */
char *text_normalise(const char *s, size_t len);
/* The same, and *out_len (may be NULL) receives the result's length in
 * bytes, so a caller need not strlen() it again. */
char *text_normalise_n(const char *s, size_t len, size_t *out_len);
/* Length limits in characters belong after the clean-up (utf8_nfc). */

/* A pragmatic address check: one @, a non-empty local part of allowed
 * ASCII characters (no SMTPUTF8), a domain with a dot and valid labels
 * (an internationalised domain in its ASCII form: email_idn.h), at most
 * 254 bytes as given and as sent (the ASCII form, which may be longer). */
bool email_valid(const char *s);

/* True when v is one of the NULL-terminated list. */
bool value_allowed(const char *v, const char *const *allowed);

/* True when the n bytes at w are one of the NULL-terminated list, ASCII
 * letters compared without case ("NL" is "nl"; "É" is not "é"). */
bool value_listed_nocase(const char *w, size_t n, const char *const *list);

/* Dutch postcode "6411 AB" / "6411ab" / "6411" -> "6411AB" / "6411".
 * Returns the PC4 number (1000..9999), or -1 when not a postcode. */
int postcode_normalise(const char *s, char *out, size_t size);

#endif
