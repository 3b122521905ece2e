/*
 * NAME
 *   train_input - classify-train's input: the labelled ideas of its
 *   files, in order, with each idea's weight and file
 *
 * OWNERSHIP
 *   The classifier (services/classify-train, docs/classifier.md).
 */
#ifndef INSPRAAK_TRAIN_INPUT_H
#define INSPRAAK_TRAIN_INPUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define TRAIN_MAX_IDEAS 100000
#define TRAIN_MAX_LINE (1024 * 1024)

/* The ideas of file i end before ends[i]: a file is one writer (the
 * training prunes words only one file has). */
typedef struct {
    json_t **rows;   /* owned: one JSON object an idea */
    double *weights; /* how much each idea counts (-W) */
    size_t n;
    size_t *ends;
    size_t n_files;
} train_input_t;

/* Reads the n_weighted files wpath (their ideas weighted wval), then the
 * n_paths files paths (weight 1); stdin when there are none of either.
 * Lines that are not JSON objects (or longer than TRAIN_MAX_LINE) are
 * skipped with a warning on stderr; reading stops after TRAIN_MAX_IDEAS
 * ideas. 0, or -1 when a file cannot be opened (in holds what was read:
 * free it either way). */
int train_input_read(train_input_t *in, const char *const *wpath, const double *wval,
                     int n_weighted, char *const *paths, int n_paths);
/* Appends the JSON objects of fp (named name in warnings), with weight,
 * to in and ends a file there, skipping and stopping as
 * train_input_read() does. */
void train_input_read_file(train_input_t *in, FILE *fp, const char *name, double weight);
/* Frees what in holds (not in itself). */
void train_input_free(train_input_t *in);

#endif
