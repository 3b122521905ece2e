/*
 * NAME
 *   letter_int - private parts of letter, shared by letter.c,
 *   letter_campaign.c and letter_mime.c only
 *
 * DESCRIPTION
 *   Not an API: nothing outside letter*.c includes this.
 */
#ifndef INSPRAAK_LETTER_INT_H
#define INSPRAAK_LETTER_INT_H

#include <stddef.h>

#include "letter.h"

/* g_mime_init(), once per process, from any thread. */
void letter_gmime_init(void);

/* Message-IDs from ideas go into In-Reply-To: only printable ASCII without
 * spaces or angle brackets is accepted, so nothing from a resident's mail
 * can break out of the header. 1 when s is such an id, else 0. */
int letter_msgid_ok(const char *s);

/* Appends n bytes of s to the growing string *buf (*len used, *cap
 * allocated; kept NUL-terminated). */
void letter_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);

/* Reads participant pid into out (to_addr, to_name, unsubscribe link).
 * implied: a missing consent is no refusal (a receipt that answers the
 * participant's own mail, INTERFACES.md "Email"); *consented says whether
 * consent_feedback was 1. Unsubscribe and the address check still apply.
 * 0 = may get mail, 1 = gets none (reason in err), -1 on a Redis error. */
int letter_participant(rstore_t *rs, const letter_settings_t *ls, const char *pid, int implied,
                       int *consented, letter_t *out, char *err, size_t errlen);

/* {{naam}}: the participant's name, or LETTER_NO_NAME. */
const char *letter_greeting_name(const letter_t *l);

/* The ideas' list in text and HTML; the newest mail Message-ID into
 * *reply_to. only_mail: list only ideas that came in by mail. receipt:
 * under a mail of only photos, ask for a few words. Returns the number of
 * ideas found, -1 on a Redis error. */
int letter_ideas(rstore_t *rs, const char *const *ids, size_t n, int only_mail, int receipt,
                 char **text, char **html, char **reply_to, char *err, size_t errlen);

/* Fills subject/text/html from templates base.txt/base.html with vars. */
int letter_fill(const letter_settings_t *ls, const char *base, const char *const *names,
                const char *const *vals, size_t nv, letter_t *out, char *err, size_t errlen);

#endif
