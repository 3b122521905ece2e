/*
 * NAME
 *   classify_pii_addr_nr - the numbers of an address: a Dutch postcode
 *   ("6411 AB", "6411ab") and a house number ("12", "12a", "12-14"), and
 *   numbers that only look like one (a count, a year, a range)
 *
 * DESCRIPTION
 *   Part of the address finder (classify_pii_addr.c; rules and reasons in
 *   common/classify_pii.c under "postcode"), shared with the street
 *   finder (classify_pii_addr_street.c) through classify_pii_addr_int.h.
 *   Owner: the classifier (docs/classifier.md, "PII flags").
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify_pii_addr_int.h"

/* A Dutch postcode at p (not glued to a letter or digit before it): its
 * end, else NULL. Letters upper case, or lower case when glued to the
 * digits ("6411ab"; "1990 de" is a year and an article). SA, SD and SS
 * are never issued. */
const char *classify_pii_addr_postcode_end(const char *text, const char *p)
{
    if ((p > text && isalnum((unsigned char)p[-1])) || *p < '1' || *p > '9')
        return NULL;
    for (int i = 1; i < 4; i++)
        if (!isdigit((unsigned char)p[i]))
            return NULL;
    const char *l = p[4] == ' ' ? p + 5 : p + 4;
    int up = isupper((unsigned char)l[0]) && isupper((unsigned char)l[1]);
    int low = islower((unsigned char)l[0]) && islower((unsigned char)l[1]) && l == p + 4;
    if (!up && !low)
        return NULL;
    char a = (char)toupper((unsigned char)l[0]), b = (char)toupper((unsigned char)l[1]);
    if (a == 'S' && (b == 'A' || b == 'D' || b == 'S'))
        return NULL;
    if (isalnum((unsigned char)l[2]) || (unsigned char)l[2] >= 0x80)
        return NULL;
    return l + 2;
}

/* 1 when a range word and a second house number follow the number that
 * starts at p and ends at q ("12 tot 40", "2 t/m 18", "2 tot en met
 * 18"): a stretch of a street, not one home. The second is higher than
 * the first and no time, date, count or year (classify_pii_addr_count_or_year): after
 * "Akerstraat 12 tot 17 uur", "tot 15 maart", "tot 1 mei", "tot 17:30"
 * or "tot 2027" the first is one home's number. */
static int s_range_follows(const char *p, const char *q)
{
    static const char *const words[] = {" tot en met ", " t/m ", " tot "};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(q, words[i], n) != 0 || q[n] < '1' || q[n] > '9')
            continue;
        const char *d = q + n, *e = d;
        while (isdigit((unsigned char)*e) && e - d < 6)
            e++;
        if (e - d > 5 || strtol(d, NULL, 10) <= strtol(p, NULL, 10) ||
            classify_pii_addr_count_or_year(d, e))
            return 0;
        return !((*e == ':' || *e == '.' || *e == ',') && isdigit((unsigned char)e[1]));
    }
    return 0;
}

/* A house number at p: 1-5 digits (not starting with 0) and an optional
 * addition ("12a", "12-14", "12-A"); its end, else NULL. Not a time, a
 * decimal or a longer number ("12:30", "1,5", "12 345"), nor the first of
 * a range ("12 tot 40"). */
const char *classify_pii_addr_housenr_end(const char *p)
{
    const char *q = p;
    if (*q < '1' || *q > '9')
        return NULL;
    while (isdigit((unsigned char)*q) && q - p < 6)
        q++;
    if (q - p > 5 || isdigit((unsigned char)*q))
        return NULL;
    if (isalpha((unsigned char)*q) && !isalnum((unsigned char)q[1]))
        q++;
    else if (*q == '-' && isalnum((unsigned char)q[1])) {
        const char *r = q + 1;
        while (isalnum((unsigned char)*r) && r - q <= 4)
            r++;
        if (r - q > 4)
            return NULL;
        q = r;
    }
    if (isalnum((unsigned char)*q) || (unsigned char)*q >= 0x80)
        return NULL;
    if ((*q == ':' || *q == '.' || *q == ',') && isdigit((unsigned char)q[1]))
        return NULL;
    return s_range_follows(p, q) ? NULL : q;
}

/* Whether the n bytes at p are one of the len words of list. */
int classify_pii_addr_word_in(const char *p, size_t n, const char *const *list, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (strlen(list[i]) == n && strncmp(p, list[i], n) == 0)
            return 1;
    return 0;
}

/* Words that make the number after a street a count or a date, not a
 * house number: "Akerstraat 2 keer per dag", "de Kloosterweg 40 km per
 * uur", "op het Pancratiusplein 3 mei". */
const char *const classify_pii_addr_count_words[] = {
    "keer",      "maal",     "x",        "jaar",     "jaren",  "maand",     "maanden", "week",
    "weken",     "dag",      "dagen",    "uur",      "uren",   "minuut",    "minuten", "min",
    "seconden",  "meter",    "m",        "km",       "cm",     "kilometer", "euro",    "procent",
    "stuks",     "mensen",   "personen", "kinderen", "auto's", "auto",      "huizen",  "woningen",
    "januari",   "februari", "maart",    "april",    "mei",    "juni",      "juli",    "augustus",
    "september", "oktober",  "november", "december", "jan",    "feb",       "mrt",     "apr",
    "jun",       "jul",      "aug",      "sep",      "sept",   "okt",       "nov",     "dec",
};

/* The number [p, e) is a count or a year, not a house number: a word of
 * classify_pii_addr_count_words follows ("2 keer"), or it is a year 1800-2099. */
int classify_pii_addr_count_or_year(const char *p, const char *e)
{
    if (e - p == 4 &&
        (strncmp(p, "18", 2) == 0 || strncmp(p, "19", 2) == 0 || strncmp(p, "20", 2) == 0))
        return 1;
    const char *w = e + (*e == ' '), *we = w;
    while (islower((unsigned char)*we) || *we == '\'')
        we++;
    return we > w && classify_pii_addr_word_in(w, (size_t)(we - w), classify_pii_addr_count_words,
                                               sizeof classify_pii_addr_count_words /
                                                   sizeof classify_pii_addr_count_words[0]);
}
