/*
 * NAME
 *   letter - the mails notify sends: receipts, and what every mail needs
 *   (campaign mails: letter_campaign.c; see letter.h)
 *
 * DESCRIPTION
 *   Composition reads the participant, the ideas and the templates, and
 *   checks consent and address here, in one place, so that a preview from
 *   inspraakctl and a real send from notify can never disagree about who
 *   may get mail. The tiny {{name}} renderer is hand-written: the templates
 *   need plain substitution only, and a template engine would add a
 *   dependency for nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "email_idn.h"
#include "file.h"
#include "http.h"
#include "letter.h"
#include "letter_int.h"
#include "letter_quote.h"
#include "proto.h"
#include "unsubscribe.h"
#include "validate.h"
#include "xalloc.h"

#define TPL_MAX (64 * 1024)
#define IDEA_TEXT_MAX 600 /* bytes of an idea's text quoted in a mail */

static pthread_once_t s_gmime_once = PTHREAD_ONCE_INIT;

static void s_gmime_init(void)
{
    g_mime_init();
}

void letter_gmime_init(void)
{
    pthread_once(&s_gmime_once, s_gmime_init);
}

/* url: the setting name's value, or http://localhost:<port_base + off>
 * (the defaults move with INSPRAAK_PORT_BASE, as the ports they name do),
 * without trailing slashes. */
static void s_public_url(char *url, size_t size, const char *name, const config_t *cfg, int off)
{
    char def[128];
    snprintf(def, sizeof def, "http://localhost:%d", cfg->port_base + off);
    snprintf(url, size, "%s", config_str(name, def));
    for (char *p = url + strlen(url); p > url && p[-1] == '/';)
        *--p = '\0';
}

int letter_settings_load(letter_settings_t *ls, const config_t *cfg, char *err, size_t errlen)
{
    memset(ls, 0, sizeof *ls);
    snprintf(ls->tpl_dir, sizeof ls->tpl_dir, "%s/mail", cfg->data_dir);
    s_public_url(ls->public_url, sizeof ls->public_url, "INSPRAAK_PUBLIC_URL", cfg,
                 PORT_OFF_DASHBOARD);
    s_public_url(ls->notify_url, sizeof ls->notify_url, "INSPRAAK_NOTIFY_PUBLIC_URL", cfg,
                 PORT_OFF_NOTIFY);
    s_public_url(ls->form_url, sizeof ls->form_url, "INSPRAAK_FORM_PUBLIC_URL", cfg,
                 PORT_OFF_FORM);
    snprintf(ls->from, sizeof ls->from, "%s",
             config_str("INSPRAAK_MAIL_FROM", "Gemeente Heerlen <inspraak@heerlen.nl>"));
    letter_gmime_init();
    InternetAddressList *l = internet_address_list_parse(NULL, ls->from);
    InternetAddress *a = l && internet_address_list_length(l) == 1
                             ? internet_address_list_get_address(l, 0) : NULL;
    const char *addr = a && INTERNET_ADDRESS_IS_MAILBOX(a)
                           ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)) : NULL;
    if (!addr || !email_valid(addr)) {
        if (l)
            g_object_unref(l);
        snprintf(err, errlen, "INSPRAAK_MAIL_FROM is not one usable address: %s", ls->from);
        return -1;
    }
    snprintf(ls->from_addr, sizeof ls->from_addr, "%s", addr);
    snprintf(ls->domain, sizeof ls->domain, "%s", strchr(addr, '@') + 1);
    g_object_unref(l);
    return unsubscribe_key_load(cfg, ls->key, err, errlen);
}

void letter_clear(letter_t *l)
{
    free(l->pid);
    free(l->to_addr);
    free(l->to_name);
    free(l->subject);
    free(l->text);
    free(l->html);
    free(l->message_id);
    free(l->in_reply_to);
    free(l->unsub_url);
    memset(l, 0, sizeof *l);
}

/* --- rendering ------------------------------------------------------- */

void letter_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

char *letter_render(const char *tpl, const char *const *names, const char *const *vals, size_t n,
                    int html)
{
    size_t len = 0, cap = strlen(tpl) + 256;
    char *out = xmalloc(cap);
    out[0] = '\0';
    const char *p = tpl;
    while (*p) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close) {
            letter_append(&out, &len, &cap, p, strlen(p));
            break;
        }
        letter_append(&out, &len, &cap, p, (size_t)(open - p));
        const char *name = open + 2;
        size_t nl = (size_t)(close - name);
        while (nl > 0 && name[0] == ' ')
            name++, nl--;
        while (nl > 0 && name[nl - 1] == ' ')
            nl--;
        for (size_t i = 0; i < n; i++) {
            const char *vn = names[i];
            int raw = vn[0] == '!';
            if (raw && !html)
                continue; /* ready HTML is for the HTML alternative only */
            vn += raw;
            if (strlen(vn) != nl || strncmp(vn, name, nl) != 0 || !vals[i])
                continue;
            if (html && !raw) {
                char *e = http_html_escape(vals[i]);
                letter_append(&out, &len, &cap, e, strlen(e));
                free(e);
            } else {
                letter_append(&out, &len, &cap, vals[i], strlen(vals[i]));
            }
            break;
        }
        p = close + 2;
    }
    return out;
}

static char *s_template(const letter_settings_t *ls, const char *name, char *err, size_t errlen)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", ls->tpl_dir, name);
    size_t n;
    char *buf = file_read(path, TPL_MAX, &n);
    if (!buf && errno != EFBIG) {
        snprintf(err, errlen, "template %s cannot be read", path);
        return NULL;
    }
    if (!buf || !utf8_valid(buf, n)) {
        snprintf(err, errlen, "template %s is larger than %d bytes or not UTF-8", path, TPL_MAX);
        free(buf);
        return NULL;
    }
    return buf;
}

/* --- the participant and their ideas ---------------------------------- */

/* Cuts s at most max bytes, at a UTF-8 boundary, adding "..." when cut. */
static char *s_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return xstrdup(s);
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return xasprintf("%.*s...", (int)max, s);
}

/* Why this check: letter_int.h. */
int letter_msgid_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 900 || !strchr(s, '@'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= 32 || s[i] >= 127 || s[i] == '<' || s[i] == '>')
            return 0;
    return 1;
}

/* implied: a missing consent is no refusal (a receipt that answers the
 * participant's own mail, INTERFACES.md "Email"); *consented says whether
 * consent_feedback was 1. Unsubscribe and the address check still apply. */
int letter_participant(rstore_t *rs, const letter_settings_t *ls, const char *pid, int implied,
                       int *consented, letter_t *out, char *err, size_t errlen)
{
    redisReply *r = rstore_cmd(rs, "HGETALL inspraak:participant:%s", pid);
    if (!r) {
        snprintf(err, errlen, "redis: %s", rstore_error(rs));
        return -1;
    }
    const char *email = NULL, *name = NULL, *consent = NULL, *bounced = NULL;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const char *k = r->element[i]->str, *v = r->element[i + 1]->str;
        if (!k || !v)
            continue;
        if (strcmp(k, "email") == 0)
            email = v;
        else if (strcmp(k, "name") == 0)
            name = v;
        else if (strcmp(k, "consent_feedback") == 0)
            consent = v;
        else if (strcmp(k, "email_bounced_at") == 0)
            bounced = v;
    }
    int rc = 0;
    *consented = consent && strcmp(consent, "1") == 0;
    /* Unsubscribed comes before consent: an unsubscribe also sets
     * consent_feedback 0, and "no_consent" told staff (campaign preview,
     * notify's log) that the resident had never agreed. */
    int u = r->type == REDIS_REPLY_ARRAY && r->elements > 0 ? unsubscribe_is(rs, pid) : 0;
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0)
        snprintf(err, errlen, "no_participant"), rc = 1;
    else if (u < 0)
        snprintf(err, errlen, "redis: %s", rstore_error(rs)), rc = -1;
    else if (u == 1)
        snprintf(err, errlen, "unsubscribed"), rc = 1;
    else if (!*consented && !implied)
        snprintf(err, errlen, "no_consent"), rc = 1;
    else if (!email || !email_valid(email))
        snprintf(err, errlen, "bad_address"), rc = 1;
    else if (bounced)
        snprintf(err, errlen, "bounced_address"), rc = 1; /* hard bounce: notify/outbox.c */
    if (rc == 0) {
        out->pid = xstrdup(pid);
        out->to_addr = xstrdup(email);
        /* A name is only a display name; control characters are dropped
         * (GMime would encode them, but they have no place in a name). */
        if (name && *name && utf8_valid(name, strlen(name))) {
            char *nm = text_normalise(name, strlen(name));
            for (char *p = nm; *p; p++)
                if (*p == '\n' || *p == '\t')
                    *p = ' ';
            char *cut = s_cut(nm, 200);
            out->to_name = letter_quote_clean(cut); /* a name is typed by anyone too */
            free(cut);
            free(nm);
        }
        char sig[UNSUBSCRIBE_SIG_SIZE];
        unsubscribe_sign(ls->key, pid, sig);
        out->unsub_url = xasprintf("%s/afmelden?p=%s&s=%s", ls->notify_url, pid, sig);
    }
    freeReplyObject(r);
    return rc;
}

/* {{naam}}: the participant's name, or a word that fits "Beste {{naam}},"
 * when they gave none (the name is optional everywhere; an empty value
 * greeted them with "Beste ,"). */
const char *letter_greeting_name(const letter_t *l)
{
    return l->to_name && *l->to_name ? l->to_name : LETTER_NO_NAME;
}

/* An idea that came in by mail and can be answered (has a Message-ID). */
static int s_answers_mail(const idea_t *idea)
{
    return idea->channel && strcmp(idea->channel, "email") == 0 &&
           letter_msgid_ok(idea->source.message_id);
}

/* Whether text holds a letter of a script written right to left (Arabic,
 * Hebrew, ...). Such a quote is isolated in the text part (U+2068 FIRST
 * STRONG ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE): a mail program that
 * lays the line out left to right otherwise puts the writer's closing
 * "!" or "." at the start of the quote. Dutch quotes stay as they are. */
static int s_right_to_left(const char *text)
{
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        switch (g_unichar_get_script(g_utf8_get_char(p))) {
        case G_UNICODE_SCRIPT_ARABIC:
        case G_UNICODE_SCRIPT_HEBREW:
        case G_UNICODE_SCRIPT_SYRIAC:
        case G_UNICODE_SCRIPT_THAANA:
        case G_UNICODE_SCRIPT_NKO:
            return 1;
        default:
            break;
        }
    }
    return 0;
}

/* The ideas' list in text and HTML; the newest mail Message-ID into
 * *reply_to. only_mail: list only ideas that came in by mail (a receipt
 * without consent may only answer the participant's own mails).
 * receipt: under a mail of only photos, ask for a few words.
 * Returns the number of ideas found, -1 on a Redis error. */
int letter_ideas(rstore_t *rs, const char *const *ids, size_t n, int only_mail, int receipt,
                 char **text, char **html, char **reply_to, char *err, size_t errlen)
{
    size_t tl = 0, tc = 256, hl = 0, hc = 256;
    int found = 0;
    int64_t reply_at = -1;
    *text = xcalloc(1, tc);
    *html = xcalloc(1, hc);
    letter_append(html, &hl, &hc, "<ul>\n", 5);
    for (size_t i = 0; i < n && i < LETTER_MAX_IDEAS; i++) {
        redisReply *r = rstore_cmd(rs, "GET inspraak:idea:%s", ids[i]);
        if (!r) {
            snprintf(err, errlen, "redis: %s", rstore_error(rs));
            return -1;
        }
        idea_t idea;
        proto_err_t perr;
        idea_init(&idea);
        if (r->type == REDIS_REPLY_STRING &&
            idea_decode(r->str, r->len, &idea, &perr) == 0 && idea.text && idea.id &&
            (!only_mail || s_answers_mail(&idea))) {
            /* The text may be a stranger's (an address typed in the form
             * or a forged From): no link or address of theirs goes out
             * in a mail with Heerlen's name (letter_quote.h). Cut first:
             * the cut must not make a host name of a longer word. */
            char *cut = s_cut(idea.text, IDEA_TEXT_MAX), *t = letter_quote_clean(cut);
            free(cut);
            /* A blank line between ideas, none after the last: the
             * template's own line break after {{ideeen}} ends the list. */
            const char *fsi = s_right_to_left(t) ? "\u2068" : "", *pdi = *fsi ? "\u2069" : "";
            int photos = receipt && s_answers_mail(&idea) ? letter_photo_only(idea.text) : 0;
            const char *ask = photos ? letter_photo_question(photos) : "";
            char *line = xasprintf("%s- \"%s%s%s\"\n  (nummer van uw idee: %s)\n%s%s%s",
                                   found ? "\n" : "", fsi, t, pdi, idea.id, *ask ? "  " : "",
                                   ask, *ask ? "\n" : "");
            letter_append(text, &tl, &tc, line, strlen(line));
            /* A long unbroken word (a pasted code, a link without its
             * dots) ran past the 40em body: the quote may break it, said
             * inline, as many mail clients ignore <style>. word-break is
             * for clients that know no overflow-wrap:anywhere. */
            char *et = http_html_escape(t), *ei = http_html_escape(idea.id);
            char *hline = xasprintf("<li><p dir=\"auto\" style=\"overflow-wrap:anywhere;"
                                    "word-break:break-word\">%s</p><p><small>Nummer van uw "
                                    "idee: %s</small></p>%s%s%s</li>\n",
                                    et, ei, *ask ? "<p>" : "", ask, *ask ? "</p>" : "");
            letter_append(html, &hl, &hc, hline, strlen(hline));
            free(line), free(hline), free(et), free(ei), free(t);
            found++;
            if (s_answers_mail(&idea) && idea.received_at > reply_at) {
                free(*reply_to);
                const char *m = idea.source.message_id;
                *reply_to = xstrdup(m);
                reply_at = idea.received_at;
            }
        }
        idea_clear(&idea);
        freeReplyObject(r);
    }
    letter_append(html, &hl, &hc, "</ul>", 5);
    return found;
}

/* A placeholder that filled in empty on a line of its own ({{bijeenkomst}}
 * with no meeting set) left a hole: in text, runs of blank lines become
 * one; in HTML, an empty paragraph goes, with its line end. In place. */
static void s_tidy_text(char *t)
{
    char *w = t;
    for (const char *r = t; *r; r++)
        if (!(r[0] == '\n' && w - t >= 2 && w[-1] == '\n' && w[-2] == '\n'))
            *w++ = *r;
    *w = '\0';
}

static void s_tidy_html(char *h)
{
    char *w = h;
    for (const char *r = h; *r;) {
        if (strncmp(r, "<p></p>", 7) == 0) {
            r += 7;
            r += *r == '\n';
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
}

/* Fills subject/text/html from templates base.txt/base.html with vars. */
int letter_fill(const letter_settings_t *ls, const char *base, const char *const *names,
                const char *const *vals, size_t nv, letter_t *out, char *err, size_t errlen)
{
    char fn[64];
    snprintf(fn, sizeof fn, "%s.txt", base);
    char *t = s_template(ls, fn, err, errlen);
    snprintf(fn, sizeof fn, "%s.html", base);
    char *h = t ? s_template(ls, fn, err, errlen) : NULL;
    if (!t || !h) {
        free(t);
        free(h);
        return -1;
    }
    out->text = letter_render(t, names, vals, nv, 0);
    out->html = letter_render(h, names, vals, nv, 1);
    s_tidy_text(out->text);
    s_tidy_html(out->html);
    free(t);
    free(h);
    return 0;
}

int letter_receipt(rstore_t *rs, const letter_settings_t *ls, const char *pid,
                   const char *const *ids, size_t n, const char *key, letter_t *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    int consented = 0;
    int rc = letter_participant(rs, ls, pid, 1, &consented, out, err, errlen);
    if (rc != 0)
        return rc;
    char *it = NULL, *ih = NULL, *reply = NULL;
    int found = letter_ideas(rs, ids, n, !consented, 1, &it, &ih, &reply, err, errlen);
    if (found <= 0) {
        if (found == 0)
            snprintf(err, errlen, consented ? "no_ideas" : "no_consent");
        free(it), free(ih), free(reply);
        letter_clear(out);
        return found == 0 ? 1 : -1;
    }
    char *res = xasprintf("%s/resultaten", ls->public_url);
    char *priv = xasprintf("%s/privacy", ls->form_url);
    /* {{uw_idee}}: a receipt may list several ideas ("uw idee" was said
     * of two). {{vervolg}}: only with consent does a feedback mail follow
     * (campaigns need it); a receipt that only answers the resident's own
     * mail promised one all the same. */
    const char *names[] = {"naam",         "!ideeen", "ideeen",      "resultaten_url",
                           "afmelden_url", "uw_idee", "privacy_url", "vervolg"};
    const char *vals[] = {letter_greeting_name(out),
                          ih,
                          it,
                          res,
                          out->unsub_url,
                          found == 1 ? "uw idee" : "uw ideeën",
                          priv,
                          consented ? "Later krijgt u van ons een mail over wat er met de ideeën "
                                      "is gedaan."
                                    : "Wat er met de ideeën is gedaan, leest u later op onze "
                                      "website."};
    size_t nv = sizeof names / sizeof names[0];
    char *subj = s_template(ls, "receipt.subject", err, errlen);
    rc = subj ? letter_fill(ls, "receipt", names, vals, nv, out, err, errlen) : -1;
    if (rc == 0) {
        char *s = letter_render(subj, names, vals, nv, 0);
        s[strcspn(s, "\r\n")] = '\0';
        out->subject = s;
        out->message_id = xasprintf("notify.receipt.%s.%s@%s", key, pid, ls->domain);
        out->in_reply_to = reply;
        reply = NULL;
    }
    free(subj), free(it), free(ih), free(res), free(priv), free(reply);
    if (rc != 0)
        letter_clear(out);
    return rc;
}

int letter_pid_for_email(rstore_t *rs, const char *email, char *out, size_t size)
{
    char norm[EMAIL_STORED_MAX];
    if (email_stored_form(email, strlen(email), norm, sizeof norm) < 0)
        return 0;
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, (const unsigned char *)norm, strlen(norm), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    redisReply *r = rstore_cmd(rs, "GET inspraak:participant-email:%s", hex);
    if (!r)
        return -1;
    int found = r->type == REDIS_REPLY_STRING;
    if (found)
        snprintf(out, size, "%s", r->str);
    freeReplyObject(r);
    return found;
}
