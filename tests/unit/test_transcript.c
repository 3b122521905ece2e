/*
 * NAME
 *   test_transcript - SRT, plain-text turns, speakers and statements
 *
 * DESCRIPTION
 *   The pure parts of services/intake-transcript/, included as source.
 *   What staff would check: one statement per resident turn with the right
 *   start and end, no interviewer text and no speaker names in statements,
 *   the question as context (for every answer to it), Windows-1252 subtitles read correctly, binary
 *   junk refused as not text, control characters out of statements, a
 *   wijk the geo data does not know refused (also one shaped like a code),
 *   a turn longer than an idea may be cut at a cue boundary (a single
 *   longer cue refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/intake-transcript/ingest.c"
#include "../../services/intake-transcript/plaintext.c"
#include "../../services/intake-transcript/srt.c"
#include "../../services/intake-transcript/turns.c"
#include "../../services/intake-transcript/webvtt.c"

#define IV "Interviewer,camjo"

static void test_srt_basic(void **state)
{
    (void)state;
    /* CRLF, Windows-1252 (0xEB = e-diaeresis), a missing index, a blank
     * line inside a cue's text, '.' as separator, 3-digit hours */
    const char *srt = "1\r\n00:00:01,000 --> 00:00:02,500\r\nJos: Idee\xEBn voor\r\n\r\nhet "
                      "park\r\n\r\n\r\n00:00:03,000 --> 00:00:04,000 X1:10\r\nMeer bomen\r\n\r\n"
                      "3\r\n100:00:05.5 --> 100:00:06.000\r\n<i>Einde</i>\r\n";
    cue_list_t cues;
    char err[200];
    assert_int_equal(srt_parse(srt, strlen(srt), &cues, err, sizeof err), 0);
    assert_int_equal(cues.n, 3);
    assert_string_equal(cues.items[0].id, "1");
    assert_int_equal(cues.items[0].start_ms, 1000);
    assert_int_equal(cues.items[0].end_ms, 2500);
    assert_string_equal(cues.items[0].text, "Jos: Idee\xC3\xABn voor\n\nhet park");
    assert_string_equal(cues.items[1].id, "");
    assert_string_equal(cues.items[1].text, "Meer bomen");
    assert_int_equal(cues.items[2].start_ms, 100LL * 3600000 + 5500);
    cue_list_clear(&cues);

    assert_int_equal(srt_parse("geen ondertitels\n", 17, &cues, err, sizeof err), -1);
    const char *bad = "1\n00:99:00,000 --> 00:00:01,000\nx\n";
    assert_int_equal(srt_parse(bad, strlen(bad), &cues, err, sizeof err), -1);
}

static void test_plaintext(void **state)
{
    (void)state;
    const char *txt = "Interviewer: Wat wilt u in Heerlen?\nAnna: Een speeltuin\nbij de school.\n"
                      "\nAnna: En bankjes.\nPiet: Minder auto's!\n";
    cue_list_t cues;
    char err[200];
    assert_int_equal(plaintext_parse(txt, strlen(txt), &cues, err, sizeof err), 0);
    assert_int_equal(cues.n, 4);
    assert_false(cues.items[0].has_times);
    assert_string_equal(cues.items[1].text, "Anna: Een speeltuin bij de school.");
    statement_list_t st;
    statements_build(&cues, IV, &st);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.skipped_interviewer, 1);
    assert_string_equal(st.items[0].text, "Een speeltuin bij de school. En bankjes.");
    assert_string_equal(st.items[0].context, "Wat wilt u in Heerlen?");
    assert_false(st.items[0].has_times);
    assert_string_equal(st.items[1].text, "Minder auto's!");
    assert_string_equal(st.items[1].context, "Wat wilt u in Heerlen?"); /* the same question */
    statement_list_clear(&st);
    cue_list_clear(&cues);
    assert_int_equal(plaintext_parse("\n \n", 3, &cues, err, sizeof err), -1);
}

static void test_vtt_statements(void **state)
{
    (void)state;
    const char *vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v CAMJO>Wat mist u hier?</v>\n\n"
                      "00:00:03.000 --> 00:00:05.000\n<v Mevr. Jansen>Groen.\n\n"
                      "00:00:05.000 --> 00:00:08.000\nEn een bankje.\n\n"
                      "00:00:08.000 --> 00:00:09.000\n<v Camjo>En u?\n\n"
                      "00:00:09.000 --> 00:00:12.000\nKEES: Parkeerplaatsen &amp; licht.\n";
    cue_list_t cues;
    char err[200];
    assert_int_equal(webvtt_parse(vtt, strlen(vtt), &cues, err, sizeof err), 0);
    statement_list_t st;
    statements_build(&cues, IV, &st);
    assert_int_equal(st.n, 2);
    assert_int_equal(st.skipped_interviewer, 2);
    assert_int_equal(st.items[0].start_ms, 3000);
    assert_int_equal(st.items[0].end_ms, 8000);
    assert_string_equal(st.items[0].text, "Groen. En een bankje.");
    assert_string_equal(st.items[0].context, "Wat mist u hier?");
    assert_int_equal(st.items[1].start_ms, 9000);
    assert_int_equal(st.items[1].end_ms, 12000);
    assert_string_equal(st.items[1].text, "Parkeerplaatsen & licht.");
    assert_string_equal(st.items[1].context, "En u?");
    for (size_t i = 0; i < st.n; i++) {
        assert_null(strstr(st.items[i].text, "Jansen"));
        assert_null(strstr(st.items[i].text, "KEES"));
    }
    statement_list_clear(&st);
    cue_list_clear(&cues);

    /* no speakers at all: every cue is a statement of its own */
    const char *anon = "WEBVTT\n\n00:01.000 --> 00:02.000\nEen\n\n00:02.000 --> 00:03.000\nTwee\n";
    assert_int_equal(webvtt_parse(anon, strlen(anon), &cues, err, sizeof err), 0);
    statements_build(&cues, IV, &st);
    assert_int_equal(st.n, 2);
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

/* Parses the WebVTT text vtt (it must parse) and builds its statements. */
static void s_vtt_statements(const char *vtt, cue_list_t *cues, statement_list_t *st)
{
    char err[200];
    assert_int_equal(webvtt_parse(vtt, strlen(vtt), cues, err, sizeof err), 0);
    statements_build(cues, IV, st);
}

/* One question, several residents answering in turn: staff reading any
 * of the answers sees the question it answers, not only the first. */
static void test_question_for_every_answer(void **state)
{
    (void)state;
    const char *vtt = "WEBVTT\n\n00:01.000 --> 00:03.000\n<v Interviewer>Wat mist u in de wijk?\n\n"
                      "00:03.000 --> 00:05.000\n<v Anna>Een speeltuin.\n\n"
                      "00:05.000 --> 00:07.000\n<v Henk>Een bakker.\n\n"
                      "00:07.000 --> 00:09.000\n<v Els>Meer bankjes.\n\n"
                      "00:09.000 --> 00:10.000\n<v camjo>En de bus?\n\n"
                      "00:10.000 --> 00:12.000\n<v Henk>Die rijdt te weinig.\n";
    cue_list_t cues;
    statement_list_t st;
    s_vtt_statements(vtt, &cues, &st);
    assert_int_equal(st.n, 4);
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(st.items[i].context);
        assert_string_equal(st.items[i].context, "Wat mist u in de wijk?");
    }
    assert_string_equal(st.items[3].text, "Die rijdt te weinig.");
    assert_string_equal(st.items[3].context, "En de bus?");
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

/* Cues out of time order (a subtitle tool that appends a corrected cue at
 * the end): statements follow the video, each sentence at its moment. */
static void test_cues_out_of_order(void **state)
{
    (void)state;
    const char *vtt = "WEBVTT\n\n00:10.000 --> 00:12.000\n<v Anna>Daarna dit.\n\n"
                      "00:01.000 --> 00:03.000\n<v Anna>Eerst dit.\n\n"
                      "00:20.000 --> 00:22.000\n<v Henk>Iets anders.\n\n"
                      "00:15.000 --> 00:18.000\n<v Interviewer>En u, meneer?\n";
    cue_list_t cues;
    statement_list_t st;
    s_vtt_statements(vtt, &cues, &st);
    assert_int_equal(st.n, 2);
    assert_string_equal(st.items[0].text, "Eerst dit. Daarna dit.");
    assert_int_equal(st.items[0].start_ms, 1000);
    assert_int_equal(st.items[0].end_ms, 12000);
    assert_string_equal(st.items[1].text, "Iets anders.");
    assert_non_null(st.items[1].context);
    assert_string_equal(st.items[1].context, "En u, meneer?");
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

/* A subtitle file with a typo in a time ("15:00:04,500 --> 00:00:09,000",
 * the hour of the start mistyped) made an idea that ends before it
 * starts: the dashboard showed 15:00:04 to 00:00:09 and the fragment link
 * ran backwards. The statement now ends where it starts. */
static void test_cue_ending_before_it_starts(void **state)
{
    (void)state;
    const char *srt = "1\n00:00:01,000 --> 00:00:03,000\nAnna: Meer bomen.\n\n"
                      "2\n15:00:04,500 --> 00:00:09,000\nHenk: Minder auto's.\n";
    cue_list_t cues;
    char err[200];
    assert_int_equal(srt_parse(srt, strlen(srt), &cues, err, sizeof err), 0);
    statement_list_t st;
    statements_build(&cues, IV, &st);
    assert_int_equal(st.n, 2);
    assert_string_equal(st.items[1].text, "Minder auto's.");
    assert_int_equal(st.items[1].start_ms, 15LL * 3600000 + 4500);
    assert_true(st.items[1].end_ms >= st.items[1].start_ms);
    assert_int_equal(st.items[0].end_ms, 3000);
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

/* YouTube's automatic captions roll: each cue repeats the line before it
 * above its new words, and a 10 ms cue holds the line alone. Every
 * sentence reaches staff once, not in two or three ideas. */
static void test_rolling_captions(void **state)
{
    (void)state;
    const char *vtt =
        "WEBVTT\nKind: captions\nLanguage: nl\n\n"
        "00:00:00.000 --> 00:00:02.500 align:start position:0%\n \n"
        "wat<00:00:00.500><c> zou</c><00:00:00.800><c> u</c><00:00:01.000><c> willen</c>\n\n"
        "00:00:02.500 --> 00:00:02.510 align:start position:0%\nwat zou u willen\n \n\n"
        "00:00:02.510 --> 00:00:05.000 align:start position:0%\nwat zou u willen\n"
        "meer<00:00:03.000><c> groen</c><00:00:03.500><c> op</c><00:00:04.000><c> het</c>"
        "<00:00:04.200><c> plein</c>\n\n"
        "00:00:05.000 --> 00:00:05.010 align:start position:0%\nmeer groen op het plein\n \n\n"
        "00:00:05.010 --> 00:00:07.000 align:start position:0%\nmeer groen op het plein\n"
        "en<00:00:05.500><c> bankjes</c>\n";
    cue_list_t cues;
    statement_list_t st;
    s_vtt_statements(vtt, &cues, &st);
    assert_int_equal(st.n, 3);
    assert_string_equal(st.items[0].text, "wat zou u willen");
    assert_string_equal(st.items[1].text, "meer groen op het plein");
    assert_int_equal(st.items[1].start_ms, 2510);
    assert_string_equal(st.items[2].text, "en bankjes");
    statement_list_clear(&st);
    cue_list_clear(&cues);

    /* A resident saying the same short line twice is said twice. */
    const char *twice = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna>Ja.\n\n"
                        "00:02.000 --> 00:03.000\n<v Anna>Ja.\n";
    s_vtt_statements(twice, &cues, &st);
    assert_int_equal(st.n, 1);
    assert_string_equal(st.items[0].text, "Ja. Ja.");
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

/* An SRT of one speaker: cues of `chars` e-acutes each (two bytes each). */
static char *s_one_speaker(int cues, int chars)
{
    GString *g = g_string_new("");
    for (int c = 0; c < cues; c++) {
        g_string_append_printf(g, "%d\n00:00:%02d,000 --> 00:00:%02d,000\n%s", c + 1, c + 1, c + 2,
                               c ? "" : "ANNA: ");
        for (int i = 0; i < chars; i++)
            g_string_append(g, "\xC3\xA9");
        g_string_append(g, "\n\n");
    }
    return g_string_free(g, FALSE);
}

/* Parses srt (and frees it), then builds its statements. */
static void s_srt_statements(char *srt, cue_list_t *cues, statement_list_t *st)
{
    char err[200];
    assert_int_equal(srt_parse(srt, strlen(srt), cues, err, sizeof err), 0);
    g_free(srt);
    statements_build(cues, IV, st);
}

/* An idea holds at most TEXT_MAX_CHARS characters (not bytes): a longer
 * turn is cut at a cue boundary, each part with its own times; one cue
 * over the limit cannot be cut, and ingest refuses it in Dutch. */
static void test_long_turn_cut(void **state)
{
    (void)state;
    cue_list_t cues;
    statement_list_t st;
    s_srt_statements(s_one_speaker(3, 4000), &cues, &st);
    assert_int_equal(st.n, 2);
    assert_int_equal(utf8_chars(st.items[0].text, strlen(st.items[0].text)), 8001);
    assert_int_equal(st.items[0].start_ms, 1000);
    assert_int_equal(st.items[0].end_ms, 3000);
    assert_int_equal(st.items[1].start_ms, 3000);
    assert_int_equal(st.items[1].end_ms, 4000);
    ingest_result_t r = {0};
    assert_int_equal(s_check_lengths(&st, &r), 0);
    statement_list_clear(&st);
    cue_list_clear(&cues);

    s_srt_statements(s_one_speaker(1, TEXT_MAX_CHARS + 1), &cues, &st);
    assert_int_equal(st.n, 1);
    assert_int_equal(s_check_lengths(&st, &r), -1);
    assert_string_equal(r.code, "text_too_long");
    assert_non_null(strstr(r.why_nl, "De beurt op 00:00:01 heeft meer dan 10.000 tekens"));
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

static void test_prefix(void **state)
{
    (void)state;
    const char *rest;
    char *who = transcript_prefix_speaker("- Jan de Wit: hallo", &rest);
    assert_string_equal(who, "Jan de Wit");
    assert_string_equal(rest, "hallo");
    free(who);
    assert_null(transcript_prefix_speaker("Om 10:30 begint het", &rest));
    assert_null(
        transcript_prefix_speaker("Dit is een hele lange zin: met een dubbele punt", &rest));
    assert_null(transcript_prefix_speaker(": leeg", &rest));
}

/* "Kortom: we willen meer groen" was read as a speaker "Kortom" saying
 * "we willen meer groen": a Dutch discourse word before a colon opens a
 * resident's sentence; a one-word name before a colon is still a name. */
static void test_prefix_discourse_word(void **state)
{
    (void)state;
    const char *rest;
    static const char *const words[] = {"Kortom: we willen meer groen",
                                        "Dus: meer bankjes",
                                        "Maar: wie betaalt dat?",
                                        "Nou: dat vind ik niet",
                                        "Ja: graag",
                                        "Nee: liever niet",
                                        "Oké: nog een punt",
                                        "OKÉ: nog een punt",
                                        "Eerlijk gezegd: het is te druk",
                                        "Let op: de stoep is kapot",
                                        "- Samengevat: meer groen",
                                        NULL};
    for (int i = 0; words[i]; i++) {
        char *who = transcript_prefix_speaker(words[i], &rest), shown[64];
        if (who) {
            snprintf(shown, sizeof shown, "%s", who);
            free(who);
            fail_msg("\"%s\" read as speaker \"%s\"", words[i], shown);
        }
    }
    static const char *const names[][2] = {{"Interviewer: wat vindt u?", "Interviewer"},
                                           {"Marie: meer groen", "Marie"},
                                           {"Daan: ja", "Daan"},
                                           {"Jan de Wit: hallo", "Jan de Wit"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *who = transcript_prefix_speaker(names[i][0], &rest);
        assert_non_null(who);
        assert_string_equal(who, names[i][1]);
        free(who);
    }
}

/* An SRT cue that goes on with the same resident's words and opens with
 * words before a colon ("Mijn moeder zei altijd: ...", "Het probleem is:
 * ...") is what that resident said, not a new speaker's name. */
static void test_colon_in_a_residents_next_cue(void **state)
{
    (void)state;
    cue_list_t cues;
    statement_list_t st;
    s_srt_statements(g_strdup("1\n00:00:01,000 --> 00:00:03,000\nINTERVIEWER: Wat mist u?\n\n"
                              "2\n00:00:03,000 --> 00:00:05,000\nANNA: Ik woon al veertig jaar "
                              "hier.\n\n3\n00:00:05,000 --> 00:00:08,000\nMijn moeder zei altijd: "
                              "H\xC3\xA8rle was ooit de rijkste stad van Limburg.\n\n"
                              "4\n00:00:08,000 --> 00:00:10,000\nHet probleem is: er rijdt geen "
                              "bus meer.\n"),
                     &cues, &st);
    assert_int_equal(st.n, 1);
    assert_string_equal(st.items[0].text,
                        "Ik woon al veertig jaar hier. Mijn moeder zei altijd: H\xC3\xA8rle was "
                        "ooit de rijkste stad van Limburg. Het probleem is: er rijdt geen bus meer.");
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

/* Deterministic "random" bytes (a 64-bit LCG): the junk a wrong upload
 * (an image, a zip) gives. */
static void s_junk(unsigned char *buf, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        buf[i] = (unsigned char)(seed >> 56);
    }
}

static void test_binary_refused(void **state)
{
    (void)state;
    char err[200];
    unsigned char junk[300];
    for (uint64_t seed = 1; seed <= 50; seed++) {
        s_junk(junk, sizeof junk, seed);
        assert_int_equal(transcript_text_check((char *)junk, sizeof junk, err, sizeof err), -1);
        /* without NUL bytes too: then the share of control characters decides */
        for (size_t i = 0; i < sizeof junk; i++)
            if (!junk[i])
                junk[i] = 'a';
        assert_int_equal(transcript_text_check((char *)junk, sizeof junk, err, sizeof err), -1);
        assert_non_null(strstr(err, "control characters"));
    }
    /* UTF-16 (what Notepad's "Unicode" writes) holds NUL bytes */
    static const char utf16[] = "\xFF\xFEW\0E\0B\0V\0T\0T\0\n\0";
    assert_int_equal(transcript_text_check(utf16, sizeof utf16 - 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "NUL"));
    /* a real transcript with one stray escape character is still text */
    const char *ok = "1\n00:00:01,000 --> 00:00:04,000\nANNA: Meer groen in de wijk, en "
                     "bankjes\x1b voor ouderen bij het plein.\n";
    assert_int_equal(transcript_text_check(ok, strlen(ok), err, sizeof err), 0);
}

static void test_control_characters_removed(void **state)
{
    (void)state;
    const char *srt = "1\n00:00:01,000 --> 00:00:04,000\nCAMJO: Wat\x13 mist u?\n\n"
                      "2\n00:00:04,000 --> 00:00:09,000\nANNA: Een speel\x1btuin\f bij het "
                      "station,\x7f graag met bankjes voor de ouders.\n\n"
                      "3\n00:00:09,000 --> 00:00:10,000\nPIET: \x01\x02\x03\n";
    char err[200];
    assert_int_equal(transcript_text_check(srt, strlen(srt), err, sizeof err), 0);
    cue_list_t cues;
    assert_int_equal(srt_parse(srt, strlen(srt), &cues, err, sizeof err), 0);
    statement_list_t st;
    statements_build(&cues, IV, &st);
    /* Piet said nothing but control characters: no statement */
    assert_int_equal(st.n, 1);
    assert_string_equal(st.items[0].text,
                        "Een speeltuin bij het station, graag met bankjes voor de ouders.");
    assert_string_equal(st.items[0].context, "Wat mist u?");
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

static void test_windows_1252_accepted(void **state)
{
    (void)state;
    /* 0xE9 e-acute, 0x80 euro sign, 0x92 right quote, 0xEF i-diaeresis */
    const char *srt = "1\r\n00:00:01,000 --> 00:00:04,000\r\nMARIE: Caf\xE9s op het plein, "
                      "een terras van \x80 5 per uur is te duur\r\n\r\n"
                      "2\r\n00:00:04,000 --> 00:00:06,000\r\nMARIE: en we\x92"
                      "d graag na\xEF"
                      "ef "
                      "zijn.\r\n";
    char err[200];
    assert_int_equal(transcript_text_check(srt, strlen(srt), err, sizeof err), 0);
    cue_list_t cues;
    assert_int_equal(srt_parse(srt, strlen(srt), &cues, err, sizeof err), 0);
    statement_list_t st;
    statements_build(&cues, IV, &st);
    assert_int_equal(st.n, 1);
    assert_string_equal(st.items[0].text,
                        "Caf\xC3\xA9s op het plein, een terras van \xE2\x82\xAC 5 per uur is te "
                        "duur en we\xE2\x80\x99"
                        "d graag na\xC3\xAF"
                        "ef zijn.");
    statement_list_clear(&st);
    cue_list_clear(&cues);
}

/* The wijk of an upload's metadata: one that geo data knows, by code or
 * name; a code shaped like WK0917nn that is no Heerlen wijk is a typo and
 * refused, as the form and the field app refuse it. Ingest stops at the
 * metadata or at the (unreadable) file, before anything is spooled, so no
 * intake is needed. */
static void test_meta_wijk(void **state)
{
    (void)state;
    char err[256];
    const char *d = getenv("INSPRAAK_DATA");
    geo_t *geo = geo_load(d && *d ? d : "./data", err, sizeof err);
    assert_non_null(geo);
    ingest_t ing = {.intake = NULL, .geo = geo, .interviewers = IV};
    const char *cases[][2] = {{"WK091799", "unknown_wijk"},
                              {"WK0917xy", "unknown_wijk"},
                              {"Atlantis", "unknown_wijk"},
                              {"WK091710", "unreadable"},
                              {"Heerlen-Centrum", "unreadable"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ingest_meta_t m;
        ingest_meta_init(&m);
        ingest_meta_set(&m, "wijk", cases[i][0]);
        ingest_result_t r;
        assert_int_equal(ingest_file(&ing, "\x01\x02", 2, INGEST_TEXT, &m, &r), INGEST_BAD);
        if (strcmp(r.code, cases[i][1]) != 0)
            fail_msg("wijk %s: got %s, want %s", cases[i][0], r.code, cases[i][1]);
        ingest_result_clear(&r);
        ingest_meta_clear(&m);
    }
    geo_destroy(&geo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srt_basic),
        cmocka_unit_test(test_plaintext),
        cmocka_unit_test(test_vtt_statements),
        cmocka_unit_test(test_question_for_every_answer),
        cmocka_unit_test(test_cues_out_of_order),
        cmocka_unit_test(test_cue_ending_before_it_starts),
        cmocka_unit_test(test_rolling_captions),
        cmocka_unit_test(test_long_turn_cut),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_prefix_discourse_word),
        cmocka_unit_test(test_colon_in_a_residents_next_cue),
        cmocka_unit_test(test_binary_refused),
        cmocka_unit_test(test_control_characters_removed),
        cmocka_unit_test(test_windows_1252_accepted),
        cmocka_unit_test(test_meta_wijk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
