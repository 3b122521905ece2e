/*
 * NAME
 *   fuzz_classify - libFuzzer harness for the classifier's reading of a
 *   resident's text: every analyser classify_idea() runs, the PII
 *   finders redaction cuts with, and the near-duplicate sketch as the
 *   service stores it
 *
 * DESCRIPTION
 *   The input is an idea's text. Only what the bus can carry reaches the
 *   classifier (proto's codec refuses anything else), so input that is
 *   not valid UTF-8 or holds a NUL byte is skipped. The data files are
 *   the repository's data/ (INSPRAAK_DATA overrides), with the built
 *   model when there is one. Promises checked (abort() when broken):
 *     - classify_idea() reads a text with words whole (a sentiment and a
 *       question of their values, with the model 1-3 themes of the theme
 *       list) and gives a text without words none of them; a language
 *       is a two-letter code or none; no pii flag outside
 *       CLASSIFY_PII_KINDS;
 *     - every place classify_pii_find() reports lies inside the text
 *       (start < end <= length): redaction cuts there;
 *     - classify_idea_cluster() against a store holding two other ideas
 *       gives a cluster id idea_cluster_ok() accepts;
 *     - the sketch, with a cluster and a staff label of the longest
 *       allowed length, packs into CLUSTER_PACK_MAX bytes (a heap buffer
 *       of exactly that size, so ASan sees an overflow) and parses back
 *       to the same fields;
 *     - the similarity of the sketch with itself and with the other ideas
 *       is a finite number.
 *
 *   FUZZ_SOURCES: services/classifier/cluster_pack.c
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cluster_redis_int.h" /* CLUSTER_ID_MAX */
#include "proto.h"
#include "proto_int.h" /* proto_utf8_valid: the codec's own check */
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static classify_t *s_cls;
static classify_tok_t *s_tok;
static classify_lex_t *s_themes; /* the theme list, for its slugs */
static cluster_sketch_t s_seed[2];
static const char *const s_seed_text[2] = {
    "Er moet een openbare wc komen in het centrum van Heerlen, bij de Promenade.",
    "Meer bankjes in het Molenbergpark om even uit te rusten, voor ouderen.",
};

static void s_fail(const char *what)
{
    fprintf(stderr, "fuzz_classify: %s\n", what);
    abort();
}

static void s_init(void)
{
    char err[256];
    const char *dir = getenv("INSPRAAK_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/nl/themes.tsv", dir && *dir ? dir : "data");
    if (!(s_cls = classify_new(dir && *dir ? dir : "data", err, sizeof err)) ||
        !(s_tok = classify_tok_new(err, sizeof err)) ||
        !(s_themes = classify_lex_load(s_tok, path, err, sizeof err))) {
        fprintf(stderr, "fuzz_classify: %s\n", err);
        exit(1);
    }
    for (int i = 0; i < 2; i++) {
        idea_t seed;
        idea_init(&seed);
        proto_set(&seed.id, i ? "seed-1" : "seed-0");
        proto_set(&seed.text, s_seed_text[i]);
        classify_idea(s_cls, &seed);
        classify_idea_sketch(s_cls, &seed, &s_seed[i]);
        snprintf(s_seed[i].cluster, sizeof s_seed[i].cluster, "%s", seed.id);
        idea_clear(&seed);
    }
}

static int s_place(void *arg, const char *kind, size_t start, size_t end)
{
    (void)kind;
    if (start >= end || end > *(const size_t *)arg)
        s_fail("a PII place outside the text");
    return 0;
}

/* A text with words gets a sentiment and a question, and with the model
 * 1-3 themes (keywords alone may find none); a text without words
 * (empty, only punctuation) gets none of them: nothing to read. */
static void s_check_labels(const idea_t *idea)
{
    size_t n_slugs = 0;
    const char *const *slugs = classify_lex_labels(s_themes, &n_slugs);
    bool read = idea->sentiment != NULL;
    if (read != (idea->question != NULL) || (!read && idea->n_themes > 0))
        s_fail("labels from half a reading");
    if (read && (!value_allowed(idea->sentiment, VALID_SENTIMENTS) ||
                 !value_allowed(idea->question, VALID_QUESTIONS)))
        s_fail("a sentiment or question outside its values");
    if (idea->n_themes > PROTO_MAX_THEMES ||
        (read && classify_has_model(s_cls) && idea->n_themes < 1))
        s_fail("not 1-3 themes");
    for (int k = 0; k < idea->n_themes; k++) {
        bool known = false;
        for (size_t i = 0; i < n_slugs; i++)
            known |= strcmp(idea->themes[k], slugs[i]) == 0;
        if (!known)
            s_fail("a theme outside the theme list");
    }
    if (idea->language &&
        (strlen(idea->language) != 2 || idea->language[0] < 'a' || idea->language[0] > 'z' ||
         idea->language[1] < 'a' || idea->language[1] > 'z'))
        s_fail("a language that is no two-letter code");
    for (int k = 0; k < idea->n_pii; k++)
        if (!value_allowed(idea->pii[k], CLASSIFY_PII_KINDS))
            s_fail("a pii flag outside CLASSIFY_PII_KINDS");
}

static void s_check_sketch(const idea_t *idea)
{
    cluster_sketch_t sk, back;
    classify_idea_sketch(s_cls, idea, &sk);
    snprintf(sk.cluster, sizeof sk.cluster, "%s", idea->cluster);
    memset(sk.label, 'L', PROTO_MAX_CLUSTER - 1); /* the longest staff label */
    sk.label[PROTO_MAX_CLUSTER - 1] = '\0';
    char *rec = malloc(CLUSTER_PACK_MAX), id[CLUSTER_ID_MAX];
    size_t n = cluster_redis_pack(&sk, idea->id, rec);
    if (n > CLUSTER_PACK_MAX)
        s_fail("a packed sketch longer than CLUSTER_PACK_MAX");
    if (cluster_redis_parse(rec, n, &back, id, sizeof id) < 0 || strcmp(id, idea->id) != 0 ||
        strcmp(back.cluster, sk.cluster) != 0 || strcmp(back.label, sk.label) != 0 ||
        strcmp(back.wijk, sk.wijk) != 0 || strcmp(back.theme, sk.theme) != 0 ||
        back.n_keys != (sk.n_keys > 65535 ? 65535 : sk.n_keys) || back.slots != sk.slots ||
        back.n_slots != sk.n_slots ||
        memcmp(back.slot, sk.slot, sk.n_slots * sizeof *sk.slot) != 0 ||
        memcmp(back.val, sk.val, sk.n_slots * sizeof *sk.val) != 0)
        s_fail("a packed sketch that does not parse back the same");
    free(rec);
    double s[3] = {classify_cluster_similarity(&sk, &sk),
                   classify_cluster_similarity(&sk, &s_seed[0]),
                   classify_cluster_similarity(&s_seed[1], &sk)};
    for (int i = 0; i < 3; i++)
        if (!isfinite(s[i]))
            s_fail("a similarity that is not a number");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_cls)
        s_init();
    if (memchr(data, 0, size) || !proto_utf8_valid((const char *)data, size))
        return 0; /* the codec never lets such text through */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    for (const char *const *kind = CLASSIFY_PII_KINDS; *kind; kind++)
        if (classify_pii_find(text, *kind, NULL, s_place, &size) < 0)
            s_fail("a kind of CLASSIFY_PII_KINDS unknown to classify_pii_find");

    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.id, "f-fuzz");
    proto_set(&idea.text, text);
    classify_idea(s_cls, &idea);
    s_check_labels(&idea);

    void *mem = cluster_mem_new();
    cluster_store_t st = cluster_mem_ops;
    st.store = mem;
    st.put(mem, "seed-0", &s_seed[0]);
    st.put(mem, "seed-1", &s_seed[1]);
    if (classify_idea_cluster(s_cls, &st, &idea) < 0 || !idea_cluster_ok(idea.cluster))
        s_fail("no cluster, or one staff could not set");
    s_check_sketch(&idea);
    cluster_mem_destroy(&mem);
    idea_clear(&idea);
    free(text);
    return 0;
}
