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
 *   Two domain rules, because nearly all input in Heerlen is Dutch and
 *   textcat confuses Dutch with its neighbours on short texts:
 *   - when "nl" is among the close candidates, the answer is "nl";
 *   - texts under LANG_MIN_BYTES give NULL unless they are obviously
 *     Dutch: two common Dutch words, or one when textcat also says nl.
 *   - phone numbers, addresses, email addresses and IBANs, and with a
 *     Dutch phone number or address also a capitalised word with a
 *     number ("Schelsberg 55"), are left out of the guess (digits and
 *     street names are no language); a Dutch
 *     phone number or address with fewer than LANG_MIN_BYTES letters
 *     around it is "nl" ("Speeltuin nodig. Bel 0612345675");
 *   - texts with many common Dutch words (LANG_SURE_*), or with two
 *     different words that only Dutch has among the languages residents
 *     write in (s_dutch_only) making up a quarter of the words, are "nl"
 *     without asking textcat, which is the expensive part.
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

/* The two word lists as one hash table (built once per handle), because
 * trying ~120 words with strncasecmp at every word of every text cost
 * more than the textcat calls the lists save. A word maps to
 * (index in s_dutch_only + 1) << 1 | (in s_dutch): never 0, so a miss
 * (NULL) is told apart. */
#define LANG_WORD_MAX 9

struct classify_lang {
    void *tc;
    char code[4];      /* the last answer */
    GHashTable *words; /* lowercase word -> GINT_TO_POINTER(value above) */
    /* first[len]: bit c - 'a' set when a listed word of len bytes starts
     * with c; a word whose length and first letter no listed word has is
     * not looked up (about half of a text's words: the look-up was
     * ~150 instructions a word). */
    uint32_t first[LANG_WORD_MAX + 1];
};

static void s_build(classify_lang_t *self);

/* Common Dutch words; those that are as common in English, French or
 * German ("en", "in", "we", "er") are left out. */
static const char *const s_dutch[] = {
    "de",  "het", "een",  "van", "is",   "niet",  "geen", "meer",  "wij",
    "ik",  "op",  "voor", "met", "zijn", "wordt", "moet", "graag", "te", NULL};

/* Words that are Dutch and not a common word of English, German, French,
 * Polish or Turkish (so no "die", "er", "hier", "als", "in", "de", "is",
 * "was"): function words, and the everyday words of ideas about a town. */
static const char *const s_dutch_only[] = {
    "het",      "een",     "niet",    "geen",      "wij",       "ik",       "voor",
    "zijn",     "wordt",   "moet",    "graag",     "ook",       "maar",     "bij",
    "naar",     "dat",     "nog",     "wel",       "heel",      "zou",      "veel",
    "mooi",     "jullie",  "onze",    "ons",       "hebben",    "worden",   "deze",
    "kunnen",   "mijn",    "jij",     "uw",        "je",        "echt",     "met",
    "door",     "van",     "uit",     "tot",       "dan",       "wat",      "daar",
    "aan",      "haar",    "hun",     "zij",       "ze",        "dit",      "wil",
    "willen",   "moeten",  "meer",    "minder",    "weer",      "waar",     "hoe",
    "nooit",    "altijd",  "elke",    "iedereen",  "niks",      "niets",    "alle",
    "goed",     "straat",  "wijk",    "buurt",     "gemeente",  "mensen",   "kinderen",
    "jongeren", "ouderen", "huis",    "woningen",  "bewoners",  "vrouw",    "jongen",
    "meisje",   "mevrouw", "meneer",  "maak",      "zorg",      "staat",    "staan",
    "komt",     "gaat",    "gaan",    "zonder",    "tegen",     "tussen",   "omdat",
    "zodat",    "want",    "bomen",   "stoep",     "stoepen",   "fiets",    "weg",
    NULL};

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

/* Notes w in self->first (the lists are lowercase a-z). */
static void s_first_add(classify_lang_t *self, const char *w)
{
    size_t n = strlen(w);
    if (n <= LANG_WORD_MAX && w[0] >= 'a' && w[0] <= 'z')
        self->first[n] |= (uint32_t)1 << (w[0] - 'a');
    else if (n <= LANG_WORD_MAX)
        self->first[n] = UINT32_MAX; /* not a-z: every word of this length is looked up */
}

static void s_build(classify_lang_t *self)
{
    for (int i = 0; s_dutch[i]; i++)
        s_first_add(self, s_dutch[i]);
    for (int i = 0; s_dutch_only[i]; i++)
        s_first_add(self, s_dutch_only[i]);
    self->words = g_hash_table_new(g_str_hash, g_str_equal); /* keys are static strings */
    for (int i = 0; s_dutch[i]; i++)
        g_hash_table_insert(self->words, (gpointer)s_dutch[i], GINT_TO_POINTER(1));
    for (int i = 0; s_dutch_only[i]; i++) {
        int common = GPOINTER_TO_INT(g_hash_table_lookup(self->words, s_dutch_only[i])) & 1;
        g_hash_table_insert(self->words, (gpointer)s_dutch_only[i],
                            GINT_TO_POINTER((i + 1) << 1 | common));
    }
}

/* Number of common Dutch words in text (whole words, ASCII case-folded);
 * *words gets the number of words looked at, *only_distinct the number
 * of different s_dutch_only words and *any the words in either list. */
static int s_dutch_words(classify_lang_t *self, const char *text, size_t len, int *words,
                         int *only_distinct, int *any)
{
    int n = 0, all = 0, either = 0;
    uint64_t seen[2] = {0, 0}; /* s_dutch_only has fewer than 128 words */
    const char *p = text, *end = text + len;
    while (p < end) {
        while (p < end && !isalpha((unsigned char)*p))
            p++;
        const char *w = p;
        while (p < end && isalpha((unsigned char)*p))
            p++;
        size_t wl = (size_t)(p - w);
        all += wl > 0;
        int value = 0;
        int c0 = wl ? tolower((unsigned char)w[0]) : 0;
        bool maybe = wl && wl <= LANG_WORD_MAX &&
                     (self->first[wl] == UINT32_MAX ||
                      (c0 >= 'a' && c0 <= 'z' && (self->first[wl] >> (c0 - 'a') & 1)));
        if (maybe) {
            char low[LANG_WORD_MAX + 1];
            for (size_t i = 0; i < wl; i++)
                low[i] = (char)tolower((unsigned char)w[i]);
            low[wl] = '\0';
            value = GPOINTER_TO_INT(g_hash_table_lookup(self->words, low));
        }
        int common = value & 1, only = (value >> 1) - 1;
        n += common;
        either += common || only >= 0;
        if (only >= 0)
            seen[only / 64] |= (uint64_t)1 << (only % 64);
    }
    *words = all;
    *only_distinct = __builtin_popcountll(seen[0]) + __builtin_popcountll(seen[1]);
    *any = either;
    return n;
}

/* What classify_lang() learns from the personal data in a text. */
typedef struct {
    char *text;    /* a copy: places are blanked in it */
    int dutch_pii; /* Dutch phone numbers and addresses found */
} s_pii_t;

static int s_blank(void *arg, const char *kind, size_t start, size_t end)
{
    s_pii_t *b = arg;
    memset(b->text + start, ' ', end - start);
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
 * textcat). Returns the number of letters left; *dutch_pii gets the
 * number of Dutch phone numbers and addresses. */
static int s_without_pii(const char *text, size_t len, char *out, int *dutch_pii)
{
    static const char *const kinds[] = {"phone", "postcode", "email", "iban"};
    memcpy(out, text, len);
    out[len] = '\0';
    s_pii_t b = {out, 0};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        classify_pii_find(out, kinds[i], NULL, s_blank, &b);
    if (b.dutch_pii) /* not in field notes: "Jongen 15: skatebaan kapot" */
        s_blank_numbered_names(out);
    int letters = 0;
    for (size_t i = 0; i < len; i++)
        letters += isalpha((unsigned char)out[i]) || (unsigned char)out[i] >= 0x80;
    *dutch_pii = b.dutch_pii;
    return letters;
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

const char *classify_lang(classify_lang_t *self, const char *text)
{
    if (!text)
        return NULL;
    size_t len = strlen(text);
    if (len > LANG_MAX_BYTES)
        len = LANG_MAX_BYTES;
    int words, only, any, dutch = s_dutch_words(self, text, len, &words, &only, &any);
    if (len >= LANG_MIN_BYTES && dutch >= LANG_SURE_WORDS && dutch * 100 >= words * LANG_SURE_PCT)
        return "nl";
    if (only >= LANG_ONLY_WORDS && any * 100 >= words * LANG_ONLY_PCT)
        return "nl";
    if (len < LANG_MIN_BYTES && dutch == 0 && !strpbrk(text, "0123456789"))
        return NULL; /* what the rules below give whatever textcat says */
    /* A Dutch phone number or address with too little text around it to
     * tell ("Speeltuin nodig. Bel 0612345675, Schelsberg 55") is Dutch;
     * with more, textcat judges the text without them. */
    char clean[LANG_MAX_BYTES + 1];
    int dutch_pii, letters = s_without_pii(text, len, clean, &dutch_pii);
    if (dutch_pii > 0 && letters < LANG_MIN_BYTES)
        return "nl";
    if (len < LANG_MIN_BYTES && dutch == 0)
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
    int nl = strstr(answer, "[nl-") != NULL;
    if (len < LANG_MIN_BYTES)
        return dutch >= (nl ? 1 : 2) ? "nl" : NULL;
    if (nl)
        return "nl";
    s_first(answer, self->code);
    return self->code[0] ? self->code : NULL;
}
