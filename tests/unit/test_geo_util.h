/*
 * NAME
 *   test_geo_util - Heerlen's geo data for a cmocka group (s_geo)
 *
 * DESCRIPTION
 *   Not a library: a test program includes this once, after cmocka.h, and
 *   passes s_setup and s_teardown to cmocka_run_group_tests(). s_setup
 *   loads data/geo/ from INSPRAAK_DATA, else ./data, into s_geo, and
 *   fails the group when it cannot.
 */
#ifndef INSPRAAK_TEST_GEO_UTIL_H
#define INSPRAAK_TEST_GEO_UTIL_H

#include <stdlib.h>

#include "geo.h"

static geo_t *s_geo;

static int s_setup(void **state)
{
    (void)state;
    char err[256];
    const char *d = getenv("INSPRAAK_DATA");
    s_geo = geo_load(d && *d ? d : "./data", err, sizeof err);
    return s_geo ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    geo_destroy(&s_geo);
    return 0;
}

#endif
