/*
 * NAME
 *   export - GET /api/v1/export.csv: the ideas of a query as CSV
 *
 * DESCRIPTION
 *   Same filters as GET /api/v1/ideas (limit and cursor are ignored: every
 *   matching idea is exported, newest first, one row each). Access: a staff
 *   API token or a staff session. UTF-8 with a byte order mark so Excel
 *   reads the accents; RFC 4180: every cell quoted, quotes doubled, CRLF
 *   line ends, cells separated by commas (programs read it so).
 *
 *   ?excel=1 (the links on the staff pages): the same file for Excel set
 *   to Dutch, which opens a double-clicked CSV split on its list
 *   separator, the semicolon, so a comma file landed in one column. Cells
 *   are separated by ";" and the seconds of a video fragment (start, end)
 *   have a decimal comma ("12,500"; with a point Dutch Excel reads 12500).
 *   The second column is then received_at_heerlen: when the idea came in
 *   as the pages show it, Heerlen's time (Europe/Amsterdam, summer time
 *   included), "2026-11-29 14:00:00", which Dutch Excel reads as a date
 *   and time (it keeps "2026-11-29T13:00:00Z" as text). The comma file
 *   and export.json keep received_at in UTC, ISO 8601, for programs.
 *   Not a "sep=" first line: programs would read it as the header, and
 *   Excel then ignores the byte order mark (the accents break).
 *
 *   Spreadsheet formula injection: a text cell that starts with = + - @
 *   (or a tab/CR, which some programs skip) gets a leading apostrophe, so
 *   it is shown as text and never evaluated. Names and email
 *   addresses are not in the items, so never in the file.
 *
 *   GET /api/v1/export.json: the same selection and access, as one JSON
 *   array of idea_to_json() objects (the items of GET /api/v1/ideas),
 *   newest first. Like the CSV it is built in memory, page by page of
 *   QUERY_MAX_LIMIT, then sent: fine for the 10^4..10^5 ideas expected
 *   (tens of MB at most); streaming would be the next step for more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

static const char *const s_cols[] = {
    "id",         "received_at", "channel",  "activity", "target_group", "wijk",
    "wijk_naam",  "buurt",       "postcode", "question", "themes",       "sentiment",
    "language",   "cluster",     "status",   "pii",      "title",        "text",
    "message_id", "video_id",    "start",    "end",      "device_id",    "local_id"};
#define S_NCOLS (sizeof s_cols / sizeof s_cols[0])

#define S_COL_RECEIVED 1
#define S_EXCEL_RECEIVED "received_at_heerlen" /* s_cols[S_COL_RECEIVED] for Excel */

static void s_join(sb_t *out, json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (i)
            sb_add(out, ";");
        sb_add(out, json_string_value(v) ? json_string_value(v) : "");
    }
}

/* One cell of column c: "," before it (";" for Excel) unless c is 0. */
static void s_cell(sb_t *sb, const char *v, size_t c, int excel)
{
    if (c > 0)
        sb_add(sb, excel ? ";" : ",");
    csv_cell(sb, v, 1); /* 1: csv_cell adds no comma of its own */
}

static void s_row(const dash_t *d, sb_t *sb, json_t *it, int excel)
{
    json_t *src = json_object_get(it, "source");
    for (size_t c = 0; c < S_NCOLS; c++) {
        const char *k = s_cols[c];
        json_t *v = json_object_get(it, k);
        char num[32], when[40];
        sb_t tmp = {0};
        const char *s = NULL;
        if (strcmp(k, "wijk_naam") == 0) {
            const char *w = json_string_value(json_object_get(it, "wijk"));
            s = w ? page_label(d, "wijk", w) : NULL;
        } else if (c == S_COL_RECEIVED && excel) {
            s = page_moment(json_string_value(v), PAGE_EXCEL_FMT, when, sizeof when);
        } else if (strcmp(k, "themes") == 0 || strcmp(k, "pii") == 0) {
            s_join(&tmp, v);
            s = tmp.buf;
        } else if (c >= 18) {
            v = json_object_get(src, k);
            if (json_is_number(v)) {
                snprintf(num, sizeof num, "%.3f", json_number_value(v));
                char *point = excel ? strchr(num, '.') : NULL;
                if (point)
                    *point = ',';
                s = num;
            } else {
                s = json_string_value(v);
            }
        } else {
            s = json_string_value(v);
        }
        s_cell(sb, s, c, excel);
        sb_free(&tmp);
    }
    sb_add(sb, "\r\n");
}

static const char *s_get(const char *name, void *arg)
{
    if (strcmp(name, "limit") == 0 || strcmp(name, "cursor") == 0)
        return NULL;
    return http_query((const http_req_t *)arg, name);
}

/* Who may export and what: a staff session or API token, and the
 * filters of the request in *q. Returns 0, or -1 when res already says
 * why not (auth_check's 401 or 503, the login page for a browser whose
 * session ended, or the 400 of a bad filter). */
static int s_export_query(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res,
                          query_t *q)
{
    session_t s;
    query_err_t qerr;
    int r = session_get(d, rs, req, &s);
    if (r != 1 && !http_header(req, "Authorization") && session_cookie_sent(req)) {
        /* the list's download link clicked after the session ended: the
         * login page saying why, as the list itself; it was a bare 401 */
        session_refuse(req, res, r, &s);
        return -1;
    }
    if (r != 1 && !auth_check(d, rs, req, res))
        return -1;
    if (dash_query_parse(d, rs, q, s_get, (void *)req, &qerr) < 0) {
        dash_query_refuse(res, &qerr);
        return -1;
    }
    return 0;
}

static void s_append(json_t *it, void *arg)
{
    json_array_append(arg, it);
}

/* The CSV being written, for s_walk's callback. */
typedef struct {
    const dash_t *d;
    sb_t *sb;
    int excel;
} s_csv_t;

static void s_append_row(json_t *it, void *arg)
{
    s_csv_t *csv = arg;
    s_row(csv->d, csv->sb, it, csv->excel);
}

void export_json(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    query_t q;
    json_t *all = NULL;
    if (s_export_query(d, rs, req, res, &q) < 0)
        goto out;
    all = json_array();
    if (ideas_each(rs, &q, s_append, all) < 0) {
        dash_unavailable(res, rs);
        goto out;
    }
    char *text = json_dumps(all, JSON_COMPACT);
    if (!text) {
        http_res_error(res, 500, "internal", "Het bestand kon niet worden gemaakt.", NULL);
        goto out;
    }
    http_res_take(res, 200, "application/json; charset=utf-8", text, strlen(text));
    http_res_header(res, "Content-Disposition", "attachment; filename=\"ideeen.json\"");
    http_res_header(res, "Cache-Control", "no-store");
out:
    json_decref(all);
    dash_redis_put(d, rs);
}

void export_csv(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    query_t q;
    sb_t sb = {0};
    if (s_export_query(d, rs, req, res, &q) < 0)
        goto out;
    const char *ex = http_query(req, "excel");
    s_csv_t csv = {d, &sb, ex && strcmp(ex, "1") == 0};
    sb_add(&sb, "\xef\xbb\xbf");
    for (size_t c = 0; c < S_NCOLS; c++)
        s_cell(&sb, c == S_COL_RECEIVED && csv.excel ? S_EXCEL_RECEIVED : s_cols[c], c, csv.excel);
    sb_add(&sb, "\r\n");
    if (ideas_each(rs, &q, s_append_row, &csv) < 0) {
        sb_free(&sb);
        dash_unavailable(res, rs);
        goto out;
    }
    http_res_take(res, 200, "text/csv; charset=utf-8", sb.buf, sb.len);
    http_res_header(res, "Content-Disposition", "attachment; filename=\"ideeen.csv\"");
    http_res_header(res, "Cache-Control", "no-store");
out:
    dash_redis_put(d, rs);
}
