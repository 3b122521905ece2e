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
#include "store_int.h"
#include "xalloc.h"

/* The hashes, in the order store_shown_values() fills them. */
#define S_SHOWN_KEY(dim) SHOWN_PREFIX dim
static const char *const s_shown_single_keys[] = {
    S_SHOWN_KEY("channel"),  S_SHOWN_KEY("wijk"),         S_SHOWN_KEY("sentiment"),
    S_SHOWN_KEY("question"), S_SHOWN_KEY("target_group"), S_SHOWN_KEY("activity")};
#define S_SHOWN_NSINGLE (sizeof s_shown_single_keys / sizeof s_shown_single_keys[0])

/* The first call copies the ideas into the todo set, unless every idea is
 * counted already (a new Redis). Counts without a state (keys deleted by
 * hand) cannot be told apart from ideas never counted, so they start
 * again from nothing. */
const char
    STORE_SHOWN_BEGIN_LUA
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

static const char *s_value_or_none(const char *v)
{
    return v && *v ? v : "none";
}

int store_shown_values(const idea_t *idea, const char *day, const char **keys, const char **vals)
{
    if (!store_idea_shown(idea))
        return 0;
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
    return 1 + store_shown_values(idea, day, keys + 1, fields + 1);
}

/* n, then n (key, value) pairs into a->argv; n is 0 for a hidden idea. */
static void s_add_values(store_shown_args_t *a, const idea_t *idea, char *num, size_t size)
{
    const char *keys[STORE_SHOWN_VALUES], *vals[STORE_SHOWN_VALUES];
    int n = store_shown_values(idea, a->day, keys, vals);
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
