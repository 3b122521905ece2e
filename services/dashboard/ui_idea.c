/*
 * NAME
 *   ui_idea - one idea (GET /ideeen/{id}) and its moderation form; the
 *   save (POST /ideeen/{id}) is ui_moderate.c, POST
 *   /ideeen/{id}/weghalen is ui_redact.c
 *
 * DESCRIPTION
 *   The detail page shows the text, the source (Message-ID and subject for
 *   mail; video id with start/end for transcripts; device and local id for
 *   the field app), the classification, the PII flags and a moderation
 *   form: status (new/approved/hidden), wijk, sentiment, nu/toekomst, up
 *   to three themes, and the near-duplicate cluster: "hoort bij idee N" puts the
 *   idea in N's cluster, "los maken" gives it a cluster of its own
 *   ("<id>-los": its id may be the cluster of other ideas). The form
 *   carries the version of the idea it shows ("was", ui_idea_version());
 *   saving is ui_moderate.c.
 *   Stored values are never used as link targets (a "javascript:" video id
 *   stays text).
 *
 * OWNERSHIP
 *   ui_idea_or_answer() returns a new reference: json_decref() it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dashboard.h"
#include "redact.h"
#include "ui_redact.h"
#include "xalloc.h"

static const char *s_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void s_dt(sb_t *sb, const char *label, const char *value)
{
    sb_add(sb, "<dt>");
    sb_esc(sb, label);
    sb_add(sb, "</dt><dd>");
    sb_esc(sb, value && *value ? value : "-");
    sb_add(sb, "</dd>\n");
}

/* A link to the moment in the video: url#t=<start seconds> (W3C Media
 * Fragments). Only http(s) URLs without spaces or control characters are
 * linked, so a sidecar can never smuggle in javascript: or data:. */
static void s_video_link(sb_t *sb, const char *url, json_t *start)
{
    if (!url || !*url)
        return;
    int ok = strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0;
    for (const unsigned char *p = (const unsigned char *)url; ok && *p; p++)
        ok = *p > 0x20 && *p != 0x7f;
    if (!ok) {
        s_dt(sb, "Video-link (niet gebruikt: geen http- of https-adres)", url);
        return;
    }
    long t =
        json_is_number(start) && json_number_value(start) > 0 ? (long)json_number_value(start) : 0;
    /* Any fragment the URL already has gives way to the time. */
    char *link = xasprintf("%.*s#t=%ld", (int)strcspn(url, "#"), url, t);
    sb_add(sb, "<dt>Video bekijken</dt><dd><a href=\"");
    sb_esc(sb, link);
    free(link);
    sb_add(sb, "\" rel=\"noopener noreferrer\">Bekijk dit fragment in de video</a></dd>\n");
}

/* A mail's attachments: listed by intake-mail, never stored. Names can
 * hold personal data, like the subject: escaped, and only on this staff
 * page (never on /resultaten). */
static void s_attachments(sb_t *sb, json_t *list)
{
    if (!json_is_array(list) || json_array_size(list) == 0)
        return;
    sb_add(sb, "<dt>Bijlagen (niet bewaard): naam, soort, grootte</dt><dd><ul>\n");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        const char *name = s_str(a, "name"), *type = s_str(a, "type");
        json_int_t size = json_integer_value(json_object_get(a, "size"));
        char buf[48];
        if (size < 1024)
            snprintf(buf, sizeof buf, "%lld bytes", (long long)size);
        else if (size < 1024 * 1024)
            snprintf(buf, sizeof buf, "%s kB", num_nl((long long)(size + 512) / 1024).s);
        else /* Dutch decimal comma */
            snprintf(buf, sizeof buf, "%s,%lld MB", num_nl((long long)size / (1024 * 1024)).s,
                     (long long)(size % (1024 * 1024)) * 10 / (1024 * 1024));
        sb_add(sb, "<li>");
        sb_esc(sb, name && *name ? name : "(zonder naam)");
        sb_add(sb, ", ");
        sb_esc(sb, type && *type ? type : "onbekende soort");
        sb_add(sb, ", ");
        sb_esc(sb, buf);
        sb_add(sb, "</li>\n");
    }
    sb_add(sb, "</ul></dd>\n");
}

static void s_source(sb_t *sb, json_t *src)
{
    char buf[96];
    s_dt(sb, "Message-ID (e-mail)", s_str(src, "message_id"));
    s_dt(sb, "Onderwerp (e-mail)", s_str(src, "subject"));
    s_attachments(sb, json_object_get(src, "attachments"));
    s_dt(sb, "Video", s_str(src, "video_id"));
    json_t *st = json_object_get(src, "start"), *en = json_object_get(src, "end");
    if (json_is_number(st)) {
        double a = json_number_value(st), b = json_is_number(en) ? json_number_value(en) : a;
        snprintf(buf, sizeof buf, "%d:%02d tot %d:%02d", (int)a / 60, (int)a % 60, (int)b / 60,
                 (int)b % 60);
        s_dt(sb, "Fragment (minuut:seconde)", buf);
    }
    s_video_link(sb, s_str(src, "video_url"), st);
    /* context is the interviewer's question for a transcript, and the
     * name of the activity chosen on the tablet for a field idea. */
    s_dt(sb, s_str(src, "device_id") ? "Activiteit" : "Vraag van de interviewer",
         s_str(src, "context"));
    s_dt(sb, "Apparaat", s_str(src, "device_id"));
    s_dt(sb, "Nummer op het apparaat", s_str(src, "local_id"));
}

static void s_options(sb_t *sb, const dash_t *d, const char *dim, const char *const *vals, int n,
                      const char *cur)
{
    for (int i = 0; i < n; i++) {
        sb_add(sb, "<option value=\"");
        sb_esc(sb, vals[i]);
        sb_add(sb, cur && strcmp(cur, vals[i]) == 0 ? "\" selected>" : "\">");
        sb_esc(sb, vals[i][0] ? page_label(d, dim, vals[i]) : "Onbekend");
        sb_add(sb, "</option>");
    }
}

/* One theme choice of the correction form: "(geen)" and every theme of
 * the theme file by its Dutch label; a current value the file does not
 * know (an older theme) stays choosable. */
static void s_theme_select(dash_t *d, sb_t *sb, int i, const char *cur)
{
    cur = cur ? cur : "";
    sb_printf(sb,
              "<p><label for=\"m-theme%d\">Thema %d%s</label><select id=\"m-theme%d\" "
              "name=\"theme\">\n<option value=\"\">(geen)</option>",
              i, i + 1, i == 0 ? " (hoofdthema)" : "", i);
    if (*cur && !page_theme_known(d, cur)) {
        sb_add(sb, "<option value=\"");
        sb_esc(sb, cur);
        sb_add(sb, "\" selected>");
        sb_esc(sb, cur);
        sb_add(sb, "</option>");
    }
    for (size_t k = 0; k < d->n_themes; k++) {
        sb_add(sb, "<option value=\"");
        sb_esc(sb, d->theme_slug[k]);
        sb_add(sb, strcmp(cur, d->theme_slug[k]) == 0 ? "\" selected>" : "\">");
        sb_esc(sb, d->theme_label[k]);
        sb_add(sb, "</option>");
    }
    sb_add(sb, "</select></p>\n");
}

/* What the moderation form showed of an idea (idea_version.h): the form
 * sends every field as it showed it, so a page opened before someone
 * else's change (another tab, a colleague) would put the old values back.
 * It carries this as "was"; a save whose "was" no longer matches is
 * refused (409), by ui_moderate.c and, for a save that reaches storage
 * late, by storage. */
void ui_idea_version(json_t *it, char out[IDEA_VERSION_SIZE])
{
    static const char *const keys[IDEA_VERSION_FIELDS] = IDEA_VERSION_NAMES;
    const char *vals[IDEA_VERSION_FIELDS], *themes[PROTO_MAX_THEMES];
    for (int i = 0; i < IDEA_VERSION_FIELDS; i++)
        vals[i] = s_str(it, keys[i]);
    int n = 0;
    json_t *list = json_object_get(it, "themes"), *t;
    size_t k;
    json_array_foreach(list, k, t)
    {
        if (n < PROTO_MAX_THEMES)
            themes[n++] = json_string_value(t);
    }
    idea_version_of(vals, themes, n, out);
}

static void s_modform(dash_t *d, sb_t *sb, const session_t *s, json_t *it)
{
    char was[IDEA_VERSION_SIZE];
    ui_idea_version(it, was);
    static const char *const st[] = {"new", "approved", "hidden"};
    static const char *const se[] = {"", "positief", "neutraal", "negatief"};
    static const char *const qu[] = {"nu", "toekomst"};
    const char *wijken[80];
    int nw = 0;
    wijken[nw++] = "";
    const char *code, *name;
    for (size_t i = 0; d->geo && nw < 80 && geo_wijk_at(d->geo, i, &code, &name) == 0; i++)
        wijken[nw++] = code;
    sb_add(sb, "<h2>Beoordelen en verbeteren</h2>\n<form method=\"post\" action=\"/ideeen/");
    sb_url(sb, s_str(it, "id"));
    sb_add(sb, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(sb, s->csrf);
    sb_add(sb, "\">\n<input type=\"hidden\" name=\"was\" value=\"");
    sb_esc(sb, was);
    sb_add(sb, "\">\n<p><label for=\"m-status\">Status</label><select id=\"m-status\" "
               "name=\"status\">");
    s_options(sb, d, "status", st, 3, s_str(it, "status"));
    sb_add(sb, "</select></p>\n<p><label for=\"m-wijk\">Wijk</label><select id=\"m-wijk\" "
               "name=\"wijk\">");
    const char *w = s_str(it, "wijk");
    s_options(sb, d, "wijk", wijken, nw, w ? w : "");
    sb_add(sb, "</select></p>\n<p><label for=\"m-sentiment\">Gevoel</label><select "
               "id=\"m-sentiment\" name=\"sentiment\">");
    const char *sv = s_str(it, "sentiment");
    s_options(sb, d, "sentiment", se, 4, sv ? sv : "");
    sb_add(sb, "</select></p>\n<p><label for=\"m-question\">Nu of toekomst</label><select "
               "id=\"m-question\" name=\"question\">");
    const char *qv = s_str(it, "question");
    if (!qv || !*qv) /* not classified yet: nothing chosen, nothing sent */
        sb_add(sb, "<option value=\"\" selected>Onbekend</option>");
    s_options(sb, d, "question", qu, 2, qv);
    sb_add(sb, "</select></p>\n");
    json_t *themes = json_object_get(it, "themes");
    for (int i = 0; i < PROTO_MAX_THEMES; i++)
        s_theme_select(d, sb, i, json_string_value(json_array_get(themes, (size_t)i)));
    sb_add(sb, "<fieldset><legend>Bijna hetzelfde idee (cluster)</legend>\n"
               "<p><label for=\"m-bij\">Hoort bij het idee met nummer</label><input "
               "id=\"m-bij\" name=\"bij\" maxlength=\"64\" autocomplete=\"off\"></p>\n"
               "<p><label><input type=\"checkbox\" name=\"los\" value=\"1\"> Los maken: "
               "dit idee hoort bij geen ander idee</label></p>\n</fieldset>\n");
    sb_add(sb, "<p><button type=\"submit\">Opslaan</button></p>\n</form>\n");
}

/* The cluster, linked to the page of its members. */
static void s_cluster_dt(sb_t *sb, const char *cluster)
{
    if (!cluster || !*cluster) {
        s_dt(sb, "Cluster", NULL);
        return;
    }
    sb_add(sb, "<dt>Cluster</dt><dd><a href=\"/clusters?cluster=");
    sb_url(sb, cluster);
    sb_add(sb, "\">");
    sb_esc(sb, cluster);
    sb_add(sb, "</a></dd>\n");
}

/* saved: 1 after a saved change, -1 when a change sent on a session that
 * had ended was not saved (the login came back here: session.c), 0. */
static void s_detail(dash_t *d, const session_t *s, http_res_t *res, json_t *it, int saved,
                     const char *redacted)
{
    sb_t sb = {0};
    page_begin(&sb, "Idee", s);
    sb_add(&sb, "<h1>Idee ");
    sb_esc(&sb, s_str(it, "id"));
    sb_add(&sb, "</h1>\n");
    if (saved > 0)
        page_notice(&sb, 1, "De wijziging is opgeslagen.");
    else if (saved < 0)
        page_notice(&sb, 0,
                    "Uw wijziging is niet opgeslagen, omdat uw sessie was verlopen. Doe het "
                    "hieronder nog een keer.");
    if (redacted) {
        long n = strtol(redacted, NULL, 10);
        char said[96];
        snprintf(said, sizeof said, "Weggehaald: %s %s. De oude tekst is nergens meer te zien.",
                 num_nl(n > 0 && n < 100000 ? n : 0).s, n == 1 ? "plek" : "plekken");
        page_notice(&sb, 1, said);
    }
    if (s_str(it, "title")) {
        sb_add(&sb, "<h2>");
        sb_esc(&sb, s_str(it, "title"));
        sb_add(&sb, "</h2>\n");
    }
    sb_add(&sb, "<blockquote><p class=\"text\" dir=\"auto\">");
    sb_esc(&sb, s_str(it, "text"));
    sb_add(&sb, "</p></blockquote>\n<h2>Herkomst</h2>\n<dl>\n");
    char when[40];
    /* A street interview's or field tour's received_at is when it was
     * recorded (intake-transcript, intake-field), not when it reached us. */
    const char *ch = s_str(it, "channel");
    int recorded = ch && (!strcmp(ch, "field") || !strcmp(ch, "transcript"));
    s_dt(&sb, recorded ? "Opgenomen" : "Ontvangen",
         page_when(s_str(it, "received_at"), when, sizeof when));
    s_dt(&sb, "Kanaal", page_label(d, "channel", s_str(it, "channel")));
    /* the kind (wijkgesprek); a field idea's named activity is
     * "Activiteit" under it (s_source) */
    s_dt(&sb, "Soort activiteit", page_label(d, "activity", s_str(it, "activity")));
    s_dt(&sb, "Doelgroep", page_label(d, "target_group", s_str(it, "target_group")));
    s_dt(&sb, "Postcode", s_str(it, "postcode"));
    s_source(&sb, json_object_get(it, "source"));
    sb_add(&sb, "</dl>\n<h2>Indeling</h2>\n<dl>\n");
    s_dt(&sb, "Status", page_label(d, "status", s_str(it, "status")));
    s_dt(&sb, "Wijk", page_label(d, "wijk", s_str(it, "wijk")));
    s_dt(&sb, "Buurt", page_label(d, "buurt", s_str(it, "buurt")));
    s_dt(&sb, "Nu of toekomst", page_label(d, "question", s_str(it, "question")));
    s_dt(&sb, "Gevoel", page_label(d, "sentiment", s_str(it, "sentiment")));
    s_dt(&sb, "Taal", page_label(d, "language", s_str(it, "language")));
    s_cluster_dt(&sb, s_str(it, "cluster"));
    const char *keys[2] = {"themes", "pii"}, *labels[2] = {"Thema's", "Persoonsgegevens (PII)"};
    for (int k = 0; k < 2; k++) {
        sb_t list = {0};
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(it, keys[k]), i, v)
        {
            sb_add(&list, i ? ", " : "");
            const char *slug = json_string_value(v) ? json_string_value(v) : "";
            /* PII kinds in the words of the redact buttons ("naam", not "name"). */
            const char *pii = redact_kind_label(slug);
            sb_add(&list, k == 0 ? page_label(d, "theme", slug) : pii ? pii : slug);
        }
        s_dt(&sb, labels[k], list.buf);
        sb_free(&list);
    }
    sb_add(&sb, "</dl>\n");
    ui_redact_section(&sb, s, it);
    s_modform(d, &sb, s, it);
    sb_add(&sb, "<p><a href=\"/ideeen\">Terug naar de lijst</a></p>\n");
    page_send(res, 200, &sb);
}

json_t *ui_idea_or_answer(rstore_t *rs, const char *id, http_res_t *res)
{
    int failed = 0;
    json_t *it = ideas_get_one(rs, id, &failed);
    if (it)
        return it;
    if (failed)
        dash_unavailable_page(res, rs);
    else
        page_message(res, 404, "Niet gevonden", "Dit idee bestaat niet.");
    return NULL;
}

void ui_idea(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    if (session_require(d, rs, req, res, &s)) {
        json_t *it = ui_idea_or_answer(rs, http_path_rest(req), res);
        const char *q = http_query(req, "opgeslagen");
        int saved = q && strcmp(q, "0") == 0 ? -1 : q != NULL;
        if (it)
            s_detail(d, &s, res, it, saved,
                     http_query(req, "weggehaald"));
        json_decref(it);
    }
    dash_redis_put(d, rs);
}
