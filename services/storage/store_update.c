/*
 * NAME
 *   store_update - moderation of a stored idea (status, themes, wijk,
 *   sentiment), the storage side of ENV_UPDATE; redactions are handed on
 *   to store_redact.c
 *
 * DESCRIPTION
 *   The dashboard never writes ideas (DESIGN.md contract 4); it sends an
 *   "update" envelope whose idea holds the id and the four moderated fields
 *   (and the question, nu or toekomst, when staff set one; else it stays).
 *   Here the current record is read and decoded, the fields replaced, and
 *   one Lua script (S_UPDATE) writes the new record, moves the id between
 *   the index sets (inspraak:ix:<dim>:<value>) and adjusts the stats hashes,
 *   all or nothing. The script first checks that this update (its envelope
 *   id) was not applied before (update_applied.h: then it returns at once,
 *   the idea untouched), then that the record is still the one that was
 *   read (optimistic check: another storage instance may have moderated it
 *   meanwhile; the whole step is retried when it is not), and marks the
 *   update applied in the same script as it writes: no copy of it, at
 *   another storage, can pass the check between the write and the mark.
 *   Redis does not roll back a script that fails half way, so before its
 *   first write the script reads every key it writes and fails when one
 *   is damaged (S_CHECK_LUA), and the mark is its last write: a failed
 *   update is neither half applied nor marked, and comes again.
 *   A cluster in the update (staff put the idea with another idea, or
 *   made it its own cluster; it came through the classifier, which moved
 *   the stored sketch: services/classifier/cluster_correct.c) replaces
 *   the record's; without one the cluster stays. An update with a cluster
 *   and no status moves only the cluster (a whole group merged into
 *   another on the dashboard's cluster page). Clusters have no index set,
 *   so only the record changes.
 *   A save from the dashboard's idea page carries the version of the
 *   page staff saved it on ("was", proto/idea_version.h). When the record
 *   read no longer has that version, nothing is written and nothing is
 *   marked (STORE_UPDATE_STALE): the idea changed after staff opened it,
 *   for instance by a later save of the same page while this one waited
 *   in a busy storage's queue, past the dashboard's wait. That record is
 *   the one the script then writes over only if unchanged, so the check
 *   and the write see the same idea. Updates without "was" (cluster
 *   merges, redactions, inspraakctl, older senders) are not checked.
 *   Applying the same update twice changes nothing the second time, so the
 *   dashboard may re-send until it sees the ack.
 *
 *   Keys are built inside the script from the prefix (they follow from the
 *   record, and Redis here is one standalone server, never a cluster).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "idea_version.h"
#include "log.h"
#include "rstore.h"
#include "store.h"
#include "store_correct.h"
#include "store_people.h"
#include "store_redact.h"
#include "store_shown.h"
#include "update_applied.h"
#include "xalloc.h"

#define S_MAX_OPS 32 /* 4 single dims x 2 + 2 x 3 themes, with room */
#define S_ATTEMPTS 5
#define S_CHANGED (-2) /* the record changed since it was read: again */
#define S_NOT_REDACTION (-3)

/* Redis does not roll back a script that fails half way (update_applied.h):
 * before S_UPDATE's first write, this reads every key it will write and
 * fails (nothing written, nothing marked: the update comes again) when
 * one holds another type than the script writes (WRONGTYPE) or a count
 * it adds to is no integer, and it reads every argument the writes take,
 * so that a bad one fails here too. Its own function, so its locals
 * leave the writes' alone. Keys and arguments as in S_UPDATE. */
#define S_CHECK_LUA                                                                                \
    "local function s_type(k, t)\n"                                                                \
    "  local got = redis.call('TYPE', k)['ok']\n"                                                  \
    "  if got ~= 'none' and got ~= t then\n"                                                       \
    "    error({err = 'WRONGTYPE ' .. k .. ' holds a ' .. got .. ', not a ' .. t})\n"              \
    "  end\n"                                                                                      \
    "end\n"                                                                                        \
    "local function s_num(v, what)\n"                                                              \
    "  if not tonumber(v) then error({err = 'ERR ' .. what .. ' is no number'}) end\n"             \
    "  return tonumber(v)\n"                                                                       \
    "end\n"                                                                                        \
    "local function s_count(k, f)\n"                                                               \
    "  s_type(k, 'hash')\n"                                                                        \
    "  local v = redis.call('HGET', k, f)\n"                                                       \
    "  if v and not string.match(v, '^%-?%d+$') then\n"                                            \
    "    error({err = 'ERR ' .. k .. ' ' .. f .. ' holds no count'})\n"                            \
    "  end\n"                                                                                      \
    "end\n"                                                                                        \
    "local function s_check()\n"                                                                   \
    "  local n = s_num(ARGV[5], 'the number of index moves')\n"                                    \
    "  s_num(ARGV[4], 'the score')\n"                                                              \
    "  for i = 0, n - 1 do\n"                                                                      \
    "    local dim, val = ARGV[7 + 3 * i], ARGV[8 + 3 * i]\n"                                      \
    "    s_type(p .. 'ix:' .. dim .. ':' .. val, 'zset')\n"                                        \
    "    s_count(p .. 'stats:' .. dim, val)\n"                                                     \
    "  end\n"                                                                                      \
    "  local pa = 6 + 3 * n\n"                                                                     \
    "  local np = s_num(ARGV[pa], 'the number of pair counts')\n"                                  \
    "  for i = 0, np - 1 do\n"                                                                     \
    "    s_count(ARGV[pa + 1 + 3 * i], ARGV[pa + 2 + 3 * i])\n"                                    \
    "    s_num(ARGV[pa + 3 + 3 * i], 'a pair count change')\n"                                     \
    "  end\n"                                                                                      \
    "  local ci = pa + 1 + 3 * np\n"                                                               \
    "  if ARGV[ci] ~= '' then\n"                                                                   \
    "    s_type(p .. 'corrections', 'hash')\n"                                                     \
    "    s_type(p .. 'corrections:at', 'zset')\n"                                                  \
    "    s_num(ARGV[ci + 1], 'the time of the correction')\n"                                      \
    "  end\n"                                                                                      \
    "  local ui = ci + 2\n"                                                                        \
    "  s_type('" PEOPLE_TODO "', 'zset')\n"                                                        \
    "  s_type('" PEOPLE_SEEN "', 'set')\n"                                                         \
    "  s_count('" PEOPLE_COUNTS "', 'ideas')\n"                                                    \
    "  s_count('" PEOPLE_COUNTS "', 'anon')\n"                                                     \
    "  s_count('" PEOPLE_COUNTS "', 'erased')\n"                                                   \
    "  if ARGV[ui] ~= '' then s_count('" PEOPLE_PIDS "', ARGV[ui]) end\n"                          \
    "  if not ARGV[ui + 2] then error({err = 'ERR the people count lacks an argument'}) end\n"     \
    "  s_type('" SHOWN_TODO "', 'zset')\n"                                                         \
    "  s_count('" SHOWN_COUNTED "', 'ideas')\n"                                                    \
    "  local at = ui + 3\n"                                                                        \
    "  for _ = 1, 2 do\n"                                                                          \
    "    local sn = s_num(ARGV[at], 'the number of shown counts')\n"                               \
    "    for i = 0, sn - 1 do s_count(ARGV[at + 1 + 2 * i], ARGV[at + 2 + 2 * i]) end\n"           \
    "    at = at + 1 + 2 * sn\n"                                                                   \
    "  end\n"                                                                                      \
    "end\n"                                                                                        \
    "s_check()\n"

/* KEYS: [1] the record, [2] the update's applied mark (absent for an
 * update without envelope id). ARGV: [1] record as read, [2] new record,
 * [3] id, [4] score, [5] n ops, then per op: "+"|"-", dim, value, then
 * the pair-count changes (n, then key, field, delta per change:
 * store_pairs_diff, STORE_PAIRS_LUA), then the correction ("was" labels
 * or "", and the time: STORE_CORRECT_LUA), then the people count (pid or
 * "", shown before, shown after "1"|"0": STORE_PEOPLE_UPDATE_LUA), then
 * the shown counts (store_shown_args_t: STORE_SHOWN_UPDATE_LUA).
 * Returns UPDATE_APPLIED_BEFORE (nothing done), 0 (no such idea), -1 (the
 * record changed since it was read) or 1; an error (S_CHECK_LUA) with
 * nothing written. The mark is the last write. */
static const char S_UPDATE[] =
    "local p = 'inspraak:'\n" UPDATE_APPLIED_LUA_CHECK(2)
    "local cur = redis.call('GET', KEYS[1])\n"
    "if not cur then return 0 end\n"
    "if cur ~= ARGV[1] then return -1 end\n" S_CHECK_LUA UPDATE_APPLIED_LUA_PROBE(2)
    "redis.call('SET', KEYS[1], ARGV[2])\n"
    "local id, score, n = ARGV[3], ARGV[4], tonumber(ARGV[5])\n"
    "for i = 0, n - 1 do\n"
    "  local op, dim, val = ARGV[6 + 3 * i], ARGV[7 + 3 * i], ARGV[8 + 3 * i]\n"
    "  local ix, st = p .. 'ix:' .. dim .. ':' .. val, p .. 'stats:' .. dim\n"
    "  if op == '-' then\n"
    "    redis.call('ZREM', ix, id)\n"
    "    if redis.call('HINCRBY', st, val, -1) <= 0 then redis.call('HDEL', st, val) end\n"
    "  else\n"
    "    redis.call('ZADD', ix, score, id)\n"
    "    redis.call('HINCRBY', st, val, 1)\n"
    "  end\n"
    "end\n"
    "local pa = 6 + 3 * n\n" STORE_PAIRS_LUA
    "local ci = pa + 1 + 3 * tonumber(ARGV[pa])\n" STORE_CORRECT_LUA
    "local ui = ci + 2\n" STORE_PEOPLE_UPDATE_LUA "local si = ui + 3\n" STORE_SHOWN_UPDATE_LUA
    UPDATE_APPLIED_LUA_MARK(2) "return 1\n";

typedef struct {
    char op[S_MAX_OPS][2];
    const char *dim[S_MAX_OPS];
    const char *val[S_MAX_OPS];
    int n;
} s_ops_t;

static const char *s_or_none(const char *v)
{
    return v && *v ? v : "none";
}

static void s_op(s_ops_t *o, const char *op, const char *dim, const char *val)
{
    if (o->n >= S_MAX_OPS)
        return;
    snprintf(o->op[o->n], sizeof o->op[o->n], "%s", op);
    o->dim[o->n] = dim;
    o->val[o->n++] = val;
}

static void s_single(s_ops_t *o, const char *dim, const char *old, const char *new)
{
    if (strcmp(s_or_none(old), s_or_none(new)) == 0)
        return;
    s_op(o, "-", dim, s_or_none(old));
    s_op(o, "+", dim, s_or_none(new));
}

static int s_has_theme(const idea_t *i, const char *t)
{
    if (i->n_themes == 0)
        return strcmp(t, "none") == 0;
    for (int k = 0; k < i->n_themes; k++)
        if (strcmp(i->themes[k], t) == 0)
            return 1;
    return 0;
}

static void s_themes(s_ops_t *o, const idea_t *old, const idea_t *new)
{
    static const char *const none[] = {"none"};
    const char *const *ot = old->n_themes ? (const char *const *)old->themes : none;
    const char *const *nt = new->n_themes ? (const char *const *)new->themes : none;
    int on = old->n_themes ? old->n_themes : 1, nn = new->n_themes ? new->n_themes : 1;
    for (int k = 0; k < on; k++)
        if (!s_has_theme(new, ot[k]))
            s_op(o, "-", "theme", ot[k]);
    for (int k = 0; k < nn; k++)
        if (!s_has_theme(old, nt[k]))
            s_op(o, "+", "theme", nt[k]);
}

/* Copies the four moderated fields of upd into idea, and its cluster
 * when it has one; an update without status sets the cluster only. */
static void s_apply(idea_t *idea, const idea_t *upd)
{
    if (upd->cluster)
        proto_set(&idea->cluster, upd->cluster);
    if (!upd->status)
        return;
    proto_set(&idea->status, upd->status);
    proto_set(&idea->wijk, upd->wijk && *upd->wijk ? upd->wijk : NULL);
    proto_set(&idea->sentiment, upd->sentiment && *upd->sentiment ? upd->sentiment : NULL);
    if (upd->question) /* nu or toekomst; without one it stays */
        proto_set(&idea->question, upd->question);
    for (int k = 0; k < PROTO_MAX_THEMES; k++) {
        free(idea->themes[k]); /* idea_clear frees every slot: leave none dangling */
        idea->themes[k] = NULL;
    }
    idea->n_themes = 0;
    for (int k = 0; k < upd->n_themes; k++)
        idea_add_theme(idea, upd->themes[k]);
}

/* One read-modify-write. Returns 1, 0, UPDATE_APPLIED_BEFORE,
 * STORE_UPDATE_STALE, -1 (Redis) or S_CHANGED (retry). mark: the update's
 * applied mark, or NULL; was: the version staff saw (idea_version.h), or
 * NULL when the update does not say. */
static int s_attempt(rstore_t *rs, const idea_t *upd, const char *mark, const char *was_seen,
                     char *err, size_t errlen, int *bad)
{
    redisReply *r = rstore_cmd(rs, "GET " STORE_KEY_PREFIX "idea:%s", upd->id);
    if (!r) {
        snprintf(err, errlen, "get: %s", rstore_error(rs));
        return -1;
    }
    if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject(r);
        return 0;
    }
    idea_t old, new;
    proto_err_t perr;
    if (idea_decode(r->str, r->len, &old, &perr) < 0) {
        snprintf(err, errlen, "stored record unreadable: %s", perr.code);
        freeReplyObject(r);
        *bad = 1;
        return -1;
    }
    /* The record read is the one the script's compare-and-set writes
     * over, so this check holds at the moment of the write: a save made
     * on a page that showed other values is not applied. */
    char cur[IDEA_VERSION_SIZE];
    idea_version(&old, cur);
    if (was_seen && strcmp(was_seen, cur) != 0) {
        idea_clear(&old);
        freeReplyObject(r);
        return STORE_UPDATE_STALE;
    }
    idea_copy(&new, &old);
    s_apply(&new, upd);
    s_ops_t o = {.n = 0};
    s_single(&o, "status", old.status, new.status);
    s_single(&o, "wijk", old.wijk, new.wijk);
    s_single(&o, "sentiment", old.sentiment, new.sentiment);
    s_single(&o, "question", old.question, new.question);
    s_themes(&o, &old, &new);
    store_pairs_t pd;
    store_pairs_diff(&old, &new, &pd);
    char *was = store_correction_was(&old, &new);
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());

    char *rec = NULL, *key = xasprintf(STORE_KEY_PREFIX "idea:%s", upd->id);
    char *score = xasprintf("%lld", (long long)old.received_at), nops[16], npairs[16];
    size_t rec_len = 0;
    int rc = -1;
    if (store_record_encode(&new, &rec, &rec_len, &perr) < 0) {
        snprintf(err, errlen, "cannot encode: %s", perr.code);
        *bad = 1;
        goto out;
    }
    snprintf(nops, sizeof nops, "%d", o.n);
    store_shown_args_t sa;
    store_shown_update_args(&old, &new, &sa);
    /* 16 single arguments (EVAL .. nops, npairs, was .. shown), 3 per op,
     * 3 per pair, then the shown counts' own (store_shown.h) */
    enum { S_ARGS_MAX = 16 + 3 * S_MAX_OPS + 3 * 2 * STORE_PAIRS_MAX + 2 + 4 * STORE_SHOWN_VALUES };
    const char *argv[S_ARGS_MAX];
    size_t lens[S_ARGS_MAX];
    int argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = S_UPDATE;
    argv[argc++] = mark ? "2" : "1";
    argv[argc++] = key;
    if (mark)
        argv[argc++] = mark;
    int bin = argc; /* the two records, not C strings */
    argv[argc] = r->str;
    lens[argc++] = r->len;
    argv[argc] = rec;
    lens[argc++] = rec_len;
    argv[argc++] = upd->id;
    argv[argc++] = score;
    argv[argc++] = nops;
    for (int i = 0; i < o.n; i++) {
        argv[argc++] = o.op[i];
        argv[argc++] = o.dim[i];
        argv[argc++] = o.val[i];
    }
    snprintf(npairs, sizeof npairs, "%d", pd.n);
    argv[argc++] = npairs;
    for (int i = 0; i < pd.n; i++) {
        argv[argc++] = pd.key[i];
        argv[argc++] = pd.field[i];
        argv[argc++] = pd.delta[i] > 0 ? "1" : "-1";
    }
    argv[argc++] = was ? was : "";
    argv[argc++] = now;
    argv[argc++] = old.participant_id ? old.participant_id : "";
    argv[argc++] = store_idea_shown(&old) ? "1" : "0"; /* what the public counts see */
    argv[argc++] = store_idea_shown(&new) ? "1" : "0";
    for (int i = 0; i < sa.argc; i++)
        argv[argc++] = sa.argv[i];
    assert(argc <= S_ARGS_MAX);
    for (int i = 0; i < argc; i++)
        if (i != bin && i != bin + 1)
            lens[i] = strlen(argv[i]);
    redisReply *e = rstore_cmdargv(rs, argc, argv, lens);
    if (!e || e->type != REDIS_REPLY_INTEGER) {
        snprintf(err, errlen, "update script: %s", rstore_why(rs, e));
    } else {
        rc = e->integer < 0 ? S_CHANGED : (int)e->integer;
    }
    if (e)
        freeReplyObject(e);
out:
    store_pairs_clear(&pd);
    free(was);
    free(rec);
    free(key);
    free(score);
    idea_clear(&old);
    idea_clear(&new);
    freeReplyObject(r);
    return rc;
}

/* A redaction (the idea holds "redact") is its own kind of update: the
 * moderation fields are ignored (the dashboard sends them nil, so a storage
 * from before redaction refuses the update instead of clearing them). */
static int s_redact(store_t *self, const idea_t *upd, const char *update_id, int *bad, char *err,
                    size_t errlen)
{
    redact_msg_t m;
    proto_err_t perr;
    redact_msg_init(&m);
    int has = redact_msg_get(upd, &m, &perr);
    if (has < 0) {
        snprintf(err, errlen, "redaction: %s", perr.message);
        *bad = 1;
        return -1;
    }
    if (has == 0)
        return S_NOT_REDACTION;
    int rc = store_redact_update(self, upd->id, &m, update_id, bad, err, errlen);
    redact_msg_clear(&m);
    return rc;
}

int store_update(store_t *self, const idea_t *upd, const char *update_id, int *bad, char *err,
                 size_t errlen)
{
    *bad = 0;
    if (upd->extra.count) {
        int rc = s_redact(self, upd, update_id, bad, err, errlen);
        if (rc != S_NOT_REDACTION)
            return rc;
    }
    if (idea_update_check(upd, err, errlen) < 0) {
        *bad = 1;
        return -1;
    }
    char was[IDEA_VERSION_SIZE];
    proto_err_t perr;
    int has_was = idea_version_get(upd, was, &perr);
    if (has_was < 0) {
        snprintf(err, errlen, "%s", perr.message);
        *bad = 1;
        return -1;
    }
    char *mark = update_applied_key(update_id);
    for (int attempt = 0; attempt < S_ATTEMPTS; attempt++) {
        int rc = s_attempt(store_rstore(self), upd, mark, has_was ? was : NULL, err, errlen, bad);
        if (rc != S_CHANGED) {
            free(mark);
            return rc;
        }
    }
    free(mark);
    snprintf(err, errlen, "the record kept changing during the update");
    return -1;
}
