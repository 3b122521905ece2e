/*
 * NAME
 *   classify_pii_addr_int.h - what the parts of the address finder share:
 *   the numbers of an address (classify_pii_addr_nr.c) and the street
 *   before a house number (classify_pii_addr_street.c), for
 *   classify_pii_addr.c, which puts an address together
 *
 * DESCRIPTION
 *   Private to common/classify_pii_addr*.c. All functions take the whole
 *   text (text) and a place in it; none allocates or keeps state. Owner:
 *   the classifier (docs/classifier.md, "PII flags").
 */
#ifndef INSPRAAK_CLASSIFY_PII_ADDR_INT_H
#define INSPRAAK_CLASSIFY_PII_ADDR_INT_H

#include <stddef.h>

/* --- classify_pii_addr_nr.c --- */

/* A Dutch postcode at p: its end, else NULL. */
const char *classify_pii_addr_postcode_end(const char *text, const char *p);
/* A house number at p ("12", "12a", "12-14"): its end, else NULL. */
const char *classify_pii_addr_housenr_end(const char *p);
/* Whether the number [p, e) is a count or a year, not a house number. */
int classify_pii_addr_count_or_year(const char *p, const char *e);
/* Whether the n bytes at p are one of the len words of list. */
int classify_pii_addr_word_in(const char *p, size_t n, const char *const *list, size_t len);
/* Units, counted things and months that make a number a count or a date
 * ("2 keer", "40 km", "3 mei"). */
#define CLASSIFY_PII_ADDR_COUNT_WORDS 56
extern const char *const classify_pii_addr_count_words[CLASSIFY_PII_ADDR_COUNT_WORDS];

/* --- classify_pii_addr_street.c --- */

/* Start of the street before the house number at nr, else NULL. */
const char *classify_pii_addr_street_start(const char *text, const char *nr);
/* A street and house number without a postcode at the number p: the
 * end, with the street's start in *start; else NULL. */
const char *classify_pii_addr_street_nr_end(const char *text, const char *p, const char **start);

#endif
