/*
 * NAME
 *   geo_int - what geo.c and geo_shape.c share; not for services
 */
#ifndef INSPRAAK_GEO_INT_H
#define INSPRAAK_GEO_INT_H

#include <stddef.h>

#include "geo.h"

#define GEO_MAX_FILE (64L * 1024 * 1024) /* one GeoJSON or CSV file */
#define GEO_MAX_ROWS 100000               /* lines in a CSV */
#define GEO_MAX_FIELD 256                 /* bytes in one CSV field */
#define GEO_MAX_RINGS 10000               /* rings in one feature */
#define GEO_MAX_POINTS 1000000            /* points in one ring */
#define GEO_CODE_SIZE 16
#define GEO_TOWN_KEY "heerlen" /* the town's name as geo.c's s_key() folds it */

typedef struct {
    double *xy; /* lon, lat pairs */
    size_t n;
} ring_t;

typedef struct {
    ring_t *rings;
    size_t n_rings;
    double min_x, min_y, max_x, max_y;
} shape_t;

typedef struct {
    char code[GEO_CODE_SIZE];
    char *full;  /* "Wijk 10 Maria Gewanden en Terschuren" */
    char *name;  /* "Maria Gewanden en Terschuren" */
    char *full_key, *name_key; /* the same as geo.c's s_key() folds them for lookups */
    char *first_key; /* s_key of the name before its first "-" ("heerlerheide"), or NULL */
    shape_t shape;
} wijk_t;

typedef struct {
    char code[GEO_CODE_SIZE];
    char *name;
    char *name_key; /* s_key(name) */
    size_t wijk;    /* index into wijken */
    shape_t shape;
} buurt_t;

typedef struct {
    int pc4;
    size_t wijk;
    double share;
} pc4_t;

struct geo {
    wijk_t *wijken;
    size_t n_wijken;
    buurt_t *buurten;
    size_t n_buurten;
    pc4_t *pc4s; /* best wijk per pc4 */
    size_t n_pc4s;
};

/* Index of a wijk / buurt code in the tables, or -1. */
long geo_find_wijk(const geo_t *self, const char *code);
long geo_find_buurt(const geo_t *self, const char *code);

void geo_shape_clear(shape_t *s);
/* Reads a FeatureCollection into the wijken (is_wijk) or buurten whose
 * codes are known; features with other codes are skipped. 0 or -1 (err). */
int geo_geojson_read(geo_t *self, const char *path, int is_wijk, char *err, size_t errlen);
/* 1 when (x = lon, y = lat) lies inside s. */
int geo_shape_contains(const shape_t *s, double x, double y);

#endif
