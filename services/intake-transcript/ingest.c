/*
 * NAME
 *   ingest - one transcript file to spooled ideas (see ingest.h)
 */
#include "ingest.h"

#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "transcript.h"
#include "validate.h"
#include "xalloc.h"

#define S_MAX_VIDEO_ID 200
#define S_MAX_VIDEO_URL 2000
#define S_DEFAULT_ACTIVITY "camjo-video"

static void s_why(ingest_result_t *r, const char *code, const char *nl, const char *en)
{
    snprintf(r->code, sizeof r->code, "%s", code);
    /* cut to size on purpose: the precision tells the compiler so */
    snprintf(r->why_nl, sizeof r->why_nl, "%.*s", (int)sizeof r->why_nl - 1, nl);
    snprintf(r->why_en, sizeof r->why_en, "%.*s", (int)sizeof r->why_en - 1, en);
}

void ingest_meta_init(ingest_meta_t *m)
{
    memset(m, 0, sizeof *m);
}

void ingest_meta_clear(ingest_meta_t *m)
{
    free(m->video_id);
    free(m->wijk);
    free(m->recorded_at);
    free(m->activity);
    free(m->video_url);
    memset(m, 0, sizeof *m);
}

void ingest_meta_set(ingest_meta_t *m, const char *key, const char *value)
{
    char **f = strcmp(key, "video_id") == 0      ? &m->video_id
               : strcmp(key, "wijk") == 0        ? &m->wijk
               : strcmp(key, "recorded_at") == 0 ? &m->recorded_at
               : strcmp(key, "activity") == 0    ? &m->activity
               : strcmp(key, "video_url") == 0   ? &m->video_url
                                                 : NULL;
    if (!f || !value || !*value)
        return;
    free(*f);
    *f = xstrdup(value);
}

int ingest_meta_json(ingest_meta_t *m, const char *name, const char *buf, size_t len,
                     ingest_result_t *r)
{
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        char nl[sizeof r->why_nl], en[sizeof r->why_en];
        snprintf(nl, sizeof nl, "Het bestand %.200s is geen geldig JSON-object.", name);
        snprintf(en, sizeof en, "the sidecar %.200s is not a JSON object", name);
        s_why(r, "invalid_sidecar", nl, en);
        return -1;
    }
    /* Only the fields of the upload's query. Any other field ("Wijk",
     * "plaats", "naam") was ignored silently and the ideas were stored
     * without the wijk the team meant to give: refused, naming it. */
    static const char *const known[] = {"video_id", "wijk",      "recorded_at",
                                        "activity", "video_url", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (!value_allowed(key, known) || !(json_is_string(v) || json_is_null(v))) {
            char nl[512], en[512], shown[61]; /* s_why() cuts them to size */
            snprintf(shown, sizeof shown, "%s", key);
            for (char *c = shown; *c; c++) /* the .why is one line each */
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                    *c = '?';
            snprintf(nl, sizeof nl,
                     "Het bestand %.80s heeft een veld dat we niet kennen of dat geen tekst is: "
                     "\"%.60s\". Gebruik alleen video_id, wijk, recorded_at, activity en "
                     "video_url, met tekst als waarde.",
                     name, shown);
            snprintf(en, sizeof en,
                     "the sidecar %.200s has an unknown or non-string field \"%.60s\"", name,
                     shown);
            s_why(r, "invalid_sidecar", nl, en);
            json_decref(root);
            return -1;
        }
        if (json_is_string(v))
            ingest_meta_set(m, key, json_string_value(v));
    }
    json_decref(root);
    return 0;
}

ingest_format_t ingest_format_from_name(const char *s)
{
    if (!s)
        return INGEST_AUTO;
    const char *dot = strrchr(s, '.');
    if (strcasecmp(s, "text/vtt") == 0 || (dot && strcasecmp(dot, ".vtt") == 0))
        return INGEST_VTT;
    if (strcasecmp(s, "application/x-subrip") == 0 || strcasecmp(s, "text/srt") == 0 ||
        (dot && strcasecmp(dot, ".srt") == 0))
        return INGEST_SRT;
    if (strcasecmp(s, "text/plain") == 0 || (dot && strcasecmp(dot, ".txt") == 0))
        return INGEST_TEXT;
    return INGEST_AUTO;
}

static ingest_format_t s_sniff(const char *buf, size_t len)
{
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        buf += 3, len -= 3;
    if (len >= 6 && memcmp(buf, "WEBVTT", 6) == 0)
        return INGEST_VTT;
    return g_strstr_len(buf, (gssize)len, "-->") ? INGEST_SRT : INGEST_TEXT;
}

/* recorded_at: an RFC 3339 date-time, or a bare date "YYYY-MM-DD" (staff
 * often know only the day), read as midnight in Europe/Amsterdam, the
 * local time of the recordings (clock_local_day). Sets *ms; -1 when it is
 * neither (or a day that does not exist, 2026-02-30). */
static int s_recorded_at(const char *s, int64_t *ms)
{
    int y, mo, d, n = 0;
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10 &&
        s[4] == '-' && s[7] == '-' && strspn(s, "0123456789-") == 10) {
        int64_t last;
        return clock_local_day(y, mo, d, ms, &last);
    }
    GDateTime *dt = g_date_time_new_from_iso8601(s, NULL);
    if (!dt)
        return -1;
    *ms = g_date_time_to_unix(dt) * 1000 + g_date_time_get_microsecond(dt) / 1000;
    g_date_time_unref(dt);
    return 0;
}

/* Checks the metadata; fills wijk (a CBS code or NULL), received_at. */
static int s_check_meta(ingest_t *ing, const ingest_meta_t *m, const char **wijk,
                        int64_t *received_at, ingest_result_t *r)
{
    *wijk = NULL;
    if (m->wijk) {
        *wijk = ing->geo ? geo_wijk_lookup(ing->geo, m->wijk) : NULL;
        /* No geo data loaded: a well-formed code still counts. With geo
         * data, a code it does not know is a typo (WK091799), refused like
         * an unknown name, as the form and the field app do. */
        if (!*wijk && !ing->geo && strlen(m->wijk) == 8 && strncmp(m->wijk, "WK0917", 6) == 0 &&
            g_ascii_isdigit(m->wijk[6]) && g_ascii_isdigit(m->wijk[7]))
            *wijk = m->wijk;
        if (!*wijk) {
            s_why(r, "unknown_wijk",
                  "Deze wijk kennen we niet. Geef een wijknaam of CBS-code (WK0917..).",
                  "unknown wijk");
            return -1;
        }
    }
    if (m->activity && !value_allowed(m->activity, VALID_ACTIVITIES)) {
        s_why(r, "invalid_activity", "Deze activiteit kennen we niet.", "unknown activity");
        return -1;
    }
    if (m->video_id &&
        (strlen(m->video_id) > S_MAX_VIDEO_ID || !utf8_valid(m->video_id, strlen(m->video_id)))) {
        s_why(r, "invalid_video_id", "De video-id is te lang of onleesbaar (hoogstens 200 tekens).",
              "video_id too long or not UTF-8");
        return -1;
    }
    if (m->video_url && (strlen(m->video_url) > S_MAX_VIDEO_URL ||
                         !utf8_valid(m->video_url, strlen(m->video_url)))) {
        s_why(r, "invalid_video_url",
              "De video-link is te lang of onleesbaar (hoogstens 2000 tekens).",
              "video_url too long or not UTF-8");
        return -1;
    }
    *received_at = clock_wall_ms();
    if (m->recorded_at) {
        if (s_recorded_at(m->recorded_at, received_at) < 0) {
            s_why(r, "invalid_recorded_at",
                  "De opnamedatum is geen geldige datum (zoals 2026-05-01 of "
                  "2026-05-01T14:30:00+02:00).",
                  "recorded_at is not an RFC 3339 date-time or a YYYY-MM-DD date");
            return -1;
        }
    }
    return 0;
}

/* WebVTT is UTF-8 by its specification, and webvtt.c decodes it the way a
 * browser does (a bad byte becomes U+FFFD). But Windows tools save WebVTT
 * in Windows-1252 just as they save SRT, and "caf\uFFFD" in an idea helps
 * nobody: a file that is not valid UTF-8 goes through the charset step SRT
 * and text already use (transcript_utf8()). A file over the size limit is
 * left as it is, for the parser to refuse; the limit is on the file as
 * given, so the converted text (up to 3 bytes a byte) has its own. */
static int s_webvtt_parse(const char *buf, size_t len, cue_list_t *cues, char *err, size_t errlen)
{
    if (len > WEBVTT_MAX_BYTES || utf8_valid(buf, len))
        return webvtt_parse(buf, len, cues, err, errlen);
    size_t ulen;
    char *utf8 = transcript_utf8(buf, len, &ulen);
    int rc = webvtt_parse_converted(utf8, ulen, cues, err, errlen); /* grew up to 3x */
    free(utf8);
    return rc;
}

static int s_parse(const char *buf, size_t len, ingest_format_t fmt, cue_list_t *cues,
                   ingest_result_t *r)
{
    char err[200];
    if (transcript_text_check(buf, len, err, sizeof err) < 0) {
        s_why(r, "unreadable",
              "Dit is geen tekstbestand. Stuur een ondertitelbestand (WebVTT of SRT) of "
              "platte tekst, opgeslagen als UTF-8.",
              err);
        return -1;
    }
    if (fmt == INGEST_AUTO)
        fmt = s_sniff(buf, len);
    int rc = fmt == INGEST_VTT   ? s_webvtt_parse(buf, len, cues, err, sizeof err)
             : fmt == INGEST_SRT ? srt_parse(buf, len, cues, err, sizeof err)
                                 : plaintext_parse(buf, len, cues, err, sizeof err);
    if (rc < 0) {
        char nl[300];
        snprintf(nl, sizeof nl, "We kunnen dit bestand niet lezen als %s. (%s)",
                 fmt == INGEST_VTT   ? "WebVTT-ondertiteling"
                 : fmt == INGEST_SRT ? "SRT-ondertiteling"
                                     : "tekst met 'Naam: tekst'-regels",
                 err);
        s_why(r, "unreadable", nl, err);
    }
    return rc;
}

static idea_t *s_idea(const char *id, const statement_t *s, const ingest_meta_t *m,
                      const char *video_id, const char *wijk, int64_t received_at)
{
    idea_t *idea = xmalloc(sizeof *idea);
    idea_init(idea);
    proto_set(&idea->id, id);
    proto_set(&idea->channel, "transcript");
    proto_set(&idea->activity, m->activity ? m->activity : S_DEFAULT_ACTIVITY);
    idea->received_at = received_at;
    proto_set(&idea->text, s->text);
    proto_set(&idea->wijk, wijk);
    proto_set(&idea->source.video_id, video_id);
    proto_set(&idea->source.context, s->context);
    /* Stored as given; the dashboard links to it only when it is http(s). */
    proto_set(&idea->source.video_url, m->video_url);
    idea->source.has_times = s->has_times;
    idea->source.start = s->start_ms / 1000.0;
    idea->source.end = s->end_ms / 1000.0;
    return idea;
}

/* An idea holds at most TEXT_MAX_CHARS characters (validate.h), as on the
 * form and in the field app; statements_build() cuts a long speaker at
 * cue boundaries, so only a single cue (or text turn) can still be longer.
 * That refuses the whole file before anything is spooled: a statement
 * past PROTO_MAX_STRING could not even be encoded, and its file was tried
 * again for ever while the statements before it were stored. The
 * interviewer's question is only context: cut to the same length. */
static int s_check_lengths(statement_list_t *st, ingest_result_t *r)
{
    for (size_t i = 0; i < st->n; i++) {
        statement_t *s = &st->items[i];
        if (s->context && utf8_chars(s->context, strlen(s->context)) > TEXT_MAX_CHARS)
            *g_utf8_offset_to_pointer(s->context, TEXT_MAX_CHARS) = '\0';
        if (utf8_chars(s->text, strlen(s->text)) <= TEXT_MAX_CHARS)
            continue;
        char what[128]; /* the cue's start, or a text turn's first words */
        if (s->has_times) {
            long long sec = (long long)(s->start_ms / 1000);
            snprintf(what, sizeof what, "op %02lld:%02lld:%02lld", sec / 3600, sec / 60 % 60,
                     sec % 60);
        } else {
            char words[100];
            g_utf8_strncpy(words, s->text, 24);
            snprintf(what, sizeof what, "\"%s...\"", words);
        }
        char nl[sizeof r->why_nl], en[sizeof r->why_en];
        snprintf(nl, sizeof nl,
                 "De beurt %s heeft meer dan 10.000 tekens, meer dan een idee mag hebben. Deel "
                 "die op in kortere stukken en stuur het bestand opnieuw. Er is niets opgeslagen.",
                 what);
        snprintf(en, sizeof en, "the turn %s%s is longer than %d characters",
                 s->has_times ? "at " : "", s->has_times ? what + 3 : what, TEXT_MAX_CHARS);
        s_why(r, "text_too_long", nl, en);
        return -1;
    }
    return 0;
}

/* The key an idea's id is derived from: the video and the statement's
 * times (or its place, for a text). Statements with the same times (the
 * parts of a long turn whose cues share their times, as a tool that
 * splits one segment writes them) get "/2", "/3", ... in file order, so
 * each is an idea of its own and a file read again gives the same ids. */
/* The key an idea's id is derived from: the video id, the statement's
 * place in the video (cue times, or the turn's number in a text) and a
 * fingerprint of its words (the first 8 bytes of its BLAKE2b, hex). So
 * the same file again adds nothing, while another interview under the
 * same video id (a drop-folder file named "interview.vtt" every week,
 * whose video id is its name) keeps its own statements at the same times
 * instead of taking last week's ids and being dropped as repeats. A
 * corrected statement is a new idea beside the old one (staff hide one),
 * never a silent loss. */
static void s_key(const statement_t *s, size_t i, const char *video_id, GHashTable *seen, char *key,
                  size_t size)
{
    unsigned char h[8];
    char words[sizeof h * 2 + 1];
    const char *text = s->text ? s->text : "";
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), NULL, 0);
    sodium_bin2hex(words, sizeof words, h, sizeof h);
    if (!s->has_times) {
        snprintf(key, size, "%s/turn-%zu/%s", video_id, i + 1, words);
        return;
    }
    snprintf(key, size, "%s/%lld-%lld/%s", video_id, (long long)s->start_ms, (long long)s->end_ms,
             words);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(seen, key)) + 1;
    g_hash_table_replace(seen, g_strdup(key), GUINT_TO_POINTER(n));
    if (n > 1) {
        size_t used = strlen(key);
        snprintf(key + used, size - used, "/%u", n);
    }
}

/* Spools every statement; INGEST_OK when all are durable. */
static ingest_rc_t s_submit_all(ingest_t *ing, const statement_list_t *st, const ingest_meta_t *m,
                                const char *wijk, int64_t received_at, ingest_result_t *r)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    ingest_rc_t ret = INGEST_OK;
    for (size_t i = 0; i < st->n; i++) {
        const statement_t *s = &st->items[i];
        char key[300], id[PROTO_ID_SIZE], err[256], q[300];
        s_key(s, i, r->video_id, seen, key, sizeof key);
        proto_derive_id("transcript", key, id);
        envelope_t env;
        envelope_init(&env);
        env.version = PROTO_VERSION;
        env.type = ENV_IDEA;
        proto_set(&env.id, id);
        env.idea = s_idea(id, s, m, r->video_id, wijk, received_at);
        int rc = ing->intake ? intake_submit(ing->intake, &env, err, sizeof err) : 0;
        envelope_clear(&env);
        if (rc < 0) {
            log_error("msg=\"cannot spool idea\" id=%s err=%s", id, log_quote(q, sizeof q, err));
            s_why(r, "unavailable",
                  "Het lukt nu niet om de ideeën op te slaan. Probeer het later opnieuw.",
                  "the spool does not accept ideas now");
            ret = INGEST_UNAVAILABLE;
            break;
        }
        json_t *one = json_pack("{s:s}", "id", id);
        json_object_set_new(one, "start",
                            s->has_times ? json_real(s->start_ms / 1000.0) : json_null());
        json_object_set_new(one, "end", s->has_times ? json_real(s->end_ms / 1000.0) : json_null());
        json_array_append_new(r->ideas, one);
    }
    g_hash_table_destroy(seen);
    return ret;
}

ingest_rc_t ingest_file(ingest_t *ing, const char *buf, size_t len, ingest_format_t fmt,
                        const ingest_meta_t *m, ingest_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->ideas = json_array();
    const char *wijk;
    int64_t received_at;
    if (s_check_meta(ing, m, &wijk, &received_at, r) < 0)
        return INGEST_BAD;
    if (m->video_id) {
        snprintf(r->video_id, sizeof r->video_id, "%s", m->video_id);
    } else { /* no id given: the file's own hash, so a repeat is still a repeat */
        unsigned char h[8];
        char hex[17];
        crypto_generichash(h, sizeof h, (const unsigned char *)buf, len, NULL, 0);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        snprintf(r->video_id, sizeof r->video_id, "upload-%s", hex);
    }
    cue_list_t cues;
    if (s_parse(buf, len, fmt, &cues, r) < 0)
        return INGEST_BAD;
    statement_list_t st;
    statements_build(&cues, ing->interviewers, &st);
    cue_list_clear(&cues);
    r->skipped_interviewer = st.skipped_interviewer;
    ingest_rc_t rc =
        s_check_lengths(&st, r) < 0 ? INGEST_BAD : s_submit_all(ing, &st, m, wijk, received_at, r);
    statement_list_clear(&st);
    return rc;
}

void ingest_result_clear(ingest_result_t *r)
{
    json_decref(r->ideas);
    r->ideas = NULL;
}
