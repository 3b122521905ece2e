/*
 * NAME
 *   bus-inject - push hand-made envelopes to storage and wait for the acks
 *
 * SUMMARY
 *   bus-inject PUSH_ENDPOINT EVENTS_ENDPOINT < ideas.jsonl
 *
 * DESCRIPTION
 *   A test tool (Python has no ZeroMQ module here). Each stdin line is a
 *   JSON object:
 *
 *     {"id", "channel", "text", "received_at" (int ms), "themes": [..],
 *      "source": {...}, "participant": {"name", "email",
 *      "consent_feedback", "consent_at", "consent_purpose"}, ...}
 *         -> an ENV_CLASSIFIED envelope with that idea (keys as in proto.h;
 *            "classified" defaults to true)
 *     {"type": "dead", "id", "reason", "raw"}  -> an ENV_DEAD envelope
 *     {"type": "update", "id", "idea", "status", "cluster", "was"}  -> an
 *            ENV_UPDATE (envelope id "id") of idea "idea" with those fields
 *            only; "was" is the version staff saw (proto/idea_version.h)
 *     {"raw": "..."}  -> those bytes as they are (not an envelope; no ack)
 *
 *   Envelopes carry origin $INJECT_ORIGIN (default "inject.0"). The tool
 *   subscribes to "ack.<origin>" and "stored" on EVENTS_ENDPOINT first,
 *   then pushes every line, and re-sends what is not yet acknowledged every
 *   second (as an intake does) until all are acked. It prints "stored <id>"
 *   and "ack <id>" per event seen (each ack once), and exits 0, or 2 when
 *   $INJECT_TIMEOUT_S (default 60) passed first, 1 on bad input.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "bus.h"
#include "idea_version.h"
#include "proto.h"
#include "xalloc.h"

#define S_MAX 4096

typedef struct {
    char *buf;
    size_t len;
    char *id; /* NULL: no ack expected */
    int acked;
} s_msg_t;

static const char *s_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void s_strs(json_t *a, char **out, int *n, int max)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (*n < max && json_is_string(v))
            out[(*n)++] = xstrdup(json_string_value(v));
    }
}

static void s_idea_from(json_t *o, idea_t *idea)
{
    static const struct {
        const char *key;
        size_t off;
    } strs[] = {
        {"id", offsetof(idea_t, id)},
        {"channel", offsetof(idea_t, channel)},
        {"activity", offsetof(idea_t, activity)},
        {"target_group", offsetof(idea_t, target_group)},
        {"text", offsetof(idea_t, text)},
        {"title", offsetof(idea_t, title)},
        {"wijk", offsetof(idea_t, wijk)},
        {"buurt", offsetof(idea_t, buurt)},
        {"postcode", offsetof(idea_t, postcode)},
        {"question", offsetof(idea_t, question)},
        {"sentiment", offsetof(idea_t, sentiment)},
        {"language", offsetof(idea_t, language)},
        {"cluster", offsetof(idea_t, cluster)},
        {"status", offsetof(idea_t, status)},
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        proto_set((char **)((char *)idea + strs[i].off), s_str(o, strs[i].key));
    idea->received_at = json_integer_value(json_object_get(o, "received_at"));
    json_t *lat = json_object_get(o, "lat"), *lon = json_object_get(o, "lon");
    if (json_is_number(lat) && json_is_number(lon)) {
        idea->has_location = true;
        idea->lat = json_number_value(lat);
        idea->lon = json_number_value(lon);
    }
    s_strs(json_object_get(o, "themes"), idea->themes, &idea->n_themes, PROTO_MAX_THEMES);
    s_strs(json_object_get(o, "pii"), idea->pii, &idea->n_pii, PROTO_MAX_PII);
    json_t *c = json_object_get(o, "classified");
    idea->classified = c ? json_is_true(c) : true;
    json_t *src = json_object_get(o, "source");
    if (json_is_object(src)) {
        idea_source_t *s = &idea->source;
        proto_set(&s->message_id, s_str(src, "message_id"));
        proto_set(&s->subject, s_str(src, "subject"));
        proto_set(&s->video_id, s_str(src, "video_id"));
        proto_set(&s->context, s_str(src, "context"));
        proto_set(&s->device_id, s_str(src, "device_id"));
        proto_set(&s->local_id, s_str(src, "local_id"));
        proto_set(&s->idempotency_key, s_str(src, "idempotency_key"));
        if (json_is_number(json_object_get(src, "start"))) {
            s->has_times = true;
            s->start = json_number_value(json_object_get(src, "start"));
            s->end = json_number_value(json_object_get(src, "end"));
        }
    }
}

static participant_t *s_participant_from(json_t *o)
{
    if (!json_is_object(o))
        return NULL;
    participant_t *p = xcalloc(1, sizeof *p);
    participant_init(p);
    proto_set(&p->name, s_str(o, "name"));
    proto_set(&p->email, s_str(o, "email"));
    proto_set(&p->consent_purpose, s_str(o, "consent_purpose"));
    p->consent_feedback = json_is_true(json_object_get(o, "consent_feedback"));
    p->consent_at = json_integer_value(json_object_get(o, "consent_at"));
    return p;
}

/* One stdin line into a message. Returns 0 or -1. */
static int s_make(json_t *o, const char *origin, s_msg_t *m)
{
    const char *raw = s_str(o, "raw");
    if (raw && !json_object_get(o, "type")) {
        m->buf = xstrdup(raw);
        m->len = strlen(raw);
        return 0;
    }
    envelope_t e;
    envelope_init(&e);
    e.version = PROTO_VERSION;
    proto_set(&e.origin, origin);
    e.sent_at = (int64_t)time(NULL) * 1000;
    const char *type = s_str(o, "type");
    if (type && strcmp(type, "dead") == 0) {
        e.type = ENV_DEAD;
        proto_set(&e.reason, s_str(o, "reason"));
        e.raw = xstrdup(raw ? raw : "");
        e.raw_len = strlen(e.raw);
    } else if (type && strcmp(type, "update") == 0) {
        e.type = ENV_UPDATE;
        e.idea = xcalloc(1, sizeof *e.idea);
        idea_init(e.idea);
        proto_set(&e.idea->id, s_str(o, "idea"));
        proto_set(&e.idea->status, s_str(o, "status"));
        proto_set(&e.idea->cluster, s_str(o, "cluster"));
        proto_err_t verr;
        if (s_str(o, "was") && idea_version_put(e.idea, s_str(o, "was"), &verr) < 0) {
            fprintf(stderr, "bus-inject: %s\n", verr.message);
            envelope_clear(&e);
            return -1;
        }
    } else {
        e.type = ENV_CLASSIFIED;
        e.idea = xcalloc(1, sizeof *e.idea);
        idea_init(e.idea);
        s_idea_from(o, e.idea);
        e.participant = s_participant_from(json_object_get(o, "participant"));
    }
    proto_set(&e.id, s_str(o, "id"));
    proto_err_t err;
    int rc = envelope_encode(&e, &m->buf, &m->len, &err);
    if (rc < 0)
        fprintf(stderr, "bus-inject: cannot encode: %s %s\n", err.code, err.message);
    m->id = xstrdup(e.id);
    envelope_clear(&e);
    return rc;
}

/* Reads events until none came for poll_ms, or all `left` awaited acks
 * came. Returns the number of new acks. */
static int s_events(void *sub, s_msg_t *msgs, int n, long poll_ms, int left)
{
    int acks = 0;
    while (acks < left || left == 0) {
        zmq_pollitem_t it = {.socket = sub, .events = ZMQ_POLLIN};
        if (zmq_poll(&it, 1, poll_ms) <= 0)
            return acks;
        char topic[BUS_MAX_TOPIC], *data = NULL;
        size_t len = 0;
        if (bus_recv(sub, topic, sizeof topic, &data, &len, PROTO_MAX_MESSAGE, 0) < 0)
            continue;
        envelope_t e;
        proto_err_t err;
        envelope_init(&e);
        if (envelope_decode(data, len, &e, &err) == 0 && e.id) {
            if (e.type == ENV_STORED)
                printf("stored %s\n", e.id);
            /* envelope_acks: storage acks a batch in one message */
            for (int i = 0; i < n; i++)
                if (msgs[i].id && !msgs[i].acked && envelope_acks(&e, msgs[i].id)) {
                    msgs[i].acked = 1;
                    acks++;
                    printf("ack %s\n", msgs[i].id);
                }
            fflush(stdout);
        }
        envelope_clear(&e);
        free(data);
    }
    return acks;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bus-inject PUSH_ENDPOINT EVENTS_ENDPOINT < lines.jsonl\n");
        return 1;
    }
    const char *origin = getenv("INJECT_ORIGIN") ? getenv("INJECT_ORIGIN") : "inject.0";
    long timeout_s = getenv("INJECT_TIMEOUT_S") ? atol(getenv("INJECT_TIMEOUT_S")) : 60;
    static s_msg_t msgs[S_MAX];
    int n = 0, want = 0, rc = 0;
    char line[1 << 20];
    while (n < S_MAX && fgets(line, sizeof line, stdin)) {
        json_error_t jerr;
        json_t *o = json_loads(line, 0, &jerr);
        if (!json_is_object(o) || s_make(o, origin, &msgs[n]) < 0) {
            fprintf(stderr, "bus-inject: bad line %d\n", n + 1);
            json_decref(o);
            rc = 1;
            goto out;
        }
        json_decref(o);
        want += msgs[n++].id != NULL;
    }

    char err[256], topic[BUS_MAX_TOPIC];
    snprintf(topic, sizeof topic, "ack.%s", origin);
    void *sub = bus_sub_connect(argv[2], topic, err, sizeof err);
    void *push = sub ? bus_push_connect(argv[1], err, sizeof err) : NULL;
    if (!sub || !push) {
        fprintf(stderr, "bus-inject: %s\n", err);
        rc = 1;
        goto out;
    }
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "stored", 6);
    int got = 0;
    time_t deadline = time(NULL) + timeout_s;
    for (int round = 0; got < want || round == 0; round++) {
        for (int i = 0; i < n; i++)
            if (!msgs[i].acked && (round == 0 || msgs[i].id))
                while (bus_send(push, NULL, msgs[i].buf, msgs[i].len, BUS_DONTWAIT) < 0 &&
                       time(NULL) < deadline)
                    got += s_events(sub, msgs, n, 100, want - got); /* no peer yet */
        got += s_events(sub, msgs, n, 1000, want - got);
        if (time(NULL) >= deadline) {
            fprintf(stderr, "bus-inject: %d of %d acked before the timeout\n", got, want);
            rc = 2;
            break;
        }
    }
out:
    bus_shutdown();
    for (int i = 0; i < n; i++) {
        free(msgs[i].buf);
        free(msgs[i].id);
    }
    return rc;
}
