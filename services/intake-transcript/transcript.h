/*
 * NAME
 *   transcript - SRT and plain-text transcripts, and turns to statements
 *
 * SUMMARY
 *   cue_list_t cues;                      // webvtt.h
 *   srt_parse(buf, len, &cues, err, sizeof err);   // or plaintext_parse
 *   statement_list_t st;
 *   statements_build(&cues, "Interviewer,camjo", &st);
 *   ... st.items[i].text, .start_ms, .end_ms, .context ...
 *   statement_list_clear(&st); cue_list_clear(&cues);
 *
 * DESCRIPTION
 *   transcript_utf8() gives UTF-8 for any input: valid UTF-8 stays (a BOM
 *   is dropped), anything else is read as Windows-1252 (what Windows
 *   subtitle tools write) with glib's g_convert(). transcript_text_check()
 *   refuses what is evidently not text (binary files, UTF-16), before any
 *   parser runs, so junk never becomes an idea.
 *
 *   srt_parse(): blocks of [index] timing text; the index may be missing;
 *   ',' or '.' before the milliseconds; blank lines inside a cue's text are
 *   kept when the next line does not start a new cue.
 *
 *   plaintext_parse(): "Naam: tekst" lines; a line without a name goes on
 *   with the turn before it; a blank line ends a turn. Cues without times.
 *
 *   statements_build(): the speaker of a cue is its first <v Name>, else
 *   a "NAAM:" prefix of its text, else the speaker of the cue before (when
 *   none is known yet, every cue is a statement of its own). Cues are
 *   taken in time order (by start, then file order); consecutive cues of
 *   one speaker are one statement (start of the first, end of the last
 *   cue), cut before the cue that would take it past TEXT_MAX_CHARS
 *   characters (validate.h: an idea's limit), so a long speaker gives
 *   several statements; a single longer cue stays whole (ingest refuses
 *   it). Interviewer statements are not returned; every resident
 *   statement after one, up to the next, carries its text as context
 *   (several residents answering one question), but not the later
 *   parts of a cut statement. Speaker names are
 *   never part of the statement text. Text and context are normalised
 *   (text_normalise() of validate.h: control characters removed, white
 *   space trimmed), as every intake does; a statement left empty is none.
 *
 *   Every parser is pure and keeps the webvtt.h limits (size, cue count,
 *   line length).
 *
 * OWNERSHIP
 *   Lists own their strings; free with the *_clear() functions. The string
 *   of transcript_utf8() is the caller's (free()).
 */
#ifndef INSPRAAK_TRANSCRIPT_H
#define INSPRAAK_TRANSCRIPT_H

#include "webvtt.h"

#define TRANSCRIPT_MAX_SPEAKER 60 /* bytes of a "NAAM:" prefix */

char *transcript_utf8(const char *buf, size_t len, size_t *outlen);

/* 0 when buf is evidently text; -1 with an English reason in err when it
 * holds a NUL byte, or when more than 1 in TRANSCRIPT_JUNK_RATIO of its
 * characters (after transcript_utf8()) are control characters other than
 * TAB/LF/FF/CR, or U+FFFD. */
#define TRANSCRIPT_JUNK_RATIO 20
int transcript_text_check(const char *buf, size_t len, char *err, size_t errlen);

int srt_parse(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen);
int plaintext_parse(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen);

/* "NAAM: tekst" -> speaker "NAAM" (malloc'd) and *rest pointing at
 * "tekst"; NULL when the text has no such prefix. A name has at most 4
 * words, each after the first with a capital, a digit or a particle
 * ("Jan de Wit"): "Het probleem is: ..." has none. A Dutch discourse
 * word or phrase ("Kortom:", "Nou:", "Let op:") is no name either. */
char *transcript_prefix_speaker(const char *text, const char **rest);

typedef struct {
    bool has_times;
    int64_t start_ms, end_ms;
    char *text;    /* plain text, without speaker names */
    char *context; /* the interviewer's question before it, or NULL */
} statement_t;

typedef struct {
    statement_t *items;
    size_t n, cap;
    int skipped_interviewer; /* interviewer statements left out */
} statement_list_t;

/* interviewers: comma-separated names, compared case-insensitively. */
void statements_build(const cue_list_t *cues, const char *interviewers, statement_list_t *out);
void statement_list_clear(statement_list_t *l);

#endif
