/*
 * NAME
 *   webvtt - WebVTT file parser (cue blocks, timings, raw cue text, voices)
 *
 * SUMMARY
 *   cue_list_t cues;
 *   if (webvtt_parse(buf, len, NULL, &cues, err, sizeof err) == 0) { ... }
 *   cue_list_clear(&cues);
 *
 * DESCRIPTION
 *   Follows the W3C WebVTT file parsing algorithm as the mozilla/vtt.js
 *   reference parser implements it (its conformance suite is the test):
 *   BOM, CR/LF/CRLF, the "WEBVTT" signature line, header lines, NOTE,
 *   STYLE and REGION blocks, cue ids, cue timings (hours > 99; a bad timing
 *   line drops the cue block), cue settings (parsed past, ignored), raw cue
 *   text lines up to a blank line or a line holding "-->".
 *
 *   webvtt_cue_voice() and webvtt_cue_plain() read the cue text syntax
 *   (tags c i b u v ruby rt lang with classes and annotations, character
 *   references, inline timestamps) without building a tree, so nesting
 *   depth costs nothing.
 *
 *   Pure: buffer in, cues out, no I/O. Limits: WEBVTT_MAX_BYTES input,
 *   WEBVTT_MAX_CUES cues, WEBVTT_MAX_LINE bytes in one line, timestamps
 *   below WEBVTT_MAX_MS; beyond them the parse fails with a reason.
 *
 * OWNERSHIP
 *   The cue list owns its strings; cue_list_clear() frees them. Strings
 *   returned by webvtt_cue_voice()/webvtt_cue_plain() are the caller's.
 */
#ifndef INSPRAAK_WEBVTT_H
#define INSPRAAK_WEBVTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEBVTT_MAX_BYTES (8u * 1024 * 1024)
#define WEBVTT_MAX_CUES 50000
#define WEBVTT_MAX_LINE (64u * 1024)
#define WEBVTT_MAX_MS (1000LL * 3600 * 1000000) /* a million hours */

/* One cue (also used for SRT cues and plain-text turns). */
typedef struct {
    char *id;       /* "" when none */
    bool has_times; /* false for plain-text turns */
    int64_t start_ms, end_ms;
    char *text; /* raw cue text, lines joined with '\n' */
} cue_t;

typedef struct {
    cue_t *items;
    size_t n, cap;
} cue_list_t;

void cue_list_init(cue_list_t *l);
void cue_list_clear(cue_list_t *l);
/* Appends a cue taking ownership of id and text. -1 when max_cues reached
 * (then id/text are freed). */
int cue_list_push(cue_list_t *l, char *id, bool has_times, int64_t start, int64_t end, char *text,
                  size_t max_cues);

/* Parses a WebVTT file. Returns 0 (cues may be empty), or -1 with a reason
 * in err (bad signature, a limit reached). */
int webvtt_parse(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen);
/* The same for a file of at most WEBVTT_MAX_BYTES that was converted to
 * UTF-8 from Windows-1252 (transcript_utf8()): each byte became at most
 * three, so the converted text may be up to WEBVTT_MAX_CONVERTED bytes. */
#define WEBVTT_MAX_CONVERTED (3 * WEBVTT_MAX_BYTES)
int webvtt_parse_converted(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen);

/* The annotation of the first <v ...> span in raw cue text, trimmed, or
 * NULL when there is none. */
char *webvtt_cue_voice(const char *text);

/* Cue text as plain text: tags and inline timestamps removed, character
 * references decoded, runs of white space kept as they are. */
char *webvtt_cue_plain(const char *text);

/* Parses a timestamp "[h+:]mm:ss.ttt" at *s (vtt.js rules: with two
 * fields the first is hours when > 59). Advances *s; returns -1 on error. */
int webvtt_timestamp(const char **s, int64_t *ms);

#endif
