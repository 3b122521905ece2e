/*
 * NAME
 *   fuzz_train_input - libFuzzer harness for classify-train's reading of
 *   a JSON Lines file of labelled ideas
 *
 * DESCRIPTION
 *   One input is one file, read by train_input_read_file() from a memory
 *   stream with weight 2. Its warnings (one a skipped line) go to
 *   /dev/null while it reads, so the log stays readable; a crash inside
 *   is still kept as an input by libFuzzer (run the target on it to see
 *   the report). Promises checked (abort() when broken):
 *     - every line jansson reads as a JSON object is one idea, in order
 *       (no idea lost, none made up), with the file's weight;
 *     - the file ends after its last idea;
 *     - the same bytes read again give the same ideas.
 *
 *   FUZZ_SOURCES: services/classify-train/train_input.c
 *   FUZZ_SEEDS: tests/fuzz/corpus/fuzz_classify_lines
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train_input.h"

#define FUZZ_NAME "fuzz_train_input"
#include "fuzz_util.h" /* s_fail(); the geo data it loads is not used */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads data as one file into in, with stderr silenced meanwhile. */
static void s_read(const uint8_t *data, size_t size, train_input_t *in)
{
    FILE *fp = fmemopen((void *)data, size, "r");
    if (!fp)
        s_fail("no memory stream");
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0 || dup2(null, 2) < 0)
        s_fail("cannot silence stderr");
    train_input_read_file(in, fp, "fuzz", 2.0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(null);
    fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0; /* fmemopen refuses a size of 0 */
    train_input_t in = {0}, again = {0};
    s_read(data, size, &in);
    size_t k = 0;
    for (size_t at = 0; at < size;) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
        json_error_t je;
        json_t *o = json_loadb((const char *)data + at, len, 0, &je);
        if (json_is_object(o)) {
            if (k >= in.n || !json_equal(o, in.rows[k]) || in.weights[k] != 2.0)
                s_fail("an idea lost, changed or without its weight");
            k++;
        }
        json_decref(o);
        at += len;
    }
    if (k != in.n)
        s_fail("an idea that was not in the file");
    if (in.n_files != 1 || in.ends[0] != in.n)
        s_fail("the file does not end after its last idea");
    s_read(data, size, &again);
    if (again.n != in.n)
        s_fail("the same bytes read differently");
    for (size_t i = 0; i < in.n; i++)
        if (!json_equal(in.rows[i], again.rows[i]))
            s_fail("the same line gave another idea");
    train_input_free(&in);
    train_input_free(&again);
    return 0;
}
