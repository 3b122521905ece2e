/*
 * NAME
 *   classify_pii_addr - an address a resident gives: a Dutch postcode with
 *   a house number ("Akerstraat 12, 6411 AB", "6411AB 12a") or a street
 *   with a house number ("Akerstraat 12")
 *
 * DESCRIPTION
 *   The address finder of common/classify_pii.c (rules and reasons there,
 *   under "postcode"); it reports the kind "postcode". Hand-written: no
 *   library knows Dutch postcodes or how residents write an address.
 *   This file puts an address together around a postcode and walks the
 *   text; the shapes of postcodes and house numbers are in
 *   classify_pii_addr_nr.c, the street before a number in
 *   classify_pii_addr_street.c (classify_pii_addr_int.h).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "classify_pii_addr_int.h"

/* The house number after the word "huisnummer" or "huisnr." at w
 * ("huisnummer 12a", "Huisnummer: 12-2", "huisnr. is 7"): its end, else
 * NULL. */
static const char *s_named_nr_end(const char *text, const char *w)
{
    static const char *const words[] = {"huisnummer", "huisnr.", "huisnr"};
    if (w > text && isalpha((unsigned char)w[-1]))
        return NULL;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(w, words[i], n) != 0 || isalpha((unsigned char)w[n]))
            continue;
        const char *q = w + n + (w[n] == ':');
        while (*q == ' ')
            q++;
        if (strncmp(q, "is ", 3) == 0)
            q += 3;
        return q > w + n ? classify_pii_addr_housenr_end(q) : NULL;
    }
    return NULL;
}

/* Whether the byte before w ends a sentence: "!", "?", a line break, or
 * a full stop that does not end the abbreviation "nr." ("huisnr. 12"). */
static int s_sentence_ends_before(const char *text, const char *w)
{
    if (strchr("!?\n", w[-1]))
        return 1;
    return w[-1] == '.' && !(w - text >= 3 && strncasecmp(w - 3, "nr", 2) == 0);
}

/* "huisnummer 12a" in the same sentence as the postcode [p, pc_end) and
 * at most 40 bytes from it, after it ("6411 AB en mijn huisnummer 12a":
 * sets *end) or before it ("Huisnummer: 12-2, postcode 6411AB", "huisnr.
 * 12, postcode 6411 AB": sets *start); 1 when found. */
static int s_named_nr_near(const char *text, const char *p, const char *pc_end, const char **start,
                           const char **end)
{
    for (const char *w = pc_end; *w && w < pc_end + 40 && !strchr(".!?\n", *w); w++)
        if ((*end = s_named_nr_end(text, w)) != NULL)
            return 1;
    for (const char *w = p; w > text && w > p - 40 && !s_sentence_ends_before(text, w);) {
        const char *e = s_named_nr_end(text, --w);
        if (e && e <= p) {
            *start = w;
            return 1;
        }
    }
    return 0;
}

/* The address around the postcode [p, pc_end): sets [*start, *end) and
 * returns 1, or 0 when no house number is next to it. */
static int s_postcode_place(const char *text, const char *p, const char *pc_end,
                            const char **start_p, const char **end_p)
{
    const char *start = NULL, *end = NULL;
    /* before: "Akerstraat 12, 6411 AB" (up to four spaces, commas or line breaks) */
    const char *q = p;
    while (q > text && q > p - 4 && strchr(" ,\n\r\t", q[-1]))
        q--;
    if (q < p && q > text) {
        const char *nr = q;
        while (nr > text && (isalnum((unsigned char)nr[-1]) || nr[-1] == '-'))
            nr--;
        const char *nr_end = q;
        /* an addition written apart: "Akerstraat 12 B, 6411 AB" */
        if (q - nr == 1 && isalpha((unsigned char)*nr) && nr - text >= 3 && nr[-1] == ' ' &&
            isdigit((unsigned char)nr[-2])) {
            nr_end = nr - 1;
            while (nr - text >= 2 && isdigit((unsigned char)nr[-2]))
                nr--;
            nr--;
        }
        if (classify_pii_addr_housenr_end(nr) == nr_end)
            start = classify_pii_addr_street_start(text, nr);
        if (start)
            end = pc_end;
    }
    /* after: "6411AB 12a", "6411 AB, nr. 12" */
    q = pc_end;
    while (*q && q < pc_end + 4 && strchr(" ,\n\r\t", *q))
        q++;
    if (strncmp(q, "nr. ", 4) == 0 || strncmp(q, "nr ", 3) == 0)
        q += q[2] == '.' ? 4 : 3;
    const char *hn = q > pc_end ? classify_pii_addr_housenr_end(q) : NULL;
    if (hn) {
        start = start ? start : p;
        end = hn;
    } else if (!start && s_named_nr_near(text, p, pc_end, &start, &end)) {
        /* "6411 AB en mijn huisnummer 12a", "huisnummer 12, postcode 6411 AB" */
        start = start ? start : p;
        end = end ? end : pc_end;
    }
    if (!start)
        return 0;
    *start_p = start;
    *end_p = end;
    return 1;
}

int classify_pii_find_address(const char *text, classify_pii_fn fn, void *arg)
{
    if (!text)
        return 0;
    int n = 0;
    for (const char *p = text; *p; p++) {
        const char *pc_end = classify_pii_addr_postcode_end(text, p), *start = NULL, *end = NULL;
        if (pc_end)
            s_postcode_place(text, p, pc_end, &start, &end);
        else if (isdigit((unsigned char)*p)) /* "Akerstraat 12" without a postcode */
            end = classify_pii_addr_street_nr_end(text, p, &start);
        if (!start || !end)
            continue;
        n++;
        if (fn(arg, "postcode", (size_t)(start - text), (size_t)(end - text)))
            break;
        p = end - 1;
    }
    return n;
}
