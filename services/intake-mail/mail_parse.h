/*
 * NAME
 *   mail_parse - one raw mail in, the parts an idea needs out (GMime)
 *
 * SUMMARY
 *   mail_t m;
 *   mail_limits_t lim = MAIL_LIMITS_DEFAULT;
 *   if (mail_parse(raw, len, &lim, &m, err, sizeof err) == 0) {
 *       if (m.skip == MAIL_SKIP_NONE) ... m.body is the chosen text in UTF-8 ...
 *       mail_clear(&m);
 *   }
 *
 * DESCRIPTION
 *   Pure: bytes in, a mail_t out, no I/O. The MIME work is GMime's; this
 *   module chooses the body (text/plain first, else HTML turned to text by
 *   mail_html_to_text), converts every charset to UTF-8, lists attachments
 *   (name from RFC 2231/2047 parameters, type, decoded size) and decides
 *   whether the mail is one to skip (auto-reply, bounce/DSN, mailing list).
 *   Of a bounce it reads the hard-bounced participant (mail_dsn.h).
 *
 *   Limits are checked on the raw bytes BEFORE GMime sees them: the size,
 *   and the number of multipart and message/rfc822 Content-Type headers
 *   (which bounds nesting depth too; GMime's parser recurses per level).
 *   A multipart Content-Type without a boundary is refused in that
 *   pre-check, because GMime 3.2.13 can loop forever on such a part
 *   (upstream issue #165). The service also runs the parse in a worker
 *   process with a deadline (see mail_worker.h).
 *
 * OWNERSHIP
 *   Strings in mail_t are malloc'd and owned by it; mail_clear() frees them.
 *   mail_html_to_text() returns a malloc'd string the caller frees.
 */
#ifndef INSPRAAK_MAIL_PARSE_H
#define INSPRAAK_MAIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail_dsn.h"

typedef enum {
    MAIL_SKIP_NONE = 0,
    MAIL_SKIP_AUTOREPLY, /* Auto-Submitted, X-Autoreply, Precedence, out-of-office subject */
    MAIL_SKIP_BOUNCE,    /* multipart/report, MAILER-DAEMON, Return-Path <> */
    MAIL_SKIP_LIST       /* List-Id */
} mail_skip_t;

typedef struct {
    char *name;  /* UTF-8, may be NULL */
    char *type;  /* e.g. "image/jpeg" */
    size_t size; /* decoded bytes */
} mail_attachment_t;

#define MAIL_MAX_ATTACHMENTS 32

typedef struct {
    char *message_id; /* without <>, NULL when absent */
    char *from_name;  /* UTF-8, NULL when absent */
    char *from_addr;  /* NULL when absent */
    char *subject;    /* UTF-8, RFC 2047 decoded, NULL when absent */
    int64_t date_ms;  /* Date header, 0 when absent or unreadable */
    char *body;       /* chosen text in UTF-8 ("" when none) */
    bool body_from_html;
    mail_attachment_t attachments[MAIL_MAX_ATTACHMENTS];
    int n_attachments; /* listed; more are counted in n_attachments_total */
    int n_attachments_total;
    mail_skip_t skip;
    char skip_why[160]; /* e.g. "Auto-Submitted: auto-replied" */
    mail_dsn_t dsn;     /* a bounce: the hard bounce of a notify mail it reports, if any */
} mail_t;

typedef struct {
    size_t max_bytes; /* whole message */
    int max_parts;    /* MIME parts (and multipart headers in the raw text) */
    int max_depth;    /* multipart nesting */
    size_t max_text;  /* bytes of body text kept */
} mail_limits_t;

/* 25 MiB: what the issue asks for, and above the 20-25 MB that common mail
 * servers let through, so a resident's mail with photos still arrives. */
#define MAIL_MAX_BYTES_DEFAULT (25L * 1024 * 1024)

#define MAIL_LIMITS_DEFAULT                                                                        \
    {                                                                                              \
        .max_bytes = (size_t)MAIL_MAX_BYTES_DEFAULT, .max_parts = 100, .max_depth = 8,             \
        .max_text = 256u * 1024                                                                    \
    }

/* Parses raw into *m. Returns 0, or -1 with a reason in err when the mail
 * breaks a limit or cannot be read (m is then empty). */
int mail_parse(const char *raw, size_t len, const mail_limits_t *lim, mail_t *m, char *err,
               size_t errlen);
void mail_clear(mail_t *m);

/* "autoreply", "bounce", "list" (metric label and .why file); "" for none. */
const char *mail_skip_name(mail_skip_t skip);

/* The raw-bytes checks done before GMime (size, multipart count, boundary).
 * Returns 0 or -1 with err. Public for the tests. */
int mail_precheck(const char *raw, size_t len, const mail_limits_t *lim, char *err, size_t errlen);

/* HTML to readable UTF-8 text: tags dropped, script/style/head contents
 * dropped, entities decoded, block elements become line breaks. Hand-written
 * (no HTML library is among our dependencies); small on purpose. */
char *mail_html_to_text(const char *html, size_t len);

#endif
