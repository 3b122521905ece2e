/*
 * NAME
 *   ratelimit - a token bucket per client address, in bounded memory
 *
 * SUMMARY
 *   ratelimit_t *rl = ratelimit_new(30);          // 30 requests a minute
 *   int retry_s;
 *   if (!ratelimit_allow(rl, ip, now_ms, &retry_s)) answer 429, Retry-After: retry_s
 *   ratelimit_destroy(&rl);
 *
 * DESCRIPTION
 *   Each address gets a bucket of per_minute tokens that refills at
 *   per_minute tokens a minute; a request takes one token. The table has a
 *   fixed number of slots, so a flood of addresses cannot grow memory: when
 *   the slots an address hashes to are all taken, the one seen least
 *   recently is reused (that address then starts with a full bucket, which
 *   errs on the side of letting people in). per_minute 0 turns limiting off.
 *   Thread-safe (one mutex; the work under it is a few comparisons).
 *
 * OWNERSHIP
 *   ratelimit_new() returns an object freed by ratelimit_destroy().
 */
#ifndef INSPRAAK_RATELIMIT_H
#define INSPRAAK_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit ratelimit_t;

ratelimit_t *ratelimit_new(long per_minute);
void ratelimit_destroy(ratelimit_t **self_p);

/* True when the request may go ahead. When not, *retry_s holds the whole
 * seconds until the next token (at least 1). now_ms: a monotonic clock. */
bool ratelimit_allow(ratelimit_t *self, const char *addr, int64_t now_ms, int *retry_s);

#endif
