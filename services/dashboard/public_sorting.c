/*
 * NAME
 *   public_sorting - the sections of the report (/report) and of the
 *   public page (/resultaten) on how the ideas were sorted and on what
 *   happens next
 *
 * DESCRIPTION
 *   The participation plan promises the council a report from which it can
 *   trace what the participation yielded, and residents a page on the
 *   results and a reply (mail, a meeting). A reader of the figures must
 *   know that a computer program (the classifier) chose each idea's
 *   themes, wijk, "nu"/"toekomst" and tone, that staff checked and
 *   corrected that where needed, and how often the computer was right
 *   where staff looked; in plain Dutch, no jargon.
 *
 *   The figures leave hidden ideas out, as every figure of both pages:
 *     checked   = approved ideas + corrected ideas that are not approved
 *     corrected = ideas staff changed a label of (inspraak:corrections:at,
 *                 storage's store_correct.h), hidden ones and ones no
 *                 longer stored left out
 *   Two round trips: ZCARD and ZRANGE of the corrected ids, then three
 *   ZMSCORE of those ids. The work grows with the corrections staff made
 *   by hand, never with the ideas or the hidden ones (no ZINTERCARD:
 *   test_shown checks the pages recount nothing).
 */
#include <stdio.h>
#include <string.h>

#include "dashboard.h"

/* How many of the ids of the ZMSCORE replies r[0..2] (ideas, hidden,
 * approved) are stored and not hidden, and of those not approved. */
static void s_tally(redisReply *const r[3], size_t k, long long *shown, long long *other)
{
    for (size_t j = 0; j < k; j++) {
        int in =
            r[0]->element[j]->type != REDIS_REPLY_NIL && r[1]->element[j]->type == REDIS_REPLY_NIL;
        *shown += in;
        *other += in && r[2]->element[j]->type == REDIS_REPLY_NIL;
    }
}

/* 0 and the figures, or -1 (Redis). The corrected ids (as many as staff
 * corrected by hand) are checked against the ideas, the hidden and the
 * approved ones with ZMSCORE: no intersection over the hidden ideas. */
static int s_figures(rstore_t *rs, long long *checked, long long *corrected)
{
    redisReply *ids = NULL, *r[3] = {NULL, NULL, NULL};
    long long approved = -1, shown = 0, other = 0;
    int rc = rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ix:status:approved");
    if (rc == 0)
        rc = rstore_append(rs, "ZRANGE " DASH_KEY_PREFIX "corrections:at 0 -1");
    redisReply *a = rc == 0 ? rstore_reply(rs) : NULL;
    ids = a ? rstore_reply(rs) : NULL;
    if (!a || a->type != REDIS_REPLY_INTEGER || !ids || ids->type != REDIS_REPLY_ARRAY)
        rc = -1;
    else
        approved = a->integer;
    if (rc == 0 && ids->elements > 0) {
        static const char *const keys[3] = {DASH_KEY_PREFIX "ideas",
                                            DASH_KEY_PREFIX "ix:status:hidden",
                                            DASH_KEY_PREFIX "ix:status:approved"};
        for (int i = 0; i < 3 && rc == 0; i++)
            rc = public_append_mscore(rs, keys[i], ids);
        for (int i = 0; i < 3 && rc == 0; i++) {
            r[i] = rstore_reply(rs);
            if (!r[i] || r[i]->type != REDIS_REPLY_ARRAY || r[i]->elements != ids->elements)
                rc = -1;
        }
        if (rc == 0)
            s_tally(r, ids->elements, &shown, &other);
    }
    for (int i = 0; i < 3; i++)
        if (r[i])
            freeReplyObject(r[i]);
    if (a)
        freeReplyObject(a);
    if (ids)
        freeReplyObject(ids);
    if (rc < 0)
        return -1;
    *corrected = shown;
    *checked = approved + other;
    return 0;
}

int public_sorting(rstore_t *rs, sb_t *sb, long long total)
{
    long long checked, corrected;
    if (s_figures(rs, &checked, &corrected) < 0)
        return -1;
    checked = checked > total ? total : checked; /* read apart: an idea may change between */
    corrected = corrected > checked ? checked : corrected;
    sb_add(sb, "<section aria-labelledby=\"indeling\"><h2 id=\"indeling\">Hoe we de ideeën "
               "indeelden</h2>\n<p>Een computerprogramma las elk idee en koos erbij: over welke "
               "thema's het gaat, over welke wijk, of het over Heerlen nu of over de toekomst "
               "gaat, en of het positief, neutraal of negatief klinkt. Zo konden we veel ideeën "
               "snel ordenen. Een computer kan zich vergissen. Daarom keken medewerkers van de "
               "gemeente ideeën na. Waar de indeling niet klopte, verbeterden zij die.</p>\n<p>");
    long long right = checked - corrected, rest = total - checked;
    if (checked == 0)
        sb_add(sb, "Medewerkers hebben de indeling nog niet nagekeken. ");
    else {
        if (checked == 1 && total == 1) /* not "1 van de 1 idee" */
            sb_add(sb, "Medewerkers keken het idee na. ");
        else
            sb_printf(sb, "Medewerkers keken %s van de %s %s na. ", num_nl(checked).s,
                      num_nl(total).s, page_plural(total, "idee", "ideeën"));
        if (checked == 1) /* one idea: "dat idee", never "bij 1 idee" */
            sb_add(sb, corrected ? "Zij veranderden de indeling van dat idee. "
                                 : "De indeling van de computer klopte bij dat idee al. ");
        else if (corrected == 0) /* "Bij 0 daarvan ..." is no way to say none */
            sb_add(sb, "Zij hebben de indeling nergens veranderd. ");
        else
            sb_printf(sb, "Bij %s %s veranderden zij de indeling. ", num_nl(corrected).s,
                      page_plural(corrected, "idee", "ideeën"));
        if (checked > 1 && right == 0)
            sb_add(sb, "De indeling van de computer klopte bij geen van die ideeën. ");
        else if (checked > 1)
            sb_printf(sb, "Bij %s %s klopte de indeling van de computer al. ", num_nl(right).s,
                      page_plural(right, "idee", "ideeën"));
    }
    if (rest == 1 && checked > 0) /* with none checked there is no "other" idea */
        sb_add(sb, "Het andere idee is (nog) niet nagekeken. ");
    else if (rest > 1 && checked > 0)
        sb_printf(sb, "De andere %s ideeën zijn (nog) niet nagekeken. ", num_nl(rest).s);
    if (rest > 0) /* "Daar" needs the other ideas named just before it */
        sb_printf(sb,
                  "%s kan de indeling soms niet kloppen. Zie de aantallen per thema en per "
                  "wijk daarom als een goede schatting, niet als precieze uitkomst.",
                  checked > 0 ? "Daar" : "Daarom");
    /* True for any figures: not every idea has more themes (the theme
     * table itself says "samen meer dan 100%" only when they add up so) */
    sb_add(sb, "</p>\n<p>Een idee kan over meer dan één thema gaan. Dan telt het mee bij elk "
               "van die thema's.</p>\n</section>\n");
    return 0;
}

int public_next(rstore_t *rs, sb_t *sb)
{
    sb_add(sb, "<section aria-labelledby=\"vervolg\"><h2 id=\"vervolg\">Wat gebeurt er nu met "
               "de ideeën?</h2>\n<ul>\n<li>Alle ideeën staan in het participatieverslag. Dat "
               "verslag komt als bijlage bij de omgevingsvisie. Zo zien de gemeenteraad en het "
               "college wat inwoners, buurtorganisaties en professionals zeiden. Zij nemen dat "
               "mee als zij over de omgevingsvisie besluiten.</li>\n<li>Gaf u bij uw idee uw "
               "e-mailadres en mochten we u mailen? Dan krijgt u een e-mail over de uitkomsten, "
               "met een link naar de resultaten op de website.</li>\n<li>Er komt een "
               "terugkombijeenkomst, in het echt of online. Daar vertellen we wat er met de "
               "ideeën gebeurt. Iedereen is welkom: inwoners, buurtorganisaties, professionals "
               "en andere belangstellenden.");
    int rc = meeting_show(rs, sb); /* when and where, once staff set it */
    sb_add(sb, "</li>\n</ul>\n</section>\n");
    return rc;
}
