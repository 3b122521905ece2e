/*
 * NAME
 *   file - read a small file whole, up to a size limit (see file.h)
 *
 * DESCRIPTION
 *   Hand-written: neither glib nor any library the project links offers a
 *   bounded whole-file read with a clear "too large" error (g_file_get_contents
 *   has no limit). It uses open/read rather than stdio so that a read error
 *   is told apart from end of file (fread hides EISDIR and EIO behind a short
 *   count) and EINTR is under our control.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

/* The first buffer when the size is unknown (a pipe, /proc, a device). */
#define FILE_FIRST_CAP 4096

/* Bytes to make room for first: stat's size + 1 (so the read that sees end
 * of file needs no larger buffer), or a small start when there is no size.
 * Never more than lim. */
static size_t s_first_cap(int fd, size_t lim, int *too_big)
{
    struct stat st;
    size_t cap = FILE_FIRST_CAP;
    *too_big = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uintmax_t)st.st_size >= (uintmax_t)lim)
            *too_big = 1; /* larger than max now: no need to read it */
        else
            cap = (size_t)st.st_size + 1;
    }
    return cap < lim ? cap : lim;
}

char *file_read(const char *path, size_t max, size_t *len_out)
{
    if (max > SIZE_MAX - 2)
        max = SIZE_MAX - 2; /* lim and the NUL below must not wrap */
    size_t lim = max + 1;   /* read one byte past max to see "too large" */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    int too_big;
    size_t cap = s_first_cap(fd, lim, &too_big);
    if (too_big) {
        close(fd);
        errno = EFBIG;
        return NULL;
    }
    char *buf = xmalloc(cap + 1);
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap == lim)
                break; /* max + 1 bytes read: too large */
            cap = cap > lim / 2 ? lim : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
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
    if (n > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    if (len_out)
        *len_out = n;
    return buf;
}
