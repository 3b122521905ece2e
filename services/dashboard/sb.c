/*
 * NAME
 *   sb - the dashboard's growing string buffer and its escaping (see
 *   dashboard.h)
 *
 * DESCRIPTION
 *   Every piece of text that is not a literal of this program goes through
 *   sb_esc() (element content and double-quoted attribute values: & < > " '
 *   escaped by http_html_escape) or sb_url() (a query-string value:
 *   percent-encoded, which leaves nothing for HTML to interpret);
 *   csv_cell() is the same for one CSV cell. sb_esc_cut() quotes the start
 *   of a long text, cut after a whole word.
 *
 * OWNERSHIP
 *   sb_t owns its buffer (sb_free); page_send() (page.c) hands it to the
 *   response.
 */
#define _GNU_SOURCE /* vasprintf */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

void sb_add(sb_t *sb, const char *s)
{
    sb_addn(sb, s, strlen(s));
}

void sb_addn(sb_t *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 4096;
        while (cap < sb->len + n + 1)
            cap *= 2;
        sb->buf = xrealloc(sb->buf, cap);
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_printf(sb_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sb_addn(sb, s, (size_t)n);
    free(s);
}

void sb_esc(sb_t *sb, const char *s)
{
    char *e = http_html_escape(s ? s : "");
    sb_add(sb, e);
    free(e);
}

/* Escaped, as sb_esc(); a text of more than max characters (code points)
 * is cut after its last whole word within them (a word longer than that:
 * between two characters), less the space and ",;:" before the cut, and
 * "..." added. */
void sb_esc_cut(sb_t *sb, const char *s, size_t max)
{
    s = s ? s : "";
    size_t end = 0, chars = 0;
    while (s[end] && chars < max) {
        end++;
        while (((unsigned char)s[end] & 0xC0) == 0x80)
            end++;
        chars++;
    }
    if (!s[end]) {
        sb_esc(sb, s);
        return;
    }
    size_t cut = end;
    while (cut > 0 && !isspace((unsigned char)s[cut]))
        cut--;
    while (cut > 0 && (isspace((unsigned char)s[cut - 1]) || strchr(",;:", s[cut - 1])))
        cut--;
    if (cut == 0)
        cut = end;
    char *part = xstrndup(s, cut);
    sb_esc(sb, part);
    free(part);
    sb_add(sb, "...");
}

void sb_url(sb_t *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p)) {
            sb_addn(sb, (const char *)p, 1);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            sb_addn(sb, enc, 3);
        }
    }
}

/* RFC 4180 cell, always quoted. A cell that a spreadsheet would read as a
 * formula (= + - @, or tab/CR that some programs skip first) gets a
 * leading apostrophe: shown as text, never evaluated. */
void csv_cell(sb_t *sb, const char *v, int first)
{
    if (!first)
        sb_add(sb, ",");
    sb_add(sb, "\"");
    if (v && *v && strchr("=+-@\t\r", *v))
        sb_add(sb, "'");
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '"')
            sb_add(sb, "\"");
        sb_addn(sb, p, 1);
    }
    sb_add(sb, "\"");
}

void sb_free(sb_t *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}
