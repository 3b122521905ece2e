/*
 * NAME
 *   classify_pii_addr_street - the street before a house number
 *   ("Akerstraat 12", "Burgemeester van Grunsvenplein 12-3", "ik woon op
 *   de Ganzeweide 88"), with or without a postcode after it
 *
 * DESCRIPTION
 *   Part of the address finder (classify_pii_addr.c; rules and reasons in
 *   common/classify_pii.c under "postcode"): where a street starts, which
 *   words end a street name, which words before it announce an address
 *   and which words after the number make it a count. The numbers
 *   themselves are classify_pii_addr_nr.c's. Owner: the classifier
 *   (docs/classifier.md, "PII flags").
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify_pii_addr_int.h"

static int s_word_byte(unsigned char c)
{
    return isalpha(c) || c >= 0x80 || c == '-' || c == '\'' || c == '.';
}

/* Lowercase words inside a street name ("Burgemeester van Grunsvenplein"). */
static int s_street_particle(const char *p, size_t n)
{
    static const char *const words[] = {"van", "de", "der", "den", "het", "'t", "op", "in"};
    return classify_pii_addr_word_in(p, n, words, sizeof words / sizeof words[0]);
}

/* Prepositions that start a sentence before a street ("Op de Akerstraat
 * 12", "Bij Kloosterweg 4"); not "van", which starts street names ("Van
 * Goghstraat"). */
static const char *const S_PREPOSITIONS[] = {
    "op",    "bij", "aan",    "in",    "naast",    "tegenover", "voor",    "achter",
    "langs", "via", "vanaf",  "nabij", "richting", "over",      "onder",   "rond",
    "om",    "tot", "tussen", "uit",   "naar",     "door",      "vlakbij", "met",
};

static int s_street_word(const char *text, const char *e);
static int s_word_in_ci(const char *w, const char *e, const char *const *list, size_t len);

/* Start of the street before the house number at nr ("Akerstraat 12"):
 * the word right before it (it must end in a letter), and capitalised
 * words and particles before that on the same line ("Burgemeester van
 * Grunsvenplein 12"), not across a sentence end. When that word is a
 * street by its ending ("Akerstraat"), a capitalised preposition before
 * it starts the sentence, not the street ("Op de Akerstraat 12" gives
 * "Akerstraat"); other streets may start with one ("In de Cramer 12").
 * NULL when no word precedes the number. */
const char *classify_pii_addr_street_start(const char *text, const char *nr)
{
    const char *p = nr;
    if (p - text < 2 || p[-1] != ' ')
        return NULL;
    p--;
    unsigned char last = (unsigned char)p[-1];
    if (!(isalpha(last) || last >= 0x80 || last == '.'))
        return NULL;
    const char *start = NULL;
    for (int words = 0; words < 5 && p > text && p[-1] != '\n'; words++) {
        const char *e = p;
        while (p > text && s_word_byte((unsigned char)p[-1]))
            p--;
        if (p == e)
            break;
        int cap = isupper((unsigned char)*p) || ((unsigned char)*p == 0xc3);
        if (words > 0 && !cap && !s_street_particle(p, (size_t)(e - p)))
            break;
        /* A capital after a full stop starts a sentence, not a street:
         * "Amrani. Bij de Akerstraat 12" */
        if (words > 0 && cap && p - text >= 2 && p[-1] == ' ' && strchr(".!?", p[-2]))
            break;
        if (words > 0 && cap &&
            s_word_in_ci(p, e, S_PREPOSITIONS, sizeof S_PREPOSITIONS / sizeof S_PREPOSITIONS[0]) &&
            s_street_word(text, nr - 1))
            break;
        if (words == 0 || cap)
            start = p;
        if (p == text || p[-1] != ' ')
            break;
        p--;
    }
    return start;
}

/* The endings of Dutch street names ("Akerstraat", "Kloosterweg",
 * "Pancratiusplein"). Not "baan", "berg", "broek" or "heide": in Heerlen
 * those end wijk and buurt names as often ("Heerlerbaan", "Molenberg"),
 * and "In Molenberg 2 scholen" holds no address; not "ring", which ends
 * nouns ("Vergadering 3 maart"). */
static const char *const S_STREET_ENDS[] = {
    "straat", "weg",  "laan",   "plein", "singel", "pad", "hof",      "dreef",
    "steeg",  "kade", "gracht", "dijk",  "markt",  "wal", "straatje",
};

/* Endings that end Heerlen's street names as often as its wijk, buurt
 * and field names ("Ganzeweide", "Schandelerboord", "Bekkerveld",
 * "Heerlerbaan", "Molenberg"): not a street by themselves, but after a
 * bare "op", "aan" or "bij" more likely a street than a floor, a room or
 * a brand ("op Verdieping 2", "aan Kamer 12", "op Ziggo 5"). Not "ring":
 * "bij Vergadering 3". */
static const char *const S_PLACE_ENDS[] = {
    "weide", "wei", "veld", "baan", "berg", "broek", "heide", "boord",
    "dal",   "erf", "kamp", "rade", "donk", "gaard", "beek",  "horst",
};

/* The word ending at e ends in one of the n endings and is longer than
 * it: "Akerstraat", not "straat" or "weg" alone. */
static int s_ends_in(const char *text, const char *e, const char *const *ends, size_t n_ends)
{
    const char *w = e;
    while (w > text && isalpha((unsigned char)w[-1]))
        w--;
    for (size_t i = 0; i < n_ends; i++) {
        size_t n = strlen(ends[i]);
        if ((size_t)(e - w) > n && strncasecmp(e - n, ends[i], n) == 0)
            return 1;
    }
    return 0;
}

/* The word ending at e (a street's last word) ends in a street ending. */
static int s_street_word(const char *text, const char *e)
{
    return s_ends_in(text, e, S_STREET_ENDS, sizeof S_STREET_ENDS / sizeof S_STREET_ENDS[0]);
}

/* A postcode right after the house number ending at q (an addition
 * written apart may come between: "12 B, 6411 AB"): the postcode rule
 * takes the whole address then. */
static int s_postcode_follows(const char *text, const char *q)
{
    for (int k = 0; k < 4 && *q && strchr(" ,\n\r\t", *q); k++)
        q++;
    if (isalpha((unsigned char)q[0]) && !isalnum((unsigned char)q[1])) {
        q++;
        for (int k = 0; k < 4 && *q && strchr(" ,\n\r\t", *q); k++)
            q++;
    }
    return classify_pii_addr_postcode_end(text, q) != NULL;
}

/* Where the word before the house number p starts when it is "nr.",
 * "nr" or "nummer" ("Akerstraat nr. 12"), else p: the street is before
 * that word. */
static const char *s_nr_word_start(const char *text, const char *p)
{
    static const char *const words[] = {"nr. ",        "nr ",      "nummer ",
                                        "huisnummer ", "huisnr. ", "huisnr "};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(p - text) > n && strncmp(p - n, words[i], n) == 0 &&
            p[-(ptrdiff_t)n - 1] == ' ')
            return p - n;
    }
    return p;
}

/* The word before the blank(s) before p, a ':' after it allowed
 * ("Adres: ..."): sets [*w, returned end); NULL when there is none on the
 * line. */
static const char *s_prev_word(const char *text, const char *p, const char **w)
{
    const char *e = p;
    while (e > text && e[-1] == ' ')
        e--;
    if (e == p)
        return NULL;
    if (e > text && e[-1] == ':')
        e--;
    const char *s = e;
    while (s > text && (isalpha((unsigned char)s[-1]) || s[-1] == '\''))
        s--;
    *w = s;
    return s < e ? e : NULL;
}

/* Whether [w, e) is one of the words of list, without ASCII case. */
static int s_word_in_ci(const char *w, const char *e, const char *const *list, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (strlen(list[i]) == (size_t)(e - w) && strncasecmp(w, list[i], (size_t)(e - w)) == 0)
            return 1;
    return 0;
}

#define S_IN(w, e, list) s_word_in_ci(w, e, list, sizeof list / sizeof list[0])

static const char *const S_ARTICLES[] = {"de", "het", "'t"};
static const char *const S_AT[] = {"op", "aan", "bij"};
static const char *const S_LIVE[] = {"woon", "woont", "wonen", "woonde", "woonden", "woonachtig"};
static const char *const S_ADDRESS[] = {"adres", "woonadres", "huisadres", "postadres"};

/* Whether the words before the street at st announce an address: "op
 * (de)", "aan (het)", "bij (de)", "ik woon (in de)", "adres:", "mijn
 * adres is". With strict, a bare "op", "aan" or "bij" counts only after
 * a word of living ("ik woon op Ganzeweide 88"): before a capitalised
 * word without a street or place ending it as often names a floor, a
 * room or a brand ("op Verdieping 2", "aan Kamer 12", "op Ziggo 5"). */
static int s_address_cue(const char *text, const char *st, int strict)
{
    const char *w, *e = s_prev_word(text, st, &w);
    if (!e)
        return 0;
    if (S_IN(w, e, S_ARTICLES)) {
        if (!(e = s_prev_word(text, w, &w)))
            return 0;
        if (S_IN(w, e, S_AT))
            return 1;
        if (e - w != 2 || strncasecmp(w, "in", 2) != 0)
            return 0;
        return (e = s_prev_word(text, w, &w)) && S_IN(w, e, S_LIVE);
    }
    if (S_IN(w, e, S_AT))
        return !strict || ((e = s_prev_word(text, w, &w)) && S_IN(w, e, S_LIVE));
    if (S_IN(w, e, S_LIVE) || S_IN(w, e, S_ADDRESS))
        return 1;
    if (e - w != 2 || strncasecmp(w, "is", 2) != 0)
        return 0;
    return (e = s_prev_word(text, w, &w)) && S_IN(w, e, S_ADDRESS);
}

/* Words that may follow a house number in a sentence ("op de akerstraat
 * 12 en er is ..."); any other word makes the number more likely a count
 * ("op het schoolplein 2 bankjes"). */
static const char *const S_AFTER_NR[] = {
    "en",   "in",    "is",    "te",     "of",   "op",     "aan",   "bij",   "met",
    "maar", "want",  "dus",   "daar",   "hier", "die",    "dat",   "waar",  "staat",
    "ligt", "heb",   "heeft", "hebben", "woon", "woont",  "wonen", "naast", "tegenover",
    "was",  "wordt", "zijn",  "kan",    "moet", "ook",    "al",    "nu",    "sinds",
    "zit",  "er",    "graag", "komt",   "voor", "achter", "hoek",
};

/* Whether a house number ending at q closes its phrase: the text ends,
 * a punctuation mark, a capital (a place, a new sentence) or a word of
 * S_AFTER_NR follows. */
static int s_nr_closes(const char *q)
{
    while (*q == ' ')
        q++;
    unsigned char c = (unsigned char)*q;
    if (c == 0xe2) /* dashes, curly quotes, "..." */
        return 1;
    if (!islower(c))
        return isupper(c) || !(c >= 0x80 || isdigit(c));
    const char *e = q;
    while (islower((unsigned char)*e))
        e++;
    return !isalnum((unsigned char)*e) && (unsigned char)*e < 0x80 && S_IN(q, e, S_AFTER_NR);
}

/* Words ending in -en or -s after a house number that are no plural
 * noun: verbs of place ("Akerstraat 12 liggen stenen", "Akerstraat 12
 * gelegen naast"), prepositions and adverbs ("Akerstraat 12 boven de bakker"). */
static const char *const S_NOT_PLURAL[] = {
    "liggen",  "hangen", "rijden",    "zitten",    "spelen", "lopen",   "komen",
    "worden",  "kunnen", "moeten",    "mogen",     "willen", "zouden",  "waren",
    "stonden", "lagen",  "werden",    "parkeren",  "boven",  "beneden", "binnen",
    "buiten",  "tussen", "tegen",     "open",      "even",   "eens",    "samen",
    "alleen",  "steeds", "ergens",    "iets",      "niets",  "alles",   "tijdens",
    "volgens", "sinds",  "misschien", "bovendien", "heen",   "gelegen",
};

/* Subjects that follow their verb when a sentence starts with the place
 * ("Op de Akerstraat 12 hadden we een tuin", "... merken wij ..."): the
 * word before them is a verb, not a plural noun. */
static const char *const S_SUBJECTS[] = {"ik", "je",  "jij",    "u",   "hij",  "zij", "ze",
                                         "we", "wij", "jullie", "men", "mijn", "onze"};

/* Whether the word after the one ending at e is a word of S_SUBJECTS. */
static int s_subject_follows(const char *e)
{
    if (*e != ' ')
        return 0;
    const char *w = e + 1, *f = w;
    while (isalpha((unsigned char)*f))
        f++;
    return (unsigned char)*f < 0x80 && S_IN(w, f, S_SUBJECTS);
}

/* Whether a plural noun follows the number ending at q ("Akerstraat 30
 * bomen", "Valkenburgerweg 3 ongelukken", "12 auto's"): a lower-case
 * word of 4+ letters ending in -en or -s that is not a word of
 * S_AFTER_NR or S_NOT_PLURAL, nor a verb before its subject ("hadden
 * we"); the number is a count then. */
static int s_plural_follows(const char *q)
{
    if (*q != ' ')
        return 0;
    const char *w = q + 1, *e = w;
    while (islower((unsigned char)*e) || *e == '\'')
        e++;
    if (e - w < 4 || isalnum((unsigned char)*e) || (unsigned char)*e >= 0x80)
        return 0;
    if (!(e[-1] == 's' || (e[-2] == 'e' && e[-1] == 'n')))
        return 0;
    return !S_IN(w, e, S_AFTER_NR) && !S_IN(w, e, S_NOT_PLURAL) && !s_subject_follows(e);
}

static int s_cap(const char *p)
{
    return isupper((unsigned char)*p) || (unsigned char)*p == 0xc3;
}

/* Capitalised words before a house number that name no street: "Lijn
 * 40", "Bus 12", "Artikel 5", "Fase 2", "Heerlen 2050", "Groep 8"; the
 * units and months of classify_pii_addr_count_words ("Mei 12") and days neither. */
static const char *const S_NOT_STREETS[] = {
    "lijn",     "bus",       "tram",     "trein",     "artikel",   "fase",     "heerlen", "limburg",
    "parkstad", "nederland", "pagina",   "hoofdstuk", "paragraaf", "bijlage",  "stap",    "punt",
    "groep",    "klas",      "niveau",   "versie",    "deel",      "ronde",    "top",     "kanaal",
    "radio",    "npo",       "zaal",     "lokaal",    "blok",      "plan",     "optie",   "vraag",
    "thema",    "agenda",    "seizoen",  "nummer",    "lid",       "route",    "perron",  "spoor",
    "zone",     "editie",    "raad",     "tafel",     "station",   "partij",   "lijst",   "code",
    "maandag",  "dinsdag",   "woensdag", "donderdag", "vrijdag",   "zaterdag", "zondag",
};

/* Start of the capitalised words right before e that may name a street
 * without a street ending ("Markt", "Oude Markt"; up to three, not a
 * cue word such as "Op", not across a sentence end); NULL when the word
 * right before e is not capitalised or names no street. */
static const char *s_plain_street_start(const char *text, const char *e)
{
    const char *st = NULL, *w;
    for (int words = 0; words < 3; words++) {
        const char *we = words == 0 ? e : st - 1;
        if (words > 0 && (st - text < 2 || st[-1] != ' ' || !isalpha((unsigned char)st[-2])))
            break;
        w = we;
        while (w > text && isalpha((unsigned char)w[-1]))
            w--;
        if (we - w < 3 || !isupper((unsigned char)*w) || (w > text && w[-1] != ' ') ||
            S_IN(w, we, S_AT) || S_IN(w, we, S_ARTICLES) || S_IN(w, we, S_ADDRESS) ||
            S_IN(w, we, S_NOT_STREETS) || S_IN(w, we, classify_pii_addr_count_words))
            break;
        st = w;
    }
    return st;
}

/* A street and house number without a postcode at the number p
 * ("Akerstraat 12", "Burgemeester van Grunsvenplein 12-3", "Akerstraat
 * nr. 12"): the end, with the street's start in *start; else NULL. A
 * street with a street ending starts with a capital ("het fietspad 3" is
 * not an address). Other streets count only after an address cue and
 * before the end of the phrase: one lower-case word with a street ending
 * ("ik woon op de akerstraat 12 en ...") or capitalised words without
 * one ("aan de Bongerd 4."; a bare "op", "aan" or "bij" only after
 * "woon" or before a place ending: s_address_cue, S_PLACE_ENDS). */
const char *classify_pii_addr_street_nr_end(const char *text, const char *p, const char **start)
{
    const char *at = s_nr_word_start(text, p);
    if (at - text < 2 || at[-1] != ' ')
        return NULL;
    const char *end = classify_pii_addr_housenr_end(p);
    if (!end)
        return NULL;
    const char *digits = p;
    while (isdigit((unsigned char)*digits))
        digits++;
    const char *st = classify_pii_addr_street_start(text, at);
    if (!st || classify_pii_addr_count_or_year(p, digits) || s_postcode_follows(text, end))
        return NULL;
    const char *last = at - 1;
    while (last > text && s_word_byte((unsigned char)last[-1]))
        last--;
    int known = s_street_word(text, at - 1);
    if (known && s_cap(last) && !s_plural_follows(end)) {
        *start = st;
        return end;
    }
    st = known ? last : s_plain_street_start(text, at - 1);
    int place = s_ends_in(text, at - 1, S_PLACE_ENDS, sizeof S_PLACE_ENDS / sizeof S_PLACE_ENDS[0]);
    if (!st || !s_address_cue(text, st, !known && !place) || !s_nr_closes(end))
        return NULL;
    *start = st;
    return end;
}
