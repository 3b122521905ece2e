/*
 * NAME
 *   intake - the part every intake service shares: spool, send, await ack
 *
 * SUMMARY
 *   intake_t *in = intake_new(&cfg, err, sizeof err);
 *   envelope_t env; ... env.type = ENV_IDEA; env.idea = &idea; ...
 *   if (intake_submit(in, &env, err, sizeof err) == 0) answer "accepted";
 *   ...
 *   intake_destroy(&in);   // on SIGTERM: stops the sender thread
 *
 * DESCRIPTION
 *   intake_new() opens the spool $INSPRAAK_VAR/spool/<service>.<instance>/
 *   (replaying what a previous run left), a PUSH socket to the classifiers
 *   and a SUB socket on storage's events for "ack.<service>.<instance>", and
 *   starts one sender thread that owns both sockets. That thread sends each
 *   new spool record at once (woken through the spool's wakeup fd), re-sends
 *   unacknowledged ones with growing delays, and trims the spool on acks.
 *
 *   intake_submit() fills env->origin and env->sent_at, encodes the envelope
 *   and appends it to the spool; it returns 0 only when the record is
 *   fsync'd, i.e. when the caller may tell the sender "accepted". It is
 *   thread-safe (HTTP threads call it). When the id is already pending in
 *   the spool it returns 0 without writing it again. intake_submit_async()
 *   does the same without waiting: a callback brings the fsync's outcome.
 *
 *   Metrics: inspraak_intake_accepted_total, inspraak_spool_pending,
 *   inspraak_spool_fsyncs_total, inspraak_spool_appends_total,
 *   inspraak_spool_writes_total,
 *   inspraak_bus_resent_total, inspraak_acks_total.
 */
#ifndef INSPRAAK_INTAKE_H
#define INSPRAAK_INTAKE_H

#include <stddef.h>

#include "config.h"
#include "proto.h"
#include "spool.h"

typedef struct intake intake_t;

intake_t *intake_new(const config_t *cfg, char *err, size_t errlen);
/* intake_new() for a service's main(): an intake that cannot open (spool,
 * bus) is fatal, logged as "cannot open intake" with the reason (exit 1),
 * as service_init() treats a bad setting. */
intake_t *intake_new_or_exit(const config_t *cfg);
void intake_destroy(intake_t **self_p);

int intake_submit(intake_t *self, envelope_t *env, char *err, size_t errlen);

/* Called once per intake_submit_async() that returned 0, from the spool's
 * fsync thread: rc 0 = durable (answer "accepted"), -1 with err (errno
 * value) = not durable (answer an error). Keep it short. */
typedef void (*intake_done_fn)(void *arg, int rc, int err);
/* Like intake_submit(), but returns before the fsync, for event-driven
 * servers: 0 = spooled, fn(arg, ...) follows once when it is durable or
 * cannot be; 1 = a durable copy of this id is already pending (answer
 * "accepted" now; fn is not called); -1 = error in err (fn not called). */
int intake_submit_async(intake_t *self, envelope_t *env, intake_done_fn fn, void *arg,
                        char *err, size_t errlen);

/* 1 when the intake can accept (spool writable); 0 with a reason. For /healthz. */
int intake_healthy(intake_t *self, char *reason, size_t size);
/* intake_healthy() as the /healthz callback (http_health_fn) of an intake
 * whose health is its spool's and sender's alone: arg is the intake_t. */
int intake_health_check(char *reason, size_t size, void *intake);
void intake_stats(intake_t *self, spool_stats_t *out);

#endif
