/*
 * NAME
 *   mail_dsn - hard bounce of a notify mail, from an RFC 3464 report
 *
 * DESCRIPTION
 *   See mail_dsn.h. GMime does the MIME structure and every header block;
 *   this file only chooses which block and which fields count.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail_dsn.h"
#include "xalloc.h"

#define S_MAX_BYTES (64u * 1024) /* a report's fields; real ones are < 2 KiB */
#define S_MAX_BLOCKS 50          /* recipient blocks looked at */

void mail_dsn_clear(mail_dsn_t *d)
{
    free(d->pid);
    free(d->final);
    free(d->original);
    free(d->why);
    free(d->mail);
    memset(d, 0, sizeof *d);
}

/* A block of "Name: value" lines read by GMime as a message's header. */
static GMimeMessage *s_header_block(const char *bytes, size_t len)
{
    GMimeStream *stream = g_mime_stream_mem_new();
    g_mime_stream_write(stream, bytes, len);
    g_mime_stream_write_string(stream, "\n\n");
    g_mime_stream_reset(stream);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);
    return msg;
}

static const char *s_field(GMimeMessage *block, const char *name)
{
    return g_mime_object_get_header(GMIME_OBJECT(block), name);
}

/* "rfc822; Gerda@Example.nl" -> "Gerda@Example.nl" (NULL for another
 * address type or nothing usable). */
static char *s_address(const char *v)
{
    if (!v)
        return NULL;
    const char *semi = strchr(v, ';');
    if (!semi)
        return NULL;
    while (*v == ' ' || *v == '\t')
        v++;
    if ((size_t)(semi - v) != 6 || strncasecmp(v, "rfc822", 6) != 0)
        return NULL;
    const char *a = semi + 1;
    while (*a == ' ' || *a == '\t' || *a == '<')
        a++;
    size_t n = strcspn(a, " \t<>;");
    return n > 0 && n <= 254 && memchr(a, '@', n) ? xstrndup(a, n) : NULL;
}

/* A permanent failure: "5." digits "." digits, nothing after but space. */
static bool s_permanent(const char *status)
{
    if (!status)
        return false;
    while (*status == ' ' || *status == '\t')
        status++;
    if (status[0] != '5' || status[1] != '.')
        return false;
    const char *p = status + 2;
    int groups = 0;
    for (;;) {
        const char *start = p;
        while (isdigit((unsigned char)*p))
            p++;
        if (p == start || p - start > 3)
            return false;
        if (++groups == 2)
            break;
        if (*p++ != '.')
            return false;
    }
    return *p == '\0' || *p == ' ' || *p == '\t' || *p == '(';
}

static bool s_is(const char *v, const char *word)
{
    while (v && (*v == ' ' || *v == '\t'))
        v++;
    size_t n = strlen(word);
    return v && strncasecmp(v, word, n) == 0 && (v[n] == '\0' || v[n] == ' ' || v[n] == '(');
}

/* One recipient block: the failed recipient into d when it is a hard
 * bounce. Returns true when it was. */
static bool s_recipient(GMimeMessage *block, mail_dsn_t *d)
{
    const char *status = s_field(block, "Status");
    if (!s_is(s_field(block, "Action"), "failed") || !s_permanent(status))
        return false;
    char *final = s_address(s_field(block, "Final-Recipient"));
    if (!final)
        return false;
    d->final = final;
    d->original = s_address(s_field(block, "Original-Recipient"));
    const char *diag = s_field(block, "Diagnostic-Code");
    while (*status == ' ')
        status++;
    char why[201];
    snprintf(why, sizeof why, "%.*s%s%s", (int)strcspn(status, " \t("), status, diag ? " " : "",
             diag ? diag : "");
    /* One line: a folded Diagnostic-Code keeps its fold's spaces. */
    char *w = why;
    for (const char *r = why; *r; r++)
        if (!((*r == ' ' || *r == '\t') && w > why && w[-1] == ' '))
            *w++ = *r == '\t' ? ' ' : *r;
    *w = '\0';
    d->why = xstrdup(why);
    return true;
}

/* The delivery-status part: the blocks after the first (which is about
 * the message), until a hard-bounced recipient. */
static void s_status_part(GMimePart *part, mail_dsn_t *d)
{
    size_t len = 0;
    char *text = mail_part_bytes(part, S_MAX_BYTES, &len);
    if (!text)
        return;
    char *w = text; /* CRLF -> LF, so that a blank line is "\n\n" */
    for (const char *r = text; *r; r++)
        if (*r != '\r')
            *w++ = *r;
    *w = '\0';
    const char *p = text;
    for (int i = 0; *p && i < S_MAX_BLOCKS && !d->final; i++) {
        while (*p == '\n')
            p++;
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (i > 0 && n > 0) {
            GMimeMessage *block = s_header_block(p, n);
            if (block) {
                s_recipient(block, d);
                g_object_unref(block);
            }
        }
        p += n;
    }
    free(text);
}

/* The returned mail's Message-ID (whole mail or header only); NULL when
 * the report did not return it. */
static char *s_returned_msgid(GMimeObject *obj)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    const char *id = NULL;
    char *out = NULL;
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *msg = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        id = msg ? g_mime_message_get_message_id(msg) : NULL;
        return id ? xstrdup(id) : NULL;
    }
    if (!GMIME_IS_PART(obj) || !ct ||
        !(g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
          g_mime_content_type_is_type(ct, "message", "global-headers")))
        return NULL;
    size_t len = 0;
    char *bytes = mail_part_bytes(GMIME_PART(obj), S_MAX_BYTES, &len);
    if (!bytes)
        return NULL;
    GMimeMessage *msg = s_header_block(bytes, len);
    free(bytes);
    if (msg) {
        id = g_mime_message_get_message_id(msg);
        out = id ? xstrdup(id) : NULL;
        g_object_unref(msg);
    }
    return out;
}

/* "notify.receipt.<key>.<pid>@<domain>" -> "<pid>", and *mail the
 * "receipt:<key>" notify names that mail by (notify/README.md); NULL
 * (and *mail NULL) for any other. */
static char *s_pid_of(const char *msgid, char **mail)
{
    *mail = NULL;
    if (!msgid || strncmp(msgid, "notify.", 7) != 0)
        return NULL;
    const char *at = strchr(msgid, '@');
    if (!at)
        return NULL;
    const char *start = at;
    while (start > msgid + 7 && start[-1] != '.')
        start--;
    size_t n = (size_t)(at - start);
    if (start == msgid + 7 || n == 0 || n > 64)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)start[i]) && start[i] != '-')
            return NULL;
    /* "<purpose>.<key>" between "notify." and ".<pid>" */
    const char *what = msgid + 7, *what_end = start - 1, *dot = NULL;
    for (const char *c = what; c < what_end; c++)
        if (*c == '.' && !dot)
            dot = c;
        else if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
            return NULL;
    if (!dot || dot == what || dot + 1 == what_end || what_end - what > 128)
        return NULL;
    *mail = xstrndup(what, (size_t)(what_end - what));
    (*mail)[dot - what] = ':';
    return xstrndup(start, n);
}

void mail_dsn_read(GMimeObject *top, mail_dsn_t *d)
{
    memset(d, 0, sizeof *d);
    GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
    if (!GMIME_IS_MULTIPART(top) || !ct || !g_mime_content_type_is_type(ct, "multipart", "report"))
        return;
    const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
    if (!rt ||
        (strcasecmp(rt, "delivery-status") != 0 && strcasecmp(rt, "global-delivery-status") != 0))
        return;
    GMimeMultipart *mp = GMIME_MULTIPART(top);
    char *msgid = NULL;
    int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; i++) {
        GMimeObject *part = g_mime_multipart_get_part(mp, i);
        GMimeContentType *pct = g_mime_object_get_content_type(part);
        if (GMIME_IS_PART(part) && pct &&
            (g_mime_content_type_is_type(pct, "message", "delivery-status") ||
             g_mime_content_type_is_type(pct, "message", "global-delivery-status")) &&
            !d->final)
            s_status_part(GMIME_PART(part), d);
        else if (!msgid)
            msgid = s_returned_msgid(part);
    }
    d->pid = d->final ? s_pid_of(msgid, &d->mail) : NULL;
    free(msgid);
    if (!d->pid)
        mail_dsn_clear(d);
}
