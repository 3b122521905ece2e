/*
 * NAME
 *   rstore - a Redis connection that reconnects (hiredis)
 *
 * DESCRIPTION
 *   Wraps one hiredis redisContext: connects from a redis:// URL with
 *   connect and command timeouts, sends AUTH and SELECT, and reconnects
 *   once when a command fails on a broken connection. Not thread-safe: one
 *   rstore_t per thread (the dashboard keeps one per HTTP thread).
 *   Replies are hiredis redisReply; the caller frees them with
 *   freeReplyObject(). Errors (connection or a Redis error reply) leave a
 *   message readable with rstore_error().
 */
#ifndef INSPRAAK_RSTORE_H
#define INSPRAAK_RSTORE_H

#include <hiredis/hiredis.h>
#include <stddef.h>

typedef struct rstore rstore_t;

/* Parses redis://[[user]:password@]host[:port][/db]. Returns 0 or -1.
 * A user other than "default" is a Redis 6 ACL user (AUTH user password);
 * rstore_new() keeps it, this function only checks it. The password may
 * also come from INSPRAAK_REDIS_PASSWORD_FILE (config.h). */
#define RSTORE_MAX_USER 64
int rstore_parse_url(const char *url, char *host, size_t host_size, int *port, int *db,
                     char *password, size_t password_size);

/* Sentinel (high availability): INSPRAAK_REDIS_URL may also be
 *   redis-sentinel://[:password@]host:port[,host:port...]/mastername[?db=N]
 * Then every (re)connect asks the sentinels, in list order, for the
 * master's address (SENTINEL get-master-addr-by-name); password and db are
 * the master's. A READONLY error (the node was demoted) drops the
 * connection so that the next command asks again; rstore_cmd() retries
 * such a command once (a refused write did not run). */
#define RSTORE_MAX_SENTINELS 8
typedef struct {
    char host[256];
    int port;
} rstore_addr_t;

/* Parses a redis-sentinel:// URL. Returns 0 or -1. */
int rstore_parse_sentinel_url(const char *url, rstore_addr_t *sentinels, int max, int *n,
                              char *master, size_t master_size, int *db, char *password,
                              size_t password_size);

/* The master address a sentinel URL leads to now ("host:port"), or the
 * redis:// host:port; for logs and tests. */
const char *rstore_address(const rstore_t *self);
/* Connections made so far: a change tells a caller that state kept on the
 * connection (WATCH) is gone. */
int rstore_connects(const rstore_t *self);

/* WAIT numreplicas timeout_ms: how many replicas acknowledged every write
 * this connection made so far; -1 on error (see rstore_error). Never
 * reconnects, and answers -1 once after any reconnect since the previous
 * call: writes that went over an older connection are not covered, so the
 * caller must not vouch for them (storage then withholds the ack and the
 * intake re-sends). */
int rstore_wait(rstore_t *self, int replicas, int timeout_ms);

/* Does not fail when Redis is down: the first command connects. NULL only
 * for an unusable URL (err says why). */
rstore_t *rstore_new(const char *url, char *err, size_t errlen);
void rstore_destroy(rstore_t **self_p);

/* redisCommand() with one reconnect. NULL on failure; a Redis error reply
 * is also turned into NULL (message in rstore_error). Caller frees reply. */
redisReply *rstore_cmd(rstore_t *self, const char *fmt, ...);
redisReply *rstore_cmdargv(rstore_t *self, int argc, const char **argv, const size_t *lens);

/* Pipelining: append n commands, then read n replies with rstore_reply(). */
int rstore_append(rstore_t *self, const char *fmt, ...);
int rstore_appendargv(rstore_t *self, int argc, const char **argv, const size_t *lens);
redisReply *rstore_reply(rstore_t *self);
/* After MULTI, `queued` commands and EXEC were appended: reads all
 * queued + 2 replies and returns EXEC's (an array of the commands'
 * replies), or NULL when any of them failed (reason in rstore_error).
 * Every reply is read either way, so the pipeline stays in step. */
redisReply *rstore_exec_reply(rstore_t *self, int queued);
/* Appends ncmds commands already in RESP form (len bytes; hiredis's
 * redisAppendFormattedCommand), read back with ncmds rstore_reply()s. For
 * callers that format a large pipeline themselves: hiredis formats each
 * argument with sdscatfmt, ~600 instructions an argument. 0 or -1. */
int rstore_append_resp(rstore_t *self, const char *buf, size_t len, int ncmds);

/* 1 when PING answers PONG within 1 s in all (connecting included), for
 * /healthz; 0 otherwise, reason in rstore_error(). Other commands keep the
 * 5 s timeout. */
int rstore_ping(rstore_t *self);
const char *rstore_error(const rstore_t *self);
/* Why a command whose reply r was not the one expected failed, for a log
 * line: rstore_error() when r is NULL, the text of an error reply (a
 * script's own error, WRONGTYPE, ...), else "unexpected reply". Borrowed
 * from self or r. */
const char *rstore_why(const rstore_t *self, const redisReply *r);

#endif
