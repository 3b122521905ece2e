/*
 * NAME
 *   outbox - notify's durable outbox in Redis: receipts, and the steps
 *   every mail passes (campaigns: outbox_campaign.c)
 *
 * DESCRIPTION
 *   Every mail passes the same three steps, each one Redis call:
 *
 *     claim   the marker inspraak:notify:sent:<pid>:<purpose>:<key> (a
 *             hash) goes to state "claimed" BEFORE the mail is handed to
 *             SMTP; a marker already "sent", "bounced" or "abandoned"
 *             means: never again;
 *     send    SMTP or the Maildir outbox (mailout.h);
 *     finish  one Lua script sets the marker to "sent" (or "bounced") and
 *             removes the work item (and counts it, for a campaign).
 *
 *   A marker found "claimed" can only be left by a notify that died between
 *   claim and finish (one notify instance runs at a time): the mail may or
 *   may not have reached the server, so it is sent again, at most
 *   max_resend times (then "abandoned", so a mail that crashes notify
 *   cannot crash it forever). That is the duplicate window: a kill after
 *   the server's 250 and before finish gives the resident a second copy,
 *   with the same Message-ID. Everything else is exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "xalloc.h"

#define K "inspraak:notify:"

static const char s_enqueue_lua[] =
    "if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end\n"
    "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])\n"
    "redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[4])\n"
    "return 1\n";

static const char s_take_lua[] =
    "if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[1]) == 1 then\n"
    "  redis.call('RENAME', KEYS[1], KEYS[2])\n"
    "end\n"
    "return redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')\n";

/* 1 = go, 2 = go again after a crash, 0 = already done, -1 = abandoned */
static const char s_claim_lua[] =
    "local st = redis.call('HGET', KEYS[1], 'state')\n"
    "if not st or st == 'deferred' then\n"
    "  redis.call('HSET', KEYS[1], 'state', 'claimed', 'at', ARGV[1])\n"
    "  return 1\n"
    "end\n"
    "if st ~= 'claimed' then return 0 end\n"
    "if redis.call('HINCRBY', KEYS[1], 'resent', 1) > tonumber(ARGV[2]) then\n"
    "  redis.call('HSET', KEYS[1], 'state', 'abandoned', 'at', ARGV[1])\n"
    "  return -1\n"
    "end\n"
    "return 2\n";

/* receipt finish: marker state, drop the ideas this mail listed (the
 * first ARGV[5] of the batch, the ones s_take_lua returned); ideas past
 * the letter's limit go back to pending for the next receipt. Next due
 * time from what is pending now but never sooner than one period after
 * this mail. */
static const char s_finish_r_lua[] =
    "if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'state', ARGV[1], 'at', ARGV[2]) end\n"
    "redis.call('ZREMRANGEBYRANK', KEYS[2], 0, tonumber(ARGV[5]) - 1)\n"
    "if redis.call('EXISTS', KEYS[2]) == 1 then\n"
    "  redis.call('ZUNIONSTORE', KEYS[3], 2, KEYS[3], KEYS[2], 'AGGREGATE', 'MIN')\n"
    "  redis.call('DEL', KEYS[2])\n"
    "end\n"
    "local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')\n"
    "if #first == 0 then redis.call('ZREM', KEYS[4], ARGV[3]) else\n"
    "  local t = math.max(tonumber(first[2]), tonumber(ARGV[2])) + tonumber(ARGV[4])\n"
    "  redis.call('ZADD', KEYS[4], t, ARGV[3])\n"
    "end\n"
    "return 1\n";

/* 4xx: marker "deferred" (claimable again), counted; returns the count. */
static const char s_defer_lua[] =
    "redis.call('HSET', KEYS[1], 'state', 'deferred', 'at', ARGV[1])\n"
    "return redis.call('HINCRBY', KEYS[1], 'tempfails', 1)\n";

long long outbox_eval(notify_t *n, const char *script, int nkeys, const char **kv, int total)
{
    const char *argv[16];
    size_t lens[16];
    char nk[8];
    snprintf(nk, sizeof nk, "%d", nkeys);
    argv[0] = "EVAL", argv[1] = script, argv[2] = nk;
    for (int i = 0; i < total; i++)
        argv[3 + i] = kv[i];
    for (int i = 0; i < total + 3; i++)
        lens[i] = strlen(argv[i]);
    redisReply *r = rstore_cmdargv(n->rs, total + 3, argv, lens);
    if (!r) {
        char q[200];
        metric_inc(n->m_errors);
        log_warn("msg=\"redis script failed\" err=%s", log_quote(q, sizeof q, rstore_error(n->rs)));
        return -9;
    }
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    return v;
}

int outbox_answers_mail(const idea_t *idea)
{
    return idea->channel && strcmp(idea->channel, "email") == 0 && idea->source.message_id &&
           idea->source.message_id[0];
}

int outbox_enqueue(notify_t *n, const char *idea_id, const char *pid, int answers_mail)
{
    redisReply *r = rstore_cmd(n->rs, "HMGET inspraak:participant:%s consent_feedback email", pid);
    if (!r)
        return -1;
    int ok = r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->str;
    int consent = ok && r->element[0]->str && strcmp(r->element[0]->str, "1") == 0;
    freeReplyObject(r);
    /* A mail is answered even without consent_feedback: the sender asked
     * us by writing (docs/privacy.md). letter_receipt() then lists only
     * mail ideas and still skips unsubscribed participants. */
    if (!ok || (!consent && !answers_mail))
        return 0; /* no consent or no address: no receipt, nothing kept */
    char pending[128], now[32], due[32];
    int64_t t = clock_wall_ms();
    snprintf(pending, sizeof pending, K "receipt-pending:%s", pid);
    snprintf(now, sizeof now, "%lld", (long long)t);
    snprintf(due, sizeof due, "%lld", (long long)(t + n->batch_ms));
    const char *kv[] = {K "receipt-seen", pending, K "receipt-due", idea_id, now, due, pid};
    long long v = outbox_eval(n, s_enqueue_lua, 3, kv, 7);
    if (v == 1) {
        char q[96];
        log_info("msg=\"receipt queued\" id=%s pid=%s", log_quote(q, sizeof q, idea_id), pid);
    }
    return v == -9 ? -1 : 0;
}

/* The ideas' records only hold the pid; an idea is decoded to find it. */
static int s_scan_one(notify_t *n, const char *id)
{
    redisReply *r = rstore_cmd(n->rs, "GET inspraak:idea:%s", id);
    if (!r)
        return -1;
    idea_t idea;
    proto_err_t perr;
    idea_init(&idea);
    int rc = 0;
    if (r->type == REDIS_REPLY_STRING && idea_decode(r->str, r->len, &idea, &perr) == 0 &&
        idea.participant_id && strlen(idea.participant_id) < 64)
        rc = outbox_enqueue(n, id, idea.participant_id, outbox_answers_mail(&idea));
    idea_clear(&idea);
    freeReplyObject(r);
    return rc;
}

int outbox_scan(notify_t *n)
{
    redisReply *w = rstore_cmd(n->rs, "GET " K "watermark");
    if (!w)
        return -1;
    /* First start: only ideas from the last slack period get a receipt,
     * not everything that was stored before notify existed. */
    long long mark = w->type == REDIS_REPLY_STRING ? atoll(w->str) : (long long)clock_wall_ms();
    freeReplyObject(w);
    /* Storage writes ideas with the intake's received_at, which can lie
     * before the watermark (a spool replayed late): look back slack_ms. */
    long long from = mark - n->slack_ms, top = mark;
    /* Pages of 500: the next page starts AT the last score, skipping the
     * ids of that score already read (skip). Ideas share a received_at
     * (a field batch, collected_at in whole seconds); starting after the
     * last score lost the rest of a tie cut by the page's end. */
    long long skip = 0;
    int after = 1; /* the first page: scores above from only */
    for (;;) {
        redisReply *r = rstore_cmd(n->rs, "ZRANGEBYSCORE inspraak:ideas %s%lld +inf WITHSCORES "
                                          "LIMIT %lld 500", after ? "(" : "", from, skip);
        if (!r)
            return -1;
        size_t cnt = r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0;
        long long last = from, same = 0;
        for (size_t i = 0; i < cnt; i++) {
            const char *id = r->element[2 * i]->str;
            long long sc = atoll(r->element[2 * i + 1]->str);
            if (!id || s_scan_one(n, id) < 0) {
                freeReplyObject(r);
                return -1;
            }
            same = i > 0 && sc == last ? same + 1 : 1;
            last = sc;
            top = sc > top ? sc : top;
        }
        freeReplyObject(r);
        if (cnt < 500 || *n->stop)
            break;
        if (!after && last == from) {
            skip += same; /* the whole page was one score: go further into it */
        } else {
            from = last;
            skip = same;
        }
        after = 0;
    }
    redisReply *s = rstore_cmd(n->rs, "SET " K "watermark %lld", top);
    if (!s)
        return -1;
    freeReplyObject(s);
    return 0;
}

/* --- sending ---------------------------------------------------------- */

static void s_bounce(notify_t *n, const char *pid, const char *what, const char *why)
{
    char *v = xasprintf("%lld %s %s", (long long)clock_wall_ms(), what, why);
    redisReply *r = rstore_cmd(n->rs, "HSET " K "bounced %s %s", pid, v);
    if (r)
        freeReplyObject(r);
    free(v);
    metric_inc(n->m_bounced);
}

/* A hard bounce: the server refused the address itself. The participant
 * record gets email_bounced_at and the reason, and letter.c mails that
 * record no more (receipts and campaigns); only while it still holds the
 * address that bounced. */
static const char s_hard_bounce_lua[] =
    "if redis.call('HGET', KEYS[1], 'email') ~= ARGV[1] then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'email_bounced_at', ARGV[2], 'email_bounce', ARGV[3])\n"
    "return 1\n";

static void s_hard_bounce(notify_t *n, const letter_t *l, const char *err)
{
    char key[128], now[32];
    snprintf(key, sizeof key, "inspraak:participant:%s", l->pid);
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    const char *kv[] = {key, l->to_addr, now, err};
    if (outbox_eval(n, s_hard_bounce_lua, 1, kv, 4) == 1)
        log_warn("msg=\"address refused: no more mail to it\" pid=%s", l->pid);
}

deliver_t outbox_deliver(notify_t *n, const letter_t *l, const char *marker, const char *what,
                         long long *later)
{
    char now[32], maxr[16], err[300], q[300];
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    snprintf(maxr, sizeof maxr, "%ld", n->max_resend);
    const char *kv[] = {marker, now, maxr};
    long long c = outbox_eval(n, s_claim_lua, 1, kv, 3);
    if (c == -9)
        return D_ERROR;
    if (c == 0)
        return D_DONE_BEFORE;
    if (c == -1) {
        log_error("msg=\"mail abandoned: notify died while sending it too often\" mail=%s pid=%s",
                  what, l->pid);
        s_bounce(n, l->pid, what, "abandoned after repeated crashes");
        return D_DONE_BEFORE;
    }
    if (c == 2) {
        metric_inc(n->m_resent);
        log_warn("msg=\"sending again: the previous attempt was cut off\" mail=%s pid=%s", what,
                 l->pid);
    }
    char *msg = NULL;
    size_t len = 0;
    if (letter_mime(&n->ls, l, &msg, &len, err, sizeof err) < 0) {
        log_error("msg=\"cannot build mail\" mail=%s pid=%s err=%s", what, l->pid,
                  log_quote(q, sizeof q, err));
        s_bounce(n, l->pid, what, err);
        return D_BOUNCED;
    }
    mailout_result_t res = mailout_send(n->mo, l->to_addr, msg, len, err, sizeof err);
    free(msg);
    if (res == MAILOUT_OK) {
        metric_inc(n->m_sent);
        log_info("msg=\"mail sent\" mail=%s pid=%s via=%s", what, l->pid, mailout_kind(n->mo));
        return D_SENT;
    }
    if (res == MAILOUT_PERM || res == MAILOUT_PERM_RCPT) {
        log_warn("msg=\"mail refused: bounce recorded\" mail=%s pid=%s err=%s", what, l->pid,
                 log_quote(q, sizeof q, err));
        s_bounce(n, l->pid, what, err);
        if (res == MAILOUT_PERM_RCPT)
            s_hard_bounce(n, l, err);
        return D_BOUNCED;
    }
    long long tries = outbox_eval(n, s_defer_lua, 1, kv, 2);
    if (tries == -9)
        return D_ERROR;
    if (tries >= n->retries) {
        log_warn("msg=\"mail given up after temporary failures\" mail=%s pid=%s tries=%lld err=%s",
                 what, l->pid, tries, log_quote(q, sizeof q, err));
        s_bounce(n, l->pid, what, err);
        return D_BOUNCED;
    }
    long long delay = n->retry_ms;
    for (long long i = 1; i < tries && delay < 3600000; i++)
        delay *= 2;
    *later = clock_wall_ms() + (delay > 3600000 ? 3600000 : delay);
    metric_inc(n->m_deferred);
    log_warn("msg=\"mail deferred\" mail=%s pid=%s tries=%lld retry_in_ms=%lld err=%s", what,
             l->pid, tries, *later - clock_wall_ms(), log_quote(q, sizeof q, err));
    return D_DEFERRED;
}

/* --- receipts --------------------------------------------------------- */

static int s_receipt(notify_t *n, const char *pid)
{
    char pending[128], inflight[128], marker[256], what[160], err[200], now[32], bms[32], max[16];
    snprintf(pending, sizeof pending, K "receipt-pending:%s", pid);
    snprintf(inflight, sizeof inflight, K "receipt-inflight:%s", pid);
    redisReply *r = rstore_cmd(n->rs, "EVAL %s 2 %s %s %d", s_take_lua, pending, inflight,
                               LETTER_MAX_IDEAS);
    if (!r)
        return -1;
    size_t cnt = r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0;
    const char *ids[LETTER_MAX_IDEAS];
    for (size_t i = 0; i < cnt; i++)
        ids[i] = r->element[2 * i]->str;
    /* The batch key is the first-seen time of its oldest idea: the same
     * batch after a crash gets the same marker. */
    snprintf(what, sizeof what, "receipt:%s", cnt ? r->element[1]->str : "0");
    snprintf(marker, sizeof marker, K "sent:%s:%s", pid, what);
    letter_t l;
    int c = cnt ? letter_receipt(n->rs, &n->ls, pid, ids, cnt, cnt ? r->element[1]->str : "0", &l,
                                 err, sizeof err)
                : 1;
    freeReplyObject(r);
    if (c < 0)
        return -1;
    const char *state = "";
    long long later = 0;
    if (c == 1) {
        metric_inc(n->m_skipped);
        log_info("msg=\"no receipt\" pid=%s why=%s", pid, err);
    } else {
        deliver_t d = outbox_deliver(n, &l, marker, what, &later);
        letter_clear(&l);
        if (d == D_ERROR)
            return -1;
        if (d == D_DEFERRED) {
            r = rstore_cmd(n->rs, "ZADD " K "receipt-due %lld %s", later, pid);
            if (r)
                freeReplyObject(r);
            return r ? 0 : -1;
        }
        state = d == D_SENT ? "sent" : d == D_BOUNCED ? "bounced" : "";
    }
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    snprintf(bms, sizeof bms, "%ld", n->batch_ms);
    snprintf(max, sizeof max, "%d", LETTER_MAX_IDEAS);
    const char *kv[] = {marker, inflight, pending, K "receipt-due", state, now, pid, bms, max};
    return outbox_eval(n, s_finish_r_lua, 4, kv, 9) == -9 ? -1 : 0;
}

int outbox_receipts(notify_t *n, int max)
{
    redisReply *r = rstore_cmd(n->rs, "ZRANGEBYSCORE " K "receipt-due -inf %lld LIMIT 0 %d",
                               (long long)clock_wall_ms(), max);
    if (!r)
        return -1;
    int done = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && !*n->stop; i++) {
        const char *pid = r->element[i]->str;
        if (!pid || strlen(pid) > 64)
            continue;
        if (s_receipt(n, pid) < 0) {
            freeReplyObject(r);
            return -1;
        }
        done++;
    }
    freeReplyObject(r);
    return done;
}
