/*
 * NAME
 *   test_import_csv - inspraak-import's CSV-to-items part (csvitems, rowvals)
 *
 * DESCRIPTION
 *   Includes the program's pure files and checks what staff loading a
 *   survey export would see: a Dutch Excel file (BOM, semicolons, a
 *   quoted answer over lines) read right with the line of each row, the
 *   separator found from the header, Dutch and English header names and
 *   --column, every bad file refused with its line and a Dutch reason,
 *   rows refused or skipped with a reason, local_ids that stay the same
 *   when the file is read again or its rows move and differ for two
 *   residents who wrote the same words, and the day said turned into
 *   noon in Heerlen, summer time or not. Geo data from INSPRAAK_DATA or
 *   ./data (postcode -> wijk).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/inspraak-import/csvitems.c"
#include "../../services/inspraak-import/rowvals.c"
#include "test_geo_util.h"

static csvitems_t *s_parse(const char *text, csvitems_opts_t *opts, csvitems_err_t *e)
{
    csvitems_opts_t o;
    if (!opts) {
        csvitems_opts_init(&o);
        o.geo = s_geo;
        opts = &o;
    }
    return csvitems_parse(text, strlen(text), opts, e);
}

static const char *s_get(const csvitems_t *rows, size_t i, const char *key)
{
    return json_string_value(json_object_get(rows->rows[i].item, key));
}

/* The file is refused, naming line, with a message holding words. */
static void s_refused(const char *text, long line, const char *words)
{
    csvitems_err_t e;
    csvitems_t *rows = s_parse(text, NULL, &e);
    if (rows)
        fail_msg("taken: %s", text);
    assert_int_equal(e.line, line);
    if (!strstr(e.message, words))
        fail_msg("message \"%s\" lacks \"%s\"", e.message, words);
}

static void test_excel_export(void **state)
{
    (void)state;
    const char *csv = "\xef\xbb\xbfRespondent ID;Wijk;Vraag;Doelgroep;Datum;Antwoord\r\n"
                      "r1;Heerlen-Centrum;Heerlen nu;Inwoner;12-05-2025;Meer bomen\r\n"
                      "r2;;Heerlen in 2050;;2025-01-03;\"Een park;\r\nmet \"\"bankjes\"\"\"\r\n"
                      "\r\n"
                      ";;;;;\r\n"
                      "r3;Welten;nu;;;\r\n"
                      "r4;Welten;nu;;;Fietspad\r\n";
    csvitems_err_t e;
    csvitems_t *rows = s_parse(csv, NULL, &e);
    assert_non_null(rows);
    assert_int_equal(rows->separator, ';');
    assert_int_equal(rows->n, 4);
    assert_int_equal(rows->rows[0].line, 2);
    assert_int_equal(rows->rows[1].line, 3);
    assert_int_equal(rows->rows[2].line, 7); /* blank line 5 and empty row 6 left out */
    assert_int_equal(rows->rows[3].line, 8);
    assert_string_equal(s_get(rows, 0, "text"), "Meer bomen");
    assert_string_equal(s_get(rows, 0, "wijk"), "Heerlen-Centrum"); /* the API looks it up */
    assert_string_equal(s_get(rows, 0, "question"), "nu");
    assert_string_equal(s_get(rows, 0, "target_group"), "inwoner");
    assert_string_equal(s_get(rows, 0, "collected_at"), "2025-05-12T12:00:00+02:00");
    assert_string_equal(s_get(rows, 1, "text"), "Een park;\r\nmet \"bankjes\"");
    assert_string_equal(s_get(rows, 1, "question"), "toekomst");
    assert_string_equal(s_get(rows, 1, "collected_at"), "2025-01-03T12:00:00+01:00");
    assert_null(s_get(rows, 1, "wijk"));
    assert_null(rows->rows[2].item); /* no answer: skipped */
    assert_string_equal(rows->rows[2].code, "");
    assert_null(json_object_get(rows->rows[3].item, "respondent"));
    csvitems_destroy(&rows);
    assert_null(rows);
}

static void test_separator_and_headers(void **state)
{
    (void)state;
    csvitems_err_t e;
    csvitems_t *rows = s_parse("text,target_group,question\n\"a; b, c\",professional,future\n",
                               NULL, &e);
    assert_non_null(rows);
    assert_int_equal(rows->separator, ',');
    assert_string_equal(s_get(rows, 0, "text"), "a; b, c");
    assert_string_equal(s_get(rows, 0, "question"), "toekomst");
    csvitems_destroy(&rows);

    rows = s_parse("Datum\tTEKST\n12/5/2025\thallo daar\n", NULL, &e);
    assert_non_null(rows);
    assert_int_equal(rows->separator, '\t');
    assert_string_equal(s_get(rows, 0, "collected_at"), "2025-05-12T12:00:00+02:00");
    csvitems_destroy(&rows);

    rows = s_parse("sep=;\ntekst;wijk\na,b;Welten\n", NULL, &e);
    assert_non_null(rows);
    assert_int_equal(rows->rows[0].line, 3);
    assert_string_equal(s_get(rows, 0, "text"), "a,b");
    csvitems_destroy(&rows);

    csvitems_opts_t o;
    csvitems_opts_init(&o);
    char err[300];
    assert_int_equal(csvitems_column(&o, "tekst=Antwoord op vraag 3", err, sizeof err), 0);
    assert_int_equal(csvitems_column(&o, "kleur=x", err, sizeof err), -1);
    assert_non_null(strstr(err, "kleur"));
    assert_int_equal(csvitems_column(&o, "tekst", err, sizeof err), -1);
    rows = s_parse("Antwoord;Antwoord op vraag 3\neerste;tweede antwoord\n", &o, &e);
    assert_non_null(rows);
    assert_string_equal(s_get(rows, 0, "text"), "tweede antwoord");
    csvitems_destroy(&rows);
    rows = s_parse("Antwoord;wijk\neerste;Welten\n", &o, &e);
    assert_null(rows);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.message, "Antwoord op vraag 3"));
}

static void test_bad_files(void **state)
{
    (void)state;
    static const char elf[] = "tekst\nhallo\n\x7f" "ELF\x02\x01\x01\x00\x00\n";
    csvitems_err_t e;
    assert_null(csvitems_parse(elf, sizeof elf - 1, NULL, &e));
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.message, "binaire gegevens"));
    s_refused("tekst\nCaf\xe9 op het plein\n", 2, "geen UTF-8");
    assert_null(csvitems_parse("\xff\xfet\0e\0", 6, NULL, &e));
    assert_non_null(strstr(e.message, "UTF-16"));
    s_refused("naam;wijk\nPiet;Welten\n", 1, "geen kolom met de tekst");
    s_refused("tekst;antwoord\na;b\n", 1, "twee kolommen zijn tekst");
    s_refused("tekst\nhallo\nze zei \"ja\" toen\n", 3, "onverwachte plek");
    s_refused("tekst\nhallo\n\"open\nen nog open\n", 3, "wordt niet gesloten");
    s_refused("", 1, "leeg");
    s_refused("\n\n", 3, "geen kopregel");
    s_refused("{\"ideas\": [1, 2]}\n", 1, "onverwachte plek"); /* JSON, not CSV */
}

static void test_limits(void **state)
{
    (void)state;
    size_t n = CSVITEMS_MAX_ROWS + 1, len = 6 + 4 * n;
    char *big = malloc(len + 1), *p = big;
    p += sprintf(p, "tekst\n");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "abc\n");
    csvitems_err_t e;
    assert_null(csvitems_parse(big, (size_t)(p - big), NULL, &e));
    assert_int_equal(e.line, (long)n + 1);
    assert_non_null(strstr(e.message, "100.000"));
    free(big);

    size_t tl = CSVITEMS_MAX_TEXT + 1;
    char *row = malloc(tl + 64);
    memcpy(row, "tekst;wijk\n", 11);
    memset(row + 11, 'a', tl);
    strcpy(row + 11 + tl, ";Welten\nkort;Welten;extra\n");
    csvitems_t *rows = s_parse(row, NULL, &e);
    assert_non_null(rows);
    assert_null(rows->rows[0].item);
    assert_string_equal(rows->rows[0].code, "text_too_long");
    assert_string_equal(rows->rows[1].code, "too_many_fields");
    assert_int_equal(rows->rows[1].line, 3);
    csvitems_destroy(&rows);
    free(row);
}

static void test_rows_refused(void **state)
{
    (void)state;
    csvitems_opts_t o;
    csvitems_opts_init(&o);
    o.geo = s_geo;
    o.today = 20250512;
    csvitems_err_t e;
    csvitems_t *rows = s_parse("tekst;datum;postcode;wijk\n"
                               "a1;31-02-2025;;\n"
                               "a2;13-05-2025;;\n"
                               "a3;12-05-2025;6411 AB;\n"
                               "a4;;6411;Welten\n"
                               "a5;;1012 AB;\n"
                               "a6;;64;\n",
                               &o, &e);
    assert_non_null(rows);
    assert_string_equal(rows->rows[0].code, "invalid_date");
    assert_non_null(strstr(rows->rows[0].message, "12-05-2025"));
    assert_string_equal(rows->rows[1].code, "invalid_date");
    assert_non_null(strstr(rows->rows[1].message, "nog niet"));
    assert_string_equal(s_get(rows, 2, "wijk"), "WK091733");
    assert_string_equal(s_get(rows, 3, "wijk"), "Welten"); /* the wijk given wins */
    assert_null(s_get(rows, 4, "wijk"));                   /* Amsterdam: no wijk */
    assert_non_null(rows->rows[4].item);
    assert_string_equal(rows->rows[5].code, "invalid_postcode");
    csvitems_destroy(&rows);
}

static void test_local_ids(void **state)
{
    (void)state;
    csvitems_err_t e;
    csvitems_t *a = s_parse("tekst;respondent\nMeer groen;1\nMeer groen;2\nMeer groen;\n"
                            "Meer groen;\nFietspad;\n",
                            NULL, &e);
    csvitems_t *b = s_parse("tekst;respondent\nFietspad;\nMeer groen;2\nMeer groen;\n"
                            "Meer groen;1\nMeer groen;\n",
                            NULL, &e);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = i + 1; j < a->n; j++)
            assert_string_not_equal(s_get(a, i, "local_id"), s_get(a, j, "local_id"));
    const char *id = s_get(a, 0, "local_id"); /* what the API takes: batch_local_id_valid */
    assert_int_equal(strlen(id), 36);
    assert_int_equal(strspn(id + 4, "0123456789abcdef"), 32);
    assert_int_equal(strncmp(s_get(a, 0, "local_id"), "csv-", 4), 0);
    /* moved rows keep their ids */
    assert_string_equal(s_get(a, 0, "local_id"), s_get(b, 3, "local_id"));
    assert_string_equal(s_get(a, 1, "local_id"), s_get(b, 1, "local_id"));
    assert_string_equal(s_get(a, 2, "local_id"), s_get(b, 2, "local_id"));
    assert_string_equal(s_get(a, 3, "local_id"), s_get(b, 4, "local_id"));
    assert_string_equal(s_get(a, 4, "local_id"), s_get(b, 0, "local_id"));
    csvitems_destroy(&a);
    csvitems_destroy(&b);
}

static void test_dates(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } ok[] = {
        {"2025-03-29", "2025-03-29T12:00:00+01:00"}, {"2025-03-30", "2025-03-30T12:00:00+02:00"},
        {"25-10-2025", "2025-10-25T12:00:00+02:00"}, {"26-10-2025", "2025-10-26T12:00:00+01:00"},
        {"29.2.2024 14:03", "2024-02-29T12:00:00+01:00"},
        {"2025-07-01T09:00:00Z", "2025-07-01T12:00:00+02:00"},
    };
    static const char *const bad[] = {"29-02-2025", "2025-13-01", "1969-12-31", "12-05-25",
                                      "12 mei 2025", "2025-05-12x", "", "2025/05-12"};
    char out[40];
    int32_t ymd;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(rowvals_date(ok[i].in, &ymd, out, sizeof out), 0);
        assert_string_equal(out, ok[i].out);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (rowvals_date(bad[i], &ymd, out, sizeof out) == 0)
            fail_msg("\"%s\" taken as a date", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excel_export), cmocka_unit_test(test_separator_and_headers),
        cmocka_unit_test(test_bad_files),    cmocka_unit_test(test_limits),
        cmocka_unit_test(test_rows_refused), cmocka_unit_test(test_local_ids),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
