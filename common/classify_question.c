/*
 * NAME
 *   classify_question - nu (Heerlen as it is) or toekomst (a wish or vision)
 *
 * DESCRIPTION
 *   Future markers (label "toekomst" in question.tsv: "zou", "moet",
 *   "wil", "graag", "in de toekomst", "2050", "idee", "wens", ...) are
 *   weighed against present markers (label "nu": "is", "woon", "trots",
 *   "vroeger", "elke dag", ...). A wish needs fewer words than a
 *   description, so ties and texts without markers go to QUESTION_DEFAULT:
 *   most ideas sent in are wishes.
 */
#include <string.h>

#include "classify.h"

#define QUESTION_DEFAULT "toekomst"

typedef struct {
    double future, now;
} q_acc_t;

static void s_add(void *arg, const char *label, double weight, size_t words)
{
    (void)words;
    q_acc_t *a = arg;
    /* other labels (modal, future, present) are features for the model */
    if (strcmp(label, "toekomst") == 0)
        a->future += weight;
    else if (strcmp(label, "nu") == 0)
        a->now += weight;
}

const char *classify_question(const classify_lex_t *lex, const classify_toks_t *toks)
{
    if (toks->n == 0)
        return NULL;
    q_acc_t a = {0, 0};
    for (size_t i = 0; i < toks->n; i++)
        classify_lex_at(lex, toks, i, s_add, &a);
    if (a.now > a.future)
        return "nu";
    return QUESTION_DEFAULT;
}
