/*
 * NAME
 *   test_classify_nfc - a decomposed (NFD) text gets the answers of its
 *   composed (NFC) form
 *
 * DESCRIPTION
 *   Text typed on a Mac, copied from a PDF or written by a transcript
 *   tool may arrive as "e" + U+0301 instead of "é". bin/classify reads
 *   anyone's JSON Lines and the classifier service may meet ideas stored
 *   before the intakes composed them, so classify_idea() must give such a
 *   text the themes, sentiment, question, wijk, language and PII answers
 *   of its NFC form, and classify_idea_cluster() must put the two in one
 *   cluster. The expected answers are what the code computes for the NFC
 *   text, not written down here. Runs from the repository root (data from
 *   INSPRAAK_DATA or ./data; the model when data/nl/model.tsv was built,
 *   else the keywords: both ways must hold).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

/* Dutch with accents, a French text, a name, a Limburgish place. */
static const char *const t_texts[] = {
    "Meer bankjes bij het café aan het plein, dan kunnen ouderen even uitrusten.",
    "Ik heb twee ideeën: meer groen in de straat en een speeltuin voor de kinderen.",
    "De financiën van de gemeente moeten beter naar de wijken gaan, vooral naar Heerlerheide.",
    "In Hèrle is te weinig te doen voor jongeren, maak een jongerencentrum.",
    "Il faudrait plus de bancs près de la gare et un café où les gens peuvent se rencontrer.",
    "Mijn buurman Noël Hénault zegt dat de stoep kapot is bij de Akerstraat.",
    "Crème brûlée op de markt, de coördinatie van evenementen is slecht.",
    "Één ding: de ruïne van het kasteel moet opgeknapt worden, financiële steun is nodig.",
};
#define T_N (sizeof t_texts / sizeof t_texts[0])

static void t_classify(classify_t *cls, const cluster_store_t *st, idea_t *idea, const char *id,
                       const char *text, const char *title)
{
    idea_init(idea);
    proto_set(&idea->id, id);
    proto_set(&idea->text, text);
    proto_set(&idea->title, title);
    classify_idea(cls, idea);
    assert_int_equal(classify_idea_cluster(cls, st, idea), 0);
}

static void t_same_str(const char *what, size_t i, const char *nfc, const char *nfd)
{
    if ((nfc == NULL) != (nfd == NULL) || (nfc && strcmp(nfc, nfd) != 0))
        fail_msg("text %zu: %s \"%s\" as NFC, \"%s\" as NFD", i, what, nfc ? nfc : "(none)",
                 nfd ? nfd : "(none)");
}

static void t_same_list(const char *what, size_t i, char *const *nfc, int n_nfc, char *const *nfd,
                        int n_nfd)
{
    if (n_nfc != n_nfd)
        fail_msg("text %zu: %d %s as NFC, %d as NFD", i, n_nfc, what, n_nfd);
    for (int k = 0; k < n_nfc; k++)
        t_same_str(what, i, nfc[k], nfd[k]);
}

static void test_nfd_same_answers(void **state)
{
    (void)state;
    char err[256] = "";
    const char *d = getenv("INSPRAAK_DATA");
    classify_t *cls = classify_new(d && *d ? d : "./data", err, sizeof err);
    if (!cls)
        fail_msg("classify_new: %s", err);
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    for (size_t i = 0; i < T_N; i++) {
        char *text = g_utf8_normalize(t_texts[i], -1, G_NORMALIZE_NFD);
        char *title = g_utf8_normalize("Idee over café", -1, G_NORMALIZE_NFD);
        assert_string_not_equal(text, t_texts[i]); /* the test text has an accent */
        char id_nfc[32], id_nfd[32];
        snprintf(id_nfc, sizeof id_nfc, "nfc-%zu", i);
        snprintf(id_nfd, sizeof id_nfd, "nfd-%zu", i);
        idea_t a, b;
        t_classify(cls, &st, &a, id_nfc, t_texts[i], "Idee over café");
        t_classify(cls, &st, &b, id_nfd, text, title);
        t_same_list("themes", i, a.themes, a.n_themes, b.themes, b.n_themes);
        t_same_list("pii", i, a.pii, a.n_pii, b.pii, b.n_pii);
        t_same_str("sentiment", i, a.sentiment, b.sentiment);
        t_same_str("question", i, a.question, b.question);
        t_same_str("wijk", i, a.wijk, b.wijk);
        t_same_str("buurt", i, a.buurt, b.buurt);
        t_same_str("language", i, a.language, b.language);
        t_same_str("cluster", i, a.cluster, b.cluster); /* the NFD copy joins the NFC idea */
        idea_clear(&a);
        idea_clear(&b);
        g_free(text);
        g_free(title);
    }
    cluster_mem_destroy(&st.store);
    classify_destroy(&cls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfd_same_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
