/*
 * NAME
 *   test_webvtt - the mozilla/vtt.js conformance suite, and cue text
 *
 * DESCRIPTION
 *   Runs every tests/data/vtt/tests/.../X.vtt that has an X.json (the
 *   *-proc.json files describe rendered DOM trees and are not used) and
 *   compares the cues' start, end, id and raw text with the JSON. Prints
 *   the pass rate. The test fails unless the failing files are exactly
 *   the ones listed in tests/data/vtt/SKIPPED.md (lines "- path: reason"),
 *   so a regression, and also a skip that starts passing, is noticed.
 *   Run from the repository root (or a folder below it).
 */
#define _GNU_SOURCE /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../services/intake-transcript/webvtt.c"
#include "xalloc.h"

static char s_root[512];
static char *s_failed[512];
static int s_n_failed, s_n_run, s_n_pass;

static const char *s_find_root(void)
{
    static const char *const tries[] = {"tests/data/vtt", "../tests/data/vtt",
                                        "../../tests/data/vtt", "../../../tests/data/vtt"};
    struct stat st;
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++)
        if (stat(tries[i], &st) == 0 && S_ISDIR(st.st_mode))
            return tries[i];
    return NULL;
}

static char *s_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = xmalloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* True when the parsed cues equal the JSON's cues. */
static bool s_same(const cue_list_t *cues, json_t *want, const char *name)
{
    json_t *arr = json_object_get(want, "cues");
    if (json_array_size(arr) != cues->n) {
        printf("  %s: %zu cues, want %zu\n", name, cues->n, json_array_size(arr));
        return false;
    }
    for (size_t i = 0; i < cues->n; i++) {
        json_t *c = json_array_get(arr, i);
        const cue_t *got = &cues->items[i];
        double start = json_number_value(json_object_get(c, "startTime"));
        double end = json_number_value(json_object_get(c, "endTime"));
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *text = json_string_value(json_object_get(c, "text"));
        if (fabs(start - got->start_ms / 1000.0) > 0.0005 ||
            fabs(end - got->end_ms / 1000.0) > 0.0005 || !id || strcmp(id, got->id) != 0 || !text ||
            strcmp(text, got->text) != 0) {
            printf("  %s cue %zu: got %.3f-%.3f id=[%s] text=[%s]; want %.3f-%.3f id=[%s] "
                   "text=[%s]\n",
                   name, i, got->start_ms / 1000.0, got->end_ms / 1000.0, got->id, got->text, start,
                   end, id ? id : "?", text ? text : "?");
            return false;
        }
    }
    return true;
}

static int s_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n < 5 || strcmp(path + n - 4, ".vtt") != 0)
        return 0;
    char *jpath = xasprintf("%.*s.json", (int)(n - 4), path);
    json_t *want = json_load_file(jpath, 0, NULL);
    free(jpath);
    if (!want)
        return 0;
    const char *name = path + strlen(s_root) + 1;
    size_t len;
    char *buf = s_slurp(path, &len);
    cue_list_t cues;
    char err[200];
    if (webvtt_parse(buf ? buf : "", buf ? len : 0, &cues, err, sizeof err) < 0)
        cue_list_init(&cues); /* an unreadable file has no cues */
    s_n_run++;
    if (s_same(&cues, want, name))
        s_n_pass++;
    else if (s_n_failed < 512)
        s_failed[s_n_failed++] = xstrdup(name);
    cue_list_clear(&cues);
    free(buf);
    json_decref(want);
    return 0;
}

static bool s_skipped(const char *skips, const char *name)
{
    char *pat = xasprintf("\n- %s:", name);
    bool found = strstr(skips, pat) != NULL;
    free(pat);
    return found;
}

static void test_conformance(void **state)
{
    (void)state;
    const char *root = s_find_root();
    assert_non_null(root);
    snprintf(s_root, sizeof s_root, "%s", root);
    char *tests = xasprintf("%s/tests", root);
    snprintf(s_root, sizeof s_root, "%s", tests);
    assert_int_equal(nftw(tests, s_visit, 16, FTW_PHYS), 0);
    free(tests);
    char *skpath = xasprintf("%s/SKIPPED.md", root);
    size_t len;
    char *skips = s_slurp(skpath, &len);
    free(skpath);
    assert_non_null(skips);
    printf("vtt.js conformance: %d of %d files pass (%.1f%%)\n", s_n_pass, s_n_run,
           s_n_run ? 100.0 * s_n_pass / s_n_run : 0.0);
    int unexpected = 0;
    for (int i = 0; i < s_n_failed; i++) {
        if (!s_skipped(skips, s_failed[i])) {
            printf("  FAIL (not in SKIPPED.md): %s\n", s_failed[i]);
            unexpected++;
        }
    }
    /* every listed skip must still fail, else the list is stale */
    int listed = 0;
    for (const char *p = strstr(skips, "\n- "); p; p = strstr(p + 1, "\n- "))
        listed++;
    free(skips);
    for (int i = 0; i < s_n_failed; i++)
        free(s_failed[i]);
    assert_true(s_n_run > 140);
    assert_int_equal(unexpected, 0);
    assert_int_equal(listed, s_n_failed);
}

static void test_cue_text(void **state)
{
    (void)state;
    char *v = webvtt_cue_voice("<v.loud   Mevrouw  de Vries>Meer bomen</v>");
    assert_string_equal(v, "Mevrouw de Vries");
    free(v);
    assert_null(webvtt_cue_voice("<c.yellow>geen stem</c>"));
    assert_null(webvtt_cue_voice("<v>"));
    char *p = webvtt_cue_plain("<v Bob><i>Fiets</i>&amp;<00:00:01.000>auto &lt;3 &#x41;&#66; "
                               "&nbsp;&lrm;&bogus; <ruby>a<rt>b</rt></ruby><lang nl>x</lang>");
    assert_string_equal(p, "Fiets&auto <3 AB \xC2\xA0\xE2\x80\x8E&bogus; abx");
    free(p);
    p = webvtt_cue_plain("half <b open tag");
    assert_string_equal(p, "half ");
    free(p);
}

/* Hostile input: deep nesting is just text; limits give errors, no crash. */
static void test_hostile(void **state)
{
    (void)state;
    size_t n = 10000;
    char *deep = xmalloc(n * 3 + 200);
    size_t o = (size_t)sprintf(deep, "WEBVTT\n\n00:00.000 --> 00:01.000\n");
    for (size_t i = 0; i < n; i++)
        memcpy(deep + o, "<c>", 3), o += 3;
    strcpy(deep + o, "diep\n");
    cue_list_t cues;
    char err[200];
    assert_int_equal(webvtt_parse(deep, strlen(deep), &cues, err, sizeof err), 0);
    assert_int_equal(cues.n, 1);
    char *plain = webvtt_cue_plain(cues.items[0].text);
    assert_string_equal(plain, "diep");
    free(plain);
    cue_list_clear(&cues);
    free(deep);

    const char *absurd = "WEBVTT\n\n99999999999999999999:00:00.000 --> 1:00:00:00.000\nx\n\n"
                         "00:01.000 --> 00:02.000\nok\n";
    assert_int_equal(webvtt_parse(absurd, strlen(absurd), &cues, err, sizeof err), 0);
    assert_int_equal(cues.n, 1);
    assert_string_equal(cues.items[0].text, "ok");
    cue_list_clear(&cues);

    assert_int_equal(webvtt_parse("hallo\n", 6, &cues, err, sizeof err), -1);
    assert_int_equal(cues.n, 0);

    char *big = xmalloc(WEBVTT_MAX_LINE + 100);
    memset(big, 'a', WEBVTT_MAX_LINE + 99);
    memcpy(big, "WEBVTT\n\n", 8);
    big[WEBVTT_MAX_LINE + 98] = '\n';
    assert_int_equal(webvtt_parse(big, WEBVTT_MAX_LINE + 99, &cues, err, sizeof err), -1);
    free(big);

    const char *crlf = "\xEF\xBB\xBFWEBVTT\r\n\r\nNOTE x\r\n\r\nid1\r00:00:01.500 --> "
                       "100:00:02.000 align:start\r\n<v camjo>Wat?\n\n";
    assert_int_equal(webvtt_parse(crlf, strlen(crlf), &cues, err, sizeof err), 0);
    assert_int_equal(cues.n, 1);
    assert_string_equal(cues.items[0].id, "id1");
    assert_int_equal(cues.items[0].start_ms, 1500);
    assert_int_equal(cues.items[0].end_ms, 100LL * 3600000 + 2000);
    cue_list_clear(&cues);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance),
        cmocka_unit_test(test_cue_text),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
