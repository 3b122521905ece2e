/*
 * NAME
 *   test_form - the idea box's checks, JSON mapping, envelope, pages, rate limit
 *
 * DESCRIPTION
 *   The pure parts of services/intake-form/, included here as source
 *   because the Makefile links unit tests only with the common library.
 *   Runs from the repository root; the geo data is INSPRAAK_DATA or ./data
 *   (the same convention as test_geo).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/intake-form/form_validate.c"
#include "../../services/intake-form/pages.c"
#include "../../services/intake-form/ratelimit.c"

static geo_t *s_geo;

static const char *s_data_dir(void)
{
    const char *d = getenv("INSPRAAK_DATA");
    return d && *d ? d : "./data";
}

static int s_setup(void **state)
{
    (void)state;
    char err[256];
    s_geo = geo_load(s_data_dir(), err, sizeof err);
    if (!s_geo)
        fprintf(stderr, "geo_load: %s\n", err);
    return s_geo ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    geo_destroy(&s_geo);
    return 0;
}

/* A form from HTML fields given as name, value, name, value, ..., NULL. */
static void s_form(form_t *f, ...)
{
    form_init(f);
    va_list ap;
    va_start(ap, f);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        form_set(f, k, v, strlen(v));
    }
    va_end(ap);
}

static void test_minimal_idea(void **state)
{
    (void)state;
    form_t f;
    s_form(&f, "tekst", "  Meer bomen in de Akerstraat  \r\n\r\n", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_int_equal(f.n_errors, 0);
    assert_string_equal(f.clean[FORM_TEXT], "Meer bomen in de Akerstraat");
    assert_string_equal(f.clean[FORM_TARGET_GROUP], "inwoner");
    assert_null(f.clean[FORM_TITLE]);
    assert_null(f.clean[FORM_WIJK]);
    assert_null(f.clean[FORM_QUESTION]);
    assert_null(f.clean[FORM_EMAIL]);
    form_clear(&f);
}

static void test_text_rules(void **state)
{
    (void)state;
    form_t f;
    const char *bad[] = {NULL, "", "   \n\t ", "ab"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (bad[i])
            s_form(&f, "tekst", bad[i], NULL);
        else
            s_form(&f, NULL);
        assert_int_equal(form_validate(&f, s_geo), -1);
        assert_non_null(f.err[FORM_TEXT]);
        form_clear(&f);
    }
    s_form(&f, "tekst", "", NULL);
    form_validate(&f, s_geo);
    assert_string_equal(f.err[FORM_TEXT], "Vul uw idee in.");
    form_clear(&f);

    /* 10000 characters of two bytes each is fine, one more is not. */
    char *big = malloc(2 * 10001 + 1);
    for (int i = 0; i < 10001; i++)
        memcpy(big + 2 * i, "\xc3\xa9", 2);
    big[2 * 10000] = '\0';
    s_form(&f, "tekst", big, NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    form_clear(&f);
    big[2 * 10000] = '\xc3';
    big[2 * 10001] = '\0';
    s_form(&f, "tekst", big, NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_string_equal(f.err[FORM_TEXT], "Uw idee is te lang. Gebruik maximaal 10.000 tekens.");
    form_clear(&f);
    free(big);

    s_form(&f, "tekst", "caf\xc3 ok", NULL); /* broken UTF-8 */
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_non_null(f.err[FORM_TEXT]);
    form_clear(&f);

    form_init(&f); /* a NUL byte inside a form value */
    form_set(&f, "tekst", "Meer\0bomen", 10);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_non_null(f.err[FORM_TEXT]);
    form_clear(&f);
}

static void test_title_and_name(void **state)
{
    (void)state;
    form_t f;
    s_form(&f, "tekst", "Een speeltuin", "titel", " Speel\r\nplek ", "naam", "Anna de Vries", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_string_equal(f.clean[FORM_TITLE], "Speel plek");
    assert_string_equal(f.clean[FORM_NAME], "Anna de Vries");
    form_clear(&f);

    char longer[202];
    memset(longer, 'x', 201);
    longer[201] = '\0';
    s_form(&f, "tekst", "Een speeltuin", "titel", longer, "naam", longer, NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_int_equal(f.n_errors, 2);
    assert_non_null(f.err[FORM_TITLE]);
    assert_non_null(f.err[FORM_NAME]);
    form_clear(&f);
}

static void test_wijk(void **state)
{
    (void)state;
    form_t f;
    const char *ok[][2] = {{"WK091733", "WK091733"},
                           {"wk091710", "WK091710"},
                           {"  Wk091712 ", "WK091712"},
                           {"Heerlen-Centrum", "WK091733"},
                           {"mariarade", "WK091711"},
                           {"Terschuren", "WK091710"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        s_form(&f, "tekst", "Meer bankjes", "wijk", ok[i][0], NULL);
        assert_int_equal(form_validate(&f, s_geo), 0);
        assert_string_equal(f.clean[FORM_WIJK], ok[i][1]);
        form_clear(&f);
    }
    s_form(&f, "tekst", "Meer bankjes", "wijk", "", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_null(f.clean[FORM_WIJK]);
    form_clear(&f);

    s_form(&f, "tekst", "Meer bankjes", "wijk", "Amsterdam-Noord", NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_string_equal(f.err[FORM_WIJK], "Deze wijk kennen we niet. Kies een wijk uit de lijst.");
    form_clear(&f);
    /* A place two wijken start with: the resident is told which ones,
     * by name, as geo_wijk_lookup takes "Heerlerheide" for the one it
     * starts. */
    s_form(&f, "tekst", "Meer bankjes", "wijk", " heerlerbaan ", NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_string_equal(f.err[FORM_WIJK], "Er zijn twee wijken met Heerlerbaan in de naam: "
                                          "Heerlerbaan-Centrum en Heerlerbaan-Schil. Kies een "
                                          "van deze wijken uit de lijst.");
    form_clear(&f);
    s_form(&f, "tekst", "Meer bankjes", "wijk", "Heerlerheide", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_string_equal(f.clean[FORM_WIJK], "WK091721");
    form_clear(&f);
    /* The shape of a code is not enough when the table is known. */
    s_form(&f, "tekst", "Meer bankjes", "wijk", "WK091799", NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_non_null(f.err[FORM_WIJK]);
    form_clear(&f);

    /* Without geo data only the shape of a code can be checked. */
    s_form(&f, "tekst", "Meer bankjes", "wijk", "wk091799", NULL);
    assert_int_equal(form_validate(&f, NULL), 0);
    assert_string_equal(f.clean[FORM_WIJK], "WK091799");
    form_clear(&f);
    s_form(&f, "tekst", "Meer bankjes", "wijk", "Heerlen-Centrum", NULL);
    assert_int_equal(form_validate(&f, NULL), -1);
    assert_non_null(f.err[FORM_WIJK]);
    form_clear(&f);
}

static void test_postcode_question_group(void **state)
{
    (void)state;
    form_t f;
    s_form(&f, "tekst", "Meer bankjes", "postcode", " 6411 ab ", "vraag", "Toekomst", "doelgroep",
           "buurtorganisatie", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_string_equal(f.clean[FORM_POSTCODE], "6411AB");
    assert_string_equal(f.clean[FORM_QUESTION], "toekomst");
    assert_string_equal(f.clean[FORM_TARGET_GROUP], "buurtorganisatie");
    form_clear(&f);

    /* A postcode outside Heerlen is kept. */
    s_form(&f, "tekst", "Meer bankjes", "postcode", "1012AB", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_string_equal(f.clean[FORM_POSTCODE], "1012AB");
    form_clear(&f);

    s_form(&f, "tekst", "Meer bankjes", "postcode", "Heerlen", "vraag", "gisteren", "doelgroep",
           "toerist", NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_int_equal(f.n_errors, 3);
    assert_non_null(f.err[FORM_POSTCODE]);
    assert_non_null(f.err[FORM_QUESTION]);
    assert_non_null(f.err[FORM_TARGET_GROUP]);
    assert_null(f.err[FORM_TEXT]);
    form_clear(&f);
}

static void test_email_and_consent(void **state)
{
    (void)state;
    form_t f;
    s_form(&f, "tekst", "Meer bankjes", "toestemming", "ja", NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_string_equal(f.err[FORM_EMAIL], "Vul uw e-mailadres in als u bericht wilt krijgen.");
    form_clear(&f);

    s_form(&f, "tekst", "Meer bankjes", "email", "anna@@voorbeeld", NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_non_null(f.err[FORM_EMAIL]);
    form_clear(&f);

    s_form(&f, "tekst", "Meer bankjes", "email", " anna@voorbeeld.nl ", "toestemming", "ja", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_true(f.consent);
    assert_string_equal(f.clean[FORM_EMAIL], "anna@voorbeeld.nl");
    form_clear(&f);
}

static void test_honeypot_and_key_fields(void **state)
{
    (void)state;
    form_t f;
    s_form(&f, "tekst", "Koop nu", "website", "http://spam.example", "sleutel", "abc123",
           "onbekend_veld", "x", NULL);
    assert_true(f.honeypot);
    assert_string_equal(f.key, "abc123");
    form_clear(&f);
    s_form(&f, "tekst", "Goed idee", "website", "", NULL);
    assert_false(f.honeypot);
    form_clear(&f);
}

static void test_key_valid(void **state)
{
    (void)state;
    char k[202];
    memset(k, 'k', 201);
    k[201] = '\0';
    assert_false(form_key_valid(k));
    k[200] = '\0';
    assert_true(form_key_valid(k));
    assert_true(form_key_valid("order-2026-11-28_01"));
    assert_false(form_key_valid(NULL));
    assert_false(form_key_valid(""));
    assert_false(form_key_valid("tab\there"));
    assert_false(form_key_valid("caf\xc3\xa9"));
}

static json_t *s_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    assert_non_null(j);
    return j;
}

static void test_json_mapping(void **state)
{
    (void)state;
    form_t f;
    form_init(&f);
    json_t *j = s_json("{\"text\": \"Meer groen op het Pancratiusplein\", \"title\": \"Groen\","
                       " \"wijk\": \"WK091733\", \"postcode\": \"6411 HA\", \"question\": \"nu\","
                       " \"target_group\": \"professional\", \"name\": \"Piet\","
                       " \"email\": \"piet@voorbeeld.nl\", \"consent\": {\"feedback\": true},"
                       " \"extra\": [1, 2, 3]}");
    assert_int_equal(form_from_json(&f, j), 0);
    json_decref(j);
    assert_int_equal(form_validate(&f, s_geo), 0);
    assert_string_equal(f.clean[FORM_TEXT], "Meer groen op het Pancratiusplein");
    assert_string_equal(f.clean[FORM_WIJK], "WK091733");
    assert_string_equal(f.clean[FORM_POSTCODE], "6411HA");
    assert_string_equal(f.clean[FORM_QUESTION], "nu");
    assert_string_equal(f.clean[FORM_TARGET_GROUP], "professional");
    assert_true(f.consent);
    form_clear(&f);

    /* Wrong types: an error on that field, named with the API names. */
    j = s_json("{\"text\": 42, \"title\": null, \"consent\": {\"feedback\": \"ja\"}}");
    assert_int_equal(form_from_json(&f, j), 0);
    json_decref(j);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_string_equal(f.err[FORM_TEXT], "Dit veld moet een tekst zijn.");
    assert_non_null(f.err[FORM_CONSENT]);
    assert_null(f.err[FORM_TITLE]);
    json_t *errs = form_errors_json(&f);
    assert_int_equal(json_object_size(errs), 2);
    assert_string_equal(json_string_value(json_object_get(errs, "text")),
                        "Dit veld moet een tekst zijn.");
    assert_non_null(json_object_get(errs, "consent"));
    json_decref(errs);
    form_clear(&f);

    j = s_json("{\"text\": \"Goed plan\", \"consent\": true}");
    form_from_json(&f, j);
    json_decref(j);
    assert_int_equal(form_validate(&f, s_geo), -1);
    assert_non_null(f.err[FORM_CONSENT]);
    form_clear(&f);

    j = s_json("[\"text\"]");
    assert_int_equal(form_from_json(&f, j), -1);
    json_decref(j);
    form_clear(&f);
}

static void test_envelope(void **state)
{
    (void)state;
    form_t f;
    s_form(&f, "tekst", "Een bibliotheek in Hoensbroek", "wijk", "WK091712", "naam", "Anna",
           "email", "anna@voorbeeld.nl", "toestemming", "ja", "vraag", "toekomst", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    envelope_t env;
    form_to_envelope(&f, "f-0123456789abcdef", "key-1", 1700000000123, &env);
    assert_int_equal(env.type, ENV_IDEA);
    assert_string_equal(env.id, "f-0123456789abcdef");

    /* What the classifier will read: encode and decode the envelope. */
    char *buf;
    size_t len;
    proto_err_t perr;
    assert_int_equal(envelope_encode(&env, &buf, &len, &perr), 0);
    envelope_t back;
    envelope_init(&back);
    assert_int_equal(envelope_decode(buf, len, &back, &perr), 0);
    free(buf);
    const idea_t *i = back.idea;
    assert_non_null(i);
    assert_string_equal(i->id, "f-0123456789abcdef");
    assert_string_equal(i->channel, "form");
    assert_string_equal(i->activity, "ideeenbus");
    assert_true(i->received_at == 1700000000123);
    assert_string_equal(i->text, "Een bibliotheek in Hoensbroek");
    assert_string_equal(i->wijk, "WK091712");
    assert_string_equal(i->question, "toekomst");
    assert_string_equal(i->target_group, "inwoner");
    assert_string_equal(i->source.idempotency_key, "key-1");
    assert_null(i->status);
    assert_null(i->participant_id);
    const participant_t *p = back.participant;
    assert_non_null(p);
    assert_string_equal(p->name, "Anna");
    assert_string_equal(p->email, "anna@voorbeeld.nl");
    assert_true(p->consent_feedback);
    assert_true(p->consent_at == 1700000000123);
    assert_string_equal(p->consent_purpose, FORM_CONSENT_PURPOSE);
    envelope_clear(&back);
    envelope_clear(&env);
    form_clear(&f);

    /* No name and no email: no participant at all. */
    s_form(&f, "tekst", "Een bibliotheek in Hoensbroek", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    form_to_envelope(&f, "f-1111111111111111", NULL, 1, &env);
    assert_null(env.participant);
    assert_null(env.idea->source.idempotency_key);
    envelope_clear(&env);
    form_clear(&f);

    /* A name without email: a participant without consent. */
    s_form(&f, "tekst", "Een bibliotheek", "naam", "Jan", NULL);
    assert_int_equal(form_validate(&f, s_geo), 0);
    form_to_envelope(&f, "f-2222222222222222", NULL, 5, &env);
    assert_non_null(env.participant);
    assert_false(env.participant->consent_feedback);
    assert_true(env.participant->consent_at == 0);
    envelope_clear(&env);
    form_clear(&f);
}

/* The copy-free view the intake spools must be the very same message as
 * the copied envelope, with and without a participant. */
static void test_envelope_view_same_bytes(void **state)
{
    (void)state;
    for (int withp = 0; withp < 2; withp++) {
        form_t f;
        if (withp)
            s_form(&f, "tekst", "Een bibliotheek in Hoensbroek", "wijk", "WK091712", "naam",
                   "Anna", "email", "anna@voorbeeld.nl", "toestemming", "ja", NULL);
        else
            s_form(&f, "tekst", "Meer bomen in de straat", "titel", "Bomen", NULL);
        assert_int_equal(form_validate(&f, s_geo), 0);
        envelope_t copy, view;
        idea_t idea;
        participant_t person;
        form_to_envelope(&f, "f-0123456789abcdef", "key-1", 1700000000123, &copy);
        form_envelope_view(&f, "f-0123456789abcdef", "key-1", 1700000000123, &view, &idea,
                           &person);
        assert_int_equal(view.participant != NULL, withp);
        char *a = NULL, *b = NULL;
        size_t alen = 0, blen = 0;
        proto_err_t err;
        assert_int_equal(envelope_encode(&copy, &a, &alen, &err), 0);
        assert_int_equal(envelope_encode(&view, &b, &blen, &err), 0);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
        free(a);
        free(b);
        envelope_clear(&copy);
        envelope_init(&view); /* borrowed: dropped, not freed */
        form_clear(&f);
    }
}

static void test_page_form_errors(void **state)
{
    (void)state;
    form_t f;
    s_form(&f, "tekst", "<script>alert(1)</script>", "email", "\"><b>x", "toestemming", "ja",
           "wijk", "WK091733", NULL);
    assert_int_equal(form_validate(&f, s_geo), -1);
    size_t len;
    char *page = page_form(&f, s_geo, "k\"ey", NULL, &len);
    assert_int_equal(strlen(page), len);
    assert_non_null(strstr(page, "<html lang=\"nl\">"));
    assert_non_null(strstr(page, "<title>Fout: "));
    assert_null(strstr(page, "<script>"));
    assert_null(strstr(page, "<b>x"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(page, "value=\"k&quot;ey\""));
    /* The summary links to the field; the field points at its message. */
    assert_non_null(strstr(page, "role=\"alert\""));
    assert_non_null(strstr(page, "<a href=\"#email\">Dit e-mailadres klopt niet."));
    assert_non_null(strstr(page, "aria-describedby=\"email-fout\" aria-invalid=\"true\""));
    assert_non_null(strstr(page, "<option value=\"WK091733\" selected>Heerlen-Centrum</option>"));
    assert_non_null(strstr(page, "type=\"checkbox\" value=\"ja\" id=\"toestemming\" "
                                 "name=\"toestemming\" aria-describedby=\"toestemming-hint\" "
                                 "checked"));
    assert_non_null(strstr(page, "<p class=\"hint\" id=\"toestemming-hint\">"));
    free(page);
    form_clear(&f);
}

static void test_page_form_empty(void **state)
{
    (void)state;
    size_t len;
    char *page = page_form(NULL, s_geo, "abc", NULL, &len);
    assert_null(strstr(page, "role=\"alert\""));
    assert_null(strstr(page, "aria-invalid"));
    /* Every field has a label; the radio groups a legend. */
    const char *labels[] = {"tekst",
                            "titel",
                            "wijk",
                            "postcode",
                            "vraag-nu",
                            "vraag-toekomst",
                            "doelgroep-inwoner",
                            "doelgroep-professional",
                            "doelgroep-buurtorganisatie",
                            "naam",
                            "email",
                            "toestemming"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "<label for=\"%s\">", labels[i]);
        assert_non_null(strstr(page, want));
        snprintf(want, sizeof want, "id=\"%s\"", labels[i]);
        assert_non_null(strstr(page, want));
    }
    assert_non_null(strstr(page, "<legend>Over welke vraag gaat uw idee?"));
    assert_non_null(strstr(page, "value=\"inwoner\" checked"));
    assert_non_null(strstr(page, "<option value=\"\">Weet ik niet</option>"));
    for (size_t i = 0; i < geo_wijk_count(s_geo); i++) {
        const char *code, *name;
        geo_wijk_at(s_geo, i, &code, &name);
        char want[64];
        snprintf(want, sizeof want, "<option value=\"%s\">", code);
        assert_non_null(strstr(page, want));
    }
    assert_non_null(strstr(page, "href=\"/privacy\""));
    assert_null(strstr(page, "<script"));
    /* every text input the server limits stops at that limit */
    const struct {
        const char *id;
        int max;
    } limited[] = {{"titel", TITLE_MAX_CHARS}, {"naam", NAME_MAX_CHARS}, {"email", EMAIL_MAX_BYTES}};
    for (size_t i = 0; i < sizeof limited / sizeof limited[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "id=\"%s\"", limited[i].id);
        const char *tag = strstr(page, want);
        assert_non_null(tag);
        const char *close = strchr(tag, '>');
        snprintf(want, sizeof want, "maxlength=\"%d\"", limited[i].max);
        const char *max = strstr(tag, want);
        assert_true(max && max < close);
    }
    free(page);

    page = page_thanks("f-00aa11bb22cc33dd", false, false, &len);
    assert_non_null(strstr(page, "Bedankt!"));
    assert_non_null(strstr(page, "Het nummer van uw idee is <strong>f-00aa11bb22cc33dd</strong>"));
    free(page);
    page = page_privacy("Postbus 1 & <2>", &len);
    assert_non_null(strstr(page, "<html lang=\"nl\">"));
    assert_non_null(strstr(page, "of schrijf naar: Postbus 1 &amp; &lt;2&gt;."));
    free(page);
}

static void test_ratelimit(void **state)
{
    (void)state;
    ratelimit_t *rl = ratelimit_new(3); /* one token every 20 s */
    int retry;
    int64_t t = 1000000;
    for (int i = 0; i < 3; i++)
        assert_true(ratelimit_allow(rl, "192.0.2.1", t, &retry));
    assert_false(ratelimit_allow(rl, "192.0.2.1", t, &retry));
    assert_int_equal(retry, 20);
    assert_true(ratelimit_allow(rl, "2001:db8::1", t, &retry)); /* another address */
    assert_false(ratelimit_allow(rl, "192.0.2.1", t + 10000, &retry));
    assert_int_equal(retry, 10);
    assert_true(ratelimit_allow(rl, "192.0.2.1", t + 20000, &retry));
    assert_false(ratelimit_allow(rl, "192.0.2.1", t + 20000, &retry));
    /* A flood of addresses stays within the table and does not stop people. */
    char addr[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
        assert_true(ratelimit_allow(rl, addr, t + 20000, &retry));
    }
    ratelimit_destroy(&rl);
    assert_null(rl);

    rl = ratelimit_new(0);
    for (int i = 0; i < 1000; i++)
        assert_true(ratelimit_allow(rl, "192.0.2.1", t, &retry));
    ratelimit_destroy(&rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_idea),
        cmocka_unit_test(test_text_rules),
        cmocka_unit_test(test_title_and_name),
        cmocka_unit_test(test_wijk),
        cmocka_unit_test(test_postcode_question_group),
        cmocka_unit_test(test_email_and_consent),
        cmocka_unit_test(test_honeypot_and_key_fields),
        cmocka_unit_test(test_key_valid),
        cmocka_unit_test(test_json_mapping),
        cmocka_unit_test(test_envelope),
        cmocka_unit_test(test_envelope_view_same_bytes),
        cmocka_unit_test(test_page_form_errors),
        cmocka_unit_test(test_page_form_empty),
        cmocka_unit_test(test_ratelimit),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
