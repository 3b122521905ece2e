/*
 * NAME
 *   test_validate - UTF-8, text clean-up, email, postcodes, allowed values
 *
 * DESCRIPTION
 *   Table-driven: each row is an input and what a person would expect.
 *   UTF-8 rows follow the classic malformed-sequence cases (overlongs,
 *   surrogates, code points above U+10FFFF, truncated and stray bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "email_idn.h"
#include "validate.h"

typedef struct {
    const char *s;
    size_t len; /* 0: strlen */
    bool valid;
    const char *why;
} utf8_case_t;

static void test_utf8_valid(void **state)
{
    (void)state;
    static const utf8_case_t cases[] = {
        {"", 0, true, "empty"},
        {"Heerlen", 0, true, "ascii"},
        {"caf\xC3\xA9 ide\xC3\xAB\xC3\xABn", 0, true, "latin accents"},
        {"\xE2\x82\xAC 5", 0, true, "euro sign (3 bytes)"},
        {"\xF0\x9F\x98\x80", 0, true, "emoji (4 bytes)"},
        {"\xF4\x8F\xBF\xBF", 0, true, "U+10FFFF, the last code point"},
        {"\xED\x9F\xBF", 0, true, "U+D7FF, just below the surrogates"},
        {"\xEE\x80\x80", 0, true, "U+E000, just above the surrogates"},
        {"\xC2\x80", 0, true, "U+0080, smallest 2-byte"},
        {"\xE0\xA0\x80", 0, true, "U+0800, smallest 3-byte"},
        {"\xF0\x90\x80\x80", 0, true, "U+10000, smallest 4-byte"},
        {"\xC0\xAF", 0, false, "overlong '/' (2 bytes)"},
        {"\xC1\xBF", 0, false, "overlong (C1)"},
        {"\xE0\x80\xAF", 0, false, "overlong '/' (3 bytes)"},
        {"\xE0\x9F\xBF", 0, false, "overlong U+07FF (3 bytes)"},
        {"\xF0\x80\x80\xAF", 0, false, "overlong '/' (4 bytes)"},
        {"\xF0\x8F\xBF\xBF", 0, false, "overlong U+FFFF (4 bytes)"},
        {"\xED\xA0\x80", 0, false, "surrogate U+D800"},
        {"\xED\xBF\xBF", 0, false, "surrogate U+DFFF"},
        {"\xED\xA0\xBD\xED\xB8\x80", 0, false, "CESU-8 surrogate pair"},
        {"\xF4\x90\x80\x80", 0, false, "U+110000, above the range"},
        {"\xF5\x80\x80\x80", 0, false, "F5 lead byte"},
        {"\xFF", 0, false, "FF byte"},
        {"\xFE\xFE", 0, false, "FE bytes"},
        {"\x80", 0, false, "lone continuation byte"},
        {"a\xBF"
         "b",
         0, false, "continuation byte inside ascii"},
        {"\xC3", 0, false, "truncated 2-byte at the end"},
        {"\xE2\x82", 0, false, "truncated 3-byte at the end"},
        {"\xF0\x9F\x98", 0, false, "truncated 4-byte at the end"},
        {"\xC3"
         "a",
         0, false, "2-byte lead followed by ascii"},
        {"\xE2\x82"
         "a",
         0, false, "3-byte cut by ascii"},
        {"ab\0cd", 5, false, "NUL byte inside"},
        {"\xC0\x80", 0, false, "modified-UTF-8 NUL"},
        {"line\r\nnext\ttab", 0, true, "CR, LF and TAB are valid UTF-8"},
        {"\x01\x7F", 0, true, "control characters are valid UTF-8 (clean-up drops them)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const utf8_case_t *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->s);
        if (utf8_valid(c->s, len) != c->valid)
            fail_msg("utf8_valid wrong for: %s", c->why);
    }
    /* The length is honoured: the bytes after len are not looked at. */
    assert_true(utf8_valid("ok\xFF", 2));
    assert_false(utf8_valid("\xE2\x82\xAC", 2));
}

static void test_utf8_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_chars("", 0), 0);
    assert_int_equal(utf8_chars("abc", 3), 3);
    assert_int_equal(utf8_chars("ide\xC3\xAB\xC3\xABn", 8), 6);
    assert_int_equal(utf8_chars("\xE2\x82\xAC\xF0\x9F\x98\x80", 7), 2);
}

/* utf8_valid and utf8_chars read eight ASCII bytes at a time: a sequence
 * must be judged the same wherever it falls against those 8-byte steps. */
static void test_utf8_every_offset(void **state)
{
    (void)state;
    static const struct {
        const char *seq;
        size_t len;
        bool valid;
        size_t chars;
    } seqs[] = {
        {"\xC3\xA9", 2, true, 1},     {"\xE2\x82\xAC", 3, true, 1}, {"\xF0\x9F\x98\x80", 4, true, 1},
        {"\0", 1, false, 1},          {"\xFF", 1, false, 1},        {"\x80", 1, false, 0},
        {"\xED\xA0\x80", 3, false, 1}, {"\xC3", 1, false, 1},
    };
    char buf[64];
    for (size_t q = 0; q < sizeof seqs / sizeof seqs[0]; q++)
        for (size_t k = 0; k <= 20; k++) {
            memset(buf, 'a', k);
            memcpy(buf + k, seqs[q].seq, seqs[q].len);
            memset(buf + k + seqs[q].len, 'b', 9);
            size_t len = k + seqs[q].len + 9;
            if (utf8_valid(buf, len) != seqs[q].valid)
                fail_msg("utf8_valid wrong for sequence %zu at offset %zu", q, k);
            if (seqs[q].valid && utf8_chars(buf, len) != k + seqs[q].chars + 9)
                fail_msg("utf8_chars wrong for sequence %zu at offset %zu", q, k);
        }
}

/* Invalid bytes grow the text (one byte becomes three): the clean-up
 * must make room for that, also when every byte is invalid. */
static void test_text_normalise_grows(void **state)
{
    (void)state;
    char in[40];
    memset(in, '\xFF', sizeof in);
    size_t len = 0;
    char *out = text_normalise_n(in, sizeof in, &len);
    assert_int_equal(len, 3 * sizeof in);
    assert_int_equal(strlen(out), len);
    for (size_t i = 0; i < sizeof in; i++)
        assert_memory_equal(out + 3 * i, "\xEF\xBF\xBD", 3);
    free(out);

    static const char text[] = "  Meer bomen\r\n\r\n\r\n\r\nin de straat \xFE  ";
    out = text_normalise_n(text, sizeof text - 1, &len);
    assert_string_equal(out, "Meer bomen\n\n\nin de straat \xEF\xBF\xBD");
    assert_int_equal(len, strlen(out));
    free(out);
}

typedef struct {
    const char *in;
    size_t len; /* 0: strlen */
    const char *out;
    const char *why;
} norm_case_t;

/* Each case through text_normalise_n: the expected text, valid UTF-8, and
 * the length it reports. */
static void t_normalise_cases(const norm_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const norm_case_t *c = &cases[i];
        size_t len = 0;
        char *out = text_normalise_n(c->in, c->len ? c->len : strlen(c->in), &len);
        if (strcmp(out, c->out) != 0)
            fail_msg("text_normalise (%s): got \"%s\"", c->why, out);
        assert_true(utf8_valid(out, strlen(out)));
        assert_int_equal(len, strlen(out));
        free(out);
    }
}

static void test_text_normalise(void **state)
{
    (void)state;
    static const norm_case_t cases[] = {
        {"Meer groen", 0, "Meer groen", "unchanged"},
        {"  \t Meer groen \n\n", 0, "Meer groen", "trim both ends"},
        {"a\r\nb\rc\nd", 0, "a\nb\nc\nd", "CRLF and CR become LF"},
        {"a   \nb\t\t\nc", 0, "a\nb\nc", "trailing blanks on lines"},
        {"a\n\n\nb", 0, "a\n\n\nb", "two blank lines stay"},
        {"a\n\n\n\n\n\nb", 0, "a\n\n\nb", "five blank lines become two"},
        {"a\n  \n\t\n \n \nb", 0, "a\n\n\nb", "lines of only blanks count as blank"},
        {"a\r\n\r\n\r\n\r\n\r\nb", 0, "a\n\n\nb", "blank CRLF lines collapse too"},
        {"bel\x07l\x1B[31mrood", 0, "bell[31mrood", "C0 controls removed"},
        {"del\x7F!", 0, "del!", "DEL removed"},
        {"c1\xC2\x85x\xC2\x9Fy", 0, "c1xy", "C1 controls removed"},
        {"tab\tstays", 0, "tab\tstays", "TAB kept inside"},
        {"  indented\n    second", 0, "indented\n    second", "inner indentation kept"},
        {"a\0b", 3, "ab", "NUL removed"},
        {"\xC3\xA9t\xC3\xA9", 0, "\xC3\xA9t\xC3\xA9", "accents kept"},
        {"bad\xFFx", 0, "bad\xEF\xBF\xBDx", "invalid byte becomes U+FFFD"},
        {"\n\n \t\r\n", 0, "", "only white space"},
        {"", 0, "", "empty"},
    };
    t_normalise_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Text typed on a Mac, copied from a PDF or written by a transcript tool
 * may arrive decomposed (NFD: "e" + U+0301 for "é"); every intake stores
 * the composed form (NFC), which the classifier's word lists know. */
static void test_text_normalise_nfc(void **state)
{
    (void)state;
    static const norm_case_t cases[] = {
        {"cafe\xCC\x81", 0, "caf\xC3\xA9", "e + acute is \"é\""},
        {"idee\xCC\x88n", 0, "ide\xC3\xABn", "e + diaeresis is \"ë\""},
        {"  No\xC3\xABl en Noe\xCC\x88l \r\n", 0, "No\xC3\xABl en No\xC3\xABl", "mixed, trimmed"},
        {"H\xC3\xA8rle", 0, "H\xC3\xA8rle", "already composed stays"},
        {"\xE2\x84\xA6", 0, "\xCE\xA9", "Ohm sign is Omega (a singleton)"},
        {"\xE0\xA5\x98", 0, "\xE0\xA4\x95\xE0\xA4\xBC", "U+0958 grows to two characters"},
        {"\xCC\x81x", 0, "\xCC\x81x", "a mark at the start stays"},
        {"e\xCC\x81\x07\xCC\x81", 0, "\xC3\xA9\xCC\x81", "NFC after controls go"},
    };
    t_normalise_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Stored readable, sent as ASCII (email_idn.h). */
static void test_email_idn(void **state)
{
    (void)state;
    static const struct {
        const char *given, *readable, *ascii;
    } cases[] = {
        {"jan@b\xc3\xbc" "cher.nl", "jan@b\xc3\xbc" "cher.nl", "jan@xn--bcher-kva.nl"},
        {"jan@xn--bcher-kva.nl", "jan@b\xc3\xbc" "cher.nl", "jan@xn--bcher-kva.nl"},
        {"Jan@B\xc3\x9c" "CHER.nl", "Jan@b\xc3\xbc" "cher.nl", "Jan@xn--bcher-kva.nl"},
        {"ali@stra\xc3\x9f" "e.de", "ali@stra\xc3\x9f" "e.de", "ali@xn--strae-oqa.de"},
        {"Jan@Example.NL", "Jan@Example.NL", "Jan@Example.NL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = email_idn_readable(cases[i].given), *a = email_idn_ascii(cases[i].given);
        assert_non_null(r);
        assert_non_null(a);
        assert_string_equal(r, cases[i].readable);
        assert_string_equal(a, cases[i].ascii);
        free(r);
        free(a);
    }
    assert_null(email_idn_ascii("jan@b\xff.nl")); /* not UTF-8 */
    assert_true(email_idn_local_ascii("jan@b\xc3\xbc" "cher.nl"));
    assert_false(email_idn_local_ascii("j\xc3\xbc" "rgen@example.de"));
}

/* The form storage files an address under: one person, one key. */
static void test_email_stored_form(void **state)
{
    (void)state;
    static const struct {
        const char *given, *stored;
    } cases[] = {
        {"  An.Jansen@Example.ORG \r\n", "an.jansen@example.org"},
        {"Jan@XN--BCHER-KVA.nl", "jan@b\xc3\xbc" "cher.nl"},
        {"jan@B\xc3\x9c" "cher.NL", "jan@b\xc3\xbc" "cher.nl"},
        {"ali@xn--strae-oqa.de", "ali@stra\xc3\x9f" "e.de"},
        /* non-ASCII bytes are left alone, not folded or broken */
        {"\xc3\x9clla@Example.de", "\xc3\x9clla@example.de"},
        {"jan@xn--zz.nl", "jan@xn--zz.nl"}, /* no valid A-label: as given */
        {"no-at-sign", "no-at-sign"},
    };
    char out[EMAIL_STORED_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *g = cases[i].given;
        assert_int_equal(email_stored_form(g, strlen(g), out, sizeof out), 0);
        assert_string_equal(out, cases[i].stored);
    }
    assert_int_equal(email_stored_form("   ", 3, out, sizeof out), -1);
    assert_int_equal(email_stored_form("", 0, out, sizeof out), -1);
    assert_int_equal(email_stored_form(NULL, 0, out, sizeof out), -1);
    assert_int_equal(email_stored_form("a@b.nl", 6, out, 6), -1); /* does not fit */
    assert_int_equal(email_stored_form("a@b.nl", 6, out, 7), 0);
    assert_int_equal(email_stored_form("a@\0b.nl", 7, out, sizeof out), -1);
    assert_int_equal(email_stored_form("a@b.nl  x", 6, out, sizeof out), 0); /* len bytes */
    assert_string_equal(out, "a@b.nl");
}

static void test_email_valid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"jan@example.nl", true},
        {"j.de.vries+inspraak@heerlen.nl", true},
        {"o'brien@mail.example.co.uk", true},
        {"x@a-b.nl", true},
        {"", false},
        {"jan", false},
        {"@example.nl", false},
        {"jan@", false},
        {"jan@localhost", false},
        {"jan@@example.nl", false},
        {"jan@ex@ample.nl", false},
        {".jan@example.nl", false},
        {"jan.@example.nl", false},
        {"ja..n@example.nl", false},
        {"jan de vries@example.nl", false},
        {"jan@example..nl", false},
        {"jan@-example.nl", false},
        {"jan@example-.nl", false},
        {"jan@example.nl.", false},
        {"jan@1.2.3.4", false},
        {"jan@exa_mple.nl", false},
        {"jan@example.nl\r\nBcc: x@y.nl", false},
        {"jan\n@example.nl", false},
        {"\"jan\"@example.nl", false},
        /* IDN domains are addresses people have; sent as xn-- (email_idn.h) */
        {"jan@b\xc3\xbc" "cher.nl", true},
        {"ali@stra\xc3\x9f" "e.de", true},
        {"jan@xn--bcher-kva.nl", true},
        {"jan@b\xc3\xbc" "cher..nl", false},
        {"jan@b\xc3\xbc cher.nl", false},
        /* a non-ASCII local part needs SMTPUTF8, which we do not send */
        {"j\xc3\xbc" "rgen@example.de", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (email_valid(cases[i].s) != cases[i].ok)
            fail_msg("email_valid wrong for \"%s\"", cases[i].s);
    assert_false(email_valid(NULL));

    /* Length limits: 64 for the local part, 254 in all. */
    char buf[400];
    memset(buf, 'a', 64);
    strcpy(buf + 64, "@example.nl");
    assert_true(email_valid(buf));
    memset(buf, 'a', 65);
    strcpy(buf + 65, "@example.nl");
    assert_false(email_valid(buf));
    /* 254 bytes: a@ + labels of 63 + ".nl" padding. */
    snprintf(buf, sizeof buf, "a@%.63s.%.63s.%.63s.%.57s.nl",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
             "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
             "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
             "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    assert_int_equal(strlen(buf), 254);
    assert_true(email_valid(buf));
    memmove(buf + 1, buf, strlen(buf) + 1); /* 255 bytes */
    assert_false(email_valid(buf));
    /* A label over 63 characters. */
    memset(buf, 'b', 64);
    buf[64] = '\0';
    char addr[512];
    snprintf(addr, sizeof addr, "a@%s.nl", buf);
    assert_false(email_valid(addr));
    /* 254 in all counts the form the mail goes to: 235 bytes as typed,
     * 259 in ASCII (4 labels "aaa...aü", each xn--aaa...a-ehf). It was
     * taken, and no receipt could ever reach it (SMTP refuses a longer
     * path; notify cut it at 300 bytes). */
    char lab[51];
    memset(lab, 'a', 50);
    lab[50] = '\0';
    snprintf(addr, sizeof addr, "jjjjjjjjjjjjjjjjjjjj@%s\xc3\xbc.%s\xc3\xbc.%s\xc3\xbc.%s\xc3\xbc.nl", lab,
             lab, lab, lab);
    assert_int_equal(strlen(addr), 235);
    char *ascii = email_idn_ascii(addr);
    assert_int_equal(strlen(ascii), 259);
    free(ascii);
    assert_false(email_valid(addr));
    /* with 5 letters fewer before the @ it fits: 254 */
    assert_true(email_valid(addr + 5));
}

static void test_postcode(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out; /* NULL: rejected */
        int pc4;
    } cases[] = {
        {"6411 AB", "6411AB", 6411}, {"6411ab", "6411AB", 6411}, {" 6411  aB ", "6411AB", 6411},
        {"6411", "6411", 6411},      {"1000AA", "1000AA", 1000}, {"9999 ZZ", "9999ZZ", 9999},
        {"0411AB", NULL, -1},        {"641AB", NULL, -1},        {"64111AB", NULL, -1},
        {"6411 A", NULL, -1},        {"6411 ABC", NULL, -1},     {"6411-AB", NULL, -1},
        {"6411 SS", NULL, -1},       {"6411 sa", NULL, -1},      {"", NULL, -1},
        {"Heerlen", NULL, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[8] = "";
        int pc4 = postcode_normalise(cases[i].in, out, sizeof out);
        if (pc4 != cases[i].pc4)
            fail_msg("postcode_normalise(\"%s\") = %d", cases[i].in, pc4);
        if (cases[i].out && strcmp(out, cases[i].out) != 0)
            fail_msg("postcode_normalise(\"%s\") wrote \"%s\"", cases[i].in, out);
    }
    char tiny[4];
    assert_int_equal(postcode_normalise("6411AB", tiny, sizeof tiny), -1);
    assert_int_equal(postcode_normalise(NULL, tiny, sizeof tiny), -1);
}

static void test_value_allowed(void **state)
{
    (void)state;
    assert_true(value_allowed("form", VALID_CHANNELS));
    assert_true(value_allowed("transcript", VALID_CHANNELS));
    assert_false(value_allowed("Form", VALID_CHANNELS));
    assert_false(value_allowed("", VALID_CHANNELS));
    assert_false(value_allowed(NULL, VALID_CHANNELS));
    assert_true(value_allowed("toekomst", VALID_QUESTIONS));
    assert_true(value_allowed("buurtorganisatie", VALID_TARGET_GROUPS));
    assert_true(value_allowed("hidden", VALID_STATUSES));
    static const char *activities[] = {"ideeenbus",
                                       "wijkgesprek",
                                       "omgevingsvisietour",
                                       "stakeholder-sessie",
                                       "buurtenconferentie",
                                       "camjo-video",
                                       "enquete",
                                       "interventie",
                                       "email"};
    for (size_t i = 0; i < sizeof activities / sizeof activities[0]; i++)
        assert_true(value_allowed(activities[i], VALID_ACTIVITIES));
    assert_false(value_allowed("ideeënbus", VALID_ACTIVITIES));
    /* a word inside a longer text, ASCII case ignored, the length exact */
    static const char *const tld[] = {"nl", "com", NULL};
    assert_false(value_listed_nocase("nl", 0, tld));
    assert_true(value_listed_nocase("NL/x", 2, tld));
    assert_true(value_listed_nocase("Com", 3, tld));
    assert_false(value_listed_nocase("co", 2, tld));
    assert_false(value_listed_nocase("nlx", 3, tld));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),     cmocka_unit_test(test_utf8_chars),
        cmocka_unit_test(test_text_normalise), cmocka_unit_test(test_email_valid),
        cmocka_unit_test(test_email_idn), cmocka_unit_test(test_email_stored_form),
        cmocka_unit_test(test_utf8_every_offset), cmocka_unit_test(test_text_normalise_grows),
        cmocka_unit_test(test_text_normalise_nfc),
        cmocka_unit_test(test_postcode),       cmocka_unit_test(test_value_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
