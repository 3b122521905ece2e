/*
 * NAME
 *   campaign - feedback campaigns in Redis: create, list, status, start,
 *   pause, resume, and the sample and test mails
 *
 * SUMMARY
 *   char id[CAMPAIGN_ID_MAX];
 *   campaign_create(rs, subject, text, meeting, now_ms, id, sizeof id);
 *   campaign_act(rs, id, CAMPAIGN_START);      ... bin/notify sends ...
 *   json_t *st = campaign_status(rs, id, &found);
 *
 * DESCRIPTION
 *   One implementation for both front ends: `inspraakctl campaign` and the
 *   dashboard's /campagnes page. A campaign is the hash
 *   inspraak:campaign:<id> (subject, text, meeting, state
 *   draft|running|paused|done, created_at, and, written by notify, total,
 *   sent, skipped, bounced, populated, listed_at) and its id in the ZSET
 *   inspraak:campaigns (score created_at). Ids are "c-<n>" from INCR
 *   inspraak:campaign-seq. bin/notify does the sending
 *   (services/notify/outbox_campaign.c): start and resume only set the
 *   state, so whoever changes it, notify picks it up on its next scan.
 *   The text may hold the placeholders of data/mail/README.md; the letter
 *   itself is composed by letter.h, exactly as notify composes it.
 *
 *   State changes are one Lua script (check and set in one step), so two
 *   staff members pressing "start" at once start it once.
 *
 * OWNERSHIP
 *   campaign_status() and campaign_list() return new JSON references the
 *   caller decrefs. campaign_letter() fills a letter_t the caller clears
 *   with letter_clear().
 */
#ifndef INSPRAAK_CAMPAIGN_H
#define INSPRAAK_CAMPAIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "letter.h"
#include "rstore.h"

#define CAMPAIGN_TEXT_MAX (64 * 1024) /* bytes of the campaign text */
#define CAMPAIGN_ID_MAX 32

typedef enum { CAMPAIGN_START = 0, CAMPAIGN_PAUSE, CAMPAIGN_RESUME } campaign_action_t;

/* true for "c-<digits>" (what campaign_create makes), at most 30 bytes. */
bool campaign_id_valid(const char *id);
/* A subject: 1 line of UTF-8, not empty. A meeting: one line of UTF-8
 * (may be empty). A text: UTF-8 of 1..CAMPAIGN_TEXT_MAX bytes. */
bool campaign_subject_ok(const char *s);
bool campaign_meeting_ok(const char *s);
bool campaign_text_ok(const char *s, size_t len);

/* Creates a draft; its id goes to id. The caller has checked the values
 * with the functions above. Returns 0, or -1 (Redis: rstore_error). */
int campaign_create(rstore_t *rs, const char *subject, const char *text, const char *meeting,
                    int64_t now_ms, char *id, size_t idsize);

/* The state a campaign action leads to: "running", "paused", "running". */
const char *campaign_action_state(campaign_action_t a);
/* start: draft -> running; pause: running -> paused; resume: paused ->
 * running. Returns 1 done, 0 not allowed from the current state, -2 no
 * such campaign, -1 Redis error. */
int campaign_act(rstore_t *rs, const char *id, campaign_action_t a);

/* {"id", the hash's fields in its order except text and populated (the
 * counts as numbers), "to_do"}: the answer of `inspraakctl campaign
 * status`. NULL when absent (*found 0) or on a Redis error (*found -1). */
json_t *campaign_status(rstore_t *rs, const char *id, int *found);
/* The newest max campaigns' statuses, newest first; NULL on Redis error. */
json_t *campaign_list(rstore_t *rs, size_t max);

/* The letter of campaign id:
 *   email set: what that participant would get (preview);
 *   email NULL: a sample with no person's data and no ideas, addressed to
 *   test_to and subject "[TEST] ..." when test_to is set.
 * Returns 0 composed, 1 this participant gets nothing (err says why),
 * 2 no participant with that address, -1 Redis or template error (err). */
int campaign_letter(rstore_t *rs, const letter_settings_t *ls, const char *id, const char *email,
                    const char *test_to, letter_t *l, char *err, size_t errlen);
/* Sends a composed test letter now (SMTP or the Maildir outbox, the
 * settings of notify: mailout.h). Returns 0, or -1; err gets the
 * server's answer or the reason either way. */
int campaign_send(const config_t *cfg, const letter_settings_t *ls, const letter_t *l, char *err,
                  size_t errlen);

#endif
