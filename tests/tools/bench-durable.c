/*
 * NAME
 *   bench-durable - the smallest DURABLE libmicrohttpd server: the floor a
 *                   durable intake can reach on this machine, for `make bench`
 *
 * SUMMARY
 *   bench-durable PORT MODE [THREADS] [DIR]
 *
 * DESCRIPTION
 *   Like bench-baseline it reads every request body and answers
 *   201 {"id":"x","status":"accepted"}, but only after the body is written
 *   to a file and fdatasync'd, in group commits: what the intake must do at
 *   the least (nothing is parsed, checked, encoded or sent on). The file is
 *   DIR/durable.seg (default: the current folder), 64 MiB preallocated and
 *   zeroed before the first request (as the intake's spool segments), and
 *   written round, so a long run needs no more room.
 *
 *   MODE pool: THREADS poll threads (default: the number of online CPUs)
 *   with MHD_ALLOW_SUSPEND_RESUME; a request's body is appended to the open
 *   group, its connection suspended; one sync thread writes and fdatasyncs
 *   each group and resumes its connections (the intake's design).
 *   MODE tpc: one thread per connection; a request appends its body and
 *   waits. The first waiter that finds no write in progress writes and
 *   fdatasyncs the whole group for everybody (leader/follower group
 *   commit: no sync thread, no suspend/resume).
 *
 *   Hand-written on purpose: it is the measuring stick, so it must not
 *   share the intake's code.
 *
 * DIAGNOSTICS
 *   Exit 1 when the port or the file cannot be opened, 2 on bad arguments.
 *   A failed write or fdatasync ends the process (exit 1): a floor that
 *   answered without its fsync would measure nothing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEG_BYTES (64u << 20)
#define BODY_MAX 4096u
#define GROUP_MAX (4u << 20)
#define WAITERS_MAX 4096u

static const char S_BODY[] = "{\"id\":\"x\",\"status\":\"accepted\"}";
static volatile sig_atomic_t s_stop;

/* One request: its body, then the group sequence it was appended in. */
typedef struct {
    char body[BODY_MAX];
    size_t len;
    uint64_t group;
    struct MHD_Connection *conn;
    int done; /* pool mode: set by the sync thread before resume */
} req_t;

/* The open group (appended, not yet written) and the sync state. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t kick;     /* pool: a group waits for the sync thread */
    pthread_cond_t synced;   /* tpc: a group became durable */
    char *buf;               /* open group's bytes */
    size_t len;
    req_t **waiters;         /* pool: suspended requests of the open group */
    size_t n_waiters;
    uint64_t open_group;     /* sequence of the group being filled */
    uint64_t durable_group;  /* every group < this one is durable */
    int writing;             /* tpc: a leader is writing */
    int fd;
    off_t off;
} G = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .kick = PTHREAD_COND_INITIALIZER,
       .synced = PTHREAD_COND_INITIALIZER,
       .open_group = 1,
       .durable_group = 1};

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_die(const char *what)
{
    fprintf(stderr, "bench-durable: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Write buf at the file's offset (round the segment) and fdatasync. */
static void s_write_sync(const char *buf, size_t len)
{
    if (G.off + (off_t)len > (off_t)SEG_BYTES)
        G.off = 0;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(G.fd, buf + done, len - done, G.off + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            s_die("pwrite");
        done += (size_t)n;
    }
    G.off += (off_t)len;
    if (fdatasync(G.fd) < 0)
        s_die("fdatasync");
}

/* Append one record (4-byte length, body) to the open group; mu held. */
static void s_append(req_t *r)
{
    uint32_t n = (uint32_t)r->len;
    memcpy(G.buf + G.len, &n, 4);
    memcpy(G.buf + G.len + 4, r->body, r->len);
    G.len += 4 + r->len;
    r->group = G.open_group;
}

/* Pool mode: the sync thread. Takes the open group, writes it outside the
 * lock (new requests fill the next group meanwhile), resumes its waiters. */
static void *s_sync_thread(void *arg)
{
    (void)arg;
    char *spare = malloc(GROUP_MAX);
    req_t **spare_w = malloc(WAITERS_MAX * sizeof *spare_w);
    if (!spare || !spare_w)
        s_die("malloc");
    pthread_mutex_lock(&G.mu);
    for (;;) {
        while (G.n_waiters == 0 && !s_stop)
            pthread_cond_wait(&G.kick, &G.mu);
        if (s_stop && G.n_waiters == 0)
            break;
        char *buf = G.buf;
        size_t len = G.len;
        req_t **w = G.waiters;
        size_t nw = G.n_waiters;
        G.buf = spare;
        G.waiters = spare_w;
        G.len = 0;
        G.n_waiters = 0;
        G.open_group++;
        pthread_mutex_unlock(&G.mu);
        s_write_sync(buf, len);
        for (size_t i = 0; i < nw; i++) {
            w[i]->done = 1;
            MHD_resume_connection(w[i]->conn);
        }
        spare = buf;
        spare_w = w;
        pthread_mutex_lock(&G.mu);
    }
    pthread_mutex_unlock(&G.mu);
    return NULL;
}

/* Tpc mode: wait until r's group is durable, writing it ourselves when no
 * one else is writing (leader/follower group commit). */
static void s_wait_durable(req_t *r, char **spare)
{
    pthread_mutex_lock(&G.mu);
    while (G.durable_group <= r->group) {
        if (G.writing) {
            pthread_cond_wait(&G.synced, &G.mu);
            continue;
        }
        G.writing = 1;
        char *buf = G.buf;
        size_t len = G.len;
        uint64_t upto = G.open_group;
        G.buf = *spare;
        G.len = 0;
        G.open_group++;
        pthread_mutex_unlock(&G.mu);
        s_write_sync(buf, len);
        *spare = buf;
        pthread_mutex_lock(&G.mu);
        G.durable_group = upto + 1;
        G.writing = 0;
        pthread_cond_broadcast(&G.synced);
    }
    pthread_mutex_unlock(&G.mu);
}

static int s_tpc;

static enum MHD_Result s_answer(struct MHD_Connection *conn)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sizeof S_BODY - 1, (void *)S_BODY, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, 201, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    req_t *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->conn = conn;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (r->len + n > BODY_MAX)
            return MHD_NO;
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->done)
        return s_answer(conn);
    if (s_tpc) {
        static __thread char *spare;
        if (!spare && !(spare = malloc(GROUP_MAX)))
            return MHD_NO;
        pthread_mutex_lock(&G.mu);
        s_append(r);
        pthread_mutex_unlock(&G.mu);
        s_wait_durable(r, &spare);
        return s_answer(conn);
    }
    pthread_mutex_lock(&G.mu);
    if (G.n_waiters == WAITERS_MAX || G.len + 4 + r->len > GROUP_MAX) {
        pthread_mutex_unlock(&G.mu);
        return MHD_NO; /* cannot happen at bench loads; refuse, never lose */
    }
    s_append(r);
    G.waiters[G.n_waiters++] = r;
    MHD_suspend_connection(conn);
    pthread_cond_signal(&G.kick);
    pthread_mutex_unlock(&G.mu);
    return MHD_YES;
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static int s_open_segment(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/durable.seg", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    /* Preallocated and zeroed, then synced: an fdatasync in the run writes
     * data only, no file size or extent change (as the intake's spool). */
    char *zero = calloc(1, 1u << 20);
    if (!zero)
        return -1;
    for (unsigned i = 0; i < SEG_BYTES >> 20; i++)
        if (pwrite(fd, zero, 1u << 20, (off_t)i << 20) != (ssize_t)(1u << 20))
            return -1;
    free(zero);
    if (fsync(fd) < 0)
        return -1;
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5 || (strcmp(argv[2], "pool") && strcmp(argv[2], "tpc"))) {
        fprintf(stderr, "usage: bench-durable PORT pool|tpc [THREADS] [DIR]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    s_tpc = strcmp(argv[2], "tpc") == 0;
    long threads = argc >= 4 ? atol(argv[3]) : sysconf(_SC_NPROCESSORS_ONLN);
    const char *dir = argc == 5 ? argv[4] : ".";
    if (port <= 0 || port > 65535 || threads < 1 || threads > 1024) {
        fprintf(stderr, "bench-durable: bad port or thread count\n");
        return 2;
    }
    G.fd = s_open_segment(dir);
    G.buf = malloc(GROUP_MAX);
    G.waiters = malloc(WAITERS_MAX * sizeof *G.waiters);
    if (G.fd < 0 || !G.buf || !G.waiters)
        s_die("segment");
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    pthread_t sync;
    if (!s_tpc && pthread_create(&sync, NULL, s_sync_thread, NULL) != 0)
        s_die("pthread_create");

    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d;
    if (s_tpc)
        d = MHD_start_daemon(flags | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
                             (uint16_t)port, NULL, NULL, s_access, NULL, MHD_OPTION_SOCK_ADDR,
                             &sin, MHD_OPTION_CONNECTION_LIMIT, 1000u,
                             MHD_OPTION_NOTIFY_COMPLETED, s_completed, NULL, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME, (uint16_t)port,
                             NULL, NULL, s_access, NULL, MHD_OPTION_SOCK_ADDR, &sin,
                             MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_NOTIFY_COMPLETED,
                             s_completed, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                             MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench-durable: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    printf("listening %d\n", port);
    fflush(stdout);
    while (!s_stop)
        pause();
    /* The last group is written and answered first; the process then ends
     * without MHD_stop_daemon(), which aborts while a resumed connection
     * has not yet been picked up by its thread (a measuring tool needs no
     * orderly close: the file is synced, the clients are gone). */
    pthread_mutex_lock(&G.mu);
    pthread_cond_signal(&G.kick);
    pthread_mutex_unlock(&G.mu);
    if (!s_tpc)
        pthread_join(sync, NULL);
    (void)d;
    return 0;
}
