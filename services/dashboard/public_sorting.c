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
 *   Four small Redis commands (ZCARD, three ZINTERCARD), pipelined.
 */
#include <stdio.h>
#include <string.h>

#include "dashboard.h"

/* 0 and the figures, or -1 (Redis). */
static int s_figures(rstore_t *rs, long long *checked, long long *corrected)
{
    long long v[4];
    int rc = rstore_append(rs, "ZCARD " DASH_KEY_PREFIX "ix:status:approved");
    if (rc == 0)
        rc = rstore_append(rs, "ZINTERCARD 2 " DASH_KEY_PREFIX "corrections:at " DASH_KEY_PREFIX
                               "ideas");
    if (rc == 0)
        rc = rstore_append(rs, "ZINTERCARD 2 " DASH_KEY_PREFIX "corrections:at " DASH_KEY_PREFIX
                               "ix:status:hidden");
    if (rc == 0)
        rc = rstore_append(rs, "ZINTERCARD 2 " DASH_KEY_PREFIX "corrections:at " DASH_KEY_PREFIX
                               "ix:status:approved");
    for (size_t i = 0; i < 4 && rc == 0; i++) {
        redisReply *r = rstore_reply(rs);
        if (!r || r->type != REDIS_REPLY_INTEGER)
            rc = -1;
        else
            v[i] = r->integer;
        if (r)
            freeReplyObject(r);
    }
    if (rc < 0)
        return -1;
    *corrected = v[1] - v[2];
    *checked = v[0] + (*corrected - v[3]);
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
    else
        sb_printf(sb,
                  "Medewerkers keken %lld van de %lld %s na. Bij %lld daarvan veranderden zij de "
                  "indeling. Bij %lld %s klopte de indeling van de computer al. ",
                  checked, total, page_plural(total, "idee", "ideeën"), corrected, right,
                  page_plural(right, "idee", "ideeën"));
    if (rest == 1)
        sb_add(sb, "Het andere idee is (nog) niet nagekeken. ");
    else if (rest > 1 && checked > 0)
        sb_printf(sb, "De andere %lld ideeën zijn (nog) niet nagekeken. ", rest);
    if (rest > 0)
        sb_add(sb, "Daar kan de indeling soms niet kloppen. Zie de aantallen per thema en per "
                   "wijk daarom als een goede schatting, niet als precieze uitkomst.");
    sb_add(sb, "</p>\n<p>Een idee kan over meer dan één thema gaan. Daarom zijn de aantallen per "
               "thema samen meer dan het aantal ideeën.</p>\n</section>\n");
    return 0;
}

void public_next(sb_t *sb)
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
               "en andere belangstellenden.</li>\n</ul>\n</section>\n");
}
