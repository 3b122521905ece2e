/*
 * NAME
 *   rowvals - one survey answer's values as the field API takes them
 *
 * DESCRIPTION
 *   See rowvals.h. The time zone rule is the EU's (summer time from the
 *   last Sunday of March to the last Sunday of October, switching at
 *   01:00 UTC), worked out here rather than through TZ and mktime(), so
 *   the function stays pure and gives the same answer on any machine.
 */
#include "rowvals.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void rowvals_norm(const char *name, char *out, size_t size)
{
    size_t o = 0;
    bool space = false;
    if (!size)
        return;
    for (const unsigned char *p = (const unsigned char *)name; *p && o + 1 < size; p++) {
        unsigned char c = *p;
        if (c == '_' || c == '-' || c == '.' || isspace(c)) {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < size)
            out[o++] = ' ';
        space = false;
        out[o++] = (char)tolower(c);
    }
    out[o] = '\0';
}

const char *rowvals_question(const char *value)
{
    static const char *const now[] = {"nu", "heerlen nu", "now", NULL};
    static const char *const future[] = {"toekomst", "heerlen in 2050", "heerlen 2050", "2050",
                                         "future", "heerlen in de toekomst", NULL};
    char v[64];
    rowvals_norm(value, v, sizeof v);
    for (size_t i = 0; now[i]; i++)
        if (strcmp(v, now[i]) == 0)
            return "nu";
    for (size_t i = 0; future[i]; i++)
        if (strcmp(v, future[i]) == 0)
            return "toekomst";
    return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long s_days(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int s_month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The day of the month of the last Sunday of month m (31 days long). */
static int s_last_sunday(int y, int m)
{
    long weekday = (s_days(y, m, 31) + 4) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */
    return 31 - (int)weekday;
}

/* Summer time at noon of that day in Heerlen. */
static bool s_summer(int y, int m, int d)
{
    if (m < 3 || m > 10)
        return false;
    if (m > 3 && m < 10)
        return true;
    int sunday = s_last_sunday(y, m);
    return m == 3 ? d >= sunday : d < sunday;
}

/* Up to max digits at *p; the number, or -1 when there is none. */
static int s_number(const char **p, int max)
{
    int n = 0, digits = 0;
    while (digits < max && isdigit((unsigned char)**p)) {
        n = n * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits ? n : -1;
}

int rowvals_date(const char *value, int32_t *ymd, char *out, size_t size)
{
    const char *p = value;
    int y, m, d;
    int a = s_number(&p, 4);
    char sep = *p;
    if (a < 0 || (sep != '-' && sep != '/' && sep != '.'))
        return -1;
    bool year_first = p - value == 4;
    p++;
    int b = s_number(&p, 2);
    if (b < 0 || *p != sep)
        return -1;
    p++;
    const char *third = p;
    int c = s_number(&p, 4);
    if (c < 0 || (*p && *p != ' ' && *p != 'T'))
        return -1;
    if (year_first) {
        y = a, m = b, d = c;
        if (p - third > 2)
            return -1;
    } else {
        if (p - value > 10 || p - third != 4)
            return -1;
        d = a, m = b, y = c;
    }
    if (y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1 || d > s_month_days(y, m))
        return -1;
    *ymd = y * 10000 + m * 100 + d;
    snprintf(out, size, "%04d-%02d-%02dT12:00:00%s", y, m, d,
             s_summer(y, m, d) ? "+02:00" : "+01:00");
    return 0;
}

void rowvals_digest(const char *const *values, size_t n, uint8_t out[ROWVALS_DIGEST])
{
    static const char tag[] = "inspraak-import row v1";
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, ROWVALS_DIGEST);
    crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag);
    for (size_t i = 0; i < n; i++) {
        const char *v = values[i] ? values[i] : "";
        uint64_t len = strlen(v);
        unsigned char prefix[8];
        for (int k = 0; k < 8; k++)
            prefix[k] = (unsigned char)(len >> (8 * k));
        crypto_generichash_update(&st, prefix, sizeof prefix);
        crypto_generichash_update(&st, (const unsigned char *)v, len);
    }
    crypto_generichash_final(&st, out, ROWVALS_DIGEST);
}

void rowvals_local_id(const uint8_t digest[ROWVALS_DIGEST], unsigned long copy, char *out,
                      size_t size)
{
    uint8_t id[ROWVALS_DIGEST];
    memcpy(id, digest, sizeof id);
    if (copy > 0) {
        char n[32];
        int len = snprintf(n, sizeof n, "copy %lu", copy);
        crypto_generichash(id, sizeof id, (const unsigned char *)n, (size_t)len, digest,
                           ROWVALS_DIGEST);
    }
    char hex[2 * ROWVALS_DIGEST + 1];
    sodium_bin2hex(hex, sizeof hex, id, sizeof id);
    snprintf(out, size, "csv-%s", hex);
}
