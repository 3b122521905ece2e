/*
 * NAME
 *   fuzz_transcript - libFuzzer harness for intake-transcript's WebVTT,
 *   SRT and plain-text parsers and the statements built from them
 *
 * DESCRIPTION
 *   The first byte picks the parser (0: WebVTT, 1: SRT, 2: plain text,
 *   the way ingest.c picks by file extension), which gets the raw rest
 *   (they make it UTF-8 themselves; transcript_utf8 is fed it too); every cue then goes through
 * webvtt_cue_voice, webvtt_cue_plain and transcript_prefix_speaker, and the cue list through
 * statements_build with an interviewer list. Promises checked (abort() when broken): a refusal has
 * a reason; cue times lie in 0..WEBVTT_MAX_MS. (An end before the start is allowed: the WebVTT
 *   parsing rules and vtt.js keep such cues.)
 *
 *   FUZZ_SOURCES: services/intake-transcript/webvtt.c
 *   FUZZ_SOURCES: services/intake-transcript/srt.c
 *   FUZZ_SOURCES: services/intake-transcript/plaintext.c
 *   FUZZ_SOURCES: services/intake-transcript/turns.c
 *   FUZZ_SEEDS: tests/data/vtt/tests
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_fail(const char *what)
{
    fprintf(stderr, "fuzz_transcript: %s\n", what);
    abort();
}

static void s_cues(const cue_list_t *cues)
{
    for (size_t i = 0; i < cues->n; i++) {
        const cue_t *c = &cues->items[i];
        if (c->has_times && (c->start_ms < 0 || c->end_ms < 0 || c->start_ms > WEBVTT_MAX_MS ||
                             c->end_ms > WEBVTT_MAX_MS))
            s_fail("cue with impossible times");
        free(webvtt_cue_voice(c->text));
        free(webvtt_cue_plain(c->text));
        const char *rest;
        free(transcript_prefix_speaker(c->text, &rest));
    }
    statement_list_t st;
    memset(&st, 0, sizeof st);
    statements_build(cues, "Interviewer, Gespreksleider", &st);
    statement_list_clear(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *raw = (const char *)data + 1;
    size_t len = size - 1, tlen;
    free(transcript_utf8(raw, len, &tlen));
    cue_list_t cues;
    cue_list_init(&cues);
    char err[256] = "";
    int rc;
    switch (data[0] % 3) {
    case 0:
        rc = webvtt_parse(raw, len, &cues, err, sizeof err);
        break;
    case 1:
        rc = srt_parse(raw, len, &cues, err, sizeof err);
        break;
    default:
        rc = plaintext_parse(raw, len, &cues, err, sizeof err);
        break;
    }
    if (rc < 0 && !err[0])
        s_fail("transcript refused without a reason");
    if (rc == 0)
        s_cues(&cues);
    cue_list_clear(&cues);
    return 0;
}
