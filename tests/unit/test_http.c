/*
 * NAME
 *   test_http - the HTTP helper served for real, checked with libcurl
 *
 * DESCRIPTION
 *   Starts an http_server_t on 127.0.0.1:22080 (max_body 1024) with a few
 *   test routes and talks to it with libcurl as any client would: routing,
 *   404/405, 413 for declared and chunked bodies, the JSON error shape,
 *   query decoding, urlencoded and multipart forms, /healthz, /metrics and
 *   the security headers. A second server checks the thread-pool mode and
 *   that a port in use is reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "xalloc.h"

#define PORT 22080
#define PORT_POOL 22081
#define PORT_SMALL 12980 /* a pool with 16 KiB per connection */
#define MAX_BODY 1024

static http_server_t *s_srv;
static int s_healthy = 1;

/* --- handlers ----------------------------------------------------------- */

static void h_hello(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    http_res_set(res, 200, "text/plain; charset=utf-8", arg, strlen(arg));
    http_res_header(res, "X-Test", "ja");
}

static void h_item(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    http_res_json(res, 200,
                  json_pack("{s:s, s:s}", "rest", http_path_rest(req), "path", http_path(req)));
}

static void h_echo(const http_req_t *req, http_res_t *res, void *arg)
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

static void h_query(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    http_res_json(res, 200,
                  json_pack("{s:s?, s:s?, s:s?}", "a", http_query(req, "a"), "b",
                            http_query(req, "b"), "c", http_query(req, "c")));
}

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    json_array_append_new(arg, json_pack("[s, s%]", key, value, len));
    return 0;
}

static void h_form(const http_req_t *req, http_res_t *res, void *arg)
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

static void h_who(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    char ip[64];
    http_res_json(res, 200,
                  json_pack("{s:s?, s:s, s:s?, s:s}", "bearer", http_bearer(req), "ip",
                            http_client_ip(req, ip, sizeof ip), "ua",
                            http_header(req, "user-agent"), "method", http_method(req)));
}

static void h_nothing(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    (void)res;
    (void)arg;
}

static int s_health(char *reason, size_t size, void *arg)
{
    (void)arg;
    if (s_healthy)
        return 1;
    snprintf(reason, size, "redis down");
    return 0;
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

static size_t s_collect(char *p, size_t size, size_t n, void *arg)
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

static size_t s_read(char *p, size_t size, size_t n, void *arg)
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
static reply_t s_call(int port, const char *method, const char *path, const char *body, size_t len,
                      struct curl_slist *hdrs, curl_mime *mime, int chunked)
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

static reply_t s_get(const char *path)
{
    return s_call(PORT, NULL, path, NULL, 0, NULL, NULL, 0);
}

static void s_free(reply_t *r)
{
    free(r->body);
    free(r->headers);
}

/* Checks {"error":{"code":code,"message":<non-empty>}} and returns the
 * error object (borrowed from *root, which the caller frees). */
static json_t *s_error(const reply_t *r, const char *code, json_t **root)
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

/* --- tests -------------------------------------------------------------- */

static void test_routing(void **state)
{
    (void)state;
    reply_t r = s_get("/hello");
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hallo");
    assert_non_null(strstr(r.headers, "X-Test: ja\r\n"));
    assert_non_null(strstr(r.headers, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(r.headers, "X-Content-Type-Options: nosniff\r\n"));
    assert_non_null(strstr(r.headers, "Referrer-Policy: no-referrer\r\n"));
    s_free(&r);

    /* Exact routes do not match longer paths. */
    r = s_get("/hello/more");
    assert_int_equal(r.status, 404);
    s_free(&r);

    r = s_get("/items/abc%20def");
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "abc def");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/items/abc def");
    json_decref(j);
    s_free(&r);

    r = s_get("/items/");
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "");
    json_decref(j);
    s_free(&r);

    r = s_get("/items");
    assert_int_equal(r.status, 404);
    s_free(&r);

    /* HEAD is answered like GET, without a body. */
    r = s_call(PORT, "HEAD", "/hello", NULL, 0, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "");
    s_free(&r);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    json_t *root;
    reply_t r = s_get("/bestaat-niet");
    assert_int_equal(r.status, 404);
    json_t *e = s_error(&r, "not_found", &root);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "Deze pagina bestaat niet.");
    assert_int_equal(json_object_size(e), 2);
    assert_string_equal(
        r.body, "{\"error\":{\"code\":\"not_found\",\"message\":\"Deze pagina bestaat niet.\"}}");
    json_decref(root);
    s_free(&r);

    r = s_get("/echo");
    assert_int_equal(r.status, 405);
    s_error(&r, "method_not_allowed", &root);
    assert_non_null(strstr(r.headers, "Allow: POST, PUT\r\n"));
    json_decref(root);
    s_free(&r);

    r = s_call(PORT, "DELETE", "/healthz", NULL, 0, NULL, NULL, 0);
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.headers, "Allow: GET, HEAD\r\n"));
    s_free(&r);

    /* A handler that answers nothing gives a 500 error, not a hang. */
    r = s_get("/nothing");
    assert_int_equal(r.status, 500);
    s_error(&r, "internal", &root);
    json_decref(root);
    s_free(&r);
}

static void test_body_and_limits(void **state)
{
    (void)state;
    char body[MAX_BODY];
    memset(body, 'x', sizeof body);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: Text/Plain; charset=UTF-8");
    reply_t r = s_call(PORT, NULL, "/echo", body, sizeof body, h, NULL, 0);
    assert_int_equal(r.status, 200); /* exactly max_body is fine */
    json_t *j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), MAX_BODY);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "text/plain");
    json_decref(j);
    s_free(&r);

    /* Declared too large: 413 before the body is read. */
    size_t big_len = 200000;
    char *big = xmalloc(big_len);
    memset(big, 'y', big_len);
    h = curl_slist_append(NULL, "Expect: 100-continue");
    r = s_call(PORT, NULL, "/echo", big, big_len, h, NULL, 0);
    assert_int_equal(r.status, 413);
    json_t *root;
    s_error(&r, "body_too_large", &root);
    json_decref(root);
    s_free(&r);

    /* One byte over, no Expect: still 413. */
    h = curl_slist_append(NULL, "Expect:");
    r = s_call(PORT, NULL, "/echo", big, MAX_BODY + 1, h, NULL, 0);
    assert_int_equal(r.status, 413);
    s_free(&r);

    /* Chunked, a little too large: read away, then 413. */
    r = s_call(PORT, NULL, "/echo", big, MAX_BODY * 2, NULL, NULL, 1);
    assert_int_equal(r.status, 413);
    s_error(&r, "body_too_large", &root);
    json_decref(root);
    s_free(&r);

    /* Chunked and endless: the server cuts the connection. */
    r = s_call(PORT, NULL, "/echo", big, big_len, NULL, NULL, 1);
    assert_true(r.rc != CURLE_OK || r.status == 413);
    s_free(&r);

    /* Chunked within the limit works. */
    r = s_call(PORT, NULL, "/echo", "kort", 4, NULL, NULL, 1);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body\":\"kort\""));
    s_free(&r);
    free(big);

    /* The server is still fine. */
    r = s_get("/hello");
    assert_int_equal(r.status, 200);
    s_free(&r);
}

static void test_query(void **state)
{
    (void)state;
    reply_t r = s_get("/q?a=Meer%20groen%21&b=caf%C3%A9+terras&c=x%26y%3Dz");
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "a")), "Meer groen!");
    assert_string_equal(json_string_value(json_object_get(j, "b")), "caf\xC3\xA9 terras");
    assert_string_equal(json_string_value(json_object_get(j, "c")), "x&y=z");
    json_decref(j);
    s_free(&r);

    r = s_get("/q?b=");
    j = json_loads(r.body, 0, NULL);
    assert_true(json_is_null(json_object_get(j, "a")));
    assert_string_equal(json_string_value(json_object_get(j, "b")), "");
    json_decref(j);
    s_free(&r);
}

static void test_form_urlencoded(void **state)
{
    (void)state;
    const char *body = "tekst=Meer+groen%21%0D%0AEn+bomen.&leeg=&wijk=Heerlen%20Centrum"
                       "&x=&x=2&naam=Jos%C3%A9";
    reply_t r = s_call(PORT, NULL, "/form", body, strlen(body), NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    json_t *want =
        json_pack("[[s,s],[s,s],[s,s],[s,s],[s,s],[s,s]]", "tekst", "Meer groen!\r\nEn bomen.",
                  "leeg", "", "wijk", "Heerlen Centrum", "x", "", "x", "2", "naam", "Jos\xC3\xA9");
    if (!json_equal(j, want))
        fail_msg("fields: %s", r.body);
    json_decref(j);
    json_decref(want);
    s_free(&r);

    /* A value over max_value: the whole form is refused (400, with fields). */
    r = s_call(PORT, NULL, "/form?max=5", body, strlen(body), NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    json_t *root;
    json_t *e = s_error(&r, "bad_form", &root);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "fields"), "tekst")),
                        "Te lang.");
    json_decref(root);
    s_free(&r);

    /* More than 64 fields. */
    char many[1024] = "";
    for (int i = 0; i < 65; i++)
        strcat(many, i ? "&f=1" : "f=1");
    r = s_call(PORT, NULL, "/form", many, strlen(many), NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    s_free(&r);

    /* Not a form at all. */
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    r = s_call(PORT, NULL, "/form", "{}", 2, h, NULL, 0);
    assert_int_equal(r.status, 400);
    s_free(&r);
}

static void test_form_multipart(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *p = curl_mime_addpart(mime);
    curl_mime_name(p, "tekst");
    curl_mime_data(p, "Een speeltuin in de wijk.\nGraag!", CURL_ZERO_TERMINATED);
    p = curl_mime_addpart(mime);
    curl_mime_name(p, "titel");
    curl_mime_data(p, "Speeltuin \xE2\x82\xAC", CURL_ZERO_TERMINATED);
    p = curl_mime_addpart(mime);
    curl_mime_name(p, "leeg");
    curl_mime_data(p, "", 0);
    p = curl_mime_addpart(mime);
    curl_mime_name(p, "bestand");
    curl_mime_filename(p, "video.vtt");
    curl_mime_type(p, "text/vtt");
    curl_mime_data(p, "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Anna>Hoi", CURL_ZERO_TERMINATED);
    reply_t r = s_call(PORT, NULL, "/form", NULL, 0, NULL, mime, 0);
    curl_mime_free(mime);
    curl_easy_cleanup(c);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    json_t *want =
        json_pack("[[s,s],[s,s],[s,s],[s,s]]", "tekst", "Een speeltuin in de wijk.\nGraag!",
                  "titel", "Speeltuin \xE2\x82\xAC", "leeg", "", "bestand",
                  "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Anna>Hoi");
    if (!json_equal(j, want))
        fail_msg("fields: %s", r.body);
    json_decref(j);
    json_decref(want);
    s_free(&r);
}

static void test_request_accessors(void **state)
{
    (void)state;
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer tok.en-123");
    h = curl_slist_append(h, "User-Agent: inspraak-test");
    reply_t r = s_call(PORT, NULL, "/who", NULL, 0, h, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "bearer")), "tok.en-123");
    assert_string_equal(json_string_value(json_object_get(j, "ip")), "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(j, "ua")), "inspraak-test");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
    json_decref(j);
    s_free(&r);

    h = curl_slist_append(NULL, "Authorization: Basic eDp5");
    r = s_call(PORT, NULL, "/who", NULL, 0, h, NULL, 0);
    j = json_loads(r.body, 0, NULL);
    assert_true(json_is_null(json_object_get(j, "bearer")));
    json_decref(j);
    s_free(&r);
}

static void test_health_and_metrics(void **state)
{
    (void)state;
    s_healthy = 1;
    reply_t r = s_get("/healthz");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    s_free(&r);

    s_healthy = 0;
    r = s_get("/healthz");
    assert_int_equal(r.status, 503);
    json_t *root;
    json_t *e = s_error(&r, "unhealthy", &root);
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "redis down");
    json_decref(root);
    s_free(&r);
    s_healthy = 1;

    r = s_get("/metrics");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Content-Type: text/plain; version=0.0.4"));
    assert_non_null(strstr(r.body, "# TYPE inspraak_http_requests_total counter\n"));
    /* The 503 above was counted (and this request not yet). */
    const char *line = strstr(r.body, "inspraak_http_requests_total{code=\"5xx\"} ");
    assert_non_null(line);
    assert_true(atoi(line + strlen("inspraak_http_requests_total{code=\"5xx\"} ")) >= 1);
    assert_non_null(strstr(r.body, "inspraak_http_requests_total{code=\"2xx\"} "));
    assert_non_null(strstr(r.body, "inspraak_http_request_seconds_total "));
    s_free(&r);
}

static void test_html_escape(void **state)
{
    (void)state;
    char *s = http_html_escape("<a href=\"x\">Tom & Jerry's</a>");
    assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    free(s);
    s = http_html_escape("gewoon \xC3\xA9\xC3\xA9n");
    assert_string_equal(s, "gewoon \xC3\xA9\xC3\xA9n");
    free(s);
    s = http_html_escape(NULL);
    assert_string_equal(s, "");
    free(s);
}

static void test_pool_and_port_in_use(void **state)
{
    (void)state;
    http_server_t *pool = http_server_new(&(http_opts_t){
        .port = PORT_POOL, .bind_addr = "127.0.0.1", .threads = 4, .name = "test-pool"});
    http_route(pool, "GET", "/hello", h_hello, "pool");
    http_route(pool, "POST", "/form", h_form, NULL);
    char err[256] = "";
    assert_int_equal(http_server_start(pool, err, sizeof err), 0);
    assert_int_equal(http_server_port(pool), PORT_POOL);
    for (int i = 0; i < 8; i++) {
        reply_t r = s_call(PORT_POOL, NULL, "/hello", NULL, 0, NULL, NULL, 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "pool");
        s_free(&r);
    }

    /* Long values reach the post processor in several pieces; each field
     * still comes out whole. */
    size_t n = 20000;
    char *big = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    big[n] = '\0';
    CURL *c = curl_easy_init();
    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *p = curl_mime_addpart(mime);
    curl_mime_name(p, "lang");
    curl_mime_data(p, big, n);
    p = curl_mime_addpart(mime);
    curl_mime_name(p, "kort");
    curl_mime_data(p, "k", 1);
    reply_t r = s_call(PORT_POOL, NULL, "/form?max=20000", NULL, 0, NULL, mime, 0);
    curl_mime_free(mime);
    curl_easy_cleanup(c);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    json_t *want = json_pack("[[s,s],[s,s]]", "lang", big, "kort", "k");
    assert_true(json_equal(j, want));
    json_decref(j);
    json_decref(want);
    s_free(&r);

    char *form = xasprintf("kort=k&lang=%s", big);
    r = s_call(PORT_POOL, NULL, "/form?max=20000", form, strlen(form), NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    want = json_pack("[[s,s],[s,s]]", "kort", "k", "lang", big);
    assert_true(json_equal(j, want));
    json_decref(j);
    json_decref(want);
    s_free(&r);
    r = s_call(PORT_POOL, NULL, "/form?max=19999", form, strlen(form), NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    s_free(&r);
    free(form);
    free(big);

    http_server_t *dup =
        http_server_new(&(http_opts_t){.port = PORT_POOL, .bind_addr = "127.0.0.1"});
    assert_int_equal(http_server_start(dup, err, sizeof err), -1);
    assert_non_null(strstr(err, "22081"));
    http_server_destroy(&dup);
    assert_null(dup);
    http_server_destroy(&pool);

    http_server_t *bad = http_server_new(&(http_opts_t){.port = PORT_POOL, .bind_addr = "nope"});
    assert_int_equal(http_server_start(bad, err, sizeof err), -1);
    http_server_destroy(&bad);
}

static int s_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    s_srv = http_server_new(&(http_opts_t){.port = PORT,
                                           .bind_addr = "127.0.0.1",
                                           .max_body = MAX_BODY,
                                           .timeout_s = 10,
                                           .name = "test"});
    http_route(s_srv, "GET", "/hello", h_hello, "hallo");
    http_route(s_srv, "GET", "/items/*", h_item, NULL);
    http_route(s_srv, "POST", "/echo", h_echo, NULL);
    http_route(s_srv, "PUT", "/echo", h_echo, NULL);
    http_route(s_srv, "GET", "/q", h_query, NULL);
    http_route(s_srv, "POST", "/form", h_form, NULL);
    http_route(s_srv, "GET", "/who", h_who, NULL);
    http_route(s_srv, "GET", "/nothing", h_nothing, NULL);
    http_server_set_health(s_srv, s_health, NULL);
    char err[256] = "";
    if (http_server_start(s_srv, err, sizeof err) < 0) {
        fprintf(stderr, "start: %s\n", err);
        return -1;
    }
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    http_server_destroy(&s_srv);
    curl_global_cleanup();
    return 0;
}

/* A header of n bytes ("X-Pad: xxx...") sent to /hello on port. */
static long s_status_with_header(int port, size_t n)
{
    char *h = xmalloc(n + 1);
    memcpy(h, "X-Pad: ", 7);
    memset(h + 7, 'x', n - 7);
    h[n] = '\0';
    reply_t r = s_call(port, NULL, "/hello", NULL, 0, curl_slist_append(NULL, h), NULL, 0);
    free(h);
    long status = r.status;
    s_free(&r);
    return status;
}

/* http_server_set_conn_memory(): a smaller area per connection still
 * takes ordinary headers and bodies larger than itself (they pass in
 * pieces), and refuses headers that do not fit with 431, where the
 * default 32 KiB would have taken them. */
static void test_conn_memory(void **state)
{
    (void)state;
    http_server_t *srv = http_server_new(&(http_opts_t){
        .port = PORT_SMALL, .bind_addr = "127.0.0.1", .threads = 2, .name = "test-small"});
    http_route(srv, "GET", "/hello", h_hello, "klein");
    http_route(srv, "POST", "/echo", h_echo, NULL);
    http_server_set_conn_memory(srv, 16 * 1024);
    char err[256] = "";
    assert_int_equal(http_server_start(srv, err, sizeof err), 0);
    assert_int_equal(s_status_with_header(PORT_SMALL, 6 * 1024), 200);
    assert_int_equal(s_status_with_header(PORT_SMALL, 20 * 1024), 431);
    assert_int_equal(s_status_with_header(PORT, 20 * 1024), 200); /* the default */
    size_t n = 40000;
    char *big = xmalloc(n);
    memset(big, 'b', n);
    reply_t r = s_call(PORT_SMALL, "POST", "/echo", big, n, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), n);
    json_decref(j);
    s_free(&r);
    free(big);
    http_server_destroy(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),           cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_body_and_limits),   cmocka_unit_test(test_query),
        cmocka_unit_test(test_form_urlencoded),   cmocka_unit_test(test_form_multipart),
        cmocka_unit_test(test_request_accessors), cmocka_unit_test(test_health_and_metrics),
        cmocka_unit_test(test_html_escape),       cmocka_unit_test(test_pool_and_port_in_use),
        cmocka_unit_test(test_conn_memory),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
