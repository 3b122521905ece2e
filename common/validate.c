/*
 * NAME
 *   validate - checks and clean-up of what people type (see validate.h)
 *
 * DESCRIPTION
 *   The UTF-8 checker is hand-written: it is on every intake's path for
 *   every byte, and reads plain ASCII eight bytes at a time (iconv accepts
 *   or rejects per locale). It follows the table in RFC 3629 section 4, so
 *   overlong forms, UTF-16 surrogates (U+D800..U+DFFF) and anything above
 *   U+10FFFF are refused. A NUL byte is refused as well: texts travel on as
 *   C strings, and a NUL would silently cut them.
 *
 *   Nothing here allocates except text_normalise(), which composes the
 *   text to Unicode NFC with utf8_nfc() (utf8_nfc.c).
 */
#include "validate.h"

#include "email_idn.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const VALID_CHANNELS[] = {"form", "email", "transcript", "field", NULL};
const char *const VALID_QUESTIONS[] = {"nu", "toekomst", NULL};
const char *const VALID_SENTIMENTS[] = {"positief", "neutraal", "negatief", NULL};
const char *const VALID_TARGET_GROUPS[] = {"inwoner", "professional", "buurtorganisatie", NULL};
const char *const VALID_ACTIVITIES[] = {"ideeenbus",
                                        "wijkgesprek",
                                        "omgevingsvisietour",
                                        "stakeholder-sessie",
                                        "buurtenconferentie",
                                        "camjo-video",
                                        "enquete",
                                        "interventie",
                                        "email",
                                        NULL};
const char *const VALID_STATUSES[] = {"new", "approved", "hidden", NULL};

/* Length of the valid sequence at s (at most n bytes), 0 when invalid.
 * *cp receives the code point. */
static size_t s_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return c == 0 ? 0 : 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        *cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        *cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        *cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong, F5..FF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    return len;
}

/* Eight bytes at a time while they are plain ASCII without NUL: most
 * texts are mostly ASCII, and the byte-wise decoder costs ~20
 * instructions a byte (the largest part of an intake's validation). */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t s_load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* True when none of the 8 bytes is NUL or >= 0x80. */
static bool s_ascii8(uint64_t w)
{
    return (((w - ONES) & ~w) | w) & HIGHS ? false : true;
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        if (len - i >= 8 && s_ascii8(s_load8(p + i))) {
            i += 8;
            continue;
        }
        size_t n = s_decode(p + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t utf8_chars(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0, i = 0;
    for (; len - i >= 8; i += 8) {
        uint64_t w = s_load8(p + i);
        if (!(w & HIGHS)) {
            n += 8;
            continue;
        }
        /* A continuation byte is 10xxxxxx: bit 7 set and bit 6 clear. */
        uint64_t cont = w & ~(w << 1) & HIGHS;
        n += 8 - (size_t)__builtin_popcountll(cont);
    }
    for (; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* --- text_normalise ----------------------------------------------------- */

static bool s_is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F);
}

/* Pass 1: line ends to LF, controls dropped, invalid bytes to U+FFFD (the
 * header asks for valid input; this keeps the output valid regardless).
 * Writes at most cap bytes; returns SIZE_MAX when that is not enough
 * (only an invalid byte grows the text; o + (len - i) <= cap holds
 * throughout). Runs of printable ASCII are copied whole: they need no
 * decoding. */
static size_t s_clean(const char *s, size_t len, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t run = i;
        while (run < len && p[run] >= 0x20 && p[run] < 0x7F)
            run++;
        if (run > i) {
            memcpy(out + o, p + i, run - i); /* fits: o + (len - i) <= cap */
            o += run - i;
            i = run;
            continue;
        }
        if (p[i] == '\r') {
            out[o++] = '\n';
            i += (i + 1 < len && p[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        size_t n = s_decode(p + i, len - i, &cp);
        if (n == 0 && p[i] == 0) {
            i++; /* NUL: a control character, dropped */
            continue;
        }
        if (n == 0) {
            if (cap - o < 3 + (len - i - 1))
                return SIZE_MAX;
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        if (!s_is_control(cp)) {
            memcpy(out + o, p + i, n);
            o += n;
        }
        i += n;
    }
    return o;
}

/* Pass 3, in place: white space at line ends, blank lines. It never
 * writes ahead of what it reads (each newline written stands for at least
 * one newline read), so one buffer serves both passes. */
static size_t s_lines(char *buf, size_t n)
{
    size_t o = 0;
    int blank_run = 0; /* blank lines seen in a row */
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(buf + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - buf) : n;
        size_t stop = end;
        while (stop > i && (buf[stop - 1] == ' ' || buf[stop - 1] == '\t'))
            stop--;
        if (stop == i) {
            blank_run++;
        } else {
            /* Leading blank lines vanish; at most two blank lines inside. */
            if (o > 0) {
                int keep = blank_run > 2 ? 2 : blank_run;
                buf[o++] = '\n';
                for (int k = 0; k < keep; k++)
                    buf[o++] = '\n';
            }
            size_t from = i;
            if (o == 0) /* leading white space of the whole text */
                while (from < stop && (buf[from] == ' ' || buf[from] == '\t'))
                    from++;
            memmove(buf + o, buf + from, stop - from);
            o += stop - from;
            blank_run = 0;
        }
        i = end + 1;
    }
    return o;
}

/* Pass 2: the composed form (NFC) of the n valid bytes in *buf, so "e" +
 * U+0301 is stored as the "é" that the classifier's word lists, the PII
 * rules and the language detection know. Returns the new length. */
static size_t s_compose(char **buf, size_t n)
{
    size_t m = n;
    char *nfc = utf8_nfc(*buf, n, &m);
    if (nfc) {
        free(*buf);
        *buf = nfc;
    }
    return m;
}

char *text_normalise_n(const char *s, size_t len, size_t *out_len)
{
    /* Valid input never grows in pass 1, so len + 1 bytes are enough
     * unless an invalid byte turns into U+FFFD (3 bytes): then once more
     * with room for the worst case. One allocation per text, and one
     * more when it is not NFC (s_compose). */
    size_t cap = len + 1;
    char *out = xmalloc(cap);
    size_t n = s_clean(s, len, out, cap - 1);
    if (n == SIZE_MAX) {
        free(out);
        cap = len * 3 + 1;
        out = xmalloc(cap);
        n = s_clean(s, len, out, cap - 1);
    }
    n = s_compose(&out, n);
    n = s_lines(out, n);
    out[n] = '\0';
    if (out_len)
        *out_len = n;
    return out;
}

char *text_normalise(const char *s, size_t len)
{
    return text_normalise_n(s, len, NULL);
}

/* --- email_valid -------------------------------------------------------- */

static bool s_local_char(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~.", c));
}

static bool s_domain_valid(const char *d)
{
    size_t len = strlen(d);
    if (len == 0 || len > 253 || !strchr(d, '.'))
        return false;
    const char *label = d;
    bool tld_has_alpha = false;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            size_t ll = (size_t)(p - label);
            if (ll == 0 || ll > 63 || label[0] == '-' || p[-1] == '-')
                return false;
            if (*p == '\0')
                break;
            label = p + 1;
            tld_has_alpha = false;
            continue;
        }
        if (!isalnum((unsigned char)*p) && *p != '-')
            return false;
        if (isalpha((unsigned char)*p))
            tld_has_alpha = true;
    }
    return tld_has_alpha; /* "1.2.3.4" is not a mail domain */
}

/* An internationalised domain ("bücher.nl") is checked in its ASCII form,
 * the one it is sent to (email_idn.h), and so is the length of the whole
 * address: local bytes, "@" and that form, at most EMAIL_MAX_BYTES. */
static bool s_any_domain_valid(const char *d, size_t local)
{
    for (const char *p = d; *p; p++)
        if ((unsigned char)*p >= 0x80) {
            char ascii[EMAIL_MAX_BYTES + 1];
            return email_idn_domain_ascii(d, ascii, sizeof ascii) == 0 && s_domain_valid(ascii) &&
                   local + 1 + strlen(ascii) <= EMAIL_MAX_BYTES;
        }
    return s_domain_valid(d);
}

bool email_valid(const char *s)
{
    if (!s)
        return false;
    size_t len = strlen(s);
    const char *at = strchr(s, '@');
    if (len > EMAIL_MAX_BYTES || !at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
        return false;
    for (size_t i = 0; i < local; i++) {
        if (!s_local_char((unsigned char)s[i]))
            return false;
        if (s[i] == '.' && s[i + 1] == '.')
            return false;
    }
    return s_any_domain_valid(at + 1, local);
}

bool value_allowed(const char *v, const char *const *allowed)
{
    if (!v)
        return false;
    for (; *allowed; allowed++)
        if (strcmp(v, *allowed) == 0)
            return true;
    return false;
}

bool value_listed_nocase(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && strncasecmp(w, *list, n) == 0)
            return true;
    return false;
}

/* --- postcode_normalise ------------------------------------------------- */

int postcode_normalise(const char *s, char *out, size_t size)
{
    if (!s)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    if (s[0] < '1' || s[0] > '9')
        return -1;
    for (int i = 1; i < 4; i++)
        if (!isdigit((unsigned char)s[i]))
            return -1;
    const char *p = s + 4;
    while (*p == ' ' || *p == '\t')
        p++;
    char letters[3] = "";
    if (isalpha((unsigned char)p[0]) && isalpha((unsigned char)p[1])) {
        letters[0] = (char)toupper((unsigned char)p[0]);
        letters[1] = (char)toupper((unsigned char)p[1]);
        p += 2;
        /* PostNL never issues SA, SD and SS. */
        if (strcmp(letters, "SA") == 0 || strcmp(letters, "SD") == 0 || strcmp(letters, "SS") == 0)
            return -1;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0')
        return -1;
    int n = snprintf(out, size, "%.4s%s", s, letters);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}
