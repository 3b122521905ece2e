/*
 * NAME
 *   fuzz_classify_lines - libFuzzer harness for bin/classify's JSON Lines:
 *   one input is a whole standard input
 *
 * DESCRIPTION
 *   The input goes through jsonl_classify(), the tool's own loop, from a
 *   memory stream; the output is read back as a user reads it. The data
 *   files are the repository's data/ (INSPRAAK_DATA overrides); the
 *   cluster store is new for every input, as it is for every run.
 *   Promises checked (abort() when broken):
 *     - every line that is not blank (not only spaces, tabs, CR) gives
 *       exactly one output line, in order, and a blank line none;
 *     - every output line is one JSON object;
 *     - an error object is {"error": a non-empty text, "line": N}, N the
 *       number of the input line it answers (counting blank lines too);
 *     - any other object carries the labels: "themes" and "pii" arrays,
 *       a "cluster" text.
 *
 *   FUZZ_SOURCES: services/classify/jsonl.c
 *   FUZZ_SEEDS: tests/fuzz/corpus/fuzz_train_input
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "jsonl.h"

#define FUZZ_NAME "fuzz_classify_lines"
#include "fuzz_util.h" /* s_fail(); the geo data it loads is not used */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static classify_t *s_cls;

static void s_init(void)
{
    char err[256];
    const char *dir = getenv("INSPRAAK_DATA");
    if (!(s_cls = classify_new(dir && *dir ? dir : "data", err, sizeof err))) {
        fprintf(stderr, "fuzz_classify_lines: %s\n", err);
        exit(1);
    }
}

/* Whether the len bytes of line are all spaces, tabs, CR or LF. */
static int s_blank(const uint8_t *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n", line[i]) || !line[i])
            return 0;
    return 1;
}

/* Checks the output line that answers input line lineno. */
static void s_check_answer(const char *ans, size_t len, long lineno)
{
    json_error_t je;
    json_t *o = json_loadb(ans, len, 0, &je);
    if (!json_is_object(o))
        s_fail("an output line that is not a JSON object");
    json_t *err = json_object_get(o, "error");
    if (json_object_size(o) == 2 && json_is_string(err)) {
        if (!*json_string_value(err))
            s_fail("an error without a text");
        json_t *n = json_object_get(o, "line");
        if (!json_is_integer(n) || json_integer_value(n) != lineno)
            s_fail("an error that does not name its line");
    } else if (!json_is_array(json_object_get(o, "themes")) ||
               !json_is_array(json_object_get(o, "pii")) ||
               !json_is_string(json_object_get(o, "cluster"))) {
        s_fail("a classified line without its labels");
    }
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_cls)
        s_init();
    if (size == 0)
        return 0; /* fmemopen refuses a size of 0 */
    FILE *in = fmemopen((void *)data, size, "r");
    char *outbuf = NULL;
    size_t outlen = 0;
    FILE *out = open_memstream(&outbuf, &outlen);
    if (!in || !out)
        s_fail("no memory stream");
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    jsonl_classify(s_cls, &st, in, out, NULL);
    cluster_mem_destroy(&st.store);
    fclose(in);
    fclose(out);

    const char *ans = outbuf, *ans_end = outbuf + outlen;
    long lineno = 0;
    for (size_t at = 0; at < size;) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
        lineno++;
        if (!s_blank(data + at, len)) {
            const char *end = memchr(ans, '\n', (size_t)(ans_end - ans));
            if (!end)
                s_fail("an input line without an output line");
            s_check_answer(ans, (size_t)(end - ans), lineno);
            ans = end + 1;
        }
        at += len;
    }
    if (ans != ans_end)
        s_fail("more output lines than input lines");
    free(outbuf);
    return 0;
}
