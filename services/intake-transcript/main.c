/*
 * NAME
 *   intake-transcript - street-interview transcripts to ideas, with video
 *   timecodes
 *
 * SUMMARY
 *   INSPRAAK_PORT_BASE=8080 INSPRAAK_VAR=./var bin/intake-transcript
 *   curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/vtt" \
 *        --data-binary @interview.vtt \
 *        "http://localhost:8082/api/v1/transcripts?video_id=straat-12&wijk=WK091733"
 *
 * DESCRIPTION
 *   Reads WebVTT, SRT and plain-text ("Naam: tekst") transcripts and spools
 *   one ENV_IDEA per resident statement (consecutive cues of one speaker;
 *   interviewer turns are not ideas but give the answers after them their context),
 *   with source.video_id/start/end. See ingest.h for ids and transcript.h
 *   for the turn rules.
 *
 *   POST /api/v1/transcripts?video_id=&wijk=&recorded_at=&activity= with a
 *   staff token (Authorization: Bearer, checked with common/auth.h) and the
 *   file as body (text/vtt, application/x-subrip, text/plain) or as the
 *   "file" field of multipart/form-data (other fields as the query). 201
 *   {"video_id", "ideas": [{"id","start","end"}], "skipped_interviewer"}
 *   only after every idea is in the spool; 422 with a Dutch message when
 *   the file or its fields cannot be read; 503 when the spool refuses.
 *   An upload is recorded by its bytes as drop-folder files are (seen.h):
 *   bytes read before (dropped, or uploaded under another video id) store
 *   nothing and get 409 {"error": {"code": "repeat", "message" (Dutch,
 *   naming the earlier file), "repeats": {"file", "file_ref", "read_at",
 *   "ideas", "first_id"}}}; the same bytes with the same ids as before (a
 *   re-send after a lost answer) get 201 with those ids, as always (for a
 *   record without ids, one made from done/: when storage holds the
 *   upload's first idea).
 *
 *   The drop folder $INSPRAAK_VAR/transcripts/inbox/ (inbox.h).
 *   GET /healthz, GET /metrics. SIGTERM/SIGINT: stop HTTP, the inbox,
 *   then the intake (spool sender), then the bus; exit 0.
 *
 * ENVIRONMENT
 *   The common variables of config.h (INSPRAAK_HTTP_PORT [BASE+2], ...) and
 *     INSPRAAK_INTERVIEWERS  speaker names that are interviewers, comma list
 *                            ["Interviewer,camjo"], case-insensitive
 *     INSPRAAK_TRANSCRIPT_RECORD_DAYS  days an entry of the record of files
 *                            read is kept at least [365] (trim.h)
 *
 * DIAGNOSTICS
 *   Structured logs on stderr. Metrics: inspraak_transcript_ideas_total,
 *   inspraak_transcript_uploads_total{result="ok"|"bad"|"unauthorized"|"repeat"},
 *   inspraak_transcript_files_total{result=...} (inbox.h).
 */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "bus.h"
#include "config.h"
#include "geo.h"
#include "http.h"
#include "inbox.h"
#include "ingest.h"
#include "intake.h"
#include "log.h"
#include "service.h"
#include "metrics.h"
#include "rstore.h"
#include "seen.h"
#include "xalloc.h"

#define MSG_UNAVAILABLE "Het lukt nu niet om de ideeën op te slaan. Probeer het later opnieuw."

typedef struct {
    config_t cfg;
    geo_t *geo;
    ingest_t ing;
    pthread_mutex_t rs_mu; /* rstore is not thread-safe; uploads are rare */
    rstore_t *rs;
    pthread_mutex_t read_mu; /* one upload or dropped file at a time from record to record
                                (inbox.h) */
    char dir[600];           /* $INSPRAAK_VAR/transcripts (the drop folder) */
    metric_t *ideas, *ok, *bad, *unauthorized, *repeat;
} s_app_t;

/* 1 when the request carries a valid staff token; else res is filled. */
static int s_auth(s_app_t *app, const http_req_t *req, http_res_t *res)
{
    char err[256];
    pthread_mutex_lock(&app->rs_mu);
    if (!app->rs)
        app->rs = rstore_new(app->cfg.redis_url, err, sizeof err);
    int ok = app->rs ? auth_token_check(app->rs, http_bearer(req)) : -1;
    pthread_mutex_unlock(&app->rs_mu);
    if (ok < 0) {
        log_error("msg=\"redis unavailable for token check\"");
        http_res_error(res, 503, "unavailable",
                       "Het lukt nu niet om uw sleutel te controleren. Probeer het later opnieuw.",
                       NULL);
    } else if (ok == 0) {
        metric_inc(app->unauthorized);
        http_res_error(res, 401, "unauthorized", "Geef een geldige API-sleutel mee.", NULL);
        http_res_header(res, "WWW-Authenticate", "Bearer");
    }
    return ok == 1;
}

typedef struct {
    ingest_meta_t *meta;
    char *file;
    size_t len;
} s_parts_t;

static int s_on_field(const char *key, const char *value, size_t len, void *arg)
{
    s_parts_t *p = arg;
    if (strcmp(key, "file") == 0) {
        free(p->file);
        p->file = xmalloc(len + 1);
        memcpy(p->file, value, len);
        p->file[len] = '\0';
        p->len = len;
    } else {
        ingest_meta_set(p->meta, key, value);
    }
    return 0;
}

/* The file of the request: body or multipart "file". NULL with res filled. */
static char *s_file(s_app_t *app, const http_req_t *req, http_res_t *res, ingest_meta_t *m,
                    size_t *len, ingest_format_t *fmt)
{
    char ctype[128];
    const char *ct = http_content_type(req, ctype, sizeof ctype);
    *fmt = ingest_format_from_name(ct);
    if (ct && strcmp(ct, "multipart/form-data") == 0) {
        s_parts_t p = {.meta = m};
        if (http_form_fields(req, app->cfg.max_body, s_on_field, &p) < 0 || !p.file) {
            free(p.file);
            metric_inc(app->bad);
            http_res_error(res, 422, "no_file",
                           "Stuur het bestand mee in het veld \"file\" van het formulier.", NULL);
            return NULL;
        }
        *len = p.len;
        return p.file;
    }
    const char *body = http_body(req, len);
    if (!body || *len == 0) {
        metric_inc(app->bad);
        http_res_error(res, 422, "no_file",
                       "Stuur het bestand (WebVTT, SRT of tekst) mee als inhoud van het verzoek.",
                       NULL);
        return NULL;
    }
    char *copy = xmalloc(*len + 1);
    memcpy(copy, body, *len + 1);
    return copy;
}

/* seen_find() or seen_add() on the upload's connection (rec_add NULL: find). */
static int s_record(s_app_t *app, const char *hash, seen_t *rec, const seen_t *rec_add)
{
    char err[256];
    pthread_mutex_lock(&app->rs_mu);
    if (!app->rs)
        app->rs = rstore_new(app->cfg.redis_url, err, sizeof err);
    int rc = !app->rs  ? -1
             : rec_add ? seen_add(app->rs, hash, rec_add)
                       : seen_find(app->rs, hash, rec);
    pthread_mutex_unlock(&app->rs_mu);
    return rc;
}

/* 1 when storage holds the idea id (inspraak:idea:<id>, docs/redis.md),
 * 0 when not or when Redis cannot be asked (the caller then answers 409,
 * which stores nothing). */
static int s_stored(s_app_t *app, const char *id)
{
    pthread_mutex_lock(&app->rs_mu);
    redisReply *r = app->rs ? rstore_cmd(app->rs, "EXISTS inspraak:idea:%s", id) : NULL;
    pthread_mutex_unlock(&app->rs_mu);
    int stored = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    if (r)
        freeReplyObject(r);
    return stored;
}

/* Whether this upload gives the ids of rec (the same bytes under the same
 * video id: a re-send, which storage stores once) or cannot be read (its
 * 422 follows). A dry run: nothing is spooled. A record without a first
 * id (a file recorded from done/, read before the record existed) has
 * the upload's ids when storage holds its first idea: the file was read
 * under this video id. */
static int s_same_ids(s_app_t *app, const char *file, size_t len, ingest_format_t fmt,
                      const ingest_meta_t *m, const seen_t *rec)
{
    ingest_t dry = app->ing;
    dry.intake = NULL;
    ingest_result_t r;
    ingest_rc_t rc = ingest_file(&dry, file, len, fmt, m, &r);
    seen_t again = {0};
    const char *first = seen_of_ideas(&again, r.ideas);
    int same =
        rc != INGEST_OK ||
        (first && (rec->first_id[0] ? strcmp(first, rec->first_id) == 0 : s_stored(app, first)));
    ingest_result_clear(&r);
    return same;
}

/* 409 repeat: the bytes were read before (rec) under other ids. */
static void s_repeat(s_app_t *app, http_res_t *res, const seen_t *rec)
{
    char *earlier = rec->reading[0] ? inbox_name_of_ref(app->dir, "inbox", rec->reading)
                    : rec->upload   ? NULL
                                    : inbox_name_of_ref(app->dir, "done", rec->file_ref);
    char *nl, *en, at[SEEN_UTC_SIZE];
    seen_repeat_text(rec, earlier, &nl, &en);
    seen_utc(rec->read_at, at);
    char *file = earlier ? xasprintf("%s/%s", rec->reading[0] ? "inbox" : "done", earlier) : NULL;
    json_t *repeats = json_pack("{s:s?, s:s?, s:s, s:o, s:s?}", "file", file, "file_ref",
                                rec->file_ref[0] ? rec->file_ref : NULL, "read_at", at, "ideas",
                                rec->ideas < 0 ? json_null() : json_integer(rec->ideas), "first_id",
                                rec->first_id[0] ? rec->first_id : NULL);
    http_res_json(res, 409,
                  json_pack("{s:{s:s, s:s, s:o}}", "error", "code", "repeat", "message", nl,
                            "repeats", repeats));
    metric_inc(app->repeat);
    log_info("msg=\"transcript upload repeat\" repeats=%s first_id=%s",
             rec->upload        ? "upload"
             : rec->file_ref[0] ? rec->file_ref
                                : "unknown",
             rec->first_id[0] ? rec->first_id : "none");
    free(file);
    free(nl);
    free(en);
    free(earlier);
}

/* The file read into ideas: 201, and its bytes recorded (found: they were already). */
static void s_accepted(s_app_t *app, http_res_t *res, const char *hash, int found,
                       const ingest_result_t *r)
{
    metric_inc(app->ok);
    metric_add(app->ideas, (double)json_array_size(r->ideas));
    /* The first idea's id, not the video_id: staff may have typed
     * the interviewee's name there (docs/privacy.md). */
    seen_t rec = {.upload = true};
    const char *first = seen_of_ideas(&rec, r->ideas);
    /* Without ideas it stored nothing to repeat (a dropped copy goes to failed/). */
    if (!found && rec.ideas > 0 && s_record(app, hash, NULL, &rec) < 0)
        log_error("msg=\"cannot record upload as read (a later repeat is stored again)\" "
                  "first_id=%s",
                  first ? first : "none");
    log_info("msg=\"transcript accepted\" ideas=%zu first_id=%s interviewer=%d",
             json_array_size(r->ideas), first ? first : "none", r->skipped_interviewer);
    http_res_json(res, 201,
                  json_pack("{s:s, s:O, s:i}", "video_id", r->video_id, "ideas", r->ideas,
                            "skipped_interviewer", r->skipped_interviewer));
}

/* Reads file unless its bytes were read before under other ids. */
static void s_read(s_app_t *app, http_res_t *res, const char *file, size_t len, ingest_format_t fmt,
                   const ingest_meta_t *m)
{
    char hash[SEEN_HASH_HEX + 1];
    seen_hash(file, len, hash);
    seen_t rec;
    pthread_mutex_lock(&app->read_mu);
    int found = s_record(app, hash, &rec, NULL);
    char *reading =
        found == 1 && rec.reading[0] ? inbox_name_of_ref(app->dir, "inbox", rec.reading) : NULL;
    if (found == 1 && rec.reading[0] && !reading)
        found = 0; /* being read by a drop-folder file no longer there: stale */
    free(reading);
    if (found < 0) { /* reading it could store it twice */
        log_error("msg=\"redis unavailable for the record of files read\"");
        http_res_error(res, 503, "unavailable", MSG_UNAVAILABLE, NULL);
        http_res_header(res, "Retry-After", "60");
    } else if (found == 1 && (rec.reading[0] || !s_same_ids(app, file, len, fmt, m, &rec))) {
        s_repeat(app, res, &rec);
    } else {
        ingest_result_t r;
        ingest_rc_t rc = ingest_file(&app->ing, file, len, fmt, m, &r);
        if (rc == INGEST_OK) {
            s_accepted(app, res, hash, found, &r);
        } else if (rc == INGEST_BAD) {
            metric_inc(app->bad);
            http_res_error(res, 422, r.code[0] ? r.code : "unreadable", r.why_nl, NULL);
        } else {
            http_res_error(res, 503, "unavailable", MSG_UNAVAILABLE, NULL);
            http_res_header(res, "Retry-After", "60");
        }
        ingest_result_clear(&r);
    }
    pthread_mutex_unlock(&app->read_mu);
}

static void s_post(const http_req_t *req, http_res_t *res, void *arg)
{
    s_app_t *app = arg;
    if (!s_auth(app, req, res))
        return;
    ingest_meta_t m;
    ingest_meta_init(&m);
    static const char *const keys[] = {"video_id", "wijk",      "recorded_at",
                                       "activity", "video_url", NULL};
    for (int i = 0; keys[i]; i++)
        ingest_meta_set(&m, keys[i], http_query(req, keys[i]));
    size_t len;
    ingest_format_t fmt;
    char *file = s_file(app, req, res, &m, &len, &fmt);
    if (file)
        s_read(app, res, file, len, fmt, &m);
    free(file);
    ingest_meta_clear(&m);
}

static void s_metrics(s_app_t *app)
{
    const char *help = "Transcript uploads over HTTP, by result.";
    app->ideas = metrics_counter("inspraak_transcript_ideas_total",
                                 "Ideas spooled from uploaded transcripts.");
    app->ok = metrics_counter("inspraak_transcript_uploads_total{result=\"ok\"}", help);
    app->bad = metrics_counter("inspraak_transcript_uploads_total{result=\"bad\"}", help);
    app->unauthorized =
        metrics_counter("inspraak_transcript_uploads_total{result=\"unauthorized\"}", help);
    app->repeat = metrics_counter("inspraak_transcript_uploads_total{result=\"repeat\"}", help);
}

static http_server_t *s_http(s_app_t *app)
{
    http_server_t *srv = service_http_new(&app->cfg, app->cfg.max_body);
    if (!srv)
        return NULL;
    http_route(srv, "POST", "/api/v1/transcripts", s_post, app);
    http_server_set_health(srv, intake_health_check, app->ing.intake);
    service_http_start(&srv, &app->cfg);
    return srv;
}

int main(void)
{
    static s_app_t app;
    char err[256], q[300];
    service_init(&app.cfg, "intake-transcript", PORT_OFF_TRANSCRIPT);
    app.geo = geo_load(app.cfg.data_dir, err, sizeof err);
    if (!app.geo)
        log_error("msg=\"no geo data; only CBS wijk codes are accepted\" err=%s",
                  log_quote(q, sizeof q, err));
    app.ing.geo = app.geo;
    app.ing.interviewers = config_str("INSPRAAK_INTERVIEWERS", "Interviewer,camjo");
    pthread_mutex_init(&app.rs_mu, NULL);
    pthread_mutex_init(&app.read_mu, NULL);

    sigset_t stop;
    service_block_stop(&stop); /* before any thread starts */

    app.ing.intake = intake_new_or_exit(&app.cfg);
    s_metrics(&app);
    if (config_var_path(&app.cfg, "transcripts", app.dir, sizeof app.dir) < 0)
        log_fatal("msg=\"var path too long\"");
    inbox_t *inbox =
        inbox_start(&app.ing, app.dir, app.cfg.redis_url, &app.read_mu, err, sizeof err);
    http_server_t *srv = inbox ? s_http(&app) : NULL;
    if (!srv) {
        inbox_stop(&inbox);
        intake_destroy(&app.ing.intake);
        log_fatal("msg=\"cannot start\" err=%s", log_quote(q, sizeof q, err));
    }
    log_info("msg=\"listening\" port=%d inbox=%s/inbox", app.cfg.http_port, app.dir);

    service_wait_stop(&stop);
    http_server_destroy(&srv);       /* no new uploads; running ones finish */
    inbox_stop(&inbox);              /* the file being read finishes */
    intake_destroy(&app.ing.intake); /* then the sender thread */
    bus_shutdown();
    rstore_destroy(&app.rs);
    pthread_mutex_destroy(&app.rs_mu);
    pthread_mutex_destroy(&app.read_mu);
    geo_destroy(&app.geo);
    log_info("msg=\"stopped\"");
    return 0;
}
