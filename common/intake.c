/*
 * NAME
 *   intake - spool, send, await ack: the part every intake shares (see intake.h)
 *
 * DESCRIPTION
 *   intake_submit() runs on the callers' threads (HTTP workers, a mail
 *   poller): it encodes the envelope and appends it to the spool, which
 *   returns after fsync (intake_submit_async: the caller's callback, run by
 *   the spool's fsync thread, says when; the accepted counter moves once
 *   per group). Nothing is sent from those threads.
 *
 *   One sender thread owns the PUSH and SUB sockets (ZeroMQ sockets are not
 *   thread-safe). It sleeps in zmq_poll() on the SUB socket and on the
 *   spool's wakeup eventfd, at most 100 ms (while the PUSH socket is full
 *   or has no peer: on the SUB socket and on the PUSH socket becoming
 *   writable, not on new records, which could not be sent), and after
 *   each wake:
 *     - reads every ack waiting: topic exactly "ack.<service>.<instance>"
 *       (the SUB filter is a prefix match, so "ack.intake-form.1" would
 *       also let "ack.intake-form.10" through), an ENV_ACK envelope with
 *       one id or, from storage, the ids of a whole batch ("ids"); they go
 *       to spool_ack_many() together (one lock, one acks.log write);
 *     - spool_send_due(): new records at once; an unacknowledged one again
 *       only when it looks lost: its timer ran out (resend_ms, doubling to
 *       60 s) and acks for twice the records in flight ahead of it came
 *       back, or no ack at all came for resend_ms, or its last send is
 *       60 s ago (common/spool_send.c); a full or peerless PUSH socket
 *       (BUS_DONTWAIT -> EAGAIN) ends the round, the records stay spooled;
 *     - copies the spool's counters into the metrics.
 *   It stops when intake_destroy() sets the stop flag; it never has to
 *   flush anything, because what was accepted is already on disk.
 *
 * DIAGNOSTICS
 *   intake_new() and intake_submit() return NULL / -1 with a reason in err.
 *   Bad acks on the bus are logged at debug level and dropped.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "intake.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "bus.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

#define SEND_ROUND 256 /* records per spool_send_due() round */
#define ACK_ROUND 1000 /* ack ids (and messages) read per wake, so sending is not starved */
#define POLL_MS 100

struct intake {
    config_t cfg;
    spool_t *spool;
    void *push;
    void *sub;
    char ack_topic[BUS_MAX_TOPIC];
    pthread_t thread;
    bool started;
    atomic_int stop;
    atomic_int running;
    /* sender thread: the last send found the PUSH socket full (high-water
     * mark) or without a peer; wait for ZMQ_POLLOUT, not for new records */
    bool blocked;
    spool_stats_t last; /* sender thread: counters already added to metrics */
    /* sender thread: the acks of one wake-up, applied together */
    char (*ack_ids)[SPOOL_MAX_ID + 1];
    const char *ack_ptrs[ACK_ROUND];
    size_t n_acks;
    metric_t *m_accepted, *m_pending, *m_fsyncs, *m_appends, *m_resent, *m_acks, *m_writes;
};

/* ---------------------------------------------------------------------
 * Sender thread
 */

static int s_send(const char *id, const void *data, size_t len, void *arg)
{
    intake_t *self = arg;
    (void)id;
    int rc = bus_send(self->push, NULL, data, len, BUS_DONTWAIT);
    /* Only a full or peerless socket: POLLOUT ends that wait. Any other
     * error would find the socket writable at once, and waiting for
     * POLLOUT would then spin; it is retried at the next wake instead. */
    if (rc < 0 && errno == EAGAIN)
        self->blocked = true;
    return rc;
}

/* Hands the acks collected so far to the spool at once: one lock and one
 * acks.log write for all of them. */
static void s_apply_acks(intake_t *self)
{
    if (self->n_acks > 0)
        spool_ack_many(self->spool, self->ack_ptrs, self->n_acks);
    self->n_acks = 0;
}

static void s_note_ack(intake_t *self, const char *id)
{
    size_t n = strnlen(id, SPOOL_MAX_ID + 1);
    if (n == 0 || n > SPOOL_MAX_ID)
        return; /* no spool record has such an id */
    if (self->n_acks == ACK_ROUND)
        s_apply_acks(self);
    memcpy(self->ack_ids[self->n_acks], id, n + 1);
    self->ack_ptrs[self->n_acks] = self->ack_ids[self->n_acks];
    self->n_acks++;
}

/* Notes the ids of a good ack for us: "id", and every one of "ids" when
 * storage acknowledged a batch in one message (proto.h). Returns how many
 * ids the message carried (0 for a message that is not for us). */
static size_t s_handle_ack(intake_t *self, const char *topic, const char *data, size_t len)
{
    if (strcmp(topic, self->ack_topic) != 0)
        return 0; /* another instance whose name shares our prefix */
    envelope_t env;
    proto_err_t perr;
    envelope_init(&env);
    if (envelope_decode(data, len, &env, &perr) < 0) {
        log_debug("msg=\"bad ack dropped\" code=%s", perr.code);
        return 0;
    }
    size_t ids = 0;
    if (env.type == ENV_ACK) {
        if (env.id) {
            s_note_ack(self, env.id);
            ids++;
        }
        /* ids[0] is env.id again: the spool skips repeats in a batch */
        for (int i = 0; i < env.n_ids; i++, ids++)
            s_note_ack(self, env.ids[i]);
    }
    envelope_clear(&env);
    return ids;
}

/* Reads the ack messages waiting on the SUB socket, until ACK_ROUND ids
 * came (so sending is not starved), and hands their ids to the spool
 * together: one lock and one acks.log write per wake-up instead of one per
 * ack. */
static void s_read_acks(intake_t *self)
{
    self->n_acks = 0;
    for (size_t got = 0; got < ACK_ROUND;) {
        char topic[BUS_MAX_TOPIC], *data = NULL;
        size_t len = 0;
        if (bus_recv(self->sub, topic, sizeof topic, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT) <
            0) {
            if (errno == EAGAIN || errno == ETERM)
                break;
            if (errno != EINTR)
                log_debug("msg=\"bus message dropped\" err=\"%s\"", strerror(errno));
            got++; /* a bounded loop, whatever arrives */
            continue;
        }
        got += 1 + s_handle_ack(self, topic, data, len);
        free(data);
    }
    s_apply_acks(self);
}

/* Counters: add what changed since last time (the metrics registry is per
 * process and may outlive this intake). */
static void s_update_metrics(intake_t *self)
{
    spool_stats_t st;
    spool_stats(self->spool, &st);
    metric_add(self->m_fsyncs, (double)(st.fsyncs - self->last.fsyncs));
    metric_add(self->m_appends, (double)(st.appended - self->last.appended));
    metric_add(self->m_writes, (double)(st.writes - self->last.writes));
    metric_add(self->m_resent, (double)(st.resent - self->last.resent));
    metric_add(self->m_acks, (double)(st.acked - self->last.acked));
    metric_set(self->m_pending, (double)st.pending);
    self->last = st;
}

/* One wait of the sender. Normally on acks and on the spool's wakeup fd
 * (new records, once per group commit). While the bus is full, on acks and
 * on the PUSH socket becoming writable instead: new records could not be
 * sent anyway, and waking for each group only to see EAGAIN again cost a
 * wake-up, two poll() calls, an eventfd read and a refused send per group
 * (a paused pipeline: the whole intake-alone bench row). The wakeup fd
 * stays readable meanwhile, so the fsync thread does not write it again
 * (spool_wake). Returns 1 when spool_send_due() should run, 0 when not,
 * -1 when the bus was closed. */
static int s_wait(intake_t *self, bool more)
{
    zmq_pollitem_t items[2] = {
        {.socket = self->sub, .events = ZMQ_POLLIN},
        {.socket = NULL, .fd = spool_wakeup_fd(self->spool), .events = ZMQ_POLLIN},
    };
    if (self->blocked)
        items[1] = (zmq_pollitem_t){.socket = self->push, .events = ZMQ_POLLOUT};
    int n = zmq_poll(items, 2, more ? 0 : POLL_MS);
    if (n < 0) {
        if (errno == ETERM)
            return -1;
        if (errno != EINTR) {
            log_warn("msg=\"intake poll failed\" err=\"%s\"", strerror(errno));
            usleep(POLL_MS * 1000);
        }
        return 0;
    }
    if (items[0].revents & ZMQ_POLLIN)
        s_read_acks(self);
    if (self->blocked) {
        /* Writable again, or the poll timed out: try (re-sends are due on
         * the same clock, and a missed POLLOUT costs at most POLL_MS). */
        if (!(items[1].revents & ZMQ_POLLOUT) && n > 0)
            return 0;
        self->blocked = false;
        spool_clear_wakeup(self->spool); /* the records since are sent next */
    } else if (items[1].revents & ZMQ_POLLIN) {
        /* Clear before sending: an append after this point wakes us again. */
        spool_clear_wakeup(self->spool);
    }
    return 1;
}

static void *s_run(void *arg)
{
    intake_t *self = arg;
    pthread_setname_np(pthread_self(), "intake-send"); /* for top -H and perf */
    bool more = false;
    while (!atomic_load(&self->stop)) {
        int rc = s_wait(self, more);
        if (rc < 0)
            break;
        more = false;
        /* Re-sends run on the monotonic clock: a wall-clock step (NTP, a VM
         * resumed) neither floods the bus nor stalls them. */
        if (rc > 0)
            more = spool_send_due(self->spool, clock_mono_ms(), self->cfg.resend_ms, SEND_ROUND,
                                  s_send, self) == SEND_ROUND;
        s_update_metrics(self);
    }
    s_update_metrics(self);
    atomic_store(&self->running, 0);
    return NULL;
}

/* ---------------------------------------------------------------------
 * Public
 */

/* On the spool's fsync thread, once per group of async answers: the
 * counter moves once per group, and no wrapper per request is needed. */
static void s_async_group(void *arg, size_t ok, size_t failed)
{
    intake_t *self = arg;
    if (ok)
        metric_add(self->m_accepted, (double)ok);
    if (failed)
        log_error("msg=\"spool fsync failed, ideas not accepted\" count=%zu", failed);
}

static void s_metrics(intake_t *self)
{
    self->m_accepted = metrics_counter("inspraak_intake_accepted_total",
                                       "Submissions answered as accepted (durable in the spool).");
    self->m_pending = metrics_gauge("inspraak_spool_pending",
                                    "Spooled submissions not yet acknowledged by storage.");
    self->m_fsyncs = metrics_counter("inspraak_spool_fsyncs_total",
                                     "fsync calls on spool segments (group commit).");
    self->m_appends =
        metrics_counter("inspraak_spool_appends_total", "Records appended to the spool.");
    self->m_writes = metrics_counter("inspraak_spool_writes_total",
                                     "Writes that carried records into spool segments (one per group).");
    self->m_resent = metrics_counter("inspraak_bus_resent_total",
                                     "Spooled submissions sent again for lack of an ack.");
    self->m_acks = metrics_counter("inspraak_acks_total",
                                   "Acknowledgements from storage applied to the spool.");
}

intake_t *intake_new(const config_t *cfg, char *err, size_t errlen)
{
    intake_t *self = xcalloc(1, sizeof *self);
    self->cfg = *cfg;
    self->ack_ids = xmalloc(ACK_ROUND * sizeof *self->ack_ids);
    char sub[128], dir[1024];
    snprintf(sub, sizeof sub, "spool/%s", cfg->name);
    snprintf(self->ack_topic, sizeof self->ack_topic, "ack.%s", cfg->name);
    if (config_var_path(cfg, sub, dir, sizeof dir) < 0) {
        snprintf(err, errlen, "cannot create %s/%s: %s", cfg->var_dir, sub, strerror(errno));
        intake_destroy(&self);
        return NULL;
    }
    if (!(self->spool = spool_new(dir, err, errlen)) ||
        !(self->push = bus_push_connect(cfg->bus_classify, err, errlen)) ||
        !(self->sub = bus_sub_connect(cfg->bus_events, self->ack_topic, err, errlen))) {
        intake_destroy(&self);
        return NULL;
    }
    s_metrics(self);
    spool_set_group_fn(self->spool, s_async_group, self);
    spool_stats_t st;
    spool_stats(self->spool, &st);
    atomic_store(&self->running, 1);
    /* pthread_create is a full barrier, which is what ZeroMQ asks for when
     * a socket moves to another thread. */
    int rc = pthread_create(&self->thread, NULL, s_run, self);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start sender thread: %s", strerror(rc));
        atomic_store(&self->running, 0);
        intake_destroy(&self);
        return NULL;
    }
    self->started = true;
    char q[1100];
    log_info("msg=\"intake ready\" spool=%s pending=%llu", log_quote(q, sizeof q, dir),
             (unsigned long long)st.pending);
    return self;
}

void intake_destroy(intake_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    intake_t *self = *self_p;
    *self_p = NULL;
    if (self->started) {
        atomic_store(&self->stop, 1);
        pthread_join(self->thread, NULL);
    }
    bus_close(&self->push);
    bus_close(&self->sub);
    spool_destroy(&self->spool);
    free(self->ack_ids);
    free(self);
}

/* Encodes env into *buf. Returns 0, or -1 with err. */
static int s_encode(intake_t *self, envelope_t *env, char **buf, size_t *len, char *err,
                    size_t errlen)
{
    if (!env || !env->id || !env->id[0]) {
        snprintf(err, errlen, "envelope has no id");
        return -1;
    }
    proto_set(&env->origin, self->cfg.name);
    env->sent_at = clock_wall_ms();
    proto_err_t perr;
    if (envelope_encode(env, buf, len, &perr) < 0) {
        snprintf(err, errlen, "cannot encode %s: %s", env->id, perr.message);
        return -1;
    }
    return 0;
}

static void s_append_failed(const char *id, int e, char *err, size_t errlen)
{
    snprintf(err, errlen, "cannot spool %s: %s", id, strerror(e));
    char q[256];
    log_error("msg=\"spool append failed\" id=%s err=\"%s\"", log_quote(q, sizeof q, id),
              strerror(e));
}

int intake_submit(intake_t *self, envelope_t *env, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    if (s_encode(self, env, &buf, &len, err, errlen) < 0)
        return -1;
    /* Already spooled and durable (1): the sender re-sends it; accepting
     * it again must not write a second copy. One call, one spool lock:
     * a separate spool_has() before the append was a second trip through
     * the lock every request contends for. */
    int rc = spool_append_new(self->spool, env->id, buf, len);
    int e = errno;
    free(buf);
    if (rc < 0) {
        s_append_failed(env->id, e, err, errlen);
        errno = e;
        return -1;
    }
    metric_inc(self->m_accepted);
    return 0;
}

int intake_submit_async(intake_t *self, envelope_t *env, intake_done_fn fn, void *arg,
                        char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    if (s_encode(self, env, &buf, &len, err, errlen) < 0)
        return -1;
    /* intake_done_fn and spool_done_fn are the same type: the caller's
     * callback is handed to the spool as it is. */
    int rc = spool_append_new_async(self->spool, env->id, buf, len, fn, arg);
    int e = errno;
    free(buf);
    if (rc < 0) {
        s_append_failed(env->id, e, err, errlen);
        errno = e;
        return -1;
    }
    if (rc == 1)
        metric_inc(self->m_accepted);
    return rc;
}

intake_t *intake_new_or_exit(const config_t *cfg)
{
    char err[256], q[300];
    intake_t *self = intake_new(cfg, err, sizeof err);
    if (!self)
        log_fatal("msg=\"cannot open intake\" err=%s", log_quote(q, sizeof q, err));
    return self;
}

int intake_health_check(char *reason, size_t size, void *intake)
{
    return intake_healthy(intake, reason, size);
}

int intake_healthy(intake_t *self, char *reason, size_t size)
{
    if (spool_error(self->spool, reason, size) < 0)
        return 0;
    if (!atomic_load(&self->running)) {
        snprintf(reason, size, "intake sender thread stopped");
        return 0;
    }
    if (reason && size)
        reason[0] = '\0';
    return 1;
}

void intake_stats(intake_t *self, spool_stats_t *out)
{
    spool_stats(self->spool, out);
}
