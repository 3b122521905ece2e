/*
 * NAME
 *   redact - find personal data in a text and replace it with a marker
 *
 * DESCRIPTION
 *   See redact.h. The places of a kind are the ones the classifier's
 *   finders report (classify_pii_find(), common/classify_pii.c): one set
 *   of rules, so what the classifier flags, redaction finds, and after
 *   cutting it the flag goes. Names are looked for without the
 *   classifier's word lists (storage and the dashboard do not load them),
 *   which finds a superset of the names it flags.
 *
 *   Markers already in the text are skipped by every finder: only the
 *   exact marker strings count, so a stray "[weggehaald" typed by a
 *   resident cannot hide a stretch of text from redaction.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "redact.h"
#include "validate.h"
#include "xalloc.h"

static const struct {
    const char *kind, *label, *marker;
} S_KINDS[] = {
    {"phone", "telefoonnummer", "[weggehaald: telefoonnummer]"},
    {"email", "e-mailadres", "[weggehaald: e-mailadres]"},
    {"iban", "IBAN (rekeningnummer)", "[weggehaald: rekeningnummer]"},
    {"postcode", "adres (straat of postcode met huisnummer)", "[weggehaald: adres]"},
    {"name", "naam", "[weggehaald: naam]"},
};
#define S_N_KINDS (sizeof S_KINDS / sizeof S_KINDS[0])
static const char S_PLAIN[] = "[weggehaald]";

bool redact_kind_known(const char *kind)
{
    return redact_kind_label(kind) != NULL;
}

int redact_msg_add_all_kinds(redact_msg_t *m)
{
    for (size_t i = 0; i < S_N_KINDS; i++)
        if (redact_msg_add_kind(m, S_KINDS[i].kind) < 0)
            return -1;
    return 0;
}

const char *redact_kind_label(const char *kind)
{
    for (size_t i = 0; kind && i < S_N_KINDS; i++)
        if (strcmp(kind, S_KINDS[i].kind) == 0)
            return S_KINDS[i].label;
    return NULL;
}

/* The static slug of a known kind (spans keep the pointer), else NULL. */
static const char *s_kind_slug(const char *kind)
{
    for (size_t i = 0; kind && i < S_N_KINDS; i++)
        if (strcmp(kind, S_KINDS[i].kind) == 0)
            return S_KINDS[i].kind;
    return NULL;
}

const char *redact_marker(const char *kind)
{
    for (size_t i = 0; kind && i < S_N_KINDS; i++)
        if (strcmp(kind, S_KINDS[i].kind) == 0)
            return S_KINDS[i].marker;
    return S_PLAIN;
}

/* Length of the marker starting at p, or 0. */
static size_t s_marker_at(const char *p)
{
    if (strncmp(p, REDACT_MARK, sizeof REDACT_MARK - 1) != 0)
        return 0;
    if (strncmp(p, S_PLAIN, sizeof S_PLAIN - 1) == 0)
        return sizeof S_PLAIN - 1;
    for (size_t i = 0; i < S_N_KINDS; i++)
        if (strncmp(p, S_KINDS[i].marker, strlen(S_KINDS[i].marker)) == 0)
            return strlen(S_KINDS[i].marker);
    return 0;
}

static int s_push(redact_spans_t *sp, size_t start, size_t len, const char *kind, char *err,
                  size_t errlen)
{
    if (sp->n < 0 || sp->n >= REDACT_MAX_SPANS) {
        snprintf(err, errlen, "more than %d places to cut in one field", REDACT_MAX_SPANS);
        return -1;
    }
    sp->v[sp->n++] = (redact_span_t){start, len, kind};
    return 0;
}

/* Pushes each place the classifier's finder reports, unless it touches a
 * marker already in the text. */
typedef struct {
    const char *text;
    redact_spans_t *sp;
    char *err;
    size_t errlen;
    int n, failed;
} s_found_t;

static int s_marker_within(const char *text, size_t from, size_t to);

static int s_on_place(void *arg, const char *kind, size_t start, size_t end)
{
    s_found_t *f = arg;
    if (s_marker_within(f->text, start, end))
        return 0;
    if (s_push(f->sp, start, end - start, s_kind_slug(kind), f->err, f->errlen) < 0) {
        f->failed = 1;
        return 1;
    }
    f->n++;
    return 0;
}

int redact_find_kind(const char *text, const char *kind, redact_spans_t *sp, char *err,
                     size_t errlen)
{
    if (!redact_kind_known(kind)) {
        snprintf(err, errlen, "unknown kind of personal data");
        return -1;
    }
    if (!text)
        return 0;
    s_found_t f = {text, sp, err, errlen, 0, 0};
    classify_pii_find(text, kind, NULL, s_on_place, &f);
    return f.failed ? -1 : f.n;
}

/* ---- text typed by hand ---- */

static int s_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

static int s_eq_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        x = x >= 'A' && x <= 'Z' ? x + 32 : x;
        y = y >= 'A' && y <= 'Z' ? y + 32 : y;
        if (x != y)
            return 0;
    }
    return 1;
}

int redact_needle_check(const char *needle, char *err, size_t errlen)
{
    size_t n = needle ? strlen(needle) : 0;
    const char *why = NULL;
    /* The limit is in characters, as the form's maxlength counts them;
     * 4 bytes per character bounds the bytes first (well inside
     * REDACT_MSG_MAX_TEXT_LEN) so utf8_chars() only sees valid UTF-8. */
    if (n == 0 || n > 4 * (size_t)REDACT_NEEDLE_MAX)
        why = "the text to remove is empty or too long";
    else if (!utf8_valid(needle, n))
        why = "the text to remove is not UTF-8";
    else if (utf8_chars(needle, n) < REDACT_NEEDLE_MIN)
        why = "the text to remove is too short";
    else if (utf8_chars(needle, n) > REDACT_NEEDLE_MAX)
        why = "the text to remove is empty or too long";
    else if (needle[0] == ' ' || needle[n - 1] == ' ')
        why = "the text to remove starts or ends with a space";
    for (size_t i = 0; !why && i < n; i++)
        if ((unsigned char)needle[i] < 0x20 || needle[i] == 0x7f)
            why = "the text to remove holds a control character";
    if (why)
        snprintf(err, errlen, "%s", why);
    return why ? -1 : 0;
}

char *redact_name_needle(const char *name, size_t len)
{
    if (!name || len == 0 || memchr(name, '\0', len) != NULL)
        return NULL;
    const char *b = name, *e = name + len;
    while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    char *out = xstrndup(b, (size_t)(e - b)), err[128];
    if (redact_needle_check(out, err, sizeof err) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* 1 when a marker starts in text[from, to). */
static int s_marker_within(const char *text, size_t from, size_t to)
{
    for (const char *p = memchr(text + from, '[', to - from); p && (size_t)(p - text) < to;
         p = memchr(p + 1, '[', to - (size_t)(p + 1 - text)))
        if (s_marker_at(p))
            return 1;
    return 0;
}

int redact_find_text(const char *text, const char *needle, redact_spans_t *sp, char *err,
                     size_t errlen)
{
    if (redact_needle_check(needle, err, errlen) < 0)
        return -1;
    if (!text)
        return 0;
    size_t tlen = strlen(text), nlen = strlen(needle);
    int word_first = s_word_byte((unsigned char)needle[0]);
    int word_last = s_word_byte((unsigned char)needle[nlen - 1]);
    int n = 0;
    for (size_t pos = 0; pos + nlen <= tlen; pos++) {
        size_t m = text[pos] == '[' ? s_marker_at(text + pos) : 0;
        if (m) {
            pos += m - 1;
            continue;
        }
        if (!s_eq_ci(text + pos, needle, nlen))
            continue;
        if (word_first && pos > 0 && s_word_byte((unsigned char)text[pos - 1]))
            continue;
        if (word_last && s_word_byte((unsigned char)text[pos + nlen]))
            continue;
        if (s_marker_within(text, pos, pos + nlen))
            continue;
        if (s_push(sp, pos, nlen, NULL, err, errlen) < 0)
            return -1;
        n++;
        pos += nlen - 1;
    }
    return n;
}

/* ---- replacing ---- */

static int s_by_start(const void *a, const void *b)
{
    const redact_span_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->len > y->len ? -1 : x->len < y->len;
}

static int s_is_cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* Checks each span against text (tlen bytes). */
static int s_check_spans(const char *text, size_t tlen, const redact_spans_t *sp, char *err,
                         size_t errlen)
{
    if (sp->n < 0 || sp->n > REDACT_MAX_SPANS) {
        snprintf(err, errlen, "%d spans: between 0 and %d allowed", sp->n, REDACT_MAX_SPANS);
        return -1;
    }
    for (int i = 0; i < sp->n; i++) {
        const redact_span_t *s = &sp->v[i];
        if (s->len == 0 || s->start >= tlen || s->len > tlen - s->start) {
            snprintf(err, errlen,
                     "span %d (start %zu, length %zu) is empty or outside the text "
                     "of %zu bytes",
                     i, s->start, s->len, tlen);
            return -1;
        }
        if (s_is_cont((unsigned char)text[s->start]) ||
            (s->start + s->len < tlen && s_is_cont((unsigned char)text[s->start + s->len]))) {
            snprintf(err, errlen, "span %d (start %zu, length %zu) cuts a UTF-8 character", i,
                     s->start, s->len);
            return -1;
        }
    }
    return 0;
}

int redact_apply(const char *text, const redact_spans_t *sp, char **out, char *err, size_t errlen)
{
    *out = NULL;
    size_t tlen = text ? strlen(text) : 0;
    if (s_check_spans(text ? text : "", tlen, sp, err, errlen) < 0)
        return -1;
    redact_span_t *v = xmalloc(sizeof(*v) * (size_t)(sp->n ? sp->n : 1));
    memcpy(v, sp->v, sizeof(*v) * (size_t)sp->n);
    qsort(v, (size_t)sp->n, sizeof(*v), s_by_start);
    /* Merge overlaps in place: one marker, its kind kept only when all agree. */
    int m = 0;
    for (int i = 0; i < sp->n; i++) {
        if (m > 0 && v[i].start < v[m - 1].start + v[m - 1].len) {
            redact_span_t *c = &v[m - 1];
            size_t end = v[i].start + v[i].len;
            if (end > c->start + c->len)
                c->len = end - c->start;
            if (!c->kind || !v[i].kind || strcmp(c->kind, v[i].kind) != 0)
                c->kind = NULL;
            continue;
        }
        v[m++] = v[i];
    }
    size_t size = tlen + 1;
    for (int i = 0; i < m; i++)
        size += strlen(redact_marker(v[i].kind)); /* an upper bound: spans are not subtracted */
    char *o = xmalloc(size);
    size_t at = 0, w = 0;
    for (int i = 0; i < m; i++) {
        memcpy(o + w, text + at, v[i].start - at);
        w += v[i].start - at;
        const char *mk = redact_marker(v[i].kind);
        memcpy(o + w, mk, strlen(mk));
        w += strlen(mk);
        at = v[i].start + v[i].len;
    }
    memcpy(o + w, text ? text + at : "", tlen - at);
    w += tlen - at;
    o[w] = '\0';
    free(v);
    if (w > PROTO_MAX_STRING) {
        snprintf(err, errlen, "the text with markers would be longer than %u bytes",
                 PROTO_MAX_STRING);
        free(o);
        return -1;
    }
    *out = o;
    return m;
}

/* ---- a whole request on an idea ---- */

/* All places of m in one field; *out is the new value (NULL: unchanged).
 * Returns the number of markers, or -1. */
static int s_field(const char *value, const redact_msg_t *m, char **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!value || !*value)
        return 0;
    redact_spans_t *sp = xmalloc(sizeof(*sp));
    sp->n = 0;
    int rc = 0;
    for (int i = 0; rc >= 0 && i < m->n_kinds; i++)
        rc = redact_find_kind(value, m->kinds[i], sp, err, errlen);
    for (int i = 0; rc >= 0 && i < m->n_texts; i++)
        rc = redact_find_text(value, m->texts[i], sp, err, errlen);
    if (rc >= 0 && sp->n > 0)
        rc = redact_apply(value, sp, out, err, errlen);
    else if (rc >= 0)
        rc = 0;
    free(sp);
    return rc;
}

/* The pii flags of known kinds as the finders would set them now in the
 * fields the classifier reads: text, title and source.context (without
 * the classifier's word lists: a superset of its names, so a name flag
 * stays only while some name-like place is left). Other flags stay. */
static void s_reflag(idea_t *idea)
{
    int k = 0;
    for (int i = 0; i < idea->n_pii; i++) {
        const char *f = idea->pii[i];
        int keep = !redact_kind_known(f) || classify_pii_has(idea->text, f, NULL) ||
                   classify_pii_has(idea->title, f, NULL) ||
                   classify_pii_has(idea->source.context, f, NULL);
        if (keep) {
            idea->pii[k++] = idea->pii[i];
        } else {
            free(idea->pii[i]);
        }
    }
    for (int i = k; i < idea->n_pii; i++)
        idea->pii[i] = NULL;
    idea->n_pii = k;
}

int redact_idea(idea_t *idea, const redact_msg_t *m, char *err, size_t errlen)
{
    char **fields[] = {&idea->text, &idea->title, &idea->source.subject, &idea->source.context};
    enum { N = sizeof fields / sizeof fields[0] };
    char *outs[N] = {NULL};
    int total = 0, rc = 0;
    for (int i = 0; i < m->n_kinds && rc == 0; i++)
        if (!redact_kind_known(m->kinds[i])) {
            snprintf(err, errlen, "unknown kind of personal data");
            rc = -1;
        }
    for (int i = 0; i < m->n_texts && rc == 0; i++)
        rc = redact_needle_check(m->texts[i], err, errlen);
    for (int f = 0; f < N && rc == 0; f++) {
        int n = s_field(*fields[f], m, &outs[f], err, errlen);
        if (n < 0)
            rc = -1;
        else
            total += n;
    }
    for (int f = 0; f < N; f++) {
        if (rc == 0 && outs[f]) {
            free(*fields[f]);
            *fields[f] = outs[f];
        } else {
            free(outs[f]);
        }
    }
    if (rc < 0)
        return -1;
    if (total > 0)
        s_reflag(idea);
    return total;
}
