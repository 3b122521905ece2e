/*
 * NAME
 *   public_gaps - who we heard little from: the wijken with few or no
 *   ideas, the target groups with none and (in the report) the ideas in
 *   other languages, for "Wie deden er mee?" on /resultaten and in the report
 *   (public_people)
 *
 * DESCRIPTION
 *   The participation plan asks for the people spoken to "(aantallen,
 *   wijken etc.)", and a council reading the report must see who did not
 *   take part as well as who did. Counts leave hidden ideas out, as the
 *   rest of both pages.
 *
 *   "Few" is measured against the wijken themselves, so it holds for 50
 *   ideas as for 5,000: M is the median of the ideas per wijk over all of
 *   Heerlen's wijken (data/geo; half gave M or more), and a wijk with at
 *   least one idea but fewer than M/2 gave few. Wijken with none are
 *   listed apart. Target groups: the three of the form (inwoner,
 *   professional, buurtorganisatie) that gave no idea.
 *
 *   An idea's wijk is the one it is about (the form asks "waar gaat uw
 *   idee over"), not where its author lives: the sentences say "over deze
 *   wijk", never "uit".
 *
 *   Languages (the report only): how many ideas came in each language
 *   other than Dutch (the classifier's language, named in Dutch by
 *   page_label), from the stats hash of "language" without hidden ideas.
 *   Taking the hidden ones off reads their records (language has no
 *   index), and a visit to /resultaten reads only counters (test_reach),
 *   so the public page leaves this sentence out. Only counts, never who
 *   or where; a count of 1 is shown as the wijken's are: it names no one.
 */
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

static int s_desc(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* ", " between items and " en " before the last of n. */
static void s_sep(sb_t *sb, size_t i, size_t n)
{
    if (i > 0)
        sb_add(sb, i + 1 == n ? " en " : ", ");
}

static void s_wijken(const dash_t *d, sb_t *sb, json_t *wijk)
{
    size_t n = d->geo ? geo_wijk_count(d->geo) : 0;
    if (n == 0)
        return;
    long long *v = xcalloc(n, sizeof *v);
    const char *code, *name;
    for (size_t i = 0; i < n; i++)
        if (geo_wijk_at(d->geo, i, &code, &name) == 0)
            v[i] = json_integer_value(json_object_get(wijk, code));
    qsort(v, n, sizeof *v, s_desc);
    long long median = v[(n - 1) / 2];
    free(v);
    size_t few = 0, none = 0;
    for (size_t i = 0; i < n; i++) {
        if (geo_wijk_at(d->geo, i, &code, &name) != 0)
            continue;
        long long c = json_integer_value(json_object_get(wijk, code));
        few += c > 0 && 2 * c < median;
        none += c == 0;
    }
    if (few > 0) {
        sb_printf(sb, "<p>De helft van de wijken kreeg %s %s of meer. ", num_nl(median).s,
                  page_plural(median, "idee", "ideeën"));
        if (few == 1)
            sb_add(sb, "Over deze wijk kwamen weinig ideeën, minder dan de helft daarvan: ");
        else
            sb_printf(sb, "Over deze %s wijken kwamen weinig ideeën, minder dan de helft daarvan: ",
                      num_nl((long long)few).s);
        for (size_t i = 0, k = 0; i < n; i++) {
            if (geo_wijk_at(d->geo, i, &code, &name) != 0)
                continue;
            long long c = json_integer_value(json_object_get(wijk, code));
            if (c > 0 && 2 * c < median) {
                s_sep(sb, k++, few);
                sb_esc(sb, page_label(d, "wijk", code));
                sb_printf(sb, " (%s %s)", num_nl(c).s, page_plural(c, "idee", "ideeën"));
            }
        }
        sb_add(sb, ".</p>\n");
    }
    if (none > 0 && none < n) {
        if (none == 1)
            sb_add(sb, "<p>Over deze wijk kwam nog geen idee: ");
        else
            sb_printf(sb, "<p>Over deze %s wijken kwam nog geen idee: ", num_nl((long long)none).s);
        for (size_t i = 0, k = 0; i < n; i++)
            if (geo_wijk_at(d->geo, i, &code, &name) == 0 &&
                json_integer_value(json_object_get(wijk, code)) == 0) {
                s_sep(sb, k++, none);
                sb_esc(sb, page_label(d, "wijk", code));
            }
        sb_add(sb, ".</p>\n");
    }
}

/* The ideas in each language other than Dutch, most first: the plan
 * wants to reach labour migrants and others who are hard to reach.
 * Ideas whose language the classifier could not tell ("none") are left
 * out: that says nothing about who gave them. */
static int s_languages(const dash_t *d, rstore_t *rs, sb_t *sb)
{
    json_t *lang = stats_counts_visible(rs, "language");
    if (!lang)
        return -1;
    json_object_del(lang, "nl");
    json_object_del(lang, "none");
    size_t n;
    count_item_t *it = counts_sorted(lang, 0, &n);
    long long other = 0;
    for (size_t i = 0; i < n; i++)
        other += it[i].n;
    if (other > 0) {
        sb_printf(sb, "<p>In een andere taal dan het Nederlands %s %s %s binnen: ",
                  other == 1 ? "kwam" : "kwamen", num_nl(other).s,
                  page_plural(other, "idee", "ideeën"));
        for (size_t i = 0; i < n; i++) {
            s_sep(sb, i, n);
            sb_esc(sb, page_label(d, "language", it[i].key));
            sb_printf(sb, " (%s %s)", num_nl(it[i].n).s, page_plural(it[i].n, "idee", "ideeën"));
        }
        sb_add(sb, ".</p>\n");
    }
    free(it);
    json_decref(lang);
    return 0;
}

int public_gaps(const dash_t *d, rstore_t *rs, sb_t *sb, json_t *wijk, bool languages)
{
    static const char *const groups[][2] = {{"inwoner", "inwoners"},
                                            {"professional", "professionals"},
                                            {"buurtorganisatie", "buurtorganisaties"}};
    json_t *tg = stats_counts_visible(rs, "target_group");
    if (!tg)
        return -1;
    s_wijken(d, sb, wijk);
    size_t missing = 0, total = 0;
    for (size_t g = 0; g < 3; g++) {
        long long c = json_integer_value(json_object_get(tg, groups[g][0]));
        missing += c == 0;
        total += (size_t)c;
    }
    if (missing > 0 && total > 0) {
        sb_add(sb, "<p>Van ");
        for (size_t g = 0, k = 0; g < 3; g++)
            if (json_integer_value(json_object_get(tg, groups[g][0])) == 0) {
                s_sep(sb, k++, missing);
                sb_add(sb, groups[g][1]);
            }
        sb_add(sb, " kwam nog geen idee.</p>\n");
    }
    json_decref(tg);
    return languages ? s_languages(d, rs, sb) : 0;
}
