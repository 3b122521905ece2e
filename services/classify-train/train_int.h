/*
 * NAME
 *   train_int - what main.c and train_model.c of classify-train share
 *   (private to classify-train)
 *
 * DESCRIPTION
 *   The options of the command line (main.c reads them) and the
 *   training that uses them (train_model.c).
 */
#ifndef INSPRAAK_TRAIN_INT_H
#define INSPRAAK_TRAIN_INT_H

#include "classify.h"
#include "train_input.h"

#define TRAIN_MAX_WEIGHTED 16

typedef struct {
    const char *outpath;
    const char *probe; /* -P: the model whose probabilities to print */
    double l2[3];      /* per head (TRAIN_HEAD, train_model.c) unless given */
    double iters[3];   /* per head (TRAIN_HEAD, train_model.c) unless given */
    long min_writers;  /* TRAIN_MIN_WRITERS with TRAIN_PRUNE_FILES files or more */
    const char *wpath[TRAIN_MAX_WEIGHTED];
    double wval[TRAIN_MAX_WEIGHTED];
    int n_weighted;
} opts_t;

/* train_model.c */

/* Trains the three heads on in and writes the model to o->outpath. 0 or 1. */
int train_model(classify_t *cls, const opts_t *o, const train_input_t *in);

#endif
