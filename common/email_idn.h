/*
 * NAME
 *   email_idn - addresses with an internationalised domain (IDN)
 *
 * SUMMARY
 *   char *shown = email_idn_readable("Jan@xn--bcher-kva.nl"); // "Jan@bücher.nl"
 *   char *smtp = email_idn_ascii("jan@bücher.nl");            // "jan@xn--bcher-kva.nl"
 *
 * DESCRIPTION
 *   A resident may type an address whose domain is not ASCII
 *   ("jan@bücher.nl", "ali@straße.de"). SMTP without the SMTPUTF8
 *   extension, and most mail servers, need its ASCII form (IDNA 2008
 *   A-labels, "xn--..."), made here with libidn2 (UTS #46, non-transitional:
 *   "straße.de" stays "straße.de", not "strasse.de").
 *
 *   inspraak stores and shows the readable form (email_idn_readable) and
 *   turns it into the ASCII form only where a mail goes out
 *   (common/mailout.c, common/letter_mime.c). The local part (before the
 *   @) must be ASCII: an address with a non-ASCII local part needs
 *   SMTPUTF8, which we do not send (email_valid() refuses it).
 *
 * OWNERSHIP
 *   email_idn_readable() and email_idn_ascii() return malloc'd strings
 *   (caller frees), or NULL when the domain is no valid IDN.
 *   email_stored_form() writes into the caller's buffer.
 */
#ifndef INSPRAAK_EMAIL_IDN_H
#define INSPRAAK_EMAIL_IDN_H

#include <stdbool.h>
#include <stddef.h>

/* The domain's ASCII form into out (lower case). 0, or -1 when it is no
 * valid domain name or does not fit. */
int email_idn_domain_ascii(const char *domain, char *out, size_t size);

/* The address with its domain as a person reads it: U-labels where the
 * domain is internationalised ("xn--bcher-kva.nl" and "Bücher.nl" give
 * "bücher.nl"); an ASCII domain without "xn--" stays as given. */
char *email_idn_readable(const char *addr);

/* The address with its domain in ASCII, what goes into RCPT TO and To:. */
char *email_idn_ascii(const char *addr);

/* The form a person's address is stored and looked up in, the one the
 * email index key (docs/redis.md) is made of: blanks (space, tab, CR, LF)
 * around it cut off, the domain readable (email_idn_readable; kept as
 * given when it is no valid IDN), ASCII letters in lower case:
 * "  Jan@XN--BCHER-KVA.nl" and "jan@Bücher.nl" both give "jan@bücher.nl".
 * storage (every intake), inspraakctl and letter.c use it, so one person
 * is one participant whichever way the address came in. Reads len bytes
 * of email. 0 with out, or -1 when nothing is left, a NUL is among them
 * or the result does not fit in size bytes. */
int email_stored_form(const char *email, size_t len, char *out, size_t size);
/* A size for email_stored_form()'s out that holds the readable form of
 * any address email_valid() takes (254 bytes in ASCII; a U-label may need
 * up to 4 bytes for each byte of its A-label). */
#define EMAIL_STORED_MAX 1024

/* True when every byte before the @ is ASCII (no SMTPUTF8 needed). */
bool email_idn_local_ascii(const char *addr);

#endif
