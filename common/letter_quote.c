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
 *   top-level domain ("Heerlen.Nl"), as such words are mostly two words.
 *   All offsets are bytes; every place starts and ends on an ASCII byte or
 *   at the end of the text, so the UTF-8 around it stays whole.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "letter_quote.h"
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

static int s_label_char(unsigned char c)
{
    return isalnum(c) || c == '-';
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
    for (int i = 0; tld[i]; i++)
        if (strlen(tld[i]) == n && strncasecmp(t, tld[i], n) == 0)
            return 1;
    return 0;
}

/* The end of a bare host name starting at p, 0 when there is none. */
static size_t s_host_end(const char *t, size_t p)
{
    int labels = 0;
    size_t e = p, last = p;
    for (;;) {
        size_t s = e;
        while (s_label_char((unsigned char)t[e]))
            e++;
        if (e == s)
            return 0; /* an empty label: ".." or a '.' at the end */
        labels++;
        last = s;
        if (t[e] != '.' || !s_label_char((unsigned char)t[e + 1]))
            break;
        e++;
    }
    size_t n = e - last, lower = 0, upper = 0;
    for (size_t i = last; i < e; i++) {
        lower += islower((unsigned char)t[i]) != 0;
        upper += isupper((unsigned char)t[i]) != 0;
    }
    if (labels < 2 || n < 2 || n > 63 || t[e] == '@' ||
        (lower != n && upper != n && !s_common_tld(t + last, n)))
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
    unsigned char prev = i ? (unsigned char)t[i - 1] : ' ';
    if (!isalnum((unsigned char)t[i]) || isalnum(prev) || prev == '@')
        return 0;
    if (prev == '-' || prev == '_') {
        size_t j = i - 1;
        while (j > 0 && (s_label_char((unsigned char)t[j - 1]) || t[j - 1] == '.' ||
                         t[j - 1] == '_'))
            j--;
        return j == 0 || t[j - 1] != '@';
    }
    return prev != '.' || i < 2 || !s_label_char((unsigned char)t[i - 2]);
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
