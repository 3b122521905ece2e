/*
 * NAME
 *   test_classify_gloss - other-language words glossed into Dutch
 *   (classify_gloss.c)
 *
 * DESCRIPTION
 *   With Debian's FreeDict dictionaries (/usr/share/dictd, packages
 *   dict-freedict-*; the tests that need them are skipped when they are
 *   missing): German, English, Polish and chained Arabic words get the
 *   Dutch words a reader expects, inflected forms and German compounds
 *   too, only the first sense counts, and an idea's words come out as
 *   Dutch words with Dutch stems. With a tiny dictd pair the test writes
 *   itself: the parser keeps the good entries and skips truncated index
 *   lines, offsets past the end, overlong lines, bad numbers and
 *   headwords that are not UTF-8; empty, missing and truncated files are
 *   errors, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "classify.h"

#define T_DICTD "/usr/share/dictd"

static char t_dir[] = "/tmp/test_classify_gloss.XXXXXX";

/* The gloss of word as a string (static buffer). */
static const char *t_gloss(classify_gloss_t *g, const char *lang, const char *word)
{
    static char out[256];
    classify_gloss_word(g, lang, word, out, sizeof out);
    return out;
}

/* --- the real dictionaries --- */

static classify_gloss_t *s_real;

static int t_real_setup(void **state)
{
    (void)state;
    char err[600];
    s_real = classify_gloss_new(T_DICTD, err, sizeof err);
    if (!s_real)
        fprintf(stderr, "%s (apt-get install dict-freedict-deu-nld ...): tests skipped\n", err);
    return 0;
}

static int t_real_teardown(void **state)
{
    (void)state;
    classify_gloss_destroy(&s_real);
    assert_null(s_real);
    classify_gloss_destroy(&s_real); /* idempotent */
    return 0;
}

static void test_real_words(void **state)
{
    (void)state;
    if (!classify_gloss_has(s_real, "de") || !classify_gloss_has(s_real, "en") ||
        !classify_gloss_has(s_real, "pl"))
        skip();
    assert_non_null(strstr(t_gloss(s_real, "de", "Denkmal"), "monument"));
    assert_non_null(strstr(t_gloss(s_real, "de", "denkmäler"), "monument")); /* by stem */
    assert_string_equal(t_gloss(s_real, "de", "straße"), "straat");
    assert_non_null(strstr(t_gloss(s_real, "en", "windows"), "raam"));
    assert_string_equal(t_gloss(s_real, "en", "street"), "straat");
    assert_non_null(strstr(t_gloss(s_real, "pl", "lekarz"), "arts"));
    assert_non_null(strstr(t_gloss(s_real, "pl", "lekarzy"), "arts")); /* plural, hand stemmer */
    /* no word, no language, an unknown word: nothing */
    assert_int_equal(classify_gloss_word(s_real, "de", "xqzvbnm", (char[8]){0}, 8), 0);
    assert_int_equal(classify_gloss_word(s_real, "fr", "maison", (char[8]){0}, 8), 0);
    assert_int_equal(classify_gloss_word(s_real, "nl", "huis", (char[8]){0}, 8), 0);
    assert_int_equal(classify_gloss_word(NULL, "de", "haus", (char[8]){0}, 8), 0);
}

static void test_real_first_sense(void **state)
{
    (void)state;
    if (!classify_gloss_has(s_real, "de"))
        skip();
    /* "Geschichte": 1. geschiedenis, historie, verhaal 2. relaas, ... */
    const char *g = t_gloss(s_real, "de", "geschichte");
    assert_non_null(strstr(g, "geschiedenis"));
    assert_null(strstr(g, "relaas"));
    /* "Zeche": 1. feestmaal, ... 2. gilde: the second sense is never read */
    assert_null(strstr(t_gloss(s_real, "de", "zeche"), "gilde"));
    /* "ĳ" folded to "ij" (freedict writes "bereidingswĳze") */
    assert_null(strstr(t_gloss(s_real, "de", "festmahl"), "\xc4\xb3"));
}

static void test_real_compound(void **state)
{
    (void)state;
    if (!classify_gloss_has(s_real, "de"))
        skip();
    const char *g = t_gloss(s_real, "de", "bergbaugeschichte");
    assert_non_null(strstr(g, "mijnbouw"));
    assert_non_null(strstr(g, "geschiedenis"));
    /* short words are not split */
    assert_string_equal(t_gloss(s_real, "de", "bergtal"), "");
}

/* classify_gloss_new() leaves Arabic out (docs/classifier.md); loaded
 * by hand it is chained through English. */
static void test_real_chained(void **state)
{
    (void)state;
    char err[256];
    if (!classify_gloss_has(s_real, "en") ||
        access(T_DICTD "/freedict-ara-eng.index", R_OK) != 0)
        skip();
    assert_false(classify_gloss_has(s_real, "ar"));
    assert_int_equal(classify_gloss_load_pair(s_real, "ar", T_DICTD "/freedict-ara-eng.index",
                                              T_DICTD "/freedict-ara-eng.dict.dz", "en", err,
                                              sizeof err),
                     0);
    /* Arabic "the windows" -> English "Windows" -> Dutch */
    assert_non_null(strstr(t_gloss(s_real, "ar", "النوافذ"), "raam"));
}

/* Words the concept map knows as written keep their concept: the
 * concept-map file here names "bergbau" (as data/nl/synonyms.tsv does). */
static void test_real_keep(void **state)
{
    (void)state;
    if (!classify_gloss_has(s_real, "de"))
        skip();
    char err[256], path[] = "/tmp/test_classify_gloss_syn.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *syn = "mijnverleden\tbergbau*\t2\n";
    assert_int_equal(write(fd, syn, strlen(syn)), (ssize_t)strlen(syn));
    close(fd);
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    classify_lex_t *lex = classify_lex_load(tok, path, err, sizeof err);
    unlink(path);
    assert_non_null(lex);
    classify_toks_t in = {0}, out = {0};
    classify_tokenize(tok, "Bergbau und Denkmal", &in);
    assert_true(classify_gloss_toks(s_real, tok, "de", lex, &in, &out));
    assert_true(out.n >= 3);
    assert_string_equal(out.word[0], "bergbau"); /* kept */
    bool monument = false;
    for (size_t i = 1; i < out.n; i++)
        monument |= strcmp(out.word[i], "monument") == 0;
    assert_true(monument); /* glossed */
    classify_toks_clear(&out);
    classify_toks_clear(&in);
    classify_lex_destroy(&lex);
    classify_tok_destroy(&tok);
}

/* The process's dictionaries are off unless INSPRAAK_DICTD_DIR names
 * them: no glossing, no warning. */
static void test_shared_off(void **state)
{
    (void)state;
    unsetenv("INSPRAAK_DICTD_DIR");
    assert_null(classify_gloss_shared());
    assert_null(classify_gloss_shared()); /* once */
}

/* An idea's words: glossed words come out as Dutch words with Dutch
 * stems, words without a gloss as they were, and Dutch ideas not at all. */
static void test_real_toks(void **state)
{
    (void)state;
    if (!classify_gloss_has(s_real, "de"))
        skip();
    char err[256];
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    assert_non_null(tok);
    classify_toks_t in = {0}, out = {0};
    classify_tokenize(tok, "Die Bergbaugeschichte im Thermenmuseum, Denkmäler", &in);
    assert_true(classify_gloss_toks(s_real, tok, "de", NULL, &in, &out));
    bool mijnbouw = false, museum = false, monument = false;
    for (size_t i = 0; i < out.n; i++) {
        mijnbouw |= strcmp(out.word[i], "mijnbouw") == 0;
        museum |= strcmp(out.word[i], "thermenmuseum") == 0;
        monument |= strcmp(out.word[i], "monument") == 0;
        assert_string_not_equal(out.word[i], "bergbaugeschichte");
    }
    assert_true(mijnbouw && museum && monument);
    classify_toks_t untouched = {0};
    assert_false(classify_gloss_toks(s_real, tok, "nl", NULL, &in, &untouched));
    assert_false(classify_gloss_toks(s_real, tok, NULL, NULL, &in, &untouched));
    assert_false(classify_gloss_toks(s_real, tok, "fr", NULL, &in, &untouched));
    assert_false(classify_gloss_toks(NULL, tok, "de", NULL, &in, &untouched));
    assert_int_equal(untouched.n, 0);
    classify_toks_clear(&out);
    classify_toks_clear(&in);
    classify_tok_destroy(&tok);
}

/* --- a dictd pair written here --- */

/* dictd's base64 of v. */
static const char *t_b64(unsigned long v, char *buf)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = al[v % 64];
        v /= 64;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

static void t_write(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void t_write_gz(const char *path, const char *data, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    gzclose(gz);
}

/* Entries of the fixture dictionary, in file order. */
static const char *const t_entries[] = {
    "Haus /ha\xca\x8as/\n1. huis, woning, woonhuis\n2. geslacht, familie\n",
    "Eis /a\xc9\xaas/\n\x69\x6a\x73 (bevroren water), \xc4\xb3sje\n", /* "ijs", "ĳsje" */
    "Platz /plats/ <n>\nplein\nein offener Ort\n",
    "Tal\n",                  /* no translation: left out */
    "Weg\n1. (ook) pad, weg\n", /* the note in () is left out */
};

/* Writes the fixture pair t_dir/fx.index + fx.dict.dz: the good entries,
 * then every kind of bad line. */
static void t_fixture(void)
{
    char dict[1024] = "", idx[8192] = "", a[16], b[16];
    size_t off = 0;
    static const char *const heads[] = {"haus", "eis", "platz", "tal", "weg"};
    for (size_t i = 0; i < sizeof t_entries / sizeof *t_entries; i++) {
        size_t n = strlen(t_entries[i]);
        strcat(dict, t_entries[i]);
        snprintf(idx + strlen(idx), sizeof idx - strlen(idx), "%s\t%s\t%s\n", heads[i],
                 t_b64(off, a), t_b64(n, b));
        off += n;
    }
    /* bad lines: no length field, an offset past the end, a length past
     * the end, a bad digit, a headword not UTF-8, an empty headword, an
     * overlong line, and a last line without a newline */
    snprintf(idx + strlen(idx), sizeof idx - strlen(idx),
             "kurz\tA\n"
             "fern\t%s\tB\n"
             "lang\tA\t%s\n"
             "stern\tA*\tB\n"
             "k\xff\xfeise\tA\tB\n"
             "\tA\tB\n",
             t_b64(off + 10, a), t_b64(off + 1, b));
    size_t l = strlen(idx);
    memcpy(idx + l, "haus", 4); /* an overlong line: a valid start, 2,000 bytes */
    memset(idx + l + 4, 'x', 2000);
    idx[l + 2004] = '\n';
    idx[l + 2005] = '\0';
    strcat(idx, "ende\tA\tB"); /* valid, no newline */
    char p[512];
    snprintf(p, sizeof p, "%s/fx.index", t_dir);
    t_write(p, idx, strlen(idx));
    snprintf(p, sizeof p, "%s/fx.dict.dz", t_dir);
    t_write_gz(p, dict, strlen(dict));
}

/* An empty folder: no dictionary, an error that says so, no crash. */
static void test_no_dictionary(void **state)
{
    (void)state;
    char err[256];
    assert_null(classify_gloss_new(t_dir, err, sizeof err));
    assert_non_null(strstr(err, "no dictionary"));
    assert_false(classify_gloss_has(NULL, "de"));
    assert_int_equal(classify_gloss_size(NULL, "de"), 0);
}

static classify_gloss_t *t_load_fixture(const char *code, const char *via,
                                        classify_gloss_t *into, int want)
{
    char err[256], ip[512], dp[512];
    snprintf(ip, sizeof ip, "%s/fx.index", t_dir);
    snprintf(dp, sizeof dp, "%s/fx.dict.dz", t_dir);
    assert_int_equal(classify_gloss_load_pair(into, code, ip, dp, via, err, sizeof err), want);
    return into;
}

/* A handle with the fixture loaded as German, through classify_gloss_new
 * (the file names it looks for). */
static classify_gloss_t *t_fixture_handle(void)
{
    char from[512], to[512], err[256];
    t_fixture();
    snprintf(from, sizeof from, "%s/fx.index", t_dir);
    snprintf(to, sizeof to, "%s/freedict-deu-nld.index", t_dir);
    assert_int_equal(rename(from, to), 0);
    snprintf(from, sizeof from, "%s/fx.dict.dz", t_dir);
    snprintf(to, sizeof to, "%s/freedict-deu-nld.dict.dz", t_dir);
    assert_int_equal(rename(from, to), 0);
    classify_gloss_t *g = classify_gloss_new(t_dir, err, sizeof err);
    assert_non_null(g);
    assert_non_null(strstr(err, "eng-nld")); /* named as left out */
    t_fixture();                             /* fx.* again, for load_pair */
    return g;
}

static void test_fixture_entries(void **state)
{
    (void)state;
    classify_gloss_t *g = t_fixture_handle();
    assert_true(classify_gloss_has(g, "de"));
    assert_false(classify_gloss_has(g, "en"));
    /* first sense, first two translations, lowercase */
    assert_string_equal(t_gloss(g, "de", "Haus"), "huis woning");
    assert_string_equal(t_gloss(g, "de", "HAUS"), "huis woning");
    /* the note left out, "ĳ" folded */
    assert_string_equal(t_gloss(g, "de", "eis"), "ijs ijsje");
    assert_string_equal(t_gloss(g, "de", "weg"), "pad weg");
    /* a Polish-style definition line after the translation is not read */
    assert_string_equal(t_gloss(g, "de", "platz"), "plein");
    /* inflected forms through the German stemmer */
    assert_string_equal(t_gloss(g, "de", "häuser"), "huis woning");
    assert_string_equal(t_gloss(g, "de", "hauses"), "huis woning");
    /* compounds of two headwords, with and without a linking -es- */
    assert_string_equal(t_gloss(g, "de", "platzeshaus"), "plein huis woning");
    assert_string_equal(t_gloss(g, "de", "eiswegplatz"), "");
    assert_string_equal(t_gloss(g, "de", "hausplatz"), "huis woning plein");
    /* no translation, and the bad lines' headwords: nothing */
    assert_string_equal(t_gloss(g, "de", "tal"), "");
    assert_string_equal(t_gloss(g, "de", "kurz"), "");
    assert_string_equal(t_gloss(g, "de", "fern"), "");
    assert_string_equal(t_gloss(g, "de", "lang"), "");
    assert_string_equal(t_gloss(g, "de", "stern"), "");
    assert_int_equal(classify_gloss_size(g, "de"), 4); /* haus, eis, platz, weg */
    t_load_fixture("tr", "en", g, -1); /* no en to chain through */
    t_load_fixture("de", NULL, g, -1); /* loaded already */
    classify_gloss_destroy(&g);
}

/* Files that are empty, missing, truncated or not gzip. */
static void test_fixture_bad_files(void **state)
{
    (void)state;
    classify_gloss_t *g = t_fixture_handle();
    char err[256], ip[512], dp[512], bad[512];
    snprintf(ip, sizeof ip, "%s/fx.index", t_dir);
    snprintf(dp, sizeof dp, "%s/fx.dict.dz", t_dir);
    snprintf(bad, sizeof bad, "%s/bad", t_dir);
    /* missing */
    assert_int_equal(classify_gloss_load_pair(g, "en", bad, dp, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
    /* empty index */
    t_write(bad, "", 0);
    assert_int_equal(classify_gloss_load_pair(g, "en", bad, dp, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "no usable entries"));
    /* empty dictionary, and one that is not gzip */
    assert_int_equal(classify_gloss_load_pair(g, "en", ip, bad, NULL, err, sizeof err), -1);
    t_write(bad, "Haus\nhuis\n", 10);
    assert_int_equal(classify_gloss_load_pair(g, "en", ip, bad, NULL, err, sizeof err), -1);
    /* a truncated dictzip: half of it */
    FILE *fp = fopen(dp, "rb");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    t_write(bad, buf, n / 2);
    assert_int_equal(classify_gloss_load_pair(g, "en", ip, bad, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a complete"));
    /* nothing of that loaded; a good load of the same pair still works */
    assert_false(classify_gloss_has(g, "en"));
    assert_int_equal(classify_gloss_load_pair(g, "en", ip, dp, NULL, err, sizeof err), 0);
    assert_string_equal(t_gloss(g, "en", "haus"), "huis woning");
    /* a pair chained through en: the fixture's glosses read as English
     * words and glossed again by en; only "weg" is a headword there */
    assert_int_equal(classify_gloss_load_pair(g, "tr", ip, dp, "en", err, sizeof err), 0);
    assert_int_equal(classify_gloss_size(g, "tr"), 1);
    assert_string_equal(t_gloss(g, "tr", "weg"), "pad weg");
    assert_string_equal(t_gloss(g, "tr", "haus"), "");
    classify_gloss_destroy(&g);
}

static int t_dir_setup(void **state)
{
    (void)state;
    return mkdtemp(t_dir) ? 0 : -1;
}

static int t_dir_teardown(void **state)
{
    (void)state;
    static const char *const files[] = {"fx.index", "fx.dict.dz", "freedict-deu-nld.index",
                                        "freedict-deu-nld.dict.dz", "bad"};
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(p, sizeof p, "%s/%s", t_dir, files[i]);
        unlink(p);
    }
    return rmdir(t_dir);
}

int main(void)
{
    const struct CMUnitTest real[] = {
        cmocka_unit_test(test_real_words),    cmocka_unit_test(test_real_first_sense),
        cmocka_unit_test(test_real_compound), cmocka_unit_test(test_real_chained),
        cmocka_unit_test(test_real_toks),     cmocka_unit_test(test_real_keep),
        cmocka_unit_test(test_shared_off),
    };
    const struct CMUnitTest fixture[] = {
        cmocka_unit_test(test_no_dictionary),
        cmocka_unit_test(test_fixture_entries),
        cmocka_unit_test(test_fixture_bad_files),
    };
    int rc = cmocka_run_group_tests_name("real dictionaries", real, t_real_setup, t_real_teardown);
    rc += cmocka_run_group_tests_name("fixture", fixture, t_dir_setup, t_dir_teardown);
    return rc;
}
