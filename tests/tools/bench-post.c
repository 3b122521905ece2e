/*
 * NAME
 *   bench-post - post ideas to the form API at a fixed rate (open loop),
 *   for the latency rows of `make bench`
 *
 * SUMMARY
 *   bench-post URL RATE SECONDS EVERY TAG [CONNECTIONS]
 *
 * DESCRIPTION
 *   POSTs distinct ideas to URL (http://host:port/api/v1/ideas) for
 *   SECONDS: idea i is due at start + i / RATE whether or not earlier ones
 *   were answered (open loop: a slow answer does not lower the rate
 *   offered), over at most CONNECTIONS [32] keep-alive connections
 *   (libcurl's multi interface queues what finds no free connection).
 *   Every idea has its own text and Idempotency-Key ("lat-TAG-i").
 *   For every EVERY-th idea answered 201, prints "ID TIME" on stdout at
 *   once (TIME: the wall clock, seconds with microseconds, when the answer
 *   came), so the caller can poll for the idea elsewhere and time how long
 *   it takes to become visible. At the end prints
 *   "# sent N ok M failed F seconds S".
 *   Written for the bench because wrk cannot send at a fixed rate and
 *   report the ids it got, and a Python sender could not reach the rates
 *   (it achieved ~3,000/s of a 6,300/s target).
 *
 * DIAGNOSTICS
 *   Exit 0 after the run (failed answers are counted, not fatal), 1 when
 *   libcurl cannot start, 2 on bad arguments.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

#define S_MAX_QUEUE 4096 /* due ideas waiting for a connection, at most */
#define S_MAX_BODY 4096

typedef struct {
    CURL *easy;
    struct curl_slist *headers;
    long index;
    char body[S_MAX_BODY];
    size_t len;
    char post[256];
} s_slot_t;

typedef struct {
    long ok, failed, late;
    long every;
    const char *tag;
} s_run_t;

static double s_now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t s_collect(char *p, size_t size, size_t n, void *arg)
{
    s_slot_t *r = arg;
    size_t len = size * n, room = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, len < room ? len : room);
    r->len += len < room ? len : room;
    return len;
}

/* One slot per connection; its handle is reused for every idea it
 * sends (a new handle per idea cost ~140 us of CPU an idea). */
static void s_slot_init(s_slot_t *r, const char *url)
{
    r->easy = curl_easy_init();
    curl_easy_setopt(r->easy, CURLOPT_URL, url);
    curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->post);
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, 30L);
}

static void s_slot_send(CURLM *multi, s_slot_t *r, const char *tag, long i)
{
    r->index = i;
    r->len = 0;
    snprintf(r->post, sizeof r->post,
             "{\"text\": \"Latentie %s idee %ld: meer bomen en bankjes in het park bij de "
             "school graag\", \"question\": \"nu\"}",
             tag, i);
    char key[160];
    snprintf(key, sizeof key, "Idempotency-Key: lat-%s-%ld", tag, i);
    curl_slist_free_all(r->headers);
    r->headers = curl_slist_append(NULL, "Content-Type: application/json");
    r->headers = curl_slist_append(r->headers, key);
    curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
    curl_multi_add_handle(multi, r->easy);
}

/* One answered idea: counted, and its id printed when sampled. */
static void s_done(s_run_t *run, s_slot_t *r, CURLcode rc)
{
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    json_t *doc = NULL;
    const char *id = NULL;
    if (rc == CURLE_OK && status == 201) {
        r->body[r->len] = '\0';
        doc = json_loads(r->body, 0, NULL);
        id = json_string_value(json_object_get(doc, "id"));
    }
    if (id) {
        run->ok++;
        if (r->index % run->every == 0) {
            printf("%s %.6f\n", id, s_now(CLOCK_REALTIME));
            fflush(stdout);
        }
    } else if (run->failed++ < 3) { /* the first few say why */
        fprintf(stderr, "bench-post: idea %ld: %s, HTTP %ld\n", r->index,
                curl_easy_strerror(rc), status);
    }
    json_decref(doc);
}

/* Answers that came: their slots go back on the free list. */
static void s_reap(CURLM *multi, s_run_t *run, s_slot_t **free_slots, long *n_free)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        s_slot_t *r = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        CURLcode rc = m->data.result;
        curl_multi_remove_handle(multi, m->easy_handle);
        s_done(run, r, rc);
        free_slots[(*n_free)++] = r;
    }
}

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: bench-post URL RATE SECONDS EVERY TAG [CONNECTIONS]\n");
        return 2;
    }
    double rate = atof(argv[2]), seconds = atof(argv[3]);
    long every = atol(argv[4]), conns = argc == 7 ? atol(argv[6]) : 32;
    if (rate <= 0 || seconds <= 0 || every < 1 || conns < 1 || strlen(argv[5]) > 64) {
        fprintf(stderr, "bench-post: RATE and SECONDS > 0, EVERY and CONNECTIONS >= 1\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 1;
    CURLM *multi = curl_multi_init();
    if (!multi)
        return 1;
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conns);
    s_run_t run = {.every = every, .tag = argv[5]};
    s_slot_t *slots = xcalloc((size_t)conns, sizeof *slots);
    s_slot_t **free_slots = xcalloc((size_t)conns, sizeof *free_slots);
    long n_free = 0;
    for (long k = 0; k < conns; k++) {
        s_slot_init(&slots[k], argv[1]);
        free_slots[n_free++] = &slots[k];
    }
    long total = (long)(rate * seconds), next_i = 0; /* next_i: next idea to send */
    double t0 = s_now(CLOCK_MONOTONIC);
    while (next_i < total || n_free < conns) {
        double now = s_now(CLOCK_MONOTONIC);
        long due = (long)((now - t0) * rate) + 1; /* ideas due by now */
        if (due > total)
            due = total;
        /* Ideas due but without a free connection wait (open loop: they
         * still go out at once when one frees); past S_MAX_QUEUE they are
         * skipped and counted as failed. */
        while (due - next_i > S_MAX_QUEUE) {
            run.late++;
            next_i++;
        }
        while (next_i < due && n_free > 0)
            s_slot_send(multi, free_slots[--n_free], run.tag, next_i++);
        int running;
        curl_multi_perform(multi, &running);
        s_reap(multi, &run, free_slots, &n_free);
        /* Due ideas go out in 1 ms steps: no busy loop at high rates. */
        double next = next_i < total ? t0 + next_i / rate - s_now(CLOCK_MONOTONIC) : 0.05;
        int wait_ms = next > 0.001 ? (int)(next * 1000) : 1;
        curl_multi_poll(multi, NULL, 0, wait_ms, NULL);
    }
    printf("# sent %ld ok %ld failed %ld seconds %.3f\n", next_i - run.late, run.ok,
           run.failed + run.late, s_now(CLOCK_MONOTONIC) - t0);
    for (long k = 0; k < conns; k++) {
        curl_slist_free_all(slots[k].headers);
        curl_easy_cleanup(slots[k].easy);
    }
    free(slots);
    free(free_slots);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}
