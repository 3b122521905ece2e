/*
 * NAME
 *   ui_campaigns - GET/POST /campagnes and /campagnes/{id}: feedback
 *   campaigns from the dashboard (role admin only)
 *
 * DESCRIPTION
 *   The dashboard face of `inspraakctl campaign`, on the same code
 *   (common/campaign.c) and so the same Redis records; bin/notify sends
 *   (INTERFACES.md "Email to participants"): one mail per participant
 *   with consent, listing their ideas and linking to /resultaten.
 *
 *     GET  /campagnes        the campaigns (state and counts, newest first)
 *                            and the form for a new one
 *     POST /campagnes        action=create: subject, text, meeting -> a
 *                            draft; 303 to its page
 *     GET  /campagnes/{id}   its state and counts, its actions, the sample
 *                            mail and the test form
 *     POST /campagnes/{id}   action=start|pause|resume|test (test: to)
 *
 *   Only admins: a campaign mails every participant, which is the same
 *   power as inspraakctl, a tool for the people who run the system. Staff
 *   get 403 in Dutch. Every form carries the session's CSRF token.
 *
 *   The preview is the sample letter (letter_campaign without a
 *   participant): the name "Voorbeeld Deelnemer" and no ideas, so no
 *   resident's data is ever shown here; the page says that real mails
 *   list the participant's own ideas. The test mail is that sample, sent
 *   at once with notify's mail settings (INSPRAAK_SMTP_URL, ...: the
 *   dashboard needs the same environment as notify for it).
 *
 *   Audit entries campaign_create, campaign_start, campaign_pause,
 *   campaign_resume, campaign_test hold the campaign id only, never an
 *   address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign.h"
#include "clock.h"
#include "dashboard.h"
#include "log.h"
#include "validate.h"
#include "xalloc.h"

/* Subject and meeting: at most 300 characters, the form's maxlength="300"
 * (a browser counts characters, so up to 4 bytes each in UTF-8). */
#define S_SUBJECT_CHARS 300
#define S_MEETING_CHARS 300
#define S_SUBJECT_MAX (S_SUBJECT_CHARS * 4)
#define S_MEETING_MAX (S_MEETING_CHARS * 4)
#define S_LIST_MAX 200

typedef struct {
    char csrf[65], action[16], subject[S_SUBJECT_MAX + 1], meeting[S_MEETING_MAX + 1];
    char to[EMAIL_MAX_BYTES + 1];
    char *text; /* malloc'd */
    int bad;    /* a value too long or holding NUL */
} s_form_t;

/* Dutch words for states; the answers after a redirect (?m=). */
static const char *s_state_label(const char *st)
{
    static const char *const t[][2] = {{"draft", "Concept (nog niet gestart)"},
                                       {"running", "Wordt verstuurd"},
                                       {"paused", "Gepauzeerd"},
                                       {"done", "Klaar"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (st && strcmp(st, t[i][0]) == 0)
            return t[i][1];
    return "Onbekend";
}

/* An action refused in the campaign's state: the page says which state,
 * read with the rest of the page (s_detail_page). */
static const char S_OTHER_STATE[] = "state";

static const char *s_done_message(const char *m)
{
    static const char *const t[][2] = {
        {"aangemaakt", "De campagne is opgeslagen als concept. Bekijk het voorbeeld, stuur "
                       "een testmail en start de campagne als alles goed is."},
        {"gestart", "De campagne is gestart. De mails gaan nu één voor één weg."},
        {"gepauzeerd", "De campagne is gepauzeerd. Mails die al klaarstonden, kunnen nog "
                       "weggaan. Daarna gaan er geen mails meer weg tot u op Hervatten klikt."},
        {"hervat", "De campagne gaat weer verder."},
        {"test", "De testmail is verstuurd."}};
    for (size_t i = 0; m && i < sizeof t / sizeof t[0]; i++)
        if (strcmp(m, t[i][0]) == 0)
            return t[i][1];
    return NULL;
}

/* 1 for an admin session; else the answer is set (login / 403). */
static int s_admin(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res, session_t *s)
{
    return session_require_admin(d, rs, req, res, s,
                                 "Alleen beheerders mogen campagnes maken en versturen. Vraag een "
                                 "beheerder om hulp.");
}

static void s_msg(sb_t *sb, const char *msg, int ok)
{
    if (msg)
        page_notice(sb, ok, msg);
}

static void s_csrf(sb_t *sb, const session_t *s)
{
    sb_add(sb, "<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(sb, s->csrf);
    sb_add(sb, "\">");
}

static void s_date(sb_t *sb, const char *ms)
{
    char buf[40];
    sb_add(sb, clock_local_format(ms ? atoll(ms) : 0, PAGE_WHEN_FMT, buf, sizeof buf));
}

/* The one button the state allows (start, pause or resume). */
static void s_actions(sb_t *sb, const session_t *s, const char *id, const char *state)
{
    const char *action = NULL, *label = NULL;
    if (strcmp(state, "draft") == 0)
        action = "start", label = "Starten: mail alle deelnemers";
    else if (strcmp(state, "running") == 0)
        action = "pause", label = "Pauzeren";
    else if (strcmp(state, "paused") == 0)
        action = "resume", label = "Hervatten";
    if (!action)
        return;
    sb_add(sb, "<form class=\"inline\" method=\"post\" action=\"/campagnes/");
    sb_url(sb, id);
    sb_add(sb, "\">");
    s_csrf(sb, s);
    sb_printf(sb, "<input type=\"hidden\" name=\"action\" value=\"%s\">", action);
    sb_printf(sb, "<button type=\"submit\">%s</button></form>", label);
}

static long long s_n(json_t *st, const char *k)
{
    return json_integer_value(json_object_get(st, k));
}

static const char *s_str(json_t *st, const char *k)
{
    const char *v = json_string_value(json_object_get(st, k));
    return v ? v : "";
}

/* The number of participants: notify counts them when the campaign
 * starts, so a draft has none yet ("0" read as "nobody gets it"). */
static void s_total(sb_t *sb, json_t *c, const char *draft_text)
{
    if (strcmp(s_str(c, "state"), "draft") == 0)
        sb_add(sb, draft_text);
    else
        sb_add(sb, num_nl(s_n(c, "total")).s);
}

static void s_table(sb_t *sb, const session_t *s, json_t *list)
{
    if (json_array_size(list) == 0) {
        sb_add(sb, "<p>Er zijn nog geen campagnes.</p>\n");
        return;
    }
    sb_add(sb, "<table><caption>Campagnes, nieuwste eerst</caption><thead><tr>"
               "<th scope=\"col\">Campagne</th><th scope=\"col\">Onderwerp</th>"
               "<th scope=\"col\">Status</th><th scope=\"col\">Gemaakt</th>"
               "<th scope=\"col\">Deelnemers</th><th scope=\"col\">Verstuurd</th>"
               "<th scope=\"col\">Overgeslagen</th><th scope=\"col\">Niet aangekomen</th>"
               "<th scope=\"col\">Nog te doen</th><th scope=\"col\">Actie</th>"
               "</tr></thead><tbody>\n");
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        const char *id = s_str(c, "id");
        sb_add(sb, "<tr><td><a href=\"/campagnes/");
        sb_url(sb, id);
        sb_add(sb, "\">");
        sb_esc(sb, id);
        sb_add(sb, "</a></td><td>");
        sb_esc(sb, s_str(c, "subject"));
        sb_add(sb, "</td><td>");
        sb_esc(sb, s_state_label(s_str(c, "state")));
        sb_add(sb, "</td><td>");
        s_date(sb, s_str(c, "created_at"));
        sb_add(sb, "</td><td>");
        s_total(sb, c, "nog niet geteld");
        sb_printf(sb, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>",
                  num_nl(s_n(c, "sent")).s, num_nl(s_n(c, "skipped")).s,
                  num_nl(s_n(c, "bounced")).s, num_nl(s_n(c, "to_do")).s);
        s_actions(sb, s, id, s_str(c, "state"));
        sb_add(sb, "</td></tr>\n");
    }
    sb_add(sb, "</tbody></table>\n");
}

/* f: the form as sent, shown again to correct it; NULL: a new form, its
 * meeting line taken from the announcement on /bijeenkomst. */
static void s_create_form(sb_t *sb, rstore_t *rs, const session_t *s, const s_form_t *f)
{
    sb_add(sb, "<h2 id=\"nieuw\">Nieuwe campagne</h2>\n<form method=\"post\" "
               "action=\"/campagnes\">");
    s_csrf(sb, s);
    sb_add(sb, "<input type=\"hidden\" name=\"action\" value=\"create\">\n"
               "<p><label for=\"c-subject\">Onderwerp van de mail</label><input "
               "id=\"c-subject\" name=\"subject\" required maxlength=\"300\" size=\"60\" "
               "value=\"");
    sb_esc(sb, f ? f->subject : "");
    sb_add(sb, "\"></p>\n<p><label for=\"c-text\">Tekst van de mail</label><textarea "
               "id=\"c-text\" name=\"text\" rows=\"10\" cols=\"70\" required "
               "aria-describedby=\"c-help\">");
    sb_esc(sb, f && f->text ? f->text : "");
    sb_add(sb, "</textarea></p>\n<p id=\"c-help\">U mag deze woorden tussen dubbele "
               "accolades gebruiken: {{naam}} (naam van de deelnemer, of het woord "
               "&quot;deelnemer&quot; als we de naam niet weten), {{ideeen}} (de ideeën "
               "van de deelnemer), {{resultaten_url}} (link naar de resultaten), "
               "{{privacy_url}} (link naar de privacyverklaring) en "
               "{{bijeenkomst}} (de zin &quot;U bent van harte welkom op de "
               "terugkombijeenkomst: ...&quot;). De aanhef (Beste ...,), de lijst met ideeën, "
               "de link naar de resultaten, de zin over de bijeenkomst (als u die hieronder "
               "invult), de groet, een link naar de privacyverklaring en een link om af te "
               "melden staan altijd in de mail. "
               "Begin dus meteen met uw boodschap.</p>\n"
               "<p><label for=\"c-meeting\">Bijeenkomst (niet verplicht)</label><input "
               "id=\"c-meeting\" name=\"meeting\" maxlength=\"300\" size=\"60\" "
               "placeholder=\"12 maart, 19.00 uur, Glaspaleis\" value=\"");
    char *line = f ? NULL : meeting_line(rs);
    sb_esc(sb, f ? f->meeting : line ? line : "");
    free(line);
    sb_add(sb, "\" aria-describedby=\"c-meeting-help\"></p>\n<p id=\"c-meeting-help\">"
               "Staat er een terugkombijeenkomst op de pagina <a "
               "href=\"/bijeenkomst\">Bijeenkomst</a>, dan staan de datum, de tijd en de "
               "plaats daarvan hier al. U kunt dat hier veranderen of weghalen.</p>\n"
               "<p><button type=\"submit\">Opslaan als concept</button></p>\n"
               "</form>\n");
}

static void s_list_page(rstore_t *rs, const session_t *s, http_res_t *res, int status,
                        const char *msg, int ok, const s_form_t *f)
{
    json_t *list = campaign_list(rs, S_LIST_MAX);
    if (!list) {
        dash_unavailable_page(res, rs);
        return;
    }
    sb_t sb = {0};
    page_begin(&sb, "Campagnes", s);
    sb_add(&sb, "<h1>Campagnes: mail aan deelnemers</h1>\n<p>Met een campagne krijgt iedere "
                "deelnemer die toestemming gaf één e-mail. Daarin staan zijn of haar ideeën "
                "en een link naar de resultaten. Wie geen toestemming gaf of zich afmeldde, "
                "krijgt niets.</p>\n");
    s_msg(&sb, msg, ok);
    s_table(&sb, s, list);
    json_decref(list);
    s_create_form(&sb, rs, s, f);
    page_send(res, status, &sb);
}

void ui_campaigns(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    if (s_admin(d, rs, req, res, &s))
        s_list_page(rs, &s, res, 200, NULL, 1, NULL);
    dash_redis_put(d, rs);
}

/* The sample letter of campaign id, as its subject and text part. */
static void s_preview(sb_t *sb, rstore_t *rs, const char *id)
{
    config_t cfg;
    letter_settings_t ls;
    letter_t l;
    char err[512];
    sb_add(sb, "<h2>Voorbeeld</h2>\n<p>Zo ziet de mail eruit. Dit voorbeeld gebruikt geen "
               "gegevens van echte deelnemers: de naam is &quot;Voorbeeld Deelnemer&quot; en "
               "de lijst met ideeën is leeg. In de echte mail staan daar de ideeën van de "
               "deelnemer.</p>\n");
    if (config_load(&cfg, "notify", PORT_OFF_NOTIFY, err, sizeof err) < 0 ||
        letter_settings_load(&ls, &cfg, err, sizeof err) < 0 ||
        campaign_letter(rs, &ls, id, NULL, NULL, &l, err, sizeof err) != 0) {
        char q[600];
        log_warn("msg=\"campaign preview failed\" campaign=%s err=%s", id,
                 log_quote(q, sizeof q, err));
        sb_add(sb, "<p class=\"err\">Het voorbeeld kan nu niet gemaakt worden. Kijk of de "
                   "mailsjablonen er zijn (data/mail) en probeer het opnieuw.</p>\n");
        return;
    }
    sb_add(sb, "<dl><dt>Onderwerp</dt><dd>");
    sb_esc(sb, l.subject);
    sb_add(sb, "</dd></dl>\n<pre class=\"text\" id=\"voorbeeld\">");
    sb_esc(sb, l.text);
    sb_add(sb, "</pre>\n");
    letter_clear(&l);
}

static void s_detail_page(rstore_t *rs, const session_t *s, http_res_t *res, const char *id,
                          int status, const char *msg, int ok)
{
    int found;
    json_t *st = campaign_status(rs, id, &found);
    if (!st) {
        if (found < 0)
            dash_unavailable_page(res, rs);
        else
            page_message(res, 404, "Niet gevonden", "Deze campagne bestaat niet.");
        return;
    }
    sb_t sb = {0};
    page_begin(&sb, "Campagne", s);
    sb_add(&sb, "<p><a href=\"/campagnes\">Alle campagnes</a></p>\n<h1>Campagne ");
    sb_esc(&sb, id);
    sb_add(&sb, ": ");
    sb_esc(&sb, s_str(st, "subject"));
    sb_add(&sb, "</h1>\n");
    char refused[160];
    if (msg == S_OTHER_STATE) {
        snprintf(refused, sizeof refused, "Dat kan nu niet: de campagne heeft de status \"%s\".",
                 s_state_label(s_str(st, "state")));
        msg = refused;
    }
    s_msg(&sb, msg, ok);
    sb_add(&sb, "<dl><dt>Status</dt><dd id=\"status\">");
    sb_esc(&sb, s_state_label(s_str(st, "state")));
    sb_add(&sb, "</dd><dt>Gemaakt</dt><dd>");
    s_date(&sb, s_str(st, "created_at"));
    sb_add(&sb, "</dd><dt>Deelnemers</dt><dd>");
    s_total(&sb, st, "nog niet geteld: dat gebeurt als de campagne start");
    sb_printf(&sb,
              "</dd><dt>Verstuurd</dt><dd>%s</dd>"
              "<dt>Overgeslagen (geen toestemming of afgemeld)</dt><dd>%s</dd>"
              "<dt>Niet aangekomen</dt><dd>%s</dd><dt>Nog te doen</dt><dd>%s</dd>",
              num_nl(s_n(st, "sent")).s, num_nl(s_n(st, "skipped")).s, num_nl(s_n(st, "bounced")).s,
              num_nl(s_n(st, "to_do")).s);
    if (*s_str(st, "meeting")) {
        sb_add(&sb, "<dt>Bijeenkomst</dt><dd>");
        sb_esc(&sb, s_str(st, "meeting"));
        sb_add(&sb, "</dd>");
    }
    sb_add(&sb, "</dl>\n<p>");
    s_actions(&sb, s, id, s_str(st, "state"));
    sb_add(&sb, "</p>\n");
    s_preview(&sb, rs, id);
    sb_add(&sb, "<h2>Testmail versturen</h2>\n<p>Stuur het voorbeeld naar uw eigen adres om te "
                "zien hoe het aankomt. Het onderwerp begint dan met [TEST].</p>\n"
                "<form method=\"post\" action=\"/campagnes/");
    sb_url(&sb, id);
    sb_add(&sb, "\">");
    s_csrf(&sb, s);
    sb_add(&sb, "<input type=\"hidden\" name=\"action\" value=\"test\"><p><label "
                "for=\"c-to\">E-mailadres</label><input id=\"c-to\" name=\"to\" type=\"email\" "
                "required maxlength=\"254\" autocomplete=\"email\"></p><p><button "
                "type=\"submit\">Testmail versturen</button></p></form>\n");
    json_decref(st);
    page_send(res, status, &sb);
}

void ui_campaign(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    const char *id = http_path_rest(req);
    if (!s_admin(d, rs, req, res, &s))
        goto out;
    if (!campaign_id_valid(id)) {
        page_message(res, 404, "Niet gevonden", "Deze campagne bestaat niet.");
        goto out;
    }
    const char *m = s_done_message(http_query(req, "m"));
    s_detail_page(rs, &s, res, id, 200, m, 1);
out:
    dash_redis_put(d, rs);
}

/* --- forms ------------------------------------------------------------- */

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_form_t *f = arg;
    const page_field_t map[] = {{"csrf", f->csrf, sizeof f->csrf},
                                {"action", f->action, sizeof f->action},
                                {"subject", f->subject, sizeof f->subject},
                                {"meeting", f->meeting, sizeof f->meeting},
                                {"to", f->to, sizeof f->to}};
    if (memchr(value, '\0', len)) {
        f->bad = 1;
        return 0;
    }
    if (strcmp(key, "text") == 0) {
        free(f->text);
        f->text =
            len <= CAMPAIGN_TEXT_MAX && utf8_valid(value, len) ? text_normalise(value, len) : NULL;
        f->bad |= !f->text;
        return 0;
    }
    page_field_copy(map, sizeof map / sizeof map[0], key, value, len, &f->bad);
    return 0;
}

/* Reads the form and checks its token. 1 when usable; else the answer
 * is set (400: unreadable, 403: no or a wrong token). */
static int s_read_form(const http_req_t *req, http_res_t *res, const session_t *s, s_form_t *f)
{
    if (http_form_fields(req, CAMPAIGN_TEXT_MAX + 1, s_field, f) < 0) {
        page_message(res, 400, "Niet gelukt",
                     "Het formulier kon niet gelezen worden. Is de tekst langer dan 64 kB?");
        return 0;
    }
    if (!session_csrf_ok(s, f->csrf)) {
        page_message(res, 403, "Niet toegestaan", "Dit formulier is niet geldig of verlopen.");
        return 0;
    }
    return 1;
}

void ui_campaign_create(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_form_t f = {0};
    char id[CAMPAIGN_ID_MAX];
    if (!s_admin(d, rs, req, res, &s) || !s_read_form(req, res, &s, &f))
        goto out;
    const char *bad = NULL;
    if (strcmp(f.action, "create") != 0)
        bad = "Onbekende actie.";
    else if (f.bad || utf8_chars(f.subject, strlen(f.subject)) > S_SUBJECT_CHARS ||
             utf8_chars(f.meeting, strlen(f.meeting)) > S_MEETING_CHARS)
        bad = "Een veld is te lang of bevat tekens die niet mogen.";
    else if (!campaign_subject_ok(f.subject))
        bad = "Vul een onderwerp in (één regel).";
    else if (!f.text || !campaign_text_ok(f.text, strlen(f.text)))
        bad = "Vul de tekst van de mail in.";
    else if (!campaign_meeting_ok(f.meeting))
        bad = "De bijeenkomst mag maar één regel zijn.";
    if (bad) {
        s_list_page(rs, &s, res, 400, bad, 0, &f);
        goto out;
    }
    if (campaign_create(rs, f.subject, f.text, f.meeting, clock_wall_ms(), id, sizeof id) < 0) {
        dash_unavailable_page(res, rs);
        goto out;
    }
    audit_log(rs, "campaign_create", s.user, NULL, id);
    char *loc = xasprintf("/campagnes/%s?m=aangemaakt", id);
    page_redirect(res, loc);
    free(loc);
out:
    free(f.text);
    dash_redis_put(d, rs);
}

/* Sends the sample to f->to. NULL when sent, else a Dutch reason. */
static const char *s_test(rstore_t *rs, const char *id, const char *to)
{
    config_t cfg;
    letter_settings_t ls;
    letter_t l;
    char err[512], q[600];
    if (!email_valid(to))
        return "Dit e-mailadres klopt niet. Controleer het en probeer het opnieuw.";
    int rc = config_load(&cfg, "notify", PORT_OFF_NOTIFY, err, sizeof err) < 0 ||
                     letter_settings_load(&ls, &cfg, err, sizeof err) < 0
                 ? -1
                 : campaign_letter(rs, &ls, id, NULL, to, &l, err, sizeof err);
    if (rc == 0) {
        rc = campaign_send(&cfg, &ls, &l, err, sizeof err);
        letter_clear(&l);
    }
    if (rc != 0) {
        log_warn("msg=\"campaign test mail failed\" campaign=%s err=%s", id,
                 log_quote(q, sizeof q, err));
        return "De testmail kon niet verstuurd worden. Probeer het later opnieuw of vraag de "
               "beheerder van de mailserver om hulp.";
    }
    return NULL;
}

void ui_campaign_post(const http_req_t *req, http_res_t *res, void *arg)
{
    static const struct {
        const char *action;
        campaign_action_t a;
        const char *done;
    } acts[] = {{"start", CAMPAIGN_START, "gestart"},
                {"pause", CAMPAIGN_PAUSE, "gepauzeerd"},
                {"resume", CAMPAIGN_RESUME, "hervat"}};
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_form_t f = {0};
    const char *id = http_path_rest(req), *done = NULL, *bad = "Onbekende actie.";
    if (!s_admin(d, rs, req, res, &s) || !s_read_form(req, res, &s, &f))
        goto out;
    if (!campaign_id_valid(id)) {
        page_message(res, 404, "Niet gevonden", "Deze campagne bestaat niet.");
        goto out;
    }
    char audit[32];
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        if (strcmp(f.action, acts[i].action) != 0)
            continue;
        int v = campaign_act(rs, id, acts[i].a);
        if (v == -1) {
            dash_unavailable_page(res, rs);
            goto out;
        }
        if (v == -2) {
            page_message(res, 404, "Niet gevonden", "Deze campagne bestaat niet.");
            goto out;
        }
        done = v == 1 ? acts[i].done : NULL;
        bad = v == 1 ? NULL : S_OTHER_STATE;
    }
    if (strcmp(f.action, "test") == 0) {
        bad = f.bad ? "Dit e-mailadres is te lang." : s_test(rs, id, f.to);
        done = bad ? NULL : "test";
    }
    if (done) {
        snprintf(audit, sizeof audit, "campaign_%s", f.action);
        audit_log(rs, audit, s.user, NULL, id);
        char *loc = xasprintf("/campagnes/%s?m=%s", id, done);
        page_redirect(res, loc);
        free(loc);
    } else {
        s_detail_page(rs, &s, res, id, 400, bad, 0);
    }
out:
    free(f.text);
    dash_redis_put(d, rs);
}
