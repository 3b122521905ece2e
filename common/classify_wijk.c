/*
 * NAME
 *   classify_wijk - the wijk (and buurt) an idea is about
 *
 * DESCRIPTION
 *   DESIGN.md "Geography": a wijk is taken from an explicit field, else
 *   from GPS by point-in-polygon, else from a postcode, else from place
 *   names in the text. All lookups go through common/geo.h.
 *
 *   Names in free text are risky: several buurt names are ordinary words
 *   ("Ziekenhuis", "Verspreide huizen") and short names hit inside other
 *   words. So only names of at least five letters count, only as whole
 *   words, the ordinary-word names are skipped, and the longest name found
 *   wins (it is the most specific). "X en omgeving" buurten are also found
 *   by "X". A hyphen and a space count as the same, so "Heerlen Centrum"
 *   finds "Heerlen-Centrum". Case is folded for ASCII only; accented
 *   letters must match as written. Well-known places and short forms
 *   (s_places) count like names; "het centrum" and "het station" say
 *   Heerlen-Centrum only when no other place is named.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "xalloc.h"

#define WIJK_MIN_LETTERS 5

/* Well-known places and short names residents use for a wijk (LABELS.md
 * and local knowledge): "Hoensbroek" alone is the wijk Hoensbroek-De Dem,
 * the Maankwartier and the Promenade are in Heerlen-Centrum. "Het
 * centrum" alone is not here: it may be Hoensbroek's or Heerlerbaan's
 * (s_centre_fallback). */
static const struct {
    const char *name, *wijk;
} s_places[] = {
    {"Hoensbroek", "WK091712"},      {"Kasteel Hoensbroek", "WK091712"},
    {"Heerlerheide", "WK091721"},    {"Heerlerbaan", "WK091740"},
    {"Woonboulevard", "WK091735"},   {"De Stack", "WK091720"},
    {"Maankwartier", "WK091733"},    {"Pancratiusplein", "WK091733"},
    {"Pancratiuskerk", "WK091733"},  {"Promenade", "WK091733"},
    {"Glaspaleis", "WK091733"},      {"Schunck", "WK091733"},
    {"Thermenmuseum", "WK091733"},   {"Saroleastraat", "WK091733"},
    {"Geleenstraat", "WK091733"},    {"Bongerd", "WK091733"},
    {"Emmaplein", "WK091733"},       {"Raadhuisplein", "WK091733"},
    {"binnenstad", "WK091733"},      {"stadscentrum", "WK091733"},
    {"station Heerlen", "WK091733"}, {"Heerlen station", "WK091733"},
    {"centrum van Heerlen", "WK091733"}, {"Kasteel Terworm", "WK091736"},
    /* Spelling variants and short forms of the official names in
     * data/geo/heerlen_wijk_buurt_codes_2014.csv: the village name of a
     * buurt ("Welten" for Welten-Dorp, "Rennemig" for Groot Rennemig),
     * the name without its article or title ("Koumen", "Nolensplein"),
     * written as one word or without the diaeresis. */
    {"Welten", "WK091736"},          {"Rennemig", "WK091724"},
    {"Koumen", "WK091714"},          {"Nieuweinde", "WK091720"},
    {"Versilienbosch", "WK091720"},  {"Nolensplein", "WK091739"},
    {"Schaepmanplein", "WK091739"},  {"Mariagewanden", "WK091710"},
    {"Burettestraat", "WK091732"},   {"Romeinse thermen", "WK091733"},
};

/* Names that say the city centre only when no other place is named
 * (LABELS.md: the station is in Heerlen-Centrum; "het centrum" is
 * Heerlen's unless the text names Hoensbroek or another wijk, whose name
 * then wins). Always Heerlen-Centrum. */
static const char *const s_centre_fallback[] = {
    "het centrum", "het station", "busstation", "stationsplein", NULL,
};

/* Names that are also everyday Dutch words: never matched in text. */
static const char *const s_ordinary[] = {"Ziekenhuis", "Verspreide huizen", NULL};

static int s_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

static int s_sep(char c)
{
    return c == '-' || c == ' ';
}

/* Length of text at p that spells name (case-folded, '-' == ' '), or 0.
 * name_len limits how much of name must match. */
static size_t s_match(const char *p, const char *name, size_t name_len)
{
    size_t i = 0;
    for (size_t k = 0; k < name_len; k++, i++) {
        char a = p[i], b = name[k];
        if (!a)
            return 0;
        if (s_sep(a) && s_sep(b))
            continue;
        if (tolower((unsigned char)a) != tolower((unsigned char)b))
            return 0;
    }
    return i;
}

static size_t s_letters(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (isalpha((unsigned char)s[i]) || ((unsigned char)s[i] >= 0xC0))
            n++; /* a UTF-8 lead byte counts one letter; continuation bytes none */
    return n;
}

/* Where words may start in a text, by their first byte (lowercased):
 * every name is looked for only there, instead of each name scanning the
 * whole text (that scan was ~15 % of the classifier's instructions).
 * "May start": the first byte, and every byte after a non-word byte. */
typedef struct {
    const char *text;
    uint32_t start[257]; /* positions of first byte c: pos[start[c] .. start[c+1]) */
    uint32_t *pos;
} s_starts_t;

static void s_starts_init(s_starts_t *st, const char *text)
{
    size_t len = strlen(text);
    memset(st->start, 0, sizeof st->start);
    st->text = text;
    st->pos = xmalloc((len + 1) * sizeof *st->pos);
    for (size_t i = 0; i < len; i++)
        if (i == 0 || !s_word_byte((unsigned char)text[i - 1]))
            st->start[tolower((unsigned char)text[i]) + 1]++;
    for (int c = 0; c < 256; c++)
        st->start[c + 1] += st->start[c];
    uint32_t fill[256];
    memcpy(fill, st->start, sizeof fill);
    for (size_t i = 0; i < len; i++)
        if (i == 0 || !s_word_byte((unsigned char)text[i - 1]))
            st->pos[fill[tolower((unsigned char)text[i])]++] = (uint32_t)i;
}

/* 1 when name (name_len bytes) occurs in the text as a whole word. */
static int s_contains_word(const s_starts_t *st, const char *name, size_t name_len)
{
    int first = tolower((unsigned char)name[0]);
    for (uint32_t j = st->start[first]; j < st->start[first + 1]; j++) {
        const char *p = st->text + st->pos[j];
        size_t n = s_match(p, name, name_len);
        if (n && !s_word_byte((unsigned char)p[n]))
            return 1;
    }
    return 0;
}

static int s_ordinary_word(const char *name)
{
    for (int i = 0; s_ordinary[i]; i++)
        if (strcasecmp(name, s_ordinary[i]) == 0)
            return 1;
    return 0;
}

/* Considers one name; keeps it in *best when longer than the best so far. */
static void s_try(const s_starts_t *st, const char *name, size_t len, const char *wijk,
                  const char *buurt, size_t *best, const char **bw, const char **bb)
{
    /* All pure tests: the cheap position look-up comes before the letter
     * count and the strcasecmp of s_ordinary_word, which nearly every
     * name of the ~130 asked per text would otherwise pay. */
    if (len <= *best || !s_contains_word(st, name, len) || s_letters(name, len) < WIJK_MIN_LETTERS ||
        s_ordinary_word(name))
        return;
    *best = len;
    *bw = wijk;
    *bb = buurt;
}

int classify_wijk_in_text(const geo_t *geo, const char *text, const char **wijk,
                          const char **buurt)
{
    size_t best = 0;
    const char *code, *name, *full, *wk;
    *wijk = NULL;
    *buurt = NULL;
    if (!text)
        return -1;
    s_starts_t st;
    s_starts_init(&st, text);
    for (size_t i = 0; geo_wijk_at(geo, i, &code, &name) == 0; i++) {
        s_try(&st, name, strlen(name), code, NULL, &best, wijk, buurt);
        full = geo_wijk_full_at(geo, i);
        if (full)
            s_try(&st, full, strlen(full), code, NULL, &best, wijk, buurt);
    }
    /* The wijk of a place must be known to geo (a test's small geo may
     * lack it): asked only for a place the text names, as geo_wijk_name
     * is a linear look-up. */
    for (size_t i = 0; i < sizeof s_places / sizeof s_places[0]; i++) {
        size_t len = strlen(s_places[i].name);
        if (len > best && s_contains_word(&st, s_places[i].name, len) &&
            geo_wijk_name(geo, s_places[i].wijk))
            s_try(&st, s_places[i].name, len, s_places[i].wijk, NULL, &best, wijk, buurt);
    }
    for (size_t i = 0; geo_buurt_at(geo, i, &code, &name, &wk) == 0; i++) {
        s_try(&st, name, strlen(name), wk, code, &best, wijk, buurt);
        const char *omg = strstr(name, " en omgeving");
        if (omg && omg[12] == '\0')
            s_try(&st, name, (size_t)(omg - name), wk, code, &best, wijk, buurt);
    }
    for (size_t i = 0; !*wijk && geo_wijk_name(geo, "WK091733") && s_centre_fallback[i]; i++)
        if (s_contains_word(&st, s_centre_fallback[i], strlen(s_centre_fallback[i])))
            *wijk = "WK091733";
    free(st.pos);
    return *wijk ? 0 : -1;
}

/* Trimmed, case-insensitive equality (for buurt names and codes): g is
 * the given text already trimmed to g[0..n); the first letter is
 * compared before the lengths, so most names cost one compare. */
static bool s_same_trimmed(const char *g, size_t n, const char *name)
{
    if (n > 0 && tolower((unsigned char)g[0]) != tolower((unsigned char)name[0]))
        return false;
    return n == strlen(name) && strncasecmp(g, name, n) == 0;
}

/* The buurt code when s names a buurt (by code or name), else NULL.
 * Asked twice an idea with ~2 x 60 names each: s is trimmed once, not
 * once per name (was ~5,000 instructions an idea). */
static const char *s_buurt_lookup(const geo_t *geo, const char *s)
{
    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    const char *code, *name;
    for (size_t i = 0; geo_buurt_at(geo, i, &code, &name, NULL) == 0; i++)
        if (s_same_trimmed(s, n, code) || s_same_trimmed(s, n, name))
            return code;
    return NULL;
}

/* The first four characters as a PC4 number, or -1. */
static int s_pc4(const char *postcode)
{
    int pc4 = 0;
    if (!postcode)
        return -1;
    while (isspace((unsigned char)*postcode))
        postcode++;
    for (int i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)postcode[i]))
            return -1;
        pc4 = pc4 * 10 + (postcode[i] - '0');
    }
    return isdigit((unsigned char)postcode[4]) ? -1 : pc4;
}

/* Sets wijk (and buurt, which may be NULL) on the idea; returns src. */
static wijk_source_t s_set(idea_t *idea, const char *wijk, const char *buurt, wijk_source_t src)
{
    proto_set(&idea->wijk, wijk);
    if (buurt)
        proto_set(&idea->buurt, buurt);
    return src;
}

wijk_source_t classify_wijk(const geo_t *geo, idea_t *idea)
{
    const char *wijk = NULL, *buurt = NULL;

    /* A given buurt is kept only when geo knows it (and it fits the wijk). */
    const char *given_buurt = s_buurt_lookup(geo, idea->buurt);
    proto_set(&idea->buurt, NULL);
    if (idea->wijk) {
        wijk = geo_wijk_lookup(geo, idea->wijk);
        if (wijk) {
            const char *b = s_buurt_lookup(geo, idea->wijk);
            if (!b && given_buurt && strcmp(geo_buurt_wijk(geo, given_buurt), wijk) == 0)
                b = given_buurt;
            return s_set(idea, wijk, b, WIJK_FIELD);
        }
        proto_set(&idea->wijk, NULL); /* not a wijk we know: try the rest */
    }
    if (given_buurt)
        return s_set(idea, geo_buurt_wijk(geo, given_buurt), given_buurt, WIJK_FIELD);
    if (idea->has_location && geo_locate(geo, idea->lat, idea->lon, &wijk, &buurt) == 0)
        return s_set(idea, wijk, buurt, WIJK_GPS);
    int pc4 = s_pc4(idea->postcode);
    if (pc4 > 0 && (wijk = geo_wijk_from_pc4(geo, pc4)) != NULL)
        return s_set(idea, wijk, NULL, WIJK_POSTCODE);
    if (classify_wijk_in_text(geo, idea->title, &wijk, &buurt) == 0 ||
        classify_wijk_in_text(geo, idea->text, &wijk, &buurt) == 0)
        return s_set(idea, wijk, buurt, WIJK_TEXT);
    return WIJK_NONE;
}

const char *classify_wijk_source_name(wijk_source_t src)
{
    switch (src) {
    case WIJK_FIELD:
        return "field";
    case WIJK_GPS:
        return "gps";
    case WIJK_POSTCODE:
        return "postcode";
    case WIJK_TEXT:
        return "text";
    default:
        return "none";
    }
}
