/*
 * NAME
 *   ui_skipped - staff page of the mails that made no idea, with the reason
 *   (GET /overgeslagen)
 *
 * DESCRIPTION
 *   intake-mail pushes every skipped mail (auto-reply, bounce, mailing
 *   list, no new text) onto the list inspraak:mail:skipped as JSON
 *   {"at": ms, "reason", "subject", "from_domain"} (newest first, at most
 *   1000; services/intake-mail/mail_skiplog.h, docs/redis.md). This page
 *   shows them so staff can see that no resident's mail was dropped by
 *   mistake; the mail itself stays in $INSPRAAK_VAR/mail/skipped/. No
 *   address or name is stored, so none can be shown. Login required;
 *   every value is escaped (a subject is whatever a sender wrote).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "dashboard.h"

#define S_KEY DASH_KEY_PREFIX "mail:skipped"
#define S_MAX 1000

/* Dutch words for the kinds intake-mail writes before the first ':'. */
static const char *s_kind(const char *reason, char *kind, size_t size)
{
    static const char *const map[][2] = {{"autoreply", "automatisch antwoord"},
                                         {"bounce", "onbestelbaar (bounce)"},
                                         {"list", "mailinglijst"},
                                         {"empty", "geen nieuwe tekst"}};
    size_t n = strcspn(reason, ":");
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i][0]) == n && strncmp(reason, map[i][0], n) == 0)
            return map[i][1];
    snprintf(kind, size, "%.*s", (int)(n < 40 ? n : 40), reason);
    return kind;
}

static void s_row(sb_t *sb, json_t *e)
{
    const char *reason = json_string_value(json_object_get(e, "reason"));
    const char *subject = json_string_value(json_object_get(e, "subject"));
    const char *dom = json_string_value(json_object_get(e, "from_domain"));
    json_int_t at = json_integer_value(json_object_get(e, "at"));
    char when[40] = "", kind[48];
    if (at > 0)
        clock_local_format(at, PAGE_WHEN_FMT, when, sizeof when);
    reason = reason ? reason : "";
    const char *detail = strchr(reason, ':');
    sb_add(sb, "<tr><td>");
    sb_esc(sb, when);
    sb_add(sb, "</td><td>");
    sb_esc(sb, s_kind(reason, kind, sizeof kind));
    if (detail && detail[1]) {
        sb_add(sb, "<br><small>");
        sb_esc(sb, detail + 1 + (detail[1] == ' '));
        sb_add(sb, "</small>");
    }
    sb_add(sb, "</td><td>");
    sb_esc(sb, subject ? subject : "");
    sb_add(sb, "</td><td>");
    sb_esc(sb, dom ? dom : "");
    sb_add(sb, "</td></tr>\n");
}

static void s_page(rstore_t *rs, const session_t *s, http_res_t *res)
{
    redisReply *r = rstore_cmd(rs, "LRANGE " S_KEY " 0 %d", S_MAX - 1);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        dash_unavailable_page(res, rs);
        return;
    }
    sb_t sb = {0};
    page_begin(&sb, "Overgeslagen e-mails", s);
    sb_add(&sb, "<h1>Overgeslagen e-mails</h1>\n<p>Deze e-mails aan het inspraakadres zijn "
                "geen idee geworden: automatische antwoorden (zoals afwezigheidsmeldingen), "
                "onbestelbare e-mails, e-mails van mailinglijsten en e-mails zonder nieuwe "
                "tekst. De afzender krijgt geen bevestiging. Van de afzender tonen we alleen "
                "het domein (het deel na de @).</p>\n");
    if (r->elements == 0)
        sb_add(&sb, "<p>Er zijn geen overgeslagen e-mails.</p>\n");
    else {
        long long n = (long long)r->elements;
        sb_printf(&sb, "<table><caption>%s%s overgeslagen %s%s</caption><thead><tr><th scope=\"col\">Ontvangen</th><th scope=\"col\">"
                       "Reden</th><th scope=\"col\">Onderwerp</th><th scope=\"col\">Domein van "
                       "de afzender</th></tr></thead><tbody>\n",
                  n == 1 ? "" : "De laatste ", num_nl(n).s, page_plural(n, "e-mail", "e-mails"),
                  n == 1 ? "" : ", nieuwste eerst");
        for (size_t i = 0; i < r->elements; i++) {
            json_t *e = r->element[i]->type == REDIS_REPLY_STRING
                            ? json_loadb(r->element[i]->str, r->element[i]->len, 0, NULL)
                            : NULL;
            if (json_is_object(e))
                s_row(&sb, e);
            json_decref(e);
        }
        sb_add(&sb, "</tbody></table>\n");
    }
    freeReplyObject(r);
    page_send(res, 200, &sb);
}

void ui_skipped(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    if (session_require(d, rs, req, res, &s))
        s_page(rs, &s, res);
    dash_redis_put(d, rs);
}
