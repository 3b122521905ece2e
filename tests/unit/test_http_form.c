/*
 * NAME
 *   test_http_form - http_form_fields() served for real, checked with libcurl
 *
 * DESCRIPTION
 *   Starts an http_server_t on 127.0.0.1, on a port the kernel picks
 *   (max_body 1024), whose /form lists the fields it read, and posts
 *   forms to it with libcurl: urlencoded with escapes, empty and repeated
 *   fields; multipart with UTF-8 and a file; a value over the limit, more
 *   than 64 fields and a body that is not a form are refused with 400.
 *   Long values arriving in pieces are in test_http_pool.c.
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

static void test_form_urlencoded(void **state)
{
    (void)state;
    const char *body = "tekst=Meer+groen%21%0D%0AEn+bomen.&leeg=&wijk=Heerlen%20Centrum"
                       "&x=&x=2&naam=Jos%C3%A9";
    reply_t r = s_call(s_port, NULL, "/form", body, strlen(body), NULL, NULL, 0);
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
    r = s_call(s_port, NULL, "/form?max=5", body, strlen(body), NULL, NULL, 0);
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
    r = s_call(s_port, NULL, "/form", many, strlen(many), NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    s_free(&r);

    /* Not a form at all. */
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    r = s_call(s_port, NULL, "/form", "{}", 2, h, NULL, 0);
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
    reply_t r = s_call(s_port, NULL, "/form", NULL, 0, NULL, mime, 0);
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

static int s_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    s_srv = http_server_new(&(http_opts_t){.port = 0,
                                           .bind_addr = "127.0.0.1",
                                           .max_body = MAX_BODY,
                                           .timeout_s = 10,
                                           .name = "test-form"});
    http_route(s_srv, "POST", "/form", h_form, NULL);
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
        cmocka_unit_test(test_form_urlencoded),
        cmocka_unit_test(test_form_multipart),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
