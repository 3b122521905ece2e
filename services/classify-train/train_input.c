/*
 * NAME
 *   train_input - reads classify-train's input files (JSON Lines of
 *   labelled ideas), in order, keeping which file each idea came from
 *
 * DESCRIPTION
 *   See train_input.h. The file an idea came from matters: one file is
 *   one writer, and services/classify-train/main.c does not learn word
 *   features that only one writer's file has.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_input.h"
#include "xalloc.h"

void train_input_read_file(train_input_t *in, FILE *fp, const char *name, double weight)
{
    char *line = NULL;
    size_t cap = 0, n = in->n;
    ssize_t len;
    long lineno = 0;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if (n == TRAIN_MAX_IDEAS) {
            fprintf(stderr, "classify-train: more than %d ideas; %s line %ld and later ignored\n",
                    TRAIN_MAX_IDEAS, name, lineno);
            break;
        }
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue;
        json_error_t je;
        json_t *o = len > TRAIN_MAX_LINE ? NULL : json_loadb(line, (size_t)len, 0, &je);
        if (!json_is_object(o)) {
            fprintf(stderr, "classify-train: %s line %ld skipped: %s\n", name, lineno,
                    len > TRAIN_MAX_LINE ? "longer than 1 MiB" : "not a JSON object");
            json_decref(o);
            continue;
        }
        in->rows = xrealloc(in->rows, (n + 1) * sizeof *in->rows);
        in->weights = xrealloc(in->weights, (n + 1) * sizeof *in->weights);
        in->weights[n] = weight;
        in->rows[n++] = o;
    }
    free(line);
    in->n = n;
    in->ends = xrealloc(in->ends, (in->n_files + 1) * sizeof *in->ends);
    in->ends[in->n_files++] = n;
}

/* Reads path with weight into in; 0, or -1 when it cannot be opened. */
static int s_read_path(const char *path, double weight, train_input_t *in)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        perror(path);
        return -1;
    }
    train_input_read_file(in, fp, path, weight);
    fclose(fp);
    return 0;
}

void train_input_free(train_input_t *in)
{
    for (size_t k = 0; k < in->n; k++)
        json_decref(in->rows[k]);
    free(in->rows);
    free(in->weights);
    free(in->ends);
}

int train_input_read(train_input_t *in, const char *const *wpath, const double *wval,
                     int n_weighted, char *const *paths, int n_paths)
{
    for (int a = 0; a < n_weighted; a++)
        if (s_read_path(wpath[a], wval[a], in) < 0)
            return -1;
    if (n_paths == 0 && n_weighted == 0)
        train_input_read_file(in, stdin, "stdin", 1.0);
    for (int a = 0; a < n_paths; a++)
        if (s_read_path(paths[a], 1.0, in) < 0)
            return -1;
    return 0;
}

