/*
 * NAME
 *   mail_worker - one mail read in a forked child, with a deadline
 *
 * DESCRIPTION
 *   See mail_worker.h. The child inherits the raw bytes (copy-on-write),
 *   so nothing but the result crosses the pipe: a status byte, the date and
 *   the attachment count, then each string as a 4-byte length (0xffffffff
 *   for NULL) and its bytes, then the listed attachments (a count, then
 *   name, type and an 8-byte size each). The
 *   child leaves with _exit() so it runs none of the parent's exit work.
 *   Forking a threaded process is safe here because the child only
 *   allocates (glibc makes malloc fork-safe) and uses GMime, which no other
 *   thread of the parent touches.
 *
 *   The child shares the parent's open files, the spool lock among them.
 *   A child that outlived a killed parent (GMime looping on a bad mail)
 *   would keep that lock, and no new intake-mail could start. So the
 *   child asks the kernel for SIGKILL when its parent dies, and carries
 *   its own deadline as an alarm in case the parent cannot enforce it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "letter.h"
#include "mail_text.h"
#include "mail_worker.h"
#include "validate.h"
#include "xalloc.h"

#define MAX_RESULT (4u * 1024 * 1024)

void mail_result_clear(mail_result_t *r)
{
    free(r->why);
    free(r->skip);
    free(r->message_id);
    free(r->from_name);
    free(r->from_addr);
    free(r->subject);
    free(r->text);
    mail_dsn_clear(&r->dsn);
    for (int i = 0; i < r->n_listed; i++) {
        free(r->listed[i].name);
        free(r->listed[i].type);
    }
    memset(r, 0, sizeof *r);
}

/* Cuts s after max_chars code points (s is valid UTF-8). */
static void s_cut_chars(char *s, size_t max_chars)
{
    size_t chars = 0;
    for (char *p = s; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80 && chars++ == max_chars) {
            *p = '\0';
            return;
        }
}

/* The shared clean-up of validate.h, cut to a length limit; NULL for
 * NULL or a text left empty. */
static char *s_clean(const char *s, size_t max_chars)
{
    if (!s)
        return NULL;
    char *t = text_normalise(s, strlen(s));
    s_cut_chars(t, max_chars);
    if (*t == '\0') {
        free(t);
        return NULL;
    }
    return t;
}

/* Cuts valid UTF-8 s to at most max_bytes without splitting a character. */
static void s_cut_bytes(char *s, size_t max_bytes)
{
    size_t n = strlen(s);
    if (n <= max_bytes)
        return;
    while (max_bytes > 0 && ((unsigned char)s[max_bytes] & 0xC0) == 0x80)
        max_bytes--;
    s[max_bytes] = '\0';
}

/* An attachment's name or type as one clean line of at most max bytes;
 * NULL when nothing is left. Names come from the sender (RFC 2231/2047
 * decoded by GMime) and may hold anything, line breaks included. */
static char *s_clean_line(const char *s, size_t max_bytes, bool lower)
{
    char *t = s_clean(s, TEXT_MAX_CHARS);
    if (!t)
        return NULL;
    for (char *c = t; *c; c++) {
        if (*c == '\n' || *c == '\t')
            *c = ' ';
        else if (lower && *c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
    s_cut_bytes(t, max_bytes);
    return t;
}

/* The first MAIL_RESULT_MAX_ATTACHMENTS attachments, cleaned for the idea. */
static void s_list_attachments(const mail_t *m, mail_result_t *r)
{
    for (int i = 0; i < m->n_attachments && r->n_listed < MAIL_RESULT_MAX_ATTACHMENTS; i++) {
        mail_attachment_t *a = &r->listed[r->n_listed++];
        a->name = s_clean_line(m->attachments[i].name, MAIL_RESULT_MAX_NAME, false);
        a->type = s_clean_line(m->attachments[i].type, MAIL_RESULT_MAX_TYPE, true);
        a->size = m->attachments[i].size;
    }
}

/* The idea text of a mail with photos and no words (a phone's "Sent
 * from my iPhone" does not count), NULL when it has no photo. The
 * resident expects what they sent to arrive: it becomes an idea that
 * says what came (staff see the photos listed, "Bijlagen (niet bewaard)")
 * and the receipt tells the sender the same, so they can write what
 * they meant. In Dutch: the receipt quotes it. */
static char *s_photos_only(const mail_t *m)
{
    int photos = 0;
    for (int i = 0; i < m->n_attachments; i++)
        if (m->attachments[i].type && strncasecmp(m->attachments[i].type, "image/", 6) == 0)
            photos++;
    /* the receipt knows this text again and asks for words (letter.h) */
    return photos == 0 ? NULL : letter_photo_only_text(photos);
}

/* The idea text, or a skip reason in r when there is none to speak of. */
static void s_idea_text(const mail_t *m, mail_result_t *r)
{
    char *clean = mail_text_is_forward(m->subject) ? mail_text_clean_forward(m->body)
                                                   : mail_text_clean(m->body);
    char *text = mail_text_idea(m->subject, clean);
    /* Only a thank-you, and no subject of its own: a reply to our receipt
     * ("Bedankt!"), no idea; it would get a receipt of its own as well. */
    bool thanks = strcmp(text, clean) == 0 && mail_text_thanks_only(clean);
    free(clean);
    r->text = s_clean(text, TEXT_MAX_CHARS);
    free(text);
    if (r->text && thanks) {
        free(r->text);
        r->text = NULL;
        r->status = MAIL_RESULT_SKIPPED;
        r->skip = xstrdup("empty");
        r->why = xstrdup("only a thank-you, no idea");
    } else if (!r->text || utf8_chars(r->text, strlen(r->text)) < TEXT_MIN_CHARS) {
        free(r->text);
        r->text = s_photos_only(m);
        if (r->text) {
            r->status = MAIL_RESULT_IDEA;
            return;
        }
        r->status = MAIL_RESULT_SKIPPED;
        r->skip = xstrdup("empty");
        r->why = xstrdup("no new text in the mail");
    } else
        r->status = MAIL_RESULT_IDEA;
}

void mail_worker_read(const char *raw, size_t len, const mail_limits_t *lim, mail_result_t *r)
{
    memset(r, 0, sizeof *r);
    mail_t m;
    char err[200];
    if (mail_parse(raw, len, lim, &m, err, sizeof err) < 0) {
        r->status = MAIL_RESULT_FAILED;
        r->why = xstrdup(err);
        return;
    }
    r->message_id = s_clean(m.message_id, 900);
    r->from_name = s_clean(m.from_name, NAME_MAX_CHARS);
    r->from_addr = m.from_addr && email_valid(m.from_addr) ? xstrdup(m.from_addr) : NULL;
    r->subject = s_clean(m.subject, 900);
    r->date_ms = m.date_ms;
    r->n_attachments = m.n_attachments_total;
    s_list_attachments(&m, r);
    if (m.skip != MAIL_SKIP_NONE) {
        r->status = MAIL_RESULT_SKIPPED;
        r->skip = xstrdup(mail_skip_name(m.skip));
        r->why = xstrdup(m.skip_why);
        r->dsn = m.dsn; /* moved: mail_clear() below frees nothing of it */
        memset(&m.dsn, 0, sizeof m.dsn);
        /* the report's words go onto the participant record: one clean line */
        char *why = r->dsn.why;
        r->dsn.why = s_clean_line(why, 200, false);
        free(why);
    } else
        s_idea_text(&m, r);
    mail_clear(&m);
}

/* ------------------------------------------------------------------ */
/* The pipe format                                                    */
/* ------------------------------------------------------------------ */

static void s_put_str(char **buf, size_t *len, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;
    *buf = xrealloc(*buf, *len + 4 + (s ? n : 0));
    memcpy(*buf + *len, &n, 4);
    *len += 4;
    if (s) {
        memcpy(*buf + *len, s, n);
        *len += n;
    }
}

static char *s_serialise(const mail_result_t *r, size_t *len)
{
    char *buf = xmalloc(1 + 8 + 4);
    buf[0] = (char)r->status;
    int64_t d = r->date_ms;
    memcpy(buf + 1, &d, 8);
    int32_t na = r->n_attachments;
    memcpy(buf + 9, &na, 4);
    *len = 13;
    const char *strs[] = {r->why,       r->skip,         r->message_id, r->from_name,
                          r->from_addr, r->subject,      r->text,       r->dsn.pid,
                          r->dsn.final, r->dsn.original, r->dsn.why,    r->dsn.mail};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        s_put_str(&buf, len, strs[i]);
    int32_t nl = r->n_listed;
    buf = xrealloc(buf, *len + 4);
    memcpy(buf + *len, &nl, 4);
    *len += 4;
    for (int i = 0; i < r->n_listed; i++) {
        s_put_str(&buf, len, r->listed[i].name);
        s_put_str(&buf, len, r->listed[i].type);
        uint64_t size = r->listed[i].size;
        buf = xrealloc(buf, *len + 8);
        memcpy(buf + *len, &size, 8);
        *len += 8;
    }
    return buf;
}

static int s_get_str(const char *buf, size_t len, size_t *off, char **out)
{
    uint32_t n;
    if (*off + 4 > len)
        return -1;
    memcpy(&n, buf + *off, 4);
    *off += 4;
    if (n == UINT32_MAX) {
        *out = NULL;
        return 0;
    }
    if (n > len - *off)
        return -1;
    *out = xstrndup(buf + *off, n);
    *off += n;
    return 0;
}

static int s_deserialise(const char *buf, size_t len, mail_result_t *r)
{
    if (len < 13 || buf[0] < MAIL_RESULT_FAILED || buf[0] > MAIL_RESULT_SKIPPED)
        return -1;
    r->status = (mail_result_status_t)buf[0];
    memcpy(&r->date_ms, buf + 1, 8);
    int32_t na;
    memcpy(&na, buf + 9, 4);
    r->n_attachments = na;
    size_t off = 13;
    char **strs[] = {&r->why,       &r->skip,         &r->message_id, &r->from_name,
                     &r->from_addr, &r->subject,      &r->text,       &r->dsn.pid,
                     &r->dsn.final, &r->dsn.original, &r->dsn.why,    &r->dsn.mail};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (s_get_str(buf, len, &off, strs[i]) < 0)
            return -1;
    int32_t nl;
    if (off + 4 > len)
        return -1;
    memcpy(&nl, buf + off, 4);
    off += 4;
    if (nl < 0 || nl > MAIL_RESULT_MAX_ATTACHMENTS)
        return -1;
    for (int i = 0; i < nl; i++) {
        mail_attachment_t *a = &r->listed[r->n_listed++]; /* freed by mail_result_clear */
        uint64_t size;
        if (s_get_str(buf, len, &off, &a->name) < 0 || s_get_str(buf, len, &off, &a->type) < 0 ||
            off + 8 > len)
            return -1;
        memcpy(&size, buf + off, 8);
        off += 8;
        a->size = (size_t)size;
    }
    return off == len ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Child and parent                                                   */
/* ------------------------------------------------------------------ */

/* Ties the child's life to its parent's and to the deadline. */
static void s_child_limits(pid_t parent, long deadline_ms)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(3);
    signal(SIGALRM, SIG_DFL);
    alarm((unsigned)(deadline_ms / 1000) + 2);
}

static void s_child(mail_reader_fn fn, int fd, const char *raw, size_t len,
                    const mail_limits_t *lim)
{
    mail_result_t r;
    fn(raw, len, lim, &r);
    size_t n;
    char *buf = s_serialise(&r, &n);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(2);
        off += (size_t)w;
    }
    _exit(0);
}

/* Reads the child's output until EOF or the deadline. Returns 0 at EOF,
 * -1 on timeout or error (why in err). */
static int s_collect(int fd, long deadline_ms, char **buf, size_t *len, char *err, size_t errlen)
{
    int64_t until = clock_mono_ms() + deadline_ms;
    size_t cap = 4096;
    *buf = xmalloc(cap);
    *len = 0;
    for (;;) {
        int64_t left = until - clock_mono_ms();
        if (left <= 0) {
            snprintf(err, errlen, "timed out after %ld ms", deadline_ms);
            return -1;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            continue; /* the deadline check above ends it */
        if (*len == cap) {
            if (cap >= MAX_RESULT) {
                snprintf(err, errlen, "worker result too large");
                return -1;
            }
            cap *= 2;
            *buf = xrealloc(*buf, cap);
        }
        ssize_t n = read(fd, *buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "read from worker: %s", strerror(errno));
            return -1;
        }
        if (n == 0)
            return 0;
        *len += (size_t)n;
    }
}

void mail_worker_run(const char *raw, size_t len, const mail_limits_t *lim, long deadline_ms,
                     mail_result_t *r)
{
    mail_worker_call(mail_worker_read, raw, len, lim, deadline_ms, r);
}

void mail_worker_call(mail_reader_fn fn, const char *raw, size_t len, const mail_limits_t *lim,
                      long deadline_ms, mail_result_t *r)
{
    memset(r, 0, sizeof *r);
    char err[160] = "";
    int fds[2];
    if (pipe(fds) < 0) {
        r->why = xasprintf("pipe: %s", strerror(errno));
        return;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        r->why = xasprintf("fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        s_child_limits(parent, deadline_ms);
        s_child(fn, fds[1], raw, len, lim);
    }
    close(fds[1]);
    char *buf;
    size_t n;
    int rc = s_collect(fds[0], deadline_ms, &buf, &n, err, sizeof err);
    close(fds[0]);
    if (rc < 0)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (s_deserialise(buf, n, r) == 0) {
            free(buf);
            return;
        }
        mail_result_clear(r);
        snprintf(err, sizeof err, "worker result unreadable");
    } else if (rc == 0) {
        if (WIFSIGNALED(status))
            snprintf(err, sizeof err, "worker killed by signal %d", WTERMSIG(status));
        else
            snprintf(err, sizeof err, "worker exited with status %d", WEXITSTATUS(status));
    }
    free(buf);
    r->status = MAIL_RESULT_FAILED;
    r->why = xstrdup(err);
}
