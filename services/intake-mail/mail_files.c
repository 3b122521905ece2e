/*
 * NAME
 *   mail_files - the file steps of intake-mail: Maildir folders, the
 *   fsync'd .why reason files, moves (a mail is read with file_read())
 *
 * DESCRIPTION
 *   Small wrappers over POSIX calls that intake-mail's Maildir and IMAP
 *   paths share (main.c decides what goes where). Errors are returned
 *   (and logged where the caller only carries on), never fatal.
 *   Owned by intake-mail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mail_files.h"
#include "xalloc.h"

int mail_files_mkdirs(const char *base)
{
    const char *subs[] = {"new", "cur", "tmp"};
    if (mkdir(base, 0700) < 0 && errno != EEXIST)
        return -1;
    for (int i = 0; i < 3; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s/%s", base, subs[i]);
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* Writes dir/name.why (fsync'd before the mail is moved, so staff never
 * see a moved mail without its reason). */
void mail_files_write_why(const char *dir, const char *name, const char *why)
{
    char path[900];
    snprintf(path, sizeof path, "%s/%s.why", dir, name);
    char *line = xasprintf("%s\n", why);
    if (mail_files_write(path, line, strlen(line)) < 0)
        log_error("msg=\"cannot write reason file\" path=%s err=\"%s\"", path, strerror(errno));
    free(line);
}

/* The Maildir base name without any ":2,..." info part. */
void mail_files_base(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s", name);
    char *colon = strchr(out, ':');
    if (colon)
        *colon = '\0';
}

int mail_files_move(const char *from, const char *to)
{
    if (rename(from, to) < 0) {
        log_error("msg=\"cannot move mail\" from=%s to=%s err=\"%s\"", from, to, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes bytes to path and fsyncs them: under the dot name .NAME.part in
 * the same folder first, then renamed, so a file under its own name is
 * always complete (inspraakctl retention run deletes old ones). */
int mail_files_write(const char *path, const char *data, size_t len)
{
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path + 1) : 0;
    char *tmp = xasprintf("%.*s.%s.part", dl, path, path + dl);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            close(fd);
            unlink(tmp);
            free(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    int rc = fsync(fd);
    rc = close(fd) < 0 ? -1 : rc;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1;
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
