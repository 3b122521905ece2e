/*
 * NAME
 *   test_rstore_sentinel - rstore with redis-sentinel:// URLs, against a
 *   real master, replica and Sentinel
 *
 * DESCRIPTION
 *   Starts (temporary folder, no persistence) a master, a replica of it
 *   and one Sentinel (quorum 1). Checks URL parsing, that a sentinel URL
 *   reaches the master, that WAIT reports the replica, that a write to a
 *   replica fails with READONLY, and that rstore follows a failover
 *   twice: once requested (SENTINEL FAILOVER: the old master becomes a
 *   replica) and once after kill -9 of the master. A write acknowledged
 *   by WAIT before the kill is still there afterwards. Waits are bounded
 *   retries; nothing is asserted about time.
 *
 *   Ports: the first port of INSPRAAK_TEST_PORTS (lo-hi, as the suites
 *   and the other unit tests take it) plus 81 (master), 85 (replica), 83
 *   (Sentinel) and 87 (a Sentinel that is down), so two unit runs with
 *   their own ranges do not meet; without it 42379, 42383, 42381 and
 *   42399. The ports are odd on purpose: Linux gives outgoing connections
 *   even ports from its ephemeral range (which holds 42xxx), and one of
 *   those in TIME_WAIT would keep a server from binding. A port that
 *   already answers is another run's server: the setup fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rstore.h"

/* The master, the replica, the Sentinel and a Sentinel that is down
 * (s_ports). */
static int s_port_a = 42379, s_port_b = 42383, s_port_s = 42381, s_port_down = 42399;
static char s_url[96]; /* redis-sentinel:// with the down Sentinel first */

static char s_dir[64];
static pid_t s_pid_a, s_pid_b, s_pid_s;

static void s_nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One command on a fresh connection; the reply or NULL. */
static redisReply *s_cmd(int port, const char *fmt, const char *arg)
{
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    redisReply *r = NULL;
    if (c && !c->err)
        r = redisCommand(c, fmt, arg);
    if (c)
        redisFree(c);
    return r;
}

/* 1 when INFO replication of port holds text. */
static int s_info_has(int port, const char *text)
{
    redisReply *r = s_cmd(port, "INFO %s", "replication");
    int ok = r && r->type == REDIS_REPLY_STRING && strstr(r->str, text) != NULL;
    if (r)
        freeReplyObject(r);
    return ok;
}

static int s_wait_info(int port, const char *text)
{
    for (int i = 0; i < 600; i++) {
        if (s_info_has(port, text))
            return 1;
        s_nap_ms(50);
    }
    return 0;
}

/* The port Sentinel names as master now, or 0. */
static int s_sentinel_master(void)
{
    redisReply *r = s_cmd(s_port_s, "SENTINEL get-master-addr-by-name %s", "inspraak");
    int port = 0;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
        port = atoi(r->element[1]->str);
    if (r)
        freeReplyObject(r);
    return port;
}

/* The ports from INSPRAAK_TEST_PORTS (above), and s_url. */
static void s_ports(void)
{
    const char *range = getenv("INSPRAAK_TEST_PORTS");
    if (range && atoi(range) > 0) {
        int lo = atoi(range);
        s_port_a = lo + 81;
        s_port_s = lo + 83;
        s_port_b = lo + 85;
        s_port_down = lo + 87;
    }
    snprintf(s_url, sizeof s_url, "redis-sentinel://127.0.0.1:%d,127.0.0.1:%d/inspraak",
             s_port_down, s_port_s);
}

/* "127.0.0.1:PORT" in buf, as rstore_address() gives it. */
static const char *s_addr(char buf[32], int port)
{
    snprintf(buf, 32, "127.0.0.1:%d", port);
    return buf;
}

static pid_t s_start(char *const argv[], int port)
{
    redisReply *r = s_cmd(port, "PING%s", "");
    if (r) { /* not ours: another run's server */
        freeReplyObject(r);
        fprintf(stderr, "port %d is taken (INSPRAAK_TEST_PORTS)\n", port);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 400; i++) {
        redisReply *r = s_cmd(port, "PING%s", "");
        if (r) {
            freeReplyObject(r);
            return pid;
        }
        s_nap_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void s_stop(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
    }
    *pid = 0;
}

static int s_group_teardown(void **state);

static int s_group_setup(void **state)
{
    (void)state;
    s_ports();
    snprintf(s_dir, sizeof s_dir, "/tmp/test_rstore_sentinel_XXXXXX");
    if (!mkdtemp(s_dir))
        return -1;
    char conf[128];
    snprintf(conf, sizeof conf, "%s/sentinel.conf", s_dir);
    FILE *f = fopen(conf, "w");
    if (!f)
        return -1;
    fprintf(f,
            "port %d\nbind 127.0.0.1\ndir %s\n"
            "sentinel monitor inspraak 127.0.0.1 %d 1\n"
            "sentinel down-after-milliseconds inspraak 500\n"
            "sentinel failover-timeout inspraak 2000\n",
            s_port_s, s_dir, s_port_a);
    fclose(f);
    char pa[16], pb[16];
    snprintf(pa, sizeof pa, "%d", s_port_a);
    snprintf(pb, sizeof pb, "%d", s_port_b);
    char *a[] = {"redis-server", "--port", pa,      "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no",     "--dir", s_dir,    NULL};
    char *b[] = {
        "redis-server", "--port", pb,    "--bind",      "127.0.0.1", "--save", "",  "--appendonly",
        "no",           "--dir",  s_dir, "--replicaof", "127.0.0.1", pa,       NULL};
    char *s[] = {"redis-server", conf, "--sentinel", NULL};
    s_pid_a = s_start(a, s_port_a);
    s_pid_b = s_start(b, s_port_b);
    s_pid_s = s_start(s, s_port_s);
    if (s_pid_a > 0 && s_pid_b > 0 && s_pid_s > 0 && s_wait_info(s_port_a, "connected_slaves:1") &&
        s_wait_info(s_port_b, "master_link_status:up"))
        return 0;
    s_group_teardown(state); /* the servers that did start (a port taken) */
    return -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    s_stop(&s_pid_s);
    s_stop(&s_pid_a);
    s_stop(&s_pid_b);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_parse_sentinel_url(void **state)
{
    (void)state;
    rstore_addr_t s[RSTORE_MAX_SENTINELS];
    char master[64], pw[64];
    int n, db;
    assert_int_equal(rstore_parse_sentinel_url("redis-sentinel://a:26379,10.0.0.2:26380,[::1]:1/"
                                               "mymaster?db=3",
                                               s, RSTORE_MAX_SENTINELS, &n, master, sizeof master,
                                               &db, pw, sizeof pw),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].host, "a");
    assert_int_equal(s[0].port, 26379);
    assert_string_equal(s[1].host, "10.0.0.2");
    assert_int_equal(s[1].port, 26380);
    assert_string_equal(s[2].host, "::1");
    assert_string_equal(master, "mymaster");
    assert_int_equal(db, 3);
    assert_string_equal(pw, "");
    assert_int_equal(rstore_parse_sentinel_url("redis-sentinel://:p%40w@h:5/m", s, 8, &n, master,
                                               sizeof master, &db, pw, sizeof pw),
                     0);
    assert_string_equal(pw, "p@w");
    assert_int_equal(db, 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].port, 5);

    static const char *bad[] = {
        NULL,
        "",
        "redis://h:1/m",
        "redis-sentinel://",
        "redis-sentinel://h:1",
        "redis-sentinel://h:1/",
        "redis-sentinel:///m",
        "redis-sentinel://h:1,/m",
        "redis-sentinel://,h:1/m",
        "redis-sentinel://h:0/m",
        "redis-sentinel://h:1/m?db=x",
        "redis-sentinel://h:1/m?foo=1",
        "redis-sentinel://h:1/m/2",
        "redis-sentinel://h:1/m x",
        "redis-sentinel://u:p@h:1/m",
        "redis-sentinel://h:1,h@x:2/m",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (rstore_parse_sentinel_url(bad[i], s, 8, &n, master, sizeof master, &db, pw,
                                      sizeof pw) != -1)
            fail_msg("accepted bad url \"%s\"", bad[i] ? bad[i] : "(null)");
    /* More sentinels than room. */
    assert_int_equal(rstore_parse_sentinel_url("redis-sentinel://a:1,b:2,c:3/m", s, 2, &n, master,
                                               sizeof master, &db, pw, sizeof pw),
                     -1);
    char err[256];
    assert_null(rstore_new("redis-sentinel://h:1", err, sizeof err));
    assert_non_null(strstr(err, "redis-sentinel://"));
}

/* The first sentinel in s_url is down (s_port_down): the second one answers. */
static void test_master_through_sentinel_and_wait(void **state)
{
    (void)state;
    char err[256] = "", addr[32];
    rstore_t *r = rstore_new(s_url, err, sizeof err);
    assert_non_null(r);
    redisReply *rep = rstore_cmd(r, "SET %s %s", "k1", "v1");
    assert_non_null(rep);
    freeReplyObject(rep);
    assert_string_equal(rstore_address(r), s_addr(addr, s_port_a));
    assert_int_equal(rstore_wait(r, 1, 5000), 1);
    rep = s_cmd(s_port_b, "GET %s", "k1");
    assert_non_null(rep);
    assert_string_equal(rep->str, "v1");
    freeReplyObject(rep);
    rstore_destroy(&r);
}

static void test_replica_refuses_writes(void **state)
{
    (void)state;
    char err[256] = "";
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", s_port_b);
    rstore_t *r = rstore_new(url, err, sizeof err);
    assert_non_null(r);
    assert_null(rstore_cmd(r, "SET %s %s", "k", "v"));
    assert_non_null(strstr(rstore_error(r), "READONLY"));
    /* A fresh connection has no writes: WAIT refuses to vouch. */
    assert_int_equal(rstore_wait(r, 1, 100), -1);
    assert_int_equal(rstore_ping(r), 1);
    rstore_destroy(&r);
}

/* Retries a SET until it succeeds (the failover takes a moment). */
static int s_set_until_ok(rstore_t *r, const char *k, const char *v)
{
    for (int i = 0; i < 600; i++) {
        redisReply *rep = rstore_cmd(r, "SET %s %s", k, v);
        if (rep) {
            freeReplyObject(rep);
            return 1;
        }
        s_nap_ms(50);
    }
    return 0;
}

static void test_follows_failovers(void **state)
{
    (void)state;
    char err[256] = "", addr[32];
    rstore_t *r = rstore_new(s_url, err, sizeof err);
    assert_non_null(r);
    assert_true(s_set_until_ok(r, "before", "1"));
    assert_string_equal(rstore_address(r), s_addr(addr, s_port_a));

    /* 1: a requested failover; A is demoted to a replica of B. */
    redisReply *rep = s_cmd(s_port_s, "SENTINEL FAILOVER %s", "inspraak");
    assert_non_null(rep);
    freeReplyObject(rep);
    for (int i = 0; i < 600 && s_sentinel_master() != s_port_b; i++)
        s_nap_ms(50);
    assert_int_equal(s_sentinel_master(), s_port_b);
    assert_true(s_wait_info(s_port_b, "role:master"));
    /* Until Sentinel has reconfigured A, A still takes writes (which the
     * resync then throws away: the window docs/operations.md describes). */
    assert_true(s_wait_info(s_port_a, "role:slave"));
    assert_true(s_set_until_ok(r, "after1", "2"));
    assert_string_equal(rstore_address(r), s_addr(addr, s_port_b));
    assert_true(s_wait_info(s_port_a, "master_link_status:up"));
    assert_true(s_wait_info(s_port_b, "connected_slaves:1"));

    /* WAIT cannot vouch for writes over the old connection: -1 once,
     * then the write is re-done and WAIT counts the replica. */
    assert_int_equal(rstore_wait(r, 1, 5000), -1);
    assert_true(s_set_until_ok(r, "after1", "2"));
    assert_int_equal(rstore_wait(r, 1, 5000), 1);

    /* 2: kill -9 of the master B; Sentinel promotes A again. */
    s_stop(&s_pid_b);
    assert_true(s_set_until_ok(r, "after2", "3"));
    assert_string_equal(rstore_address(r), s_addr(addr, s_port_a));
    rep = rstore_cmd(r, "MGET before after1 after2");
    assert_non_null(rep);
    assert_int_equal(rep->elements, 3);
    assert_string_equal(rep->element[0]->str, "1");
    assert_string_equal(rep->element[1]->str, "2"); /* acknowledged by WAIT */
    assert_string_equal(rep->element[2]->str, "3");
    freeReplyObject(rep);
    rstore_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_sentinel_url),
        cmocka_unit_test(test_master_through_sentinel_and_wait),
        cmocka_unit_test(test_replica_refuses_writes),
        cmocka_unit_test(test_follows_failovers),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
