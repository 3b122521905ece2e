/*
 * NAME
 *   store_batch - one Lua script call for a batch of ideas (see store_batch.h)
 *
 * DESCRIPTION
 *   Two commands per batch (store.c sends them):
 *     1. the check (store_batch_check_argv): EVALSHA of STORE_BATCH_LUA
 *        with the record keys of the ideas not skipped as KEYS; it
 *        answers the positions of those that exist (store.c sends it
 *        after a WATCH of the same keys);
 *     2. the write (store_batch_cmds), run by store.c between MULTI and
 *        EXEC: the participant commands of each idea in batch order, one
 *        HINCRBY per distinct stats/pair field with the batch's sum, one
 *        ZADD per distinct zset with all its members, and last one MSET
 *        of the records.
 *
 *   Why the sums are made here and the writes are not a script: the
 *   script before summed ~50 increments per idea and built the ZADD
 *   member lists in Lua tables, and even a script that only passed the
 *   commands on spent a quarter of Redis's instructions on moving ~7,000
 *   arguments into Lua and back (callgrind of redis-server). In a
 *   MULTI/EXEC Redis runs the commands as they come.
 *
 *   Why the record goes last: the record is what marks an idea as stored
 *   (EXISTS), so a write that fails half-way (an error reply inside the
 *   EXEC) leaves the records unwritten and the ideas' one-at-a-time retry
 *   does not skip writes that never happened (unless the MSET itself ran:
 *   then only the failed command's write is missing).
 */
#include "store_batch.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "people.h"
#include "store.h"
#include "xalloc.h"

#define S_U16_MAX 65535
#define S_P_ARGS 10 /* participant: 2 keys, 6 values after has_participant, email key, pid */
#define S_NUM 12    /* room for a count in decimal */

const char STORE_BATCH_LUA[] =
    "local m, out = #ARGV, {}\n"
    "if redis.call('EXISTS', unpack(KEYS, 1, m)) > 0 then\n"
    "  for i = 1, m do\n"
    "    if redis.call('EXISTS', KEYS[i]) == 1 then out[#out + 1] = i end\n"
    "  end\n"
    "end\n"
    "local e = m\n"
    "for i = 1, m do\n"
    "  if ARGV[i] ~= '' then\n"
    "    e = e + 1\n"
    "    if redis.call('GET', KEYS[e]) ~= ARGV[i] then out[#out + 1] = -i end\n"
    "  end\n"
    "end\n"
    "return out\n";

/* A borrowed argument. */
typedef struct {
    const char *p;
    size_t len;
} s_str_t;

typedef struct {
    s_str_t key, id, rec, score;
    guint16 *targets, *zsets; /* numbers, 1-based */
    int n_targets, n_zsets;
    int has_p, skip, gone;
    int pids_at; /* the target that counts the pid in PEOPLE_PIDS, or -1 */
    s_str_t p[S_P_ARGS];
} s_idea_t;

/* Names numbered in order of first sight (1-based). */
typedef struct {
    GHashTable *num;   /* name -> number */
    GHashTable *byptr; /* the same by address (NULL: not used) */
    GArray *names;     /* s_str_t */
} s_names_t;

struct store_batch {
    s_names_t hkeys, zkeys;
    GPtrArray *fields_of; /* per hash key: GHashTable field -> target number */
    GArray *tfields;      /* target j's field (j - 1), s_str_t */
    GArray *tkeys;        /* target j's hash key number, guint16 */
    GPtrArray *ideas;     /* s_idea_t * */
    GArray *argv, *lens;  /* built by store_batch_check_argv / _cmds */
    GArray *cmd_argc;     /* int: argument count of each command */
    GArray *in_call;      /* int: batch index of KEYS[i + 1] */
    char *nums;           /* decimal numbers the argv points into */
};

/*
 * A string hash that takes 8 bytes a step. Hand-written because
 * g_str_hash (a byte at a time) was 14 % of storage's instructions: a
 * batch hashes ~3,000 bytes of key and field names per idea. Only for
 * these tables; nothing stores its values.
 */
static guint s_name_hash(gconstpointer key)
{
    const char *s = key;
    size_t n = strlen(s);
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ULL, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    return (guint)(h ^ (h >> 29));
}

static void s_names_init(s_names_t *n, int byptr)
{
    n->num = g_hash_table_new(s_name_hash, g_str_equal);
    n->byptr = byptr ? g_hash_table_new(g_direct_hash, g_direct_equal) : NULL;
    n->names = g_array_new(FALSE, FALSE, sizeof(s_str_t));
}

static void s_names_free(s_names_t *n)
{
    g_hash_table_destroy(n->num);
    if (n->byptr)
        g_hash_table_destroy(n->byptr);
    g_array_free(n->names, TRUE);
}

/* The number of name, adding it when new; 0 when the u16 range is full.
 * With byptr, a name met before at the same address (store.c passes the
 * stats and pair key names as static strings) is found without hashing
 * its bytes; the strings stay borrowed, so an address is not reused. */
static unsigned s_names_get(s_names_t *n, const char *name, size_t len)
{
    unsigned k = n->byptr ? GPOINTER_TO_UINT(g_hash_table_lookup(n->byptr, name)) : 0;
    if (k)
        return k;
    k = GPOINTER_TO_UINT(g_hash_table_lookup(n->num, name));
    if (!k && n->names->len < S_U16_MAX) {
        s_str_t s = {name, len};
        g_array_append_val(n->names, s);
        k = n->names->len;
        g_hash_table_insert(n->num, (gpointer)name, GUINT_TO_POINTER(k));
    }
    if (k && n->byptr)
        g_hash_table_insert(n->byptr, (gpointer)name, GUINT_TO_POINTER(k));
    return k;
}

store_batch_t *store_batch_new(void)
{
    store_batch_t *self = xcalloc(1, sizeof *self);
    s_names_init(&self->hkeys, 1);
    s_names_init(&self->zkeys, 0);
    self->fields_of = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_destroy);
    self->tfields = g_array_new(FALSE, FALSE, sizeof(s_str_t));
    self->tkeys = g_array_new(FALSE, FALSE, sizeof(guint16));
    self->ideas = g_ptr_array_new();
    self->argv = g_array_new(FALSE, FALSE, sizeof(const char *));
    self->lens = g_array_new(FALSE, FALSE, sizeof(size_t));
    self->in_call = g_array_new(FALSE, FALSE, sizeof(int));
    self->cmd_argc = g_array_new(FALSE, FALSE, sizeof(int));
    return self;
}

void store_batch_destroy(store_batch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_batch_t *self = *self_p;
    *self_p = NULL;
    for (guint i = 0; i < self->ideas->len; i++) {
        s_idea_t *d = g_ptr_array_index(self->ideas, i);
        free(d->targets);
        free(d->zsets);
        free(d);
    }
    g_ptr_array_free(self->ideas, TRUE);
    s_names_free(&self->hkeys);
    s_names_free(&self->zkeys);
    g_ptr_array_free(self->fields_of, TRUE);
    g_array_free(self->tfields, TRUE);
    g_array_free(self->tkeys, TRUE);
    g_array_free(self->argv, TRUE);
    g_array_free(self->lens, TRUE);
    g_array_free(self->in_call, TRUE);
    g_array_free(self->cmd_argc, TRUE);
    free(self->nums);
    free(self);
}

int store_batch_count(const store_batch_t *self)
{
    return (int)self->ideas->len;
}

/* The target number of (hash key, field), adding it when new; 0 when a
 * u16 range is full. */
static unsigned s_target(store_batch_t *self, const char *key, size_t klen, const char *field,
                         size_t flen)
{
    unsigned k = s_names_get(&self->hkeys, key, klen);
    if (!k)
        return 0;
    if (k > self->fields_of->len)
        g_ptr_array_add(self->fields_of, g_hash_table_new(s_name_hash, g_str_equal));
    GHashTable *fields = g_ptr_array_index(self->fields_of, k - 1);
    unsigned j = GPOINTER_TO_UINT(g_hash_table_lookup(fields, field));
    if (j || self->tfields->len >= S_U16_MAX)
        return j;
    s_str_t f = {field, flen};
    guint16 k16 = (guint16)k;
    g_array_append_val(self->tfields, f);
    g_array_append_val(self->tkeys, k16);
    j = self->tfields->len;
    g_hash_table_insert(fields, (gpointer)field, GUINT_TO_POINTER(j));
    return j;
}

/* The single-idea layout (store.c, S_SCRIPT): "EVALSHA" sha nkeys, KEYS:
 * record, ideas, ni index zsets, ns stats hashes, [participant,
 * participant-ideas, email index key]; ARGV: id, record, score, ni, ns,
 * ns fields, has_p, then 6 participant values and the pid. */
int store_batch_add(store_batch_t *self, int argc, const char **argv, const size_t *lens)
{
    if (argc < 5)
        return -1;
    int nkeys = atoi(argv[2]);
    int k0 = 3, a0 = 3 + nkeys; /* argv index of KEYS[1], ARGV[1] */
    if (nkeys < 2 || a0 + 5 > argc)
        return -1;
    int ni = atoi(argv[a0 + 3]), ns = atoi(argv[a0 + 4]);
    if (ni < 0 || ns < 0 || a0 + 5 + ns + 8 != argc)
        return -1;
    int has_p = strcmp(argv[a0 + 5 + ns], "1") == 0;
    if (nkeys != 2 + ni + ns + (has_p ? 3 : 0))
        return -1;
    /* Room for this idea's numbers, checked first so that a refused idea
     * adds nothing. */
    if (self->tfields->len + (unsigned)ns > S_U16_MAX ||
        self->zkeys.names->len + (unsigned)ni + 1 > S_U16_MAX ||
        self->hkeys.names->len + (unsigned)ns > S_U16_MAX)
        return -1;
    s_idea_t *d = xcalloc(1, sizeof *d);
    d->key = (s_str_t){argv[k0], lens[k0]};
    d->id = (s_str_t){argv[a0], lens[a0]};
    d->rec = (s_str_t){argv[a0 + 1], lens[a0 + 1]};
    d->score = (s_str_t){argv[a0 + 2], lens[a0 + 2]};
    d->targets = xmalloc(sizeof *d->targets * (size_t)(ns + 1));
    d->zsets = xmalloc(sizeof *d->zsets * (size_t)(ni + 1));
    d->n_targets = ns;
    d->n_zsets = ni + 1;
    for (int i = 0; i <= ni; i++)
        d->zsets[i] = (guint16)s_names_get(&self->zkeys, argv[k0 + 1 + i], lens[k0 + 1 + i]);
    d->pids_at = -1;
    for (int i = 0; i < ns; i++) {
        int k = k0 + 2 + ni + i, f = a0 + 5 + i;
        d->targets[i] = (guint16)s_target(self, argv[k], lens[k], argv[f], lens[f]);
        if (strcmp(argv[k], PEOPLE_PIDS) == 0)
            d->pids_at = i;
    }
    d->has_p = has_p;
    if (has_p) {
        d->p[0] = (s_str_t){argv[k0 + 2 + ni + ns], lens[k0 + 2 + ni + ns]};
        d->p[1] = (s_str_t){argv[k0 + 3 + ni + ns], lens[k0 + 3 + ni + ns]};
        for (int i = 0; i < 6; i++)
            d->p[2 + i] = (s_str_t){argv[a0 + 6 + ns + i], lens[a0 + 6 + ns + i]};
        d->p[8] = (s_str_t){argv[k0 + 4 + ni + ns], lens[k0 + 4 + ni + ns]};
        d->p[9] = (s_str_t){argv[a0 + 12 + ns], lens[a0 + 12 + ns]};
    }
    g_ptr_array_add(self->ideas, d);
    return 0;
}

void store_batch_skip(store_batch_t *self, int i)
{
    if (i >= 0 && (guint)i < self->ideas->len)
        ((s_idea_t *)g_ptr_array_index(self->ideas, i))->skip = 1;
}

void store_batch_gone(store_batch_t *self, int i)
{
    if (i >= 0 && (guint)i < self->ideas->len)
        ((s_idea_t *)g_ptr_array_index(self->ideas, i))->gone = 1;
}

int store_batch_erased(const store_batch_t *self, int i, const char **id, const char **email,
                       const char **name)
{
    if (i < 0 || (guint)i >= self->ideas->len)
        return 0;
    const s_idea_t *d = g_ptr_array_index(self->ideas, i);
    *id = d->id.p;
    *email = d->p[4].p;
    *name = d->p[3].p;
    return d->gone && !d->skip;
}

int store_batch_stored_before(const store_batch_t *self, int i, const char **id, const char **rec,
                              size_t *rec_len, const char **email, const char **name)
{
    if (i < 0 || (guint)i >= self->ideas->len)
        return 0;
    const s_idea_t *d = g_ptr_array_index(self->ideas, i);
    *id = d->id.p;
    *rec = d->rec.p;
    *rec_len = d->rec.len;
    *email = d->p[4].p;
    *name = d->p[3].p;
    return d->skip && d->has_p;
}

int store_batch_in_call(const store_batch_t *self, int k)
{
    if (k < 0 || (guint)k >= self->in_call->len)
        return -1;
    return g_array_index(self->in_call, int, k);
}

/* ------------------------------------------------------------------ */
/* The command list                                                    */
/* ------------------------------------------------------------------ */

static void s_put(store_batch_t *self, const char *p, size_t len)
{
    g_array_append_val(self->argv, p);
    g_array_append_val(self->lens, len);
}

static void s_put_s(store_batch_t *self, s_str_t s)
{
    s_put(self, s.p, s.len);
}

static void s_put_lit(store_batch_t *self, const char *lit)
{
    s_put(self, lit, strlen(lit));
}

/* A decimal number kept in self->nums (sized by the caller). */
static void s_put_num(store_batch_t *self, size_t *used, unsigned long v)
{
    char *w = self->nums + *used;
    int n = snprintf(w, S_NUM, "%lu", v);
    *used += S_NUM;
    s_put(self, w, (size_t)n);
}

/* A command starts at the current end of argv; s_close records its
 * argument count once the arguments are in. */
static guint s_open(store_batch_t *self)
{
    return self->argv->len;
}

static void s_close(store_batch_t *self, guint at)
{
    int n = (int)(self->argv->len - at);
    g_array_append_val(self->cmd_argc, n);
}

/* The participant steps of one idea, as the single-idea script runs them:
 * p = participant key, participant-ideas key, created_at, name, email,
 * consent, consent_at, consent_purpose. */
static void s_put_participant(store_batch_t *self, const s_idea_t *d)
{
    const s_str_t *p = d->p;
    guint at = s_open(self);
    s_put_lit(self, "HSETNX"), s_put_s(self, p[0]), s_put_lit(self, "created_at");
    s_put_s(self, p[2]);
    s_close(self, at);
    at = s_open(self);
    s_put_lit(self, "HSETNX"), s_put_s(self, p[0]), s_put_lit(self, "consent_feedback");
    s_put_lit(self, "0");
    s_close(self, at);
    for (int k = 3; k <= 4; k++) {
        if (!p[k].len)
            continue;
        at = s_open(self);
        s_put_lit(self, "HSET"), s_put_s(self, p[0]), s_put_lit(self, k == 3 ? "name" : "email");
        s_put_s(self, p[k]);
        s_close(self, at);
    }
    if (p[5].len == 1 && p[5].p[0] == '1') {
        at = s_open(self);
        s_put_lit(self, "HSET"), s_put_s(self, p[0]);
        s_put_lit(self, "consent_feedback"), s_put_lit(self, "1");
        s_put_lit(self, "consent_at"), s_put_s(self, p[6]);
        s_put_lit(self, "consent_purpose"), s_put_s(self, p[7]);
        s_close(self, at);
    }
    at = s_open(self);
    s_put_lit(self, "SADD"), s_put_s(self, p[1]), s_put_s(self, d->id);
    s_close(self, at);
}

/* Counts how often each number occurs in the ideas' target lists (or,
 * with zsets, their zset lists), skipped ideas left out, and lists the
 * numbers in order of first occurrence. Returns how many are listed. */
static guint s_tally(const store_batch_t *self, int zsets, unsigned *cnt, guint16 *order)
{
    guint n_order = 0;
    for (guint i = 0; i < self->ideas->len; i++) {
        const s_idea_t *d = g_ptr_array_index(self->ideas, i);
        const guint16 *list = zsets ? d->zsets : d->targets;
        for (int t = 0; !d->skip && t < (zsets ? d->n_zsets : d->n_targets); t++) {
            if (!zsets && d->gone && t == d->pids_at)
                continue; /* an erased person: counted in "erased" already */
            if (cnt[list[t]]++ == 0)
                order[n_order++] = list[t];
        }
    }
    return n_order;
}

/* One HINCRBY per distinct field, in the order the fields were first
 * counted (so small hashes get their fields in the order one call per
 * idea gives them), with the sum over the ideas in the call. */
static void s_put_counts(store_batch_t *self, size_t *used)
{
    guint nt = self->tfields->len;
    unsigned *cnt = xcalloc(nt + 1, sizeof *cnt);
    guint16 *order = xmalloc((nt + 1) * sizeof *order);
    guint n_order = s_tally(self, 0, cnt, order);
    for (guint o = 0; o < n_order; o++) {
        guint16 j = order[o];
        guint16 k = g_array_index(self->tkeys, guint16, j - 1);
        guint at = s_open(self);
        s_put_lit(self, "HINCRBY");
        s_put_s(self, g_array_index(self->hkeys.names, s_str_t, k - 1));
        s_put_s(self, g_array_index(self->tfields, s_str_t, j - 1));
        s_put_num(self, used, cnt[j]);
        s_close(self, at);
    }
    free(cnt);
    free(order);
}

/* One ZADD per distinct zset (in order of first use) with its members in
 * batch order. */
static void s_put_zsets(store_batch_t *self)
{
    guint nz = self->zkeys.names->len;
    unsigned *cnt = xcalloc(nz + 1, sizeof *cnt), *next = xcalloc(nz + 1, sizeof *next);
    guint16 *order = xmalloc((nz + 1) * sizeof *order);
    guint n_order = s_tally(self, 1, cnt, order);
    /* Each zset's member slots, then the ideas fill them in order. */
    unsigned at0 = 0;
    for (guint o = 0; o < n_order; o++) {
        next[order[o]] = at0;
        at0 += cnt[order[o]];
    }
    const s_idea_t **member = xmalloc((at0 + 1) * sizeof *member);
    for (guint i = 0; i < self->ideas->len; i++) {
        const s_idea_t *d = g_ptr_array_index(self->ideas, i);
        for (int t = 0; !d->skip && t < d->n_zsets; t++)
            member[next[d->zsets[t]]++] = d;
    }
    at0 = 0;
    for (guint o = 0; o < n_order; o++) {
        guint at = s_open(self);
        s_put_lit(self, "ZADD");
        s_put_s(self, g_array_index(self->zkeys.names, s_str_t, order[o] - 1));
        for (unsigned m = at0; m < at0 + cnt[order[o]]; m++)
            s_put_s(self, member[m]->score), s_put_s(self, member[m]->id);
        at0 += cnt[order[o]];
        s_close(self, at);
    }
    free(member);
    free(cnt);
    free(next);
    free(order);
}

/* Starts argv afresh and lists the ideas not skipped in in_call. */
static void s_reset(store_batch_t *self)
{
    g_array_set_size(self->argv, 0);
    g_array_set_size(self->lens, 0);
    g_array_set_size(self->cmd_argc, 0);
    g_array_set_size(self->in_call, 0);
    for (guint i = 0; i < self->ideas->len; i++) {
        const s_idea_t *d = g_ptr_array_index(self->ideas, i);
        int bi = (int)i;
        if (!d->skip)
            g_array_append_val(self->in_call, bi);
    }
}

static const s_idea_t *s_in_call(const store_batch_t *self, guint k)
{
    return g_ptr_array_index(self->ideas, g_array_index(self->in_call, int, k));
}

/* 1 when the idea names its participant by address (an email index key). */
static int s_by_email(const s_idea_t *d)
{
    return d->has_p && d->p[4].len > 0;
}

void store_batch_check_argv(store_batch_t *self, int *argc, int *nkeys, const char ***argv,
                            size_t **lens)
{
    s_reset(self);
    guint m = self->in_call->len, ne = 0;
    for (guint k = 0; k < m; k++)
        ne += s_by_email(s_in_call(self, k));
    free(self->nums);
    self->nums = xmalloc(S_NUM);
    size_t used = 0;
    s_put_lit(self, "EVALSHA");
    s_put(self, "", 0); /* the sha, set by the caller */
    s_put_num(self, &used, m + ne);
    for (guint k = 0; k < m; k++)
        s_put_s(self, s_in_call(self, k)->key);
    for (guint k = 0; k < m; k++)
        if (s_by_email(s_in_call(self, k)))
            s_put_s(self, s_in_call(self, k)->p[8]);
    for (guint k = 0; k < m; k++) {
        const s_idea_t *d = s_in_call(self, k);
        if (s_by_email(d))
            s_put_s(self, d->p[9]);
        else
            s_put(self, "", 0);
    }
    *nkeys = (int)(m + ne);
    *argc = (int)self->argv->len;
    *argv = (const char **)(void *)self->argv->data;
    *lens = (size_t *)(void *)self->lens->data;
}

int store_batch_cmds(store_batch_t *self, const int **cmd_argc, const char ***argv, size_t **lens)
{
    s_reset(self);
    guint m = self->in_call->len;
    free(self->nums);
    self->nums = xmalloc((self->tfields->len + 1) * S_NUM); /* the HINCRBY sums */
    size_t used = 0;
    for (guint k = 0; k < m; k++)
        if (s_in_call(self, k)->has_p && !s_in_call(self, k)->gone)
            s_put_participant(self, s_in_call(self, k));
    s_put_counts(self, &used);
    s_put_zsets(self);
    if (m > 0) {
        guint at = s_open(self);
        s_put_lit(self, "MSET");
        for (guint k = 0; k < m; k++)
            s_put_s(self, s_in_call(self, k)->key), s_put_s(self, s_in_call(self, k)->rec);
        s_close(self, at);
    }
    *cmd_argc = (const int *)(void *)self->cmd_argc->data;
    *argv = (const char **)(void *)self->argv->data;
    *lens = (size_t *)(void *)self->lens->data;
    return (int)self->cmd_argc->len;
}
