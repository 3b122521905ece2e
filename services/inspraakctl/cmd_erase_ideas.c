/*
 * NAME
 *   cmd_erase_ideas - participant erase, step 1: have storage cut the
 *   person's own address and name out of the texts of their ideas
 *
 * DESCRIPTION
 *   A resident sometimes types their own address or name into an idea
 *   ("mail me op jan@example.nl", "Groeten, Jan Smeets"). Erase promises
 *   that nothing pointing to them stays (docs/privacy.md), so before the
 *   participant hash (it holds the name) and the participant-ideas set (it
 *   lists the ideas) are deleted, every idea in that set gets a redaction:
 *   the same "update" with "redact" {"texts": [...]} staff send from the
 *   dashboard (docs/proto.md "Redaction"). Storage, the only writer of
 *   ideas (DESIGN.md contract 4), replaces each whole-word occurrence with
 *   "[weggehaald]" (ASCII case ignored, so "Jan@Example.NL" goes too) and
 *   sets the pii flags again.
 *
 *   The texts are the address as stored (normalised: lowercase) and the
 *   name as given, spaces around it removed, when redact_needle_check()
 *   takes it (2..200 characters). With them go all kinds (redact_msg_add_all_kinds):
 *   every place the pii finders see (common/redact.c) in the person's own
 *   ideas, so a phone number, an address (postcode and house number), an
 *   IBAN or a name after "mijn naam is" or under a greeting ("J. Smeets"
 *   for "Jan Smeets") goes too. A street name with a number and no
 *   postcode, or a name the finders miss, stays: docs/privacy.md says so.
 *
 *   Updates go in batches of S_BATCH over common/bus_update.c; a batch is
 *   re-sent (only what is not acked) as long as acks keep coming, so a busy
 *   storage with many ideas to rewrite is waited for, but a call in which
 *   no ack at all arrives within INSPRAAK_ERASE_WAIT_S (default 20 s)
 *   fails the erase before anything is deleted: running it again is safe,
 *   because a redaction applied twice finds nothing the second time.
 *
 *   done (a JSON object used as a set of ids) says which ideas of the set
 *   were handled by an earlier call of the same erase: they are skipped,
 *   and every id handled now (cut, or one no idea can have) is added, so
 *   ctl_erase_person() can call it again for the ideas storage wrote in
 *   the meantime and tell its Redis script which ideas were cut.
 *
 *   Each acked redaction gets an audit entry (inspraak:audit, as the
 *   dashboard writes for staff): action "redact", user "inspraakctl",
 *   the idea id and how many texts were asked for; never the texts.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bus_update.h"
#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "redact.h"
#include "redact_msg.h"
#include "xalloc.h"

#define S_BATCH 64

/* The name from the participant hash, trimmed, or NULL when there is none
 * or redaction would refuse it (too short, too long, control bytes). */
static char *s_name(ctl_t *ctl, const char *pid, int *failed)
{
    redisReply *r = rstore_cmd(ctl->rs, "HGET " CTL_PREFIX "participant:%s name", pid);
    if (!r) {
        *failed = 1;
        return NULL;
    }
    char *name = r->type == REDIS_REPLY_STRING ? redact_name_needle(r->str, r->len) : NULL;
    freeReplyObject(r);
    return name;
}

static void s_audit(ctl_t *ctl, const char *id, int n_texts)
{
    char detail[64];
    snprintf(detail, sizeof detail, "participant erase texts=%d", n_texts);
    audit_log(ctl->rs, "redact", "inspraakctl", id, detail);
}

/* Sends the redaction m for ids[0..n) until all are acked, each acked id
 * going into done; CTL_OK, or CTL_ERR (message printed) when a round
 * brings no ack at all. */
static int s_send_batch(ctl_t *ctl, char **ids, int n, const redact_msg_t *m, long wait_ms,
                        json_t *done)
{
    idea_t *upd = xcalloc((size_t)n, sizeof *upd);
    idea_t **ptrs = xcalloc((size_t)n, sizeof *ptrs);
    int *acked = xcalloc((size_t)n, sizeof *acked), *sub = xcalloc((size_t)n, sizeof *sub);
    int left = n, rc = CTL_OK;
    char err[320];
    proto_err_t perr;
    for (int i = 0; i < n; i++) {
        idea_init(&upd[i]);
        proto_set(&upd[i].id, ids[i]);
        if (rc == CTL_OK && redact_msg_put(&upd[i], m, &perr) < 0) {
            ctl_err("participant erase: cannot build the redaction (%s); nothing was deleted",
                    perr.code);
            rc = CTL_ERR;
        }
    }
    while (rc == CTL_OK && left > 0) {
        int k = 0;
        for (int i = 0; i < n; i++)
            if (!acked[i])
                ptrs[k++] = &upd[i];
        int got = bus_update_send(ctl->cfg->bus_store, ctl->cfg->bus_events, ctl->cfg->name, ptrs,
                                  k, (int)wait_ms, sub, err, sizeof err);
        for (int i = 0, j = 0; got > 0 && i < n; i++)
            if (!acked[i] && sub[j++]) {
                acked[i] = 1;
                s_audit(ctl, ids[i], m->n_texts);
            }
        if (got <= 0) {
            ctl_err("participant erase: storage did not confirm that the name and address were "
                    "cut from %d of the person's ideas within %ld s (%s); nothing was deleted. "
                    "Start storage (or check INSPRAAK_BUS_STORE / INSPRAAK_BUS_EVENTS) and run "
                    "the command again",
                    left, wait_ms / 1000, got < 0 ? err : "no answer on the bus");
            rc = CTL_ERR;
        }
        left -= got > 0 ? got : 0;
    }
    for (int i = 0; i < n; i++) {
        if (acked[i])
            json_object_set_new_nocheck(done, ids[i], json_true()); /* ids: any bytes */
        idea_clear(&upd[i]);
    }
    free(upd), free(ptrs), free(acked), free(sub);
    return rc;
}

int ctl_erase_ideas(ctl_t *ctl, const char *pid, const char *email, json_t *done, json_t *out)
{
    char err[256];
    long wait_s = 0;
    if (config_long("INSPRAAK_ERASE_WAIT_S", 20, 1, 3600, &wait_s, err, sizeof err) < 0) {
        ctl_err("%s", err);
        return CTL_ERR;
    }
    int failed = 0;
    char *name = s_name(ctl, pid, &failed);
    redisReply *ids =
        failed ? NULL : rstore_cmd(ctl->rs, "SMEMBERS " CTL_PREFIX "participant-ideas:%s", pid);
    if (!ids) {
        free(name);
        return ctl_redis_err(ctl, "participant ideas");
    }
    redact_msg_t m;
    redact_msg_init(&m);
    if (email && *email && redact_needle_check(email, err, sizeof err) == 0)
        redact_msg_add_text(&m, email);
    if (name)
        redact_msg_add_text(&m, name);
    free(name);
    /* every pii flag kind: the person's own ideas keep nothing that
     * points to them (docs/privacy.md, "Erase") */
    redact_msg_add_all_kinds(&m);
    char *batch[S_BATCH];
    int n = 0, rc = CTL_OK;
    long sent = json_integer_value(json_object_get(out, "ideas_redacted"));
    for (size_t i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements && rc == CTL_OK; i++) {
        const redisReply *e = ids->element[i];
        if (e->type != REDIS_REPLY_STRING || memchr(e->str, '\0', e->len) ||
            json_object_get(done, e->str))
            continue; /* handled in an earlier round (a member with a NUL byte
                       * is not an id storage wrote, and the script knows it) */
        if (e->len == 0 || e->len >= PROTO_ID_SIZE) {
            json_object_set_new_nocheck(done, e->str, json_true()); /* nothing to cut */
            continue;
        }
        batch[n++] = e->str;
        if (n == S_BATCH) {
            rc = s_send_batch(ctl, batch, n, &m, wait_s * 1000, done);
            sent += rc == CTL_OK ? n : 0;
            n = 0;
        }
    }
    if (rc == CTL_OK && n > 0) {
        rc = s_send_batch(ctl, batch, n, &m, wait_s * 1000, done);
        sent += rc == CTL_OK ? n : 0;
    }
    freeReplyObject(ids);
    redact_msg_clear(&m);
    if (rc == CTL_OK)
        json_object_set_new(out, "ideas_redacted", json_integer(sent));
    return rc;
}
