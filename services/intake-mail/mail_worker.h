/*
 * NAME
 *   mail_worker - read one mail in a child process with a deadline
 *
 * SUMMARY
 *   mail_result_t r;
 *   mail_worker_run(raw, len, &lim, 10000, &r);
 *   switch (r.status) { case MAIL_RESULT_IDEA: ... r.text ...; }
 *   mail_result_clear(&r);
 *
 * DESCRIPTION
 *   A hostile mail must not hang or crash the service: GMime 3.2.13 loops
 *   forever on some malformed multiparts (upstream #165) and any parser
 *   may have bugs we do not know. So the parse (mail_parse), the clean-up
 *   (mail_text) and the choice of idea text run in a forked child that
 *   writes its result into a pipe; the parent waits at most deadline_ms
 *   and then kills it. A child that dies, hangs or writes garbage gives
 *   MAIL_RESULT_FAILED with a reason; the caller carries on.
 *
 * OWNERSHIP
 *   Strings in mail_result_t are malloc'd; mail_result_clear() frees them.
 */
#ifndef INSPRAAK_MAIL_WORKER_H
#define INSPRAAK_MAIL_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "mail_parse.h"

#define MAIL_RESULT_MAX_ATTACHMENTS 20 /* = PROTO_MAX_ATTACHMENTS */
#define MAIL_RESULT_MAX_NAME 200       /* bytes of an attachment name */
#define MAIL_RESULT_MAX_TYPE 100       /* bytes of its MIME type */

typedef enum {
    MAIL_RESULT_FAILED = 0, /* unreadable, over a limit, crashed or timed out */
    MAIL_RESULT_IDEA,
    MAIL_RESULT_SKIPPED
} mail_result_status_t;

typedef struct {
    mail_result_status_t status;
    char *why;        /* FAILED: reason; SKIPPED: e.g. "Auto-Submitted: auto-replied" */
    char *skip;       /* SKIPPED: "autoreply", "bounce", "list", "empty" */
    char *message_id; /* may be NULL */
    char *from_name;
    char *from_addr;
    char *subject;
    char *text;        /* IDEA: the idea text (subject + new words) */
    int n_attachments; /* all of them, also those not listed */
    /* the first MAIL_RESULT_MAX_ATTACHMENTS, listed in the idea (never
     * stored): name normalised to one line and cut to
     * MAIL_RESULT_MAX_NAME bytes (NULL when none), type lower case */
    mail_attachment_t listed[MAIL_RESULT_MAX_ATTACHMENTS];
    int n_listed;
    int64_t date_ms;
    /* SKIPPED "bounce" reporting a hard bounce of a notify mail
     * (mail_dsn.h): the participant, the failed address(es), the status;
     * all NULL otherwise. main.c marks the participant (mail_bounce.h). */
    mail_dsn_t dsn;
} mail_result_t;

/* Does the whole job in this process (no fork). For tests and the child. */
void mail_worker_read(const char *raw, size_t len, const mail_limits_t *lim, mail_result_t *r);

/* The same in a child process, waiting at most deadline_ms. */
void mail_worker_run(const char *raw, size_t len, const mail_limits_t *lim, long deadline_ms,
                     mail_result_t *r);

/* Any reader in a child process with the deadline: what mail_worker_run()
 * does with mail_worker_read. Public so a test can hand it a reader that
 * hangs or crashes and see the parent survive. */
typedef void (*mail_reader_fn)(const char *raw, size_t len, const mail_limits_t *lim,
                               mail_result_t *r);
void mail_worker_call(mail_reader_fn fn, const char *raw, size_t len, const mail_limits_t *lim,
                      long deadline_ms, mail_result_t *r);

void mail_result_clear(mail_result_t *r);

#endif
