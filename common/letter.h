/*
 * NAME
 *   letter - the mails notify sends: receipts and campaign mails (GMime)
 *
 * SUMMARY
 *   letter_settings_t ls; letter_settings_load(&ls, &cfg);
 *   letter_t l; int r = letter_receipt(rs, &ls, pid, ids, n, &l, err, sizeof err);
 *   letter_mime(&ls, &l, &msg, &len, err, sizeof err);   ... free(msg);
 *   letter_clear(&l);
 *
 * DESCRIPTION
 *   Shared by bin/notify (sending) and bin/inspraakctl (campaign preview and
 *   test). A letter is composed from the Dutch templates in
 *   $INSPRAAK_DATA/mail/ (receipt.subject, receipt.txt, receipt.html,
 *   campaign.txt, campaign.html), read at every use so the municipality can
 *   change them without a restart. Placeholders: {{naam}}, {{ideeen}},
 *   {{resultaten_url}}, {{afmelden_url}}, {{bijeenkomst}}, {{tekst}} (the
 *   campaign text, itself rendered with the same placeholders). In the HTML
 *   alternative every value is HTML-escaped. The texts a resident typed
 *   (each quoted idea, at most 600 bytes, and the name in {{naam}} and To)
 *   go out without web links and email addresses (letter_quote.h): the
 *   person who typed them may not be the one who gets the mail.
 *
 *   Who gets nothing: a participant without a record, without consent
 *   (consent_feedback != 1), in inspraak:unsubscribed, or whose address
 *   fails email_valid() (which refuses CR, LF and anything else outside an
 *   addr-spec, so no participant value can add a header or recipient).
 *   One exception to consent: a receipt that answers the participant's own
 *   mail (ideas with channel "email" and a source Message-ID; INTERFACES.md
 *   "Email", docs/privacy.md). Without consent a receipt lists only such
 *   ideas and is sent as a reply to the newest of them; campaigns always
 *   need consent_feedback 1. Unsubscribed participants get nothing at all.
 *   Headers are only ever set through GMime's API (RFC 2047 encoding of
 *   display names and Subject).
 *
 * OWNERSHIP
 *   letter_t members are malloc'd and freed by letter_clear(). letter_mime()
 *   returns a malloc'd buffer (CRLF line ends) the caller frees.
 */
#ifndef INSPRAAK_LETTER_H
#define INSPRAAK_LETTER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "rstore.h"

#define LETTER_MAX_IDEAS 50
/* {{naam}} for a participant who gave no name: "Beste deelnemer," */
#define LETTER_NO_NAME "deelnemer"

typedef struct {
    char tpl_dir[600];       /* $INSPRAAK_DATA/mail */
    char public_url[512];    /* INSPRAAK_PUBLIC_URL [http://localhost:PORT_BASE+10] */
    char notify_url[512];    /* INSPRAAK_NOTIFY_PUBLIC_URL [http://localhost:PORT_BASE+6] */
    char form_url[512];      /* INSPRAAK_FORM_PUBLIC_URL [http://localhost:PORT_BASE+0] */
    char from[512];          /* INSPRAAK_MAIL_FROM ["Gemeente Heerlen <inspraak@heerlen.nl>"] */
    char from_addr[300];     /* the address part of from (envelope sender) */
    char domain[256];        /* for Message-IDs: domain of from_addr */
    unsigned char key[32];   /* unsubscribe signing key (unsubscribe.h) */
} letter_settings_t;

typedef struct {
    char *pid;
    char *to_addr;
    char *to_name;      /* may be NULL */
    char *subject;
    char *text;
    char *html;
    char *message_id;   /* without <> */
    char *in_reply_to;  /* without <>, or NULL */
    char *unsub_url;
} letter_t;

/* Fills ls from the environment and the secret file (unsubscribe.h).
 * Returns 0, or -1 with err. */
int letter_settings_load(letter_settings_t *ls, const config_t *cfg, char *err, size_t errlen);

/* Composes a receipt for pid naming the ideas ids[0..n). Returns 0 when
 * composed, 1 when pid must get nothing (err says why, the first that
 * applies: no_participant, unsubscribed, no_consent, bad_address,
 * bounced_address, no_ideas; unsubscribed before no_consent, as an
 * unsubscribe also sets consent_feedback 0), -1 on a Redis or template
 * error. */
int letter_receipt(rstore_t *rs, const letter_settings_t *ls, const char *pid,
                   const char *const *ids, size_t n, const char *key, letter_t *out, char *err,
                   size_t errlen);

/* Composes campaign campaign_id (inspraak:campaign:<id>) for pid, listing
 * the ideas in inspraak:participant-ideas:<pid> in the order they were
 * received (their inspraak:ideas score), oldest first, at most
 * LETTER_MAX_IDEAS; once notify has listed the campaign's recipients (its
 * field listed_at, ms), only the ideas received until then (notify waits
 * for their receipts, services/notify/README.md). Return values as above.
 * pid NULL: a sample (for a test mail) with no person's data and no ideas;
 * the caller sets out->to_addr (malloc'd). */
int letter_campaign(rstore_t *rs, const letter_settings_t *ls, const char *campaign_id,
                    const char *pid, letter_t *out, char *err, size_t errlen);

/* The whole message (multipart/alternative, Message-ID, Date, From, To,
 * Subject, In-Reply-To/References, List-Unsubscribe, List-Unsubscribe-Post).
 * Returns 0, or -1 with err (e.g. an address GMime cannot use). */
int letter_mime(const letter_settings_t *ls, const letter_t *l, char **msg, size_t *len, char *err,
                size_t errlen);

/* Renders tpl replacing {{name}} by vals[i] for names[i] (n pairs; the
 * first match wins; a NULL value is skipped). With html, values are
 * HTML-escaped, except those whose name starts with '!': they are ready
 * HTML, used only when html is set, matched without the '!'.
 * Unknown placeholders render as nothing. Caller frees. */
char *letter_render(const char *tpl, const char *const *names, const char *const *vals, size_t n,
                    int html);

/* A participant's pid for an email (inspraak:participant-email:<hex>), into
 * out. Returns 1 found, 0 not found, -1 Redis error. */
int letter_pid_for_email(rstore_t *rs, const char *email, char *out, size_t size);

/* The idea text of a mail with only photos and no words (intake-mail
 * stores it: "[Alleen een foto gestuurd, ...]"). Caller frees. */
char *letter_photo_only_text(int photos);
/* The number of photos when text is exactly such a text, else 0. */
int letter_photo_only(const char *text);
/* The receipt's question for a few words under such an idea (static). */
const char *letter_photo_question(int photos);

void letter_clear(letter_t *l);

#endif
