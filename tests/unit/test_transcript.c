/*
 * NAME
 *   test_transcript - SRT, plain-text turns, speakers and statements
 *
 * DESCRIPTION
 *   The pure parts of services/intake-transcript/, included as source.
 *   What staff would check: one statement per resident turn with the right
 *   start and end, no interviewer text and no speaker names in statements,
 *   the question as context, Windows-1252 subtitles read correctly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    assert_null(st.items[1].context);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srt_basic),
        cmocka_unit_test(test_plaintext),
        cmocka_unit_test(test_vtt_statements),
        cmocka_unit_test(test_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
