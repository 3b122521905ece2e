/*
 * NAME
 *   seen - the transcript files the drop folder has read, by their bytes
 *
 * SUMMARY
 *   char hash[SEEN_HASH_HEX + 1];
 *   seen_hash(buf, len, hash);
 *   seen_t rec;
 *   int found = seen_find(rs, hash, &rec);    // 1, 0, or -1: Redis unavailable
 *   ... ingest, then ...
 *   seen_add(rs, hash, &(seen_t){.file_ref = "...", .ideas = n, .first_id = id});
 *
 * DESCRIPTION
 *   A file dropped again under another name ("interview.vtt", then
 *   "interview (1).vtt" from a browser download or a copy) has the same
 *   bytes but another video id (its name), so its statements got new ids
 *   and were stored twice. The drop folder therefore keeps, in Redis (so
 *   it survives restarts), the BLAKE2b-256 of the bytes of every file it
 *   read into ideas: HASH SEEN_KEY, field the hash in hex, value JSON
 *   {"file_ref", "read_at" (ms), "ideas", "first_id"}. No file name is
 *   kept (it is often the interviewee's): file_ref is the one the log
 *   and .why use (inbox.c), of the name the file is kept under in done/.
 *
 *   The record is added only after every statement is in the spool and
 *   before the file leaves inbox/, with "moving": true until the file is
 *   in done/ (seen_moved), so a kill -9 between the two leaves a file in
 *   inbox/ with a record still moving, whose file_ref is that of the name
 *   it was about to take in done/ (repeat.c finishes its move); a kill
 *   before the record leaves no record, and the file is read again with
 *   the same ids (stored once). The same bytes dropped again under that
 *   name after its copy left done/ (retention) find a record that is
 *   not moving: a repeat, with a .why.
 *
 *   HTTP uploads (main.c) are recorded too, with "via": "upload" and no
 *   file_ref, so an upload of bytes read before (dropped, or uploaded
 *   under another video id) stores nothing, and a file dropped after an
 *   upload of its bytes is a repeat of that upload.
 *
 *   Before a file's first statement is spooled, its hash is recorded as
 *   being read ({"reading": file_ref of its name in inbox/, "since"}):
 *   killed before the final record, a copy of the file in inbox/ (found
 *   first after the restart) sees that the file is being read and waits
 *   while that file is in inbox/ (inbox.c), instead of being stored a
 *   second time under its own name. A record being read whose file is
 *   no longer in inbox/ is stale: the next file with those bytes is read.
 *
 *   Files read before the record existed are in done/ only: repeat.c
 *   records them with seen_add_old() at its start (HSETNX, so a record
 *   already there is kept), once: then the field SEEN_DONE_SCANNED
 *   ({"at" (ms), "files"}) says done/ was recorded, and later starts do
 *   not read done/ again (every file read since is recorded as it is
 *   read). In the same key, so a record deleted or lost is scanned anew.
 *
 *   Entries older than INSPRAAK_TRANSCRIPT_RECORD_DAYS whose file is not
 *   in done/ are dropped, a few at a time (trim.h).
 *
 * OWNERSHIP
 *   seen_t holds its strings inline; nothing to free.
 */
#ifndef INSPRAAK_SEEN_H
#define INSPRAAK_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rstore.h"

#define SEEN_KEY "inspraak:transcript:read"
#define SEEN_HASH_HEX 64              /* BLAKE2b-256 */
#define SEEN_UTC_SIZE 32              /* "2026-11-29T14:05:00Z" and room */
#define SEEN_DONE_SCANNED "scan:done" /* field: done/ was recorded once */

typedef struct {
    char file_ref[13]; /* "" for an upload */
    bool upload;       /* read from an HTTP upload ("via": "upload"), not the drop folder */
    int64_t read_at;   /* ms since the epoch */
    int64_t ideas;     /* -1: unknown (recorded from done/, seen_add_old) */
    char first_id[64];
    char reading[13]; /* not "": being read, not yet recorded (seen_add_reading);
                         the file_ref of the file's name in inbox/ */
    bool moving;      /* recorded, not yet in done/ (seen_add, then seen_moved) */
} seen_t;

void seen_hash(const char *buf, size_t len, char hex[SEEN_HASH_HEX + 1]);
/* rec->ideas and rec->first_id from the ideas a file was read into (a
 * JSON array of {"id", ...}, ingest.h); returns the first id, NULL when
 * there is none. */
const char *seen_of_ideas(seen_t *rec, const json_t *ideas);
/* 1 with rec filled when hash was read before, 0 when not, -1 when Redis
 * cannot be asked (a value that is not the JSON above counts as found,
 * with rec empty: better a file not read twice than read twice). */
int seen_find(rstore_t *rs, const char *hash, seen_t *rec);
/* Records hash (read_at: now); 0, or -1 when Redis did not take it. */
int seen_add(rstore_t *rs, const char *hash, const seen_t *rec);
/* Records that the file of rec is in done/: rec without "moving",
 * read_at kept (now when 0). 0, or -1 when Redis did not take it. */
int seen_moved(rstore_t *rs, const char *hash, const seen_t *rec);
/* Records hash, unless it is recorded already, as a file read at
 * rec->read_at (ideas unknown): for the files in done/ read before the
 * record existed. 0, or -1 when Redis did not take it. */
int seen_add_old(rstore_t *rs, const char *hash, const seen_t *rec);

/* 1 when done/ was recorded (seen_mark_done_scanned), 0 when not, -1
 * when Redis cannot be asked. */
int seen_done_scanned(rstore_t *rs);
/* Notes that every file in done/ (files of them) is recorded; 0 or -1. */
int seen_mark_done_scanned(rstore_t *rs, int files);
/* Records hash as being read from inbox/ under the name whose file_ref
 * is ref (HSET: replaces a stale one). 0, or -1 when Redis did not take it. */
int seen_add_reading(rstore_t *rs, const char *hash, const char *ref);
/* Drops the record of hash (a file being read that failed); 0 or -1. */
int seen_forget(rstore_t *rs, const char *hash);
/* ms since the epoch as RFC 3339 UTC, to the second. */
void seen_utc(int64_t ms, char out[SEEN_UTC_SIZE]);
/* The Dutch and the English line telling staff that a file or upload
 * repeats rec and nothing was stored again (caller frees both).
 * earlier: the name in done/ of the file rec was read from (in inbox/
 * when rec is being read), or NULL when it is no longer there (or rec is
 * an upload). */
void seen_repeat_text(const seen_t *rec, const char *earlier, char **nl, char **en);

#endif
