/*
 * NAME
 *   fuzz_import - libFuzzer harness for inspraak-import's CSV-to-items part
 *
 * DESCRIPTION
 *   The first byte chooses the options (bit 0: --column "tekst=a", bit 1:
 *   a today for the date check, bit 2: no geo data, so postcodes give no
 *   wijk); the rest is the file, given to csvitems_parse() as
 *   inspraak-import gives it a file it read. Promises checked (abort()
 *   when broken):
 *     - a refused file has a Dutch message and no negative line;
 *     - every row has a line (1 or more), in file order (a CR-only line
 *       end can put two rows on one line);
 *     - a row with an item has a unique local_id the field API takes
 *       (batch_local_id_valid) and a non-empty UTF-8 text; a row refused
 *       here has a code and a message;
 *     - the same bytes read again give the same local_ids.
 *
 *   FUZZ_SOURCES: services/inspraak-import/csvitems.c services/inspraak-import/rowvals.c
 *   FUZZ_SOURCES: services/intake-field/batch.c
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "csvitems.h"
#include "geo.h"
#include "validate.h"

#define FUZZ_NAME "fuzz_import"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void s_check_rows(const csvitems_t *rows)
{
    const char **ids = calloc(rows->n ? rows->n : 1, sizeof *ids);
    size_t n = 0;
    long last = 1;
    for (size_t i = 0; i < rows->n; i++) {
        const csvitems_row_t *row = &rows->rows[i];
        if (row->line < last)
            s_fail("rows out of line order");
        last = row->line;
        if (!row->item) {
            if (row->code[0] && !row->message[0])
                s_fail("row refused without a message");
            continue;
        }
        const char *id = json_string_value(json_object_get(row->item, "local_id"));
        const char *text = json_string_value(json_object_get(row->item, "text"));
        if (!id || !batch_local_id_valid(id))
            s_fail("item without a valid local_id");
        if (!text || !*text || !utf8_valid(text, strlen(text)))
            s_fail("item without UTF-8 text");
        ids[n++] = id;
    }
    qsort(ids, n, sizeof *ids, s_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            s_fail("two rows with one local_id");
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    csvitems_opts_t opts;
    csvitems_opts_init(&opts);
    char err[300];
    if (data[0] & 1)
        csvitems_column(&opts, "tekst=a", err, sizeof err);
    if (data[0] & 2)
        opts.today = 20250512;
    opts.geo = data[0] & 4 ? NULL : s_geo;
    const char *buf = (const char *)data + 1;
    csvitems_err_t e;
    csvitems_t *rows = csvitems_parse(buf, size - 1, &opts, &e);
    if (!rows) {
        if (!e.message[0] || e.line < 0)
            s_fail("file refused without a message");
        return 0;
    }
    s_check_rows(rows);
    csvitems_t *again = csvitems_parse(buf, size - 1, &opts, &e);
    if (!again || again->n != rows->n)
        s_fail("the same bytes read differently");
    for (size_t i = 0; i < rows->n; i++)
        if ((rows->rows[i].item || again->rows[i].item) &&
            !json_equal(rows->rows[i].item, again->rows[i].item)) /* json_equal(NULL, NULL) is 0 */
            s_fail("the same row gave another item");
    csvitems_destroy(&again);
    csvitems_destroy(&rows);
    return 0;
}
