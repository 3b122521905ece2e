/*
 * NAME
 *   letter_quote - links and email addresses out of a quoted text (see
 *   letter_quote.h)
 *
 * DESCRIPTION
 *   Email addresses come from classify_pii_find(), the one finder the
 *   classifier's PII flag and redaction use. Nothing in the project found
 *   links, and the libraries it links offer no finder (GLib parses one
 *   URI, it does not find them in prose), hence the small scanner here.
 *   It errs on the side of cutting: a word pair written without a space
 *   after the full stop ("vies.meer") reads as a host name and is cut;
 *   "vies.Meer" (mixed case) is left unless its last word is a common
 *   top-level domain ("Heerlen.Nl"), a path follows it ("Evil.Bank/login")
 *   or it is such a domain and a hyphen ("evil.nl-loket"), as such words
 *   are mostly two words. A host name's letters may be of any script
 *   ("вход.рф": mail programs link those too; GLib tells letters).
 *   All offsets are bytes; every place starts and ends on a character
 *   boundary (or at the end of the text), so the UTF-8 around it stays whole.
 */
#include <ctype.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "letter_quote.h"
#include "validate.h"
#include "xalloc.h"

typedef struct {
    size_t start, end;
    int link;
} s_place_t;

typedef struct {
    s_place_t *v;
    size_t n, cap;
} s_places_t;

static void s_add(s_places_t *p, size_t start, size_t end, int link)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = (s_place_t){start, end, link};
}

static int s_on_email(void *arg, const char *kind, size_t start, size_t end)
{
    (void)kind;
    s_add(arg, start, end, 0);
    return 0;
}

/* The bytes of the letter or digit (of any script, or a mark on one) at
 * t, 0 when there is none. */
static size_t s_alnum(const char *t)
{
    unsigned char c = (unsigned char)*t;
    if (c < 0x80)
        return isalnum(c) != 0;
    gunichar u = g_utf8_get_char_validated(t, -1);
    if (u == (gunichar)-1 || u == (gunichar)-2)
        return 0;
    return g_unichar_isalnum(u) || g_unichar_ismark(u) ? (size_t)g_utf8_skip[c] : 0;
}

/* The bytes of the host name character at t, 0 when there is none. */
static size_t s_label_char(const char *t)
{
    return *t == '-' ? 1 : s_alnum(t);
}

/* Where the character before byte i > 0 starts. */
static size_t s_prev(const char *t, size_t i)
{
    do
        i--;
    while (i > 0 && ((unsigned char)t[i] & 0xc0) == 0x80);
    return i;
}

/* Where a link ends: the next byte no link holds, less a sentence's
 * punctuation after it. */
static size_t s_link_end(const char *t, size_t p)
{
    size_t e = p;
    while (t[e] && !((unsigned char)t[e] <= ' ' || t[e] == 0x7f || t[e] == '<' || t[e] == '>' ||
                     t[e] == '"'))
        e++;
    while (e > p && strchr(".,;:!?)]}'", t[e - 1]))
        e--;
    return e;
}

/* Top-level domains mail programs make links of and phishing favours,
 * checked for a host name whose last label mixes cases ("Heerlen.Nl"):
 * such a label is more often two words without a space ("vies.Meer",
 * "Dr.Poelsstraat"), so only these count. */
static int s_common_tld(const char *t, size_t n)
{
    static const char *const tld[] = {
        "app", "be",  "biz", "cc",     "click", "cn",  "co",   "com",  "de",    "eu",
        "fr",  "frl", "gov", "gq",     "info",  "io",  "link", "live", "ly",    "me",
        "ml",  "net", "nl",  "online", "org",   "ru",  "shop", "site", "store", "su",
        "tk",  "top", "uk",  "us",     "vip",   "win", "work", "xyz",  NULL};
    return value_listed_nocase(t, n, tld);
}

/* Whether the last label of a host name, t[0..n), reads as a top-level
 * domain: letters of one case ("nl", "NL", "рф", a script without case),
 * a common one in any case ("Nl"), "xn--" (a script's ASCII form), a
 * common one and a hyphen ("nl-loket"), or any letters and a path after
 * it ("Bank/login"). Digits ("2.50") and mixed case ("vies.Meer") do not. */
static int s_tld_like(const char *t, size_t n, int path)
{
    size_t chars = 0, letters = 0, lower = 0, upper = 0, k;
    for (size_t i = 0; i < n; i += k, chars++) {
        k = s_label_char(t + i);
        gunichar u = g_utf8_get_char(t + i);
        if (u == '-')
            return strncasecmp(t, "xn--", 4) == 0 || s_common_tld(t, i);
        letters += g_unichar_isalpha(u) || g_unichar_ismark(u);
        lower += g_unichar_islower(u) != 0;
        upper += g_unichar_isupper(u) != 0;
    }
    if (chars < 2 || chars > 63 || letters == 0)
        return 0;
    return path || s_common_tld(t, n) || (letters == chars && (lower == 0 || upper == 0));
}

/* The end of a bare host name starting at p, 0 when there is none. */
static size_t s_host_end(const char *t, size_t p)
{
    int labels = 0;
    size_t e = p, last = p, k;
    for (;;) {
        size_t s = e;
        while ((k = s_label_char(t + e)) != 0)
            e += k;
        if (e == s)
            return 0; /* an empty label: ".." or a '.' at the end */
        labels++;
        last = s;
        if (t[e] != '.' || !s_label_char(t + e + 1))
            break;
        e++;
    }
    int path = t[e] == '/' && s_link_end(t, e + 1) > e + 1;
    if (labels < 2 || t[e] == '@' || !s_tld_like(t + last, e - last, path))
        return 0;
    return strchr("/:?#", t[e]) && t[e] ? s_link_end(t, e) : e;
}

/* The end of a link starting at p ("mailto:", "www.", a host name), 0
 * when none starts there ("scheme://": s_find_schemes). */
static size_t s_link_at(const char *t, size_t p)
{
    if (strncasecmp(t + p, "mailto:", 7) == 0 || strncasecmp(t + p, "www.", 4) == 0) {
        size_t e = s_link_end(t, p);
        return e > p + 4 ? e : 0;
    }
    return s_host_end(t, p);
}

static int s_by_start(const void *a, const void *b)
{
    const s_place_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Every "scheme://" wherever it stands: mail programs find the "://" and
 * take the letters before it, also after a digit, a hyphen or dots
 * ("stap1http://", "hier...https://"), where no word starts. */
static void s_find_schemes(const char *t, s_places_t *pl)
{
    for (const char *c = strstr(t, "://"); c; c = strstr(c + 3, "://")) {
        size_t k = (size_t)(c - t), s = k;
        while (s > 0 && isalpha((unsigned char)t[s - 1]))
            s--;
        if (s < k && (unsigned char)t[k + 3] > ' ')
            s_add(pl, s, s_link_end(t, k + 3), 1);
    }
}

/* Whether a link may start at i: at a letter or digit that begins a word.
 * A hyphen, an underscore or a run of dots before it ("-www.x.nl", a list
 * item; "hier...x.nl") ends a word for a mail program too; one dot
 * between letters ("vies.meer"), an '@' or a hyphen inside an address's
 * domain ("boete@heerlen-boete.nl": the address is cut as one) does not. */
static int s_word_start(const char *t, size_t i)
{
    if (!s_alnum(t + i))
        return 0;
    if (i == 0)
        return 1;
    unsigned char prev = (unsigned char)t[i - 1];
    if (s_alnum(t + s_prev(t, i)) || prev == '@')
        return 0;
    if (prev == '-' || prev == '_') {
        size_t j = i - 1;
        while (j > 0 && (s_label_char(t + s_prev(t, j)) || t[j - 1] == '.' || t[j - 1] == '_'))
            j = s_prev(t, j);
        return j == 0 || t[j - 1] != '@';
    }
    return prev != '.' || i < 2 || !s_label_char(t + s_prev(t, i - 1));
}

char *letter_quote_clean(const char *text)
{
    s_places_t pl = {0};
    classify_pii_find(text, "email", NULL, s_on_email, &pl);
    s_find_schemes(text, &pl);
    for (size_t i = 0; text[i];) {
        size_t e = s_word_start(text, i) ? s_link_at(text, i) : 0;
        if (e > i) {
            s_add(&pl, i, e, 1);
            i = e;
        } else {
            i++;
        }
    }
    if (pl.n > 1)
        qsort(pl.v, pl.n, sizeof *pl.v, s_by_start);
    size_t len = strlen(text), cap = len + 1, n = 0, at = 0;
    char *out = xmalloc(cap);
    for (size_t i = 0; i < pl.n;) {
        s_place_t m = pl.v[i++];
        while (i < pl.n && pl.v[i].start < m.end) { /* overlapping: one place */
            m.end = pl.v[i].end > m.end ? pl.v[i].end : m.end;
            m.link |= pl.v[i++].link;
        }
        const char *mark = m.link ? LETTER_QUOTE_LINK : LETTER_QUOTE_EMAIL;
        size_t ml = strlen(mark);
        cap += ml;
        out = xrealloc(out, cap);
        memcpy(out + n, text + at, m.start - at);
        n += m.start - at;
        memcpy(out + n, mark, ml);
        n += ml;
        at = m.end;
    }
    memcpy(out + n, text + at, len - at);
    n += len - at;
    out[n] = '\0';
    free(pl.v);
    return out;
}
