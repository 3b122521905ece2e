/*
 * NAME
 *   store_redact - the storage side of a redaction (an ENV_UPDATE whose
 *   idea carries "redact", proto/redact_msg.h)
 *
 * SUMMARY
 *   int r = store_redact(st, id, &msg, &bad, err, sizeof err);
 *
 * DESCRIPTION
 *   Called by store_update() when the update's idea holds a "redact" key.
 *   See store_redact.c for the steps and the guarantees.
 */
#ifndef INSPRAAK_STORE_REDACT_H
#define INSPRAAK_STORE_REDACT_H

#include <stddef.h>

#include "redact_msg.h"
#include "store.h"

/* Cuts m's places out of idea id (text, title, source.subject,
 * source.context; pii flags set again) with one compare-and-set write.
 * 1: applied, or nothing left to cut (a replay); 0: no such idea; -1:
 * Redis failed (retry), or *bad = 1 when the request is invalid (err says
 * why, never quoting the personal data). */
int store_redact(store_t *self, const char *id, const redact_msg_t *m, int *bad, char *err,
                 size_t errlen);
/* The same for the redaction in update envelope update_id: the write
 * checks and marks it applied in one script (update_applied.h; NULL or
 * "": not marked), and UPDATE_APPLIED_BEFORE means a copy was applied
 * before and nothing was done. A redaction that finds nothing to cut
 * writes nothing, so it marks nothing either. */
int store_redact_update(store_t *self, const char *id, const redact_msg_t *m,
                        const char *update_id, int *bad, char *err, size_t errlen);

#endif
