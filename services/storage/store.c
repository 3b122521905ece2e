/*
 * NAME
 *   store - the storage service's writes into Redis (see store.h)
 *
 * DESCRIPTION
 *   One idea = one EVALSHA of S_SCRIPT (below), so the record, its indexes,
 *   its stats and its participant link appear together or not at all, and a
 *   re-sent idea changes nothing. A batch (store_ideas) is a WATCH and a
 *   check script, then one MULTI/EXEC of store_batch.c's commands, built
 *   from the same per-idea arguments. The participant id is resolved before
 *   the script because it is part of the encoded record; that step is itself
 *   idempotent (SET NX, then GET, S_PID_SCRIPT), so a crash between it and
 *   the script leaves only a mapping that the re-send reuses. A re-send of
 *   an idea stored already looks up no id, so it makes no email index key
 *   after its person was erased.
 *
 * DIAGNOSTICS
 *   Redis failures return -1 with the hiredis/Redis message in
 *   store_error(); the caller logs and retries.
 */
#include "store.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "email_idn.h"
#include "log.h"
#include "rstore.h"
#include "store_int.h"
#include "store_people.h"
#include "store_shown.h"
#include "xalloc.h"

/*
 * The write script. KEYS: [1] idea record, [2] inspraak:ideas, then ni
 * index zsets, then ns stats hashes, then (participant only) the
 * participant hash, its participant-ideas set and its email index key
 * (S_NO_EMAIL_KEY for a name only). ARGV: [1] id, [2] record, [3] score
 * (received_at ms), [4] ni, [5] ns, then ns stats fields (one per stats
 * key), then has_participant "0"|"1", created_at, name, email, consent
 * "0"|"1", consent_at, consent_purpose ("" = not given), pid.
 * Returns 0 when the record exists (nothing written), 2 when the
 * participant was erased since store_prepare() resolved the pid (their
 * email index key no longer names it: the idea is written without the
 * participant and without counting the pid in PEOPLE_PIDS, as an idea of
 * an erased person; store_erased_meanwhile(); a person the erase did not
 * count goes uncounted: README.md, "Erase during a write"), else 1.
 * Consent is only ever set here, never cleared: an idea without consent
 * must not silently withdraw what an earlier idea gave.
 */
static const char S_SCRIPT[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
    "local id, score = ARGV[1], ARGV[3]\n"
    "local ni, ns = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
    "local a = 5 + ns\n"
    "local has_p, gone = ARGV[a + 1] == '1', false\n"
    "if has_p and ARGV[a + 4] ~= '' then\n"
    "  gone = redis.call('GET', KEYS[5 + ni + ns]) ~= ARGV[a + 8]\n"
    "end\n"
    "redis.call('SET', KEYS[1], ARGV[2])\n"
    "redis.call('ZADD', KEYS[2], score, id)\n"
    "for i = 1, ni do redis.call('ZADD', KEYS[2 + i], score, id) end\n"
    "for i = 1, ns do\n"
    "  local k = KEYS[2 + ni + i]\n"
    "  if not gone or k ~= '" PEOPLE_PIDS "' then redis.call('HINCRBY', k, ARGV[5 + i], 1) end\n"
    "end\n"
    "if gone then return 2 end\n"
    "if has_p then\n"
    "  local pk, pik = KEYS[3 + ni + ns], KEYS[4 + ni + ns]\n"
    "  redis.call('HSETNX', pk, 'created_at', ARGV[a + 2])\n"
    "  redis.call('HSETNX', pk, 'consent_feedback', '0')\n"
    "  if ARGV[a + 3] ~= '' then redis.call('HSET', pk, 'name', ARGV[a + 3]) end\n"
    "  if ARGV[a + 4] ~= '' then redis.call('HSET', pk, 'email', ARGV[a + 4]) end\n"
    "  if ARGV[a + 5] == '1' then\n"
    "    redis.call('HSET', pk, 'consent_feedback', '1', 'consent_at', ARGV[a + 6],\n"
    "               'consent_purpose', ARGV[a + 7])\n"
    "  end\n"
    "  redis.call('SADD', pik, id)\n"
    "end\n"
    "return 1\n";

/* The email index key of a participant without an address: never read. */
#define S_NO_EMAIL_KEY STORE_KEY_PREFIX "participant-email:none"
/* Where s_build_args() puts the name and the normalised address, counted
 * from the end of the arguments (ARGV above). */
#define S_ARG_NAME_FROM_END 6
#define S_ARG_EMAIL_FROM_END 5

/* Counted dimensions besides "theme" (which has one entry per theme). */
static const char *const s_dims[] = {"channel",      "wijk",   "buurt",    "sentiment", "question",
                                     "target_group", "status", "activity", "language"};
#define S_NDIMS (sizeof s_dims / sizeof s_dims[0])
/* Which of them also get an ix:<dim>:<value> zset: the dashboard's filter
 * dimensions (services/dashboard/query.h). buurt and language are counted
 * only: no query reads an index of them, and each index costs every idea
 * ~104 bytes of Redis memory and a ZADD (docs/redis.md, "Index
 * dimensions"). Their ix: keys written before stay untouched. */
static const bool s_indexed[S_NDIMS] = {true, true, false, true, true, true, true, true, false};
/* Their stats hashes, in the same order. */
static const char *const s_stats_keys[S_NDIMS] = {
    STORE_KEY_PREFIX "stats:channel",  STORE_KEY_PREFIX "stats:wijk",
    STORE_KEY_PREFIX "stats:buurt",    STORE_KEY_PREFIX "stats:sentiment",
    STORE_KEY_PREFIX "stats:question", STORE_KEY_PREFIX "stats:target_group",
    STORE_KEY_PREFIX "stats:status",   STORE_KEY_PREFIX "stats:activity",
    STORE_KEY_PREFIX "stats:language"};

static const char *s_dim_value(const idea_t *idea, size_t i)
{
    const char *v[S_NDIMS] = {idea->channel,   idea->wijk,     idea->buurt,
                              idea->sentiment, idea->question, idea->target_group,
                              idea->status,    idea->activity, idea->language};
    return (v[i] && *v[i]) ? v[i] : "none";
}

store_t *store_new(const char *redis_url, char *err, size_t errlen)
{
    rstore_t *rs = rstore_new(redis_url, err, errlen);
    if (!rs)
        return NULL;
    store_t *self = xcalloc(1, sizeof *self);
    self->rs = rs;
    return self;
}

void store_destroy(store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rstore_destroy(&(*self_p)->rs);
    free(*self_p);
    *self_p = NULL;
}

const char *store_error(const store_t *self)
{
    return self->err;
}

struct rstore *store_rstore(store_t *self)
{
    return self->rs;
}

int store_ping(store_t *self)
{
    return rstore_ping(self->rs);
}

void store_set_err(store_t *self, const char *what)
{
    snprintf(self->err, sizeof self->err, "%s: %s", what, rstore_error(self->rs));
}

/* ------------------------------------------------------------------ */
/* Pure helpers                                                        */
/* ------------------------------------------------------------------ */

void store_pid_from_idea(const char *idea_id, char out[19])
{
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)idea_id, strlen(idea_id), NULL, 0);
    memcpy(out, "p-", 2);
    sodium_bin2hex(out + 2, 17, h, 8);
}

int store_idea_shown(const idea_t *idea)
{
    return !idea->status || strcmp(idea->status, "hidden") != 0;
}

int store_record_read(const redisReply *e, const char *id, idea_t *idea)
{
    proto_err_t err;
    if (e->type != REDIS_REPLY_STRING || idea_decode(e->str, e->len, idea, &err) < 0)
        return 0;
    if (idea->id && strcmp(idea->id, id) == 0)
        return 1;
    idea_clear(idea);
    return 0;
}

/* Heerlen's day, as every page and the from/to filters (store_days.c
 * rebuilds counts an older storage kept in UTC days). */
void store_day(int64_t ms, char out[11])
{
    clock_local_day_name(ms, out);
}

char *store_cat(const char *a, const char *b, const char *c, const char *d)
{
    const char *part[4] = {a, b, c, d};
    size_t len[4], total = 0;
    for (int i = 0; i < 4; i++)
        total += len[i] = part[i] ? strlen(part[i]) : 0;
    char *out = xmalloc(total + 1), *w = out;
    for (int i = 0; i < 4; i++) {
        if (len[i])
            memcpy(w, part[i], len[i]);
        w += len[i];
    }
    *w = '\0';
    return out;
}

/* ------------------------------------------------------------------ */
/* Participant id                                                      */
/* ------------------------------------------------------------------ */

/* The email index key of a normalised address (docs/redis.md). */
static void s_email_key(const char *email, char key[STORE_EMAIL_KEY_SIZE])
{
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, (const unsigned char *)email, strlen(email), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(key, STORE_EMAIL_KEY_SIZE, STORE_KEY_PREFIX "participant-email:%s", hex);
}

/* The pid lookup. KEYS: [1] idea record, [2] email index key; ARGV: [1] a
 * fresh pid. An idea stored already gets "" and touches no key: its write
 * writes nothing (records are never deleted), and an email index key made
 * for it would outlive an erase of its person (docs/privacy.md, "Erase").
 * Else SET NX the fresh pid, then GET whatever won: two ideas from one
 * address, even at the same moment, get one id. */
static const char S_PID_SCRIPT[] = "if redis.call('EXISTS', KEYS[1]) == 1 then return '' end\n"
                                   "redis.call('SET', KEYS[2], ARGV[1], 'NX')\n"
                                   "return redis.call('GET', KEYS[2])\n";

/* The pid of the address whose email index key is ekey, for the idea id
 * (S_PID_SCRIPT): 0 with pid, 1 when the idea is stored already (pid unset),
 * -1 (self->err). */
static int s_pid_for_email(store_t *self, const char *id, const char *ekey, char *pid, size_t size)
{
    unsigned char rnd[8];
    char fresh[19];
    randombytes_buf(rnd, sizeof rnd);
    memcpy(fresh, "p-", 2);
    sodium_bin2hex(fresh + 2, 17, rnd, sizeof rnd);

    redisReply *r = rstore_cmd(self->rs, "EVAL %s 2 " STORE_KEY_PREFIX "idea:%s %s %s",
                               S_PID_SCRIPT, id, ekey, fresh);
    if (!r) {
        store_set_err(self, "participant-email");
        return -1;
    }
    int ret = r->type != REDIS_REPLY_STRING || r->len >= size ? -1 : r->len == 0 ? 1 : 0;
    if (ret < 0)
        snprintf(self->err, sizeof self->err, "participant-email: unexpected reply");
    else if (ret == 0) {
        memcpy(pid, r->str, r->len);
        pid[r->len] = '\0';
    }
    freeReplyObject(r);
    return ret;
}

/* ------------------------------------------------------------------ */
/* The script call                                                     */
/* ------------------------------------------------------------------ */

static void s_arg(store_args_t *a, const char *s, size_t len)
{
    a->argv[a->argc] = s;
    a->lens[a->argc] = len;
    a->argc++;
}

static void s_arg_str(store_args_t *a, const char *s)
{
    s_arg(a, s ? s : "", s ? strlen(s) : 0);
}

/* A malloc'd argument, freed by store_args_free. */
static void s_arg_own(store_args_t *a, char *s)
{
    a->owned[a->n_owned++] = s;
    s_arg(a, s, strlen(s));
}

void store_args_free(store_args_t *a)
{
    for (int i = 0; i < a->n_owned; i++)
        free(a->owned[i]);
}

/* SCRIPT LOAD script into sha (48 bytes). */
int store_load(store_t *self, const char *script, char *sha)
{
    redisReply *r = rstore_cmd(self->rs, "SCRIPT LOAD %s", script);
    if (!r || r->type != REDIS_REPLY_STRING || r->len >= sizeof self->sha) {
        if (r)
            freeReplyObject(r);
        store_set_err(self, "script load");
        return -1;
    }
    memcpy(sha, r->str, r->len);
    sha[r->len] = '\0';
    freeReplyObject(r);
    return 0;
}

static int s_load_script(store_t *self)
{
    return store_load(self, S_SCRIPT, self->sha);
}

/* EVALSHA; after a Redis restart the script cache is empty (NOSCRIPT), so
 * load it again and retry once. */
static redisReply *s_evalsha(store_t *self, store_args_t *a)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!self->sha[0] && s_load_script(self) < 0)
            return NULL;
        a->argv[1] = self->sha;
        a->lens[1] = strlen(self->sha);
        redisReply *r = rstore_cmdargv(self->rs, a->argc, a->argv, a->lens);
        if (r)
            return r;
        store_set_err(self, "evalsha");
        if (!strstr(rstore_error(self->rs), "NOSCRIPT"))
            return NULL;
        self->sha[0] = '\0';
    }
    return NULL;
}

/* A decimal number in one of a's own buffers. By hand: snprintf took
 * ~800 instructions a number (format parsing), 6 numbers an idea. */
static void s_arg_num(store_args_t *a, long long v)
{
    char *w = a->nums[a->n_nums++], tmp[24];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    size_t n = 0, len = 0;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0)
        w[len++] = '-';
    while (n > 0)
        w[len++] = tmp[--n];
    w[len] = '\0';
    s_arg(a, w, len);
}

/*
 * KEYS and ARGV for S_SCRIPT (see its comment for the order). Why most
 * strings are borrowed: an idea names ~60 keys and fields, and a malloc
 * and copy for each was most of storage's CPU per idea (callgrind). Only
 * the index keys, the pair fields and the day are made per idea; the stats
 * and pair key names are static, the values the idea's own (it outlives a).
 */
static void s_build_args(store_args_t *a, const idea_t *idea, const char *rec, size_t rec_len,
                         const participant_t *p, int has_p, const char *email, const char *ekey,
                         int64_t now)
{
    const char *stats_keys[S_NDIMS + PROTO_MAX_THEMES + 2 + STORE_PAIRS_MAX + STORE_PEOPLE_MAX +
                           STORE_SHOWN_MAX];
    const char *stats_fields[S_NDIMS + PROTO_MAX_THEMES + 2 + STORE_PAIRS_MAX + STORE_PEOPLE_MAX +
                             STORE_SHOWN_MAX];
    char *idx_keys[S_NDIMS + PROTO_MAX_THEMES];
    int ni = 0, ns = 0;

    for (size_t i = 0; i < S_NDIMS; i++) {
        const char *v = s_dim_value(idea, i);
        if (s_indexed[i])
            idx_keys[ni++] = store_cat(STORE_KEY_PREFIX "ix:", s_dims[i], ":", v);
        stats_keys[ns] = s_stats_keys[i];
        stats_fields[ns++] = v;
    }
    for (int t = 0; t < idea->n_themes || (t == 0 && idea->n_themes == 0); t++) {
        const char *v = idea->n_themes ? idea->themes[t] : "none";
        idx_keys[ni++] = store_cat(STORE_KEY_PREFIX "ix:theme:", v, NULL, NULL);
        stats_keys[ns] = STORE_KEY_PREFIX "stats:theme";
        stats_fields[ns++] = v;
    }
    char *day = xmalloc(11);
    store_day(idea->received_at, day);
    a->owned[a->n_owned++] = day;
    stats_keys[ns] = STORE_KEY_PREFIX "stats:day";
    stats_fields[ns++] = day;
    /* The pair counts are HINCRBYs like the stats, so the script needs no
     * change: one per pair of values, then the "counted" marker. Their
     * fields are handed to a->owned. */
    store_pairs_t pairs;
    store_pairs_of(idea, &pairs);
    for (int i = 0; i < pairs.n; i++) {
        stats_keys[ns] = pairs.key[i];
        stats_fields[ns++] = pairs.field[i];
        a->owned[a->n_owned++] = pairs.field[i];
    }
    stats_keys[ns] = STORE_PAIRS_COUNTED_KEY;
    stats_fields[ns++] = STORE_PAIRS_COUNTED_FIELD;
    ns += store_people_of(idea, has_p, stats_keys + ns, stats_fields + ns); /* store_people.h */
    ns += store_shown_of(idea, day, stats_keys + ns, stats_fields + ns);    /* store_shown.h */

    int nkeys = 2 + ni + ns + (has_p ? 3 : 0);
    s_arg_str(a, "EVALSHA");
    s_arg_str(a, ""); /* the sha, set by s_evalsha */
    s_arg_num(a, nkeys);
    s_arg_own(a, store_cat(STORE_KEY_PREFIX "idea:", idea->id, NULL, NULL));
    s_arg_str(a, STORE_KEY_PREFIX "ideas");
    for (int i = 0; i < ni; i++)
        s_arg_own(a, idx_keys[i]);
    for (int i = 0; i < ns; i++)
        s_arg_str(a, stats_keys[i]);
    if (has_p) {
        s_arg_own(a, store_cat(STORE_KEY_PREFIX "participant:", idea->participant_id, NULL, NULL));
        s_arg_own(
            a, store_cat(STORE_KEY_PREFIX "participant-ideas:", idea->participant_id, NULL, NULL));
        s_arg_own(a, xstrdup(*ekey ? ekey : S_NO_EMAIL_KEY));
    }
    s_arg_str(a, idea->id);
    s_arg(a, rec, rec_len);
    s_arg_num(a, idea->received_at);
    s_arg_num(a, ni);
    s_arg_num(a, ns);
    for (int i = 0; i < ns; i++)
        s_arg_str(a, stats_fields[i]);
    s_arg_str(a, has_p ? "1" : "0");
    s_arg_num(a, now);
    s_arg_str(a, has_p && p->name ? p->name : "");
    s_arg_own(a, xstrdup(has_p && email ? email : "")); /* email[] is the caller's frame */
    s_arg_str(a, has_p && p->consent_feedback ? "1" : "0");
    s_arg_num(a, has_p && p->consent_at > 0 ? p->consent_at : now);
    s_arg_str(a,
              has_p && p->consent_purpose && *p->consent_purpose ? p->consent_purpose : "feedback");
    s_arg_str(a, has_p ? idea->participant_id : "");
}

/* Everything before the script call: default status, participant id (one
 * Redis round trip when the idea names someone by email, which makes no
 * email index key for an idea stored already), the
 * record and the script's arguments. 0, or -1 (with *bad for a record that
 * cannot be encoded). On 0 the caller frees *rec and store_args_free(a). */
int store_prepare(store_t *self, idea_t *idea, const participant_t *p, store_args_t *a, char **rec,
                  int *bad, char *err, size_t errlen)
{
    *bad = 0;
    /* A peer on the bus port can skip the classifier, which checks this
     * too; an id that is no key-safe short name must not become keys. */
    if (!idea->id || !idea_id_ok(idea->id)) {
        *bad = 1;
        snprintf(err, errlen,
                 "bad_field: field \"idea.id\" must be 1 to %d printable ASCII bytes without "
                 "spaces",
                 PROTO_MAX_ID);
        return -1;
    }
    if (!idea->status || !*idea->status)
        proto_set(&idea->status, "new");

    /* A participant needs a name or an email; consent alone names nobody. */
    char email[EMAIL_STORED_MAX] = "", pid[64], ekey[STORE_EMAIL_KEY_SIZE] = "";
    int has_p = 0;
    if (p &&
        ((p->email && email_stored_form(p->email, strlen(p->email), email, sizeof email) == 0) ||
         (p->name && *p->name))) {
        int stored = 0;
        if (email[0]) {
            s_email_key(email, ekey);
            stored = s_pid_for_email(self, idea->id, ekey, pid, sizeof pid);
            if (stored < 0) {
                snprintf(err, errlen, "%s", self->err);
                return -1;
            }
        }
        /* Stored already: its write is a duplicate (records are never
         * deleted), so this pid is never written; the participant's name
         * and address stay in the arguments for store_stored_erased(). */
        if (!email[0] || stored)
            store_pid_from_idea(idea->id, pid);
        proto_set(&idea->participant_id, pid);
        has_p = 1;
    }

    size_t rec_len = 0;
    proto_err_t perr;
    *rec = NULL;
    if (store_record_encode(idea, rec, &rec_len, &perr) < 0) {
        *bad = 1;
        snprintf(err, errlen, "%s: %s", perr.code, perr.message);
        return -1;
    }
    memset(a, 0, sizeof *a);
    s_build_args(a, idea, *rec, rec_len, p, has_p, email, ekey, clock_wall_ms());
    return 0;
}

static int s_script_result(redisReply *r, char *err, size_t errlen)
{
    int ret = (r->type == REDIS_REPLY_INTEGER) ? (int)r->integer : -1;
    freeReplyObject(r);
    if (ret < 0)
        snprintf(err, errlen, "unexpected reply from the write script");
    return ret;
}

/* The script call of a prepared idea: 1 stored, 0 stored before, -1
 * (err). An idea whose participant was erased since the pid was resolved
 * (2) is stored: store_erased_meanwhile(); one stored before goes
 * through store_stored_erased(). */
static int s_write(store_t *self, const char *id, store_args_t *a, char *err, size_t errlen)
{
    redisReply *r = s_evalsha(self, a);
    if (!r) {
        snprintf(err, errlen, "%s", self->err);
        return -1;
    }
    int ret = s_script_result(r, err, errlen);
    if (ret == 2)
        ret = store_erased_meanwhile(self, id, a->argv[a->argc - S_ARG_EMAIL_FROM_END],
                                     a->argv[a->argc - S_ARG_NAME_FROM_END]);
    else if (ret == 0) {
        int at = 4 + atoi(a->argv[2]); /* the record: after the keys and the id (ARGV above) */
        store_stored_erased(self, id, a->argv[at], a->lens[at],
                            a->argv[a->argc - S_ARG_EMAIL_FROM_END],
                            a->argv[a->argc - S_ARG_NAME_FROM_END]);
    }
    return ret;
}

int store_idea(store_t *self, idea_t *idea, const participant_t *p, int *bad, char *err,
               size_t errlen)
{
    store_args_t a;
    char *rec = NULL;
    if (store_prepare(self, idea, p, &a, &rec, bad, err, errlen) < 0)
        return -1;
    int ret = s_write(self, idea->id, &a, err, errlen);
    store_args_free(&a);
    free(rec);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Dead letters                                                        */
/* ------------------------------------------------------------------ */
