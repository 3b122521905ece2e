/*
 * NAME
 *   test_http_pool - the HTTP helper's thread pool, a port in use and the
 *   memory per connection, served for real and checked with libcurl
 *
 * DESCRIPTION
 *   Each test starts its own http_server_t on 127.0.0.1, on a port the
 *   kernel picks (port 0; http_server_port() says which). The epoll pool
 *   answers requests one after another and long form values that reach
 *   the post processor in several pieces; a second server on the pool's
 *   port, or on an address that does not exist, fails to start with the
 *   reason. http_server_set_conn_memory(): a smaller area takes ordinary
 *   headers and large bodies, and refuses headers that do not fit.
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

static void test_pool_and_port_in_use(void **state)
{
    (void)state;
    http_server_t *pool = http_server_new(
        &(http_opts_t){.port = 0, .bind_addr = "127.0.0.1", .threads = 4, .name = "test-pool"});
    http_route(pool, "GET", "/hello", h_hello, "pool");
    http_route(pool, "POST", "/form", h_form, NULL);
    char err[256] = "";
    assert_int_equal(http_server_start(pool, err, sizeof err), 0);
    /* The port the kernel picked, not the 0 asked for. */
    int port = http_server_port(pool);
    assert_true(port > 0 && port <= 65535);
    for (int i = 0; i < 8; i++) {
        reply_t r = s_call(port, NULL, "/hello", NULL, 0, NULL, NULL, 0);
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
    reply_t r = s_call(port, NULL, "/form?max=20000", NULL, 0, NULL, mime, 0);
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
    r = s_call(port, NULL, "/form?max=20000", form, strlen(form), NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    want = json_pack("[[s,s],[s,s]]", "kort", "k", "lang", big);
    assert_true(json_equal(j, want));
    json_decref(j);
    json_decref(want);
    s_free(&r);
    r = s_call(port, NULL, "/form?max=19999", form, strlen(form), NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    s_free(&r);
    free(form);
    free(big);

    http_server_t *dup = http_server_new(&(http_opts_t){.port = port, .bind_addr = "127.0.0.1"});
    assert_int_equal(http_server_start(dup, err, sizeof err), -1);
    char where[64];
    snprintf(where, sizeof where, "127.0.0.1:%d", port);
    assert_non_null(strstr(err, where));
    http_server_destroy(&dup);
    assert_null(dup);
    http_server_destroy(&pool);

    http_server_t *bad = http_server_new(&(http_opts_t){.port = 0, .bind_addr = "nope"});
    assert_int_equal(http_server_start(bad, err, sizeof err), -1);
    http_server_destroy(&bad);

    /* A trusted proxy that is no address is a start-up error, not a
     * header believed from anyone. */
    bad = http_server_new(&(http_opts_t){
        .port = 0, .bind_addr = "127.0.0.1", .trusted_proxies = "10.0.0.1, proxy.local"});
    assert_int_equal(http_server_start(bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "INSPRAAK_TRUSTED_PROXIES: \"proxy.local\""));
    http_server_destroy(&bad);
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
    http_server_t *srv = http_server_new(
        &(http_opts_t){.port = 0, .bind_addr = "127.0.0.1", .threads = 2, .name = "test-small"});
    http_route(srv, "GET", "/hello", h_hello, "klein");
    http_route(srv, "POST", "/echo", h_echo, NULL);
    http_server_set_conn_memory(srv, 16 * 1024);
    int port = s_start(srv);
    assert_true(port > 0);
    /* The same server with libmicrohttpd's default area (32 KiB), and a
     * thread per connection as the services without a pool run. */
    http_server_t *def = http_server_new(
        &(http_opts_t){.port = 0, .bind_addr = "127.0.0.1", .name = "test-default"});
    http_route(def, "GET", "/hello", h_hello, "standaard");
    int def_port = s_start(def);
    assert_true(def_port > 0);
    assert_int_equal(s_status_with_header(port, 6 * 1024), 200);
    assert_int_equal(s_status_with_header(port, 20 * 1024), 431);
    assert_int_equal(s_status_with_header(def_port, 20 * 1024), 200); /* the default */
    http_server_destroy(&def);
    size_t n = 40000;
    char *big = xmalloc(n);
    memset(big, 'b', n);
    reply_t r = s_call(port, "POST", "/echo", big, n, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), n);
    json_decref(j);
    s_free(&r);
    free(big);
    http_server_destroy(&srv);
}

static int s_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_and_port_in_use),
        cmocka_unit_test(test_conn_memory),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
