/*
 * NAME
 *   mailout - hand one finished message to SMTP (libcurl) or a Maildir outbox
 *
 * DESCRIPTION
 *   With INSPRAAK_SMTP_URL (smtp://host:port or smtps://host:port) a
 *   message goes out over SMTP, with INSPRAAK_SMTP_USER/PASSWORD when set
 *   and STARTTLS required when INSPRAAK_SMTP_STARTTLS=1. The server's
 *   certificate is always verified; INSPRAAK_SMTP_CA_FILE (PEM) replaces the
 *   system CA store for that. One curl handle is
 *   kept, so consecutive mails reuse the connection. INSPRAAK_SMTP_RATE
 *   (mails per second, default 10, 0 = no limit) spaces the sends.
 *   Without INSPRAAK_SMTP_URL the message is written to
 *   $INSPRAAK_VAR/mail/outbox/ as a Maildir: into tmp/, fsync'd, renamed
 *   into new/ (LF line ends, as Maildir readers expect).
 *
 *   The result says what the caller must do: MAILOUT_OK (the server took
 *   it), MAILOUT_TEMP (4xx or no connection: try again later), MAILOUT_PERM
 *   (5xx: give up, record a bounce), MAILOUT_PERM_RCPT (5xx to RCPT TO,
 *   so to the address itself, as in "550 5.1.1 no such user": a hard
 *   bounce; the address is not worth mailing again).
 */
#ifndef INSPRAAK_MAILOUT_H
#define INSPRAAK_MAILOUT_H

#include <stddef.h>

#include "config.h"

typedef enum {
    MAILOUT_OK = 0,
    MAILOUT_TEMP = 1,
    MAILOUT_PERM = 2,
    MAILOUT_PERM_RCPT = 3
} mailout_result_t;

typedef struct mailout mailout_t;

/* Reads the settings above. NULL with err on an unusable setting. */
mailout_t *mailout_new(const config_t *cfg, const char *envelope_from, char *err, size_t errlen);
void mailout_destroy(mailout_t **self_p);
/* Sends msg (CRLF line ends) to rcpt, which the caller has checked with
 * email_valid(). err gets the server's answer or the reason. */
mailout_result_t mailout_send(mailout_t *self, const char *rcpt, const char *msg, size_t len,
                              char *err, size_t errlen);
/* "smtp" or "maildir", for logs and /healthz. */
const char *mailout_kind(const mailout_t *self);

#endif
