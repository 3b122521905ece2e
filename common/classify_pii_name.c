/*
 * NAME
 *   classify_pii_name - a name a resident gives: "mijn naam is Anna de
 *   Vries", "ik ben Jan", "Met vriendelijke groet,\n Piet Jansen"
 *
 * DESCRIPTION
 *   The name finder of common/classify_pii.c (rules and reasons there,
 *   under "name"). A name is one to five words right after a marker:
 *   capitalised words (a capital ASCII, Latin-1 or Latin Extended-A
 *   letter, e.g. "Ö", "İ", "Ł", and at least one
 *   more letter; inner '-' and '\'' allowed), initials ("J.", "J.P.") and
 *   lowercase particles between them ("van der"), never at the end; "en"
 *   or "&" joins two names ("Rob en Ellen Coumans"); a title or family word before the
 *   name stays ("familie [weggehaald: naam]", "juf", "fam.", "dhr.", "oma"),
 *   and so does an office after it ("Mevrouw Wethouder," is no name); most
 *   titles and family words ("tante", "oom", "buurman", "collega", "mevrouw")
 *   are a marker themselves, anywhere in a text ("Mijn tante Anja en oom Wim
 *   wonen hier": Anja, Wim). The
 *   first word decides whether it is an ordinary word (built-in list,
 *   then with words: stopwords, wijk/buurt names for a one-word name,
 *   and after "ik ben" sentiment words). After a closing ("groet,") the
 *   name must end its line (a short bracket may follow: "Daan (19)"; a
 *   "van" may come before it: "Groetjes van Jayden"):
 *   "groeten uit Heerlen" and "groet, en tot ziens" give nothing. Hand-written: no library knows
 * these phrases.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

/* Particles inside a name: "Jan van der Berg", "Ans de Vries". */
static const char *const S_PARTICLES[] = {"van", "de", "der", "den", "ter", "ten", "te",
                                          "het", "'t", "la",  "le",  "du",  "di",  "da",
                                          "el",  "al", "bin", "von", "op",  "in"};

static int s_eq_ascii_ci(const char *p, size_t n, const char *lower)
{
    if (strlen(lower) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)p[i]) != lower[i])
            return 0;
    return 1;
}

static int s_particle(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof S_PARTICLES / sizeof S_PARTICLES[0]; i++)
        if (s_eq_ascii_ci(p, n, S_PARTICLES[i]))
            return 1;
    return 0;
}

/* Capitalised words that are never a name here, whatever the lexicons
 * say: the place itself and its council ("Reactie van Gemeente Heerlen"),
 * demonyms, days and months. */
static const char *const S_NOT_NAMES[] = {
    "heerlen",   "heerlenaar",  "heerlense",   "limburg",   "limburger", "limburgse",
    "nederland", "nederlander", "nederlandse", "parkstad",  "maandag",   "dinsdag",
    "woensdag",  "donderdag",   "vrijdag",     "zaterdag",  "zondag",    "januari",
    "februari",  "maart",       "augustus",    "september", "oktober",   "november",
    "december",  "ik",          "wij",         "we",        "gemeente",  "god",
    "jezus",     "christus",    "allah",       "here",
};

/* Words that make a name an organisation ("idee van Wijkraad Zeswegen",
 * "Basisschool De Vlieger", "Zuyd Hogeschool"): the whole word, or its
 * end when the word is longer. Not "raad" or "kerk" as ends: Koenraad,
 * Verkerk. */
static const char *const S_ORG_WORDS[] = {
    "wijkraad",  "buurtraad",   "dorpsraad",    "gemeenteraad", "jongerenraad", "seniorenraad",
    "raad",      "gemeente",    "politie",      "brandweer",    "bibliotheek",  "scouting",
    "kerk",      "parochie",    "harmonie",     "fanfare",      "schutterij",   "gilde",
    "buurthuis", "wijkcentrum", "buurtcentrum",
};
static const char *const S_ORG_ENDS[] = {
    "vereniging", "stichting", "platform",   "comité", "commissie", "werkgroep", "bestuur",
    "fractie",    "partij",    "corporatie", "school", "college",   "club",      "overleg",
};

static int s_organisation(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof S_ORG_WORDS / sizeof S_ORG_WORDS[0]; i++)
        if (s_eq_ascii_ci(p, n, S_ORG_WORDS[i]))
            return 1;
    for (size_t i = 0; i < sizeof S_ORG_ENDS / sizeof S_ORG_ENDS[0]; i++) {
        size_t k = strlen(S_ORG_ENDS[i]);
        if (n >= k && s_eq_ascii_ci(p + n - k, k, S_ORG_ENDS[i]))
            return 1;
    }
    return 0;
}

/* Byte length of the letter at p: an ASCII letter, or a two-byte UTF-8
 * letter of the Latin-1 Supplement / Latin Extended-A blocks (é, ö, Ł).
 * 0 for anything else (digits, punctuation, other scripts). */
static int s_letter_len(const char *p)
{
    unsigned char c = (unsigned char)p[0];
    if (isalpha(c))
        return 1;
    if (c < 0xc3 || c > 0xc5)
        return 0;
    unsigned char d = (unsigned char)p[1]; /* c is a lead byte: p[1] exists */
    return (d & 0xc0) == 0x80 && !(c == 0xc3 && (d == 0x97 || d == 0xb7)) ? 2 : 0;
}

/* A capital at p: ASCII, Latin-1 (À..Þ but ×) or Latin Extended-A, where
 * capitals and small letters alternate: İ, Ł, Ş, Ž start Turkish, Polish
 * and Czech names as often as Ö or É start others. */
static int s_upper_at(const char *p)
{
    unsigned char c = (unsigned char)p[0], d = c >= 0xc3 ? (unsigned char)p[1] : 0;
    if (isupper(c))
        return 1;
    if (c == 0xc3)
        return d >= 0x80 && d <= 0x9e && d != 0x97;
    if ((c != 0xc4 && c != 0xc5) || (d & 0xc0) != 0x80)
        return 0;
    unsigned cp = ((c & 0x1fu) << 6) | (d & 0x3fu); /* U+0100..U+017F */
    if (cp <= 0x137 || (cp >= 0x14a && cp <= 0x177))
        return cp % 2 == 0;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
        return cp % 2 == 1;
    return cp == 0x178; /* Ÿ */
}

/* End of a name word at p: a capital and 1+ more letters (with inner
 * '-' or '\'': "Anne-Marie", "D'Hondt"), or initials ("J.", "J.P."). */
static const char *s_name_word_end(const char *p)
{
    if (!s_upper_at(p))
        return NULL;
    if (isupper((unsigned char)p[0]) && p[1] == '.') {
        while (isupper((unsigned char)p[0]) && p[1] == '.')
            p += 2;
        return p;
    }
    /* the initials of Dutch given names written with more letters:
     * "Th. Pelzer", "Joh. Smeets" */
    static const char *const longer[] = {"Th. ", "Ch. ", "Ph. ", "Chr. ", "Joh. ", "Jac. ", "Wm. "};
    for (size_t i = 0; i < sizeof longer / sizeof longer[0]; i++)
        if (strncmp(p, longer[i], strlen(longer[i])) == 0)
            return p + strlen(longer[i]) - 1;
    int letters = 0;
    for (int k; (k = s_letter_len(p)) > 0 || ((*p == '-' || *p == '\'') && s_letter_len(p + 1));
         letters++)
        p += k ? k : 1;
    return letters >= 2 && !isdigit((unsigned char)*p) ? p : NULL;
}

/* End of a lowercase particle at p ("van", "'t"), else NULL. */
static const char *s_particle_end(const char *p)
{
    const char *e = p + (*p == '\'');
    while (islower((unsigned char)*e))
        e++;
    return e > p && s_particle(p, (size_t)(e - p)) ? e : NULL;
}

/* After "en" or "&", a second name: "Rob en Ellen Coumans". */
static const char *s_connector_end(const char *p)
{
    const char *e = strncmp(p, "en ", 3) == 0 ? p + 2 : strncmp(p, "& ", 2) == 0 ? p + 1 : NULL;
    return e && s_upper_at(e + 1) ? e : NULL;
}

/* Titles and family words before a name: skipped, not cut ("familie
 * Ramakers", "fam. Houben", "juf Esther", "de heer J. Dols", "Liefs, oma
 * Truus"). Those marked alone announce a name anywhere in a text too
 * ("Mijn tante Anja en oom Wim wonen hier"); "meester " and "dr. " only
 * after a marker, as they also start street names ("Dr. Poelsstraat"). */
static const struct {
    const char *words;
    int alone;
} S_TITLES[] = {
    {"familie ", 1}, {"fam. ", 1},     {"fam ", 0},        {"juf ", 1},
    {"meester ", 0}, {"mevrouw ", 1},  {"mevr. ", 1},      {"mw. ", 1},
    {"dhr. ", 1},    {"de heer ", 1},  {"meneer ", 1},     {"dr. ", 0},
    {"gezin ", 0},   {"buurman ", 1},  {"buurvrouw ", 1},  {"oma ", 1},
    {"opa ", 1},     {"tante ", 1},    {"oom ", 1},        {"mama ", 1},
    {"papa ", 1},    {"neef ", 1},     {"nicht ", 1},      {"collega ", 1},
    {"zus ", 1},     {"zusje ", 1},    {"broer ", 1},      {"broertje ", 1},
    {"zoon ", 1},    {"dochter ", 1},  {"kleinzoon ", 1},  {"kleindochter ", 1},
    {"vriend ", 1},  {"vriendin ", 1}, {"buurjongen ", 1}, {"buurmeisje ", 1},
};

/* The end of a title at p followed by a capital ("tante Anja": after
 * "tante "), else p; with alone, only titles that announce a name
 * anywhere. */
static const char *s_title_end(const char *p, int alone)
{
    for (size_t i = 0; i < sizeof S_TITLES / sizeof S_TITLES[0]; i++) {
        size_t n = strlen(S_TITLES[i].words);
        if ((S_TITLES[i].alone || !alone) && s_eq_ascii_ci(p, n, S_TITLES[i].words) &&
            s_upper_at(p + n))
            return p + n;
    }
    return p;
}

/* Offices and titles a title may precede without a name ("Mevrouw
 * Wethouder,", "Geachte heer Burgemeester"), skipped like a title after
 * any marker; a name may follow ("meneer Wethouder Jansen"). Not offices
 * that are as often surnames: Koning, Prins, Bisschop, Pastoor, Deken. */
static const char *const S_OFFICES[] = {
    "wethouder",  "burgemeester", "minister",  "staatssecretaris", "gedeputeerde", "commissaris",
    "gouverneur", "voorzitter",   "secretaris", "directeur",       "directrice",   "raadslid",
    "president",  "ambtenaar",    "dokter",     "dominee",         "pastor",       "kapelaan",
    "professor",  "prof",         "rector",     "officier",        "notaris",      "advocaat",
    "heer",       "mevrouw",      "meneer",
};

/* The end of an office word at p and the blanks after it, else p. */
static const char *s_office_end(const char *p)
{
    const char *e = p;
    while (isalpha((unsigned char)*e))
        e++;
    for (size_t i = 0; e > p && i < sizeof S_OFFICES / sizeof S_OFFICES[0]; i++)
        if (s_eq_ascii_ci(p, (size_t)(e - p), S_OFFICES[i])) {
            e += *e == '.';
            while (*e == ' ')
                e++;
            return e;
        }
    return p;
}

enum { S_WEAK = 1, S_INTRO = 2, S_CLOSING = 3, S_TITLE = 4 };

static const struct {
    const char *words;
    int type;
} S_MARKERS[] = {
    {"mijn naam is", S_INTRO},
    {"ik heet", S_INTRO},
    {"ik ben", S_WEAK},
    {"groetjes", S_CLOSING},
    {"groeten", S_CLOSING},
    {"groet", S_CLOSING},
    {"mvg", S_CLOSING},
    {"m.v.g.", S_CLOSING},
    {"grt.", S_CLOSING},
    {"grt", S_CLOSING},
    {"gr.", S_CLOSING}, /* "Gr. Jan" */
    {"hoogachtend", S_CLOSING},
    {"met dank", S_CLOSING},
    {"dank u wel", S_CLOSING},
    {"dank je wel", S_CLOSING},
    {"liefs", S_CLOSING},
    /* the first line of a mailed idea is its subject: "Idee van Piet Jansen" */
    {"idee van", S_INTRO},
    {"voorstel van", S_INTRO},
    {"suggestie van", S_INTRO},
    {"reactie van", S_INTRO},
    {"bericht van", S_INTRO},
};

/* The first letters of S_MARKERS: classify_pii_find_name looks for a
 * marker only where one of them starts a word. A marker added above needs
 * its first letter here. */
static const char S_MARKER_FIRST[] = "migdhlvsrb";

/* The marker type at p (its end in *end), or 0. Words are compared
 * without ASCII case; one or more spaces separate them. */
static int s_word_start(const char *text, const char *p)
{
    return p == text || !(s_letter_len(p - 1) || isdigit((unsigned char)p[-1]) ||
                          ((unsigned char)p[-1] & 0xc0) == 0x80);
}

static int s_marker_at(const char *text, const char *p, const char **end)
{
    if (!s_word_start(text, p))
        return 0;
    for (size_t i = 0; i < sizeof S_MARKERS / sizeof S_MARKERS[0]; i++) {
        const char *m = S_MARKERS[i].words, *q = p;
        while (*m && (*m == ' ' ? *q == ' ' : tolower((unsigned char)*q) == *m)) {
            if (*m == ' ')
                while (q[1] == ' ')
                    q++;
            m++;
            q++;
        }
        if (*m || s_letter_len(q) || isdigit((unsigned char)*q))
            continue;
        *end = q;
        return S_MARKERS[i].type;
    }
    return 0;
}

static int s_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when the first word of a name (p, n bytes) is an ordinary word. */
static int s_ordinary(const classify_pii_words_t *w, const char *p, size_t n, int type, int single)
{
    for (size_t i = 0; i < sizeof S_NOT_NAMES / sizeof S_NOT_NAMES[0]; i++)
        if (s_eq_ascii_ci(p, n, S_NOT_NAMES[i]))
            return 1;
    char buf[64];
    if (!w || n >= sizeof buf)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)p[i]);
    buf[n] = '\0';
    const char *key = buf;
    if (w->stop && bsearch(&key, w->stop, w->n_stop, sizeof *w->stop, s_strcmp_p))
        return 1;
    const char *wk, *bu;
    if (single && w->geo && classify_wijk_in_text(w->geo, buf, &wk, &bu) == 0)
        return 1;
    int scored = 0;
    if (type == S_WEAK && w->tok && w->senti) {
        classify_toks_t toks = {0, NULL, NULL};
        classify_tokenize(w->tok, buf, &toks);
        scored = toks.n > 0 && classify_senti_score(w->senti, &toks) != 0;
        classify_toks_clear(&toks);
    }
    return scored;
}

/* The name after a marker of type ending at p: sets [*start, *end). */
static int s_name_after(const char *p, const classify_pii_words_t *w, int type, const char **start,
                        const char **end)
{
    int breaks = 0;
    const char *q = p;
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q == ':' || *q == ',' || (type == S_CLOSING && (*q == '!' || *q == '.')))
        q++;
    while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
        breaks += *q++ == '\n';
    if (q == p || !strchr(" \t\r\n", q[-1]) || breaks > 2)
        return 0;
    /* "Groetjes van Jayden", "Liefs van oma Truus": "van" before the name
     * of who signs ("Groeten van de buurtvereniging" stays no name) */
    if (type == S_CLOSING && strncmp(q, "van ", 4) == 0)
        q += 4;
    q = s_office_end(s_title_end(q, 0));
    const char *first = s_name_word_end(q), *last = first, *r = first;
    if (!first)
        return 0;
    int words = 1, org = s_organisation(q, (size_t)(first - q));
    while (words < 5 && *r == ' ') {
        const char *e = s_name_word_end(r + 1);
        if (e) {
            last = e;
            org |= s_organisation(r + 1, (size_t)(e - r - 1));
        } else if (!(e = s_particle_end(r + 1)) && !(e = s_connector_end(r + 1)))
            break;
        r = e;
        words++;
    }
    if (org)
        return 0;
    if (type == S_CLOSING && *last != ',') {
        r = last + (*last == '.' || *last == '!');
        while (*r == ' ' || *r == '\t')
            r++;
        const char *close = *r == '(' ? memchr(r, ')', strnlen(r, 12)) : NULL;
        if (close && !memchr(r, '\n', (size_t)(close - r))) /* "Daan (19)" */
            for (r = close + 1; *r == ' ' || *r == '\t';)
                r++;
        if (*r && *r != '\n' && *r != '\r')
            return 0;
    }
    /* after a title a capitalised particle starts the surname: "mevrouw
     * De Bruin" is judged by "Bruin" */
    const char *judge = q, *judge_end = first;
    if (type == S_TITLE && last != first && *first == ' ' && s_particle(q, (size_t)(first - q))) {
        judge = first + 1;
        judge_end = s_name_word_end(judge);
        judge_end = judge_end ? judge_end : first;
        judge = judge_end == first ? q : judge;
    }
    if (s_ordinary(w, judge, (size_t)(judge_end - judge), type, last == first))
        return 0;
    *start = q;
    *end = last;
    return 1;
}

int classify_pii_find_name(const char *text, const classify_pii_words_t *w, classify_pii_fn fn,
                           void *arg)
{
    if (!text)
        return 0;
    int n = 0;
    for (const char *p = text; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        const char *m_end = p, *start, *end;
        int type = c && strchr(S_MARKER_FIRST, c) ? s_marker_at(text, p, &m_end) : 0;
        /* a title alone: "tante Anja"; the name is looked for after its space */
        if (!type && isalpha((unsigned char)*p) && s_word_start(text, p) &&
            (m_end = s_title_end(p, 1)) != p) {
            type = S_TITLE;
            m_end--;
        }
        if (!type || !s_name_after(m_end, w, type, &start, &end))
            continue;
        n++;
        if (fn(arg, "name", (size_t)(start - text), (size_t)(end - text)))
            break;
        p = end - 1;
    }
    return n;
}
