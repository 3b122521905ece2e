/*
 * NAME
 *   mail_files.h - the file steps of intake-mail (owned by intake-mail;
 *   see mail_files.c)
 */
#ifndef INSPRAAK_MAIL_FILES_H
#define INSPRAAK_MAIL_FILES_H

#include <stddef.h>

/* Creates base/ and its Maildir folders new/, cur/, tmp/ (existing ones
 * are fine). Returns 0 or -1 (errno set). */
int mail_files_mkdirs(const char *base);

/* Writes dir/name.why holding why (with mail_files_write()), fsync'd
 * before the caller moves the mail, so staff never see a moved mail
 * without its reason. */
void mail_files_write_why(const char *dir, const char *name, const char *why);

/* The Maildir base name of name without any ":2,..." info part. */
void mail_files_base(const char *name, char *out, size_t size);

/* rename(from, to), logged when it fails. Returns 0 or -1. */
int mail_files_move(const char *from, const char *to);

/* Writes data to path (mode 0600) and fsyncs it: first under the dot name
 * .NAME.part in the same folder, then renamed, so a file under its own
 * name is always complete (inspraakctl retention run deletes old files in
 * skipped/ and failed/, never dot names). Returns 0 or -1. */
int mail_files_write(const char *path, const char *data, size_t len);

#endif
