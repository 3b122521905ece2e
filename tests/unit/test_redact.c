/*
 * NAME
 *   test_redact - cutting personal data out of a text (common/redact.c)
 *   and the "redact" request on the bus (proto/redact_msg.c)
 *
 * DESCRIPTION
 *   What staff would check: the phone number or address is gone and the
 *   marker says what was there; what the classifier flags, the finder
 *   finds (and after cutting, the classifier flags nothing); a hand-typed
 *   name goes wherever it stands as a word, whatever its ASCII case; doing
 *   it twice changes nothing; spans that are outside the text, cut a UTF-8
 *   character or come in absurd numbers get an error, and so does a
 *   malformed request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "redact.h"
#include "redact_msg.h"
#include "xalloc.h"

static char *s_cut(const char *text, const char *kind, const char *needle, int *n)
{
    redact_spans_t *sp = xcalloc(1, sizeof(*sp));
    char err[200] = "", *out = NULL;
    if (kind)
        assert_true(redact_find_kind(text, kind, sp, err, sizeof err) >= 0);
    if (needle)
        assert_true(redact_find_text(text, needle, sp, err, sizeof err) >= 0);
    *n = redact_apply(text, sp, &out, err, sizeof err);
    assert_true(*n >= 0);
    free(sp);
    return out;
}

static void test_markers(void **state)
{
    (void)state;
    assert_string_equal(redact_marker("phone"), "[weggehaald: telefoonnummer]");
    assert_string_equal(redact_marker("email"), "[weggehaald: e-mailadres]");
    assert_string_equal(redact_marker("iban"), "[weggehaald: rekeningnummer]");
    assert_string_equal(redact_marker("postcode"), "[weggehaald: adres]");
    assert_string_equal(redact_marker("name"), "[weggehaald: naam]");
    assert_string_equal(redact_marker(NULL), "[weggehaald]");
    assert_string_equal(redact_marker("bsn"), "[weggehaald]");
    /* every kind the classifier flags can be cut, and nothing else */
    for (size_t i = 0; CLASSIFY_PII_KINDS[i]; i++)
        assert_true(redact_kind_known(CLASSIFY_PII_KINDS[i]));
    assert_false(redact_kind_known("bsn"));
    assert_false(redact_kind_known(NULL));
    assert_string_equal(redact_kind_label("email"), "e-mailadres");
    assert_string_equal(redact_kind_label("iban"), "IBAN (rekeningnummer)");
    assert_string_equal(redact_kind_label("postcode"), "adres (straat of postcode met huisnummer)");
    assert_string_equal(redact_kind_label("name"), "naam");
}

static const char *const PHONES[] = {
    "Bel mij op 06-12345678 als het kan",
    "mijn nummer: 06 1234 5678.",
    "(045) 123 45 67 is het kantoor",
    "bereikbaar via +31 6 12345678",
    "of +31(0)45-1234567!",
    "0031 45 1234567",
    "twee: 06-11111111 en 045-2222222",
    "bel 06.12.34.56.78 na zessen",
};
static const char *const NOT_PHONES[] = {
    "IBAN NL91ABNA0417164300 graag",
    "bestelling 061234567890 is weg",
    "op 01-02-2026 10:00 was het druk",
    "ik woon op nummer 12",
};

static void test_phone_agrees_with_classifier(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PHONES / sizeof PHONES[0]; i++) {
        assert_true(classify_pii_has_phone(PHONES[i]));
        int n = 0;
        char *out = s_cut(PHONES[i], "phone", NULL, &n);
        assert_true(n >= 1);
        assert_non_null(strstr(out, "[weggehaald: telefoonnummer]"));
        assert_false(classify_pii_has_phone(out));
        free(out);
    }
    for (size_t i = 0; i < sizeof NOT_PHONES / sizeof NOT_PHONES[0]; i++) {
        assert_false(classify_pii_has_phone(NOT_PHONES[i]));
        int n = -1;
        char *out = s_cut(NOT_PHONES[i], "phone", NULL, &n);
        assert_int_equal(n, 0);
        assert_string_equal(out, NOT_PHONES[i]);
        free(out);
    }
    int n = 0;
    char *out = s_cut("Bel 06-12345678 of (045) 123 45 67.", "phone", NULL, &n);
    assert_int_equal(n, 2);
    assert_string_equal(out, "Bel [weggehaald: telefoonnummer] of [weggehaald: telefoonnummer].");
    free(out);
}

static void test_email_agrees_with_classifier(void **state)
{
    (void)state;
    static const char *const yes[] = {"mail jan.jansen@example.nl maar",
                                      "<p.de-vries+inspraak@mail.heerlen.nl>",
                                      "a@b.cd en x_y@z.example.org"};
    for (size_t i = 0; i < 3; i++) {
        assert_true(classify_pii_has_email(yes[i]));
        int n = 0;
        char *out = s_cut(yes[i], "email", NULL, &n);
        assert_true(n >= 1);
        assert_false(classify_pii_has_email(out));
        assert_null(strchr(out, '@'));
        free(out);
    }
    int n = 0;
    char *out = s_cut("mail jan.jansen@example.nl, dank!", "email", NULL, &n);
    assert_int_equal(n, 1);
    assert_string_equal(out, "mail [weggehaald: e-mailadres], dank!");
    free(out);
    /* Not an address: no domain label of letters. */
    out = s_cut("prijs 3@4.5 en @home", "email", NULL, &n);
    assert_int_equal(n, 0);
    free(out);
}

/* IBAN, address and name: what the classifier flags (without its word
 * lists, as storage runs it), the finder cuts, and then nothing is left
 * to flag. */
static void test_new_kinds_agree_with_classifier(void **state)
{
    (void)state;
    static const struct {
        const char *kind, *text, *marker;
    } yes[] = {
        {"iban", "Stort het op NL91 ABNA 0417 1643 00 graag", "[weggehaald: rekeningnummer]"},
        {"iban", "iban nl91abna0417164300", "[weggehaald: rekeningnummer]"},
        {"postcode", "Akerstraat 12, 6411 AB Heerlen", "[weggehaald: adres]"},
        {"postcode", "bij 6411AB 12a aanbellen", "[weggehaald: adres]"},
        {"name", "Mijn naam is Anna de Vries.", "[weggehaald: naam]"},
        {"name", "Ik ben Jan en ik wil een bankje", "[weggehaald: naam]"},
        {"name", "Met vriendelijke groet,\nPiet Jansen", "[weggehaald: naam]"},
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        assert_true(classify_pii_has(yes[i].text, yes[i].kind, NULL));
        int n = 0;
        char *out = s_cut(yes[i].text, yes[i].kind, NULL, &n);
        assert_int_equal(n, 1);
        assert_non_null(strstr(out, yes[i].marker));
        for (size_t k = 0; CLASSIFY_PII_KINDS[k]; k++)
            assert_false(classify_pii_has(out, CLASSIFY_PII_KINDS[k], NULL));
        char *again = s_cut(out, yes[i].kind, NULL, &n); /* idempotent */
        assert_int_equal(n, 0);
        assert_string_equal(again, out);
        free(again);
        free(out);
    }
    static const char *const no[][2] = {
        {"iban", "Stort het op NL92 ABNA 0417 1643 00 graag"}, /* check digits wrong */
        {"postcode", "In 6411 AB is de stoep kapot"},          /* no house number */
        {"name", "Ik ben boos en ik ben 70 jaar"},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        int n = -1;
        char *out = s_cut(no[i][1], no[i][0], NULL, &n);
        assert_int_equal(n, 0);
        assert_string_equal(out, no[i][1]);
        free(out);
    }
    /* All three in one text, cut by one request each. */
    const char *t = "Mijn naam is Anna de Vries, Akerstraat 12, 6411 AB Heerlen. IBAN NL91 ABNA "
                    "0417 1643 00.";
    redact_spans_t *sp = xcalloc(1, sizeof(*sp));
    char err[200], *out = NULL;
    assert_int_equal(redact_find_kind(t, "name", sp, err, sizeof err), 1);
    assert_int_equal(redact_find_kind(t, "postcode", sp, err, sizeof err), 1);
    assert_int_equal(redact_find_kind(t, "iban", sp, err, sizeof err), 1);
    assert_int_equal(redact_apply(t, sp, &out, err, sizeof err), 3);
    assert_string_equal(out, "Mijn naam is [weggehaald: naam], [weggehaald: adres] Heerlen. IBAN "
                             "[weggehaald: rekeningnummer].");
    free(out);
    free(sp);
}

static void test_hand_typed_whole_words_any_case(void **state)
{
    (void)state;
    int n = 0;
    char *out = s_cut("Ik ben Jan Jansen. JAN JANSEN woont in Januari-straat; jan jansens niet.",
                      NULL, "jan jansen", &n);
    assert_int_equal(n, 2);
    assert_string_equal(
        out, "Ik ben [weggehaald]. [weggehaald] woont in Januari-straat; jan jansens niet.");
    free(out);
    /* A letter outside ASCII next to it makes it part of a longer word. */
    out = s_cut("Jané en Jan", NULL, "Jan", &n);
    assert_int_equal(n, 1);
    assert_string_equal(out, "Jané en [weggehaald]");
    free(out);
    /* UTF-8 needles are matched byte for byte. */
    out = s_cut("Groeten van Anaïs uit Heerlen", NULL, "Anaïs", &n);
    assert_int_equal(n, 1);
    assert_string_equal(out, "Groeten van [weggehaald] uit Heerlen");
    free(out);
    /* A needle that starts with punctuation has no word rule on that side. */
    out = s_cut("zie @janj op straat", NULL, "@janj", &n);
    assert_int_equal(n, 1);
    free(out);
}

static void test_twice_changes_nothing(void **state)
{
    (void)state;
    int n = 0;
    char *once = s_cut("Bel 06-12345678, groet Piet Weggehaald", "phone", "Piet Weggehaald", &n);
    assert_int_equal(n, 2);
    /* The markers themselves are never found again, not even by a needle
     * that is their own word. */
    char *twice = s_cut(once, "phone", "Piet Weggehaald", &n);
    assert_int_equal(n, 0);
    assert_string_equal(once, twice);
    free(twice);
    twice = s_cut(once, NULL, "weggehaald", &n);
    assert_int_equal(n, 0);
    free(twice);
    twice = s_cut(once, NULL, "telefoonnummer", &n);
    assert_int_equal(n, 0);
    free(twice);
    free(once);
    /* A fake marker start does not shield what follows it. */
    char *fake = s_cut("[weggehaald Jan Jansen", NULL, "Jan Jansen", &n);
    assert_int_equal(n, 1);
    assert_string_equal(fake, "[weggehaald [weggehaald]");
    free(fake);
}

static int s_apply(const char *text, const redact_span_t *v, int n, char **out, char *err)
{
    redact_spans_t *sp = xcalloc(1, sizeof(*sp));
    memcpy(sp->v, v, sizeof(*v) * (size_t)n);
    sp->n = n;
    int rc = redact_apply(text, sp, out, err, 200);
    free(sp);
    return rc;
}

static void test_offsets_and_utf8_boundaries(void **state)
{
    (void)state;
    const char *t = "café 123"; /* é is bytes 3..4 */
    char err[200], *out = NULL;
    redact_span_t ok[] = {{0, 5, NULL}};
    assert_int_equal(s_apply(t, ok, 1, &out, err), 1);
    assert_string_equal(out, "[weggehaald] 123");
    free(out);
    redact_span_t whole[] = {{0, strlen(t), NULL}};
    assert_int_equal(s_apply(t, whole, 1, &out, err), 1);
    assert_string_equal(out, "[weggehaald]");
    free(out);
    redact_span_t inside[] = {{4, 2, NULL}};
    assert_int_equal(s_apply(t, inside, 1, &out, err), -1);
    assert_null(out);
    assert_non_null(strstr(err, "UTF-8"));
    redact_span_t ends_inside[] = {{0, 4, NULL}};
    assert_int_equal(s_apply(t, ends_inside, 1, &out, err), -1);
    assert_non_null(strstr(err, "UTF-8"));
    redact_span_t outside[] = {{7, 5, NULL}};
    assert_int_equal(s_apply(t, outside, 1, &out, err), -1);
    assert_non_null(strstr(err, "outside"));
    redact_span_t empty[] = {{2, 0, NULL}};
    assert_int_equal(s_apply(t, empty, 1, &out, err), -1);
    redact_span_t huge[] = {{SIZE_MAX - 2, 10, NULL}};
    assert_int_equal(s_apply(t, huge, 1, &out, err), -1);
    redact_span_t wrap[] = {{2, SIZE_MAX, NULL}};
    assert_int_equal(s_apply(t, wrap, 1, &out, err), -1);
    assert_null(out);
}

static void test_overlapping_spans_make_one_marker(void **state)
{
    (void)state;
    char err[200], *out = NULL;
    const char *t = "0612345678@mail.example.nl en verder";
    redact_spans_t *sp = xcalloc(1, sizeof(*sp));
    assert_int_equal(redact_find_kind(t, "email", sp, err, sizeof err), 1);
    assert_int_equal(redact_find_kind(t, "phone", sp, err, sizeof err), 1);
    assert_int_equal(redact_apply(t, sp, &out, err, sizeof err), 1);
    assert_string_equal(out, "[weggehaald] en verder"); /* two kinds: no kind named */
    free(out);
    free(sp);
    /* Same kind nested and unsorted: one marker that keeps its kind;
     * touching spans stay two. */
    redact_span_t v[] = {{6, 3, "phone"}, {4, 10, "phone"}, {0, 2, NULL}, {2, 2, NULL}};
    assert_int_equal(s_apply("abcdefghijklmnop", v, 4, &out, err), 3);
    assert_string_equal(out, "[weggehaald][weggehaald][weggehaald: telefoonnummer]op");
    free(out);
}

static void test_absurd_counts_are_refused(void **state)
{
    (void)state;
    char err[200] = "", *out = NULL;
    redact_spans_t *sp = xcalloc(1, sizeof(*sp));
    sp->n = REDACT_MAX_SPANS + 1;
    assert_int_equal(redact_apply("abc", sp, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, "spans"));
    sp->n = -3;
    assert_int_equal(redact_apply("abc", sp, &out, err, sizeof err), -1);
    /* 300 places of one word in a field: refused, not silently half done. */
    size_t len = 300 * 3;
    char *many = xmalloc(len + 1);
    for (size_t i = 0; i < 300; i++)
        memcpy(many + 3 * i, "ab ", 3);
    many[len] = '\0';
    sp->n = 0;
    assert_int_equal(redact_find_text(many, "ab", sp, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than 256"));
    free(many);
    free(sp);
}

static void test_needle_limits(void **state)
{
    (void)state;
    char err[200];
    assert_int_equal(redact_needle_check("ab", err, sizeof err), 0);
    assert_int_equal(redact_needle_check("Jan Jansen", err, sizeof err), 0);
    assert_int_equal(redact_needle_check("a", err, sizeof err), -1);
    assert_non_null(strstr(err, "too short"));
    assert_int_equal(redact_needle_check("é", err, sizeof err), -1); /* 2 bytes, 1 character */
    assert_int_equal(redact_needle_check("", err, sizeof err), -1);
    assert_int_equal(redact_needle_check(NULL, err, sizeof err), -1);
    assert_int_equal(redact_needle_check(" Jan", err, sizeof err), -1);
    assert_int_equal(redact_needle_check("Jan\n", err, sizeof err), -1);
    assert_int_equal(redact_needle_check("J\x01n", err, sizeof err), -1);
    assert_int_equal(redact_needle_check("ab\xc3", err, sizeof err), -1);
    char big[REDACT_NEEDLE_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(redact_needle_check(big, err, sizeof err), -1);
    big[REDACT_NEEDLE_MAX] = '\0';
    assert_int_equal(redact_needle_check(big, err, sizeof err), 0);
    /* The form's maxlength counts characters: 200 accented ones (400
     * bytes) are what a browser lets staff type, 201 are not. */
    char acc[2 * REDACT_NEEDLE_MAX + 3];
    for (int i = 0; i <= REDACT_NEEDLE_MAX; i++)
        memcpy(acc + 2 * i, "\xc3\xa9", 2);
    acc[2 * REDACT_NEEDLE_MAX + 2] = '\0';
    assert_int_equal(redact_needle_check(acc, err, sizeof err), -1);
    acc[2 * REDACT_NEEDLE_MAX] = '\0';
    assert_int_equal(redact_needle_check(acc, err, sizeof err), 0);
}

static void test_redact_idea_fields_and_flags(void **state)
{
    (void)state;
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.text, "Bel 06-12345678 of mail piet@example.nl. Groet, Piet Puk");
    proto_set(&idea.title, "Piet Puk: 045-1234567");
    proto_set(&idea.source.subject, "Idee van Piet Puk");
    idea_add_pii(&idea, "email");
    idea_add_pii(&idea, "phone");
    idea_add_pii(&idea, "bsn");
    redact_msg_t m;
    redact_msg_init(&m);
    assert_int_equal(redact_msg_add_kind(&m, "phone"), 0);
    assert_int_equal(redact_msg_add_text(&m, "Piet Puk"), 0);
    char err[200];
    assert_int_equal(redact_idea(&idea, &m, err, sizeof err), 5);
    assert_string_equal(idea.text,
                        "Bel [weggehaald: telefoonnummer] of mail piet@example.nl. Groet, "
                        "[weggehaald]");
    assert_string_equal(idea.title, "[weggehaald]: [weggehaald: telefoonnummer]");
    assert_string_equal(idea.source.subject, "Idee van [weggehaald]");
    /* phone is gone, the address is still there, bsn is not ours to judge */
    assert_int_equal(idea.n_pii, 2);
    assert_string_equal(idea.pii[0], "email");
    assert_string_equal(idea.pii[1], "bsn");
    assert_int_equal(redact_idea(&idea, &m, err, sizeof err), 0); /* replay */
    redact_msg_clear(&m);
    /* An unknown kind changes nothing at all. */
    redact_msg_add_kind(&m, "email");
    redact_msg_add_kind(&m, "bsn");
    assert_int_equal(redact_idea(&idea, &m, err, sizeof err), -1);
    assert_non_null(strstr(idea.text, "piet@example.nl"));
    redact_msg_clear(&m);
    redact_msg_add_kind(&m, "email");
    assert_int_equal(redact_idea(&idea, &m, err, sizeof err), 1);
    assert_int_equal(idea.n_pii, 1);
    assert_null(strstr(idea.text, "piet@"));
    redact_msg_clear(&m);
    idea_clear(&idea);
}

/* A name in the interviewer's question (source.context) keeps its flag
 * while another kind is cut, and goes with it once cut. */
static void test_redact_idea_context_flag(void **state)
{
    (void)state;
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.text, "Bel me op 06-12345678 over het park.");
    proto_set(&idea.source.context, "Mevrouw Jansen, wat vindt u van het park?");
    idea_add_pii(&idea, "phone");
    idea_add_pii(&idea, "name");
    redact_msg_t m;
    redact_msg_init(&m);
    redact_msg_add_kind(&m, "phone");
    char err[200];
    assert_int_equal(redact_idea(&idea, &m, err, sizeof err), 1);
    assert_int_equal(idea.n_pii, 1);
    assert_string_equal(idea.pii[0], "name");
    redact_msg_clear(&m);
    redact_msg_add_kind(&m, "name");
    assert_int_equal(redact_idea(&idea, &m, err, sizeof err), 1);
    assert_string_equal(idea.source.context,
                        "Mevrouw [weggehaald: naam], wat vindt u van het park?");
    assert_int_equal(idea.n_pii, 0);
    redact_msg_clear(&m);
    idea_clear(&idea);
}

static void test_msg_round_trip_through_an_envelope(void **state)
{
    (void)state;
    idea_t upd;
    idea_init(&upd);
    proto_set(&upd.id, "f-0123456789abcdef");
    redact_msg_t m, got;
    redact_msg_init(&m);
    redact_msg_add_kind(&m, "phone");
    redact_msg_add_kind(&m, "phone"); /* a repeat is ignored */
    redact_msg_add_text(&m, "Jan Jansen");
    proto_err_t perr;
    assert_int_equal(redact_msg_put(&upd, &m, &perr), 0);
    assert_int_equal(redact_msg_put(&upd, &m, &perr), 0); /* replaces, no second key */
    assert_int_equal(upd.extra.count, 1);
    envelope_t e, d;
    envelope_init(&e);
    e.version = PROTO_VERSION;
    e.type = ENV_UPDATE;
    proto_set(&e.id, "m-1");
    e.idea = &upd;
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(envelope_encode(&e, &buf, &len, &perr), 0);
    e.idea = NULL;
    envelope_clear(&e);
    envelope_init(&d);
    assert_int_equal(envelope_decode(buf, len, &d, &perr), 0);
    free(buf);
    /* An old reader sees an update without a status: not a moderation. */
    assert_null(d.idea->status);
    redact_msg_init(&got);
    assert_int_equal(redact_msg_get(d.idea, &got, &perr), 1);
    assert_int_equal(got.n_kinds, 1);
    assert_string_equal(got.kinds[0], "phone");
    assert_int_equal(got.n_texts, 1);
    assert_string_equal(got.texts[0], "Jan Jansen");
    redact_msg_clear(&got);
    envelope_clear(&d);
    redact_msg_clear(&m);
    idea_clear(&upd);
}

/* upd.extra = one pair "redact" -> the given packed value. */
static int s_get_raw(const char *val, size_t vlen, proto_err_t *perr)
{
    idea_t upd;
    idea_init(&upd);
    upd.extra.buf = xmalloc(7 + vlen);
    memcpy(upd.extra.buf, "\xa6redact", 7);
    memcpy(upd.extra.buf + 7, val, vlen);
    upd.extra.len = 7 + vlen;
    upd.extra.count = 1;
    redact_msg_t m;
    redact_msg_init(&m);
    int rc = redact_msg_get(&upd, &m, perr);
    if (rc == 1)
        assert_true(m.n_kinds + m.n_texts > 0);
    else
        assert_int_equal(m.n_kinds + m.n_texts, 0);
    redact_msg_clear(&m);
    idea_clear(&upd);
    return rc;
}

static void test_msg_malformed_is_refused(void **state)
{
    (void)state;
    proto_err_t perr;
    idea_t none;
    idea_init(&none);
    redact_msg_t m;
    redact_msg_init(&m);
    assert_int_equal(redact_msg_get(&none, &m, &perr), 0);
    /* {"kinds": ["phone"], "later": 1}: an unknown key is tolerated */
    assert_int_equal(s_get_raw("\x82\xa5kinds\x91\xa5phone\xa5later\x01", 21, &perr), 1);
    assert_int_equal(s_get_raw("\xa1x", 2, &perr), -1); /* not a map */
    assert_string_equal(perr.code, "bad_field");
    assert_int_equal(s_get_raw("\x80", 1, &perr), -1); /* neither kinds nor texts */
    assert_int_equal(s_get_raw("\x81\xa5kinds\x91\x07", 9, &perr), -1);          /* int, not str */
    assert_int_equal(s_get_raw("\x81\xa5texts\x91\xa0", 9, &perr), -1);          /* empty text */
    assert_int_equal(s_get_raw("\x81\xa5texts\x91\xa2\xc3\x28", 11, &perr), -1); /* not UTF-8 */
    /* nine kinds: over the limit */
    char nine[7 + 9 * 3];
    memcpy(nine, "\x81\xa5kinds\x99", 8);
    for (int i = 0; i < 9; i++)
        memcpy(nine + 8 + 2 * i, "\xa1z", 2);
    assert_int_equal(s_get_raw(nine, 8 + 18, &perr), -1);
    /* a declared count the bytes cannot hold */
    assert_int_equal(s_get_raw("\x81\xa5kinds\xdd\xff\xff\xff\xff", 12, &perr), -1);
    assert_int_equal(redact_msg_add_text(&m, ""), -1);
    for (int i = 0; i < REDACT_MSG_MAX_TEXTS; i++) {
        char t[16];
        snprintf(t, sizeof t, "t%d", i);
        assert_int_equal(redact_msg_add_text(&m, t), 0);
    }
    assert_int_equal(redact_msg_add_text(&m, "one too many"), -1);
    redact_msg_clear(&m);
}

/* The name erase cuts: trimmed; none when empty, too short, or with a
 * NUL byte inside (a Redis value can hold one). */
static void test_name_needle(void **state)
{
    (void)state;
    char *n = redact_name_needle(" \tJan Smeets\r\n", 14);
    assert_non_null(n);
    assert_string_equal(n, "Jan Smeets");
    free(n);
    assert_null(redact_name_needle(NULL, 0));
    assert_null(redact_name_needle("", 0));
    assert_null(redact_name_needle("   ", 3));
    assert_null(redact_name_needle(" J ", 3));
    assert_null(redact_name_needle("Jan\0Smeets", 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_phone_agrees_with_classifier),
        cmocka_unit_test(test_email_agrees_with_classifier),
        cmocka_unit_test(test_new_kinds_agree_with_classifier),
        cmocka_unit_test(test_hand_typed_whole_words_any_case),
        cmocka_unit_test(test_twice_changes_nothing),
        cmocka_unit_test(test_offsets_and_utf8_boundaries),
        cmocka_unit_test(test_overlapping_spans_make_one_marker),
        cmocka_unit_test(test_absurd_counts_are_refused),
        cmocka_unit_test(test_needle_limits),
        cmocka_unit_test(test_name_needle),
        cmocka_unit_test(test_redact_idea_fields_and_flags),
        cmocka_unit_test(test_redact_idea_context_flag),
        cmocka_unit_test(test_msg_round_trip_through_an_envelope),
        cmocka_unit_test(test_msg_malformed_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
