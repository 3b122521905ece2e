/*
 * NAME
 *   geo - Heerlen's wijken and buurten: names, codes, postcodes, boundaries
 *
 * DESCRIPTION
 *   Loads from <data>/geo/: heerlen_wijk_buurt_codes_2014.csv (codes and
 *   names), heerlen_pc4_wijk_2024.csv (postcode -> wijk shares),
 *   heerlen_wijken_2014.geojson and heerlen_buurten_2014.geojson (WGS84
 *   polygons). A deployment may point INSPRAAK_GEO_WIJKEN /
 *   INSPRAAK_GEO_BUURTEN at newer GeoJSON files.
 *   Point-in-polygon is the even-odd ray test over every ring (holes
 *   included) of (Multi)Polygons - a dozen lines no library here offers.
 *   Read-only after geo_load(): safe to share between threads.
 *   The CSV files are simple (no quoted commas in these tables), so they
 *   are split by hand; a quoted field is still understood.
 *
 * OWNERSHIP
 *   Every string returned belongs to geo and lives until geo_destroy(),
 *   except geo_wijk_shared_place_text()'s, which the caller frees.
 *   geo_load() returns NULL with a reason in err when a file is missing or
 *   malformed; it never aborts on bad data.
 */
#ifndef INSPRAAK_GEO_H
#define INSPRAAK_GEO_H

#include <stddef.h>

typedef struct geo geo_t;

geo_t *geo_load(const char *data_dir, char *err, size_t errlen);
void geo_destroy(geo_t **self_p);

size_t geo_wijk_count(const geo_t *self);
/* i-th wijk, sorted by code, with its short name. Returns 0, or -1 past the end. */
int geo_wijk_at(const geo_t *self, size_t i, const char **code, const char **name);
/* The short name ("Maria Gewanden en Terschuren" for "Wijk 10 Maria ..."). */
const char *geo_wijk_name(const geo_t *self, const char *code);
const char *geo_buurt_name(const geo_t *self, const char *code);
/* The wijk code that a buurt code belongs to, or NULL. */
const char *geo_buurt_wijk(const geo_t *self, const char *buurt_code);
/* The full CSV name ("Wijk 10 Maria Gewanden en Terschuren"), or NULL. */
const char *geo_wijk_full_name(const geo_t *self, const char *code);
/* The same for the i-th wijk (as geo_wijk_at), or NULL past the end: no
 * search by code (the classifier asks for every wijk of every text). */
const char *geo_wijk_full_at(const geo_t *self, size_t i);
size_t geo_buurt_count(const geo_t *self);
/* i-th buurt, sorted by code, with its name and wijk code (any out-pointer
 * may be NULL). Returns 0, or -1 past the end. Strings belong to geo. */
int geo_buurt_at(const geo_t *self, size_t i, const char **code, const char **name,
                 const char **wijk);

/* A wijk code from what a person wrote: a code ("WK091710"), the full or
 * short name, a buurt name/code (its wijk), or the first place of a wijk
 * name made of two ("Heerlerheide" for Heerlerheide-Passart) when it starts
 * no other wijk's name ("Heerlerbaan": two wijken) and is not the town
 * ("Heerlen"); case-insensitive (also accented letters), "-" and " "
 * alike, extra spaces ignored ("hoensbroek de dem" is "Hoensbroek-De
 * Dem"). NULL when unknown. The returned string (the canonical code, for
 * storing) belongs to geo. */
const char *geo_wijk_lookup(const geo_t *self, const char *code_or_name);
/* The wijken whose name starts with the place s ("Heerlerbaan":
 * Heerlerbaan-Centrum and Heerlerbaan-Schil), compared as geo_wijk_lookup
 * does: how many there are; the first max codes (owned by geo) go in codes. */
size_t geo_wijk_first_place(const geo_t *self, const char *s, const char **codes, size_t max);
/* What a person is told who named such a place, shared by every intake
 * (form, field app): "Er zijn twee wijken met Heerlerbaan in de naam:
 * Heerlerbaan-Centrum en Heerlerbaan-Schil. Kies een van deze wijken uit de
 * lijst." NULL when s starts fewer than two wijken's names (or more than
 * five). s is valid UTF-8. Unlike the other strings here, the caller frees
 * the answer. */
char *geo_wijk_shared_place_text(const geo_t *self, const char *s);
/* The wijk holding most addresses of a PC4 (6411..6422), or NULL. */
const char *geo_wijk_from_pc4(const geo_t *self, int pc4);
/* Wijk and buurt holding the point. Returns 0, or -1 when outside Heerlen
 * (*wijk, *buurt NULL). */
int geo_locate(const geo_t *self, double lat, double lon, const char **wijk,
               const char **buurt);

#endif
