/*
 * NAME
 *   test_classify_sentiment - the sentiment lexicon's rules on Dutch
 *   examples, true and false
 *
 * DESCRIPTION
 *   classify_senti_parts() gives the learned model its sentiment features
 *   (ks:psum, ks:nsum, ks:pos, ks:neg), so each rule is checked on the
 *   parts: which side a text's loaded words land on, or that a text has
 *   none. Rules: negation scope, a loaded phrase that holds a negator
 *   ("geen enkele", "niet normaal"), irony, emoji, wish vs complaint,
 *   "maar" as contrast or particle, senses of CLiPS words that are seldom
 *   meant ("naar" is "to"), rhetorical complaint questions, shortage,
 *   field notes in the third person and spoken transcripts. Runs from the
 *   repository root (data from INSPRAAK_DATA or ./data) on the shipped
 *   lexicons (data/nl/sentiment.tsv, data/nl/pattern-nl-sentiment.xml).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static classify_tok_t *t_tok;
static classify_senti_t *t_senti;

static int t_setup(void **state)
{
    (void)state;
    char err[256] = "", xml[512], dom[512];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(xml, sizeof xml, "%s/nl/pattern-nl-sentiment.xml", d && *d ? d : "./data");
    snprintf(dom, sizeof dom, "%s/nl/sentiment.tsv", d && *d ? d : "./data");
    t_tok = classify_tok_new(err, sizeof err);
    if (!t_tok)
        return -1;
    t_senti = classify_senti_new(t_tok, xml, dom, err, sizeof err);
    if (!t_senti)
        fprintf(stderr, "classify_senti_new: %s\n", err);
    return t_senti ? 0 : -1;
}

static int t_teardown(void **state)
{
    (void)state;
    classify_senti_destroy(&t_senti);
    classify_tok_destroy(&t_tok);
    return 0;
}

static classify_senti_parts_t t_parts(const char *text)
{
    classify_toks_t toks = {0, NULL, NULL};
    classify_senti_parts_t sp;
    classify_tokenize(t_tok, text, &toks);
    classify_senti_parts(t_senti, &toks, &sp);
    classify_toks_clear(&toks);
    return sp;
}

static const char *t_label(const char *text)
{
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(t_tok, text, &toks);
    const char *s = classify_sentiment(t_senti, &toks);
    classify_toks_clear(&toks);
    return s;
}

/* Which side a text lands on: '+' praise only, '-' complaint only, '0'
 * no loaded word, '~' both. */
static char t_side(const char *text)
{
    classify_senti_parts_t sp = t_parts(text);
    if (sp.pos > 0 && sp.neg < 0)
        return '~';
    return sp.pos > 0 ? '+' : sp.neg < 0 ? '-' : '0';
}

typedef struct {
    const char *text;
    char side;
} side_case_t;

static void t_sides(const side_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char got = t_side(cases[i].text);
        if (got != cases[i].side)
            fail_msg("\"%s\": side %c, expected %c", cases[i].text, got, cases[i].side);
    }
}

/* A negator flips the loaded word after it; a loaded phrase that holds a
 * negator is scored as written, not flipped twice. */
static void test_negation_scope(void **state)
{
    (void)state;
    static const side_case_t cases[] = {
        {"Het park is niet mooi.", '-'},
        {"Het park is mooi.", '+'},
        {"Het is hier niet slecht.", '+'},
        {"Sinds de buurtpreventie zijn er geen inbraken meer.", '+'},
        {"Er is geen enkel bankje onderweg.", '-'},
        {"Dat is toch niet normaal meer.", '-'},
        /* the negation ends with its clause: "trots" is not negated */
        {"Zonder de mijnen had Heerlen niet bestaan. Vertelt trots over zijn tijd.", '+'},
    };
    t_sides(cases, sizeof cases / sizeof cases[0]);
    /* "geen enkele" is one complaint, not "geen" flipping "enkele" */
    classify_senti_parts_t sp = t_parts("Er is geen enkele plek voor jongeren.");
    assert_int_equal(sp.negated, 0);
    assert_true(sp.neg < 0);
    /* a negated question inside a wish hopes: not a negation */
    sp = t_parts("Zou het niet geweldig zijn om een festival te organiseren?");
    assert_int_equal(sp.negated, 0);
    assert_true(sp.pos > 0 && sp.neg == 0);
    assert_string_equal(t_label("Het park is niet mooi."), "negatief");
}

/* Praise with an irony marker is a complaint; the same praise without it
 * stays praise. */
static void test_irony(void **state)
{
    (void)state;
    classify_senti_parts_t sp = t_parts("Bomen gekapt en niks teruggeplant. Bedankt hoor 🙄");
    assert_int_equal(sp.irony, 1);
    assert_true(sp.pos == 0 && sp.neg < 0);
    sp = t_parts("Bedankt voor de nieuwe bomen in onze straat.");
    assert_int_equal(sp.irony, 0);
    assert_true(sp.pos > 0);
    assert_string_equal(t_label("Prachtig, weer een lege winkel erbij 🙄"), "negatief");
    assert_string_equal(t_label("Lekker bezig, gemeente: de stoep ligt al een jaar open."),
                        "negatief");
}

/* Faces and gestures carry a feeling; pictures do not. */
static void test_emoji(void **state)
{
    (void)state;
    static const side_case_t cases[] = {
        {"De speeltuin is open, de kinderen spelen er elke dag 😊", '+'},
        {"Weer een fiets gestolen bij het station 😡", '-'},
        {"De nieuwe bibliotheek 👍", '+'},
        {"Boomplantdag met de scholen 🌳", '0'},
        {"In de herfst wandelen in het Aambos 🍂", '0'},
    };
    t_sides(cases, sizeof cases / sizeof cases[0]);
}

/* A plain wish or proposal has no feeling (neutraal); a complaint does,
 * also when it ends in a proposal. */
static void test_wish_vs_complaint(void **state)
{
    (void)state;
    static const side_case_t cases[] = {
        {"Ik zou graag meer bankjes willen in het park.", '0'},
        {"Meer snelheidscontroles op de Akerstraat 's avonds.", '0'},
        {"Mevrouw (70+) wil meer bankjes op weg naar de markt.", '0'},
        {"Een energiecoöperatie van en voor Heerlenaren, met een zonneweide.", '0'},
        {"Tiny houses op braakliggende terreinen, snel en betaalbaar voor jongeren.", '0'},
        {"Het is hier een vuilnisbelt, schandalig.", '-'},
        {"De lift op het station is keer op keer buiten gebruik. Maak dat in orde!", '-'},
        {"Al drie jaar op de wachtlijst voor een huurwoning, het is niet te doen.", '-'},
    };
    t_sides(cases, sizeof cases / sizeof cases[0]);
    assert_string_equal(t_label("Ik zou graag meer bankjes willen in het park."), "neutraal");
    /* hope stated with strong praise stays praise; a mild word in a wish
     * hardly counts */
    classify_senti_parts_t hope = t_parts("Een tram naar Aken, dat zou geweldig zijn.");
    classify_senti_parts_t mild = t_parts("Een bankje bij de bushalte, dat zou mooi zijn.");
    assert_true(hope.pos > 2 * mild.pos);
    assert_string_equal(t_label("Een tram naar Aken, dat zou geweldig zijn."), "positief");
    assert_string_equal(t_label("Een bankje bij de bushalte, dat zou mooi zijn."), "neutraal");
    assert_string_equal(t_label("Het is hier een vuilnisbelt, schandalig."), "negatief");
}

/* "naar" (to), "waar" (where), "net" (just) are not the CLiPS lexicon's
 * "nasty", "true", "neat" here. */
static void test_function_words_carry_no_feeling(void **state)
{
    (void)state;
    static const side_case_t cases[] = {
        {"Ik fiets elke dag naar mijn werk in het centrum.", '0'},
        {"Waar kan ik een vergunning aanvragen?", '0'},
        {"Ik ben net naar Heerlen verhuisd.", '0'},
        {"Leg een fietspad aan langs de Geleenbeek.", '0'},
        {"De winkels staan leeg.", '-'},
        {"Het is weer open, de bieb.", '0'},
        /* "bos" (wood) and "boos" (angry) share a stem: only "boos" is loaded */
        {"Elke zondag een wandeling door het bos.", '0'},
        {"Ik ben boos over de bus.", '-'},
        {"Het legendarische mijnwerkersfeest.", '+'},
        {"Het is een nare plek geworden.", '-'},
    };
    t_sides(cases, sizeof cases / sizeof cases[0]);
    /* a later line overrides an earlier one: "leegstaande panden" names
     * what a proposal is about, "leeg" complains */
    assert_int_equal(t_side("Bouw de leegstaande kantoren om tot woningen."), '0');
    /* two forms of one word count once: "mooie" weighs what "mooi" does */
    classify_senti_parts_t a = t_parts("Een mooi plein.");
    classify_senti_parts_t b = t_parts("Een mooie tuin.");
    assert_true(a.pos > 0);
    assert_true(fabs(a.pos - b.pos) < 1e-9);
}

/* "maar" after a clause contrasts (the part after it is meant); as a
 * particle ("begin maar", "maar één bus") it does not. */
static void test_contrast_and_particle(void **state)
{
    (void)state;
    classify_senti_parts_t sp = t_parts("Mooi gebouw, maar er zit bijna niks in.");
    assert_int_equal(sp.contrast, 1);
    assert_true(sp.neg < 0);
    sp = t_parts("Begin maar met alle gemeentegebouwen.");
    assert_int_equal(sp.contrast, 0);
    sp = t_parts("Op zondag rijdt er maar één bus per uur.");
    assert_int_equal(sp.contrast, 0);
}

/* Questions nobody expects answered complain; a real question does not. */
static void test_rhetorical_questions(void **state)
{
    (void)state;
    static const side_case_t cases[] = {
        {"De speeltuin is dicht. Waar moeten onze kinderen nu spelen?", '-'},
        {"Drie ton voor een rijtjeshuis, wie kan dat betalen?", '-'},
        {"Hoe is het mogelijk dat dit zo lang duurt?", '-'},
        {"Kan er een zebrapad komen bij de school?", '0'},
    };
    t_sides(cases, sizeof cases / sizeof cases[0]);
}

/* Shortage and loss complain; attachment to one's place praises. */
static void test_shortage_loss_and_attachment(void **state)
{
    (void)state;
    static const side_case_t cases[] = {
        {"De school van mijn dochter heeft een groot lerarentekort.", '-'},
        {"Er is bijna geen aangepast sportaanbod voor kinderen met autisme.", '-'},
        {"Bij het station 's avonds, daar kom ik niet meer.", '-'},
        {"Wij wonen hier al vijftig jaar, ik wil hier nooit meer weg.", '+'},
        {"Jongen (17): wil in Heerlen blijven wonen, zijn familie is hier.", '+'},
    };
    t_sides(cases, sizeof cases / sizeof cases[0]);
}

/* Spoken transcripts (hesitations, Limburgish words) and other languages
 * residents write in. */
static void test_spoken_and_other_languages(void **state)
{
    (void)state;
    static const side_case_t cases[] = {
        {"Ja, eh, het is hier sjoen, hè, met al dat groen.", '+'},
        {"Nou, eh, die kleedkamers, die zijn echt sjlecht, hè.", '-'},
        {"Ja, eh, ik loop met de rollator, hè, naar de markt.", '0'},
        {"Dziękuję za nowe mieszkania w Nieuw Lotbroek.", '+'},
    };
    t_sides(cases, sizeof cases / sizeof cases[0]);
}

/* Wish markers are words, not stems: "dans", "daan" and "wennen" share
 * their stems with "dan" and "wenn" but wish for nothing. */
static void test_wish_markers_by_word(void **state)
{
    (void)state;
    assert_int_equal(t_parts("Een dans op het plein in de zomer.").wish, 0);
    assert_int_equal(t_parts("Het is even wennen aan de nieuwe bus.").wish, 0);
    assert_int_equal(t_parts("Daan en zijn vrienden spelen op het veld.").wish, 0);
    assert_int_equal(t_parts("Kom op zondag, dan is het rustig.").wish, 1);
    assert_int_equal(t_parts("Es wäre schön, wenn der Bus öfter fährt.").wish, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negation_scope),
        cmocka_unit_test(test_irony),
        cmocka_unit_test(test_emoji),
        cmocka_unit_test(test_wish_vs_complaint),
        cmocka_unit_test(test_function_words_carry_no_feeling),
        cmocka_unit_test(test_contrast_and_particle),
        cmocka_unit_test(test_rhetorical_questions),
        cmocka_unit_test(test_shortage_loss_and_attachment),
        cmocka_unit_test(test_spoken_and_other_languages),
        cmocka_unit_test(test_wish_markers_by_word),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
