/*
 * NAME
 *   classify - the classifier offline: JSON Lines in, JSON Lines out
 *
 * SYNOPSIS
 *   bin/classify < ideas.jsonl > classified.jsonl
 *
 * DESCRIPTION
 *   INTERFACES.md "Classifier, offline". Each input line is a JSON object
 *   {"id", "text", ...}; the output line is the same object with
 *   "themes", "sentiment", "question", "wijk", "language" and "cluster"
 *   added (and "buurt", "pii"). Read as input, like the service reads
 *   them from an idea: "text", "title", "wijk" (a field the resident
 *   filled), "postcode", "lat"/"lon" or "location": {"lat","lon"},
 *   "source": {"context"} (a street interview's question, checked for
 *   personal data like the text) and "question" (kept when given). Labels "themes" and "sentiment" in the
 *   input are replaced. The work is done by classify_idea(), the same
 *   function as in the classifier service, so the answers are the same.
 *   "cluster" is the id of the first idea of this run that the idea is a
 *   near-duplicate of (its own id when none; common/classify_cluster.c):
 *   the cluster state lives in memory for one run, so feed related ideas
 *   in one run. An idea without "id" gets a cluster id made of its sketch.
 *
 *   A line that is not a JSON object gives {"error": "..."} with its line
 *   number on stdout and a warning on stderr; the run goes on. Lines over
 *   1 MiB are refused the same way. Exit 0, 1 when the data cannot be
 *   loaded, 2 on arguments (--help prints the usage). --hash-seed N
 *   (0-1000) sketches with another hash (classify_cluster_hash_seed();
 *   evaluation only: docs/classifier-history.md "The hash decides").
 *
 * CONFIGURATION
 *   INSPRAAK_DATA (default ./data), INSPRAAK_THEMES_FILE, INSPRAAK_MODEL_FILE
 *   (default data/nl/model.tsv; "none": keywords alone),
 *   INSPRAAK_GEO_WIJKEN, INSPRAAK_GEO_BUURTEN (common/geo.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

#define CLASSIFY_MAX_LINE (1024 * 1024)

static const char *s_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void s_set_str(json_t *obj, const char *key, const char *v)
{
    json_object_set_new(obj, key, v ? json_string(v) : json_null());
}

/* The idea fields classify_idea() reads, from the JSON object. */
static void s_idea_from(json_t *in, idea_t *idea)
{
    idea_init(idea);
    proto_set(&idea->id, s_str(in, "id"));
    proto_set(&idea->text, s_str(in, "text"));
    proto_set(&idea->title, s_str(in, "title"));
    proto_set(&idea->wijk, s_str(in, "wijk"));
    proto_set(&idea->postcode, s_str(in, "postcode"));
    json_t *source = json_object_get(in, "source");
    if (json_is_object(source)) /* a street interview's question: PII */
        proto_set(&idea->source.context, s_str(source, "context"));
    const char *q = s_str(in, "question");
    if (q && (strcmp(q, "nu") == 0 || strcmp(q, "toekomst") == 0))
        proto_set(&idea->question, q);
    json_t *loc = json_object_get(in, "location");
    json_t *src = json_is_object(loc) ? loc : in;
    json_t *lat = json_object_get(src, "lat"), *lon = json_object_get(src, "lon");
    if (json_is_number(lat) && json_is_number(lon)) {
        idea->has_location = true;
        idea->lat = json_number_value(lat);
        idea->lon = json_number_value(lon);
    }
}

static void s_one(classify_t *cls, const cluster_store_t *st, json_t *in)
{
    idea_t idea;
    s_idea_from(in, &idea);
    classify_idea(cls, &idea);
    classify_idea_cluster(cls, st, &idea); /* the memory store cannot fail */
    json_t *themes = json_array();
    for (int i = 0; i < idea.n_themes; i++)
        json_array_append_new(themes, json_string(idea.themes[i]));
    json_object_set_new(in, "themes", themes);
    json_t *pii = json_array();
    for (int i = 0; i < idea.n_pii; i++)
        json_array_append_new(pii, json_string(idea.pii[i]));
    json_object_set_new(in, "pii", pii);
    s_set_str(in, "sentiment", idea.sentiment);
    s_set_str(in, "question", idea.question);
    s_set_str(in, "wijk", idea.wijk);
    s_set_str(in, "buurt", idea.buurt);
    s_set_str(in, "language", idea.language);
    s_set_str(in, "cluster", idea.cluster);
    idea_clear(&idea);
}

static void s_error(long lineno, const char *why)
{
    fprintf(stderr, "classify: line %ld: %s\n", lineno, why);
    json_t *e = json_pack("{s:s, s:I}", "error", why, "line", (json_int_t)lineno);
    char *s = json_dumps(e, JSON_COMPACT);
    printf("%s\n", s);
    free(s);
    json_decref(e);
}

static const char s_usage[] =
    "usage: classify [--hash-seed N] < ideas.jsonl > classified.jsonl\n"
    "  Reads one JSON object per line ({\"id\", \"text\", ...}) and writes it back with\n"
    "  themes, sentiment, question, wijk, buurt, language, cluster and pii added.\n"
    "  --hash-seed N (0-1000, default 0): another hash for the near-duplicate sketch,\n"
    "  for evaluation only (how much of a cluster figure is hash luck).\n"
    "  Environment: INSPRAAK_DATA (default ./data), INSPRAAK_MODEL_FILE, INSPRAAK_THEMES_FILE.\n";

/* "--hash-seed N": 0 and the seed, or -1 for anything else. */
static int s_args(int argc, char **argv)
{
    if (argc == 1)
        return 0;
    if (argc != 3 || strcmp(argv[1], "--hash-seed") != 0)
        return -1;
    char *end;
    errno = 0;
    long seed = strtol(argv[2], &end, 10);
    if (errno || end == argv[2] || *end || seed < 0 || seed > 1000)
        return -1;
    classify_cluster_hash_seed((unsigned)seed);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(s_usage, stdout);
        return 0;
    }
    if (s_args(argc, argv) < 0) {
        fputs(s_usage, stderr);
        return 2;
    }
    char err[512];
    const char *d = getenv("INSPRAAK_DATA");
    classify_t *cls = classify_new(d && *d ? d : "./data", err, sizeof err);
    if (!cls) {
        fprintf(stderr, "classify: cannot load data: %s\n", err);
        return 1;
    }
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        if (n > CLASSIFY_MAX_LINE) {
            s_error(lineno, "line longer than 1 MiB");
            continue;
        }
        json_error_t je;
        json_t *in = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(in)) {
            s_error(lineno, in ? "not a JSON object" : je.text);
            json_decref(in);
            continue;
        }
        s_one(cls, &st, in);
        char *out = json_dumps(in, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", out);
        free(out);
        json_decref(in);
    }
    free(line);
    cluster_mem_destroy(&st.store);
    classify_destroy(&cls);
    return 0;
}
