/*
 * NAME
 *   test_intake - submit, send, ack, restart, re-send: contract 1 end to end
 *
 * DESCRIPTION
 *   The test plays both neighbours of an intake on real loopback TCP
 *   (ports 21010-21019): a PULL socket as the classifier and a PUB socket
 *   as storage. Three envelopes are submitted and arrive; storage acks one;
 *   after a restart of the intake the other two are sent again. A batched
 *   ack (one message, several ids) acknowledges each of them; a torn one
 *   nothing. Waiting is
 *   done by bounded retry loops on what can be observed, never by timing
 *   assertions; a 60 s alarm only guards against a hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "bus.h"
#include "config.h"
#include "intake.h"
#include "metrics.h"
#include "proto.h"

#define CLASSIFY "tcp://127.0.0.1:21011"
#define EVENTS "tcp://127.0.0.1:21012"

static char s_var[256];

static int s_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void s_config(config_t *cfg)
{
    char err[256] = "";
    setenv("INSPRAAK_VAR", s_var, 1);
    setenv("INSPRAAK_BUS_CLASSIFY", CLASSIFY, 1);
    setenv("INSPRAAK_BUS_EVENTS", EVENTS, 1);
    /* Long enough that nothing is re-sent while the test looks; after a
     * restart the replayed records are due at once anyway. */
    setenv("INSPRAAK_RESEND_MS", "600000", 1);
    if (config_load(cfg, "intake-test", 0, err, sizeof err) < 0)
        fail_msg("config_load: %s", err);
}

static void s_submit_as(intake_t *in, const char *origin, const char *id, const char *text)
{
    envelope_t env;
    envelope_init(&env);
    env.type = ENV_IDEA;
    proto_set(&env.id, id);
    env.idea = calloc(1, sizeof *env.idea);
    assert_non_null(env.idea);
    idea_init(env.idea);
    proto_set(&env.idea->id, id);
    proto_set(&env.idea->channel, "form");
    proto_set(&env.idea->text, text);
    char err[256] = "";
    if (intake_submit(in, &env, err, sizeof err) != 0)
        fail_msg("intake_submit: %s", err);
    assert_string_equal(env.origin, origin);
    assert_true(env.sent_at > 0);
    envelope_clear(&env);
}

static void s_submit(intake_t *in, const char *id, const char *text)
{
    s_submit_as(in, "intake-test.0", id, text);
}

/* Receives one envelope from intake `origin` on the fake classifier and
 * returns its id. */
static void s_receive_from(void *pull, const char *origin, char *id, size_t size)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, PROTO_MAX_MESSAGE, 0), 0);
    envelope_t env;
    proto_err_t perr;
    envelope_init(&env);
    if (envelope_decode(data, len, &env, &perr) != 0)
        fail_msg("decode: %s", perr.message);
    assert_int_equal(env.type, ENV_IDEA);
    assert_string_equal(env.origin, origin);
    assert_non_null(env.idea);
    snprintf(id, size, "%s", env.id);
    envelope_clear(&env);
    free(data);
}

static void s_receive(void *pull, char *id, size_t size)
{
    s_receive_from(pull, "intake-test.0", id, size);
}

/* Publishes an ack of ids[0..n) in one message (a batch when n > 1), cut
 * short by `torn` bytes. */
static void s_publish_acks(void *pub, const char *topic, const char *const *ids, int n,
                           size_t torn)
{
    envelope_t env;
    envelope_init(&env);
    assert_int_equal(envelope_set_acks(&env, ids, n), 0);
    proto_set(&env.origin, "storage.0");
    char *buf;
    size_t len;
    proto_err_t perr;
    assert_int_equal(envelope_encode(&env, &buf, &len, &perr), 0);
    assert_true(len > torn);
    assert_int_equal(bus_send(pub, topic, buf, len - torn, BUS_DONTWAIT), 0);
    free(buf);
    envelope_clear(&env);
}

static void s_publish_ack(void *pub, const char *topic, const char *id)
{
    s_publish_acks(pub, topic, &id, 1, 0);
}

/* The fake classifier (PULL) and storage (PUB), then the intake. */
static intake_t *s_start(const config_t *cfg, void **pull, void **pub)
{
    char err[256] = "";
    *pull = bus_pull_bind(CLASSIFY, 0, err, sizeof err);
    *pub = bus_pub_bind(EVENTS, 0, err, sizeof err);
    assert_non_null(*pull);
    assert_non_null(*pub);
    intake_t *in = intake_new(cfg, err, sizeof err);
    if (!in)
        fail_msg("intake_new: %s", err);
    return in;
}

static uint64_t s_pending(intake_t *in)
{
    spool_stats_t st;
    intake_stats(in, &st);
    return st.pending;
}

static int s_has(char ids[][32], int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

static void test_submit_ack_restart(void **state)
{
    (void)state;
    config_t cfg;
    s_config(&cfg);
    char err[256] = "";
    void *pull, *pub;
    intake_t *in = s_start(&cfg, &pull, &pub);
    char reason[128];
    assert_int_equal(intake_healthy(in, reason, sizeof reason), 1);
    /* what form, mail and transcript give /healthz */
    assert_int_equal(intake_health_check(reason, sizeof reason, in), 1);
    double accepted0 = metric_value(metrics_counter("inspraak_intake_accepted_total", ""));

    s_submit(in, "f-0000000000000001", "Meer groen in het centrum");
    s_submit(in, "f-0000000000000002", "Veilige fietspaden");
    s_submit(in, "f-0000000000000003", "Een speeltuin in de wijk");
    assert_int_equal(s_pending(in), 3);

    char got[8][32];
    for (int i = 0; i < 3; i++)
        s_receive(pull, got[i], sizeof got[i]);
    assert_true(s_has(got, 3, "f-0000000000000001"));
    assert_true(s_has(got, 3, "f-0000000000000002"));
    assert_true(s_has(got, 3, "f-0000000000000003"));

    /* Submitting a pending id again accepts it without a second copy. */
    spool_stats_t st;
    intake_stats(in, &st);
    s_submit(in, "f-0000000000000001", "Meer groen in het centrum");
    spool_stats_t st2;
    intake_stats(in, &st2);
    assert_int_equal(st2.appended, st.appended);
    assert_int_equal(st2.pending, 3);
    assert_true(metric_value(metrics_counter("inspraak_intake_accepted_total", "")) >=
                accepted0 + 4);

    /* Storage acks #2. An ack on a topic that merely starts with ours (another
     * instance, "intake-test.01") must not count. PUB/SUB drops until the
     * subscription is through, so publish until the ack lands (bounded). */
    for (int i = 0; i < 2000 && s_pending(in) == 3; i++) {
        s_publish_ack(pub, "ack.intake-test.01", "f-0000000000000001");
        s_publish_ack(pub, "ack.intake-test.0", "f-0000000000000002");
        usleep(5000);
    }
    assert_int_equal(s_pending(in), 2);
    intake_destroy(&in);
    assert_null(in);

    /* A restart re-sends the two that storage never acknowledged. */
    in = intake_new(&cfg, err, sizeof err);
    if (!in)
        fail_msg("intake_new again: %s", err);
    intake_stats(in, &st);
    assert_int_equal(st.replayed, 2);
    for (int i = 0; i < 2; i++)
        s_receive(pull, got[i], sizeof got[i]);
    assert_true(s_has(got, 2, "f-0000000000000001"));
    assert_true(s_has(got, 2, "f-0000000000000003"));
    char *data = NULL;
    size_t len;
    /* Nothing else: #2 is not sent again. The sender has already sent the
     * two above, so a third message could only be a wrong re-send. */
    for (int i = 0; i < 20; i++) {
        assert_int_equal(bus_recv(pull, NULL, 0, &data, &len, PROTO_MAX_MESSAGE, BUS_DONTWAIT), -1);
        usleep(5000);
    }

    /* The metrics reflect the spool (updated by the sender thread). */
    for (int i = 0; i < 2000 && metric_value(metrics_gauge("inspraak_spool_pending", "")) != 2; i++)
        usleep(5000);
    assert_true(metric_value(metrics_gauge("inspraak_spool_pending", "")) == 2);
    assert_true(metric_value(metrics_counter("inspraak_spool_appends_total", "")) >= 3);
    assert_true(metric_value(metrics_counter("inspraak_acks_total", "")) >= 1);
    char *text = metrics_render();
    assert_non_null(strstr(text, "inspraak_spool_fsyncs_total"));
    assert_non_null(strstr(text, "inspraak_bus_resent_total"));
    free(text);

    /* No id: refused, nothing written. */
    envelope_t env;
    envelope_init(&env);
    env.type = ENV_IDEA;
    assert_int_equal(intake_submit(in, &env, err, sizeof err), -1);
    assert_non_null(strstr(err, "no id"));
    envelope_clear(&env);

    intake_destroy(&in);
    intake_destroy(&in);
    bus_close(&pull);
    bus_close(&pub);
}

/* With no classifier at all, submit still answers at once (the record is
 * durable) and the record waits in the spool. */
static void test_no_peer(void **state)
{
    (void)state;
    config_t cfg;
    s_config(&cfg);
    setenv("INSPRAAK_BUS_CLASSIFY", "tcp://127.0.0.1:21013", 1);
    config_t cfg2;
    char err[256] = "";
    assert_int_equal(config_load(&cfg2, "intake-lonely", 0, err, sizeof err), 0);
    intake_t *in = intake_new(&cfg2, err, sizeof err);
    if (!in)
        fail_msg("intake_new: %s", err);
    envelope_t env;
    envelope_init(&env);
    env.type = ENV_IDEA;
    proto_set(&env.id, "f-00000000000000aa");
    assert_int_equal(intake_submit(in, &env, err, sizeof err), 0);
    envelope_clear(&env);
    spool_stats_t st;
    intake_stats(in, &st);
    assert_int_equal(st.pending, 1);
    assert_int_equal(st.sent, 0);
    intake_destroy(&in);
    setenv("INSPRAAK_BUS_CLASSIFY", CLASSIFY, 1);
}

/* No classifier at first: the sender finds the bus without a peer and
 * waits for it (not for new records). Ideas spooled meanwhile are all
 * sent once a classifier binds, each once. */
static void test_peer_arrives_late(void **state)
{
    (void)state;
    config_t cfg;
    s_config(&cfg);
    setenv("INSPRAAK_BUS_CLASSIFY", "tcp://127.0.0.1:21014", 1);
    config_t cfg2;
    char err[256] = "";
    assert_int_equal(config_load(&cfg2, "intake-late", 0, err, sizeof err), 0);
    setenv("INSPRAAK_BUS_CLASSIFY", CLASSIFY, 1);
    intake_t *in = intake_new(&cfg2, err, sizeof err);
    if (!in)
        fail_msg("intake_new: %s", err);
    const char *ids[] = {"f-00000000000000c1", "f-00000000000000c2", "f-00000000000000c3"};
    for (int i = 0; i < 3; i++)
        s_submit_as(in, "intake-late.0", ids[i], "Een bankje bij de vijver");
    spool_stats_t st;
    intake_stats(in, &st);
    assert_int_equal(st.sent, 0);
    void *pull = bus_pull_bind("tcp://127.0.0.1:21014", 0, err, sizeof err);
    assert_non_null(pull);
    char got[3][32];
    for (int i = 0; i < 3; i++)
        s_receive_from(pull, "intake-late.0", got[i], sizeof got[i]);
    for (int i = 0; i < 3; i++)
        assert_true(s_has(got, 3, ids[i]));
    intake_stats(in, &st);
    assert_int_equal(st.resent, 0); /* each once */
    intake_destroy(&in);
    bus_close(&pull);
}

static const char *const s_five[] = {"f-00000000000000b1", "f-00000000000000b2",
                                     "f-00000000000000b3", "f-00000000000000b4",
                                     "f-00000000000000b5"};

/* Reads the spool's acks.log of intake `name` into buf. */
static void s_acks_log(const char *name, char *buf, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/spool/%s.0/acks.log", s_var, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Storage acknowledges a batch in one message ("ids"): every id in it is
 * acknowledged. A torn batch (cut short on the wire) acknowledges nothing,
 * and one on a look-alike topic counts for nothing either. */
static void test_batched_ack(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    s_config(&cfg);
    assert_int_equal(config_load(&cfg, "intake-batch", 0, err, sizeof err), 0);
    void *pull, *pub;
    intake_t *in = s_start(&cfg, &pull, &pub);
    for (int i = 0; i < 5; i++)
        s_submit_as(in, "intake-batch.0", s_five[i], "Meer bankjes in het park");
    char got[8][32];
    for (int i = 0; i < 5; i++)
        s_receive_from(pull, "intake-batch.0", got[i], sizeof got[i]);

    /* The torn batch (ids 1-3) and a batch for a look-alike topic (id 4)
     * go out before a good single ack of id 5 on the same socket, so they
     * have arrived when #5 is acknowledged: only #5 may be. */
    for (int i = 0; i < 2000 && s_pending(in) == 5; i++) {
        s_publish_acks(pub, "ack.intake-batch.0", s_five, 3, 9);
        s_publish_acks(pub, "ack.intake-batch.01", s_five + 3, 1, 0);
        s_publish_ack(pub, "ack.intake-batch.0", s_five[4]);
        usleep(5000);
    }
    assert_int_equal(s_pending(in), 4);

    /* The good batch of ids 1-3: all three, in one message. */
    for (int i = 0; i < 2000 && s_pending(in) == 4; i++) {
        s_publish_acks(pub, "ack.intake-batch.0", s_five, 3, 0);
        usleep(5000);
    }
    assert_int_equal(s_pending(in), 1);
    intake_destroy(&in);

    /* What acks.log says survives: after a restart only #4 is left. */
    char log[1024];
    s_acks_log("intake-batch", log, sizeof log);
    assert_non_null(strstr(log, "f-00000000000000b1\n"));
    assert_non_null(strstr(log, "f-00000000000000b3\n"));
    assert_null(strstr(log, "f-00000000000000b4"));
    in = intake_new(&cfg, err, sizeof err);
    if (!in)
        fail_msg("intake_new again: %s", err);
    s_receive_from(pull, "intake-batch.0", got[0], sizeof got[0]);
    assert_string_equal(got[0], s_five[3]);
    assert_int_equal(s_pending(in), 1);
    intake_destroy(&in);
    bus_close(&pull);
    bus_close(&pub);
}

int main(void)
{
    alarm(60);
    snprintf(s_var, sizeof s_var, "/tmp/test_intake.XXXXXX");
    if (!mkdtemp(s_var))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submit_ack_restart),
        cmocka_unit_test(test_no_peer),
        cmocka_unit_test(test_peer_arrives_late),
        cmocka_unit_test(test_batched_ack),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bus_shutdown();
    nftw(s_var, s_rm, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
