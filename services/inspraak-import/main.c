/*
 * NAME
 *   inspraak-import - load a survey export (CSV) as ideas through the field API
 *
 * SYNOPSIS
 *   INSPRAAK_IMPORT_TOKEN=isd_... bin/inspraak-import --device panel FILE.csv
 *   bin/inspraak-import --device panel --token-file TOKENFILE [--activity A]
 *       [--column "tekst=Antwoord op vraag 3"]... [--url URL] [--batch-size N]
 *       [--check] FILE.csv
 *
 * DESCRIPTION
 *   Reads FILE (csvitems.h: UTF-8, ';' ',' or TAB, columns by header
 *   name), turns each answer into a field-API item and POSTs them in
 *   batches to /api/v1/field/batches (INTERFACES.md "Field app") as the
 *   device --device, whose token (inspraakctl device add) comes from
 *   INSPRAAK_IMPORT_TOKEN or --token-file, never from the command line
 *   (which other users of the machine can read in ps).
 *   Writes one line per row on stdout, in file order, as each batch is
 *   answered ("regel 4: aangenomen <id>", "regel 5: geweigerd <code>:
 *   <Dutch message>", "regel 6: overgeslagen, geen tekst"), then a
 *   summary line; errors about the whole run on stderr.
 *
 *   Guarantee: each row's local_id comes from its content (csvitems.h),
 *   and the API keeps one idea per (device, local_id), so running the same
 *   file again, after an interruption or not, stores nothing twice; rows
 *   an earlier run did not get through are stored then.
 *
 * EXIT STATUS
 *   0 every row with text was accepted; 1 some rows were refused (by the
 *   API or here: see their lines); 2 wrong arguments or no token; 3 the
 *   file cannot be used (nothing was sent); 4 the API refused a whole
 *   batch or did not answer (rows before it are stored; run again).
 *
 * CONFIGURATION
 *   INSPRAAK_IMPORT_TOKEN, INSPRAAK_IMPORT_DEVICE (instead of --device),
 *   INSPRAAK_PORT_BASE (default URL http://127.0.0.1:BASE+3),
 *   INSPRAAK_DATA (geo/: postcode -> wijk; default ./data).
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "csvitems.h"
#include "file.h"
#include "send.h"
#include "xalloc.h"

#define IMPORT_MAX_BATCH 10000             /* the API's BATCH_MAX_ITEMS */
#define IMPORT_MAX_BATCH_BYTES (4u << 20)  /* well under INSPRAAK_FIELD_MAX_BODY */
#define IMPORT_FIELD_PORT_OFFSET 3         /* intake-field */

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_FILE = 3, EXIT_SERVER = 4 };

typedef struct {
    const char *file, *device, *activity, *url, *token_file;
    long batch_size;
    bool check;
    csvitems_opts_t csv;
    char *token;
    size_t accepted, refused, skipped;
} s_run_t;

static const char s_usage[] =
    "gebruik: INSPRAAK_IMPORT_TOKEN=... inspraak-import --device NAAM [opties] BESTAND.csv\n"
    "  --device NAAM        het apparaat van het token (inspraakctl device add NAAM)\n"
    "  --token-file PAD     lees het token uit dit bestand (anders INSPRAAK_IMPORT_TOKEN)\n"
    "  --activity NAAM      de activiteit [enquete]\n"
    "  --column VELD=KOP    de kolom KOP is VELD (tekst, wijk, postcode, vraag, doelgroep,\n"
    "                       datum, respondent); mag vaker\n"
    "  --url URL            de veldapp-API [http://127.0.0.1:8083/api/v1/field/batches]\n"
    "  --batch-size N       rijen per verzending, 1-10000 [500]\n"
    "  --check              lees het bestand en toon de rijen; verstuur niets\n"
    "exit: 0 alles aangenomen, 1 rijen geweigerd, 2 verkeerde opties, 3 bestand onbruikbaar,\n"
    "      4 server weigert of antwoordt niet (opnieuw starten is veilig)\n";

static int s_usage_error(const char *msg)
{
    fprintf(stderr, "inspraak-import: %s\n%s", msg, s_usage);
    return EXIT_USAGE;
}

/* The token from the environment or the file, without white space around it. */
static int s_token(s_run_t *r)
{
    const char *env = getenv("INSPRAAK_IMPORT_TOKEN");
    if (r->token_file) {
        r->token = file_read(r->token_file, 4096, NULL);
        if (!r->token) {
            fprintf(stderr, "inspraak-import: het tokenbestand %s is niet te lezen: %s\n",
                    r->token_file, strerror(errno));
            return -1;
        }
    } else if (env && *env) {
        r->token = xstrdup(env);
    } else {
        s_usage_error("geen token: zet INSPRAAK_IMPORT_TOKEN of gebruik --token-file");
        return -1;
    }
    char *t = r->token + strspn(r->token, " \t\r\n");
    memmove(r->token, t, strlen(t) + 1);
    r->token[strcspn(r->token, " \t\r\n")] = '\0';
    if (!*r->token) {
        fprintf(stderr, "inspraak-import: het token is leeg\n");
        return -1;
    }
    return 0;
}

static int s_args(int argc, char **argv, s_run_t *r)
{
    static const struct option opts[] = {
        {"device", required_argument, NULL, 'd'},  {"token-file", required_argument, NULL, 't'},
        {"activity", required_argument, NULL, 'a'}, {"column", required_argument, NULL, 'c'},
        {"url", required_argument, NULL, 'u'},     {"batch-size", required_argument, NULL, 'b'},
        {"check", no_argument, NULL, 'k'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char err[300], *end;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': r->device = optarg; break;
        case 't': r->token_file = optarg; break;
        case 'a': r->activity = optarg; break;
        case 'u': r->url = optarg; break;
        case 'k': r->check = true; break;
        case 'c':
            if (csvitems_column(&r->csv, optarg, err, sizeof err) < 0)
                return s_usage_error(err);
            break;
        case 'b':
            r->batch_size = strtol(optarg, &end, 10);
            if (*end || r->batch_size < 1 || r->batch_size > IMPORT_MAX_BATCH)
                return s_usage_error("--batch-size moet een getal van 1 tot 10000 zijn");
            break;
        case 'h': fputs(s_usage, stdout); exit(0);
        default: return s_usage_error("onbekende optie");
        }
    }
    if (optind != argc - 1)
        return s_usage_error("noem precies een CSV-bestand");
    r->file = argv[optind];
    if (!r->device)
        r->device = getenv("INSPRAAK_IMPORT_DEVICE");
    if (!r->check && (!r->device || !*r->device))
        return s_usage_error("noem het apparaat met --device (of INSPRAAK_IMPORT_DEVICE)");
    return 0;
}

/* Today in Heerlen as YYYYMMDD. */
static int64_t s_today(void)
{
    setenv("TZ", "Europe/Amsterdam", 1);
    tzset();
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Prints the line of a row not sent (skipped or refused here), and counts it. */
static void s_report_local(s_run_t *r, const csvitems_row_t *row)
{
    if (!row->code[0]) {
        printf("regel %ld: overgeslagen, geen tekst\n", row->line);
        r->skipped++;
    } else {
        printf("regel %ld: geweigerd %s: %s\n", row->line, row->code, row->message);
        r->refused++;
    }
}

/* One row's line from the API's answer. */
static void s_report_sent(s_run_t *r, const csvitems_row_t *row, const json_t *answer)
{
    const char *lid = json_string_value(json_object_get(row->item, "local_id"));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(answer, "accepted"), i, a)
    {
        if (json_equal(json_object_get(a, "local_id"), json_object_get(row->item, "local_id"))) {
            printf("regel %ld: aangenomen %s\n", row->line,
                   json_string_value(json_object_get(a, "id")) ?: "?");
            r->accepted++;
            return;
        }
    }
    json_array_foreach(json_object_get(answer, "rejected"), i, a)
    {
        if (json_equal(json_object_get(a, "local_id"), json_object_get(row->item, "local_id"))) {
            printf("regel %ld: geweigerd %s: %s\n", row->line,
                   json_string_value(json_object_get(a, "code")) ?: "?",
                   json_string_value(json_object_get(a, "message")) ?: "");
            r->refused++;
            return;
        }
    }
    printf("regel %ld: geweigerd no_answer: De server noemde rij %s niet in zijn antwoord.\n",
           row->line, lid ? lid : "?");
    r->refused++;
}

/* Rows [from, *to) as one batch, *to chosen by count and size. */
static json_t *s_next_batch(const s_run_t *r, const csvitems_t *rows, size_t from, size_t *to)
{
    json_t *items = json_array();
    size_t bytes = 0, i = from;
    for (; i < rows->n && json_array_size(items) < (size_t)r->batch_size; i++) {
        json_t *item = rows->rows[i].item;
        if (!item)
            continue;
        size_t sz = strlen(json_string_value(json_object_get(item, "text"))) + 300;
        if (json_array_size(items) && bytes + sz > IMPORT_MAX_BATCH_BYTES)
            break;
        bytes += sz;
        json_array_append(items, item);
    }
    *to = i;
    json_t *batch = json_pack("{s:s, s:s, s:o}", "device_id", r->device, "activity", r->activity,
                              "items", items);
    return batch;
}

/* Sends every batch and reports each row. 0, 1 (refusals) or EXIT_SERVER. */
static int s_send_all(s_run_t *r, const csvitems_t *rows)
{
    for (size_t from = 0, to; from < rows->n; from = to) {
        json_t *batch = s_next_batch(r, rows, from, &to);
        bool empty = json_array_size(json_object_get(batch, "items")) == 0;
        char *body = json_dumps(batch, JSON_COMPACT);
        json_decref(batch);
        send_answer_t a = {0};
        int rc = empty ? 0 : send_batch(r->url, r->token, body, strlen(body), &a);
        free(body);
        if (rc < 0) {
            fprintf(stderr,
                    "inspraak-import: gestopt bij regel %ld: %s%s%s\n"
                    "inspraak-import: de rijen hiervoor zijn opgeslagen; start opnieuw met "
                    "hetzelfde bestand: niets wordt dubbel opgeslagen.\n",
                    rows->rows[from].line, a.code[0] ? a.code : "",
                    a.code[0] ? ": " : "", a.message);
            send_answer_clear(&a);
            return EXIT_SERVER;
        }
        for (size_t i = from; i < to; i++) {
            if (rows->rows[i].item)
                s_report_sent(r, &rows->rows[i], a.body);
            else
                s_report_local(r, &rows->rows[i]);
        }
        send_answer_clear(&a);
        fflush(stdout);
    }
    return r->refused ? EXIT_REFUSED : 0;
}

static csvitems_t *s_read(s_run_t *r)
{
    size_t len;
    char *buf = file_read(r->file, CSVITEMS_MAX_BYTES, &len);
    if (!buf) {
        fprintf(stderr, "inspraak-import: %s: %s\n", r->file,
                errno == EFBIG ? "het bestand is groter dan 64 MB; deel het op"
                               : strerror(errno));
        return NULL;
    }
    const char *data = getenv("INSPRAAK_DATA");
    char err[256];
    geo_t *geo = geo_load(data && *data ? data : "./data", err, sizeof err);
    if (!geo)
        fprintf(stderr, "inspraak-import: waarschuwing: geen geodata (%s): een postcode "
                        "geeft geen wijk\n", err);
    r->csv.geo = geo;
    r->csv.today = s_today();
    csvitems_err_t e;
    csvitems_t *rows = csvitems_parse(buf, len, &r->csv, &e);
    free(buf);
    if (!rows) {
        if (e.line)
            fprintf(stderr, "inspraak-import: %s, regel %ld: %s\n", r->file, e.line, e.message);
        else
            fprintf(stderr, "inspraak-import: %s: %s\n", r->file, e.message);
    }
    geo_destroy(&geo);
    r->csv.geo = NULL;
    return rows;
}

int main(int argc, char **argv)
{
    s_run_t r = {.activity = "enquete", .batch_size = 500};
    csvitems_opts_init(&r.csv);
    int rc = s_args(argc, argv, &r);
    if (rc)
        return rc;
    if (!r.check && s_token(&r) < 0)
        return EXIT_USAGE;
    char url[256];
    if (!r.url) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/field/batches",
                 config_port(IMPORT_FIELD_PORT_OFFSET));
        r.url = url;
    }
    csvitems_t *rows = s_read(&r);
    if (!rows) {
        free(r.token);
        return EXIT_FILE;
    }
    if (r.check) {
        for (size_t i = 0; i < rows->n; i++) {
            if (!rows->rows[i].item) {
                s_report_local(&r, &rows->rows[i]);
                continue;
            }
            char *s = json_dumps(rows->rows[i].item, JSON_COMPACT | JSON_SORT_KEYS);
            printf("regel %ld: %s\n", rows->rows[i].line, s);
            free(s);
        }
        rc = r.refused ? EXIT_REFUSED : 0;
    } else {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = s_send_all(&r, rows);
        curl_global_cleanup();
    }
    size_t sendable = rows->n - r.refused - r.skipped;
    if (r.check)
        printf("controle: %zu rijen: %zu te verzenden, %zu geweigerd, %zu overgeslagen (geen "
               "tekst); niets verzonden\n",
               rows->n, sendable, r.refused, r.skipped);
    else
        printf("%s: %zu rijen: %zu aangenomen, %zu geweigerd, %zu overgeslagen (geen tekst), %zu "
           "niet verzonden\n",
           rc == EXIT_SERVER ? "gestopt" : "klaar", rows->n, r.accepted, r.refused, r.skipped,
           rows->n - r.accepted - r.refused - r.skipped);
    csvitems_destroy(&rows);
    if (r.token) {
        memset(r.token, 0, strlen(r.token));
        free(r.token);
    }
    return rc;
}
