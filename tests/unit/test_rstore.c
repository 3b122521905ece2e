/*
 * NAME
 *   test_rstore - rstore against a real redis-server on a loopback port
 *
 * DESCRIPTION
 *   Starts redis-server (no persistence, a temporary folder) on port
 *   22379, and a second one with a password on 22381 (test_redis_util.h);
 *   waits until each answers; then checks commands, pipelining, error replies, AUTH and
 *   SELECT from the URL, reconnecting after a restart of Redis, the short
 *   PING of /healthz leaving other commands their timeout, and URL
 *   parsing. The servers are stopped at the end.
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
#include "test_redis_util.h"

#define PORT 22379
#define PORT_AUTH 22381

static char s_dir[64];
static pid_t s_pid, s_pid_auth;

static int s_group_setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/test_rstore_XXXXXX");
    if (!mkdtemp(s_dir))
        return -1;
    s_pid = test_redis_start(PORT, s_dir, NULL);
    s_pid_auth = test_redis_start(PORT_AUTH, s_dir, "s3cr@t/pw");
    return s_pid > 0 && s_pid_auth > 0 ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    test_redis_stop(&s_pid);
    test_redis_stop(&s_pid_auth);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static rstore_t *s_open(void)
{
    char url[64], err[256] = "";
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", PORT);
    rstore_t *r = rstore_new(url, err, sizeof err);
    assert_non_null(r);
    return r;
}

static void test_set_get(void **state)
{
    (void)state;
    rstore_t *r = s_open();
    assert_int_equal(rstore_ping(r), 1);
    redisReply *rep = rstore_cmd(r, "SET %s %b", "idee:1", "met\0nul", (size_t)7);
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_STATUS);
    freeReplyObject(rep);
    rep = rstore_cmd(r, "GET %s", "idee:1");
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_STRING);
    assert_int_equal(rep->len, 7);
    assert_memory_equal(rep->str, "met\0nul", 7);
    freeReplyObject(rep);

    const char *argv[] = {"HSET", "h", "veld", "waarde"};
    size_t lens[] = {4, 1, 4, 6};
    rep = rstore_cmdargv(r, 4, argv, lens);
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
    freeReplyObject(rep);
    rep = rstore_cmd(r, "HGET h veld");
    assert_string_equal(rep->str, "waarde");
    freeReplyObject(rep);
    rstore_destroy(&r);
    assert_null(r);
    rstore_destroy(&r); /* idempotent */
}

static void test_pipeline(void **state)
{
    (void)state;
    rstore_t *r = s_open();
    assert_int_equal(rstore_append(r, "DEL %s", "pl"), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(rstore_append(r, "RPUSH %s %d", "pl", i), 0);
    const char *argv[] = {"LLEN", "pl"};
    assert_int_equal(rstore_appendargv(r, 2, argv, NULL), 0);
    redisReply *rep = rstore_reply(r);
    assert_non_null(rep);
    freeReplyObject(rep);
    for (int i = 0; i < 10; i++) {
        rep = rstore_reply(r);
        assert_non_null(rep);
        assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
        assert_int_equal(rep->integer, i + 1);
        freeReplyObject(rep);
    }
    rep = rstore_reply(r);
    assert_int_equal(rep->integer, 10);
    freeReplyObject(rep);
    /* Nothing more to read. */
    assert_null(rstore_reply(r));

    /* Replies left unread do not leak into the next command's answer. */
    assert_int_equal(rstore_append(r, "SET %s %s", "k", "old"), 0);
    assert_int_equal(rstore_append(r, "GET %s", "k"), 0);
    rep = rstore_cmd(r, "ECHO %s", "mine");
    assert_non_null(rep);
    assert_string_equal(rep->str, "mine");
    freeReplyObject(rep);
    rstore_destroy(&r);
}

static void test_error_reply(void **state)
{
    (void)state;
    rstore_t *r = s_open();
    redisReply *rep = rstore_cmd(r, "SET %s %s", "s", "tekst");
    freeReplyObject(rep);
    assert_null(rstore_cmd(r, "LPUSH %s %s", "s", "x"));
    assert_non_null(strstr(rstore_error(r), "WRONGTYPE"));
    assert_null(rstore_cmd(r, "NOSUCHCOMMAND"));
    assert_non_null(strstr(rstore_error(r), "unknown command"));
    /* The connection is still good after an error reply. */
    assert_int_equal(rstore_ping(r), 1);
    assert_string_equal(rstore_error(r), "");
    /* An error inside a pipeline is NULL for that reply only. */
    assert_int_equal(rstore_append(r, "INCR %s", "s"), 0);
    assert_int_equal(rstore_append(r, "ECHO %s", "na"), 0);
    assert_null(rstore_reply(r));
    rep = rstore_reply(r);
    assert_non_null(rep);
    assert_string_equal(rep->str, "na");
    freeReplyObject(rep);
    rstore_destroy(&r);
}

/* MULTI ... EXEC: EXEC's array of replies; a transaction Redis refuses
 * (a command that cannot be queued) is NULL, and every reply of it has
 * been read, so the next pipelined reply is that command's own. */
static void test_exec_reply(void **state)
{
    (void)state;
    rstore_t *r = s_open();
    rstore_append(r, "MULTI");
    rstore_append(r, "SET %s %s", "tx", "ja");
    rstore_append(r, "GET %s", "tx");
    rstore_append(r, "EXEC");
    redisReply *rep = rstore_exec_reply(r, 2);
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_ARRAY);
    assert_int_equal(rep->elements, 2);
    assert_string_equal(rep->element[1]->str, "ja");
    freeReplyObject(rep);

    rstore_append(r, "MULTI");
    rstore_append(r, "NOSUCHCOMMAND");
    rstore_append(r, "GET %s", "tx");
    rstore_append(r, "EXEC");
    assert_null(rstore_exec_reply(r, 2));
    assert_non_null(strstr(rstore_error(r), "EXECABORT"));
    assert_int_equal(rstore_append(r, "ECHO %s", "na"), 0);
    rep = rstore_reply(r);
    assert_non_null(rep);
    assert_string_equal(rep->str, "na");
    freeReplyObject(rep);
    rstore_destroy(&r);
}

static void test_reconnect_after_restart(void **state)
{
    (void)state;
    rstore_t *r = s_open();
    redisReply *rep = rstore_cmd(r, "SET %s %s", "voor", "1");
    assert_non_null(rep);
    freeReplyObject(rep);

    test_redis_stop(&s_pid);
    /* Down: a clear error, no crash (SIGPIPE is ignored by rstore_new). */
    assert_null(rstore_cmd(r, "GET %s", "voor"));
    assert_true(strlen(rstore_error(r)) > 0);
    assert_int_equal(rstore_ping(r), 0);

    s_pid = test_redis_start(PORT, s_dir, NULL);
    assert_true(s_pid > 0);
    rep = rstore_cmd(r, "SET %s %s", "na", "2");
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_STATUS);
    freeReplyObject(rep);

    /* A restart while connected: the old socket is dead, one command fixes it. */
    test_redis_stop(&s_pid);
    s_pid = test_redis_start(PORT, s_dir, NULL);
    assert_true(s_pid > 0);
    rep = rstore_cmd(r, "GET %s", "na");
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_NIL); /* no persistence: gone */
    freeReplyObject(rep);
    rstore_destroy(&r);
}

static void test_auth_and_select(void **state)
{
    (void)state;
    char url[96], err[256] = "";
    snprintf(url, sizeof url, "redis://:s3cr%%40t%%2Fpw@127.0.0.1:%d/3", PORT_AUTH);
    rstore_t *r = rstore_new(url, err, sizeof err);
    assert_non_null(r);
    redisReply *rep = rstore_cmd(r, "CLIENT INFO");
    assert_non_null(rep);
    assert_non_null(strstr(rep->str, " db=3 "));
    freeReplyObject(rep);
    rstore_destroy(&r);

    snprintf(url, sizeof url, "redis://:wrong@127.0.0.1:%d", PORT_AUTH);
    r = rstore_new(url, err, sizeof err);
    assert_non_null(r);
    assert_null(rstore_cmd(r, "PING"));
    assert_non_null(strstr(rstore_error(r), "AUTH"));
    rstore_destroy(&r);

    /* No password given: Redis answers NOAUTH, which is an error reply. */
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", PORT_AUTH);
    r = rstore_new(url, err, sizeof err);
    assert_null(rstore_cmd(r, "GET x"));
    assert_non_null(strstr(rstore_error(r), "NOAUTH"));
    rstore_destroy(&r);
}

/* A Redis 6 ACL user, as docs/operations.md advises one per service: AUTH
 * user password, and only the commands and keys the user was given. */
static void test_acl_user(void **state)
{
    (void)state;
    char url[128], err[256] = "";
    snprintf(url, sizeof url, "redis://:s3cr%%40t%%2Fpw@127.0.0.1:%d", PORT_AUTH);
    rstore_t *admin = rstore_new(url, err, sizeof err);
    redisReply *rep = rstore_cmd(admin, "ACL SETUSER t-storage reset on >st%%or@ge ~inspraak:* "
                                        "+ping +get +set");
    assert_non_null(rep);
    freeReplyObject(rep);

    snprintf(url, sizeof url, "redis://t-storage:st%%25or%%40ge@127.0.0.1:%d", PORT_AUTH);
    rstore_t *r = rstore_new(url, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(rstore_ping(r), 1);
    rep = rstore_cmd(r, "SET inspraak:acl-test ja");
    assert_non_null(rep);
    freeReplyObject(rep);
    assert_null(rstore_cmd(r, "SET other:key nee")); /* key outside ~inspraak:* */
    assert_non_null(strstr(rstore_error(r), "NOPERM"));
    assert_null(rstore_cmd(r, "FLUSHALL")); /* command not given */
    assert_non_null(strstr(rstore_error(r), "NOPERM"));
    rstore_destroy(&r);

    snprintf(url, sizeof url, "redis://t-storage:wrong@127.0.0.1:%d", PORT_AUTH);
    r = rstore_new(url, err, sizeof err);
    assert_null(rstore_cmd(r, "PING"));
    assert_non_null(strstr(rstore_error(r), "AUTH"));
    rstore_destroy(&r);
    rep = rstore_cmd(admin, "ACL DELUSER t-storage");
    assert_non_null(rep);
    freeReplyObject(rep);
    rstore_destroy(&admin);
}

/* rstore_ping() gives up after 1 s (for /healthz); the commands after it
 * must keep the normal timeout: BLPOP with 2 s still gets its nil. */
static void test_ping_leaves_the_command_timeout(void **state)
{
    (void)state;
    rstore_t *r = s_open();
    assert_int_equal(rstore_ping(r), 1);
    redisReply *rep = rstore_cmd(r, "BLPOP %s 2", "inspraak:leeg");
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_NIL);
    freeReplyObject(rep);
    assert_int_equal(rstore_ping(r), 1);
    rstore_destroy(&r);
}

static void test_down_at_start(void **state)
{
    (void)state;
    char err[256] = "";
    rstore_t *r = rstore_new("redis://127.0.0.1:22399", err, sizeof err);
    assert_non_null(r); /* Redis may come later */
    assert_int_equal(rstore_ping(r), 0);
    assert_non_null(strstr(rstore_error(r), "connect"));
    rstore_destroy(&r);
}

static void test_parse_url(void **state)
{
    (void)state;
    char host[64], pw[64];
    int port, db;
    assert_int_equal(
        rstore_parse_url("redis://localhost", host, sizeof host, &port, &db, pw, sizeof pw), 0);
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 6379);
    assert_int_equal(db, 0);
    assert_string_equal(pw, "");
    assert_int_equal(rstore_parse_url("redis://:geheim@10.1.2.3:6390/2", host, sizeof host, &port,
                                      &db, pw, sizeof pw),
                     0);
    assert_string_equal(host, "10.1.2.3");
    assert_int_equal(port, 6390);
    assert_int_equal(db, 2);
    assert_string_equal(pw, "geheim");
    assert_int_equal(rstore_parse_url("redis://default:p%40ss@[::1]:7000/", host, sizeof host,
                                      &port, &db, pw, sizeof pw),
                     0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 7000);
    assert_string_equal(pw, "p@ss");
    /* An ACL user name is accepted (rstore_new sends AUTH user password). */
    assert_int_equal(rstore_parse_url("redis://inspraak-storage:pw@host", host, sizeof host,
                                      &port, &db, pw, sizeof pw),
                     0);
    assert_string_equal(pw, "pw");

    static const char *bad[] = {
        NULL,
        "",
        "http://localhost",
        "rediss://localhost",
        "redis://",
        "redis://:6379",
        "redis://host:0",
        "redis://host:65536",
        "redis://host:12ab",
        "redis://host:",
        "redis://host/abc",
        "redis://host/-1",
        "redis://host/1/2",
        "redis://host?db=1",
        "redis://justuser@host",
        "redis://us er:pw@host",
        "redis://:p%4@host",
        "redis://:p%00w@host",
        "redis://ho st",
        "redis://[::1",
        "redis://[]:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (rstore_parse_url(bad[i], host, sizeof host, &port, &db, pw, sizeof pw) != -1)
            fail_msg("accepted bad url \"%s\"", bad[i] ? bad[i] : "(null)");
    char tiny[4];
    assert_int_equal(
        rstore_parse_url("redis://longhost", tiny, sizeof tiny, &port, &db, pw, sizeof pw), -1);
    char err[256] = "";
    assert_null(rstore_new("http://x", err, sizeof err));
    assert_non_null(strstr(err, "redis url"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_url),
        cmocka_unit_test(test_set_get),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_error_reply),
        cmocka_unit_test(test_exec_reply),
        cmocka_unit_test(test_auth_and_select),
        cmocka_unit_test(test_acl_user),
        cmocka_unit_test(test_ping_leaves_the_command_timeout),
        cmocka_unit_test(test_down_at_start),
        cmocka_unit_test(test_reconnect_after_restart),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
