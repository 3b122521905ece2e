/*
 * NAME
 *   test_classify_cluster_score - the near-duplicate pair score and joins
 *
 * DESCRIPTION
 *   classify_cluster_similarity() and the in-memory store's joins
 *   (common/classify_cluster.c, classify_cluster_join.c) on real texts
 *   classified with the keywords alone. Checks: the score counts slots
 *   wherever they are; a different wijk lowers the score and keeps the
 *   same wish at another school apart; concept-map words join other
 *   wordings and languages, German function words join nothing; specific
 *   wishes (dog area, internships, facade gardens) join their other words
 *   and not each other; a shared main concept counts more than one named
 *   in passing; praise does not join a wish, and praise that asks for
 *   something costs less than praise of what is there; keys shared by
 *   volume only cost outside one wijk; the first theme of one idea being
 *   the second of the other counts; main concepts one idea lacks lower the
 *   score; a wish heard city-wide joins across wijken where a local
 *   object does not, also against a sketch stored before the mark, and
 *   synonyms.tsv marks each such concept on every line; a short idea
 *   joins a long letter that repeats it, however long. The Redis store
 *   and the index: test_classify_cluster.c. Data from INSPRAAK_DATA or
 *   ./data; no server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "classify_cluster_int.h"
#include "test_classify_util.h"

static classify_t *s_cls;

static int s_setup(void **state)
{
    (void)state;
    s_cls = s_classify_new();
    return s_cls ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    classify_destroy(&s_cls);
    return 0;
}

/* Whether b joins a's cluster, each pair in a fresh in-memory store. */
static bool s_joins(const char *a_text, const char *b_text)
{
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    idea_t *a = s_idea(s_cls, "a", a_text), *b = s_idea(s_cls, "b", b_text);
    assert_int_equal(classify_idea_cluster(s_cls, &st, a), 0);
    assert_int_equal(classify_idea_cluster(s_cls, &st, b), 0);
    bool joined = strcmp(b->cluster, "a") == 0;
    s_idea_free(a);
    s_idea_free(b);
    cluster_mem_destroy(&st.store);
    return joined;
}

/* The similarity of two texts' sketches. */
static double s_similarity(const char *a_text, const char *b_text)
{
    idea_t *a = s_idea(s_cls, "a", a_text), *b = s_idea(s_cls, "b", b_text);
    cluster_sketch_t x, y;
    classify_idea_sketch(s_cls, a, &x);
    classify_idea_sketch(s_cls, b, &y);
    double s = classify_cluster_similarity(&x, &y);
    s_idea_free(a);
    s_idea_free(b);
    return s;
}

/* The occupied places of dense (CLUSTER_EMPTY: empty) as a sketch's
 * ascending slot list. */
static void s_sparse(const uint32_t *dense, cluster_sketch_t *sk)
{
    sk->slots = CLUSTER_SLOTS;
    sk->n_slots = 0;
    for (int k = 0; k < CLUSTER_SLOTS; k++)
        if (dense[k] != CLUSTER_EMPTY) {
            assert_true(sk->n_slots < CLUSTER_SKETCH_MAX);
            sk->slot[sk->n_slots] = (uint16_t)k;
            sk->val[sk->n_slots++] = dense[k];
        }
}

/* The score counts slots, wherever they are: moving every slot of both
 * sketches to another place (rotations) changes no score, a sketch
 * scores the same against another either way round, and one more shared
 * slot in any place raises it. Sketches with empty, equal, different and
 * main-concept slots in every position of the sorted lists. (Written for
 * a four-slots-at-a-time version of the 64-slot counts, which did not
 * pay: docs/classifier-history.md "Speed, session by session"; the
 * lists are merged since 2026-11-29.) */
static void test_score_any_slot(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    static uint32_t da[CLUSTER_SLOTS], db[CLUSTER_SLOTS], ra[CLUSTER_SLOTS], rb[CLUSTER_SLOTS];
    for (int round = 0; round < 200; round++) {
        cluster_sketch_t a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        memset(da, 0xff, sizeof da);
        memset(db, 0xff, sizeof db);
        for (int k = 0; k < 64; k++) { /* 64 places spread over the slots */
            seed = seed * 1103515245u + 12345u;
            uint32_t v = seed >> 3 << 2 | (seed >> 1 & 3) % 3, pick = seed % 7;
            int at = 16 * k + (int)(seed >> 20) % 16;
            da[at] = pick == 0 ? CLUSTER_EMPTY : v;
            db[at] = pick <= 1 ? CLUSTER_EMPTY : pick <= 4 ? da[at] : v ^ 0x40;
        }
        s_sparse(da, &a);
        s_sparse(db, &b);
        a.n_keys = 10 + round % 30;
        b.n_keys = 5 + round % 40;
        double s = classify_cluster_similarity(&a, &b);
        assert_true(s == classify_cluster_similarity(&b, &a));
        for (int r = 1; r < CLUSTER_SLOTS; r += 61) {
            cluster_sketch_t xa = a, xb = b;
            for (int k = 0; k < CLUSTER_SLOTS; k++) {
                ra[(k + r) % CLUSTER_SLOTS] = da[k];
                rb[(k + r) % CLUSTER_SLOTS] = db[k];
            }
            s_sparse(ra, &xa);
            s_sparse(rb, &xb);
            assert_true(s == classify_cluster_similarity(&xa, &xb));
        }
        /* one more shared slot (one empty in both, filled alike) raises
         * the score wherever it is: the counts see every slot (with
         * as many keys as slots in use, the shared estimate is never
         * capped) */
        a.n_keys = b.n_keys = 64;
        s = classify_cluster_similarity(&a, &b);
        for (int k = (round * 7) % CLUSTER_SLOTS; k < CLUSTER_SLOTS; k++)
            if (da[k] == CLUSTER_EMPTY && db[k] == CLUSTER_EMPTY) {
                da[k] = db[k] = 0x12345678U << 2 | 2U;
                s_sparse(da, &a);
                s_sparse(db, &b);
                assert_true(classify_cluster_similarity(&a, &b) > s);
                break;
            }
    }
}

/* The same sketch scores highest in the same wijk, less without one
 * (a Heerlen-wide idea) and least in two different wijken. */
static void test_wijk_scores(void **state)
{
    (void)state;
    idea_t *a =
        s_idea(s_cls, "w1", "Een zebrapad bij de basisschool, de auto's rijden er veel te hard.");
    cluster_sketch_t x, y;
    classify_idea_sketch(s_cls, a, &x);
    y = x;
    snprintf(x.wijk, sizeof x.wijk, "WK091721");
    snprintf(y.wijk, sizeof y.wijk, "WK091721");
    double same = classify_cluster_similarity(&x, &y);
    y.wijk[0] = '\0';
    double none = classify_cluster_similarity(&x, &y);
    snprintf(y.wijk, sizeof y.wijk, "WK091712");
    double other = classify_cluster_similarity(&x, &y);
    assert_true(same > none);
    assert_true(none > other);
    s_idea_free(a);
}

/* The same wish for a zebra crossing at a school: joins when it is the
 * same wijk, not when it is a school in another wijk. */
static void test_wijk_decides(void **state)
{
    (void)state;
    const char *a = "Zebrapad bij de basisschool in Heerlerheide, de auto's scheuren daar langs.";
    assert_true(s_joins(a, "Graag een oversteekplaats bij de school in Heerlerheide, de kinderen "
                           "moeten de drukke weg over."));
    assert_false(s_joins(a, "Graag een oversteekplaats bij de school in Hoensbroek, de kinderen "
                            "moeten de drukke weg over."));
}

/* A wish heard city-wide (dog mess: '@hondenpoep' in synonyms.tsv) is one
 * wish from two wijken; a local object (a playground in each wijk, the
 * same words) stays two wishes. */
static void test_citywide_wish(void **state)
{
    (void)state;
    const char *aarveld = "Ik woon in Aarveld en loop elke dag met de hond door het park. Overal "
                          "hondenpoep! Zet er afvalbakken met poepzakjes neer.";
    const char *molenberg = "In het Molenbergpark ligt overal hondenpoep, je kunt er niet meer met "
                            "de kinderen spelen. Meer poepzakjes en boetes voor de baasjes.";
    idea_t *a = s_idea(s_cls, "a", aarveld), *b = s_idea(s_cls, "b", molenberg);
    assert_non_null(a->wijk);
    assert_non_null(b->wijk);
    assert_string_not_equal(a->wijk, b->wijk); /* two wijken, as the texts say */
    s_idea_free(a);
    s_idea_free(b);
    assert_true(s_joins(aarveld, molenberg));
    assert_false(s_joins("Ik woon in Aarveld en loop elke dag met de kleinkinderen naar de "
                         "speeltuin. De schommel is kapot! Zet er nieuwe speeltoestellen neer.",
                         "In het Molenbergpark is de speeltuin een puinhoop, je kunt er niet meer "
                         "met de kinderen spelen. Een nieuwe glijbaan en schommels graag."));
}

/* A sketch stored before the city-wide mark holds its main concept as a
 * plain main concept: it still shares that main concept with a new
 * sketch (scored as two unmarked sketches are), and only two marked
 * sketches count the wish as city-wide. */
static void test_citywide_stored_before(void **state)
{
    (void)state;
    idea_t *a = s_idea(s_cls, "a", "Overal hondenpoep in het park, meer poepzakjes graag.");
    cluster_sketch_t now, before;
    classify_idea_sketch(s_cls, a, &now);
    s_idea_free(a);
    before = now;
    int marked = 0;
    for (int k = 0; k < now.n_slots; k++)
        if ((now.val[k] & 3) == CLUSTER_BAND_MAIN_CITY) {
            before.val[k] = (now.val[k] & ~3U) | CLUSTER_BAND_MAIN;
            marked++;
        }
    assert_true(marked > 0);
    snprintf(now.wijk, sizeof now.wijk, "WK091737");
    snprintf(before.wijk, sizeof before.wijk, "WK091739");
    cluster_sketch_t before2 = before;
    snprintf(before2.wijk, sizeof before2.wijk, "WK091737");
    double mixed = classify_cluster_similarity(&now, &before);
    assert_true(fabs(mixed - classify_cluster_similarity(&before2, &before)) < 1e-9);
    cluster_sketch_t now2 = now;
    snprintf(now2.wijk, sizeof now2.wijk, "WK091739");
    assert_true(classify_cluster_similarity(&now, &now2) > mixed + 0.25);
}

/* Every concept marked city-wide is marked on each of its lines: an
 * unmarked line would make a second label with the same key. */
static void test_citywide_marks(void **state)
{
    (void)state;
    char err[256] = "", path[512];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(path, sizeof path, "%s/nl/synonyms.tsv", d && *d ? d : "./data");
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    assert_non_null(tok);
    classify_lex_t *syn = classify_lex_load(tok, path, err, sizeof err);
    assert_non_null(syn);
    size_t n = 0, marked = 0;
    const char *const *labels = classify_lex_labels(syn, &n);
    for (size_t i = 0; i < n; i++) {
        if (labels[i][0] != CLUSTER_CITY_MARK)
            continue;
        marked++;
        for (size_t j = 0; j < n; j++)
            assert_string_not_equal(labels[j], labels[i] + 1);
    }
    assert_true(marked > 0);
    classify_lex_destroy(&syn);
    classify_tok_destroy(&tok);
}

/* Words of the concept map (data/nl/synonyms.tsv) across wordings and
 * languages; function words of German and English letters are no keys. */
static void test_concept_map(void **state)
{
    (void)state;
    /* a Dutch and an English wording share the concept drinkwater (a
     * specific concept: 4 copies, 0.4), a bench wish does not */
    const char *tap = "Watertappunten in de stad! Op warme dagen kun je nergens water drinken.";
    double fountain =
        s_similarity(tap, "Please install public drinking fountains in the city centre.");
    double bench = s_similarity(tap, "Please install more benches in the city centre.");
    assert_true(fountain >= 0.4);
    assert_true(fountain > bench + 0.3);
    assert_true(s_joins("Maak woningen van de lege bovenverdiepingen boven de winkels.",
                        "Boven de winkels woont niemand: die verdiepingen staan leeg, maak er "
                        "appartementen van."));
    assert_true(s_joins("Een huiskamer voor de wijk waar ouderen binnen kunnen lopen voor koffie.",
                        "Sinds het buurthuis dicht is zien de ouderen elkaar niet meer. Een "
                        "ontmoetingsplek graag."));
    assert_false(s_joins("Sehr geehrte Damen und Herren, ich wohne seit einem Jahr in Heerlen und "
                         "fahre jeden Tag mit dem Fahrrad zur Arbeit. Die Radwege sind schlecht.",
                         "Sehr geehrte Damen und Herren, ich wohne seit zehn Jahren in Heerlen und "
                         "interessiere mich sehr für die Geschichte des Bergbaus."));
    /* Polish, Turkish and German words for a Dutch wish share its concept
     * (taal, horeca, mijnverleden): the Polish letter comes closer to a
     * Dutch language-class wish than to a Dutch wish for benches */
    const char *lessons = "Meer taalles Nederlands in de avond, overdag moet ik werken.";
    const char *polish = "Chciałbym uczyć się niderlandzkiego, ale kursy są tylko w dzień.";
    assert_true(s_similarity(lessons, polish) >
                s_similarity("Meer bankjes in de wijk.", polish) + 0.3);
    const char *cafes = "Akşamları açık olan daha fazla kafe ve restoran olmalı.";
    assert_true(s_similarity("Meer restaurants en cafés die 's avonds open zijn.", cafes) >
                s_similarity("Meer bankjes in de wijk.", cafes) + 0.15);
    assert_true(s_similarity("Een plek waar het mijnverleden zichtbaar is.",
                             "Ein Museum über die Zeche und die Bergleute.") >= 0.4);
}

/* Specific wishes of the concept map: other words and compounds for the
 * same wish join; the same topic with another wish does not. */
static void test_wish_concepts(void **state)
{
    (void)state;
    assert_true(s_joins("Een hondenuitlaatplek in Meezenbroek, nu lopen alle honden door het "
                        "speelveld.",
                        "Graag een omheind losloopgebied voor honden in Meezenbroek."));
    assert_true(s_joins("Meer stageplekken bij bedrijven in Heerlen voor mbo-studenten.",
                        "Ik zoek al maanden een stageplaats, niemand neemt mbo'ers aan."));
    /* a wish ("graag"): the same words without it read as Heerlen as it
     * is now, whose 0.075 (CLUSTER_NOW_PENALTY) leaves 0.585 */
    assert_true(s_joins("Help bewoners hun voortuin te ontegelen, zoals met de tegeltaxi.",
                        "Graag geveltuinen in onze straat, nu is alles versteend."));
    assert_false(s_joins("Meer stageplekken bij bedrijven in Heerlen voor mbo-studenten.",
                         "Help bewoners hun voortuin te ontegelen, zoals met de tegeltaxi."));
}

/* The main concept: two ideas mainly about benches score more than a
 * bench wish and a letter about loneliness that names a bench once;
 * praise of the new cycle street is no wish for a cycle path. */
static void test_main_concept(void **state)
{
    (void)state;
    const char *bench = "Meer bankjes langs de route naar de winkels, mijn moeder moet onderweg "
                        "kunnen zitten.";
    double main = s_similarity(bench, "Een bankje om de honderd meter, meer vraag ik niet.");
    double passing = s_similarity(bench, "Sinds mijn man overleden is ben ik eenzaam. Ik zit "
                                         "alleen thuis, soms op een bankje, en spreek niemand. "
                                         "Eenzaamheid is erg, een praatje in het buurthuis "
                                         "zou helpen.");
    assert_true(main > passing + 0.1);
    const char *path = "Het fietspad houdt ineens op bij de rotonde, maak het fietspad door naar "
                       "het centrum.";
    assert_true(s_joins(path, "Een veilig fietspad naar het centrum graag, het fietspad stopt "
                              "bij de rotonde."));
    assert_false(s_joins(path, "Heel blij met het nieuwe fietspad, ik fiets nu veilig en fijn "
                               "naar het centrum!"));
}

/* Praise is no wish: two residents who like the new cycle path share
 * its keys but are not the same idea; two wishes for a cycle path with
 * the same shared keys are. */
static void test_praise_no_wish(void **state)
{
    (void)state;
    assert_false(s_joins("Het nieuwe fietspad langs het spoor is echt top, heerlijk fietsen "
                         "zonder auto's!",
                         "Wat een prachtig fietspad, fijn om te fietsen."));
    assert_true(s_joins("Graag een fietspad langs het spoor, nu moet ik fietsen tussen de auto's.",
                        "Leg een breed fietspad aan, zodat ik veilig kan fietsen."));
    /* praise that asks for something costs less than praise of what is */
    idea_t *a =
        s_idea(s_cls, "p1", "Het Thermenmuseum is een verborgen parel, zet er borden naartoe.");
    cluster_sketch_t x, y;
    classify_idea_sketch(s_cls, a, &x);
    y = x;
    snprintf(x.theme, sizeof x.theme, "cultuur");
    snprintf(y.theme, sizeof y.theme, "+cultuur");
    double praise_wish = classify_cluster_similarity(&x, &y);
    snprintf(y.theme, sizeof y.theme, "+~cultuur");
    double praise_now = classify_cluster_similarity(&x, &y);
    /* 0.2 for praise plus 0.05 for "nu" against 0.15: more than the 0.05 "nu" alone */
    assert_true(praise_wish > praise_now + 0.075);
    s_idea_free(a);
}

/* The wijk's part in the score of a and b: same wijk minus no wijk on b. */
static double s_wijk_gap(const char *a_text, const char *b_text)
{
    idea_t *a = s_idea(s_cls, "a", a_text), *b = s_idea(s_cls, "b", b_text);
    cluster_sketch_t x, y;
    classify_idea_sketch(s_cls, a, &x);
    classify_idea_sketch(s_cls, b, &y);
    snprintf(x.wijk, sizeof x.wijk, "WK091733");
    snprintf(y.wijk, sizeof y.wijk, "WK091733");
    double same = classify_cluster_similarity(&x, &y);
    y.wijk[0] = '\0';
    double gap = same - classify_cluster_similarity(&x, &y);
    s_idea_free(a);
    s_idea_free(b);
    return gap;
}

/* Two long letters on parking with another wish each (more spaces at the
 * station, a cheaper residents' permit) share keys by volume only, a
 * small part of either (7 of the permit letter's 26 key copies; with 16,
 * 7 were over CLUSTER_SPREAD_SHARE once the 1,024-slot sketch counted
 * them exactly, and with 20 once the share went from 0.4 to 0.3 in the
 * twelfth round): outside one wijk they count as another wish on the
 * same topic and lose more than a short wish that comes back whole in
 * the first letter. */
static void test_share_by_volume(void **state)
{
    (void)state;
    const char *station = "Bij het station wil ik graag meer parkeerplaatsen. Elke ochtend rijd "
                          "ik met de auto rondjes door de straat voordat ik de trein naar "
                          "Maastricht haal, en vaak mis ik hem daardoor. Een extra verdieping op "
                          "de garage zou veel reizigers helpen, ook forensen uit Kerkrade en "
                          "Landgraaf.";
    const char *permit = "De parkeervergunning voor bewoners is veel te duur geworden. Elk jaar "
                         "betaal ik meer voor mijn auto, terwijl er niets verbetert aan onze "
                         "straat: elke ochtend staat die vol. Gepensioneerden met een klein "
                         "pensioen kunnen dat bedrag haast niet opbrengen. Maak de vergunning "
                         "goedkoper voor vaste bewoners. Ook de bezoekerskaart voor mijn "
                         "kleinkinderen kost tegenwoordig een klein fortuin. Mijn buurvrouw "
                         "vindt bovendien zelden een vrije plek dicht bij haar voordeur.";
    const char *again = "Meer parkeerplaatsen bij het station graag, elke ochtend rijd ik "
                        "rondjes met de auto en mis ik de trein.";
    assert_true(s_wijk_gap(station, permit) > s_wijk_gap(station, again) + 0.05);
}

/* The first theme of one is the second of the other: nearly as good as
 * the same first theme, better than unrelated themes. The sketch carries
 * the second theme exactly when the idea has one. */
static void test_second_theme(void **state)
{
    (void)state;
    idea_t *a = s_idea(s_cls, "t1",
                       "Parkeren in het centrum is veel te duur, maak het eerste uur "
                       "gratis dan komen de mensen weer winkelen.");
    cluster_sketch_t x, y;
    classify_idea_sketch(s_cls, a, &x);
    assert_int_equal(strchr(x.theme, ',') != NULL, a->n_themes > 1);
    y = x;
    snprintf(x.theme, sizeof x.theme, "mobiliteit,centrum");
    snprintf(y.theme, sizeof y.theme, "mobiliteit,wonen");
    double first = classify_cluster_similarity(&x, &y);
    snprintf(y.theme, sizeof y.theme, "centrum,mobiliteit");
    double swapped = classify_cluster_similarity(&x, &y);
    snprintf(y.theme, sizeof y.theme, "economie,wonen");
    double unrelated = classify_cluster_similarity(&x, &y);
    assert_true(first > swapped + 0.01);
    assert_true(swapped > unrelated + 0.05);
    snprintf(y.theme, sizeof y.theme, "wonen,mobiliteit"); /* either way round */
    assert_true(fabs(classify_cluster_similarity(&x, &y) - swapped) < 1e-9);
    snprintf(x.theme, sizeof x.theme, "mobiliteit"); /* stored before: first theme only */
    assert_true(fabs(classify_cluster_similarity(&x, &y) - swapped) < 1e-9);
    s_idea_free(a);
}

/* Two ideas that share their main concept agree less when one has a main
 * concept the other lacks: a wish for benches next to a wish for benches
 * and toilets scores lower than next to benches alone, though both share
 * the same keys with it. */
static void test_main_share(void **state)
{
    (void)state;
    const char *bench = "Meer bankjes in het park.";
    double alone = s_similarity(bench, "Meer bankjes in het park graag.");
    double more = s_similarity(bench, "Meer bankjes en toiletten in het park.");
    assert_true(alone > more + 0.02);
}

/* A short idea joins a long letter that starts with it, however long the
 * letter (up to ~9,200 characters, under the 10,000 an idea may have):
 * also when the letter has more keys than CLUSTER_SKETCH_MAX slots. (With
 * the letter's lowest 128 slots kept, the short idea's keys mostly lay
 * past them: from 540 other words on it no longer joined, score 0.10 from
 * 840 on; the 64-slot sketch of before joined at every length.) */
static void test_long_letter_contains(void **state)
{
    (void)state;
    const char *core = "Graag een skatepark in Hoensbroek voor de jongeren, bij het sportpark.";
    for (int fillers = 40; fillers <= 1140; fillers += 100) {
        char *letter = s_long_letter(core, fillers);
        assert_true(strlen(letter) < 10000);
        if (!s_joins(letter, core))
            fail_msg("a letter with %d other words: the short idea did not join it", fillers);
        free(letter);
    }
}

/* A score of exactly the threshold joins (CLUSTER_TIE): two wishes for
 * light in the dark Aambos, told with other words (lantaarns, lampen),
 * with the themes the model gives both (veiligheid, groen) and no wijk,
 * score 0.6 on paper, which the floating-point sum gives as
 * 0.5999999999999999. Until the twelfth round such a tie joined or not
 * as the sum happened to round. */
static void test_tie_joins(void **state)
{
    (void)state;
    idea_t *a = s_idea(s_cls, "a",
                       "Het Aambos is 's avonds echt pikkedonker. Ik fiets daar na mijn late "
                       "dienst doorheen en ben elke keer blij als ik er weer uit ben. Graag "
                       "lantaarns langs het fietspad.");
    idea_t *b = s_idea(s_cls, "b",
                       "Ja kijk, dat park, ik zeg altijd: overdag mooi hè, echt sjoen. Maar "
                       "zodra het donker wordt... eh... dan loop je daar niet meer doorheen. "
                       "Er moet gewoon licht komen. Een paar lampen, meer vraag ik niet.");
    cluster_sketch_t x, y;
    classify_idea_sketch(s_cls, a, &x);
    classify_idea_sketch(s_cls, b, &y);
    snprintf(x.theme, sizeof x.theme, "veiligheid,groen");
    snprintf(y.theme, sizeof y.theme, "veiligheid,groen");
    x.wijk[0] = y.wijk[0] = '\0';
    double s = classify_cluster_similarity(&y, &x);
    assert_true(fabs(s - 0.6) < 1e-9);
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    snprintf(x.cluster, sizeof x.cluster, "a");
    assert_int_equal(st.put(st.store, "a", &x), 0);
    assert_int_equal(classify_cluster(&st, &y, b), 0);
    assert_string_equal(b->cluster, "a");
    cluster_mem_destroy(&st.store);
    s_idea_free(a);
    s_idea_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wijk_scores),     cmocka_unit_test(test_wijk_decides),
        cmocka_unit_test(test_concept_map),     cmocka_unit_test(test_wish_concepts),
        cmocka_unit_test(test_main_concept),    cmocka_unit_test(test_praise_no_wish),
        cmocka_unit_test(test_share_by_volume), cmocka_unit_test(test_score_any_slot),
        cmocka_unit_test(test_main_share),      cmocka_unit_test(test_second_theme),
        cmocka_unit_test(test_citywide_wish),   cmocka_unit_test(test_citywide_stored_before),
        cmocka_unit_test(test_citywide_marks),  cmocka_unit_test(test_long_letter_contains),
        cmocka_unit_test(test_tie_joins),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
