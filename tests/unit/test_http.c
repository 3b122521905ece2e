/*
 * NAME
 *   test_http - the HTTP helper served for real, checked with libcurl
 *
 * DESCRIPTION
 *   Starts an http_server_t on 127.0.0.1, on a port the kernel picks
 *   (max_body 1024), with a few test routes and talks to it with libcurl
 *   as any client would: routing, 404/405, 413 for declared and chunked
 *   bodies, the JSON error shape, query decoding, request accessors,
 *   /healthz, /metrics and the security headers. Forms are in
 *   test_http_form.c; the thread pool, a port in use and the memory per
 *   connection in test_http_pool.c.
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
#include "test_http_util.h"
#include "xalloc.h"

#define MAX_BODY 1024

static http_server_t *s_srv;
static int s_port;
static int s_healthy = 1;

/* --- handlers ----------------------------------------------------------- */

static void h_item(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    http_res_json(res, 200,
                  json_pack("{s:s, s:s}", "rest", http_path_rest(req), "path", http_path(req)));
}

static void h_query(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)arg;
    http_res_json(res, 200,
                  json_pack("{s:s?, s:s?, s:s?}", "a", http_query(req, "a"), "b",
                            http_query(req, "b"), "c", http_query(req, "c")));
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

/* --- tests -------------------------------------------------------------- */

static void test_routing(void **state)
{
    (void)state;
    reply_t r = s_get(s_port, "/hello");
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hallo");
    assert_non_null(strstr(r.headers, "X-Test: ja\r\n"));
    assert_non_null(strstr(r.headers, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(r.headers, "X-Content-Type-Options: nosniff\r\n"));
    assert_non_null(strstr(r.headers, "Referrer-Policy: no-referrer\r\n"));
    s_free(&r);

    /* Exact routes do not match longer paths. */
    r = s_get(s_port, "/hello/more");
    assert_int_equal(r.status, 404);
    s_free(&r);

    r = s_get(s_port, "/items/abc%20def");
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "abc def");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/items/abc def");
    json_decref(j);
    s_free(&r);

    r = s_get(s_port, "/items/");
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "");
    json_decref(j);
    s_free(&r);

    r = s_get(s_port, "/items");
    assert_int_equal(r.status, 404);
    s_free(&r);

    /* HEAD is answered like GET, without a body. */
    r = s_call(s_port, "HEAD", "/hello", NULL, 0, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "");
    s_free(&r);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    json_t *root;
    reply_t r = s_get(s_port, "/bestaat-niet");
    assert_int_equal(r.status, 404);
    json_t *e = s_error(&r, "not_found", &root);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "Deze pagina bestaat niet.");
    assert_int_equal(json_object_size(e), 2);
    assert_string_equal(
        r.body, "{\"error\":{\"code\":\"not_found\",\"message\":\"Deze pagina bestaat niet.\"}}");
    json_decref(root);
    s_free(&r);

    r = s_get(s_port, "/echo");
    assert_int_equal(r.status, 405);
    s_error(&r, "method_not_allowed", &root);
    assert_non_null(strstr(r.headers, "Allow: POST, PUT\r\n"));
    json_decref(root);
    s_free(&r);

    /* HEAD is served wherever GET is, so Allow names it too. */
    r = s_call(s_port, "DELETE", "/hello", NULL, 0, NULL, NULL, 0);
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.headers, "Allow: GET, HEAD\r\n"));
    s_free(&r);

    r = s_call(s_port, "POST", "/items/abc", "x", 1, NULL, NULL, 0);
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.headers, "Allow: GET, HEAD\r\n"));
    s_free(&r);

    r = s_call(s_port, "DELETE", "/healthz", NULL, 0, NULL, NULL, 0);
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.headers, "Allow: GET, HEAD\r\n"));
    s_free(&r);

    /* A handler that answers nothing gives a 500 error, not a hang. */
    r = s_get(s_port, "/nothing");
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
    reply_t r = s_call(s_port, NULL, "/echo", body, sizeof body, h, NULL, 0);
    assert_int_equal(r.status, 200); /* exactly max_body is fine */
    json_t *j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), MAX_BODY);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "text/plain");
    json_decref(j);
    s_free(&r);

    /* Declared too large: 413 before the body is read. (An API client's
     * body: curl's default form type would get the browser's HTML page.) */
    size_t big_len = 200000;
    char *big = xmalloc(big_len);
    memset(big, 'y', big_len);
    h = curl_slist_append(NULL, "Expect: 100-continue");
    h = curl_slist_append(h, "Content-Type: application/json");
    r = s_call(s_port, NULL, "/echo", big, big_len, h, NULL, 0);
    assert_int_equal(r.status, 413);
    json_t *root;
    s_error(&r, "body_too_large", &root);
    json_decref(root);
    s_free(&r);

    /* One byte over, no Expect: still 413. */
    h = curl_slist_append(NULL, "Expect:");
    h = curl_slist_append(h, "Content-Type: application/json");
    r = s_call(s_port, NULL, "/echo", big, MAX_BODY + 1, h, NULL, 0);
    assert_int_equal(r.status, 413);
    s_free(&r);

    /* Chunked, a little too large: read away, then 413. */
    h = curl_slist_append(NULL, "Content-Type: application/json");
    r = s_call(s_port, NULL, "/echo", big, MAX_BODY * 2, h, NULL, 1);
    assert_int_equal(r.status, 413);
    s_error(&r, "body_too_large", &root);
    json_decref(root);
    s_free(&r);

    /* A browser's form post that names no Accept gets the Dutch page. */
    h = curl_slist_append(NULL, "Expect:");
    r = s_call(s_port, NULL, "/echo", big, MAX_BODY + 1, h, NULL, 0);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "Te veel gegevens"));
    s_free(&r);

    /* Chunked and endless: the server cuts the connection. */
    r = s_call(s_port, NULL, "/echo", big, big_len, NULL, NULL, 1);
    assert_true(r.rc != CURLE_OK || r.status == 413);
    s_free(&r);

    /* Chunked within the limit works. */
    r = s_call(s_port, NULL, "/echo", "kort", 4, NULL, NULL, 1);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body\":\"kort\""));
    s_free(&r);
    free(big);

    /* The server is still fine. */
    r = s_get(s_port, "/hello");
    assert_int_equal(r.status, 200);
    s_free(&r);
}

static void test_query(void **state)
{
    (void)state;
    reply_t r = s_get(s_port, "/q?a=Meer%20groen%21&b=caf%C3%A9+terras&c=x%26y%3Dz");
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "a")), "Meer groen!");
    assert_string_equal(json_string_value(json_object_get(j, "b")), "caf\xC3\xA9 terras");
    assert_string_equal(json_string_value(json_object_get(j, "c")), "x&y=z");
    json_decref(j);
    s_free(&r);

    r = s_get(s_port, "/q?b=");
    j = json_loads(r.body, 0, NULL);
    assert_true(json_is_null(json_object_get(j, "a")));
    assert_string_equal(json_string_value(json_object_get(j, "b")), "");
    json_decref(j);
    s_free(&r);
}

static void test_request_accessors(void **state)
{
    (void)state;
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer tok.en-123");
    h = curl_slist_append(h, "User-Agent: inspraak-test");
    reply_t r = s_call(s_port, NULL, "/who", NULL, 0, h, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "bearer")), "tok.en-123");
    assert_string_equal(json_string_value(json_object_get(j, "ip")), "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(j, "ua")), "inspraak-test");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
    json_decref(j);
    s_free(&r);

    h = curl_slist_append(NULL, "Authorization: Basic eDp5");
    r = s_call(s_port, NULL, "/who", NULL, 0, h, NULL, 0);
    j = json_loads(r.body, 0, NULL);
    assert_true(json_is_null(json_object_get(j, "bearer")));
    json_decref(j);
    s_free(&r);
}

/* The client address behind a trusted proxy, as X-Forwarded-For forms it
 * (GET /who on a server that trusts proxies, from 127.0.0.1). */
static char *s_ip_via(int port, const char *forwarded)
{
    struct curl_slist *h = curl_slist_append(NULL, forwarded);
    reply_t r = s_call(port, NULL, "/who", NULL, 0, h, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    char *ip = xstrdup(json_string_value(json_object_get(j, "ip")));
    json_decref(j);
    s_free(&r);
    return ip;
}

static void s_ip_is(int port, const char *forwarded, const char *want)
{
    char *ip = s_ip_via(port, forwarded);
    assert_string_equal(ip, want);
    free(ip);
}

/* One address is one address in every form a proxy writes it: an IPv4
 * client or proxy as IPv4-mapped IPv6 (a dual-stack listener: HAProxy's
 * "v4v6", what `ss` shows), with a port (Azure Application Gateway, IIS
 * ARR) or in brackets. Before, such an entry was no address or not the
 * trusted proxy's: the walk stopped at the proxy, and every client
 * counted as the proxy again (one attacker locks all staff out). */
static void test_client_ip_forms_behind_proxy(void **state)
{
    (void)state;
    http_server_t *srv = http_server_new(&(http_opts_t){.port = 0,
                                                        .bind_addr = "127.0.0.1",
                                                        .max_body = MAX_BODY,
                                                        .timeout_s = 10,
                                                        .name = "test",
                                                        .trusted_proxies =
                                                            "::ffff:127.0.0.1, 10.0.0.1"});
    http_route(srv, "GET", "/who", h_who, NULL);
    int port = s_start(srv);
    assert_true(port > 0);
    s_ip_is(port, "X-Forwarded-For: 198.51.100.7", "198.51.100.7");
    s_ip_is(port, "X-Forwarded-For: ::ffff:198.51.100.7", "198.51.100.7");
    s_ip_is(port, "X-Forwarded-For: 192.0.2.1, 198.51.100.7, ::ffff:10.0.0.1", "198.51.100.7");
    s_ip_is(port, "X-Forwarded-For: 198.51.100.7:51234", "198.51.100.7");
    s_ip_is(port, "X-Forwarded-For: [2001:db8::7]:443, 10.0.0.1:8080", "2001:db8::7");
    s_ip_is(port, "X-Forwarded-For: [2001:DB8:0::7]", "2001:db8::7");
    /* Still no address: the walk stops and keeps the proxy's. */
    s_ip_is(port, "X-Forwarded-For: 198.51.100.7:", "127.0.0.1");
    s_ip_is(port, "X-Forwarded-For: [198.51.100.7]:1", "127.0.0.1");
    s_ip_is(port, "X-Forwarded-For: 2001:db8::7:443", "2001:db8::7:443");
    http_server_destroy(&srv);
}

static void test_health_and_metrics(void **state)
{
    (void)state;
    s_healthy = 1;
    reply_t r = s_get(s_port, "/healthz");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    s_free(&r);

    s_healthy = 0;
    r = s_get(s_port, "/healthz");
    assert_int_equal(r.status, 503);
    json_t *root;
    json_t *e = s_error(&r, "unhealthy", &root);
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "redis down");
    json_decref(root);
    s_free(&r);
    s_healthy = 1;

    r = s_get(s_port, "/metrics");
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

static int s_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    s_srv = http_server_new(&(http_opts_t){.port = 0,
                                           .bind_addr = "127.0.0.1",
                                           .max_body = MAX_BODY,
                                           .timeout_s = 10,
                                           .name = "test"});
    http_route(s_srv, "GET", "/hello", h_hello, "hallo");
    http_route(s_srv, "GET", "/items/*", h_item, NULL);
    http_route(s_srv, "POST", "/echo", h_echo, NULL);
    http_route(s_srv, "PUT", "/echo", h_echo, NULL);
    http_route(s_srv, "GET", "/q", h_query, NULL);
    http_route(s_srv, "GET", "/who", h_who, NULL);
    http_route(s_srv, "GET", "/nothing", h_nothing, NULL);
    http_server_set_health(s_srv, s_health, NULL);
    s_port = s_start(s_srv);
    return s_port < 0 ? -1 : 0;
}

static int s_teardown(void **state)
{
    (void)state;
    http_server_destroy(&s_srv);
    curl_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),           cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_body_and_limits),   cmocka_unit_test(test_query),
        cmocka_unit_test(test_request_accessors), cmocka_unit_test(test_health_and_metrics),
        cmocka_unit_test(test_html_escape),       cmocka_unit_test(test_client_ip_forms_behind_proxy),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
