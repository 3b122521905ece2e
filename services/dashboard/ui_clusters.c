/*
 * NAME
 *   ui_clusters - GET /clusters: the largest near-duplicate clusters, with
 *   counts, per wijk and theme; GET /clusters?cluster=ID: its members
 *
 * DESCRIPTION
 *   The classifier gives every idea a cluster id (idea.cluster: the id of
 *   the first idea of that wording); ideas sharing it are near-duplicates.
 *   Redis has no index by cluster (docs/redis.md), so this page walks the
 *   time index newest first in chunks of S_CHUNK ids with pipelined GETs of
 *   the records and counts in memory. That is honest and simple: fine for
 *   10^4..10^5 ideas (one pass, a few hundred ms at 10^5); beyond
 *   S_MAX_SCAN ideas only the newest S_MAX_SCAN are counted and the page
 *   says so. Hidden ideas are not counted.
 *
 *   A group's page ends with a form to put the whole group with another
 *   idea's group (POST /clusters: ui_cluster_merge.c).
 *
 *   Filters: wijk and theme (equality, the same values as the list page).
 *   When all members of a cluster share one wijk and a theme, the page
 *   prints a sentence like "47 keer (bijna) hetzelfde idee over Groen in
 *   Hoensbroek". The representative text is the cluster's oldest member
 *   (the one that started it). Every text is escaped; the member list is on
 *   this page because the idea list goes through query.c, which has no
 *   cluster filter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "dashboard.h"
#include "xalloc.h"

#define S_CHUNK 1000
#define S_MAX_SCAN 200000
#define S_TOP 50
#define S_MAX_MEMBERS 500

typedef struct {
    const char *wijk, *theme, *cluster; /* filters; NULL = any */
    json_t *groups;                     /* cluster id -> {n, text, wijk, wijk_same, themes} */
    json_t *members;                    /* with cluster: [{id, received_at, text, wijk}] */
    long long scanned;
    int truncated;
} s_scan_t;

static int s_has_theme(const idea_t *it, const char *t)
{
    for (int i = 0; i < it->n_themes; i++)
        if (strcmp(it->themes[i], t) == 0)
            return 1;
    return 0;
}

/* Adds one idea to its cluster's group: count, oldest text, shared wijk,
 * and the themes every member has (intersection). */
static void s_count(s_scan_t *sc, const idea_t *it)
{
    json_t *g = json_object_get(sc->groups, it->cluster);
    if (!g) {
        g = json_object();
        json_object_set_new(g, "n", json_integer(0));
        json_object_set_new(g, "wijk", it->wijk ? json_string(it->wijk) : json_null());
        json_object_set_new(g, "wijk_same", json_true());
        json_t *th = json_array();
        for (int i = 0; i < it->n_themes; i++)
            json_array_append_new(th, json_string(it->themes[i]));
        json_object_set_new(g, "themes", th);
        if (json_object_set_new(sc->groups, it->cluster, g) < 0)
            return; /* not UTF-8: jansson refused the key (and freed g) */
    }
    json_object_set_new(g, "n", json_integer(json_integer_value(json_object_get(g, "n")) + 1));
    json_t *text = json_string(it->text ? it->text : "");
    if (text) /* newest first: the last one set is the oldest member */
        json_object_set_new(g, "text", text);
    const char *w = json_string_value(json_object_get(g, "wijk"));
    if (!w || !it->wijk || strcmp(w, it->wijk) != 0)
        json_object_set_new(g, "wijk_same", json_false());
    json_t *th = json_object_get(g, "themes");
    for (size_t i = json_array_size(th); i-- > 0;)
        if (!s_has_theme(it, json_string_value(json_array_get(th, i))))
            json_array_remove(th, i);
}

static void s_idea(s_scan_t *sc, const idea_t *it)
{
    if (!it->cluster || !*it->cluster || (it->status && strcmp(it->status, "hidden") == 0))
        return;
    if (sc->wijk && (!it->wijk || strcmp(it->wijk, sc->wijk) != 0))
        return;
    if (sc->theme && !s_has_theme(it, sc->theme))
        return;
    if (!sc->cluster) {
        s_count(sc, it);
        return;
    }
    if (strcmp(it->cluster, sc->cluster) != 0 || json_array_size(sc->members) >= S_MAX_MEMBERS)
        return;
    json_t *m = json_pack("{s:s?, s:I, s:s?, s:s?}", "id", it->id, "received_at",
                          (json_int_t)it->received_at, "text", it->text, "wijk", it->wijk);
    if (m) /* NULL only for text that is not UTF-8 */
        json_array_append_new(sc->members, m);
}

/* One chunk of ids: pipelined GETs, decoded records. 0, or -1 (Redis). */
static int s_chunk(rstore_t *rs, s_scan_t *sc, redisReply *ids)
{
    for (size_t i = 0; i < ids->elements; i++)
        if (rstore_append(rs, "GET " DASH_KEY_PREFIX "idea:%b", ids->element[i]->str,
                          ids->element[i]->len) < 0)
            return -1;
    int rc = 0;
    for (size_t i = 0; i < ids->elements; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r) {
            rc = -1;
            break; /* the connection is gone; rstore reconnects next time */
        }
        idea_t it;
        proto_err_t err;
        if (r->type == REDIS_REPLY_STRING && idea_decode(r->str, r->len, &it, &err) == 0) {
            s_idea(sc, &it);
            idea_clear(&it);
        }
        freeReplyObject(r);
    }
    return rc;
}

static int s_scan(rstore_t *rs, s_scan_t *sc)
{
    for (long long start = 0;; start += S_CHUNK) {
        if (start >= S_MAX_SCAN) {
            sc->truncated = 1;
            return 0;
        }
        redisReply *ids = rstore_cmd(rs, "ZREVRANGE " DASH_KEY_PREFIX "ideas %lld %lld", start,
                                     start + S_CHUNK - 1);
        if (!ids || ids->type != REDIS_REPLY_ARRAY) {
            if (ids)
                freeReplyObject(ids);
            return -1;
        }
        size_t n = ids->elements;
        int rc = s_chunk(rs, sc, ids);
        freeReplyObject(ids);
        sc->scanned += (long long)n;
        if (rc < 0)
            return -1;
        if (n < S_CHUNK)
            return 0;
    }
}

int ui_clusters_member_ids(rstore_t *rs, const char *cluster, json_t *ids)
{
    s_scan_t sc = {.cluster = cluster, .groups = json_object(), .members = json_array()};
    int rc = s_scan(rs, &sc);
    size_t i;
    json_t *m;
    json_array_foreach(sc.members, i, m)
    {
        json_t *id = json_object_get(m, "id");
        if (rc == 0 && json_is_string(id))
            json_array_append(ids, id);
    }
    int cut = sc.truncated || json_array_size(sc.members) >= S_MAX_MEMBERS;
    json_decref(sc.groups);
    json_decref(sc.members);
    return rc < 0 ? -1 : cut;
}

static int s_by_count(const void *a, const void *b)
{
    long long na = json_integer_value(json_object_get(*(json_t *const *)a, "n"));
    long long nb = json_integer_value(json_object_get(*(json_t *const *)b, "n"));
    return na < nb ? 1 : na > nb ? -1 : 0;
}

/* "47 keer (bijna) hetzelfde idee over Groen in Hoensbroek", as far as the
 * members agree on a theme and a wijk. */
static void s_sentence(sb_t *sb, const dash_t *d, json_t *g)
{
    long long n = json_integer_value(json_object_get(g, "n"));
    const char *theme = json_string_value(json_array_get(json_object_get(g, "themes"), 0));
    const char *wijk = json_is_true(json_object_get(g, "wijk_same"))
                           ? json_string_value(json_object_get(g, "wijk"))
                           : NULL;
    sb_printf(sb, "%s keer (bijna) hetzelfde idee", num_nl(n).s);
    if (theme) {
        sb_add(sb, " over ");
        sb_esc(sb, page_label(d, "theme", theme));
    }
    if (wijk) {
        sb_add(sb, " in ");
        sb_esc(sb, page_label(d, "wijk", wijk));
    }
}

static void s_list(sb_t *sb, const dash_t *d, s_scan_t *sc)
{
    size_t n = json_object_size(sc->groups), k = 0;
    json_t **gs = xcalloc(n ? n : 1, sizeof *gs);
    const char *key;
    json_t *g;
    json_object_foreach(sc->groups, key, g)
    {
        if (json_integer_value(json_object_get(g, "n")) < 2)
            continue; /* a cluster of one is no cluster */
        json_object_set_new(g, "id", json_string(key));
        gs[k++] = g;
    }
    qsort(gs, k, sizeof *gs, s_by_count);
    if (k == 0)
        sb_add(sb, "<p>Er zijn (met deze filters) geen ideeën die op elkaar lijken.</p>\n");
    else
        sb_add(sb, "<ol class=\"clusters\">\n");
    for (size_t i = 0; i < k && i < S_TOP; i++) {
        sb_add(sb, "<li><h2>");
        s_sentence(sb, d, gs[i]);
        sb_add(sb, "</h2>\n<blockquote><p class=\"text\" dir=\"auto\">");
        sb_esc(sb, json_string_value(json_object_get(gs[i], "text")));
        sb_add(sb, "</p></blockquote>\n<p><a href=\"/clusters?cluster=");
        sb_url(sb, json_string_value(json_object_get(gs[i], "id")));
        sb_printf(sb, "\">Alle %s ideeën van deze groep</a></p></li>\n",
                  num_nl(json_integer_value(json_object_get(gs[i], "n"))).s);
    }
    if (k)
        sb_add(sb, "</ol>\n");
    free(gs);
}

/* Staff put the whole group with another idea's group (ui_cluster_merge.c). */
static void s_merge_form(sb_t *sb, const session_t *s, const char *cluster)
{
    sb_add(sb, "<h2>Samenvoegen</h2>\n<form method=\"post\" action=\"/clusters\">\n"
               "<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(sb, s->csrf);
    sb_add(sb, "\">\n<input type=\"hidden\" name=\"cluster\" value=\"");
    sb_esc(sb, cluster);
    sb_add(sb, "\">\n<p><label for=\"c-bij\">Deze hele groep hoort bij de groep van het idee "
               "met nummer</label><input id=\"c-bij\" name=\"bij\" maxlength=\"64\" "
               "autocomplete=\"off\"></p>\n<p><button type=\"submit\">Samenvoegen</button></p>\n"
               "</form>\n");
}

static void s_members(sb_t *sb, const dash_t *d, s_scan_t *sc, const session_t *s,
                      const char *merged)
{
    if (merged) {
        long n = strtol(merged, NULL, 10);
        char said[80];
        snprintf(said, sizeof said, "%s ideeën zijn bij deze groep gezet.",
                 num_nl(n > 0 && n < 100000 ? n : 0).s);
        page_notice(sb, 1, said);
    }
    sb_printf(sb, "<h2>%s ideeën in deze groep</h2>\n",
              num_nl((long long)json_array_size(sc->members)).s);
    sb_add(sb, "<p><a href=\"/clusters\">Terug naar alle groepen</a></p>\n<table><caption>"
               "Ideeën in de groep, nieuwste eerst</caption><thead><tr><th scope=\"col\">"
               "Datum</th><th scope=\"col\">Wijk</th><th scope=\"col\">Tekst</th></tr>"
               "</thead><tbody>\n");
    size_t i;
    json_t *m;
    json_array_foreach(sc->members, i, m)
    {
        char when[40];
        clock_local_format(json_integer_value(json_object_get(m, "received_at")), PAGE_WHEN_FMT,
                           when, sizeof when);
        sb_printf(sb, "<tr><td>%s</td><td>", when);
        sb_esc(sb, page_label(d, "wijk", json_string_value(json_object_get(m, "wijk"))));
        sb_add(sb, "</td><td><a dir=\"auto\" href=\"/ideeen/");
        sb_url(sb, json_string_value(json_object_get(m, "id")));
        sb_add(sb, "\">");
        sb_esc(sb, json_string_value(json_object_get(m, "text")));
        sb_add(sb, "</a></td></tr>\n");
    }
    sb_add(sb, "</tbody></table>\n");
    s_merge_form(sb, s, sc->cluster);
}

/* A filter value: empty = none; otherwise at most QUERY_MAX_VALUE bytes
 * without control characters. */
static int s_param(const http_req_t *req, const char *name, const char **out)
{
    const char *v = http_query(req, name);
    *out = v && *v ? v : NULL;
    if (!*out)
        return 0;
    if (strlen(v) > QUERY_MAX_VALUE)
        return -1;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return -1;
    return 0;
}

/* One option; selected when it is the current value. */
static void s_option(sb_t *sb, const char *value, const char *label, const char *cur)
{
    sb_add(sb, "<option value=\"");
    sb_esc(sb, value);
    sb_add(sb, cur && strcmp(cur, value) == 0 ? "\" selected>" : "\">");
    sb_esc(sb, label);
    sb_add(sb, "</option>");
}

/* Wijk and theme as lists of Dutch names (the values stay codes and
 * slugs); a current value not in the lists is kept as an option. */
static void s_form(sb_t *sb, const dash_t *d, const s_scan_t *sc)
{
    const char *code, *name;
    int seen = !sc->wijk;
    sb_add(sb, "<form class=\"filters\" method=\"get\" action=\"/clusters\">\n<p><label "
               "for=\"c-wijk\">Wijk</label><select id=\"c-wijk\" name=\"wijk\">"
               "<option value=\"\">Alle</option>");
    for (size_t i = 0; d->geo && geo_wijk_at(d->geo, i, &code, &name) == 0; i++) {
        s_option(sb, code, name, sc->wijk);
        seen |= sc->wijk && strcmp(sc->wijk, code) == 0;
    }
    if (!seen)
        s_option(sb, sc->wijk, page_label(d, "wijk", sc->wijk), sc->wijk);
    seen = !sc->theme;
    sb_add(sb, "</select></p>\n<p><label for=\"c-theme\">Thema</label><select id=\"c-theme\" "
               "name=\"theme\"><option value=\"\">Alle</option>");
    for (size_t i = 0; i < d->n_themes; i++) {
        s_option(sb, d->theme_slug[i], d->theme_label[i], sc->theme);
        seen |= sc->theme && strcmp(sc->theme, d->theme_slug[i]) == 0;
    }
    if (!seen)
        s_option(sb, sc->theme, page_label(d, "theme", sc->theme), sc->theme);
    sb_add(sb, "</select></p>\n<p><button type=\"submit\">Filter toepassen</button></p>\n"
               "</form>\n");
}

void ui_clusters(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    sb_t sb = {0};
    s_scan_t sc = {0};
    if (!session_require(d, rs, req, res, &s))
        goto out;
    if (s_param(req, "wijk", &sc.wijk) < 0 || s_param(req, "theme", &sc.theme) < 0 ||
        s_param(req, "cluster", &sc.cluster) < 0) {
        page_message(res, 400, "Ongeldig filter", "Een filter is te lang of bevat vreemde tekens.");
        goto out;
    }
    sc.groups = json_object();
    sc.members = json_array();
    if (s_scan(rs, &sc) < 0) {
        dash_unavailable_page(res, rs);
        goto out;
    }
    page_begin(&sb, "Groepen van gelijke ideeën", &s);
    sb_add(&sb, "<h1>Groepen van gelijke ideeën</h1>\n<p>Ideeën die (bijna) hetzelfde zeggen, "
                "de grootste groepen eerst. Verborgen ideeën tellen niet mee.</p>\n");
    s_form(&sb, d, &sc);
    if (sc.truncated)
        sb_printf(&sb, "<p class=\"err\">Alleen de nieuwste %s ideeën zijn geteld.</p>\n",
                  num_nl(S_MAX_SCAN).s);
    if (sc.cluster)
        s_members(&sb, d, &sc, &s, http_query(req, "samengevoegd"));
    else
        s_list(&sb, d, &sc);
    page_send(res, 200, &sb);
out:
    json_decref(sc.groups);
    json_decref(sc.members);
    dash_redis_put(d, rs);
}
