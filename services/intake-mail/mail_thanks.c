/*
 * NAME
 *   mail_thanks - whether a cleaned mail text is only a thank-you (see
 *   mail_text.h, mail_text_thanks_only)
 *
 * DESCRIPTION
 *   A reply to the receipt that says "Bedankt!" and nothing more is no
 *   idea. Hand-written, like the rest of mail_text: a short word list
 *   decides, no library knows what a thank-you reply is.
 *
 * OWNERSHIP
 *   Owned by intake-mail; mail_worker.c calls it on the text mail_text.c
 *   cleaned.
 */
#include <ctype.h>
#include <stdbool.h>

#include "mail_text.h"
#include "validate.h"

/* Words of a thank-you; the first group thanks, the rest only fill. */
static int s_thanks_word(const char *w, size_t n)
{
    static const char *const thanks[] = {"bedankt", "dank",  "dankjewel", "dankuwel",
                                         "dankje",  "danku", "thanks",    "thank",
                                         "thx",     "merci", "danke",     NULL};
    static const char *const fill[] = {
        "je",       "jullie",  "u",        "wel",      "hartelijk",   "hartelijke", "heel",
        "erg",      "zeer",    "veel",     "voor",     "de",          "het",        "uw",
        "snelle",   "reactie", "bericht",  "antwoord", "bevestiging", "mail",       "e",
        "top",      "super",   "prima",    "fijn",     "mooi",        "ok",         "oké",
        "oke",      "you",     "very",     "much",     "for",         "the",        "so",
        "nogmaals", "alvast",  "gemeente", "heerlen",  "hoor",        "groet",      "groeten",
        NULL};
    if (value_listed_nocase(w, n, thanks))
        return 2;
    return value_listed_nocase(w, n, fill) ? 1 : 0;
}

bool mail_text_thanks_only(const char *clean)
{
    int words = 0, thanked = 0;
    const unsigned char *p = (const unsigned char *)(clean ? clean : "");
    while (*p) {
        /* A word: ASCII letters and any UTF-8 bytes ("oké"); a run of only
         * non-ASCII bytes is an emoji or a sign and counts for nothing. */
        const unsigned char *w = p;
        bool ascii = false;
        while (*p && (isalpha(*p) || *p >= 0x80))
            ascii |= isalpha(*p++) != 0;
        if (p == w) {
            p++;
            continue;
        }
        if (!ascii)
            continue;
        int kind = s_thanks_word((const char *)w, (size_t)(p - w));
        if (kind == 0 || ++words > 12)
            return false;
        thanked |= kind == 2;
    }
    return thanked;
}
