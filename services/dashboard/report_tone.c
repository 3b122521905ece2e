/*
 * NAME
 *   report_tone - the participatieverslag's table "Gevoel per vraag": the
 *   tone (positief, neutraal, negatief) of the ideas about Heerlen now and
 *   of those about Heerlen in the future
 *
 * DESCRIPTION
 *   The plan's question "Waar zijn ze trots op en waarop niet?" is about
 *   Heerlen as it is; the chart of section 7 counts the tone of all ideas,
 *   wishes for the future too. This table splits it by question (nu,
 *   toekomst, and "Onbekend" when some ideas have none), hidden ideas left
 *   out as in every count of the report.
 *
 *   Per question and tone: the ideas with both (ideas_total_eq: storage's
 *   pair count pair:sentiment:question, O(1), or a ZINTERCARD only while
 *   storage is still counting those pairs) minus the hidden ones among
 *   them: the ids of ix:status:hidden checked with one ZMSCORE per
 *   question and per tone (7, pipelined), so the work is the few hidden
 *   ideas and no ZINTERCARD recounts them (test_shown). At most 3 x 4
 *   values: the report only; /resultaten reads counters alone
 *   (test_reach) and does not show this table.
 */
#include <stdio.h>
#include <string.h>

#include "dashboard.h"
#include "ideas_total.h"

/* The values in the order a reader expects; "none" last, when present. */
static const char *const s_tones[] = {"positief", "neutraal", "negatief", "none"};
static const char *const s_questions[] = {"nu", "toekomst", "none"};
#define S_NTONES (sizeof s_tones / sizeof s_tones[0])
#define S_NQUESTIONS (sizeof s_questions / sizeof s_questions[0])

/* The ideas with this question and tone, hidden ones too; -1 when Redis
 * failed. */
static long long s_count(rstore_t *rs, const char *question, const char *tone)
{
    query_t q;
    memset(&q, 0, sizeof q);
    snprintf(q.eq[QUERY_QUESTION], sizeof q.eq[QUERY_QUESTION], "%s", question);
    snprintf(q.eq[QUERY_SENTIMENT], sizeof q.eq[QUERY_SENTIMENT], "%s", tone);
    q.n_eq = 2;
    int64_t all = 0;
    return ideas_total_eq(rs, &q, 0, &all) < 0 ? -1 : (long long)all;
}

/* The index (of n values) whose ZMSCORE reply r has id j; -1 for none. */
static int s_which(redisReply **r, size_t n, size_t j)
{
    for (size_t k = 0; k < n; k++)
        if (r[k]->element[j]->type != REDIS_REPLY_NIL)
            return (int)k;
    return -1;
}

/* hid: the hidden ideas per question and tone, from the ids of
 * ix:status:hidden checked against each question's and tone's index with
 * ZMSCORE (one pipeline): no ZINTERCARD, as the pages never recount the
 * hidden ideas (test_shown). 0, or -1 when Redis failed. */
static int s_hidden(rstore_t *rs, long long hid[S_NQUESTIONS][S_NTONES])
{
    memset(hid, 0, sizeof(long long) * S_NQUESTIONS * S_NTONES);
    redisReply *ids = rstore_cmd(rs, "ZRANGE " DASH_KEY_PREFIX "ix:status:hidden 0 -1");
    if (!ids || ids->type != REDIS_REPLY_ARRAY || ids->elements == 0) {
        int rc = ids && ids->type == REDIS_REPLY_ARRAY ? 0 : -1;
        if (ids)
            freeReplyObject(ids);
        return rc;
    }
    redisReply *r[S_NQUESTIONS + S_NTONES] = {NULL};
    char key[128];
    int rc = 0;
    for (size_t k = 0; k < S_NQUESTIONS + S_NTONES && rc == 0; k++) {
        int question = k < S_NQUESTIONS;
        snprintf(key, sizeof key, DASH_KEY_PREFIX "ix:%s:%s", question ? "question" : "sentiment",
                 question ? s_questions[k] : s_tones[k - S_NQUESTIONS]);
        rc = public_append_mscore(rs, key, ids);
    }
    for (size_t k = 0; k < S_NQUESTIONS + S_NTONES && rc == 0; k++) {
        r[k] = rstore_reply(rs);
        if (!r[k] || r[k]->type != REDIS_REPLY_ARRAY || r[k]->elements != ids->elements)
            rc = -1;
    }
    for (size_t j = 0; j < ids->elements && rc == 0; j++) {
        int qi = s_which(r, S_NQUESTIONS, j), ti = s_which(r + S_NQUESTIONS, S_NTONES, j);
        if (qi >= 0 && ti >= 0)
            hid[qi][ti]++;
    }
    for (size_t k = 0; k < S_NQUESTIONS + S_NTONES; k++)
        if (r[k])
            freeReplyObject(r[k]);
    freeReplyObject(ids);
    return rc;
}

int report_tone(dash_t *d, rstore_t *rs, sb_t *sb, json_t *tones, json_t *questions)
{
    long long n[S_NQUESTIONS][S_NTONES], hid[S_NQUESTIONS][S_NTONES];
    int show_tone[S_NTONES], show_q[S_NQUESTIONS], rows = 0;
    if (s_hidden(rs, hid) < 0)
        return -1;
    for (size_t t = 0; t < S_NTONES; t++) /* the named tones always, "none" when present */
        show_tone[t] = t + 1 < S_NTONES || json_integer_value(json_object_get(tones, "none")) > 0;
    for (size_t i = 0; i < S_NQUESTIONS; i++) {
        show_q[i] = json_integer_value(json_object_get(questions, s_questions[i])) > 0;
        rows += show_q[i];
        for (size_t t = 0; t < S_NTONES; t++) {
            n[i][t] = show_q[i] && show_tone[t] ? s_count(rs, s_questions[i], s_tones[t]) : 0;
            if (n[i][t] < 0)
                return -1;
            n[i][t] = n[i][t] > hid[i][t] ? n[i][t] - hid[i][t] : 0;
        }
    }
    if (rows == 0)
        return 0;
    sb_add(sb, "<p>Gaat een idee over Heerlen nu, dan zegt het gevoel iets over waar mensen "
               "trots op zijn en waarop niet. Gaat het over de toekomst, dan gaat het om een "
               "wens. Daarom staat het gevoel hieronder ook apart voor die twee.</p>\n"
               "<table><caption>Gevoel per vraag</caption><thead><tr><th scope=\"col\">"
               "Vraag</th>");
    for (size_t t = 0; t < S_NTONES; t++)
        if (show_tone[t]) {
            sb_add(sb, "<th scope=\"col\">");
            sb_esc(sb, page_label(d, "sentiment", s_tones[t]));
            sb_add(sb, "</th>");
        }
    sb_add(sb, "<th scope=\"col\">Totaal</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < S_NQUESTIONS; i++) {
        if (!show_q[i])
            continue;
        sb_add(sb, "<tr><th scope=\"row\">");
        sb_esc(sb, page_label(d, "question", s_questions[i]));
        sb_add(sb, "</th>");
        long long sum = 0;
        for (size_t t = 0; t < S_NTONES; t++)
            if (show_tone[t]) {
                sb_printf(sb, "<td>%s</td>", num_nl(n[i][t]).s);
                sum += n[i][t];
            }
        sb_printf(sb, "<td>%s</td></tr>\n", num_nl(sum).s);
    }
    sb_add(sb, "</tbody></table>\n<p>De citaten hieronder komen uit alle ideeën: over Heerlen "
               "nu en over Heerlen in de toekomst.</p>\n");
    return 0;
}
