/*
 * NAME
 *   test_http_async - deferred answers (http_defer / http_resume), served
 *   for real: an epoll pool with suspend/resume and a thread per connection
 *
 * DESCRIPTION
 *   Each server runs on 127.0.0.1, on a free port of INSPRAAK_TEST_PORTS
 *   [18000-20999]. Its POST handler
 *   defers every request and hands it to a "syncer" thread of this test,
 *   which works like the spool's fsync thread: it takes everything queued,
 *   "fsyncs" once (a short sleep), marks the whole group durable and then
 *   resumes it. The finish callback answers 201 only for a request marked
 *   durable, 500 otherwise, so an answer sent before its group's "fsync"
 *   fails the test. Checked: 32 concurrent clients all get 201, there are
 *   fewer fsyncs than answers (groups), and finish ran once per request;
 *   a client that sends its request and disconnects while suspended costs
 *   nothing (no crash, LeakSanitizer sees no leak: finish still frees its
 *   state), and the server keeps answering. A last case spools for real:
 *   spool_append_new_async() resumes requests from the spool's fsync
 *   thread, and every id answered 201 is in the spool after a reopen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "spool.h"
#include "xalloc.h"

#define CLIENTS 32
#define PER_CLIENT 8

/* --- the test's syncer ---------------------------------------------------- */

typedef struct item {
    http_later_t *later;
    bool durable;
    char id[64];
    struct item *next;
} item_t;

static pthread_mutex_t s_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_cond = PTHREAD_COND_INITIALIZER;
static item_t *s_queue;
static bool s_stop, s_hold; /* s_hold: keep what is queued (disconnect test) */
static atomic_int s_fsyncs, s_finished, s_deferred, s_bad;

static void *s_syncer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&s_mu);
    for (;;) {
        while (!s_stop && (!s_queue || s_hold))
            pthread_cond_wait(&s_cond, &s_mu);
        if (!s_queue && s_stop)
            break;
        item_t *group = s_queue;
        s_queue = NULL;
        pthread_mutex_unlock(&s_mu);
        usleep(300); /* the "fdatasync" */
        atomic_fetch_add(&s_fsyncs, 1);
        for (item_t *i = group; i; i = i->next)
            i->durable = true;
        while (group) {
            item_t *i = group;
            group = i->next; /* i belongs to finish once resumed */
            http_resume(i->later);
        }
        pthread_mutex_lock(&s_mu);
    }
    pthread_mutex_unlock(&s_mu);
    return NULL;
}

static void h_finish(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    item_t *i = arg;
    if (i->durable) {
        char body[128];
        int n = snprintf(body, sizeof body, "{\"id\":\"%s\"}", i->id);
        http_res_set(res, 201, "application/json", body, (size_t)n);
    } else {
        atomic_fetch_add(&s_bad, 1);
        http_res_error(res, 500, "internal", "Te vroeg.", NULL);
    }
    atomic_fetch_add(&s_finished, 1);
    free(i);
}

static void h_post(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)res;
    (void)arg;
    item_t *i = xcalloc(1, sizeof *i);
    size_t len;
    const char *body = http_body(req, &len);
    snprintf(i->id, sizeof i->id, "%.*s", (int)(len < 60 ? len : 60), body);
    i->later = http_defer(req, h_finish, i);
    pthread_mutex_lock(&s_mu);
    i->next = s_queue;
    s_queue = i;
    atomic_fetch_add(&s_deferred, 1);
    pthread_cond_signal(&s_cond);
    pthread_mutex_unlock(&s_mu);
}

static void h_get(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    (void)arg;
    http_res_set(res, 200, "text/plain", "ok", 2);
}

/* --- a raw client: one request per connection ---------------------------- */

static int s_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int s_send_req(int fd, const char *method, const char *body)
{
    char req[512];
    int n = snprintf(req, sizeof req,
                     "%s /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, strlen(body), body);
    return write(fd, req, (size_t)n) == n ? 0 : -1;
}

/* Status of the answer, and its body in out. -1 when none came. */
static int s_request(int port, const char *method, const char *body, char *out, size_t size)
{
    int fd = s_connect(port);
    if (fd < 0 || s_send_req(fd, method, body) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char buf[4096];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    buf[got] = '\0';
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    const char *b = strstr(buf, "\r\n\r\n");
    snprintf(out, size, "%s", b ? b + 4 : "");
    return status;
}

typedef struct {
    int port, client, ok;
} client_t;

static void *s_client(void *arg)
{
    client_t *c = arg;
    for (int k = 0; k < PER_CLIENT; k++) {
        char id[32], body[256], want[64];
        snprintf(id, sizeof id, "c%d-%d", c->client, k);
        snprintf(want, sizeof want, "{\"id\":\"%s\"}", id);
        if (s_request(c->port, "POST", id, body, sizeof body) == 201 && strcmp(body, want) == 0)
            c->ok++;
    }
    return NULL;
}

/* --- cases --------------------------------------------------------------- */

/* A free port of INSPRAAK_TEST_PORTS ("lo-hi", below the ephemeral range). */
static bool s_poll; /* the pool waits in poll() (http_server_set_poll) */

static http_server_t *s_start(int threads, http_handler_fn post, void *arg)
{
    const char *range = getenv("INSPRAAK_TEST_PORTS");
    int lo = 18000, hi = 20999;
    if (range)
        sscanf(range, "%d-%d", &lo, &hi);
    int span = hi > lo ? hi - lo + 1 : 1;
    int first = (int)(((unsigned)getpid() * 7919u) % (unsigned)span);
    for (int k = 0; k < 200; k++) {
        http_server_t *srv = http_server_new(&(http_opts_t){.port = lo + (first + k) % span,
                                                            .bind_addr = "127.0.0.1",
                                                            .threads = threads,
                                                            .name = "test-async"});
        http_server_set_poll(srv, s_poll);
        http_route(srv, "POST", "/x", post, arg);
        http_route(srv, "GET", "/x", h_get, NULL);
        char err[256];
        if (http_server_start(srv, err, sizeof err) == 0)
            return srv;
        http_server_destroy(&srv);
    }
    fail_msg("no free port in %d-%d", lo, hi);
    return NULL;
}

static void s_reset(void)
{
    s_stop = s_hold = s_poll = false;
    s_queue = NULL;
    atomic_store(&s_fsyncs, 0);
    atomic_store(&s_finished, 0);
    atomic_store(&s_deferred, 0);
    atomic_store(&s_bad, 0);
}

static void s_concurrent(int threads, bool poll)
{
    s_reset();
    s_poll = poll;
    pthread_t syncer;
    pthread_create(&syncer, NULL, s_syncer, NULL);
    http_server_t *srv = s_start(threads, h_post, NULL);
    int port = http_server_port(srv);
    client_t cl[CLIENTS];
    pthread_t th[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        cl[i] = (client_t){.port = port, .client = i};
        pthread_create(&th[i], NULL, s_client, &cl[i]);
    }
    int ok = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(th[i], NULL);
        ok += cl[i].ok;
    }
    http_server_destroy(&srv);
    pthread_mutex_lock(&s_mu);
    s_stop = true;
    pthread_cond_signal(&s_cond);
    pthread_mutex_unlock(&s_mu);
    pthread_join(syncer, NULL);
    assert_int_equal(ok, CLIENTS * PER_CLIENT);
    assert_int_equal(atomic_load(&s_bad), 0);
    assert_int_equal(atomic_load(&s_finished), CLIENTS * PER_CLIENT);
    /* Grouped: one "fsync" answered several requests. */
    assert_true(atomic_load(&s_fsyncs) < CLIENTS * PER_CLIENT);
}

static void test_pool_answers_after_sync(void **state)
{
    (void)state;
    s_concurrent(2, false);
}

/* The intake's mode: the pool waits in poll(); a suspended connection is
 * left out of the poll set and must come back on resume. */
static void test_poll_pool_answers_after_sync(void **state)
{
    (void)state;
    s_concurrent(2, true);
}

static void test_thread_per_connection_answers_after_sync(void **state)
{
    (void)state;
    s_concurrent(0, false);
}

static void s_disconnect(int threads, bool poll)
{
    s_reset();
    s_poll = poll;
    s_hold = true;
    pthread_t syncer;
    pthread_create(&syncer, NULL, s_syncer, NULL);
    http_server_t *srv = s_start(threads, h_post, NULL);
    int port = http_server_port(srv);
    /* Three clients send a request and hang up while it is deferred. */
    for (int i = 0; i < 3; i++) {
        int fd = s_connect(port);
        assert_true(fd >= 0);
        assert_int_equal(s_send_req(fd, "POST", "weg"), 0);
        while (atomic_load(&s_deferred) < i + 1)
            usleep(1000);
        close(fd);
    }
    /* Still answering while those wait. */
    char body[64];
    assert_int_equal(s_request(port, "GET", "", body, sizeof body), 200);
    assert_string_equal(body, "ok");
    pthread_mutex_lock(&s_mu);
    s_hold = false;
    pthread_cond_signal(&s_cond);
    pthread_mutex_unlock(&s_mu);
    while (atomic_load(&s_finished) < 3)
        usleep(1000);
    char id[64];
    assert_int_equal(s_request(port, "POST", "daarna", id, sizeof id), 201);
    assert_string_equal(id, "{\"id\":\"daarna\"}");
    http_server_destroy(&srv);
    pthread_mutex_lock(&s_mu);
    s_stop = true;
    pthread_cond_signal(&s_cond);
    pthread_mutex_unlock(&s_mu);
    pthread_join(syncer, NULL);
    assert_int_equal(atomic_load(&s_finished), 4);
    assert_int_equal(atomic_load(&s_bad), 0);
}

static void test_pool_client_gone_while_suspended(void **state)
{
    (void)state;
    s_disconnect(2, false);
}

static void test_poll_pool_client_gone_while_suspended(void **state)
{
    (void)state;
    s_disconnect(2, true);
}

static void test_thread_per_connection_client_gone(void **state)
{
    (void)state;
    s_disconnect(0, false);
}

/* --- with the real spool ------------------------------------------------- */

typedef struct {
    http_later_t *later;
    int rc;
} spooled_t;

static void s_spool_done(void *arg, int rc, int err)
{
    (void)err;
    spooled_t *s = arg;
    s->rc = rc;
    http_resume(s->later);
}

static void h_spool_finish(const http_req_t *req, http_res_t *res, void *arg)
{
    spooled_t *s = arg;
    size_t len;
    const char *id = http_body(req, &len);
    char body[128];
    int n = snprintf(body, sizeof body, "{\"id\":\"%.*s\"}", (int)(len < 60 ? len : 60), id);
    if (s->rc == 0)
        http_res_set(res, 201, "application/json", body, (size_t)n);
    else
        http_res_error(res, 503, "unavailable", "Niet opgeslagen.", NULL);
    atomic_fetch_add(&s_finished, 1);
    free(s);
}

static void h_spool_post(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)res;
    spooled_t *s = xcalloc(1, sizeof *s);
    s->later = http_defer(req, h_spool_finish, s);
    const char *id = http_body(req, NULL);
    int rc = spool_append_new_async(arg, id, "payload", 7, s_spool_done, s);
    if (rc != 0) { /* no callback: answer from here */
        s->rc = rc < 0 ? -1 : 0;
        http_resume(s->later);
    }
}

static void test_pool_with_spool(void **state)
{
    (void)state;
    s_reset();
    s_poll = true; /* as intake-form runs it */
    char dir[] = "/tmp/test_http_async.XXXXXX", err[256];
    assert_non_null(mkdtemp(dir));
    spool_t *sp = spool_new(dir, err, sizeof err);
    assert_non_null(sp);
    http_server_t *srv = s_start(2, h_spool_post, sp);
    int port = http_server_port(srv);
    client_t cl[CLIENTS];
    pthread_t th[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        cl[i] = (client_t){.port = port, .client = i};
        pthread_create(&th[i], NULL, s_client, &cl[i]);
    }
    int ok = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(th[i], NULL);
        ok += cl[i].ok;
    }
    assert_int_equal(ok, CLIENTS * PER_CLIENT);
    char body[64];
    int again = 0;
    for (int i = 0; i < CLIENTS; i++) {
        char id[32], want[64];
        snprintf(id, sizeof id, "c%d-0", i); /* already spooled: 201 at once */
        snprintf(want, sizeof want, "{\"id\":\"%s\"}", id);
        if (s_request(port, "POST", id, body, sizeof body) == 201 && strcmp(body, want) == 0)
            again++;
    }
    assert_int_equal(again, CLIENTS);
    http_server_destroy(&srv);
    spool_stats_t st;
    spool_stats(sp, &st);
    assert_int_equal(st.appended, CLIENTS * PER_CLIENT);
    assert_true(st.fsyncs >= 1);
    assert_int_equal(atomic_load(&s_finished), CLIENTS * PER_CLIENT + CLIENTS);
    spool_destroy(&sp);
    /* Every answered id is on disk. */
    sp = spool_new(dir, err, sizeof err);
    assert_non_null(sp);
    for (int i = 0; i < CLIENTS; i++)
        for (int k = 0; k < PER_CLIENT; k++) {
            char id[32];
            snprintf(id, sizeof id, "c%d-%d", i, k);
            assert_true(spool_has(sp, id));
        }
    spool_destroy(&sp);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_answers_after_sync),
        cmocka_unit_test(test_poll_pool_answers_after_sync),
        cmocka_unit_test(test_thread_per_connection_answers_after_sync),
        cmocka_unit_test(test_pool_client_gone_while_suspended),
        cmocka_unit_test(test_poll_pool_client_gone_while_suspended),
        cmocka_unit_test(test_thread_per_connection_client_gone),
        cmocka_unit_test(test_pool_with_spool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
