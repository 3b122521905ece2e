/*
 * NAME
 *   shown - the keys that count the ideas the public sees (not hidden),
 *   per stats dimension, for /resultaten and the participation report;
 *   shared by storage (writes them) and the dashboard (reads them)
 *
 * DESCRIPTION
 *   Storage keeps, in the same write as each idea and in every
 *   moderation (docs/redis.md, "Shown counts";
 *   services/storage/store_shown.h):
 *     SHOWN_PREFIX<dim>  HASH value -> ideas not hidden with that value
 *                        (a field that falls to 0 is deleted), for each
 *                        dimension of SHOWN_DIMS; the values are those of
 *                        inspraak:stats:<dim> ("none" for no value);
 *     SHOWN_COUNTED      HASH ideas (ideas counted, hidden ones too),
 *                        state ("backfill" or "done");
 *     SHOWN_TODO         ZSET the ideas stored before these counts existed
 *                        and not yet counted (only during the backfill).
 *   The counts are to be trusted when SHOWN_COUNTED ideas equals ZCARD
 *   inspraak:ideas. "status" needs no hash of its own: its shown counts
 *   are inspraak:stats:status without the field "hidden".
 */
#ifndef INSPRAAK_SHOWN_H
#define INSPRAAK_SHOWN_H

#define SHOWN_PREFIX "inspraak:shown:"
#define SHOWN_COUNTED "inspraak:shown-counted"
#define SHOWN_TODO "inspraak:shown-todo"

/* The dimensions counted; "theme" has one entry per theme, "day" is
 * Heerlen's day of received_at as in inspraak:stats:day. */
#define SHOWN_DIMS                                                                                 \
    "channel", "wijk", "theme", "sentiment", "question", "target_group", "activity", "day"
#define SHOWN_NDIMS 8

#endif
