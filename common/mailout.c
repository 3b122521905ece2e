/*
 * NAME
 *   mailout - hand one finished message to SMTP (libcurl) or a Maildir outbox
 *
 * DESCRIPTION
 *   See mailout.h. The SMTP reply class decides retry or bounce: libcurl
 *   reports the last response code through CURLINFO_RESPONSE_CODE, which is
 *   the code of the step that failed (RCPT, DATA or the final dot). No
 *   code at all means no conversation happened (connection refused, TLS
 *   failure): that is temporary. A refused SMTP login is temporary too.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "email_idn.h"
#include "mailout.h"
#include "validate.h"
#include "xalloc.h"

struct mailout {
    CURL *curl;
    char url[512], user[256], password[256], from[300], cafile[512];
    int starttls;
    long rate;
    double last_send;
    char outbox[600];
    unsigned seq;
};

typedef struct {
    const char *p;
    size_t left;
} s_reader_t;

static size_t s_read(char *buf, size_t size, size_t nitems, void *arg)
{
    s_reader_t *r = arg;
    size_t n = size * nitems < r->left ? size * nitems : r->left;
    memcpy(buf, r->p, n);
    r->p += n;
    r->left -= n;
    return n;
}

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

mailout_t *mailout_new(const config_t *cfg, const char *envelope_from, char *err, size_t errlen)
{
    mailout_t *self = xcalloc(1, sizeof *self);
    snprintf(self->url, sizeof self->url, "%s", config_str("INSPRAAK_SMTP_URL", ""));
    snprintf(self->user, sizeof self->user, "%s", config_str("INSPRAAK_SMTP_USER", ""));
    snprintf(self->password, sizeof self->password, "%s", config_str("INSPRAAK_SMTP_PASSWORD", ""));
    snprintf(self->cafile, sizeof self->cafile, "%s", config_str("INSPRAAK_SMTP_CA_FILE", ""));
    snprintf(self->from, sizeof self->from, "<%s>", envelope_from);
    long tls = 0;
    if (config_long("INSPRAAK_SMTP_STARTTLS", 0, 0, 1, &tls, err, errlen) < 0 ||
        config_long("INSPRAAK_SMTP_RATE", 10, 0, 100000, &self->rate, err, errlen) < 0) {
        free(self);
        return NULL;
    }
    self->starttls = (int)tls;
    if (self->url[0] && strncmp(self->url, "smtp://", 7) != 0 &&
        strncmp(self->url, "smtps://", 8) != 0) {
        snprintf(err, errlen, "INSPRAAK_SMTP_URL must start with smtp:// or smtps://");
        free(self);
        return NULL;
    }
    if (self->cafile[0] && access(self->cafile, R_OK) < 0) {
        snprintf(err, errlen, "INSPRAAK_SMTP_CA_FILE %s: %s", self->cafile, strerror(errno));
        free(self);
        return NULL;
    }
    if (self->url[0]) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        self->curl = curl_easy_init();
    } else if (config_var_path(cfg, "mail/outbox", self->outbox, sizeof self->outbox) < 0) {
        snprintf(err, errlen, "cannot make the mail outbox: %s", strerror(errno));
        free(self);
        return NULL;
    } else {
        char sub[700];
        for (int i = 0; i < 3; i++) {
            snprintf(sub, sizeof sub, "%s/%s", self->outbox, (const char *[]){"tmp", "new", "cur"}[i]);
            mkdir(sub, 0750);
        }
    }
    return self;
}

void mailout_destroy(mailout_t **self_p)
{
    mailout_t *self = *self_p;
    if (!self)
        return;
    if (self->curl) {
        curl_easy_cleanup(self->curl);
        curl_global_cleanup();
    }
    free(self);
    *self_p = NULL;
}

const char *mailout_kind(const mailout_t *self)
{
    return self->curl ? "smtp" : "maildir";
}

static mailout_result_t s_maildir(mailout_t *self, const char *msg, size_t len, char *err,
                                  size_t errlen)
{
    char name[128], tmp[800], dst[800];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(name, sizeof name, "%lld.M%ldP%dQ%u.notify", (long long)ts.tv_sec, ts.tv_nsec / 1000,
             (int)getpid(), ++self->seq);
    snprintf(tmp, sizeof tmp, "%s/tmp/%s", self->outbox, name);
    snprintf(dst, sizeof dst, "%s/new/%s", self->outbox, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return MAILOUT_TEMP;
    }
    char *lf = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
            lf[n++] = msg[i];
    int ok = write(fd, lf, n) == (ssize_t)n && fsync(fd) == 0;
    free(lf);
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, dst) < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        return MAILOUT_TEMP;
    }
    snprintf(err, errlen, "written to %s", dst);
    return MAILOUT_OK;
}

static void s_pace(mailout_t *self)
{
    if (self->rate <= 0)
        return;
    double gap = 1.0 / (double)self->rate, wait = self->last_send + gap - s_now();
    if (wait > 0) {
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
    }
    self->last_send = s_now();
}

mailout_result_t mailout_send(mailout_t *self, const char *rcpt, const char *msg, size_t len,
                              char *err, size_t errlen)
{
    if (!email_valid(rcpt)) {
        snprintf(err, errlen, "refused address");
        return MAILOUT_PERM;
    }
    s_pace(self);
    if (!self->curl)
        return s_maildir(self, msg, len, err, errlen);
    /* "jan@bücher.nl" goes out as "jan@xn--bcher-kva.nl": without
     * SMTPUTF8 the envelope is ASCII (email_idn.h). */
    char to[300], *ascii = email_idn_ascii(rcpt);
    snprintf(to, sizeof to, "<%s>", ascii ? ascii : rcpt);
    free(ascii);
    struct curl_slist *rcpts = curl_slist_append(NULL, to);
    s_reader_t rd = {msg, len};
    char ebuf[CURL_ERROR_SIZE] = "";
    CURL *c = self->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, self->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, self->from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, s_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &rd);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (self->user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, self->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, self->password);
    }
    if (self->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    /* Only the trust anchors change: peer and host verification stay on
     * (libcurl's default), so a wrong certificate is a failed send. */
    if (self->cafile[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, self->cafile);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpts);
    if (rc == CURLE_OK) {
        snprintf(err, errlen, "accepted (%ld)", code);
        return MAILOUT_OK;
    }
    snprintf(err, errlen, "smtp %ld: %s", code, ebuf[0] ? ebuf : curl_easy_strerror(rc));
    /* A refused login (535) is our configuration, not the recipient: a
     * bounce would wrongly stop mail to every participant. Retry, so the
     * mail goes out once the operator fixes the password. */
    if (rc == CURLE_LOGIN_DENIED)
        return MAILOUT_TEMP;
    if (code < 500 || code >= 600)
        return MAILOUT_TEMP;
    /* One recipient per mail, so a refused RCPT TO refuses the address;
     * a 5xx after DATA refuses this message (size, content) and says
     * nothing about the address. libcurl reports the former only in its
     * error text ("RCPT failed: 550", smtp.c), with CURLE_SEND_ERROR. */
    int at_rcpt = rc == CURLE_SEND_ERROR && strncmp(ebuf, "RCPT failed", 11) == 0;
    return at_rcpt ? MAILOUT_PERM_RCPT : MAILOUT_PERM;
}
