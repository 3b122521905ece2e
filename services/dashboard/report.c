/*
 * NAME
 *   report - GET /report: the participatieverslag as printable HTML, and
 *   as PDF with ?format=pdf
 *
 * DESCRIPTION
 *   Access: a staff session, a staff API token (Authorization: Bearer), or
 *   a one-time internal token (?token=, see below). Sections: the process
 *   (activities with the people spoken to and the ideas each gave, counted
 *   as on /resultaten by public_activity_ideas, and the table of the
 *   channels, public_channels), ideas per channel, wijk and
 *   target group (quotes per group: the plan's three tracks), the main
 *   themes, and every wijk with ideas (not only the largest), with representative
 *   approved quotes (approved, no PII flags; each wijk's heading also says
 *   how many people gave its ideas, headcount.h), "nu" versus "toekomst",
 *   the tone (positief/neutraal/negatief, with quotes: the plan asks what
 *   residents are proud of and what not; split by nu / toekomst in a
 *   table, report_tone.c),
 *   and an appendix table of every count; before the sections, how the
 *   ideas were sorted (classifier, checked by staff), and before the
 *   appendix, what happens next (public_sorting.c, as on /resultaten).
 *   "Wie deden er mee?" (public_people) also says how many ideas came in
 *   each language other than Dutch (public_gaps.c); the appendix has
 *   every language, Dutch too.
 *   Everything is server-side HTML + SVG, so printing the page gives the
 *   same document. Hidden ideas (status "hidden") are left out of every
 *   count (stats_counts_visible); the opening says how many ideas came in,
 *   how many of them are hidden, and between which days they were given.
 *
 *   PDF: headless Chromium prints this same page (report_pdf.c). It fetches
 *   /report?token=T where T is a random one-time token whose hash is kept
 *   in inspraak:report-token:<hex> for two minutes and deleted when used
 *   (GETDEL), so no staff credential is handed to the browser.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "dashboard.h"
#include "headcount.h"
#include "log.h"

static int s_one_time_ok(rstore_t *rs, const char *token)
{
    unsigned char h[32];
    char hex[65];
    if (!token || strlen(token) != 64)
        return 0;
    crypto_generichash(h, sizeof h, (const unsigned char *)token, 64, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    redisReply *r = rstore_cmd(rs, "GETDEL " DASH_KEY_PREFIX "report-token:%s", hex);
    int ok = r && r->type == REDIS_REPLY_STRING;
    if (r)
        freeReplyObject(r);
    return ok;
}

/* 1 when the request may see the report; else the answer is set. */
static int s_access(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res, session_t *s,
                    int *has_session)
{
    *has_session = 0;
    const char *tok = http_query(req, "token");
    if (tok) {
        if (s_one_time_ok(rs, tok))
            return 1;
        page_message(res, 403, "Niet toegestaan", "Deze link is verlopen.");
        return 0;
    }
    int r = session_get(d, rs, req, s);
    if (r == 1) {
        *has_session = 1;
        return 1;
    }
    if (http_header(req, "Authorization"))
        return auth_check(d, rs, req, res);
    session_refuse(req, res, r, s);
    return 0;
}

static void s_add_shown(const idea_t *idea, void *arg)
{
    if (!idea->status || strcmp(idea->status, "hidden") != 0)
        headcount_add(arg, NULL, idea->participant_id);
}

/* The people behind the ideas of one wijk, hidden ones left out as in
 * every count of the report; -1 when Redis failed. */
static long long s_wijk_people(rstore_t *rs, const char *wijk)
{
    query_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.eq[QUERY_WIJK], sizeof q.eq[QUERY_WIJK], "%s", wijk);
    q.n_eq = 1;
    headcount_t *h = headcount_new();
    long long people = ideas_walk(rs, &q, s_add_shown, h) < 0 ? -1 : headcount_people(h, NULL);
    headcount_destroy(&h);
    return people;
}

/* top for every value with ideas ("none" never has a heading) */
#define S_ALL SVG_ALL_BARS

/* A section with a chart of dim and, with quotes > 0, quotes per value
 * (the top values only, largest first). Returns 0 or -1 (Redis). */
static int s_section(dash_t *d, rstore_t *rs, sb_t *sb, const char *dim, const char *title,
                     int quotes, int top)
{
    json_t *c = stats_counts_visible(rs, dim);
    if (!c)
        return -1;
    sb_add(sb, "<section><h2>");
    sb_esc(sb, title);
    sb_add(sb, "</h2>\n<figure><figcaption>");
    sb_esc(sb, page_dim_title(dim));
    sb_add(sb, "</figcaption>");
    svg_bar_chart(sb, d, dim, c, SVG_ALL_BARS, 0);
    sb_add(sb, "</figure>\n");
    int rc = 0;
    if (strcmp(dim, "sentiment") == 0) { /* the plan's pride is about Heerlen now */
        json_t *question = stats_counts_visible(rs, "question");
        rc = question ? report_tone(d, rs, sb, c, question) : -1;
        json_decref(question);
    }
    for (int round = 0; quotes > 0 && round < top && rc == 0; round++) {
        const char *best = NULL, *k;
        json_t *v;
        long long bn = 0;
        json_object_foreach(c, k, v)
        {
            if (strcmp(k, "none") != 0 && json_integer_value(v) > bn) {
                best = k;
                bn = json_integer_value(v);
            }
        }
        if (!best)
            break;
        sb_add(sb, "<h3>");
        sb_esc(sb, page_label(d, dim, best));
        sb_printf(sb, " (%s %s", num_nl(bn).s, page_plural(bn, "idee", "ideeën"));
        long long people = strcmp(dim, "wijk") == 0 ? s_wijk_people(rs, best) : 0;
        if (people < 0)
            rc = -1;
        else if (people > 0) /* the people counted as on /resultaten (headcount.h) */
            sb_printf(sb, ", van ongeveer %s %s", num_nl(people).s,
                      page_plural(people, "persoon", "mensen"));
        sb_add(sb, ")</h3>\n");
        int shown = ui_quotes(rs, sb, dim, best, quotes);
        if (shown < 0)
            rc = -1;
        else if (shown == 0) /* not a quote gone missing: none approved yet */
            sb_add(sb, "<p>Hier is nog geen citaat gekozen.</p>\n");
        json_object_set_new(c, best, json_integer(0)); /* next round: the next best */
    }
    sb_add(sb, "</section>\n");
    json_decref(c);
    return rc;
}

/* The opening: how many ideas came in, and how many of them the report
 * leaves out because staff hid them (and why one hides an idea), so the
 * reader knows what the figures below are about. */
/* "De ideeën ... zijn gegeven tussen 12 maart 2026 en 29 november 2026.":
 * the first and last of Heerlen's days with ideas not hidden (days:
 * stats_counts_visible of "day", "YYYY-MM-DD" keys, which sort as dates),
 * so the reader knows over which time the figures run. */
static void s_period(sb_t *sb, json_t *days)
{
    const char *first = NULL, *last = NULL, *k;
    json_t *v;
    json_object_foreach(days, k, v)
    {
        if (json_integer_value(v) <= 0 || strlen(k) != 10)
            continue;
        if (!first || strcmp(k, first) < 0)
            first = k;
        if (!last || strcmp(k, last) > 0)
            last = k;
    }
    if (!first)
        return;
    char buf[40];
    int one = strcmp(first, last) == 0;
    sb_add(sb, one ? "De ideeën in dit verslag zijn gegeven op "
                   : "De ideeën in dit verslag zijn gegeven tussen ");
    sb_esc(sb, page_day(first, buf, sizeof buf));
    if (!one) {
        sb_add(sb, " en ");
        sb_esc(sb, page_day(last, buf, sizeof buf));
    }
    sb_add(sb, ". ");
}

static void s_intro(sb_t *sb, long long all, long long hidden, json_t *days)
{
    char ymd[16], buf[40];
    clock_local_format(clock_wall_ms(), "%Y-%m-%d", ymd, sizeof ymd);
    const char *day = page_day(ymd, buf, sizeof buf); /* "29 november 2026" */
    hidden = hidden > all ? all : hidden; /* read apart: an idea may come in between */
    sb_printf(sb,
              "<h1>Participatieverslag Omgevingsvisie Heerlen</h1>\n<p>Gemaakt op %s. "
              "In totaal %s %s %s binnen. ",
              day, all == 1 ? "kwam" : "kwamen", num_nl(all).s, all == 1 ? "idee" : "ideeën");
    if (hidden == 1)
        sb_add(sb, "1 idee is verborgen door medewerkers, bijvoorbeeld omdat het kwetsend was "
                   "of niet over Heerlen ging. Dat idee staat niet in dit verslag. ");
    else if (hidden > 1)
        sb_printf(sb,
                  "%s ideeën zijn verborgen door medewerkers, bijvoorbeeld omdat ze kwetsend "
                  "waren of niet over Heerlen gingen. Die ideeën staan niet in dit verslag. ",
                  num_nl(hidden).s);
    if (hidden > 0)
        sb_printf(sb, "Dit verslag gaat over %s %s. ", num_nl(all - hidden).s,
                  all - hidden == 1 ? "idee" : "ideeën");
    s_period(sb, days);
    sb_add(sb, "Citaten zijn alleen ideeën die door medewerkers zijn goedgekeurd, zonder "
               "persoonsgegevens.</p>\n");
}

static int s_build(dash_t *d, rstore_t *rs, sb_t *sb)
{
    long long came = stats_total(rs);
    long long hidden = came < 0 ? -1 : stats_total_hidden(rs);
    json_t *days = hidden < 0 ? NULL : stats_counts_visible(rs, "day");
    if (!days)
        return -1;
    s_intro(sb, came, hidden, days);
    json_decref(days);
    json_t *acts = activities_list(rs);
    json_t *channel = acts ? stats_counts_visible(rs, "channel") : NULL;
    if (!channel) {
        json_decref(acts);
        return -1;
    }
    sb_add(sb, "<section><h2>Het proces: activiteiten en bereikte mensen</h2>\n");
    int rc = 0;
    if (json_array_size(acts) == 0)
        sb_add(sb, "<p>Er zijn nog geen activiteiten vastgelegd.</p>\n");
    else { /* first to last, as /resultaten; no place: staff's note, may be an address */
        json_t *dated = activities_by_date(acts);
        long long *ideas = public_activity_ideas(rs, dated); /* as /resultaten counts them */
        if (ideas) {
            sb_add(sb, "<p>Bij elke activiteit staat met hoeveel mensen medewerkers spraken en "
                       "hoeveel ideeën we daar kregen: de ideeën van die soort activiteit, op die "
                       "dag of dagen, en uit die wijk.</p>\n");
            activities_table(sb, d, dated, 0, ideas);
        }
        rc = ideas ? 0 : -1;
        free(ideas);
        json_decref(dated);
    }
    public_channels(sb, d, channel); /* the steps that were open all the time */
    sb_add(sb, "</section>\n");
    /* who took part: the same section and figures as /resultaten */
    json_t *wijk = rc == 0 ? stats_counts_visible(rs, "wijk") : NULL;
    rc = wijk ? public_people(d, rs, sb, acts, channel, wijk, true) : -1;
    json_decref(wijk);
    json_decref(channel);
    json_decref(acts);
    if (rc < 0 || public_sorting(rs, sb, came - hidden) < 0)
        return -1;
    /* 7: the plan asks what residents are proud of and what not */
    static const char *const dims[] = {"activity", "channel",  "target_group", "wijk",
                                       "theme",    "question", "sentiment"};
    static const char *const titles[] = {"1. Ideeën per soort activiteit",
                                         "2. Ideeën per kanaal",
                                         "3. Ideeën per doelgroep, met citaten",
                                         "4. Ideeën per wijk, met citaten",
                                         "5. De belangrijkste thema's, met citaten",
                                         "6. Heerlen nu en Heerlen in de toekomst",
                                         "7. Positief of negatief: hoe denken mensen over "
                                         "Heerlen?"};
    /* 3: the plan promises what each group (inwoners, professionals,
     * buurtorganisaties) wished for */
    /* 4: every wijk with ideas (S_ALL), not only the largest: a council
     * member of a small wijk looks for theirs. Heerlen has 23 wijken, so
     * at most 46 quotes; the themes stay the 6 largest. */
    static const int quotes[] = {0, 0, 2, 2, 3, 3, 2}, top[] = {0, 0, 3, S_ALL, 6, 2, 3};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        if (s_section(d, rs, sb, dims[i], titles[i], quotes[i], top[i]) < 0)
            return -1;
    sb_add(sb, "<section><h2>8. Ideeën per wijk op de kaart</h2>\n");
    json_t *w = stats_counts_visible(rs, "wijk");
    if (!w)
        return -1;
    svg_map_render(sb, d, w, 0);
    json_decref(w);
    sb_add(sb, "</section>\n");
    if (public_next(rs, sb) < 0)
        return -1;
    sb_add(sb, "<section><h2>Bijlage: alle aantallen</h2>\n");
    static const char *const all[] = {"channel",  "activity", "target_group",
                                      "wijk",     "theme",    "sentiment",
                                      "question", "language", "status",
                                      "day"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        json_t *c = stats_counts_visible(rs, all[i]);
        if (!c)
            return -1;
        chart_table(sb, d, all[i], c, came - hidden);
        json_decref(c);
    }
    sb_add(sb, "</section>\n");
    return 0;
}

void report_page(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    int has_session = 0;
    const char *fmt = http_query(req, "format");
    if (!s_access(d, rs, req, res, &s, &has_session))
        goto out;
    if (fmt && strcmp(fmt, "pdf") == 0) {
        report_pdf(d, rs, res);
        goto out;
    }
    sb_t sb = {0};
    page_begin(&sb, "Participatieverslag", has_session ? &s : NULL);
    if (has_session)
        sb_add(&sb, "<p class=\"noprint\"><a href=\"/report?format=pdf\">Download als "
                    "PDF</a></p>\n");
    if (s_build(d, rs, &sb) < 0) {
        sb_free(&sb);
        dash_unavailable_page(res, rs);
        goto out;
    }
    page_send(res, 200, &sb);
out:
    dash_redis_put(d, rs);
}
