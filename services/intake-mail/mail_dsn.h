/*
 * NAME
 *   mail_dsn - the hard bounce in a delivery-status report (RFC 3464), read with GMime
 *
 * SUMMARY
 *   mail_dsn_t d;
 *   mail_dsn_read(g_mime_message_get_mime_part(msg), &d);
 *   if (d.pid) ... the mail notify sent to participant d.pid failed for good ...
 *   mail_dsn_clear(&d);
 *
 * DESCRIPTION
 *   A bounce that a relay sends after it accepted our mail comes back as a
 *   multipart/report; report-type=delivery-status: a note for people, a
 *   message/delivery-status part (one block of fields about the message,
 *   then one block per recipient) and the returned mail, whole
 *   (message/rfc822) or its header only (text/rfc822-headers). Postfix,
 *   Exim and Exchange all send this form; also its RFC 6533 variant for
 *   internationalised addresses (global-delivery-status, message/global,
 *   message/global-headers).
 *
 *   mail_dsn_read() takes the first recipient block with "Action: failed"
 *   and a permanent "Status: 5.x.x": a hard bounce. "Action: delayed", or
 *   a failure with 4.x.x (a relay that gave up on a temporary fault), is
 *   not one. It also needs the returned mail's Message-ID to be one notify
 *   made ("notify.<purpose>.<key>.<pid>@<domain>", common/letter.c): the
 *   pid is taken from it. Anyone can mail a report naming any address;
 *   only the one who got our mail knows its pid, so a forged report
 *   without it marks nobody (the caller also checks that the pid's record
 *   still holds the address, mail_bounce.h).
 *
 *   Every field is parsed by GMime: each block of the delivery-status
 *   part is read as a header block (folded lines, comments), the returned
 *   mail as a message. Nothing of the report is kept but these fields.
 *
 * OWNERSHIP
 *   Strings in mail_dsn_t are malloc'd (NULL when absent); mail_dsn_clear()
 *   frees them.
 */
#ifndef INSPRAAK_MAIL_DSN_H
#define INSPRAAK_MAIL_DSN_H

#include <gmime/gmime.h>
#include <stddef.h>

typedef struct {
    char *pid;      /* from the returned mail's Message-ID; NULL: not a hard bounce of ours */
    char *final;    /* Final-Recipient address */
    char *original; /* Original-Recipient address, NULL when absent */
    char *why;      /* "5.1.1 smtp; 550 5.1.1 <...>: User unknown", at most 200 bytes */
    char *mail;     /* "receipt:<key>", "campaign:<id>": the failed mail, as notify names it */
} mail_dsn_t;

/* Reads the report in top (the message's MIME part). d is all NULL unless
 * top is a delivery-status report of a hard bounce of a notify mail. */
void mail_dsn_read(GMimeObject *top, mail_dsn_t *d);
void mail_dsn_clear(mail_dsn_t *d);

/* The transfer-decoded bytes of a part, NUL-terminated, at most max
 * (mail_parse.c; shared here). NULL when it has no content. */
char *mail_part_bytes(GMimePart *part, size_t max, size_t *len);

#endif
