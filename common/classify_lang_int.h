/*
 * NAME
 *   classify_lang_int.h - the word lists of the languages other than
 *   Dutch that the language guess counts words of
 *
 * DESCRIPTION
 *   Private to common/classify_lang*.c. Owner: the classifier
 *   (docs/classifier.md, "Language").
 */
#ifndef INSPRAAK_CLASSIFY_LANG_INT_H
#define INSPRAAK_CLASSIFY_LANG_INT_H

#include <stddef.h>

/* The languages with a word list, besides Dutch (bit numbers) */
enum { LANG_EN, LANG_DE, LANG_PL, LANG_TR, LANG_FR, LANG_OTHERS };

/* Their ISO 639-1 codes, in the order above */
extern const char *const classify_lang_codes[LANG_OTHERS];

/* Per language a NULL-terminated list of lowercase words (UTF-8) that
 * are frequent in it and are no word of Dutch or of Limburgish
 * (classify_lang_words.c says which were left out and why). */
extern const char *const *const classify_lang_lists[LANG_OTHERS];

/* The language that a lowercase word's letters alone tell (a word with
 * "ł", "ą", "ę", "ś", "ź", "ż" or "ń" is Polish, one with "ı" or "ğ"
 * Turkish), or -1. */
int classify_lang_letters(const char *word, size_t len);

#endif
