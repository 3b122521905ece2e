/*
 * NAME
 *   webvtt - WebVTT file parser (see webvtt.h)
 *
 * DESCRIPTION
 *   Hand-written: no C library on Debian parses WebVTT with limits and
 *   without a DOM. The block structure follows mozilla/vtt.js line by
 *   line, because its conformance suite (tests/data/vtt/) is how we know
 *   we read files like browsers do: lines are split at CR, LF or CRLF; a
 *   last line without a line end counts only while a header or a cue is
 *   open (vtt.js flushes with two synthetic line ends).
 */
#include "webvtt.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"
#include "xalloc.h"

typedef enum { S_INITIAL, S_HEADER, S_ID, S_NOTE, S_CUE, S_CUETEXT, S_BADCUE, S_BAD } s_state_t;

typedef struct {
    s_state_t state;
    bool have_cue;
    char *id;
    int64_t start, end;
    GString *text;
    cue_list_t *out;
    char *err;
    size_t errlen;
    bool failed;
} s_parser_t;

void cue_list_init(cue_list_t *l)
{
    memset(l, 0, sizeof *l);
}

void cue_list_clear(cue_list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].id);
        free(l->items[i].text);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

int cue_list_push(cue_list_t *l, char *id, bool has_times, int64_t start, int64_t end, char *text,
                  size_t max_cues)
{
    if (l->n >= max_cues) {
        free(id);
        free(text);
        return -1;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = (cue_t){.id = id ? id : xstrdup(""),
                               .has_times = has_times,
                               .start_ms = start,
                               .end_ms = end,
                               .text = text ? text : xstrdup("")};
    return 0;
}

/* Digits at *s into *v; -1 when none or when the value gets absurd. */
static int s_digits(const char **s, int64_t *v, int *count)
{
    int64_t x = 0;
    int n = 0;
    while (isdigit((unsigned char)**s)) {
        if (x > WEBVTT_MAX_MS)
            return -1;
        x = x * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    *v = x;
    *count = n;
    return n ? 0 : -1;
}

int webvtt_timestamp(const char **s, int64_t *ms)
{
    const char *p = *s;
    int64_t a, b, c = 0, f;
    int na, nb, nc = 0, nf;
    if (s_digits(&p, &a, &na) < 0 || *p != ':')
        return -1;
    p++;
    if (s_digits(&p, &b, &nb) < 0 || nb < 2)
        return -1;
    if (nb > 2) /* vtt.js: (\d{2}) must be followed by ':' or '.' */
        return -1;
    bool three = false;
    if (*p == ':') {
        p++;
        if (s_digits(&p, &c, &nc) < 0 || nc != 2)
            return -1;
        three = true;
    }
    if (*p != '.')
        return -1;
    p++;
    const char *fs = p;
    if (s_digits(&p, &f, &nf) < 0 || nf < 3)
        return -1;
    f = (fs[0] - '0') * 100 + (fs[1] - '0') * 10 + (fs[2] - '0'); /* \d{3} prefix */
    int64_t h, m, sec;
    if (three)
        h = a, m = b, sec = c;
    else if (a > 59)
        h = a, m = b, sec = 0;
    else
        h = 0, m = a, sec = b;
    if (h > WEBVTT_MAX_MS / 3600000)
        return -1;
    *ms = h * 3600000 + m * 60000 + sec * 1000 + f;
    if (*ms >= WEBVTT_MAX_MS)
        return -1;
    *s = p;
    return 0;
}

static const char *s_skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\f' || *s == '\v')
        s++;
    return s;
}

/* The timing line: start "-->" end [settings]. Settings are ignored: we
 * show no video, so placement does not matter. As in vtt.js, after each
 * timestamp everything up to white space, a letter or '-' is skipped. */
static int s_timings(const char *line, int64_t *start, int64_t *end)
{
    const char *p = s_skip_ws(line);
    if (webvtt_timestamp(&p, start) < 0)
        return -1;
    while (*p && !isspace((unsigned char)*p) && !isalpha((unsigned char)*p) && *p != '-')
        p++;
    p = s_skip_ws(p);
    if (strncmp(p, "-->", 3) != 0)
        return -1;
    p = s_skip_ws(p + 3);
    if (webvtt_timestamp(&p, end) < 0)
        return -1;
    return 0;
}

static void s_fail(s_parser_t *ps, const char *msg)
{
    if (!ps->failed)
        snprintf(ps->err, ps->errlen, "%s", msg);
    ps->failed = true;
    ps->state = S_BAD;
}

static void s_emit(s_parser_t *ps)
{
    char *t = xstrdup(ps->text->str);
    if (cue_list_push(ps->out, ps->id, true, ps->start, ps->end, t, WEBVTT_MAX_CUES) < 0)
        s_fail(ps, "too many cues");
    ps->id = NULL;
    ps->have_cue = false;
    g_string_truncate(ps->text, 0);
}

static bool s_signature(const char *line)
{
    return strncmp(line, "WEBVTT", 6) == 0 &&
           (line[6] == '\0' || line[6] == ' ' || line[6] == '\t');
}

/* One line through the vtt.js state machine. Returns true when the line
 * must be processed again (a "-->" line that ended the cue text). */
static bool s_line(s_parser_t *ps, const char *line)
{
    switch (ps->state) {
    case S_INITIAL:
        if (!s_signature(line))
            s_fail(ps, "the file does not start with WEBVTT");
        else
            ps->state = S_HEADER;
        return false;
    case S_HEADER: /* header lines (and old REGION settings) until a blank line */
    case S_NOTE:
    case S_BADCUE:
        if (!*line)
            ps->state = S_ID;
        return false;
    case S_ID:
        if (strncmp(line, "NOTE", 4) == 0 && (!line[4] || line[4] == ' ' || line[4] == '\t')) {
            ps->state = S_NOTE;
            return false;
        }
        if (!*line)
            return false;
        ps->have_cue = true;
        ps->state = S_CUE;
        free(ps->id);
        ps->id = NULL;
        if (!strstr(line, "-->")) {
            ps->id = xstrdup(line);
            return false;
        }
        __attribute__((fallthrough)); /* the line is the timing line */
    case S_CUE:
        if (s_timings(line, &ps->start, &ps->end) < 0) {
            free(ps->id);
            ps->id = NULL;
            ps->have_cue = false;
            ps->state = S_BADCUE;
            return false;
        }
        ps->state = S_CUETEXT;
        return false;
    case S_CUETEXT: {
        bool arrow = strstr(line, "-->") != NULL;
        if (!*line || arrow) {
            s_emit(ps);
            if (ps->state != S_BAD)
                ps->state = S_ID;
            return arrow;
        }
        if (ps->text->len)
            g_string_append_c(ps->text, '\n');
        g_string_append(ps->text, line);
        return false;
    }
    case S_BAD:
        return false;
    }
    return false;
}

/* Feeds the lines of buf[0..len) that end in a line break (vtt.js waits
 * for a '\n' before taking a line). Returns the offset of the rest. */
static size_t s_run(s_parser_t *ps, const char *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len && ps->state != S_BAD && memchr(buf + pos, '\n', len - pos)) {
        size_t e = pos;
        while (e < len && buf[e] != '\r' && buf[e] != '\n')
            e++;
        if (e - pos > WEBVTT_MAX_LINE) {
            s_fail(ps, "a line is too long");
            break;
        }
        char *line = xstrndup(buf + pos, e - pos);
        if (e < len && buf[e] == '\r')
            e++;
        if (e < len && buf[e] == '\n')
            e++;
        pos = e;
        while (s_line(ps, line) && ps->state != S_BAD)
            ;
        free(line);
    }
    return pos;
}

/* Valid UTF-8 without NUL bytes (both become U+FFFD, as a browser's
 * decoder and the W3C preprocessing step do). */
static char *s_clean(const char *buf, size_t len, size_t *outlen)
{
    gchar *valid = utf8_valid(buf, len) ? g_strndup(buf, len) : g_utf8_make_valid(buf, len);
    size_t vlen = utf8_valid(buf, len) ? len : strlen(valid);
    GString *s = g_string_sized_new(vlen + 16);
    for (size_t i = 0; i < vlen; i++) {
        if (valid[i])
            g_string_append_c(s, valid[i]);
        else
            g_string_append(s, "\xEF\xBF\xBD");
    }
    g_free(valid);
    *outlen = s->len;
    char *out = xmalloc(s->len + 1);
    memcpy(out, s->str, s->len + 1);
    g_string_free(s, TRUE);
    return out;
}

static int s_parse_max(const char *buf, size_t len, size_t max, cue_list_t *out, char *err,
                       size_t errlen)
{
    cue_list_init(out);
    if (len > max) {
        snprintf(err, errlen, "the file is larger than %zu bytes", max);
        return -1;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        buf += 3, len -= 3;
    size_t clen;
    char *clean = s_clean(buf, len, &clen);
    s_parser_t ps = {
        .state = S_INITIAL, .text = g_string_new(""), .out = out, .err = err, .errlen = errlen};
    size_t rest = s_run(&ps, clean, clen);
    if (ps.state != S_BAD && (ps.have_cue || ps.state == S_HEADER)) {
        char *tail = xasprintf("%.*s\n\n", (int)(clen - rest), clean + rest);
        s_run(&ps, tail, strlen(tail));
        free(tail);
    } else if (ps.state == S_INITIAL) {
        s_fail(&ps, "the file does not start with WEBVTT");
    }
    free(clean);
    free(ps.id);
    g_string_free(ps.text, TRUE);
    if (ps.failed) {
        cue_list_clear(out);
        return -1;
    }
    return 0;
}

int webvtt_parse(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen)
{
    return s_parse_max(buf, len, WEBVTT_MAX_BYTES, out, err, errlen);
}

int webvtt_parse_converted(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen)
{
    return s_parse_max(buf, len, WEBVTT_MAX_CONVERTED, out, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Cue text                                                           */
/* ------------------------------------------------------------------ */

static void s_put_cp(GString *out, unsigned long cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    g_string_append_unichar(out, (gunichar)cp);
}

/* A character reference at s ('&'); appends its value and returns the
 * bytes used, or 0 when it is not one we know (then '&' is literal). */
static size_t s_charref(const char *s, GString *out)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } named[] = {{"amp;", '&'},   {"lt;", '<'},    {"gt;", '>'},     {"quot;", '"'},
                 {"apos;", '\''}, {"nbsp;", 0xA0}, {"lrm;", 0x200E}, {"rlm;", 0x200F},
                 {"amp", '&'},    {"lt", '<'},     {"gt", '>'},      {"nbsp", 0xA0}};
    if (s[1] == '#') {
        const char *p = s + 2;
        int base = 10;
        if (*p == 'x' || *p == 'X')
            base = 16, p++;
        unsigned long cp = 0;
        const char *d = p;
        while (base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)) {
            if (cp <= 0x10FFFF)
                cp = cp * base + (unsigned long)g_ascii_xdigit_value(*p);
            p++;
        }
        if (p == d)
            return 0;
        if (*p == ';')
            p++;
        s_put_cp(out, cp);
        return (size_t)(p - s);
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t n = strlen(named[i].name);
        if (strncmp(s + 1, named[i].name, n) == 0) {
            s_put_cp(out, named[i].cp);
            return n + 1;
        }
    }
    return 0;
}

static char *s_gstring_take(GString *g)
{
    char *out = xstrdup(g->str);
    g_string_free(g, TRUE);
    return out;
}

char *webvtt_cue_plain(const char *text)
{
    GString *out = g_string_new("");
    for (const char *p = text; *p;) {
        if (*p == '<') { /* a tag or an inline timestamp: dropped */
            const char *e = strchr(p, '>');
            if (!e)
                break;
            p = e + 1;
        } else if (*p == '&') {
            size_t n = s_charref(p, out);
            if (!n)
                g_string_append_c(out, '&');
            p += n ? n : 1;
        } else {
            g_string_append_c(out, *p++);
        }
    }
    return s_gstring_take(out);
}

char *webvtt_cue_voice(const char *text)
{
    for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<')) {
        if (p[1] != 'v' || !(p[2] == ' ' || p[2] == '\t' || p[2] == '.' || p[2] == '\n' ||
                             p[2] == '\f' || p[2] == '>'))
            continue;
        const char *q = p + 2;
        while (*q == '.' || (*q && !isspace((unsigned char)*q) && *q != '>'))
            q++; /* classes */
        const char *end = strchr(q, '>');
        size_t n = end ? (size_t)(end - q) : strlen(q);
        char *raw = xstrndup(q, n);
        char *plain = webvtt_cue_plain(raw);
        free(raw);
        /* collapse white space, trim */
        GString *g = g_string_new("");
        for (char *c = plain; *c; c++) {
            if (isspace((unsigned char)*c)) {
                if (g->len && g->str[g->len - 1] != ' ')
                    g_string_append_c(g, ' ');
            } else {
                g_string_append_c(g, *c);
            }
        }
        free(plain);
        if (g->len && g->str[g->len - 1] == ' ')
            g_string_truncate(g, g->len - 1);
        if (!g->len) {
            g_string_free(g, TRUE);
            return NULL;
        }
        return s_gstring_take(g);
    }
    return NULL;
}
