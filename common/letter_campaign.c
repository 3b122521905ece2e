/*
 * NAME
 *   letter_campaign - a feedback campaign's mail to one participant (see
 *   letter.h, letter_campaign())
 *
 * DESCRIPTION
 *   The campaign's own text (inspraak:campaign:<id>, rendered with the
 *   same placeholders) inside the campaign template, with the
 *   participant's ideas; consent, address and ideas are read as for a
 *   receipt (letter.c, letter_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "letter.h"
#include "letter_int.h"
#include "unsubscribe.h"
#include "xalloc.h"

/* Plain text as HTML paragraphs: escaped, blank lines split paragraphs,
 * single newlines become <br>. */
static char *s_paragraphs(const char *text)
{
    char *e = http_html_escape(text);
    size_t len = 0, cap = strlen(e) * 2 + 16;
    char *out = xmalloc(cap);
    out[0] = '\0';
    letter_append(&out, &len, &cap, "<p>", 3);
    for (const char *p = e; *p; p++) {
        if (p[0] == '\n' && p[1] == '\n') {
            letter_append(&out, &len, &cap, "</p>\n<p>", 8);
            while (p[1] == '\n')
                p++;
        } else if (*p == '\n') {
            letter_append(&out, &len, &cap, "<br>\n", 5);
        } else {
            letter_append(&out, &len, &cap, p, 1);
        }
    }
    letter_append(&out, &len, &cap, "</p>", 4);
    free(e);
    return out;
}

static char *s_hget(redisReply *r, const char *field)
{
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2)
        if (r->element[i]->str && strcmp(r->element[i]->str, field) == 0)
            return r->element[i + 1]->str;
    return NULL;
}

int letter_campaign(rstore_t *rs, const letter_settings_t *ls, const char *campaign_id,
                    const char *pid, letter_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    redisReply *c = rstore_cmd(rs, "HGETALL inspraak:campaign:%s", campaign_id);
    if (!c) {
        snprintf(err, errlen, "redis: %s", rstore_error(rs));
        return -1;
    }
    const char *subject = s_hget(c, "subject"), *body = s_hget(c, "text");
    const char *meeting = s_hget(c, "meeting");
    if (!subject || !body) {
        snprintf(err, errlen, "campaign %s not found", campaign_id);
        freeReplyObject(c);
        return -1;
    }
    int consented = 0; /* campaigns need real consent: implied 0 */
    int rc = pid ? letter_participant(rs, ls, pid, 0, &consented, out, err, errlen) : 0;
    if (rc != 0) {
        freeReplyObject(c);
        return rc;
    }
    if (!pid) { /* a sample for a test mail: no real person's data */
        char sig[UNSUBSCRIBE_SIG_SIZE];
        unsubscribe_sign(ls->key, "p-0000000000000000", sig);
        out->unsub_url = xasprintf("%s/afmelden?p=p-0000000000000000&s=%s", ls->notify_url, sig);
        out->to_name = xstrdup("Voorbeeld Deelnemer");
    }
    char *it = NULL, *ih = NULL, *reply = NULL;
    const char **ids = NULL;
    size_t n = 0;
    /* In the order they were sent, as a receipt lists them (a set has no
     * order: the list read as shuffled), and so the oldest
     * LETTER_MAX_IDEAS when there are more. Ideas no longer stored last.
     * Once notify listed the recipients (listed_at), only the ideas
     * received until then: notify waits for their receipts only. */
    static const char by_received_lua[] =
        "local ids, at, upto = {}, {}, tonumber(ARGV[1])\n"
        "for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do\n"
        "  local sc = redis.call('ZSCORE', KEYS[2], id)\n"
        "  at[id] = sc and tonumber(sc) or math.huge\n"
        "  if not upto or at[id] <= upto then ids[#ids + 1] = id end\n"
        "end\n"
        "table.sort(ids, function(a, b)\n"
        "  if at[a] ~= at[b] then return at[a] < at[b] end\n"
        "  return a < b\n"
        "end)\n"
        "return ids\n";
    const char *upto = s_hget(c, "listed_at");
    redisReply *m =
        pid ? rstore_cmd(rs, "EVAL %s 2 inspraak:participant-ideas:%s inspraak:ideas %s",
                         by_received_lua, pid, upto ? upto : "all")
            : rstore_cmd(rs, "PING");
    for (size_t i = 0; pid && m && m->type == REDIS_REPLY_ARRAY && i < m->elements; i++) {
        ids = xrealloc(ids, (n + 1) * sizeof *ids);
        ids[n++] = m->element[i]->str;
    }
    int found = m ? letter_ideas(rs, ids, n, 0, 0, &it, &ih, &reply, err, errlen) : -1;
    if (!m)
        snprintf(err, errlen, "redis: %s", rstore_error(rs));
    rc = found < 0 ? -1 : 0;
    if (rc == 0) {
        char *res = xasprintf("%s/resultaten", ls->public_url);
        char *priv = xasprintf("%s/privacy", ls->form_url);
        char *meet = meeting && *meeting
                         ? xasprintf("U bent van harte welkom op de terugkombijeenkomst: %s", meeting)
                         : xstrdup("");
        /* The campaign text may use the first 7 names; the template all 9. */
        enum { MEET = 6, TEKST_HTML = 7, TEKST = 8, N_TEXT = 7, N_ALL = 9 };
        const char *names[] = {"naam",         "!ideeen",     "ideeen",      "resultaten_url",
                               "afmelden_url", "privacy_url", "bijeenkomst", "!tekst", "tekst"};
        const char *vals[] = {letter_greeting_name(out), ih, found ? it : "", res,
                              out->unsub_url, priv, meet, NULL, NULL};
        char *t = letter_render(body, names, vals, N_TEXT, 0);
        /* The template says the meeting sentence too: a text that already
         * says it ({{bijeenkomst}}) gets it once, where staff put it. */
        vals[MEET] = "";
        char *without = letter_render(body, names, vals, N_TEXT, 0);
        vals[MEET] = strcmp(t, without) == 0 ? meet : "";
        free(without);
        char *th = s_paragraphs(t);
        vals[TEKST_HTML] = th;
        vals[TEKST] = t;
        rc = letter_fill(ls, "campaign", names, vals, N_ALL, out, err, errlen);
        vals[MEET] = meet;
        if (rc == 0) {
            char *s = letter_render(subject, names, vals, N_TEXT, 0);
            s[strcspn(s, "\r\n")] = '\0';
            out->subject = s;
            out->message_id = xasprintf("notify.campaign.%s.%s@%s", campaign_id,
                                        pid ? pid : "test", ls->domain);
        }
        free(t), free(th), free(res), free(priv), free(meet);
    }
    free(it), free(ih), free(reply), free(ids);
    if (m)
        freeReplyObject(m);
    freeReplyObject(c);
    if (rc != 0)
        letter_clear(out);
    return rc;
}
