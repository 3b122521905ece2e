/*
 * NAME
 *   public_steps - the sections of the public page /resultaten on the
 *   steps taken (the activities and the standing channels, each with the
 *   ideas that came in through it) and on the people reached
 *
 * DESCRIPTION
 *   The participation plan promises a page about "de stappen die zijn
 *   gezet, de mensen die zijn gesproken (aantallen, wijken etc.) als de
 *   resultaten"; ui_overview.c shows the results, these two sections the
 *   rest. Nothing here names a person or a place: an activity shows its
 *   public name, kind, date(s) and wijk, never its free-text place nor who
 *   entered it; the people are counts only (reach.c), never per wijk or
 *   per activity.
 *
 *   Ideas of an activity: the ideas whose "activity" is that kind's value
 *   (activities_idea_activity), that came in on its day(s) (received_at,
 *   days in Heerlen's time, Europe/Amsterdam, by query_parse_time, as
 *   intake-transcript reads a recording's date) and, when the activity has a wijk, are in that
 *   wijk; hidden ideas are left out as everywhere on the page. Per
 *   activity: without a wijk one ZCOUNT of ix:activity:<value> over its
 *   days; with one, the wijk's ideas of those days (ZRANGEBYSCORE
 *   ix:wijk:<code>) checked against ix:activity:<value> with one ZMSCORE;
 *   then, only when some ideas are hidden, the hidden ideas of those days
 *   checked the same way and subtracted. All pipelined: two round trips
 *   for the whole register. So the work is the ideas of one wijk (and the
 *   hidden ones) on an activity's days, never a scan of all ideas. Two register
 *   entries of the same kind, days and wijk show the same ideas.
 *
 *   The report shows the same figures: public_activity_ideas() gives it
 *   the ideas per activity for its own table (with the people spoken to),
 *   public_channels() the table of the channels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

/* "2026-03-12" as "12 maart 2026"; other text as it is. */
static void s_day(sb_t *sb, const char *ymd)
{
    char buf[40];
    sb_esc(sb, page_day(ymd, buf, sizeof buf));
}

typedef struct {
    json_t *a;        /* the register entry (borrowed) */
    const char *idea; /* the ideas' activity value, NULL: not counted */
    redisReply *base; /* ZCOUNT, or the ids of its wijk on its days */
    redisReply *hid;  /* the hidden ideas of its days (with hidden ideas) */
    long long n;      /* its ideas: in its wijk and not hidden */
} s_act_t;

static const char *s_str(json_t *a, const char *key)
{
    return json_string_value(json_object_get(a, key));
}

int public_append_mscore(rstore_t *rs, const char *key, redisReply *ids)
{
    size_t n = ids->elements + 2;
    const char **argv = xcalloc(n, sizeof *argv);
    size_t *lens = xcalloc(n, sizeof *lens);
    argv[0] = "ZMSCORE";
    lens[0] = 7;
    argv[1] = key;
    lens[1] = strlen(key);
    for (size_t i = 0; i < ids->elements; i++) {
        argv[i + 2] = ids->element[i]->str;
        lens[i + 2] = ids->element[i]->len;
    }
    int rc = rstore_appendargv(rs, (int)n, argv, lens);
    free(argv);
    free(lens);
    return rc;
}

/* ZMSCORE replies: how many ids are in the first key (and in the second,
 * when r2 is given). -1 for a reply that is not the expected array. */
static long long s_found(redisReply *r1, redisReply *r2, size_t k)
{
    if (!r1 || r1->type != REDIS_REPLY_ARRAY || r1->elements != k ||
        (r2 && (r2->type != REDIS_REPLY_ARRAY || r2->elements != k)))
        return -1;
    long long n = 0;
    for (size_t j = 0; j < k; j++)
        n += r1->element[j]->type != REDIS_REPLY_NIL &&
             (!r2 || r2->element[j]->type != REDIS_REPLY_NIL);
    return n;
}

/* Fills each act's n, in two pipelined round trips:
 *   1. per activity: without a wijk ZCOUNT ix:activity:<value> over its
 *      days, with one ZRANGEBYSCORE ix:wijk:<code> (the wijk's ideas of
 *      those days); with hidden ideas, ZRANGEBYSCORE ix:status:hidden;
 *   2. ZMSCORE of those ids against ix:activity:<value> (and, for the
 *      hidden ones of an activity with a wijk, against ix:wijk:<code>).
 * 0, or -1 (Redis). */
static int s_count(rstore_t *rs, s_act_t *acts, size_t n)
{
    redisReply *h = rstore_cmd(rs, "ZCARD " DASH_KEY_PREFIX "ix:status:hidden");
    long long hidden = h && h->type == REDIS_REPLY_INTEGER ? h->integer : -1;
    if (h)
        freeReplyObject(h);
    if (hidden < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *date = s_str(acts[i].a, "date"), *until = s_str(acts[i].a, "until");
        const char *wijk = s_str(acts[i].a, "wijk");
        int64_t lo, hi;
        /* A bare date is that day in Heerlen (query_parse_time) */
        if (!acts[i].idea || !date || query_parse_time(date, false, &lo) < 0 ||
            query_parse_time(until ? until : date, true, &hi) < 0) {
            acts[i].idea = NULL;
            continue;
        }
        rc = wijk ? rstore_append(rs, "ZRANGEBYSCORE " DASH_KEY_PREFIX "ix:wijk:%s %lld %lld", wijk,
                                  (long long)lo, (long long)hi)
                  : rstore_append(rs, "ZCOUNT " DASH_KEY_PREFIX "ix:activity:%s %lld %lld",
                                  acts[i].idea, (long long)lo, (long long)hi);
        if (rc == 0 && hidden > 0)
            rc = rstore_append(rs, "ZRANGEBYSCORE " DASH_KEY_PREFIX "ix:status:hidden %lld %lld",
                               (long long)lo, (long long)hi);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!acts[i].idea)
            continue;
        acts[i].base = rstore_reply(rs);
        acts[i].hid = hidden > 0 ? rstore_reply(rs) : NULL;
        if (!acts[i].base ||
            (hidden > 0 && (!acts[i].hid || acts[i].hid->type != REDIS_REPLY_ARRAY)))
            rc = -1;
        else if (acts[i].base->type == REDIS_REPLY_INTEGER)
            acts[i].n = acts[i].base->integer;
        else if (acts[i].base->type != REDIS_REPLY_ARRAY)
            rc = -1;
    }
    char akey[128], wkey[128];
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!acts[i].idea)
            continue;
        const char *wijk = s_str(acts[i].a, "wijk");
        snprintf(akey, sizeof akey, DASH_KEY_PREFIX "ix:activity:%s", acts[i].idea);
        snprintf(wkey, sizeof wkey, DASH_KEY_PREFIX "ix:wijk:%s", wijk ? wijk : "");
        if (acts[i].base->type == REDIS_REPLY_ARRAY && acts[i].base->elements)
            rc = public_append_mscore(rs, akey, acts[i].base);
        if (rc == 0 && acts[i].hid && acts[i].hid->elements) {
            rc = public_append_mscore(rs, akey, acts[i].hid);
            if (rc == 0 && wijk)
                rc = public_append_mscore(rs, wkey, acts[i].hid);
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!acts[i].idea)
            continue;
        redisReply *r[3] = {NULL, NULL, NULL};
        size_t k = acts[i].base->type == REDIS_REPLY_ARRAY ? acts[i].base->elements : 0;
        size_t kh = acts[i].hid ? acts[i].hid->elements : 0;
        int wijk = s_str(acts[i].a, "wijk") != NULL;
        if (k)
            r[0] = rstore_reply(rs);
        if (kh)
            r[1] = rstore_reply(rs);
        if (kh && wijk)
            r[2] = rstore_reply(rs);
        long long in = k ? s_found(r[0], NULL, k) : 0;
        long long out = kh ? s_found(r[1], wijk ? r[2] : NULL, kh) : 0;
        if (in < 0 || out < 0 || (kh && wijk && !r[2]))
            rc = -1;
        else
            acts[i].n = (k ? in : acts[i].n) - out;
        for (int j = 0; j < 3; j++)
            if (r[j])
                freeReplyObject(r[j]);
    }
    return rc;
}

static void s_activity_row(sb_t *sb, const dash_t *d, const s_act_t *act)
{
    const char *kind = s_str(act->a, "kind"), *name = s_str(act->a, "name");
    const char *until = s_str(act->a, "until"), *wijk = s_str(act->a, "wijk");
    sb_add(sb, "<tr><td>");
    s_day(sb, s_str(act->a, "date"));
    if (until) {
        sb_add(sb, " t/m ");
        s_day(sb, until);
    }
    sb_add(sb, "</td><td>");
    sb_esc(sb, name && *name ? name : page_label(d, "activity", kind));
    sb_add(sb, "</td><td>");
    sb_esc(sb, page_label(d, "activity", kind));
    sb_add(sb, "</td><td>");
    sb_esc(sb, wijk ? page_label(d, "wijk", wijk) : "Heel Heerlen");
    if (act->idea)
        sb_printf(sb, "</td><td>%s %s</td></tr>\n", num_nl(act->n).s,
                  page_plural(act->n, "idee", "ideeën"));
    else
        sb_add(sb, "</td><td>niet apart geteld</td></tr>\n");
}

/* The channels that were open all the time; their names come from
 * page_label(), so the charts on the same page use the same ones. */
static const char *const s_channels[][2] = {
    {"form", "het formulier op de website"},
    {"email", "een e-mail aan de gemeente"},
    {"transcript", "gesprekken op straat, op video opgenomen"},
    {"field", "medewerkers schrijven ideeën op straat op met een tablet"},
};
#define S_NCHANNELS (sizeof s_channels / sizeof s_channels[0])

/* The entries of dated with their ideas counted (s_count); NULL when
 * Redis failed. The caller frees the array. */
static s_act_t *s_acts(rstore_t *rs, json_t *dated, size_t *n)
{
    *n = json_array_size(dated);
    s_act_t *acts = xcalloc(*n ? *n : 1, sizeof *acts);
    for (size_t i = 0; i < *n; i++) {
        acts[i].a = json_array_get(dated, i);
        acts[i].idea = activities_idea_activity(s_str(acts[i].a, "kind"));
    }
    int rc = s_count(rs, acts, *n);
    for (size_t i = 0; i < *n; i++) {
        if (acts[i].base)
            freeReplyObject(acts[i].base);
        if (acts[i].hid)
            freeReplyObject(acts[i].hid);
    }
    if (rc < 0) {
        free(acts);
        return NULL;
    }
    return acts;
}

long long *public_activity_ideas(rstore_t *rs, json_t *dated)
{
    size_t n;
    s_act_t *acts = s_acts(rs, dated, &n);
    if (!acts)
        return NULL;
    long long *ideas = xcalloc(n ? n : 1, sizeof *ideas);
    for (size_t i = 0; i < n; i++)
        ideas[i] = acts[i].idea ? acts[i].n : -1;
    free(acts);
    return ideas;
}

void public_channels(sb_t *sb, const dash_t *d, json_t *ch)
{
    sb_add(sb, "<p>Deze kanalen waren de hele tijd open. Alle ideeën kwamen via een van deze "
               "kanalen binnen, ook de ideeën uit de activiteiten.</p>\n<table>"
               "<caption>Kanalen</caption><thead><tr><th scope=\"col\">Kanaal</th><th "
               "scope=\"col\">Hoe</th><th scope=\"col\">Ideeën</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < S_NCHANNELS; i++) {
        long long c = json_integer_value(json_object_get(ch, s_channels[i][0]));
        sb_printf(sb, "<tr><td>%s</td><td>%s</td><td>%s %s</td></tr>\n",
                  page_label(d, "channel", s_channels[i][0]), s_channels[i][1], num_nl(c).s,
                  page_plural(c, "idee", "ideeën"));
    }
    sb_add(sb, "</tbody></table>\n");
}

int public_steps(dash_t *d, rstore_t *rs, sb_t *sb, json_t *list, json_t *ch)
{
    json_t *dated = activities_by_date(list); /* first to last */
    size_t n;
    s_act_t *acts = s_acts(rs, dated, &n);
    int rc = acts ? 0 : -1;
    sb_add(sb, "<section aria-labelledby=\"stappen\"><h2 id=\"stappen\">De stappen: zo "
               "haalden we de ideeën op</h2>\n");
    if (rc == 0 && n == 0)
        sb_add(sb, "<p>Er zijn nog geen activiteiten vastgelegd.</p>\n");
    if (rc == 0 && n > 0) {
        sb_printf(sb,
                  "<p>We gingen de wijken in: met de omgevingsvisietour, gesprekken en "
                  "bijeenkomsten. In totaal %s er %s %s. Bij elke activiteit staat hoeveel "
                  "ideeën we daar kregen: de ideeën van die soort activiteit, op die dag of "
                  "dagen, en uit die wijk.</p>\n<table><caption>Activiteiten, van eerste "
                  "tot laatste</caption><thead><tr><th scope=\"col\">Datum</th><th scope=\"col\">"
                  "Activiteit</th><th scope=\"col\">Soort</th><th scope=\"col\">Wijk</th><th "
                  "scope=\"col\">Ideeën</th></tr></thead><tbody>\n",
                  n == 1 ? "was" : "waren", num_nl((long long)n).s,
                  page_plural((long long)n, "activiteit", "activiteiten"));
        for (size_t i = 0; i < n; i++)
            s_activity_row(sb, d, &acts[i]);
        sb_add(sb, "</tbody></table>\n");
    }
    if (rc == 0)
        public_channels(sb, d, ch);
    sb_add(sb, "</section>\n");
    free(acts);
    json_decref(dated);
    return rc;
}

int public_people(dash_t *d, rstore_t *rs, sb_t *sb, json_t *list, json_t *ch, json_t *wijk,
                  bool languages)
{
    long long anon = 0;
    long long people = reach_people(rs, &anon);
    if (people < 0 && people != REACH_COUNTING)
        return -1;
    long long ideas = 0;
    const char *k;
    json_t *v;
    json_object_foreach(ch, k, v) ideas += json_integer_value(v); /* one channel an idea */
    long long wijken = (long long)json_object_size(wijk) - (json_object_get(wijk, "none") ? 1 : 0);
    long long no_wijk = json_integer_value(json_object_get(wijk, "none"));
    long long spoken = 0;
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) spoken += json_integer_value(json_object_get(a, "people"));
    sb_add(sb, "<section aria-labelledby=\"mensen\"><h2 id=\"mensen\">Wie deden er mee?</h2>\n"
               "<div class=\"totals\">");
    if (people >= 0)
        sb_printf(sb, "<p><span class=\"big\">%s%s</span> %s</p>", anon > 0 ? "ongeveer " : "",
                  num_nl(people).s, page_plural(people, "persoon deed mee", "mensen deden mee"));
    /* An idea's wijk is the one it is about (what the form asks), not
     * where the person lives or works. */
    sb_printf(sb, "<p><span class=\"big\">%s</span> %s waar de ideeën over gaan</p></div>\n",
              num_nl(wijken).s, page_plural(wijken, "wijk", "wijken"));
    if (people < 0) /* storage is counting the ideas from before an update */
        sb_add(sb, "<p>Hoeveel mensen meededen, tellen we nu opnieuw. Kijk over een paar "
                   "minuten nog eens.</p>\n");
    sb_printf(sb, "<p>Samen gaven zij %s %s. Wie meer ideeën gaf, telt als één persoon.",
              num_nl(ideas).s, page_plural(ideas, "idee", "ideeën"));
    if (anon > 0)
        sb_printf(sb,
                  " Bij %s %s weten we niet wie %s gaf. Die tellen we als één persoon per "
                  "idee. Daarom staat er \"ongeveer\".",
                  num_nl(anon).s, page_plural(anon, "idee", "ideeën"),
                  page_plural(anon, "het", "ze"));
    sb_add(sb, "</p>\n");
    if (no_wijk > 0)
        sb_printf(sb, "<p>Bij %s %s weten we de wijk niet.</p>\n", num_nl(no_wijk).s,
                  page_plural(no_wijk, "idee", "ideeën"));
    if (public_gaps(d, rs, sb, wijk, languages) < 0) /* who we heard little from */
        return -1;
    if (json_array_size(list) > 0)
        sb_printf(sb,
                  "<p>Bij de activiteiten spraken medewerkers met %s %s. Sommigen van hen "
                  "gaven ook zelf een idee.</p>\n",
                  num_nl(spoken).s, page_plural(spoken, "persoon", "mensen"));
    sb_add(sb, "<p>Zo gaven de mensen hun ideeën:</p>\n<ul>\n");
    for (size_t c = 0; c < S_NCHANNELS; c++) {
        long long k = json_integer_value(json_object_get(ch, s_channels[c][0]));
        sb_printf(sb, "<li>%s: %s %s</li>\n", page_label(d, "channel", s_channels[c][0]),
                  num_nl(k).s, page_plural(k, "idee", "ideeën"));
    }
    sb_add(sb, "</ul>\n<p>Hier staan alleen aantallen. Namen, e-mailadressen en adressen staan "
               "hier nooit.</p>\n</section>\n");
    return people < 0 ? 1 : 0;
}
