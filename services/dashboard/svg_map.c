/*
 * NAME
 *   svg_map - Heerlen's wijken as an SVG map coloured by number of ideas
 *
 * DESCRIPTION
 *   svg_map_load() reads the wijk boundaries (GeoJSON, WGS84 (Multi)Polygons
 *   with properties.statcode/statnaam; data/geo/heerlen_wijken_2014.geojson
 *   or INSPRAAK_GEO_WIJKEN) once at start-up and turns every ring into an
 *   SVG path. The projection is equirectangular with the longitude scaled
 *   by cos(mean latitude): at the size of one town that is indistinguishable
 *   from a proper map projection, so no projection library is needed.
 *   svg_map_render() then only picks a fill per wijk: five classes from
 *   light to dark blue relative to the largest count, grey for none. Each
 *   wijk has a <title> ("Heerlerheide: 12 ideeën"), its number written
 *   in it (at the centroid of its largest ring: a phone or a printed
 *   report has no hover) and the map a legend.
 *   For staff each wijk links to its idea list (focusable with Tab).
 *
 * OWNERSHIP
 *   The map is read-only after loading; safe to share between threads.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

#define S_MAP_W 560.0
#define S_MAX_WIJKEN 64
#define S_MAX_POINTS 200000

typedef struct {
    char *code, *name;
    sb_t path;
    double lx, ly; /* where its number goes: centroid of its largest ring */
} s_wijk_t;

struct svg_map {
    s_wijk_t w[S_MAX_WIJKEN];
    int n;
    double h;
};

typedef struct {
    double minx, maxx, miny, maxy, k;
    long points;
} s_box_t;

/* Calls fn for each [lon, lat] of a geometry's rings; ring starts marked. */
typedef void (*s_pt_fn)(double lon, double lat, int first, void *arg);

static int s_walk(json_t *geom, s_pt_fn fn, void *arg, long *budget)
{
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *coords = json_object_get(geom, "coordinates");
    if (!type || !json_is_array(coords))
        return -1;
    int multi = strcmp(type, "MultiPolygon") == 0;
    if (!multi && strcmp(type, "Polygon") != 0)
        return -1;
    size_t np = multi ? json_array_size(coords) : 1;
    for (size_t p = 0; p < np; p++) {
        json_t *poly = multi ? json_array_get(coords, p) : coords;
        for (size_t r = 0; r < json_array_size(poly); r++) {
            json_t *ring = json_array_get(poly, r);
            for (size_t i = 0; i < json_array_size(ring); i++) {
                json_t *pt = json_array_get(ring, i);
                if (!json_is_number(json_array_get(pt, 0)) ||
                    !json_is_number(json_array_get(pt, 1)) || --*budget < 0)
                    return -1;
                fn(json_number_value(json_array_get(pt, 0)),
                   json_number_value(json_array_get(pt, 1)), i == 0, arg);
            }
        }
    }
    return 0;
}

static void s_grow(double lon, double lat, int first, void *arg)
{
    (void)first;
    s_box_t *b = arg;
    b->minx = lon < b->minx ? lon : b->minx;
    b->maxx = lon > b->maxx ? lon : b->maxx;
    b->miny = lat < b->miny ? lat : b->miny;
    b->maxy = lat > b->maxy ? lat : b->maxy;
}

typedef struct {
    const s_box_t *b;
    sb_t *sb;
    /* the ring being drawn: shoelace sums (pixels), first and last point */
    double a2, cx, cy, x0, y0, px, py;
    int open;
    double best; /* the largest ring's area so far, and its centroid */
    double lx, ly;
} s_draw_t;

/* Ends the ring being drawn (closing it back to its first point) and keeps
 * its centroid when it is the largest so far. */
static void s_ring_end(s_draw_t *d)
{
    if (!d->open)
        return;
    double c = d->px * d->y0 - d->x0 * d->py;
    double a2 = d->a2 + c, cx = d->cx + (d->px + d->x0) * c, cy = d->cy + (d->py + d->y0) * c;
    if (fabs(a2) > d->best) {
        d->best = fabs(a2);
        d->lx = cx / (3 * a2);
        d->ly = cy / (3 * a2);
    }
    d->open = 0;
}

static void s_draw(double lon, double lat, int first, void *arg)
{
    s_draw_t *d = arg;
    const s_box_t *b = d->b;
    /* Same pixels per km both ways: latitude degrees are longer by
     * 1/cos(latitude) than longitude degrees there. */
    double ky = b->k / cos((b->miny + b->maxy) / 2 * M_PI / 180);
    double x = (lon - b->minx) * b->k, y = (b->maxy - lat) * ky;
    sb_printf(d->sb, "%s%.1f %.1f", first ? "M" : "L", x, y);
    if (first) {
        s_ring_end(d);
        d->a2 = d->cx = d->cy = 0;
        d->x0 = x, d->y0 = y, d->open = 1;
    } else {
        double c = d->px * y - x * d->py;
        d->a2 += c;
        d->cx += (d->px + x) * c;
        d->cy += (d->py + y) * c;
    }
    d->px = x, d->py = y;
}

svg_map_t *svg_map_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    json_t *feats = root ? json_object_get(root, "features") : NULL;
    if (!json_is_array(feats)) {
        snprintf(err, errlen, "%s: %s", path, root ? "no features" : jerr.text);
        json_decref(root);
        return NULL;
    }
    s_box_t b = {1e9, -1e9, 1e9, -1e9, 0, 0};
    long budget = S_MAX_POINTS;
    size_t i;
    json_t *f;
    json_array_foreach(feats, i, f)
    {
        if (s_walk(json_object_get(f, "geometry"), s_grow, &b, &budget) < 0) {
            snprintf(err, errlen, "%s: feature %zu has no usable polygon", path, i);
            json_decref(root);
            return NULL;
        }
    }
    if (b.maxx <= b.minx || b.maxy <= b.miny) {
        snprintf(err, errlen, "%s: empty map", path);
        json_decref(root);
        return NULL;
    }
    svg_map_t *m = xcalloc(1, sizeof *m);
    b.k = S_MAP_W / (b.maxx - b.minx);
    m->h = (b.maxy - b.miny) * b.k / cos((b.miny + b.maxy) / 2 * M_PI / 180);
    budget = S_MAX_POINTS;
    json_array_foreach(feats, i, f)
    {
        json_t *props = json_object_get(f, "properties");
        const char *code = json_string_value(json_object_get(props, "statcode"));
        const char *name = json_string_value(json_object_get(props, "statnaam"));
        if (!code || m->n >= S_MAX_WIJKEN)
            continue;
        s_wijk_t *w = &m->w[m->n++];
        w->code = xstrdup(code);
        w->name = xstrdup(name ? name : code);
        s_draw_t dr = {.b = &b, .sb = &w->path};
        s_walk(json_object_get(f, "geometry"), s_draw, &dr, &budget);
        s_ring_end(&dr);
        w->lx = dr.lx, w->ly = dr.ly;
        sb_add(&w->path, "Z");
    }
    json_decref(root);
    return m;
}

void svg_map_destroy(svg_map_t **mp)
{
    if (!mp || !*mp)
        return;
    for (int i = 0; i < (*mp)->n; i++) {
        free((*mp)->w[i].code);
        free((*mp)->w[i].name);
        sb_free(&(*mp)->w[i].path);
    }
    free(*mp);
    *mp = NULL;
}

/* Grey for none, then light to dark blue. The numbers in the wijken are
 * #1a1a1a on the first four and white on the last two, each at least
 * 4.5:1 (WCAG 1.4.3; white on #2171b5 is 5.1:1, on #08519c 7.9:1). */
static const char *const s_fill[] = {"#d9d9d9", "#c6dbef", "#9ecae1",
                                     "#6baed6", "#2171b5", "#08519c"};

void svg_map_render(sb_t *sb, const dash_t *d, json_t *counts, int links)
{
    const svg_map_t *m = d->map;
    if (!m) {
        sb_add(sb, "<p>De kaart is niet beschikbaar.</p>\n");
        return;
    }
    long long max = 0;
    for (int i = 0; i < m->n; i++) {
        long long n = json_integer_value(json_object_get(counts, m->w[i].code));
        max = n > max ? n : max;
    }
    /* With links the map is a group of links (an image hides what is in
     * it from a screen reader, while Tab still stops at each link). */
    sb_printf(sb,
              "<svg class=\"map\" role=\"%s\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
              "height=\"%.0f\" xmlns=\"http://www.w3.org/2000/svg\">"
              "<title>Kaart van Heerlen: aantal ideeën per wijk</title>\n",
              links ? "group" : "img", S_MAP_W, m->h + 2, S_MAP_W, m->h + 2);
    for (int i = 0; i < m->n; i++) {
        const s_wijk_t *w = &m->w[i];
        long long n = json_integer_value(json_object_get(counts, w->code));
        int cls = n <= 0 || max == 0 ? 0 : 1 + (int)((n * 5 - 1) / max);
        const char *label = page_label(d, "wijk", w->code);
        const char *name = strcmp(label, w->code) == 0 ? w->name : label;
        const char *ideas = n == 1 ? "idee" : "ideeën";
        if (links) { /* keyboard users reach each wijk's list with Tab; the
                      * title names the link (and is its tooltip) */
            sb_add(sb, "<a href=\"/ideeen?wijk=");
            sb_url(sb, w->code);
            sb_add(sb, "\"><title>");
            sb_esc(sb, name);
            sb_printf(sb, ": %s %s</title><path d=\"%s\" fill=\"%s\"/></a>\n", num_nl(n).s, ideas,
                      w->path.buf ? w->path.buf : "", s_fill[cls > 5 ? 5 : cls]);
            continue;
        }
        sb_printf(sb, "<path d=\"%s\" fill=\"%s\"><title>", w->path.buf ? w->path.buf : "",
                  s_fill[cls > 5 ? 5 : cls]);
        sb_esc(sb, name);
        sb_printf(sb, ": %s %s</title></path>\n", num_nl(n).s, ideas);
    }
    /* the numbers after every wijk, so none is drawn over; white on the
     * two darkest fills; pointer-events none keeps the wijk's link and
     * title under the number */
    for (int i = 0; i < m->n; i++) {
        const s_wijk_t *w = &m->w[i];
        long long n = json_integer_value(json_object_get(counts, w->code));
        if (n <= 0)
            continue;
        int cls = max == 0 ? 0 : 1 + (int)((n * 5 - 1) / max);
        sb_printf(sb,
                  "<text class=\"count\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                  "dominant-baseline=\"central\" font-size=\"13\" font-weight=\"bold\" "
                  "fill=\"%s\" pointer-events=\"none\" aria-hidden=\"true\">%s</text>\n",
                  w->lx, w->ly, cls >= 4 ? "#ffffff" : "#1a1a1a", num_nl(n).s);
    }
    sb_add(sb, "</svg>\n<p class=\"legend\">Hoe donkerder de wijk, hoe meer ideeën (grijs: nog "
               "geen). Het getal in een wijk is het aantal ideeën.</p>\n");
}
