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
 *   5 s, then AUTH and SELECT as the URL asks. rstore_ping() (for /healthz)
 *   gives up after 1 s in all and leaves 5 s for the other commands. When
 *   a command fails with an I/O error or EOF (Redis restarted, a proxy
 *   dropped the socket) the context is thrown away, a new one is made and
 *   the command is sent once more. A command that timed out may already
 *   have run, so a retried write can run twice: callers keep their writes
 *   idempotent (storage does).
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
#include "rstore_int.h"

#include "clock.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#define RSTORE_CONNECT_TIMEOUT_S 2
#define RSTORE_CMD_TIMEOUT_S 5
#define RSTORE_PING_TIMEOUT_MS 1000

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
    /* the timeout a new context gets; rstore_ping() shortens it */
    struct timeval cmd_timeout;
    int pending;     /* appended commands whose replies are unread */
    int connects;    /* successful connects so far */
    int reconnected; /* a new connection since the last rstore_wait() */
    char err[512];
};

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
        ok = rstore_parse_url_user(url, self->host, sizeof self->host, &self->port, &self->db,
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
    self->cmd_timeout = (struct timeval){RSTORE_CMD_TIMEOUT_S, 0};
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

const char *rstore_why(const rstore_t *self, const redisReply *r)
{
    if (!r)
        return self->err;
    return r->type == REDIS_REPLY_ERROR && r->str ? r->str : "unexpected reply";
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
    struct timeval ct = {RSTORE_CONNECT_TIMEOUT_S, 0}, rt = self->cmd_timeout;
    if (timercmp(&rt, &ct, <))
        ct = rt;
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

/* Sends one command through the context; the two public forms below. */
typedef redisReply *(*s_send_fn)(redisContext *c, void *arg);

/* The retry rule of rstore_cmd() and rstore_cmdargv() (see DESCRIPTION):
 * at most two sends; the second on a fresh connection, after a READONLY
 * answer to the first (the write did not run) or a broken connection. */
static redisReply *s_send_retry(rstore_t *self, s_send_fn send, void *arg)
{
    self->err[0] = '\0';
    redisReply *r = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (s_ready(self) < 0)
            return NULL;
        r = send(self->ctx, arg);
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

typedef struct {
    const char *fmt;
    va_list ap;
} s_fmt_t;

static redisReply *s_send_fmt(redisContext *c, void *arg)
{
    s_fmt_t *f = arg;
    va_list ap;
    va_copy(ap, f->ap); /* a fresh copy per send: the retry reads them again */
    redisReply *r = redisvCommand(c, f->fmt, ap);
    va_end(ap);
    return r;
}

redisReply *rstore_cmd(rstore_t *self, const char *fmt, ...)
{
    s_fmt_t f = {.fmt = fmt};
    va_start(f.ap, fmt);
    redisReply *r = s_send_retry(self, s_send_fmt, &f);
    va_end(f.ap);
    return r;
}

typedef struct {
    int argc;
    const char **argv;
    const size_t *lens;
} s_argv_t;

static redisReply *s_send_argv(redisContext *c, void *arg)
{
    const s_argv_t *a = arg;
    return redisCommandArgv(c, a->argc, a->argv, a->lens);
}

redisReply *rstore_cmdargv(rstore_t *self, int argc, const char **argv, const size_t *lens)
{
    s_argv_t a = {argc, argv, lens};
    return s_send_retry(self, s_send_argv, &a);
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

int rstore_append_resp(rstore_t *self, const char *buf, size_t len, int ncmds)
{
    if (self->pending == 0 && s_ready(self) < 0)
        return -1;
    if (!self->ctx)
        return -1;
    if (redisAppendFormattedCommand(self->ctx, buf, len) != REDIS_OK) {
        snprintf(self->err, sizeof self->err, "append: %s", self->ctx->errstr);
        return -1;
    }
    self->pending += ncmds;
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

redisReply *rstore_exec_reply(rstore_t *self, int queued)
{
    int failed = 0;
    redisReply *r = NULL;
    for (int i = 0; i < queued + 2; i++) { /* MULTI's OK, each QUEUED, EXEC's */
        if (r)
            freeReplyObject(r);
        r = rstore_reply(self);
        failed |= !r;
    }
    if (failed && r) {
        freeReplyObject(r);
        r = NULL;
    }
    return r;
}

/* /healthz asks this, and a health check must answer before the load
 * balancer or the container runtime gives up on it (Compose waits 3 s).
 * Through rstore_cmd() a hung Redis (SIGSTOP, a stalled disk) held it for
 * the command timeout twice, ~10 s. So PING gets RSTORE_PING_TIMEOUT_MS in
 * all, the set-up of a new connection included, and is sent a second time
 * only when the connection broke within that time (Redis restarted since
 * the last command), not after a timeout. The commands after it have the
 * normal timeout again. */
int rstore_ping(rstore_t *self)
{
    int64_t deadline = clock_mono_ms() + RSTORE_PING_TIMEOUT_MS;
    redisReply *r = NULL;
    int64_t left = RSTORE_PING_TIMEOUT_MS;
    self->err[0] = '\0';
    for (int attempt = 0; attempt < 2 && !r && left > 0; attempt++) {
        if (attempt > 0) {
            if (!s_broken(self))
                break;
            s_drop(self);
        }
        self->cmd_timeout = (struct timeval){left / 1000, (left % 1000) * 1000};
        if (s_ready(self) < 0)
            break;
        if (redisSetTimeout(self->ctx, self->cmd_timeout) == REDIS_OK)
            r = redisCommand(self->ctx, "PING");
        left = deadline - clock_mono_ms();
    }
    self->cmd_timeout = (struct timeval){RSTORE_CMD_TIMEOUT_S, 0};
    if (!self->ctx)
        return 0; /* could not connect: s_connect() left the reason */
    if (!r && left <= 0) {
        snprintf(self->err, sizeof self->err, "redis %s:%d: no answer to PING within %d ms",
                 self->host, self->port, RSTORE_PING_TIMEOUT_MS);
        s_drop(self); /* a late PONG would be read as the next reply */
        return 0;
    }
    r = s_result(self, r);
    if (self->ctx && redisSetTimeout(self->ctx, self->cmd_timeout) != REDIS_OK)
        s_drop(self); /* the next command connects anew, with the normal timeout */
    int ok = r && r->type == REDIS_REPLY_STATUS && r->str && strcmp(r->str, "PONG") == 0;
    if (r)
        freeReplyObject(r);
    return ok;
}

int rstore_connects(const rstore_t *self)
{
    return self->connects;
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
