/*
 * NAME
 *   inbox - the drop folder of intake-transcript
 *
 * SUMMARY
 *   inbox_t *ib = inbox_start(&ing, "/var/inspraak/transcripts", err, sizeof err);
 *   ...
 *   inbox_stop(&ib);
 *
 * DESCRIPTION
 *   A thread looks at DIR/inbox/ every second. NAME.vtt, NAME.srt and
 *   NAME.txt (with an optional sidecar NAME.json: video_id, wijk,
 *   recorded_at, activity, video_url; video_id defaults to NAME) are read
 *   once they and their sidecar have not changed for a second and are not
 *   dotfiles, so a file or sidecar still being written is not read half. After every statement is
 *   spooled the file (and sidecar) moves to DIR/done/ (under NAME-2, ...
 *   when the name is taken there: nothing is replaced); a file that cannot
 *   be read, is empty or holds no resident's statement (header or
 *   interviewer only) moves to DIR/failed/ with NAME.EXT.why (Dutch and
 *   English reason; named after the whole name, so leeg.vtt and leeg.srt
 *   each keep their own).
 *   When the spool refuses, the file stays and is tried again.
 *   Metrics: inspraak_transcript_files_total{result="done"|"failed"}.
 */
#ifndef INSPRAAK_INBOX_H
#define INSPRAAK_INBOX_H

#include <stddef.h>

#include "ingest.h"

typedef struct inbox inbox_t;

inbox_t *inbox_start(ingest_t *ing, const char *dir, char *err, size_t errlen);
void inbox_stop(inbox_t **self_p);

#endif
