/*
 * NAME
 *   fuzz_ingest - libFuzzer harness for one transcript upload with its
 *   sidecar JSON, through intake-transcript's ingest_file()
 *
 * DESCRIPTION
 *   The first byte chooses the options (bits 0-1: the format given, auto,
 *   WebVTT, SRT or text; bit 2: no geo data; bit 3: an interviewer list
 *   "Interviewer,Anna"); the rest is a sidecar JSON object, a NUL byte and
 *   the transcript file (no NUL: no sidecar, all of it is the file). The
 *   sidecar is read with ingest_meta_json(), then ingest_file() runs with
 *   no intake, as the upload's re-send check does: it parses, checks the
 *   metadata (wijk, activity, video id and link, recorded_at dates), builds
 *   the statements and lists the ids it would spool. Promises checked
 *   (abort() when broken):
 *     - a refused sidecar has the code invalid_sidecar and a Dutch message;
 *     - a refused file has a code and a Dutch message, never
 *       INGEST_UNAVAILABLE (nothing is spooled);
 *     - an accepted file lists its ideas with distinct ids, each with start
 *       <= end when it has times;
 *     - the same bytes again give the same ids (a re-sent file adds
 *       nothing).
 *
 *   FUZZ_SOURCES: services/intake-transcript/ingest.c services/intake-transcript/webvtt.c
 *   FUZZ_SOURCES: services/intake-transcript/srt.c services/intake-transcript/plaintext.c
 *   FUZZ_SOURCES: services/intake-transcript/turns.c
 *   FUZZ_SEEDS: tests/data/vtt/tests/file-layout
 */
#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"

#define FUZZ_NAME "fuzz_ingest"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The ids of one run, "id id ..." (NULL when refused). */
static char *s_run(uint8_t opt, const char *side, size_t side_len, const char *file,
                   size_t file_len)
{
    ingest_meta_t m;
    ingest_meta_init(&m);
    ingest_result_t r;
    memset(&r, 0, sizeof r);
    if (side && ingest_meta_json(&m, "fuzz.json", side, side_len, &r) < 0) {
        if (strcmp(r.code, "invalid_sidecar") != 0 || !r.why_nl[0])
            s_fail("a refused sidecar without its code or message");
        ingest_result_clear(&r);
        ingest_meta_clear(&m);
        return NULL;
    }
    ingest_result_clear(&r);
    static const ingest_format_t fmts[] = {INGEST_AUTO, INGEST_VTT, INGEST_SRT, INGEST_TEXT};
    ingest_t ing = {.intake = NULL,
                    .geo = (opt & 4) ? NULL : s_geo,
                    .interviewers = (opt & 8) ? "Interviewer,Anna" : NULL};
    ingest_rc_t rc = ingest_file(&ing, file, file_len, fmts[opt & 3], &m, &r);
    ingest_meta_clear(&m);
    char *ids = NULL;
    if (rc == INGEST_UNAVAILABLE)
        s_fail("INGEST_UNAVAILABLE without an intake");
    if (rc == INGEST_BAD) {
        if (!r.code[0] || !r.why_nl[0])
            s_fail("a refused file without a code or message");
    } else {
        size_t n = json_array_size(r.ideas), len = 0;
        ids = calloc(1, n * 64 + 1);
        GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
        for (size_t i = 0; i < n; i++) {
            json_t *one = json_array_get(r.ideas, i);
            const char *id = json_string_value(json_object_get(one, "id"));
            json_t *st = json_object_get(one, "start"), *en = json_object_get(one, "end");
            if (!id || strlen(id) > 60)
                s_fail("an idea without an id");
            if (json_is_number(st) && json_number_value(st) > json_number_value(en))
                s_fail("an idea that ends before it starts");
            if (!g_hash_table_add(seen, (gpointer)id))
                s_fail("two ideas of one file with the same id");
            len += (size_t)sprintf(ids + len, "%s ", id);
        }
        g_hash_table_destroy(seen);
    }
    ingest_result_clear(&r);
    return ids;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    const char *rest = (const char *)data + 1;
    size_t len = size - 1;
    const char *nul = memchr(rest, '\0', len);
    const char *side = nul ? rest : NULL, *file = nul ? nul + 1 : rest;
    size_t side_len = nul ? (size_t)(nul - rest) : 0, file_len = len - (size_t)(file - rest);
    char *a = s_run(opt, side, side_len, file, file_len);
    char *b = a ? s_run(opt, side, side_len, file, file_len) : NULL;
    if (a && (!b || strcmp(a, b) != 0))
        s_fail("the same file read twice gives other ids");
    free(a);
    free(b);
    return 0;
}
