/*
 * NAME
 *   mail_bounce - mark a participant whose address bounced (a DSN in the mailbox)
 *
 * SUMMARY
 *   int rc = mail_bounce_mark(rs, &r.dsn);  // 1 marked, 0 not, -1 Redis error
 *
 * DESCRIPTION
 *   notify marks a participant when the SMTP server refuses the address
 *   at RCPT TO (services/notify/outbox.c); a relay that accepted the mail
 *   and failed later sends a delivery-status report instead, which
 *   intake-mail reads (mail_dsn.h). This sets the same two fields on
 *   inspraak:participant:<pid>: email_bounced_at (ms) and email_bounce
 *   ("dsn <status> <diagnostic>"), so common/letter.c sends that record
 *   no more receipts or campaigns. Only while the record's email is the
 *   failed address (Original- or Final-Recipient, ASCII case ignored): a
 *   report naming another address, or one about an address the
 *   participant has since changed, marks nothing.
 *
 *   In the same step it records the failed mail in notify's
 *   inspraak:notify:bounced (pid -> "<ms> <purpose>:<key> dsn <status>
 *   <diagnostic>"), as notify does for a refusal at RCPT TO, so that
 *   inspraakctl participant export's "bounce" shows it whichever way the
 *   failure came back. These are the only keys intake-mail writes besides
 *   its skipped list (mail_skiplog.h); export shows them and erase
 *   removes them with the record.
 */
#ifndef INSPRAAK_MAIL_BOUNCE_H
#define INSPRAAK_MAIL_BOUNCE_H

#include "mail_dsn.h"
#include "rstore.h"

int mail_bounce_mark(rstore_t *rs, const mail_dsn_t *d);

#endif
