/*
 * NAME
 *   form_validate - fields, checks and envelope of one idea-box idea
 *
 * DESCRIPTION
 *   See form_validate.h. The Dutch messages are written for residents
 *   (B1 level): say what is wrong and what to do, without blame.
 */
#include "form_validate.h"

#include <ctype.h>
#include <strings.h>
#include <string.h>

#include "email_idn.h"
#include "validate.h"
#include "xalloc.h"

static const char *const s_html_names[FORM_NFIELDS] = {
    "tekst", "titel", "wijk", "postcode", "vraag", "doelgroep", "naam", "email", "toestemming"};
static const char *const s_api_names[FORM_NFIELDS] = {
    "text", "title", "wijk", "postcode", "question", "target_group", "name", "email", "consent"};

/* A limit of validate.h as text, for the messages that name it: one
 * number for the check and the message. */
#define S_STR(n) S_STR_(n)
#define S_STR_(n) #n
#define MSG_UNREADABLE "Hier staan tekens in die we niet kunnen lezen. Typ de tekst opnieuw."
#define MSG_NOT_STRING "Dit veld moet een tekst zijn."

const char *form_html_name(form_field_t f)
{
    return (f >= 0 && f < FORM_NFIELDS) ? s_html_names[f] : NULL;
}

const char *form_api_name(form_field_t f)
{
    return (f >= 0 && f < FORM_NFIELDS) ? s_api_names[f] : NULL;
}

void form_init(form_t *f)
{
    memset(f, 0, sizeof *f);
}

void form_clear(form_t *f)
{
    for (int i = 0; i < FORM_NFIELDS; i++) {
        free(f->raw[i]);
        free(f->clean[i]);
    }
    free(f->key);
    free(f->made_err);
    form_init(f);
}

static void s_error(form_t *f, form_field_t i, const char *msg)
{
    if (f->err[i])
        return; /* the first problem found is the one to fix first */
    f->err[i] = msg;
    f->n_errors++;
}

static void s_replace(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

int form_set(form_t *f, const char *html_name, const char *value, size_t len)
{
    bool has_nul = memchr(value, '\0', len) != NULL;
    if (strcmp(html_name, "website") == 0) {
        if (len > 0)
            f->honeypot = true;
        return 0;
    }
    if (strcmp(html_name, "sleutel") == 0) {
        s_replace(&f->key, has_nul ? NULL : xstrndup(value, len));
        return 0;
    }
    for (int i = 0; i < FORM_NFIELDS; i++) {
        if (strcmp(html_name, s_html_names[i]) != 0)
            continue;
        if (i == FORM_CONSENT) {
            f->consent = len > 0;
        } else if (has_nul) {
            s_replace(&f->raw[i], NULL);
            s_error(f, i, MSG_UNREADABLE);
        } else {
            s_replace(&f->raw[i], xstrndup(value, len));
        }
        return 0;
    }
    return 0;
}

/* consent: {"feedback": bool}; anything else is a mistake worth naming. */
static void s_json_consent(form_t *f, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (!json_is_object(v)) {
        s_error(f, FORM_CONSENT, "Dit veld moet een object zijn, zoals {\"feedback\": true}.");
        return;
    }
    const json_t *fb = json_object_get(v, "feedback");
    if (!fb || json_is_null(fb))
        return;
    if (!json_is_boolean(fb)) {
        s_error(f, FORM_CONSENT, "Gebruik bij feedback true of false.");
        return;
    }
    f->consent = json_is_true(fb);
}

int form_from_json(form_t *f, const json_t *root)
{
    if (!json_is_object(root))
        return -1;
    for (int i = 0; i < FORM_NFIELDS; i++) {
        const json_t *v = json_object_get(root, s_api_names[i]);
        if (i == FORM_CONSENT) {
            s_json_consent(f, v);
            continue;
        }
        if (!v || json_is_null(v))
            continue;
        if (!json_is_string(v)) {
            s_error(f, i, MSG_NOT_STRING);
            continue;
        }
        /* jansson rejects \u0000 and invalid UTF-8 unless asked not to. */
        s_replace(&f->raw[i], xstrndup(json_string_value(v), json_string_length(v)));
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Cleaning helpers                                                   */
/* ------------------------------------------------------------------ */

/* A trimmed copy, or NULL when nothing but white space is left. */
static char *s_trim(const char *s)
{
    if (!s)
        return NULL;
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return n ? xstrndup(s, n) : NULL;
}

/* Normalised text on one line (titles and names), or NULL when empty. */
static char *s_one_line(const char *s, size_t len, size_t *out_len)
{
    char *t = text_normalise_n(s, len, out_len);
    for (char *p = t; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    if (!*t) {
        free(t);
        return NULL;
    }
    return t;
}

static void s_lower(char *s)
{
    for (; s && *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* A short free-text field: UTF-8, one line, at most max characters. */
static void s_check_line(form_t *f, form_field_t i, size_t max, const char *too_long)
{
    const char *raw = f->raw[i];
    if (!raw || f->err[i])
        return;
    size_t len = strlen(raw), vlen = 0;
    if (!utf8_valid(raw, len)) {
        s_error(f, i, MSG_UNREADABLE);
        return;
    }
    char *v = s_one_line(raw, len, &vlen);
    if (v && utf8_chars(v, vlen) > max) {
        s_error(f, i, too_long);
        free(v);
        return;
    }
    f->clean[i] = v;
}

static void s_check_text(form_t *f)
{
    const char *raw = f->raw[FORM_TEXT];
    if (f->err[FORM_TEXT])
        return;
    if (!raw) {
        s_error(f, FORM_TEXT, "Vul uw idee in.");
        return;
    }
    size_t len = strlen(raw), tlen = 0;
    if (!utf8_valid(raw, len)) {
        s_error(f, FORM_TEXT, MSG_UNREADABLE);
        return;
    }
    char *t = text_normalise_n(raw, len, &tlen);
    size_t n = utf8_chars(t, tlen);
    if (n == 0)
        s_error(f, FORM_TEXT, "Vul uw idee in.");
    else if (n < TEXT_MIN_CHARS)
        s_error(f, FORM_TEXT, "Uw idee is te kort. Schrijf minstens een paar woorden.");
    else if (n > TEXT_MAX_CHARS)
        s_error(f, FORM_TEXT, "Uw idee is te lang. Gebruik maximaal 10.000 tekens.");
    if (f->err[FORM_TEXT])
        free(t);
    else
        f->clean[FORM_TEXT] = t;
}

/* "WK0917" and two digits: the shape of a Heerlen wijk code. */
static bool s_wijk_code_shape(const char *s)
{
    if (strlen(s) != 8 || strncasecmp(s, "WK0917", 6) != 0)
        return false;
    return isdigit((unsigned char)s[6]) && isdigit((unsigned char)s[7]);
}

/* "Heerlerbaan": the first place of more than one wijk's name, which
 * geo_wijk_lookup() cannot decide. The resident is told which wijken
 * those are, in the words every intake uses (geo_wijk_shared_place_text).
 * false when v is no such place. */
static bool s_error_shared_place(form_t *f, const geo_t *geo, const char *v)
{
    char *text = geo && utf8_valid(v, strlen(v)) ? geo_wijk_shared_place_text(geo, v) : NULL;
    if (!text)
        return false;
    free(f->made_err);
    f->made_err = text;
    s_error(f, FORM_WIJK, f->made_err);
    return true;
}

static void s_check_wijk(form_t *f, const geo_t *geo)
{
    if (!f->raw[FORM_WIJK] || f->err[FORM_WIJK])
        return;
    char *v = s_trim(f->raw[FORM_WIJK]);
    if (!v || strcasecmp(v, "onbekend") == 0 || strcasecmp(v, "weet ik niet") == 0) {
        free(v);
        return;
    }
    const char *code = NULL;
    char up[9];
    if (!utf8_valid(v, strlen(v))) {
        code = NULL;
    } else if (geo) {
        /* A code as the API sends it: a binary search (geo_wijk_name);
         * names and other spellings go through geo_wijk_lookup(), which
         * compares with every wijk and buurt (a visible cost per idea). */
        if (s_wijk_code_shape(v)) {
            for (int k = 0; k < 9; k++)
                up[k] = (char)toupper((unsigned char)v[k]);
            if (geo_wijk_name(geo, up))
                code = up;
        }
        if (!code)
            code = geo_wijk_lookup(geo, v);
    } else if (s_wijk_code_shape(v)) {
        code = v;
    }
    if (code) {
        char *c = xstrdup(code);
        for (char *p = c; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        f->clean[FORM_WIJK] = c;
    } else if (!s_error_shared_place(f, geo, v)) {
        s_error(f, FORM_WIJK, "Deze wijk kennen we niet. Kies een wijk uit de lijst.");
    }
    free(v);
}

static void s_check_postcode(form_t *f)
{
    if (!f->raw[FORM_POSTCODE] || f->err[FORM_POSTCODE])
        return;
    char *v = s_trim(f->raw[FORM_POSTCODE]);
    if (!v)
        return;
    char out[16];
    /* Any Dutch postcode is kept, also outside Heerlen (6411-6422): people
     * from around the town have a say too. */
    if (postcode_normalise(v, out, sizeof out) < 0)
        s_error(f, FORM_POSTCODE,
                "Dit is geen Nederlandse postcode. Schrijf bijvoorbeeld 6411 AB.");
    else
        f->clean[FORM_POSTCODE] = xstrdup(out);
    free(v);
}

static void s_check_choice(form_t *f, form_field_t i, const char *const *allowed, const char *def,
                           const char *msg)
{
    char *v = f->err[i] ? NULL : s_trim(f->raw[i]);
    s_lower(v);
    if (!v) {
        f->clean[i] = def ? xstrdup(def) : NULL;
        return;
    }
    if (value_allowed(v, allowed)) {
        f->clean[i] = v;
        return;
    }
    free(v);
    s_error(f, i, msg);
}

/* An address with an internationalised domain ("jan@bücher.nl") is
 * welcome: a browser may send it as "xn--bcher-kva.nl", and storage keeps
 * both as "bücher.nl" (email_stored_form(), as for every channel). Letters
 * with accents before the @ would need SMTPUTF8, which our mail does not
 * use. */
static void s_check_email(form_t *f)
{
    char *v = f->err[FORM_EMAIL] ? NULL : s_trim(f->raw[FORM_EMAIL]);
    if (v && !email_valid(v)) {
        s_error(f, FORM_EMAIL,
                strchr(v, '@') && !email_idn_local_ascii(v)
                    ? "Dit e-mailadres kunnen we niet gebruiken. Vóór de @ mogen alleen letters "
                      "zonder accent (a tot z), cijfers en tekens als . - _ staan. Heeft u een "
                      "ander e-mailadres? Vul dat dan in."
                    : "Dit e-mailadres klopt niet. Schrijf het zo: naam@voorbeeld.nl.");
        free(v);
        return;
    }
    f->clean[FORM_EMAIL] = v;
    if (f->consent && !v && !f->err[FORM_EMAIL])
        s_error(f, FORM_EMAIL, "Vul uw e-mailadres in als u bericht wilt krijgen.");
}

int form_validate(form_t *f, const geo_t *geo)
{
    for (int i = 0; i < FORM_NFIELDS; i++) {
        free(f->clean[i]);
        f->clean[i] = NULL;
    }
    s_check_text(f);
    s_check_line(f, FORM_TITLE, TITLE_MAX_CHARS,
                 "De titel is te lang. Gebruik maximaal " S_STR(TITLE_MAX_CHARS) " tekens.");
    s_check_wijk(f, geo);
    s_check_postcode(f);
    s_check_choice(f, FORM_QUESTION, VALID_QUESTIONS, NULL,
                   "Kies een van de twee vragen: nu of toekomst.");
    s_check_choice(f, FORM_TARGET_GROUP, VALID_TARGET_GROUPS, "inwoner",
                   "Kies inwoner, professional of buurtorganisatie.");
    s_check_line(f, FORM_NAME, NAME_MAX_CHARS,
                 "Uw naam is te lang. Gebruik maximaal " S_STR(NAME_MAX_CHARS) " tekens.");
    s_check_email(f);
    return f->n_errors ? -1 : 0;
}

json_t *form_errors_json(const form_t *f)
{
    json_t *o = json_object();
    for (int i = 0; i < FORM_NFIELDS; i++)
        if (f->err[i])
            json_object_set_new(o, s_api_names[i], json_string(f->err[i]));
    return o;
}

bool form_key_valid(const char *key)
{
    if (!key)
        return false;
    size_t n = 0;
    for (; key[n]; n++)
        if ((unsigned char)key[n] < 0x20 || (unsigned char)key[n] > 0x7e)
            return false;
    return n >= 1 && n <= FORM_KEY_MAX;
}

/* Sets a string of the envelope: a copy (form_to_envelope), or the
 * pointer itself (form_envelope_view). */
static void s_put(char **slot, const char *v, bool copy)
{
    if (copy)
        proto_set(slot, v);
    else
        *slot = (char *)v; /* borrowed: never freed through the envelope */
}

static void s_fill(const form_t *f, const char *id, const char *key, int64_t now_ms,
                   envelope_t *env, idea_t *idea, participant_t *p, bool copy)
{
    envelope_init(env);
    env->version = PROTO_VERSION;
    env->type = ENV_IDEA;
    s_put(&env->id, id, copy);

    idea_init(idea);
    s_put(&idea->id, id, copy);
    s_put(&idea->channel, "form", copy);
    s_put(&idea->activity, "ideeenbus", copy);
    idea->received_at = now_ms;
    s_put(&idea->text, f->clean[FORM_TEXT], copy);
    s_put(&idea->title, f->clean[FORM_TITLE], copy);
    s_put(&idea->wijk, f->clean[FORM_WIJK], copy);
    s_put(&idea->postcode, f->clean[FORM_POSTCODE], copy);
    s_put(&idea->question, f->clean[FORM_QUESTION], copy);
    s_put(&idea->target_group, f->clean[FORM_TARGET_GROUP], copy);
    s_put(&idea->source.idempotency_key, key, copy);
    env->idea = idea;

    if (p && (f->clean[FORM_NAME] || f->clean[FORM_EMAIL])) {
        participant_init(p);
        s_put(&p->name, f->clean[FORM_NAME], copy);
        s_put(&p->email, f->clean[FORM_EMAIL], copy);
        /* Validation makes consent without an email an error, so consent
         * here always has an address to write to. */
        p->consent_feedback = f->consent && f->clean[FORM_EMAIL];
        if (p->consent_feedback) {
            p->consent_at = now_ms;
            s_put(&p->consent_purpose, FORM_CONSENT_PURPOSE, copy);
        }
        env->participant = p;
    }
}

void form_to_envelope(const form_t *f, const char *id, const char *key, int64_t now_ms,
                      envelope_t *env)
{
    bool person = f->clean[FORM_NAME] || f->clean[FORM_EMAIL];
    s_fill(f, id, key, now_ms, env, xmalloc(sizeof(idea_t)),
           person ? xmalloc(sizeof(participant_t)) : NULL, true);
}

void form_envelope_view(const form_t *f, const char *id, const char *key, int64_t now_ms,
                        envelope_t *env, idea_t *idea, participant_t *p)
{
    s_fill(f, id, key, now_ms, env, idea, p, false);
}
