/*
 * NAME
 *   num_nl - numbers written for people the Dutch way (see dashboard.h)
 *
 * SUMMARY
 *   sb_printf(sb, "%s ideeën", num_nl(n).s);           "1.234 ideeën"
 *   sb_printf(sb, "%s", num_nl_percent(12.45).s);      "12,5%"
 *
 * DESCRIPTION
 *   Dutch groups thousands with a dot and writes decimals after a comma:
 *   1.234, 12.345, 1.234.567, 12,5%. Every count or percentage that a
 *   resident or staff member reads (the report, /resultaten, the staff
 *   pages) goes through here; what programs read (JSON, CSV, /metrics,
 *   URLs, Redis commands, SVG coordinates, years) keeps plain %lld.
 *
 *   Hand-written, not printf's ' flag with setlocale(): Debian 12 ships
 *   only C and C.UTF-8 (nl_NL.UTF-8 needs the locales package and
 *   locale-gen, and deploy/build-image.sh drops locale data), and the
 *   locale is process-wide, so setting LC_NUMERIC on the request threads
 *   would also change the JSON and CSV that share the process. GLib has
 *   no grouping without the locale either.
 *
 * OWNERSHIP
 *   The result is a value: its text lives in the returned struct, which
 *   in an argument list lasts until the end of that call (C11 6.2.4p8).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dashboard.h"

num_nl_t num_nl(long long n)
{
    num_nl_t out;
    char digits[24];
    /* Through unsigned, so LLONG_MIN has a magnitude too. */
    unsigned long long m = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    int len = snprintf(digits, sizeof digits, "%llu", m);
    size_t o = 0;
    if (n < 0)
        out.s[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out.s[o++] = '.';
        out.s[o++] = digits[i];
    }
    out.s[o] = '\0';
    return out;
}

num_nl_t num_nl_percent(double pct)
{
    num_nl_t out;
    if (!isfinite(pct) || fabs(pct) > 1e15) { /* no percentage a page shows */
        snprintf(out.s, sizeof out.s, "?");
        return out;
    }
    /* Rounded to tenths once, so 99.96 becomes "100,0%", not "99,10%". */
    long long tenths = llround(fabs(pct) * 10.0);
    num_nl_t whole = num_nl(tenths / 10);
    size_t o = 0, w = strlen(whole.s); /* at most 21: whole < 10^15 */
    if (pct < 0 && tenths)
        out.s[o++] = '-';
    memcpy(out.s + o, whole.s, w);
    o += w;
    out.s[o++] = ',';
    out.s[o++] = (char)('0' + tenths % 10);
    out.s[o++] = '%';
    out.s[o] = '\0';
    return out;
}
