/*
 * NAME
 *   notify - shared state of bin/notify (internal header)
 *
 * DESCRIPTION
 *   outbox.c holds the durable outbox in Redis (the keys are listed in
 *   main.c's header comment): receipts and the claim -> send -> finish
 *   steps; outbox_campaign.c the campaigns; main.c the bus loop, timers
 *   and HTTP. Everything in outbox*.c runs on the main thread with n->rs.
 */
#ifndef INSPRAAK_NOTIFY_H
#define INSPRAAK_NOTIFY_H

#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "letter.h"
#include "mailout.h"
#include "metrics.h"
#include "proto.h"
#include "rstore.h"

typedef struct {
    config_t cfg;
    letter_settings_t ls;
    rstore_t *rs;
    mailout_t *mo;
    long batch_ms;     /* INSPRAAK_RECEIPT_BATCH_S * 1000 */
    long slack_ms;     /* INSPRAAK_NOTIFY_SCAN_SLACK_S * 1000 */
    long retry_ms;     /* INSPRAAK_SMTP_RETRY_MS: first 4xx back-off */
    long retries;      /* INSPRAAK_SMTP_RETRIES: 4xx attempts before giving up */
    long max_resend;   /* INSPRAAK_NOTIFY_MAX_RESEND: re-sends after a crash */
    volatile sig_atomic_t *stop;
    metric_t *m_sent, *m_skipped, *m_bounced, *m_deferred, *m_resent, *m_errors;
} notify_t;

/* A stored idea (from the bus or the scan). answers_mail: the idea came in
 * by mail (channel "email" with a Message-ID), so it gets a receipt as a
 * reply even without consent_feedback. Returns 0 or -1 (Redis). */
int outbox_enqueue(notify_t *n, const char *idea_id, const char *pid, int answers_mail);
/* 1 when idea came in by mail and has a Message-ID to answer. */
int outbox_answers_mail(const idea_t *idea);
/* Catch-up over inspraak:ideas since the watermark. 0 or -1. */
int outbox_scan(notify_t *n);
/* Sends the receipts that are due; returns how many were handled, -1. */
int outbox_receipts(notify_t *n, int max);
/* Advances running campaigns by at most max recipients; count or -1
 * (outbox_campaign.c). */
int outbox_campaigns(notify_t *n, int max);

/* Shared by outbox.c and outbox_campaign.c: */
typedef enum { D_SENT, D_BOUNCED, D_DEFERRED, D_DONE_BEFORE, D_ERROR } deliver_t;
/* EVAL script with nkeys keys: kv holds the keys, then the arguments
 * (total in all). The integer reply; 0 for another type; -9 on a Redis
 * error (counted and logged). */
long long outbox_eval(notify_t *n, const char *script, int nkeys, const char **kv, int total);
/* Claims the marker and sends l (outbox.c's claim -> send step; the
 * caller finishes). *later gets the back-off for D_DEFERRED. */
deliver_t outbox_deliver(notify_t *n, const letter_t *l, const char *marker, const char *what,
                         long long *later);

#endif
