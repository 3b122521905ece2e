/*
 * NAME
 *   svg_chart - server-side SVG bar charts of counts
 *
 * DESCRIPTION
 *   A chart is plain SVG inside the page, so it works without JavaScript,
 *   prints in the report and passes the Content-Security-Policy. For screen
 *   readers the <svg> has role="img" and a <title> saying what it shows
 *   ("Ideeën per wijk"; ", de laatste 31 dagen met ideeën" when not every bar fits),
 *   and every bar carries its own <title> ("Heerlerheide: 12", a tooltip:
 *   inside an image a screen reader does not read it). The figures
 *   themselves are in chart_table(): a table captioned as the chart, with
 *   every value, in the chart's order, its share of the whole ("12,5%",
 *   num_nl_percent) and a row "Totaal", so a reader comparing parts of a
 *   whole need not work them out (the report's appendix; on the overview
 *   and /resultaten under each chart). Themes get shares of all ideas
 *   ("Deel van alle ideeën") and no total (an idea may have several); when
 *   their shares add up to more than 100% a sentence under the table says
 *   why. Days get no shares. Labels come from
 *   page_label() or the stored values and are always escaped.
 *   Drawing a handful of rectangles needs no library.
 */
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

#define S_CHART_W 460
#define S_LABEL_W 190
#define S_BAR_H 22

static int s_by_count(const void *a, const void *b)
{
    const count_item_t *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->key, y->key);
}

static int s_by_key(const void *a, const void *b)
{
    return strcmp(((const count_item_t *)a)->key, ((const count_item_t *)b)->key);
}

count_item_t *counts_sorted(json_t *counts, int by_key, size_t *n)
{
    *n = counts ? json_object_size(counts) : 0;
    count_item_t *it = xcalloc(*n ? *n : 1, sizeof *it);
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(counts, key, v)
    {
        it[k].key = key;
        it[k++].n = json_integer_value(v);
    }
    qsort(it, k, sizeof *it, by_key ? s_by_key : s_by_count);
    return it;
}

/* Label cut to fit the label column: at most 24 bytes, not inside a UTF-8
 * sequence. The full label stays in the bar's <title>. */
static void s_short(char *out, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n < size && n <= 24) {
        memcpy(out, s, n + 1);
        return;
    }
    n = 22;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(out, s, n);
    memcpy(out + n, "\xe2\x80\xa6", 4); /* ellipsis */
}

void svg_bar_chart(sb_t *sb, const dash_t *d, const char *dim, json_t *counts, int max_bars,
                   int by_key)
{
    size_t k;
    count_item_t *it = counts_sorted(counts, by_key, &k);
    if (k == 0) {
        free(it);
        sb_add(sb, "<p>Nog geen gegevens.</p>\n");
        return;
    }
    size_t first = 0, shown = k;
    if ((int)shown > max_bars) {
        shown = (size_t)max_bars;
        if (by_key)
            first = k - shown; /* the most recent days */
    }
    long long max = 1;
    for (size_t i = first; i < first + shown; i++)
        max = it[i].n > max ? it[i].n : max;

    int h = (int)shown * S_BAR_H + 10;
    sb_printf(sb,
              "<svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
              "xmlns=\"http://www.w3.org/2000/svg\"><title>",
              S_CHART_W, h, S_CHART_W, h);
    sb_add(sb, page_chart_title(dim));
    if (shown < k)
        /* the newest days that have ideas, not the last calendar days */
        sb_printf(sb, by_key ? ", de laatste %s dagen met ideeën" : ", de %s grootste",
                  num_nl((long long)shown).s);
    sb_add(sb, "</title>\n");
    for (size_t i = first; i < first + shown; i++) {
        /* days as people write them ("12 maart 2026"), "none" as Onbekend */
        char day[40];
        const char *label = strcmp(dim, "day") == 0 ? page_day(it[i].key, day, sizeof day) : NULL;
        if (label != day)
            label = page_label(d, dim, it[i].key);
        char cut[32];
        s_short(cut, sizeof cut, label);
        int y = (int)(i - first) * S_BAR_H + 4;
        int w = (int)((S_CHART_W - S_LABEL_W - 50) * it[i].n / max);
        sb_add(sb, "<g><title>");
        sb_esc(sb, label);
        sb_printf(sb, ": %s</title>", num_nl(it[i].n).s);
        sb_printf(sb, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", S_LABEL_W - 6,
                  y + 15);
        sb_esc(sb, cut);
        sb_printf(sb,
                  "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
                  "<text class=\"lbl\" x=\"%d\" y=\"%d\">%s</text></g>\n",
                  S_LABEL_W, y, w < 1 ? 1 : w, S_BAR_H - 6, S_LABEL_W + w + 4, y + 15,
                  num_nl(it[i].n).s);
    }
    sb_add(sb, "</svg>\n");
    free(it);
}

/* The share of n in whole, "12,5%"; "-" with nothing to share. */
static const char *s_share(num_nl_t *buf, long long n, long long whole)
{
    if (whole <= 0)
        return "-";
    *buf = num_nl_percent(100.0 * (double)n / (double)whole);
    return buf->s;
}

void chart_table(sb_t *sb, const dash_t *d, const char *dim, json_t *counts, long long ideas)
{
    /* As the charts: largest first, days in date order. */
    int days = strcmp(dim, "day") == 0;
    /* An idea may have several themes: their shares are of all ideas, and
     * a total of the rows would count ideas twice. Every other dimension
     * gives an idea one value ("none" too), so its rows make the whole. */
    int themes = strcmp(dim, "theme") == 0;
    size_t n;
    count_item_t *it = counts_sorted(counts, days, &n);
    long long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += it[i].n;
    long long whole = themes ? ideas : sum;
    sb_add(sb, "<table><caption>");
    sb_esc(sb, page_dim_title(dim));
    sb_add(sb, "</caption><thead><tr><th scope=\"col\">Waarde</th><th scope=\"col\">Aantal "
               "ideeën</th>");
    if (!days) /* a share per day compares nothing a reader asks about */
        sb_add(sb, themes ? "<th scope=\"col\">Deel van alle ideeën</th>"
                          : "<th scope=\"col\">Deel</th>");
    sb_add(sb, "</tr></thead><tbody>\n");
    num_nl_t pct;
    for (size_t i = 0; i < n; i++) {
        /* a day as the charts write it, "29 november 2026", and for
         * programs <time datetime="2026-11-29"> */
        char buf[40];
        const char *day = days ? page_day(it[i].key, buf, sizeof buf) : NULL;
        sb_add(sb, "<tr><td>");
        if (day == buf) {
            sb_add(sb, "<time datetime=\"");
            sb_esc(sb, it[i].key);
            sb_add(sb, "\">");
            sb_esc(sb, day);
            sb_add(sb, "</time>");
        } else {
            sb_esc(sb, page_label(d, dim, it[i].key));
        }
        sb_printf(sb, "</td><td>%s</td>", num_nl(it[i].n).s);
        if (!days)
            sb_printf(sb, "<td>%s</td>", s_share(&pct, it[i].n, whole));
        sb_add(sb, "</tr>\n");
    }
    free(it);
    sb_add(sb, "</tbody>");
    if (n > 0 && !themes) {
        sb_printf(sb, "<tfoot><tr><th scope=\"row\">Totaal</th><td>%s</td>", num_nl(sum).s);
        if (!days)
            sb_printf(sb, "<td>%s</td>", s_share(&pct, sum, sum));
        sb_add(sb, "</tr></tfoot>");
    }
    sb_add(sb, "</table>\n");
    if (themes && sum > whole && whole > 0) /* beside tables that end at 100,0% */
        sb_add(sb, "<p>Een idee kan over meer dan één thema gaan. Daarom zijn de delen samen "
                   "meer dan 100%.</p>\n");
}
