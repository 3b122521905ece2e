/*
 * NAME
 *   classify_lang_int.h - the words the language guess counts: the word
 *   lists of Dutch and of the languages residents write in after it, and
 *   what the words of a text say
 *
 * SUMMARY
 *   classify_lang_words_t *w = classify_lang_words_new();
 *   classify_lang_count_t c;
 *   classify_lang_words_count(w, text, strlen(text), &c);
 *   ...
 *   classify_lang_words_destroy(&w);
 *
 * DESCRIPTION
 *   Private to common/classify_lang*.c. classify_lang_words.c holds the
 *   lists and counts a text's words; classify_lang.c weighs the counts
 *   and asks textcat. Owner: the classifier (docs/classifier.md,
 *   "Language").
 *
 * OWNERSHIP
 *   classify_lang_words_new() never fails; the caller destroys what it
 *   returns. The word table is read only once built, so one can be
 *   counted with from any thread; classify_lang keeps one per handle.
 */
#ifndef INSPRAAK_CLASSIFY_LANG_INT_H
#define INSPRAAK_CLASSIFY_LANG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "geo.h"

/* The languages with a word list, besides Dutch (bit numbers) */
enum { LANG_EN, LANG_DE, LANG_PL, LANG_TR, LANG_FR, LANG_OTHERS };

/* Their ISO 639-1 codes, in the order above */
extern const char *const classify_lang_codes[LANG_OTHERS];

/* Two words of another language or fewer that are all short ("at the",
 * "to the") are function words a Dutch line may carry ("Voetbalkooi at
 * the schoolplein"): the text is Dutch when its rest, without them,
 * reads as Dutch to textcat. More of them are that language ("Most of
 * my fellow students at Zuyd go home to Maastricht"). LANG_SPANS: how
 * many such words are noted. */
#define LANG_SHORT_WORD 3
#define LANG_SPANS 16

/* The words of a text of at most LANG_NOTED words are noted one by one
 * (classify_lang_count_t.word) for the dictionary rule
 * (classify_lang_dict.c): a short note ("Fietspad kapot") is Dutch when
 * hunspell-nl knows its words. */
#define LANG_NOTED 8
/* A noted word on a Dutch list ("de"), and one that no other language
 * writes either ("het", "te", "op"): a Dutch sign. */
#define LANG_DUTCH_LIST 1
#define LANG_DUTCH_SIGN 2

/* What the words of a text say (the lists named are in
 * classify_lang_words.c). */
typedef struct {
    int words;                   /* words looked at */
    int dutch;                   /* common Dutch words (s_dutch) */
    int only_distinct;           /* different words of s_dutch_only */
    int any;                     /* words of either Dutch list */
    int other[LANG_OTHERS];      /* words of each other language */
    int latin, other_script;     /* letters in Latin script, in another */
    int preps;                   /* Dutch prepositions (s_nl_preps) */
    int pairs;                   /* a Dutch preposition, then an article ("in de") */
    size_t symbol_bytes;         /* bytes of emoji and other non-ASCII non-letters */
    int long_other[LANG_OTHERS]; /* of those, words of 4+ letters or told by letters */
    int shared[LANG_OTHERS];     /* words each language shares with Dutch or others ("de") */
    int dutch_not[LANG_OTHERS];  /* words of either Dutch list that language does not write */
    /* where the words of other languages are (the first LANG_SPANS) */
    struct {
        size_t at, len;
        int langs; /* bit of each language whose word it is */
    } span[LANG_SPANS];
    int spans;
    /* every word, when there are at most LANG_NOTED (else noted is 0) */
    struct {
        size_t at, len;
        int letters;
        int dutch; /* LANG_DUTCH_LIST, LANG_DUTCH_SIGN or 0 */
        int langs; /* bit of each other language whose word it is */
    } word[LANG_NOTED];
    int noted;
} classify_lang_count_t;

/* The word lists as one table, built once per handle. */
typedef struct classify_lang_words classify_lang_words_t;

classify_lang_words_t *classify_lang_words_new(void);
void classify_lang_words_destroy(classify_lang_words_t **self_p);
/* Counts the words of text (len bytes) into *c. */
void classify_lang_words_count(const classify_lang_words_t *self, const char *text, size_t len,
                               classify_lang_count_t *c);

/* What the dictionary rule makes of the noted words of a text
 * (classify_lang_dict.c): words hunspell-nl, the Dutch lists or the wijk
 * and buurt names know, words of another language's list, words of
 * neither (names with a capital left out), and Dutch signs among the
 * known. */
typedef struct {
    int known, other, unknown, sign;
    bool dict; /* hunspell-nl was there to ask */
} classify_lang_tally_t;
void classify_lang_dict_tally(const classify_lang_count_t *c, const char *text, const geo_t *geo,
                              classify_lang_tally_t *t);

/* Whether a text of a few words (c->noted of them, counted from text) is
 * Dutch by its words alone: hunspell-nl (classify_compound_shared()) or
 * the Dutch lists know them, and no other language's list carries it;
 * geo (or NULL) names Heerlen's wijken and buurten. Rule and why:
 * classify_lang_dict.c. */
bool classify_lang_dict_dutch(const classify_lang_count_t *c, const char *text, const geo_t *geo);

#endif
