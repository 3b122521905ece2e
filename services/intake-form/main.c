/*
 * NAME
 *   intake-form - the online idea box (ideeënbus) of the omgevingsvisie
 *
 * SUMMARY
 *   INSPRAAK_PORT_BASE=8080 INSPRAAK_VAR=./var bin/intake-form
 *
 * DESCRIPTION
 *   Reads ideas that residents type into the Dutch web form (GET /,
 *   POST /ideeen) or that programs send as JSON (POST /api/v1/ideas), checks
 *   them (form_validate.h), and writes each accepted idea as an ENV_IDEA
 *   envelope into its spool $INSPRAAK_VAR/spool/intake-form.<instance>/,
 *   from where common/intake.c sends it on the bus to the classifiers until
 *   storage acknowledges it.
 *
 *   Guarantees: "accepted" (the thank-you page, HTTP 201) is answered only
 *   after the intake reported the idea fsync'd in the spool (the request
 *   is deferred meanwhile: intake_submit_async, http_defer); otherwise 503 and nothing is promised.
 * The same Idempotency-Key gives the same id, and storage is idempotent on ids, so a repeated
 *   request stores nothing new; the HTML form carries a hidden per-page key
 *   with the same effect for a double click or a reload of the same text.
 *   Bad input gets a 4xx with Dutch messages and changes nothing. Names and
 *   email addresses travel only in the envelope's participant part.
 *
 *   Also: GET /privacy (the privacy text), GET /healthz (200 while the spool
 *   is writable), GET /metrics (Prometheus text). Without geo data the form
 *   still works; only the list of wijken is empty (logged at start).
 *   SIGTERM/SIGINT stop the HTTP server first (running requests finish),
 *   then the spool sender; exit status 0.
 *
 * ENVIRONMENT
 *   The common variables of config.h (INSPRAAK_PORT_BASE, INSPRAAK_VAR,
 *   INSPRAAK_DATA, INSPRAAK_HTTP_PORT [BASE+0], INSPRAAK_MAX_BODY, ...) and
 *     INSPRAAK_FORM_RATE  POSTs per minute per client address [30]; 0: no limit
 *     INSPRAAK_PRIVACY_CONTACT  the address /privacy says to write to
 *                         [PAGE_PRIVACY_CONTACT, pages.h]
 *   INSPRAAK_HTTP_THREADS here means the size of the HTTP epoll pool; 0
 *   (the default) gives one thread per core (there is no thread per
 *   connection for this service: a waiting idea suspends its connection).
 *
 * DIAGNOSTICS
 *   Structured log lines on stderr. Metrics: inspraak_form_ideas_total
 *   {via="html"|"api"}, inspraak_form_rejected_total{code=...},
 *   inspraak_form_honeypot_total, inspraak_form_rate_limited_total.
 */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "form_validate.h"
#include "geo.h"
#include "http.h"
#include "intake.h"
#include "log.h"
#include "service.h"
#include "metrics.h"
#include "pages.h"
#include "ratelimit.h"
#include "xalloc.h"

#define HTML_TYPE "text/html; charset=utf-8"
#define FORM_CONN_MEMORY (16 * 1024)

#define MSG_UNAVAILABLE                                                                            \
    "Het lukt nu niet om uw idee op te slaan. Probeer het over een paar minuten opnieuw."
#define MSG_TOO_MANY "U stuurt veel in korte tijd. Wacht even en probeer het dan opnieuw."

static const char *const s_codes[] = {"validation_failed",
                                      "invalid_json",
                                      "unsupported_media_type",
                                      "invalid_idempotency_key",
                                      "bad_form",
                                      "too_many_requests",
                                      "unavailable",
                                      NULL};

typedef struct {
    config_t cfg;
    geo_t *geo;
    intake_t *intake;
    ratelimit_t *rate;
    long per_minute; /* 0: no limit, and no client address to look up */
    const char *privacy_contact; /* INSPRAAK_PRIVACY_CONTACT */
    metric_t *ideas_html;
    metric_t *ideas_api;
    metric_t *honeypot;
    metric_t *rate_limited;
    metric_t *rejected[sizeof s_codes / sizeof s_codes[0]];
} s_app_t;

static void s_reject(s_app_t *app, const char *code)
{
    for (int i = 0; s_codes[i]; i++)
        if (strcmp(s_codes[i], code) == 0)
            metric_inc(app->rejected[i]);
}

/* A fresh random key for a form page: 16 bytes, hex. */
static void s_new_key(char out[33])
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, 33, raw, sizeof raw);
}

/* Pages may be framed by nobody, load nothing from elsewhere, and post
 * only to us: the form needs no script at all. (nosniff and the referrer
 * policy come from the http helper.) */
static void s_html(http_res_t *res, int status, char *page, size_t len)
{
    http_res_take(res, status, HTML_TYPE, page, len);
    http_res_header(res, "Cache-Control", "no-store");
    http_res_header(res, "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                    "frame-ancestors 'none'; base-uri 'none'");
}

static void s_retry_after(http_res_t *res, int seconds)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", seconds);
    http_res_header(res, "Retry-After", buf);
}

/* True when the client may go on; else counts it and fills *retry_s. */
static bool s_rate_ok(s_app_t *app, const http_req_t *req, int *retry_s)
{
    if (app->per_minute == 0)
        return true; /* the client address (inet_ntop) is only needed for the limit */
    char ip[64];
    http_client_net(req, ip, sizeof ip); /* an IPv6 client: its /64 */
    if (ratelimit_allow(app->rate, ip, clock_mono_ms(), retry_s))
        return true;
    metric_inc(app->rate_limited);
    s_reject(app, "too_many_requests");
    return false;
}

/* An idea waiting for the fsync of its spool record: the handler spools
 * it and defers the answer (http_defer), the spool's fsync thread calls
 * s_durable(), and s_answer() then answers on an HTTP thread. */
typedef struct {
    s_app_t *app;
    http_later_t *later;
    form_t f; /* moved in from the handler: the answer page needs it */
    char id[PROTO_ID_SIZE];
    char key[FORM_KEY_MAX + 1]; /* HTML: the page's key, to show the form again */
    bool html;
    int rc; /* 0: durable */
} s_pending_t;

/* On the spool's fsync thread: only hand over. */
static void s_durable(void *arg, int rc, int err)
{
    (void)err; /* logged by the intake */
    s_pending_t *p = arg;
    p->rc = rc;
    http_resume(p->later); /* p may be gone once this returns */
}

/* The answer, once the idea is durable or cannot be. Frees p. */
static void s_answer(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    s_pending_t *p = arg;
    s_app_t *app = p->app;
    size_t len;
    if (p->rc < 0) {
        s_reject(app, "unavailable");
        if (p->html) {
            char *page = page_form(&p->f, app->geo, p->key, MSG_UNAVAILABLE, &len);
            s_html(res, 503, page, len);
        } else {
            http_res_error(res, 503, "unavailable", MSG_UNAVAILABLE, NULL);
        }
        s_retry_after(res, 60);
    } else if (p->html) {
        metric_inc(app->ideas_html);
        log_debug("msg=\"idea accepted\" id=%s via=html", p->id);
        char *page = page_thanks(p->id, p->f.consent && p->f.clean[FORM_EMAIL],
                                 p->f.clean[FORM_NAME] && !p->f.clean[FORM_EMAIL], &len);
        s_html(res, 200, page, len);
    } else {
        metric_inc(app->ideas_api);
        log_debug("msg=\"idea accepted\" id=%s via=api", p->id);
        /* What json_dumps(JSON_COMPACT) gave for {"id", "status"}, without
         * building and dumping a jansson object per idea: an id is
         * "<letter>-<16 hex>" (proto_derive_id), nothing to escape. Put
         * together by hand: vsnprintf twice (xasprintf) showed up per idea. */
        static const char head[] = "{\"id\":\"", tail[] = "\",\"status\":\"accepted\"}";
        size_t idlen = strlen(p->id), len = sizeof head - 1 + idlen + sizeof tail - 1;
        char *body = xmalloc(len + 1);
        memcpy(body, head, sizeof head - 1);
        memcpy(body + sizeof head - 1, p->id, idlen);
        memcpy(body + sizeof head - 1 + idlen, tail, sizeof tail); /* with the NUL */
        http_res_take(res, 201, "application/json", body, len);
    }
    form_clear(&p->f);
    free(p);
}

/* Spools the validated idea *f (moved into the pending state: the caller
 * must not clear it) and defers the answer to s_answer(), which says
 * "accepted" only once the idea is durable. Per-request events are
 * counted in metrics and logged at debug level: an info line per idea cost
 * CPU on the busiest path. */
static void s_submit(s_app_t *app, const http_req_t *req, form_t *f, const char *id,
                     const char *key, const char *page_key)
{
    s_pending_t *p = xcalloc(1, sizeof *p);
    p->app = app;
    p->f = *f;
    form_init(f);
    snprintf(p->id, sizeof p->id, "%s", id);
    p->html = page_key != NULL;
    if (page_key)
        snprintf(p->key, sizeof p->key, "%s", page_key);
    /* Defer before spooling: the fsync may finish before the call returns. */
    p->later = http_defer(req, s_answer, p);
    /* A view into p->f, not a copy: it is encoded into the spool record
     * and dropped (a dozen strdup/free pairs less per idea). */
    envelope_t env;
    idea_t idea;
    participant_t person;
    char err[256], q[300];
    form_envelope_view(&p->f, id, key, clock_wall_ms(), &env, &idea, &person);
    int rc = intake_submit_async(app->intake, &env, s_durable, p, err, sizeof err);
    free(env.origin); /* set by the intake: the one string the view owns */
    envelope_init(&env);
    if (rc < 0)
        log_error("msg=\"cannot spool idea\" id=%s err=%s", id, log_quote(q, sizeof q, err));
    if (rc != 0) { /* no callback follows: 1 = durable already, -1 = failed */
        p->rc = rc < 0 ? -1 : 0;
        http_resume(p->later);
    }
}

/* ------------------------------------------------------------------ */
/* Pages                                                              */
/* ------------------------------------------------------------------ */

static void s_get_form(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    s_app_t *app = arg;
    char key[33];
    s_new_key(key);
    size_t len;
    char *page = page_form(NULL, app->geo, key, NULL, &len);
    s_html(res, 200, page, len);
}

static void s_get_privacy(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    s_app_t *app = arg;
    size_t len;
    char *page = page_privacy(app->privacy_contact, &len);
    s_html(res, 200, page, len);
}

/* GET /ideeen: a resident who reloads or bookmarks the thank-you page
 * (the answer to POST /ideeen) is sent to the form, not shown an error. */
static void s_get_ideeen(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    (void)arg;
    http_res_set(res, 303, "text/plain; charset=utf-8", "", 0);
    http_res_header(res, "Location", "/");
}

static int s_on_field(const char *key, const char *value, size_t len, void *arg)
{
    return form_set(arg, key, value, len);
}

/* The id of an HTML idea: the page's key plus the text, so a double click
 * or a reload is one idea, while a changed text sent from the same page
 * (back button, edit, send) is a new one. */
static void s_html_id(const form_t *f, const char *key, char id[PROTO_ID_SIZE])
{
    char *source = xasprintf("%s\n%s", key, f->clean[FORM_TEXT]);
    proto_derive_id("form", source, id);
    free(source);
}

static void s_post_form(const http_req_t *req, http_res_t *res, void *arg)
{
    s_app_t *app = arg;
    form_t f;
    form_init(&f);
    size_t len;
    char *page;
    if (http_form_fields(req, app->cfg.max_body, s_on_field, &f) < 0) {
        s_reject(app, "bad_form");
        page = page_message("Het formulier is niet goed aangekomen",
                            "Ga terug naar het formulier en probeer het opnieuw.", &len);
        s_html(res, 400, page, len);
        form_clear(&f);
        return;
    }
    char key[FORM_KEY_MAX + 1], id[PROTO_ID_SIZE];
    if (form_key_valid(f.key))
        snprintf(key, sizeof key, "%s", f.key);
    else
        s_new_key(key);
    int retry_s;
    if (f.honeypot) {
        /* Thank the bot like a person, so it learns nothing; store nothing. */
        metric_inc(app->honeypot);
        proto_derive_id("form", NULL, id);
        page = page_thanks(id, false, false, &len);
        s_html(res, 200, page, len);
    } else if (!s_rate_ok(app, req, &retry_s)) {
        page = page_form(&f, app->geo, key, MSG_TOO_MANY, &len);
        s_html(res, 429, page, len);
        s_retry_after(res, retry_s);
    } else if (form_validate(&f, app->geo) < 0) {
        s_reject(app, "validation_failed");
        page = page_form(&f, app->geo, key, NULL, &len);
        s_html(res, 422, page, len);
    } else {
        s_html_id(&f, key, id);
        s_submit(app, req, &f, id, NULL, key); /* answered by s_answer() */
    }
    form_clear(&f);
}

/* ------------------------------------------------------------------ */
/* JSON API                                                           */
/* ------------------------------------------------------------------ */

static void s_api_error(s_app_t *app, http_res_t *res, int status, const char *code,
                        const char *msg, json_t *fields)
{
    s_reject(app, code);
    http_res_error(res, status, code, msg, fields);
}

/* Checks the request's form; returns the parsed body, or NULL with res
 * filled with the error. */
static json_t *s_api_parse(s_app_t *app, const http_req_t *req, http_res_t *res, const char **key)
{
    char ctype[128];
    const char *ct = http_content_type(req, ctype, sizeof ctype);
    if (!ct || strcmp(ct, "application/json") != 0) {
        s_api_error(app, res, 415, "unsupported_media_type",
                    "Stuur uw idee als JSON, met Content-Type: application/json.", NULL);
        return NULL;
    }
    *key = http_header(req, "Idempotency-Key");
    if (*key && !form_key_valid(*key)) {
        s_api_error(app, res, 400, "invalid_idempotency_key",
                    "De Idempotency-Key moet 1 tot 200 gewone tekens zijn (letters, cijfers, "
                    "leestekens).",
                    NULL);
        return NULL;
    }
    size_t len;
    const char *body = http_body(req, &len);
    json_error_t jerr;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        s_api_error(app, res, 400, "invalid_json",
                    "Dit is geen geldige JSON. Stuur een object, zoals {\"text\": \"...\"}.", NULL);
        return NULL;
    }
    return root;
}

static void s_post_api(const http_req_t *req, http_res_t *res, void *arg)
{
    s_app_t *app = arg;
    int retry_s;
    if (!s_rate_ok(app, req, &retry_s)) {
        http_res_error(res, 429, "too_many_requests", MSG_TOO_MANY, NULL);
        s_retry_after(res, retry_s);
        return;
    }
    const char *key = NULL;
    json_t *root = s_api_parse(app, req, res, &key);
    if (!root)
        return;
    form_t f;
    form_init(&f);
    form_from_json(&f, root);
    json_decref(root);
    if (form_validate(&f, app->geo) < 0) {
        s_api_error(app, res, 422, "validation_failed",
                    "Niet alle velden zijn goed ingevuld. Kijk bij fields wat er mis is.",
                    form_errors_json(&f));
        form_clear(&f);
        return;
    }
    char id[PROTO_ID_SIZE];
    proto_derive_id("form", key, id);
    s_submit(app, req, &f, id, key, NULL); /* answered by s_answer() */
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                     */
/* ------------------------------------------------------------------ */

static void s_metrics(s_app_t *app)
{
    const char *help = "Ideas accepted (durable in the spool), by way of entry.";
    app->ideas_html = metrics_counter("inspraak_form_ideas_total{via=\"html\"}", help);
    app->ideas_api = metrics_counter("inspraak_form_ideas_total{via=\"api\"}", help);
    app->honeypot = metrics_counter("inspraak_form_honeypot_total",
                                    "Form posts with the hidden bot field filled (not stored).");
    app->rate_limited = metrics_counter("inspraak_form_rate_limited_total",
                                        "Requests refused by the per-address rate limit.");
    for (int i = 0; s_codes[i]; i++)
        app->rejected[i] = metrics_counter_labelled("inspraak_form_rejected_total", "code",
                                                    s_codes[i], "Requests refused, by error code.");
}

static http_server_t *s_http(s_app_t *app)
{
    /* An epoll pool of one thread per core unless INSPRAAK_HTTP_THREADS
     * says otherwise: an idea waiting for its fsync is a suspended
     * connection, not a sleeping thread (http_defer). */
    config_t cfg = app->cfg;
    if (cfg.http_threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.http_threads = n < 1 ? 1 : n > 64 ? 64 : (int)n;
    }
    http_server_t *srv = service_http_new(&cfg, app->cfg.max_body);
    if (!srv)
        return NULL;
    /* 16 KiB per connection instead of libmicrohttpd's 32: it zeroes the
     * whole area after every request, and that memset was a third of this
     * service's user-space instructions per idea (README, "Cost per
     * idea"). Still room for 8 KiB of request headers (a browser sends
     * well under 2; nginx's default line limit is 8); bodies do not need
     * it, they arrive in pieces. */
    http_server_set_conn_memory(srv, FORM_CONN_MEMORY);
    /* poll(), not epoll: every idea is a suspended connection while its
     * fsync runs, and with epoll libmicrohttpd pays two epoll_ctl calls
     * and a read until EAGAIN per suspend/resume (README, "Session 5,
     * intake5": the workers' system calls per idea 6.0 -> 3.1, intake
     * alone at 128 connections +18 %). A few hundred connections per
     * thread stay cheap to poll; CONNECTION_LIMIT caps them. */
    http_server_set_poll(srv, true);
    http_route(srv, "GET", "/", s_get_form, app);
    http_route(srv, "GET", "/privacy", s_get_privacy, app);
    http_route(srv, "POST", "/ideeen", s_post_form, app);
    http_route(srv, "GET", "/ideeen", s_get_ideeen, app);
    http_route(srv, "POST", "/api/v1/ideas", s_post_api, app);
    http_server_set_health(srv, intake_health_check, app->intake);
    service_http_start(&srv, &app->cfg);
    return srv;
}

int main(void)
{
    static s_app_t app;
    char err[256], q[300];
    service_init(&app.cfg, "intake-form", PORT_OFF_FORM);
    long per_minute;
    if (config_long("INSPRAAK_FORM_RATE", 30, 0, 1000000, &per_minute, err, sizeof err) < 0)
        log_fatal("msg=\"bad configuration\" err=%s", log_quote(q, sizeof q, err));

    app.privacy_contact = config_str("INSPRAAK_PRIVACY_CONTACT", PAGE_PRIVACY_CONTACT);
    app.geo = geo_load(app.cfg.data_dir, err, sizeof err);
    if (!app.geo)
        log_error("msg=\"no geo data; the form has no list of wijken\" err=%s",
                  log_quote(q, sizeof q, err));

    sigset_t stop;
    service_block_stop(&stop); /* before any thread starts */

    app.intake = intake_new_or_exit(&app.cfg);
    app.rate = ratelimit_new(per_minute);
    app.per_minute = per_minute;
    s_metrics(&app);
    http_server_t *srv = s_http(&app);
    if (!srv) {
        intake_destroy(&app.intake);
        log_fatal("msg=\"cannot start\"");
    }
    log_info("msg=\"listening\" port=%d rate_per_minute=%ld", app.cfg.http_port, per_minute);

    service_wait_stop(&stop);
    http_server_destroy(&srv);   /* no new ideas; running requests finish */
    intake_destroy(&app.intake); /* then the sender thread */
    ratelimit_destroy(&app.rate);
    geo_destroy(&app.geo);
    log_info("msg=\"stopped\"");
    return 0;
}
