/*
 * NAME
 *   classify_pii - where does a text hold personal data? (email address,
 *   phone number, IBAN, address, name)
 *
 * SUMMARY
 *   classify_pii_find(text, "iban", NULL, fn, arg);  // fn(arg, kind, start, end)
 *   classify_pii_has(text, "name", &words);
 *   classify_pii_words(idea, &words);               // sets idea->pii
 *
 * DESCRIPTION
 *   Staff see a flag on ideas that carry personal data in the text itself,
 *   so they can cut it (common/redact.c) before an idea is quoted. This
 *   file holds the one set of finders: the classifier flags what they find
 *   and redaction cuts exactly the places they report. Hand-written,
 *   because no library on Debian knows Dutch phone numbers, postcodes or
 *   the phrases people introduce themselves with, and a regex engine
 *   would be more code than these loops.
 *
 *   email     something@label.label, local part of [A-Za-z0-9._%+-],
 *             domain labels of [A-Za-z0-9-], the last label 2+ letters;
 *             both may hold letters with accents ("josé@", "müller.de").
 *             One space typed before a dot after the first domain label
 *             is part of it when lower-case labels follow, the last of
 *             2-6 letters ("lisa.vos@ziggo .nl", "jan.smit@gemeente
 *             .heerlen.nl"); not after a complete address
 *             ("info@heerlen.nl .dank" ends at ".nl").
 *             Also written out: "jan punt jansen apenstaartje gmail punt
 *             com", "piet.smeets (at) hotmail.com".
 *   phone     Dutch numbers: ten digits nationally (0 + area/mobile code +
 *             subscriber), nine after +31 / 0031 (optionally "(0)").
 *             Spaces, one dash ('-', '/' or an en dash), dots and
 *             brackets may separate digit groups: 06-12345678,
 *             (045) 123 45 67, +31(0)45-1234567, 045/5712345. A
 *             number glued to letters or other digits does not count
 *             (IBANs, order numbers), nor do two dashes (01-02-2026),
 *             nor digits inside an IBAN written in groups of four.
 *   iban      a SEPA country code, two check digits and the country's
 *             length of letters and digits, any case, written solid or in
 *             groups of four ("NL91 ABNA 0417 1643 00"); the ISO 13616
 *             mod-97 check must give 1, so a random string of letters and
 *             digits is flagged one time in 97 at most, and a Dutch one
 *             must also be 4 letters + 10 digits after the check digits.
 *   postcode  (classify_pii_addr.c) an address: a Dutch postcode (1234
 *             AB, 1234AB, 1234ab) WITH a house number: "Akerstraat 12,
 *             6411 AB" (the street word(s) before the number are part of
 *             the place; the number may carry an addition: "12a", "12-2",
 *             "12 B") or "6411AB 12a" or "6411 AB en mijn huisnummer
 *             12a" (the word in the same sentence; not a range: "huisnummer
 *             12 tot 40", "2 t/m 18"; but "Akerstraat 12 tot 17 uur",
 *             "tot 1 mei", "tot 2027" are no range); or a street with a house number
 *             and no postcode: "Akerstraat 12", "Burgemeester van
 *             Grunsvenplein 12-3", "Akerstraat nr. 12". The street starts with a capital and
 *             its last word ends in a Dutch street ending (straat, weg,
 *             laan, plein, singel, pad, hof, dreef, steeg, kade, gracht,
 *             dijk, markt, wal) and is longer than it; a count, unit or
 *             month after the number ("2 keer", "40 km", "3 mei"), a
 *             plural noun ("Akerstraat 30 bomen"; not a verb
 *             before its subject: "Op de Akerstraat 12 hadden we") or a
 *             year makes it no address. A street in lower case
 *             ("ik woon op de akerstraat 12 en ...") counts after an
 *             address cue ("op", "aan", "bij", "ik woon in de", "adres:", "mijn
 *             adres is") when the number ends its phrase (punctuation,
 *             the end, a capital or a word like "en", "is", "staat"):
 *             "op het schoolplein 2 bankjes" is a count. So do
 *             capitalised words without a street ending ("aan de
 *             Bongerd 4.", "Mijn adres is Markt 3,") after the same cues
 *             and with the same phrase end (a bare "op", "aan" or "bij"
 *             only after "woon" or before a place ending such as "weide",
 *             "veld", "boord": "De lamp op Ganzeweide 88 is kapot"),
 *             except words that name no
 *             street ("Lijn 40", "Bus 12", "Artikel 5", "Fase 2",
 *             "Groep 8", days, months). A postcode alone is not flagged: a PC6 area
 *             holds 15-20 households, and residents give theirs to say
 *             where a problem is; with the house number it is one home.
 *   name      (classify_pii_name.c) capitalised words right after "mijn
 *             naam is", "ik heet", "ik ben", "idee van", "voorstel van",
 *             "suggestie van", "reactie van", "bericht van" (a mailed
 *             idea's text starts with its subject: "Idee van Piet
 *             Jansen"; ':' or ',' allowed in between), or alone on
 *             the line after a mail closing ("groet,", "groeten,",
 *             "groetjes", "mvg", "gr.", "grt", "hoogachtend", "met dank",
 *             "dank u wel", "dank je wel", "liefs"; comma and line break
 *             optional), or right after a title or family word anywhere
 *             ("tante Anja", "oom Wim", "buurman", "buurvrouw", "neef",
 *             "nicht", "collega", "zus", "zoon", "mevrouw", "dhr.",
 *             "familie": classify_pii_name.c). One to five words:
 *             capitalised words, initials ("J.", "J.M.", "Th.") and
 *             particles inside ("Jan van der Berg").
 *             The word right after the marker is never a sentence start,
 *             so a capital there means a name more often than not; what
 *             remains are ordinary words written with a capital (all-caps
 *             texts, "Ik ben Blij") and places ("groeten, Heerlen").
 *             Always excluded: a short built-in list (Heerlen, Gemeente, Limburg,
 *             days, months, demonyms like Heerlenaar), and a name with an
 *             organisation word in it ("idee van Wijkraad Zeswegen",
 *             "Basisschool De Vlieger", "Zuyd Hogeschool": words and
 *             endings such as wijkraad, stichting, -vereniging, -school,
 *             -college, -commissie). With words given
 *             (the classifier), also excluded: a first word that is a
 *             stopword (data/nl/stopwords-iso-nl.txt), a single-word name
 *             that is a wijk or buurt, and after "ik ben" (the marker most
 *             often followed by an adjective) a word the sentiment
 *             lexicons score. "namens" is not a marker: it is nearly
 *             always followed by an organisation ("namens Wijkraad
 *             Heerlerheide").
 *
 *   Without words (redaction in storage and the dashboard, which do not
 *   load the lexicons) the name finder reports a superset of what the
 *   classifier flags: every flagged name can be cut, and after cutting
 *   every place the flag goes.
 *
 *   Offsets are bytes into the UTF-8 text; a place never starts or ends
 *   inside a character.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

const char *const CLASSIFY_PII_KINDS[] = {"email", "phone", "iban", "postcode", "name", NULL};

typedef int (*s_finder_fn)(const char *text, const classify_pii_words_t *w, const char *kind,
                           classify_pii_fn fn, void *arg);

static int s_alnum(const char *text, const char *p)
{
    return p >= text && isalnum((unsigned char)*p);
}

/* ---- email ---- */

static int s_local_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int s_label_char(unsigned char c)
{
    return isalnum(c) || c == '-';
}

/* Bytes of a two-byte UTF-8 letter with an accent at p (U+00C0..U+024F but
 * × and ÷: "ä", "é", "ł"), as in "josé@…" or "bäckerei-müller.de"; 0 for
 * anything else, so curly quotes or "…" around an address stay outside. */
static int s_accent_len(const char *p)
{
    unsigned char c = (unsigned char)p[0], d = c ? (unsigned char)p[1] : 0;
    if (c < 0xc3 || c > 0xc9 || (d & 0xc0) != 0x80)
        return 0;
    return c == 0xc3 && (d == 0x97 || d == 0xb7) ? 0 : 2;
}

/* Bytes of the address character that ends right before p (local part):
 * 1 (ASCII), 2 (an accented letter), 0 (none). */
static int s_local_before(const char *from, const char *p)
{
    if (p > from && s_local_char((unsigned char)p[-1]))
        return 1;
    return p - from >= 2 && s_accent_len(p - 2) ? 2 : 0;
}

/* 1 when p is a space typed before the dot of a domain label
 * ("lisa.vos@ziggo .nl", "jan.smit@gemeente .heerlen.nl"): a dot and
 * lower-case labels follow ([a-z0-9-], joined by dots), the last of 2-6
 * lower-case letters, and then no letter, digit or dash ("@thuis .Nu",
 * "info@buurt .netwerken", "@gemeente .heerlen" and "@werk . nl" are no
 * address); else 0. */
static int s_space_before_dot(const char *p)
{
    if (p[0] != ' ' || p[1] != '.')
        return 0;
    const char *q = p + 1;
    int letters;
    do {
        const char *label = ++q;
        letters = 0;
        for (; (*q >= 'a' && *q <= 'z') || isdigit((unsigned char)*q) || *q == '-'; q++)
            letters = letters >= 0 && isalpha((unsigned char)*q) ? letters + 1 : -1;
        if (q == label)
            return 0;
    } while (q[0] == '.' && ((q[1] >= 'a' && q[1] <= 'z') || isdigit((unsigned char)q[1])));
    return letters >= 2 && letters <= 6 && !s_label_char((unsigned char)*q) && !s_accent_len(q);
}

/* End of the domain after '@' when it has two or more labels and the last
 * one is two or more letters; else NULL. */
static const char *s_domain_end(const char *p)
{
    int labels = 0, alpha_len = 0;
    const char *end = p;
    for (;;) {
        const char *start = p;
        alpha_len = 0;
        for (int k; (k = s_label_char((unsigned char)*p) ? 1 : s_accent_len(p)) > 0; p += k)
            alpha_len = k == 2 || isalpha((unsigned char)*p) ? alpha_len + 1 : -1000;
        if (p == start)
            break;
        labels++;
        end = p;
        /* only while the domain is no address yet: "info@heerlen.nl .dank"
         * and "info@heerlen.nl . Dank" end at ".nl" */
        if (labels == 1)
            p += s_space_before_dot(p);
        if (*p != '.' || !(s_label_char((unsigned char)p[1]) || s_accent_len(p + 1)))
            break;
        p++;
    }
    return labels >= 2 && alpha_len >= 2 ? end : NULL;
}

/* An address written out in words ("jan punt jansen apenstaartje gmail
 * punt com", "piet.smeets (at) hotmail.com", "anna [at] ziggo.nl"): the
 * word for '@' between blanks, one for '.' between labels. */
static const char *const S_SPELLED_AT[] = {" apenstaartje ", " (at) ", " [at] ",
                                           " (apenstaartje) "};
static const char *const S_SPELLED_DOT[] = {".", " punt ", " (punt) ", " dot ", " (dot) "};

/* Length of the string of list (n strings) that starts at p, else 0. */
static size_t s_spelled_at(const char *p, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(p, list[i], strlen(list[i])) == 0)
            return strlen(list[i]);
    return 0;
}

/* The spelled address whose '@' word starts at p: its end, the start in
 * *start; else NULL. Two or more domain labels, the last of 2-6 letters
 * ("com", "nl"); the local part is the word before, and the words
 * joined to it by "punt". */
static const char *s_spelled_email(const char *text, const char *p, const char **start)
{
    size_t at = s_spelled_at(p, S_SPELLED_AT, sizeof S_SPELLED_AT / sizeof S_SPELLED_AT[0]);
    if (!at || p == text || !s_local_char((unsigned char)p[-1]))
        return NULL;
    const char *q = p + at, *end = NULL;
    int labels = 0, letters = 0;
    for (;;) {
        const char *l = q;
        letters = 0;
        for (; s_label_char((unsigned char)*q); q++)
            letters = isalpha((unsigned char)*q) && letters >= 0 ? letters + 1 : -1;
        if (q == l)
            break;
        labels++;
        end = q;
        size_t dot = s_spelled_at(q, S_SPELLED_DOT, sizeof S_SPELLED_DOT / sizeof S_SPELLED_DOT[0]);
        if (!dot || !s_label_char((unsigned char)q[dot]))
            break;
        q += dot;
    }
    if (labels < 2 || letters < 2 || letters > 6 || isalnum((unsigned char)*end))
        return NULL;
    const char *s = p;
    for (;;) {
        while (s > text && s_local_char((unsigned char)s[-1]))
            s--;
        const char *w = s - 6; /* " punt " before the word */
        if (w <= text || strncmp(w, " punt ", 6) != 0 || !s_local_char((unsigned char)w[-1]))
            break;
        s = w;
    }
    *start = s;
    return end;
}

static int s_find_email(const char *text, const classify_pii_words_t *w, const char *kind,
                        classify_pii_fn fn, void *arg)
{
    (void)w;
    int n = 0;
    const char *from = text;
    for (const char *at = from; *at; at++) {
        const char *start, *end;
        if (*at == ' ' && (end = s_spelled_email(text, at, &start)) != NULL) {
            n++;
            if (fn(arg, kind, (size_t)(start - text), (size_t)(end - text)))
                break;
            from = end;
            at = end - 1;
            continue;
        }
        if (*at != '@' || !s_local_before(from, at))
            continue;
        end = s_domain_end(at + 1);
        if (!end)
            continue;
        start = at;
        for (int k; (k = s_local_before(from, start)) > 0;)
            start -= k;
        n++;
        if (fn(arg, kind, (size_t)(start - text), (size_t)(end - text)))
            break;
        from = end;
        at = end - 1;
    }
    return n;
}

/* ---- phone ---- */

static int s_sep_char(char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Bytes of a dash at p: '-', '/' ("045/5712345") or the en dash U+2013
 * a word processor puts for " - "; 0 for anything else. */
static int s_dash_len(const char *p)
{
    if (*p == '-' || *p == '/')
        return 1;
    const unsigned char *u = (const unsigned char *)p; /* stops at the NUL */
    return u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0x93 ? 3 : 0;
}

/* Exactly want digits (first one 1..9), up to three separators between
 * digits and one dash in all, not followed by a letter or digit: returns
 * the end, else NULL. */
static const char *s_digits_end(const char *p, int want)
{
    int got = 0, dashes = 0;
    if (!isdigit((unsigned char)*p) || *p == '0')
        return NULL;
    while (got < want) {
        if (isdigit((unsigned char)*p)) {
            got++;
            p++;
            continue;
        }
        int seps = 0;
        for (int d, k; (k = (d = s_dash_len(p)) ? d : s_sep_char(*p)) > 0 && seps < 4;) {
            dashes += d > 0;
            p += k;
            seps++;
        }
        if (seps == 0 || seps > 3 || dashes > 1 || !isdigit((unsigned char)*p))
            return NULL;
    }
    return isalnum((unsigned char)*p) ? NULL : p;
}

static const char *s_skip_spaces(const char *p)
{
    for (int k; (k = *p == ' ' ? 1 : s_dash_len(p)) > 0;)
        p += k;
    return p;
}

static const char *s_phone_end(const char *p)
{
    const char *q = NULL;
    if (strncmp(p, "+31", 3) == 0)
        q = p + 3;
    else if (strncmp(p, "0031", 4) == 0)
        q = p + 4;
    if (q) {
        q = s_skip_spaces(q);
        if (strncmp(q, "(0)", 3) == 0)
            q = s_skip_spaces(q + 3);
        return s_digits_end(q, 9);
    }
    if (*p == '(')
        p++;
    if (*p != '0' || p[1] == '0')
        return NULL;
    /* The leading 0, then nine more digits; a ')' may close the area code. */
    q = p + 1;
    if (*q == ')')
        q++;
    q = s_skip_spaces(q);
    return s_digits_end(q, 9);
}

static const char *s_iban_end(const char *p);

/* End of the IBAN that covers p, else NULL: "NL91 ABNA 0417 1643 00"
 * holds a phone-shaped "0417 1643 00". An IBAN starts at most 34 letters
 * and digits, plus spaces, before p. */
static const char *s_in_iban(const char *text, const char *p)
{
    for (const char *s = p - 1; s >= text && p - s <= 42; s--) {
        if (!isalnum((unsigned char)*s) && *s != ' ')
            break;
        if (isalpha((unsigned char)*s) && !s_alnum(text, s - 1)) {
            const char *e = s_iban_end(s);
            if (e && e > p)
                return e;
        }
    }
    return NULL;
}

static int s_find_phone(const char *text, const classify_pii_words_t *w, const char *kind,
                        classify_pii_fn fn, void *arg)
{
    (void)w;
    int n = 0;
    for (const char *p = text; *p; p++) {
        if (*p != '+' && *p != '0' && *p != '(')
            continue;
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '+' || p[-1] == '-'))
            continue;
        const char *end = s_phone_end(p);
        if (!end)
            continue;
        const char *iban = s_in_iban(text, p);
        if (iban) {
            p = iban - 1;
            continue;
        }
        n++;
        if (fn(arg, kind, (size_t)(p - text), (size_t)(end - text)))
            break;
        p = end - 1;
    }
    return n;
}

/* ---- IBAN ---- */

/* SEPA countries and their IBAN lengths (ISO 13616 registry). */
static const struct {
    char cc[3];
    unsigned char len;
} S_IBAN[] = {
    {"AD", 24}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
    {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FR", 27}, {"GB", 22}, {"GI", 23}, {"GR", 27},
    {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26}, {"IT", 27}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"MC", 27}, {"MT", 31}, {"NL", 18}, {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24},
    {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"VA", 22},
};
#define S_IBAN_MAX 34

static int s_iban_len(char a, char b)
{
    for (size_t i = 0; i < sizeof S_IBAN / sizeof S_IBAN[0]; i++)
        if (S_IBAN[i].cc[0] == a && S_IBAN[i].cc[1] == b)
            return S_IBAN[i].len;
    return 0;
}

/* ISO 13616: the first four characters moved to the end, letters as
 * 10..35, the number mod 97 is 1. */
static int s_iban_check(const char *c, int len)
{
    unsigned r = 0;
    for (int i = 0; i < len; i++) {
        char x = c[(i + 4) % len];
        if (isdigit((unsigned char)x))
            r = (r * 10 + (unsigned)(x - '0')) % 97;
        else
            r = (r * 100 + (unsigned)(x - 'A' + 10)) % 97;
    }
    return r == 1;
}

/* The end of an IBAN starting at p, else NULL. */
static const char *s_iban_end(const char *p)
{
    char c[S_IBAN_MAX + 1];
    /* Asked at every word start: two digits after the country code are
     * checked first (the loop below would refuse them too; no space can
     * come before the fifth character), before the country table. */
    if (!isalnum((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) ||
        !isdigit((unsigned char)p[3]))
        return NULL;
    int len = s_iban_len((char)toupper((unsigned char)p[0]), (char)toupper((unsigned char)p[1]));
    if (!len)
        return NULL;
    int got = 0;
    while (got < len) {
        if (*p == ' ' && got > 0 && got % 4 == 0 && isalnum((unsigned char)p[1]))
            p++;
        if (!isalnum((unsigned char)*p))
            return NULL;
        c[got++] = (char)toupper((unsigned char)*p++);
    }
    if (isalnum((unsigned char)*p) || !isdigit((unsigned char)c[2]) ||
        !isdigit((unsigned char)c[3]))
        return NULL;
    if (c[0] == 'N' && c[1] == 'L') {
        for (int i = 4; i < len; i++)
            if ((i < 8) != (isalpha((unsigned char)c[i]) != 0))
                return NULL;
    }
    return s_iban_check(c, len) ? p : NULL;
}

static int s_find_iban(const char *text, const classify_pii_words_t *w, const char *kind,
                       classify_pii_fn fn, void *arg)
{
    (void)w;
    int n = 0;
    for (const char *p = text; *p; p++) {
        if (!isalpha((unsigned char)*p) || s_alnum(text, p - 1))
            continue;
        const char *end = s_iban_end(p);
        if (!end)
            continue;
        n++;
        if (fn(arg, kind, (size_t)(p - text), (size_t)(end - text)))
            break;
        p = end - 1;
    }
    return n;
}

/* ---- all kinds ---- */

static int s_find_postcode(const char *text, const classify_pii_words_t *w, const char *kind,
                           classify_pii_fn fn, void *arg)
{
    (void)w;
    (void)kind;
    return classify_pii_find_address(text, fn, arg);
}

static int s_find_name(const char *text, const classify_pii_words_t *w, const char *kind,
                       classify_pii_fn fn, void *arg)
{
    (void)kind;
    return classify_pii_find_name(text, w, fn, arg);
}

static const struct {
    const char *kind;
    s_finder_fn find;
} S_FINDERS[] = {
    {"email", s_find_email},       {"phone", s_find_phone}, {"iban", s_find_iban},
    {"postcode", s_find_postcode}, {"name", s_find_name},
};

int classify_pii_find(const char *text, const char *kind, const classify_pii_words_t *words,
                      classify_pii_fn fn, void *arg)
{
    for (size_t i = 0; kind && i < sizeof S_FINDERS / sizeof S_FINDERS[0]; i++)
        if (strcmp(kind, S_FINDERS[i].kind) == 0)
            return text ? S_FINDERS[i].find(text, words, S_FINDERS[i].kind, fn, arg) : 0;
    return -1;
}

static int s_stop_at_first(void *arg, const char *kind, size_t start, size_t end)
{
    (void)arg;
    (void)kind;
    (void)start;
    (void)end;
    return 1;
}

bool classify_pii_has(const char *text, const char *kind, const classify_pii_words_t *words)
{
    return classify_pii_find(text, kind, words, s_stop_at_first, NULL) > 0;
}

bool classify_pii_has_email(const char *text)
{
    return classify_pii_has(text, "email", NULL);
}

bool classify_pii_has_phone(const char *text)
{
    return classify_pii_has(text, "phone", NULL);
}

void classify_pii_words(idea_t *idea, const classify_pii_words_t *words)
{
    for (size_t i = 0; CLASSIFY_PII_KINDS[i]; i++) {
        const char *k = CLASSIFY_PII_KINDS[i];
        /* source.context: a street interview's question, shown beside
         * every answer on staff pages and in exports */
        if (classify_pii_has(idea->text, k, words) || classify_pii_has(idea->title, k, words) ||
            classify_pii_has(idea->source.context, k, words))
            idea_add_pii(idea, k);
    }
}

void classify_pii(idea_t *idea)
{
    classify_pii_words(idea, NULL);
}
