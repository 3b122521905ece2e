/*
 * NAME
 *   store_people - the people counts and their one-time backfill (see
 *   store_people.h)
 */
#include "store_people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "store_shown.h"
#include "xalloc.h"

#define S_CHUNK 1000 /* ideas per backfill step: ~1,000 GETs and one script */

/* The first call copies the ideas into the todo set, unless every idea is
 * counted already (a new Redis). Counts without a state (keys deleted by
 * hand) cannot be told apart from ideas never counted, so they start
 * again from nothing. So do "done" counts that miss ideas: every write of
 * this storage counts its idea with it, so only an older storage instance
 * still running beside a newer one (a rolling upgrade) stores ideas they
 * miss, and the page would say it is counting until the keys were
 * deleted by hand. The dashboard's former keys (inspraak:reach:*, pids
 * included) go. */
static const char S_BEGIN[] =
    "local st = redis.call('HGET', '" PEOPLE_COUNTS "', 'state')\n"
    "if st == 'backfill' then return 1 end\n"
    "local n = redis.call('ZCARD', 'inspraak:ideas')\n"
    "if tonumber(redis.call('HGET', '" PEOPLE_COUNTS "', 'ideas') or '0') == n then\n"
    "  if st == 'done' then return 0 end\n"
    "  redis.call('DEL', 'inspraak:reach:pids', 'inspraak:reach:state')\n"
    "  redis.call('HSET', '" PEOPLE_COUNTS "', 'state', 'done')\n"
    "  return 0\n"
    "end\n"
    "redis.call('DEL', 'inspraak:reach:pids', 'inspraak:reach:state')\n"
    "redis.call('DEL', '" PEOPLE_COUNTS "', '" PEOPLE_PIDS "', '" PEOPLE_TODO "', '" PEOPLE_SEEN
    "')\n"
    "redis.call('COPY', 'inspraak:ideas', '" PEOPLE_TODO "')\n"
    "redis.call('HSET', '" PEOPLE_COUNTS "', 'state', 'backfill', 'ideas', 0)\n"
    "return 1\n";

/* ARGV: (id, pid or "", "1" shown / "0" hidden / "d" damaged) per idea.
 * Counts those it takes out of the todo set (a damaged record as an idea
 * of nobody). Returns {1 while the set is not empty, else 0, then the
 * positions (1-based) of the damaged records it took}. */
static const char S_STEP[] =
    STORE_PEOPLE_ADD_LUA "local out = {1}\n"
                         "for i = 1, #ARGV, 3 do\n"
                         "  if redis.call('ZREM', '" PEOPLE_TODO "', ARGV[i]) == 1 then\n"
                         "    s_people_add(ARGV[i + 1], ARGV[i + 2])\n"
                         "    if ARGV[i + 2] == 'd' then out[#out + 1] = (i + 2) / 3 end\n"
                         "  end\n"
                         "end\n"
                         "if redis.call('EXISTS', '" PEOPLE_TODO "') == 1 then return out end\n"
                         "redis.call('DEL', '" PEOPLE_SEEN "')\n"
                         "redis.call('HSET', '" PEOPLE_COUNTS "', 'state', 'done')\n"
                         "out[1] = 0\n"
                         "return out\n";

int store_people_of(const idea_t *idea, int has_p, const char **keys, const char **fields)
{
    int n = 0;
    keys[n] = PEOPLE_COUNTS;
    fields[n++] = "ideas";
    if (!store_idea_shown(idea))
        return n;
    /* A pid without a participant (only a peer skipping store_prepare
     * could send one) is no person storage knows: one idea, one person. */
    int person = has_p && idea->participant_id && *idea->participant_id;
    keys[n] = person ? PEOPLE_PIDS : PEOPLE_COUNTS;
    fields[n++] = person ? idea->participant_id : "anon";
    return n;
}

/* EVAL of a script with argv[3..argc) as ARGV (argv[0..2] are filled
 * here); the reply (the caller frees it), or NULL. */
static redisReply *s_eval(store_t *self, const char *script, int argc, const char **argv,
                          size_t *lens)
{
    argv[0] = "EVAL", lens[0] = 4;
    argv[1] = script, lens[1] = strlen(script);
    argv[2] = "0", lens[2] = 1;
    redisReply *r = rstore_cmdargv(self->rs, argc, argv, lens);
    if (!r)
        store_set_err(self, "people script");
    return r;
}

int store_people_begin(store_t *self)
{
    const char *argv[3];
    size_t lens[3];
    redisReply *r = s_eval(self, S_BEGIN, 3, argv, lens);
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r && v < 0)
        snprintf(self->err, sizeof self->err, "people script: unexpected reply");
    if (r)
        freeReplyObject(r);
    if (v == 1)
        log_info("msg=\"counting the people of the ideas stored before (backfill)\"");
    return v < 0 ? -1 : (int)v;
}

/* (id, pid, shown) of each record in ids (one MGET) into argv from index
 * 3. A record that is gone, not a string (MGET answers nil for a key of
 * another type) or unreadable is "d", damaged: an idea of nobody.
 * Returns the argument count, or -1 (Redis). */
static int s_read(store_t *self, const redisReply *ids, const char **argv, size_t *lens,
                  char **owned)
{
    size_t n = ids->elements;
    const char **mget = xcalloc(n + 1, sizeof *mget);
    size_t *mlens = xcalloc(n + 1, sizeof *mlens);
    mget[0] = "MGET", mlens[0] = 4;
    for (size_t i = 0; i < n; i++) {
        owned[i] = store_cat(STORE_KEY_PREFIX "idea:", ids->element[i]->str, NULL, NULL);
        mget[i + 1] = owned[i], mlens[i + 1] = strlen(owned[i]);
    }
    redisReply *r = rstore_cmdargv(self->rs, (int)n + 1, mget, mlens);
    free(mget);
    free(mlens);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != n) {
        if (r)
            freeReplyObject(r);
        store_set_err(self, "people backfill");
        return -1;
    }
    int argc = 3;
    for (size_t i = 0; i < n; i++) {
        const redisReply *e = r->element[i];
        idea_t it;
        int ok = store_record_read(e, ids->element[i]->str, &it);
        free(owned[i]);
        owned[i] = xstrdup(ok && it.participant_id ? it.participant_id : "");
        argv[argc] = ids->element[i]->str, lens[argc++] = ids->element[i]->len;
        argv[argc] = owned[i], lens[argc++] = strlen(owned[i]);
        argv[argc] = !ok ? "d" : store_idea_shown(&it) ? "1" : "0", lens[argc++] = 1;
        if (ok)
            idea_clear(&it);
    }
    freeReplyObject(r);
    return argc;
}

int store_people_step(store_t *self)
{
    redisReply *ids = rstore_cmd(self->rs, "ZRANGE " PEOPLE_TODO " 0 %d", S_CHUNK - 1);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        if (ids)
            freeReplyObject(ids);
        store_set_err(self, "people backfill");
        return -1;
    }
    const char **argv = xcalloc(3 + 3 * ids->elements, sizeof *argv);
    size_t *lens = xcalloc(3 + 3 * ids->elements, sizeof *lens);
    char **owned = xcalloc(ids->elements + 1, sizeof *owned);
    int argc = s_read(self, ids, argv, lens, owned);
    redisReply *r = argc < 0 ? NULL : s_eval(self, S_STEP, argc, argv, lens);
    int v = r ? store_counts_skipped(self, "people", r, ids) : -1;
    if (r)
        freeReplyObject(r);
    if (v == 0)
        log_info("msg=\"backfill of the people counts done\"");
    for (size_t i = 0; i < ids->elements; i++)
        free(owned[i]);
    free(owned);
    free(argv);
    free(lens);
    freeReplyObject(ids);
    return v < 0 ? -1 : (int)v;
}
