/*
 * NAME
 *   classify_theme - ranked themes from keyword scores
 *
 * DESCRIPTION
 *   Every theme scores the sum of the weights of its keywords found in
 *   the text (a keyword found twice counts twice: a text that keeps
 *   talking about "bomen" is about groen). The best theme comes first;
 *   others follow when they reach THEME_SECOND_RATIO of the best and
 *   THEME_MIN_SCORE, so a passing word does not add a theme. The list of
 *   themes is the labels of the lexicon file, in order (ties go to the
 *   earlier one), so staff add a theme by adding lines to themes.tsv.
 */
#include <string.h>

#include "classify.h"

#define THEME_MAX 64
#define THEME_SECOND_RATIO 0.6
#define THEME_MIN_SCORE 1.0

typedef struct {
    const char *const *labels;
    size_t n;
    double score[THEME_MAX];
} theme_acc_t;

static void s_add(void *arg, const char *label, double weight, size_t words)
{
    (void)words;
    theme_acc_t *a = arg;
    for (size_t i = 0; i < a->n && i < THEME_MAX; i++)
        if (a->labels[i] == label) {
            a->score[i] += weight;
            return;
        }
}

int classify_themes(const classify_lex_t *lex, const classify_toks_t *toks, const char **out,
                    int max)
{
    theme_acc_t a;
    memset(&a, 0, sizeof a);
    a.labels = classify_lex_labels(lex, &a.n);
    for (size_t i = 0; i < toks->n; i++)
        classify_lex_at(lex, toks, i, s_add, &a);
    int n = 0;
    double best = 0;
    while (n < max) {
        int pick = -1;
        for (size_t i = 0; i < a.n && i < THEME_MAX; i++)
            if (a.score[i] > 0 && (pick < 0 || a.score[i] > a.score[pick]))
                pick = (int)i;
        if (pick < 0)
            break;
        double s = a.score[pick];
        if (n == 0)
            best = s;
        else if (s < THEME_SECOND_RATIO * best || s < THEME_MIN_SCORE)
            break;
        out[n++] = a.labels[pick];
        a.score[pick] = 0;
    }
    return n;
}
