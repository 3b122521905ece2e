/*
 * NAME
 *   page - HTML building for the dashboard: the page frame (header,
 *   navigation, footer), security headers, labels (the growing buffer with
 *   its escaping is sb.c)
 *
 * DESCRIPTION
 *   Every piece of text that is not a literal of this program goes through
 *   sb_esc() or sb_url() (sb.c). User text
 *   never goes into a script, a style or an unquoted attribute; there is no
 *   script at all, and the Content-Security-Policy (page_headers) forbids
 *   any, so even a missed escape could not run code.
 *
 *   The style sheet is a separate resource (/static/dashboard.css) so the
 *   policy needs no 'unsafe-inline'.
 *
 *   Labels: people see Dutch words, never slugs (exports keep slugs: they
 *   are data). The themes are configurable (DESIGN.md "Themes"), so their
 *   list is read at start-up from the classifier's file, data/nl/themes.tsv
 *   (or INSPRAAK_THEMES_FILE), with the classifier's own loader; their
 *   Dutch labels come from that file's "# Labels:" comment, the one place
 *   the municipality edits them. A theme without a label shows its slug.
 *
 * OWNERSHIP
 *   page_send() takes the sb_t's buffer (sb.c) and hands it to the
 *   response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "classify.h"
#include "clock.h"
#include "dashboard.h"
#include "validate.h"
#include "xalloc.h"

void page_headers(http_res_t *res)
{
    http_res_header(res, "Content-Security-Policy",
                    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                    "frame-ancestors 'none'; base-uri 'none'");
    http_res_header(res, "X-Frame-Options", "DENY");
    http_res_header(res, "Cache-Control", "no-store");
}

/* "Ingelogd tot 14:35" (tomorrow: "morgen 10:35"; later: the date too),
 * in Heerlen's time: until when the session lasts without a click
 * (WCAG 2.2.1; session.c). */
static void s_session_end(sb_t *sb, int64_t ends_ms)
{
    char when[40], day[11], end_day[11];
    int64_t today_end = 0;
    if (ends_ms <= 0 || clock_local_day_of(clock_wall_ms(), day, NULL, &today_end) < 0 ||
        clock_local_day_of(ends_ms, end_day, NULL, NULL) < 0)
        return;
    const char *pre = "", *fmt = "%H:%M";
    if (strcmp(day, end_day) != 0) {
        if (clock_local_day_of(today_end + 1, day, NULL, NULL) == 0 && strcmp(day, end_day) == 0)
            pre = "morgen ";
        else
            fmt = "%d-%m-%Y %H:%M";
    }
    clock_local_format(ends_ms, fmt, when, sizeof when);
    sb_printf(sb, "<span class=\"ends\">Ingelogd tot %s%s</span> ", pre, when);
}

void page_begin(sb_t *sb, const char *title, const session_t *s)
{
    sb_add(sb, "<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>");
    sb_esc(sb, title);
    sb_add(sb, " - Inspraak Heerlen</title>\n"
               "<link rel=\"stylesheet\" href=\"/static/dashboard.css\">\n</head>\n<body>\n"
               "<a class=\"skip\" href=\"#inhoud\">Naar de inhoud</a>\n<header>\n"
               "<p class=\"brand\">Inspraak Heerlen</p>\n");
    if (s) {
        sb_add(sb, "<nav aria-label=\"Hoofdmenu\"><ul>"
                   "<li><a href=\"/\">Overzicht</a></li>"
                   "<li><a href=\"/ideeen\">Ideeën</a></li>"
                   "<li><a href=\"/clusters\">Groepen</a></li>"
                   "<li><a href=\"/activiteiten\">Activiteiten</a></li>"
                   "<li><a href=\"/overgeslagen\">Overgeslagen e-mails</a></li>"
                   "<li><a href=\"/report\">Verslag</a></li>"
                   "<li><a href=\"/resultaten\">Openbare pagina</a></li>");
        if (strcmp(s->role, "admin") == 0)
            sb_add(sb, "<li><a href=\"/campagnes\">Campagnes</a></li>"
                       "<li><a href=\"/bijeenkomst\">Bijeenkomst</a></li>"
                       "<li><a href=\"/beheer\">Beheer</a></li>");
        sb_add(sb, "</ul></nav>\n"
                   "<form class=\"logout\" method=\"post\" action=\"/logout\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"");
        sb_esc(sb, s->csrf);
        sb_add(sb, "\"><span>Ingelogd als ");
        sb_esc(sb, s->user);
        sb_add(sb, "</span> ");
        s_session_end(sb, s->ends_ms);
        sb_add(sb, "<button type=\"submit\">Uitloggen</button></form>\n");
    }
    sb_add(sb, "</header>\n<main id=\"inhoud\">\n");
}

void page_end(sb_t *sb)
{
    sb_add(sb, "</main>\n<footer><p>Gemeente Heerlen - Omgevingsvisie, inspraak van "
               "inwoners.</p></footer>\n</body>\n</html>\n");
}

void page_send_body(http_res_t *res, int status, sb_t *sb)
{
    http_res_take(res, status, "text/html; charset=utf-8", sb->buf, sb->len);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    page_headers(res);
}

void page_send(http_res_t *res, int status, sb_t *sb)
{
    page_end(sb);
    page_send_body(res, status, sb);
}

void page_message_back(http_res_t *res, int status, const char *title, const char *text,
                       const char *href, const char *label)
{
    sb_t sb = {0};
    page_begin(&sb, title, NULL);
    sb_add(&sb, "<h1>");
    sb_esc(&sb, title);
    sb_add(&sb, "</h1>\n<p>");
    sb_esc(&sb, text);
    sb_add(&sb, "</p>\n<p><a href=\"");
    sb_esc(&sb, href);
    sb_add(&sb, "\">");
    sb_esc(&sb, label);
    sb_add(&sb, "</a></p>\n");
    page_send(res, status, &sb);
}

void page_message(http_res_t *res, int status, const char *title, const char *text)
{
    page_message_back(res, status, title, text, "/", "Naar het begin");
}

/* autofocus (the dashboard runs no script): a screen reader reads the
 * outcome first, and the keyboard starts from there. */
void page_notice(sb_t *sb, int ok, const char *text)
{
    sb_printf(sb, "<p class=\"%s\" role=\"%s\" tabindex=\"-1\" autofocus>", ok ? "ok" : "err",
              ok ? "status" : "alert");
    sb_esc(sb, text);
    sb_add(sb, "</p>\n");
}

void page_redirect(http_res_t *res, const char *location)
{
    http_res_set(res, 303, "text/plain; charset=utf-8", "", 0);
    http_res_header(res, "Location", location);
    page_headers(res);
}

/* Dutch labels for the values of each dimension; unknown values are shown
 * as they are (escaped by the caller). */
const char *page_label(const dash_t *d, const char *dim, const char *v)
{
    static const char *const pairs[][3] = {
        /* the channels in the words of the plan, as the public page's
         * steps name them (public_steps.c) */
        {"channel", "form", "Ideeënbus online"},
        {"channel", "email", "E-mail"},
        {"channel", "transcript", "Straatinterviews en video"},
        {"channel", "field", "Veldapp"},
        {"sentiment", "positief", "Positief"},
        {"sentiment", "neutraal", "Neutraal"},
        {"sentiment", "negatief", "Negatief"},
        {"question", "nu", "Heerlen nu"},
        {"question", "toekomst", "Heerlen in de toekomst"},
        {"target_group", "inwoner", "Inwoner"},
        {"target_group", "professional", "Professional"},
        {"target_group", "buurtorganisatie", "Buurtorganisatie"},
        {"status", "new", "Nieuw"},
        {"status", "approved", "Goedgekeurd"},
        {"status", "hidden", "Verborgen"},
        /* VALID_ACTIVITIES (common/validate.c) and the kinds of the
         * activities register (ui_activities.c) */
        {"activity", "ideeenbus", "Ideeënbus"},
        {"activity", "wijkgesprek", "Wijkgesprek"},
        {"activity", "omgevingsvisietour", "Omgevingsvisietour"},
        {"activity", "stakeholder-sessie", "Stakeholdersessie"},
        {"activity", "stakeholdersessie", "Stakeholdersessie"},
        {"activity", "buurtenconferentie", "Buurtenconferentie"},
        {"activity", "camjo-video", "Camjo-video"},
        {"activity", "enquete", "Enquête"},
        {"activity", "interventie", "Interventie bij een groep"},
        {"activity", "email", "E-mail"},
        {"activity", "straatinterview", "Straatinterview"},
        {"activity", "tourstop", "Stop van de omgevingsvisietour"},
        {"activity", "video", "Video"},
        {"activity", "anders", "Anders"},
        /* the languages of data/nl/textcat.conf (the classifier's) */
        {"language", "nl", "Nederlands"},
        {"language", "en", "Engels"},
        {"language", "de", "Duits"},
        {"language", "fr", "Frans"},
        {"language", "tr", "Turks"},
        {"language", "ar", "Arabisch"},
        {"language", "pl", "Pools"},
        {"language", "es", "Spaans"},
        {"language", "it", "Italiaans"},
        {"language", "pt", "Portugees"},
        {"language", "ro", "Roemeens"},
        {"language", "bg", "Bulgaars"},
        {"language", "uk", "Oekraïens"},
        {"language", "ru", "Russisch"},
        {"language", "so", "Somalisch"},
        {"language", "ti", "Tigrinya"},
        {"language", "fa", "Perzisch"},
        {"language", "ckb", "Koerdisch (Sorani)"},
        {"language", "sq", "Albanees"},
        {"language", "hr", "Kroatisch"},
        {"language", "zh", "Chinees"},
    };
    if (!v || !*v || strcmp(v, "none") == 0)
        return "Onbekend";
    if (strcmp(dim, "wijk") == 0 && d->geo) {
        const char *n = geo_wijk_name(d->geo, v);
        return n ? n : v;
    }
    if (strcmp(dim, "buurt") == 0 && d->geo) {
        const char *n = geo_buurt_name(d->geo, v);
        return n ? n : v;
    }
    if (strcmp(dim, "theme") == 0) {
        for (size_t i = 0; i < d->n_themes; i++)
            if (strcmp(d->theme_slug[i], v) == 0)
                return d->theme_label[i];
        return v;
    }
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i][0], dim) == 0 && strcmp(pairs[i][1], v) == 0)
            return pairs[i][2];
    return v;
}

const char *page_day(const char *ymd, char *buf, size_t size)
{
    static const char *const months[] = {"januari",   "februari", "maart",    "april",
                                         "mei",       "juni",     "juli",     "augustus",
                                         "september", "oktober",  "november", "december"};
    int y, m, d;
    char rest;
    if (!ymd || sscanf(ymd, "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3 || m < 1 || m > 12)
        return ymd ? ymd : "";
    snprintf(buf, size, "%d %s %d", d, months[m - 1], y);
    return buf;
}

int page_theme_known(const dash_t *d, const char *slug)
{
    for (size_t i = 0; i < d->n_themes; i++)
        if (strcmp(d->theme_slug[i], slug) == 0)
            return 1;
    return 0;
}

#define S_LABELS_MAX 8192 /* bytes of the "# Labels:" comment */

/* The text of the "# Labels:" comment: its comment lines joined by
 * spaces, up to the first line that is not a comment or is empty.
 * Hand-written: the classifier's loader skips comments. Caller frees. */
static char *s_labels_comment(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    sb_t sb = {0};
    char line[4096];
    int in = 0;
    while (fgets(line, sizeof line, f) && sb.len < S_LABELS_MAX) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '#') {
            if (in)
                break;
            continue;
        }
        const char *t = line + 1 + strspn(line + 1, " \t");
        if (!in && strncmp(t, "Labels:", 7) == 0) {
            in = 1;
            t += 7;
        } else if (in && !*t) {
            break;
        } else if (!in) {
            continue;
        }
        sb_add(&sb, " ");
        sb_add(&sb, t);
    }
    fclose(f);
    return sb.buf;
}

/* s without leading and trailing spaces (and a final '.'), in place. */
static char *s_trim(char *s)
{
    s += strspn(s, " \t");
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '.'))
        s[--n] = '\0';
    return s;
}

/* Applies "slug=Label; slug=Label" to the loaded slugs. */
static void s_apply_labels(dash_t *d, char *text)
{
    char *save = NULL;
    for (char *part = strtok_r(text, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(part, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *slug = s_trim(part);
        char *label = s_trim(eq + 1);
        if (!*label || strlen(label) > 120 || !utf8_valid(label, strlen(label)))
            continue;
        for (size_t i = 0; i < d->n_themes; i++)
            if (strcmp(d->theme_slug[i], slug) == 0) {
                free(d->theme_label[i]);
                d->theme_label[i] = xstrdup(label);
            }
    }
}

int page_themes_load(dash_t *d, const char *path, char *err, size_t errlen)
{
    page_themes_free(d);
    classify_tok_t *tok = classify_tok_new(err, errlen);
    classify_lex_t *lex = tok ? classify_lex_load(tok, path, err, errlen) : NULL;
    if (!lex) {
        classify_tok_destroy(&tok);
        return -1;
    }
    size_t n = 0;
    const char *const *slugs = classify_lex_labels(lex, &n);
    for (size_t i = 0; i < n && d->n_themes < DASH_MAX_THEMES; i++) {
        d->theme_slug[d->n_themes] = xstrdup(slugs[i]);
        d->theme_label[d->n_themes++] = xstrdup(slugs[i]);
    }
    classify_lex_destroy(&lex);
    classify_tok_destroy(&tok);
    char *text = s_labels_comment(path);
    if (text)
        s_apply_labels(d, text);
    free(text);
    return 0;
}

void page_themes_free(dash_t *d)
{
    for (size_t i = 0; i < d->n_themes; i++) {
        free(d->theme_slug[i]);
        free(d->theme_label[i]);
    }
    d->n_themes = 0;
}

/* Each dimension's heading and its chart's title (what a screen reader
 * says first), in one table so a new dimension gets both. */
static const struct {
    const char *dim, *heading, *chart;
} s_dims[] = {
    {"channel", "Kanaal", "Hoe de ideeën binnenkwamen"},
    {"activity", "Activiteit", "Ideeën per activiteit"},
    {"target_group", "Doelgroep", "Ideeën per doelgroep"},
    {"wijk", "Wijk", "Ideeën per wijk"},
    {"theme", "Thema", "Ideeën per thema"},
    {"sentiment", "Gevoel", "Ideeën per gevoel: positief, neutraal of negatief"},
    {"question", "Nu of toekomst", "Ideeën over Heerlen nu en over Heerlen in de toekomst"},
    {"language", "Taal", "Ideeën per taal"},
    {"day", "Per dag", "Ideeën per dag"},
    {"status", "Status", "Ideeën per status"},
};

static int s_dim_index(const char *dim)
{
    for (size_t i = 0; i < sizeof s_dims / sizeof s_dims[0]; i++)
        if (strcmp(s_dims[i].dim, dim) == 0)
            return (int)i;
    return -1;
}

const char *page_dim_title(const char *dim)
{
    int i = s_dim_index(dim);
    return i < 0 ? dim : s_dims[i].heading;
}

const char *page_chart_title(const char *dim)
{
    int i = s_dim_index(dim);
    return i < 0 ? "Aantal ideeën" : s_dims[i].chart;
}

/* Contrast: every text colour below has at least 4.5:1 against its
 * background (WCAG 2.1 AA); focus is always visible for keyboard users.
 * Reflow (WCAG 1.4.10): 320 CSS pixels wide (400% zoom) needs no sideways
 * scrolling but in a data table: the menu wraps, charts take one column,
 * no field is wider than the page.
 * Residents' texts (.text) may hold a word longer than the line (a pasted
 * link): it wraps anywhere, else printing cuts it off at the page edge.
 * A wijk link of the map shows its focus on the wijk's own border: its
 * outline was a box the map's edge cut off (Wijk 10). #1a1a1a, 4 px, has
 * 3.4:1 or more against every fill but the darkest and 17:1 against the
 * page; on the darkest blue (#08519c) the border is white (7.9:1) with a
 * dark halo against the page.
 * Print (the report's PDF): a heading stays with what follows it, and a
 * figure, table or quote is not cut by a page break. A folded table
 * (details, under each chart of /resultaten and the overview) prints
 * unfolded: paper cannot be clicked open. ::details-content does it
 * without script (the pages run none: Content-Security-Policy); a
 * browser without it (before Chromium 131, Firefox 143, Safari 18.4)
 * prints the table folded, as before. */
static const char S_CSS[] =
    "*{box-sizing:border-box}\n"
    "body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;"
    "line-height:1.5}\n"
    "header{background:#003a70;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;"
    "gap:1rem;align-items:center}\n"
    "header a{color:#fff}\n.brand{font-weight:bold;margin:0}\n"
    "nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}\n"
    ".logout{margin-left:auto}\n"
    "main{max-width:72rem;margin:0 auto;padding:1rem}\n"
    "footer{border-top:1px solid #767676;padding:1rem;color:#444}\n"
    ".skip{position:absolute;left:-999px}\n.skip:focus{left:1rem;top:1rem;background:#fff;"
    "color:#003a70;padding:.5rem}\n"
    "a{color:#0b5394}\na:focus,button:focus,input:focus,select:focus,textarea:focus,"
    "summary:focus"
    "{outline:3px solid #e07000;outline-offset:2px}\n"
    "table{border-collapse:collapse;width:100%}\nth,td{border:1px solid #999;padding:.3rem;"
    "text-align:left;vertical-align:top}\nth{background:#e8eef5}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(29rem,100%),1fr));"
    "gap:1rem}\n"
    "figure{margin:0;border:1px solid #ccc;padding:.5rem}\nfigcaption{font-weight:bold}\n"
    "summary{cursor:pointer}\n"
    "svg{max-width:100%;height:auto}\n.bar{fill:#0b5394}\n.lbl{font-size:12px;fill:#1a1a1a}\n"
    ".map path{stroke:#fff;stroke-width:1}\n.map path:hover{stroke:#e07000;stroke-width:3}\n"
    "svg.map{overflow:visible}\n.map a:focus{outline:none}\n"
    ".map a:focus path{stroke:#1a1a1a;stroke-width:4}\n"
    ".map a:focus path[fill=\"#08519c\"]{stroke:#fff;filter:drop-shadow(0 0 1.5px #1a1a1a)}\n"
    ".totals{display:flex;gap:1rem;flex-wrap:wrap}\n.totals p{border:1px solid #ccc;"
    "padding:.5rem 1rem;margin:0}\n.big{font-size:2rem;font-weight:bold;display:block}\n"
    "form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));"
    "gap:.5rem;align-items:end}\nlabel{display:block;font-weight:bold}\n"
    ".check{display:flex;gap:.5rem;align-items:baseline}\n.check label{font-weight:normal}\n"
    "input,select,button,textarea{font:inherit;padding:.3rem;max-width:100%}\n"
    "button{background:#003a70;color:#fff;border:0;padding:.4rem .8rem;cursor:pointer}\n"
    "blockquote{border-left:4px solid #0b5394;margin:.5rem 0;padding:.3rem 1rem;"
    "background:#f3f6fa}\n.ok{background:#e3f4e3;border:1px solid #2e7d32;padding:.5rem}\n"
    ".err{background:#fdecea;border:1px solid #b71c1c;padding:.5rem}\n"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere}\nform.inline{display:inline}\n"
    "@media print{header,nav,.logout,.noprint{display:none}main{max-width:none}"
    "h2{page-break-before:auto}figure,table,blockquote{page-break-inside:avoid}"
    "h1,h2,h3{break-after:avoid;page-break-after:avoid}"
    "details::details-content{content-visibility:visible;display:block}"
    "summary{list-style:none}}\n";

void page_css(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    (void)arg;
    http_res_set(res, 200, "text/css; charset=utf-8", S_CSS, sizeof S_CSS - 1);
    http_res_header(res, "Cache-Control", "max-age=3600");
}

void page_field_copy(const page_field_t *fields, size_t n, const char *key, const char *value,
                     size_t len, int *bad)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, fields[i].key) == 0) {
            if (len >= fields[i].cap || memchr(value, '\0', len))
                *bad = 1;
            else
                memcpy(fields[i].dst, value, len + 1);
        }
}

const char *page_plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

const char *page_moment(const char *rfc3339, const char *fmt, char *out, size_t n)
{
    GDateTime *dt = rfc3339 ? g_date_time_new_from_iso8601(rfc3339, NULL) : NULL;
    if (!dt) {
        g_strlcpy(out, rfc3339 ? rfc3339 : "", n);
        return out;
    }
    clock_local_format(g_date_time_to_unix(dt) * 1000, fmt, out, n);
    g_date_time_unref(dt);
    return out;
}

const char *page_when(const char *rfc3339, char *out, size_t n)
{
    return page_moment(rfc3339, PAGE_WHEN_FMT, out, n);
}
