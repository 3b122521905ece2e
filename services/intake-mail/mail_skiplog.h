/*
 * NAME
 *   mail_skiplog - the list of skipped mails that staff see in the dashboard
 *
 * SUMMARY
 *   char *j = mail_skiplog_json(&r, now_ms);     ... free(j);
 *   mail_skiplog_record(rs, &r, now_ms);          (best effort)
 *
 * DESCRIPTION
 *   Every mail that makes no idea on purpose (auto-reply, bounce, list
 *   mail, no new text) is pushed as JSON onto the Redis list
 *   inspraak:mail:skipped (newest first, LPUSH + LTRIM to
 *   MAIL_SKIPLOG_MAX; docs/redis.md), which the dashboard shows on
 *   /overgeslagen. Only what staff need to judge the skip is kept:
 *     {"at": <ms>, "reason": "autoreply: Auto-Submitted: auto-replied",
 *      "subject": "...", "from_domain": "example.nl"}
 *   never the sender's address or name (the reason drops a From value).
 *   A Redis failure is logged and counted by the caller; the mail itself
 *   is handled as before (the Maildir skipped/ folder stays the record).
 *
 * OWNERSHIP
 *   mail_skiplog_json() returns a malloc'd string the caller frees.
 */
#ifndef INSPRAAK_MAIL_SKIPLOG_H
#define INSPRAAK_MAIL_SKIPLOG_H

#include <stdint.h>

#include "mail_worker.h"
#include "rstore.h"

#define MAIL_SKIPLOG_KEY "inspraak:mail:skipped"
#define MAIL_SKIPLOG_MAX 1000

/* The JSON entry for a skipped result r. */
char *mail_skiplog_json(const mail_result_t *r, int64_t now_ms);

/* LPUSH + LTRIM. Returns 0, or -1 when Redis failed (rstore_error). */
int mail_skiplog_record(rstore_t *rs, const mail_result_t *r, int64_t now_ms);

#endif
