/*
 * NAME
 *   mail_html - HTML mail bodies to readable text (mail_html_to_text)
 *
 * DESCRIPTION
 *   Hand-written, because none of our libraries reads HTML and a mail body
 *   needs little: drop tags and comments, drop what is inside script,
 *   style, head and title, decode entities, turn block elements into line
 *   breaks and list items into "- " lines, collapse runs of white space.
 *   Text inside <blockquote> gets a "> " prefix on each line, so the quote
 *   remover in mail_text.c treats it like a plain-text quote. It never
 *   reads past the end of the input and output is at most a few times the
 *   input; it does not try to be a browser.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail_parse.h"
#include "xalloc.h"

typedef struct {
    char *p;
    size_t len, cap;
    bool space; /* a space is pending */
    bool line_start;
    int brk;   /* pending break before the next text: 1 line, 2 paragraph */
    int quote; /* blockquote depth */
} s_out_t;

static void s_put(s_out_t *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->p = xrealloc(o->p, o->cap);
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void s_text(s_out_t *o, const char *s, size_t n)
{
    if (o->brk > 0 && o->len > 0) {
        s_put(o, o->brk > 1 ? "\n\n" : "\n", (size_t)(o->brk > 1 ? 2 : 1));
        o->line_start = true;
    }
    o->brk = 0;
    if (o->line_start) {
        for (int i = 0; i < o->quote && i < 8; i++)
            s_put(o, "> ", 2);
        o->line_start = false;
    } else if (o->space)
        s_put(o, " ", 1);
    o->space = false;
    s_put(o, s, n);
}

/* Block boundaries are kept as a pending break and written before the
 * next text, so a run of them makes one break: a paragraph break (blank
 * line) when any of them was a paragraph-level element. */
static void s_newline(s_out_t *o, int level)
{
    if (level > o->brk)
        o->brk = level;
    o->space = false;
}

static void s_utf8(s_out_t *o, unsigned long c)
{
    char b[4];
    size_t n;
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = 0xFFFD;
    if (c < 0x80) {
        b[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xC0 | (c >> 6));
        b[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (char)(0xE0 | (c >> 12));
        b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (c >> 18));
        b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    if (c == 0xA0)
        s_text(o, " ", 1);
    else
        s_text(o, b, n);
}

static const struct {
    const char *name;
    unsigned long code;
} s_entities[] = {
    {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},     {"euml", 0xEB},    {"eacute", 0xE9},  {"egrave", 0xE8},  {"ecirc", 0xEA},
    {"iuml", 0xEF},     {"ouml", 0xF6},    {"uuml", 0xFC},    {"auml", 0xE4},    {"agrave", 0xE0},
    {"aacute", 0xE1},   {"ccedil", 0xE7},  {"oacute", 0xF3},  {"Eacute", 0xC9},  {"euro", 0x20AC},
    {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"ldquo", 0x201C},  {"rdquo", 0x201D}, {"bull", 0x2022},  {"copy", 0xA9},    {NULL, 0}};

/* Decodes the entity at s ('&'); returns bytes used, 0 when not one. */
static size_t s_entity(s_out_t *o, const char *s, const char *end)
{
    const char *semi = memchr(s, ';', (size_t)(end - s) < 12 ? (size_t)(end - s) : 12);
    if (!semi)
        return 0;
    size_t n = (size_t)(semi - s - 1);
    if (n >= 2 && s[1] == '#') {
        char num[12];
        memcpy(num, s + 2, n - 1);
        num[n - 1] = '\0';
        char *e;
        unsigned long c =
            (num[0] == 'x' || num[0] == 'X') ? strtoul(num + 1, &e, 16) : strtoul(num, &e, 10);
        if (*e != '\0' || e == num)
            return 0;
        s_utf8(o, c);
        return n + 2;
    }
    for (int i = 0; s_entities[i].name; i++)
        if (strlen(s_entities[i].name) == n && strncmp(s + 1, s_entities[i].name, n) == 0) {
            s_utf8(o, s_entities[i].code);
            return n + 2;
        }
    return 0;
}

static bool s_in(const char *name, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcasecmp(name, list[i]) == 0)
            return true;
    return false;
}

/* Skips past the closing tag "</name" ... ">" (for script, style, ...). */
static const char *s_skip_element(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (; p + n + 2 <= end; p++)
        if (p[0] == '<' && p[1] == '/' && strncasecmp(p + 2, name, n) == 0) {
            const char *gt = memchr(p, '>', (size_t)(end - p));
            return gt ? gt + 1 : end;
        }
    return end;
}

/* Handles the tag at p ('<'); returns the position after it. */
static const char *s_tag(s_out_t *o, const char *p, const char *end)
{
    static const char *const hidden[] = {"script", "style", "head", "title", "noscript", NULL};
    static const char *const paragraphs[] = {"p",  "table", "ul", "ol",  "h1", "h2", "h3",
                                             "h4", "h5",    "h6", "pre", "hr", NULL};
    if (end - p >= 4 && strncmp(p, "<!--", 4) == 0) {
        const char *c = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
        return c ? c + 3 : end;
    }
    const char *q = p + 1;
    bool closing = q < end && *q == '/';
    if (closing)
        q++;
    char name[16];
    size_t n = 0;
    while (q < end && n < sizeof name - 1 &&
           ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
        name[n++] = *q++;
    name[n] = '\0';
    /* End of the tag, with quoted attribute values that may hold '>'. */
    char quote = 0;
    for (; q < end; q++) {
        if (quote) {
            if (*q == quote)
                quote = 0;
        } else if (*q == '"' || *q == '\'')
            quote = *q;
        else if (*q == '>')
            break;
    }
    const char *after = q < end ? q + 1 : end;
    if (n == 0)
        return after;
    if (!closing && s_in(name, hidden))
        return s_skip_element(after, end, name);
    if (strcasecmp(name, "blockquote") == 0) {
        o->quote += closing ? (o->quote > 0 ? -1 : 0) : 1;
        s_newline(o, 2);
    } else if (strcasecmp(name, "li") == 0 && !closing) {
        s_newline(o, 1);
        s_text(o, "- ", 2);
        o->space = false;
    } else if (strcasecmp(name, "br") == 0) {
        s_newline(o, o->brk < 2 ? o->brk + 1 : 2); /* <br><br> is a blank line */
    } else if (s_in(name, paragraphs))
        s_newline(o, 2);
    else if (strcasecmp(name, "div") == 0 || strcasecmp(name, "tr") == 0 ||
             strcasecmp(name, "li") == 0)
        s_newline(o, 1);
    else if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0)
        o->space = true;
    return after;
}

/* Collapses the raw output: no trailing spaces, at most one blank line,
 * no blank lines at the start or end. */
static char *s_tidy(char *s)
{
    char *out = xmalloc(strlen(s) + 1);
    size_t len = 0;
    int newlines = 2; /* pretend we start after a blank line */
    for (char *p = s; *p; p++) {
        if (*p == '\n') {
            while (len > 0 && out[len - 1] == ' ')
                len--;
            if (++newlines <= 2)
                out[len++] = '\n';
            continue;
        }
        if (*p == ' ' && newlines > 0)
            continue;
        newlines = 0;
        out[len++] = *p;
    }
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
        len--;
    out[len] = '\0';
    free(s);
    return out;
}

char *mail_html_to_text(const char *html, size_t len)
{
    s_out_t o = {.line_start = true};
    s_put(&o, "", 0);
    const char *p = html, *end = html + len;
    while (p < end) {
        if (*p == '<') {
            p = s_tag(&o, p, end);
        } else if (*p == '&') {
            size_t used = s_entity(&o, p, end);
            if (used == 0) {
                s_text(&o, "&", 1);
                used = 1;
            }
            p += used;
        } else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            o.space = true;
            p++;
        } else {
            const char *s = p;
            while (p < end && *p != '<' && *p != '&' && *p != ' ' && *p != '\t' && *p != '\n' &&
                   *p != '\r')
                p++;
            s_text(&o, s, (size_t)(p - s));
        }
    }
    return s_tidy(o.p);
}
