/*
 * NAME
 *   srt - SubRip (.srt) parser and the input charset step (transcript.h)
 *
 * DESCRIPTION
 *   Hand-written: SRT has no specification, only common practice, and no
 *   Debian C library reads it with limits. We accept what subtitle tools
 *   write: optional numeric index lines, "00:01:02,500 --> 00:01:04,000"
 *   (also '.' and fewer millisecond digits, any number of hour digits),
 *   trailing position hints after the end time, CR/LF/CRLF, text lines
 *   until a blank line - unless what follows the blank line does not look
 *   like the start of a new cue, in which case the blank line was part of
 *   the text (some tools write empty lines inside a cue).
 */
#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transcript.h"
#include "validate.h"
#include "xalloc.h"

char *transcript_utf8(const char *buf, size_t len, size_t *outlen)
{
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        buf += 3, len -= 3;
    char *out;
    if (utf8_valid(buf, len) && !memchr(buf, '\0', len)) {
        out = xstrndup(buf, len);
        *outlen = len;
        return out;
    }
    gsize written = 0;
    gchar *conv = g_convert(buf, (gssize)len, "UTF-8", "WINDOWS-1252", NULL, &written, NULL);
    if (!conv) /* 1252 leaves 5 bytes undefined: fall back to U+FFFD for them */
        conv = g_utf8_make_valid(buf, (gssize)len);
    out = xstrdup(conv); /* a NUL byte ends the text */
    *outlen = strlen(out);
    g_free(conv);
    return out;
}

/* A control character a text file does not hold: C0 other than TAB, LF,
 * FF, CR; DEL; C1; and U+FFFD (what an undecodable byte became). */
static bool s_junk_char(gunichar c)
{
    if (c == '\t' || c == '\n' || c == '\f' || c == '\r')
        return false;
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFD;
}

int transcript_text_check(const char *buf, size_t len, char *err, size_t errlen)
{
    if (memchr(buf, '\0', len)) {
        snprintf(err, errlen, "the file holds NUL bytes (binary, or UTF-16)");
        return -1;
    }
    size_t tlen;
    char *text = transcript_utf8(buf, len, &tlen);
    size_t chars = 0, junk = 0;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        chars++;
        junk += s_junk_char(g_utf8_get_char(p));
    }
    free(text);
    /* Real transcripts hold a stray control character at most; random bytes
     * read as Windows-1252 give about one in nine, far above the limit. */
    if (junk * TRANSCRIPT_JUNK_RATIO > chars) {
        snprintf(err, errlen, "%zu of %zu characters are control characters or undecodable", junk,
                 chars);
        return -1;
    }
    return 0;
}

/* "[h+:]mm:ss[,.]m{1,3}" at *s. */
static int s_srt_time(const char **s, int64_t *ms)
{
    const char *p = *s;
    int64_t part[3] = {0, 0, 0};
    int n = 0;
    while (n < 3) {
        int digits = 0;
        int64_t v = 0;
        while (isdigit((unsigned char)*p) && digits < 12)
            v = v * 10 + (*p++ - '0'), digits++;
        if (!digits || isdigit((unsigned char)*p))
            return -1;
        part[n++] = v;
        if (*p != ':')
            break;
        p++;
    }
    if (n < 2 || (*p != ',' && *p != '.'))
        return -1;
    p++;
    int64_t frac = 0;
    int fd = 0;
    while (isdigit((unsigned char)*p) && fd < 3)
        frac = frac * 10 + (*p++ - '0'), fd++;
    if (!fd)
        return -1;
    while (isdigit((unsigned char)*p))
        p++;
    for (; fd < 3; fd++)
        frac *= 10;
    int64_t h = n == 3 ? part[0] : 0, m = part[n - 2], sec = part[n - 1];
    if (m > 59 || sec > 59 || h > WEBVTT_MAX_MS / 3600000)
        return -1;
    *ms = h * 3600000 + m * 60000 + sec * 1000 + frac;
    if (*ms >= WEBVTT_MAX_MS)
        return -1;
    *s = p;
    return 0;
}

static int s_timing_line(const char *line, int64_t *start, int64_t *end)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (s_srt_time(&p, start) < 0)
        return -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, "-->", 3) != 0)
        return -1;
    p += 3;
    while (*p == ' ' || *p == '\t')
        p++;
    return s_srt_time(&p, end);
}

static bool s_index_line(const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\0';
}

/* Splits at CR, LF, CRLF into a NULL-terminated vector; NULL when a line
 * breaks the limit. */
static char **s_lines(const char *text, size_t len, size_t *n_out)
{
    size_t cap = 64, n = 0;
    char **v = xmalloc(cap * sizeof *v);
    for (size_t pos = 0; pos < len;) {
        size_t e = pos;
        while (e < len && text[e] != '\r' && text[e] != '\n')
            e++;
        if (e - pos > WEBVTT_MAX_LINE) {
            for (size_t i = 0; i < n; i++)
                free(v[i]);
            free(v);
            return NULL;
        }
        if (n + 1 >= cap)
            v = xrealloc(v, (cap *= 2) * sizeof *v);
        v[n++] = xstrndup(text + pos, e - pos);
        if (e < len && text[e] == '\r')
            e++;
        if (e < len && text[e] == '\n')
            e++;
        pos = e;
    }
    v[n] = NULL;
    *n_out = n;
    return v;
}

/* True when line i (after blank lines) starts a cue: a timing line, or an
 * index line followed by one. */
static bool s_cue_starts(char **lines, size_t n, size_t i)
{
    int64_t a, b;
    while (i < n && !*lines[i])
        i++;
    if (i >= n)
        return true;
    if (s_timing_line(lines[i], &a, &b) == 0)
        return true;
    return s_index_line(lines[i]) && i + 1 < n && s_timing_line(lines[i + 1], &a, &b) == 0;
}

static int s_srt_cues(char **lines, size_t n, cue_list_t *out, char *err, size_t errlen)
{
    size_t i = 0;
    while (i < n) {
        int64_t start, end;
        char *id = NULL;
        if (s_index_line(lines[i]) && i + 1 < n && s_timing_line(lines[i + 1], &start, &end) == 0) {
            id = xstrdup(lines[i]);
            i += 2;
        } else if (s_timing_line(lines[i], &start, &end) == 0) {
            i++;
        } else {
            i++; /* stray line outside a cue: skipped */
            continue;
        }
        GString *text = g_string_new("");
        while (i < n) {
            if (!*lines[i] && s_cue_starts(lines, n, i))
                break;
            if (s_timing_line(lines[i], &(int64_t){0}, &(int64_t){0}) == 0)
                break;
            if (text->len)
                g_string_append_c(text, '\n');
            g_string_append(text, lines[i]);
            i++;
        }
        while (text->len && text->str[text->len - 1] == '\n')
            g_string_truncate(text, text->len - 1);
        char *t = xstrdup(text->str);
        g_string_free(text, TRUE);
        if (cue_list_push(out, id, true, start, end, t, WEBVTT_MAX_CUES) < 0) {
            snprintf(err, errlen, "more than %d cues", WEBVTT_MAX_CUES);
            return -1;
        }
    }
    return 0;
}

int srt_parse(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen)
{
    cue_list_init(out);
    if (len > WEBVTT_MAX_BYTES) {
        snprintf(err, errlen, "the file is larger than %u bytes", WEBVTT_MAX_BYTES);
        return -1;
    }
    size_t tlen, n;
    char *text = transcript_utf8(buf, len, &tlen);
    char **lines = s_lines(text, tlen, &n);
    free(text);
    if (!lines) {
        snprintf(err, errlen, "a line is longer than %u bytes", WEBVTT_MAX_LINE);
        return -1;
    }
    int rc = s_srt_cues(lines, n, out, err, errlen);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    if (rc == 0 && out->n == 0) {
        snprintf(err, errlen, "no SRT cue (\"00:00:01,000 --> 00:00:02,000\") found");
        rc = -1;
    }
    if (rc < 0)
        cue_list_clear(out);
    return rc;
}
