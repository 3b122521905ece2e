/*
 * NAME
 *   classify_lang_dict - a short note is Dutch when a Dutch dictionary
 *   knows its words (classify_lang_int.h)
 *
 * DESCRIPTION
 *   Field notes and form lines are often a few nouns with an adjective
 *   or a verb: "Fietspad kapot", "Station te donker", "Busstation
 *   centrum opknappen". textcat's letter n-grams need more text (it read
 *   the last as English, "Centrum plus parking gratis" as Romanian), and
 *   such notes have no word of the Dutch lists of classify_lang_words.c,
 *   so they got no language or a wrong one. A reader knows them for
 *   Dutch by their words; so does hunspell-nl, which the classifier has
 *   loaded already for compound splitting (classify_compound_shared():
 *   one dictionary per process, none loaded here), and which accepts the
 *   compounds Dutch glues ("hondenpoep", "parkeergarage").
 *
 *   The rule, for a text of 2 to LANG_NOTED words (classify_lang.c asks
 *   it before textcat, when no quicker rule decided):
 *   - each word of two letters or more is known (on a Dutch list, or
 *     hunspell-nl accepts it as written), of another language (on the
 *     list of English, German, Polish, Turkish or French, or told by its
 *     letters: "ł", "ı"), a name (unknown, but written with a capital
 *     after the first word: "Terras Pancratiusplein top"), or unknown.
 *     A Heerlen wijk or buurt name ("Trapveldje Passart") and the
 *     Limburgish words of classify_lang_words.c ("Sjtroat kapot") are
 *     known. Single letters ("'t", initials) count for nothing;
 *   - Dutch, when at least two words are known, and
 *     - no word is unknown or of another language: the Dutch words carry
 *       the whole text;
 *     - or no word is of another language, one is a Dutch sign (on a
 *       Dutch list, and no other language writes it: "te", "op", "het";
 *       not French "de") and the known words outnumber the unknown ones:
 *       a typo or a word hunspell lacks ("Parkere te duur", "Foodtrucks
 *       op de markt");
 *     - or one word is of another language, there is a Dutch sign and no
 *       unknown word: a Dutch sentence with a borrowed dish or phrase
 *       ("Crêpes à la carte in het centrum", "Coffee to go bij
 *       station").
 *   Why these bounds: hunspell-nl knows many English and French words
 *   too ("more", "trees", "dark", "street", "gratuit", "voitures",
 *   "gare"), so a word of another list must never be outweighed by
 *   dictionary words alone ("More trees downtown", "Bus station too
 *   dark" stay English), and a text with unknown words needs a Dutch sign
 *   besides ("Parking gratuit svp", "Plus de bancs" are no Dutch).
 *   Without a dictionary (INSPRAAK_HUNSPELL_DIR=none) only the Dutch
 *   lists know words.
 */
#include <stdbool.h>
#include <string.h>

#include "classify.h"
#include "classify_lang_int.h"

/* Whether the word at w starts with a capital (ASCII or Latin-1: "É"). */
static bool s_capital(const unsigned char *w)
{
    return (w[0] >= 'A' && w[0] <= 'Z') || (w[0] == 0xc3 && w[1] >= 0x80 && w[1] <= 0x9e);
}

void classify_lang_dict_tally(const classify_lang_count_t *c, const char *text, const geo_t *geo,
                              classify_lang_tally_t *t)
{
    memset(t, 0, sizeof *t);
    classify_compound_t *dict = c->noted ? classify_compound_shared() : NULL;
    t->dict = dict != NULL;
    for (int i = 0; i < c->noted; i++) {
        if (c->word[i].langs) {
            t->other++;
            continue;
        }
        if (c->word[i].letters < 2)
            continue;
        t->sign += c->word[i].dutch == LANG_DUTCH_SIGN;
        char w[CLASSIFY_COMPOUND_PART_BYTES];
        size_t len = c->word[i].len < sizeof w ? c->word[i].len : sizeof w - 1;
        memcpy(w, text + c->word[i].at, len);
        w[len] = '\0';
        const char *wk, *bu;
        if (c->word[i].dutch || (dict && classify_compound_knows(dict, w)) ||
            (geo && classify_wijk_in_text(geo, w, &wk, &bu) == 0))
            t->known++;
        else if (i == 0 || !s_capital((const unsigned char *)w))
            t->unknown++;
        /* else a name: a street, a park ("Pancratiusplein") */
    }
}

bool classify_lang_dict_dutch(const classify_lang_count_t *c, const char *text, const geo_t *geo)
{
    if (c->noted < 2) /* "Hallo": too little to tell */
        return false;
    classify_lang_tally_t t;
    classify_lang_dict_tally(c, text, geo, &t);
    if (t.known < 2 || t.other > 1)
        return false;
    if (t.other == 1)
        return t.sign > 0 && t.unknown == 0;
    return t.unknown == 0 || (t.sign > 0 && t.known > t.unknown);
}
