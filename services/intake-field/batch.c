/*
 * NAME
 *   batch - checks a decoded field-app batch and turns its items into envelopes
 *
 * DESCRIPTION
 *   See batch.h. Item codes (each with a Dutch message): invalid_item,
 *   invalid_local_id, missing_text, text_too_short, text_too_long,
 *   invalid_question, invalid_target_group, unknown_wijk, invalid_location,
 *   invalid_collected_at (not RFC 3339; a time over a day ahead is not
 *   refused but replaced by the time of arrival), invalid_participant,
 *   invalid_name, invalid_email, consent_without_email. Batch codes: invalid_batch, missing_device_id,
 *   invalid_activity, missing_items (422), too_many_items (413).
 */
#include "batch.h"

#include <ctype.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "validate.h"
#include "xalloc.h"

#define DEFAULT_ACTIVITY "omgevingsvisietour"

static void s_head_err(decode_err_t *err, int status, const char *code, const char *msg)
{
    err->status = status;
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->message, sizeof err->message, "%s", msg);
}

/* True when name starts with the word(s) w, ASCII case ignored. */
static bool s_starts_with(const char *name, const char *w)
{
    size_t n = strlen(w);
    return strncasecmp(name, w, n) == 0 && (name[n] == '\0' || !isalnum((unsigned char)name[n]));
}

/* The type an activity name starts with ("omgevingsvisietour Hoensbroek"
 * -> "omgevingsvisietour"), or the field app's own type. The activities
 * register (dashboard) and everyday Dutch write "stakeholdersessie" as one
 * word; staff type it so, and such a session is no tour stop. Staff who
 * enter an evening of several sessions write the plural ("Interventies op
 * basisscholen"), which names the same kind. */
static const char *s_activity_type(const char *name)
{
    static const char *const alias[][2] = {{"stakeholdersessie", "stakeholder-sessie"},
                                           {"stakeholder sessie", "stakeholder-sessie"},
                                           {"stakeholdersessies", "stakeholder-sessie"},
                                           {"stakeholder sessies", "stakeholder-sessie"},
                                           {"stakeholder-sessies", "stakeholder-sessie"},
                                           {"interventies", "interventie"},
                                           {"wijkgesprekken", "wijkgesprek"},
                                           {"buurtenconferenties", "buurtenconferentie"}};
    for (int i = 0; VALID_ACTIVITIES[i]; i++)
        if (s_starts_with(name, VALID_ACTIVITIES[i]))
            return VALID_ACTIVITIES[i];
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (s_starts_with(name, alias[i][0]))
            return alias[i][1];
    return DEFAULT_ACTIVITY;
}

int batch_head_check(const json_t *root, batch_head_t *head, decode_err_t *err)
{
    memset(head, 0, sizeof *head);
    if (!json_is_object(root)) {
        s_head_err(err, 400, "invalid_batch",
                   "Stuur een batch als object: {\"device_id\", \"activity\", \"items\": [...]}.");
        return -1;
    }
    const char *device = json_string_value(json_object_get(root, "device_id"));
    if (!device || !*device) {
        s_head_err(err, 422, "missing_device_id", "De batch noemt geen device_id.");
        return -1;
    }
    json_t *items = json_object_get(root, "items");
    if (!json_is_array(items)) {
        s_head_err(err, 422, "missing_items", "De batch heeft geen lijst items.");
        return -1;
    }
    if (json_array_size(items) > BATCH_MAX_ITEMS) {
        s_head_err(err, 413, "too_many_items",
                   "Een batch mag hoogstens 10.000 items hebben. Stuur ze in delen.");
        return -1;
    }
    json_t *act = json_object_get(root, "activity");
    char *name = NULL;
    if (json_is_string(act)) {
        const char *a = json_string_value(act);
        name = text_normalise(a, json_string_length(act));
        size_t chars = utf8_chars(name, strlen(name));
        if (chars > BATCH_MAX_ACTIVITY || strchr(name, '\n')) {
            free(name);
            s_head_err(err, 422, "invalid_activity",
                       "De naam van de activiteit moet één regel van hoogstens 200 tekens zijn.");
            return -1;
        }
    } else if (act && !json_is_null(act)) {
        s_head_err(err, 422, "invalid_activity", "De activiteit moet tekst zijn.");
        return -1;
    }
    head->device_id = xstrdup(device);
    head->activity = xstrdup(name && *name ? s_activity_type(name) : DEFAULT_ACTIVITY);
    if (name && *name && strcasecmp(name, head->activity) != 0)
        head->activity_name = xstrdup(name);
    free(name);
    return 0;
}

void batch_head_clear(batch_head_t *head)
{
    free(head->device_id);
    free(head->activity);
    free(head->activity_name);
    memset(head, 0, sizeof *head);
}

void batch_reject_clear(batch_reject_t *rej)
{
    free(rej->local_id);
    rej->local_id = NULL;
}

bool batch_local_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > BATCH_MAX_LOCAL_ID)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._:@-", s[i]))
            return false;
    return true;
}

static bool s_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Hand-written: strptime() has no portable offset or fraction parsing. */
int batch_parse_time(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0, sign = 0;
    if (!s || strlen(s) < 20 || !s_digits(s, 4, &y) || s[4] != '-' || !s_digits(s + 5, 2, &mo) ||
        s[7] != '-' || !s_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !s_digits(s + 11, 2, &h) || s[13] != ':' || !s_digits(s + 14, 2, &mi) || s[16] != ':' ||
        !s_digits(s + 17, 2, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        int scale = 100, n = 0;
        for (p++; isdigit((unsigned char)*p); p++, n++)
            if (scale) {
                frac += (*p - '0') * scale;
                scale /= 10;
            }
        if (n == 0 || n > 9)
            return -1;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (!s_digits(p + 1, 2, &oh) || p[3] != ':' || !s_digits(p + 4, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
        p += 6;
    } else {
        return -1;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        h > 23 || mi > 59 || sec > 60)
        return -1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = sec == 60 ? 59 : sec};
    int64_t t = (int64_t)timegm(&tm) - (int64_t)sign * (oh * 3600 + om * 60);
    *ms = t * 1000 + frac;
    return 0;
}

void batch_flag_outside(idea_t *idea)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_str_with_body(&pk, "location", 8);
    msgpack_pack_str_with_body(&pk, BATCH_LOCATION_OUTSIDE, strlen(BATCH_LOCATION_OUTSIDE));
    proto_extra_t *x = &idea->extra;
    x->buf = xrealloc(x->buf, x->len + sb.size);
    memcpy(x->buf + x->len, sb.data, sb.size);
    x->len += sb.size;
    x->count++;
    msgpack_sbuffer_destroy(&sb);
}

/* ------------------------------------------------------------------ */
/* One item                                                           */
/* ------------------------------------------------------------------ */

static int s_reject(batch_reject_t *rej, const char *code, const char *msg)
{
    snprintf(rej->code, sizeof rej->code, "%s", code);
    snprintf(rej->message, sizeof rej->message, "%s", msg);
    return -1;
}

/* An optional string member: 0 with *out (NULL when absent or null), -1
 * when present with another type. */
static int s_opt_str(const json_t *item, const char *key, const char **out)
{
    json_t *v = json_object_get(item, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    *out = json_string_value(v);
    if (!**out)
        *out = NULL;
    return 0;
}

/* Text: required, 3..10,000 characters after clean-up. */
static int s_text(const json_t *item, idea_t *idea, batch_reject_t *rej)
{
    json_t *v = json_object_get(item, "text");
    if (!json_is_string(v))
        return s_reject(rej, "missing_text", "Er is geen tekst ingevuld.");
    char *t = text_normalise(json_string_value(v), json_string_length(v));
    size_t n = utf8_chars(t, strlen(t));
    idea->text = t;
    if (n < TEXT_MIN_CHARS)
        return s_reject(rej, n ? "text_too_short" : "missing_text",
                        n ? "De tekst is te kort: schrijf minstens 3 tekens."
                          : "Er is geen tekst ingevuld.");
    if (n > TEXT_MAX_CHARS)
        return s_reject(rej, "text_too_long", "De tekst is te lang: hoogstens 10.000 tekens.");
    return 0;
}

static int s_choices(const json_t *item, idea_t *idea, batch_reject_t *rej)
{
    const char *q, *tg;
    if (s_opt_str(item, "question", &q) < 0 || (q && !value_allowed(q, VALID_QUESTIONS)))
        return s_reject(rej, "invalid_question", "De vraag moet \"nu\" of \"toekomst\" zijn.");
    if (s_opt_str(item, "target_group", &tg) < 0 ||
        (tg && !value_allowed(tg, VALID_TARGET_GROUPS)))
        return s_reject(rej, "invalid_target_group",
                        "De doelgroep moet inwoner, professional of buurtorganisatie zijn.");
    proto_set(&idea->question, q);
    proto_set(&idea->target_group, tg);
    return 0;
}

/* Both lat and lon as numbers in range, or neither. */
static int s_coords(const json_t *item, idea_t *idea, batch_reject_t *rej)
{
    json_t *la = json_object_get(item, "lat"), *lo = json_object_get(item, "lon");
    bool has_la = la && !json_is_null(la), has_lo = lo && !json_is_null(lo);
    if (!has_la && !has_lo)
        return 0;
    double lat = json_number_value(la), lon = json_number_value(lo);
    if (!json_is_number(la) || !json_is_number(lo) || lat < -90 || lat > 90 || lon < -180 ||
        lon > 180)
        return s_reject(rej, "invalid_location",
                        "De locatie klopt niet. Vul de wijk in of zoek de locatie opnieuw.");
    idea->has_location = true;
    idea->lat = lat;
    idea->lon = lon;
    return 0;
}

static int s_location(const json_t *item, const geo_t *geo, idea_t *idea, batch_reject_t *rej)
{
    const char *w;
    if (s_coords(item, idea, rej) < 0)
        return -1;
    if (s_opt_str(item, "wijk", &w) < 0)
        return s_reject(rej, "unknown_wijk", "De wijk moet tekst zijn: een naam of code.");
    const char *wijk = NULL, *buurt = NULL, *gw = NULL, *gb = NULL;
    if (w) {
        wijk = geo ? geo_wijk_lookup(geo, w) : NULL;
        /* "Heerlerbaan", two wijken's first place: named as the form does. */
        char *shared = !wijk && geo ? geo_wijk_shared_place_text(geo, w) : NULL;
        if (shared) {
            s_reject(rej, "unknown_wijk", shared);
            free(shared);
            return -1;
        }
        if (!wijk)
            return s_reject(rej, "unknown_wijk",
                            "Deze wijk kennen we niet in Heerlen. Kies een wijk uit de lijst, "
                            "of laat het veld leeg.");
    }
    if (idea->has_location && geo) {
        if (geo_locate(geo, idea->lat, idea->lon, &gw, &gb) < 0) {
            if (!wijk)
                batch_flag_outside(idea);
        } else if (!wijk) {
            wijk = gw;
            buurt = gb;
        } else if (gb && geo_buurt_wijk(geo, gb) && strcmp(geo_buurt_wijk(geo, gb), wijk) == 0) {
            buurt = gb;
        }
    }
    proto_set(&idea->wijk, wijk);
    proto_set(&idea->buurt, buurt);
    return 0;
}

static int s_participant(const json_t *item, int64_t now_ms, envelope_t *env,
                         batch_reject_t *rej)
{
    json_t *p = json_object_get(item, "participant");
    if (!p || json_is_null(p))
        return 0;
    const char *name, *email;
    if (!json_is_object(p))
        return s_reject(rej, "invalid_participant", "De gegevens van de deelnemer kloppen niet.");
    if (s_opt_str(p, "name", &name) < 0)
        return s_reject(rej, "invalid_name", "De naam moet tekst zijn.");
    if (s_opt_str(p, "email", &email) < 0 || (email && !email_valid(email)))
        return s_reject(rej, "invalid_email", "Dit e-mailadres klopt niet.");
    json_t *c = json_object_get(p, "consent");
    json_t *consent = json_object_get(c, "feedback");
    /* {"feedback": bool} or nothing: a bare true or "ja" read as "no
     * consent" would silently cost the person their feedback mail. The
     * message is for the field worker who sees it in the app; the shape
     * expected is in the README. */
    if ((c && !json_is_null(c) && !json_is_object(c)) || (consent && !json_is_boolean(consent)))
        return s_reject(rej, "invalid_participant",
                        "De toestemming om te mailen klopt niet. Kies opnieuw of de inwoner "
                        "een e-mail wil krijgen.");
    bool yes = json_is_true(consent);
    if (yes && !email)
        return s_reject(rej, "consent_without_email",
                        "Voor toestemming om te mailen is een e-mailadres nodig.");
    char *clean = name ? text_normalise(name, strlen(name)) : NULL;
    if (clean && (utf8_chars(clean, strlen(clean)) > NAME_MAX_CHARS || strchr(clean, '\n'))) {
        free(clean);
        return s_reject(rej, "invalid_name", "De naam mag hoogstens 200 tekens op één regel zijn.");
    }
    if ((!clean || !*clean) && !email) {
        free(clean);
        return 0;
    }
    participant_t *pt = xmalloc(sizeof *pt);
    participant_init(pt);
    proto_set(&pt->name, clean && *clean ? clean : NULL);
    proto_set(&pt->email, email);
    free(clean);
    pt->consent_feedback = yes;
    if (yes) {
        pt->consent_at = now_ms;
        proto_set(&pt->consent_purpose, BATCH_CONSENT_PURPOSE);
    }
    env->participant = pt;
    return 0;
}

static int s_item_fields(const json_t *item, const geo_t *geo, int64_t now_ms, envelope_t *env,
                         batch_reject_t *rej)
{
    idea_t *idea = env->idea;
    if (s_text(item, idea, rej) < 0 || s_choices(item, idea, rej) < 0 ||
        s_location(item, geo, idea, rej) < 0)
        return -1;
    const char *at;
    idea->received_at = now_ms;
    if (s_opt_str(item, "collected_at", &at) < 0 ||
        (at && batch_parse_time(at, &idea->received_at) < 0))
        return s_reject(rej, "invalid_collected_at",
                        "De datum of tijd klopt niet. Kies de dag waarop de inwoner het idee gaf.");
    /* A clock over a day ahead is a broken tablet, not an idea from
     * tomorrow: the idea counts from its arrival. Refusing it would lose
     * the resident's words over a setting they cannot see. */
    if (idea->received_at > now_ms + BATCH_CLOCK_AHEAD_MS)
        idea->received_at = now_ms;
    return s_participant(item, now_ms, env, rej);
}

int batch_item_check(const json_t *item, const batch_head_t *head, const geo_t *geo,
                     int64_t now_ms, envelope_t *env, batch_reject_t *rej)
{
    envelope_init(env);
    memset(rej, 0, sizeof *rej);
    if (!json_is_object(item))
        return s_reject(rej, "invalid_item", "Dit item is geen object.");
    const char *local_id = json_string_value(json_object_get(item, "local_id"));
    if (local_id)
        rej->local_id = xstrdup(local_id);
    if (!batch_local_id_valid(local_id))
        return s_reject(rej, "invalid_local_id",
                        "Het item heeft geen geldige local_id (1 tot 100 letters, cijfers of "
                        ". _ : @ -).");
    char id[PROTO_ID_SIZE];
    char *key = xasprintf("%s/%s", head->device_id, local_id);
    proto_derive_id("field", key, id);
    free(key);
    env->version = PROTO_VERSION;
    env->type = ENV_IDEA;
    proto_set(&env->id, id);
    idea_t *idea = xmalloc(sizeof *idea);
    idea_init(idea);
    env->idea = idea;
    proto_set(&idea->id, id);
    proto_set(&idea->channel, "field");
    proto_set(&idea->activity, head->activity);
    proto_set(&idea->source.context, head->activity_name);
    proto_set(&idea->source.device_id, head->device_id);
    proto_set(&idea->source.local_id, local_id);
    if (s_item_fields(item, geo, now_ms, env, rej) < 0) {
        envelope_clear(env);
        return -1;
    }
    batch_reject_clear(rej); /* on success rej holds nothing */
    return 0;
}
