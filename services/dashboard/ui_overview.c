/*
 * NAME
 *   ui_overview - the staff overview (GET /) and the public results page
 *   (GET /resultaten, no login)
 *
 * DESCRIPTION
 *   Both show the same figures (ui_figures): totals, a bar chart per
 *   dimension from the stats hashes and the wijk map, all server-side SVG.
 *   The public page starts with the steps taken and the people reached
 *   (public_steps.c), says how the ideas were sorted and what happens
 *   next (public_sorting.c), adds approved quotes (ui_quotes) and shows nothing
 *   else about any idea: quotes are only ideas with status "approved" and
 *   without PII flags, printed as text alone (no id, no date, no source;
 *   lang="xx" when the classifier found another language than Dutch),
 *   and at most one per near-duplicate cluster (or identical text).
 *   Names and email addresses are never read by the dashboard at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"

static const char *const s_dims[] = {"channel", "activity",  "target_group", "wijk",
                                     "theme",   "sentiment", "question"};
#define S_NDIMS (sizeof s_dims / sizeof s_dims[0])

typedef struct {
    const char *k[5], *v[5];
} s_params_t;

static const char *s_param(const char *name, void *arg)
{
    s_params_t *p = arg;
    for (int i = 0; i < 5 && p->k[i]; i++)
        if (strcmp(p->k[i], name) == 0)
            return p->v[i];
    return NULL;
}

static long long s_zcard(rstore_t *rs, const char *key)
{
    redisReply *r = rstore_cmd(rs, "ZCARD %s", key);
    long long n = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r)
        freeReplyObject(r);
    return n;
}

/* The counts of dim: from have (dim -> counts, read already) or Redis. */
static json_t *s_counts(rstore_t *rs, json_t *have, const char *dim, int public_page)
{
    json_t *c = json_object_get(have, dim);
    if (c)
        return json_incref(c);
    /* The public page leaves hidden ideas out of every figure. */
    return public_page ? stats_counts_visible(rs, dim) : stats_counts(rs, dim);
}

int ui_figures(dash_t *d, rstore_t *rs, sb_t *sb, int public_page, json_t *have)
{
    long long total = public_page ? stats_total_visible(rs) : stats_total(rs);
    long long approved = s_zcard(rs, DASH_KEY_PREFIX "ix:status:approved");
    json_t *wijk = s_counts(rs, have, "wijk", public_page);
    if (total < 0 || approved < 0 || !wijk) {
        json_decref(wijk);
        return -1;
    }
    size_t n_wijken = json_object_size(wijk) - (json_object_get(wijk, "none") ? 1 : 0);
    sb_printf(sb,
              "<section aria-labelledby=\"totaal\"><h2 id=\"totaal\">In cijfers</h2>\n"
              "<div class=\"totals\"><p><span class=\"big\">%s</span> %s</p>"
              "<p><span class=\"big\">%s</span> %s met ideeën</p>",
              num_nl(total).s, total == 1 ? "idee" : "ideeën", num_nl((long long)n_wijken).s,
              n_wijken == 1 ? "wijk" : "wijken");
    if (!public_page)
        sb_printf(sb, "<p><span class=\"big\">%s</span> goedgekeurd</p>", num_nl(approved).s);
    sb_add(sb, "</div></section>\n<section aria-labelledby=\"kaart\"><h2 id=\"kaart\">Ideeën "
               "per wijk</h2>\n<figure id=\"map\">");
    svg_map_render(sb, d, wijk, !public_page);
    sb_add(sb, "</figure></section>\n<section aria-labelledby=\"grafieken\">"
               "<h2 id=\"grafieken\">Waar gaan de ideeën over?</h2>\n<div class=\"charts\">\n");
    json_decref(wijk);
    for (size_t i = 0; i < S_NDIMS + 1; i++) {
        const char *dim = i < S_NDIMS ? s_dims[i] : "day";
        json_t *c = s_counts(rs, have, dim, public_page);
        if (!c)
            return -1;
        sb_add(sb, "<figure><figcaption>");
        sb_esc(sb, page_dim_title(dim));
        sb_add(sb, "</figcaption>\n");
        svg_bar_chart(sb, d, dim, c, i < S_NDIMS ? SVG_ALL_BARS : 31, i == S_NDIMS);
        /* the chart is one image to a screen reader: its figures as text */
        sb_add(sb, "<details><summary>De cijfers in een tabel</summary>\n");
        chart_table(sb, d, dim, c, total);
        sb_add(sb, "</details>\n</figure>\n");
        json_decref(c);
    }
    sb_add(sb, "</div></section>\n");
    return 0;
}

/* Approved ideas are read newest first, 4n at first (usually enough) and
 * then S_QUOTE_PAGE at a time, until n quotes are found or S_QUOTE_PAGES
 * pages were read: ideas with PII flags and repeats of a group already
 * quoted are passed over, so a run of them must not leave the page without
 * quotes, but the report (one call per wijk with ideas, up to 23, and per theme,
 * tone and target group: about 35) must stay cheap with many approved
 * ideas. */
#define S_QUOTE_PAGE 100
#define S_QUOTE_PAGES 10

/* 1 when the idea's cluster or text was quoted already; else marks both. */
static int s_quoted_before(json_t *seen, const char *cluster, const char *text)
{
    if ((cluster && json_object_get(seen, cluster)) || json_object_get(seen, text))
        return 1;
    if (cluster)
        json_object_set_new(seen, cluster, json_true());
    json_object_set_new(seen, text, json_true());
    return 0;
}

/* lang="xx" for a quote the classifier found to be in another language
 * than the page's Dutch, so a screen reader reads it with that language's
 * sounds (WCAG 3.1.2); only a plain code (2 or 3 lowercase letters). */
static void s_lang(sb_t *sb, const char *lang)
{
    size_t n = lang ? strlen(lang) : 0;
    if (n < 2 || n > 3 || strcmp(lang, "nl") == 0 ||
        strspn(lang, "abcdefghijklmnopqrstuvwxyz") != n)
        return;
    sb_printf(sb, " lang=\"%s\"", lang);
}

int ui_quotes(rstore_t *rs, sb_t *sb, const char *dim, const char *value, int n)
{
    char limit[16], cursor[QUERY_MAX_CURSOR + 1] = "";
    s_params_t p = {{"status", "limit", "cursor", dim, NULL},
                    {"approved", limit, NULL, value, NULL}};
    json_t *seen = json_object();
    int shown = 0;
    for (int page = 0; page < S_QUOTE_PAGES && shown < n; page++) {
        snprintf(limit, sizeof limit, "%d",
                 page == 0 && n * 4 < S_QUOTE_PAGE ? n * 4 : S_QUOTE_PAGE);
        p.v[2] = cursor[0] ? cursor : NULL;
        query_t q;
        query_err_t qerr;
        if (query_parse(&q, s_param, &p, &qerr) < 0)
            break; /* a value the indexes cannot hold: no quotes */
        json_t *ans = ideas_find(rs, &q);
        if (!ans) {
            json_decref(seen);
            return -1;
        }
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(ans, "items"), i, it)
        {
            const char *text = json_string_value(json_object_get(it, "text"));
            if (shown >= n || !text || json_array_size(json_object_get(it, "pii")) > 0)
                continue; /* PII-flagged ideas are never quoted in public */
            if (s_quoted_before(seen, json_string_value(json_object_get(it, "cluster")), text))
                continue; /* one quote per group of (nearly) the same ideas */
            sb_add(sb, "<blockquote><p class=\"text\" dir=\"auto\"");
            s_lang(sb, json_string_value(json_object_get(it, "language")));
            sb_add(sb, ">");
            sb_esc_cut(sb, text, PAGE_QUOTE_CHARS); /* the whole idea: its own page */
            sb_add(sb, "</p></blockquote>\n");
            shown++;
        }
        const char *next = json_string_value(json_object_get(ans, "next_cursor"));
        int more = next && strlen(next) < sizeof cursor;
        if (more)
            memcpy(cursor, next, strlen(next) + 1);
        json_decref(ans);
        if (!more)
            break;
    }
    json_decref(seen);
    return shown;
}

void ui_overview(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    sb_t sb = {0};
    if (!session_require(d, rs, req, res, &s))
        goto out;
    page_begin(&sb, "Overzicht", &s);
    sb_add(&sb, "<h1>Overzicht van alle ideeën</h1>\n<p>Klik op <a href=\"/ideeen\">Ideeën</a> "
                "om te zoeken en te filteren. Alle ideeën downloaden: <a "
                "href=\"/api/v1/export.csv?excel=1\">voor Excel</a> of <a "
                "href=\"/api/v1/export.csv\">als CSV voor andere programma's</a> (met "
                "komma's).</p>\n");
    if (ui_figures(d, rs, &sb, 0, NULL) < 0) {
        sb_free(&sb);
        dash_unavailable_page(res, rs);
        goto out;
    }
    page_send(res, 200, &sb);
out:
    dash_redis_put(d, rs);
}

void ui_public(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    /* the copy rendered before, while nothing it shows has changed
     * (public_cache.c); when Redis fails here, the page below says so */
    char version[PUBLIC_CACHE_VERSION] = "";
    int versioned = d->public_cache_s > 0 && public_cache_version(rs, version) == 0;
    if (versioned && public_cache_get(d, version, res)) {
        dash_redis_put(d, rs);
        return;
    }
    sb_t sb = {0};
    page_begin(&sb, "Resultaten", NULL);
    sb_add(&sb, "<h1>Wat zegt Heerlen? De resultaten van de inspraak</h1>\n"
                "<p>Inwoners, professionals en buurtorganisaties gaven hun ideeën voor de "
                "omgevingsvisie van Heerlen. Hier ziet u hoe we de ideeën ophaalden, hoeveel "
                "mensen meededen, hoeveel ideeën er zijn, waar ze over gaan en over welke wijken "
                "ze gaan. Namen en e-mailadressen staan hier nooit.</p>\n");
    /* Channel and wijk counts are read once for all sections. */
    json_t *list = activities_list(rs);
    json_t *channel = list ? stats_counts_visible(rs, "channel") : NULL;
    json_t *wijk = channel ? stats_counts_visible(rs, "wijk") : NULL;
    json_t *have = json_pack("{s:O?, s:O?}", "channel", channel, "wijk", wijk);
    int rc = wijk ? public_steps(d, rs, &sb, list, channel) : -1;
    if (rc == 0)
        rc = public_people(d, rs, &sb, list, channel, wijk, false);
    if (rc == 1) /* no number of people yet: not a page to keep */
        versioned = rc = 0;
    if (rc == 0)
        rc = ui_figures(d, rs, &sb, 1, have);
    if (rc == 0) {
        long long total = stats_total_visible(rs);
        rc = total < 0 ? -1 : public_sorting(rs, &sb, total);
    }
    json_decref(have);
    json_decref(list);
    json_decref(channel);
    json_decref(wijk);
    if (rc == 0) {
        sb_add(&sb, "<section aria-labelledby=\"citaten\"><h2 id=\"citaten\">Wat inwoners "
                    "zeggen</h2>\n");
        int n = ui_quotes(rs, &sb, NULL, NULL, 12);
        rc = n < 0 ? -1 : 0;
        if (n == 0)
            sb_add(&sb, "<p>Er zijn nog geen citaten gekozen.</p>\n");
        sb_add(&sb, "</section>\n");
        if (rc == 0)
            rc = public_next(rs, &sb);
    }
    if (rc < 0) {
        sb_free(&sb);
        page_message(res, 503, "Even niet beschikbaar",
                     "De resultaten zijn nu niet bereikbaar. Probeer het over een paar minuten "
                     "opnieuw.");
    } else {
        page_end(&sb);
        if (versioned)
            public_cache_put(d, version, sb.buf, sb.len);
        page_send_body(res, 200, &sb);
    }
    dash_redis_put(d, rs);
}
