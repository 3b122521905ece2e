/*
 * NAME
 *   test_classify - the classifier's wijk, PII, language and near-duplicates
 *
 * DESCRIPTION
 *   The classification code lives in common/classify_*.c (shared by the
 *   classifier service and bin/classify). Runs from the repository root
 *   (data from INSPRAAK_DATA or ./data). The near-duplicate tests use the
 *   shipped concept map (data/nl/synonyms.tsv) and keyword rules (no
 *   model), through classify_idea() and classify_idea_cluster().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static geo_t *t_geo;

static int t_setup(void **state)
{
    (void)state;
    char err[256] = "";
    const char *d = getenv("INSPRAAK_DATA");
    t_geo = geo_load(d && *d ? d : "./data", err, sizeof err);
    if (!t_geo)
        fprintf(stderr, "geo_load: %s\n", err);
    return t_geo ? 0 : -1;
}

static int t_teardown(void **state)
{
    (void)state;
    geo_destroy(&t_geo);
    return 0;
}

/* Runs classify_wijk on an idea built from the arguments. */
static wijk_source_t t_wijk(idea_t *idea, const char *wijk, const char *postcode, const char *text)
{
    idea_init(idea);
    proto_set(&idea->wijk, wijk);
    proto_set(&idea->postcode, postcode);
    proto_set(&idea->text, text);
    return classify_wijk(t_geo, idea);
}

static void test_wijk_field(void **state)
{
    (void)state;
    idea_t idea;
    assert_int_equal(t_wijk(&idea, " maria gewanden en terschuren ", NULL, "x"), WIJK_FIELD);
    assert_string_equal(idea.wijk, "WK091710");
    assert_null(idea.buurt);
    idea_clear(&idea);

    /* a buurt name in the wijk field: its wijk, and the buurt too */
    assert_int_equal(t_wijk(&idea, "Schiffelerveld", NULL, "x"), WIJK_FIELD);
    assert_string_equal(idea.wijk, "WK091739");
    assert_string_equal(idea.buurt, "BU09173903");
    idea_clear(&idea);

    /* an unknown value is dropped and the postcode is used instead */
    assert_int_equal(t_wijk(&idea, "Amsterdam-Noord", "6411 AB", "x"), WIJK_POSTCODE);
    assert_string_equal(idea.wijk, "WK091733");
    idea_clear(&idea);

    /* a given buurt alone gives its wijk */
    idea_init(&idea);
    proto_set(&idea.buurt, "bu09174200");
    assert_int_equal(classify_wijk(t_geo, &idea), WIJK_FIELD);
    assert_string_equal(idea.wijk, "WK091742");
    assert_string_equal(idea.buurt, "BU09174200");
    idea_clear(&idea);
}

static void test_wijk_gps(void **state)
{
    (void)state;
    idea_t idea;
    idea_init(&idea);
    /* the label point of WK091742 De Beitel wins over a postcode elsewhere */
    idea.has_location = true;
    idea.lat = 50.84676;
    idea.lon = 6.002801;
    proto_set(&idea.postcode, "6431");
    assert_int_equal(classify_wijk(t_geo, &idea), WIJK_GPS);
    assert_string_equal(idea.wijk, "WK091742");
    assert_non_null(idea.buurt);
    assert_string_equal(geo_buurt_wijk(t_geo, idea.buurt), "WK091742");
    idea_clear(&idea);

    /* outside Heerlen: GPS gives nothing, the postcode takes over */
    idea_init(&idea);
    idea.has_location = true;
    idea.lat = 52.37;
    idea.lon = 4.90;
    proto_set(&idea.postcode, "6431");
    assert_int_equal(classify_wijk(t_geo, &idea), WIJK_POSTCODE);
    assert_string_equal(idea.wijk, "WK091712");
    assert_int_equal(idea.n_pii, 0);
    idea_clear(&idea);
}

static void test_wijk_postcode(void **state)
{
    (void)state;
    idea_t idea;
    assert_int_equal(t_wijk(&idea, NULL, "6411AB", "geen plaats"), WIJK_POSTCODE);
    assert_string_equal(idea.wijk, "WK091733");
    idea_clear(&idea);
    /* Amsterdam's postcode, and junk: no wijk */
    assert_int_equal(t_wijk(&idea, NULL, "1012AB", "geen plaats"), WIJK_NONE);
    assert_null(idea.wijk);
    idea_clear(&idea);
    assert_int_equal(t_wijk(&idea, NULL, "64", "geen plaats"), WIJK_NONE);
    idea_clear(&idea);
    assert_int_equal(t_wijk(&idea, NULL, "641199", "geen plaats"), WIJK_NONE);
    idea_clear(&idea);
}

static void test_wijk_text(void **state)
{
    (void)state;
    idea_t idea;
    assert_int_equal(t_wijk(&idea, NULL, NULL, "In Schandelen is te weinig groen."), WIJK_TEXT);
    assert_string_equal(idea.wijk, "WK091731");
    assert_string_equal(idea.buurt, "BU09173102");
    idea_clear(&idea);

    /* hyphen written as a space, any case */
    assert_int_equal(t_wijk(&idea, NULL, NULL, "het plein in heerlen centrum is leeg"), WIJK_TEXT);
    assert_string_equal(idea.wijk, "WK091733");
    idea_clear(&idea);

    /* the longest name wins: Heerlerbaan-Oost (a buurt) over nothing shorter */
    assert_int_equal(t_wijk(&idea, NULL, NULL, "Bij Heerlerbaan-Oost moet een bankje."), WIJK_TEXT);
    assert_string_equal(idea.wijk, "WK091740");
    idea_clear(&idea);

    /* "X en omgeving" buurten are found by X */
    assert_int_equal(t_wijk(&idea, NULL, NULL, "De Egstraat is te druk."), WIJK_TEXT);
    assert_string_equal(idea.wijk, "WK091741");
    idea_clear(&idea);

    /* not inside another word; no ordinary words; no short names */
    assert_int_equal(t_wijk(&idea, NULL, NULL, "Schandelenstraat en Beersdalweg"), WIJK_NONE);
    idea_clear(&idea);
    assert_int_equal(t_wijk(&idea, NULL, NULL, "Het ziekenhuis moet blijven."), WIJK_NONE);
    idea_clear(&idea);
    assert_int_equal(t_wijk(&idea, NULL, NULL, "Het loon is te laag in Heerlen."), WIJK_NONE);
    idea_clear(&idea);
    assert_int_equal(t_wijk(&idea, NULL, NULL, NULL), WIJK_NONE);
    idea_clear(&idea);
}

static void test_pii_email(void **state)
{
    (void)state;
    assert_true(classify_pii_has_email("mail me: jan.jansen@example.nl."));
    assert_true(classify_pii_has_email("a+b@mail.heerlen.nl"));
    assert_false(classify_pii_has_email("we zijn @heerlen op twitter"));
    assert_false(classify_pii_has_email("prijs 3@5 euro"));
    assert_false(classify_pii_has_email("x@localhost"));
    assert_false(classify_pii_has_email("x@host.1"));
    assert_false(classify_pii_has_email(NULL));
}

static void test_pii_phone(void **state)
{
    (void)state;
    const char *yes[] = {"bel 06-12345678 even",
                         "0612345678",
                         "06 1234 5678",
                         "tel: +31 6 12345678",
                         "+31612345678",
                         "+31 (0)6 12345678",
                         "0031 45 1234567",
                         "045-1234567",
                         "(045) 123 45 67",
                         "045 123 45 67.",
                         NULL};
    const char *no[] = {"01-02-2026 10:00",
                        "postcode 6411 AB",
                        "NL91ABNA0417164300",
                        "bestelnummer 0612345678901",
                        "06-1234",
                        "12345678",
                        "00 00 00",
                        "+49 30 1234567",
                        "",
                        NULL};
    for (int i = 0; yes[i]; i++) {
        if (!classify_pii_has_phone(yes[i]))
            fail_msg("not seen as a phone number: %s", yes[i]);
    }
    for (int i = 0; no[i]; i++) {
        if (classify_pii_has_phone(no[i]))
            fail_msg("wrongly seen as a phone number: %s", no[i]);
    }
}

static void test_pii_idea(void **state)
{
    (void)state;
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.text, "Bel mij op 06-12345678 over het park.");
    proto_set(&idea.title, "van piet@example.com");
    classify_pii(&idea);
    classify_pii(&idea); /* twice: no duplicate flags */
    assert_int_equal(idea.n_pii, 2);
    assert_string_equal(idea.pii[0], "email");
    assert_string_equal(idea.pii[1], "phone");
    idea_clear(&idea);
    idea_init(&idea);
    proto_set(&idea.text, "Meer bomen in de straat.");
    classify_pii(&idea);
    assert_int_equal(idea.n_pii, 0);
    idea_clear(&idea);
}

static void test_language(void **state)
{
    (void)state;
    char err[200];
    classify_lang_t *lang = classify_lang_new(err, sizeof err);
    assert_non_null(lang);
    const char *nl =
        classify_lang(lang, "Meer groen in de wijk en betere fietspaden naar het centrum");
    assert_non_null(nl);
    assert_string_equal(nl, "nl");
    assert_string_equal(classify_lang(lang, "We need more green spaces in the city centre please"),
                        "en");
    assert_string_equal(classify_lang(lang, "Mehr Grün in der Stadt bitte, und bessere Radwege"),
                        "de");
    assert_string_equal(classify_lang(lang, "Het park is vies"), "nl"); /* short, obvious */
    assert_null(classify_lang(lang, "Hallo"));                          /* short, not obvious */
    assert_null(classify_lang(lang, "ok"));
    /* Field notes have few function words; Dutch-only words (wil, meer,
     * haar, straat) still make them Dutch. Words Dutch shares with German
     * or English ("die", "hier", "is", "in") do not. */
    assert_string_equal(classify_lang(lang, "Vrouw (35), Grasbroek: WIL MEER straatverlichting in "
                                            "haar straat"),
                        "nl");
    assert_string_equal(classify_lang(lang, "Die Parkplätze hier in der Innenstadt sind zu teuer "
                                            "und die Busse fahren abends kaum"),
                        "de");
    assert_string_equal(classify_lang(lang, "The park in Heerlen is nice but there is no bench "
                                            "and no toilet for the children"),
                        "en");
    /* Two Dutch-only words are Dutch whatever their case and first
     * letter (classify_lang.c looks a word up only when a listed word
     * has its length and first letter) */
    const char *pairs[] = {"ONZE Jullie", "uw Kinderen", "Tot zodat", "Mevrouw Iedereen",
                           "HEEL veel", "Zij Nooit", "Bewoners ELKE", "Fiets stoepen"};
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        const char *got = classify_lang(lang, pairs[i]);
        assert_non_null(got);
        assert_string_equal(got, "nl");
    }
    assert_null(classify_lang(lang, ""));
    assert_null(classify_lang(lang, NULL));
    classify_lang_destroy(&lang);
    assert_null(lang);
}

/* A short Dutch note with a phone number or an address: the digits and
 * the street name ("Schelsberg") made textcat say German. They are left
 * out of the guess; with nothing else to go on, a Dutch number or address
 * says Dutch. A German or English text around a Dutch number stays what
 * it is. Both fingerprint lists: libexttextcat's and the project's. */
static void test_language_with_pii(void **state)
{
    (void)state;
    char err[200], conf[1024];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(conf, sizeof conf, "%s/nl/textcat.conf", d && *d ? d : "./data");
    const char *confs[] = {NULL, conf};
    for (size_t c = 0; c < 2; c++) {
        classify_lang_t *lang = classify_lang_new_conf(confs[c], err, sizeof err);
        assert_non_null(lang);
        const struct {
            const char *text, *want;
        } cases[] = {
            {"Speeltuin nodig. Bel 0612345675, Schelsberg 55", "nl"},
            {"Bankje kapot, Kloosterweg 12a, 6411 AB. Bel +31 6 12345678", "nl"},
            {"Lantaarnpaal stuk. Bel 045-5712345", "nl"},
            {"Wir brauchen einen Spielplatz in der Nähe, bitte rufen Sie mich an: 06-12345678",
             "de"},
            {"There is no playground for the children here, please call me on 06-12345678", "en"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            const char *got = classify_lang(lang, cases[i].text);
            if (!got || strcmp(got, cases[i].want) != 0)
                fail_msg("\"%s\" (%s): got %s, want %s", cases[i].text,
                         c ? "project list" : "all", got ? got : "NULL", cases[i].want);
        }
        classify_lang_destroy(&lang);
    }
}

/* --- near-duplicates --- */

typedef struct {
    char keys[512];
} t_keys_t;

static void t_key(void *arg, const char *key, bool concept, double weight)
{
    (void)weight;
    t_keys_t *k = arg;
    size_t n = strlen(k->keys);
    snprintf(k->keys + n, sizeof k->keys - n, "%s%s ", concept ? "=" : "", key);
}

/* The cluster keys of a text as "=concept stem ... " (synonyms.tsv folded). */
static void t_cluster_keys(const char *text, char *out, size_t size)
{
    char err[256] = "";
    const char *d = getenv("INSPRAAK_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/nl/synonyms.tsv", d && *d ? d : "./data");
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    assert_non_null(tok);
    classify_lex_t *syn = classify_lex_load(tok, path, err, sizeof err);
    assert_non_null(syn);
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(tok, text, &toks);
    t_keys_t k = {""};
    classify_cluster_keys(syn, NULL, 0, &toks, t_key, &k);
    snprintf(out, size, "%s", k.keys);
    classify_toks_clear(&toks);
    classify_lex_destroy(&syn);
    classify_tok_destroy(&tok);
}

static void test_cluster_synonyms(void **state)
{
    (void)state;
    char k[512];
    t_cluster_keys("openbare wc", k, sizeof k);
    assert_string_equal(k, "=toilet ");
    t_cluster_keys("toiletten", k, sizeof k);
    assert_string_equal(k, "=toilet ");
    t_cluster_keys("Mijn blaas laat me vaak in de steek", k, sizeof k);
    assert_non_null(strstr(k, "=toilet "));
    /* compounds: of the concepts in one word only the most specific
     * counts ("hondenpoep" is the wish about dog mess, not every idea
     * about dogs) */
    t_cluster_keys("hondenpoep", k, sizeof k);
    assert_non_null(strstr(k, "=hondenpoep "));
    assert_null(strstr(k, "=hond "));
    t_cluster_keys("starterswoningen", k, sizeof k);
    assert_non_null(strstr(k, "=starter "));
    assert_null(strstr(k, "=woning "));
    /* greetings and words every idea has are no keys */
    t_cluster_keys("Beste gemeente, met vriendelijke groet", k, sizeof k);
    assert_string_equal(k, "");
    /* "mijn" (my) is not "mijnen" (mines) */
    t_cluster_keys("mijn straat", k, sizeof k);
    assert_null(strstr(k, "=mijnverleden"));
}

/* Classifies text (keyword rules, no model) and clusters it in st. */
static void t_dup(classify_t *cls, const cluster_store_t *st, const char *id, const char *text,
                  char *cluster, size_t size)
{
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.id, id);
    proto_set(&idea.text, text);
    classify_idea(cls, &idea);
    assert_int_equal(classify_idea_cluster(cls, st, &idea), 0);
    snprintf(cluster, size, "%s", idea.cluster);
    idea_clear(&idea);
}

static void test_cluster_ideas(void **state)
{
    (void)state;
    char err[256] = "", c[5][80];
    const char *d = getenv("INSPRAAK_DATA");
    setenv("INSPRAAK_MODEL_FILE", "none", 1);
    classify_t *cls = classify_new(d && *d ? d : "./data", err, sizeof err);
    assert_non_null(cls);
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    /* one wish for public toilets, three wordings */
    t_dup(cls, &st, "w1", "Er moet een openbare wc komen in het centrum van Heerlen.", c[0], 80);
    t_dup(cls, &st, "w2", "Meer toiletten in de binnenstad graag, voor iedereen.", c[1], 80);
    t_dup(cls, &st, "w3",
          "Beste gemeente, ik heb een blaasprobleem en durf daardoor bijna niet meer naar de "
          "stad. Nergens kan ik plassen. Kunnen er openbare toiletten komen? Met vriendelijke "
          "groet, Anna",
          c[2], 80);
    /* same wijk and theme, another wish: not the same cluster */
    t_dup(cls, &st, "b1", "Meer bankjes in het Molenbergpark, om even te zitten.", c[3], 80);
    t_dup(cls, &st, "b2", "Overal hondenpoep in het Molenbergpark, zet er poepzakjes neer.", c[4],
          80);
    assert_string_equal(c[0], "w1");
    assert_string_equal(c[1], "w1");
    assert_string_equal(c[2], "w1");
    assert_string_equal(c[3], "b1");
    assert_string_equal(c[4], "b2");
    cluster_mem_destroy(&st.store);
    classify_destroy(&cls);
}

/* --- sentiment rules (keyword lexicons, no model) --- */

static const char *t_senti(const char *text)
{
    static char out[16];
    char err[256] = "", xml[512], dom[512];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(xml, sizeof xml, "%s/nl/pattern-nl-sentiment.xml", d && *d ? d : "./data");
    snprintf(dom, sizeof dom, "%s/nl/sentiment.tsv", d && *d ? d : "./data");
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    assert_non_null(tok);
    classify_senti_t *se = classify_senti_new(tok, xml, dom, err, sizeof err);
    assert_non_null(se);
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(tok, text, &toks);
    snprintf(out, sizeof out, "%s", classify_sentiment(se, &toks));
    classify_toks_clear(&toks);
    classify_senti_destroy(&se);
    classify_tok_destroy(&tok);
    return out;
}

static void test_sentiment_rules(void **state)
{
    (void)state;
    /* negation */
    assert_string_equal(t_senti("Het park is niet mooi."), "negatief");
    assert_string_equal(t_senti("Het park is echt heel mooi."), "positief");
    /* a wish hopes, it does not praise */
    assert_string_equal(t_senti("Het zou mooi zijn als er een bankje bij de bushalte komt."),
                        "neutraal");
    assert_string_equal(t_senti("Ik zou graag meer bomen willen, dan is het gezellig."),
                        "neutraal");
    /* what comes after "maar" is meant */
    assert_string_equal(t_senti("Het is een prachtig gebouw, maar er zit niks in, echt een "
                                "schande."),
                        "negatief");
    /* greetings are not praise */
    assert_string_equal(t_senti("Beste gemeente, kan er een zebrapad komen bij de school? Met "
                                "vriendelijke groet, Jan"),
                        "neutraal");
    /* complaints and pride */
    assert_string_equal(t_senti("Fietsen is hier levensgevaarlijk, er gebeurt niks."), "negatief");
    assert_string_equal(t_senti("Ik ben trots op de mooiste wijk van Heerlen."), "positief");
}

/* The sum's parts (features of the learned model): praise and complaint
 * in one text are kept apart, and their sum is the score. */
static void test_sentiment_parts(void **state)
{
    (void)state;
    char err[256] = "", xml[512], dom[512];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(xml, sizeof xml, "%s/nl/pattern-nl-sentiment.xml", d && *d ? d : "./data");
    snprintf(dom, sizeof dom, "%s/nl/sentiment.tsv", d && *d ? d : "./data");
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    classify_senti_t *se = classify_senti_new(tok, xml, dom, err, sizeof err);
    assert_non_null(se);
    classify_toks_t toks = {0, NULL, NULL};
    classify_senti_parts_t sp;
    classify_tokenize(tok, "Het is een prachtig gebouw, maar er zit niks in, echt een schande.",
                      &toks);
    classify_senti_parts(se, &toks, &sp);
    assert_true(sp.pos > 0);
    assert_true(sp.neg < 0);
    assert_int_equal(sp.contrast, 1);
    assert_true(fabs(sp.pos + sp.neg - classify_senti_score(se, &toks)) < 1e-9);
    classify_toks_clear(&toks);
    classify_tokenize(tok, "Het park is niet mooi.", &toks);
    classify_senti_parts(se, &toks, &sp);
    assert_int_equal(sp.negated, 1);
    assert_true(sp.pos == 0 && sp.neg < 0);
    classify_toks_clear(&toks);
    classify_tokenize(tok, "Ik zou graag een bankje willen.", &toks);
    classify_senti_parts(se, &toks, &sp);
    assert_true(sp.wish >= 2);
    assert_true(sp.pos == 0 && sp.neg == 0);
    classify_toks_clear(&toks);
    classify_senti_destroy(&se);
    classify_tok_destroy(&tok);
}

/* --- question markers (keyword lexicon, no model) --- */

static const char *t_question(const char *text)
{
    static char out[16];
    char err[256] = "", path[512];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(path, sizeof path, "%s/nl/question.tsv", d && *d ? d : "./data");
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    assert_non_null(tok);
    classify_lex_t *q = classify_lex_load(tok, path, err, sizeof err);
    assert_non_null(q);
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(tok, text, &toks);
    snprintf(out, sizeof out, "%s", classify_question(q, &toks));
    classify_toks_clear(&toks);
    classify_lex_destroy(&q);
    classify_tok_destroy(&tok);
    return out;
}

static void test_question_markers(void **state)
{
    (void)state;
    assert_string_equal(t_question("Er moet een zwembad komen in Hoensbroek."), "toekomst");
    assert_string_equal(t_question("Kunnen jullie de stoep aub repareren?"), "toekomst");
    assert_string_equal(t_question("Over 25 jaar wil ik een stad vol groen, dat is mijn visie."),
                        "toekomst");
    assert_string_equal(t_question("Momenteel staan er elke avond auto's op de stoep."), "nu");
    assert_string_equal(t_question("Sinds vorig jaar is het park veel schoner geworden."), "nu");
    /* "moet" about what the writer has to do now */
    assert_string_equal(t_question("Bij de oversteek moet ik elke dag omrijden."), "nu");
    /* the tense groups (modal, future, present, past) are model features:
     * "gaat" is only in "future", so no marker: the default */
    assert_string_equal(t_question("Het gaat door."), "toekomst");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wijk_field),       cmocka_unit_test(test_wijk_gps),
        cmocka_unit_test(test_wijk_postcode),    cmocka_unit_test(test_wijk_text),
        cmocka_unit_test(test_pii_email),        cmocka_unit_test(test_pii_phone),
        cmocka_unit_test(test_pii_idea),         cmocka_unit_test(test_language),
        cmocka_unit_test(test_language_with_pii),
        cmocka_unit_test(test_cluster_synonyms), cmocka_unit_test(test_cluster_ideas),
        cmocka_unit_test(test_sentiment_rules),  cmocka_unit_test(test_question_markers),
        cmocka_unit_test(test_sentiment_parts),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
