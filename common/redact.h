/*
 * NAME
 *   redact - cut personal data out of an idea's text: find the places,
 *   replace them with "[weggehaald: ...]"
 *
 * SUMMARY
 *   #include "redact.h"
 *
 *   redact_spans_t sp = {.n = 0};
 *   redact_find_kind(text, "phone", &sp, err, sizeof err);
 *   redact_find_text(text, "Jan Jansen", &sp, err, sizeof err);
 *   char *out;
 *   int places = redact_apply(text, &sp, &out, err, sizeof err);
 *
 *   int n = redact_idea(&idea, &msg, err, sizeof err);  // all fields at once
 *
 * DESCRIPTION
 *   Pure text functions, no I/O: storage applies them to the stored record
 *   (services/storage/store_redact.c), the dashboard uses the same finders
 *   to tell staff beforehand what will go and to check afterwards that it
 *   went. A place is replaced by a marker that says what kind of data was
 *   there and nothing else:
 *
 *     phone     -> "[weggehaald: telefoonnummer]"
 *     email     -> "[weggehaald: e-mailadres]"
 *     iban      -> "[weggehaald: rekeningnummer]"
 *     postcode  -> "[weggehaald: adres]"  (postcode and house number,
 *                  with the street before them)
 *     name      -> "[weggehaald: naam]"
 *     by hand, or places of different kinds that overlap -> "[weggehaald]"
 *
 *   Finders never return a place inside an existing marker, so applying
 *   the same request again finds nothing and changes nothing (idempotent),
 *   and a marker is never nested in another.
 *
 *   Kinds: the PII flags the classifier sets (CLASSIFY_PII_KINDS). The
 *   places are the ones classify_pii_find() reports (one set of finders),
 *   so after cutting every "phone" place classify_pii_has_phone() says
 *   false. Names are found without the classifier's word lists: a
 *   superset of the names it flags.
 *   Hand-typed text: every whole-word occurrence (the characters next to it
 *   are not letters or digits, when its own first/last character is one),
 *   ASCII letters compared without case, other bytes exactly.
 *
 *   Offsets are byte offsets into the UTF-8 text. redact_apply() checks
 *   every span (inside the text, not empty, starting and ending on a
 *   character boundary, at most REDACT_MAX_SPANS) and merges overlapping
 *   ones into one marker.
 *
 * DIAGNOSTICS
 *   Functions returning -1 leave an English sentence in err (for logs and
 *   tests; callers show people their own Dutch text). No message ever
 *   quotes the text or the needle: they are the personal data.
 *
 * OWNERSHIP
 *   redact_apply() returns a malloc'd *out (also when nothing changed); the
 *   caller frees it. Kind strings in spans are static.
 */
#ifndef INSPRAAK_REDACT_H
#define INSPRAAK_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"
#include "redact_msg.h"

#define REDACT_MAX_SPANS 256  /* places cut from one field by one request */
#define REDACT_NEEDLE_MIN 2   /* characters (code points) of a hand-typed text */
#define REDACT_NEEDLE_MAX 200 /* characters (code points) of a hand-typed text */
#define REDACT_MARK "[weggehaald"

typedef struct {
    size_t start, len; /* bytes */
    const char *kind;  /* a CLASSIFY_PII_KINDS slug, or NULL: by hand */
} redact_span_t;

typedef struct {
    redact_span_t v[REDACT_MAX_SPANS];
    int n;
} redact_spans_t;

/* true for the kinds the finders know ("phone", "email", "iban",
 * "postcode", "name"). */
bool redact_kind_known(const char *kind);
/* Dutch name for staff ("telefoonnummer", "e-mailadres", "IBAN
 * (rekeningnummer)", "adres (straat of postcode met huisnummer)", "naam"), or NULL. */
const char *redact_kind_label(const char *kind);
/* The marker for a kind (NULL or unknown: "[weggehaald]"). */
const char *redact_marker(const char *kind);

/* Appends the places of kind in text to sp. Returns how many were added,
 * or -1 (err): unknown kind, or more than REDACT_MAX_SPANS in sp. */
int redact_find_kind(const char *text, const char *kind, redact_spans_t *sp, char *err,
                     size_t errlen);
/* Appends the whole-word occurrences of needle (see above). Returns how
 * many, or -1 (err): a needle redact_needle_check() refuses, or too many. */
int redact_find_text(const char *text, const char *needle, redact_spans_t *sp, char *err,
                     size_t errlen);

/* 0 when needle can be looked for: UTF-8, no control characters, no white
 * space at either end, REDACT_NEEDLE_MIN to REDACT_NEEDLE_MAX characters.
 * Else -1 (err). */
int redact_needle_check(const char *needle, char *err, size_t errlen);

/* Adds every kind the finders know to m: what erase cuts from the ideas
 * of an erased person besides their name and address, shared by
 * participant erase (inspraakctl) and storage's cut of an idea whose
 * person was erased on its way. 0, or -1 when m is full. */
int redact_msg_add_all_kinds(redact_msg_t *m);

/* A person's name as erase cuts it from texts: the len bytes of name
 * without the white space around them, as a new string; NULL when there
 * is none (NULL, empty, a NUL byte inside) or redact_needle_check()
 * refuses it. Shared by participant erase (inspraakctl) and storage's
 * cut of an idea whose person was erased on its way. */
char *redact_name_needle(const char *name, size_t len);

/* Writes text with every span of sp replaced by its marker into *out.
 * Returns the number of markers written (overlapping spans make one), or
 * -1 (err, *out NULL): a span outside the text, empty, or not on a
 * character boundary; a bad count; a result over PROTO_MAX_STRING. */
int redact_apply(const char *text, const redact_spans_t *sp, char **out, char *err, size_t errlen);

/* Applies a whole request to an idea: its text, title, source.subject and
 * source.context each get every place of m's kinds and texts cut. When
 * anything was cut, each pii flag of a known kind stays only while the
 * finders still find that kind in the new text or title (other flags
 * stay).
 * Returns the number of markers written in all fields (0: nothing found,
 * the idea is unchanged), or -1 (err; the idea is unchanged): an unknown
 * kind, a refused text, too many places. */
int redact_idea(idea_t *idea, const redact_msg_t *m, char *err, size_t errlen);

#endif
