/*
 * NAME
 *   mail_files - the file steps of intake-mail: Maildir folders, reading a
 *   mail with a size limit, the fsync'd .why reason files, moves
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

/* Reads at most max+1 bytes, so that "too large" can be told apart. */
char *mail_files_read(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > max)
                break;
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) { /* e.g. EISDIR */
            int e = errno;
            close(fd);
            free(buf);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *len = n;
    return buf;
}

/* Writes dir/name.why (fsync'd before the mail is moved, so staff never
 * see a moved mail without its reason). */
void mail_files_write_why(const char *dir, const char *name, const char *why)
{
    char path[900];
    snprintf(path, sizeof path, "%s/%s.why", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        log_error("msg=\"cannot write reason file\" path=%s err=\"%s\"", path, strerror(errno));
        return;
    }
    fprintf(f, "%s\n", why);
    fflush(f);
    fsync(fileno(f));
    fclose(f);
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

/* Writes bytes to path and fsyncs them. */
int mail_files_write(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    int rc = fsync(fd);
    close(fd);
    return rc;
}
