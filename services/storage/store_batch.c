/*
 * NAME
 *   store_batch - one Lua script call for a batch of ideas (see store_batch.h)
 *
 * DESCRIPTION
 *   The batch script's ARGV:
 *     [1] n ideas  [2] nh hash keys  [3] nt count targets  [4] nz zset keys
 *     nh hash key names
 *     one string: for each target, the number of its hash key (u16 LE, 1-based)
 *     nt field names (target j = hash key, field)
 *     nz zset key names
 *     per idea: record key, id, record, score, targets (u16 LE list),
 *       zsets (u16 LE list), has_participant "0"|"1", and when "1":
 *       participant key, participant-ideas key, created_at, name, email,
 *       consent "0"|"1", consent_at, consent_purpose.
 *   Numbers travel as 2-byte strings rather than one argument each, so a
 *   batch of 256 ideas is ~3,000 arguments instead of ~36,000; Lua reads a
 *   list with one string.byte call.
 *
 *   Why the record goes last (one MSET after the counts and indexes): the
 *   record is what marks an idea as stored (EXISTS), so a script stopped
 *   by an error half-way leaves no record, and the idea's one-at-a-time
 *   retry does not skip writes that never happened.
 *
 *   Lua's unpack() takes at most ~8,000 values: a ZADD or the MSET here
 *   has at most 2 x STORE_BATCH_MAX (512).
 */
#include "store_batch.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xalloc.h"

#define S_U16_MAX 65535
#define S_P_ARGS 8 /* participant arguments after has_participant */

const char STORE_BATCH_LUA[] =
    "local n, nh, nt, nz = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),\n"
    "  tonumber(ARGV[4])\n"
    "local tkp, f0 = ARGV[5 + nh], 5 + nh\n"
    "local z0 = f0 + nt\n"
    "local a = z0 + nz\n"
    "local cnt, order, zm, zorder, mset, seen, res = {}, {}, {}, {}, {}, {}, {}\n"
    "for i = 1, n do\n"
    "  local key, id, score, hp = ARGV[a + 1], ARGV[a + 2], ARGV[a + 4], ARGV[a + 7]\n"
    "  if seen[id] or redis.call('EXISTS', key) == 1 then\n"
    "    res[i] = 0\n"
    "  else\n"
    "    seen[id] = true\n"
    "    res[i] = 1\n"
    "    mset[#mset + 1] = key\n"
    "    mset[#mset + 1] = ARGV[a + 3]\n"
    "    local b = {string.byte(ARGV[a + 5], 1, -1)}\n"
    "    for p = 1, #b, 2 do\n"
    "      local j = b[p] + 256 * b[p + 1]\n"
    "      local c = cnt[j]\n"
    "      if c then cnt[j] = c + 1 else cnt[j] = 1; order[#order + 1] = j end\n"
    "    end\n"
    "    b = {string.byte(ARGV[a + 6], 1, -1)}\n"
    "    for p = 1, #b, 2 do\n"
    "      local z = b[p] + 256 * b[p + 1]\n"
    "      local m = zm[z]\n"
    "      if not m then m = {}; zm[z] = m; zorder[#zorder + 1] = z end\n"
    "      m[#m + 1] = score\n"
    "      m[#m + 1] = id\n"
    "    end\n"
    "    if hp == '1' then\n"
    "      local pk, pik = ARGV[a + 8], ARGV[a + 9]\n"
    "      redis.call('HSETNX', pk, 'created_at', ARGV[a + 10])\n"
    "      redis.call('HSETNX', pk, 'consent_feedback', '0')\n"
    "      if ARGV[a + 11] ~= '' then redis.call('HSET', pk, 'name', ARGV[a + 11]) end\n"
    "      if ARGV[a + 12] ~= '' then redis.call('HSET', pk, 'email', ARGV[a + 12]) end\n"
    "      if ARGV[a + 13] == '1' then\n"
    "        redis.call('HSET', pk, 'consent_feedback', '1', 'consent_at', ARGV[a + 14],\n"
    "                   'consent_purpose', ARGV[a + 15])\n"
    "      end\n"
    "      redis.call('SADD', pik, id)\n"
    "    end\n"
    "  end\n"
    "  a = a + 7\n"
    "  if hp == '1' then a = a + 8 end\n"
    "end\n"
    "for _, j in ipairs(order) do\n"
    "  local k = string.byte(tkp, 2 * j - 1) + 256 * string.byte(tkp, 2 * j)\n"
    "  redis.call('HINCRBY', ARGV[4 + k], ARGV[f0 + j], cnt[j])\n"
    "end\n"
    "for _, z in ipairs(zorder) do redis.call('ZADD', ARGV[z0 + z], unpack(zm[z])) end\n"
    "if #mset > 0 then redis.call('MSET', unpack(mset)) end\n"
    "return res\n";

/* A borrowed argument. */
typedef struct {
    const char *p;
    size_t len;
} s_str_t;

typedef struct {
    s_str_t key, id, rec, score;
    GString *targets, *zsets; /* u16 LE lists */
    int has_p;
    s_str_t p[S_P_ARGS];
} s_idea_t;

/* Names numbered in order of first sight (1-based), for the u16 lists. */
typedef struct {
    GHashTable *num; /* name -> number */
    GPtrArray *names;
} s_names_t;

struct store_batch {
    s_names_t hkeys, zkeys;
    GPtrArray *fields_of; /* per hash key: GHashTable field -> target number */
    GPtrArray *tfields;   /* target j's field (j - 1) */
    GString *tkeys;       /* target j's hash key number, u16 LE */
    GPtrArray *ideas;     /* s_idea_t * */
    const char **argv;    /* built by store_batch_argv */
    size_t *lens;
    char head[4][16];
};

static void s_names_init(s_names_t *n)
{
    n->num = g_hash_table_new(g_str_hash, g_str_equal);
    n->names = g_ptr_array_new();
}

static void s_names_free(s_names_t *n)
{
    g_hash_table_destroy(n->num);
    g_ptr_array_free(n->names, TRUE);
}

/* The number of name, adding it when new; 0 when the u16 range is full. */
static unsigned s_names_get(s_names_t *n, const char *name)
{
    unsigned k = GPOINTER_TO_UINT(g_hash_table_lookup(n->num, name));
    if (k || n->names->len >= S_U16_MAX)
        return k;
    g_ptr_array_add(n->names, (gpointer)name);
    k = n->names->len;
    g_hash_table_insert(n->num, (gpointer)name, GUINT_TO_POINTER(k));
    return k;
}

static void s_u16(GString *s, unsigned v)
{
    g_string_append_c(s, (char)(v & 0xff));
    g_string_append_c(s, (char)(v >> 8));
}

store_batch_t *store_batch_new(void)
{
    store_batch_t *self = xcalloc(1, sizeof *self);
    s_names_init(&self->hkeys);
    s_names_init(&self->zkeys);
    self->fields_of = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_destroy);
    self->tfields = g_ptr_array_new();
    self->tkeys = g_string_new(NULL);
    self->ideas = g_ptr_array_new();
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
        g_string_free(d->targets, TRUE);
        g_string_free(d->zsets, TRUE);
        free(d);
    }
    g_ptr_array_free(self->ideas, TRUE);
    s_names_free(&self->hkeys);
    s_names_free(&self->zkeys);
    g_ptr_array_free(self->fields_of, TRUE);
    g_ptr_array_free(self->tfields, TRUE);
    g_string_free(self->tkeys, TRUE);
    free(self->argv);
    free(self->lens);
    free(self);
}

int store_batch_count(const store_batch_t *self)
{
    return (int)self->ideas->len;
}

/* The target number of (hash key, field), adding it when new; 0 when a
 * u16 range is full. */
static unsigned s_target(store_batch_t *self, const char *key, const char *field)
{
    unsigned k = s_names_get(&self->hkeys, key);
    if (!k)
        return 0;
    if (k > self->fields_of->len)
        g_ptr_array_add(self->fields_of, g_hash_table_new(g_str_hash, g_str_equal));
    GHashTable *fields = g_ptr_array_index(self->fields_of, k - 1);
    unsigned j = GPOINTER_TO_UINT(g_hash_table_lookup(fields, field));
    if (j || self->tfields->len >= S_U16_MAX)
        return j;
    g_ptr_array_add(self->tfields, (gpointer)field);
    j = self->tfields->len;
    s_u16(self->tkeys, k);
    g_hash_table_insert(fields, (gpointer)field, GUINT_TO_POINTER(j));
    return j;
}

/* The single-idea layout (store.c, S_SCRIPT): "EVALSHA" sha nkeys, KEYS:
 * record, ideas, ni index zsets, ns stats hashes, [participant,
 * participant-ideas]; ARGV: id, record, score, ni, ns, ns fields, has_p,
 * then 6 participant values. */
int store_batch_add(store_batch_t *self, int argc, const char **argv, const size_t *lens)
{
    if (argc < 5)
        return -1;
    int nkeys = atoi(argv[2]);
    int k0 = 3, a0 = 3 + nkeys; /* argv index of KEYS[1], ARGV[1] */
    if (nkeys < 2 || a0 + 5 > argc)
        return -1;
    int ni = atoi(argv[a0 + 3]), ns = atoi(argv[a0 + 4]);
    if (ni < 0 || ns < 0 || a0 + 5 + ns + 7 != argc)
        return -1;
    int has_p = strcmp(argv[a0 + 5 + ns], "1") == 0;
    if (nkeys != 2 + ni + ns + (has_p ? 2 : 0))
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
    d->targets = g_string_sized_new(2 * (size_t)ns);
    d->zsets = g_string_sized_new(2 * (size_t)(ni + 1));
    for (int i = 0; i <= ni; i++)
        s_u16(d->zsets, s_names_get(&self->zkeys, argv[k0 + 1 + i]));
    for (int i = 0; i < ns; i++)
        s_u16(d->targets, s_target(self, argv[k0 + 2 + ni + i], argv[a0 + 5 + i]));
    d->has_p = has_p;
    if (has_p) {
        d->p[0] = (s_str_t){argv[k0 + 2 + ni + ns], lens[k0 + 2 + ni + ns]};
        d->p[1] = (s_str_t){argv[k0 + 3 + ni + ns], lens[k0 + 3 + ni + ns]};
        for (int i = 0; i < 6; i++)
            d->p[2 + i] = (s_str_t){argv[a0 + 6 + ns + i], lens[a0 + 6 + ns + i]};
    }
    g_ptr_array_add(self->ideas, d);
    return 0;
}

static void s_put(store_batch_t *self, int *argc, const char *p, size_t len)
{
    self->argv[*argc] = p;
    self->lens[*argc] = len;
    (*argc)++;
}

void store_batch_argv(store_batch_t *self, int *argc, const char ***argv, size_t **lens)
{
    guint nh = self->hkeys.names->len, nt = self->tfields->len, nz = self->zkeys.names->len;
    size_t max = 3 + 4 + nh + 1 + nt + nz + (size_t)self->ideas->len * (7 + S_P_ARGS);
    free(self->argv);
    free(self->lens);
    self->argv = xmalloc(max * sizeof *self->argv);
    self->lens = xmalloc(max * sizeof *self->lens);
    int n = 0;
    s_put(self, &n, "EVALSHA", 7);
    s_put(self, &n, "", 0);
    s_put(self, &n, "0", 1);
    unsigned head[4] = {self->ideas->len, nh, nt, nz};
    for (int i = 0; i < 4; i++) {
        snprintf(self->head[i], sizeof self->head[i], "%u", head[i]);
        s_put(self, &n, self->head[i], strlen(self->head[i]));
    }
    for (guint i = 0; i < nh; i++) {
        const char *s = g_ptr_array_index(self->hkeys.names, i);
        s_put(self, &n, s, strlen(s));
    }
    s_put(self, &n, self->tkeys->str, self->tkeys->len);
    for (guint i = 0; i < nt; i++) {
        const char *s = g_ptr_array_index(self->tfields, i);
        s_put(self, &n, s, strlen(s));
    }
    for (guint i = 0; i < nz; i++) {
        const char *s = g_ptr_array_index(self->zkeys.names, i);
        s_put(self, &n, s, strlen(s));
    }
    for (guint i = 0; i < self->ideas->len; i++) {
        s_idea_t *d = g_ptr_array_index(self->ideas, i);
        s_put(self, &n, d->key.p, d->key.len);
        s_put(self, &n, d->id.p, d->id.len);
        s_put(self, &n, d->rec.p, d->rec.len);
        s_put(self, &n, d->score.p, d->score.len);
        s_put(self, &n, d->targets->str, d->targets->len);
        s_put(self, &n, d->zsets->str, d->zsets->len);
        s_put(self, &n, d->has_p ? "1" : "0", 1);
        for (int k = 0; d->has_p && k < S_P_ARGS; k++)
            s_put(self, &n, d->p[k].p, d->p[k].len);
    }
    *argc = n;
    *argv = self->argv;
    *lens = self->lens;
}
