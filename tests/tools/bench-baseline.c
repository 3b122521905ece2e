/*
 * NAME
 *   bench-baseline - the smallest useful libmicrohttpd server, as the floor
 *                    the intake is compared with in `make bench`
 *
 * SUMMARY
 *   bench-baseline PORT [THREADS]
 *
 * DESCRIPTION
 *   Listens on 127.0.0.1:PORT, reads every request body to its end (so the
 *   bytes are really received, as the intake must) and answers
 *   201 {"id":"x","status":"accepted"}. Nothing is parsed, stored or
 *   fsync'd: the figure is what libmicrohttpd itself can do on this
 *   machine. THREADS > 0 (default: the number of online CPUs) uses a pool
 *   of that many epoll threads, the fastest libmicrohttpd mode for short
 *   requests on keep-alive connections; 0 uses one thread per connection
 *   (what the intake uses by default, see docs/benchmarks.md).
 *   Runs until SIGTERM or SIGINT.
 *
 * DIAGNOSTICS
 *   Exit 1 when the port cannot be opened, 2 on bad arguments.
 */
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char S_BODY[] = "{\"id\":\"x\",\"status\":\"accepted\"}";
static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

/* First call: mark the connection; later calls: drop the body as it comes;
 * last call: answer. The marker is a static byte, so nothing is allocated
 * per request (what a bare server would do). */
static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls)
{
    static char marker;
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof S_BODY - 1, (void *)S_BODY,
                                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, 201, r);
    MHD_destroy_response(r);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench-baseline PORT [THREADS]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long threads = argc == 3 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN);
    if (port <= 0 || port > 65535 || threads < 0 || threads > 1024) {
        fprintf(stderr, "bench-baseline: bad port or thread count\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    flags |= threads > 0 ? MHD_USE_EPOLL : (MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL);
    /* The pool option only with a pool: libmicrohttpd warns about size 0. */
    struct MHD_Daemon *d =
        threads > 0
            ? MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, s_access, NULL,
                               MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_CONNECTION_LIMIT, 1000u,
                               MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_END)
            : MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, s_access, NULL,
                               MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_CONNECTION_LIMIT, 1000u,
                               MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench-baseline: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    printf("listening %d\n", port);
    fflush(stdout);
    while (!s_stop)
        pause();
    MHD_stop_daemon(d);
    return 0;
}
