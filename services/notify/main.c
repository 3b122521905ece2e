/*
 * NAME
 *   notify - receipts and feedback campaigns by mail, with consent and unsubscribe
 *
 * SUMMARY
 *   notify            (settings from the environment, see below and config.h)
 *
 * DESCRIPTION
 *   Reads "stored" events (SUB on INSPRAAK_BUS_EVENTS) and, because PUB/SUB
 *   drops and notify may be down, also scans inspraak:ideas every
 *   INSPRAAK_NOTIFY_SCAN_S seconds from a saved watermark. Either way an
 *   idea whose participant has consent and an address goes into a durable
 *   outbox in Redis (outbox.c), and so does an idea that came in by mail
 *   (channel "email"): its receipt answers the resident's own mail
 *   (In-Reply-To/References = the idea's Message-ID) and needs no
 *   consent_feedback (docs/privacy.md); the receipt for an address is due
 *   INSPRAAK_RECEIPT_BATCH_S after its first pending idea, so ideas sent
 *   close together share one mail, and an address gets at most one
 *   receipt per period. Running campaigns (inspraakctl campaign) are
 *   advanced a few recipients per turn of the loop; a campaign mail to
 *   someone whose receipt for an idea it lists (received before the
 *   campaign's listed_at) is still pending waits until that receipt has
 *   gone out (outbox_campaign.c, s_receipt_first). Mail goes out through
 *   mailout.h (SMTP or the Maildir outbox), composed by letter.h.
 *
 *   HTTP (admin port PORT_BASE+6): /healthz, /metrics, and the unsubscribe
 *   page: GET /afmelden?p=&s= shows a Dutch confirmation with a button
 *   (or, for someone already unsubscribed, says so and asks nothing);
 *   POST /afmelden?p=&s= (RFC 8058 one-click, body
 *   List-Unsubscribe=One-Click, or the button) unsubscribes.
 *
 * REDIS KEYS (written by notify only; docs/redis.md)
 *   inspraak:notify:watermark                  scan position (ms)
 *   inspraak:notify:receipt-seen               SET of idea ids queued once
 *   inspraak:notify:receipt-pending:<pid>      ZSET idea id -> first seen (ms)
 *   inspraak:notify:receipt-inflight:<pid>     ZSET the batch being mailed
 *   inspraak:notify:receipt-due                ZSET pid -> when its receipt is due
 *   inspraak:notify:sent:<pid>:<purpose>:<key> HASH state claimed|sent|deferred|bounced|abandoned
 *   inspraak:notify:bounced                    HASH pid -> "ms purpose:key reason"
 *                                              (also written by intake-mail for a
 *                                              bounce report: mail_bounce.h)
 *   inspraak:campaign:<id>:todo                ZSET pid -> not before (ms; a 4xx
 *                                              retry, or a pending receipt's due time)
 *   inspraak:campaign:<id>                     HASH (counts, state done, populated,
 *                                              listed_at: the mail lists ideas until then)
 *   inspraak:unsubscribed                      SET of pids (also consent_feedback 0)
 *   inspraak:participant:<pid>                 email_bounced_at, email_bounce on a hard
 *                                              bounce (RCPT TO refused): no more mail
 *
 * GUARANTEES
 *   A due mail survives a kill: the outbox is in Redis (appendfsync always).
 *   At least once, duplicates suppressed by (participant, purpose, key);
 *   the one window for a duplicate is described in outbox.c. Nothing is
 *   mailed without consent_feedback 1 (except a receipt that answers the
 *   participant's own mail and lists only mail ideas; never a campaign),
 *   to an unsubscribed pid, to an address that fails email_valid(), or to
 *   one the SMTP server refused before (hard bounce, outbox.c).
 *   Run one notify instance.
 *
 * CONFIGURATION
 *   INSPRAAK_RECEIPT_BATCH_S [600], INSPRAAK_NOTIFY_SCAN_S [30],
 *   INSPRAAK_NOTIFY_SCAN_SLACK_S [3600], INSPRAAK_NOTIFY_MAX_RESEND [1],
 *   INSPRAAK_SMTP_URL, INSPRAAK_SMTP_USER, INSPRAAK_SMTP_PASSWORD,
 *   INSPRAAK_SMTP_STARTTLS [0], INSPRAAK_SMTP_CA_FILE [system store],
 *   INSPRAAK_SMTP_RATE [10/s],
 *   INSPRAAK_SMTP_RETRY_MS [30000, doubling], INSPRAAK_SMTP_RETRIES [8],
 *   INSPRAAK_MAIL_FROM, INSPRAAK_PUBLIC_URL, INSPRAAK_NOTIFY_PUBLIC_URL,
 *   INSPRAAK_FORM_PUBLIC_URL,
 *   INSPRAAK_SECRET_FILE (letter.h, mailout.h, unsubscribe.h).
 *
 * DIAGNOSTICS
 *   Metrics: inspraak_notify_sent_total, inspraak_notify_skipped_total,
 *   inspraak_notify_bounced_total, inspraak_notify_deferred_total,
 *   inspraak_notify_resent_total, inspraak_notify_redis_errors_total.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "service.h"
#include "unsubscribe.h"
#include "xalloc.h"

static volatile sig_atomic_t s_stop;

typedef struct {
    notify_t *n;
    rstore_t *rs; /* HTTP threads, under mu */
    pthread_mutex_t mu;
} web_t;

static int s_health(char *reason, size_t size, void *arg)
{
    web_t *w = arg;
    pthread_mutex_lock(&w->mu);
    int ok = rstore_ping(w->rs);
    if (!ok)
        snprintf(reason, size, "redis does not answer: %s", rstore_error(w->rs));
    pthread_mutex_unlock(&w->mu);
    return ok;
}

/* --- unsubscribe pages (Dutch, B1) ------------------------------------ */

static void s_page(http_res_t *res, int status, const char *title, const char *body_html)
{
    char *page = xasprintf("<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                           "<title>%s</title></head>\n<body style=\"font-family:sans-serif;"
                           "max-width:40em;margin:2em auto;padding:0 1em\">\n<main>\n"
                           "<h1>%s</h1>\n%s\n</main>\n</body></html>\n",
                           title, title, body_html);
    http_res_take(res, status, "text/html; charset=utf-8", page, strlen(page));
    /* No other site may frame the page (an invisible frame under a button
     * of its own would make the resident unsubscribe unknowingly); it
     * loads nothing and posts only here. nosniff and the referrer policy
     * come from common/http. */
    http_res_header(res, "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                    "frame-ancestors 'none'; base-uri 'none'");
    http_res_header(res, "X-Frame-Options", "DENY");
    http_res_header(res, "Cache-Control", "no-store");
}

static int s_check(web_t *w, const http_req_t *req, const char **pid, http_res_t *res)
{
    const char *p = http_query(req, "p"), *s = http_query(req, "s");
    if (!p || !s || !unsubscribe_verify(w->n->ls.key, p, s)) {
        s_page(res, 400, "Deze link werkt niet",
               "<p>De link om u af te melden is niet compleet of niet juist. Gebruik de link uit "
               "de laatste mail die u van ons kreeg.</p>");
        return -1;
    }
    *pid = p;
    return 0;
}

static void s_get_afmelden(const http_req_t *req, http_res_t *res, void *arg)
{
    web_t *w = arg;
    const char *pid;
    if (s_check(w, req, &pid, res) < 0)
        return;
    pthread_mutex_lock(&w->mu);
    int already = unsubscribe_is(w->rs, pid); /* -1: Redis is down; the POST will say so */
    pthread_mutex_unlock(&w->mu);
    if (already == 1) { /* the link of an older mail: nothing to ask */
        s_page(res, 200, "U bent al afgemeld",
               "<p>U bent al afgemeld. U krijgt geen mails meer van ons over uw ideeën. U hoeft "
               "niets meer te doen. Uw ideeën blijven gewoon meetellen.</p>");
        return;
    }
    char *ep = http_html_escape(pid), *es = http_html_escape(http_query(req, "s"));
    char *body = xasprintf(
        "<p>Wilt u geen mails meer van ons krijgen over uw ideeën voor Heerlen? Klik dan op de "
        "knop. Uw ideeën blijven bewaard.</p>\n"
        "<form method=\"post\" action=\"/afmelden?p=%s&amp;s=%s\">\n"
        "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n"
        "<button type=\"submit\">Ja, meld mij af</button>\n</form>",
        ep, es);
    s_page(res, 200, "Afmelden", body);
    free(ep), free(es), free(body);
}

static void s_post_afmelden(const http_req_t *req, http_res_t *res, void *arg)
{
    web_t *w = arg;
    const char *pid;
    if (s_check(w, req, &pid, res) < 0)
        return;
    pthread_mutex_lock(&w->mu);
    int rc = unsubscribe_apply(w->rs, pid, clock_wall_ms());
    pthread_mutex_unlock(&w->mu);
    if (rc < 0) {
        s_page(res, 503, "Dat lukte niet",
               "<p>Er ging iets mis bij ons. Probeer het over een paar minuten opnieuw.</p>");
        return;
    }
    log_info("msg=\"unsubscribed\" pid=%s", pid);
    s_page(res, 200, "U bent afgemeld",
           "<p>U krijgt geen mails meer van ons. Uw ideeën blijven gewoon meetellen.</p>");
}

/* --- the loop ---------------------------------------------------------- */

static void s_on_event(notify_t *n, const char *data, size_t len)
{
    envelope_t e;
    proto_err_t perr;
    envelope_init(&e);
    if (envelope_decode(data, len, &e, &perr) == 0 && e.type == ENV_STORED && e.idea &&
        e.idea->id && e.idea->participant_id && strlen(e.idea->participant_id) < 64) {
        if (outbox_enqueue(n, e.idea->id, e.idea->participant_id,
                           outbox_answers_mail(e.idea)) < 0)
            metric_inc(n->m_errors); /* the scan finds it later */
    }
    envelope_clear(&e);
}

static void s_loop(notify_t *n, void *sub, long scan_ms)
{
    int64_t next_scan = 0, backoff_until = 0;
    while (!s_stop) {
        zmq_pollitem_t item = {.socket = sub, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 200) > 0) {
            char topic[BUS_MAX_TOPIC], *data = NULL;
            size_t len = 0;
            while (bus_recv(sub, topic, sizeof topic, &data, &len, PROTO_MAX_MESSAGE,
                            BUS_DONTWAIT) == 0) {
                s_on_event(n, data, len);
                free(data);
                data = NULL;
            }
        }
        int64_t now = clock_wall_ms();
        if (now < backoff_until)
            continue;
        int bad = 0;
        if (now >= next_scan) {
            bad |= outbox_scan(n) < 0;
            next_scan = now + scan_ms;
        }
        bad |= outbox_receipts(n, 20) < 0;
        bad |= outbox_campaigns(n, 20) < 0;
        if (bad) {
            char q[200];
            log_warn("msg=\"redis trouble; pausing 1 s\" err=%s",
                     log_quote(q, sizeof q, rstore_error(n->rs)));
            backoff_until = now + 1000;
        }
    }
}

static long s_setting(const char *name, long def, long min, long max)
{
    long v;
    char err[200];
    if (config_long(name, def, min, max, &v, err, sizeof err) < 0)
        log_fatal("msg=\"bad configuration\" err=\"%s\"", err);
    return v;
}

int main(void)
{
    notify_t n;
    web_t w;
    char err[512];
    memset(&n, 0, sizeof n);
    memset(&w, 0, sizeof w);
    service_on_stop(&s_stop);
    service_init(&n.cfg, "notify", PORT_OFF_NOTIFY);
    n.batch_ms = s_setting("INSPRAAK_RECEIPT_BATCH_S", 600, 0, 86400 * 7) * 1000;
    long scan_ms = s_setting("INSPRAAK_NOTIFY_SCAN_S", 30, 1, 86400) * 1000;
    n.slack_ms = s_setting("INSPRAAK_NOTIFY_SCAN_SLACK_S", 3600, 0, 86400 * 30) * 1000;
    n.retry_ms = s_setting("INSPRAAK_SMTP_RETRY_MS", 30000, 1, 3600000);
    n.retries = s_setting("INSPRAAK_SMTP_RETRIES", 8, 1, 100);
    n.max_resend = s_setting("INSPRAAK_NOTIFY_MAX_RESEND", 1, 0, 100);
    n.stop = &s_stop;
    if (letter_settings_load(&n.ls, &n.cfg, err, sizeof err) < 0)
        log_fatal("msg=\"bad configuration\" err=\"%s\"", err);
    n.rs = rstore_new(n.cfg.redis_url, err, sizeof err);
    w.rs = n.rs ? rstore_new(n.cfg.redis_url, err, sizeof err) : NULL;
    if (!w.rs)
        log_fatal("msg=\"bad redis url\" err=\"%s\"", err);
    n.mo = mailout_new(&n.cfg, n.ls.from_addr, err, sizeof err);
    if (!n.mo)
        log_fatal("msg=\"bad mail settings\" err=\"%s\"", err);
    n.m_sent = metrics_counter("inspraak_notify_sent_total", "Mails handed to SMTP or the outbox.");
    n.m_skipped = metrics_counter("inspraak_notify_skipped_total",
                                  "Mails not sent: no consent, unsubscribed or bad address.");
    n.m_bounced = metrics_counter("inspraak_notify_bounced_total", "Mails refused (5xx) or given up.");
    n.m_deferred = metrics_counter("inspraak_notify_deferred_total", "Temporary failures (4xx).");
    n.m_resent = metrics_counter("inspraak_notify_resent_total",
                                 "Mails sent again after notify died while sending them.");
    n.m_errors = metrics_counter("inspraak_notify_redis_errors_total", "Failed Redis calls.");
    w.n = &n;
    pthread_mutex_init(&w.mu, NULL);
    http_server_t *srv = service_http_new(&n.cfg, 0);
    if (srv) {
        http_server_set_health(srv, s_health, &w);
        http_route(srv, "GET", "/afmelden", s_get_afmelden, &w);
        http_route(srv, "POST", "/afmelden", s_post_afmelden, &w);
    }
    if (service_http_start(&srv, &n.cfg) < 0)
        log_fatal("msg=\"cannot start http\"");
    void *sub = bus_sub_connect(n.cfg.bus_events, "stored", err, sizeof err);
    if (!sub)
        log_fatal("msg=\"cannot subscribe to events\" err=\"%s\"", err);
    log_info("msg=\"started\" http_port=%d mail=%s batch_s=%ld", n.cfg.http_port,
             mailout_kind(n.mo), n.batch_ms / 1000);
    s_loop(&n, sub, scan_ms);
    log_info("msg=\"stopping\"");
    http_server_destroy(&srv);
    bus_close(&sub);
    bus_shutdown();
    mailout_destroy(&n.mo);
    rstore_destroy(&n.rs);
    rstore_destroy(&w.rs);
    pthread_mutex_destroy(&w.mu);
    return 0;
}
