/*
 * NAME
 *   ratelimit - a token bucket per client address (see ratelimit.h)
 *
 * DESCRIPTION
 *   Hand-written: a fixed open-addressing table of buckets is a few dozen
 *   lines, and none of the libraries in use offers one.
 */
#include "ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define RL_SLOTS 4096 /* addresses tracked at once */
#define RL_PROBE 8    /* slots looked at per address */
#define RL_ADDR 64    /* longest address kept (IPv6 text is at most 45) */

typedef struct {
    char addr[RL_ADDR];
    double tokens;
    int64_t last_ms;
    bool used;
} s_bucket_t;

struct ratelimit {
    pthread_mutex_t lock;
    double capacity;
    double per_ms;
    s_bucket_t slots[RL_SLOTS];
};

ratelimit_t *ratelimit_new(long per_minute)
{
    ratelimit_t *self = xcalloc(1, sizeof *self);
    pthread_mutex_init(&self->lock, NULL);
    self->capacity = per_minute > 0 ? (double)per_minute : 0;
    self->per_ms = self->capacity / 60000.0;
    return self;
}

void ratelimit_destroy(ratelimit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pthread_mutex_destroy(&(*self_p)->lock);
    free(*self_p);
    *self_p = NULL;
}

/* FNV-1a: spreads addresses over the table; not a defence against someone
 * choosing colliding addresses, which only costs them a fresh bucket. */
static uint32_t s_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static s_bucket_t *s_find(ratelimit_t *self, const char *addr, int64_t now_ms)
{
    uint32_t h = s_hash(addr);
    s_bucket_t *oldest = NULL;
    for (int i = 0; i < RL_PROBE; i++) {
        s_bucket_t *b = &self->slots[(h + (uint32_t)i) % RL_SLOTS];
        if (b->used && strcmp(b->addr, addr) == 0)
            return b;
        if (!b->used) {
            oldest = b;
            break;
        }
        if (!oldest || b->last_ms < oldest->last_ms)
            oldest = b;
    }
    snprintf(oldest->addr, sizeof oldest->addr, "%s", addr);
    oldest->tokens = self->capacity;
    oldest->last_ms = now_ms;
    oldest->used = true;
    return oldest;
}

bool ratelimit_allow(ratelimit_t *self, const char *addr, int64_t now_ms, int *retry_s)
{
    *retry_s = 0;
    if (self->capacity <= 0)
        return true;
    pthread_mutex_lock(&self->lock);
    s_bucket_t *b = s_find(self, addr ? addr : "", now_ms);
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * self->per_ms;
        if (b->tokens > self->capacity)
            b->tokens = self->capacity;
        b->last_ms = now_ms;
    }
    bool ok = b->tokens >= 1.0;
    if (ok) {
        b->tokens -= 1.0;
    } else {
        double wait_ms = (1.0 - b->tokens) / self->per_ms;
        /* Whole seconds, rounded up, ignoring float noise below 1 ms. */
        *retry_s = (int)((wait_ms + 999.0) / 1000.0);
        if (*retry_s < 1)
            *retry_s = 1;
    }
    pthread_mutex_unlock(&self->lock);
    return ok;
}
