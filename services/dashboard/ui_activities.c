/*
 * NAME
 *   ui_activities - the activities register: staff record each activity
 *   (wijkgesprek, stakeholdersessie, ...) with date, place, wijk and the
 *   number of people spoken to (GET/POST /activiteiten)
 *
 * DESCRIPTION
 *   The report counts people reached from this register, also where not
 *   every remark became an idea. Entries are JSON in the list
 *   inspraak:activities (newest first, at most S_MAX): {"date", "kind",
 *   "place", "wijk", "people", "by", and when given "name" (a public title,
 *   at most 80 characters) and "until" (the last day of an activity of
 *   several days)}. The public page /resultaten (public_steps.c) shows
 *   name, kind, dates and wijk, never the place (staff may type an
 *   address there) nor who added it. These are not ideas, so the dashboard
 *   writes them itself (DESIGN.md contract 4 is about idea records).
 *   Every field is checked (kind from a fixed list, date YYYY-MM-DD of
 *   2000..2100 naming a day that exists, wijk known, place at most 120
 *   characters, people 0..100000) and escaped on output. A date such as
 *   2026-02-31 is refused with its own message: a browser's date field
 *   never sends one, so whoever sent it needs to hear which field is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "validate.h"
#include "xalloc.h"

#define S_MAX 10000
/* The place: at most S_PLACE_CHARS characters, the form's maxlength="120" (a
 * browser counts characters, so up to 4 bytes each in UTF-8). */
#define S_PLACE_CHARS 120
/* The public name: at most S_NAME_CHARS characters (maxlength="80"). */
#define S_NAME_CHARS 80

static const char *const s_kinds[] = {
    "wijkgesprek", "stakeholdersessie", "buurtenconferentie", "tourstop", "video",
    "interventie", "anders"};
#define S_NKINDS (sizeof s_kinds / sizeof s_kinds[0])

/* The idea "activity" value (VALID_ACTIVITIES) of ideas gathered at an
 * activity of this kind, NULL for "anders". */
const char *activities_idea_activity(const char *kind)
{
    static const char *const map[][2] = {{"wijkgesprek", "wijkgesprek"},
                                         {"stakeholdersessie", "stakeholder-sessie"},
                                         {"buurtenconferentie", "buurtenconferentie"},
                                         {"tourstop", "omgevingsvisietour"},
                                         {"video", "camjo-video"},
                                         {"interventie", "interventie"}};
    for (size_t i = 0; kind && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(kind, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

json_t *activities_list(rstore_t *rs)
{
    redisReply *r = rstore_cmd(rs, "LRANGE " DASH_KEY_PREFIX "activities 0 %d", S_MAX - 1);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        return NULL;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < r->elements; i++) {
        json_t *j = r->element[i]->type == REDIS_REPLY_STRING
                        ? json_loadb(r->element[i]->str, r->element[i]->len, 0, NULL)
                        : NULL;
        if (json_is_object(j))
            json_array_append(out, j);
        json_decref(j);
    }
    freeReplyObject(r);
    return out;
}

/* Register entries in date order; the list is newest entry first, so
 * of two entries of one day the one with the higher index was entered
 * first and comes first. */
typedef struct {
    json_t *a;
    size_t at;
} s_dated_t;

static int s_by_date(const void *x, const void *y)
{
    const s_dated_t *a = x, *b = y;
    const char *da = json_string_value(json_object_get(a->a, "date"));
    const char *db = json_string_value(json_object_get(b->a, "date"));
    int c = strcmp(da ? da : "", db ? db : "");
    return c ? c : a->at < b->at ? 1 : -1;
}

json_t *activities_by_date(json_t *list)
{
    size_t n = json_array_size(list);
    s_dated_t *v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (s_dated_t){json_array_get(list, i), i};
    qsort(v, n, sizeof *v, s_by_date);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i].a);
    free(v);
    return out;
}

void activities_table(sb_t *sb, const dash_t *d, json_t *list, int with_place,
                      const long long *ideas)
{
    long long total = 0;
    sb_add(sb, "<table><caption>Activiteiten en bereikte mensen</caption><thead><tr>"
               "<th scope=\"col\">Datum</th><th scope=\"col\">Naam</th><th "
               "scope=\"col\">Soort</th>");
    if (with_place)
        sb_add(sb, "<th scope=\"col\">Plaats</th>");
    sb_add(sb, "<th scope=\"col\">Wijk</th><th scope=\"col\">Mensen gesproken</th>");
    if (ideas)
        sb_add(sb, "<th scope=\"col\">Ideeën</th>");
    sb_add(sb, "</tr></thead><tbody>\n");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        const char *cols[5] = {"date", "name", "kind", "place", "wijk"};
        sb_add(sb, "<tr>");
        for (int c = 0; c < 5; c++) {
            if (c == 3 && !with_place)
                continue;
            const char *v = json_string_value(json_object_get(a, cols[c]));
            sb_add(sb, "<td>");
            const char *dim = c == 4 ? "wijk" : c == 2 ? "activity" : NULL;
            const char *until = json_string_value(json_object_get(a, "until"));
            char day[40];
            if (c == 0) /* "20 november 2026 t/m 21 november 2026", as /resultaten */
                sb_esc(sb, page_day(v, day, sizeof day));
            else if (c == 4 && !v) /* no wijk: one for all of Heerlen */
                sb_add(sb, "Heel Heerlen");
            else if (c == 1 && !with_place && (!v || !*v)) /* no public name: as /resultaten */
                sb_esc(sb, page_label(d, "activity",
                                      json_string_value(json_object_get(a, "kind"))));
            else
                sb_esc(sb, dim ? page_label(d, dim, v) : v ? v : "");
            if (c == 0 && until) {
                sb_add(sb, " t/m ");
                sb_esc(sb, page_day(until, day, sizeof day));
            }
            sb_add(sb, "</td>");
        }
        long long n = json_integer_value(json_object_get(a, "people"));
        total += n;
        sb_printf(sb, "<td>%s</td>", num_nl(n).s);
        if (ideas && ideas[i] >= 0)
            sb_printf(sb, "<td>%s</td>", num_nl(ideas[i]).s);
        else if (ideas)
            sb_add(sb, "<td>niet apart geteld</td>");
        sb_add(sb, "</tr>\n");
    }
    /* no total of ideas: two entries of one kind, day and wijk show the
     * same ideas (public_steps.c) */
    sb_printf(sb,
              "</tbody><tfoot><tr><th scope=\"row\" colspan=\"%d\">Totaal</th><td>%s</td>%s"
              "</tr></tfoot></table>\n",
              with_place ? 5 : 4, num_nl(total).s, ideas ? "<td></td>" : "");
}

static void s_page(dash_t *d, rstore_t *rs, const session_t *s, http_res_t *res, int status,
                   const char *msg, int ok)
{
    json_t *list = activities_list(rs);
    if (!list) {
        dash_unavailable_page(res, rs);
        return;
    }
    sb_t sb = {0};
    page_begin(&sb, "Activiteiten", s);
    sb_add(&sb, "<h1>Activiteiten</h1>\n");
    if (msg)
        page_notice(&sb, ok, msg);
    activities_table(&sb, d, list, 1, NULL);
    json_decref(list);
    sb_add(&sb, "<h2>Activiteit toevoegen</h2>\n<form method=\"post\" action=\"/activiteiten\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(&sb, s->csrf);
    sb_add(&sb, "\">\n<p><label for=\"a-kind\">Soort</label><select id=\"a-kind\" name=\"kind\">");
    for (size_t i = 0; i < S_NKINDS; i++)
        sb_printf(&sb, "<option value=\"%s\">%s</option>", s_kinds[i],
                  page_label(d, "activity", s_kinds[i]));
    sb_add(&sb,
           "</select></p>\n<p><label for=\"a-name\">Naam (komt op de openbare pagina; "
           "geen namen van mensen)</label><input id=\"a-name\" name=\"name\" "
           "maxlength=\"80\"></p>\n<p><label for=\"a-date\">Datum</label><input "
           "id=\"a-date\" name=\"date\" type=\"date\" required></p>\n<p><label "
           "for=\"a-until\">Tot en met (alleen bij meer dagen)</label><input id=\"a-until\" "
           "name=\"until\" type=\"date\"></p>\n<p><label for=\"a-place\">Plaats (niet "
           "openbaar)</label><input id=\"a-place\" name=\"place\" maxlength=\"120\" required></p>\n"
           "<p><label for=\"a-wijk\">Wijk</label><select id=\"a-wijk\" name=\"wijk\">"
           "<option value=\"\">Heel Heerlen</option>");
    const char *code, *name;
    for (size_t i = 0; d->geo && geo_wijk_at(d->geo, i, &code, &name) == 0; i++) {
        sb_add(&sb, "<option value=\"");
        sb_esc(&sb, code);
        sb_add(&sb, "\">");
        sb_esc(&sb, name);
        sb_add(&sb, "</option>");
    }
    sb_add(&sb, "</select></p>\n<p><label for=\"a-people\">Aantal mensen gesproken</label>"
                "<input id=\"a-people\" name=\"people\" type=\"number\" min=\"0\" "
                "max=\"100000\" required></p>\n<p><button type=\"submit\">Toevoegen</button></p>"
                "\n</form>\n");
    page_send(res, status, &sb);
}

void ui_activities(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    if (session_require(d, rs, req, res, &s))
        s_page(d, rs, &s, res, 200,
               http_query(req, "toegevoegd") ? "De activiteit is toegevoegd." : NULL, 1);
    dash_redis_put(d, rs);
}

typedef struct {
    char csrf[65], kind[32], date[16], until[16], place[S_PLACE_CHARS * 4 + 1], wijk[16],
        people[16], name[S_NAME_CHARS * 4 + 1];
    int bad;
} s_form_t;

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_form_t *f = arg;
    const page_field_t map[] = {
        {"csrf", f->csrf, sizeof f->csrf},    {"kind", f->kind, sizeof f->kind},
        {"date", f->date, sizeof f->date},    {"place", f->place, sizeof f->place},
        {"wijk", f->wijk, sizeof f->wijk},    {"people", f->people, sizeof f->people},
        {"until", f->until, sizeof f->until}, {"name", f->name, sizeof f->name}};
    page_field_copy(map, sizeof map / sizeof map[0], key, value, len, &f->bad);
    return 0;
}

/* 0: a day of the years 2000..2100 that exists; 1: ten characters of the
 * form YYYY-MM-DD in those years that name no day (2026-02-31, month 13);
 * -1: anything else. query_parse_time() knows the length of each month. */
int form_date_check(const char *s)
{
    if (strlen(s) != 10)
        return -1;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
            return -1;
    int y = atoi(s);
    int64_t ms;
    if (y < 2000 || y > 2100)
        return -1;
    return query_parse_time(s, false, &ms) == 0 ? 0 : 1;
}

static int s_valid(const dash_t *d, const s_form_t *f, long *people)
{
    int kind = 0;
    for (size_t i = 0; i < S_NKINDS; i++)
        kind |= strcmp(f->kind, s_kinds[i]) == 0;
    char *end = NULL;
    *people = strtol(f->people, &end, 10);
    json_t *place = json_string(f->place), *name = json_string(f->name); /* NULL: not UTF-8 */
    /* until: empty, or a later day (YYYY-MM-DD compares as text) */
    int until = !f->until[0] || (form_date_check(f->until) == 0 && strcmp(f->until, f->date) > 0);
    int ok = !f->bad && kind && form_date_check(f->date) == 0 && until && name &&
             utf8_chars(f->name, strlen(f->name)) <= S_NAME_CHARS && f->place[0] && place &&
             utf8_chars(f->place, strlen(f->place)) <= S_PLACE_CHARS && end && end != f->people &&
             !*end && *people >= 0 && *people <= 100000 &&
             (!f->wijk[0] || (d->geo && geo_wijk_name(d->geo, f->wijk)));
    json_decref(place);
    json_decref(name);
    return ok;
}

void ui_activity_add(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_form_t f;
    long people = 0;
    memset(&f, 0, sizeof f);
    if (!session_require(d, rs, req, res, &s))
        goto out;
    if (http_form_fields(req, S_PLACE_CHARS * 4, s_field, &f) < 0 || !session_csrf_ok(&s, f.csrf)) {
        page_message(res, 403, "Niet toegestaan", "Dit formulier is niet geldig of verlopen.");
        goto out;
    }
    if (!s_valid(d, &f, &people)) {
        s_page(d, rs, &s, res, 400,
               form_date_check(f.date) == 1 || (f.until[0] && form_date_check(f.until) == 1)
                   ? "Niet toegevoegd: die datum bestaat niet. Kies een dag die in de kalender "
                     "staat."
               : f.until[0] && form_date_check(f.until) == 0 && strcmp(f.until, f.date) <= 0
                   ? "Niet toegevoegd: de datum bij 'tot en met' moet na de eerste datum liggen."
                   : "Niet toegevoegd: kies een soort, een datum, vul de plaats in en een aantal "
                     "mensen van 0 tot 100000.",
               0);
        goto out;
    }
    json_t *j = json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:i, s:s, s:s?}", "date", f.date, "until",
                          f.until[0] ? f.until : NULL, "kind", f.kind, "place", f.place, "wijk",
                          f.wijk[0] ? f.wijk : NULL, "people", (json_int_t)people, "by", s.user,
                          "name", f.name[0] ? f.name : NULL);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    rstore_append(rs, "LPUSH " DASH_KEY_PREFIX "activities %s", text ? text : "{}");
    rstore_append(rs, "LTRIM " DASH_KEY_PREFIX "activities 0 %d", S_MAX - 1);
    redisReply *a = rstore_reply(rs), *b = rstore_reply(rs);
    int ok = a && b && a->type == REDIS_REPLY_INTEGER;
    if (a)
        freeReplyObject(a);
    if (b)
        freeReplyObject(b);
    free(text);
    if (!ok) {
        dash_unavailable_page(res, rs);
        goto out;
    }
    audit_log(rs, "activity_add", s.user, NULL, f.kind);
    page_redirect(res, "/activiteiten?toegevoegd=1"); /* a reload does not add it twice */
out:
    dash_redis_put(d, rs);
}
