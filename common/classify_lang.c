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
 *     (classify_lang_words.c, no word of Dutch or Limburgish), at least
 *     LANG_OTHER_WORDS, more than the Dutch words that language does not
 *     write too (French writes "de" and "je") and LANG_OTHER_PCT of all
 *     words, give that language without asking textcat; one or two of
 *     them, all short ("at the"), give "nl" when the rest of the text
 *     reads as Dutch, and not as that language, to textcat ("Voetbalkooi
 *     at the schoolplein"), and in a few words has fewer words the Dutch
 *     dictionary lacks than it knows ("Parken zu teuer" is no Dutch:
 *     "teuer");
 *   - texts with many common Dutch words (LANG_SURE_*), or with two
 *     different words that only Dutch has among the languages residents
 *     write in (s_dutch_only, classify_lang_words.c) making up a quarter
 *     of the words, are "nl" without asking textcat, the expensive part;
 *   - a text of a few words (2 to LANG_NOTED) that hunspell-nl, the
 *     Dutch lists or Heerlen's place names know, with no word of another
 *     list (or one, beside a Dutch word no other language writes), is
 *     "nl" without asking textcat: "Fietspad kapot", "Busstation
 *     centrum opknappen" (English to textcat), "Crêpes à la carte in het
 *     centrum" (French); the rule and its bounds: classify_lang_dict.c;
 *   - a text without letters (emoji, numbers, a phone number alone) has
 *     no language;
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
 *     Dutch words, or one when textcat also says nl, not counting words
 *     the text's other language writes too ("Trop de voitures": "de");
 *   - when "nl" is among textcat's close candidates, the answer is "nl"
 *     (nearly all input in Heerlen is Dutch);
 *   - a text under LANG_MIN_BYTES once its emoji are left out, not
 *     Dutch to textcat, gives NULL ("Brunssummerheide 😍🌲": German);
 *   - a few words (LANG_FEW_WORDS) with no word of another list, which
 *     textcat gives a language without a word list (Romanian), are "nl"
 *     with a word only Dutch has, a Dutch preposition and an article
 *     ("in de") or a preposition and a Heerlen wijk or buurt name
 *     (classify_lang_set_geo: "Openbare wc in Benzenrade.");
 *   - textcat's first French, a letter French writes ("ô", "è") and no
 *     Dutch word French does not write: "fr", though textcat lists Dutch
 *     after it ("Ligne de bus vers l'hôpital");
 *   - when textcat says English, German, Polish, Turkish or French but
 *     the text has none of that language's words, it is the language of
 *     the text's other words, when they outnumber the Dutch words that
 *     language does not write ("Plus de bus vers Maastricht le
 *     dimanche": German to textcat), else "nl" with a Dutch word textcat's
 *     language does not write: Limburgish reads as German ("Ich wil gein
 *     windmeule hie"), but French "de" and "je" are no Dutch sign ("Je
 *     voudrais plus de fleurs et des bancs");
 *   - when textcat says Romanian and the text has a letter French writes
 *     and Romanian never does ("è", "ç", "à", ...), it is "fr" ("Piste de
 *     pumptrack près de la gare"); so it is when textcat lists French too
 *     and the text has a French word ("de", "la" count), no letter of
 *     Romanian and no Dutch word French does not write ("Salle de sport
 *     municipale").
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
#include <libexttextcat/textcat.h>
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
 * s_dutch but nearly always two of s_dutch_only (classify_lang_words.c). */
#define LANG_ONLY_WORDS 2
#define LANG_ONLY_PCT 25

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

struct classify_lang {
    const geo_t *geo; /* wijk and buurt names, or NULL */
    void *tc;
    char code[4];                 /* the last answer */
    classify_lang_words_t *words; /* the word lists (classify_lang_int.h) */
};

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
    self->words = classify_lang_words_new();
    return self;
}

void classify_lang_destroy(classify_lang_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    textcat_Done((*self_p)->tc);
    classify_lang_words_destroy(&(*self_p)->words);
    free(*self_p);
    *self_p = NULL;
}

void classify_lang_set_geo(classify_lang_t *self, const geo_t *geo)
{
    if (self)
        self->geo = geo;
}

/* The other language with the most words in c (the first of equals), or
 * -1 when no word is of another language. */
static int s_other(const classify_lang_count_t *c)
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

/* Whether text has a letter Romanian writes ("ă", "â", "î", "ș", "ț",
 * and the cedilla forms "ş", "ţ" many keyboards give). */
static bool s_romanian_letter(const char *text)
{
    static const char *const letters[] = {"ă", "â", "î", "ș", "ț", "ş", "ţ",
                                          "Ă", "Â", "Î", "Ș", "Ț", "Ş", "Ţ"};
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (strstr(text, letters[i]))
            return true;
    return false;
}

/* Whether text has a letter French writes and Romanian never does
 * ("è", "ê", "ç", "à", "ù", "û", "ô", "œ"; not "ë" or "ï", which Dutch
 * writes in "ideeën" and "ruïne"). */
static bool s_french_letter(const char *text)
{
    static const char *const letters[] = {"è", "ê", "ç", "à", "ù", "û", "ô", "œ",
                                          "È", "Ê", "Ç", "À", "Ù", "Û", "Ô", "Œ"};
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (strstr(text, letters[i]))
            return true;
    return false;
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
                                   const classify_lang_count_t *c, int other)
{
    if (other < 0 || c->long_other[other] > 0 || c->other[other] > LANG_OTHER_WORDS)
        return false;
    /* and, in a few words, the rest are no words the Dutch dictionary
     * lacks: "Parken zu teuer" ("Parken teuer" reads as Dutch) */
    classify_lang_tally_t t;
    classify_lang_dict_tally(c, text, self->geo, &t);
    if (t.dict && t.unknown > 0 && t.unknown >= t.known)
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
    /* and not as that language as well: "La route vers stade
     * dangereuse" (without "le", "est") reads as Dutch, then French */
    return strcmp(code, "nl") == 0 && !s_lists(answer, classify_lang_codes[other]);
}

const char *classify_lang(classify_lang_t *self, const char *text)
{
    if (!text)
        return NULL;
    const char *given = text; /* text is blanked and lowercased below */
    size_t len = strlen(text);
    if (len > LANG_MAX_BYTES)
        len = LANG_MAX_BYTES;
    classify_lang_count_t c;
    classify_lang_words_count(self->words, text, len, &c);
    if (c.words == 0) /* no letters: emoji, numbers, a phone number alone */
        return NULL;
    if (c.other_script > c.latin) /* one word ("شكرا") is too little for textcat */
        return c.words >= 2 ? s_script(self, text, len) : NULL;
    int dutch = c.dutch, other = s_other(&c), n_other = other >= 0 ? c.other[other] : 0;
    if (s_short_words_in_dutch(self, text, len, &c, other))
        return "nl";
    /* Dutch words that other writes too ("de" in French) count for neither */
    int dutch_vs_other = other >= 0 ? c.dutch_not[other] : c.any;
    if (n_other >= LANG_OTHER_WORDS && n_other > dutch_vs_other &&
        n_other * 100 >= c.words * LANG_OTHER_PCT)
        return classify_lang_codes[other];
    if (len >= LANG_MIN_BYTES && dutch >= LANG_SURE_WORDS && dutch * 100 >= c.words * LANG_SURE_PCT)
        return "nl";
    if (c.only_distinct >= LANG_ONLY_WORDS && c.any * 100 >= c.words * LANG_ONLY_PCT)
        return "nl";
    /* A few words a Dutch dictionary knows ("Fietspad kapot", "Busstation
     * centrum opknappen"): too little for textcat (classify_lang_dict.c) */
    if (classify_lang_dict_dutch(&c, given, self->geo))
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
    if (other >= 0 && n_other > dutch_vs_other && (n_other >= LANG_OTHER_WORDS || !nl) &&
        (short_text ? strcmp(self->code, classify_lang_codes[other]) == 0
                    : s_lists(answer, classify_lang_codes[other])))
        return classify_lang_codes[other];
    /* Dutch words the other language writes too are no sign ("Trop de
     * voitures": "de") */
    if (short_text)
        return dutch >= (nl ? 1 : 2) && (other < 0 || c.dutch_not[other] > 0) ? "nl" : NULL;
    /* French to textcat first, with a letter Romanian and Dutch do not
     * write and no Dutch word French does not write as well: French,
     * though textcat lists Dutch after it ("Ligne de bus vers
     * l'hôpital": "de" is both) */
    int fr = s_listed_code("fr");
    if (strcmp(self->code, "fr") == 0 && c.dutch_not[fr] == 0 && s_french_letter(given))
        return "fr";
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
    if (l >= 0 && c.other[l] == 0 && other >= 0 && n_other > dutch_vs_other)
        return classify_lang_codes[other]; /* "Plus de bus vers Maastricht le dimanche": German */
    if (l >= 0 && c.other[l] == 0 && c.dutch_not[l] > 0)
        return "nl";
    /* Romanian to textcat, with a letter only French of the two writes
     * ("Piste de pumptrack près de la gare"), or French among its
     * candidates, a French word and no letter of Romanian or Dutch word
     * French does not write ("Salle de sport municipale") */
    if (strcmp(self->code, "ro") == 0 &&
        (s_french_letter(given) ||
         (s_lists(answer, "fr") && !s_romanian_letter(given) && c.dutch_not[fr] == 0 &&
          c.other[fr] + c.shared[fr] > 0)))
        return "fr";
    return self->code[0] ? self->code : NULL;
}
