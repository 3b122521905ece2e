/*
 * NAME
 *   bench-load - fill Redis with many synthetic ideas, fast, for `make bench`
 *
 * SUMMARY
 *   bench-load REDIS_URL COUNT [TEXT_CHARS]
 *
 * DESCRIPTION
 *   Writes COUNT ideas (ids "b-<12 digits>") exactly as storage writes them:
 *   this file compiles services/storage/store.c in (the only writer of the
 *   key layout, docs/redis.md), so the record encoding (idea_encode), the
 *   Lua write script and its indexes, stats and pair counts (so the
 *   dashboard's two-filter totals are served as in production) are
 *   storage's own; the ideas go through store_ideas(), 256 pipelined
 *   EVALSHAs per round trip.
 *   Field values are spread over the real value sets (12 wijken, 10
 *   themes with one or two per idea, 4 channels, 3 sentiments, 2
 *   questions, 3 target groups, 3 statuses), received_at over the last 90
 *   days, and every text is TEXT_CHARS [200] characters of Dutch-looking
 *   words. Deterministic: the same COUNT gives the same ideas.
 *   Prints "loaded N ideas in S s (R/s)" on stdout.
 *
 * DIAGNOSTICS
 *   Exit 1 when Redis refuses writes, 2 on bad arguments.
 */
#include "../../services/storage/store.c"

static const char *const S_WIJKEN[] = {"WK091733", "WK091721", "WK091732", "WK091712",
                                       "WK091740", "WK091739", "WK091731", "WK091724",
                                       "WK091722", "WK091720", "WK091741", "WK091713"};
static const char *const S_THEMES[] = {"wonen", "groen",   "mobiliteit", "veiligheid",
                                       "jeugd", "centrum", "cultuur",    "zorg",
                                       "economie", "openbare-ruimte"};
static const char *const S_CHANNELS[] = {"form", "email", "transcript", "field"};
static const char *const S_SENTIMENTS[] = {"positief", "neutraal", "negatief"};
static const char *const S_QUESTIONS[] = {"nu", "toekomst"};
static const char *const S_GROUPS[] = {"inwoner", "professional", "buurtorganisatie"};
static const char *const S_STATUSES[] = {"new", "approved", "hidden"};
static const char *const S_WORDS[] = {"meer",  "bomen",   "in",     "de",      "straat",
                                      "park",  "fietspad", "veilig", "spelen",  "buurt",
                                      "graag", "wonen",   "school", "winkels", "groen",
                                      "licht", "bankjes", "water",  "samen",   "centrum"};
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

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: bench-load REDIS_URL COUNT [TEXT_CHARS]\n");
        return 2;
    }
    long count = atol(argv[2]);
    long chars = argc == 4 ? atol(argv[3]) : 200;
    char err[256];
    store_t *st = store_new(argv[1], err, sizeof err);
    if (!st || count < 0 || chars < 1 || chars > 4000) {
        fprintf(stderr, "bench-load: %s\n", st ? "bad count or text length" : err);
        return 2;
    }
    idea_t ideas[S_BATCH], *ptrs[S_BATCH];
    int res[S_BATCH], bad[S_BATCH];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t now = s_now_ms();
    for (long done = 0; done < count;) {
        int n = (int)(count - done < S_BATCH ? count - done : S_BATCH);
        for (int i = 0; i < n; i++) {
            s_make(&ideas[i], done + i, (size_t)chars, now);
            ptrs[i] = &ideas[i];
        }
        int rc = store_ideas(st, ptrs, NULL, n, res, bad, err, sizeof err);
        for (int i = 0; i < n; i++)
            idea_clear(&ideas[i]);
        if (rc < 0) {
            fprintf(stderr, "bench-load: %s\n", err);
            store_destroy(&st);
            return 1;
        }
        done += n;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("loaded %ld ideas in %.2f s (%.0f/s)\n", count, s, s > 0 ? (double)count / s : 0.0);
    store_destroy(&st);
    return 0;
}
