/*
 * NAME
 *   headcount - how many people are behind a selection of ideas (see
 *   headcount.h)
 *
 * DESCRIPTION
 *   One GLib hash set of participant ids per value, and one for the whole
 *   selection: a selection of 100,000 ideas holds at most that many short
 *   strings, for the time of one request.
 */
#include "headcount.h"

#include <glib.h>
#include <stdlib.h>

#include "dashboard.h"
#include "xalloc.h"

typedef struct {
    GHashTable *pids; /* pid -> itself */
    long long anon;
} s_group_t;

struct headcount {
    s_group_t all;
    GHashTable *by; /* value -> s_group_t */
};

static void s_group_free(gpointer p)
{
    s_group_t *g = p;
    g_hash_table_destroy(g->pids);
    free(g);
}

static GHashTable *s_set_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

headcount_t *headcount_new(void)
{
    headcount_t *h = xcalloc(1, sizeof *h);
    h->all.pids = s_set_new();
    h->by = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, s_group_free);
    return h;
}

void headcount_destroy(headcount_t **p)
{
    if (!p || !*p)
        return;
    g_hash_table_destroy((*p)->all.pids);
    g_hash_table_destroy((*p)->by);
    free(*p);
    *p = NULL;
}

static const s_group_t *s_find(const headcount_t *h, const char *value)
{
    if (!value)
        return &h->all;
    return g_hash_table_lookup(h->by, *value ? value : "none");
}

void headcount_add(headcount_t *h, const char *value, const char *pid)
{
    if (!h)
        return;
    s_group_t *g = (s_group_t *)s_find(h, value);
    if (!g) {
        g = xcalloc(1, sizeof *g);
        g->pids = s_set_new();
        g_hash_table_insert(h->by, g_strdup(*value ? value : "none"), g);
    }
    if (!pid || !*pid)
        g->anon++;
    else if (!g_hash_table_contains(g->pids, pid))
        g_hash_table_add(g->pids, g_strdup(pid));
}

long long headcount_people(const headcount_t *h, const char *value)
{
    const s_group_t *g = s_find(h, value);
    return g ? (long long)g_hash_table_size(g->pids) + g->anon : 0;
}

json_t *headcount_by(const headcount_t *h)
{
    json_t *out = json_object();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, h->by);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const s_group_t *g = v;
        json_object_set_new(out, k, json_integer((json_int_t)g_hash_table_size(g->pids) + g->anon));
    }
    return out;
}

void headcount_add_idea(const idea_t *idea, void *arg)
{
    headcount_add(arg, NULL, idea->participant_id);
}

long long headcount_query(rstore_t *rs, const query_t *q)
{
    if (!query_filtered(q))
        return reach_people_listed(rs);
    headcount_t *h = headcount_new();
    long long people = ideas_walk(rs, q, headcount_add_idea, h) < 0 ? -1 : headcount_people(h, NULL);
    headcount_destroy(&h);
    return people;
}
