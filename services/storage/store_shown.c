/*
 * NAME
 *   store_shown - the counts of ideas not hidden and their one-time
 *   backfill (see store_shown.h)
 */
#include "store_shown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "store_int.h"
#include "store_people.h"
#include "xalloc.h"

#define S_SHOWN_CHUNK 1000 /* ideas per backfill step: one MGET and one script */

/* The hashes, in the order s_shown_values() fills them. */
#define S_SHOWN_KEY(dim) SHOWN_PREFIX dim
static const char *const s_shown_single_keys[] = {
    S_SHOWN_KEY("channel"),  S_SHOWN_KEY("wijk"),         S_SHOWN_KEY("sentiment"),
    S_SHOWN_KEY("question"), S_SHOWN_KEY("target_group"), S_SHOWN_KEY("activity")};
#define S_SHOWN_NSINGLE (sizeof s_shown_single_keys / sizeof s_shown_single_keys[0])

/* The first call copies the ideas into the todo set, unless every idea is
 * counted already (a new Redis). Counts without a state (keys deleted by
 * hand) cannot be told apart from ideas never counted, so they start
 * again from nothing. */
static const char
    S_SHOWN_BEGIN
        [] = "local st = redis.call('HGET', '" SHOWN_COUNTED "', 'state')\n"
             "if st == 'done' then return 0 end\n"
             "if st == 'backfill' then return 1 end\n"
             "local n = redis.call('ZCARD', 'inspraak:ideas')\n"
             "if tonumber(redis.call('HGET', '" SHOWN_COUNTED "', 'ideas') or '0') == n then\n"
             "  redis.call('HSET', '" SHOWN_COUNTED "', 'state', 'done')\n"
             "  return 0\n"
             "end\n"
             "redis.call('DEL', '" SHOWN_COUNTED "', '" SHOWN_TODO
             "', '" S_SHOWN_KEY("channel") "', '" S_SHOWN_KEY("wijk") "', '" S_SHOWN_KEY("theme") "', '" S_SHOWN_KEY("sentiment") "', '" S_SHOWN_KEY("question") "', '" S_SHOWN_KEY(
                 "target_group") "', '" S_SHOWN_KEY("activity") "', '" S_SHOWN_KEY("day") "')\n"
                                                                                          "redis."
                                                                                          "call('"
                                                                                          "COPY', "
                                                                                          "'inspraa"
                                                                                          "k:ideas'"
                                                                                          ", "
                                                                                          "'" SHOWN_TODO
                                                                                          "')\n"
                                                                                          "redis."
                                                                                          "call('"
                                                                                          "HSET', "
                                                                                          "'" SHOWN_COUNTED
                                                                                          "', "
                                                                                          "'state',"
                                                                                          " '"
                                                                                          "backfill"
                                                                                          "', "
                                                                                          "'ideas',"
                                                                                          " 0)\n"
                                                                                          "return "
                                                                                          "1\n";

/* ARGV per idea: id, n, then n (key, value) pairs (n is 0 for a hidden
 * idea, "d" for a damaged record: no values). Counts those it takes out
 * of the todo set. Returns {1 while the set is not empty, else 0, then
 * the positions (1-based) of the damaged records it took}. */
static const char S_SHOWN_STEP[] =
    "local out, i, k = {1}, 1, 0\n"
    "while i <= #ARGV do\n"
    "  local n = tonumber(ARGV[i + 1]) or 0\n"
    "  k = k + 1\n"
    "  if redis.call('ZREM', '" SHOWN_TODO "', ARGV[i]) == 1 then\n"
    "    redis.call('HINCRBY', '" SHOWN_COUNTED "', 'ideas', 1)\n"
    "    for j = 0, n - 1 do redis.call('HINCRBY', ARGV[i + 2 + 2 * j], ARGV[i + 3 + 2 * j], 1) "
    "end\n"
    "    if ARGV[i + 1] == 'd' then out[#out + 1] = k end\n"
    "  end\n"
    "  i = i + 2 + 2 * n\n"
    "end\n"
    "if redis.call('EXISTS', '" SHOWN_TODO "') == 1 then return out end\n"
    "redis.call('HSET', '" SHOWN_COUNTED "', 'state', 'done')\n"
    "out[1] = 0\n"
    "return out\n";

static const char *s_value_or_none(const char *v)
{
    return v && *v ? v : "none";
}

/* The (key, value) pairs of the idea's values, whether hidden or not.
 * Room for STORE_SHOWN_VALUES. */
static int s_shown_values(const idea_t *idea, const char *day, const char **keys, const char **vals)
{
    const char *v[S_SHOWN_NSINGLE] = {idea->channel,  idea->wijk,         idea->sentiment,
                                      idea->question, idea->target_group, idea->activity};
    int n = 0;
    for (size_t i = 0; i < S_SHOWN_NSINGLE; i++) {
        keys[n] = s_shown_single_keys[i];
        vals[n++] = s_value_or_none(v[i]);
    }
    for (int t = 0; t < idea->n_themes || (t == 0 && idea->n_themes == 0); t++) {
        keys[n] = S_SHOWN_KEY("theme");
        vals[n++] = idea->n_themes ? idea->themes[t] : "none";
    }
    keys[n] = S_SHOWN_KEY("day");
    vals[n++] = day;
    return n;
}

int store_shown_of(const idea_t *idea, const char *day, const char **keys, const char **fields)
{
    keys[0] = SHOWN_COUNTED;
    fields[0] = "ideas";
    return 1 + (store_idea_shown(idea) ? s_shown_values(idea, day, keys + 1, fields + 1) : 0);
}

/* n, then n (key, value) pairs into a->argv; n is 0 for a hidden idea. */
static void s_add_values(store_shown_args_t *a, const idea_t *idea, char *num, size_t size)
{
    const char *keys[STORE_SHOWN_VALUES], *vals[STORE_SHOWN_VALUES];
    int n = store_idea_shown(idea) ? s_shown_values(idea, a->day, keys, vals) : 0;
    snprintf(num, size, "%d", n);
    a->argv[a->argc++] = num;
    for (int i = 0; i < n; i++) {
        a->argv[a->argc++] = keys[i];
        a->argv[a->argc++] = vals[i];
    }
}

void store_shown_update_args(const idea_t *old, const idea_t *new, store_shown_args_t *a)
{
    a->argc = 0;
    store_day(old->received_at, a->day); /* moderation never moves an idea to another day */
    s_add_values(a, old, a->n_old, sizeof a->n_old);
    s_add_values(a, new, a->n_new, sizeof a->n_new);
}

/* A script's reply (r may be NULL: Redis failed) as 0, 1, or -1 with
 * self->err. Frees r. */
static int s_shown_result(store_t *self, redisReply *r)
{
    int v = r && r->type == REDIS_REPLY_INTEGER && (r->integer == 0 || r->integer == 1)
                ? (int)r->integer
                : -1;
    if (!r)
        store_set_err(self, "shown counts script");
    else if (v < 0)
        snprintf(self->err, sizeof self->err, "shown counts script: unexpected reply");
    if (r)
        freeReplyObject(r);
    return v;
}

int store_shown_begin(store_t *self)
{
    int v = s_shown_result(self, rstore_cmd(self->rs, "EVAL %s 0", S_SHOWN_BEGIN));
    if (v == 1)
        log_info("msg=\"counting the shown ideas stored before (backfill)\"");
    return v;
}

/* The records of a chunk of ids, decoded, and the step's arguments. */
typedef struct {
    idea_t *ideas;
    int *ok;
    char (*days)[11];
    char (*nums)[4];
    const char **argv;
    size_t *lens;
    int argc;
} s_shown_chunk_t;

/* The step's ARGV for the ids, from their records (one MGET: nil for a
 * key of another type). A record that is gone, not a string or
 * unreadable is damaged ("d", no values): it is in no count the public
 * sees. 0, or -1 (Redis). */
static int s_shown_read(store_t *self, const redisReply *ids, s_shown_chunk_t *c)
{
    size_t n = ids->elements;
    const char **mget = xcalloc(n + 1, sizeof *mget);
    size_t *mlens = xcalloc(n + 1, sizeof *mlens);
    char **keys = xcalloc(n + 1, sizeof *keys);
    mget[0] = "MGET", mlens[0] = 4;
    for (size_t i = 0; i < n; i++) {
        keys[i] = store_cat(STORE_KEY_PREFIX "idea:", ids->element[i]->str, NULL, NULL);
        mget[i + 1] = keys[i], mlens[i + 1] = strlen(keys[i]);
    }
    redisReply *r = rstore_cmdargv(self->rs, (int)n + 1, mget, mlens);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    free(mget);
    free(mlens);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != n) {
        if (r)
            freeReplyObject(r);
        store_set_err(self, "shown counts backfill");
        return -1;
    }
    c->argc = 3;
    for (size_t i = 0; i < n; i++) {
        const redisReply *e = r->element[i];
        c->ok[i] = store_record_read(e, ids->element[i]->str, &c->ideas[i]);
        const char *keys[STORE_SHOWN_VALUES], *vals[STORE_SHOWN_VALUES];
        int nv = 0;
        if (c->ok[i] && store_idea_shown(&c->ideas[i])) {
            store_day(c->ideas[i].received_at, c->days[i]);
            nv = s_shown_values(&c->ideas[i], c->days[i], keys, vals);
        }
        if (c->ok[i])
            snprintf(c->nums[i], sizeof c->nums[i], "%d", nv);
        else
            snprintf(c->nums[i], sizeof c->nums[i], "d");
        c->argv[c->argc] = ids->element[i]->str, c->lens[c->argc++] = ids->element[i]->len;
        c->argv[c->argc] = c->nums[i], c->lens[c->argc++] = strlen(c->nums[i]);
        for (int k = 0; k < nv; k++) {
            c->argv[c->argc] = keys[k], c->lens[c->argc++] = strlen(keys[k]);
            c->argv[c->argc] = vals[k], c->lens[c->argc++] = strlen(vals[k]);
        }
    }
    freeReplyObject(r);
    return 0;
}

int store_shown_step(store_t *self)
{
    redisReply *ids = rstore_cmd(self->rs, "ZRANGE " SHOWN_TODO " 0 %d", S_SHOWN_CHUNK - 1);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        if (ids)
            freeReplyObject(ids);
        store_set_err(self, "shown counts backfill");
        return -1;
    }
    size_t n = ids->elements, max_args = 3 + (2 + 2 * STORE_SHOWN_VALUES) * n;
    s_shown_chunk_t c = {.ideas = xcalloc(n + 1, sizeof *c.ideas),
                         .ok = xcalloc(n + 1, sizeof *c.ok),
                         .days = xcalloc(n + 1, sizeof *c.days),
                         .nums = xcalloc(n + 1, sizeof *c.nums),
                         .argv = xcalloc(max_args, sizeof *c.argv),
                         .lens = xcalloc(max_args, sizeof *c.lens)};
    /* an empty set (a step after "done" was set elsewhere) runs the script
     * without ideas, which sets "done" */
    int v = -1;
    if (!n || s_shown_read(self, ids, &c) == 0) {
        c.argv[0] = "EVAL", c.lens[0] = 4;
        c.argv[1] = S_SHOWN_STEP, c.lens[1] = sizeof S_SHOWN_STEP - 1;
        c.argv[2] = "0", c.lens[2] = 1;
        redisReply *r = rstore_cmdargv(self->rs, n ? c.argc : 3, c.argv, c.lens);
        if (!r)
            store_set_err(self, "shown counts script");
        v = r ? store_counts_skipped(self, "shown", r, ids) : -1;
        if (r)
            freeReplyObject(r);
    }
    if (v == 0 && n > 0) /* n == 0: done before, by this step or another instance's */
        log_info("msg=\"backfill of the shown counts done\"");
    for (size_t i = 0; i < n; i++)
        if (c.ok[i])
            idea_clear(&c.ideas[i]);
    free(c.ideas);
    free(c.ok);
    free(c.days);
    free(c.nums);
    free(c.argv);
    free(c.lens);
    freeReplyObject(ids);
    return v;
}

/* Damaged records skipped by a backfill, over both counts. */
static metric_t *s_m_skipped;

int store_counts_skipped(store_t *self, const char *count, const redisReply *r,
                         const redisReply *ids)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
        r->element[0]->type != REDIS_REPLY_INTEGER || r->element[0]->integer < 0 ||
        r->element[0]->integer > 1) {
        snprintf(self->err, sizeof self->err, "%s counts script: unexpected reply", count);
        return -1;
    }
    char q[200];
    for (size_t i = 1; i < r->elements; i++) {
        long long k = r->element[i]->type == REDIS_REPLY_INTEGER ? r->element[i]->integer : 0;
        if (k < 1 || (size_t)k > ids->elements)
            continue;
        metric_inc(s_m_skipped);
        log_warn("msg=\"backfill: damaged idea record skipped, counted as nobody's hidden "
                 "idea\" count=%s id=%s",
                 count, log_quote(q, sizeof q, ids->element[k - 1]->str));
    }
    return (int)r->element[0]->integer;
}

int store_counts_begin(store_t *self)
{
    if (!s_m_skipped)
        s_m_skipped = metrics_counter("inspraak_storage_backfill_skipped_total",
                                      "Damaged idea records the backfill of the people or shown "
                                      "counts skipped (each named once in the log).");
    int people = store_people_begin(self);
    int shown = people < 0 ? -1 : store_shown_begin(self);
    return shown < 0 ? -1 : (people || shown);
}

int store_counts_step(store_t *self)
{
    /* once the people counts are done, their step is not run again: it
     * would read an empty todo set and log "done" every time */
    redisReply *r = rstore_cmd(self->rs, "HGET " PEOPLE_COUNTS " state");
    if (!r) {
        store_set_err(self, "people counts state");
        return -1;
    }
    int people_done = r->type == REDIS_REPLY_STRING && strcmp(r->str, "done") == 0;
    freeReplyObject(r);
    int people = people_done ? 0 : store_people_step(self);
    return people != 0 ? people : store_shown_step(self);
}
