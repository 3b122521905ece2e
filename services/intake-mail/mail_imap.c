/*
 * NAME
 *   mail_imap - IMAP source through libcurl (see mail_imap.h)
 *
 * DESCRIPTION
 *   libcurl speaks the protocol (login, SELECT, TLS for imaps://); this
 *   file only sends the few commands we need as custom requests on the
 *   mailbox URL and reads the untagged "* SEARCH" answer.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl_answer.h"
#include "mail_imap.h"
#include "xalloc.h"

#define MAX_ANSWER (4u * 1024 * 1024) /* a SEARCH answer; ~400k UIDs */
#define MAX_PENDING 10000             /* UIDs taken per poll */

struct mail_imap {
    CURL *curl;
    char *url; /* without a trailing '/' */
    char *done;
    size_t max_bytes;
    bool done_made;
};

mail_imap_t *mail_imap_new(const char *url, const char *user, const char *password,
                           const char *done_folder, size_t max_bytes)
{
    if (!url || (strncasecmp(url, "imap://", 7) != 0 && strncasecmp(url, "imaps://", 8) != 0))
        return NULL;
    CURL *c = curl_easy_init();
    if (!c)
        return NULL;
    mail_imap_t *self = xcalloc(1, sizeof *self);
    self->curl = c;
    self->url = xstrdup(url);
    size_t n = strlen(self->url);
    while (n > 0 && self->url[n - 1] == '/')
        self->url[--n] = '\0';
    self->done = xstrdup(done_folder);
    self->max_bytes = max_bytes;
    if (user)
        curl_easy_setopt(c, CURLOPT_USERNAME, user);
    if (password)
        curl_easy_setopt(c, CURLOPT_PASSWORD, password);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_answer_write);
    return self;
}

void mail_imap_destroy(mail_imap_t **self_p)
{
    mail_imap_t *self = *self_p;
    if (!self)
        return;
    curl_easy_cleanup(self->curl);
    free(self->url);
    free(self->done);
    free(self);
    *self_p = NULL;
}

/* One request on url (custom command when cmd is set); the answer in *b. */
static int s_perform(mail_imap_t *self, const char *url, const char *cmd, curl_answer_t *b,
                     char *err, size_t errlen)
{
    curl_easy_setopt(self->curl, CURLOPT_URL, url);
    curl_easy_setopt(self->curl, CURLOPT_CUSTOMREQUEST, cmd);
    curl_easy_setopt(self->curl, CURLOPT_WRITEDATA, b);
    CURLcode rc = curl_easy_perform(self->curl);
    curl_easy_setopt(self->curl, CURLOPT_CUSTOMREQUEST, NULL);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s%s%s", cmd ? cmd : "FETCH", ": ", curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

static int s_cmp(const void *a, const void *b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
    return x < y ? -1 : x > y;
}

int mail_imap_pending(mail_imap_t *self, unsigned long **uids, char *err, size_t errlen)
{
    curl_answer_t b = {.max = MAX_ANSWER};
    *uids = NULL;
    if (s_perform(self, self->url, "UID SEARCH NOT KEYWORD $Inspraak", &b, err, errlen) < 0) {
        free(b.p);
        return -1;
    }
    int n = 0;
    unsigned long *out = xmalloc(sizeof *out * MAX_PENDING);
    for (char *line = b.p; line && *line && n < MAX_PENDING;) {
        char *next = strchr(line, '\n');
        if (strncasecmp(line, "* SEARCH", 8) == 0) {
            char *p = line + 8;
            while (n < MAX_PENDING) {
                char *end;
                unsigned long uid = strtoul(p, &end, 10);
                if (end == p)
                    break;
                if (uid > 0)
                    out[n++] = uid;
                p = end;
            }
        }
        line = next ? next + 1 : NULL;
    }
    free(b.p);
    qsort(out, (size_t)n, sizeof *out, s_cmp);
    *uids = out;
    return n;
}

char *mail_imap_fetch(mail_imap_t *self, unsigned long uid, size_t *len, bool *too_large, char *err,
                      size_t errlen)
{
    char *url = xasprintf("%s/;UID=%lu", self->url, uid);
    curl_answer_t b = {.max = self->max_bytes};
    int rc = s_perform(self, url, NULL, &b, err, errlen);
    free(url);
    *too_large = b.over;
    if (rc < 0 || b.over) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p ? b.p : xstrdup("");
}

/* The done folder, made once; "already exists" is fine. */
static void s_make_done(mail_imap_t *self)
{
    if (self->done_made)
        return;
    char err[200];
    curl_answer_t b = {.max = MAX_ANSWER};
    char *cmd = xasprintf("CREATE \"%s\"", self->done);
    s_perform(self, self->url, cmd, &b, err, sizeof err);
    free(cmd);
    free(b.p);
    self->done_made = true;
}

static int s_cmd(mail_imap_t *self, const char *cmd, char *err, size_t errlen)
{
    curl_answer_t b = {.max = MAX_ANSWER};
    int rc = s_perform(self, self->url, cmd, &b, err, errlen);
    free(b.p);
    return rc;
}

int mail_imap_done(mail_imap_t *self, unsigned long uid, char *err, size_t errlen)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "UID STORE %lu +FLAGS (\\Seen $Inspraak)", uid);
    if (s_cmd(self, cmd, err, errlen) < 0)
        return -1;
    s_make_done(self);
    snprintf(cmd, sizeof cmd, "UID MOVE %lu \"%s\"", uid, self->done);
    if (s_cmd(self, cmd, err, errlen) == 0)
        return 0;
    /* No MOVE (RFC 6851) on this server: copy, then delete the original. */
    snprintf(cmd, sizeof cmd, "UID COPY %lu \"%s\"", uid, self->done);
    if (s_cmd(self, cmd, err, errlen) < 0)
        return -1;
    snprintf(cmd, sizeof cmd, "UID STORE %lu +FLAGS (\\Deleted)", uid);
    if (s_cmd(self, cmd, err, errlen) < 0)
        return -1;
    snprintf(cmd, sizeof cmd, "UID EXPUNGE %lu", uid);
    return s_cmd(self, cmd, err, errlen);
}
