/*
 * NAME
 *   service - start-up and stop steps shared by the services (see service.h)
 */
#include "service.h"

#include <pthread.h>
#include <sodium.h>

#include "log.h"

void service_init(config_t *cfg, const char *service, int http_offset)
{
    char err[256], q[300];
    if (config_load(cfg, service, http_offset, err, sizeof err) < 0) {
        log_init(service);
        log_fatal("msg=\"bad configuration\" err=%s", log_quote(q, sizeof q, err));
    }
    log_init(cfg->name);
    if (sodium_init() < 0)
        log_fatal("msg=\"libsodium cannot start\"");
}

void service_block_stop(sigset_t *stop)
{
    sigemptyset(stop);
    sigaddset(stop, SIGTERM);
    sigaddset(stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, stop, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int service_wait_stop(const sigset_t *stop)
{
    int sig = 0;
    sigwait(stop, &sig);
    log_info("msg=\"stopping\" signal=%d", sig);
    return sig;
}

static volatile sig_atomic_t *s_stop_flag;

static void s_on_stop(int sig)
{
    (void)sig;
    if (s_stop_flag)
        *s_stop_flag = 1;
}

void service_on_stop(volatile sig_atomic_t *flag)
{
    s_stop_flag = flag;
    struct sigaction sa = {.sa_handler = s_on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

http_server_t *service_http_new(const config_t *cfg, size_t max_body)
{
    return http_server_new(&(http_opts_t){.port = cfg->http_port,
                                          .max_body = max_body,
                                          .threads = cfg->http_threads,
                                          .name = cfg->name});
}

int service_http_start(http_server_t **srv_p, const config_t *cfg)
{
    char err[256], q[300];
    if (!*srv_p) {
        log_error("msg=\"cannot make http server\" port=%d", cfg->http_port);
        return -1;
    }
    if (http_server_start(*srv_p, err, sizeof err) < 0) {
        log_error("msg=\"cannot start http server\" port=%d err=%s", cfg->http_port,
                  log_quote(q, sizeof q, err));
        http_server_destroy(srv_p);
        return -1;
    }
    return 0;
}
