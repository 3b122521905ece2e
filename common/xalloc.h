/*
 * NAME
 *   xalloc - allocation that never returns NULL
 *
 * DESCRIPTION
 *   Like Postfix's mymalloc(): running out of memory is not a condition a
 *   service can recover from in a useful way, so these wrappers log a fatal
 *   line and exit. Callers never check for NULL. Free with free().
 */
#ifndef INSPRAAK_XALLOC_H
#define INSPRAAK_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
/* Returns a malloc'd copy of s; NULL in gives NULL out. Caller frees. */
char *xstrdup(const char *s);
/* Copy of the first n bytes of s, NUL-terminated. Caller frees. */
char *xstrndup(const char *s, size_t n);
/* printf into a new string. Caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
