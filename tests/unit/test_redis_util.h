/*
 * NAME
 *   test_redis_util - a throwaway redis-server for unit tests
 *   (test_rstore.c, test_classify_cluster.c)
 *
 * DESCRIPTION
 *   Not a library: each test program includes this once. test_redis_start()
 *   forks redis-server on 127.0.0.1:port (no persistence, data folder dir,
 *   optional password) and waits (up to ~20 s) until that very process
 *   answers: INFO server must name its pid, so a Redis already on the port
 *   is never mistaken for ours (tests flush it). Returns the pid, or -1
 *   after killing a server that did not come up. test_redis_stop() kills
 *   it and reaps it. test_redis_up()/test_redis_down() add the temporary
 *   folder and the port of a test program. Everything is static so a test
 *   may leave some unused.
 */
#ifndef INSPRAAK_TEST_REDIS_UTIL_H
#define INSPRAAK_TEST_REDIS_UTIL_H

#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* 1 when the Redis on port answers INFO and is process pid. */
static int s_redis_is(int port, pid_t pid, const char *password)
{
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (!c || c->err) {
        if (c)
            redisFree(c);
        return 0;
    }
    if (password) {
        redisReply *a = redisCommand(c, "AUTH %s", password);
        if (a)
            freeReplyObject(a);
    }
    char mine[32];
    snprintf(mine, sizeof mine, "process_id:%d\r", (int)pid);
    redisReply *r = redisCommand(c, "INFO server");
    int up = r && r->type == REDIS_REPLY_STRING && strstr(r->str, mine);
    if (r)
        freeReplyObject(r);
    redisFree(c);
    return up;
}

static pid_t test_redis_start(int port, const char *dir, const char *password)
{
    pid_t pid = fork();
    if (pid == 0) {
        char p[16];
        snprintf(p, sizeof p, "%d", port);
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        if (password)
            execlp("redis-server", "redis-server", "--port", p, "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", dir, "--requirepass", password, (char *)NULL);
        else
            execlp("redis-server", "redis-server", "--port", p, "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", dir, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 400; i++) {
        if (s_redis_is(port, pid, password))
            return pid;
        test_nap_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void test_redis_stop(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
    }
    *pid = 0;
}

/* One test program's server: a temporary folder /tmp/<name>_XXXXXX and
 * the port INSPRAAK_TEST_PORTS's first port (26000 without it) plus
 * offset, which must be free (test_redis_start checks it is ours). */
typedef struct {
    char dir[64];
    pid_t pid;
    int port;
} test_redis_t;

static inline int test_redis_up(test_redis_t *r, const char *name, int offset)
{
    const char *ports = getenv("INSPRAAK_TEST_PORTS");
    r->port = (ports && atoi(ports) > 0 ? atoi(ports) : 26000) + offset;
    snprintf(r->dir, sizeof r->dir, "/tmp/%.40s_XXXXXX", name);
    if (!mkdtemp(r->dir))
        return -1;
    r->pid = test_redis_start(r->port, r->dir, NULL);
    return r->pid > 0 ? 0 : -1;
}

static inline int test_redis_down(test_redis_t *r)
{
    /* An AOF rewrite (every erase and redaction starts one) runs in a
     * child: SHUTDOWN NOSAVE stops it and removes its files, where a
     * SIGKILL of the server alone leaves it writing into dir while dir is
     * removed (rm then fails now and then). */
    struct timeval tv = {1, 0}; /* a stopped or hung server: SIGKILL below */
    redisContext *c = r->pid > 0 ? redisConnectWithTimeout("127.0.0.1", r->port, tv) : NULL;
    if (c && !c->err && redisSetTimeout(c, tv) == REDIS_OK)
        freeReplyObject(redisCommand(c, "SHUTDOWN NOSAVE"));
    if (c)
        redisFree(c);
    test_redis_stop(&r->pid);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
