/*
 * NAME
 *   dashboard - the staff dashboard (HTML, login), the public results page,
 *   the participatieverslag and the JSON API over the ideas in Redis
 *
 * SUMMARY
 *   dashboard          (settings from the environment, see config.h)
 *
 * DESCRIPTION
 *   Reads what storage wrote into Redis (docs/redis.md) and never writes
 *   ideas (DESIGN.md contract 4): moderation is an "update" envelope to
 *   storage (moderate.c). Routes (INTERFACES.md "Staff dashboard"):
 *
 *     GET /                     staff overview: totals, charts, wijk map
 *     GET|POST /login, POST /logout   staff session (session.c)
 *     GET /ideeen, /ideeen/{id}; POST /ideeen/{id}   list, detail, moderation
 *     GET|POST /activiteiten    activities register (people reached)
 *     GET /overgeslagen         mails intake-mail skipped, with the reason
 *     GET /clusters             near-duplicate clusters, largest first
 *     GET|POST /beheer          users and devices (role admin)
 *     GET|POST /campagnes[/{id}]  feedback campaigns (role admin; notify sends)
 *     GET|POST /bijeenkomst     the terugkombijeenkomst announcement (role admin)
 *     GET /resultaten           public results page (no login)
 *     GET /report[?format=pdf]  participatieverslag (session or API token)
 *     GET /api/v1/export.csv    CSV of a query (session or API token)
 *     GET /api/v1/export.json   the same as a JSON array
 *     GET /static/dashboard.css
 *     GET /api/v1/ideas         filtered list, newest first, cursor paging
 *     GET /api/v1/ideas/{id}    one idea, or 404
 *     GET /api/v1/stats?by=DIM  counts per value
 *     GET /healthz, /metrics    503 when Redis does not answer PING
 *
 *   /api/v1/ideas and /api/v1/stats need "Authorization: Bearer <staff
 *   token>" (inspraakctl token create); without a known token: 401 with
 *   WWW-Authenticate: Bearer. Names and email addresses are never served.
 *
 * CONFIGURATION
 *   INSPRAAK_REDIS_URL, INSPRAAK_PORT_BASE, INSPRAAK_HTTP_PORT (default
 *   PORT_BASE+10), INSPRAAK_HTTP_THREADS, INSPRAAK_HTTP_BIND,
 *   INSPRAAK_LOG_LEVEL, INSPRAAK_BUS_STORE, INSPRAAK_BUS_EVENTS (moderation),
 *   INSPRAAK_BUS_CLASSIFY (moderation that moves an idea to another cluster),
 *   INSPRAAK_DATA (wijk names and map; INSPRAAK_GEO_WIJKEN overrides the
 *   map file; data/nl/themes.tsv: theme labels, INSPRAAK_THEMES_FILE
 *   overrides as for the classifier), INSPRAAK_SECURE_COOKIES=1 (behind TLS),
 *   INSPRAAK_SESSION_IDLE_S [1800], INSPRAAK_SESSION_MAX_S [28800],
 *   INSPRAAK_SESSION_LONG_IDLE_S [72000] (the idle limit staff may choose
 *   at login; session.c),
 *   INSPRAAK_LOGIN_MAX_IP [20] and INSPRAAK_LOGIN_MAX_USER [5] (failed
 *   logins per 15 minutes), INSPRAAK_LOGIN_CHECKS_MAX [4] (password
 *   checks at once, 64 MiB each) and INSPRAAK_LOGIN_WAIT_MS [5000] (how
 *   long a login waits for one, then 503; password.c),
 *   INSPRAAK_CHROMIUM [/usr/bin/chromium],
 *   INSPRAAK_PUBLIC_CACHE_S [60] (/resultaten kept while unchanged, at most
 *   this long; 0: off, public_cache.c); for
 *   the campaign preview and test mail the mail settings of notify
 *   (INSPRAAK_SMTP_URL, INSPRAAK_MAIL_FROM, INSPRAAK_PUBLIC_URL,
 *   INSPRAAK_NOTIFY_PUBLIC_URL, INSPRAAK_FORM_PUBLIC_URL, INSPRAAK_SECRET_FILE:
 *   letter.h, mailout.h).
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

#include "bus.h"
#include "dashboard.h"
#include "log.h"
#include "password.h"
#include "service.h"
#include "xalloc.h"

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

/* What dash_unavailable() and dash_unavailable_page() say, in JSON or in a
 * page, after logging the Redis error. */
#define S_UNAVAILABLE                                                                              \
    "De gegevens zijn nu niet bereikbaar. Probeer het over een paar minuten opnieuw."

static void s_log_redis_failed(rstore_t *rs)
{
    char q[300];
    log_warn("msg=\"redis request failed\" err=%s", log_quote(q, sizeof q, rstore_error(rs)));
}

void dash_unavailable(http_res_t *res, rstore_t *rs)
{
    s_log_redis_failed(rs);
    http_res_error(res, 503, "unavailable", S_UNAVAILABLE, NULL);
    http_res_header(res, "Retry-After", "30");
}

void dash_unavailable_page(http_res_t *res, rstore_t *rs)
{
    s_log_redis_failed(rs);
    page_message(res, 503, "Even niet beschikbaar", S_UNAVAILABLE);
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

/* Settings of the staff UI (see CONFIGURATION above). */
static void s_config(dash_t *d)
{
    char err[256];
    struct {
        const char *name;
        long def, min, max;
        long *out;
    } longs[] = {
        {"INSPRAAK_SESSION_IDLE_S", 1800, 10, 86400, &d->idle_s},
        {"INSPRAAK_SESSION_MAX_S", 8 * 3600, 10, 7 * 86400, &d->max_s},
        {"INSPRAAK_SESSION_LONG_IDLE_S", 20 * 3600, 10, 7 * 86400, &d->long_idle_s},
        {"INSPRAAK_LOGIN_MAX_IP", 20, 1, 100000, &d->login_max_ip},
        {"INSPRAAK_LOGIN_MAX_USER", 5, 1, 100000, &d->login_max_user},
        {"INSPRAAK_LOGIN_CHECKS_MAX", 4, 1, 64, &d->login_checks_max},
        {"INSPRAAK_LOGIN_WAIT_MS", 5000, 0, 60000, &d->login_wait_ms},
        {"INSPRAAK_PUBLIC_CACHE_S", 60, 0, 3600, &d->public_cache_s},
    };
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++)
        if (config_long(longs[i].name, longs[i].def, longs[i].min, longs[i].max, longs[i].out, err,
                        sizeof err) < 0)
            log_fatal("msg=\"bad configuration\" err=\"%s\"", err);
    d->secure_cookies = strcmp(config_str("INSPRAAK_SECURE_COOKIES", "0"), "1") == 0;
    snprintf(d->chromium, sizeof d->chromium, "%s",
             config_str("INSPRAAK_CHROMIUM", "/usr/bin/chromium"));
    d->geo = geo_load(d->cfg.data_dir, err, sizeof err);
    if (!d->geo)
        log_warn("msg=\"no wijk names; codes are shown\" err=\"%s\"", err);
    char *def = xasprintf("%s/geo/heerlen_wijken_2014.geojson", d->cfg.data_dir);
    d->map = svg_map_load(config_str("INSPRAAK_GEO_WIJKEN", def), err, sizeof err);
    if (!d->map)
        log_warn("msg=\"no wijk map\" err=\"%s\"", err);
    free(def);
    /* The classifier's theme file, so the dashboard names the same themes. */
    const char *tf = config_str("INSPRAAK_THEMES_FILE", "");
    char *path = *tf ? xstrdup(tf) : xasprintf("%s/nl/themes.tsv", d->cfg.data_dir);
    if (page_themes_load(d, path, err, sizeof err) < 0)
        log_warn("msg=\"no theme labels; slugs are shown\" err=\"%s\"", err);
    else
        log_info("msg=\"themes loaded\" n=%zu file=\"%s\"", d->n_themes, path);
    free(path);
}

static void s_routes(http_server_t *srv, dash_t *d)
{
    http_route(srv, "GET", "/", ui_overview, d);
    http_route(srv, "GET", "/login", session_login_form, d);
    http_route(srv, "POST", "/login", session_login, d);
    http_route(srv, "POST", "/logout", session_logout, d);
    http_route(srv, "GET", "/ideeen", ui_ideas, d);
    http_route(srv, "GET", "/ideeen/*", ui_idea, d);
    http_route(srv, "POST", "/ideeen/*", ui_moderate, d);
    http_route(srv, "GET", "/activiteiten", ui_activities, d);
    http_route(srv, "GET", "/overgeslagen", ui_skipped, d);
    http_route(srv, "GET", "/clusters", ui_clusters, d);
    http_route(srv, "POST", "/clusters", ui_cluster_merge, d);
    http_route(srv, "GET", "/beheer", ui_admin, d);
    http_route(srv, "POST", "/beheer", ui_admin_post, d);
    http_route(srv, "GET", "/bijeenkomst", ui_meeting, d);
    http_route(srv, "POST", "/bijeenkomst", ui_meeting_post, d);
    http_route(srv, "GET", "/campagnes", ui_campaigns, d);
    http_route(srv, "POST", "/campagnes", ui_campaign_create, d);
    http_route(srv, "GET", "/campagnes/*", ui_campaign, d);
    http_route(srv, "POST", "/campagnes/*", ui_campaign_post, d);
    http_route(srv, "POST", "/activiteiten", ui_activity_add, d);
    http_route(srv, "GET", "/resultaten", ui_public, d);
    http_route(srv, "GET", "/report", report_page, d);
    http_route(srv, "GET", "/static/dashboard.css", page_css, d);
    http_route(srv, "GET", "/api/v1/export.csv", export_csv, d);
    http_route(srv, "GET", "/api/v1/export.json", export_json, d);
    http_route(srv, "GET", "/api/v1/ideas", api_ideas_list, d);
    http_route(srv, "GET", "/api/v1/ideas/*", api_ideas_get, d);
    http_route(srv, "GET", "/api/v1/stats", api_stats, d);
}

int main(void)
{
    static dash_t d;
    char err[256];
    service_init(&d.cfg, "dashboard", PORT_OFF_DASHBOARD);
    rstore_t *probe = rstore_new(d.cfg.redis_url, err, sizeof err);
    if (!probe)
        log_fatal("msg=\"bad redis url\" err=\"%s\"", err);
    pthread_mutex_init(&d.mu, NULL);
    dash_redis_put(&d, probe);
    s_config(&d);
    if (password_init(d.login_checks_max, d.login_wait_ms, err, sizeof err) < 0)
        log_fatal("msg=\"no password checks\" err=\"%s\"", err);

    sigset_t stop;
    service_block_stop(&stop); /* before the HTTP threads start */
    http_server_t *srv = service_http_new(&d.cfg, d.cfg.max_body);
    if (srv) {
        s_routes(srv, &d);
        http_server_set_health(srv, s_health, &d);
    }
    if (service_http_start(&srv, &d.cfg) < 0)
        log_fatal("msg=\"cannot start http\"");
    log_info("msg=\"started\" url=\"http://127.0.0.1:%d/\"", d.cfg.http_port);

    service_wait_stop(&stop);
    http_server_destroy(&srv);
    while (d.n_idle > 0)
        rstore_destroy(&d.idle[--d.n_idle]);
    pthread_mutex_destroy(&d.mu);
    svg_map_destroy(&d.map);
    page_themes_free(&d);
    geo_destroy(&d.geo);
    bus_shutdown();
    return 0;
}
