/*
 * NAME
 *   letter_int - private parts of letter, shared by letter.c and
 *   letter_mime.c only
 *
 * DESCRIPTION
 *   Not an API: nothing outside letter*.c includes this.
 */
#ifndef INSPRAAK_LETTER_INT_H
#define INSPRAAK_LETTER_INT_H

/* g_mime_init(), once per process, from any thread. */
void letter_gmime_init(void);

/* Message-IDs from ideas go into In-Reply-To: only printable ASCII without
 * spaces or angle brackets is accepted, so nothing from a resident's mail
 * can break out of the header. 1 when s is such an id, else 0. */
int letter_msgid_ok(const char *s);

#endif
