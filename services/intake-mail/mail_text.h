/*
 * NAME
 *   mail_text - the resident's new words in a mail body, and the idea text
 *
 * SUMMARY
 *   char *clean = mail_text_clean(m.body);
 *   char *text = mail_text_idea(m.subject, clean);
 *
 * DESCRIPTION
 *   mail_text_clean() removes what a person reading the mail would skip:
 *   quoted replies ("> " lines; "Op ... schreef ...:" / "On ... wrote:"
 *   and everything after; Outlook "Van:/Verzonden:/Aan:/Onderwerp:" header
 *   blocks; "-----Original Message-----" / "-----Oorspronkelijk
 *   bericht-----" and after), signatures (a "-- " line and below; a closing
 *   greeting such as "Met vriendelijke groet" when what follows is short
 *   enough to be a signature), an opening salutation ("Beste gemeente,")
 *   alone on the first line when more text follows, and legal disclaimer
 *   paragraphs. Everything
 *   else, numbered lists included, is kept as written; blank-line runs are
 *   collapsed. An interleaved reply (quotes with new text between them)
 *   keeps the new text.
 *
 *   A forwarded mail ("---------- Forwarded message ---------", "Begin
 *   doorgestuurd bericht:") keeps the forwarded text: its marker and
 *   header block (Van/From, Datum/Date, Onderwerp/Subject, Aan/To, Cc)
 *   are dropped, Apple Mail's "> " quoting of it removed.
 *   mail_text_clean_forward() does the same for a mail whose subject
 *   says it is a forward (mail_text_is_forward(): "Fwd:", "FW:",
 *   "Doorst:", "TR:", "WG:"), where an Outlook header block without a
 *   marker starts the forwarded text.
 *
 *   mail_text_idea() puts the subject above the text (blank line between)
 *   when the subject says something: not empty, not a reply ("Re:",
 *   "Antw:", "AW:"), not just "idee"/"inspraak". "Fwd:" is stripped.
 *
 *   mail_text_thanks_only() says whether a cleaned text is only a
 *   thank-you ("Bedankt!", "Hartelijk dank voor uw snelle reactie!",
 *   "Thanks!"): at most 12 words, each of a short list of thanking and
 *   filler words, at least one of them a thank. A reply to our receipt
 *   that says only that is no idea.
 *
 * OWNERSHIP
 *   Both return a malloc'd UTF-8 string the caller frees (never NULL).
 */
#ifndef INSPRAAK_MAIL_TEXT_H
#define INSPRAAK_MAIL_TEXT_H

#include <stdbool.h>

char *mail_text_clean(const char *body);
char *mail_text_clean_forward(const char *body);
bool mail_text_is_forward(const char *subject);
char *mail_text_idea(const char *subject, const char *clean);
bool mail_text_thanks_only(const char *clean);

#endif
