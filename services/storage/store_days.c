/*
 * NAME
 *   store_days - rebuild inspraak:stats:day in Heerlen's days, once (see
 *   store_days.h)
 *
 * DESCRIPTION
 *   The days are found in C because Redis's Lua has no time zones; the
 *   counting is left to the script so that it sees every idea stored up
 *   to that moment. A day is passed as (field, min, max) in ZCOUNT's
 *   syntax; times before 1970 and after year 9999 are "none", as
 *   store_day() files them.
 */
#include "store_days.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rstore.h"
#include "store_int.h"
#include "xalloc.h"

#define S_IDEAS STORE_KEY_PREFIX "ideas"
#define S_DAYS STORE_KEY_PREFIX "stats:day"

/* KEYS: ideas, stats:day, the marker. ARGV: [1] version, then (field,
 * min, max) per day. -2: the marker was set already; -1: an idea lies
 * outside the days given (read them again); else the number of ideas. */
static const char S_REBUILD[] =
    "if redis.call('GET', KEYS[3]) == ARGV[1] then return -2 end\n"
    "local count, order, sum = {}, {}, 0\n"
    "for i = 2, #ARGV, 3 do\n"
    "  local n = redis.call('ZCOUNT', KEYS[1], ARGV[i + 1], ARGV[i + 2])\n"
    "  if n > 0 then\n"
    "    if not count[ARGV[i]] then order[#order + 1] = ARGV[i]; count[ARGV[i]] = 0 end\n"
    "    count[ARGV[i]] = count[ARGV[i]] + n\n"
    "    sum = sum + n\n"
    "  end\n"
    "end\n"
    "if sum ~= redis.call('ZCARD', KEYS[1]) then return -1 end\n"
    "redis.call('DEL', KEYS[2])\n"
    "for _, f in ipairs(order) do redis.call('HSET', KEYS[2], f, count[f]) end\n"
    "redis.call('SET', KEYS[3], ARGV[1])\n"
    "return sum\n";

/* The script's arguments: 7 fixed, then 3 per day, all owned. */
typedef struct {
    char **argv;
    size_t *lens;
    int argc, cap;
} s_args_t;

static void s_add(s_args_t *a, const char *s)
{
    if (a->argc == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->argv = xrealloc(a->argv, (size_t)a->cap * sizeof *a->argv);
        a->lens = xrealloc(a->lens, (size_t)a->cap * sizeof *a->lens);
    }
    a->argv[a->argc] = xstrdup(s);
    a->lens[a->argc++] = strlen(s);
}

static void s_args_free(s_args_t *a)
{
    for (int i = 0; i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    free(a->lens);
    memset(a, 0, sizeof *a);
}

static void s_add_day(s_args_t *a, const char *field, const char *min, const char *max)
{
    s_add(a, field);
    s_add(a, min);
    s_add(a, max);
}

/* Appends the days that hold ideas now, oldest first. 0 or -1. */
static int s_read_days(store_t *self, s_args_t *a)
{
    char cursor[32] = "-inf";
    for (;;) {
        redisReply *r =
            rstore_cmd(self->rs, "ZRANGEBYSCORE " S_IDEAS " %s +inf WITHSCORES LIMIT 0 1", cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            if (r)
                freeReplyObject(r);
            store_set_err(self, "day rebuild: zrangebyscore");
            return -1;
        }
        if (r->elements < 2 || r->element[1]->type != REDIS_REPLY_STRING) {
            freeReplyObject(r);
            return 0;
        }
        double score = strtod(r->element[1]->str, NULL);
        char ymd[11], min[24], max[24];
        int64_t start, end;
        if (score < 0) {
            s_add_day(a, "none", "-inf", "(0");
            snprintf(cursor, sizeof cursor, "0");
        } else if (score >= 253402300800000.0 /* year 10000 */ ||
                   clock_local_day_of((int64_t)score, ymd, &start, &end) < 0) {
            s_add_day(a, "none", r->element[1]->str, "+inf");
            freeReplyObject(r);
            return 0;
        } else {
            /* Up to the next day's first ms, so a fraction of a ms (not
             * written by storage) is not left between two days. From 0 at
             * most: 1 January 1970 begins at -1 h in Heerlen, and the ms
             * before 0 are "none" (above), as store_day() files them. */
            snprintf(min, sizeof min, "%lld", (long long)(start < 0 ? 0 : start));
            snprintf(max, sizeof max, "(%lld", (long long)end + 1);
            s_add_day(a, ymd, min, max);
            snprintf(cursor, sizeof cursor, "%lld", (long long)end + 1);
        }
        freeReplyObject(r);
    }
}

/* One attempt: 1 rebuilt, 0 current, 2 try again, -1 error. */
static int s_try(store_t *self, long long *ideas)
{
    s_args_t a = {0};
    s_add(&a, "EVAL");
    s_add(&a, S_REBUILD);
    s_add(&a, "3");
    s_add(&a, S_IDEAS);
    s_add(&a, S_DAYS);
    s_add(&a, STORE_DAYS_VERSION_KEY);
    s_add(&a, STORE_DAYS_VERSION);
    if (s_read_days(self, &a) < 0) {
        s_args_free(&a);
        return -1;
    }
    redisReply *r = rstore_cmdargv(self->rs, a.argc, (const char **)a.argv, a.lens);
    s_args_free(&a);
    if (!r) {
        store_set_err(self, "day rebuild: script");
        return -1;
    }
    if (r->type != REDIS_REPLY_INTEGER) {
        snprintf(self->err, sizeof self->err, "day rebuild: unexpected reply");
        freeReplyObject(r);
        return -1;
    }
    long long v = r->integer;
    freeReplyObject(r);
    if (v == -2)
        return 0;
    if (v == -1)
        return 2;
    *ideas = v;
    return 1;
}

int store_days_rebuild(store_t *self, long long *ideas)
{
    *ideas = 0;
    redisReply *r = rstore_cmd(self->rs, "GET " STORE_DAYS_VERSION_KEY);
    if (!r) {
        store_set_err(self, "day rebuild: get marker");
        return -1;
    }
    int current = r->type == REDIS_REPLY_STRING && strcmp(r->str, STORE_DAYS_VERSION) == 0;
    freeReplyObject(r);
    if (current)
        return 0;
    for (int i = 0; i < STORE_DAYS_TRIES; i++) {
        int rc = s_try(self, ideas);
        if (rc != 2)
            return rc;
    }
    snprintf(self->err, sizeof self->err,
             "day rebuild: ideas kept arriving on days not yet read (%d tries)", STORE_DAYS_TRIES);
    return -1;
}
