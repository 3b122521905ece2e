/*
 * NAME
 *   http - a small HTTP server helper over libmicrohttpd
 *
 * SUMMARY
 *   http_server_t *srv = http_server_new(&(http_opts_t){.port = 8080,
 *                                        .max_body = 1 << 20, .name = "intake-form"});
 *   http_route(srv, "POST", "/api/v1/ideas", handle_create, state);
 *   http_route(srv, "GET", "/api/v1/ideas/" "*", handle_get, state);
 *   http_server_set_health(srv, health_fn, state);
 *   http_server_start(srv, err, sizeof err);
 *
 * DESCRIPTION
 *   Routing on method + path (exact, or prefix when the pattern ends in
 *   "*"); bodies are collected incrementally up to a hard max_body limit
 *   (larger: 413 before the rest is read); connection timeout (default 30 s);
 *   every error is JSON {"error": {"code": "...", "message": "..."}} with a
 *   Dutch message (see http_res_error); the built-in 404/405/413 give a
 *   browser (Accept text/html, or a form post outside /api/) a short
 *   Dutch page instead (which no other site may frame: CSP
 *   frame-ancestors 'none', X-Frame-Options: DENY). GET /healthz and
 *   GET /metrics are
 *   built in: /healthz answers 200 "ok" or 503 with the reason from the
 *   health callback; /metrics renders metrics.h. Unknown paths: 404, known
 *   path with another method: 405. Handlers run on libmicrohttpd's threads
 *   (thread per connection, or an epoll pool when threads > 0) and may
 *   block (in a pool, a blocked handler holds one of few threads: wait
 *   with http_defer() instead).
 *   The handler fills an http_res_t; the helper sends it after return.
 *   Request metrics: inspraak_http_requests_total{code="2xx"|"3xx"|"4xx"|"5xx"}
 *   and inspraak_http_request_seconds_total (time spent answering).
 *   Built-in error codes: not_found (404), method_not_allowed (405, with an Allow
 *   header naming every method the path takes, HEAD wherever GET),
 *   body_too_large (413), internal (500: the handler set no
 *   status), unhealthy (503 from /healthz; the English reason is in
 *   "error"."reason"). Every response also carries
 *   X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
 */
#ifndef INSPRAAK_HTTP_H
#define INSPRAAK_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct http_server http_server_t;

typedef struct {
    int port;
    const char *bind_addr; /* NULL: all interfaces (INSPRAAK_HTTP_BIND) */
    size_t max_body;       /* bytes; default 1 MiB */
    unsigned timeout_s;    /* idle connection timeout; default INSPRAAK_HTTP_TIMEOUT or 30 */
    int threads;           /* 0: one thread per connection; >0: pool */
    const char *name;      /* service name, for logs */
    /* Reverse proxies whose X-Forwarded-For is believed (http_client_ip):
     * addresses separated by commas; NULL: INSPRAAK_TRUSTED_PROXIES. */
    const char *trusted_proxies;
    /* No listening socket: connections come only through libmicrohttpd's
     * MHD_add_connection() on the daemon (tests/fuzz/fuzz_http.c hands it
     * one end of a socketpair); port and bind_addr are not used. */
    bool no_listen;
} http_opts_t;

typedef struct http_req http_req_t; /* opaque; see accessors */

#define HTTP_MAX_HEADERS 16
typedef struct {
    int status;
    char *content_type; /* owned */
    char *body;         /* owned */
    size_t len;
    int n_headers;
    char *header_names[HTTP_MAX_HEADERS];  /* owned */
    char *header_values[HTTP_MAX_HEADERS]; /* owned */
} http_res_t;

typedef void (*http_handler_fn)(const http_req_t *req, http_res_t *res, void *arg);
/* Returns 1 when healthy; 0 with a short English reason in buf when not. */
typedef int (*http_health_fn)(char *reason, size_t size, void *arg);

http_server_t *http_server_new(const http_opts_t *opts);
/* pattern: "/exact/path", or "/prefix/" followed by "*" for every path
 * under the prefix. Routes are tried in order. */
int http_route(http_server_t *srv, const char *method, const char *pattern, http_handler_fn fn,
               void *arg);
void http_server_set_health(http_server_t *srv, http_health_fn fn, void *arg);
/* Memory libmicrohttpd gives each connection (MHD_OPTION_CONNECTION_MEMORY_LIMIT;
 * 0 = its default, 32 KiB): request line and headers must fit, with room
 * for the response headers; bodies pass through in pieces. libmicrohttpd
 * zeroes the whole area after every request of a kept-alive connection,
 * so a smaller one is cheaper per request. Call before http_server_start(). */
void http_server_set_conn_memory(http_server_t *srv, size_t bytes);
/* A pool's threads wait in poll() instead of epoll (MHD_USE_POLL instead
 * of MHD_USE_EPOLL); no effect with a thread per connection. For a server
 * whose requests are mostly deferred (http_defer: the intakes): with epoll
 * libmicrohttpd takes every suspended connection out of its epoll set and
 * puts it back on resume (two epoll_ctl calls a request) and reads each
 * socket until EAGAIN; with poll() a suspended connection is simply left
 * out of the next poll set. The price: each wait costs time in proportion
 * to the connections of that thread, so it suits a few hundred busy
 * connections, not thousands of idle ones. Call before http_server_start(). */
void http_server_set_poll(http_server_t *srv, bool on);
/* Starts listening. Returns 0, or -1 with err (e.g. port in use). */
int http_server_start(http_server_t *srv, char *err, size_t errlen);
/* The port listened on (useful with port 0), or opts.port before start. */
int http_server_port(const http_server_t *srv);
/* Stops accepting, waits for running handlers, frees. */
void http_server_destroy(http_server_t **srv_p);

/* --- request accessors (valid during the handler) --- */
const char *http_method(const http_req_t *req);
const char *http_path(const http_req_t *req); /* without query string */
/* Path after the route's prefix (route "/api/v1/ideas/" "*", path
 * "/api/v1/ideas/abc" -> "abc"); "" for exact routes. */
const char *http_path_rest(const http_req_t *req);
const char *http_header(const http_req_t *req, const char *name); /* NULL when absent */
const char *http_query(const http_req_t *req, const char *name);  /* decoded; NULL when absent */
/* Calls fn(key, value, len, arg) for each query argument, decoded, in the
 * order sent (value "" for "?k"); a non-zero return stops. The callback
 * type is http_field_fn, below. */
typedef int (*http_field_fn)(const char *key, const char *value, size_t len, void *arg);
void http_query_each(const http_req_t *req, http_field_fn fn, void *arg);
const char *http_body(const http_req_t *req, size_t *len);        /* NUL-terminated copy */
/* Media type without parameters, lowercase: "application/json" or NULL. */
const char *http_content_type(const http_req_t *req, char *buf, size_t size);
/* Bearer token from Authorization, or NULL. */
const char *http_bearer(const http_req_t *req);
/* The client's address: the TCP peer; when the peer is one of the
 * trusted proxies (http_opts_t), the rightmost X-Forwarded-For entry that
 * is not itself a trusted proxy (what the proxy saw; entries to its left
 * come from the client and are never believed). An IPv4-mapped IPv6
 * address ("::ffff:192.0.2.1") reads as its IPv4 address, and a port a
 * proxy adds ("192.0.2.1:51234", "[2001:db8::1]:443") is dropped, in the
 * header and in the trusted list alike: one address, one form. */
const char *http_client_ip(const http_req_t *req, char *buf, size_t size);
/* What a limit per client counts: http_client_ip(), an IPv6 address as
 * its /64 network ("2001:db8:1:2::/64"). One line or host has a whole /64
 * and could take a new address for every request. */
const char *http_client_net(const http_req_t *req, char *buf, size_t size);

/* Parses an application/x-www-form-urlencoded or multipart/form-data body
 * (libmicrohttpd's post processor), calling fn once per field with the whole
 * value (at most max_value bytes; longer values make this return -1).
 * At most 64 fields. A non-zero return from fn stops the parse (-1).
 * Returns 0, or -1 when the body cannot be parsed. */
int http_form_fields(const http_req_t *req, size_t max_value, http_field_fn fn, void *arg);

/* --- answering later ---
 * A handler that must wait for another thread (the intake: for the fsync
 * of its record) calls http_defer() and returns without filling res. That
 * other thread calls http_resume() exactly once, when the answer is known;
 * then finish(req, res, arg) runs on an HTTP thread, fills res, and it is
 * sent as usual. With a thread pool (threads > 0) the connection is
 * suspended meanwhile (libmicrohttpd's suspend/resume), so no thread
 * sleeps per waiting request; with a thread per connection, that thread
 * waits. finish runs exactly once, also when the client went away (then
 * its res is dropped), so it may free arg. The request (headers, body)
 * stays valid until finish returns. http_server_destroy() waits for every
 * deferred request to be resumed. */
typedef struct http_later http_later_t;
typedef void (*http_finish_fn)(const http_req_t *req, http_res_t *res, void *arg);
http_later_t *http_defer(const http_req_t *req, http_finish_fn finish, void *arg);
/* From any thread; once per http_defer(). Does not block. */
void http_resume(http_later_t *later);

/* --- response helpers (each replaces what was set before) --- */
void http_res_set(http_res_t *res, int status, const char *content_type, const char *body,
                  size_t len);
void http_res_take(http_res_t *res, int status, const char *content_type, char *body_owned,
                   size_t len);
/* Sends json (reference stolen) as application/json. */
void http_res_json(http_res_t *res, int status, json_t *json);
/* {"error":{"code":code,"message":message_nl}} plus any "fields" object
 * (stolen, may be NULL) for per-field messages. */
void http_res_error(http_res_t *res, int status, const char *code, const char *message_nl,
                    json_t *fields);
void http_res_header(http_res_t *res, const char *name, const char *value);

/* HTML escaping for pages: returns a malloc'd copy with & < > " ' escaped. */
char *http_html_escape(const char *s);

#endif
