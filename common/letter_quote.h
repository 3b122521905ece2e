/*
 * NAME
 *   letter_quote - a resident's text as a mail from the municipality may
 *   quote it: without web links and email addresses
 *
 * SUMMARY
 *   char *q = letter_quote_clean("Zie www.voorbeeld.nl of mail a@b.nl");
 *   // "Zie [link weggelaten] of mail [e-mailadres weggelaten]"
 *   free(q);
 *
 * DESCRIPTION
 *   Receipts and campaign mails quote the ideas of the person they go to
 *   (letter.c). Anyone can type someone else's address in the form, or
 *   forge the From of a mail, so the quoted text may be a stranger's: a
 *   link or an address in it would reach that person in a mail with
 *   Heerlen's name on it (phishing). Every place that a mail program could
 *   make into a link is replaced by a Dutch placeholder:
 *
 *     email address (the finder the classifier flags and redaction cuts,
 *     classify_pii_find "email")           -> "[e-mailadres weggelaten]"
 *     scheme://...  (http, https, ftp, any scheme), mailto:...,
 *     www.... , and a bare host name (two or more labels of ASCII letters,
 *     digits and '-', the last one 2 to 63 letters, in one case or a
 *     common top-level domain ("Heerlen.Nl"), not followed by '@':
 *     "heerlen-betalen.nl", "bit.ly/x")
 *                                          -> "[link weggelaten]"
 *
 *   A link may start where a word starts, also after a hyphen, an
 *   underscore or a run of dots ("-www.x.nl" in a list, "hier...x.nl"),
 *   not after an '@' or one dot between letters ("vies.meer"); a
 *   "scheme://" counts wherever it stands, from the letters before the
 *   "://" ("stap1http://...": mail programs find it there too).
 *
 *   A link runs to the next white space, control character, '<', '>' or
 *   '"' (a bare host name only when '/', ':', '?' or '#' follows it), less
 *   the punctuation a sentence puts after it (".,;:!?)]}'"). Places that
 *   overlap become one placeholder (a link when one of them is a link).
 *   The cut is the last step before a text is quoted: cutting a text
 *   afterwards could make a new host name of a longer word.
 *
 * OWNERSHIP
 *   letter_quote_clean() returns a malloc'd string (never NULL: xalloc);
 *   the caller frees it.
 */
#ifndef INSPRAAK_LETTER_QUOTE_H
#define INSPRAAK_LETTER_QUOTE_H

#define LETTER_QUOTE_LINK "[link weggelaten]"
#define LETTER_QUOTE_EMAIL "[e-mailadres weggelaten]"

/* text (UTF-8) with every link and email address replaced (see above). */
char *letter_quote_clean(const char *text);

#endif
