/*
 * NAME
 *   jsonl - bin/classify's JSON Lines: one idea object read, classified
 *   and written back a line
 *
 * OWNERSHIP
 *   The classifier (services/classify, docs/classifier.md).
 */
#ifndef INSPRAAK_CLASSIFY_JSONL_H
#define INSPRAAK_CLASSIFY_JSONL_H

#include <stdio.h>

#include "classify.h"

#define JSONL_MAX_LINE (1024 * 1024)

/* Reads in to its end, one JSON object a line, and writes to out one
 * line for every line that is not blank: the object with the labels of
 * classify_idea() and classify_idea_cluster() (against st) added, or
 * {"error": "...", "line": N} for a line that is not a JSON object or
 * is longer than JSONL_MAX_LINE bytes (N counts every line from 1). Each
 * error is also written to warn, unless warn is NULL. */
void jsonl_classify(classify_t *cls, const cluster_store_t *st, FILE *in, FILE *out, FILE *warn);

#endif
