/*
 * NAME
 *   classify_lang_words - the words the language guess counts: frequent
 *   words of Dutch, English, German, Polish, Turkish and French, and the
 *   count of them in a text (classify_lang_int.h)
 *
 * DESCRIPTION
 *   textcat (classify_lang.c) compares letter n-grams; on a short text
 *   they say little ("More student bars would be nice" reads as Dutch,
 *   "Oyun parkı bozuk" as nothing). The words below are what a reader
 *   goes by: two of them, and more than the text's Dutch words, tell the
 *   language. They are the languages residents of Heerlen write in after
 *   Dutch (Arabic needs no list: its script tells, and textcat knows it).
 *
 *   Left out on purpose, because Dutch or Limburgish ("Doe mót get
 *   gebeure an de Akerstraat", "Ich vin et sjoen in Heële") uses them as
 *   well, or Dutch ideas borrow them: English "a", "i" (Dutch "a.u.b.",
 *   "i.v.m."), "an", "get", "door", "of", "in", "is", "me", "was", "we",
 *   "over", "just", "park", "street", "nice", "top", "kids", "live",
 *   "student"; German "ich", "die", "der", "den", "ein", "kein", "mit",
 *   "wie", "hier", "man", "es", "kinder", "danke"; Polish "w", "z", "na",
 *   "do", "po", "to", "ich", "co", "tak", "za" ("za 12 mei"), "by";
 *   Turkish "de", "da", "en", "ben", "her", "mi", "ne", "az"; French
 *   "de", "en", "et", "je", "les", "des", "du", "pas", "plus", "merci",
 *   "la", "que" (Spanish too), "mes", "vos", "nos" (Dutch: knife, fox,
 *   the NOS); the words of a civic note Dutch writes too: "park",
 *   "parken" (parks), "parking", "bank", "station", "trees" (a name),
 *   "bike" ("e-bike"), "housing". Single letters never count (initials:
 *   "W. Frijns"), except a letter with an accent: French "à".
 *
 *   Besides function words the lists have the everyday words of short
 *   notes about a town ("Playground broken", "Spielplatz kaputt",
 *   "Brudne ulice", "Oyun parkı bozuk", "Trop de voitures"): without
 *   them such a note had one listed word or none, and no language.
 *   A few of these are noted all the same (s_shared_lists): no sign of
 *   their language, but no sign of Dutch against it either (French "de"
 *   and "je" are on the Dutch lists too).
 */
#include <ctype.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify_lang_int.h"
#include "xalloc.h"

/* The word lists as one hash table (classify_lang_words_t, built once
 * per handle), because trying ~300 words with strncasecmp at every word
 * of every text cost more than the textcat calls the lists save. A word maps to
 * (in s_dutch) | (index in s_dutch_only + 1) << 1 | (bit of each other
 * language whose list has it) << LANG_BITS_SHIFT | (bit of each language
 * whose s_shared_lists has it) << LANG_SHARED_SHIFT | LANG_LIMBURG_BIT (in
 * s_limburgish): never 0, so a miss
 * (NULL) is told apart. Words are lowercased UTF-8. */
#define LANG_WORD_MAX 14
#define LANG_ONLY_MASK 0x7f /* s_dutch_only index + 1: below 128 */
#define LANG_BITS_SHIFT 8
#define LANG_SHARED_SHIFT (LANG_BITS_SHIFT + LANG_OTHERS)
#define LANG_LIMBURG_BIT (1 << (LANG_SHARED_SHIFT + LANG_OTHERS)) /* s_limburgish */

struct classify_lang_words {
    GHashTable *words; /* lowercase word -> GINT_TO_POINTER(value above) */
    /* first[len]: bit c - 'a' set when a listed word of len bytes starts
     * with c, bit 26 when one starts with a byte over 127; a word whose
     * length and first letter no listed word has is not looked up (about
     * half of a text's words: the look-up was ~150 instructions a word). */
    uint32_t first[LANG_WORD_MAX + 1];
};

const char *const classify_lang_codes[LANG_OTHERS] = {"en", "de", "pl", "tr", "fr"};

static const char *const s_en[] = {
    "the",   "and",    "to",      "for",  "with",   "this",  "that",   "there",  "are",  "not",
    "more",  "like",   "need",    "have", "has",    "it",    "be",     "been",   "can",  "could",
    "would", "should", "please",  "very", "too",    "much",  "many",   "some",   "from", "they",
    "them",  "their",  "what",    "when", "where",  "which", "who",    "about",  "also", "only",
    "other", "than",   "because", "but",  "people", "place", "my",     "you",    "your", "our",
    "on",    "at",     "were",    "does", "don",    "isn",   "enough", "around", "near", "children",
    "these", "those",  "into",    "will", "great",  "city",  NULL};

static const char *const s_de[] = {
    "und",   "ist",    "nicht",  "das",    "sind",     "wir",     "auf",    "für",   "eine",
    "einen", "einem",  "einer",  "zu",     "bitte",    "mehr",    "sehr",   "auch",  "gibt",
    "wenig", "viel",   "viele",  "schön",  "schöne",   "können",  "kann",   "haben", "habe",
    "wird",  "werden", "wurde",  "sich",   "oder",     "aber",    "dass",   "wenn",  "noch",
    "keine", "uns",    "unsere", "unser",  "sie",      "bei",     "dem",    "im",    "vom",
    "zum",   "zur",    "straße", "stadt",  "brauchen", "wäre",    "würde",  "gut",   "immer",
    "jetzt", "nur",    "sollte", "müssen", "muss",     "endlich", "leider", "mein",  "meine",
    "wohne", "wohnen", "gerne",  NULL};

static const char *const s_pl[] = {
    "jest",       "się",     "że",    "jak",   "ale",     "dla",          "więcej",
    "bardzo",     "mamy",    "są",    "tylko", "przez",   "jestem",       "mieszkam",
    "proszę",     "dzieci",  "ulicy", "można", "nas",     "nie",          "już",
    "też",        "mnie",    "jego",  "tego",  "które",   "który",        "która",
    "czy",        "gdzie",   "kiedy", "bo",    "brakuje", "potrzebujemy", "chciałbym",
    "chciałabym", "moim",    "mojej", "mój",   "naszej",  "nasz",         "miejsc",
    "miasto",     "mieście", "dużo",  "mało",  "jeszcze", "bardziej",     NULL};

static const char *const s_tr[] = {
    "ve",        "bir",   "bu",        "çok",    "için",   "daha",   "fazla",  "var",
    "yok",       "ama",   "ile",       "gibi",   "olarak", "olsun",  "lütfen", "istiyoruz",
    "istiyorum", "iş",    "çocuklar",  "şehir",  "güzel",  "değil",  "sonra",  "şey",
    "hiç",       "kadar", "lazım",     "oldu",   "olan",   "olmalı", "biz",    "benim",
    "bizim",     "sokak", "mahalle",   "otobüs", "çöp",    "cami",   "camiye", "edin",
    "yakın",     "akşam", "akşamları", "burada", "yeni",   "artık",  NULL};

/* French: residents from Belgium and France, and tourists */
static const char *const s_fr[] = {
    "une",   "le",       "est",     "sont",    "dans",     "pour",   "avec",   "sur",      "nous",
    "vous",  "il",       "elle",    "ils",     "qui",      "au",     "aux",    "à",        "très",
    "mais",  "ce",       "cette",   "ces",     "mon",      "notre",  "votre",  "leur",     "parce",
    "ville", "quartier", "enfants", "rue",     "beaucoup", "trop",   "peu",    "besoin",   "faut",
    "fait",  "être",     "avoir",   "voulons", "veux",     "aussi",  "encore", "toujours", "jamais",
    "plaît", "bonjour",  "où",      "ça",      "avons",    "sommes", "serait", NULL};

/* The everyday words of short notes about a town, per language: what is
 * broken, dirty, dark, too expensive or wanted more of ("Playground
 * broken", "Spielplatz kaputt", "Trop de voitures", "Brudne ulice",
 * "Oyun parkı bozuk" had one listed word or none before the nineteenth
 * round, and no language). Each was checked against hunspell-nl and
 * the Dutch lists; left out because Dutch writes them too: above, and
 * French "sale" (Dutch: a sale), "sans" and "nuit" (café names: "Sans
 * Souci", "La Nuit"), "abri" (Dutch: a bus shelter). */
static const char *const s_en_civic[] = {
    "broken",  "dirty",  "streets",   "lane",      "lanes", "cheap",      "cheaper",
    "needed",  "lights", "downtown",  "expensive", "dark",  "playground", "benches",
    "traffic", "litter", "dangerous", "unsafe",    NULL};
static const char *const s_de_civic[] = {
    "kaputt",     "schmutzig", "dreckig", "teuer",      "kostenlos", "dunkel", "gefährlich",
    "spielplatz", "radweg",    "radwege", "parkplätze", "bänke",     NULL};
static const char *const s_pl_civic[] = {
    "zepsuty", "zepsuta", "zepsute", "brudne",  "brudno", "brudna", "ulice",   "ulica", "drogo",
    "drogie",  "drogi",   "darmowy", "darmowe", "ciemny", "ciemno", "dworzec", "zabaw", NULL};
static const char *const s_tr_civic[] = {"kirli",   "bozuk",    "pahalı",    "oyun", "ücretsiz",
                                         "otopark", "karanlık", "tehlikeli", NULL};
static const char *const s_fr_civic[] = {
    "cassé",    "cassée",    "cassés",     "parc",   "cher",  "chère",    "chers",
    "chères",   "voitures",  "sombre",     "arbres", "bancs", "cyclable", "cyclables",
    "gratuit",  "gratuite",  "svp",        "jeux",   "bruit", "arrêt",    "soir",
    "horaires", "dangereux", "dangereuse", NULL};

/* Per language a NULL-terminated list of lowercase words (UTF-8) that
 * are frequent in it and are no word of Dutch or of Limburgish (left out:
 * above). */
static const char *const *const s_other_lists[LANG_OTHERS] = {s_en, s_de, s_pl, s_tr, s_fr};
static const char *const *const s_civic_lists[LANG_OTHERS] = {s_en_civic, s_de_civic, s_pl_civic,
                                                              s_tr_civic, s_fr_civic};

/* Frequent words a language shares with Dutch or another language, so
 * left out of its list above: no sign of that language on their own, but
 * no sign of Dutch against it either. French "de" and "je" are on the
 * Dutch lists, and "Je voudrais plus de fleurs et des bancs" (textcat:
 * French, no word of s_fr) read as Limburgish-flavoured Dutch on them;
 * "la", "les", "des", "du", "et" and "un" tell French from Romanian
 * without an accent ("Salle de sport municipale"). Turkish writes "de"
 * and "da" ("Ben de"). */
static const char *const s_fr_shared[] = {"de", "je", "la", "les", "des", "du", "et", "un", NULL};
static const char *const s_tr_shared[] = {"de", "da", NULL};
static const char *const s_none[] = {NULL};
static const char *const *const s_shared_lists[LANG_OTHERS] = {s_none, s_none, s_none, s_tr_shared,
                                                               s_fr_shared};

/* The language that a lowercase word's letters alone tell (a word with
 * "ł", "ą", "ę", "ś", "ź", "ż" or "ń" is Polish, one with "ı" or "ğ"
 * Turkish), or -1. */
static int s_letters(const char *word, size_t len)
{
    const unsigned char *w = (const unsigned char *)word;
    for (size_t i = 0; i + 1 < len; i++) {
        unsigned cp = (unsigned)(w[i] & 0x1f) << 6 | (w[i + 1] & 0x3f);
        if (w[i] != 0xc4 && w[i] != 0xc5)
            continue;
        if (cp == 0x131 || cp == 0x11f) /* ı ğ */
            return LANG_TR;
        if (cp == 0x142 || cp == 0x105 || cp == 0x119 || cp == 0x15b || cp == 0x17a ||
            cp == 0x17c || cp == 0x144) /* ł ą ę ś ź ż ń */
            return LANG_PL;
    }
    return -1;
}

/* Common Dutch words; those that are as common in English, French or
 * German ("en", "in", "we", "er") are left out. */
static const char *const s_dutch[] = {"de",    "het",  "een",   "van", "is",   "niet", "geen",
                                      "meer",  "wij",  "ik",    "op",  "voor", "met",  "zijn",
                                      "wordt", "moet", "graag", "te",  NULL};

/* Words that are Dutch and not a common word of English, German, French,
 * Polish or Turkish (so no "die", "er", "hier", "als", "in", "de", "is",
 * "was"): function words, and the everyday words of ideas about a town. */
static const char *const s_dutch_only[] = {
    "het",    "een",      "niet",     "geen",     "wij",    "ik",       "voor",     "zijn",
    "wordt",  "moet",     "graag",    "ook",      "maar",   "bij",      "naar",     "dat",
    "nog",    "wel",      "heel",     "zou",      "veel",   "mooi",     "jullie",   "onze",
    "ons",    "hebben",   "worden",   "deze",     "kunnen", "mijn",     "jij",      "uw",
    "je",     "echt",     "met",      "door",     "van",    "uit",      "tot",      "dan",
    "wat",    "daar",     "aan",      "haar",     "hun",    "zij",      "ze",       "dit",
    "wil",    "willen",   "moeten",   "meer",     "minder", "weer",     "waar",     "hoe",
    "nooit",  "altijd",   "elke",     "iedereen", "niks",   "niets",    "alle",     "goed",
    "straat", "wijk",     "buurt",    "gemeente", "mensen", "kinderen", "jongeren", "ouderen",
    "huis",   "woningen", "bewoners", "vrouw",    "jongen", "meisje",   "mevrouw",  "meneer",
    "maak",   "zorg",     "staat",    "staan",    "komt",   "gaat",     "gaan",     "zonder",
    "tegen",  "tussen",   "omdat",    "zodat",    "want",   "bomen",    "stoep",    "stoepen",
    "fiets",  "weg",      NULL};

/* Limburgish words that hunspell-nl does not know and no other language
 * writes ("Sjtroat kapot", "Sjoen plein", "Te väöl verkeer"): for the
 * dictionary rule (classify_lang_dict.c) they are known Dutch words, but
 * no Dutch sign and no word of the counts above (the older rules judge
 * Limburgish without them). */
static const char *const s_limburgish[] = {
    "sjoen",      "sjoon",     "sjtroat",      "sjtraot", "sjtraat", "sjtad",   "sjtat",
    "sjpeeltuin", "veur",      "vur",          "greun",   "neet",    "höbbe",   "wiek",
    "luuj",       "nao",       "kump",         "väöl",    "kinger",  "oavends", "gedoan",
    "heële",      "windmeule", "vastelaovend", "sjlech",  "sjmerig", "sjtoep",  NULL};

/* Dutch prepositions, and the articles that follow them in Dutch alone
 * ("in de", "op het", "naar de"; French and Spanish have "de" but never
 * after these). */
static const char *const s_nl_preps[] = {"in",   "op",    "bij",   "naar",   "aan",
                                         "van",  "voor",  "met",   "uit",    "rond",
                                         "over", "onder", "naast", "achter", "tussen"};
static const char *const s_nl_articles[] = {"de", "het", "een"};

static bool s_in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}

/* Notes w in self->first (lowercase words). */
static void s_first_add(classify_lang_words_t *self, const char *w)
{
    size_t n = strlen(w);
    unsigned char c = (unsigned char)w[0];
    if (n <= LANG_WORD_MAX)
        self->first[n] |= (uint32_t)1 << (c >= 'a' && c <= 'z' ? c - 'a' : 26);
}

static void s_add(classify_lang_words_t *self, const char *w, int value)
{
    s_first_add(self, w);
    value |= GPOINTER_TO_INT(g_hash_table_lookup(self->words, w));
    g_hash_table_insert(self->words, (gpointer)w, GINT_TO_POINTER(value));
}

classify_lang_words_t *classify_lang_words_new(void)
{
    classify_lang_words_t *self = xcalloc(1, sizeof *self);
    self->words = g_hash_table_new(g_str_hash, g_str_equal); /* keys are static strings */
    for (int i = 0; s_dutch[i]; i++)
        s_add(self, s_dutch[i], 1);
    for (int i = 0; s_dutch_only[i]; i++)
        s_add(self, s_dutch_only[i], (i + 1) << 1);
    for (int l = 0; l < LANG_OTHERS; l++)
        for (int i = 0; s_other_lists[l][i]; i++)
            s_add(self, s_other_lists[l][i], 1 << (LANG_BITS_SHIFT + l));
    for (int l = 0; l < LANG_OTHERS; l++)
        for (int i = 0; s_civic_lists[l][i]; i++)
            s_add(self, s_civic_lists[l][i], 1 << (LANG_BITS_SHIFT + l));
    for (int l = 0; l < LANG_OTHERS; l++)
        for (int i = 0; s_shared_lists[l][i]; i++)
            s_add(self, s_shared_lists[l][i], 1 << (LANG_SHARED_SHIFT + l));
    for (int i = 0; s_limburgish[i]; i++)
        s_add(self, s_limburgish[i], LANG_LIMBURG_BIT);
    return self;
}

void classify_lang_words_destroy(classify_lang_words_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    g_hash_table_destroy((*self_p)->words);
    free(*self_p);
    *self_p = NULL;
}

/* The length of the letter at p (a UTF-8 sequence), 0 when it is no
 * letter; *skip gets the bytes to pass either way. *script: 1 Latin,
 * 2 another script (Arabic, Cyrillic, ...), 0 none. Emoji, punctuation
 * ("’", "…") and symbols are no letters. */
static size_t s_letter(const unsigned char *p, const unsigned char *end, size_t *skip, int *script)
{
    unsigned char c = p[0];
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if ((size_t)(end - p) < n)
        n = (size_t)(end - p);
    *skip = n;
    *script = 0;
    if (c < 0x80)
        *script = isalpha(c) ? 1 : 0;
    else if (n == 2 && c >= 0xc3 && c <= 0xca) /* Latin-1 letters, Latin Extended A and B */
        *script = 1;
    else if (n == 2 && c >= 0xcd) /* Greek, Cyrillic, Hebrew, Arabic, ... */
        *script = 2;
    else if (n == 3 && c == 0xe1 && p[1] >= 0xb8 && p[1] <= 0xbb) /* Latin Extended Additional */
        *script = 1;
    else if (n == 3 && c != 0xe2 && c != 0xef) /* not punctuation, symbols, specials */
        *script = 2;
    return *script ? n : 0;
}

/* Lowercases the letter at p (n bytes) into out; returns its length
 * there. ASCII, Latin-1 ("Ç", "Ö") and Latin Extended A ("Ł", "Ś", "Ż",
 * "Ğ"; "İ" becomes "i"). */
static size_t s_lower(const unsigned char *p, size_t n, char *out)
{
    if (n == 1) {
        out[0] = (char)tolower(p[0]);
        return 1;
    }
    if (n != 2 || p[0] < 0xc3 || p[0] > 0xc5) {
        memcpy(out, p, n);
        return n;
    }
    unsigned cp = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    if (cp == 0x130) {
        out[0] = 'i';
        return 1;
    }
    if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
        cp += 0x20;
    else if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
        cp += cp & 1; /* odd capitals */
    else if (cp >= 0x100 && cp <= 0x177 && cp != 0x138 && cp != 0x149)
        cp |= 1; /* even capitals */
    out[0] = (char)(0xc0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
}

void classify_lang_words_count(const classify_lang_words_t *self, const char *text, size_t len,
                               classify_lang_count_t *c)
{
    memset(c, 0, sizeof *c);
    uint64_t seen[2] = {0, 0}; /* s_dutch_only has fewer than 128 words */
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    bool after_prep = false;
    while (p < end) {
        char low[LANG_WORD_MAX + 1];
        size_t wl = 0, lowlen = 0, skip, n;
        int script;
        while (p < end && !s_letter(p, end, &skip, &script)) {
            c->symbol_bytes += *p >= 0x80 ? skip : 0;
            p += skip;
        }
        const unsigned char *w = p;
        while (p < end && (n = s_letter(p, end, &skip, &script)) > 0) {
            c->latin += script == 1;
            c->other_script += script == 2;
            if (lowlen + n <= LANG_WORD_MAX)
                lowlen += s_lower(p, n, low + lowlen);
            else
                lowlen = LANG_WORD_MAX + 1; /* longer than any listed word */
            wl++;
            p += n;
        }
        if (!wl)
            continue;
        c->words++;
        bool prep = false;
        if (lowlen <= LANG_WORD_MAX) {
            low[lowlen] = '\0';
            prep = s_in_list(low, s_nl_preps, sizeof s_nl_preps / sizeof *s_nl_preps);
            c->pairs += after_prep &&
                        s_in_list(low, s_nl_articles, sizeof s_nl_articles / sizeof *s_nl_articles);
        }
        c->preps += prep;
        after_prep = prep;
        int value = 0;
        unsigned char c0 = (unsigned char)low[0];
        if ((wl > 1 || *w >= 0x80) && lowlen <= LANG_WORD_MAX && /* "à", not "W." */
            (self->first[lowlen] >> (c0 >= 'a' && c0 <= 'z' ? c0 - 'a' : 26) & 1)) {
            low[lowlen] = '\0';
            value = GPOINTER_TO_INT(g_hash_table_lookup(self->words, low));
        }
        int common = value & 1, only = ((value >> 1) & LANG_ONLY_MASK) - 1;
        c->dutch += common;
        c->any += common || only >= 0;
        if (only >= 0)
            seen[only / 64] |= (uint64_t)1 << (only % 64);
        int by_letters = s_letters((const char *)w, (size_t)(p - w));
        int langs = 0, shared_by = 0;
        for (int l = 0; l < LANG_OTHERS; l++) {
            int is = (value >> (LANG_BITS_SHIFT + l) & 1) || by_letters == l;
            c->other[l] += is;
            int shared = value >> (LANG_SHARED_SHIFT + l) & 1;
            c->shared[l] += shared;
            c->dutch_not[l] += (common || only >= 0) && !shared;
            c->long_other[l] += is && (wl > LANG_SHORT_WORD || by_letters == l);
            langs |= is << l;
            shared_by |= shared << l;
        }
        size_t at = (size_t)(w - (const unsigned char *)text);
        if (langs && c->spans < LANG_SPANS) {
            c->span[c->spans].at = at;
            c->span[c->spans].len = (size_t)(p - w);
            c->span[c->spans++].langs = langs;
        }
        if (c->words <= LANG_NOTED) {
            c->word[c->noted].at = at;
            c->word[c->noted].len = (size_t)(p - w);
            c->word[c->noted].letters = (int)wl;
            bool listed = common || only >= 0;
            c->word[c->noted].dutch = listed && !langs && !shared_by         ? LANG_DUTCH_SIGN
                                      : listed || (value & LANG_LIMBURG_BIT) ? LANG_DUTCH_LIST
                                                                             : 0;
            c->word[c->noted++].langs = langs;
        }
    }
    if (c->words > LANG_NOTED)
        c->noted = 0;
    c->only_distinct = __builtin_popcountll(seen[0]) + __builtin_popcountll(seen[1]);
}
