/*
 * NAME
 *   reach - how many people took part, for the public page /resultaten:
 *   distinct participant ids of the ideas not hidden, plus one per idea
 *   without a participant
 *
 * DESCRIPTION
 *   Redis has no index by participant, so the dashboard keeps its own
 *   counter state, derived from the idea records (no personal data: the
 *   pid is the pseudonym the ideas already carry):
 *     inspraak:reach:pids   HASH pid -> number of ideas with that pid
 *     inspraak:reach:state  HASH counted (ideas counted), anon (ideas
 *                           without a pid), upto (highest received_at ms
 *                           counted)
 *   Ideas are only ever added (never deleted; an erased participant's
 *   ideas keep the pid), so a request only reads the ideas stored since
 *   the last count: when ZCARD inspraak:ideas - counted equals the ideas
 *   scored above upto, those are the new ones (records read in chunks of
 *   S_CHUNK with pipelined GETs); otherwise (an idea came in with an older
 *   received_at) everything is counted again in one pass. The new state
 *   is written in one MULTI under WATCH, so two requests (or two dashboard
 *   processes) never count the same ideas twice; within one process the
 *   counting is done by one request at a time, and the others meanwhile
 *   answer from the state as it was (reach_people).
 *
 *   Hidden ideas (status "hidden") are left out as on the rest of the page:
 *   a pid whose every idea is hidden, and a hidden idea without a pid, are
 *   not counted. Reading every hidden record on each request would cost
 *   ~0.45 s with 33,000 hidden ideas, so their share is kept in the state
 *   too (hidden_n, hidden_anon, hidden_pids, hidden_at) and read again only
 *   when ZCARD ix:status:hidden differs from hidden_n or after
 *   S_HIDDEN_TTL_S (an idea hidden and another shown between two requests
 *   leave the number unchanged; a person whose ideas were all hidden and
 *   who sends a new one is counted again at the latest then).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

#define S_PIDS DASH_KEY_PREFIX "reach:pids"
#define S_STATE DASH_KEY_PREFIX "reach:state"
#define S_CHUNK 1000
/* The hidden ideas' share is read again when their number changed or after
 * this many seconds (an idea hidden and another shown between two requests
 * leave the number as it was). */
#define S_HIDDEN_TTL_S 600

static pthread_mutex_t s_update_mu = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
    json_t *pids;   /* pid -> n, counted in this pass */
    long long anon; /* ideas without a pid in this pass */
    long long n;    /* ideas read */
} s_pass_t;

/* The participant ids of the records of ids (a Redis array of idea ids):
 * counted into pass. 0, or -1 (Redis). */
static int s_read(rstore_t *rs, redisReply *ids, s_pass_t *pass)
{
    for (size_t i = 0; i < ids->elements; i++)
        if (rstore_append(rs, "GET " DASH_KEY_PREFIX "idea:%b", ids->element[i]->str,
                          ids->element[i]->len) < 0)
            return -1;
    for (size_t i = 0; i < ids->elements; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r)
            return -1;
        idea_t it;
        proto_err_t err;
        if (r->type == REDIS_REPLY_STRING && idea_decode(r->str, r->len, &it, &err) == 0) {
            if (it.participant_id && it.participant_id[0]) {
                json_t *v = json_object_get(pass->pids, it.participant_id);
                json_object_set_new(pass->pids, it.participant_id,
                                    json_integer(json_integer_value(v) + 1));
            } else {
                pass->anon++;
            }
            idea_clear(&it);
        }
        pass->n++;
        freeReplyObject(r);
    }
    return 0;
}

static long long s_int(redisReply *r)
{
    if (!r)
        return -1;
    if (r->type == REDIS_REPLY_INTEGER)
        return r->integer;
    if (r->type == REDIS_REPLY_STRING)
        return strtoll(r->str, NULL, 10);
    return 0; /* nil: not counted yet */
}

/* Reads the ideas scored in (from, to] in chunks (offsets within a fixed
 * upper bound, so ideas arriving meanwhile above `to` do not shift them). */
static int s_walk(rstore_t *rs, const char *from, long long to, s_pass_t *pass)
{
    for (long long off = 0;; off += S_CHUNK) {
        redisReply *ids =
            rstore_cmd(rs, "ZRANGEBYSCORE " DASH_KEY_PREFIX "ideas %s %lld LIMIT %lld %d", from, to,
                       off, S_CHUNK);
        if (!ids || ids->type != REDIS_REPLY_ARRAY) {
            if (ids)
                freeReplyObject(ids);
            return -1;
        }
        size_t n = ids->elements;
        int rc = s_read(rs, ids, pass);
        freeReplyObject(ids);
        if (rc < 0)
            return -1;
        if (n < S_CHUNK)
            return 0;
    }
}

/* Writes the pass into the state: WATCH was set on the state key. */
static int s_commit(rstore_t *rs, const s_pass_t *pass, int full, long long counted, long long anon,
                    long long upto)
{
    int rc = rstore_append(rs, "MULTI");
    if (full)
        rc |= rstore_append(rs, "DEL " S_PIDS);
    const char *pid;
    json_t *v;
    json_object_foreach(pass->pids, pid, v) rc |=
        rstore_append(rs, "HINCRBY " S_PIDS " %s %lld", pid, (long long)json_integer_value(v));
    rc |=
        rstore_append(rs, "HSET " S_STATE " counted %lld anon %lld upto %lld", counted, anon, upto);
    rc |= rstore_append(rs, "EXEC");
    size_t replies = 3 + (full ? 1 : 0) + json_object_size(pass->pids);
    int ok = rc == 0;
    for (size_t i = 0; i < replies; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r)
            return -1;
        freeReplyObject(r); /* an EXEC that answers nil: another request counted first */
    }
    return ok ? 0 : -1;
}

/* Brings the state up to date with inspraak:ideas. 0, or -1 (Redis). */
static int s_update(rstore_t *rs)
{
    redisReply *w = rstore_cmd(rs, "WATCH " S_STATE);
    if (!w)
        return -1;
    freeReplyObject(w);
    rstore_append(rs, "HMGET " S_STATE " counted anon upto");
    rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ideas");
    rstore_append(rs, "ZRANGE " DASH_KEY_PREFIX "ideas -1 -1 WITHSCORES");
    redisReply *st = rstore_reply(rs), *card = rstore_reply(rs), *last = rstore_reply(rs);
    int rc = -1;
    if (!st || st->type != REDIS_REPLY_ARRAY || st->elements != 3 || !card ||
        card->type != REDIS_REPLY_INTEGER || !last || last->type != REDIS_REPLY_ARRAY)
        goto out;
    long long counted = s_int(st->element[0]), anon = s_int(st->element[1]),
              upto = s_int(st->element[2]), total = card->integer;
    long long top = last->elements == 2 ? strtoll(last->element[1]->str, NULL, 10) : 0;
    rc = 0;
    if (counted == total)
        goto out;
    char from[32] = "-inf";
    int full = 1;
    if (counted > 0 && counted < total) {
        redisReply *c = rstore_cmd(rs, "ZCOUNT " DASH_KEY_PREFIX "ideas (%lld %lld", upto, top);
        if (c && c->type == REDIS_REPLY_INTEGER && c->integer == total - counted) {
            snprintf(from, sizeof from, "(%lld", upto);
            full = 0;
        }
        if (c)
            freeReplyObject(c);
    }
    s_pass_t pass = {json_object(), 0, 0};
    rc = s_walk(rs, from, top, &pass);
    /* An idea stored meanwhile with an older received_at shifts the
     * chunks: then nothing is written, and the next request counts again. */
    redisReply *c =
        rc == 0 ? rstore_cmd(rs, "ZCOUNT " DASH_KEY_PREFIX "ideas %s %lld", from, top) : NULL;
    if (rc == 0 && (!c || c->type != REDIS_REPLY_INTEGER))
        rc = -1;
    else if (rc == 0 && c->integer != pass.n)
        rc = 1;
    if (c)
        freeReplyObject(c);
    if (rc == 1)
        rc = 0;
    else if (rc == 0 && full)
        rc = s_commit(rs, &pass, 1, pass.n, pass.anon, top);
    else if (rc == 0)
        rc = s_commit(rs, &pass, 0, counted + pass.n, anon + pass.anon, top);
    json_decref(pass.pids);
out:
    if (st)
        freeReplyObject(st);
    if (card)
        freeReplyObject(card);
    if (last)
        freeReplyObject(last);
    redisReply *u = rstore_cmd(rs, "UNWATCH");
    if (u)
        freeReplyObject(u);
    return rc;
}

/* The hidden ideas: *anon_hidden without a pid, *pids_hidden the pids all
 * of whose ideas are hidden. 0, or -1 (Redis). */
static int s_hidden(rstore_t *rs, long long *anon_hidden, long long *pids_hidden)
{
    redisReply *ids = rstore_cmd(rs, "ZRANGE " DASH_KEY_PREFIX "ix:status:hidden 0 -1");
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        if (ids)
            freeReplyObject(ids);
        return -1;
    }
    s_pass_t pass = {json_object(), 0, 0};
    int rc = s_read(rs, ids, &pass);
    freeReplyObject(ids);
    size_t n = json_object_size(pass.pids), i = 0;
    const char **pids = xcalloc(n ? n : 1, sizeof *pids);
    const char *pid;
    json_t *v;
    json_object_foreach(pass.pids, pid, v) pids[i++] = pid;
    for (i = 0; i < n && rc == 0; i++)
        rc = rstore_append(rs, "HGET " S_PIDS " %s", pids[i]);
    *anon_hidden = pass.anon;
    *pids_hidden = 0;
    for (i = 0; i < n && rc == 0; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r) {
            rc = -1;
            break;
        }
        long long all = s_int(r);
        if (all > 0 && all <= json_integer_value(json_object_get(pass.pids, pids[i])))
            (*pids_hidden)++; /* every idea of this person is hidden */
        freeReplyObject(r);
    }
    free(pids);
    json_decref(pass.pids);
    return rc;
}

/* Fields of a reply array as integers (nil: -1). */
static long long s_field(redisReply *r, size_t i)
{
    return r && r->type == REDIS_REPLY_ARRAY && i < r->elements &&
                   r->element[i]->type == REDIS_REPLY_STRING
               ? strtoll(r->element[i]->str, NULL, 10)
               : -1;
}

long long reach_people(rstore_t *rs, long long *anon_out)
{
    /* One count at a time in this process. A request that comes in while
     * another counts does not wait for it (a full count after an idea
     * with an older received_at reads every record: ~4 s at 100,000
     * ideas) but answers from the state as last written: the page says
     * "ongeveer", and the next request sees the new count. Only before
     * the very first count is written does it wait (else it would say
     * "0 mensen"). */
    int locked = pthread_mutex_trylock(&s_update_mu) == 0;
    if (!locked) { /* before the first count there is no state to answer from */
        redisReply *c = rstore_cmd(rs, "HEXISTS " S_STATE " counted");
        int counted = c && c->type == REDIS_REPLY_INTEGER && c->integer == 1;
        if (c)
            freeReplyObject(c);
        if (!counted) {
            pthread_mutex_lock(&s_update_mu);
            locked = 1;
        }
    }
    if (locked) {
        int up = s_update(rs);
        pthread_mutex_unlock(&s_update_mu);
        if (up < 0)
            return -1;
    }
    rstore_append(rs, "HLEN " S_PIDS);
    rstore_append(rs, "HMGET " S_STATE " anon hidden_n hidden_anon hidden_pids hidden_at");
    rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ix:status:hidden");
    rstore_append(rs, "TIME");
    redisReply *h = rstore_reply(rs), *st = rstore_reply(rs), *hc = rstore_reply(rs),
               *now = rstore_reply(rs);
    long long pids = h && h->type == REDIS_REPLY_INTEGER ? h->integer : -1;
    long long anon = s_field(st, 0),
              hidden = hc && hc->type == REDIS_REPLY_INTEGER ? hc->integer : -1;
    long long anon_hidden = s_field(st, 2), pids_hidden = s_field(st, 3);
    long long now_s = s_field(now, 0),
              fresh = s_field(st, 4) >= 0 && now_s >= 0 && now_s - s_field(st, 4) < S_HIDDEN_TTL_S;
    int stale = s_field(st, 1) != hidden || !fresh || anon_hidden < 0 || pids_hidden < 0;
    if (h)
        freeReplyObject(h);
    if (st)
        freeReplyObject(st);
    if (hc)
        freeReplyObject(hc);
    if (now)
        freeReplyObject(now);
    if (pids < 0 || hidden < 0 || now_s < 0)
        return -1;
    if (anon < 0)
        anon = 0; /* no ideas counted yet */
    if (hidden == 0) {
        anon_hidden = pids_hidden = 0;
    } else if (stale) {
        if (s_hidden(rs, &anon_hidden, &pids_hidden) < 0)
            return -1;
        redisReply *w = rstore_cmd(rs,
                                   "HSET " S_STATE " hidden_n %lld hidden_anon %lld hidden_pids "
                                   "%lld hidden_at %lld",
                                   hidden, anon_hidden, pids_hidden, now_s);
        if (w)
            freeReplyObject(w);
    }
    anon = anon > anon_hidden ? anon - anon_hidden : 0;
    pids = pids > pids_hidden ? pids - pids_hidden : 0;
    if (anon_out)
        *anon_out = anon;
    return pids + anon;
}
