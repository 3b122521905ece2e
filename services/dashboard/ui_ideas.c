/*
 * NAME
 *   ui_ideas - GET /ideeen: the idea list with every filter of the API,
 *   search and paging, as a server-rendered page
 *
 * DESCRIPTION
 *   The parameters are exactly those of GET /api/v1/ideas (query.h), so a
 *   filtered page and an API call or CSV export with the same query string
 *   give the same ideas in the same order (sort: nieuw/oud, a select in
 *   the same GET form, so it works without JavaScript and keeps the
 *   filters). Paging follows next_cursor, which belongs to that order. Every value typed or
 *   stored is escaped; links carry values percent-encoded (sb_url), and no
 *   stored text is ever used as a link target. The people behind the
 *   selection are counted only on request (mensen=1, the link beside the
 *   total): that is a walk over the selection, which the list itself
 *   never needs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "headcount.h"

/* The labels of the date fields and of the order; a value the list
 * cannot take is named by them. */
#define S_FROM_LABEL "Vanaf (datum)"
#define S_TO_LABEL "Tot en met (datum)"
#define S_SORT_LABEL "Volgorde"
/* The order's choices; the values are those of the API's sort. */
static const char *const s_sort_labels[QUERY_NSORTS] = {"Nieuwste eerst", "Oudste eerst"};

static const char *s_get(const char *name, void *arg)
{
    return http_query((const http_req_t *)arg, name);
}

/* Options of a filter: fixed lists, the wijken from geo, or the values
 * present in the stats hash. */
static void s_select(dash_t *d, rstore_t *rs, sb_t *sb, const char *dim, const char *cur)
{
    static const char *const fixed[][5] = {
        {"channel", "form", "email", "transcript", "field"},
        {"sentiment", "positief", "neutraal", "negatief", NULL},
        {"question", "nu", "toekomst", NULL, NULL},
        {"target_group", "inwoner", "professional", "buurtorganisatie", NULL},
        {"status", "new", "approved", "hidden", NULL},
    };
    sb_printf(sb, "<p><label for=\"f-%s\">", dim);
    sb_esc(sb, page_dim_title(dim));
    sb_printf(sb, "</label><select id=\"f-%s\" name=\"%s\"><option value=\"\">Alle</option>", dim,
              dim);
    const char *vals[128];
    int n = 0;
    json_t *counts = NULL;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(fixed[i][0], dim) == 0)
            for (int k = 1; k < 5 && fixed[i][k]; k++)
                vals[n++] = fixed[i][k];
    if (n == 0 && strcmp(dim, "wijk") == 0 && d->geo) {
        const char *code, *name;
        for (size_t i = 0; n < 127 && geo_wijk_at(d->geo, i, &code, &name) == 0; i++)
            vals[n++] = code;
    } else if (n == 0 && (counts = stats_counts(rs, dim))) {
        const char *k;
        json_t *v;
        json_object_foreach(counts, k, v)
        {
            if (n < 127 && strcmp(k, "none") != 0)
                vals[n++] = k;
        }
    }
    vals[n++] = "none";
    for (int i = 0; i < n; i++) {
        sb_add(sb, "<option value=\"");
        sb_esc(sb, vals[i]);
        sb_add(sb, cur && strcmp(cur, vals[i]) == 0 ? "\" selected>" : "\">");
        sb_esc(sb, page_label(d, dim, vals[i]));
        sb_add(sb, "</option>");
    }
    sb_add(sb, "</select></p>\n");
    json_decref(counts);
}

static void s_input(sb_t *sb, const http_req_t *req, const char *name, const char *label,
                    const char *type)
{
    sb_printf(sb, "<p><label for=\"f-%s\">", name);
    sb_esc(sb, label);
    sb_printf(sb, "</label><input id=\"f-%s\" name=\"%s\" type=\"%s\" value=\"", name, name, type);
    sb_esc(sb, http_query(req, name));
    sb_add(sb, "\"></p>\n");
}

/* The current filters as a query string (without cursor). */
static void s_filters_qs(sb_t *sb, const http_req_t *req)
{
    static const char *const extra[] = {"q", "from", "to", "limit", "sort"};
    for (int i = 0; i < QUERY_NDIMS + 5; i++) {
        const char *k = i < QUERY_NDIMS ? query_dims[i] : extra[i - QUERY_NDIMS];
        const char *v = http_query(req, k);
        if (!v || !*v)
            continue;
        sb_printf(sb, "%s=", k);
        sb_url(sb, v);
        sb_add(sb, "&amp;");
    }
}

/* The page asked for (cursor) as a query string part, "" on the first. */
static void s_cursor_qs(sb_t *sb, const http_req_t *req)
{
    const char *v = http_query(req, "cursor");
    if (!v || !*v)
        return;
    sb_add(sb, "cursor=");
    sb_url(sb, v);
    sb_add(sb, "&amp;");
}

static void s_row(dash_t *d, sb_t *sb, json_t *it)
{
    const char *id = json_string_value(json_object_get(it, "id"));
    sb_add(sb, "<tr><td>");
    char when[40];
    sb_esc(sb, page_when(json_string_value(json_object_get(it, "received_at")), when,
                         sizeof when));
    sb_add(sb, "</td><td>");
    sb_esc(sb, page_label(d, "channel", json_string_value(json_object_get(it, "channel"))));
    sb_add(sb, "</td><td>");
    sb_esc(sb, page_label(d, "wijk", json_string_value(json_object_get(it, "wijk"))));
    sb_add(sb, "</td><td>");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(it, "themes"), i, t)
    {
        sb_add(sb, i ? ", " : "");
        sb_esc(sb, page_label(d, "theme", json_string_value(t)));
    }
    sb_add(sb, "</td><td>");
    sb_esc(sb, page_label(d, "status", json_string_value(json_object_get(it, "status"))));
    sb_add(sb, "</td><td><a dir=\"auto\" href=\"/ideeen/");
    sb_url(sb, id);
    sb_add(sb, "\">");
    /* 160 characters, after the last whole word (it was cut inside one) */
    sb_esc_cut(sb, json_string_value(json_object_get(it, "text")), 160);
    sb_add(sb, "</a></td></tr>\n");
}

/* The order of the list. */
static void s_sort(sb_t *sb, const char *cur)
{
    sb_add(sb, "<p><label for=\"f-sort\">" S_SORT_LABEL "</label><select id=\"f-sort\" "
               "name=\"sort\">");
    for (int i = 0; i < QUERY_NSORTS; i++)
        sb_printf(sb, "<option value=\"%s\"%s>%s</option>", query_sorts[i],
                  cur && strcmp(cur, query_sorts[i]) == 0 ? " selected" : "", s_sort_labels[i]);
    sb_add(sb, "</select></p>\n");
}

static void s_form(dash_t *d, rstore_t *rs, sb_t *sb, const http_req_t *req)
{
    sb_add(sb, "<form class=\"filters\" method=\"get\" action=\"/ideeen\" role=\"search\">\n");
    s_input(sb, req, "q", "Zoeken in de tekst", "search");
    for (int i = 0; i < QUERY_NDIMS; i++)
        s_select(d, rs, sb, query_dims[i], http_query(req, query_dims[i]));
    s_input(sb, req, "from", S_FROM_LABEL, "date");
    s_input(sb, req, "to", S_TO_LABEL, "date");
    s_sort(sb, http_query(req, "sort"));
    sb_add(sb, "<p><button type=\"submit\">Filter toepassen</button></p>\n</form>\n");
}

/* A date the list could not take, named by the label of its field. */
static const char *s_date_problem(const http_req_t *req)
{
    int64_t ms;
    const char *from = http_query(req, "from"), *to = http_query(req, "to");
    if (from && *from && query_parse_time(from, false, &ms) < 0)
        return "\"" S_FROM_LABEL "\" is geen datum. Kies een dag, bijvoorbeeld 2026-11-28.";
    if (to && *to && query_parse_time(to, true, &ms) < 0)
        return "\"" S_TO_LABEL "\" is geen datum. Kies een dag, bijvoorbeeld 2026-11-28.";
    return "\"" S_FROM_LABEL "\" moet vóór \"" S_TO_LABEL "\" liggen.";
}

/* What was wrong with the query, for staff: the API's message names its
 * parameters and values ("Deze waarde van channel kennen we niet", "sort
 * moet nieuw ... zijn", "limit moet ..."), this page says it with the
 * labels it shows. limit and cursor have no field: they come from a link,
 * and "Filter toepassen" leaves both out. The search text's message (q)
 * names no parameter; it is kept. The answer is static or in buf. */
static const char *s_problem(const http_req_t *req, const query_err_t *err, char *buf,
                             size_t len)
{
    const char *p = err->param;
    if (strcmp(p, "from") == 0 || strcmp(p, "to") == 0)
        return s_date_problem(req);
    if (strcmp(p, "sort") == 0) {
        snprintf(buf, len, "Deze \"" S_SORT_LABEL "\" kennen we niet. Kies \"%s\" of \"%s\".",
                 s_sort_labels[0], s_sort_labels[1]);
        return buf;
    }
    if (strcmp(p, "limit") == 0) {
        snprintf(buf, len,
                 "Het aantal ideeën per pagina moet een heel getal van 1 tot en met %d zijn. "
                 "Met \"Filter toepassen\" ziet u er %d per pagina.",
                 QUERY_MAX_LIMIT, QUERY_DEFAULT_LIMIT);
        return buf;
    }
    if (strcmp(p, "cursor") == 0)
        return "Deze pagina van de lijst kunnen we niet openen. Met \"Filter toepassen\" begint "
               "u weer bij de eerste pagina.";
    for (int i = 0; i < QUERY_NDIMS; i++)
        if (strcmp(p, query_dims[i]) == 0) {
            snprintf(buf, len, "Deze keuze bij \"%s\" kennen we niet. Kies er een uit de lijst.",
                     page_dim_title(p));
            return buf;
        }
    return err->message;
}

/* Below the table: back to the first page (past it), on to the next. */
static void s_paging(sb_t *sb, const http_req_t *req, const char *next)
{
    const char *cursor = http_query(req, "cursor");
    bool later = cursor && *cursor;
    if (!later && !next)
        return;
    sb_add(sb, "<p>");
    if (later) {
        sb_add(sb, "<a href=\"/ideeen?");
        s_filters_qs(sb, req);
        sb_add(sb, "\">Naar de eerste pagina</a>");
    }
    if (next) {
        sb_add(sb, later ? " · " : "");
        sb_add(sb, "<a rel=\"next\" href=\"/ideeen?");
        s_filters_qs(sb, req);
        sb_add(sb, "cursor=");
        sb_url(sb, next);
        sb_add(sb, "\">Volgende pagina</a>");
    }
    sb_add(sb, "</p>\n");
}

void ui_ideas(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    sb_t sb = {0};
    query_t q;
    query_err_t qerr;
    json_t *ans = NULL;
    headcount_t *h = NULL;
    if (!session_require(d, rs, req, res, &s))
        goto out;
    page_begin(&sb, "Ideeën", &s);
    sb_add(&sb, "<h1>Ideeën</h1>\n");
    s_form(d, rs, &sb, req);
    if (dash_query_parse(d, rs, &q, s_get, (void *)req, &qerr) < 0) {
        char problem[200];
        page_notice(&sb, 0, s_problem(req, &qerr, problem, sizeof problem));
        page_send(res, 400, &sb);
        goto out;
    }
    /* the people behind them, counted as on /resultaten (headcount.h), only
     * with mensen=1: they cost a walk over the selection, which the list
     * makes anyway for its total with a search text or a date (all_seen);
     * left out while storage is still counting after an update */
    const char *ask = http_query(req, "mensen");
    bool want_people = ask && strcmp(ask, "1") == 0, all_seen = false;
    h = want_people ? headcount_new() : NULL;
    if (!(ans = ideas_find_also(rs, &q, h ? headcount_add_idea : NULL, h, &all_seen))) {
        sb_free(&sb);
        dash_unavailable_page(res, rs);
        goto out;
    }
    long long total = (long long)json_integer_value(json_object_get(ans, "total"));
    if (total == 0) { /* no empty table, nothing to download */
        sb_add(&sb, "<h2>Geen ideeën gevonden</h2>\n<p>Er zijn geen ideeën die bij deze filters "
                    "passen. Kies minder filters of zoek op een ander woord.</p>\n");
        page_send(res, 200, &sb);
        goto out;
    }
    long long people = !want_people ? REACH_COUNTING
                       : all_seen   ? headcount_people(h, NULL)
                                    : headcount_query(rs, &q);
    if (people == -1) {
        sb_free(&sb);
        dash_unavailable_page(res, rs);
        goto out;
    }
    sb_printf(&sb, "<h2>%s %s gevonden", num_nl(total).s, page_plural(total, "idee", "ideeën"));
    if (people >= 0)
        sb_printf(&sb, ", van ongeveer %s %s", num_nl(people).s,
                  page_plural(people, "persoon", "mensen"));
    sb_add(&sb, "</h2>\n");
    if (want_people && people == REACH_COUNTING)
        sb_add(&sb, "<p>Het aantal mensen wordt nog geteld. Probeer het over een paar minuten "
                    "opnieuw.</p>\n");
    if (!want_people) {
        sb_add(&sb, "<p><a href=\"/ideeen?");
        s_filters_qs(&sb, req);
        s_cursor_qs(&sb, req);
        sb_add(&sb, "mensen=1\">Tel de mensen achter deze ideeën</a></p>\n");
    }
    sb_add(&sb, "<p>Deze selectie downloaden: <a href=\"/api/v1/export.csv?");
    s_filters_qs(&sb, req);
    sb_add(&sb, "excel=1\">voor Excel</a> of <a href=\"/api/v1/export.csv?");
    s_filters_qs(&sb, req);
    sb_printf(&sb,
              "\">als CSV voor andere programma's</a> (met komma's)</p>\n<table>\n"
              "<caption>Ideeën, %s "
              "eerst</caption>\n",
              q.sort == QUERY_SORT_OLD ? "oudste" : "nieuwste");
    sb_add(&sb, "<thead><tr><th scope=\"col\">Datum</th><th "
                "scope=\"col\">Kanaal</th><th scope=\"col\">Wijk</th><th "
                "scope=\"col\">Thema's</th><th scope=\"col\">Status</th><th "
                "scope=\"col\">Tekst</th></tr></thead>\n<tbody>\n");
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(ans, "items"), i, it) s_row(d, &sb, it);
    sb_add(&sb, "</tbody></table>\n");
    s_paging(&sb, req, json_string_value(json_object_get(ans, "next_cursor")));
    page_send(res, 200, &sb);
out:
    json_decref(ans);
    headcount_destroy(&h);
    dash_redis_put(d, rs);
}
