/*
 * NAME
 *   fuzz_http - libFuzzer harness for the HTTP front door of every
 *   service: libmicrohttpd's request parser and post processor
 *   (url-encoded and multipart bodies) under common/http*.c
 *
 * DESCRIPTION
 *   The input is what a client sends on one connection: one request or
 *   several pipelined ones, headers, chunked or plain bodies, in any
 *   bytes. A server of common/http.c (no listening socket, a pool of one
 *   thread, max_body 8 KiB, 127.0.0.1 and ::1 trusted proxies) takes it
 *   on one end of a socketpair (MHD_add_connection with the peer address
 *   127.0.0.1, so X-Forwarded-For is walked); the harness writes the
 *   input, closes its sending side and reads the answers until the server
 *   closes. Every route runs the same handler, which reads what the
 *   services read: path and its rest, method, query arguments, Content-
 *   Type, Bearer token, client address and /64 net, the dashboard's
 *   session cookies, and the form fields of a url-encoded or multipart
 *   body (http_form_fields, 2 KiB a value). Promises checked (abort()
 *   when broken):
 *     - every answer starts "HTTP/1.x NNN" with a status of 100..599;
 *     - a form field has a name, at most max_value bytes, NUL-terminated
 *       at its length, at most 64 fields a request;
 *     - the body a handler sees is at most max_body and NUL-terminated;
 *     - a content type is lowercase, without parameters or blanks;
 *     - a client address is empty or one inet_pton takes; an IPv6 one
 *       gives a net ending in "/64";
 *     - a session cookie found is 64 lowercase hex digits.
 *   The handler answers 200 with a short text, or 422 when the form
 *   fields were refused (as the intakes do). FUZZ_HTTP_SHOW=1 in the
 *   environment prints the answers (to see what a corpus file gets).
 *
 *   FUZZ_SOURCES: services/dashboard/session_cookie.c
 *   FUZZ_DICT: tests/fuzz/http.dict
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "http_int.h"
#include "log.h"
#include "session_cookie.h"

#define FUZZ_NAME "fuzz_http"
#include "fuzz_util.h"

#define FUZZ_MAX_BODY 8192
#define FUZZ_MAX_VALUE 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static http_server_t *s_srv;

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    int *n = arg;
    if (!key || !value)
        s_fail("form field without name or value");
    if (len > FUZZ_MAX_VALUE || value[len] != '\0')
        s_fail("form value longer than max_value or not NUL-terminated");
    if (++*n > 64)
        s_fail("more than 64 form fields");
    return 0;
}

static int s_query(const char *key, const char *value, size_t len, void *arg)
{
    (void)arg;
    if (!key || !value || strlen(value) != len)
        s_fail("query argument without name, or length not its value's");
    return 0;
}

static void s_handle(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    if (!http_method(req) || !http_path(req) || !http_path_rest(req))
        s_fail("request without method or path");
    http_query_each(req, s_query, NULL);
    (void)http_query(req, "q");
    size_t blen = 0;
    const char *body = http_body(req, &blen);
    if (blen > FUZZ_MAX_BODY || body[blen] != '\0')
        s_fail("body over max_body or not NUL-terminated");
    char ct[64];
    const char *type = http_content_type(req, ct, sizeof ct);
    for (const char *c = type; c && *c; c++)
        if (isupper((unsigned char)*c) || *c == ';' || *c == ' ' || *c == '\t')
            s_fail("content type not lowercase or with a parameter");
    const char *bearer = http_bearer(req);
    if (bearer && (!*bearer || *bearer == ' '))
        s_fail("empty bearer token");
    char ip[64], net[64];
    http_client_ip(req, ip, sizeof ip);
    unsigned char bin[16];
    if (ip[0] && inet_pton(AF_INET, ip, bin) != 1 && inet_pton(AF_INET6, ip, bin) != 1)
        s_fail("client address that is no address");
    http_client_net(req, net, sizeof net);
    if (strchr(ip, ':') && (strlen(net) < 3 || strcmp(net + strlen(net) - 3, "/64") != 0))
        s_fail("IPv6 client without its /64");
    char cookie[65];
    const char *names[] = {SESSION_COOKIE, SESSION_LOGIN_COOKIE};
    for (int i = 0; i < 2; i++)
        if (session_cookie_value(req, names[i], cookie) == 0 &&
            (strlen(cookie) != 64 || strspn(cookie, "0123456789abcdef") != 64))
            s_fail("session cookie not 64 hex digits");
    int fields = 0;
    if (type && http_form_fields(req, FUZZ_MAX_VALUE, s_field, &fields) < 0 &&
        (strcmp(type, "application/x-www-form-urlencoded") == 0 ||
         strcmp(type, "multipart/form-data") == 0)) {
        http_res_error(res, 422, "invalid_form", "Het formulier is niet goed aangekomen.", NULL);
        return;
    }
    http_res_set(res, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

static void s_start(void)
{
    /* libmicrohttpd warns for every connection that TCP_NODELAY does not
     * apply to a socketpair: only errors are logged. */
    setenv("INSPRAAK_LOG_LEVEL", "error", 1);
    log_init("fuzz_http");
    s_srv = http_server_new(&(http_opts_t){.max_body = FUZZ_MAX_BODY,
                                           .threads = 1,
                                           .name = "fuzz_http",
                                           .trusted_proxies = "127.0.0.1, ::1",
                                           .no_listen = true});
    http_server_set_poll(s_srv, true);
    const char *methods[] = {"GET", "POST", "PUT", "DELETE"};
    for (int i = 0; i < 4; i++) {
        http_route(s_srv, methods[i], "/", s_handle, NULL);
        http_route(s_srv, methods[i], "/api/v1/ideas/*", s_handle, NULL);
    }
    http_route(s_srv, "POST", "/login", s_handle, NULL);
    char err[256];
    if (http_server_start(s_srv, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        exit(1);
    }
}

/* Writes all of buf; -1 when the server closed early (it may: a bad
 * request line is answered and the connection closed). */
static int s_write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void s_check_answer(const char *out, size_t len)
{
    if (len == 0)
        return; /* closed without an answer (e.g. cut in the headers) */
    if (len < 12 || strncmp(out, "HTTP/1.", 7) != 0 || out[8] != ' ' ||
        !isdigit((unsigned char)out[9]) || !isdigit((unsigned char)out[10]) ||
        !isdigit((unsigned char)out[11]) || out[9] < '1' || out[9] > '5')
        s_fail("an answer that does not start with an HTTP status line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_srv)
        s_start();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        s_fail("socketpair");
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000)};
    inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
    if (MHD_add_connection(s_srv->daemon, sv[1], (const struct sockaddr *)&peer, sizeof peer) !=
        MHD_YES) {
        close(sv[0]);
        return 0; /* libmicrohttpd closed sv[1] */
    }
    s_write_all(sv[0], data, size);
    shutdown(sv[0], SHUT_WR);
    static char out[1 << 16];
    size_t len = 0;
    for (;;) {
        ssize_t n = recv(sv[0], out + len, sizeof out - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof out - 1) { /* only the start is checked; drain */
            s_check_answer(out, len);
            len = 12;
        }
    }
    out[len] = '\0';
    if (getenv("FUZZ_HTTP_SHOW")) /* to see what a corpus file gets */
        fprintf(stderr, "%s\n", out);
    s_check_answer(out, len);
    close(sv[0]);
    return 0;
}
