/*
 * NAME
 *   dashboard - the staff dashboard: JSON API over the ideas in Redis
 *
 * SUMMARY
 *   dashboard          (settings from the environment, see config.h)
 *
 * DESCRIPTION
 *   Reads what storage wrote into Redis (docs/redis.md) and never writes
 *   ideas (DESIGN.md contract 4). Routes (INTERFACES.md "Staff dashboard"):
 *
 *     GET /                     a short Dutch page; the staff UI comes later
 *     GET /api/v1/ideas         filtered list, newest first, cursor paging
 *     GET /api/v1/ideas/{id}    one idea, or 404
 *     GET /api/v1/stats?by=DIM  counts per value
 *     GET /healthz, /metrics    503 when Redis does not answer PING
 *
 *   Every /api/ route needs "Authorization: Bearer <staff token>" (made with
 *   inspraakctl token create); without a known token: 401 with
 *   WWW-Authenticate: Bearer. Names and email addresses are never served.
 *
 * CONFIGURATION
 *   INSPRAAK_REDIS_URL, INSPRAAK_PORT_BASE, INSPRAAK_HTTP_PORT (default
 *   PORT_BASE+10), INSPRAAK_HTTP_THREADS, INSPRAAK_HTTP_BIND,
 *   INSPRAAK_LOG_LEVEL.
 *
 * DIAGNOSTICS
 *   Structured log lines on stderr; inspraak_http_requests_total and the
 *   other metrics of http.h on /metrics.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dashboard.h"
#include "log.h"
#include "xalloc.h"

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

rstore_t *dash_redis_get(dash_t *d)
{
    rstore_t *rs = NULL;
    pthread_mutex_lock(&d->mu);
    if (d->n_idle > 0)
        rs = d->idle[--d->n_idle];
    pthread_mutex_unlock(&d->mu);
    if (!rs) {
        char err[256];
        rs = rstore_new(d->cfg.redis_url, err, sizeof err);
        if (!rs) /* checked at start-up; cannot change since */
            log_fatal("msg=\"bad redis url\" err=\"%s\"", err);
    }
    return rs;
}

void dash_redis_put(dash_t *d, rstore_t *rs)
{
    pthread_mutex_lock(&d->mu);
    if (d->n_idle < DASH_POOL_MAX) {
        d->idle[d->n_idle++] = rs;
        rs = NULL;
    }
    pthread_mutex_unlock(&d->mu);
    rstore_destroy(&rs);
}

void dash_unavailable(http_res_t *res, rstore_t *rs)
{
    char q[300];
    log_warn("msg=\"redis request failed\" err=%s", log_quote(q, sizeof q, rstore_error(rs)));
    http_res_error(res, 503, "unavailable",
                   "De gegevens zijn nu niet bereikbaar. Probeer het over een paar minuten "
                   "opnieuw.",
                   NULL);
    http_res_header(res, "Retry-After", "30");
}

static int s_health(char *reason, size_t size, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    int ok = rstore_ping(rs);
    if (!ok)
        snprintf(reason, size, "redis does not answer: %s", rstore_error(rs));
    dash_redis_put(d, rs);
    return ok;
}

static const char S_HOME[] =
    "<!doctype html>\n<html lang=\"nl\">\n<head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>Inspraak Heerlen - dashboard</title></head>\n<body>\n"
    "<main>\n<h1>Inspraak Heerlen: dashboard voor medewerkers</h1>\n"
    "<p>De schermen voor medewerkers komen later. Nu kunt u de gegevens al opvragen via de "
    "API. Daarvoor heeft u een API-sleutel nodig "
    "(<code>inspraakctl token create NAAM</code>).</p>\n<ul>\n"
    "<li><a href=\"/api/v1/ideas\">/api/v1/ideas</a>: alle ideeën, nieuwste eerst, met "
    "filters</li>\n"
    "<li><a href=\"/api/v1/stats?by=wijk\">/api/v1/stats?by=wijk</a>: aantallen per wijk "
    "(of per theme, channel, sentiment, question, target_group, activity, day)</li>\n"
    "<li><a href=\"/healthz\">/healthz</a>: werkt alles?</li>\n"
    "</ul>\n</main>\n</body>\n</html>\n";

static void s_home(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    (void)arg;
    http_res_set(res, 200, "text/html; charset=utf-8", S_HOME, sizeof S_HOME - 1);
}

int main(void)
{
    static dash_t d;
    char err[256];
    log_init("dashboard");
    if (config_load(&d.cfg, "dashboard", PORT_OFF_DASHBOARD, err, sizeof err) < 0)
        log_fatal("msg=\"bad configuration\" err=\"%s\"", err);
    log_init(d.cfg.name);
    rstore_t *probe = rstore_new(d.cfg.redis_url, err, sizeof err);
    if (!probe)
        log_fatal("msg=\"bad redis url\" err=\"%s\"", err);
    pthread_mutex_init(&d.mu, NULL);
    dash_redis_put(&d, probe);

    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    http_server_t *srv = http_server_new(&(http_opts_t){.port = d.cfg.http_port,
                                                        .threads = d.cfg.http_threads,
                                                        .max_body = d.cfg.max_body,
                                                        .name = d.cfg.name});
    http_route(srv, "GET", "/", s_home, &d);
    http_route(srv, "GET", "/api/v1/ideas", api_ideas_list, &d);
    http_route(srv, "GET", "/api/v1/ideas/*", api_ideas_get, &d);
    http_route(srv, "GET", "/api/v1/stats", api_stats, &d);
    http_server_set_health(srv, s_health, &d);
    if (http_server_start(srv, err, sizeof err) < 0)
        log_fatal("msg=\"cannot start http\" port=%d err=\"%s\"", d.cfg.http_port, err);
    log_info("msg=\"started\" url=\"http://127.0.0.1:%d/\"", d.cfg.http_port);

    while (!s_stop)
        pause();
    log_info("msg=\"stopping\"");
    http_server_destroy(&srv);
    while (d.n_idle > 0)
        rstore_destroy(&d.idle[--d.n_idle]);
    pthread_mutex_destroy(&d.mu);
    return 0;
}
