/*
 * NAME
 *   batch - checks a decoded field-app batch and turns its items into envelopes
 *
 * SUMMARY
 *   batch_head_t head;
 *   if (batch_head_check(root, &head, &err) < 0) answer err;
 *   json_t *items = json_object_get(root, "items");
 *   for each item: batch_item_check(item, &head, geo, now, &env, &rej) == 0
 *       ? intake_submit(env) : answer rej;
 *   batch_head_clear(&head);
 *
 * DESCRIPTION
 *   Pure functions (no I/O): the rules of INTERFACES.md "Field app".
 *   The idea id is proto_derive_id("field", "<device_id>/<local_id>"), so
 *   the same item sent again is the same idea.
 *
 *   Activity: the batch's "activity" may be a type from VALID_ACTIVITIES
 *   ("omgevingsvisietour") or a specific name ("omgevingsvisietour
 *   Hoensbroek 12 mei"). idea.activity is always a type (the dashboard's
 *   filters and counts work on types across channels): the type the name
 *   starts with ("stakeholdersessie ..." is "stakeholder-sessie"), else
 *   "omgevingsvisietour" (what the field app is for).
 *   The specific name, when it differs from the type, goes into
 *   idea.source.context, which the dashboard shows with the idea.
 *   Location: an explicit wijk wins (its buurt is taken from lat/lon only
 *   when that buurt lies in the given wijk); else lat/lon give wijk and
 *   buurt by point-in-polygon; a point outside Heerlen keeps lat/lon, wijk
 *   and buurt stay nil, and the idea gets the unknown key
 *   "location": "outside_heerlen" in its extra map (kept by every service,
 *   stored with the record in Redis, ignored by the dashboard).
 *   "collected_by" (the student's name) is not stored: ideas carry no
 *   names of people.
 *
 * OWNERSHIP
 *   batch_head_t strings are owned by it (batch_head_clear). An envelope
 *   filled by batch_item_check() belongs to the caller (envelope_clear).
 */
#ifndef INTAKE_FIELD_BATCH_H
#define INTAKE_FIELD_BATCH_H

#include <jansson.h>
#include <stdint.h>

#include "decode.h"
#include "geo.h"
#include "proto.h"

#define BATCH_MAX_ITEMS 10000
#define BATCH_MAX_LOCAL_ID 100
#define BATCH_MAX_ACTIVITY 200 /* characters */
#define BATCH_CONSENT_PURPOSE "terugkoppeling over uw idee en de omgevingsvisie"
#define BATCH_LOCATION_OUTSIDE "outside_heerlen"
/* A collected_at further ahead than this is a wrong tablet clock: the
 * item gets the time of arrival instead. */
#define BATCH_CLOCK_AHEAD_MS 86400000LL

typedef struct {
    char *device_id;
    char *activity;      /* a VALID_ACTIVITIES type */
    char *activity_name; /* the specific name, or NULL when it is just the type */
} batch_head_t;

typedef struct {
    char code[32];     /* stable English slug */
    char message[400]; /* Dutch; a place two wijken share names them */
    char *local_id;    /* as sent when it was a string, else NULL; owned */
} batch_reject_t;

/* Checks the batch object around the items. 0, or -1 with err (400/413/422). */
int batch_head_check(const json_t *root, batch_head_t *head, decode_err_t *err);
void batch_head_clear(batch_head_t *head);

/* Checks one item. 0 with env filled (ENV_IDEA, idea and maybe
 * participant) and rej holding nothing, or -1 with rej filled (clear it)
 * and env left empty. */
int batch_item_check(const json_t *item, const batch_head_t *head, const geo_t *geo,
                     int64_t now_ms, envelope_t *env, batch_reject_t *rej);
void batch_reject_clear(batch_reject_t *rej);

/* True for 1..BATCH_MAX_LOCAL_ID of A-Z a-z 0-9 . _ : @ - */
bool batch_local_id_valid(const char *s);
/* RFC 3339 date-time ("2024-05-12T14:03:00Z", "...T14:03:00.123+02:00")
 * into ms since the epoch. 0, or -1 when it is not one. */
int batch_parse_time(const char *s, int64_t *ms);
/* Adds "location": "outside_heerlen" to the idea's unknown-key map. */
void batch_flag_outside(idea_t *idea);

#endif
