/*
 * NAME
 *   file - read a small file whole, up to a size limit
 *
 * SYNOPSIS
 *   #include "file.h"
 *
 *   size_t len;
 *   char *buf = file_read(path, 64 * 1024, &len);
 *   if (!buf)
 *       ... errno == EFBIG ? "too large" : strerror(errno) ...
 *   ... use buf[0..len) ...
 *   free(buf);
 *
 * DESCRIPTION
 *   file_read() is the one way the services read a template, a text file,
 *   a transcript or a static web file into memory. One rule for the limit,
 *   stated here once:
 *
 *     A file of 0 to max bytes is read and returned; a file of exactly max
 *     bytes is accepted. A file of max + 1 bytes or more is refused with
 *     EFBIG, and never more than max + 1 bytes are read to find that out.
 *
 *   The size is what read(2) delivers up to end of file, not what stat(2)
 *   said (stat's size is only a hint for the first buffer and an early
 *   EFBIG), so a file that grows or shrinks while it is read is judged by
 *   the bytes actually read. Pipes, /dev/stdin and other files without a
 *   size work too. Short reads and EINTR are retried.
 *
 *   The buffer is always NUL-terminated at buf[len], so text callers can use
 *   it as a string; the file itself may hold NUL bytes, so a caller that
 *   cares must use len (or validate, e.g. utf8_valid(), which refuses NUL).
 *
 * OWNERSHIP
 *   file_read() returns a malloc'd buffer of len + 1 bytes; the caller
 *   frees it with free(). Allocation is via xalloc.h (never NULL).
 *
 * DIAGNOSTICS
 *   NULL with errno set, and *len_out untouched:
 *     ENOENT, EACCES, ... from open(2);
 *     EISDIR (a directory), EIO, ... from read(2);
 *     EFBIG   the file holds more than max bytes.
 *   Thread-safe; no logging (the caller knows what the file is for).
 */
#ifndef INSPRAAK_FILE_H
#define INSPRAAK_FILE_H

#include <stddef.h>

/* Reads path whole if it holds at most max bytes (see the rule above).
 * len_out may be NULL. Returns a malloc'd NUL-terminated copy, or NULL
 * with errno set. Caller frees. */
char *file_read(const char *path, size_t max, size_t *len_out);

#endif
