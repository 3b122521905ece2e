/*
 * NAME
 *   classifier - the parts of the classifier service (internal header)
 *
 * DESCRIPTION
 *   main.c runs the bus loop; the functions here fill one idea and do no
 *   I/O, so the unit test can call them directly:
 *     classify_wijk.c  wijk/buurt from field, GPS, postcode or text
 *     classify_pii.c   email address and Dutch phone number scanners
 *     classify_lang.c  language with libexttextcat
 *
 * OWNERSHIP
 *   classify_lang_new() returns a handle the caller frees with
 *   classify_lang_destroy(). textcat keeps state in its handle and is not
 *   thread-safe: one handle per thread. Strings returned point to static
 *   tables or into geo.
 */
#ifndef INSPRAAK_CLASSIFIER_H
#define INSPRAAK_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>

#include "geo.h"
#include "proto.h"

/* --- wijk (classify_wijk.c) --- */

/* Where the wijk came from, for logs and metrics. */
typedef enum {
    WIJK_NONE = 0,
    WIJK_FIELD,    /* the wijk field, normalised */
    WIJK_GPS,      /* lat/lon inside a wijk polygon */
    WIJK_POSTCODE, /* the PC4 of the postcode */
    WIJK_TEXT      /* a wijk or buurt name in the text */
} wijk_source_t;

/* Sets idea->wijk (a CBS code or NULL) and, when known, idea->buurt, trying
 * in order: the wijk field (code or name; a value geo does not know is
 * dropped), the location, the postcode, names in title and text. */
wijk_source_t classify_wijk(const geo_t *geo, idea_t *idea);
const char *classify_wijk_source_name(wijk_source_t src);

/* The longest wijk or buurt name (>= 5 letters) that appears in text as a
 * whole word, case-insensitive; its wijk code in *wijk and, for a buurt
 * name, its code in *buurt (else NULL). Returns 0, or -1 when none. */
int classify_wijk_in_text(const geo_t *geo, const char *text, const char **wijk,
                          const char **buurt);

/* --- pii (classify_pii.c) --- */

/* Hand-written scanners (no library here recognises Dutch phone numbers):
 * true when text holds something that looks like an email address, or a
 * Dutch phone number (06-12345678, +31 6 12345678, 045-1234567, ...). */
bool classify_pii_has_email(const char *text);
bool classify_pii_has_phone(const char *text);
/* Adds "email" and/or "phone" to idea->pii from its text and title. */
void classify_pii(idea_t *idea);

/* --- language (classify_lang.c) --- */

typedef struct classify_lang classify_lang_t;

/* NULL when libexttextcat's fingerprints cannot be read (err says why). */
classify_lang_t *classify_lang_new(char *err, size_t errlen);
void classify_lang_destroy(classify_lang_t **self_p);
/* ISO 639-1 code ("nl", "en", ...) or NULL when the text is too short to
 * tell or the language has no two-letter code. */
const char *classify_lang(classify_lang_t *self, const char *text);

#endif
