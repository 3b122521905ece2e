/*
 * NAME
 *   test_geo - wijk/buurt lookups, postcodes and point-in-polygon on the real data
 *
 * DESCRIPTION
 *   Runs from the repository root; the data folder is INSPRAAK_DATA or
 *   ./data (the project's copy). The label points file holds one point per
 *   wijk and per buurt (property "rubriek"); each wijk's label point must
 *   locate to that wijk. The boundaries are coarse (a ~300 m grid, see
 *   data/README.md): two wijk label points lie about 100 m outside their own
 *   coarse polygon, in the neighbour. The test names them exactly, so any
 *   other miss (or a fix of the data) shows up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo.h"

static const char *s_data_dir(void)
{
    const char *d = getenv("INSPRAAK_DATA");
    return d && *d ? d : "./data";
}

static int s_setup(void **state)
{
    char err[256] = "";
    geo_t *g = geo_load(s_data_dir(), err, sizeof err);
    if (!g)
        fprintf(stderr, "geo_load: %s\n", err);
    *state = g;
    return g ? 0 : -1;
}

static int s_teardown(void **state)
{
    geo_t *g = *state;
    geo_destroy(&g);
    assert_null(g);
    return 0;
}

static void test_counts_and_order(void **state)
{
    geo_t *g = *state;
    assert_int_equal(geo_wijk_count(g), 23);
    assert_int_equal(geo_buurt_count(g), 57);
    const char *code, *name, *prev = "";
    for (size_t i = 0; i < geo_wijk_count(g); i++) {
        assert_int_equal(geo_wijk_at(g, i, &code, &name), 0);
        assert_true(strcmp(prev, code) < 0);
        assert_true(strncmp(name, "Wijk ", 5) != 0);
        prev = code;
    }
    assert_int_equal(geo_wijk_at(g, 23, &code, &name), -1);
    assert_int_equal(geo_wijk_at(g, 0, &code, &name), 0);
    assert_string_equal(code, "WK091710");
    assert_string_equal(name, "Maria Gewanden en Terschuren");
    assert_string_equal(geo_wijk_full_name(g, "WK091710"), "Wijk 10 Maria Gewanden en Terschuren");
    for (size_t i = 0; geo_wijk_at(g, i, &code, &name) == 0; i++) /* by position as by code */
        assert_string_equal(geo_wijk_full_at(g, i), geo_wijk_full_name(g, code));
    assert_null(geo_wijk_full_at(g, 23));
    assert_string_equal(geo_buurt_name(g, "BU09173302"), "'t Loon");
    assert_string_equal(geo_buurt_wijk(g, "BU09173302"), "WK091733");
    assert_null(geo_buurt_wijk(g, "BU00000000"));
}

static void test_label_points(void **state)
{
    geo_t *g = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/geo/heerlen_label_points_2014.geojson", s_data_dir());
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    json_t *features = json_object_get(root, "features");
    int wijken = 0, exact = 0;
    char missed[256] = "";
    for (size_t i = 0; i < json_array_size(features); i++) {
        json_t *f = json_array_get(features, i);
        json_t *props = json_object_get(f, "properties");
        if (strcmp(json_string_value(json_object_get(props, "rubriek")), "wijk") != 0)
            continue;
        const char *want = json_string_value(json_object_get(props, "statcode"));
        json_t *xy = json_object_get(json_object_get(f, "geometry"), "coordinates");
        double lon = json_number_value(json_array_get(xy, 0));
        double lat = json_number_value(json_array_get(xy, 1));
        const char *wijk = NULL, *buurt = NULL;
        wijken++;
        /* Inside Heerlen, always, and the buurt found belongs to the wijk. */
        assert_int_equal(geo_locate(g, lat, lon, &wijk, &buurt), 0);
        assert_non_null(wijk);
        if (buurt)
            assert_string_equal(geo_buurt_wijk(g, buurt), wijk);
        if (strcmp(wijk, want) == 0)
            exact++;
        else
            snprintf(missed + strlen(missed), sizeof missed - strlen(missed), "%s ", want);
    }
    json_decref(root);
    assert_int_equal(wijken, 23);
    assert_string_equal(missed, "WK091731 WK091740 ");
    assert_int_equal(exact, 21);
}

static void test_locate_outside(void **state)
{
    geo_t *g = *state;
    const char *wijk = "x", *buurt = "x";
    assert_int_equal(geo_locate(g, 52.37, 4.90, &wijk, &buurt), -1); /* Amsterdam */
    assert_null(wijk);
    assert_null(buurt);
    assert_int_equal(geo_locate(g, 0.0, 0.0, &wijk, &buurt), -1);
    /* Heerlen-Centrum label point (WK091733) is well inside. */
    assert_int_equal(geo_locate(g, 50.886, 5.978, &wijk, &buurt), 0);
}

static void test_lookup(void **state)
{
    geo_t *g = *state;
    assert_string_equal(geo_wijk_lookup(g, "WK091710"), "WK091710");
    assert_string_equal(geo_wijk_lookup(g, "  wk091733 "), "WK091733");
    assert_string_equal(geo_wijk_lookup(g, "Wijk 10 Maria Gewanden en Terschuren"), "WK091710");
    assert_string_equal(geo_wijk_lookup(g, "maria gewanden en terschuren"), "WK091710");
    assert_string_equal(geo_wijk_lookup(g, "Heerlen-Centrum"), "WK091733");
    assert_string_equal(geo_wijk_lookup(g, "Molenberg"), "WK091739");
    /* buurt name and buurt code give their wijk */
    assert_string_equal(geo_wijk_lookup(g, "schiffelerveld"), "WK091739");
    assert_string_equal(geo_wijk_lookup(g, "Terschuren\n"), "WK091710");
    assert_string_equal(geo_wijk_lookup(g, "BU09174200"), "WK091742");
    assert_string_equal(geo_wijk_lookup(g, "Versiliënbosch"), "WK091720");
    /* As people type them: any case, "-" and " " alike, spaces doubled. */
    assert_string_equal(geo_wijk_lookup(g, "hoensbroek de dem"), "WK091712");
    assert_string_equal(geo_wijk_lookup(g, "HEERLERHEIDE PASSART"), "WK091721");
    assert_string_equal(geo_wijk_lookup(g, "heerlerheide-kom"), "WK091721");
    assert_string_equal(geo_wijk_lookup(g, "Heerlen -  Centrum"), "WK091733");
    assert_string_equal(geo_wijk_lookup(g, "VERSILIËNBOSCH"), "WK091720");
    assert_string_equal(geo_wijk_lookup(g, "nieuw einde"), geo_wijk_lookup(g, "Nieuw-Einde"));
    /* The first part of a wijk's name, as people call it, when it is
     * that wijk's alone: "Heerlerheide" (also the start of the buurt
     * "Heerlerheide Kom"). Not one two wijken share, nor the town. */
    assert_string_equal(geo_wijk_lookup(g, "Heerlerheide"), "WK091721");
    assert_string_equal(geo_wijk_lookup(g, " heerlerheide "), "WK091721");
    assert_string_equal(geo_wijk_lookup(g, "Hoensbroek"), "WK091712");
    assert_string_equal(geo_wijk_lookup(g, "Welten"), "WK091736");
    assert_null(geo_wijk_lookup(g, "Heerlerbaan"));
    assert_null(geo_wijk_lookup(g, "Heerlen"));
    assert_null(geo_wijk_lookup(g, "Heerler"));
    assert_null(geo_wijk_lookup(g, "-"));
    assert_null(geo_wijk_lookup(g, "hoensbroekdedem"));
    assert_null(geo_wijk_lookup(g, "Amsterdam"));
    assert_null(geo_wijk_lookup(g, ""));
    assert_null(geo_wijk_lookup(g, NULL));
    assert_null(geo_wijk_lookup(g, "WK0917"));
    assert_string_equal(geo_wijk_name(g, "wk091742"), "De Beitel");
    assert_null(geo_wijk_name(g, "WK999999"));
}

static void test_pc4(void **state)
{
    geo_t *g = *state;
    assert_string_equal(geo_wijk_from_pc4(g, 6411), "WK091733");
    assert_string_equal(geo_wijk_from_pc4(g, 6412), "WK091731");
    assert_string_equal(geo_wijk_from_pc4(g, 6415), "WK091732");
    assert_string_equal(geo_wijk_from_pc4(g, 6433), "WK091713");
    assert_null(geo_wijk_from_pc4(g, 1012));
    assert_null(geo_wijk_from_pc4(g, 0));
}

static void test_bad_files(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(geo_load("/nonexistent-inspraak", err, sizeof err));
    assert_non_null(strstr(err, "cannot open"));

    /* An override pointing at a file that is not GeoJSON fails clearly. */
    char tmpl[] = "/tmp/test_geo_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"type\": \"FeatureCollection\", \"features\": [{\"properties\": "
          "{\"statcode\": \"WK091710\"}, \"geometry\": {\"type\": \"Polygon\", "
          "\"coordinates\": [[[1, 2], \"x\"]]}}]}",
          f);
    fclose(f);
    setenv("INSPRAAK_GEO_WIJKEN", tmpl, 1);
    err[0] = '\0';
    assert_null(geo_load(s_data_dir(), err, sizeof err));
    assert_non_null(strstr(err, tmpl));
    unlink(tmpl);
    unsetenv("INSPRAAK_GEO_WIJKEN");
}

/* A MultiPolygon with a hole, through the INSPRAAK_GEO_WIJKEN override:
 * the hole is outside, the ring around it and the second polygon inside. */
static void test_hole_and_multipolygon(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/test_geo_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"type\": \"FeatureCollection\", \"features\": [{\"properties\": "
          "{\"statcode\": \"WK091710\"}, \"geometry\": {\"type\": \"MultiPolygon\", "
          "\"coordinates\": [[[[10,10],[14,10],[14,14],[10,14],[10,10]],"
          "[[11,11],[13,11],[13,13],[11,13],[11,11]]],"
          "[[[20,20],[21,20],[21,21],[20,20]]]]}}]}",
          f);
    fclose(f);
    setenv("INSPRAAK_GEO_WIJKEN", tmpl, 1);
    char err[256] = "";
    geo_t *g = geo_load(s_data_dir(), err, sizeof err);
    unlink(tmpl);
    unsetenv("INSPRAAK_GEO_WIJKEN");
    assert_non_null(g);
    const char *wijk, *buurt;
    assert_int_equal(geo_locate(g, 10.5, 10.5, &wijk, &buurt), 0); /* lat 10.5, lon 10.5 */
    assert_string_equal(wijk, "WK091710");
    assert_null(buurt);
    assert_int_equal(geo_locate(g, 12.0, 12.0, &wijk, &buurt), -1); /* in the hole */
    assert_int_equal(geo_locate(g, 20.2, 20.8, &wijk, &buurt), 0);  /* second polygon */
    assert_string_equal(wijk, "WK091710");
    assert_int_equal(geo_locate(g, 20.8, 20.2, &wijk, &buurt), -1); /* bbox, not triangle */
    geo_destroy(&g);
}

/* A point on the border between two wijken belongs to exactly one of
 * them, never to none (the half-open crossing rule of the ray test):
 * WK091710 is the square lon 10..12, WK091711 the square lon 12..14 and
 * WK091712 lies on top of WK091710 (lat 12..14), all through the
 * INSPRAAK_GEO_WIJKEN override. */
static void test_shared_edges(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/test_geo_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"type\": \"FeatureCollection\", \"features\": ["
          "{\"properties\": {\"statcode\": \"WK091710\"}, \"geometry\": {\"type\": "
          "\"Polygon\", \"coordinates\": [[[10,10],[12,10],[12,12],[10,12],[10,10]]]}},"
          "{\"properties\": {\"statcode\": \"WK091711\"}, \"geometry\": {\"type\": "
          "\"Polygon\", \"coordinates\": [[[12,10],[14,10],[14,12],[12,12],[12,10]]]}},"
          "{\"properties\": {\"statcode\": \"WK091712\"}, \"geometry\": {\"type\": "
          "\"Polygon\", \"coordinates\": [[[10,12],[12,12],[12,14],[10,14],[10,12]]]}}]}",
          f);
    fclose(f);
    setenv("INSPRAAK_GEO_WIJKEN", tmpl, 1);
    char err[256] = "";
    geo_t *g = geo_load(s_data_dir(), err, sizeof err);
    unlink(tmpl);
    unsetenv("INSPRAAK_GEO_WIJKEN");
    assert_non_null(g);
    const char *wijk, *buurt;
    /* On the vertical border lon 12 between 10 and 11. */
    assert_int_equal(geo_locate(g, 11.0, 12.0, &wijk, &buurt), 0);
    assert_true(strcmp(wijk, "WK091710") == 0 || strcmp(wijk, "WK091711") == 0);
    /* On the horizontal border lat 12 between 10 and 12. */
    assert_int_equal(geo_locate(g, 12.0, 11.0, &wijk, &buurt), 0);
    assert_true(strcmp(wijk, "WK091710") == 0 || strcmp(wijk, "WK091712") == 0);
    /* Just either side of a border: the obvious one. */
    assert_int_equal(geo_locate(g, 11.0, 11.999999, &wijk, &buurt), 0);
    assert_string_equal(wijk, "WK091710");
    assert_int_equal(geo_locate(g, 11.0, 12.000001, &wijk, &buurt), 0);
    assert_string_equal(wijk, "WK091711");
    /* Beyond the outer border. */
    assert_int_equal(geo_locate(g, 11.0, 14.000001, &wijk, &buurt), -1);
    assert_int_equal(geo_locate(g, 9.999999, 11.0, &wijk, &buurt), -1);
    geo_destroy(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_order), cmocka_unit_test(test_label_points),
        cmocka_unit_test(test_locate_outside),   cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_pc4),              cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_hole_and_multipolygon), cmocka_unit_test(test_shared_edges),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
