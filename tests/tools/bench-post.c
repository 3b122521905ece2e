/*
 * NAME
 *   bench-post - post ideas to the form API at a fixed rate (open loop),
 *   for the latency rows of `make bench`
 *
 * SUMMARY
 *   bench-post URL RATE SECONDS EVERY TAG [CONNECTIONS]
 *   BENCH_POLL_URL=http://host:port/api/v1/ideas/ BENCH_POLL_TOKEN=T bench-post ...
 *
 * DESCRIPTION
 *   POSTs distinct ideas to URL (http://host:port/api/v1/ideas) for
 *   SECONDS: idea i is due at start + i / RATE whether or not earlier ones
 *   were answered (open loop: a slow answer does not lower the rate
 *   offered), over at most CONNECTIONS [32] keep-alive connections
 *   (libcurl's multi interface queues what finds no free connection).
 *   Every idea has its own text and Idempotency-Key ("lat-TAG-i").
 *   Every EVERY-th idea answered 201 is a sample:
 *
 *   Without BENCH_POLL_URL, prints "ID TIME" on stdout at once (TIME: the
 *   wall clock, seconds with microseconds, when the answer came), so the
 *   caller can poll for the idea elsewhere.
 *
 *   With BENCH_POLL_URL (and BENCH_POLL_TOKEN, the staff API token sent as
 *   Bearer), polls GET BENCH_POLL_URL + ID itself until it answers 200,
 *   each sample on its own handle, BENCH_POLL_GAP_MS [1] after its previous
 *   answer or a tenth of the sample's age if more, and prints
 *   "ID ACCEPTED VISIBLE POLLS" (wall clock of the 201
 *   and of the 200 answer; POLLS: answers before the 200). Each sample is
 *   timed by its own polls only: a poller that walks the waiting ids one
 *   GET at a time (what bench.py did) charges every sample the GETs of all
 *   the others, so one slow GET (a Redis fsync stall behind the dashboard)
 *   delayed every sample in flight and made the tail of the row. A sample
 *   not seen within S_POLL_GIVE_UP_S, or that found no free probe
 *   (S_MAX_PROBES in flight), is counted as lost.
 *
 *   At the end prints "# sent N ok M failed F seconds S lost L".
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
#define S_MAX_PROBES 512 /* samples being polled at once, at most */
#define S_POLL_GAP_MS 1  /* between one sample's answer and its next poll [BENCH_POLL_GAP_MS] */
#define S_POLL_GAP_FRACTION 0.1 /* of the sample's age, when more than the gap */
#define S_POLL_GIVE_UP_S 60.    /* a sample not visible by then is lost */

typedef struct {
    bool probe; /* false: a POST slot (CURLOPT_PRIVATE points at either) */
    CURL *easy;
    struct curl_slist *headers;
    long index;
    char body[S_MAX_BODY];
    size_t len;
    char post[256];
} s_slot_t;

/* One sample being polled on the dashboard until it answers 200. */
typedef struct s_probe {
    bool probe; /* true */
    CURL *easy;
    char url[512];
    char id[128];
    double accepted; /* wall clock of the 201 */
    double started;  /* monotonic, same instant: the give-up clock */
    double due;      /* monotonic: next poll (waiting probes) */
    long polls;
    struct s_probe *next; /* free list or waiting list */
} s_probe_t;

/* The polling side: probes free, in the multi handle, or waiting for
 * their next poll (a list in due order: every wait is S_POLL_GAP_MS). */
typedef struct {
    const char *url; /* BENCH_POLL_URL, NULL: print ids, do not poll */
    double gap_s;    /* between one sample's answer and its next poll */
    struct curl_slist *headers;
    s_probe_t *probes, *free, *wait_head, *wait_tail;
    long active; /* in the multi handle or waiting */
} s_poll_t;

typedef struct {
    long ok, failed, late, lost;
    long every;
    const char *tag;
    s_poll_t poll;
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

static size_t s_discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
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

/* The probes, each with its own handle (reused: one per sample in
 * flight, not per poll), all on the free list. */
static void s_poll_init(s_poll_t *pl, const char *url, const char *token)
{
    pl->url = url;
    const char *gap = getenv("BENCH_POLL_GAP_MS");
    pl->gap_s = (gap && atoi(gap) >= 0 && atoi(gap) <= 1000 ? atoi(gap) : S_POLL_GAP_MS) / 1000.0;
    char auth[600];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    pl->headers = curl_slist_append(NULL, auth);
    pl->probes = xcalloc(S_MAX_PROBES, sizeof *pl->probes);
    for (int k = S_MAX_PROBES - 1; k >= 0; k--) {
        s_probe_t *p = &pl->probes[k];
        p->probe = true;
        p->easy = curl_easy_init();
        curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, pl->headers);
        curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, s_discard);
        curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
        curl_easy_setopt(p->easy, CURLOPT_TIMEOUT, 30L);
        p->next = pl->free;
        pl->free = p;
    }
}

static void s_poll_destroy(s_poll_t *pl)
{
    if (!pl->probes)
        return;
    for (int k = 0; k < S_MAX_PROBES; k++)
        curl_easy_cleanup(pl->probes[k].easy);
    free(pl->probes);
    curl_slist_free_all(pl->headers);
}

/* A sample to poll: false when every probe is busy (counted as lost). */
static bool s_poll_start(CURLM *multi, s_poll_t *pl, const char *id, double accepted)
{
    s_probe_t *p = pl->free;
    if (!p || strlen(id) >= sizeof p->id)
        return false;
    pl->free = p->next;
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->url, sizeof p->url, "%s%s", pl->url, id);
    curl_easy_setopt(p->easy, CURLOPT_URL, p->url);
    p->accepted = accepted;
    p->started = s_now(CLOCK_MONOTONIC);
    p->polls = 0;
    pl->active++;
    curl_multi_add_handle(multi, p->easy);
    return true;
}

/* One poll answered: 200 prints the sample; anything else polls again
 * S_POLL_GAP_MS later, until S_POLL_GIVE_UP_S. */
static void s_poll_done(s_run_t *run, s_probe_t *p, CURLcode rc)
{
    s_poll_t *pl = &run->poll;
    long status = 0;
    curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
    double now = s_now(CLOCK_MONOTONIC);
    if (rc == CURLE_OK && status == 200) {
        printf("%s %.6f %.6f %ld\n", p->id, p->accepted, s_now(CLOCK_REALTIME), p->polls);
        fflush(stdout);
    } else if (now - p->started < S_POLL_GIVE_UP_S) {
        p->polls++;
        /* The gap grows with the sample's age (a tenth of it, at least
         * gap_s): each sample is timed to 10 % of its own latency, and a
         * stall that holds many samples does not multiply the GETs that
         * load the 2-core machine whose pipeline is being timed. */
        double gap = (now - p->started) * S_POLL_GAP_FRACTION;
        p->due = now + (gap > pl->gap_s ? gap : pl->gap_s);
        p->next = NULL;
        if (pl->wait_tail)
            pl->wait_tail->next = p;
        else
            pl->wait_head = p;
        pl->wait_tail = p;
        return;
    } else {
        run->lost++;
    }
    pl->active--;
    p->next = pl->free;
    pl->free = p;
}

/* Waiting probes whose time came go back into the multi handle. */
static void s_poll_due(CURLM *multi, s_poll_t *pl, double now)
{
    while (pl->wait_head && pl->wait_head->due <= now) {
        s_probe_t *p = pl->wait_head;
        pl->wait_head = p->next;
        if (!pl->wait_head)
            pl->wait_tail = NULL;
        curl_multi_add_handle(multi, p->easy);
    }
}

/* One answered idea: counted, and when sampled printed or polled. */
static void s_done(CURLM *multi, s_run_t *run, s_slot_t *r, CURLcode rc)
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
            double now = s_now(CLOCK_REALTIME);
            if (!run->poll.url) {
                printf("%s %.6f\n", id, now);
                fflush(stdout);
            } else if (!s_poll_start(multi, &run->poll, id, now)) {
                run->lost++;
            }
        }
    } else if (run->failed++ < 3) { /* the first few say why */
        fprintf(stderr, "bench-post: idea %ld: %s, HTTP %ld\n", r->index, curl_easy_strerror(rc),
                status);
    }
    json_decref(doc);
}

/* Answers that came: POST slots go back on the free list, probes to
 * s_poll_done. */
static void s_reap(CURLM *multi, s_run_t *run, s_slot_t **free_slots, long *n_free)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        void *priv = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&priv);
        CURLcode rc = m->data.result;
        curl_multi_remove_handle(multi, m->easy_handle);
        if (*(bool *)priv) {
            s_poll_done(run, priv, rc);
            continue;
        }
        s_slot_t *r = priv;
        s_done(multi, run, r, rc);
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
    const char *poll_url = getenv("BENCH_POLL_URL");
    if (rate <= 0 || seconds <= 0 || every < 1 || conns < 1 || strlen(argv[5]) > 64 ||
        (poll_url && strlen(poll_url) > 300)) {
        fprintf(stderr, "bench-post: RATE and SECONDS > 0, EVERY and CONNECTIONS >= 1\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 1;
    CURLM *multi = curl_multi_init();
    if (!multi)
        return 1;
    /* The probes' connections to the dashboard are cached beside the
     * POSTs' own, so neither evicts the other. */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conns + (poll_url ? 64 : 0));
    s_run_t run = {.every = every, .tag = argv[5]};
    if (poll_url && *poll_url)
        s_poll_init(&run.poll, poll_url, getenv("BENCH_POLL_TOKEN"));
    s_slot_t *slots = xcalloc((size_t)conns, sizeof *slots);
    s_slot_t **free_slots = xcalloc((size_t)conns, sizeof *free_slots);
    long n_free = 0;
    for (long k = 0; k < conns; k++) {
        s_slot_init(&slots[k], argv[1]);
        free_slots[n_free++] = &slots[k];
    }
    long total = (long)(rate * seconds), next_i = 0; /* next_i: next idea to send */
    double t0 = s_now(CLOCK_MONOTONIC), sent_s = 0;
    while (next_i < total || n_free < conns || run.poll.active > 0) {
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
        s_poll_due(multi, &run.poll, now);
        int running;
        curl_multi_perform(multi, &running);
        s_reap(multi, &run, free_slots, &n_free);
        if (next_i >= total && n_free == conns && sent_s == 0)
            sent_s = s_now(CLOCK_MONOTONIC) - t0; /* the rate's window: not the polling */
        /* Due ideas go out in 1 ms steps: no busy loop at high rates. */
        double next = next_i < total ? t0 + next_i / rate - s_now(CLOCK_MONOTONIC) : 0.05;
        if (run.poll.wait_head && run.poll.wait_head->due - s_now(CLOCK_MONOTONIC) < next)
            next = run.poll.wait_head->due - s_now(CLOCK_MONOTONIC);
        int wait_ms = next > 0.001 ? (int)(next * 1000) : 1;
        curl_multi_poll(multi, NULL, 0, wait_ms, NULL);
    }
    printf("# sent %ld ok %ld failed %ld seconds %.3f lost %ld\n", next_i - run.late, run.ok,
           run.failed + run.late, sent_s > 0 ? sent_s : s_now(CLOCK_MONOTONIC) - t0, run.lost);
    for (long k = 0; k < conns; k++) {
        curl_slist_free_all(slots[k].headers);
        curl_easy_cleanup(slots[k].easy);
    }
    s_poll_destroy(&run.poll);
    free(slots);
    free(free_slots);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}
