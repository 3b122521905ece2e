/*
 * NAME
 *   outbox_campaign - notify's campaigns: list the recipients, one mail
 *   each, through the outbox's claim -> send -> finish (outbox.c)
 *
 * DESCRIPTION
 *   A running campaign (inspraak:campaign:<id>, state "running") is listed
 *   once into inspraak:campaign:<id>:todo (pid -> not before), then
 *   advanced a few recipients per turn; a mail to someone whose receipt
 *   for an idea the mail lists is pending waits for it (s_receipt_first).
 *   The campaign is "done" when todo is empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "notify.h"

#define K "inspraak:notify:"

/* campaign finish: marker state, drop from todo, count once. */
static const char s_finish_c_lua[] =
    "if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'state', ARGV[1], 'at', ARGV[2]) end\n"
    "if redis.call('ZREM', KEYS[2], ARGV[3]) == 1 then\n"
    "  redis.call('HINCRBY', KEYS[3], ARGV[4], 1)\n"
    "end\n"
    "return 1\n";

/* Puts every participant into the campaign's todo set once. SCAN may
 * return a key twice; ZADD NX makes that harmless, and a crash halfway
 * just scans again. */
static int s_populate(notify_t *n, const char *cid)
{
    char todo[128];
    snprintf(todo, sizeof todo, "inspraak:campaign:%s:todo", cid);
    char cursor[32] = "0";
    do {
        redisReply *r = rstore_cmd(n->rs, "SCAN %s MATCH inspraak:participant:* COUNT 1000", cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject(r);
            return -1;
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str ? r->element[0]->str : "0");
        redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++) {
            const char *pid = keys->element[i]->str + strlen("inspraak:participant:");
            redisReply *z = rstore_cmd(n->rs, "ZADD %s NX 0 %s", todo, pid);
            if (!z) {
                freeReplyObject(r);
                return -1;
            }
            freeReplyObject(z);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0 && !*n->stop);
    if (*n->stop)
        return -1;
    /* listed_at: the campaign mail is due from now on; it lists the ideas
     * received until now and waits for their receipts only. */
    redisReply *r = rstore_cmd(n->rs, "EVAL %s 2 inspraak:campaign:%s %s %lld",
                               "redis.call('HSETNX', KEYS[1], 'listed_at', ARGV[1]) "
                               "redis.call('HSET', KEYS[1], 'populated', '1', 'total', "
                               "redis.call('ZCARD', KEYS[2])) return 1",
                               cid, todo, (long long)clock_wall_ms());
    if (!r)
        return -1;
    freeReplyObject(r);
    log_info("msg=\"campaign recipients listed\" campaign=%s", cid);
    return 0;
}

/* The participant's ideas that the next scan would queue for a receipt
 * and that were not yet (their event dropped, the scan not there yet):
 * not in receipt-seen, received after watermark - slack, as in
 * outbox_scan. */
static const char s_unqueued_lua[] =
    "local mark = tonumber(redis.call('GET', KEYS[4]) or ARGV[1])\n"
    "local from, out = mark - tonumber(ARGV[2]), {}\n"
    "for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do\n"
    "  if redis.call('SISMEMBER', KEYS[2], id) == 0 then\n"
    "    local sc = redis.call('ZSCORE', KEYS[3], id)\n"
    "    if sc and tonumber(sc) > from then out[#out + 1] = id end\n"
    "  end\n"
    "end\n"
    "return out\n";

/* A pending receipt (KEYS[3] pending, KEYS[4] in flight) for an idea
 * received by the campaign's listed_at (KEYS[6]), so one its mail lists
 * (letter_campaign), puts the campaign mail off until the receipt's due
 * time: 1 = wait, 0 = go. Later ideas, and ideas no longer stored, do not
 * hold it: they are not in the mail. */
static const char s_after_receipt_lua[] =
    "local due = redis.call('ZSCORE', KEYS[1], ARGV[1])\n"
    "if not due then return 0 end\n"
    "local upto = tonumber(redis.call('HGET', KEYS[6], 'listed_at') or '') or math.huge\n"
    "for _, k in ipairs({KEYS[3], KEYS[4]}) do\n"
    "  for _, id in ipairs(redis.call('ZRANGE', k, 0, -1)) do\n"
    "    local at = redis.call('ZSCORE', KEYS[5], id)\n"
    "    if at and tonumber(at) <= upto then\n"
    "      redis.call('ZADD', KEYS[2], 'XX', due, ARGV[1])\n"
    "      return 1\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return 0\n";

/* A resident hears "we received your idea" before "what we did with your
 * ideas": a campaign mail to pid waits while a receipt for an idea it
 * lists is pending (batched for batch_ms, or deferred by a 4xx), and goes
 * out on a later turn, after it. It lists the ideas received up to the
 * campaign's listed_at, so a resident who keeps sending ideas does not
 * keep it waiting: the receipts for those are finite, later ideas get
 * their receipt after the campaign mail. Ideas the scan would still queue
 * are queued first (the same outbox_enqueue, idempotent on
 * receipt-seen). Only the todo score changes, so a kill at any point
 * loses and doubles nothing. Returns 1 when the mail waits, 0 when it may
 * go, -1 on a Redis error. */
static int s_receipt_first(notify_t *n, const char *pid, const char *todo, const char *camp)
{
    char ideas[128], now[32], slack[32], pending[128], inflight[128];
    snprintf(ideas, sizeof ideas, "inspraak:participant-ideas:%s", pid);
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    snprintf(slack, sizeof slack, "%ld", n->slack_ms);
    redisReply *r = rstore_cmd(n->rs, "EVAL %s 4 %s %s inspraak:ideas %s %s %s", s_unqueued_lua,
                               ideas, K "receipt-seen", K "watermark", now, slack);
    if (!r)
        return -1;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        /* answers_mail 0: a campaign needs consent, and with consent the
         * idea is queued either way; without, the scan queues it. */
        if (r->element[i]->str && outbox_enqueue(n, r->element[i]->str, pid, 0) < 0) {
            freeReplyObject(r);
            return -1;
        }
    }
    freeReplyObject(r);
    snprintf(pending, sizeof pending, K "receipt-pending:%s", pid);
    snprintf(inflight, sizeof inflight, K "receipt-inflight:%s", pid);
    const char *kv[] = {K "receipt-due", todo, pending, inflight, "inspraak:ideas", camp, pid};
    long long w = outbox_eval(n, s_after_receipt_lua, 6, kv, 7);
    return w == -9 ? -1 : w == 1;
}

static int s_campaign_one(notify_t *n, const char *cid, const char *pid)
{
    char todo[128], camp[128], marker[256], what[160], err[200], now[32];
    snprintf(todo, sizeof todo, "inspraak:campaign:%s:todo", cid);
    snprintf(camp, sizeof camp, "inspraak:campaign:%s", cid);
    snprintf(what, sizeof what, "campaign:%s", cid);
    snprintf(marker, sizeof marker, K "sent:%s:%s", pid, what);
    letter_t l;
    int c = letter_campaign(n->rs, &n->ls, cid, pid, &l, err, sizeof err);
    if (c < 0)
        return -1;
    const char *state = "", *counter = "skipped";
    if (c == 0) {
        int w = s_receipt_first(n, pid, todo, camp);
        if (w != 0) {
            letter_clear(&l);
            if (w == 1)
                log_info("msg=\"campaign mail waits for the receipt\" campaign=%s pid=%s", cid,
                         pid);
            return w;
        }
        long long later = 0;
        deliver_t d = outbox_deliver(n, &l, marker, what, &later);
        letter_clear(&l);
        if (d == D_ERROR)
            return -1;
        if (d == D_DEFERRED) {
            redisReply *r = rstore_cmd(n->rs, "ZADD %s XX %lld %s", todo, later, pid);
            if (r)
                freeReplyObject(r);
            return r ? 0 : -1;
        }
        if (d == D_SENT)
            state = "sent", counter = "sent";
        else if (d == D_BOUNCED)
            state = "bounced", counter = "bounced";
        else
            counter = "sent"; /* done by an earlier run */
    } else {
        metric_inc(n->m_skipped);
        log_debug("msg=\"campaign skips participant\" campaign=%s pid=%s why=%s", cid, pid, err);
    }
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    const char *kv[] = {marker, todo, camp, state, now, pid, counter};
    return outbox_eval(n, s_finish_c_lua, 3, kv, 7) == -9 ? -1 : 0;
}

/* One running campaign: up to max recipients. Returns the number handled. */
static int s_campaign(notify_t *n, const char *cid, int max)
{
    redisReply *r = rstore_cmd(n->rs, "HMGET inspraak:campaign:%s state populated listed_at", cid);
    if (!r)
        return -1;
    int running = r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element[0]->str &&
                  strcmp(r->element[0]->str, "running") == 0;
    int populated = running && r->element[1]->str && strcmp(r->element[1]->str, "1") == 0;
    int listed = populated && r->element[2]->str;
    freeReplyObject(r);
    if (!running)
        return 0;
    if (!populated && s_populate(n, cid) < 0)
        return -1;
    if (populated && !listed) { /* listed by a notify before listed_at */
        r = rstore_cmd(n->rs, "HSETNX inspraak:campaign:%s listed_at %lld", cid,
                       (long long)clock_wall_ms());
        if (!r)
            return -1;
        freeReplyObject(r);
    }
    r = rstore_cmd(n->rs, "ZRANGEBYSCORE inspraak:campaign:%s:todo -inf %lld LIMIT 0 %d", cid,
                   (long long)clock_wall_ms(), max);
    if (!r)
        return -1;
    int done = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && !*n->stop; i++) {
        if (s_campaign_one(n, cid, r->element[i]->str) < 0) {
            freeReplyObject(r);
            return -1;
        }
        done++;
    }
    freeReplyObject(r);
    /* Done when nothing is left (deferred recipients are still in todo). */
    r = rstore_cmd(n->rs,
                   "EVAL %s 2 inspraak:campaign:%s inspraak:campaign:%s:todo %lld",
                   "if redis.call('HGET', KEYS[1], 'state') == 'running' and "
                   "redis.call('ZCARD', KEYS[2]) == 0 then "
                   "redis.call('HSET', KEYS[1], 'state', 'done', 'done_at', ARGV[1]) return 1 end "
                   "return 0",
                   cid, cid, (long long)clock_wall_ms());
    if (!r)
        return -1;
    if (r->type == REDIS_REPLY_INTEGER && r->integer == 1)
        log_info("msg=\"campaign done\" campaign=%s", cid);
    freeReplyObject(r);
    return done;
}

int outbox_campaigns(notify_t *n, int max)
{
    redisReply *r = rstore_cmd(n->rs, "ZRANGE inspraak:campaigns 0 -1");
    if (!r)
        return -1;
    int total = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && !*n->stop; i++) {
        const char *cid = r->element[i]->str;
        if (!cid || strlen(cid) > 40)
            continue;
        int d = s_campaign(n, cid, max);
        if (d < 0) {
            freeReplyObject(r);
            return -1;
        }
        total += d;
    }
    freeReplyObject(r);
    return total;
}
