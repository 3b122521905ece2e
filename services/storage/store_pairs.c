/*
 * NAME
 *   store_pairs - storage's counts per pair of filter dimensions
 *   (inspraak:pair:<a>:<b>, see store.h and docs/redis.md)
 *
 * DESCRIPTION
 *   Which pair fields an idea counts in (store_pairs_of, written by the
 *   store script with the stats) and what a moderation moves
 *   (store_pairs_diff, applied by the update script: STORE_PAIRS_LUA).
 *   Pure: no Redis here.
 */
#include "store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* The filter dimensions of GET /api/v1/ideas, in the order of its
 * parameters: a pair key names the earlier one first (docs/redis.md). */
static const char *const s_pair_dims[] = {"wijk",     "theme",        "channel", "sentiment",
                                          "question", "target_group", "status",  "activity"};
#define S_NPAIR_DIMS (sizeof s_pair_dims / sizeof s_pair_dims[0])

/* The values of dimension d of an idea (themes: each distinct one). */
static int s_pair_values(const idea_t *idea, size_t d, const char *out[PROTO_MAX_THEMES])
{
    if (d == 1) {
        int n = 0;
        for (int t = 0; t < idea->n_themes && t < PROTO_MAX_THEMES; t++) {
            bool dup = !idea->themes[t] || !*idea->themes[t];
            for (int k = 0; k < n && !dup; k++)
                dup = strcmp(out[k], idea->themes[t]) == 0;
            if (!dup)
                out[n++] = idea->themes[t];
        }
        if (n == 0)
            out[n++] = "none";
        return n;
    }
    const char *v[S_NPAIR_DIMS] = {idea->wijk,      NULL,           idea->channel,
                                   idea->sentiment, idea->question, idea->target_group,
                                   idea->status,    idea->activity};
    out[0] = (v[d] && *v[d]) ? v[d] : "none";
    return 1;
}

/* "inspraak:pair:<a>:<b>" for a < b, made once: the store script names
 * ~30 of them per idea, and building each again was a malloc apiece. */
static char s_pair_key[S_NPAIR_DIMS][S_NPAIR_DIMS][64];
static pthread_once_t s_pair_key_once = PTHREAD_ONCE_INIT;

static void s_pair_key_init(void)
{
    for (size_t a = 0; a < S_NPAIR_DIMS; a++)
        for (size_t b = a + 1; b < S_NPAIR_DIMS; b++)
            snprintf(s_pair_key[a][b], sizeof s_pair_key[a][b], STORE_KEY_PREFIX "pair:%s:%s",
                     s_pair_dims[a], s_pair_dims[b]);
}

void store_pairs_of(const idea_t *idea, store_pairs_t *out)
{
    const char *v[S_NPAIR_DIMS][PROTO_MAX_THEMES];
    int nv[S_NPAIR_DIMS];
    pthread_once(&s_pair_key_once, s_pair_key_init);
    for (size_t d = 0; d < S_NPAIR_DIMS; d++)
        nv[d] = s_pair_values(idea, d, v[d]);
    out->n = 0;
    for (size_t a = 0; a < S_NPAIR_DIMS; a++)
        for (size_t b = a + 1; b < S_NPAIR_DIMS; b++)
            for (int i = 0; i < nv[a]; i++)
                for (int k = 0; k < nv[b] && out->n < STORE_PAIRS_MAX; k++) {
                    out->key[out->n] = s_pair_key[a][b];
                    out->field[out->n] = store_cat(v[a][i], STORE_PAIRS_SEP, v[b][k], NULL);
                    out->delta[out->n++] = 1;
                }
}

static bool s_pairs_has(const store_pairs_t *p, const char *key, const char *field)
{
    for (int i = 0; i < p->n; i++)
        if (p->key[i] && strcmp(p->key[i], key) == 0 && strcmp(p->field[i], field) == 0)
            return true;
    return false;
}

/* Moves entry i of from into out with the given delta. */
static void s_pairs_take(store_pairs_t *from, int i, store_pairs_t *out, int delta)
{
    out->key[out->n] = from->key[i];
    out->field[out->n] = from->field[i];
    out->delta[out->n++] = delta;
    from->key[i] = from->field[i] = NULL;
}

void store_pairs_diff(const idea_t *old, const idea_t *new, store_pairs_t *out)
{
    store_pairs_t o, n;
    store_pairs_of(old, &o);
    store_pairs_of(new, &n);
    out->n = 0;
    for (int i = 0; i < o.n; i++)
        if (!s_pairs_has(&n, o.key[i], o.field[i]))
            s_pairs_take(&o, i, out, -1);
    for (int i = 0; i < n.n; i++)
        if (!s_pairs_has(&o, n.key[i], n.field[i]))
            s_pairs_take(&n, i, out, 1);
    store_pairs_clear(&o);
    store_pairs_clear(&n);
}

void store_pairs_clear(store_pairs_t *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->field[i]);
        p->key[i] = p->field[i] = NULL;
    }
    p->n = 0;
}
