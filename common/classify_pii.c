/*
 * NAME
 *   classify_pii - does the text hold an email address or a phone number?
 *
 * DESCRIPTION
 *   Staff see a flag ("email", "phone") on ideas that carry personal data
 *   in the text itself, so they can hide it before publication. Hand-written
 *   scanners, because no library on Debian knows Dutch phone numbers and a
 *   regex engine would be more code than these two loops.
 *
 *   Email: something@label.label, local part of [A-Za-z0-9._%+-], domain
 *   labels of [A-Za-z0-9-], the last label at least two letters.
 *
 *   Phone: Dutch numbers are ten digits nationally (0 + area/mobile code +
 *   subscriber) and nine after +31 / 0031 (optionally "(0)"). Spaces, one
 *   dash, dots and brackets may separate digit groups: 06-12345678,
 *   06 1234 5678, (045) 123 45 67, +31 6 12345678, +31(0)45-1234567. A
 *   number glued to letters or other digits does not count (IBANs, order
 *   numbers), and two dashes do not either (dates: 01-02-2026 10:00).
 */
#include <ctype.h>
#include <string.h>

#include "classify.h"

static int s_local_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int s_label_char(unsigned char c)
{
    return isalnum(c) || c == '-';
}

/* The domain after '@': 1 when it has at least two labels and the last
 * one is two or more letters. */
static int s_domain_ok(const char *p)
{
    int labels = 0, alpha_len = 0;
    for (;;) {
        const char *start = p;
        alpha_len = 0;
        while (s_label_char((unsigned char)*p)) {
            alpha_len = isalpha((unsigned char)*p) ? alpha_len + 1 : -1000;
            p++;
        }
        if (p == start)
            break;
        labels++;
        if (*p != '.' || !s_label_char((unsigned char)p[1]))
            break;
        p++;
    }
    return labels >= 2 && alpha_len >= 2;
}

bool classify_pii_has_email(const char *text)
{
    for (const char *at = text ? strchr(text, '@') : NULL; at; at = strchr(at + 1, '@')) {
        if (at == text || !s_local_char((unsigned char)at[-1]))
            continue;
        if (s_domain_ok(at + 1))
            return true;
    }
    return false;
}

static int s_sep_char(char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Reads exactly want digits from p, allowing up to three separator chars
 * between digits and at most one dash in all. The first digit must be
 * 1..9. Returns 1 when the number ends there (no digit or letter follows). */
static int s_digits(const char *p, int want)
{
    int got = 0, dashes = 0;
    if (!isdigit((unsigned char)*p) || *p == '0')
        return 0;
    while (got < want) {
        if (isdigit((unsigned char)*p)) {
            got++;
            p++;
            continue;
        }
        if (got == 0)
            return 0;
        int seps = 0;
        while (s_sep_char(*p) && seps < 4) {
            dashes += *p == '-';
            p++;
            seps++;
        }
        if (seps == 0 || seps > 3 || dashes > 1 || !isdigit((unsigned char)*p))
            return 0;
    }
    return !isalnum((unsigned char)*p);
}

static const char *s_skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '-')
        p++;
    return p;
}

/* A phone number starting exactly at p. */
static int s_phone_at(const char *p)
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
        return s_digits(q, 9);
    }
    if (*p == '(')
        p++;
    if (*p != '0' || p[1] == '0')
        return 0;
    /* The leading 0, then nine more digits; a ')' may close the area code. */
    q = p + 1;
    if (*q == ')')
        q++;
    q = s_skip_spaces(q);
    return s_digits(q, 9);
}

bool classify_pii_has_phone(const char *text)
{
    for (const char *p = text; p && *p; p++) {
        if (*p != '+' && *p != '0' && *p != '(')
            continue;
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '+' || p[-1] == '-'))
            continue;
        if (s_phone_at(p))
            return true;
    }
    return false;
}

void classify_pii(idea_t *idea)
{
    if (classify_pii_has_email(idea->text) || classify_pii_has_email(idea->title))
        idea_add_pii(idea, "email");
    if (classify_pii_has_phone(idea->text) || classify_pii_has_phone(idea->title))
        idea_add_pii(idea, "phone");
}
