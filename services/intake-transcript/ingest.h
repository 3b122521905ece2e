/*
 * NAME
 *   ingest - one transcript file to spooled ideas (shared by the HTTP
 *   upload and the drop folder of intake-transcript)
 *
 * SUMMARY
 *   ingest_meta_t m; ingest_meta_init(&m);
 *   ingest_meta_set(&m, "video_id", "straat-12");   // from query or sidecar
 *   ingest_result_t r;
 *   int rc = ingest_file(&ing, buf, len, INGEST_AUTO, &m, &r);
 *   ... r.ideas (json array), r.skipped_interviewer, r.why_nl/why_en ...
 *   ingest_result_clear(&r); ingest_meta_clear(&m);
 *
 * DESCRIPTION
 *   Parses the file (format from the caller or sniffed), builds statements
 *   (transcript.h) and submits each as an ENV_IDEA with id
 *   proto_derive_id("transcript", "<video_id>/<start_ms>-<end_ms>/<words>")
 *   (text turns without times use their position:
 *   "<video_id>/turn-<n>/<words>"; <words> is a fingerprint of the
 *   statement's text, ingest.c), so a file read twice gives the same ids
 *   and storage stores nothing new, while another file under the same
 *   name does not take the first one's ids.
 *   Returns INGEST_OK only after intake_submit() returned 0 for every
 *   statement. No participant record is made: speaker names are not kept.
 *
 *   A file that is evidently not text (transcript_text_check()) is
 *   INGEST_BAD with code "unreadable", before anything is spooled; so is
 *   one with a statement over TEXT_MAX_CHARS characters ("text_too_long":
 *   a single cue that long, statements_build() cuts the rest), so a file
 *   is spooled whole or not at all.
 *   recorded_at is RFC 3339, or a bare date YYYY-MM-DD meaning midnight at
 *   the start of that day in Europe/Amsterdam (where the interviews are
 *   recorded).
 *
 * OWNERSHIP
 *   Meta and result own their strings; free with the *_clear() functions.
 */
#ifndef INSPRAAK_INGEST_H
#define INSPRAAK_INGEST_H

#include <jansson.h>

#include "geo.h"
#include "intake.h"

typedef enum { INGEST_AUTO, INGEST_VTT, INGEST_SRT, INGEST_TEXT } ingest_format_t;
typedef enum { INGEST_OK = 0, INGEST_BAD = -1, INGEST_UNAVAILABLE = -2 } ingest_rc_t;

typedef struct {
    intake_t *intake;         /* NULL: nothing is spooled, r->ideas lists the
                                 ids it would have (the upload's check for a
                                 re-send, main.c) */
    const geo_t *geo;         /* may be NULL: then wijk must be a CBS code */
    const char *interviewers; /* comma list */
} ingest_t;

typedef struct {
    char *video_id, *wijk, *recorded_at, *activity, *video_url;
} ingest_meta_t;

typedef struct {
    char video_id[256];
    json_t *ideas; /* [{"id","start","end"}] */
    int skipped_interviewer;
    char code[32]; /* on INGEST_BAD: "unreadable" (the file), or the field's
                      code: unknown_wijk, invalid_activity, invalid_video_id,
                      invalid_video_url, invalid_recorded_at, invalid_sidecar;
                      or text_too_long: one cue over TEXT_MAX_CHARS */
    char why_nl[300];
    char why_en[300];
} ingest_result_t;

void ingest_meta_init(ingest_meta_t *m);
void ingest_meta_clear(ingest_meta_t *m);
/* Sets a known field (others are ignored). */
void ingest_meta_set(ingest_meta_t *m, const char *key, const char *value);
/* Reads a sidecar JSON object (name: its file name, for the message); -1
 * with code and why_* in r when it is not one, or has a field other than
 * the five of ingest_meta_t or a value that is not a string or null. */
int ingest_meta_json(ingest_meta_t *m, const char *name, const char *buf, size_t len,
                     ingest_result_t *r);

ingest_format_t ingest_format_from_name(const char *name_or_type);

ingest_rc_t ingest_file(ingest_t *ing, const char *buf, size_t len, ingest_format_t fmt,
                        const ingest_meta_t *m, ingest_result_t *r);
void ingest_result_clear(ingest_result_t *r);

#endif
