/*
 * NAME
 *   mail_parse - GMime walk of one mail: headers, chosen body, attachments, skip verdict
 *
 * DESCRIPTION
 *   See mail_parse.h. GMime does all MIME work (structure, transfer
 *   encodings, RFC 2047/2231 decoding, charset conversion); this file only
 *   decides what to take. The raw pre-check exists because GMime 3.2.13 can
 *   hang on a multipart without boundary (upstream #165) and recurses once
 *   per nesting level while parsing.
 *
 * DIAGNOSTICS
 *   Returns -1 with a short English reason ("too large", "too many parts",
 *   "multipart without boundary", "not a mail").
 */
#define _GNU_SOURCE
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail_parse.h"
#include "xalloc.h"

static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void s_init(void)
{
    g_mime_init();
}

static char *s_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

const char *mail_skip_name(mail_skip_t skip)
{
    switch (skip) {
    case MAIL_SKIP_AUTOREPLY:
        return "autoreply";
    case MAIL_SKIP_BOUNCE:
        return "bounce";
    case MAIL_SKIP_LIST:
        return "list";
    default:
        return "";
    }
}

void mail_clear(mail_t *m)
{
    free(m->message_id);
    free(m->from_name);
    free(m->from_addr);
    free(m->subject);
    free(m->body);
    mail_dsn_clear(&m->dsn);
    for (int i = 0; i < m->n_attachments; i++) {
        free(m->attachments[i].name);
        free(m->attachments[i].type);
    }
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------------ */
/* Raw pre-check                                                      */
/* ------------------------------------------------------------------ */

/* One unfolded header starting at p (a "Content-Type:" line): does it say
 * multipart, does it carry a boundary, is it an embedded message (which
 * GMime also parses recursively)? *next is the line after it. */
static void s_ctype_line(const char *p, const char *end, bool *multi, bool *boundary, bool *message,
                         const char **next)
{
    const char *q = p;
    for (;;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        q = nl ? nl + 1 : end;
        if (q >= end || (*q != ' ' && *q != '\t'))
            break;
    }
    *multi = false;
    *boundary = false;
    *message = false;
    for (const char *s = p; s + 9 <= q; s++) {
        if (strncasecmp(s, "multipart", 9) == 0)
            *multi = true;
        if (strncasecmp(s, "message/", 8) == 0)
            *message = true;
        if (strncasecmp(s, "boundary", 8) == 0)
            *boundary = true;
    }
    *next = q;
}

int mail_precheck(const char *raw, size_t len, const mail_limits_t *lim, char *err, size_t errlen)
{
    if (len > lim->max_bytes) {
        snprintf(err, errlen, "too large (%zu bytes, limit %zu)", len, lim->max_bytes);
        return -1;
    }
    const char *p = raw, *end = raw + len;
    int multiparts = 0;
    while (p < end) {
        if ((size_t)(end - p) > 13 && strncasecmp(p, "content-type:", 13) == 0) {
            bool multi, boundary, message;
            const char *next;
            s_ctype_line(p, end, &multi, &boundary, &message, &next);
            if (multi && !boundary) {
                snprintf(err, errlen, "multipart without boundary");
                return -1;
            }
            if ((multi || message) && ++multiparts > lim->max_parts) {
                snprintf(err, errlen, "too many parts (limit %d)", lim->max_parts);
                return -1;
            }
            p = next;
            continue;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Text of a part, in UTF-8                                           */
/* ------------------------------------------------------------------ */

/* The transfer-decoded bytes of a part (NUL-terminated), or NULL (mail_dsn.h). */
char *mail_part_bytes(GMimePart *part, size_t max, size_t *len)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    if (!w)
        return NULL;
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, mem);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    size_t n = ba->len < max ? ba->len : max;
    char *out = xmalloc(n + 1);
    if (n > 0)
        memcpy(out, ba->data, n);
    out[n] = '\0';
    *len = n;
    g_object_unref(mem);
    return out;
}

/* Latin-1 labels are read as Windows-1252, its superset in practice
 * (mail clients write "iso-8859-1" and put curly quotes in 0x80-0x9f);
 * where a byte is undefined in 1252, plain Latin-1 always converts. */
static char *s_from_legacy(const char *bytes, size_t len, const char *charset)
{
    const char *tries[] = {charset, "WINDOWS-1252", "ISO-8859-1"};
    for (size_t i = 0; i < 3; i++) {
        if (!tries[i])
            continue;
        gsize w = 0;
        gchar *u = g_convert(bytes, (gssize)len, "UTF-8", tries[i], NULL, &w, NULL);
        if (u) {
            char *out = xstrndup(u, w);
            g_free(u);
            return out;
        }
    }
    return xstrdup("");
}

static bool s_is_latin1_label(const char *cs)
{
    return !cs || strcasecmp(cs, "iso-8859-1") == 0 || strcasecmp(cs, "latin1") == 0 ||
           strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0 ||
           strcasecmp(cs, "iso8859-1") == 0;
}

/* A text part's content as UTF-8 with LF line ends. */
static char *s_part_text(GMimePart *part, size_t max)
{
    const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    char *text;
    size_t len = 0;
    if (s_is_latin1_label(cs) || !GMIME_IS_TEXT_PART(part)) {
        char *bytes = mail_part_bytes(part, max, &len);
        if (!bytes)
            return xstrdup("");
        if (!cs && g_utf8_validate(bytes, (gssize)len, NULL))
            text = bytes;
        else {
            text = s_from_legacy(bytes, len, NULL);
            free(bytes);
        }
    } else {
        char *g = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
        if (!g)
            return xstrdup("");
        /* A charset iconv does not know leaves the bytes as they were;
         * read those as Windows-1252 rather than lose the letters. */
        text = g_utf8_validate(g, -1, NULL) ? xstrdup(g) : s_from_legacy(g, strlen(g), NULL);
        g_free(g);
    }
    /* CRLF -> LF; cut at max on a character boundary. */
    char *w = text;
    for (const char *r = text; *r; r++)
        if (!(r[0] == '\r' && r[1] == '\n'))
            *w++ = *r;
    *w = '\0';
    if (strlen(text) > max) {
        size_t n = max;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
        text[n] = '\0';
    }
    return text;
}

/* ------------------------------------------------------------------ */
/* The walk                                                           */
/* ------------------------------------------------------------------ */

typedef struct {
    const mail_limits_t *lim;
    mail_t *m;
    int parts;
    GMimePart *plain; /* borrowed */
    GMimePart *html;
    char err[128];
} s_walk_t;

static void s_attachment(s_walk_t *w, GMimeObject *obj)
{
    w->m->n_attachments_total++;
    if (w->m->n_attachments >= MAIL_MAX_ATTACHMENTS)
        return;
    mail_attachment_t *a = &w->m->attachments[w->m->n_attachments++];
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    a->type = xstrdup(type ? type : "application/octet-stream");
    g_free(type);
    if (GMIME_IS_PART(obj)) {
        a->name = s_dup(g_mime_part_get_filename(GMIME_PART(obj)));
        GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));
        if (dw) {
            GMimeStream *null = g_mime_stream_null_new();
            ssize_t n = g_mime_data_wrapper_write_to_stream(dw, null);
            a->size = n > 0 ? (size_t)n : 0;
            g_object_unref(null);
        }
    }
}

static int s_walk(s_walk_t *w, GMimeObject *obj, int depth)
{
    if (++w->parts > w->lim->max_parts) {
        snprintf(w->err, sizeof w->err, "too many parts (limit %d)", w->lim->max_parts);
        return -1;
    }
    if (depth > w->lim->max_depth) {
        snprintf(w->err, sizeof w->err, "nested too deep (limit %d)", w->lim->max_depth);
        return -1;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++)
            if (s_walk(w, g_mime_multipart_get_part(mp, i), depth + 1) < 0)
                return -1;
        return 0;
    }
    if (!GMIME_IS_PART(obj)) { /* message/rfc822 and the like: listed only */
        s_attachment(w, obj);
        return 0;
    }
    GMimePart *part = GMIME_PART(obj);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    bool attached = g_mime_part_is_attachment(part);
    if (!attached && ct && g_mime_content_type_is_type(ct, "text", "plain")) {
        if (!w->plain)
            w->plain = part;
        return 0;
    }
    if (!attached && ct && g_mime_content_type_is_type(ct, "text", "html")) {
        if (!w->html)
            w->html = part;
        return 0;
    }
    s_attachment(w, obj);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Skip rules                                                         */
/* ------------------------------------------------------------------ */

static const char *s_header(GMimeMessage *msg, const char *name)
{
    return g_mime_object_get_header(GMIME_OBJECT(msg), name);
}

/* Out-of-office subjects start with the client's fixed words. A prefix,
 * not a substring: "Afwezigheid van groen" is an idea. */
static bool s_ooo_subject(const char *subject)
{
    static const char *const words[] = {"afwezig",         "out of office", "automatisch antwoord",
                                        "automatic reply", "auto-reply",    "autoreply",
                                        "niet aanwezig",   "vakantie:",     NULL};
    if (!subject)
        return false;
    while (*subject == ' ' || *subject == '\t')
        subject++;
    for (int i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(subject, words[i], n) == 0) {
            char c = subject[n];
            if (c == '\0' || c == ':' || c == ' ' || c == '-' || words[i][n - 1] == ':')
                return true;
        }
    }
    return false;
}

static void s_skip(mail_t *m, mail_skip_t why, const char *name, const char *value)
{
    m->skip = why;
    snprintf(m->skip_why, sizeof m->skip_why, "%s: %.120s", name, value ? value : "");
}

static bool s_value_is(const char *v, const char *word)
{
    while (v && (*v == ' ' || *v == '\t'))
        v++;
    size_t n = strlen(word);
    return v && strncasecmp(v, word, n) == 0 &&
           (v[n] == '\0' || v[n] == ';' || v[n] == ' ' || v[n] == '\t' || v[n] == '\r');
}

static void s_verdict(GMimeMessage *msg, mail_t *m)
{
    const char *v;
    GMimeObject *top = g_mime_message_get_mime_part(msg);
    GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
    if (ct && g_mime_content_type_is_type(ct, "multipart", "report"))
        return s_skip(m, MAIL_SKIP_BOUNCE, "Content-Type", "multipart/report");
    if ((v = s_header(msg, "Return-Path")) && s_value_is(v, "<>"))
        return s_skip(m, MAIL_SKIP_BOUNCE, "Return-Path", v);
    if (m->from_addr && strncasecmp(m->from_addr, "mailer-daemon@", 14) == 0)
        return s_skip(m, MAIL_SKIP_BOUNCE, "From", m->from_addr);
    if ((v = s_header(msg, "List-Id")))
        return s_skip(m, MAIL_SKIP_LIST, "List-Id", v);
    if ((v = s_header(msg, "Auto-Submitted")) && !s_value_is(v, "no"))
        return s_skip(m, MAIL_SKIP_AUTOREPLY, "Auto-Submitted", v);
    if ((v = s_header(msg, "X-Autoreply")) || (v = s_header(msg, "X-Autorespond")))
        return s_skip(m, MAIL_SKIP_AUTOREPLY, "X-Autoreply", v);
    if ((v = s_header(msg, "Precedence")) &&
        (s_value_is(v, "bulk") || s_value_is(v, "junk") || s_value_is(v, "list")))
        return s_skip(m, MAIL_SKIP_AUTOREPLY, "Precedence", v);
    if (s_ooo_subject(m->subject))
        return s_skip(m, MAIL_SKIP_AUTOREPLY, "Subject", m->subject);
}

/* ------------------------------------------------------------------ */
/* Entry                                                              */
/* ------------------------------------------------------------------ */

static void s_headers(GMimeMessage *msg, mail_t *m)
{
    m->message_id = s_dup(g_mime_message_get_message_id(msg));
    m->subject = s_dup(g_mime_message_get_subject(msg));
    if (m->subject && !g_utf8_validate(m->subject, -1, NULL)) {
        char *fixed = s_from_legacy(m->subject, strlen(m->subject), NULL);
        free(m->subject);
        m->subject = fixed;
    }
    InternetAddressList *from = g_mime_message_get_from(msg);
    if (from && internet_address_list_length(from) > 0) {
        InternetAddress *a = internet_address_list_get_address(from, 0);
        const char *name = internet_address_get_name(a);
        if (name && *name && g_utf8_validate(name, -1, NULL))
            m->from_name = xstrdup(name);
        if (INTERNET_ADDRESS_IS_MAILBOX(a))
            m->from_addr = s_dup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
    }
    GDateTime *d = g_mime_message_get_date(msg);
    if (d)
        m->date_ms = (int64_t)g_date_time_to_unix(d) * 1000;
}

int mail_parse(const char *raw, size_t len, const mail_limits_t *lim, mail_t *m, char *err,
               size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (mail_precheck(raw, len, lim, err, errlen) < 0)
        return -1;
    pthread_once(&s_once, s_init);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);
    if (!msg) {
        snprintf(err, errlen, "not a mail");
        return -1;
    }
    s_headers(msg, m);
    s_walk_t w = {.lim = lim, .m = m};
    GMimeObject *top = g_mime_message_get_mime_part(msg);
    int rc = top ? s_walk(&w, top, 0) : 0;
    if (rc == 0) {
        if (w.plain)
            m->body = s_part_text(w.plain, lim->max_text);
        else if (w.html) {
            char *html = s_part_text(w.html, lim->max_text * 4);
            m->body = mail_html_to_text(html, strlen(html));
            m->body_from_html = true;
            free(html);
        } else
            m->body = xstrdup("");
        s_verdict(msg, m);
        if (m->skip == MAIL_SKIP_BOUNCE)
            mail_dsn_read(top, &m->dsn);
    }
    g_object_unref(msg);
    if (rc < 0) {
        snprintf(err, errlen, "%s", w.err);
        mail_clear(m);
    }
    return rc;
}
