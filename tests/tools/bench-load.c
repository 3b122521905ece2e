/*
 * NAME
 *   bench-load - fill Redis with many synthetic ideas, fast, for `make bench`
 *
 * SUMMARY
 *   bench-load [--bulk] [--now MS] REDIS_URL COUNT [TEXT_CHARS]
 *
 * DESCRIPTION
 *   Writes COUNT ideas (ids "b-<12 digits>") exactly as storage writes them:
 *   this file compiles services/storage/store.c in (the only writer of the
 *   key layout, docs/redis.md), so the record encoding (idea_encode), the
 *   keys, indexes, stats and pair counts (so the dashboard's two-filter
 *   totals are served as in production) are storage's own.
 *   Default (script mode): the ideas go through store_ideas(), one call
 *   of storage's Lua batch script per 256 ideas.
 *   --bulk: the same Redis content without the script (see "Bulk mode"
 *   below): storage still builds every key and argument, this file applies
 *   them as MSETs, multi-member ZADDs and summed HINCRBYs, about 40 times
 *   faster. The target must hold no ideas yet.
 *   tests/integration/test_bench_load.py checks that both modes leave the
 *   same keys, types, encodings and values.
 *   Field values are spread over the real value sets (12 wijken, 10
 *   themes with one or two per idea, 4 channels, 3 sentiments, 2
 *   questions, 3 target groups, 3 statuses), received_at over the 90 days
 *   before MS [now], and every text is TEXT_CHARS [200] characters of
 *   Dutch-looking words. Deterministic: the same COUNT and MS give the same
 *   ideas. Prints "loaded N ideas in S s (R/s)" on stdout.
 *
 * DIAGNOSTICS
 *   Exit 1 when Redis refuses writes (or, --bulk, already holds ideas), 2
 *   on bad arguments.
 */
#include "../../services/storage/store.c"
#include "../../services/storage/store_batch.c"
#include "../../services/storage/store_erased.c"
#include "../../services/storage/store_counts.c"
#include "../../services/storage/store_pairs.c"
#include "../../services/storage/store_people.c"
#include "../../services/storage/store_record.c"
#include "../../services/storage/store_redact.c"
#include "../../services/storage/store_shown.c"
#include "../../services/storage/store_write.c"

static const char *const S_WIJKEN[] = {"WK091733", "WK091721", "WK091732", "WK091712",
                                       "WK091740", "WK091739", "WK091731", "WK091724",
                                       "WK091722", "WK091720", "WK091741", "WK091713"};
static const char *const S_THEMES[] = {"wonen",    "groen",          "mobiliteit", "veiligheid",
                                       "jeugd",    "centrum",        "cultuur",    "zorg",
                                       "economie", "openbare-ruimte"};
static const char *const S_CHANNELS[] = {"form", "email", "transcript", "field"};
static const char *const S_SENTIMENTS[] = {"positief", "neutraal", "negatief"};
static const char *const S_QUESTIONS[] = {"nu", "toekomst"};
static const char *const S_GROUPS[] = {"inwoner", "professional", "buurtorganisatie"};
static const char *const S_STATUSES[] = {"new", "approved", "hidden"};
static const char *const S_WORDS[] = {"meer",  "bomen",    "in",     "de",      "straat",
                                      "park",  "fietspad", "veilig", "spelen",  "buurt",
                                      "graag", "wonen",    "school", "winkels", "groen",
                                      "licht", "bankjes",  "water",  "samen",   "centrum"};
#define S_N(a) (sizeof(a) / sizeof((a)[0]))
#define S_BATCH 256

/* xorshift64*: deterministic and cheap; quality is not the point. */
static uint64_t s_rand(uint64_t *st)
{
    *st ^= *st >> 12;
    *st ^= *st << 25;
    *st ^= *st >> 27;
    return *st * 2685821657736338717ULL;
}

static void s_text(char *out, size_t chars, uint64_t *st)
{
    size_t n = 0;
    while (n < chars) {
        const char *w = S_WORDS[s_rand(st) % S_N(S_WORDS)];
        size_t wl = strlen(w);
        if (n + wl + 1 > chars)
            wl = chars - n - (n > 0);
        if (n > 0 && n < chars)
            out[n++] = ' ';
        memcpy(out + n, w, wl);
        n += wl;
    }
    out[chars] = '\0';
}

static void s_make(idea_t *idea, long i, size_t chars, int64_t now)
{
    uint64_t st = (uint64_t)i * 0x9E3779B97F4A7C15ULL + 1;
    char id[32], text[4096];
    idea_init(idea);
    snprintf(id, sizeof id, "b-%012ld", i);
    proto_set(&idea->id, id);
    proto_set(&idea->channel, S_CHANNELS[s_rand(&st) % S_N(S_CHANNELS)]);
    proto_set(&idea->activity, "ideeenbus");
    proto_set(&idea->target_group, S_GROUPS[s_rand(&st) % S_N(S_GROUPS)]);
    s_text(text, chars < sizeof text ? chars : sizeof text - 1, &st);
    proto_set(&idea->text, text);
    proto_set(&idea->wijk, S_WIJKEN[s_rand(&st) % S_N(S_WIJKEN)]);
    proto_set(&idea->question, S_QUESTIONS[s_rand(&st) % S_N(S_QUESTIONS)]);
    proto_set(&idea->sentiment, S_SENTIMENTS[s_rand(&st) % S_N(S_SENTIMENTS)]);
    proto_set(&idea->language, "nl");
    proto_set(&idea->status, S_STATUSES[s_rand(&st) % S_N(S_STATUSES)]);
    idea_add_theme(idea, S_THEMES[s_rand(&st) % S_N(S_THEMES)]);
    if (s_rand(&st) % 2)
        idea_add_theme(idea, S_THEMES[s_rand(&st) % S_N(S_THEMES)]); /* -1 on a dup: fine */
    idea->received_at = now - (int64_t)(s_rand(&st) % (90ULL * 86400 * 1000));
}

/* ------------------------------------------------------------------ */
/* Bulk mode: the write script's effect, computed here                 */
/* ------------------------------------------------------------------ */

/*
 * Why: every EVALSHA of storage's script costs Redis ~180 us of Lua
 * (about 57 commands with the pair counts), so a million ideas took
 * 300-500 s. The bulk mode asks storage for exactly the KEYS and ARGV it
 * would give the script (store_prepare, compiled in above) and applies what
 * S_SCRIPT does with them, step by step, but grouped: the records as MSETs
 * of S_ROUND, the index members as ZADDs of up to S_ZADD_MAX members per
 * key, and the HINCRBYs summed here and sent once per (key, field) at the
 * end, in first-seen order so that small (listpack) hashes hold their
 * fields in the same order as after the script.
 * tests/integration/test_bench_load.py compares the two modes key by key.
 * Not atomic per idea and no EXISTS check per idea: the target must hold no
 * ideas yet (checked), and every ZADD must report all its members new.
 */
#define S_ROUND 1000    /* ideas per MSET, and per pipelined round */
#define S_ZADD_MAX 1000 /* members per ZADD */

/* String -> int, open addressing (FNV-1a); the bulk loader has ~50 index
 * keys and a few thousand counters, looked up ~60 times per idea. */
typedef struct {
    char **k;
    size_t *len;
    int *v;
    size_t cap, n;
} s_map_t;

static uint64_t s_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static size_t s_map_slot(const s_map_t *m, const char *k, size_t n)
{
    size_t i = (size_t)s_hash(k, n) & (m->cap - 1);
    while (m->k[i] && !(m->len[i] == n && memcmp(m->k[i], k, n) == 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int s_map_get(const s_map_t *m, const char *k, size_t n)
{
    if (!m->cap)
        return -1;
    size_t i = s_map_slot(m, k, n);
    return m->k[i] ? m->v[i] : -1;
}

static void s_map_put(s_map_t *m, const char *k, size_t n, int v)
{
    if (2 * (m->n + 1) > m->cap) {
        s_map_t g = {xcalloc(m->cap ? 2 * m->cap : 64, sizeof(char *)),
                     xcalloc(m->cap ? 2 * m->cap : 64, sizeof(size_t)),
                     xcalloc(m->cap ? 2 * m->cap : 64, sizeof(int)), m->cap ? 2 * m->cap : 64,
                     m->n};
        for (size_t i = 0; i < m->cap; i++)
            if (m->k[i]) {
                size_t j = s_map_slot(&g, m->k[i], m->len[i]);
                g.k[j] = m->k[i], g.len[j] = m->len[i], g.v[j] = m->v[i];
            }
        free(m->k), free(m->len), free(m->v);
        *m = g;
    }
    size_t i = s_map_slot(m, k, n);
    char *copy = xmalloc(n + 1);
    memcpy(copy, k, n);
    copy[n] = '\0';
    m->k[i] = copy, m->len[i] = n, m->v[i] = v;
    m->n++;
}

static void s_map_free(s_map_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->k[i]);
    free(m->k), free(m->len), free(m->v);
}

typedef struct { /* ZADD members waiting for one key */
    char *key;
    int n;
    char *arg[2 * S_ZADD_MAX]; /* score, id, score, id, ... (owned) */
} s_zbuf_t;

typedef struct { /* one HINCRBY target and its sum */
    char *key, *field;
    long long n;
} s_count_t;

typedef struct {
    rstore_t *rs;
    s_map_t zmap, cmap; /* key -> zbuf index; key "\0" field -> count index */
    s_zbuf_t **z;
    s_count_t *c;
    int nz, nc, capz, capc;
    const char **argv; /* scratch for one command */
    size_t *lens;
    int sent;               /* commands appended since the last read */
    long long zadd_members; /* appended, for the ZADD check */
    char err[256];
} s_bulk_t;

static void s_bulk_append(s_bulk_t *b, int argc)
{
    if (rstore_appendargv(b->rs, argc, b->argv, b->lens) < 0 && !b->err[0])
        snprintf(b->err, sizeof b->err, "append: %s", rstore_error(b->rs));
    b->sent++;
}

static void s_zflush(s_bulk_t *b, s_zbuf_t *z)
{
    if (z->n == 0)
        return;
    b->argv[0] = "ZADD", b->lens[0] = 4;
    b->argv[1] = z->key, b->lens[1] = strlen(z->key);
    for (int i = 0; i < 2 * z->n; i++)
        b->argv[2 + i] = z->arg[i], b->lens[2 + i] = strlen(z->arg[i]);
    s_bulk_append(b, 2 + 2 * z->n);
    b->zadd_members += z->n;
    for (int i = 0; i < 2 * z->n; i++)
        free(z->arg[i]);
    z->n = 0;
}

/* ZADD key score id, buffered. */
static void s_zadd(s_bulk_t *b, const char *key, size_t klen, const char *score, const char *id)
{
    int i = s_map_get(&b->zmap, key, klen);
    if (i < 0) {
        if (b->nz == b->capz)
            b->z = xrealloc(b->z, sizeof *b->z * (size_t)(b->capz = b->capz ? 2 * b->capz : 64));
        i = b->nz++;
        b->z[i] = xcalloc(1, sizeof **b->z);
        b->z[i]->key = xstrndup(key, klen);
        s_map_put(&b->zmap, key, klen, i);
    }
    s_zbuf_t *z = b->z[i];
    z->arg[2 * z->n] = xstrdup(score);
    z->arg[2 * z->n + 1] = xstrdup(id);
    if (++z->n == S_ZADD_MAX)
        s_zflush(b, z);
}

/* HINCRBY key field 1, summed. */
static void s_hincr(s_bulk_t *b, const char *key, size_t klen, const char *field, size_t flen)
{
    char buf[1024];
    if (klen + 1 + flen > sizeof buf) {
        snprintf(b->err, sizeof b->err, "stats key too long");
        return;
    }
    memcpy(buf, key, klen);
    buf[klen] = '\0';
    memcpy(buf + klen + 1, field, flen);
    int i = s_map_get(&b->cmap, buf, klen + 1 + flen);
    if (i < 0) {
        if (b->nc == b->capc)
            b->c = xrealloc(b->c, sizeof *b->c * (size_t)(b->capc = b->capc ? 2 * b->capc : 256));
        i = b->nc++;
        b->c[i] = (s_count_t){xstrndup(key, klen), xstrndup(field, flen), 0};
        s_map_put(&b->cmap, buf, klen + 1 + flen, i);
    }
    b->c[i].n++;
}

/* What S_SCRIPT does with one idea's KEYS and ARGV (same steps, same
 * order; the EXISTS check is the caller's empty-target check). The record
 * is handed back for the round's MSET. 0, or -1 with b->err. */
static int s_bulk_idea(s_bulk_t *b, store_t *st, idea_t *idea, char **key, char **rec,
                       size_t *rec_len)
{
    store_args_t a;
    int bad;
    if (store_prepare(st, idea, NULL, &a, rec, &bad, b->err, sizeof b->err) < 0)
        return -1;
    int nkeys = atoi(a.argv[2]);
#define S_KEY(k) a.argv[2 + (k)], a.lens[2 + (k)]
#define S_ARGV(k) a.argv[2 + nkeys + (k)]
    const char *id = S_ARGV(1), *score = S_ARGV(3);
    int ni = atoi(S_ARGV(4)), ns = atoi(S_ARGV(5));
    *key = xstrndup(S_KEY(1));
    *rec_len = a.lens[2 + nkeys + 2];
    s_zadd(b, S_KEY(2), score, id);
    for (int i = 1; i <= ni; i++)
        s_zadd(b, S_KEY(2 + i), score, id);
    for (int i = 1; i <= ns; i++)
        s_hincr(b, S_KEY(2 + ni + i), S_ARGV(5 + i), a.lens[2 + nkeys + 5 + i]);
    int has_p = strcmp(S_ARGV(5 + ns + 1), "1") == 0;
#undef S_KEY
#undef S_ARGV
    store_args_free(&a);
    if (has_p) { /* the generator makes none; the participant steps are not mirrored */
        snprintf(b->err, sizeof b->err, "bulk mode does not write participants");
        return -1;
    }
    return b->err[0] ? -1 : 0;
}

/* Reads n pipelined replies; integer replies (ZADD, HINCRBY) are summed. */
static void s_bulk_read(s_bulk_t *b, int n, long long *sum)
{
    for (int i = 0; i < n; i++) {
        redisReply *r = rstore_reply(b->rs);
        if (!r) {
            if (!b->err[0])
                snprintf(b->err, sizeof b->err, "%s", rstore_error(b->rs));
            continue;
        }
        if (r->type == REDIS_REPLY_INTEGER)
            *sum += r->integer;
        freeReplyObject(r);
    }
}

/* One round: S_ROUND ideas, their ZADDs that filled up, one MSET. */
static int s_bulk_round(s_bulk_t *b, store_t *st, long first, int n, size_t chars, int64_t now)
{
    char *key[S_ROUND], *rec[S_ROUND];
    size_t rec_len[S_ROUND];
    int made = 0;
    for (; made < n && !b->err[0]; made++) {
        idea_t idea;
        s_make(&idea, first + made, chars, now);
        int rc = s_bulk_idea(b, st, &idea, &key[made], &rec[made], &rec_len[made]);
        idea_clear(&idea);
        if (rc < 0)
            break;
    }
    b->argv[0] = "MSET", b->lens[0] = 4;
    for (int i = 0; i < made; i++) {
        b->argv[1 + 2 * i] = key[i], b->lens[1 + 2 * i] = strlen(key[i]);
        b->argv[2 + 2 * i] = rec[i], b->lens[2 + 2 * i] = rec_len[i];
    }
    if (made == n && !b->err[0])
        s_bulk_append(b, 1 + 2 * made);
    for (int i = 0; i < made; i++)
        free(key[i]), free(rec[i]);
    return b->err[0] ? -1 : 0;
}

static void s_bulk_free(s_bulk_t *b)
{
    for (int i = 0; i < b->nz; i++) {
        for (int k = 0; k < 2 * b->z[i]->n; k++)
            free(b->z[i]->arg[k]);
        free(b->z[i]->key);
        free(b->z[i]);
    }
    for (int i = 0; i < b->nc; i++)
        free(b->c[i].key), free(b->c[i].field);
    free(b->z), free(b->c), free(b->argv), free(b->lens);
    s_map_free(&b->zmap), s_map_free(&b->cmap);
}

/* The summed HINCRBYs, in first-seen order, 1,000 per round trip. */
static void s_bulk_counters(s_bulk_t *b)
{
    long long ignored = 0;
    for (int i = 0; i < b->nc && !b->err[0]; i++) {
        char n[32];
        snprintf(n, sizeof n, "%lld", b->c[i].n);
        b->argv[0] = "HINCRBY", b->argv[1] = b->c[i].key, b->argv[2] = b->c[i].field;
        b->argv[3] = n;
        for (int k = 0; k < 4; k++)
            b->lens[k] = strlen(b->argv[k]);
        s_bulk_append(b, 4);
        if (b->sent == 1000 || i == b->nc - 1) {
            s_bulk_read(b, b->sent, &ignored);
            b->sent = 0;
        }
    }
}

/* Rounds are read one behind: Redis applies round k while round k+1 is
 * built here (two cores). Then the index remainders, then the counters. */
static int s_bulk_load(store_t *st, long count, size_t chars, int64_t now, char *err, size_t errlen)
{
    s_bulk_t b = {.rs = store_rstore(st)};
    size_t max_args = 2 + 2 * (S_ZADD_MAX > S_ROUND ? S_ZADD_MAX : S_ROUND);
    b.argv = xmalloc(sizeof *b.argv * max_args);
    b.lens = xmalloc(sizeof *b.lens * max_args);
    redisReply *r = rstore_cmd(b.rs, "EXISTS " STORE_KEY_PREFIX "ideas");
    if (!r || r->type != REDIS_REPLY_INTEGER || r->integer != 0)
        snprintf(b.err, sizeof b.err, "%s",
                 r ? "bulk mode needs a Redis without ideas" : rstore_error(b.rs));
    if (r)
        freeReplyObject(r);
    long long added = 0;
    int behind = 0;
    for (long done = 0; done < count && !b.err[0]; done += S_ROUND) {
        int n = (int)(count - done < S_ROUND ? count - done : S_ROUND);
        b.sent = 0;
        if (s_bulk_round(&b, st, done, n, chars, now) < 0)
            break;
        s_bulk_read(&b, behind, &added);
        behind = b.sent;
    }
    b.sent = 0;
    for (int i = 0; i < b.nz && !b.err[0]; i++)
        s_zflush(&b, b.z[i]);
    s_bulk_read(&b, behind + b.sent, &added);
    /* ZADD answers how many members were new: fewer means an idea that
     * the script would have skipped as already stored. */
    if (!b.err[0] && added != b.zadd_members)
        snprintf(b.err, sizeof b.err, "%lld of %lld index entries existed already",
                 b.zadd_members - added, b.zadd_members);
    b.sent = 0;
    s_bulk_counters(&b);
    s_bulk_free(&b);
    snprintf(err, errlen, "%s", b.err);
    return b.err[0] ? -1 : 0;
}

/* The default mode: storage's own store_ideas(), S_BATCH per call. */
static int s_script_load(store_t *st, long count, size_t chars, int64_t now, char *err,
                         size_t errlen)
{
    idea_t ideas[S_BATCH], *ptrs[S_BATCH];
    int res[S_BATCH], bad[S_BATCH];
    for (long done = 0; done < count;) {
        int n = (int)(count - done < S_BATCH ? count - done : S_BATCH);
        for (int i = 0; i < n; i++) {
            s_make(&ideas[i], done + i, chars, now);
            ptrs[i] = &ideas[i];
        }
        int rc = store_ideas(st, ptrs, NULL, n, res, bad, err, errlen);
        for (int i = 0; i < n; i++)
            idea_clear(&ideas[i]);
        if (rc < 0)
            return -1;
        done += n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int bulk = 0, a = 1;
    int64_t now = clock_wall_ms();
    for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
        if (strcmp(argv[a], "--bulk") == 0)
            bulk = 1;
        else if (strcmp(argv[a], "--now") == 0 && a + 1 < argc && atoll(argv[a + 1]) > 0)
            now = atoll(argv[++a]);
        else
            break;
    }
    if (argc - a < 2 || argc - a > 3) {
        fprintf(stderr, "usage: bench-load [--bulk] [--now MS] REDIS_URL COUNT [TEXT_CHARS]\n");
        return 2;
    }
    long count = atol(argv[a + 1]);
    long chars = argc - a == 3 ? atol(argv[a + 2]) : 200;
    char err[256] = "";
    store_t *st = store_new(argv[a], err, sizeof err);
    if (!st || count < 0 || chars < 1 || chars > 4000) {
        fprintf(stderr, "bench-load: %s\n", st ? "bad count or text length" : err);
        store_destroy(&st);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* As storage does before it stores anything (store_counts.h): on a
     * Redis without ideas this only marks the people and shown counts as
     * complete. */
    int rc = store_counts_begin(st);
    while (rc > 0)
        rc = store_counts_step(st);
    if (rc < 0)
        snprintf(err, sizeof err, "people and shown counts: %.200s", store_error(st));
    else
        rc = bulk ? s_bulk_load(st, count, (size_t)chars, now, err, sizeof err)
                  : s_script_load(st, count, (size_t)chars, now, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    store_destroy(&st);
    if (rc < 0) {
        fprintf(stderr, "bench-load: %s\n", err);
        return 1;
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("loaded %ld ideas in %.2f s (%.0f/s)\n", count, s, s > 0 ? (double)count / s : 0.0);
    return 0;
}
