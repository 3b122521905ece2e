/*
 * NAME
 *   ui_redact - staff cut personal data out of an idea: one click per PII
 *   flag, all flags at once, or a text typed by hand
 *
 * DESCRIPTION
 *   The idea detail page (ui_idea.c) shows two small forms, both posting
 *   to /ideeen/{id}/weghalen with the session's CSRF token:
 *
 *     soort=phone|email|iban|postcode|name     one button per flag the
 *     soort=alle                               classifier set, and "alle"
 *     tekst=...                                every whole-word occurrence
 *                                              (ASCII case ignored)
 *
 *   Like moderation, nothing is written here: the request goes to storage
 *   as an update envelope whose idea carries "redact" {"kinds","texts"}
 *   (proto/redact_msg.h, moderate_send()), storage cuts the places out of
 *   the record (services/storage/store_redact.c), and after the ack the
 *   idea is read back: "weggehaald" is only said when the stored text no
 *   longer holds any of it. The same finders (common/redact.c) count the
 *   places first, so staff hear "niets gevonden" instead of a silent
 *   no-op.
 *
 *   Privacy by design (docs/privacy.md, "Redaction"): the original is not
 *   kept, not even for admins; there is no undo. The audit entry says who,
 *   which idea, which kinds, how many hand-typed texts and how many places,
 *   never the text itself.
 *
 *   Any logged-in staff member may redact (role staff or admin): cutting
 *   personal data only ever makes an idea safer to publish.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "redact.h"
#include "redact_msg.h"
#include "ui_redact.h"
#include "xalloc.h"

#define S_SUFFIX "/weghalen"
#define S_MAX_VALUE 1024

static const char *s_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The fields of an idea that redaction covers (redact_idea()). */
static int s_values(json_t *it, const char *v[4])
{
    json_t *src = json_object_get(it, "source");
    v[0] = s_str(it, "text");
    v[1] = s_str(it, "title");
    v[2] = s_str(src, "subject");
    v[3] = s_str(src, "context");
    return 4;
}

/* Places of m in the idea, or -1 when a field holds too many. */
static int s_count(json_t *it, const redact_msg_t *m)
{
    const char *v[4];
    int nv = s_values(it, v), total = 0;
    char err[200];
    redact_spans_t *sp = xmalloc(sizeof(*sp));
    for (int f = 0; f < nv && total >= 0; f++) {
        sp->n = 0;
        for (int i = 0; i < m->n_kinds && total >= 0; i++)
            if (redact_find_kind(v[f], m->kinds[i], sp, err, sizeof err) < 0)
                total = -1;
        for (int i = 0; i < m->n_texts && total >= 0; i++)
            if (redact_find_text(v[f], m->texts[i], sp, err, sizeof err) < 0)
                total = -1;
        if (total >= 0)
            total += sp->n;
    }
    free(sp);
    return total;
}

/* Places of one kind, for the button labels. */
static int s_count_kind(json_t *it, const char *kind)
{
    redact_msg_t m;
    redact_msg_init(&m);
    redact_msg_add_kind(&m, kind);
    int n = s_count(it, &m);
    redact_msg_clear(&m);
    return n;
}

static void s_form_open(sb_t *sb, const session_t *s, json_t *it, const char *cls)
{
    sb_printf(sb, "<form method=\"post\" class=\"%s\" action=\"/ideeen/", cls);
    sb_url(sb, s_str(it, "id"));
    sb_add(sb, S_SUFFIX "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
    sb_esc(sb, s->csrf);
    sb_add(sb, "\">\n");
}

void ui_redact_section(sb_t *sb, const session_t *s, json_t *it)
{
    sb_add(sb, "<h2 id=\"weghalen\">Persoonsgegevens weghalen</h2>\n"
               "<p>Staat er een telefoonnummer, e-mailadres, rekeningnummer, naam of adres in de "
               "tekst? "
               "Haal het dan weg voordat het idee openbaar wordt. Op die plek komt "
               "bijvoorbeeld <q>[weggehaald: telefoonnummer]</q>. Dit kunt u niet ongedaan "
               "maken: de oude tekst bewaren we nergens.</p>\n");
    json_t *pii = json_object_get(it, "pii");
    size_t i;
    json_t *f;
    int known = 0;
    sb_t buttons = {0}, other = {0};
    json_array_foreach(pii, i, f)
    {
        const char *kind = json_string_value(f);
        if (!kind)
            continue;
        if (!redact_kind_known(kind)) {
            sb_add(&other, other.len ? ", " : "");
            sb_esc(&other, kind);
            continue;
        }
        int n = s_count_kind(it, kind);
        if (n <= 0)
            continue;
        known++;
        sb_add(&buttons, "<button type=\"submit\" name=\"soort\" value=\"");
        sb_esc(&buttons, kind);
        char cap[64]; /* "Telefoonnummer", "Adres (straat of ...)": redact.c */
        snprintf(cap, sizeof cap, "%s", redact_kind_label(kind));
        if (cap[0] >= 'a' && cap[0] <= 'z')
            cap[0] = (char)(cap[0] - 'a' + 'A');
        sb_printf(&buttons, "\">%s weghalen (%s keer gevonden)</button>\n", cap, num_nl(n).s);
    }
    if (known) {
        s_form_open(sb, s, it, "redact-flags");
        sb_add(sb, "<p>");
        sb_add(sb, buttons.buf);
        if (known > 1)
            sb_add(sb, "<button type=\"submit\" name=\"soort\" value=\"alle\">Alle gevonden "
                       "persoonsgegevens weghalen</button>\n");
        sb_add(sb, "</p>\n</form>\n");
    }
    if (other.len) {
        sb_add(sb, "<p>Ook gevonden: ");
        sb_add(sb, other.buf);
        sb_add(sb, ". Haal dat hieronder met de hand weg.</p>\n");
    }
    sb_free(&buttons);
    sb_free(&other);
    s_form_open(sb, s, it, "redact-text");
    sb_printf(sb,
              "<p><label for=\"r-tekst\">Tekst om weg te halen</label>"
              "<input id=\"r-tekst\" name=\"tekst\" maxlength=\"%d\" required "
              "aria-describedby=\"r-uitleg\"></p>\n"
              "<p id=\"r-uitleg\" class=\"hint\">Typ de woorden precies zoals ze in de tekst "
              "staan, bijvoorbeeld een naam. Overal waar ze staan, komt <q>[weggehaald]</q>. "
              "Hoofdletters maken niet uit.</p>\n"
              "<p><button type=\"submit\">Weghalen</button></p>\n</form>\n",
              REDACT_NEEDLE_MAX);
}

int ui_redact_path(const char *rest)
{
    size_t n = rest ? strlen(rest) : 0, k = strlen(S_SUFFIX);
    return n > k && strcmp(rest + n - k, S_SUFFIX) == 0;
}

typedef struct {
    char csrf[65];
    char kinds[REDACT_MSG_MAX_KINDS][REDACT_MSG_MAX_KIND_LEN + 1];
    int n_kinds;
    int all;
    char *text; /* trimmed; owned */
    int bad;
} s_form_t;

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_form_t *f = arg;
    if (memchr(value, '\0', len)) {
        f->bad = 1;
        return 0;
    }
    if (strcmp(key, "csrf") == 0 && len < sizeof f->csrf) {
        memcpy(f->csrf, value, len + 1);
    } else if (strcmp(key, "soort") == 0) {
        if (strcmp(value, "alle") == 0)
            f->all = 1;
        else if (redact_kind_known(value) && f->n_kinds < REDACT_MSG_MAX_KINDS)
            snprintf(f->kinds[f->n_kinds++], sizeof f->kinds[0], "%s", value);
        else
            f->bad = 1;
    } else if (strcmp(key, "tekst") == 0 && !f->text) {
        size_t a = 0, b = len; /* trim ASCII white space */
        while (a < b && strchr(" \t\r\n", value[a]))
            a++;
        while (b > a && strchr(" \t\r\n", value[b - 1]))
            b--;
        f->text = xstrndup(value + a, b - a);
    }
    return 0;
}

/* A refusal that links back to the idea's form, so staff can type again. */
static void s_refuse(http_res_t *res, int status, const char *id, const char *title,
                     const char *text)
{
    char *back = xasprintf("/ideeen/%s#weghalen", id);
    page_message_back(res, status, title, text, back, "Terug naar het idee");
    free(back);
}

/* The request from the form, checked against the idea as it is now.
 * Returns 0, or -1 after answering res in Dutch. */
static int s_build(const s_form_t *f, const char *id, json_t *it, redact_msg_t *m,
                   http_res_t *res)
{
    char err[200];
    for (int i = 0; i < f->n_kinds; i++)
        redact_msg_add_kind(m, f->kinds[i]);
    size_t i;
    json_t *p;
    json_array_foreach(f->all ? json_object_get(it, "pii") : NULL, i, p)
    {
        if (redact_kind_known(json_string_value(p)))
            redact_msg_add_kind(m, json_string_value(p));
    }
    if (f->text) {
        if (redact_needle_check(f->text, err, sizeof err) < 0 ||
            redact_msg_add_text(m, f->text) < 0) {
            s_refuse(res, 400, id, "Niet weggehaald",
                     "Typ minstens 2 tekens en hoogstens 200, zonder enter of tab.");
            return -1;
        }
    }
    int n = m->n_kinds + m->n_texts ? s_count(it, m) : 0;
    if (n < 0) {
        s_refuse(res, 422, id, "Niet weggehaald",
                 "Deze tekst staat te vaak in het idee (meer dan 256 keer). Kies een "
                 "langere tekst.");
        return -1;
    }
    if (n == 0) {
        s_refuse(res, 422, id, "Niets gevonden",
                 "Wat u wilde weghalen, staat niet (meer) in dit idee. Typ de woorden "
                 "precies zoals ze in de tekst staan.");
        return -1;
    }
    return n;
}

static void s_audit(rstore_t *rs, const session_t *s, const char *id, const redact_msg_t *m,
                    int places, int ok)
{
    sb_t d = {0};
    sb_add(&d, "kinds=");
    for (int i = 0; i < m->n_kinds; i++) {
        sb_add(&d, i ? "," : "");
        sb_add(&d, m->kinds[i]); /* known kinds only: redact_kind_known() */
    }
    sb_add(&d, m->n_kinds ? "" : "none");
    sb_printf(&d, " texts=%d places=%d%s", m->n_texts, places, ok ? "" : " (not saved)");
    audit_log(rs, ok ? "redact" : "redact_failed", s->user, id, d.buf);
    sb_free(&d);
}

static void s_done(http_res_t *res, const char *id, int places)
{
    sb_t loc = {0};
    sb_add(&loc, "/ideeen/");
    sb_url(&loc, id);
    sb_printf(&loc, "?weggehaald=%d#weghalen", places);
    page_redirect(res, loc.buf);
    sb_free(&loc);
}

/* Sends m, reads the idea back, audits, answers. */
static void s_send(dash_t *d, rstore_t *rs, const session_t *s, http_res_t *res, const char *id,
                   const redact_msg_t *m, int places)
{
    idea_t upd;
    proto_err_t perr;
    char err[256] = "";
    idea_init(&upd);
    proto_set(&upd.id, id);
    int ok = redact_msg_put(&upd, m, &perr) == 0 && moderate_send(d, &upd, err, sizeof err) == 0;
    idea_clear(&upd);
    int failed = 0;
    json_t *after = ok ? ideas_get_one(rs, id, &failed) : NULL;
    ok = ok && after && s_count(after, m) == 0;
    json_decref(after);
    s_audit(rs, s, id, m, places, ok);
    if (ok)
        s_done(res, id, places);
    else
        page_message(res, 502, "Niet weggehaald",
                     err[0] && !failed ? err : "De tekst is niet veranderd. Probeer het opnieuw.");
}

void ui_redact(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_form_t f = {.n_kinds = 0};
    redact_msg_t m;
    redact_msg_init(&m);
    const char *rest = http_path_rest(req);
    char *id = xstrndup(rest, strlen(rest) - strlen(S_SUFFIX));
    if (!session_require(d, rs, req, res, &s))
        goto out;
    if (http_form_fields(req, S_MAX_VALUE, s_field, &f) < 0 || !session_csrf_ok(&s, f.csrf)) {
        page_message(res, 403, "Niet toegestaan",
                     "Dit formulier is niet geldig of verlopen. Open het idee opnieuw.");
        goto out;
    }
    if (strcmp(s.role, "staff") != 0 && strcmp(s.role, "admin") != 0) {
        page_message(res, 403, "Niet toegestaan", "Alleen medewerkers mogen tekst weghalen.");
        goto out;
    }
    if (f.bad || !query_id_valid(id, strlen(id))) {
        page_message(res, 400, "Niet weggehaald", "Dit verzoek kan niet. Open het idee opnieuw.");
        goto out;
    }
    json_t *before = ui_idea_or_answer(rs, id, res);
    if (!before)
        goto out;
    int places = s_build(&f, id, before, &m, res);
    json_decref(before);
    if (places > 0)
        s_send(d, rs, &s, res, id, &m, places);
out:
    redact_msg_clear(&m);
    free(f.text);
    free(id);
    dash_redis_put(d, rs);
}
