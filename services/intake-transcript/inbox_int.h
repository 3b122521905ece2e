/*
 * NAME
 *   inbox_int - what inbox.c and repeat.c share (private to
 *   intake-transcript)
 *
 * DESCRIPTION
 *   The drop folder's state, and the steps of inbox.c that repeat.c also
 *   takes: keeping a file in done/ or failed/ under a free name, writing
 *   its .why, logging Redis going away and coming back. inbox.c looks at
 *   inbox/ and reads files; repeat.c handles a file whose bytes were read
 *   before and records done/ once (inbox.h, seen.h).
 *
 * OWNERSHIP
 *   Everything here belongs to the inbox_t (inbox.h); inbox_keep_as()
 *   returns a string the caller frees.
 */
#ifndef INSPRAAK_INBOX_INT_H
#define INSPRAAK_INBOX_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "inbox.h"
#include "metrics.h"
#include "rstore.h"
#include "seen.h"
#include "trim.h"

#define FILE_REF_HEX 12 /* hex digits of a file's reference */

struct inbox {
    ingest_t *ing;
    char *dir;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    rstore_t *rs;             /* the record of files read (seen.h); NULL: none kept */
    pthread_mutex_t *read_mu; /* shared with the uploads (inbox.h); NULL: none */
    bool redis_down;          /* logged once per outage, not every second */
    bool done_recorded;       /* done/ of before the record is in it (repeat_record_done) */
    trim_t *trim;             /* drops old entries of the record (trim.h); NULL: no record */
    long look_ms;             /* between two looks (inbox.h) */
    long settle_ms;           /* unchanged this long before a file is read */
    metric_t *done, *failed, *repeat;
};

/* inbox.c */

/* The stem NAME (= stem + ext) is to be kept under in to/ (stem, or
 * stem-2, ... when taken there: nothing is replaced); caller frees. In
 * ref the file_ref of the name it will have there (its own name unless
 * that was taken), so hashing the names there finds it. */
char *inbox_keep_as(inbox_t *ib, const char *name, const char *stem, const char *to,
                    char ref[FILE_REF_HEX + 1]);
/* NAME and its sidecar STEM.json (which may be missing) from inbox/ to
 * to/, as KEPT + the extension of NAME and KEPT.json. */
void inbox_move_with_sidecar(inbox_t *ib, const char *name, const char *stem, const char *to,
                             const char *kept);
/* to/KEPT+EXT.why holding the Dutch line, the English line and the
 * file_ref, never seen half written. */
void inbox_write_why(inbox_t *ib, const char *to, const char *kept, const char *ext, const char *nl,
                     const char *en, const char *ref);
/* Read into ideas (ideas, first_id) and recorded (seen.h): inbox/NAME
 * and its sidecar to done/ as KEPT, counted and logged. */
void inbox_done(inbox_t *ib, const char *name, const char *stem, const char *kept, const char *ref,
                int64_t ideas, const char *first, int interviewer);
/* Whether Redis answered: logged once when it stops answering and once
 * when it is back, not every second. */
void inbox_redis_state(inbox_t *ib, bool answered);

/* repeat.c */

/* inbox/NAME (stem, bytes hash) has the bytes of a file read before
 * (rec): to done/ with a .why naming that file, nothing stored; or, when
 * rec is this very file killed before its move, to done/ as read. */
void repeat_file(inbox_t *ib, const char *name, const char *stem, const char *hash,
                 const seen_t *rec);
/* Notes in the record that the file of hash (rec) is in done/; a
 * refusal is logged. */
void repeat_moved(inbox_t *ib, const char *hash, const seen_t *rec);
/* Records the bytes of every transcript in done/ not recorded yet, once
 * (SEEN_DONE_SCANNED); 0, or -1 when Redis did not answer. */
int repeat_record_done(inbox_t *ib);

#endif
