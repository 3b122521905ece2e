/*
 * NAME
 *   rowvals - one survey answer's values as the field API takes them
 *
 * DESCRIPTION
 *   Pure helpers of csvitems.c: header names to fields, the question's
 *   wording to nu/toekomst, a written date to collected_at (noon in
 *   Heerlen), and the digest a row's local_id is made of.
 *
 * OWNERSHIP
 *   Nothing returned needs freeing; outputs go into the caller's buffers.
 */
#ifndef INSPRAAK_IMPORT_ROWVALS_H
#define INSPRAAK_IMPORT_ROWVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROWVALS_DIGEST 16 /* bytes of BLAKE2b in a local_id */

/* name lower-cased (ASCII), '_', '-' and '.' as spaces, runs of spaces as
 * one, no spaces at the ends, into out (cut at size). */
void rowvals_norm(const char *name, char *out, size_t size);

/* "nu" or "toekomst" for the ways a survey writes the two questions
 * ("Heerlen nu", "Heerlen in 2050", ...), else NULL. */
const char *rowvals_question(const char *value);

/* A written date ("2025-05-12", "12-05-2025", "12/05/2025", "12.5.2025",
 * anything after a space or 'T' ignored) into *ymd (YYYYMMDD) and
 * collected_at "2025-05-12T12:00:00+02:00" (noon in Heerlen). 0, or -1
 * when it is no date from 1970 to 2999. */
int rowvals_date(const char *value, int32_t *ymd, char *out, size_t size);

/* BLAKE2b-128 of the n values (NULL as ""), each length-prefixed so that
 * no two rows can give the same input. */
void rowvals_digest(const char *const *values, size_t n, uint8_t out[ROWVALS_DIGEST]);
/* The local_id of the copy-th copy (0: the first) of a row with that
 * digest: "csv-" + 32 hex digits. out holds at least 37 bytes. */
void rowvals_local_id(const uint8_t digest[ROWVALS_DIGEST], unsigned long copy, char *out,
                      size_t size);

#endif
