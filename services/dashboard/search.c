/*
 * NAME
 *   search - Dutch stemmed matching for the q parameter ("bomen" finds
 *   "boom")
 *
 * DESCRIPTION
 *   search_prepare() stems the words of q with the classifier's Snowball
 *   stemmer (common/classify_tok.c, libstemmer) and sets q->text_fn, which
 *   query_match() calls when the plain substring test fails: an idea
 *   matches when every query stem equals the stem of some word of its text
 *   or title. Snowball's Dutch stemmer keeps the long vowel of "boom" but
 *   not of "bomen" (boom / bom), so both sides are compared with double
 *   vowels made single ("boom" -> "bom"), which is what a Dutch reader
 *   expects; this small normalisation is hand-written because no library
 *   here offers it.
 *
 * OWNERSHIP
 *   search_prepare() creates a stemmer in q->stemmer (one per request: a
 *   stemmer must not be shared between threads); search_done() frees it.
 */
#include <string.h>

#include "classify.h"
#include "dashboard.h"

/* Stem, then "aa"/"ee"/"oo"/"uu" -> one vowel. */
static void s_norm(classify_tok_t *tok, const char *word, char *out, size_t size)
{
    char stem[64];
    classify_stem(tok, word, stem, sizeof stem);
    size_t o = 0;
    for (size_t i = 0; stem[i] && o + 1 < size; i++) {
        if (i > 0 && stem[i] == stem[i - 1] && strchr("aeou", stem[i]))
            continue;
        out[o++] = stem[i];
    }
    out[o] = '\0';
}

static bool s_match(const query_t *q, const char *text)
{
    if (!text || !q->stemmer || q->n_stems == 0)
        return false;
    classify_toks_t toks = {0};
    classify_tokenize(q->stemmer, text, &toks);
    int found = 0;
    for (int k = 0; k < q->n_stems; k++) {
        for (size_t i = 0; i < toks.n; i++) {
            char n[64];
            s_norm(q->stemmer, toks.word[i], n, sizeof n);
            if (strcmp(n, q->stems[k]) == 0) {
                found++;
                break;
            }
        }
    }
    classify_toks_clear(&toks);
    return found == q->n_stems;
}

void search_prepare(query_t *q)
{
    char err[128];
    if (!q->q[0] || !(q->stemmer = classify_tok_new(err, sizeof err)))
        return;
    classify_toks_t toks = {0};
    classify_tokenize(q->stemmer, q->q, &toks);
    for (size_t i = 0; i < toks.n && q->n_stems < QUERY_MAX_STEMS; i++)
        s_norm(q->stemmer, toks.word[i], q->stems[q->n_stems++], sizeof q->stems[0]);
    classify_toks_clear(&toks);
    q->text_fn = q->n_stems > 0 ? s_match : NULL;
}

void search_done(query_t *q)
{
    classify_tok_t *tok = q->stemmer;
    classify_tok_destroy(&tok);
    q->stemmer = NULL;
    q->text_fn = NULL;
}
