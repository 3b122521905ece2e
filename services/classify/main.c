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
 *
 *   The lines themselves are read and written by jsonl.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "jsonl.h"

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
    jsonl_classify(cls, &st, stdin, stdout, stderr);
    cluster_mem_destroy(&st.store);
    classify_destroy(&cls);
    return 0;
}
