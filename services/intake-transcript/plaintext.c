/*
 * NAME
 *   plaintext - plain-text interview turns "Naam: tekst" (transcript.h)
 *
 * DESCRIPTION
 *   Hand-written (a line format of our own). Each "Naam: tekst" line
 *   starts a turn; lines without a name prefix continue the current turn;
 *   a blank line ends it. The cues keep the "Naam:" prefix so that
 *   statements_build() finds the speaker the same way as in subtitles.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transcript.h"
#include "xalloc.h"

static int s_end_turn(GString *turn, cue_list_t *out, char *err, size_t errlen)
{
    if (!turn->len)
        return 0;
    char *t = xstrdup(turn->str);
    g_string_truncate(turn, 0);
    if (cue_list_push(out, NULL, false, 0, 0, t, WEBVTT_MAX_CUES) < 0) {
        snprintf(err, errlen, "more than %d turns", WEBVTT_MAX_CUES);
        return -1;
    }
    return 0;
}

static int s_text_line(const char *line, size_t n, GString *turn, cue_list_t *out, char *err,
                       size_t errlen)
{
    if (n > WEBVTT_MAX_LINE) {
        snprintf(err, errlen, "a line is longer than %u bytes", WEBVTT_MAX_LINE);
        return -1;
    }
    char *copy = xstrndup(line, n);
    char *s = g_strstrip(copy);
    int rc = 0;
    if (!*s) {
        rc = s_end_turn(turn, out, err, errlen);
    } else {
        const char *rest;
        char *who = transcript_prefix_speaker(s, &rest);
        if (who)
            rc = s_end_turn(turn, out, err, errlen);
        free(who);
        if (turn->len)
            g_string_append_c(turn, ' ');
        g_string_append(turn, s);
    }
    free(copy);
    return rc;
}

int plaintext_parse(const char *buf, size_t len, cue_list_t *out, char *err, size_t errlen)
{
    cue_list_init(out);
    if (len > WEBVTT_MAX_BYTES) {
        snprintf(err, errlen, "the file is larger than %u bytes", WEBVTT_MAX_BYTES);
        return -1;
    }
    size_t tlen;
    char *text = transcript_utf8(buf, len, &tlen);
    GString *turn = g_string_new("");
    int rc = 0;
    for (size_t pos = 0; pos < tlen && rc == 0;) {
        size_t e = pos;
        while (e < tlen && text[e] != '\r' && text[e] != '\n')
            e++;
        rc = s_text_line(text + pos, e - pos, turn, out, err, errlen);
        if (e < tlen && text[e] == '\r')
            e++;
        if (e < tlen && text[e] == '\n')
            e++;
        pos = e;
    }
    if (rc == 0)
        rc = s_end_turn(turn, out, err, errlen);
    g_string_free(turn, TRUE);
    free(text);
    if (rc == 0 && out->n == 0) {
        snprintf(err, errlen, "the file holds no text");
        rc = -1;
    }
    if (rc < 0)
        cue_list_clear(out);
    return rc;
}
