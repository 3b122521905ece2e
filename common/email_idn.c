/*
 * NAME
 *   email_idn - addresses with an internationalised domain (see email_idn.h)
 *
 * DESCRIPTION
 *   libidn2 does the conversion (Debian's libidn2-0); nothing here knows
 *   Punycode. The readable form is the ASCII form turned back, so that
 *   every way of writing one domain ("BÜCHER.nl", "bücher.nl",
 *   "xn--bcher-kva.nl") is stored as the same string.
 */
#define _GNU_SOURCE /* strcasestr */
#include "email_idn.h"

#include "xalloc.h"

#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool s_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

int email_idn_domain_ascii(const char *domain, char *out, size_t size)
{
    char *a = NULL;
    if (idn2_lookup_u8((const uint8_t *)domain, (uint8_t **)&a,
                       IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK)
        return -1;
    int rc = strlen(a) < size ? 0 : -1;
    if (rc == 0)
        memcpy(out, a, strlen(a) + 1);
    idn2_free(a);
    return rc;
}

bool email_idn_local_ascii(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return s_ascii(addr, at ? (size_t)(at - addr) : strlen(addr));
}

/* local@<domain converted>; to_unicode: the A-labels turned back. */
static char *s_convert(const char *addr, bool to_unicode)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (!at)
        return NULL;
    char ascii[256];
    if (email_idn_domain_ascii(at + 1, ascii, sizeof ascii) < 0)
        return NULL;
    int local = (int)(at - addr);
    if (!to_unicode)
        return xasprintf("%.*s@%s", local, addr, ascii);
    char *u = NULL;
    if (idn2_to_unicode_8z8z(ascii, &u, 0) != IDN2_OK)
        return NULL;
    char *out = xasprintf("%.*s@%s", local, addr, u);
    idn2_free(u);
    return out;
}

char *email_idn_readable(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (at && s_ascii(at + 1, strlen(at + 1)) && !strcasestr(at + 1, "xn--"))
        return xstrdup(addr);
    return s_convert(addr, true);
}

char *email_idn_ascii(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (at && s_ascii(at + 1, strlen(at + 1)))
        return xstrdup(addr);
    return s_convert(addr, false);
}

static bool s_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int email_stored_form(const char *email, size_t len, char *out, size_t size)
{
    if (!email)
        return -1;
    const char *b = email, *e = email + len;
    while (b < e && s_blank(*b))
        b++;
    while (e > b && s_blank(e[-1]))
        e--;
    size_t n = (size_t)(e - b);
    if (n == 0 || memchr(b, '\0', n))
        return -1;
    char *given = xstrndup(b, n), *shown = email_idn_readable(given);
    const char *s = shown ? shown : given;
    size_t m = strlen(s);
    int rc = m < size ? 0 : -1;
    for (size_t i = 0; rc == 0 && i <= m; i++) /* ASCII folding only: UTF-8 stays */
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    free(shown);
    free(given);
    return rc;
}
