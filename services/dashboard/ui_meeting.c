/*
 * NAME
 *   ui_meeting - the terugkombijeenkomst (return meeting) the plan promises
 *   residents: admins say when and where (GET/POST /bijeenkomst), and
 *   /resultaten and the report's closing section show it
 *
 * DESCRIPTION
 *   One short announcement, the hash inspraak:meeting: date
 *   (YYYY-MM-DD), time (HH:MM), place (a place or an online link, at
 *   most S_PLACE_CHARS characters), text (at most S_TEXT_CHARS) and by
 *   (the admin); every field may be empty, and a form with
 *   all of them empty (or the button "Weghalen") deletes the key: then
 *   nothing is shown. Only admins may change it (session_require_admin),
 *   with the session's CSRF token like every form. It is public, so a
 *   text with an e-mail address or a phone number (the classifier's own
 *   finders) is refused; a person's name cannot be told from a place's
 *   here, so the form asks for none. meeting_show() prints it, escaped,
 *   without "by"; a place that is an http(s) link with no space becomes
 *   a link. meeting_line() gives date, time and place as one line, which
 *   a new campaign's meeting starts from (ui_campaigns.c), so staff do not
 *   type the same fact twice. Not an idea: the dashboard writes it itself, as the
 *   activities register (DESIGN.md contract 4 is about idea records), and
 *   writes an audit entry, which also makes /resultaten render afresh
 *   (public_cache.c). A hash, read with HGETALL: a visit to /resultaten
 *   reads no string with GET (test_reach counts GETs as idea records read).
 *
 * OWNERSHIP
 *   The dashboard (services/dashboard/README.md, "Public page").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "dashboard.h"
#include "validate.h"
#include "xalloc.h"

#define S_KEY DASH_KEY_PREFIX "meeting"
/* The form's maxlength; a browser counts characters (up to 4 bytes each). */
#define S_PLACE_CHARS 120
#define S_TEXT_CHARS 500
#define S_STR2(x) #x
#define S_STR(x) S_STR2(x)
/* A field is read up to S_FIELD_BYTES, so a text far too long still gets
 * its own message and not "not valid". */
#define S_FIELD_BYTES 8192

/* NULL: no announcement; *failed is set when Redis did not answer. */
static json_t *s_read(rstore_t *rs, int *failed)
{
    redisReply *r = rstore_cmd(rs, "HGETALL " S_KEY);
    *failed = !r || r->type != REDIS_REPLY_ARRAY;
    json_t *m = NULL;
    for (size_t i = 0; !*failed && i + 1 < r->elements; i += 2) {
        redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        json_t *value = json_stringn(v->str, v->len); /* NULL: not UTF-8 */
        if (!value)
            continue;
        if (!m)
            m = json_object();
        json_object_set_new(m, k->str, value);
    }
    if (r)
        freeReplyObject(r);
    return m;
}

static const char *s_get(json_t *m, const char *field)
{
    const char *v = json_string_value(json_object_get(m, field));
    return v ? v : "";
}

static int s_is_link(const char *s)
{
    return (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
           !strpbrk(s, " \t\r\n");
}

/* "11 maart 2027 om 19.30 uur" in buf, plain text: the day, and the time
 * as Dutch readers write it; either may be empty. Returns buf. */
static const char *s_when(const char *date, const char *time, char *buf, size_t size)
{
    char day[40];
    snprintf(buf, size, "%s", *date ? page_day(date, day, sizeof day) : "");
    if (*time) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, "%s%.2s.%.2s uur", *date ? " om " : "", time, time + 3);
    }
    return buf;
}

char *meeting_line(rstore_t *rs)
{
    int failed;
    json_t *m = s_read(rs, &failed);
    const char *date = s_get(m, "date"), *time = s_get(m, "time"), *place = s_get(m, "place");
    char *line = NULL, when[80];
    if (*date || *time || *place) {
        sb_t sb = {0};
        sb_printf(&sb, "%s%s%s", s_when(date, time, when, sizeof when),
                  (*date || *time) && *place ? ", " : "", place);
        /* one line: what a campaign's meeting may be */
        for (char *p = sb.buf; *p; p++)
            if (*p == '\r' || *p == '\n' || *p == '\t')
                *p = ' ';
        line = xstrdup(sb.buf);
        sb_free(&sb);
    }
    json_decref(m);
    return line;
}

int meeting_show(rstore_t *rs, sb_t *sb)
{
    int failed;
    json_t *m = s_read(rs, &failed);
    if (!m)
        return failed ? -1 : 0;
    const char *date = s_get(m, "date"), *time = s_get(m, "time"), *place = s_get(m, "place"),
               *text = s_get(m, "text");
    sb_add(sb, "<div class=\"meeting\">");
    if (*date || *time) {
        char when[80];
        sb_add(sb, "<p><strong>Wanneer:</strong> ");
        sb_esc(sb, s_when(date, time, when, sizeof when));
        sb_add(sb, "</p>");
    }
    if (*place) {
        sb_add(sb, "<p><strong>Waar:</strong> ");
        if (s_is_link(place)) {
            sb_add(sb, "<a href=\"");
            sb_esc(sb, place);
            sb_add(sb, "\" class=\"text\">");
            sb_esc(sb, place);
            sb_add(sb, "</a>");
        } else {
            sb_esc(sb, place);
        }
        sb_add(sb, "</p>");
    }
    if (*text) {
        sb_add(sb, "<p class=\"text\" dir=\"auto\">");
        sb_esc(sb, text);
        sb_add(sb, "</p>");
    }
    sb_add(sb, "</div>");
    json_decref(m);
    return 0;
}

static void s_page(rstore_t *rs, const session_t *s, http_res_t *res, int status,
                   const char *msg, int ok, json_t *shown)
{
    int failed = 0;
    json_t *m = shown ? json_incref(shown) : s_read(rs, &failed);
    if (failed) {
        dash_unavailable_page(res, rs);
        return;
    }
    sb_t sb = {0};
    page_begin(&sb, "Terugkombijeenkomst", s);
    sb_add(&sb, "<h1>Terugkombijeenkomst</h1>\n");
    if (msg)
        page_notice(&sb, ok, msg);
    sb_add(&sb, "<p>Hier zet u wanneer en waar de terugkombijeenkomst is. Dit komt op de "
                "<a href=\"/resultaten\">openbare pagina</a> en in het verslag. Alles is "
                "openbaar: zet er geen namen, e-mailadressen of telefoonnummers van mensen in. "
                "Laat u alles leeg, dan staat er niets.</p>\n"
                "<form method=\"post\" action=\"/bijeenkomst\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(&sb, s->csrf);
    sb_add(&sb, "\">\n<p><label for=\"m-date\">Datum</label><input id=\"m-date\" name=\"date\" "
                "type=\"date\" value=\"");
    sb_esc(&sb, s_get(m, "date"));
    sb_add(&sb, "\"></p>\n<p><label for=\"m-time\">Tijd</label><input id=\"m-time\" "
                "name=\"time\" type=\"time\" value=\"");
    sb_esc(&sb, s_get(m, "time"));
    sb_printf(&sb, "\"></p>\n<p><label for=\"m-place\">Plaats of link (online)</label>"
                   "<input id=\"m-place\" name=\"place\" maxlength=\"%d\" value=\"",
              S_PLACE_CHARS);
    sb_esc(&sb, s_get(m, "place"));
    sb_printf(&sb, "\"></p>\n<p><label for=\"m-text\">Meer uitleg (hoogstens %d tekens)</label>"
                   "<textarea id=\"m-text\" name=\"text\" rows=\"4\" maxlength=\"%d\">",
              S_TEXT_CHARS, S_TEXT_CHARS);
    sb_esc(&sb, s_get(m, "text"));
    sb_add(&sb, "</textarea></p>\n<p><button type=\"submit\">Opslaan</button> "
                "<button type=\"submit\" name=\"clear\" value=\"1\">Weghalen</button></p>\n"
                "</form>\n");
    json_decref(m);
    page_send(res, status, &sb);
}

static const char S_REFUSAL[] = "Alleen beheerders mogen de terugkombijeenkomst aankondigen.";

void ui_meeting(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    if (session_require_admin(d, rs, req, res, &s, S_REFUSAL))
        s_page(rs, &s, res, 200,
               http_query(req, "opgeslagen") ? "De aankondiging is opgeslagen." : NULL, 1, NULL);
    dash_redis_put(d, rs);
}

/* A value longer than its buffer sets bad (refused as too long). */
typedef struct {
    char csrf[65], date[16], time[8], clear[4], place[S_FIELD_BYTES], text[S_FIELD_BYTES];
    int bad;
} s_form_t;

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_form_t *f = arg;
    const page_field_t map[] = {{"csrf", f->csrf, sizeof f->csrf},
                                {"date", f->date, sizeof f->date},
                                {"time", f->time, sizeof f->time},
                                {"clear", f->clear, sizeof f->clear},
                                {"place", f->place, sizeof f->place},
                                {"text", f->text, sizeof f->text}};
    page_field_copy(map, sizeof map / sizeof map[0], key, value, len, &f->bad);
    return 0;
}

/* "" or HH:MM of a time that exists */
static int s_time_ok(const char *t)
{
    if (!*t)
        return 1;
    return strlen(t) == 5 && t[2] == ':' && strspn(t, "0123456789") == 2 &&
           strspn(t + 3, "0123456789") == 2 && atoi(t) < 24 && atoi(t + 3) < 60;
}

static int s_chars_ok(const char *s, size_t max)
{
    json_t *j = json_string(s); /* NULL: not UTF-8 */
    int ok = j && utf8_chars(s, strlen(s)) <= max;
    json_decref(j);
    return ok;
}

static int s_private(const char *s)
{
    return classify_pii_has(s, "email", NULL) || classify_pii_has(s, "phone", NULL);
}

/* NULL when the form may be stored, else the Dutch message why not. */
static const char *s_refused(const s_form_t *f)
{
    if (f->bad)
        return "Niet opgeslagen: de tekst is veel te lang. De uitleg mag hoogstens " S_STR(
            S_TEXT_CHARS) " tekens hebben, de plaats of link " S_STR(S_PLACE_CHARS) ".";
    if (!s_chars_ok(f->text, S_TEXT_CHARS))
        return "Niet opgeslagen: de uitleg is te lang. Gebruik hoogstens " S_STR(
            S_TEXT_CHARS) " tekens.";
    if (!s_chars_ok(f->place, S_PLACE_CHARS))
        return "Niet opgeslagen: de plaats of link is te lang. Gebruik hoogstens " S_STR(
            S_PLACE_CHARS) " tekens.";
    if (f->date[0] && form_date_check(f->date) != 0)
        return "Niet opgeslagen: die datum bestaat niet. Kies een dag die in de kalender staat.";
    if (!s_time_ok(f->time))
        return "Niet opgeslagen: schrijf de tijd als uu:mm, bijvoorbeeld 19:30.";
    if (s_private(f->place) || s_private(f->text))
        return "Niet opgeslagen: er staat een e-mailadres of telefoonnummer in. Deze tekst is "
               "openbaar. Haal het weg.";
    return NULL;
}

void ui_meeting_post(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_form_t f;
    memset(&f, 0, sizeof f);
    if (!session_require_admin(d, rs, req, res, &s, S_REFUSAL))
        goto out;
    if (http_form_fields(req, 4 * S_FIELD_BYTES, s_field, &f) < 0 ||
        !session_csrf_ok(&s, f.csrf)) {
        page_message(res, 403, "Niet toegestaan", "Dit formulier is niet geldig of verlopen.");
        goto out;
    }
    int clear = f.clear[0] || (!f.bad && !(f.date[0] || f.time[0] || f.place[0] || f.text[0]));
    const char *why = clear ? NULL : s_refused(&f);
    if (why) {
        /* the page keeps what was typed (cut to the limits), to correct it */
        json_t *typed = json_pack("{s:s, s:s, s:s, s:s}", "date", f.date, "time", f.time,
                                  "place", f.bad ? "" : f.place, "text", f.bad ? "" : f.text);
        s_page(rs, &s, res, 400, why, 0, typed);
        json_decref(typed);
        goto out;
    }
    redisReply *r;
    if (clear) {
        r = rstore_cmd(rs, "DEL " S_KEY);
    } else {
        /* every field, empty ones too: what was there before is replaced */
        r = rstore_cmd(rs, "HSET " S_KEY " date %s time %s place %s text %s by %s", f.date,
                       f.time, f.place, f.text, s.user);
    }
    int ok = r && r->type != REDIS_REPLY_ERROR;
    if (r)
        freeReplyObject(r);
    if (!ok) {
        dash_unavailable_page(res, rs);
        goto out;
    }
    audit_log(rs, clear ? "meeting_clear" : "meeting_set", s.user, NULL, NULL);
    page_redirect(res, "/bijeenkomst?opgeslagen=1"); /* a reload does not send it twice */
out:
    dash_redis_put(d, rs);
}
