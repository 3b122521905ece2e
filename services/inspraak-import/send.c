/*
 * NAME
 *   send - one batch POSTed to the field API (libcurl)
 *
 * DESCRIPTION
 *   See send.h.
 */
#include "send.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curl_answer.h"
#include "xalloc.h"

#define SEND_MAX_ANSWER (32 * 1024 * 1024)

/* The server's {"error": {"code", "message"}} into a, when it is there. */
static void s_error_body(send_answer_t *a)
{
    json_t *e = json_object_get(a->body, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    snprintf(a->code, sizeof a->code, "%s", code ? code : "http_error");
    if (msg)
        snprintf(a->message, sizeof a->message, "%s", msg);
    else
        snprintf(a->message, sizeof a->message, "de server antwoordde met HTTP %ld.", a->status);
}

int send_batch(const char *url, const char *token, const char *body, size_t len, send_answer_t *a)
{
    memset(a, 0, sizeof *a);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(a->message, sizeof a->message, "libcurl start niet.");
        return -1;
    }
    char *auth = xasprintf("Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    curl_answer_t b = {.max = SEND_MAX_ANSWER};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_answer_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 900L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(h);
    memset(auth, 0, strlen(auth));
    free(auth);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(a->code, sizeof a->code, "%s", b.over ? "answer_too_large" : "no_answer");
        snprintf(a->message, sizeof a->message, "geen antwoord van %s: %s", url,
                 b.over ? "het antwoord is te groot" : curl_easy_strerror(rc));
        a->status = 0;
        free(b.p);
        return -1;
    }
    a->body = b.p ? json_loadb(b.p, b.len, 0, NULL) : NULL;
    free(b.p);
    if (a->status != 200) {
        s_error_body(a);
        return -1;
    }
    if (!json_is_array(json_object_get(a->body, "accepted")) ||
        !json_is_array(json_object_get(a->body, "rejected"))) {
        snprintf(a->code, sizeof a->code, "invalid_answer");
        snprintf(a->message, sizeof a->message,
                 "het antwoord van de server is niet te lezen (is %s wel de veldapp-API?)", url);
        return -1;
    }
    return 0;
}

void send_answer_clear(send_answer_t *a)
{
    json_decref(a->body);
    a->body = NULL;
}
