/*
 * NAME
 *   trim - drops old entries from the record of transcript files read
 *
 * SUMMARY
 *   trim_t *t = trim_new("/var/inspraak/transcripts", days);
 *   trim_step(t, rs);     // at every look of the inbox thread
 *   trim_destroy(&t);
 *
 * DESCRIPTION
 *   The record of files read (seen.h, SEEN_KEY) gained one entry a file
 *   or upload and lost none. An entry is now dropped once it is older
 *   than `days` (read_at, or since for a file being read) and its file is
 *   not in DIR/done/ (no name there has its file_ref; an upload has
 *   none): the same bytes are still recognised as long as their copy is
 *   in done/, and for at least `days` after they were read.
 *
 *   A pass over the record starts when the service starts and then every
 *   TRIM_EVERY_MS; each trim_step() does one small step of it: one HSCAN
 *   of TRIM_STEP fields and at most one HDEL of those it found old, so
 *   Redis never runs one huge command and the inbox thread is never held
 *   long. A pass ends with the log line
 *   msg="record of files read trimmed" checked=N removed=N kept_in_done=N.
 *   Call it where no file of the drop folder is being recorded, with
 *   the uploads' read_mu held (inbox.h): an entry found old is then not
 *   written again before it is dropped.
 *
 * OWNERSHIP
 *   trim_new() copies dir; trim_destroy() frees everything.
 */
#ifndef INSPRAAK_TRIM_H
#define INSPRAAK_TRIM_H

#include "rstore.h"

#define TRIM_STEP 100                    /* fields looked at per step */
#define TRIM_EVERY_MS (60LL * 60 * 1000) /* one pass an hour */
#define TRIM_DAYS_DEFAULT 365            /* INSPRAAK_TRANSCRIPT_RECORD_DAYS */

typedef struct trim trim_t;

trim_t *trim_new(const char *dir, long days);
/* One step of the pass (a new pass when one is due); 0, or -1 when Redis
 * did not answer (the step is done again at the next call). */
int trim_step(trim_t *self, rstore_t *rs);
void trim_destroy(trim_t **self_p);

#endif
