/*
 * NAME
 *   update_applied - which update envelopes storage has applied
 *
 * SUMMARY
 *   #include "update_applied.h"
 *
 *   if (!update_applied_before(rs, env->id)) { apply; update_applied_mark(rs, env->id); }
 *
 * DESCRIPTION
 *   Senders re-send an update not acked yet with the same envelope id
 *   (common/bus_update.c). With two classifiers or storages a copy can
 *   wait in a busy instance's queue and come after a later update of the
 *   same idea, which applying it again would undo. Storage marks each
 *   update it applied (UPDATE_APPLIED_KEY, for UPDATE_APPLIED_MS) and
 *   skips a marked one (services/storage/main.c); the classifier does not
 *   move a sketch for a marked one (services/classifier/cluster_correct.c).
 *   Key layout: docs/redis.md.
 *
 * OWNERSHIP
 *   Storage's key (services/storage/README.md); the classifier only reads
 *   it.
 */
#ifndef INSPRAAK_UPDATE_APPLIED_H
#define INSPRAAK_UPDATE_APPLIED_H

#include "rstore.h"

#define UPDATE_APPLIED_KEY "inspraak:update:applied:%s"
#define UPDATE_APPLIED_MS 3600000

/* 1 when the update with this envelope id was marked applied; 0 when not,
 * when id is NULL or empty, or when Redis cannot say. */
int update_applied_before(rstore_t *rs, const char *id);
/* Marks it applied for UPDATE_APPLIED_MS (nothing for a NULL or empty
 * id): 0, or -1 when Redis failed (storage then does not ack, so the
 * update comes again, is applied again, which changes nothing, and is
 * marked then: an unmarked applied update could be undone by a late copy). */
int update_applied_mark(rstore_t *rs, const char *id);

#endif
