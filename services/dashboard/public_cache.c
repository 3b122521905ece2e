/*
 * NAME
 *   public_cache - the rendered public page /resultaten, kept while
 *   nothing it shows has changed
 *
 * DESCRIPTION
 *   /resultaten is public and linked from every feedback mail, so many
 *   residents may open it within minutes of a campaign. Rendering it reads
 *   the stats, the activities, the people counts and up to 1,000 approved
 *   ideas for quotes; with many hidden ideas that is hundreds of
 *   milliseconds of Redis work a request. Here one rendered copy is kept
 *   and served again while its version is unchanged and it is at most
 *   INSPRAAK_PUBLIC_CACHE_S seconds old (dash_t.public_cache_s; 0 turns
 *   the cache off).
 *
 *   The version is a BLAKE2b hash of what moves when the page would
 *   change, read in one pipelined round trip: the number of ideas, of
 *   hidden and of approved ideas, the newest activity, and the newest
 *   audit entry (every staff action that changes an idea, approves it,
 *   corrects its labels, redacts it or erases a person writes one, after
 *   storage confirmed it). A change none of these see (storage applying an
 *   update after the dashboard stopped waiting for its ack, and so wrote
 *   no audit entry) shows within the age limit. Logins write audit entries
 *   too, so they make the next visit render afresh: load, never a wrong
 *   page.
 *
 *   One copy for the process, under a mutex; two requests that miss at
 *   once both render (the later copy wins), which costs no more than
 *   without the cache.
 *
 * OWNERSHIP
 *   The dashboard (services/dashboard/README.md, "Public page").
 */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dashboard.h"
#include "xalloc.h"

static pthread_mutex_t s_mu = PTHREAD_MUTEX_INITIALIZER;
static char *s_body;
static size_t s_len;
static int64_t s_at_ms; /* clock_mono_ms() when it was rendered */
static char s_version[PUBLIC_CACHE_VERSION];

int public_cache_version(rstore_t *rs, char out[PUBLIC_CACHE_VERSION])
{
    static const char *const cmds[] = {
        "ZCARD " DASH_KEY_PREFIX "ideas",
        "ZCARD " DASH_KEY_PREFIX "ix:status:hidden",
        "ZCARD " DASH_KEY_PREFIX "ix:status:approved",
        "LINDEX " DASH_KEY_PREFIX "activities 0",
        "LINDEX " DASH_KEY_PREFIX "audit 0",
    };
    size_t n = sizeof cmds / sizeof cmds[0];
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        rc |= rstore_append(rs, cmds[i]);
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    for (size_t i = 0; i < n; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r) {
            rc = -1;
            continue;
        }
        if (r->type == REDIS_REPLY_ERROR) {
            rc = -1;
        } else if (r->type == REDIS_REPLY_STRING) {
            crypto_generichash_update(&h, (const unsigned char *)r->str, r->len);
        } else if (r->type == REDIS_REPLY_INTEGER) {
            char num[32];
            int len = snprintf(num, sizeof num, "%lld", r->integer);
            crypto_generichash_update(&h, (const unsigned char *)num, (size_t)len);
        } /* nil (no activity or audit entry yet): only the separator */
        crypto_generichash_update(&h, (const unsigned char *)"\x1f", 1); /* field separator */
        freeReplyObject(r);
    }
    unsigned char bin[16];
    crypto_generichash_final(&h, bin, sizeof bin);
    sodium_bin2hex(out, PUBLIC_CACHE_VERSION, bin, sizeof bin);
    return rc == 0 ? 0 : -1;
}

int public_cache_get(const dash_t *d, const char *version, http_res_t *res)
{
    if (d->public_cache_s <= 0)
        return 0;
    char *copy = NULL;
    size_t len = 0;
    pthread_mutex_lock(&s_mu);
    if (s_body && strcmp(s_version, version) == 0 &&
        clock_mono_ms() - s_at_ms < d->public_cache_s * 1000) {
        copy = xmalloc(s_len);
        memcpy(copy, s_body, s_len);
        len = s_len;
    }
    pthread_mutex_unlock(&s_mu);
    if (!copy)
        return 0;
    http_res_take(res, 200, "text/html; charset=utf-8", copy, len);
    page_headers(res);
    return 1;
}

void public_cache_put(const dash_t *d, const char *version, const char *body, size_t len)
{
    if (d->public_cache_s <= 0)
        return;
    char *copy = xmalloc(len ? len : 1);
    memcpy(copy, body, len);
    pthread_mutex_lock(&s_mu);
    free(s_body);
    s_body = copy;
    s_len = len;
    s_at_ms = clock_mono_ms();
    snprintf(s_version, sizeof s_version, "%s", version);
    pthread_mutex_unlock(&s_mu);
}
