/*
 * NAME
 *   test_dashboard_page - escaping, CSV cells, SVG charts and the wijk map
 *
 * DESCRIPTION
 *   The pure parts of the dashboard's HTML: what a resident's hostile text
 *   turns into, how a formula-like CSV cell is neutralised, the chart's
 *   order and labels, and the map drawn from the real GeoJSON in
 *   data/geo/ (run from the repository root, as tests/unit/run.sh does).
 *   The service files are included because unit tests do not link them.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/dashboard/num_nl.c"
#include "../../services/dashboard/page.c"
#include "../../services/dashboard/sb.c"
#include "../../services/dashboard/search.c"
#include "../../services/dashboard/svg_chart.c"
#include "../../services/dashboard/svg_map.c"

static dash_t s_dash; /* no geo, no map unless a test loads one */

static void test_escape_and_url(void **state)
{
    (void)state;
    sb_t sb = {0};
    sb_esc(&sb, "<script>alert('x')</script> & \"q\"");
    assert_string_equal(sb.buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                                "&quot;q&quot;");
    sb_free(&sb);
    sb_url(&sb, "javascript:alert(1) \"><svg/onload=1>&a=é");
    assert_string_equal(sb.buf, "javascript%3Aalert%281%29%20%22%3E%3Csvg%2Fonload%3D1%3E%26a%3D"
                                "%C3%A9");
    assert_null(strpbrk(sb.buf, "<>\"' &"));
    sb_free(&sb);
    sb_esc(&sb, NULL);
    assert_string_equal(sb.buf, "");
    sb_free(&sb);
}

/* What sb_esc_cut() makes of in with room for max characters. */
static void s_cut_is(const char *in, size_t max, const char *want)
{
    sb_t sb = {0};
    sb_esc_cut(&sb, in, max);
    if (strcmp(sb.buf ? sb.buf : "", want) != 0)
        fail_msg("cut of [%s] at %zu:\n got: [%s]\nwant: [%s]", in, max, sb.buf, want);
    sb_free(&sb);
}

static void test_quote_cut(void **state)
{
    (void)state;
    s_cut_is("kort", 10, "kort");
    s_cut_is("precies 10", 10, "precies 10");
    s_cut_is("een twee drie vier", 10, "een twee...");
    s_cut_is("een twee, drie", 9, "een twee...");
    s_cut_is("Meer\nbomen in de wijk", 8, "Meer...");
    s_cut_is("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4,
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9..."); /* one long word: cut between letters */
    s_cut_is("Caf\xc3\xa9 \xc3\xa9\xc3\xa9n twee", 8, "Caf\xc3\xa9 \xc3\xa9\xc3\xa9n...");
    s_cut_is("<b>&</b> en nog veel meer tekst", 10, "&lt;b&gt;&amp;&lt;/b&gt;...");
    s_cut_is(NULL, 10, "");
}

static void test_csv_cells(void **state)
{
    (void)state;
    sb_t sb = {0};
    csv_cell(&sb, "=HYPERLINK(\"http://x\")", 1);
    csv_cell(&sb, "+31 6", 0);
    csv_cell(&sb, "-1", 0);
    csv_cell(&sb, "@SUM(A1)", 0);
    csv_cell(&sb, "gewoon, \"tekst\"\nmet regel", 0);
    csv_cell(&sb, NULL, 0);
    assert_string_equal(sb.buf, "\"'=HYPERLINK(\"\"http://x\"\")\",\"'+31 6\",\"'-1\","
                                "\"'@SUM(A1)\",\"gewoon, \"\"tekst\"\"\nmet regel\",\"\"");
    sb_free(&sb);
}

static void test_chart_order_and_escaping(void **state)
{
    (void)state;
    json_t *c = json_pack("{s:i, s:i, s:i}", "groen", 3, "<script>x()</script>", 7, "none", 1);
    sb_t sb = {0};
    svg_bar_chart(&sb, &s_dash, "theme", c, 10, 0);
    assert_non_null(strstr(sb.buf, "role=\"img\""));
    /* a screen reader reads the title: what the chart shows, in words */
    assert_non_null(strstr(sb.buf, "<title>Ideeën per thema</title>"));
    assert_null(strstr(sb.buf, "<script"));
    char *big = strstr(sb.buf, "&lt;script&gt;x()&lt;/script&gt;: 7</title>");
    char *mid = strstr(sb.buf, "groen: 3</title>");
    char *low = strstr(sb.buf, "Onbekend: 1</title>"); /* "none" */
    assert_non_null(big);
    assert_non_null(mid);
    assert_non_null(low);
    assert_true(big < mid && mid < low); /* largest first */
    sb_free(&sb);
    json_decref(c);

    /* Days in date order, only the most recent when there are too many. */
    c = json_pack("{s:i, s:i, s:i}", "2026-11-03", 1, "2026-11-01", 5, "2026-11-02", 2);
    svg_bar_chart(&sb, &s_dash, "day", c, 2, 1);
    assert_non_null(strstr(sb.buf, "<title>Ideeën per dag, de laatste 2 dagen met ideeën</title>"));
    /* days as people write them (page_day), not "2026-11-02" */
    assert_null(strstr(sb.buf, "<title>1 november 2026"));
    assert_non_null(strstr(sb.buf, "<title>2 november 2026: 2</title>"));
    assert_true(strstr(sb.buf, "<title>2 november 2026") <
                strstr(sb.buf, "<title>3 november 2026"));
    assert_null(strstr(sb.buf, "2026-11-0"));
    sb_free(&sb);
    json_decref(c);

    svg_bar_chart(&sb, &s_dash, "wijk", NULL, 5, 0);
    assert_string_equal(sb.buf, "<p>Nog geen gegevens.</p>\n");
    sb_free(&sb);
}

static void test_labels(void **state)
{
    (void)state;
    assert_string_equal(page_label(&s_dash, "channel", "email"), "E-mail");
    assert_string_equal(page_label(&s_dash, "status", "approved"), "Goedgekeurd");
    assert_string_equal(page_label(&s_dash, "wijk", "none"), "Onbekend");
    assert_string_equal(page_label(&s_dash, "wijk", "WK091733"), "WK091733"); /* no geo */
    char err[256];
    s_dash.geo = geo_load("data", err, sizeof err);
    assert_non_null(s_dash.geo);
    assert_string_equal(page_label(&s_dash, "wijk", "WK091733"), "Heerlen-Centrum");
    assert_string_equal(page_label(&s_dash, "activity", "ideeenbus"), "Ideeënbus");
    assert_string_equal(page_label(&s_dash, "activity", "camjo-video"), "Camjo-video");
    assert_string_equal(page_label(&s_dash, "activity", "email"), "E-mail");
    /* every activity an intake can store has a label */
    for (int i = 0; VALID_ACTIVITIES[i]; i++)
        assert_string_not_equal(page_label(&s_dash, "activity", VALID_ACTIVITIES[i]),
                                VALID_ACTIVITIES[i]);
}

/* The themes and their Dutch labels come from the classifier's file. */
static void test_theme_labels(void **state)
{
    (void)state;
    dash_t d = {0};
    char err[256];
    assert_string_equal(page_label(&d, "theme", "centrum"), "centrum"); /* nothing loaded */
    assert_int_equal(page_themes_load(&d, "data/nl/themes.tsv", err, sizeof err), 0);
    assert_int_equal(d.n_themes, 11);
    assert_string_equal(page_label(&d, "theme", "centrum"), "Binnenstad, winkels & horeca");
    assert_string_equal(page_label(&d, "theme", "openbare-ruimte"),
                        "Openbare ruimte, schoon & onderhoud");
    assert_string_equal(page_label(&d, "theme", "jeugd"), "Onderwijs, jeugd & sport");
    assert_string_equal(page_label(&d, "theme", "wonen"), "Wonen");
    assert_string_equal(page_label(&d, "theme", "none"), "Onbekend");
    assert_string_equal(page_label(&d, "theme", "ruimtevaart"), "ruimtevaart");
    assert_true(page_theme_known(&d, "groen"));
    assert_false(page_theme_known(&d, "fax"));

    /* A theme the comment does not name keeps its slug; a bad file fails. */
    const char *path = "/tmp/test_dashboard_page_themes.tsv";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# Labels: wonen=Wonen en huizen;\n#   kunst = Kunst & cultuur.\n#\n"
          "# groen=Niet dit, na het einde\nwonen\twoning\ngroen\tpark\t2\n"
          "kunst\tmuseum\n",
          f);
    fclose(f);
    assert_int_equal(page_themes_load(&d, path, err, sizeof err), 0);
    assert_int_equal(d.n_themes, 3);
    assert_string_equal(page_label(&d, "theme", "wonen"), "Wonen en huizen");
    assert_string_equal(page_label(&d, "theme", "kunst"), "Kunst & cultuur");
    assert_string_equal(page_label(&d, "theme", "groen"), "groen");
    remove(path);
    assert_int_equal(page_themes_load(&d, path, err, sizeof err), -1);
    assert_int_equal(d.n_themes, 0);
    page_themes_free(&d);
}

static void test_map(void **state)
{
    (void)state;
    char err[256];
    assert_null(svg_map_load("data/geo/no-such-file.geojson", err, sizeof err));
    assert_non_null(strstr(err, "no-such-file"));
    FILE *f = fopen("/tmp/test_dashboard_page_bad.geojson", "w");
    assert_non_null(f);
    fputs("{\"features\": [{\"properties\": {\"statcode\": \"WK1\"}, \"geometry\": "
          "{\"type\": \"Point\", \"coordinates\": [5.9, 50.9]}}]}",
          f);
    fclose(f);
    assert_null(svg_map_load("/tmp/test_dashboard_page_bad.geojson", err, sizeof err));
    remove("/tmp/test_dashboard_page_bad.geojson");

    s_dash.map = svg_map_load("data/geo/heerlen_wijken_2014.geojson", err, sizeof err);
    assert_non_null(s_dash.map);
    json_t *c = json_pack("{s:i, s:i}", "WK091733", 10, "WK091710", 1);
    sb_t sb = {0};
    svg_map_render(&sb, &s_dash, c, 0);
    int paths = 0;
    for (const char *p = sb.buf; (p = strstr(p, "<path ")); p++)
        paths++;
    assert_int_equal(paths, 23);
    assert_non_null(strstr(sb.buf, "<title>Heerlen-Centrum: 10 ideeën</title>"));
    assert_non_null(strstr(sb.buf, "<title>Maria Gewanden en Terschuren: 1 idee</title>"));
    assert_non_null(strstr(sb.buf, "fill=\"#08519c\"><title>Heerlen-Centrum")); /* darkest */
    assert_non_null(strstr(sb.buf, "fill=\"#d9d9d9\"><title>Mariarade: 0"));    /* none */
    assert_null(strstr(sb.buf, "<a "));
    assert_non_null(strstr(sb.buf, "<svg class=\"map\" role=\"img\""));
    sb_free(&sb);
    svg_map_render(&sb, &s_dash, c, 1);
    /* links, each named by its title: a group, not one image that would
     * hide them from a screen reader while Tab still stops at them */
    assert_non_null(strstr(sb.buf, "<svg class=\"map\" role=\"group\""));
    assert_non_null(strstr(sb.buf, "<a href=\"/ideeen?wijk=WK091733\"><title>Heerlen-Centrum: "
                                   "10 ideeën</title><path "));
    sb_free(&sb);
    json_decref(c);
    svg_map_destroy(&s_dash.map);
    geo_destroy(&s_dash.geo);
}

static bool s_finds(const char *query, const char *text)
{
    query_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.q, sizeof q.q, "%s", query);
    search_prepare(&q);
    bool ok = q.text_fn && q.text_fn(&q, text);
    search_done(&q);
    return ok;
}

static void test_stemmed_search(void **state)
{
    (void)state;
    assert_true(s_finds("bomen", "Er moet een boom bij de school."));
    assert_true(s_finds("boom", "Meer bomen in het park"));
    assert_true(s_finds("woningen", "Een betaalbare woning voor starters"));
    assert_true(s_finds("fietspaden veilig", "Het fietspad is niet veilig genoeg"));
    assert_false(s_finds("fietspaden auto", "Het fietspad is niet veilig genoeg"));
    assert_false(s_finds("bomen", "Een bus naar het ziekenhuis"));
    assert_false(s_finds("", "Meer bomen"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_and_url),
        cmocka_unit_test(test_quote_cut),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_chart_order_and_escaping),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_theme_labels),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_stemmed_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
