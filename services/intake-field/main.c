/*
 * NAME
 *   intake-field - the field app for the street tour, and its batch API
 *
 * SUMMARY
 *   INSPRAAK_PORT_BASE=8080 INSPRAAK_VAR=./var bin/intake-field    # :8083
 *
 * DESCRIPTION
 *   Reads batches of ideas that tablets collected on the street
 *   (POST /api/v1/field/batches, JSON or MessagePack, with a device token
 *   from `inspraakctl device add`), checks them item by item (batch.h),
 *   and writes each good item as an ENV_IDEA envelope into its spool
 *   $INSPRAAK_VAR/spool/intake-field.<instance>/, from where common/intake.c
 *   sends it on the bus until storage acknowledges it.
 *   Serves the field web app itself at GET /field (files in web.h), and
 *   GET /field/wijken.json, the wijk names the API takes (for its wijk
 *   field).
 *
 *   Guarantees: the 200 answer lists an item as accepted only after every
 *   accepted item of the batch is fsync'd in the spool; when one cannot be
 *   spooled the whole batch gets 503 (the tablet sends it again, which is
 *   safe: the id is derived from (device_id, local_id), and both the spool
 *   and storage are idempotent on it). Bad items are answered one by one and
 *   change nothing; the good ones of the same batch are accepted.
 *   The token is checked in Redis on every request (a revoked device stops
 *   at once); the body's device_id must be the token's device (else 403).
 *   So /healthz answers 503 while Redis does not answer, as it does while
 *   the spool cannot be written.
 *   Items are spooled by up to 8 threads per batch so that a large batch
 *   shares fsyncs (the spool's group commit).
 *
 *   SIGTERM/SIGINT stop the HTTP server first (running batches finish), then
 *   the spool sender; exit status 0.
 *
 * ENVIRONMENT
 *   The common variables of config.h, and
 *     INSPRAAK_FIELD_MAX_BODY  largest batch in bytes [16777216]
 *     INSPRAAK_FIELD_WEB       folder of the web app files [see web.h]
 *
 * DIAGNOSTICS
 *   Structured log lines on stderr. Metrics: inspraak_field_batches_total,
 *   inspraak_field_items_total{result="accepted"|"rejected"},
 *   inspraak_field_refused_total{code=...} (whole batches refused).
 */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "batch.h"
#include "clock.h"
#include "config.h"
#include "decode.h"
#include "geo.h"
#include "http.h"
#include "intake.h"
#include "log.h"
#include "service.h"
#include "metrics.h"
#include "rstore.h"
#include "web.h"
#include "xalloc.h"

#define SUBMIT_THREADS 8
#define MSG_UNAVAILABLE "Het lukt nu niet om de batch op te slaan. Probeer het straks opnieuw."

static const char *const s_codes[] = {
    "unauthorized",  "device_mismatch", "unsupported_media_type", "invalid_json", "too_deep",
    "too_large", "value_too_large", "too_many_values", "invalid_msgpack", "unsupported_value",      "invalid_utf8", "duplicate_key",
    "invalid_batch", "missing_device_id", "invalid_activity",     "missing_items",
    "too_many_items", "unavailable",    NULL};

typedef struct {
    config_t cfg;
    size_t max_body;
    geo_t *geo;
    char *wijken_json; /* GET /field/wijken.json: the wijk names, A-Z */
    web_t *web;
    intake_t *intake;
    pthread_mutex_t rs_mu; /* rstore is not thread-safe; one lookup per batch */
    rstore_t *rs;
    /* /healthz pings on its own connection: a batch stuck on a hung Redis
     * holds rs_mu for up to two command timeouts */
    pthread_mutex_t health_mu;
    rstore_t *health_rs;
    metric_t *batches, *accepted, *rejected;
    metric_t *refused[sizeof s_codes / sizeof s_codes[0]];
} s_app_t;

static void s_refuse(s_app_t *app, http_res_t *res, int status, const char *code,
                     const char *msg)
{
    for (int i = 0; s_codes[i]; i++)
        if (strcmp(s_codes[i], code) == 0)
            metric_inc(app->refused[i]);
    http_res_error(res, status, code, msg, NULL);
}

/* 1 and the device name, 0 for a bad token, -1 when Redis is down. */
static int s_device(s_app_t *app, const http_req_t *req, char *name, size_t size)
{
    char err[256];
    pthread_mutex_lock(&app->rs_mu);
    if (!app->rs)
        app->rs = rstore_new(app->cfg.redis_url, err, sizeof err);
    int ok = app->rs ? auth_device_check(app->rs, http_bearer(req), name, size) : -1;
    pthread_mutex_unlock(&app->rs_mu);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Spooling, in parallel                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    s_app_t *app;
    envelope_t *envs;
    size_t n;
    atomic_size_t next;
    atomic_int failed;
} s_job_t;

static void *s_worker(void *arg)
{
    s_job_t *job = arg;
    char err[256], q[300];
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n || atomic_load(&job->failed))
            break;
        if (intake_submit(job->app->intake, &job->envs[i], err, sizeof err) < 0) {
            log_error("msg=\"cannot spool idea\" id=%s err=%s", job->envs[i].id,
                      log_quote(q, sizeof q, err));
            atomic_store(&job->failed, 1);
        }
    }
    return NULL;
}

/* 0 when every envelope is durable. */
static int s_submit_all(s_app_t *app, envelope_t *envs, size_t n)
{
    s_job_t job = {.app = app, .envs = envs, .n = n};
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, 0);
    pthread_t th[SUBMIT_THREADS];
    size_t started = 0, want = n < SUBMIT_THREADS ? n : SUBMIT_THREADS;
    for (; started + 1 < want; started++)
        if (pthread_create(&th[started], NULL, s_worker, &job) != 0)
            break;
    s_worker(&job); /* this thread works too */
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    return atomic_load(&job.failed) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The batch API                                                      */
/* ------------------------------------------------------------------ */

static int s_by_local_id(const void *a, const void *b)
{
    const envelope_t *x = *(envelope_t *const *)a, *y = *(envelope_t *const *)b;
    int c = strcmp(x->idea->source.local_id, y->idea->source.local_id);
    return c ? c : (x < y ? -1 : x > y);
}

/* Marks (by clearing) every envelope whose local_id came earlier in the
 * batch; returns how many. A tablet never sends that; a buggy client may. */
static size_t s_drop_duplicates(envelope_t *envs, size_t n, bool *dup)
{
    envelope_t **order = xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = &envs[i];
    qsort(order, n, sizeof *order, s_by_local_id);
    size_t count = 0;
    for (size_t i = 1; i < n; i++)
        if (strcmp(order[i]->idea->source.local_id, order[i - 1]->idea->source.local_id) == 0) {
            dup[order[i] - envs] = true;
            count++;
        }
    free(order);
    return count;
}

static json_t *s_rejected(const char *local_id, const char *code, const char *msg)
{
    return json_pack("{s:o, s:s, s:s}", "local_id", local_id ? json_string(local_id) : json_null(),
                     "code", code, "message", msg);
}

/* Checks every item, spools the good ones, answers. */
static void s_items(s_app_t *app, const batch_head_t *head, json_t *items, http_res_t *res)
{
    size_t n = json_array_size(items), good = 0;
    envelope_t *envs = xcalloc(n ? n : 1, sizeof *envs);
    bool *dup = xcalloc(n ? n : 1, sizeof *dup);
    json_t *rejected = json_array();
    int64_t now = clock_wall_ms();
    for (size_t i = 0; i < n; i++) {
        batch_reject_t rej;
        if (batch_item_check(json_array_get(items, i), head, app->geo, now, &envs[good], &rej) == 0)
            good++;
        else
            json_array_append_new(rejected, s_rejected(rej.local_id, rej.code, rej.message));
        batch_reject_clear(&rej);
    }
    s_drop_duplicates(envs, good, dup);
    json_t *accepted = json_array();
    for (size_t i = 0; i < good; i++)
        if (dup[i])
            json_array_append_new(
                rejected, s_rejected(envs[i].idea->source.local_id, "duplicate_local_id",
                                     "Deze local_id staat al eerder in dezelfde batch."));
        else
            json_array_append_new(accepted, json_pack("{s:s, s:s}", "local_id",
                                                      envs[i].idea->source.local_id, "id",
                                                      envs[i].id));
    /* Move the duplicates out so that the rest can be spooled in one go. */
    size_t keep = 0;
    for (size_t i = 0; i < good; i++) {
        if (dup[i]) {
            envelope_clear(&envs[i]);
            continue;
        }
        if (keep != i)
            envs[keep] = envs[i];
        keep++;
    }
    size_t n_rejected = json_array_size(rejected);
    if (s_submit_all(app, envs, keep) < 0) {
        s_refuse(app, res, 503, "unavailable", MSG_UNAVAILABLE);
        http_res_header(res, "Retry-After", "30");
        json_decref(accepted);
        json_decref(rejected);
    } else {
        metric_add(app->accepted, (double)keep);
        metric_add(app->rejected, (double)n_rejected);
        log_info("msg=\"batch\" device=%s items=%zu accepted=%zu rejected=%zu", head->device_id, n,
                 keep, n_rejected);
        http_res_json(res, 200, json_pack("{s:o, s:o}", "accepted", accepted, "rejected", rejected));
    }
    for (size_t i = 0; i < keep; i++)
        envelope_clear(&envs[i]);
    free(envs);
    free(dup);
}

static bool s_is_msgpack(const char *ct)
{
    return strcmp(ct, "application/msgpack") == 0 || strcmp(ct, "application/x-msgpack") == 0 ||
           strcmp(ct, "application/vnd.msgpack") == 0;
}

static void s_post_batch(const http_req_t *req, http_res_t *res, void *arg)
{
    s_app_t *app = arg;
    metric_inc(app->batches);
    char ctype[128], device[256];
    const char *ct = http_content_type(req, ctype, sizeof ctype);
    bool msgpack = ct && s_is_msgpack(ct);
    if (!ct || (!msgpack && strcmp(ct, "application/json") != 0))
        return s_refuse(app, res, 415, "unsupported_media_type",
                        "Stuur de batch als application/json of application/msgpack.");
    int ok = s_device(app, req, device, sizeof device);
    if (ok < 0)
        return s_refuse(app, res, 503, "unavailable", MSG_UNAVAILABLE);
    if (ok == 0) {
        s_refuse(app, res, 401, "unauthorized",
                 "Dit apparaat is niet (meer) aangemeld. Vraag een nieuwe apparaatcode.");
        http_res_header(res, "WWW-Authenticate", "Bearer realm=\"inspraak-field\"");
        return;
    }
    size_t len;
    const char *body = http_body(req, &len);
    decode_err_t derr;
    json_t *root = msgpack ? decode_msgpack(body, len, app->max_body, &derr)
                           : decode_json(body, len, &derr);
    batch_head_t head;
    if (!root || batch_head_check(root, &head, &derr) < 0) {
        json_decref(root);
        return s_refuse(app, res, derr.status, derr.code, derr.message);
    }
    if (strcmp(head.device_id, device) != 0) {
        s_refuse(app, res, 403, "device_mismatch",
                 "De device_id in de batch hoort niet bij de apparaatcode.");
    } else {
        s_items(app, &head, json_object_get(root, "items"), res);
    }
    batch_head_clear(&head);
    json_decref(root);
}

/* ------------------------------------------------------------------ */
/* The web app                                                        */
/* ------------------------------------------------------------------ */

static void s_file(s_app_t *app, const char *name, http_res_t *res)
{
    const web_file_t *f = web_find(app->web, name);
    if (!f) {
        http_res_error(res, app->web ? 404 : 503, app->web ? "not_found" : "unavailable",
                       app->web ? "Deze pagina bestaat niet." : "De app is nu niet beschikbaar.",
                       NULL);
        return;
    }
    http_res_set(res, 200, f->type, f->data, f->len);
    /* The service worker serves the app offline; online it checks here. */
    http_res_header(res, "Cache-Control", "no-cache");
    http_res_header(res, "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                    "base-uri 'none'; form-action 'self'");
    if (strcmp(name, "sw.js") == 0)
        http_res_header(res, "Service-Worker-Allowed", "/field");
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* The wijk names the batch API takes, for the app's wijk field (a
 * datalist): a free-text wijk as people say it ("Heerlerbaan", "hoensbroek
 * de dem") was rejected, and the tablet could not tell which would do. */
static char *s_wijken_json(const geo_t *geo)
{
    size_t n = geo ? geo_wijk_count(geo) : 0, k = 0;
    const char **names = xcalloc(n ? n : 1, sizeof *names);
    const char *code, *full;
    for (size_t i = 0; i < n && geo_wijk_at(geo, i, &code, &full) == 0; i++) {
        const char *name = geo_wijk_name(geo, code);
        names[k++] = name ? name : full;
    }
    qsort(names, k, sizeof *names, s_name_cmp);
    json_t *arr = json_array();
    for (size_t i = 0; i < k; i++)
        json_array_append_new(arr, json_string(names[i]));
    char *out = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    free(names);
    if (!out)
        log_fatal("msg=\"out of memory\" where=wijken_json");
    return out;
}

static void s_get_wijken(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    s_app_t *app = arg;
    http_res_set(res, 200, "application/json", app->wijken_json, strlen(app->wijken_json));
    http_res_header(res, "Cache-Control", "no-cache"); /* the service worker keeps a copy */
}

static void s_get_app(const http_req_t *req, http_res_t *res, void *arg)
{
    (void)req;
    s_file(arg, "index.html", res);
}

static void s_get_file(const http_req_t *req, http_res_t *res, void *arg)
{
    const char *rest = http_path_rest(req);
    s_file(arg, *rest ? rest : "index.html", res);
}

/* 503 when the spool cannot take an item, and also when Redis does not
 * answer: then no device token can be checked and every batch gets 503,
 * so the service cannot do its job (INTERFACES.md). Nothing restarts a
 * service on a failing /healthz (the supervisor, systemd and Compose
 * restart one that exits), so this only tells monitoring and load
 * balancers the truth. */
static int s_health(char *reason, size_t size, void *arg)
{
    s_app_t *app = arg;
    if (!intake_healthy(app->intake, reason, size))
        return 0;
    char err[256];
    pthread_mutex_lock(&app->health_mu);
    if (!app->health_rs)
        app->health_rs = rstore_new(app->cfg.redis_url, err, sizeof err);
    int ok = app->health_rs && rstore_ping(app->health_rs);
    if (!ok)
        snprintf(reason, size, "redis does not answer, device tokens cannot be checked: %s",
                 app->health_rs ? rstore_error(app->health_rs) : err);
    pthread_mutex_unlock(&app->health_mu);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                     */
/* ------------------------------------------------------------------ */

static void s_metrics(s_app_t *app)
{
    app->batches = metrics_counter("inspraak_field_batches_total", "Batch requests received.");
    const char *help = "Items of batches, by result (accepted: durable in the spool).";
    app->accepted = metrics_counter("inspraak_field_items_total{result=\"accepted\"}", help);
    app->rejected = metrics_counter("inspraak_field_items_total{result=\"rejected\"}", help);
    for (int i = 0; s_codes[i]; i++)
        app->refused[i] =
            metrics_counter_labelled("inspraak_field_refused_total", "code", s_codes[i],
                                     "Whole batches refused, by error code.");
}

static http_server_t *s_http(s_app_t *app)
{
    http_server_t *srv = service_http_new(&app->cfg, app->max_body);
    if (!srv)
        return NULL;
    http_route(srv, "POST", "/api/v1/field/batches", s_post_batch, app);
    http_route(srv, "GET", "/field", s_get_app, app);
    http_route(srv, "GET", "/field/wijken.json", s_get_wijken, app); /* before /field/ */
    http_route(srv, "GET", "/field/*", s_get_file, app);
    http_server_set_health(srv, s_health, app);
    service_http_start(&srv, &app->cfg);
    return srv;
}

static void s_load_data(s_app_t *app)
{
    char err[256], q[300], dir[1024];
    app->geo = geo_load(app->cfg.data_dir, err, sizeof err);
    if (!app->geo)
        log_error("msg=\"no geo data; lat/lon and wijk names cannot be used\" err=%s",
                  log_quote(q, sizeof q, err));
    app->wijken_json = s_wijken_json(app->geo);
    const char *wd = web_default_dir(dir, sizeof dir);
    app->web = wd ? web_load(wd, err, sizeof err) : NULL;
    if (!app->web)
        log_error("msg=\"no web app files; /field answers 503\" err=%s",
                  log_quote(q, sizeof q, wd ? err : "services/intake-field/web not found"));
    else
        log_info("msg=\"web app loaded\" dir=%s", log_quote(q, sizeof q, wd));
}

int main(void)
{
    static s_app_t app;
    char err[256], q[300];
    service_init(&app.cfg, "intake-field", PORT_OFF_FIELD);
    long max_body;
    if (config_long("INSPRAAK_FIELD_MAX_BODY", 16L * 1024 * 1024, 1024, 256L * 1024 * 1024,
                    &max_body, err, sizeof err) < 0)
        log_fatal("msg=\"bad configuration\" err=%s", log_quote(q, sizeof q, err));
    app.max_body = (size_t)max_body;
    s_load_data(&app);

    sigset_t stop;
    service_block_stop(&stop); /* before any thread starts */
    pthread_mutex_init(&app.rs_mu, NULL);
    pthread_mutex_init(&app.health_mu, NULL);

    app.intake = intake_new_or_exit(&app.cfg);
    s_metrics(&app);
    http_server_t *srv = s_http(&app);
    if (!srv) {
        intake_destroy(&app.intake);
        log_fatal("msg=\"cannot start\"");
    }
    log_info("msg=\"listening\" port=%d max_body=%zu", app.cfg.http_port, app.max_body);

    service_wait_stop(&stop);
    http_server_destroy(&srv);   /* no new batches; running ones finish */
    intake_destroy(&app.intake); /* then the sender thread */
    rstore_destroy(&app.rs);
    rstore_destroy(&app.health_rs);
    pthread_mutex_destroy(&app.rs_mu);
    pthread_mutex_destroy(&app.health_mu);
    web_destroy(&app.web);
    geo_destroy(&app.geo);
    free(app.wijken_json);
    log_info("msg=\"stopped\"");
    return 0;
}
