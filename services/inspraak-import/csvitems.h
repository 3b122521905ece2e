/*
 * NAME
 *   csvitems - a survey export (CSV) into field-API batch items
 *
 * SUMMARY
 *   csvitems_opts_t opts;
 *   csvitems_opts_init(&opts);
 *   csvitems_column(&opts, "tekst=Antwoord op vraag 3", err, sizeof err);
 *   csvitems_err_t e;
 *   csvitems_t *rows = csvitems_parse(buf, len, &opts, &e);
 *   if (!rows) print "regel e.line: e.message" and stop;
 *   for each rows->rows[i]: .item (send it) or .code/.message (refused here)
 *   csvitems_destroy(&rows);
 *
 * DESCRIPTION
 *   Pure (no I/O, no clock): the whole file is in buf. UTF-8 with or
 *   without BOM; the separator (';', ',' or TAB) is the one the header
 *   line holds most of outside quotes, or the one an Excel "sep=X" first
 *   line names; quoted fields may hold separators, quotes ("") and line
 *   breaks (libcsv, strict). Columns are found by header name, case,
 *   '_' and '-' ignored: tekst/text/antwoord, wijk, postcode,
 *   vraag/question, doelgroep/target group, datum/date, respondent
 *   id/respondent; csvitems_column() names another header for one of them.
 *
 *   Each data row becomes one item {"local_id", "text", and when given
 *   "wijk", "question", "target_group", "collected_at"}. A postcode gives
 *   the wijk (geo_wijk_from_pc4) when the row names none and opts.geo is
 *   set. "question" takes nu/toekomst and the survey's wording ("Heerlen
 *   nu", "Heerlen in 2050"); other values go as written, for the API to
 *   refuse. The date (2025-05-12, 12-05-2025, 12/05/2025, a time after it
 *   is ignored) is the day it was said: collected_at is noon of that day
 *   in Heerlen (CET/CEST). The respondent id is not sent.
 *
 *   local_id is "csv-" + 32 hex digits of BLAKE2b over the row's fields
 *   (text, wijk, postcode, question, target group, date, respondent id)
 *   and, for the second and later copies of an identical row, its copy
 *   number: the same file read again gives the same ids (the API then
 *   accepts nothing twice), rows moved, added or removed leave the other
 *   ids as they were, and two residents who wrote the same words keep
 *   two ideas.
 *
 *   A row without text is skipped (a panel member who left the open
 *   question empty); so is an empty line. A row refused here (bad date,
 *   bad postcode, too many fields, a field too long) carries a code and a
 *   Dutch message and no item.
 *
 * DIAGNOSTICS
 *   csvitems_parse() returns NULL for a file that cannot be read as a
 *   survey export, with the line and a Dutch message for staff: binary
 *   data (a NUL byte), not UTF-8 (Excel's plain "CSV" is Windows-1252),
 *   UTF-16, a quote out of place or never closed, no text column, two
 *   columns for one field, more than CSVITEMS_MAX_ROWS rows or
 *   CSVITEMS_MAX_COLUMNS columns, more than CSVITEMS_MAX_BYTES.
 *
 * OWNERSHIP
 *   csvitems_parse() returns a csvitems_t the caller frees with
 *   csvitems_destroy() (which also drops the items). opts (NULL: no
 *   --column, no geo, no date check) only points to the caller's strings
 *   and geo.
 */
#ifndef INSPRAAK_IMPORT_CSVITEMS_H
#define INSPRAAK_IMPORT_CSVITEMS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "geo.h"

#define CSVITEMS_MAX_BYTES (64 * 1024 * 1024) /* the file */
#define CSVITEMS_MAX_ROWS 100000              /* data rows */
#define CSVITEMS_MAX_COLUMNS 500
#define CSVITEMS_MAX_TEXT (64 * 1024) /* bytes; the API's own limit is 10,000 characters */
#define CSVITEMS_MAX_FIELD 1000       /* bytes, any other column used */

typedef enum {
    CSVITEMS_TEXT,
    CSVITEMS_WIJK,
    CSVITEMS_POSTCODE,
    CSVITEMS_QUESTION,
    CSVITEMS_TARGET_GROUP,
    CSVITEMS_DATE,
    CSVITEMS_RESPONDENT,
    CSVITEMS_NCOLS
} csvitems_col_t;

typedef struct {
    const char *header[CSVITEMS_NCOLS]; /* a header named by csvitems_column(), or NULL */
    const geo_t *geo;                   /* postcode -> wijk; NULL: postcodes unused */
    int64_t today;                      /* YYYYMMDD in Heerlen; a later date is refused; 0: no check */
} csvitems_opts_t;

typedef struct {
    long line;         /* the line the row starts on; the header is line 1 */
    json_t *item;      /* the batch item, or NULL: skipped or refused here */
    char code[32];     /* refused here: a slug; skipped: "" */
    char message[200]; /* Dutch, when refused */
} csvitems_row_t;

typedef struct {
    csvitems_row_t *rows; /* every data row with something in it, in file order */
    size_t n;
    char separator;
    int column[CSVITEMS_NCOLS]; /* 0-based column of each field, -1 when absent */
} csvitems_t;

typedef struct {
    long line;         /* 0 when not about one line */
    char message[300]; /* Dutch, for staff */
} csvitems_err_t;

void csvitems_opts_init(csvitems_opts_t *opts);
/* "FIELD=Header as written" (FIELD: a name csvitems_field() knows). 0, or
 * -1 with a Dutch message in err. Points into arg: keep it alive. */
int csvitems_column(csvitems_opts_t *opts, const char *arg, char *err, size_t errlen);
/* The field a header name stands for (tekst, text, antwoord, ...), or -1. */
int csvitems_field(const char *name);
/* The canonical Dutch name of a field ("tekst", "wijk", ...). */
const char *csvitems_field_name(csvitems_col_t col);

csvitems_t *csvitems_parse(const char *buf, size_t len, const csvitems_opts_t *opts,
                           csvitems_err_t *err);
void csvitems_destroy(csvitems_t **p);

/* The items of rows[from..to) that have one, as a new JSON array
 * (caller decrefs). */
json_t *csvitems_batch(const csvitems_t *self, size_t from, size_t to);

#endif
