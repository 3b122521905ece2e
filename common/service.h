/*
 * NAME
 *   service - the start-up and stop steps every inspraak service repeats
 *
 * SUMMARY
 *   config_t cfg;
 *   sigset_t stop;
 *   service_init(&cfg, "intake-form", PORT_OFF_FORM);  // or exits
 *   service_block_stop(&stop);     // before any thread is started
 *   http_server_t *srv = service_http_new(&cfg, cfg.max_body);
 *   http_route(srv, ...);
 *   if (service_http_start(&srv, &cfg) < 0) ...;
 *   int sig = service_wait_stop(&stop);
 *
 * DESCRIPTION
 *   service_init() loads the configuration (config.h), names the log after
 *   "<service>.<instance>" and starts libsodium; a bad setting or a library
 *   that cannot start is fatal (logged, exit 1): a service must not guess.
 *   service_block_stop() blocks SIGTERM and SIGINT in the calling thread
 *   and in every thread started after it (threads inherit the mask), so
 *   that only service_wait_stop() (sigwait) or a sigtimedwait() on the same
 *   set sees them; it also ignores SIGPIPE (a client that hangs up must not
 *   kill the process).
 *   service_on_stop() is the same for services whose main loop polls (ZeroMQ
 *   or Redis) instead of sleeping in sigwait(): SIGTERM and SIGINT set
 *   *flag, which the loop checks after each poll timeout, and SIGPIPE is
 *   ignored.
 *   service_http_new() makes an HTTP server with the configured port and
 *   thread mode; service_http_start() starts it, logs why when it cannot,
 *   and then destroys it (*srv = NULL).
 */
#ifndef INSPRAAK_SERVICE_H
#define INSPRAAK_SERVICE_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "http.h"

void service_init(config_t *cfg, const char *service, int http_offset);
void service_block_stop(sigset_t *stop);
/* Waits for SIGTERM or SIGINT (blocked with service_block_stop) and logs it. */
int service_wait_stop(const sigset_t *stop);
/* Sets *flag to 1 on SIGTERM or SIGINT (one flag per process). */
void service_on_stop(volatile sig_atomic_t *flag);

http_server_t *service_http_new(const config_t *cfg, size_t max_body);
int service_http_start(http_server_t **srv_p, const config_t *cfg);

#endif
