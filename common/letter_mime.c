/*
 * NAME
 *   letter_mime - a composed letter as one MIME message (see letter.h,
 *   letter_mime)
 *
 * DESCRIPTION
 *   Moved from letter.c, which composes the letter; this file only turns a
 *   letter_t into the bytes notify hands to SMTP: From, To, Subject,
 *   Date, Message-ID, In-Reply-To/References, List-Unsubscribe and a
 *   text/plain + text/html alternative, every header set through GMime's
 *   API (RFC 2047 encoding) except List-Unsubscribe, set raw after a check.
 */
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "email_idn.h"
#include "letter.h"
#include "letter_int.h"
#include "validate.h"
#include "xalloc.h"

/* The body goes in as its UTF-8 bytes. g_mime_text_part_set_text() would
 * convert it to ISO-8859-1 whenever it fits (every Dutch text), so with
 * charset=utf-8 named on top, a reader saw a broken character for the
 * "ë" of "ideeën". */
static GMimeObject *s_part(const char *subtype, const char *body)
{
    GMimeTextPart *p = g_mime_text_part_new_with_subtype(subtype);
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(body, strlen(body));
    GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(GMIME_PART(p), w);
    g_object_unref(w);
    g_object_unref(s);
    g_mime_text_part_set_charset(p, "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(p), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return GMIME_OBJECT(p);
}

int letter_mime(const letter_settings_t *ls, const letter_t *l, char **msg, size_t *len, char *err,
                size_t errlen)
{
    letter_gmime_init();
    if (!l->to_addr || !email_valid(l->to_addr) || !l->subject || !l->text || !l->html) {
        snprintf(err, errlen, "incomplete letter or unusable address");
        return -1;
    }
    if (!utf8_valid(l->subject, strlen(l->subject)) || strpbrk(l->subject, "\r\n")) {
        snprintf(err, errlen, "subject is not one line of UTF-8");
        return -1;
    }
    GMimeMessage *m = g_mime_message_new(TRUE);
    InternetAddressList *from = internet_address_list_parse(NULL, ls->from);
    internet_address_list_append(g_mime_message_get_from(m), from);
    g_object_unref(from);
    char *to = email_idn_ascii(l->to_addr); /* the header says what the envelope says */
    g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, l->to_name ? l->to_name : "",
                               to ? to : l->to_addr);
    free(to);
    g_mime_message_set_subject(m, l->subject, "utf-8");
    GDateTime *now = g_date_time_new_now_local();
    g_mime_message_set_date(m, now);
    g_date_time_unref(now);
    g_mime_message_set_message_id(m, l->message_id);
    GMimeObject *o = GMIME_OBJECT(m);
    if (l->in_reply_to && letter_msgid_ok(l->in_reply_to)) {
        char *v = xasprintf("<%s>", l->in_reply_to);
        g_mime_object_set_header(o, "In-Reply-To", v, NULL);
        g_mime_object_set_header(o, "References", v, NULL);
        free(v);
    }
    if (l->unsub_url) {
        /* Set raw: GMime would RFC 2047-encode a long unstructured value,
         * which breaks the URL. The URL is ours (base + pid + base64url),
         * checked to be printable ASCII without spaces below. */
        for (const char *c = l->unsub_url; *c; c++)
            if (*c <= 32 || *c >= 127 || *c == '<' || *c == '>') {
                snprintf(err, errlen, "unsubscribe URL is not plain ASCII");
                g_object_unref(m);
                return -1;
            }
        char *v = xasprintf(" <%s>\n", l->unsub_url);
        g_mime_object_set_header(o, "List-Unsubscribe", "x", NULL);
        g_mime_header_set_raw_value(
            g_mime_header_list_get_header(g_mime_object_get_header_list(o), "List-Unsubscribe"), v);
        g_mime_object_set_header(o, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click", NULL);
        free(v);
    }
    g_mime_object_set_header(o, "Auto-Submitted", "auto-generated", NULL);
    GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
    GMimeObject *tp = s_part("plain", l->text), *hp = s_part("html", l->html);
    g_mime_multipart_add(alt, tp);
    g_mime_multipart_add(alt, hp);
    g_object_unref(tp);
    g_object_unref(hp);
    g_mime_message_set_mime_part(m, GMIME_OBJECT(alt));
    g_object_unref(alt);
    GMimeFormatOptions *fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    char *s = g_mime_object_to_string(o, fo);
    g_mime_format_options_free(fo);
    g_object_unref(m);
    *len = strlen(s);
    *msg = xstrndup(s, *len);
    g_free(s);
    return 0;
}
