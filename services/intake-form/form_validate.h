/*
 * NAME
 *   form_validate - one idea from the idea box: fields, checks, envelope
 *
 * SUMMARY
 *   form_t f;
 *   form_init(&f);
 *   form_set(&f, "tekst", value, len);        // HTML form, once per field
 *   // or: form_from_json(&f, root);          // POST /api/v1/ideas
 *   if (form_validate(&f, geo) < 0) { ...f.err[i] holds Dutch messages... }
 *   form_to_envelope(&f, id, key, now_ms, &env);
 *   form_clear(&f);
 *
 * DESCRIPTION
 *   The checks are the same for the HTML form and the JSON API, so a text
 *   is valid or not whatever way it came in. Fields are numbered (FORM_TEXT
 *   ...) and carry two names: the Dutch HTML name ("tekst") and the API
 *   name ("text"); error objects use the API names.
 *
 *   form_validate() keeps the raw values (to show the form again) and fills
 *   the clean ones: text normalised (validate.h), titles and names on one
 *   line, wijk as a CBS code, postcode as "6411AB" or "6411", question and
 *   target group in lower case (target group "inwoner" when not given).
 *   Without geo data (geo NULL) a wijk is accepted only as a well-formed
 *   Heerlen code "WK0917nn".
 *
 *   Pure: no I/O, no globals; safe from any thread.
 *
 * OWNERSHIP
 *   form_t owns every string in it; form_clear() frees them. Messages in
 *   err[] are static strings, or made_err (a message naming wijken). form_errors_json() returns a new reference.
 *   form_to_envelope() fills an envelope the caller frees with
 *   envelope_clear().
 */
#ifndef INSPRAAK_FORM_VALIDATE_H
#define INSPRAAK_FORM_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "geo.h"
#include "proto.h"

typedef enum {
    FORM_TEXT = 0,
    FORM_TITLE,
    FORM_WIJK,
    FORM_POSTCODE,
    FORM_QUESTION,
    FORM_TARGET_GROUP,
    FORM_NAME,
    FORM_EMAIL,
    FORM_CONSENT,
    FORM_NFIELDS
} form_field_t;

/* Longest Idempotency-Key (and hidden form key) we accept. */
#define FORM_KEY_MAX 200

#define FORM_CONSENT_PURPOSE "terugkoppeling over uw idee en de omgevingsvisie"

typedef struct {
    char *raw[FORM_NFIELDS];       /* as sent (for the form shown again), or NULL */
    bool consent;                  /* toestemming / consent.feedback */
    bool honeypot;                 /* the hidden "website" field was filled: a bot */
    char *key;                     /* hidden form field "sleutel", or NULL */
    const char *err[FORM_NFIELDS]; /* Dutch message per field, NULL when fine */
    char *made_err;                /* a message made for this form, or NULL */
    int n_errors;
    char *clean[FORM_NFIELDS]; /* after form_validate(): clean values or NULL */
} form_t;

/* Field names: Dutch in the HTML form, English in the API. */
const char *form_html_name(form_field_t f);
const char *form_api_name(form_field_t f);

void form_init(form_t *f);
void form_clear(form_t *f);

/* One field of the HTML form. Unknown names are ignored; a value with a NUL
 * byte inside is marked as unreadable. Always returns 0 (the http_field_fn
 * convention: continue). */
int form_set(form_t *f, const char *html_name, const char *value, size_t len);

/* Takes the fields of a JSON object (POST /api/v1/ideas). Unknown keys are
 * ignored; null counts as absent; a value of the wrong type gets an error
 * for that field. Returns 0, or -1 when root is not an object. */
int form_from_json(form_t *f, const json_t *root);

/* Checks every field (see DESCRIPTION). Returns 0 when all are fine, else
 * -1 with err[] and n_errors set. */
int form_validate(form_t *f, const geo_t *geo);

/* {"text": "Vul uw idee in.", ...} for the fields in error. */
json_t *form_errors_json(const form_t *f);

/* True when key is an acceptable idempotency key: 1..FORM_KEY_MAX bytes of
 * printable ASCII (0x20..0x7e). */
bool form_key_valid(const char *key);

/* Fills env (envelope_init'ed by this function) with an ENV_IDEA for a
 * validated form: channel "form", activity "ideeenbus", received_at now_ms,
 * source.idempotency_key key (may be NULL), and a participant when a name or
 * email was given (consent time now_ms when consent). */
void form_to_envelope(const form_t *f, const char *id, const char *key, int64_t now_ms,
                      envelope_t *env);

/* The same envelope without a single copy, for the hot path (spool it and
 * drop it): env, *idea and *p are the caller's storage and their strings
 * point into f, id and key, so they are valid only while those are. Drop
 * it with envelope_init(env), never envelope_clear() (which would free
 * what f owns). Anything a callee adds to env (intake_submit sets
 * env->origin) is the caller's to free. */
void form_envelope_view(const form_t *f, const char *id, const char *key, int64_t now_ms,
                        envelope_t *env, idea_t *idea, participant_t *p);

#endif
