/*
 * NAME
 *   query - the filters of GET /api/v1/ideas (see query.h): reading them
 *   from the parameters, dates, the cursor
 *
 * DESCRIPTION
 *   Which ideas a parsed query lets through (after the cursor, the
 *   filters, the search text) is query_match.c.
 *   The date parser is hand-written: strptime() accepts too much (it skips
 *   white space, has no fractions or offsets) for input that must be
 *   refused with a clear message.
 */
#include "query.h"

#include <errno.h>
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "validate.h"

/* A number constant as a string literal, for the messages. */
#define S_STR_(x) #x
#define S_STR(x) S_STR_(x)

const char *const query_sorts[QUERY_NSORTS] = {"nieuw", "oud"};

const char *const query_dims[QUERY_NDIMS] = {"wijk",     "theme",        "channel", "sentiment",
                                             "question", "target_group", "status",  "activity"};

static int s_fail(query_err_t *err, const char *param, const char *message)
{
    snprintf(err->param, sizeof err->param, "%s", param);
    snprintf(err->message, sizeof err->message, "%s", message);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

/* n decimal digits at s into *out; -1 when any is not a digit. */
static int s_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int s_days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return (m == 2 && leap) ? 29 : d[m - 1];
}

/* "YYYY-MM-DD" at s (exactly 10 chars available). */
static int s_date(const char *s, struct tm *tm)
{
    int y, mo, d;
    if (s_digits(s, 4, &y) < 0 || s[4] != '-' || s_digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
        s_digits(s + 8, 2, &d) < 0)
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > s_days_in_month(y, mo))
        return -1;
    memset(tm, 0, sizeof *tm);
    tm->tm_year = y - 1900;
    tm->tm_mon = mo - 1;
    tm->tm_mday = d;
    return 0;
}

/* "HH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)" at s, nothing after. */
static int s_time(const char *s, struct tm *tm, int *ms, long *offset_s)
{
    int h, mi, sec, oh, om;
    if (strlen(s) < 9 || s_digits(s, 2, &h) < 0 || s[2] != ':' || s_digits(s + 3, 2, &mi) < 0 ||
        s[5] != ':' || s_digits(s + 6, 2, &sec) < 0)
        return -1;
    if (h > 23 || mi > 59 || sec > 60)
        return -1;
    tm->tm_hour = h;
    tm->tm_min = mi;
    tm->tm_sec = sec > 59 ? 59 : sec; /* a leap second counts as :59 */
    s += 8;
    *ms = 0;
    if (*s == '.') {
        int n = 0;
        for (s++; *s >= '0' && *s <= '9'; s++, n++)
            if (n < 3)
                *ms = *ms * 10 + (*s - '0');
        if (n == 0 || n > 9)
            return -1;
        for (; n < 3; n++)
            *ms *= 10;
    }
    if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
        *offset_s = 0;
        return 0;
    }
    if ((*s != '+' && *s != '-') || strlen(s) != 6 || s_digits(s + 1, 2, &oh) < 0 || s[3] != ':' ||
        s_digits(s + 4, 2, &om) < 0 || oh > 23 || om > 59)
        return -1;
    *offset_s = (*s == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
    return 0;
}

int query_parse_time(const char *s, bool end_of_day, int64_t *ms)
{
    struct tm tm;
    size_t n = strlen(s);
    if (n < 10 || n > 40 || s_date(s, &tm) < 0)
        return -1;
    if (n == 10) { /* the whole day in Heerlen, as the pages show times */
        int64_t first, last;
        if (clock_local_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &first, &last) < 0)
            return -1;
        *ms = end_of_day ? last : first;
        return *ms < 0 ? -1 : 0;
    }
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return -1;
    int frac = 0;
    long off = 0;
    if (s_time(s + 11, &tm, &frac, &off) < 0)
        return -1;
    int64_t t = (int64_t)timegm(&tm) - off;
    if (t < 0)
        return -1;
    *ms = t * 1000 + frac;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Cursor                                                              */
/* ------------------------------------------------------------------ */

bool query_id_valid(const char *id, size_t len)
{
    if (len == 0 || len > QUERY_MAX_ID)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
            return false;
    return true;
}

int query_cursor_encode_sort(int sort, int64_t score, const char *id, char *out, size_t size)
{
    char plain[32 + QUERY_MAX_ID];
    if (!query_id_valid(id, strlen(id)))
        return -1;
    int n = snprintf(plain, sizeof plain, "%s%lld:%s", sort == QUERY_SORT_OLD ? "o" : "",
                     (long long)score, id);
    if (n < 0 || (size_t)n >= sizeof plain)
        return -1;
    size_t need = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (need > size)
        return -1;
    sodium_bin2base64(out, size, (const unsigned char *)plain, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

int query_cursor_encode(int64_t score, const char *id, char *out, size_t size)
{
    return query_cursor_encode_sort(QUERY_SORT_NEW, score, id, out, size);
}

int query_cursor_decode_sort(const char *s, int *sort, int64_t *score, char *id, size_t id_size)
{
    unsigned char buf[32 + QUERY_MAX_ID + 1], *plain = buf;
    size_t n = 0;
    if (strlen(s) > QUERY_MAX_CURSOR ||
        sodium_base642bin(buf, sizeof buf - 1, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    buf[n] = '\0';
    int order = QUERY_SORT_NEW;
    if (n > 0 && plain[0] == 'o') {
        order = QUERY_SORT_OLD;
        plain++;
        n--;
    }
    const char *colon = memchr(plain, ':', n);
    if (!colon || colon == (const char *)plain || colon - (const char *)plain > 19)
        return -1;
    long long v = 0;
    for (const unsigned char *p = plain; p < (const unsigned char *)colon; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10)
            return -1; /* not a digit, or past what a score can hold */
        v = v * 10 + (*p - '0');
    }
    const char *rest = colon + 1;
    size_t len = n - (size_t)(rest - (const char *)plain);
    if (!query_id_valid(rest, len) || len >= id_size)
        return -1;
    memcpy(id, rest, len);
    id[len] = '\0';
    *score = v;
    if (sort)
        *sort = order;
    return 0;
}

int query_cursor_decode(const char *s, int64_t *score, char *id, size_t id_size)
{
    return query_cursor_decode_sort(s, NULL, score, id, id_size);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

/* The fixed values of each dimension (NULL: a list of the caller's). */
static const char *const *s_fixed(int dim)
{
    switch (dim) {
    case QUERY_CHANNEL:
        return VALID_CHANNELS;
    case QUERY_SENTIMENT:
        return VALID_SENTIMENTS;
    case QUERY_QUESTION:
        return VALID_QUESTIONS;
    case QUERY_TARGET_GROUP:
        return VALID_TARGET_GROUPS;
    case QUERY_STATUS:
        return VALID_STATUSES;
    default:
        return NULL;
    }
}

/* The form of a slug (theme, activity) or a wijk code: lowercase letters,
 * digits, '-' and '_' (a wijk code: letters and digits, "WK091733"). */
static bool s_form_ok(int dim, const char *v)
{
    const char *ok = dim == QUERY_WIJK ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                       : "abcdefghijklmnopqrstuvwxyz0123456789-_";
    return strspn(v, ok) == strlen(v);
}

/* One equality filter value: fixed lists, then form and the caller's. */
static int s_check_value(int dim, const char *v, query_known_fn known, void *karg, query_err_t *err)
{
    if (strcmp(v, "none") == 0)
        return 0;
    const char *const *fixed = s_fixed(dim);
    if (fixed) {
        if (value_allowed(v, fixed))
            return 0;
        char msg[200];
        int n = snprintf(msg, sizeof msg,
                         "Deze waarde van %s kennen we niet. Kies uit:", query_dims[dim]);
        for (int i = 0; fixed[i] && n > 0 && (size_t)n < sizeof msg; i++)
            n += snprintf(msg + n, sizeof msg - (size_t)n, "%s %s", i ? "," : "", fixed[i]);
        if (n > 0 && (size_t)n < sizeof msg)
            snprintf(msg + n, sizeof msg - (size_t)n, " (of none: zonder waarde).");
        return s_fail(err, query_dims[dim], msg);
    }
    if (s_form_ok(dim, v) && (!known || known(dim, v, karg)))
        return 0;
    return s_fail(err, query_dims[dim],
                  dim == QUERY_WIJK    ? "Deze wijk kennen we niet. Gebruik een CBS-wijkcode, "
                                         "zoals WK091733, of none (zonder wijk)."
                  : dim == QUERY_THEME ? "Dit thema kennen we niet. De thema's staan in "
                                         "/api/v1/stats?by=theme."
                                       : "Deze activiteit kennen we niet. De activiteiten staan "
                                         "in /api/v1/stats?by=activity.");
}

static int s_parse_limit(query_t *q, const char *v, query_err_t *err)
{
    q->limit = QUERY_DEFAULT_LIMIT;
    if (!v || !*v)
        return 0;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 1 || n > QUERY_MAX_LIMIT || v[0] == '+' || v[0] == ' ')
        return s_fail(err, "limit", "limit moet een heel getal van 1 tot en met 500 zijn.");
    q->limit = (int)n;
    return 0;
}

static int s_parse_times(query_t *q, query_get_fn get, void *arg, query_err_t *err)
{
    const char *from = get("from", arg), *to = get("to", arg);
    if (from && *from) {
        if (query_parse_time(from, false, &q->from_ms) < 0)
            return s_fail(err, "from",
                          "from moet een datum zijn (2026-11-28) of een tijdstip "
                          "(2026-11-28T10:00:00Z).");
        q->has_from = true;
    }
    if (to && *to) {
        if (query_parse_time(to, true, &q->to_ms) < 0)
            return s_fail(err, "to",
                          "to moet een datum zijn (2026-11-28) of een tijdstip "
                          "(2026-11-28T10:00:00Z).");
        q->has_to = true;
    }
    return 0;
}

static int s_parse_sort(query_t *q, const char *v, query_err_t *err)
{
    q->sort = QUERY_SORT_NEW;
    if (!v || !*v)
        return 0;
    for (int i = 0; i < QUERY_NSORTS; i++)
        if (strcmp(v, query_sorts[i]) == 0) {
            q->sort = i;
            return 0;
        }
    return s_fail(err, "sort", "sort moet nieuw (nieuwste eerst) of oud (oudste eerst) zijn.");
}

/* True when the search text t (n bytes) holds fewer than two letters or
 * digits. Such a text is found in (nearly) every idea: "é" folds to "e"
 * (query_contains_ci), a bare accent to nothing, and "." or a quote
 * stands in nearly every text. Counted on the text as typed, with GLib's
 * Unicode tables; text that is not UTF-8 is left to the plain comparison. */
static bool s_too_few_letters(const char *t, size_t n)
{
    if (!g_utf8_validate(t, (gssize)n, NULL))
        return false;
    int letters = 0;
    for (const char *p = t; p < t + n && letters < 2; p = g_utf8_next_char(p))
        letters += g_unichar_isalnum(g_utf8_get_char(p)) ? 1 : 0;
    return letters < 2;
}

int query_parse(query_t *q, query_get_fn get, void *arg, query_err_t *err)
{
    return query_parse_known(q, get, arg, NULL, NULL, err);
}

int query_parse_known(query_t *q, query_get_fn get, void *arg, query_known_fn known, void *karg,
                      query_err_t *err)
{
    memset(q, 0, sizeof *q);
    for (int i = 0; i < QUERY_NDIMS; i++) {
        const char *v = get(query_dims[i], arg);
        if (!v || !*v)
            continue;
        if (strlen(v) > QUERY_MAX_VALUE) {
            char msg[160];
            snprintf(msg, sizeof msg, "De waarde van %s is te lang (hoogstens %d tekens).",
                     query_dims[i], QUERY_MAX_VALUE);
            return s_fail(err, query_dims[i], msg);
        }
        if (s_check_value(i, v, known, karg, err) < 0)
            return -1;
        memcpy(q->eq[i], v, strlen(v) + 1);
        q->n_eq++;
    }
    /* spaces around the words (or only spaces) are no search text: a
     * space in the search box must not empty the list */
    const char *text = get("q", arg);
    while (text && (*text == ' ' || *text == '\t'))
        text++;
    if (text && *text) {
        size_t n = strlen(text);
        while (text[n - 1] == ' ' || text[n - 1] == '\t')
            n--;
        if (n > QUERY_MAX_Q ||
            (g_utf8_validate(text, (gssize)n, NULL) && g_utf8_strlen(text, (gssize)n) > QUERY_MAX_Q_CHARS))
            return s_fail(err, "q",
                          "De zoektekst is te lang (hoogstens " S_STR(QUERY_MAX_Q_CHARS) " tekens).");
        if (s_too_few_letters(text, n))
            return s_fail(err, "q",
                          "Zoek op een woord of getal van minstens twee letters of cijfers.");
        for (size_t i = 0; i < n; i++)
            q->q[i] = (text[i] >= 'A' && text[i] <= 'Z') ? (char)(text[i] + 32) : text[i];
        q->q[n] = '\0';
    }
    if (s_parse_limit(q, get("limit", arg), err) < 0 || s_parse_times(q, get, arg, err) < 0)
        return -1;
    if (q->has_from && q->has_to && q->from_ms > q->to_ms)
        return s_fail(err, "from", "from moet vóór to liggen.");
    if (s_parse_sort(q, get("sort", arg), err) < 0)
        return -1;
    const char *cur = get("cursor", arg);
    if (cur && *cur) {
        int order;
        if (query_cursor_decode_sort(cur, &order, &q->cursor_score, q->cursor_id,
                                     sizeof q->cursor_id) < 0)
            return s_fail(err, "cursor",
                          "Deze cursor is ongeldig. Gebruik de next_cursor uit het vorige "
                          "antwoord.");
        if (order != q->sort)
            return s_fail(err, "cursor",
                          "Deze cursor hoort bij een andere sortering. Begin opnieuw zonder "
                          "cursor.");
        q->has_cursor = true;
    }
    return 0;
}
