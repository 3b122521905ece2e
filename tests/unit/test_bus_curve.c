/*
 * NAME
 *   test_bus_curve - the bus with CURVE (INSPRAAK_BUS_CURVE_KEYS), over real TCP
 *
 * DESCRIPTION
 *   Loopback ports 21200-21299. A key folder made by bus_curve_make_keys()
 *   (what `inspraakctl bus-keys` runs); PUSH/PULL and PUB/SUB through it;
 *   clients with an unknown key (refused by the ZAP handler, seen through
 *   a socket monitor) get nothing through; looser modes are refused.
 *   A 60 s alarm only guards against a hang; no assertion depends on time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <setjmp.h>
#include <cmocka.h>

#include "bus.h"
#include "bus_curve.h"

static char s_tmp[256];
static char s_keys[300];

static int s_setup(void **state)
{
    (void)state;
    snprintf(s_tmp, sizeof s_tmp, "/tmp/test_bus_curve.XXXXXX");
    if (!mkdtemp(s_tmp))
        return -1;
    snprintf(s_keys, sizeof s_keys, "%s/keys", s_tmp);
    char err[512] = "";
    if (bus_curve_make_keys(s_keys, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    setenv("INSPRAAK_BUS_CURVE_KEYS", s_keys, 1);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    bus_shutdown();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static mode_t s_mode(const char *name)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", s_keys, name);
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_make_keys(void **state)
{
    (void)state;
    assert_int_equal(s_mode(""), 0700);
    assert_int_equal(s_mode("clients"), 0700);
    assert_int_equal(s_mode("server.key"), 0600);
    assert_int_equal(s_mode("server.key_secret"), 0600);
    assert_int_equal(s_mode("client.key"), 0600);
    assert_int_equal(s_mode("client.key_secret"), 0600);
    assert_int_equal(s_mode("clients/client.key"), 0600);
    /* Existing keys are never overwritten. */
    char err[512] = "";
    assert_int_equal(bus_curve_make_keys(s_keys, err, sizeof err), -1);
    assert_non_null(strstr(err, "server.key"));
}

static void test_push_pull(void **state)
{
    (void)state;
    char err[512] = "", *data = NULL;
    size_t len = 0;
    void *pull = bus_pull_bind("tcp://127.0.0.1:21201", 0, err, sizeof err);
    assert_non_null(pull);
    void *push = bus_push_connect("tcp://127.0.0.1:21201", err, sizeof err);
    assert_non_null(push);
    assert_int_equal(bus_send(push, NULL, "geheim", 6, 0), 0);
    assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, 1024, 0), 0);
    assert_int_equal(len, 6);
    assert_memory_equal(data, "geheim", 6);
    free(data);
    bus_shutdown();
}

/* Publishes until sub hears the message (slow joiner), bounded by alarm. */
static void s_pub_until_heard(void *pub, void *sub)
{
    char topic[BUS_MAX_TOPIC], *data = NULL;
    size_t len = 0;
    for (;;) {
        assert_int_equal(bus_send(pub, "ack.x.0", "ja", 2, BUS_DONTWAIT), 0);
        if (bus_recv(sub, topic, sizeof topic, &data, &len, 1024, BUS_DONTWAIT) == 0)
            break;
        assert_int_equal(errno, EAGAIN);
        usleep(5000);
    }
    assert_string_equal(topic, "ack.x.0");
    assert_int_equal(len, 2);
    assert_memory_equal(data, "ja", 2);
    free(data);
}

static void test_pub_sub(void **state)
{
    (void)state;
    char err[512] = "";
    void *pub = bus_pub_bind("tcp://127.0.0.1:21202", 0, err, sizeof err);
    assert_non_null(pub);
    void *sub = bus_sub_connect("tcp://127.0.0.1:21202", "ack.x.", err, sizeof err);
    assert_non_null(sub);
    s_pub_until_heard(pub, sub);
    bus_shutdown();
}

/* A raw client socket with a fresh key pair the server does not list. */
static void *s_stranger(int type, const char *ep)
{
    char spub[41], cpub[41], csec[41], path[400];
    snprintf(path, sizeof path, "%s/server.key", s_keys);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(spub, sizeof spub, f));
    fclose(f);
    assert_int_equal(zmq_curve_keypair(cpub, csec), 0);
    void *s = zmq_socket(bus_context(), type);
    int zero = 0;
    assert_int_equal(zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero), 0);
    assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, spub, 40), 0);
    assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cpub, 40), 0);
    assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, csec, 40), 0);
    if (type == ZMQ_SUB)
        assert_int_equal(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0), 0);
    assert_int_equal(zmq_connect(s, ep), 0);
    return s;
}

/* Watches sock's handshakes; returns the PAIR socket to read events from. */
static void *s_monitor(void *sock, const char *name)
{
    assert_int_equal(zmq_socket_monitor(sock, name, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                                      ZMQ_EVENT_HANDSHAKE_SUCCEEDED),
                     0);
    void *mon = zmq_socket(bus_context(), ZMQ_PAIR);
    int zero = 0;
    zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof zero);
    assert_int_equal(zmq_connect(mon, name), 0);
    return mon;
}

/* Blocks for the next event; *value gets its value (the ZAP status). */
static int s_event(void *mon, uint32_t *value)
{
    unsigned char ev[6];
    char ep[256];
    assert_int_equal(zmq_recv(mon, ev, sizeof ev, 0), 6);
    assert_true(zmq_recv(mon, ep, sizeof ep, 0) >= 0);
    memcpy(value, ev + 2, 4);
    return ev[0] | ev[1] << 8;
}

static void test_unknown_push_refused(void **state)
{
    (void)state;
    char err[512] = "", *data = NULL;
    size_t len = 0;
    void *pull = bus_pull_bind("tcp://127.0.0.1:21203", 0, err, sizeof err);
    assert_non_null(pull);
    void *mon = s_monitor(pull, "inproc://mon-pull");
    void *bad = s_stranger(ZMQ_PUSH, "tcp://127.0.0.1:21203");
    /* Without ZMQ_IMMEDIATE this is queued, and would go out if the
     * handshake were allowed. */
    assert_int_equal(zmq_send(bad, "indringer", 9, ZMQ_DONTWAIT), 9);
    uint32_t status = 0;
    assert_int_equal(s_event(mon, &status), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    assert_int_equal(status, 400);
    assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, 1024, BUS_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);

    /* A listed client still gets through, and only its message arrives. */
    void *push = bus_push_connect("tcp://127.0.0.1:21203", err, sizeof err);
    assert_non_null(push);
    assert_int_equal(bus_send(push, NULL, "welkom", 6, 0), 0);
    assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, 1024, 0), 0);
    assert_int_equal(len, 6);
    assert_memory_equal(data, "welkom", 6);
    free(data);
    zmq_close(bad);
    zmq_close(mon);
    bus_shutdown();
}

static void test_unknown_sub_refused(void **state)
{
    (void)state;
    char err[512] = "", buf[64];
    void *pub = bus_pub_bind("tcp://127.0.0.1:21204", 0, err, sizeof err);
    assert_non_null(pub);
    void *mon = s_monitor(pub, "inproc://mon-pub");
    void *bad = s_stranger(ZMQ_SUB, "tcp://127.0.0.1:21204");
    uint32_t status = 0;
    assert_int_equal(s_event(mon, &status), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    assert_int_equal(status, 400);
    void *sub = bus_sub_connect("tcp://127.0.0.1:21204", "ack.x.", err, sizeof err);
    assert_non_null(sub);
    s_pub_until_heard(pub, sub); /* the listed subscriber hears it ... */
    assert_int_equal(zmq_recv(bad, buf, sizeof buf, ZMQ_DONTWAIT), -1); /* ... the stranger not */
    assert_int_equal(errno, EAGAIN);
    zmq_close(bad);
    zmq_close(mon);
    bus_shutdown();
}

/* chmod name to mode, expect every constructor of that side to refuse. */
static void s_expect_refused(const char *name, mode_t mode, int server, const char *want)
{
    char path[400], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", s_keys, name);
    mode_t old = s_mode(name);
    assert_int_equal(chmod(path, mode), 0);
    void *s = server ? bus_pull_bind("tcp://127.0.0.1:21205", 0, err, sizeof err)
                     : bus_push_connect("tcp://127.0.0.1:21205", err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "INSPRAAK_BUS_CURVE_KEYS"));
    if (server) {
        s = bus_pub_bind("tcp://127.0.0.1:21206", 0, err, sizeof err);
        assert_null(s);
    } else {
        s = bus_sub_connect("tcp://127.0.0.1:21206", "", err, sizeof err);
        assert_null(s);
    }
    assert_int_equal(chmod(path, old), 0);
    bus_shutdown();
}

static void test_loose_modes_refused(void **state)
{
    (void)state;
    s_expect_refused("", 0755, 1, "mode 0755");
    s_expect_refused("", 0750, 0, "mode 0750");
    s_expect_refused("clients", 0705, 1, "mode 0705");
    s_expect_refused("server.key_secret", 0644, 1, "server.key_secret has mode 0644");
    s_expect_refused("client.key_secret", 0640, 0, "client.key_secret has mode 0640");
    s_expect_refused("clients/client.key", 0604, 1, "client.key has mode 0604");
    /* Restored: works again. */
    char err[512] = "";
    void *pull = bus_pull_bind("tcp://127.0.0.1:21207", 0, err, sizeof err);
    assert_non_null(pull);
    bus_shutdown();
}

static void test_bad_key_file(void **state)
{
    (void)state;
    char path[400], err[512] = "";
    snprintf(path, sizeof path, "%s/client.key_secret", s_keys);
    char saved[64] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(saved, sizeof saved, f));
    fclose(f);
    f = fopen(path, "w");
    fputs("te kort\n", f);
    fclose(f);
    assert_null(bus_push_connect("tcp://127.0.0.1:21208", err, sizeof err));
    assert_non_null(strstr(err, "40-character Z85 key"));
    f = fopen(path, "w");
    fputs(saved, f);
    fclose(f);
    bus_shutdown();
}

int main(void)
{
    alarm(60);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_keys),
        cmocka_unit_test(test_push_pull),
        cmocka_unit_test(test_pub_sub),
        cmocka_unit_test(test_unknown_push_refused),
        cmocka_unit_test(test_unknown_sub_refused),
        cmocka_unit_test(test_loose_modes_refused),
        cmocka_unit_test(test_bad_key_file),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
