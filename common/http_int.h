/*
 * NAME
 *   http_int - what http.c, http_defer.c, http_req.c and http_res.c share
 *   (private)
 *
 * DESCRIPTION
 *   Not for services: use http.h. The request lives in libmicrohttpd's
 *   connection closure from the first call of the access handler until the
 *   completion callback frees it. A deferred request (http_defer) also
 *   lives until its finish callback ran.
 */
#ifndef INSPRAAK_HTTP_INT_H
#define INSPRAAK_HTTP_INT_H

#include "http.h"

#include "metrics.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

struct http_req {
    http_server_t *srv;
    struct MHD_Connection *conn;
    const char *method; /* MHD's copy, valid for the request */
    const char *path;   /* MHD's copy, already percent-decoded */
    const char *rest;   /* into path, set by routing */
    char *body;         /* NUL-terminated, grown as data arrives */
    size_t len, cap;
    bool too_big;  /* body went over max_body: answer 413 */
    bool answered; /* a response was queued early */
    struct timespec start;
    /* http_defer(): HTTP_DEFER_*, the finish callback and its arg */
    _Atomic int defer;
    http_finish_fn finish;
    void *finish_arg;
};

typedef struct {
    char method[16];
    char *pattern; /* without the trailing '*' for prefixes */
    size_t plen;
    bool prefix;
    http_handler_fn fn;
    void *arg;
} route_t;

struct http_server {
    http_opts_t opts;
    char *name, *bind_addr;
    route_t *routes;
    int n_routes;
    http_health_fn health;
    void *health_arg;
    size_t conn_memory; /* 0: libmicrohttpd's default */
    char *proxies_text; /* trusted proxies as configured (NULL: none) */
    char **proxies;     /* the same, each address in inet_ntop form */
    int n_proxies;
    struct MHD_Daemon *daemon;
    metric_t *m_code[6]; /* index status / 100 */
    metric_t *m_seconds;
    bool pool;                /* a pool (epoll or poll) with suspend/resume */
    bool use_poll;            /* the pool waits in poll(), not epoll */
    _Atomic long deferred;    /* http_defer() calls not yet resumed */
    _Atomic int stopping;     /* destroy began: defer by waiting, not suspending */
    pthread_mutex_t defer_mu; /* waiting deferred requests (no suspend) */
    pthread_cond_t defer_cond;
};

/* http_req.defer: who owns the answer of a deferred request (http_defer.c) */
enum { HTTP_DEFER_NONE, HTTP_DEFER_RUNNING, HTTP_DEFER_SUSPENDED, HTTP_DEFER_DONE };

/* http_req.c: parses srv->proxies_text into srv->proxies; 0, or -1 with
 * the entry that is no address in err. */
int http_proxies_parse(http_server_t *srv, char *err, size_t errlen);

/* http.c: sends res (and frees what it owns); called from the access
 * handler only (libmicrohttpd queues answers nowhere else). */
enum MHD_Result http_send(http_req_t *req, http_res_t *res);

/* http_defer.c: the handler deferred (req->defer is not NONE): suspend the
 * connection (pool) or wait in this thread until http_resume(). */
enum MHD_Result http_defer_park(http_req_t *req);
/* http_defer.c: runs finish() once resumed and sends its answer. */
enum MHD_Result http_defer_finish(http_req_t *req);

#endif
