/*
 * NAME
 *   test_bus - ZeroMQ sockets as the services use them, over real TCP
 *
 * DESCRIPTION
 *   Loopback ports 21000-21099. PUSH/PULL, endpoint lists, PUB/SUB topic
 *   filtering, DONTWAIT with no peer (ZMQ_IMMEDIATE), oversized messages,
 *   EINTR from a blocking receive, and bus_shutdown with sockets left open.
 *   A 60 s alarm only guards against a hang; no assertion depends on time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "bus.h"

static void test_endpoint_at(void **state)
{
    (void)state;
    char buf[64];
    const char *list = "tcp://127.0.0.1:1, tcp://127.0.0.1:2 ,tcp://127.0.0.1:3";
    assert_int_equal(bus_endpoint_at(list, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "tcp://127.0.0.1:1");
    assert_int_equal(bus_endpoint_at(list, 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "tcp://127.0.0.1:2");
    assert_int_equal(bus_endpoint_at(list, 2, buf, sizeof buf), 0);
    assert_string_equal(buf, "tcp://127.0.0.1:3");
    assert_int_equal(bus_endpoint_at(list, 3, buf, sizeof buf), -1);
    assert_int_equal(bus_endpoint_at(list, -1, buf, sizeof buf), -1);
    assert_int_equal(bus_endpoint_at("a,,b", 1, buf, sizeof buf), -1);
    assert_int_equal(bus_endpoint_at("a,,b", 2, buf, sizeof buf), 0);
    assert_string_equal(buf, "b");
    assert_int_equal(bus_endpoint_at("", 0, buf, sizeof buf), -1);
    assert_int_equal(bus_endpoint_at(NULL, 0, buf, sizeof buf), -1);
    assert_int_equal(bus_endpoint_at(list, 0, buf, 5), -1); /* does not fit */
}

static void test_push_pull(void **state)
{
    (void)state;
    char err[256] = "";
    void *pull = bus_pull_bind("tcp://127.0.0.1:21001", 0, err, sizeof err);
    assert_non_null(pull);
    void *push = bus_push_connect("tcp://127.0.0.1:21001", err, sizeof err);
    assert_non_null(push);
    /* Blocking send: waits for the connection (ZMQ_IMMEDIATE). */
    assert_int_equal(bus_send(push, NULL, "hallo", 5, 0), 0);
    char *data = NULL;
    size_t len = 0;
    char topic[BUS_MAX_TOPIC] = "x";
    assert_int_equal(bus_recv(pull, topic, sizeof topic, &data, &len, 1024, 0), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "hallo", 5);
    assert_string_equal(topic, ""); /* one frame: no topic */
    free(data);
    /* Nothing more waiting. */
    assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, 1024, BUS_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_null(data);

    /* Too large for the receiver's limit: read, discarded, reported. */
    char big[100];
    memset(big, 'b', sizeof big);
    assert_int_equal(bus_send(push, NULL, big, sizeof big, 0), 0);
    assert_int_equal(bus_send(push, NULL, "ok", 2, 0), 0);
    assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, 10, 0), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, 10, 0), 0);
    assert_memory_equal(data, "ok", 2);
    free(data);
    bus_close(&push);
    bus_close(&pull);
    assert_null(push);
    bus_close(&push); /* idempotent */
}

/* Instance 1 binds item 1; a PUSH on the whole list sends only to the peer
 * that is there (ZMQ_IMMEDIATE), so nothing is queued for the absent one. */
static void test_endpoint_list(void **state)
{
    (void)state;
    char err[256] = "";
    const char *list = "tcp://127.0.0.1:21002,tcp://127.0.0.1:21003";
    void *pull = bus_pull_bind(list, 1, err, sizeof err);
    assert_non_null(pull);
    assert_null(bus_pull_bind(list, 2, err, sizeof err));
    assert_non_null(strstr(err, "no endpoint"));
    void *push = bus_push_connect(list, err, sizeof err);
    assert_non_null(push);
    for (int i = 0; i < 4; i++) {
        char msg[16];
        int n = snprintf(msg, sizeof msg, "m%d", i);
        assert_int_equal(bus_send(push, NULL, msg, (size_t)n, 0), 0);
    }
    for (int i = 0; i < 4; i++) {
        char *data;
        size_t len;
        char want[16];
        snprintf(want, sizeof want, "m%d", i);
        assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, 64, 0), 0);
        assert_string_equal(data, want);
        free(data);
    }
    bus_close(&push);
    bus_close(&pull);
}

static void test_dontwait_no_peer(void **state)
{
    (void)state;
    char err[256] = "";
    void *push = bus_push_connect("tcp://127.0.0.1:21004", err, sizeof err);
    assert_non_null(push);
    errno = 0;
    assert_int_equal(bus_send(push, NULL, "x", 1, BUS_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    bus_close(&push);
    assert_null(bus_push_connect("", err, sizeof err));
    assert_null(bus_pull_bind("nonsense://x", 0, err, sizeof err));
    assert_true(err[0] != '\0');
}

static void test_pub_sub(void **state)
{
    (void)state;
    char err[256] = "";
    void *pub = bus_pub_bind("tcp://127.0.0.1:21005", 0, err, sizeof err);
    assert_non_null(pub);
    void *sub = bus_sub_connect("tcp://127.0.0.1:21005", "ack.intake-form.0", err, sizeof err);
    assert_non_null(sub);
    /* A new subscriber misses what was published before it joined (the
     * "slow joiner"); publish until it hears something, bounded. */
    char topic[BUS_MAX_TOPIC], *data = NULL;
    size_t len;
    int got = 0;
    for (int i = 0; i < 2000 && !got; i++) {
        assert_int_equal(bus_send(pub, "ack.other.0", "no", 2, BUS_DONTWAIT), 0);
        assert_int_equal(bus_send(pub, "ack.intake-form.0", "yes", 3, BUS_DONTWAIT), 0);
        if (bus_recv(sub, topic, sizeof topic, &data, &len, 64, BUS_DONTWAIT) == 0)
            got = 1;
        else
            usleep(5000);
    }
    assert_true(got);
    do {
        assert_string_equal(topic, "ack.intake-form.0");
        assert_int_equal(len, 3);
        assert_string_equal(data, "yes");
        free(data);
    } while (bus_recv(sub, topic, sizeof topic, &data, &len, 64, BUS_DONTWAIT) == 0);
    assert_int_equal(errno, EAGAIN);
    bus_close(&sub);
    bus_close(&pub);
}

static void s_on_usr1(int sig)
{
    (void)sig;
}

typedef struct {
    void *pull;
    volatile int done;
    int rc, err;
} recv_arg_t;

static void *s_blocking_recv(void *p)
{
    recv_arg_t *a = p;
    char *data = NULL;
    size_t len;
    a->rc = bus_recv(a->pull, NULL, 0, &data, &len, 64, 0);
    a->err = errno;
    free(data);
    __atomic_store_n(&a->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* A signal (SIGTERM in a service) interrupts a blocking receive so that
 * the caller can look at its stop flag. */
static void test_recv_eintr(void **state)
{
    (void)state;
    struct sigaction sa = {.sa_handler = s_on_usr1}; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
    char err[256];
    recv_arg_t a = {.pull = bus_pull_bind("tcp://127.0.0.1:21006", 0, err, sizeof err)};
    assert_non_null(a.pull);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, s_blocking_recv, &a), 0);
    for (int i = 0; i < 2000 && !__atomic_load_n(&a.done, __ATOMIC_SEQ_CST); i++) {
        pthread_kill(th, SIGUSR1);
        usleep(5000);
    }
    pthread_join(th, NULL);
    assert_int_equal(a.rc, -1);
    assert_int_equal(a.err, EINTR);
    bus_close(&a.pull);
}

/* Sockets left open must not make shutdown hang. */
static void test_shutdown(void **state)
{
    (void)state;
    char err[256];
    void *pull = bus_pull_bind("tcp://127.0.0.1:21007", 0, err, sizeof err);
    void *push = bus_push_connect("tcp://127.0.0.1:21007", err, sizeof err);
    assert_non_null(pull);
    assert_non_null(push);
    assert_int_equal(bus_send(push, NULL, "left behind", 11, 0), 0);
    bus_shutdown();
    /* A new context can be made afterwards. */
    assert_non_null(bus_context());
    bus_shutdown();
}

int main(void)
{
    alarm(60);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint_at),   cmocka_unit_test(test_push_pull),
        cmocka_unit_test(test_endpoint_list), cmocka_unit_test(test_dontwait_no_peer),
        cmocka_unit_test(test_pub_sub),       cmocka_unit_test(test_recv_eintr),
        cmocka_unit_test(test_shutdown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bus_shutdown();
    return rc;
}
