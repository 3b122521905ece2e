/*
 * NAME
 *   geo_shape - wijk and buurt boundaries: GeoJSON reading, point in polygon
 *
 * DESCRIPTION
 *   The shape half of geo.c (see geo.h): reads (Multi)Polygon features
 *   with jansson into plain coordinate arrays, and tests points against
 *   them with the even-odd rule.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo_int.h"
#include "xalloc.h"

/* ------------------------------------------------------------------ */
/* GeoJSON (jansson)                                                   */
/* ------------------------------------------------------------------ */

void geo_shape_clear(shape_t *s)
{
    for (size_t i = 0; i < s->n_rings; i++)
        free(s->rings[i].xy);
    free(s->rings);
    memset(s, 0, sizeof *s);
}

/* Appends one ring ([[lon,lat],...]) to the shape. */
static int s_add_ring(shape_t *s, json_t *ring)
{
    size_t n = json_array_size(ring);
    if (!json_is_array(ring) || n < 4 || n > GEO_MAX_POINTS || s->n_rings >= GEO_MAX_RINGS)
        return -1;
    double *xy = xmalloc(n * 2 * sizeof *xy);
    for (size_t i = 0; i < n; i++) {
        json_t *pt = json_array_get(ring, i);
        json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);
        if (!json_is_number(x) || !json_is_number(y)) {
            free(xy);
            return -1;
        }
        xy[2 * i] = json_number_value(x);
        xy[2 * i + 1] = json_number_value(y);
        if (s->n_rings == 0 && i == 0) {
            s->min_x = s->max_x = xy[0];
            s->min_y = s->max_y = xy[1];
        }
        if (xy[2 * i] < s->min_x) s->min_x = xy[2 * i];
        if (xy[2 * i] > s->max_x) s->max_x = xy[2 * i];
        if (xy[2 * i + 1] < s->min_y) s->min_y = xy[2 * i + 1];
        if (xy[2 * i + 1] > s->max_y) s->max_y = xy[2 * i + 1];
    }
    s->rings = xrealloc(s->rings, (s->n_rings + 1) * sizeof *s->rings);
    s->rings[s->n_rings++] = (ring_t){.xy = xy, .n = n};
    return 0;
}

/* Every ring of a Polygon or MultiPolygon, outer rings and holes alike:
 * the even-odd test needs no difference between them. */
static int s_shape_from_geometry(shape_t *s, json_t *geom)
{
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *coords = json_object_get(geom, "coordinates");
    if (!type || !json_is_array(coords))
        return -1;
    if (strcmp(type, "Polygon") == 0) {
        for (size_t i = 0; i < json_array_size(coords); i++)
            if (s_add_ring(s, json_array_get(coords, i)) < 0)
                return -1;
        return s->n_rings ? 0 : -1;
    }
    if (strcmp(type, "MultiPolygon") == 0) {
        for (size_t p = 0; p < json_array_size(coords); p++) {
            json_t *poly = json_array_get(coords, p);
            if (!json_is_array(poly))
                return -1;
            for (size_t i = 0; i < json_array_size(poly); i++)
                if (s_add_ring(s, json_array_get(poly, i)) < 0)
                    return -1;
        }
        return s->n_rings ? 0 : -1;
    }
    return -1;
}

static const char *s_feature_code(json_t *props, const char *alt)
{
    const char *code = json_string_value(json_object_get(props, "statcode"));
    return code ? code : json_string_value(json_object_get(props, alt));
}

/* is_wijk: load into wijken (else buurten). */
int geo_geojson_read(geo_t *self, const char *path, int is_wijk, char *err, size_t errlen)
{
    struct stat st;
    errno = 0;
    if (stat(path, &st) < 0 || st.st_size > GEO_MAX_FILE) {
        snprintf(err, errlen, "cannot use %s: %s", path,
                 errno ? strerror(errno) : "larger than 64 MiB");
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s line %d: %s", path, jerr.line, jerr.text);
        return -1;
    }
    json_t *features = json_object_get(root, "features");
    int rc = json_is_array(features) ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < json_array_size(features); i++) {
        json_t *feat = json_array_get(features, i);
        const char *code =
            s_feature_code(json_object_get(feat, "properties"), is_wijk ? "wijkcode" : "buurtcode");
        long k = !code ? -1 : is_wijk ? geo_find_wijk(self, code) : geo_find_buurt(self, code);
        if (k < 0)
            continue; /* not in the code table */
        shape_t *s = is_wijk ? &self->wijken[k].shape : &self->buurten[k].shape;
        geo_shape_clear(s); /* a code twice: the last one wins */
        if (s_shape_from_geometry(s, json_object_get(feat, "geometry")) < 0) {
            geo_shape_clear(s);
            rc = -1;
        }
    }
    if (rc < 0)
        snprintf(err, errlen, "%s: not a FeatureCollection of (Multi)Polygons", path);
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Point in polygon                                                    */
/* ------------------------------------------------------------------ */

/* Even-odd rule over every ring: a ray from the point to +x crosses the
 * boundary an odd number of times iff the point is inside (holes flip it
 * back). No library on this system offers it for plain arrays. */
int geo_shape_contains(const shape_t *s, double x, double y)
{
    if (!s->n_rings || x < s->min_x || x > s->max_x || y < s->min_y || y > s->max_y)
        return 0;
    int inside = 0;
    for (size_t r = 0; r < s->n_rings; r++) {
        const double *p = s->rings[r].xy;
        size_t n = s->rings[r].n;
        for (size_t i = 0, j = n - 1; i < n; j = i++) {
            double xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * j], yj = p[2 * j + 1];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
                inside = !inside;
        }
    }
    return inside;
}

