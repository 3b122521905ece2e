/*
 * NAME
 *   rstore - a Redis connection that reconnects (see rstore.h)
 *
 * SUMMARY
 *   rstore_t *r = rstore_new("redis://127.0.0.1:6390/0", err, sizeof err);
 *   redisReply *rep = rstore_cmd(r, "GET %s", key);
 *   freeReplyObject(rep);
 *   rstore_destroy(&r);
 *
 * DESCRIPTION
 *   One hiredis context, opened lazily: connect timeout 2 s, command timeout
 *   5 s, then AUTH and SELECT as the URL asks. When a command fails with an
 *   I/O error or EOF (Redis restarted, a proxy dropped the socket) the
 *   context is thrown away, a new one is made and the command is sent once
 *   more. A command that timed out may already have run, so a retried write
 *   can run twice: callers keep their writes idempotent (storage does).
 *   Pipelined commands are never retried: after a broken pipeline the
 *   replies are gone and the caller must start over.
 *
 *   rstore_new() ignores SIGPIPE when it is at its default: hiredis writes
 *   with write(2), and a write to a socket that Redis closed would
 *   otherwise kill the whole service.
 *
 * DIAGNOSTICS
 *   rstore_error() holds the last connection error or Redis error reply.
 */
#include "rstore.h"

#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RSTORE_CONNECT_TIMEOUT_S 2
#define RSTORE_CMD_TIMEOUT_S 5

struct rstore {
    char host[256];
    int port;
    int db;
    char password[256];
    redisContext *ctx;
    int pending; /* appended commands whose replies are unread */
    char err[512];
};

/* --- URL parsing -------------------------------------------------------- */

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Percent-decodes [s, s+n) into out, so a password may hold '@' or '/'. */
static int s_unescape(const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = s_hex(s[i + 1]), l = s_hex(s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return -1;
            c = (char)(h * 16 + l);
            i += 2;
        }
        if (o + 1 >= size)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int s_number(const char *s, size_t n, long min, long max, long *out)
{
    if (n == 0 || n > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int s_parse_userinfo(const char *ui, size_t n, char *password, size_t password_size)
{
    const char *colon = memchr(ui, ':', n);
    if (!colon)
        return -1; /* a bare user name has no meaning here */
    size_t ulen = (size_t)(colon - ui);
    /* Only the default ACL user is supported (rstore sends AUTH password). */
    if (ulen != 0 && !(ulen == 7 && memcmp(ui, "default", 7) == 0))
        return -1;
    return s_unescape(colon + 1, n - ulen - 1, password, password_size);
}

int rstore_parse_url(const char *url, char *host, size_t host_size, int *port, int *db,
                     char *password, size_t password_size)
{
    static const char scheme[] = "redis://";
    if (!url || strncasecmp(url, scheme, sizeof scheme - 1) != 0 || strlen(url) > 1024 ||
        host_size == 0 || password_size == 0)
        return -1;
    const char *p = url + sizeof scheme - 1;
    password[0] = '\0';
    *port = 6379;
    *db = 0;
    const char *end = p + strcspn(p, "/?#");
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at) {
        if (s_parse_userinfo(p, (size_t)(at - p), password, password_size) < 0)
            return -1;
        p = at + 1;
    }
    const char *hend, *portp = NULL;
    if (*p == '[') { /* [IPv6]:port */
        hend = memchr(p, ']', (size_t)(end - p));
        if (!hend || hend == p + 1)
            return -1;
        p++;
        if (hend + 1 < end && hend[1] != ':')
            return -1;
        portp = hend + 1 < end ? hend + 2 : NULL;
    } else {
        hend = memchr(p, ':', (size_t)(end - p));
        if (hend)
            portp = hend + 1;
        else
            hend = end;
    }
    size_t hlen = (size_t)(hend - p);
    if (hlen == 0 || hlen >= host_size)
        return -1;
    for (size_t i = 0; i < hlen; i++)
        if (!(p[i] == '.' || p[i] == '-' || p[i] == ':' || p[i] == '_' ||
              (p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')))
            return -1;
    memcpy(host, p, hlen);
    host[hlen] = '\0';
    long v;
    if (portp) {
        if (s_number(portp, (size_t)(end - portp), 1, 65535, &v) < 0)
            return -1;
        *port = (int)v;
    }
    if (*end == '/' && end[1] != '\0') {
        if (s_number(end + 1, strlen(end + 1), 0, 100000, &v) < 0)
            return -1;
        *db = (int)v;
    } else if (*end != '\0' && strcmp(end, "/") != 0) {
        return -1; /* query strings and fragments are not understood */
    }
    return 0;
}

/* --- connection --------------------------------------------------------- */

rstore_t *rstore_new(const char *url, char *err, size_t errlen)
{
    rstore_t *self = xcalloc(1, sizeof *self);
    if (rstore_parse_url(url, self->host, sizeof self->host, &self->port, &self->db, self->password,
                         sizeof self->password) < 0) {
        snprintf(err, errlen, "unusable redis url (want redis://[:password@]host[:port][/db])");
        free(self);
        return NULL;
    }
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
    return self;
}

static void s_drop(rstore_t *self)
{
    if (self->ctx)
        redisFree(self->ctx);
    self->ctx = NULL;
    self->pending = 0;
}

void rstore_destroy(rstore_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    s_drop(*self_p);
    free(*self_p);
    *self_p = NULL;
}

const char *rstore_error(const rstore_t *self)
{
    return self->err;
}

/* Sends one set-up command on a fresh context; 0 when it answered OK. */
static int s_setup(rstore_t *self, redisContext *c, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        snprintf(self->err, sizeof self->err, "%s failed: %s", what, r ? r->str : c->errstr);
        if (r)
            freeReplyObject(r);
        return -1;
    }
    freeReplyObject(r);
    return 0;
}

static int s_connect(rstore_t *self)
{
    struct timeval ct = {RSTORE_CONNECT_TIMEOUT_S, 0}, rt = {RSTORE_CMD_TIMEOUT_S, 0};
    s_drop(self);
    redisContext *c = redisConnectWithTimeout(self->host, self->port, ct);
    if (!c || c->err) {
        snprintf(self->err, sizeof self->err, "connect %s:%d: %s", self->host, self->port,
                 c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return -1;
    }
    if (redisSetTimeout(c, rt) != REDIS_OK ||
        (self->password[0] && s_setup(self, c, "AUTH", "AUTH %s", self->password) < 0) ||
        (self->db != 0 && s_setup(self, c, "SELECT", "SELECT %d", self->db) < 0)) {
        if (!self->err[0])
            snprintf(self->err, sizeof self->err, "cannot set redis timeout");
        redisFree(c);
        return -1;
    }
    self->ctx = c;
    return 0;
}

static int s_ready(rstore_t *self)
{
    if (self->ctx && self->ctx->err)
        s_drop(self);
    if (self->ctx && self->pending > 0) {
        /* A caller forgot replies: read them away so the next reply is ours. */
        log_warn("msg=\"discarding unread pipelined replies\" n=%d", self->pending);
        while (self->pending > 0) {
            redisReply *r = rstore_reply(self);
            if (r)
                freeReplyObject(r);
            if (!self->ctx)
                break;
        }
    }
    return self->ctx ? 0 : s_connect(self);
}

/* Turns a hiredis result into ours: error replies become NULL. */
static redisReply *s_result(rstore_t *self, redisReply *r)
{
    if (!r) {
        snprintf(self->err, sizeof self->err, "redis %s:%d: %s", self->host, self->port,
                 self->ctx ? self->ctx->errstr : "not connected");
        s_drop(self);
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(self->err, sizeof self->err, "%s", r->str ? r->str : "redis error");
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

static int s_broken(const rstore_t *self)
{
    return self->ctx && (self->ctx->err == REDIS_ERR_IO || self->ctx->err == REDIS_ERR_EOF);
}

redisReply *rstore_cmd(rstore_t *self, const char *fmt, ...)
{
    self->err[0] = '\0';
    redisReply *r = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (s_ready(self) < 0)
            return NULL;
        va_list ap;
        va_start(ap, fmt);
        r = redisvCommand(self->ctx, fmt, ap);
        va_end(ap);
        if (r || !s_broken(self))
            break;
        s_drop(self);
    }
    return s_result(self, r);
}

redisReply *rstore_cmdargv(rstore_t *self, int argc, const char **argv, const size_t *lens)
{
    self->err[0] = '\0';
    redisReply *r = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (s_ready(self) < 0)
            return NULL;
        r = redisCommandArgv(self->ctx, argc, argv, lens);
        if (r || !s_broken(self))
            break;
        s_drop(self);
    }
    return s_result(self, r);
}

int rstore_append(rstore_t *self, const char *fmt, ...)
{
    if (self->pending == 0 && s_ready(self) < 0)
        return -1;
    if (!self->ctx)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAppendCommand(self->ctx, fmt, ap);
    va_end(ap);
    if (rc != REDIS_OK) {
        snprintf(self->err, sizeof self->err, "append: %s", self->ctx->errstr);
        return -1;
    }
    self->pending++;
    return 0;
}

int rstore_appendargv(rstore_t *self, int argc, const char **argv, const size_t *lens)
{
    if (self->pending == 0 && s_ready(self) < 0)
        return -1;
    if (!self->ctx)
        return -1;
    if (redisAppendCommandArgv(self->ctx, argc, argv, lens) != REDIS_OK) {
        snprintf(self->err, sizeof self->err, "append: %s", self->ctx->errstr);
        return -1;
    }
    self->pending++;
    return 0;
}

redisReply *rstore_reply(rstore_t *self)
{
    if (!self->ctx || self->pending <= 0) {
        snprintf(self->err, sizeof self->err, "no pipelined reply to read");
        return NULL;
    }
    void *r = NULL;
    self->pending--;
    if (redisGetReply(self->ctx, &r) != REDIS_OK)
        r = NULL;
    return s_result(self, r);
}

int rstore_ping(rstore_t *self)
{
    redisReply *r = rstore_cmd(self, "PING");
    int ok = r && r->type == REDIS_REPLY_STATUS && r->str && strcmp(r->str, "PONG") == 0;
    if (r)
        freeReplyObject(r);
    return ok;
}
