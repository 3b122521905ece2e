/*
 * NAME
 *   inbox - the drop folder of intake-transcript
 *
 * SUMMARY
 *   inbox_t *ib = inbox_start(&ing, "/var/inspraak/transcripts", cfg.redis_url, &read_mu,
 *                             err, sizeof err);
 *   ...
 *   inbox_stop(&ib);
 *
 * DESCRIPTION
 *   A thread looks at DIR/inbox/ every second (INSPRAAK_TRANSCRIPT_LOOK_MS).
 *   NAME.vtt, NAME.srt and NAME.txt (with an optional sidecar NAME.json:
 *   video_id, wijk, recorded_at, activity, video_url; video_id defaults to
 *   NAME) are read once they and their sidecar have not changed for a
 *   second (INSPRAAK_TRANSCRIPT_SETTLE_MS) and are not dotfiles, so a file
 *   or sidecar still being written is not read half. Both settings are in
 *   milliseconds, read from the environment at inbox_start (which fails,
 *   saying why in err, on a value out of range); the tests shorten them. After every statement is
 *   spooled the file (and sidecar) moves to DIR/done/ (under NAME-2, ...
 *   when the name is taken there: nothing is replaced); a file that cannot
 *   be read, is empty or holds no resident's statement (header or
 *   interviewer only) moves to DIR/failed/ with NAME.EXT.why (Dutch and
 *   English reason; named after the whole name, so leeg.vtt and leeg.srt
 *   each keep their own).
 *   When the spool refuses, the file stays and is tried again.
 *   A file with the bytes of one read before (seen.h; another name, as a
 *   copy or a browser download gives it) stores nothing: it moves to
 *   done/ with NAME.EXT.why naming the earlier file. The record is kept
 *   in Redis at redis_url; at the first start with it, before any file
 *   is read, the files already in done/ are added to it (read by a
 *   version without it; once: seen.h). While Redis cannot be asked,
 *   files stay in inbox/ (reading them could store them twice). Old
 *   entries of the record are dropped a few at each look (trim.h).
 *   redis_url NULL keeps no record (the unit tests, which have no Redis).
 *   read_mu (may be NULL) is held from the look into the record to the
 *   "being read" record of a file; main.c holds it for an upload from its
 *   look to its record, so an upload and a dropped file with the same
 *   bytes at the same moment are not both read (one is a repeat).
 *   Metrics: inspraak_transcript_files_total{result="done"|"failed"|"repeat"}.
 */
#ifndef INSPRAAK_INBOX_H
#define INSPRAAK_INBOX_H

#include <pthread.h>
#include <stddef.h>

#include "ingest.h"

typedef struct inbox inbox_t;

inbox_t *inbox_start(ingest_t *ing, const char *dir, const char *redis_url,
                     pthread_mutex_t *read_mu, char *err, size_t errlen);
void inbox_stop(inbox_t **self_p);
/* The name in DIR/SUB/ whose file_ref (the first 12 hex digits of the
 * SHA-256 of the name, as the log and the record of files read use it)
 * is ref; caller frees. NULL when none is. */
char *inbox_name_of_ref(const char *dir, const char *sub, const char *ref);
/* The file_ref of a name (12 hex digits and a NUL), as the log, the .why
 * and the record of files read give it. */
void inbox_file_ref(const char *name, char ref[13]);

#endif
