/*
 * NAME
 *   store_counts - one backfill pass for the people and the shown counts
 *   (see store_counts.h)
 */
#include "store_counts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "store_int.h"
#include "store_people.h"
#include "store_shown.h"
#include "xalloc.h"

#define S_CHUNK 1000 /* ideas per step: one MGET and one script */
#define S_ARGS_PER_IDEA (4 + 2 * STORE_SHOWN_VALUES)

/* Damaged records skipped, over both counts. */
static metric_t *s_m_skipped;

/*
 * ARGV per idea: id, pid ("" for none), "1" shown / "0" hidden / "d"
 * damaged (store_people_backfill_args), n, then the n (key, value) pairs
 * of the shown counts (none for a hidden or damaged idea). Each count
 * counts the ids that are in its own todo set (one ZMSCORE) and takes
 * them out (one ZREM), atomically. The increments are summed per (key,
 * field) first and written with one HINCRBY each: per idea they were
 * ~15 commands, Redis's time and most of the AOF (README.md, "Backfill
 * of the people and shown counts"). Returns {1 while a todo set is not
 * empty, else 0; which counts this step finished (1 people, 2 shown,
 * summed); then the positions (1-based) of the damaged records it
 * took}.
 */
static const char S_STEP[] = STORE_PEOPLE_ADD_LUA
    "local sum, keys = {}, {}\n"
    "local function s_sum(k, f, n)\n"
    "  local h = sum[k]\n"
    "  if not h then h = {fields = {}, n = {}}; sum[k] = h; keys[#keys + 1] = k end\n"
    "  if not h.n[f] then h.n[f] = 0; h.fields[#h.fields + 1] = f end\n"
    "  h.n[f] = h.n[f] + n\n"
    "end\n"
    "local out, ids, at, i = {1, 0}, {}, {}, 1\n"
    "while i <= #ARGV do\n"
    "  ids[#ids + 1], at[#at + 1] = ARGV[i], i\n"
    "  i = i + 4 + 2 * tonumber(ARGV[i + 3])\n"
    "end\n"
    "if #ids > 0 then\n"
    "  local inp = redis.call('ZMSCORE', '" PEOPLE_TODO "', unpack(ids))\n"
    "  local ins = redis.call('ZMSCORE', '" SHOWN_TODO "', unpack(ids))\n"
    "  local rp, rs = {}, {}\n"
    "  for x = 1, #ids do\n"
    "    local a = at[x]\n"
    "    if inp[x] then\n"
    "      rp[#rp + 1] = ids[x]\n"
    "      s_people_add(ARGV[a + 1], ARGV[a + 2], s_sum)\n"
    "    end\n"
    "    if ins[x] then\n"
    "      rs[#rs + 1] = ids[x]\n"
    "      s_sum('" SHOWN_COUNTED "', 'ideas', 1)\n"
    "      for j = 0, tonumber(ARGV[a + 3]) - 1 do\n"
    "        s_sum(ARGV[a + 4 + 2 * j], ARGV[a + 5 + 2 * j], 1)\n"
    "      end\n"
    "    end\n"
    "    if (inp[x] or ins[x]) and ARGV[a + 2] == 'd' then out[#out + 1] = x end\n"
    "  end\n"
    "  if #rp > 0 then redis.call('ZREM', '" PEOPLE_TODO "', unpack(rp)) end\n"
    "  if #rs > 0 then redis.call('ZREM', '" SHOWN_TODO "', unpack(rs)) end\n"
    "  for _, k in ipairs(keys) do\n"
    "    local h = sum[k]\n"
    "    for _, f in ipairs(h.fields) do redis.call('HINCRBY', k, f, h.n[f]) end\n"
    "  end\n"
    "end\n"
    "local more = 0\n"
    "if redis.call('EXISTS', '" PEOPLE_TODO "') == 1 then more = 1\n"
    "elseif redis.call('HGET', '" PEOPLE_COUNTS "', 'state') == 'backfill' then\n"
    "  redis.call('DEL', '" PEOPLE_SEEN "')\n"
    "  redis.call('HSET', '" PEOPLE_COUNTS "', 'state', 'done')\n"
    "  out[2] = out[2] + 1\n"
    "end\n"
    "if redis.call('EXISTS', '" SHOWN_TODO "') == 1 then more = 1\n"
    "elseif redis.call('HGET', '" SHOWN_COUNTED "', 'state') == 'backfill' then\n"
    "  redis.call('HSET', '" SHOWN_COUNTED "', 'state', 'done')\n"
    "  out[2] = out[2] + 2\n"
    "end\n"
    "out[1] = more\n"
    "return out\n";

/* One count's begin script (STORE_PEOPLE_BEGIN_LUA, STORE_SHOWN_BEGIN_LUA):
 * 1 a backfill to do, 0 none, -1 with self->err. what names the count in
 * the log. */
static int s_begin(store_t *self, const char *script, const char *what)
{
    redisReply *r = rstore_cmd(self->rs, "EVAL %s 0", script);
    int v = r && r->type == REDIS_REPLY_INTEGER && (r->integer == 0 || r->integer == 1)
                ? (int)r->integer
                : -1;
    if (!r)
        store_set_err(self, "counts begin");
    else if (v < 0)
        snprintf(self->err, sizeof self->err, "%s counts begin: unexpected reply", what);
    if (r)
        freeReplyObject(r);
    if (v == 1)
        log_info("msg=\"counting the %s counts of the ideas stored before (backfill)\"", what);
    return v;
}

int store_counts_begin(store_t *self)
{
    if (!s_m_skipped)
        s_m_skipped = metrics_counter("inspraak_storage_backfill_skipped_total",
                                      "Damaged idea records the backfill of the people and shown "
                                      "counts skipped (each named once in the log).");
    int people = s_begin(self, STORE_PEOPLE_BEGIN_LUA, "people");
    int shown = people < 0 ? -1 : s_begin(self, STORE_SHOWN_BEGIN_LUA, "shown");
    return shown < 0 ? -1 : (people || shown);
}

/* The next chunk of ids: of PEOPLE_TODO, or of SHOWN_TODO when that is
 * empty. NULL with self->err when Redis failed. */
static redisReply *s_chunk(store_t *self)
{
    static const char *const todo[] = {PEOPLE_TODO, SHOWN_TODO};
    redisReply *ids = NULL;
    for (size_t t = 0; t < 2 && (!ids || ids->elements == 0); t++) {
        if (ids)
            freeReplyObject(ids);
        ids = rstore_cmd(self->rs, "ZRANGE %s 0 %d", todo[t], S_CHUNK - 1);
        if (!ids || ids->type != REDIS_REPLY_ARRAY) {
            if (ids)
                freeReplyObject(ids);
            store_set_err(self, "counts backfill");
            return NULL;
        }
    }
    return ids;
}

/* A chunk's records, decoded, and the step's arguments. */
typedef struct {
    idea_t *ideas;
    int *ok;
    char (*days)[11];
    char (*nums)[4];
    const char **argv;
    size_t *lens;
    int argc;
} s_chunk_t;

static void s_chunk_arg(s_chunk_t *c, const char *s, size_t len)
{
    c->argv[c->argc] = s;
    c->lens[c->argc++] = len;
}

/* The step's ARGV for the ids, from their records (one MGET). 0, or -1
 * (Redis). */
static int s_read(store_t *self, const redisReply *ids, s_chunk_t *c)
{
    size_t n = ids->elements;
    c->argc = 3;
    if (n == 0)
        return 0;
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
        store_set_err(self, "counts backfill");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        c->ok[i] = store_record_read(r->element[i], ids->element[i]->str, &c->ideas[i]);
        const idea_t *idea = c->ok[i] ? &c->ideas[i] : NULL;
        const char *pid, *shown, *keys[STORE_SHOWN_VALUES], *vals[STORE_SHOWN_VALUES];
        store_people_backfill_args(idea, &pid, &shown);
        if (idea)
            store_day(idea->received_at, c->days[i]);
        int nv = idea ? store_shown_values(idea, c->days[i], keys, vals) : 0;
        snprintf(c->nums[i], sizeof c->nums[i], "%d", nv);
        s_chunk_arg(c, ids->element[i]->str, ids->element[i]->len);
        s_chunk_arg(c, pid, strlen(pid));
        s_chunk_arg(c, shown, strlen(shown));
        s_chunk_arg(c, c->nums[i], strlen(c->nums[i]));
        for (int k = 0; k < nv; k++) {
            s_chunk_arg(c, keys[k], strlen(keys[k]));
            s_chunk_arg(c, vals[k], strlen(vals[k]));
        }
    }
    freeReplyObject(r);
    return 0;
}

/* The step script's reply: logs each damaged record it took and the
 * counts it finished. 1 or 0 (more to do), or -1 with self->err. */
static int s_result(store_t *self, const redisReply *r, const redisReply *ids)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
        r->element[0]->type != REDIS_REPLY_INTEGER || r->element[1]->type != REDIS_REPLY_INTEGER) {
        snprintf(self->err, sizeof self->err, "counts backfill: unexpected reply");
        return -1;
    }
    char q[200];
    for (size_t i = 2; i < r->elements; i++) {
        long long k = r->element[i]->type == REDIS_REPLY_INTEGER ? r->element[i]->integer : 0;
        if (k < 1 || (size_t)k > ids->elements)
            continue;
        metric_inc(s_m_skipped);
        log_warn("msg=\"backfill: damaged idea record skipped, counted as nobody's hidden "
                 "idea\" id=%s",
                 log_quote(q, sizeof q, ids->element[k - 1]->str));
    }
    if (r->element[1]->integer & 1)
        log_info("msg=\"backfill of the people counts done\"");
    if (r->element[1]->integer & 2)
        log_info("msg=\"backfill of the shown counts done\"");
    return r->element[0]->integer ? 1 : 0;
}

int store_counts_step(store_t *self)
{
    redisReply *ids = s_chunk(self);
    if (!ids)
        return -1;
    size_t n = ids->elements;
    s_chunk_t c = {.ideas = xcalloc(n + 1, sizeof *c.ideas),
                   .ok = xcalloc(n + 1, sizeof *c.ok),
                   .days = xcalloc(n + 1, sizeof *c.days),
                   .nums = xcalloc(n + 1, sizeof *c.nums),
                   .argv = xcalloc(3 + S_ARGS_PER_IDEA * n, sizeof *c.argv),
                   .lens = xcalloc(3 + S_ARGS_PER_IDEA * n, sizeof *c.lens)};
    /* both sets empty (done before, maybe by another instance): the script
     * runs without ideas and sets what is still "backfill" to "done" */
    int v = -1;
    if (s_read(self, ids, &c) == 0) {
        c.argv[0] = "EVAL", c.lens[0] = 4;
        c.argv[1] = S_STEP, c.lens[1] = sizeof S_STEP - 1;
        c.argv[2] = "0", c.lens[2] = 1;
        redisReply *r = rstore_cmdargv(self->rs, c.argc, c.argv, c.lens);
        if (!r)
            store_set_err(self, "counts backfill");
        v = r ? s_result(self, r, ids) : -1;
        if (r)
            freeReplyObject(r);
    }
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
