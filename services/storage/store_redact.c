/*
 * NAME
 *   store_redact - cut personal data out of a stored idea for staff
 *
 * DESCRIPTION
 *   The dashboard never writes ideas (DESIGN.md contract 4), so a
 *   redaction reaches storage as an update envelope whose idea holds the id
 *   and "redact" {"kinds", "texts"} (proto/redact_msg.h). Steps:
 *
 *     1. GET the record and decode it;
 *     2. redact_idea() (common/redact.c): every place of the request in
 *        text, title, source.subject and source.context becomes a marker
 *        ("[weggehaald: telefoonnummer]"), and the email/phone pii flags
 *        are set again by the classifier's rules, so a flag whose data is
 *        gone disappears;
 *     3. nothing found: done (a replay of the same request lands here, so
 *        re-sending until the ack is harmless);
 *     4. one Lua script SETs the new record only if the stored one is still
 *        the one read in 1 (another storage instance may have moderated it
 *        meanwhile; otherwise 1-4 run again, at most S_ATTEMPTS times),
 *        and, for a redaction from the bus, only if its envelope id is not
 *        marked applied, marking it in the same script, after the write
 *        (update_applied.h: a write that fails leaves no mark);
 *     5. BGREWRITEAOF, so the old record leaves Redis' append-only file
 *        too (as inspraakctl's erase does). It runs in the background. A
 *        rewrite already running forked before our write, so storage waits
 *        for it (at most S_REWRITE_WAIT_MS) and asks again; any other
 *        refusal (AOF off, a failing fork) is logged as a warning.
 *
 *   Indexes and stats do not change: a redaction touches no indexed field.
 *   Search reads the record's text and title (services/dashboard/query.c),
 *   so the cut words are no longer found as soon as step 4 returns.
 *
 *   The original is not kept anywhere (privacy by design, docs/privacy.md
 *   "Redaction"): no copy for admins, no undo. The log line holds the id
 *   and the number of places, never the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "redact.h"
#include "rstore.h"
#include "store_redact.h"
#include "update_applied.h"
#include "xalloc.h"

#define S_ATTEMPTS 5
#define S_REWRITE_WAIT_MS 30000
#define S_CHANGED (-2) /* the record changed since it was read: again */
#define S_NOTHING 3    /* nothing (left) to cut */

/* KEYS[1] record, [2] the update's applied mark (absent: none); ARGV[1]
 * record as read, ARGV[2] new record. UPDATE_APPLIED_BEFORE: nothing done;
 * 0: no such idea; -1: changed since read; 1: written, then marked (the
 * GET failed on a record that is no string, before any write). */
static const char S_CAS[] = UPDATE_APPLIED_LUA_CHECK(2)
    "local cur = redis.call('GET', KEYS[1])\n"
    "if not cur then return 0 end\n"
    "if cur ~= ARGV[1] then return -1 end\n" UPDATE_APPLIED_LUA_PROBE(2)
    "redis.call('SET', KEYS[1], ARGV[2])\n" UPDATE_APPLIED_LUA_MARK(2) "return 1\n";

static int s_cas(rstore_t *rs, const char *key, const char *mark, const redisReply *old,
                 const char *rec, size_t rec_len, char *err, size_t errlen)
{
    const char *argv[7] = {"EVAL", S_CAS, mark ? "2" : "1", key};
    size_t lens[7] = {4, strlen(S_CAS), 1, strlen(key)};
    int argc = 4;
    if (mark) {
        argv[argc] = mark;
        lens[argc++] = strlen(mark);
    }
    argv[argc] = old->str;
    lens[argc++] = old->len;
    argv[argc] = rec;
    lens[argc++] = rec_len;
    redisReply *e = rstore_cmdargv(rs, argc, argv, lens);
    int rc = -1;
    if (!e || e->type != REDIS_REPLY_INTEGER)
        snprintf(err, errlen, "redact script: %s", rstore_why(rs, e));
    else
        rc = e->integer < 0 ? S_CHANGED : (int)e->integer;
    if (e)
        freeReplyObject(e);
    return rc;
}

/* One read-modify-write. 1 (written), S_NOTHING, UPDATE_APPLIED_BEFORE,
 * 0, -1, or S_CHANGED (retry). *places: markers written. */
static int s_attempt(rstore_t *rs, const char *id, const redact_msg_t *m, const char *mark,
                     int *bad, int *places, char *err, size_t errlen)
{
    char *key = xasprintf(STORE_KEY_PREFIX "idea:%s", id);
    redisReply *r = rstore_cmd(rs, "GET %s", key);
    int rc = -1;
    if (!r) {
        snprintf(err, errlen, "get: %s", rstore_error(rs));
        free(key);
        return -1;
    }
    idea_t idea;
    proto_err_t perr;
    idea_init(&idea);
    char *rec = NULL;
    size_t rec_len = 0;
    if (r->type != REDIS_REPLY_STRING) {
        rc = 0;
    } else if (idea_decode(r->str, r->len, &idea, &perr) < 0) {
        snprintf(err, errlen, "stored record unreadable: %s", perr.code);
        *bad = 1;
    } else if ((*places = redact_idea(&idea, m, err, errlen)) < 0) {
        *bad = 1;
    } else if (*places == 0) {
        rc = S_NOTHING;
    } else if (store_record_encode(&idea, &rec, &rec_len, &perr) < 0) {
        snprintf(err, errlen, "cannot encode: %s", perr.code);
        *bad = 1;
    } else {
        rc = s_cas(rs, key, mark, r, rec, rec_len, err, errlen);
    }
    free(rec);
    idea_clear(&idea);
    freeReplyObject(r);
    free(key);
    return rc;
}

/* 1 when Redis reports an AOF rewrite running or scheduled. */
static int s_rewrite_busy(rstore_t *rs)
{
    redisReply *info = rstore_cmd(rs, "INFO persistence");
    int busy = info && info->type == REDIS_REPLY_STRING &&
               (strstr(info->str, "aof_rewrite_in_progress:1") ||
                strstr(info->str, "aof_rewrite_scheduled:1"));
    if (info)
        freeReplyObject(info);
    return busy;
}

/* BGREWRITEAOF; when one is already running (it forked before our write,
 * so its file still holds the old record) wait for it, at most
 * S_REWRITE_WAIT_MS, and ask again. Redactions are rare, and the intakes
 * spool meanwhile, so holding the loop that long costs no data. */
static void s_rewrite_aof(rstore_t *rs)
{
    for (int round = 0; round < 2; round++) {
        redisReply *r = rstore_cmd(rs, "BGREWRITEAOF");
        int running = r && r->type == REDIS_REPLY_ERROR && strstr(r->str, "in progress");
        int failed = !r || (r->type == REDIS_REPLY_ERROR && !running);
        if (r)
            freeReplyObject(r);
        if (failed) {
            log_warn("msg=\"aof rewrite after redaction not started: the old text stays in "
                     "the append-only file until the next rewrite\"");
            return;
        }
        if (!running)
            return;
        for (int waited = 0; waited < S_REWRITE_WAIT_MS && s_rewrite_busy(rs); waited += 100) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    log_warn("msg=\"aof rewrite after redaction not started (another kept running): the old "
             "text stays in the append-only file until the next rewrite\"");
}

int store_redact(store_t *self, const char *id, const redact_msg_t *m, int *bad, char *err,
                 size_t errlen)
{
    return store_redact_update(self, id, m, NULL, bad, err, errlen);
}

int store_redact_update(store_t *self, const char *id, const redact_msg_t *m,
                        const char *update_id, int *bad, char *err, size_t errlen)
{
    *bad = 0;
    if (!id || !*id || strlen(id) > 64) {
        snprintf(err, errlen, "redaction without a valid idea id");
        *bad = 1;
        return -1;
    }
    rstore_t *rs = store_rstore(self);
    char *mark = update_applied_key(update_id);
    for (int attempt = 0; attempt < S_ATTEMPTS; attempt++) {
        int places = 0;
        int rc = s_attempt(rs, id, m, mark, bad, &places, err, errlen);
        if (rc == S_CHANGED)
            continue;
        free(mark);
        char q[100];
        if (rc == 1) {
            log_info("msg=\"redacted\" id=%s places=%d", log_quote(q, sizeof q, id), places);
            s_rewrite_aof(rs);
        } else if (rc == S_NOTHING) {
            log_info("msg=\"redaction found nothing to cut\" id=%s", log_quote(q, sizeof q, id));
            rc = 1;
        }
        return rc;
    }
    free(mark);
    snprintf(err, errlen, "the record kept changing during the redaction");
    return -1;
}
