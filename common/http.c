/*
 * NAME
 *   http - a small HTTP server helper over libmicrohttpd (see http.h)
 *
 * SUMMARY
 *   http_server_t *srv = http_server_new(&(http_opts_t){.port = 8080, .name = "x"});
 *   http_route(srv, "GET", "/api/v1/ideas/" "*", handle_get, state);
 *   if (http_server_start(srv, err, sizeof err) < 0) log_fatal(...);
 *   ...
 *   http_server_destroy(&srv);
 *
 * DESCRIPTION
 *   The access handler follows doc/examples/simplepost.c: the first call
 *   only creates the per-request state in *con_cls (and refuses a declared
 *   Content-Length over max_body with 413 before any of the body is read,
 *   so a client sending "Expect: 100-continue" never uploads it); later
 *   calls append body data; the last call (no more data) routes and runs
 *   the handler. A chunked body that grows over max_body is dropped as it
 *   arrives and answered with 413 at its end; one that keeps going far
 *   beyond (HTTP_DISCARD_FACTOR times the limit) has its connection closed.
 *   The completion callback frees the state whatever happened.
 *
 *   http_defer() and http_resume(), the suspend/resume of a request
 *   answered later, are in http_defer.c; the types both files use are in
 *   http_int.h.
 *
 *   Every response carries Content-Type, X-Content-Type-Options: nosniff
 *   and Referrer-Policy: no-referrer. Responses are counted in
 *   inspraak_http_requests_total{code="2xx"|"3xx"|"4xx"|"5xx"} and the time
 *   spent in inspraak_http_request_seconds_total.
 *
 * DIAGNOSTICS
 *   libmicrohttpd's own error messages go to log.h at warn level. Handler
 *   trouble is logged by the handler; a handler that sets no status gives
 *   500.
 */
#include "http.h"

#include "http_int.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_CONNECTION_LIMIT 1000
#define HTTP_DISCARD_FACTOR 4
#define HTTP_BODY_PRESIZE 65536

/* --- set-up ------------------------------------------------------------- */

http_server_t *http_server_new(const http_opts_t *opts)
{
    http_server_t *srv = xcalloc(1, sizeof *srv);
    srv->opts = *opts;
    srv->name = xstrdup(opts->name ? opts->name : "http");
    const char *bind = opts->bind_addr ? opts->bind_addr : getenv("INSPRAAK_HTTP_BIND");
    srv->bind_addr = (bind && *bind) ? xstrdup(bind) : NULL;
    srv->opts.name = srv->name;
    srv->opts.bind_addr = srv->bind_addr;
    const char *px =
        opts->trusted_proxies ? opts->trusted_proxies : getenv("INSPRAAK_TRUSTED_PROXIES");
    srv->proxies_text = (px && *px) ? xstrdup(px) : NULL;
    srv->opts.trusted_proxies = srv->proxies_text;
    pthread_mutex_init(&srv->defer_mu, NULL);
    pthread_cond_init(&srv->defer_cond, NULL);
    if (srv->opts.max_body == 0)
        srv->opts.max_body = 1 << 20;
    if (srv->opts.timeout_s == 0) { /* INSPRAAK_HTTP_TIMEOUT: tests shorten it (slowloris) */
        const char *t = getenv("INSPRAAK_HTTP_TIMEOUT");
        long v = t ? strtol(t, NULL, 10) : 0;
        srv->opts.timeout_s = v >= 1 && v <= 3600 ? (unsigned)v : 30;
    }
    static const char *codes[] = {"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 1; i < 6; i++)
        srv->m_code[i] = metrics_counter_labelled("inspraak_http_requests_total", "code", codes[i],
                                                  "HTTP requests answered, by status class.");
    srv->m_seconds = metrics_counter("inspraak_http_request_seconds_total",
                                     "Time spent answering HTTP requests, in seconds.");
    return srv;
}

int http_route(http_server_t *srv, const char *method, const char *pattern, http_handler_fn fn,
               void *arg)
{
    size_t plen = strlen(pattern);
    if (strlen(method) >= sizeof srv->routes[0].method || plen == 0 || pattern[0] != '/')
        return -1;
    srv->routes = xrealloc(srv->routes, sizeof *srv->routes * (size_t)(srv->n_routes + 1));
    route_t *r = &srv->routes[srv->n_routes++];
    memset(r, 0, sizeof *r);
    snprintf(r->method, sizeof r->method, "%s", method);
    r->prefix = pattern[plen - 1] == '*';
    r->plen = r->prefix ? plen - 1 : plen;
    r->pattern = xstrndup(pattern, r->plen);
    r->fn = fn;
    r->arg = arg;
    return 0;
}

void http_server_set_health(http_server_t *srv, http_health_fn fn, void *arg)
{
    srv->health = fn;
    srv->health_arg = arg;
}

void http_server_set_conn_memory(http_server_t *srv, size_t bytes)
{
    srv->conn_memory = bytes;
}

void http_server_set_poll(http_server_t *srv, bool on)
{
    srv->use_poll = on;
}

/* --- answering ---------------------------------------------------------- */

static void s_res_free(http_res_t *res)
{
    free(res->content_type);
    free(res->body);
    for (int i = 0; i < res->n_headers; i++) {
        free(res->header_names[i]);
        free(res->header_values[i]);
    }
    memset(res, 0, sizeof *res);
}

static double s_elapsed(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Sends res (and frees what it owns). */
enum MHD_Result http_send(http_req_t *req, http_res_t *res)
{
    if (res->status < 100 || res->status > 599)
        http_res_error(res, 500, "internal", "Er ging iets mis. Probeer het later opnieuw.", NULL);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        s_res_free(res);
        return MHD_NO;
    }
    res->body = NULL; /* MHD frees it with free() */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            res->content_type ? res->content_type : "text/plain; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    for (int i = 0; i < res->n_headers; i++)
        if (MHD_add_response_header(r, res->header_names[i], res->header_values[i]) != MHD_YES)
            log_warn("msg=\"response header refused\" name=%.64s", res->header_names[i]);
    enum MHD_Result rc = MHD_queue_response(req->conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    metric_inc(req->srv->m_code[res->status / 100]);
    metric_add(req->srv->m_seconds, s_elapsed(&req->start));
    s_res_free(res);
    req->answered = true;
    return rc;
}

/* A browser: Accept names text/html, or the request is an HTML form post
 * (url-encoded or multipart) to a page outside /api/, which some clients
 * send without Accept. API uploads (multipart under /api/) stay JSON. */
static bool s_wants_html(const http_req_t *req)
{
    const char *accept = http_header(req, "Accept");
    if (accept && strstr(accept, "text/html"))
        return true;
    char ct[64];
    const char *type = http_content_type(req, ct, sizeof ct);
    return type && strncmp(req->path, "/api/", 5) != 0 &&
           (strcmp(type, "application/x-www-form-urlencoded") == 0 ||
            strcmp(type, "multipart/form-data") == 0);
}

/* The errors this layer answers itself (404, 405, 413): JSON as every API
 * error, but a short Dutch page for a browser (s_wants_html), so a
 * resident who mistypes an address or sends too much on a form sees
 * words, not JSON. */
static void s_error(const http_req_t *req, http_res_t *res, int status, const char *code,
                    const char *msg)
{
    if (!s_wants_html(req)) {
        http_res_error(res, status, code, msg, NULL);
        return;
    }
    const char *title = status == 404   ? "Pagina niet gevonden"
                        : status == 413 ? "Te veel gegevens"
                                        : "Dit kan hier niet";
    char *page = xasprintf("<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width\">"
                           "<title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p>\n"
                           "<p><a href=\"/\">Naar de beginpagina</a></p></body></html>\n",
                           title, title, msg);
    http_res_take(res, status, "text/html; charset=utf-8", page, strlen(page));
    /* frame-ancestors does not fall back to default-src: said apart. */
    http_res_header(res, "Content-Security-Policy",
                    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    http_res_header(res, "X-Frame-Options", "DENY");
}

static enum MHD_Result s_send_error(http_req_t *req, int status, const char *code, const char *msg)
{
    http_res_t res = {0};
    s_error(req, &res, status, code, msg);
    return http_send(req, &res);
}

static enum MHD_Result s_too_big(http_req_t *req)
{
    return s_send_error(req, 413, "body_too_large",
                        "De gegevens zijn te groot. Maak de tekst of het bestand kleiner.");
}

static bool s_is_get(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static void s_builtin(http_req_t *req, http_res_t *res)
{
    http_server_t *srv = req->srv;
    if (strcmp(req->path, "/metrics") == 0) {
        char *text = metrics_render();
        http_res_take(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
        return;
    }
    char reason[256] = "";
    if (!srv->health || srv->health(reason, sizeof reason, srv->health_arg)) {
        http_res_set(res, 200, "text/plain; charset=utf-8", "ok\n", 3);
        return;
    }
    json_t *j = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "unhealthy", "message",
                          "Deze dienst werkt op dit moment niet goed.", "reason",
                          reason[0] ? reason : "unknown");
    http_res_json(res, 503, j);
}

/* Finds the handler for the request; fills res itself for 404/405. */
static const route_t *s_match(http_req_t *req, http_res_t *res)
{
    http_server_t *srv = req->srv;
    char allow[128] = "";
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    for (int i = 0; i < srv->n_routes; i++) {
        const route_t *r = &srv->routes[i];
        bool hit = r->prefix ? strncmp(req->path, r->pattern, r->plen) == 0
                             : strcmp(req->path, r->pattern) == 0;
        if (!hit)
            continue;
        if (strcmp(r->method, method) == 0) {
            req->rest = req->path + (r->prefix ? r->plen : strlen(req->path));
            return r;
        }
        /* HEAD is served wherever GET is (above), so Allow says so. */
        const char *m = strcmp(r->method, "GET") == 0 ? "GET, HEAD" : r->method;
        if (!strstr(allow, m) && strlen(allow) + strlen(m) + 3 < sizeof allow) {
            if (allow[0])
                strcat(allow, ", ");
            strcat(allow, m);
        }
    }
    if (allow[0]) {
        s_error(req, res, 405, "method_not_allowed", "Deze actie kan hier niet.");
        http_res_header(res, "Allow", allow);
    } else {
        s_error(req, res, 404, "not_found", "Deze pagina bestaat niet.");
    }
    return NULL;
}

static enum MHD_Result s_dispatch(http_req_t *req)
{
    http_res_t res = {0};
    req->rest = req->path + strlen(req->path);
    if (strcmp(req->path, "/healthz") == 0 || strcmp(req->path, "/metrics") == 0) {
        if (s_is_get(req->method)) {
            s_builtin(req, &res);
        } else {
            http_res_error(&res, 405, "method_not_allowed", "Deze actie kan hier niet.", NULL);
            http_res_header(&res, "Allow", "GET, HEAD");
        }
        return http_send(req, &res);
    }
    const route_t *r = s_match(req, &res);
    if (r)
        r->fn(req, &res, r->arg);
    if (atomic_load(&req->defer) != HTTP_DEFER_NONE) {
        s_res_free(&res); /* finish() fills the answer */
        return http_defer_park(req);
    }
    return http_send(req, &res);
}

/* --- libmicrohttpd callbacks -------------------------------------------- */

/* First call: state, and an early 413 when the declared length is too big. */
static enum MHD_Result s_begin(http_server_t *srv, struct MHD_Connection *conn, const char *url,
                               const char *method, void **con_cls)
{
    http_req_t *req = xcalloc(1, sizeof *req);
    req->srv = srv;
    req->conn = conn;
    req->method = method;
    req->path = url;
    clock_gettime(CLOCK_MONOTONIC, &req->start);
    *con_cls = req;
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno == ERANGE || n > srv->opts.max_body) {
            req->too_big = true;
            return s_too_big(req);
        }
        /* The whole body in one allocation of its declared size, instead
         * of 4 KiB grown by realloc (malloc_consolidate showed in perf). */
        /* (At most HTTP_BODY_PRESIZE up front: a declared length alone
         * must not make idle connections hold megabytes.) */
        if (end != cl && n > 0) {
            req->cap = n < HTTP_BODY_PRESIZE ? (size_t)n + 1 : HTTP_BODY_PRESIZE;
            req->body = xmalloc(req->cap);
            req->body[0] = '\0';
        }
    }
    return MHD_YES;
}

static enum MHD_Result s_body(http_req_t *req, const char *data, size_t *size)
{
    size_t n = *size;
    *size = 0;
    size_t max = req->srv->opts.max_body;
    if (req->too_big || req->len + n > max) {
        if (!req->too_big) {
            free(req->body);
            req->body = NULL;
            req->too_big = true;
        }
        /* Dropped, counted in len so that an endless stream is cut off. */
        req->len += n;
        return req->len > max * HTTP_DISCARD_FACTOR ? MHD_NO : MHD_YES;
    }
    if (req->len + n + 1 > req->cap) {
        size_t cap = req->cap ? req->cap : 4096;
        while (cap < req->len + n + 1)
            cap *= 2;
        req->body = xrealloc(req->body, cap);
        req->cap = cap;
    }
    memcpy(req->body + req->len, data, n);
    req->len += n;
    req->body[req->len] = '\0';
    return MHD_YES;
}

static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls)
{
    (void)version;
    http_req_t *req = *con_cls;
    if (!req)
        return s_begin(cls, conn, url, method, con_cls);
    if (req->finish && atomic_load(&req->defer) == HTTP_DEFER_DONE)
        return http_defer_finish(req); /* called again after MHD_resume_connection */
    if (req->answered) {
        *upload_data_size = 0; /* early 413: the rest is not looked at */
        return MHD_YES;
    }
    if (*upload_data_size > 0)
        return s_body(req, upload_data, upload_data_size);
    if (req->too_big)
        return s_too_big(req);
    return s_dispatch(req);
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    http_req_t *req = *con_cls;
    if (!req)
        return;
    if (req->finish) {
        /* Resumed, but the client had gone: finish() still runs once (it
         * may own its arg); its answer goes nowhere. A suspended
         * connection is never completed before its resume (it is not
         * polled, and destroy waits for every resume). */
        http_res_t res = {0};
        req->finish(req, &res, req->finish_arg);
        req->finish = NULL;
        s_res_free(&res);
    }
    free(req->body);
    free(req);
    *con_cls = NULL;
}

static void s_mhd_log(void *cls, const char *fmt, va_list ap)
{
    http_server_t *srv = cls;
    char msg[512], q[600];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("msg=\"libmicrohttpd\" server=%s err=%s", srv->name, log_quote(q, sizeof q, msg));
}

/* --- start and stop ----------------------------------------------------- */

static int s_bind_addr(const http_server_t *srv, struct sockaddr_storage *ss, unsigned *flags)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, srv->bind_addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)srv->opts.port);
        return 0;
    }
    if (inet_pton(AF_INET6, srv->bind_addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)srv->opts.port);
        *flags |= MHD_USE_IPv6;
        return 0;
    }
    return -1;
}

int http_server_start(http_server_t *srv, char *err, size_t errlen)
{
    if (srv->opts.port < 0 || srv->opts.port > 65535) {
        snprintf(err, errlen, "port %d out of range", srv->opts.port);
        return -1;
    }
    unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_INTERNAL_POLLING_THREAD;
    /* poll(), not select(): select() fails on descriptors >= FD_SETSIZE. */
    if (srv->opts.threads <= 0)
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    else /* pool: suspend/resume for http_defer() */
        flags |= (srv->use_poll ? MHD_USE_POLL : MHD_USE_EPOLL) | MHD_ALLOW_SUSPEND_RESUME;
    srv->pool = srv->opts.threads > 0;
    if (srv->opts.no_listen)
        flags |= MHD_USE_NO_LISTEN_SOCKET;
    struct sockaddr_storage ss;
    if (srv->bind_addr && !srv->opts.no_listen && s_bind_addr(srv, &ss, &flags) < 0) {
        snprintf(err, errlen, "bind address %s is not an IP address", srv->bind_addr);
        return -1;
    }
    if (http_proxies_parse(srv, err, errlen) < 0)
        return -1;
    struct MHD_OptionItem opts[9];
    int n = 0;
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)s_mhd_log, srv};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)s_completed, srv};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)srv->opts.timeout_s, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, HTTP_CONNECTION_LIMIT, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0, NULL};
    if (srv->opts.threads > 0)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, srv->opts.threads, NULL};
    if (srv->conn_memory > 0)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                            (intptr_t)srv->conn_memory, NULL};
    if (srv->bind_addr && !srv->opts.no_listen)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    srv->daemon = MHD_start_daemon(flags, (uint16_t)srv->opts.port, NULL, NULL, s_access, srv,
                                   MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d (port in use?)",
                 srv->bind_addr ? srv->bind_addr : "*", srv->opts.port);
        return -1;
    }
    log_info("msg=\"http listening\" server=%s addr=%s port=%d", srv->name,
             srv->bind_addr ? srv->bind_addr : "*", http_server_port(srv));
    return 0;
}

int http_server_port(const http_server_t *srv)
{
    if (!srv->daemon)
        return srv->opts.port;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : srv->opts.port;
}

void http_server_destroy(http_server_t **srv_p)
{
    if (!srv_p || !*srv_p)
        return;
    http_server_t *srv = *srv_p;
    /* libmicrohttpd must not stop with suspended connections: from now on
     * a deferring handler waits in its thread, and the ones suspended
     * already are waited for (whoever deferred them resumes them). */
    atomic_store(&srv->stopping, 1);
    while (atomic_load(&srv->deferred) > 0)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    pthread_cond_destroy(&srv->defer_cond);
    pthread_mutex_destroy(&srv->defer_mu);
    for (int i = 0; i < srv->n_routes; i++)
        free(srv->routes[i].pattern);
    free(srv->routes);
    free(srv->name);
    free(srv->bind_addr);
    for (int i = 0; i < srv->n_proxies; i++)
        free(srv->proxies[i]);
    free(srv->proxies);
    free(srv->proxies_text);
    free(srv);
    *srv_p = NULL;
}
