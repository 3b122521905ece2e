/*
 * NAME
 *   ui_moderate - the idea page's save (POST /ideeen/{id}); POST
 *   /ideeen/{id}/weghalen goes to ui_redact.c
 *
 * DESCRIPTION
 *   The form of the idea page (ui_idea.c) sends status, wijk, sentiment,
 *   nu/toekomst, up to three themes, "hoort bij" or "los maken", and the
 *   version of the page it was made on ("was", ui_idea_version()).
 *   Saving sends ENV_UPDATE to storage (moderate.c; with a new cluster
 *   through the classifier, so later near-duplicates follow it) with that
 *   version (proto/idea_version.h) and, after the ack, reads the idea
 *   back: "opgeslagen" is only said when the stored record shows the
 *   change. A save that storage did not apply because the idea no longer
 *   had that version (it changed after the check here) gets the same 409
 *   as a page opened before a change.
 *   Every action goes to the audit log (staff name, idea id, the new
 *   values; no idea text).
 *
 * OWNERSHIP
 *   Nothing is returned; the update built from the form is freed here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "idea_version.h"
#include "log.h"
#include "ui_redact.h"

static const char *s_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

typedef struct {
    idea_t upd;
    char csrf[65];
    char bij[65]; /* "hoort bij": another idea's id */
    int los;      /* "los maken": a cluster of its own */
    /* ui_idea_version() of the page the form was on; "" from others */
    char was[IDEA_VERSION_SIZE];
    int bad;
} s_mod_t;

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_mod_t *m = arg;
    if (memchr(value, '\0', len) || len > 64) {
        m->bad = 1;
        return 0;
    }
    if (strcmp(key, "csrf") == 0 && len < sizeof m->csrf)
        memcpy(m->csrf, value, len + 1);
    else if (strcmp(key, "bij") == 0)
        snprintf(m->bij, sizeof m->bij, "%.*s", (int)len, value);
    else if (strcmp(key, "los") == 0)
        m->los = 1;
    else if (strcmp(key, "was") == 0 && len < sizeof m->was)
        memcpy(m->was, value, len + 1);
    else if (strcmp(key, "status") == 0)
        proto_set(&m->upd.status, value);
    else if (strcmp(key, "wijk") == 0)
        proto_set(&m->upd.wijk, *value ? value : NULL);
    else if (strcmp(key, "sentiment") == 0)
        proto_set(&m->upd.sentiment, *value ? value : NULL);
    else if (strcmp(key, "question") == 0)
        proto_set(&m->upd.question, *value ? value : NULL);
    else if (strcmp(key, "theme") == 0 && *value && idea_add_theme(&m->upd, value) < 0)
        m->bad = m->upd.n_themes >= PROTO_MAX_THEMES ? 1 : m->bad; /* a repeat is ignored */
    return 0;
}

/* Values that storage accepts: the one check of an update, in proto
 * (storage and the classifier run it too). The idea page always sends a
 * status. Themes are slugs of the theme list, lowercase: storage's check
 * lets capitals through (wijk codes share it), so the page refuses them
 * itself, as its message says. */
static int s_valid(const idea_t *u)
{
    for (int k = 0; k < u->n_themes; k++)
        for (const char *c = u->themes[k]; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                return 0;
    return u->status && idea_update_check(u, NULL, 0) == 0;
}

/* 1 when every theme of the update is in the theme file or already one
 * of the idea's own (before): the form offers only those, and a theme
 * removed from the file later stays on the ideas that have it. Anything
 * else is a crafted form: storage would take any lowercase slug, and the
 * made-up theme would then show in the lists, filters and the report. */
static int s_themes_known(const dash_t *d, const idea_t *u, json_t *before)
{
    for (int k = 0; k < u->n_themes; k++) {
        int known = page_theme_known(d, u->themes[k]);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(before, "themes"), i, v)
        {
            const char *own = json_string_value(v);
            known = known || (own && strcmp(own, u->themes[k]) == 0);
        }
        if (!known)
            return 0;
    }
    return 1;
}

/* The stored idea now shows the update's values. */
static int s_applied(json_t *it, const idea_t *u)
{
    const char *w = s_str(it, "wijk"), *se = s_str(it, "sentiment"), *q = s_str(it, "question");
    int ok = s_str(it, "status") && strcmp(s_str(it, "status"), u->status) == 0 &&
             strcmp(w ? w : "", u->wijk ? u->wijk : "") == 0 &&
             strcmp(se ? se : "", u->sentiment ? u->sentiment : "") == 0 &&
             (!u->question || (q && strcmp(q, u->question) == 0)) &&
             json_array_size(json_object_get(it, "themes")) == (size_t)u->n_themes;
    return ok;
}

/* Sets m->upd.cluster from "hoort bij" or "los maken" (left NULL when
 * neither is asked or the idea is already there). 0 when the choice
 * cannot be made: the answer is then set. */
static int s_cluster_choice(rstore_t *rs, s_mod_t *m, json_t *before, http_res_t *res)
{
    const char *id = m->upd.id, *cur = s_str(before, "cluster");
    char own[80];
    if (m->bij[0] && m->los) {
        page_message(res, 400, "Niet opgeslagen",
                     "Kies een idee waar dit idee bij hoort, of maak het los. Niet allebei.");
        return 0;
    }
    if (m->los) {
        /* Always "<id>-los", never its id: other ideas may carry its id
         * as their cluster (it started that group, then was moved), and
         * its id would put it back there. Already "<id>-los": no change. */
        snprintf(own, sizeof own, "%.70s-los", id);
        if (!cur || strcmp(cur, own) != 0)
            proto_set(&m->upd.cluster, own);
        return 1;
    }
    if (!m->bij[0])
        return 1;
    if (strcmp(m->bij, id) == 0 || !query_id_valid(m->bij, strlen(m->bij))) {
        page_message(res, 400, "Niet opgeslagen",
                     "Vul het nummer van een ander idee in (het staat bovenaan bij elk idee).");
        return 0;
    }
    int failed = 0;
    json_t *other = ideas_get_one(rs, m->bij, &failed);
    if (!other) {
        if (failed)
            dash_unavailable_page(res, rs);
        else
            page_message(res, 400, "Niet opgeslagen",
                         "Er is geen idee met het nummer dat u invulde. Kijk het nummer na.");
        return 0;
    }
    const char *c = s_str(other, "cluster") ? s_str(other, "cluster") : m->bij;
    if (strlen(c) < PROTO_MAX_CLUSTER && (!cur || strcmp(cur, c) != 0))
        proto_set(&m->upd.cluster, c);
    json_decref(other);
    return 1;
}

/* 409: the idea changed after the page the save was made on was opened;
 * found before sending, or by storage (the save's "was"). */
static void s_changed_page(http_res_t *res, const char *id)
{
    sb_t back = {0};
    sb_add(&back, "/ideeen/");
    sb_url(&back, id);
    page_message_back(res, 409, "Niet opgeslagen",
                      "Dit idee is intussen veranderd, in een ander tabblad of door een "
                      "collega. Open het idee opnieuw, kijk wat er nu staat en sla uw "
                      "wijziging dan nog een keer op.",
                      back.buf, "Open het idee opnieuw");
    sb_free(&back);
}

/* After the ack: 1 when the stored idea shows the save, 0 when it does
 * not, -1 when it does not and no longer has the version the save was
 * made on (storage refused it, or someone changed the idea since). */
static int s_saved(json_t *after, const s_mod_t *m)
{
    const char *cl = s_str(after, "cluster");
    if (s_applied(after, &m->upd) && (!m->upd.cluster || (cl && strcmp(cl, m->upd.cluster) == 0)))
        return 1;
    char now[IDEA_VERSION_SIZE];
    ui_idea_version(after, now);
    return m->was[0] && strcmp(m->was, now) != 0 ? -1 : 0;
}

void ui_moderate(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    const char *id = http_path_rest(req);
    if (ui_redact_path(id)) {
        ui_redact(req, res, arg);
        return;
    }
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_mod_t m = {.bad = 0};
    char err[256] = "";
    idea_init(&m.upd);
    if (!session_require(d, rs, req, res, &s))
        goto out;
    if (http_form_fields(req, 256, s_field, &m) < 0 || !session_csrf_ok(&s, m.csrf)) {
        page_message(res, 403, "Niet toegestaan",
                     "Dit formulier is niet geldig of verlopen. Open het idee opnieuw.");
        goto out;
    }
    proto_set(&m.upd.id, id);
    if (m.bad || !query_id_valid(id, strlen(id)) ||
        (m.upd.wijk && (!d->geo || !geo_wijk_name(d->geo, m.upd.wijk))) || !s_valid(&m.upd)) {
        page_message(res, 400, "Niet opgeslagen",
                     "Een van de waarden kan niet: kies een status, een wijk uit de lijst en "
                     "thema's met kleine letters, cijfers, - of _.");
        goto out;
    }
    json_t *before = ui_idea_or_answer(rs, id, res);
    if (!before)
        goto out;
    char now[IDEA_VERSION_SIZE];
    ui_idea_version(before, now);
    if (m.was[0] && strcmp(m.was, now) != 0) {
        json_decref(before);
        s_changed_page(res, id);
        goto out;
    }
    if (!s_themes_known(d, &m.upd, before)) {
        json_decref(before);
        page_message(res, 400, "Niet opgeslagen",
                     "Een thema dat u koos, staat niet in de lijst met thema's. Kies de "
                     "thema's uit de lijst op de pagina van het idee.");
        goto out;
    }
    int cluster_ok = s_cluster_choice(rs, &m, before, res);
    json_decref(before);
    if (!cluster_ok)
        goto out;
    /* Storage applies the save only over the idea as this page showed it:
     * a save that reaches it late, after a later one, changes nothing. */
    proto_err_t perr;
    if (m.was[0] && idea_version_put(&m.upd, m.was, &perr) < 0)
        log_warn("msg=\"save sent without its version\" err=\"%s\"", perr.message);
    int failed = 0;
    int ok = moderate_send(d, &m.upd, err, sizeof err) == 0;
    json_t *after = ok ? ideas_get_one(rs, id, &failed) : NULL;
    int saved = after ? s_saved(after, &m) : 0;
    ok = ok && saved > 0;
    json_decref(after);
    char detail[200];
    const char *note = saved < 0 ? " (not saved: changed meanwhile)" : ok ? "" : " (not saved)";
    snprintf(detail, sizeof detail, "status=%s wijk=%s sentiment=%s themes=%d%s%.80s%s",
             m.upd.status, m.upd.wijk ? m.upd.wijk : "", m.upd.sentiment ? m.upd.sentiment : "",
             m.upd.n_themes, m.upd.cluster ? " cluster=" : "", m.upd.cluster ? m.upd.cluster : "",
             note);
    audit_log(rs, ok ? "moderate" : "moderate_failed", s.user, id, detail);
    if (saved < 0) {
        s_changed_page(res, id);
    } else if (!ok) {
        page_message(res, 502, "Niet opgeslagen",
                     err[0] && failed == 0 ? err : "De wijziging is niet opgeslagen.");
    } else {
        sb_t loc = {0};
        sb_add(&loc, "/ideeen/");
        sb_url(&loc, id);
        sb_add(&loc, "?opgeslagen=1");
        page_redirect(res, loc.buf);
        sb_free(&loc);
    }
out:
    idea_clear(&m.upd);
    dash_redis_put(d, rs);
}
