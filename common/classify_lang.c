/*
 * NAME
 *   classify_lang - the language of an idea's text, with libexttextcat
 *
 * DESCRIPTION
 *   textcat_Classify() answers a list of close candidates, e.g.
 *   "[nl--utf8][af--utf8]", or "SHORT" / "UNKNOWN". The first candidate's
 *   language part becomes an ISO 639-1 code; three-letter codes (languages
 *   without a 639-1 code) give NULL.
 *
 *   textcat compares letter n-grams, which on a short text say little
 *   ("More student bars would be nice" reads as Dutch), so words come
 *   first, then textcat, with these rules:
 *   - a text mostly in another script than Latin (Arabic, Cyrillic) is
 *     never Dutch: textcat's first candidate, from two words on;
 *   - words of English, German, Polish, Turkish or French
 *     (classify_lang_words.c, no word of Dutch or Limburgish), at least LANG_OTHER_WORDS, more
 *     than the Dutch words and LANG_OTHER_PCT of all words, give that
 *     language without asking textcat; one or two of them, all short
 *     ("at the"), give "nl" when the rest of the text reads as Dutch to
 *     textcat ("Voetbalkooi at the schoolplein");
 *   - texts with many common Dutch words (LANG_SURE_*), or with two
 *     different words that only Dutch has among the languages residents
 *     write in (s_dutch_only) making up a quarter of the words, are "nl"
 *     without asking textcat, which is the expensive part;
 *   - phone numbers, addresses, email addresses and IBANs, and with a
 *     Dutch phone number or address also a capitalised word with a
 *     number ("Schelsberg 55"), are left out of the guess (digits and
 *     street names are no language); a Dutch phone number or address
 *     with fewer than LANG_MIN_BYTES letters around it is "nl"
 *     ("Speeltuin nodig. Bel 0612345675");
 *   - a language whose words the text has, more than Dutch ones, is the
 *     answer when textcat lists it too (on a short text: first); with
 *     only one such word, not when textcat lists Dutch as well (Dutch
 *     borrows English words: "Zwembad terug in Heerlerbaan please");
 *   - texts under LANG_MIN_BYTES (or with fewer letters once an email
 *     address is left out) give NULL unless obviously Dutch: two common
 *     Dutch words, or one when textcat also says nl;
 *   - when "nl" is among textcat's close candidates, the answer is "nl"
 *     (nearly all input in Heerlen is Dutch);
 *   - a text under LANG_MIN_BYTES once its emoji are left out, not
 *     Dutch to textcat, gives NULL ("Brunssummerheide 😍🌲": German);
 *   - a few words (LANG_FEW_WORDS) with no word of another list, which
 *     textcat gives a language without a word list (Romanian), are "nl"
 *     with a word only Dutch has, a Dutch preposition and an article
 *     ("in de") or a preposition and a Heerlen wijk or buurt name
 *     (classify_lang_set_geo: "Openbare wc in Benzenrade.");
 *   - when textcat says English, German, Polish, Turkish or French but
 *     the text has none of that language's words and some Dutch ones, it is "nl":
 *     Limburgish reads as German ("Ich wil gein windmeule hie").
 *   Only the first LANG_MAX_BYTES are looked at: more does not change the
 *   answer and textcat's time grows with the length.
 *
 *   Which languages are told apart comes from a libexttextcat config
 *   file: the project's data/nl/textcat.conf (about 20 languages, see
 *   there why) or, without it, libexttextcat's own list of over 160.
 *   textcat compares every text with every fingerprint in the list, so
 *   the short list makes the guess about 8x cheaper.
 *
 *   textcat keeps state in its handle: one handle per thread.
 */
#include <ctype.h>
#include <glib.h>
#include <libexttextcat/textcat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "classify_lang_int.h"
#include "xalloc.h"

#define LANG_CONF "/usr/share/libexttextcat/fpdb.conf"
#define LANG_PREFIX "/usr/share/libexttextcat/"
#define LANG_MIN_BYTES 25
#define LANG_MAX_BYTES 2000
/* Obviously Dutch, textcat not asked: at least this many common Dutch
 * words, making up at least this share of the words. textcat (building
 * the text's n-gram fingerprint and comparing it) was half of the
 * classifier's time; on the bench's and the dev set's texts the shortcut
 * changes no answer (checked when it was added). */
#define LANG_SURE_WORDS 4
#define LANG_SURE_PCT 15
/* The second shortcut: two different Dutch-only words, and the Dutch
 * words of both lists at least this share of all words. Field notes
 * ("Vrouw (35): wil meer straatverlichting") have few of the words in
 * s_dutch but nearly always two of s_dutch_only. */
#define LANG_ONLY_WORDS 2
#define LANG_ONLY_PCT 25

/* The word lists as one hash table (built once per handle), because
 * trying ~300 words with strncasecmp at every word of every text cost
 * more than the textcat calls the lists save. A word maps to
 * (in s_dutch) | (index in s_dutch_only + 1) << 1 | (bit of each other
 * language whose list has it) << LANG_BITS_SHIFT: never 0, so a miss
 * (NULL) is told apart. Words are lowercased UTF-8 (classify_lang_int.h
 * has the other languages' lists). */
#define LANG_WORD_MAX 14
#define LANG_ONLY_MASK 0x7f /* s_dutch_only index + 1: below 128 */
#define LANG_BITS_SHIFT 8
/* Another language by its words, textcat not asked: at least this many
 * of its words, more than the Dutch ones, and at least this share of all
 * words ("I would like more bike lanes in Heerlen": i, would, like,
 * more). */
#define LANG_OTHER_WORDS 2
#define LANG_OTHER_PCT 20

/* At most this many words make a text "a few words" (LANG_FEW_WORDS),
 * on which textcat's letter n-grams land on a language we have no word
 * list for ("Een pumptrack in Imstenrade." reads as Romanian): a Dutch
 * sign outweighs them there. */
#define LANG_FEW_WORDS 8

/* Two words of another language or fewer that are all short ("at the",
 * "to the") are function words a Dutch line may carry ("Voetbalkooi at
 * the schoolplein"): the text is Dutch when its rest, without them,
 * reads as Dutch to textcat. More of them are that language ("Most of
 * my fellow students at Zuyd go home to Maastricht"). LANG_SPANS: how
 * many such words are noted. */
#define LANG_SHORT_WORD 3
#define LANG_SPANS 16

struct classify_lang {
    const geo_t *geo; /* wijk and buurt names, or NULL */
    void *tc;
    char code[4];      /* the last answer */
    GHashTable *words; /* lowercase word -> GINT_TO_POINTER(value above) */
    /* first[len]: bit c - 'a' set when a listed word of len bytes starts
     * with c, bit 26 when one starts with a byte over 127; a word whose
     * length and first letter no listed word has is not looked up (about
     * half of a text's words: the look-up was ~150 instructions a word). */
    uint32_t first[LANG_WORD_MAX + 1];
};

static void s_build(classify_lang_t *self);

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

classify_lang_t *classify_lang_new(char *err, size_t errlen)
{
    return classify_lang_new_conf(NULL, err, errlen);
}

classify_lang_t *classify_lang_new_conf(const char *conf, char *err, size_t errlen)
{
    if (!conf)
        conf = LANG_CONF;
    void *tc = special_textcat_Init(conf, LANG_PREFIX);
    if (!tc) {
        snprintf(err, errlen, "cannot read the libexttextcat fingerprints (%s)", conf);
        return NULL;
    }
    classify_lang_t *self = xcalloc(1, sizeof *self);
    self->tc = tc;
    s_build(self);
    return self;
}

void classify_lang_destroy(classify_lang_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    textcat_Done((*self_p)->tc);
    g_hash_table_destroy((*self_p)->words);
    free(*self_p);
    *self_p = NULL;
}

void classify_lang_set_geo(classify_lang_t *self, const geo_t *geo)
{
    if (self)
        self->geo = geo;
}

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
static void s_first_add(classify_lang_t *self, const char *w)
{
    size_t n = strlen(w);
    unsigned char c = (unsigned char)w[0];
    if (n <= LANG_WORD_MAX)
        self->first[n] |= (uint32_t)1 << (c >= 'a' && c <= 'z' ? c - 'a' : 26);
}

static void s_add(classify_lang_t *self, const char *w, int value)
{
    s_first_add(self, w);
    value |= GPOINTER_TO_INT(g_hash_table_lookup(self->words, w));
    g_hash_table_insert(self->words, (gpointer)w, GINT_TO_POINTER(value));
}

static void s_build(classify_lang_t *self)
{
    self->words = g_hash_table_new(g_str_hash, g_str_equal); /* keys are static strings */
    for (int i = 0; s_dutch[i]; i++)
        s_add(self, s_dutch[i], 1);
    for (int i = 0; s_dutch_only[i]; i++)
        s_add(self, s_dutch_only[i], (i + 1) << 1);
    for (int l = 0; l < LANG_OTHERS; l++)
        for (int i = 0; classify_lang_lists[l][i]; i++)
            s_add(self, classify_lang_lists[l][i], 1 << (LANG_BITS_SHIFT + l));
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

/* What the words of a text say. */
typedef struct {
    int words;                   /* words looked at */
    int dutch;                   /* words of s_dutch */
    int only_distinct;           /* different words of s_dutch_only */
    int any;                     /* words of either Dutch list */
    int other[LANG_OTHERS];      /* words of each other language */
    int latin, other_script;     /* letters in Latin script, in another */
    int preps;                   /* Dutch prepositions (s_nl_preps) */
    int pairs;                   /* a Dutch preposition, then an article ("in de") */
    size_t symbol_bytes;         /* bytes of emoji and other non-ASCII non-letters */
    int long_other[LANG_OTHERS]; /* of those, words of 4+ letters or told by letters */
    /* where the words of other languages are (the first LANG_SPANS) */
    struct {
        size_t at, len;
        int langs; /* bit of each language whose word it is */
    } span[LANG_SPANS];
    int spans;
} s_words_t;

/* Counts the words of text (len bytes) into *c. */
static void s_count(classify_lang_t *self, const char *text, size_t len, s_words_t *c)
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
        int by_letters = classify_lang_letters((const char *)w, (size_t)(p - w));
        int langs = 0;
        for (int l = 0; l < LANG_OTHERS; l++) {
            int is = (value >> (LANG_BITS_SHIFT + l) & 1) || by_letters == l;
            c->other[l] += is;
            c->long_other[l] += is && (wl > LANG_SHORT_WORD || by_letters == l);
            langs |= is << l;
        }
        if (langs && c->spans < LANG_SPANS) {
            c->span[c->spans].at = (size_t)(w - (const unsigned char *)text);
            c->span[c->spans].len = (size_t)(p - w);
            c->span[c->spans++].langs = langs;
        }
    }
    c->only_distinct = __builtin_popcountll(seen[0]) + __builtin_popcountll(seen[1]);
}

/* The other language with the most words in c (the first of equals), or
 * -1 when no word is of another language. */
static int s_other(const s_words_t *c)
{
    int best = -1;
    for (int l = 0; l < LANG_OTHERS; l++)
        if (c->other[l] > 0 && (best < 0 || c->other[l] > c->other[best]))
            best = l;
    return best;
}

/* The index of code among the languages with a word list, or -1. */
static int s_listed_code(const char *code)
{
    for (int l = 0; l < LANG_OTHERS; l++)
        if (strcmp(code, classify_lang_codes[l]) == 0)
            return l;
    return -1;
}

/* What classify_lang() learns from the personal data in a text. */
typedef struct {
    char *text;    /* a copy: places are blanked in it */
    int dutch_pii; /* Dutch phone numbers and addresses found */
    int found;     /* places found */
} s_pii_t;

static int s_blank(void *arg, const char *kind, size_t start, size_t end)
{
    s_pii_t *b = arg;
    memset(b->text + start, ' ', end - start);
    b->found++;
    b->dutch_pii += strcmp(kind, "phone") == 0 || strcmp(kind, "postcode") == 0;
    return 0;
}

/* Blanks a capitalised word followed by a number ("Schelsberg 55",
 * "Lijn 40"): next to a phone number mostly a street the address rule
 * does not know; no language either way. */
static void s_blank_numbered_names(char *text)
{
    for (char *p = text; *p; p++) {
        if (!(isupper((unsigned char)*p) || (unsigned char)*p == 0xc3) ||
            (p > text && !isspace((unsigned char)p[-1]) && !ispunct((unsigned char)p[-1])))
            continue;
        char *e = p + 1;
        while (isalpha((unsigned char)*e) || (unsigned char)*e >= 0x80)
            e++;
        char *n = e + (*e == ' ');
        if (n == e || !isdigit((unsigned char)*n)) {
            p = e - 1;
            continue;
        }
        while (isdigit((unsigned char)*n) || isalpha((unsigned char)*n))
            n++;
        memset(p, ' ', (size_t)(n - p));
        p = n - 1;
    }
}

/* Blanks the phone numbers, addresses, email addresses and IBANs in
 * text (len bytes, copied into out, NUL-terminated): their digits and
 * street names are no language ("Schelsberg 55" reads as German to
 * textcat). Returns the number of letters left, or -1 when nothing
 * was found; *dutch_pii gets the number of Dutch phone numbers and
 * addresses. */
static int s_without_pii(const char *text, size_t len, char *out, int *dutch_pii)
{
    static const char *const kinds[] = {"phone", "postcode", "email", "iban"};
    memcpy(out, text, len);
    out[len] = '\0';
    s_pii_t b = {out, 0, 0};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        classify_pii_find(out, kinds[i], NULL, s_blank, &b);
    if (b.dutch_pii) /* not in field notes: "Jongen 15: skatebaan kapot" */
        s_blank_numbered_names(out);
    int letters = 0;
    for (size_t i = 0; i < len; i++)
        letters += isalpha((unsigned char)out[i]) || (unsigned char)out[i] >= 0x80;
    *dutch_pii = b.dutch_pii;
    return b.found ? letters : -1;
}

/* The language of the first "[xx--utf8]" candidate into code, or "". */
static void s_first(const char *answer, char code[4])
{
    code[0] = '\0';
    if (answer[0] != '[')
        return;
    size_t n = strcspn(answer + 1, "-]");
    if (n == 2 && isalpha((unsigned char)answer[1]) && isalpha((unsigned char)answer[2])) {
        code[0] = (char)tolower((unsigned char)answer[1]);
        code[1] = (char)tolower((unsigned char)answer[2]);
        code[2] = '\0';
    }
}

/* Whether answer (textcat's candidates) lists language code. */
static bool s_lists(const char *answer, const char *code)
{
    char tag[8];
    snprintf(tag, sizeof tag, "[%s-", code);
    return strstr(answer, tag) != NULL;
}

/* A text mostly in another script than Latin (Arabic, Cyrillic, ...):
 * never Dutch, and textcat tells these apart even when short
 * ("الملعب مكسور"). */
static const char *s_script(classify_lang_t *self, const char *text, size_t len)
{
    const char *answer = textcat_Classify(self->tc, text, len);
    if (!answer)
        return NULL;
    s_first(answer, self->code);
    return self->code[0] && strcmp(self->code, "nl") != 0 ? self->code : NULL;
}

/* Whether other (a language of c) has only one or two short words in
 * text ("at", "the") and the rest of the text, without them, reads as
 * Dutch to textcat ("Voetbalkooi schoolplein"): then they are function
 * words a Dutch line carries, not that language. */
static bool s_short_words_in_dutch(classify_lang_t *self, const char *text, size_t len,
                                   const s_words_t *c, int other)
{
    if (other < 0 || c->long_other[other] > 0 || c->other[other] > LANG_OTHER_WORDS)
        return false;
    char rest[LANG_MAX_BYTES];
    size_t n = 0, from = 0;
    for (int i = 0; i <= c->spans; i++) {
        if (i < c->spans && !(c->span[i].langs >> other & 1))
            continue;
        size_t to = i < c->spans ? c->span[i].at : len;
        for (size_t k = from; k < to; k++) /* one blank where a word was left out */
            if (text[k] != ' ' || (n > 0 && rest[n - 1] != ' '))
                rest[n++] = text[k];
        from = i < c->spans ? to + c->span[i].len : len;
    }
    const char *answer = textcat_Classify(self->tc, rest, n);
    char code[4];
    if (!answer)
        return false;
    s_first(answer, code);
    return strcmp(code, "nl") == 0;
}

const char *classify_lang(classify_lang_t *self, const char *text)
{
    if (!text)
        return NULL;
    const char *given = text; /* text is blanked and lowercased below */
    size_t len = strlen(text);
    if (len > LANG_MAX_BYTES)
        len = LANG_MAX_BYTES;
    s_words_t c;
    s_count(self, text, len, &c);
    if (c.other_script > c.latin) /* one word ("شكرا") is too little for textcat */
        return c.words >= 2 ? s_script(self, text, len) : NULL;
    int dutch = c.dutch, other = s_other(&c), n_other = other >= 0 ? c.other[other] : 0;
    if (s_short_words_in_dutch(self, text, len, &c, other))
        return "nl";
    if (n_other >= LANG_OTHER_WORDS && n_other > c.any && n_other * 100 >= c.words * LANG_OTHER_PCT)
        return classify_lang_codes[other];
    if (len >= LANG_MIN_BYTES && dutch >= LANG_SURE_WORDS && dutch * 100 >= c.words * LANG_SURE_PCT)
        return "nl";
    if (c.only_distinct >= LANG_ONLY_WORDS && c.any * 100 >= c.words * LANG_ONLY_PCT)
        return "nl";
    if (len < LANG_MIN_BYTES && dutch == 0 && !n_other && !strpbrk(text, "0123456789"))
        return NULL; /* what the rules below give whatever textcat says */
    /* A Dutch phone number or address with too little text around it to
     * tell ("Speeltuin nodig. Bel 0612345675, Schelsberg 55") is Dutch;
     * with more, textcat judges the text without them. */
    char clean[LANG_MAX_BYTES + 1];
    int dutch_pii, letters = s_without_pii(text, len, clean, &dutch_pii);
    if (dutch_pii > 0 && letters < LANG_MIN_BYTES)
        return "nl";
    /* short: also with too few letters once an email address is left
     * out ("Mail me at john.smith@example.com") */
    bool short_text = len < LANG_MIN_BYTES || (letters >= 0 && letters < LANG_MIN_BYTES);
    if (short_text && dutch == 0 && !n_other)
        return NULL;
    text = clean;
    /* The fingerprints are of ordinary text: a text IN CAPITALS (a few
     * residents write so) is guessed from its lowercase form. */
    char low[LANG_MAX_BYTES];
    int caps = 0, small = 0;
    for (size_t i = 0; i < len; i++) {
        caps += text[i] >= 'A' && text[i] <= 'Z';
        small += text[i] >= 'a' && text[i] <= 'z';
    }
    if (caps > 2 * small) {
        for (size_t i = 0; i < len; i++)
            low[i] = (char)tolower((unsigned char)text[i]);
        text = low;
    }
    const char *answer = textcat_Classify(self->tc, text, len);
    if (!answer)
        return NULL;
    int nl = s_lists(answer, "nl");
    s_first(answer, self->code);
    /* A word of another language and textcat's agreement outweigh the
     * Dutch words, when there are fewer of those ("Der Spielplatz ist
     * kaputt", "Plac zabaw jest zepsuty"); a single such word only when
     * textcat does not also find Dutch: Dutch borrows English words
     * ("Zwembad terug in Heerlerbaan please") */
    if (other >= 0 && n_other > c.any && (n_other >= LANG_OTHER_WORDS || !nl) &&
        (short_text ? strcmp(self->code, classify_lang_codes[other]) == 0
                    : s_lists(answer, classify_lang_codes[other])))
        return classify_lang_codes[other];
    if (short_text)
        return dutch >= (nl ? 1 : 2) ? "nl" : NULL;
    if (nl)
        return "nl";
    /* Short once its emoji are left out, and not Dutch to textcat: too
     * little to tell ("Brunssummerheide 😍🌲" reads as German) */
    if (len - c.symbol_bytes < LANG_MIN_BYTES && !n_other)
        return NULL;
    /* A few words with no word of another list, which textcat gives a
     * language we have no word list for, are Dutch when they have a word
     * only Dutch has ("Een pumptrack ..."), a preposition and an article
     * ("wc in de binnenstad") or a preposition and a Heerlen place
     * ("Openbare wc in Benzenrade."): Romanian to textcat. */
    const char *wk, *bu;
    if (c.words <= LANG_FEW_WORDS && other < 0 && s_listed_code(self->code) < 0 &&
        (c.only_distinct > 0 || c.pairs > 0 ||
         (c.preps > 0 && self->geo && classify_wijk_in_text(self->geo, given, &wk, &bu) == 0)))
        return "nl";
    /* textcat's language has a word list, and the text has none of its
     * words but Dutch ones: Limburgish reads as German to textcat ("Ich
     * wil gein windmeule hie") */
    int l = s_listed_code(self->code);
    if (l >= 0 && c.other[l] == 0 && c.any > 0)
        return "nl";
    return self->code[0] ? self->code : NULL;
}
