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
 *   Sentinel URLs (redis-sentinel://s1:26379,s2:26379/mymaster?db=N): each
 *   connect first asks the sentinels in turn for the master's address, so
 *   a failover is followed at the next reconnect. A reconnect happens when
 *   the connection breaks (the old master died) and when a command gets
 *   READONLY (the old master came back as a replica, or a client still
 *   talks to the node that was demoted); a READONLY write did not run, so
 *   rstore_cmd() sends it once more to the new master.
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
    char host[256]; /* the master; from the sentinels when nsentinels > 0 */
    int port;
    rstore_addr_t sentinels[RSTORE_MAX_SENTINELS];
    int nsentinels;
    char master[128];
    char addr[300]; /* "host:port" for rstore_address() */
    int db;
    char user[RSTORE_MAX_USER]; /* ACL user; "" = default */
    char password[256];
    redisContext *ctx;
    int pending;     /* appended commands whose replies are unread */
    int connects;    /* successful connects so far */
    int reconnected; /* a new connection since the last rstore_wait() */
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

/* user:password. user may be empty or "default" (AUTH password), or an ACL
 * user name (AUTH user password) when user is not NULL. */
static int s_parse_userinfo(const char *ui, size_t n, char *user, size_t user_size,
                            char *password, size_t password_size)
{
    const char *colon = memchr(ui, ':', n);
    if (!colon)
        return -1; /* a bare user name has no meaning here */
    size_t ulen = (size_t)(colon - ui);
    int is_default = ulen == 0 || (ulen == 7 && memcmp(ui, "default", 7) == 0);
    if (user)
        user[0] = '\0';
    if (!is_default) {
        if (!user || ulen >= user_size)
            return -1;
        for (size_t i = 0; i < ulen; i++)
            if (!(ui[i] == '.' || ui[i] == '-' || ui[i] == '_' || (ui[i] >= '0' && ui[i] <= '9') ||
                  ((ui[i] | 0x20) >= 'a' && (ui[i] | 0x20) <= 'z')))
                return -1;
        memcpy(user, ui, ulen);
        user[ulen] = '\0';
    }
    return s_unescape(colon + 1, n - ulen - 1, password, password_size);
}

static int s_parse_url(const char *url, char *host, size_t host_size, int *port, int *db,
                       char *user, size_t user_size, char *password, size_t password_size);

int rstore_parse_url(const char *url, char *host, size_t host_size, int *port, int *db,
                     char *password, size_t password_size)
{
    char user[RSTORE_MAX_USER];
    return s_parse_url(url, host, host_size, port, db, user, sizeof user, password,
                       password_size);
}

static int s_parse_url(const char *url, char *host, size_t host_size, int *port, int *db,
                       char *user, size_t user_size, char *password, size_t password_size)
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
    user[0] = '\0';
    if (at) {
        if (s_parse_userinfo(p, (size_t)(at - p), user, user_size, password, password_size) < 0)
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

static int s_master_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '.' || s[i] == '-' || s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
              ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
            return 0;
    return 1;
}

/* One "host:port" item of the sentinel list, parsed as a redis:// URL so
 * that host rules (names, IPv4, [IPv6]) are the same. */
static int s_parse_sentinel_item(const char *s, size_t n, rstore_addr_t *out)
{
    char buf[300], pw[2];
    int db;
    if (n == 0 || n + 9 > sizeof buf || memchr(s, '@', n))
        return -1;
    snprintf(buf, sizeof buf, "redis://%.*s", (int)n, s);
    return rstore_parse_url(buf, out->host, sizeof out->host, &out->port, &db, pw, sizeof pw);
}

int rstore_parse_sentinel_url(const char *url, rstore_addr_t *sentinels, int max, int *n,
                              char *master, size_t master_size, int *db, char *password,
                              size_t password_size)
{
    static const char scheme[] = "redis-sentinel://";
    *n = 0;
    if (!url || strncasecmp(url, scheme, sizeof scheme - 1) != 0 || strlen(url) > 1024 ||
        master_size == 0 || password_size == 0 || max <= 0)
        return -1;
    const char *p = url + sizeof scheme - 1;
    const char *slash = strchr(p, '/');
    if (!slash)
        return -1; /* the master name is required */
    password[0] = '\0';
    *db = 0;
    const char *at = NULL;
    for (const char *q = p; q < slash; q++)
        if (*q == '@')
            at = q;
    if (at) {
        if (s_parse_userinfo(p, (size_t)(at - p), NULL, 0, password, password_size) < 0)
            return -1;
        p = at + 1;
    }
    while (p < slash) {
        const char *comma = memchr(p, ',', (size_t)(slash - p));
        const char *iend = comma ? comma : slash;
        if (*n >= max || s_parse_sentinel_item(p, (size_t)(iend - p), &sentinels[*n]) < 0)
            return -1;
        (*n)++;
        p = comma ? comma + 1 : slash;
        if (comma && p == slash)
            return -1; /* trailing comma */
    }
    if (*n == 0)
        return -1;
    const char *name = slash + 1, *q = strchr(name, '?');
    size_t nlen = q ? (size_t)(q - name) : strlen(name);
    if (!s_master_name_ok(name, nlen) || nlen >= master_size)
        return -1;
    memcpy(master, name, nlen);
    master[nlen] = '\0';
    if (q) {
        long v;
        if (strncmp(q, "?db=", 4) != 0 || s_number(q + 4, strlen(q + 4), 0, 100000, &v) < 0)
            return -1;
        *db = (int)v;
    }
    return 0;
}

/* --- connection --------------------------------------------------------- */

rstore_t *rstore_new(const char *url, char *err, size_t errlen)
{
    rstore_t *self = xcalloc(1, sizeof *self);
    int ok;
    if (url && strncasecmp(url, "redis-sentinel://", 17) == 0)
        ok = rstore_parse_sentinel_url(url, self->sentinels, RSTORE_MAX_SENTINELS,
                                       &self->nsentinels, self->master, sizeof self->master,
                                       &self->db, self->password, sizeof self->password) == 0;
    else
        ok = s_parse_url(url, self->host, sizeof self->host, &self->port, &self->db,
                         self->user, sizeof self->user, self->password,
                         sizeof self->password) == 0;
    if (!ok) {
        snprintf(err, errlen,
                 "unusable redis url (want redis://[[user]:password@]host[:port][/db] or "
                 "redis-sentinel://[:password@]host:port[,host:port...]/master[?db=N])");
        free(self);
        return NULL;
    }
    snprintf(self->addr, sizeof self->addr, "%s:%d", self->host, self->port);
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
    explicit_bzero((*self_p)->password, sizeof (*self_p)->password);
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

/* Asks one sentinel for the master's address; 0 when it named one. */
static int s_ask_sentinel(rstore_t *self, const rstore_addr_t *s)
{
    struct timeval t = {RSTORE_CONNECT_TIMEOUT_S, 0};
    redisContext *c = redisConnectWithTimeout(s->host, s->port, t);
    if (!c || c->err || redisSetTimeout(c, t) != REDIS_OK) {
        snprintf(self->err, sizeof self->err, "sentinel %s:%d: %s", s->host, s->port,
                 c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return -1;
    }
    redisReply *r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", self->master);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING &&
        r->element[0]->len < sizeof self->host) {
        long port = strtol(r->element[1]->str, NULL, 10);
        if (port > 0 && port < 65536) {
            memcpy(self->host, r->element[0]->str, r->element[0]->len + 1);
            self->port = (int)port;
            snprintf(self->addr, sizeof self->addr, "%s:%d", self->host, self->port);
            rc = 0;
        }
    }
    if (rc < 0)
        snprintf(self->err, sizeof self->err, "sentinel %s:%d does not know master %s: %s", s->host,
                 s->port, self->master,
                 r ? (r->type == REDIS_REPLY_ERROR ? r->str : "no address") : c->errstr);
    if (r)
        freeReplyObject(r);
    redisFree(c);
    return rc;
}

static int s_find_master(rstore_t *self)
{
    for (int i = 0; i < self->nsentinels; i++)
        if (s_ask_sentinel(self, &self->sentinels[i]) == 0)
            return 0;
    return -1;
}

static int s_connect(rstore_t *self)
{
    struct timeval ct = {RSTORE_CONNECT_TIMEOUT_S, 0}, rt = {RSTORE_CMD_TIMEOUT_S, 0};
    s_drop(self);
    if (self->nsentinels > 0 && s_find_master(self) < 0)
        return -1;
    redisContext *c = redisConnectWithTimeout(self->host, self->port, ct);
    if (!c || c->err) {
        snprintf(self->err, sizeof self->err, "connect %s:%d: %s", self->host, self->port,
                 c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return -1;
    }
    if (redisSetTimeout(c, rt) != REDIS_OK ||
        (self->password[0] && !self->user[0] &&
         s_setup(self, c, "AUTH", "AUTH %s", self->password) < 0) ||
        (self->password[0] && self->user[0] &&
         s_setup(self, c, "AUTH", "AUTH %s %s", self->user, self->password) < 0) ||
        (self->db != 0 && s_setup(self, c, "SELECT", "SELECT %d", self->db) < 0)) {
        if (!self->err[0])
            snprintf(self->err, sizeof self->err, "cannot set redis timeout");
        redisFree(c);
        return -1;
    }
    self->ctx = c;
    if (self->connects++ > 0)
        self->reconnected = 1;
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
        if (strstr(self->err, "READONLY")) {
            /* A demoted master: find the new one at the next command. */
            log_warn("msg=\"redis node is read-only, reconnecting\" addr=%s", self->addr);
            s_drop(self);
        }
        return NULL;
    }
    return r;
}

/* A reply that says the write was refused by a read-only replica (also
 * inside a script's error). The write did not run, so it may be re-sent. */
static int s_readonly(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR && r->str && strstr(r->str, "READONLY");
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
        if (attempt == 0 && s_readonly(r)) {
            freeReplyObject(r);
            r = NULL;
            s_drop(self);
            continue;
        }
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
        if (attempt == 0 && s_readonly(r)) {
            freeReplyObject(r);
            r = NULL;
            s_drop(self);
            continue;
        }
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

const char *rstore_address(const rstore_t *self)
{
    return self->addr;
}

int rstore_wait(rstore_t *self, int replicas, int timeout_ms)
{
    /* No reconnect here: WAIT counts the writes of this connection, and on
     * a fresh one it would vouch for writes that went down with the old. */
    self->err[0] = '\0';
    if (self->reconnected) {
        /* Writes made on the old connection are not counted by this one's
         * WAIT: refuse once, so the caller re-does them here. */
        self->reconnected = 0;
        snprintf(self->err, sizeof self->err, "WAIT: reconnected since the last WAIT");
        return -1;
    }
    if (!self->ctx || self->ctx->err || self->pending > 0) {
        snprintf(self->err, sizeof self->err, "WAIT: no connection with writes to wait for");
        return -1;
    }
    redisReply *r = s_result(self, redisCommand(self->ctx, "WAIT %d %d", replicas, timeout_ms));
    if (!r)
        return -1;
    int n = r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1;
    if (n < 0)
        snprintf(self->err, sizeof self->err, "WAIT: unexpected reply");
    freeReplyObject(r);
    return n;
}
