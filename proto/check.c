/*
 * NAME
 *   check - limits on untrusted MessagePack, before anything is allocated
 *
 * SUMMARY
 *   int proto_check(buf, len, max_len, max_depth, max_items, max_string, err)
 *
 * DESCRIPTION
 *   Hand-written on purpose. msgpack-c's C API has no unpack limits: for an
 *   array or map header it reserves zone memory for the DECLARED count
 *   before reading a single element, so a 5-byte array32 header claiming
 *   4 billion items asks for tens of gigabytes; nesting is bounded only by
 *   its parse stack (32 levels). (The C++ API has unpack_limit; the C API
 *   has nothing of the kind.) So every decoder first walks the raw bytes
 *   here, iteratively, with a fixed-size stack and no allocation, and only
 *   then hands them to msgpack_unpack().
 *
 *   What is checked: the message is at most max_len bytes and holds
 *   exactly one object; containers nest at most max_depth deep; all map
 *   pairs plus array items together are at most max_items; a str, bin or
 *   ext is at most max_string bytes; every declared length or count fits
 *   in the bytes that remain (each element takes at least one byte); the
 *   reserved type byte 0xc1 does not occur.
 *
 * DIAGNOSTICS
 *   -1 with err->code too_large, too_deep, too_many_items or malformed.
 *
 *   Also here: the strict UTF-8 check and proto_err_set(), which every
 *   proto file uses (proto stays free of common/ apart from xalloc).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto_int.h"

#define CHECK_STACK 64 /* hard cap on max_depth: the walker's fixed stack */

void proto_err_set(proto_err_t *err, const char *code, const char *fmt, ...)
{
    if (!err)
        return;
    snprintf(err->code, sizeof(err->code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/* Hand-written because proto must not depend on common/validate (which
 * services use); same rules as RFC 3629. */
bool proto_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* Eight ASCII bytes at a time: most of what we encode is ASCII,
         * and the byte loop was a visible part of every encode. */
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, sizeof w);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf)
            n = 1;
        else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0)
                lo = 0xa0; /* overlong */
            else if (c == 0xed)
                hi = 0x9f; /* surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0)
                lo = 0x90; /* overlong */
            else if (c == 0xf4)
                hi = 0x8f; /* above U+10FFFF */
        } else
            return false;
        if (len - i <= n)
            return false;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= n; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xbf)
                return false;
        i += n + 1;
    }
    return true;
}

typedef struct {
    const unsigned char *p;
    size_t len;
    size_t pos;
} s_cursor_t;

/* Reads an n-byte big-endian length at pos; -1 when the bytes run out. */
static int s_read_be(s_cursor_t *c, int n, uint64_t *out)
{
    if (c->len - c->pos < (size_t)n)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | c->p[c->pos + i];
    c->pos += (size_t)n;
    *out = v;
    return 0;
}

/* One object header: returns its kind. For data (str/bin/ext) *count is the
 * byte length to skip; for containers *count is the element count (pairs
 * for maps); for scalars *count is the byte length of the payload. */
enum { H_SCALAR, H_DATA, H_ARRAY, H_MAP, H_BAD, H_SHORT };

static int s_header(s_cursor_t *c, uint64_t *count)
{
    if (c->pos >= c->len)
        return H_SHORT;
    unsigned t = c->p[c->pos++];
    int ln = 0;
    *count = 0;
    if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
        return H_SCALAR;
    if (t >= 0xa0 && t <= 0xbf) {
        *count = t & 0x1f;
        return H_DATA;
    }
    if (t >= 0x90 && t <= 0x9f) {
        *count = t & 0x0f;
        return H_ARRAY;
    }
    if (t >= 0x80 && t <= 0x8f) {
        *count = t & 0x0f;
        return H_MAP;
    }
    switch (t) {
    case 0xcc:
    case 0xd0:
        *count = 1;
        return H_SCALAR;
    case 0xcd:
    case 0xd1:
        *count = 2;
        return H_SCALAR;
    case 0xca:
    case 0xce:
    case 0xd2:
        *count = 4;
        return H_SCALAR;
    case 0xcb:
    case 0xcf:
    case 0xd3:
        *count = 8;
        return H_SCALAR;
    case 0xd4:
        *count = 2;
        return H_DATA; /* fixext: type byte + data */
    case 0xd5:
        *count = 3;
        return H_DATA;
    case 0xd6:
        *count = 5;
        return H_DATA;
    case 0xd7:
        *count = 9;
        return H_DATA;
    case 0xd8:
        *count = 17;
        return H_DATA;
    case 0xc4:
    case 0xd9:
        ln = 1;
        break;
    case 0xc5:
    case 0xda:
        ln = 2;
        break;
    case 0xc6:
    case 0xdb:
        ln = 4;
        break;
    case 0xc7:
        ln = 1;
        break;
    case 0xc8:
        ln = 2;
        break;
    case 0xc9:
        ln = 4;
        break;
    case 0xdc:
    case 0xde:
        ln = 2;
        break;
    case 0xdd:
    case 0xdf:
        ln = 4;
        break;
    default:
        return H_BAD; /* 0xc1 */
    }
    if (s_read_be(c, ln, count) < 0)
        return H_SHORT;
    if (t >= 0xc7 && t <= 0xc9)
        *count += 1; /* ext: the type byte */
    if (t == 0xdc || t == 0xdd)
        return H_ARRAY;
    if (t == 0xde || t == 0xdf)
        return H_MAP;
    return H_DATA;
}

/* Pops finished containers after one element completed; returns the new
 * stack height. */
static int s_pop(uint64_t *left, int top)
{
    while (top > 0) {
        if (--left[top - 1] > 0)
            break;
        top--;
    }
    return top;
}

int proto_check(const char *buf, size_t len, size_t max_len, int max_depth, size_t max_items,
                size_t max_string, proto_err_t *err)
{
    if (len > max_len) {
        proto_err_set(err, "too_large", "message of %zu bytes is larger than %zu", len, max_len);
        return -1;
    }
    if (max_depth > CHECK_STACK)
        max_depth = CHECK_STACK;
    s_cursor_t c = {(const unsigned char *)buf, len, 0};
    uint64_t left[CHECK_STACK];
    int top = 0;
    uint64_t items = 0;
    do {
        size_t at = c.pos;
        uint64_t n;
        int h = s_header(&c, &n);
        if (h == H_SHORT) {
            proto_err_set(err, "malformed", "message is truncated at byte %zu", at);
            return -1;
        }
        if (h == H_BAD) {
            proto_err_set(err, "malformed", "invalid type byte 0x%02x at byte %zu", c.p[at], at);
            return -1;
        }
        if (h == H_DATA && n > max_string) {
            proto_err_set(err, "too_large", "string of %llu bytes at byte %zu is larger than %zu",
                          (unsigned long long)n, at, max_string);
            return -1;
        }
        if (h == H_ARRAY || h == H_MAP) {
            items += n;
            if (items > max_items) {
                proto_err_set(err, "too_many_items",
                              "more than %zu items (a container at byte %zu declares %llu)",
                              max_items, at, (unsigned long long)n);
                return -1;
            }
            if (top + 1 > max_depth) {
                proto_err_set(err, "too_deep", "nesting deeper than %d at byte %zu", max_depth, at);
                return -1;
            }
            if (h == H_MAP)
                n *= 2; /* cannot overflow: n <= max_items */
        }
        if (n > len - c.pos) {
            proto_err_set(err, "malformed",
                          "length %llu at byte %zu runs past the end of the message",
                          (unsigned long long)n, at);
            return -1;
        }
        if (h == H_ARRAY || h == H_MAP) {
            if (n > 0) {
                left[top++] = n;
                continue;
            }
        } else
            c.pos += (size_t)n;
        top = s_pop(left, top);
    } while (top > 0);
    if (c.pos != len) {
        proto_err_set(err, "malformed", "%zu bytes after the end of the message", len - c.pos);
        return -1;
    }
    return 0;
}
