/*
 * NAME
 *   mail_imap - the IMAP(S) mailbox source of intake-mail, through libcurl
 *
 * SUMMARY
 *   mail_imap_t *im = mail_imap_new(url, user, password, "Verwerkt", max_bytes);
 *   unsigned long *uids; int n = mail_imap_pending(im, &uids, err, sizeof err);
 *   for each uid: raw = mail_imap_fetch(im, uid, &len, &too_large, err, sizeof err);
 *                 ... make it durable ...; mail_imap_done(im, uid, err, sizeof err);
 *   free(uids); mail_imap_destroy(&im);
 *
 * DESCRIPTION
 *   url names the mailbox, e.g. imap://127.0.0.1:143/INBOX or
 *   imaps://mail.example.nl/INBOX. "Pending" means every message in it
 *   without the keyword $Inspraak (not "unseen": staff may have opened a
 *   mail in their own client before we got to it). mail_imap_done() sets
 *   \Seen and $Inspraak and moves the message to the done folder (UID
 *   MOVE; where the server lacks MOVE, UID COPY + \Deleted + UID EXPUNGE),
 *   creating the folder on first use. The caller calls it only once the
 *   mail is durable on our side, so a crash in between gives the same
 *   mail again next time, which the idempotent id absorbs.
 *
 *   One curl easy handle is kept, so its connection is reused between
 *   polls. Every transfer has a 60 s limit; a fetch stops at max_bytes.
 *
 * OWNERSHIP
 *   mail_imap_pending() and mail_imap_fetch() return malloc'd memory.
 */
#ifndef INSPRAAK_MAIL_IMAP_H
#define INSPRAAK_MAIL_IMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mail_imap mail_imap_t;

/* NULL when url is not imap:// or imaps:// (curl_global_init first). */
mail_imap_t *mail_imap_new(const char *url, const char *user, const char *password,
                           const char *done_folder, size_t max_bytes);
void mail_imap_destroy(mail_imap_t **self_p);

/* UIDs of pending messages, ascending. Returns the count, or -1 with err. */
int mail_imap_pending(mail_imap_t *self, unsigned long **uids, char *err, size_t errlen);

/* The raw message; NULL with err on failure. *too_large is set (and NULL
 * returned) when it is over max_bytes. */
char *mail_imap_fetch(mail_imap_t *self, unsigned long uid, size_t *len, bool *too_large, char *err,
                      size_t errlen);

/* Flags the message \Seen $Inspraak and moves it to the done folder. */
int mail_imap_done(mail_imap_t *self, unsigned long uid, char *err, size_t errlen);

#endif
