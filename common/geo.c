/*
 * NAME
 *   geo - Heerlen's wijken and buurten: names, codes, postcodes, boundaries
 *
 * SUMMARY
 *   geo_t *g = geo_load("./data", err, sizeof err);
 *   const char *wk = geo_wijk_lookup(g, "maria gewanden");   -> "WK091710"
 *   geo_locate(g, 50.888, 5.98, &wk, &bu);
 *
 * DESCRIPTION
 *   See geo.h. Data files and their limits:
 *     <data>/geo/heerlen_wijk_buurt_codes_2014.csv   (required)
 *     <data>/geo/heerlen_pc4_wijk_2024.csv           (required)
 *     INSPRAAK_GEO_WIJKEN or <data>/geo/heerlen_wijken_2014.geojson (required)
 *     INSPRAAK_GEO_BUURTEN or <data>/geo/heerlen_buurten_2014.geojson (required)
 *   A GeoJSON feature is matched to the code table by its property
 *   "statcode" (CBS 2014 naming) or "wijkcode"/"buurtcode" (current PDOK
 *   naming); features with codes not in the table are skipped.
 *
 * DIAGNOSTICS
 *   geo_load() fails with a sentence naming the file and what is wrong.
 */
#include "geo.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "geo_int.h"
#include "xalloc.h"

/* ------------------------------------------------------------------ */
/* Small string helpers                                                */
/* ------------------------------------------------------------------ */

/* Compares a with b ignoring ASCII case and the spaces around a. */
static int s_equal_trimmed(const char *a, const char *b)
{
    while (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r')
        a++;
    size_t la = strlen(a);
    while (la && (a[la - 1] == ' ' || a[la - 1] == '\t' || a[la - 1] == '\n' ||
                  a[la - 1] == '\r'))
        la--;
    return la == strlen(b) && strncasecmp(a, b, la) == 0;
}

/* A name as lookups compare it: case folded (glib: also "Ë" -> "ë"; ASCII
 * only when s is not valid UTF-8), "-" read as a space, runs of spaces as
 * one, none at the ends: "Hoensbroek-De  Dem " -> "hoensbroek de dem".
 * Caller frees. */
static char *s_key(const char *s)
{
    char *folded = g_utf8_validate(s, -1, NULL) ? g_utf8_casefold(s, -1) : g_ascii_strdown(s, -1);
    char *out = xmalloc(strlen(folded) + 1), *o = out;
    bool space = false;
    for (const char *p = folded; *p; p++) {
        if (*p == '-' || isspace((unsigned char)*p)) {
            space = o > out;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = false;
        *o++ = *p;
    }
    *o = '\0';
    g_free(folded);
    return out;
}

/* "Wijk 10 Maria Gewanden" -> "Maria Gewanden"; other names unchanged. */
static char *s_short_name(const char *full)
{
    const char *p = full;
    if (strncasecmp(p, "wijk ", 5) == 0 && isdigit((unsigned char)p[5])) {
        p += 5;
        while (isdigit((unsigned char)*p))
            p++;
        while (*p == ' ')
            p++;
        if (*p)
            return xstrdup(p);
    }
    return xstrdup(full);
}

long geo_find_wijk(const geo_t *self, const char *code)
{
    for (size_t i = 0; i < self->n_wijken; i++)
        if (strcasecmp(self->wijken[i].code, code) == 0)
            return (long)i;
    return -1;
}

long geo_find_buurt(const geo_t *self, const char *code)
{
    for (size_t i = 0; i < self->n_buurten; i++)
        if (strcasecmp(self->buurten[i].code, code) == 0)
            return (long)i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* CSV: hand-split (the tables here are plain; quotes still handled)   */
/* ------------------------------------------------------------------ */

/* Splits one line into at most max fields of at most GEO_MAX_FIELD bytes.
 * Returns the number of fields, or -1 when a field is too long. */
static int s_csv_split(const char *line, char fields[][GEO_MAX_FIELD], int max)
{
    int n = 0;
    const char *p = line;
    while (n < max) {
        size_t o = 0;
        int quoted = (*p == '"');
        if (quoted)
            p++;
        while (*p && *p != '\n' && *p != '\r' && (quoted || *p != ',')) {
            if (quoted && *p == '"') {
                if (p[1] == '"') {
                    p++;
                } else {
                    quoted = 0;
                    p++;
                    continue;
                }
            }
            if (o + 1 >= GEO_MAX_FIELD)
                return -1;
            fields[n][o++] = *p++;
        }
        fields[n++][o] = '\0';
        if (*p != ',')
            break;
        p++;
    }
    return n;
}

typedef int (*csv_row_fn)(geo_t *self, char fields[][GEO_MAX_FIELD], int n, char *err,
                          size_t errlen);

static int s_csv_read(geo_t *self, const char *path, int want, csv_row_fn fn, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    char fields[8][GEO_MAX_FIELD];
    long row = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        row++;
        if (row > GEO_MAX_ROWS || (!strchr(line, '\n') && !feof(f))) {
            snprintf(err, errlen, "%s line %ld: too long or too many lines", path, row);
            rc = -1;
            break;
        }
        if (row == 1 || line[0] == '\n' || line[0] == '\r')
            continue; /* header, blank */
        int n = s_csv_split(line, fields, 8);
        if (n < want) {
            snprintf(err, errlen, "%s line %ld: expected %d fields", path, row, want);
            rc = -1;
            break;
        }
        if (fn(self, fields, n, err, errlen) < 0) {
            char why[160];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, errlen, "%s line %ld: %s", path, row, why);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

static int s_valid_code(const char *code, const char *prefix)
{
    size_t n = strlen(code);
    if (n < 4 || n >= GEO_CODE_SIZE || strncmp(code, prefix, 2) != 0)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (!isdigit((unsigned char)code[i]))
            return 0;
    return 1;
}

/* The first part of a wijk name made of two places ("Heerlerheide" of
 * "Heerlerheide-Passart"), as a lookup key: people name the wijk by it.
 * Not the town's own name: "Heerlen" alone is all of Heerlen, not the wijk
 * Heerlen-Centrum. NULL when the name has no "-". Caller frees. */
static char *s_first_key(const char *name)
{
    const char *dash = strchr(name, '-');
    if (!dash || dash == name)
        return NULL;
    char *first = xstrndup(name, (size_t)(dash - name));
    char *key = s_key(first);
    free(first);
    if (strcmp(key, GEO_TOWN_KEY) == 0) {
        free(key);
        return NULL;
    }
    return key;
}

/* buurtcode,buurtnaam,wijkcode,wijknaam */
static int s_codes_row(geo_t *self, char fields[][GEO_MAX_FIELD], int n, char *err,
                       size_t errlen)
{
    (void)n;
    if (!s_valid_code(fields[0], "BU") || !s_valid_code(fields[2], "WK")) {
        snprintf(err, errlen, "bad code");
        return -1;
    }
    long w = geo_find_wijk(self, fields[2]);
    if (w < 0) {
        self->wijken = xrealloc(self->wijken, (self->n_wijken + 1) * sizeof *self->wijken);
        wijk_t *wk = &self->wijken[self->n_wijken];
        memset(wk, 0, sizeof *wk);
        snprintf(wk->code, sizeof wk->code, "%s", fields[2]);
        wk->full = xstrdup(fields[3]);
        wk->name = s_short_name(fields[3]);
        wk->full_key = s_key(wk->full);
        wk->name_key = s_key(wk->name);
        wk->first_key = s_first_key(wk->name);
        w = (long)self->n_wijken++;
    }
    if (geo_find_buurt(self, fields[0]) >= 0) {
        snprintf(err, errlen, "buurt %s twice", fields[0]);
        return -1;
    }
    self->buurten = xrealloc(self->buurten, (self->n_buurten + 1) * sizeof *self->buurten);
    buurt_t *bu = &self->buurten[self->n_buurten++];
    memset(bu, 0, sizeof *bu);
    snprintf(bu->code, sizeof bu->code, "%s", fields[0]);
    bu->name = xstrdup(fields[1]);
    bu->name_key = s_key(bu->name);
    bu->wijk = (size_t)w;
    return 0;
}

/* pc4,wijkcode,address_share: keep the wijk with the highest share. */
static int s_pc4_row(geo_t *self, char fields[][GEO_MAX_FIELD], int n, char *err,
                     size_t errlen)
{
    (void)n;
    char *end = NULL;
    long pc4 = strtol(fields[0], &end, 10);
    if (end == fields[0] || *end || pc4 < 1000 || pc4 > 9999) {
        snprintf(err, errlen, "bad postcode");
        return -1;
    }
    double share = strtod(fields[2], &end);
    if (end == fields[2] || *end || !(share >= 0.0 && share <= 1.0)) {
        snprintf(err, errlen, "bad share");
        return -1;
    }
    long w = geo_find_wijk(self, fields[1]);
    if (w < 0)
        return 0; /* a wijk outside the code table: not ours to place */
    for (size_t i = 0; i < self->n_pc4s; i++) {
        if (self->pc4s[i].pc4 == pc4) {
            if (share > self->pc4s[i].share) {
                self->pc4s[i].share = share;
                self->pc4s[i].wijk = (size_t)w;
            }
            return 0;
        }
    }
    self->pc4s = xrealloc(self->pc4s, (self->n_pc4s + 1) * sizeof *self->pc4s);
    self->pc4s[self->n_pc4s++] = (pc4_t){.pc4 = (int)pc4, .wijk = (size_t)w, .share = share};
    return 0;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

static int s_by_wijk_code(const void *a, const void *b)
{
    return strcmp(((const wijk_t *)a)->code, ((const wijk_t *)b)->code);
}

static void s_path(char *buf, size_t size, const char *env, const char *dir, const char *file)
{
    const char *v = getenv(env);
    if (v && *v)
        snprintf(buf, size, "%s", v);
    else
        snprintf(buf, size, "%s/geo/%s", dir, file);
}

/* Sorts wijken by code, keeping the buurten's wijk indexes right. */
static void s_sort_wijken(geo_t *self)
{
    char (*old)[GEO_CODE_SIZE] = xmalloc(self->n_wijken * sizeof *old);
    for (size_t i = 0; i < self->n_wijken; i++)
        memcpy(old[i], self->wijken[i].code, GEO_CODE_SIZE);
    qsort(self->wijken, self->n_wijken, sizeof *self->wijken, s_by_wijk_code);
    for (size_t i = 0; i < self->n_buurten; i++)
        self->buurten[i].wijk = (size_t)geo_find_wijk(self, old[self->buurten[i].wijk]);
    free(old);
}

geo_t *geo_load(const char *data_dir, char *err, size_t errlen)
{
    geo_t *self = xcalloc(1, sizeof *self);
    char path[1024];
    const char *dir = data_dir && *data_dir ? data_dir : "./data";

    snprintf(path, sizeof path, "%s/geo/heerlen_wijk_buurt_codes_2014.csv", dir);
    if (s_csv_read(self, path, 4, s_codes_row, err, errlen) < 0)
        goto fail;
    if (self->n_wijken == 0) {
        snprintf(err, errlen, "%s: no wijken", path);
        goto fail;
    }
    s_sort_wijken(self);
    snprintf(path, sizeof path, "%s/geo/heerlen_pc4_wijk_2024.csv", dir);
    if (s_csv_read(self, path, 3, s_pc4_row, err, errlen) < 0)
        goto fail;
    s_path(path, sizeof path, "INSPRAAK_GEO_WIJKEN", dir, "heerlen_wijken_2014.geojson");
    if (geo_geojson_read(self, path, 1, err, errlen) < 0)
        goto fail;
    s_path(path, sizeof path, "INSPRAAK_GEO_BUURTEN", dir, "heerlen_buurten_2014.geojson");
    if (geo_geojson_read(self, path, 0, err, errlen) < 0)
        goto fail;
    return self;
fail:
    geo_destroy(&self);
    return NULL;
}

void geo_destroy(geo_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    geo_t *self = *self_p;
    for (size_t i = 0; i < self->n_wijken; i++) {
        free(self->wijken[i].full);
        free(self->wijken[i].name);
        free(self->wijken[i].full_key);
        free(self->wijken[i].name_key);
        free(self->wijken[i].first_key);
        geo_shape_clear(&self->wijken[i].shape);
    }
    for (size_t i = 0; i < self->n_buurten; i++) {
        free(self->buurten[i].name);
        free(self->buurten[i].name_key);
        geo_shape_clear(&self->buurten[i].shape);
    }
    free(self->wijken);
    free(self->buurten);
    free(self->pc4s);
    free(self);
    *self_p = NULL;
}

size_t geo_wijk_count(const geo_t *self)
{
    return self->n_wijken;
}

int geo_wijk_at(const geo_t *self, size_t i, const char **code, const char **name)
{
    if (i >= self->n_wijken)
        return -1;
    if (code)
        *code = self->wijken[i].code;
    if (name)
        *name = self->wijken[i].name;
    return 0;
}

size_t geo_buurt_count(const geo_t *self)
{
    return self->n_buurten;
}

int geo_buurt_at(const geo_t *self, size_t i, const char **code, const char **name,
                 const char **wijk)
{
    if (i >= self->n_buurten)
        return -1;
    if (code)
        *code = self->buurten[i].code;
    if (name)
        *name = self->buurten[i].name;
    if (wijk)
        *wijk = self->wijken[self->buurten[i].wijk].code;
    return 0;
}

const char *geo_wijk_name(const geo_t *self, const char *code)
{
    long w = code ? geo_find_wijk(self, code) : -1;
    return w < 0 ? NULL : self->wijken[w].name;
}

const char *geo_wijk_full_name(const geo_t *self, const char *code)
{
    long w = code ? geo_find_wijk(self, code) : -1;
    return w < 0 ? NULL : self->wijken[w].full;
}

const char *geo_wijk_full_at(const geo_t *self, size_t i)
{
    return i < self->n_wijken ? self->wijken[i].full : NULL;
}

const char *geo_buurt_name(const geo_t *self, const char *code)
{
    long b = code ? geo_find_buurt(self, code) : -1;
    return b < 0 ? NULL : self->buurten[b].name;
}

const char *geo_buurt_wijk(const geo_t *self, const char *buurt_code)
{
    long b = buurt_code ? geo_find_buurt(self, buurt_code) : -1;
    return b < 0 ? NULL : self->wijken[self->buurten[b].wijk].code;
}

const char *geo_wijk_lookup(const geo_t *self, const char *s)
{
    if (!s)
        return NULL;
    /* Names as typed ("hoensbroek de dem", "HEERLERHEIDE-PASSART") match
     * the canonical one; the code returned is the canonical wijk's. */
    char *key = s_key(s);
    const char *found = NULL;
    for (size_t i = 0; !found && *key && i < self->n_wijken; i++) {
        const wijk_t *w = &self->wijken[i];
        if (s_equal_trimmed(s, w->code) || strcmp(key, w->full_key) == 0 ||
            strcmp(key, w->name_key) == 0)
            found = w->code;
    }
    for (size_t i = 0; !found && *key && i < self->n_buurten; i++) {
        const buurt_t *b = &self->buurten[i];
        if (s_equal_trimmed(s, b->code) || strcmp(key, b->name_key) == 0)
            found = self->wijken[b->wijk].code;
    }
    free(key);
    /* "Heerlerheide" for Heerlerheide-Passart: the first place of a wijk's
     * name, when no other wijk's name starts with it ("Heerlerbaan" is
     * Heerlerbaan-Centrum or Heerlerbaan-Schil: still unknown). */
    const char *first = NULL;
    if (!found && geo_wijk_first_place(self, s, &first, 1) == 1)
        found = first;
    return found;
}

size_t geo_wijk_first_place(const geo_t *self, const char *s, const char **codes, size_t max)
{
    if (!s)
        return 0;
    char *key = s_key(s);
    size_t n = 0;
    for (size_t i = 0; *key && i < self->n_wijken; i++)
        if (self->wijken[i].first_key && strcmp(key, self->wijken[i].first_key) == 0) {
            if (n < max)
                codes[n] = self->wijken[i].code;
            n++;
        }
    free(key);
    return n;
}

char *geo_wijk_shared_place_text(const geo_t *self, const char *s)
{
    static const char *const count[] = {"", "", "twee", "drie", "vier", "vijf"};
    const char *codes[5];
    size_t n = geo_wijk_first_place(self, s, codes, 5);
    if (n < 2 || n > 5)
        return NULL;
    /* The place as the wijk list writes it ("Heerlerbaan"), not as typed. */
    const char *first = geo_wijk_name(self, codes[0]);
    const char *dash = strchr(first, '-');
    char names[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                 i == 0 ? "" : i + 1 == n ? " en " : ", ",
                                 geo_wijk_name(self, codes[i]));
    return xasprintf("Er zijn %s wijken met %.*s in de naam: %s. Kies een van deze wijken uit "
                     "de lijst.",
                     count[n], (int)(dash ? dash - first : (ptrdiff_t)strlen(first)), first,
                     names);
}

const char *geo_wijk_from_pc4(const geo_t *self, int pc4)
{
    for (size_t i = 0; i < self->n_pc4s; i++)
        if (self->pc4s[i].pc4 == pc4)
            return self->wijken[self->pc4s[i].wijk].code;
    return NULL;
}

/* The wijk is the wijk polygon holding the point. The coarse buurt and
 * wijk polygons do not nest exactly, so a buurt is only reported when it
 * belongs to that wijk; a point that falls in a gap between wijk polygons
 * but inside a buurt takes that buurt's wijk. */
int geo_locate(const geo_t *self, double lat, double lon, const char **wijk,
               const char **buurt)
{
    long w = -1, b = -1, b_any = -1;
    *wijk = NULL;
    *buurt = NULL;
    for (size_t i = 0; i < self->n_wijken && w < 0; i++)
        if (geo_shape_contains(&self->wijken[i].shape, lon, lat))
            w = (long)i;
    for (size_t i = 0; i < self->n_buurten && b < 0; i++) {
        if (!geo_shape_contains(&self->buurten[i].shape, lon, lat))
            continue;
        if (b_any < 0)
            b_any = (long)i;
        if (w < 0 || self->buurten[i].wijk == (size_t)w)
            b = (long)i;
    }
    if (w < 0 && b_any >= 0) {
        b = b_any;
        w = (long)self->buurten[b].wijk;
    }
    if (w < 0)
        return -1;
    *wijk = self->wijken[w].code;
    if (b >= 0)
        *buurt = self->buurten[b].code;
    return 0;
}
