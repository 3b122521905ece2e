/*
 * NAME
 *   test_http_util - the libcurl client and handlers the HTTP tests share
 *
 * DESCRIPTION
 *   Not a library: each test program includes this once, after cmocka.h.
 *   s_call() sends one request to 127.0.0.1:port with libcurl, as any
 *   client would (a body, a curl_mime form or a chunked upload), and
 *   returns status, body and headers; s_get() is a plain GET; s_free()
 *   frees a reply; s_error() checks the JSON error shape. The handlers
 *   answer "hello" (arg: the text), echo a body with its length and media
 *   type, and list the fields of a form (?max=N: longest value allowed).
 *   s_start() starts a server on a port the kernel picks (port 0), so
 *   that tests running side by side never collide, and returns that port.
 *   The functions are static inline so a program may leave some unused.
 */
#ifndef INSPRAAK_TEST_HTTP_UTIL_H
#define INSPRAAK_TEST_HTTP_UTIL_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "xalloc.h"

/* --- handlers ----------------------------------------------------------- */

static inline void h_hello(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    http_res_set(res, 200, "text/plain; charset=utf-8", arg, strlen(arg));
    http_res_header(res, "X-Test", "ja");
}

static inline void h_echo(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    size_t len;
    const char *body = http_body(req, &len);
    char ct[64];
    const char *t = http_content_type(req, ct, sizeof ct);
    json_t *j =
        json_pack("{s:s%, s:I, s:s?}", "body", body, len, "len", (json_int_t)len, "type", t);
    http_res_json(res, 200, j);
}

static inline int s_field(const char *key, const char *value, size_t len, void *arg)
{
    json_array_append_new(arg, json_pack("[s, s%]", key, value, len));
    return 0;
}

static inline void h_form(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    json_t *fields = json_array();
    const char *max = http_query(req, "max");
    if (http_form_fields(req, max ? (size_t)atoi(max) : 512, s_field, fields) < 0) {
        json_decref(fields);
        http_res_error(res, 400, "bad_form", "Het formulier kon niet gelezen worden.",
                       json_pack("{s:s}", "tekst", "Te lang."));
        return;
    }
    http_res_json(res, 200, fields);
}

/* --- a small client ----------------------------------------------------- */

typedef struct {
    char *p;
    size_t n;
} buf_t;

typedef struct {
    long status;
    char *body, *headers; /* NUL-terminated */
    CURLcode rc;
} reply_t;

static inline size_t s_collect(char *p, size_t size, size_t n, void *arg)
{
    buf_t *b = arg;
    size_t add = size * n;
    b->p = xrealloc(b->p, b->n + add + 1);
    memcpy(b->p + b->n, p, add);
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

typedef struct {
    const char *data;
    size_t len, off;
} upload_t;

static inline size_t s_read(char *p, size_t size, size_t n, void *arg)
{
    upload_t *u = arg;
    size_t want = size * n, left = u->len - u->off;
    if (want > left)
        want = left;
    memcpy(p, u->data + u->off, want);
    u->off += want;
    return want;
}

/* method NULL: GET. chunked: send body with Transfer-Encoding: chunked. */
static inline reply_t s_call(int port, const char *method, const char *path, const char *body,
                             size_t len, struct curl_slist *hdrs, curl_mime *mime, int chunked)
{
    reply_t r = {0};
    buf_t body_buf = {0}, head_buf = {0};
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body_buf);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, s_collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head_buf);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    upload_t up = {body, len, 0};
    struct curl_slist *h = hdrs;
    if (mime) {
        curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    } else if (chunked) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, s_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    } else if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    if (method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (method && strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    r.rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    r.body = body_buf.p;
    r.headers = head_buf.p;
    if (!r.body)
        r.body = xstrdup("");
    if (!r.headers)
        r.headers = xstrdup("");
    return r;
}

static inline reply_t s_get(int port, const char *path)
{
    return s_call(port, NULL, path, NULL, 0, NULL, NULL, 0);
}

static inline void s_free(reply_t *r)
{
    free(r->body);
    free(r->headers);
}

/* Checks {"error":{"code":code,"message":<non-empty>}} and returns the
 * error object (borrowed from *root, which the caller frees). */
static inline json_t *s_error(const reply_t *r, const char *code, json_t **root)
{
    json_error_t je;
    *root = json_loads(r->body, 0, &je);
    assert_non_null(*root);
    json_t *e = json_object_get(*root, "error");
    assert_true(json_is_object(e));
    assert_int_equal(json_object_size(*root), 1);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    const char *msg = json_string_value(json_object_get(e, "message"));
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    assert_non_null(strstr(r->headers, "Content-Type: application/json"));
    return e;
}

/* --- servers ------------------------------------------------------------ */

/* Starts srv (whose opts.port is 0) and returns the port it listens on,
 * or -1 after printing why it could not start (for a group setup, which
 * then fails). */
static inline int s_start(http_server_t *srv)
{
    char err[256] = "";
    if (http_server_start(srv, err, sizeof err) < 0) {
        fprintf(stderr, "start: %s\n", err);
        return -1;
    }
    return http_server_port(srv);
}

#endif
