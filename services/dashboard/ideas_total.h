/*
 * NAME
 *   ideas_total.h - the "total" of a filtered idea list with two or more
 *   equality filters (owned by the dashboard; see ideas_total.c)
 */
#ifndef INSPRAAK_IDEAS_TOTAL_H
#define INSPRAAK_IDEAS_TOTAL_H

#include <stdint.h>

#include "query.h"
#include "rstore.h"

/* Sets *total to the number of ideas matching q's equality filters (two
 * or more, nothing else): storage's pair counts when usable, else a
 * ZINTERCARD, cached a few seconds when the smallest index (of `smallest`
 * members) is large. Returns 0, or -1 when Redis failed. */
int ideas_total_eq(rstore_t *rs, const query_t *q, long long smallest, int64_t *total);

#endif
