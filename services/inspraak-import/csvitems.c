/*
 * NAME
 *   csvitems - a survey export (CSV) into field-API batch items
 *
 * DESCRIPTION
 *   See csvitems.h. libcsv is fed one physical line at a time, so that
 *   the line a row starts on is known: a row starts on the first line
 *   with something in it after the previous row ended (libcsv itself
 *   skips empty lines between rows). The file is checked whole (binary,
 *   UTF-8) before libcsv sees it, so every refusal names its line.
 */
#include "csvitems.h"

#include <csv.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rowvals.h"
#include "validate.h"
#include "xalloc.h"

typedef struct {
    const csvitems_opts_t *opts;
    csvitems_t *out;
    csvitems_err_t *err;
    uint8_t (*digest)[ROWVALS_DIGEST]; /* one per out->rows[i] (unused without an item) */
    size_t cap;
    char **field; /* the fields of the row being read */
    size_t *flen;
    size_t nf, fcap;
    size_t ncols; /* of the header */
    bool header_done, between_rows, failed, too_big;
    long line, row_start;
} s_state_t;

static const char *const s_names[CSVITEMS_NCOLS] = {
    "tekst", "wijk", "postcode", "vraag", "doelgroep", "datum", "respondent"};

const char *csvitems_field_name(csvitems_col_t col)
{
    return col < CSVITEMS_NCOLS ? s_names[col] : "?";
}

int csvitems_field(const char *name)
{
    static const struct {
        const char *name;
        csvitems_col_t col;
    } known[] = {
        {"tekst", CSVITEMS_TEXT},          {"text", CSVITEMS_TEXT},
        {"antwoord", CSVITEMS_TEXT},       {"answer", CSVITEMS_TEXT},
        {"wijk", CSVITEMS_WIJK},           {"postcode", CSVITEMS_POSTCODE},
        {"postal code", CSVITEMS_POSTCODE}, {"vraag", CSVITEMS_QUESTION},
        {"question", CSVITEMS_QUESTION},   {"doelgroep", CSVITEMS_TARGET_GROUP},
        {"target group", CSVITEMS_TARGET_GROUP}, {"datum", CSVITEMS_DATE},
        {"date", CSVITEMS_DATE},           {"respondent id", CSVITEMS_RESPONDENT},
        {"respondentid", CSVITEMS_RESPONDENT}, {"respondent", CSVITEMS_RESPONDENT},
    };
    char n[64];
    rowvals_norm(name, n, sizeof n);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(n, known[i].name) == 0)
            return (int)known[i].col;
    return -1;
}

void csvitems_opts_init(csvitems_opts_t *opts)
{
    memset(opts, 0, sizeof *opts);
}

int csvitems_column(csvitems_opts_t *opts, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    char field[64];
    if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof field) {
        snprintf(err, errlen, "--column verwacht VELD=KOP, bijvoorbeeld --column \"tekst=Antwoord op vraag 3\"");
        return -1;
    }
    memcpy(field, arg, (size_t)(eq - arg));
    field[eq - arg] = '\0';
    int col = csvitems_field(field);
    if (col < 0) {
        snprintf(err, errlen,
                 "--column: \"%s\" kennen we niet; kies tekst, wijk, postcode, vraag, doelgroep, "
                 "datum of respondent",
                 field);
        return -1;
    }
    opts->header[col] = eq + 1;
    return 0;
}

static void s_fail(s_state_t *st, long line, const char *msg)
{
    if (st->failed)
        return;
    st->failed = true;
    st->err->line = line;
    snprintf(st->err->message, sizeof st->err->message, "%s", msg);
}

/* ---- the header ---------------------------------------------------- */

static void s_header(s_state_t *st)
{
    int *column = st->out->column;
    char norm[CSVITEMS_NCOLS][128], h[128], msg[300];
    for (int c = 0; c < CSVITEMS_NCOLS; c++) {
        column[c] = -1;
        norm[c][0] = '\0';
        if (st->opts->header[c])
            rowvals_norm(st->opts->header[c], norm[c], sizeof norm[c]);
    }
    for (size_t i = 0; i < st->nf; i++) {
        rowvals_norm(st->field[i], h, sizeof h);
        int col = -1;
        for (int c = 0; c < CSVITEMS_NCOLS && col < 0; c++)
            if (norm[c][0] && strcmp(norm[c], h) == 0)
                col = c;
        if (col < 0 && (col = csvitems_field(h)) >= 0 && norm[col][0])
            col = -1; /* --column named another header for it */
        if (col < 0)
            continue;
        if (column[col] >= 0) {
            snprintf(msg, sizeof msg,
                     "twee kolommen zijn %s: kolom %d en kolom %zu. Kies er een met --column "
                     "\"%s=KOP\".",
                     s_names[col], column[col] + 1, i + 1, s_names[col]);
            s_fail(st, st->row_start, msg);
            return;
        }
        column[col] = (int)i;
    }
    for (int c = 0; c < CSVITEMS_NCOLS; c++)
        if (st->opts->header[c] && column[c] < 0) {
            snprintf(msg, sizeof msg, "de kolom \"%.100s\" (voor %s) staat niet in de kopregel.",
                     st->opts->header[c], s_names[c]);
            s_fail(st, st->row_start, msg);
            return;
        }
    if (column[CSVITEMS_TEXT] < 0) {
        snprintf(msg, sizeof msg,
                 "geen kolom met de tekst gevonden in de kopregel (verwacht: tekst, antwoord of "
                 "text; \"%.60s\" staat er eerst). Noem de kolom met --column \"tekst=KOP\".",
                 st->nf ? st->field[0] : "");
        s_fail(st, st->row_start, msg);
        return;
    }
    st->ncols = st->nf;
    st->header_done = true;
}

/* ---- a data row ------------------------------------------------------ */

static const char *s_value(s_state_t *st, csvitems_col_t col)
{
    int i = st->out->column[col];
    return i >= 0 && (size_t)i < st->nf ? st->field[i] : "";
}

static int s_refuse(csvitems_row_t *row, const char *code, const char *msg)
{
    snprintf(row->code, sizeof row->code, "%s", code);
    snprintf(row->message, sizeof row->message, "%s", msg);
    return -1;
}

/* Checks the row's fields; 0, or -1 with the row refused. */
static int s_check(s_state_t *st, csvitems_row_t *row)
{
    for (size_t i = st->ncols; i < st->nf; i++)
        if (st->flen[i])
            return s_refuse(row, "too_many_fields",
                            "Deze rij heeft meer kolommen dan de kopregel. Staat er een "
                            "scheidingsteken in een veld zonder aanhalingstekens?");
    for (int c = 0; c < CSVITEMS_NCOLS; c++) {
        int i = st->out->column[c];
        if (i < 0 || (size_t)i >= st->nf)
            continue;
        if (c == CSVITEMS_TEXT && st->flen[i] > CSVITEMS_MAX_TEXT)
            return s_refuse(row, "text_too_long", "De tekst is te lang: hoogstens 10.000 tekens.");
        if (c != CSVITEMS_TEXT && st->flen[i] > CSVITEMS_MAX_FIELD)
            return s_refuse(row, "field_too_long",
                            "Een veld naast de tekst is te lang: hoogstens 1.000 tekens.");
    }
    return 0;
}

/* The wijk as given, else the one of the postcode (when geo is there).
 * -1 with the row refused for a postcode that is none. */
static int s_wijk(s_state_t *st, csvitems_row_t *row, const char **wijk)
{
    const char *pc = s_value(st, CSVITEMS_POSTCODE);
    char norm[16];
    *wijk = s_value(st, CSVITEMS_WIJK);
    if (**wijk || !*pc || !st->opts->geo)
        return 0;
    int pc4 = postcode_normalise(pc, norm, sizeof norm);
    if (pc4 < 0)
        return s_refuse(row, "invalid_postcode",
                        "De postcode klopt niet: schrijf bijvoorbeeld 6411 AB of 6411.");
    const char *w = geo_wijk_from_pc4(st->opts->geo, pc4);
    *wijk = w ? w : ""; /* outside Heerlen: no wijk, like a GPS point outside */
    return 0;
}

static void s_set(json_t *item, const char *key, const char *value)
{
    if (value && *value)
        json_object_set_new(item, key, json_string(value));
}

static json_t *s_item(s_state_t *st, csvitems_row_t *row)
{
    const char *wijk, *date = s_value(st, CSVITEMS_DATE), *q = s_value(st, CSVITEMS_QUESTION);
    char at[40] = "", tg[64];
    int32_t ymd;
    if (s_check(st, row) < 0 || s_wijk(st, row, &wijk) < 0)
        return NULL;
    if (*date) {
        if (rowvals_date(date, &ymd, at, sizeof at) < 0)
            return s_refuse(row, "invalid_date",
                            "De datum kennen we niet: schrijf bijvoorbeeld 12-05-2025 of "
                            "2025-05-12."),
                   NULL;
        if (st->opts->today && ymd > st->opts->today)
            return s_refuse(row, "invalid_date", "Deze datum is nog niet geweest."), NULL;
    }
    rowvals_norm(s_value(st, CSVITEMS_TARGET_GROUP), tg, sizeof tg);
    json_t *item = json_object();
    s_set(item, "text", s_value(st, CSVITEMS_TEXT));
    s_set(item, "wijk", wijk);
    s_set(item, "question", rowvals_question(q) ? rowvals_question(q) : q);
    s_set(item, "target_group", tg);
    s_set(item, "collected_at", at);
    return item;
}

static void s_row(s_state_t *st)
{
    bool empty = true;
    for (size_t i = 0; i < st->nf && empty; i++)
        empty = st->flen[i] == 0;
    if (empty)
        return;
    csvitems_t *out = st->out;
    if (out->n >= CSVITEMS_MAX_ROWS) {
        s_fail(st, st->row_start,
               "het bestand heeft meer dan 100.000 rijen. Deel het op in kleinere bestanden.");
        return;
    }
    if (out->n == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 64;
        out->rows = xrealloc(out->rows, st->cap * sizeof *out->rows);
        st->digest = xrealloc(st->digest, st->cap * sizeof *st->digest);
    }
    csvitems_row_t *row = &out->rows[out->n++];
    memset(row, 0, sizeof *row);
    row->line = st->row_start;
    if (!*s_value(st, CSVITEMS_TEXT))
        return; /* no answer given: skipped */
    row->item = s_item(st, row);
    if (!row->item)
        return;
    const char *vals[CSVITEMS_NCOLS];
    for (int c = 0; c < CSVITEMS_NCOLS; c++)
        vals[c] = s_value(st, (csvitems_col_t)c);
    rowvals_digest(vals, CSVITEMS_NCOLS, st->digest[out->n - 1]);
}

/* ---- libcsv callbacks ------------------------------------------------ */

static void s_on_field(void *s, size_t len, void *data)
{
    s_state_t *st = data;
    if (st->failed)
        return;
    if (st->nf >= CSVITEMS_MAX_COLUMNS) {
        s_fail(st, st->row_start, "deze rij heeft meer dan 500 kolommen.");
        return;
    }
    if (st->nf == st->fcap) {
        st->fcap = st->fcap ? 2 * st->fcap : 16;
        st->field = xrealloc(st->field, st->fcap * sizeof *st->field);
        st->flen = xrealloc(st->flen, st->fcap * sizeof *st->flen);
    }
    st->field[st->nf] = xstrndup(s ? s : "", s ? len : 0);
    st->flen[st->nf] = s ? len : 0;
    st->nf++;
}

static void s_on_row(int c, void *data)
{
    s_state_t *st = data;
    (void)c;
    if (!st->failed) {
        if (st->header_done)
            s_row(st);
        else
            s_header(st);
    }
    for (size_t i = 0; i < st->nf; i++)
        free(st->field[i]);
    st->nf = 0;
    st->between_rows = true;
}

/* ---- the file as a whole --------------------------------------------- */

/* Refuses binary data, UTF-16 and what is not UTF-8, naming the line. */
static int s_check_bytes(s_state_t *st, const char *buf, size_t len)
{
    if (len >= 2 && ((uint8_t)buf[0] == 0xff || (uint8_t)buf[0] == 0xfe) &&
        ((uint8_t)buf[1] == 0xfe || (uint8_t)buf[1] == 0xff)) {
        s_fail(st, 1, "het bestand is UTF-16. Sla het op als \"CSV UTF-8\".");
        return -1;
    }
    long line = 1;
    for (size_t start = 0; start < len; line++) {
        const char *nl = memchr(buf + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - buf) : len;
        if (memchr(buf + start, '\0', end - start)) {
            s_fail(st, line, "het bestand bevat binaire gegevens: is het wel een CSV-bestand?");
            return -1;
        }
        if (!utf8_valid(buf + start, end - start)) {
            s_fail(st, line,
                   "de tekst is geen UTF-8. Sla het bestand in Excel op als \"CSV UTF-8 "
                   "(door komma's gescheiden)\".");
            return -1;
        }
        start = end + 1;
    }
    return 0;
}

/* The separator the header line holds most of, outside quotes. */
static char s_separator(const char *buf, size_t len)
{
    size_t semi = 0, comma = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < len && (quoted || (buf[i] != '\n' && buf[i] != '\r')); i++) {
        if (buf[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            semi += buf[i] == ';', comma += buf[i] == ',', tab += buf[i] == '\t';
    }
    if (tab > semi && tab > comma)
        return '\t';
    return semi > comma ? ';' : ',';
}

/* Gives each item its local_id: the row's digest, and for the second and
 * later copies of the same digest, the copy number too. */
static int s_cmp_digest(const void *a, const void *b)
{
    const uint8_t *const *x = a, *const *y = b;
    int c = memcmp(*x, *y, ROWVALS_DIGEST);
    return c ? c : (*x < *y ? -1 : *x > *y);
}

static void s_local_ids(s_state_t *st)
{
    csvitems_t *out = st->out;
    uint8_t **order = xcalloc(out->n ? out->n : 1, sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->rows[i].item)
            order[n++] = st->digest[i];
    qsort(order, n, sizeof *order, s_cmp_digest); /* ties in file order (pointer order) */
    unsigned long copy = 0;
    for (size_t k = 0; k < n; k++) {
        copy = k && memcmp(order[k], order[k - 1], ROWVALS_DIGEST) == 0 ? copy + 1 : 0;
        size_t i = (size_t)((uint8_t(*)[ROWVALS_DIGEST])order[k] - st->digest);
        char id[64];
        rowvals_local_id(order[k], copy, id, sizeof id);
        json_object_set_new(out->rows[i].item, "local_id", json_string(id));
    }
    free(order);
}

/* Only spaces, tabs and line ends: libcsv skips such a line between rows. */
static bool s_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Feeds buf to libcsv a line at a time. 0, or -1 with the error set. */
static int s_feed(s_state_t *st, struct csv_parser *p, const char *buf, size_t len)
{
    for (size_t start = 0; start < len && !st->failed; st->line++) {
        const char *nl = memchr(buf + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        if (st->between_rows && !s_blank(buf + start, end - start)) {
            st->row_start = st->line;
            st->between_rows = false;
        }
        if (csv_parse(p, buf + start, end - start, s_on_field, s_on_row, st) != end - start) {
            s_fail(st, st->line,
                   csv_error(p) == CSV_EPARSE
                       ? "een aanhalingsteken (\") staat op een onverwachte plek. Een veld met "
                         "\" erin moet tussen aanhalingstekens staan, met \"\" voor elke \"."
                       : "het bestand is te groot om te lezen.");
            return -1;
        }
        start = end;
    }
    if (!st->failed && csv_fini(p, s_on_field, s_on_row, st) != 0)
        s_fail(st, st->row_start,
               "een aanhalingsteken (\") wordt niet gesloten: het veld loopt door tot het eind "
               "van het bestand.");
    return st->failed ? -1 : 0;
}

csvitems_t *csvitems_parse(const char *buf, size_t len, const csvitems_opts_t *opts,
                           csvitems_err_t *err)
{
    static const csvitems_opts_t none;
    s_state_t st = {.opts = opts ? opts : &none, .err = err, .between_rows = true, .line = 1};
    memset(err, 0, sizeof *err);
    if (sodium_init() < 0) {
        s_fail(&st, 0, "libsodium start niet.");
        return NULL;
    }
    if (len > CSVITEMS_MAX_BYTES) {
        s_fail(&st, 0, "het bestand is groter dan 64 MB. Deel het op in kleinere bestanden.");
        return NULL;
    }
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        buf += 3, len -= 3;
    if (s_check_bytes(&st, buf, len) < 0)
        return NULL;
    if (len == 0) {
        s_fail(&st, 1, "het bestand is leeg.");
        return NULL;
    }
    st.out = xcalloc(1, sizeof *st.out);
    st.out->separator = s_separator(buf, len);
    const char *nl = memchr(buf, '\n', len);
    size_t first = nl ? (size_t)(nl - buf) : len;
    if (first >= 5 && strncmp(buf, "sep=", 4) == 0 && (first == 5 || buf[5] == '\r')) {
        st.out->separator = buf[4]; /* Excel's "sep=;" line */
        buf += first + (first < len), len -= first + (first < len);
        st.line = 2;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_delim(&p, (unsigned char)st.out->separator);
    int rc = s_feed(&st, &p, buf, len);
    csv_free(&p);
    for (size_t i = 0; i < st.nf; i++)
        free(st.field[i]);
    free(st.field);
    free(st.flen);
    if (rc == 0 && !st.header_done)
        s_fail(&st, st.line, "het bestand heeft geen kopregel met kolomnamen."), rc = -1;
    if (rc == 0)
        s_local_ids(&st);
    free(st.digest);
    if (rc < 0)
        csvitems_destroy(&st.out);
    return st.out;
}

void csvitems_destroy(csvitems_t **p)
{
    if (!p || !*p)
        return;
    for (size_t i = 0; i < (*p)->n; i++)
        json_decref((*p)->rows[i].item);
    free((*p)->rows);
    free(*p);
    *p = NULL;
}

json_t *csvitems_batch(const csvitems_t *self, size_t from, size_t to)
{
    json_t *items = json_array();
    for (size_t i = from; i < to && i < self->n; i++)
        if (self->rows[i].item)
            json_array_append(items, self->rows[i].item);
    return items;
}
