/*
 * NAME
 *   classify_lang_words - frequent words of English, German, Polish,
 *   Turkish and French, for the language guess
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
 *   the NOS). Single letters never count (initials: "W. Frijns"), except
 *   a letter with an accent: French "à".
 */
#include "classify_lang_int.h"

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

const char *const *const classify_lang_lists[LANG_OTHERS] = {s_en, s_de, s_pl, s_tr, s_fr};

int classify_lang_letters(const char *word, size_t len)
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
