/*
 * NAME
 *   intake-mail - mails to the participation address become ideas
 *
 * SUMMARY
 *   INSPRAAK_PORT_BASE=8080 INSPRAAK_VAR=./var bin/intake-mail
 *
 * DESCRIPTION
 *   Polls the Maildir $INSPRAAK_VAR/mail/inbox/ (new/, cur/, tmp/; what
 *   Postfix or Dovecot deliver into) and, when INSPRAAK_IMAP_URL is set,
 *   an IMAP(S) mailbox (mail_imap.h). Each mail is read in a worker
 *   process with a deadline (mail_worker.h: GMime parse, new text only,
 *   skip rules) and then:
 *     - an idea: written as ENV_IDEA into the spool through common/intake.h
 *       (id = proto_derive_id("email", Message-ID), or of a BLAKE2b hash of
 *       the raw bytes when there is no Message-ID; channel and activity
 *       "email"; source.message_id and source.subject); the sender's name
 *       and address go only into the envelope's participant part (consent
 *       false: receipts are the notify service's rules). ONLY after
 *       intake_submit() returned 0 is the file moved to cur/ with ":2,S".
 *     - skipped (auto-reply, bounce/DSN, mailing list, no new text): no
 *       idea; moved to $INSPRAAK_VAR/mail/skipped/cur/ with a .why file in
 *       $INSPRAAK_VAR/mail/skipped/ naming the reason, and listed (time,
 *       reason, subject, sender's domain; no address or name) in the Redis
 *       list inspraak:mail:skipped that the dashboard shows on
 *       /overgeslagen (mail_skiplog.h). A delivery-status report of a
 *       hard bounce of a notify mail also sets email_bounced_at and
 *       email_bounce on that participant and records the failed mail in
 *       inspraak:notify:bounced (mail_dsn.h, mail_bounce.h); intake-mail
 *       writes no other key. While Redis does not answer, such a report
 *       stays in new/ (or pending on the IMAP server) and is read again.
 *     - unreadable, over a limit, or the worker hung or crashed: moved to
 *       $INSPRAAK_VAR/mail/failed/ with a .why file; the service carries on.
 *   A mail whose spool write fails stays in new/ and is tried again.
 *   From IMAP the same happens, except that instead of moving a file the
 *   message is flagged \Seen $Inspraak and moved to INSPRAAK_IMAP_DONE on
 *   the server, ONLY after it was spooled (or, when skipped or failed,
 *   after its bytes and .why were written and fsync'd under skipped/ or
 *   failed/ as imap.<time>.<uid>).
 *   The same Message-ID twice gives the same id, and storage is idempotent.
 *
 *   GET /healthz (200 while the spool is writable), GET /metrics.
 *   SIGTERM/SIGINT: finish the current mail, stop HTTP, intake_destroy,
 *   bus_shutdown; exit status 0.
 *
 * ENVIRONMENT
 *   The common variables of config.h (admin port BASE+1) and
 *     INSPRAAK_MAIL_MAX_BYTES   largest mail read [26214400]; larger -> failed/
 *     INSPRAAK_MAIL_MAX_PARTS   MIME parts per mail [100]
 *     INSPRAAK_MAIL_MAX_DEPTH   multipart nesting [8]
 *     INSPRAAK_MAIL_TIMEOUT_MS  deadline for reading one mail [10000]
 *     INSPRAAK_MAIL_POLL_MS     Maildir scan interval [1000]
 *     INSPRAAK_IMAP_URL         imap://host:port/INBOX or imaps://... [unset: no IMAP]
 *     INSPRAAK_IMAP_USER, INSPRAAK_IMAP_PASSWORD   login
 *     INSPRAAK_IMAP_POLL_S      IMAP poll interval in seconds [30]
 *     INSPRAAK_IMAP_DONE        folder that done messages move to [Verwerkt]
 *
 * DIAGNOSTICS
 *   Metrics: inspraak_mail_ideas_total, inspraak_mail_skipped_total
 *   {reason="autoreply"|"bounce"|"list"|"empty"}, inspraak_mail_failed_total,
 *   inspraak_mail_spool_errors_total, inspraak_mail_imap_errors_total,
 *   inspraak_mail_skiplog_errors_total, inspraak_mail_bounces_marked_total,
 *   inspraak_mail_bounce_errors_total.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "clock.h"
#include "config.h"
#include "file.h"
#include "http.h"
#include "intake.h"
#include "log.h"
#include "service.h"
#include "mail_bounce.h"
#include "mail_files.h"
#include "mail_imap.h"
#include "mail_skiplog.h"
#include "mail_worker.h"
#include "metrics.h"
#include "rstore.h"
#include "xalloc.h"

static const char *const s_reasons[] = {"autoreply", "bounce", "list", "empty", NULL};

typedef struct {
    config_t cfg;
    intake_t *intake;
    mail_limits_t lim;
    long timeout_ms;
    long poll_ms;
    char inbox[600], skipped[600], failed[600];
    mail_imap_t *imap; /* NULL without INSPRAAK_IMAP_URL */
    rstore_t *rs;      /* the skipped list (mail_skiplog.h), bounce marks (mail_bounce.h) */
    metric_t *skiplog_errors, *bounces_marked, *bounce_errors;
    long imap_poll_s;
    metric_t *ideas, *failed_total, *spool_errors, *imap_errors;
    metric_t *skipped_total[sizeof s_reasons / sizeof s_reasons[0]];
} s_app_t;

/* True when SIGTERM/SIGINT waits (blocked): finish the mail in hand, then stop. */
static bool s_stop_pending(void)
{
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT);
}

/* ------------------------------------------------------------------ */
/* One mail                                                           */
/* ------------------------------------------------------------------ */

/* The idea's id: from the Message-ID, else from the bytes themselves. */
static void s_id(const mail_result_t *r, const char *raw, size_t len, char id[PROTO_ID_SIZE])
{
    if (r->message_id && *r->message_id) {
        proto_derive_id("email", r->message_id, id);
        return;
    }
    unsigned char h[32];
    char hex[65], key[80];
    crypto_generichash(h, sizeof h, (const unsigned char *)raw, len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(key, sizeof key, "raw:%s", hex);
    proto_derive_id("email", key, id);
}

static void s_envelope(const mail_result_t *r, const char *id, envelope_t *env)
{
    envelope_init(env);
    env->version = PROTO_VERSION;
    env->type = ENV_IDEA;
    proto_set(&env->id, id);
    idea_t *idea = xmalloc(sizeof *idea);
    idea_init(idea);
    proto_set(&idea->id, id);
    proto_set(&idea->channel, "email");
    proto_set(&idea->activity, "email");
    idea->received_at = clock_wall_ms();
    proto_set(&idea->text, r->text);
    proto_set(&idea->source.message_id, r->message_id);
    proto_set(&idea->source.subject, r->subject);
    /* listed, never stored (INTERFACES.md): staff see what the sender meant
     * to send and can ask for it another way */
    for (int i = 0; i < r->n_listed; i++)
        idea_add_attachment(idea, r->listed[i].name, r->listed[i].type, (int64_t)r->listed[i].size);
    env->idea = idea;
    if (r->from_name || r->from_addr) {
        participant_t *p = xmalloc(sizeof *p);
        participant_init(p);
        proto_set(&p->name, r->from_name);
        proto_set(&p->email, r->from_addr);
        p->consent_feedback = false;
        env->participant = p;
    }
}

static void s_count_skip(s_app_t *app, const char *reason)
{
    for (int i = 0; s_reasons[i]; i++)
        if (reason && strcmp(reason, s_reasons[i]) == 0)
            metric_inc(app->skipped_total[i]);
}

/* S_RETRY: the spool refused; stop this pass and keep the mail.
 * S_LATER: keep this mail where it is, but go on with the next ones. */
typedef enum { S_IDEA, S_SKIPPED, S_FAILED, S_RETRY, S_LATER } s_outcome_t;

/* A report of a hard bounce of our mail marks that participant, so that
 * notify mails the dead address no more (mail_bounce.h). Returns -1 when
 * Redis did not answer: the caller keeps the report to read it again
 * (nothing lost), while the mails behind it go on. */
static int s_mark_bounce(s_app_t *app, const mail_result_t *r, const char *ql)
{
    char q[300], qp[100];
    int rc = mail_bounce_mark(app->rs, &r->dsn);
    log_quote(qp, sizeof qp, r->dsn.pid);
    if (rc < 0) {
        metric_inc(app->bounce_errors);
        log_warn("msg=\"cannot mark bounced address; report kept for a retry\" mail=%s pid=%s "
                 "err=%s",
                 ql, qp, log_quote(q, sizeof q, rstore_error(app->rs)));
    } else if (rc == 1) {
        metric_inc(app->bounces_marked);
        log_warn("msg=\"address bounced (report): no more mail to it\" mail=%s pid=%s", ql, qp);
    } else
        log_info("msg=\"bounce report names no participant's address; nothing marked\" mail=%s "
                 "pid=%s",
                 ql, qp);
    return rc < 0 ? -1 : 0;
}

/* Reads one mail (in the worker) and, when it is an idea, spools it.
 * S_RETRY: the spool refused; S_LATER: a bounce report Redis could not
 * take; in both the caller keeps the mail where it is. */
static s_outcome_t s_handle(s_app_t *app, const char *raw, size_t len, bool too_large,
                            const char *label, mail_result_t *r)
{
    char q[400], ql[300];
    log_quote(ql, sizeof ql, label); /* a Maildir name may hold anything */
    if (too_large) {
        memset(r, 0, sizeof *r);
        r->why = xasprintf("too large (more than %zu bytes)", app->lim.max_bytes);
    } else
        mail_worker_run(raw, len, &app->lim, app->timeout_ms, r);
    if (r->status == MAIL_RESULT_SKIPPED) {
        if (r->dsn.pid && s_mark_bounce(app, r, ql) < 0)
            return S_LATER;
        s_count_skip(app, r->skip);
        /* A skip's why is "Header: value", and the value may hold a name
         * ("Subject: Afwezig: Gerda Grootveld"): the log names the header
         * only; the .why in skipped/ and the staff list keep the value. */
        const char *why = r->why ? r->why : "";
        const char *colon = strchr(why, ':');
        char hdr[64];
        snprintf(hdr, sizeof hdr, "%.*s", colon ? (int)(colon - why) : (int)strlen(why), why);
        log_info("msg=\"mail skipped\" mail=%s reason=%s why=%s", ql, r->skip,
                 log_quote(q, sizeof q, hdr));
        /* Best effort: the skipped/ folder keeps the mail either way. */
        if (mail_skiplog_record(app->rs, r, clock_wall_ms()) < 0) {
            metric_inc(app->skiplog_errors);
            log_warn("msg=\"cannot list skipped mail for staff\" mail=%s err=%s", ql,
                     log_quote(q, sizeof q, rstore_error(app->rs)));
        }
        return S_SKIPPED;
    }
    if (r->status != MAIL_RESULT_IDEA) {
        metric_inc(app->failed_total);
        log_warn("msg=\"mail cannot be read; moved to failed\" mail=%s why=%s", ql,
                 log_quote(q, sizeof q, r->why ? r->why : ""));
        return S_FAILED;
    }
    char id[PROTO_ID_SIZE], err[256];
    s_id(r, raw, len, id);
    envelope_t env;
    s_envelope(r, id, &env);
    int rc = intake_submit(app->intake, &env, err, sizeof err);
    envelope_clear(&env);
    if (rc < 0) {
        metric_inc(app->spool_errors);
        log_error("msg=\"cannot spool idea; mail kept for a retry\" mail=%s err=%s", ql,
                  log_quote(q, sizeof q, err));
        return S_RETRY;
    }
    metric_inc(app->ideas);
    log_info("msg=\"idea accepted\" id=%s mail=%s attachments=%d", id, ql, r->n_attachments);
    return S_IDEA;
}

/* Handles new/<name>. Returns 0 when it left new/ or waits there for
 * Redis (S_LATER), -1 to stop this pass (the spool refused). */
static int s_one(s_app_t *app, const char *name)
{
    char path[1024], dest[1024], base[256], why[400];
    snprintf(path, sizeof path, "%s/new/%s", app->inbox, name);
    mail_files_base(name, base, sizeof base);
    size_t len = 0;
    char *raw = file_read(path, app->lim.max_bytes, &len);
    if (!raw && errno == ENOENT)
        return 0;                            /* gone meanwhile (another instance took it) */
    bool too_large = !raw && errno == EFBIG; /* answered below, never parsed */
    if (!raw && !too_large) {
        /* Not a file we can read (a folder, no permission): out of the
         * way, so that it does not hold up the mails behind it. */
        snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
        log_warn("msg=\"mail cannot be opened; moved to failed\" err=\"%s\"", strerror(errno));
        metric_inc(app->failed_total);
        mail_files_write_why(app->failed, base, why);
        snprintf(dest, sizeof dest, "%s/%s", app->failed, base);
        mail_files_move(path, dest);
        return 0;
    }
    mail_result_t r;
    s_outcome_t out = s_handle(app, raw ? raw : "", len, too_large, base, &r);
    if (out == S_IDEA) {
        snprintf(dest, sizeof dest, "%s/cur/%s:2,S", app->inbox, base);
        mail_files_move(path, dest);
    } else if (out == S_SKIPPED) {
        snprintf(why, sizeof why, "%s: %s", r.skip, r.why ? r.why : "");
        mail_files_write_why(app->skipped, base, why);
        snprintf(dest, sizeof dest, "%s/cur/%s:2,S", app->skipped, base);
        mail_files_move(path, dest);
    } else if (out == S_FAILED) {
        mail_files_write_why(app->failed, base, r.why ? r.why : "unknown");
        snprintf(dest, sizeof dest, "%s/%s", app->failed, base);
        mail_files_move(path, dest);
    }
    mail_result_clear(&r);
    free(raw);
    return out == S_RETRY ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* IMAP                                                               */
/* ------------------------------------------------------------------ */

/* One IMAP message. Returns 0 when it is done on the server or waits
 * there for Redis (S_LATER), -1 to stop this poll (it stays pending there
 * and comes back next time). */
static int s_imap_one(s_app_t *app, unsigned long uid)
{
    char err[256], q[300], name[128], path[1024], why[400];
    bool too_large = false;
    size_t len = 0;
    char *raw = mail_imap_fetch(app->imap, uid, &len, &too_large, err, sizeof err);
    if (!raw && !too_large) {
        metric_inc(app->imap_errors);
        log_warn("msg=\"imap fetch failed\" uid=%lu err=%s", uid, log_quote(q, sizeof q, err));
        return -1;
    }
    snprintf(name, sizeof name, "imap.%lld.%lu", (long long)(clock_wall_ms() / 1000), uid);
    mail_result_t r;
    s_outcome_t out = s_handle(app, raw ? raw : "", len, too_large, name, &r);
    int rc = 0;
    /* Skipped and failed mails are kept here, fsync'd, before the server
     * forgets them: staff see them as they would a Maildir mail. */
    if (out == S_SKIPPED) {
        snprintf(why, sizeof why, "%s: %s", r.skip, r.why ? r.why : "");
        mail_files_write_why(app->skipped, name, why);
        snprintf(path, sizeof path, "%s/cur/%s:2,S", app->skipped, name);
        rc = mail_files_write(path, raw, len);
    } else if (out == S_FAILED) {
        mail_files_write_why(app->failed, name, r.why ? r.why : "unknown");
        snprintf(path, sizeof path, "%s/%s", app->failed, name);
        rc = raw ? mail_files_write(path, raw, len) : 0;
    } else if (out == S_RETRY)
        rc = -1;
    else if (out == S_LATER) {
        mail_result_clear(&r); /* stays pending on the server; the next poll reads it again */
        free(raw);
        return 0;
    }
    if (rc == 0 && mail_imap_done(app->imap, uid, err, sizeof err) < 0) {
        metric_inc(app->imap_errors);
        log_warn("msg=\"imap flag/move failed; mail will be read again\" uid=%lu err=%s", uid,
                 log_quote(q, sizeof q, err));
        rc = -1;
    }
    mail_result_clear(&r);
    free(raw);
    return rc;
}

static void s_imap_poll(s_app_t *app)
{
    char err[256], q[300];
    unsigned long *uids;
    int n = mail_imap_pending(app->imap, &uids, err, sizeof err);
    if (n < 0) {
        metric_inc(app->imap_errors);
        log_warn("msg=\"imap poll failed\" err=%s", log_quote(q, sizeof q, err));
        return;
    }
    for (int i = 0; i < n && !s_stop_pending(); i++)
        if (s_imap_one(app, uids[i]) < 0)
            break;
    free(uids);
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One pass over new/, oldest name first (Maildir names start with the
 * delivery time). Stops early when a stop signal is pending. */
static void s_scan(s_app_t *app)
{
    char dir[700];
    snprintf(dir, sizeof dir, "%s/new", app->inbox);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 10000) {
        if (e->d_name[0] == '.')
            continue;
        names = xrealloc(names, sizeof *names * (n + 1));
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, s_cmp);
    for (size_t i = 0; i < n && !s_stop_pending(); i++)
        if (s_one(app, names[i]) < 0)
            break; /* the spool refuses: try again next pass, in order */
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                     */
/* ------------------------------------------------------------------ */

static void s_metrics(s_app_t *app)
{
    app->ideas = metrics_counter("inspraak_mail_ideas_total", "Mails spooled as ideas.");
    app->failed_total = metrics_counter("inspraak_mail_failed_total",
                                        "Mails that could not be read (moved to failed/).");
    app->spool_errors = metrics_counter("inspraak_mail_spool_errors_total",
                                        "Mails left in new/ because the spool refused them.");
    app->imap_errors = metrics_counter("inspraak_mail_imap_errors_total",
                                       "IMAP polls, fetches or moves that failed (retried).");
    app->skiplog_errors = metrics_counter("inspraak_mail_skiplog_errors_total",
                                          "Skipped mails not listed for staff (Redis failed).");
    app->bounces_marked =
        metrics_counter("inspraak_mail_bounces_marked_total",
                        "Participants marked bounced by a delivery-status report (mail_bounce.h).");
    app->bounce_errors = metrics_counter("inspraak_mail_bounce_errors_total",
                                         "Bounce reports not marked (Redis failed).");
    for (int i = 0; s_reasons[i]; i++)
        app->skipped_total[i] =
            metrics_counter_labelled("inspraak_mail_skipped_total", "reason", s_reasons[i],
                                     "Mails that make no idea, by reason.");
}

static void s_imap_settings(s_app_t *app)
{
    char err[256], q[300];
    const char *url = config_str("INSPRAAK_IMAP_URL", NULL);
    const char *done = config_str("INSPRAAK_IMAP_DONE", "Verwerkt");
    if (config_long("INSPRAAK_IMAP_POLL_S", 30, 1, 86400, &app->imap_poll_s, err, sizeof err) < 0)
        log_fatal("msg=\"bad configuration\" err=%s", log_quote(q, sizeof q, err));
    if (!url)
        return;
    /* The folder name goes into an IMAP command as a quoted string. */
    if (strlen(done) > 100 || strpbrk(done, "\"\\\r\n"))
        log_fatal("msg=\"bad configuration\" err=\"INSPRAAK_IMAP_DONE: at most 100 characters, "
                  "no quotes, backslashes or line breaks\"");
    app->imap = mail_imap_new(url, config_str("INSPRAAK_IMAP_USER", NULL),
                              config_str("INSPRAAK_IMAP_PASSWORD", NULL), done, app->lim.max_bytes);
    if (!app->imap)
        log_fatal(
            "msg=\"bad configuration\" err=\"INSPRAAK_IMAP_URL must be imap:// or imaps://\"");
}

static void s_settings(s_app_t *app)
{
    char err[256], q[300];
    long max_bytes, parts, depth;
    if (config_long("INSPRAAK_MAIL_MAX_BYTES", MAIL_MAX_BYTES_DEFAULT, 1024, 1L << 30, &max_bytes,
                    err, sizeof err) < 0 ||
        config_long("INSPRAAK_MAIL_MAX_PARTS", 100, 1, 10000, &parts, err, sizeof err) < 0 ||
        config_long("INSPRAAK_MAIL_MAX_DEPTH", 8, 1, 100, &depth, err, sizeof err) < 0 ||
        config_long("INSPRAAK_MAIL_TIMEOUT_MS", 10000, 100, 600000, &app->timeout_ms, err,
                    sizeof err) < 0 ||
        config_long("INSPRAAK_MAIL_POLL_MS", 1000, 10, 3600000, &app->poll_ms, err, sizeof err) < 0)
        log_fatal("msg=\"bad configuration\" err=%s", log_quote(q, sizeof q, err));
    app->lim = (mail_limits_t)MAIL_LIMITS_DEFAULT;
    app->lim.max_bytes = (size_t)max_bytes;
    app->lim.max_parts = (int)parts;
    app->lim.max_depth = (int)depth;
    if (config_var_path(&app->cfg, "mail/inbox", app->inbox, sizeof app->inbox) < 0 ||
        config_var_path(&app->cfg, "mail/skipped", app->skipped, sizeof app->skipped) < 0 ||
        config_var_path(&app->cfg, "mail/failed", app->failed, sizeof app->failed) < 0 ||
        mail_files_mkdirs(app->inbox) < 0 || mail_files_mkdirs(app->skipped) < 0)
        log_fatal("msg=\"cannot make mail folders\" err=\"%s\"", strerror(errno));
    s_imap_settings(app);
}

static http_server_t *s_http(s_app_t *app)
{
    http_server_t *srv = service_http_new(&app->cfg, app->cfg.max_body);
    if (!srv)
        return NULL;
    http_server_set_health(srv, intake_health_check, app->intake);
    service_http_start(&srv, &app->cfg);
    return srv;
}

int main(void)
{
    static s_app_t app;
    char err[256], q[300];
    service_init(&app.cfg, "intake-mail", PORT_OFF_MAIL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        log_fatal("msg=\"libcurl cannot start\"");
    s_settings(&app);
    /* Lazy: Redis being down never stops mail intake (rstore.h). */
    app.rs = rstore_new(app.cfg.redis_url, err, sizeof err);
    if (!app.rs)
        log_fatal("msg=\"bad configuration\" err=%s", log_quote(q, sizeof q, err));

    sigset_t stop;
    service_block_stop(&stop); /* before any thread starts */

    app.intake = intake_new_or_exit(&app.cfg);
    s_metrics(&app);
    http_server_t *srv = s_http(&app);
    if (!srv) {
        intake_destroy(&app.intake);
        log_fatal("msg=\"cannot start\"");
    }
    log_info("msg=\"listening\" port=%d maildir=%s imap=%s", app.cfg.http_port, app.inbox,
             app.imap ? "on" : "off");

    int sig = 0;
    struct timespec last_imap = {0};
    for (;;) {
        s_scan(&app);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (app.imap &&
            (last_imap.tv_sec == 0 || now.tv_sec - last_imap.tv_sec >= app.imap_poll_s)) {
            last_imap = now;
            s_imap_poll(&app);
        }
        struct timespec wait = {.tv_sec = app.poll_ms / 1000,
                                .tv_nsec = (app.poll_ms % 1000) * 1000000L};
        sig = sigtimedwait(&stop, NULL, &wait);
        if (sig > 0)
            break;
    }
    log_info("msg=\"stopping\" signal=%d", sig);
    http_server_destroy(&srv);
    intake_destroy(&app.intake);
    bus_shutdown();
    mail_imap_destroy(&app.imap);
    rstore_destroy(&app.rs);
    curl_global_cleanup();
    log_info("msg=\"stopped\"");
    return 0;
}
