/*
 * NAME
 *   pages - the HTML of the idea box: form, thank-you page, privacy text
 *
 * DESCRIPTION
 *   Plain HTML that works without JavaScript and meets WCAG 2.1 AA: Dutch
 *   (lang="nl"), a <label> for every field, fieldset/legend around radio
 *   groups, an error summary (role="alert") at the top linking to each
 *   field in error, hints and errors tied to their field with
 *   aria-describedby, visible focus, touch targets of at least 44 px,
 *   readable at 320 px wide. Every value shown comes through
 *   http_html_escape(). Texts are Dutch at B1 level.
 *
 * OWNERSHIP
 *   Every page_*() returns a malloc'd NUL-terminated page; *len gets its
 *   length. The caller frees it (or hands it to http_res_take()).
 */
#ifndef INSPRAAK_PAGES_H
#define INSPRAAK_PAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "form_validate.h"
#include "geo.h"

/* The form. f: the values and errors to show again, or NULL for an empty
 * form. key: the hidden per-form key that makes a double submit one idea.
 * notice: a Dutch sentence shown at the top (e.g. "try again later"), or
 * NULL. geo may be NULL (the wijk list then only holds "Weet ik niet"). */
char *page_form(const form_t *f, const geo_t *geo, const char *key, const char *notice,
                size_t *len);

/* "Bedankt! ..." naming the idea's id; mail: the person will get email;
 * name_only: a name but no email address was given, so the page says to
 * keep the number (the privacy statement asks for it then). */
char *page_thanks(const char *id, bool mail, bool name_only, size_t *len);

/* INSPRAAK_PRIVACY_CONTACT's default: where residents write to use their
 * rights. */
#define PAGE_PRIVACY_CONTACT "Gemeente Heerlen, Postbus 1, 6400 AA Heerlen"

/* The privacy text (GET /privacy); contact: the address to write to
 * (shown escaped). */
char *page_privacy(const char *contact, size_t *len);

/* A short page with a heading, one sentence and a link back to the form. */
char *page_message(const char *title, const char *text, size_t *len);

#endif
