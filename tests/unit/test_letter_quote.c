/*
 * NAME
 *   test_letter_quote - links and email addresses out of a text a mail
 *   quotes (common/letter_quote.c)
 *
 * DESCRIPTION
 *   What a resident reads in a receipt when the idea was someone else's:
 *   no place a mail program makes a link of, and the rest of the text as
 *   it was (Dutch prose with abbreviations, amounts and times unchanged).
 *   Owner: notify (services/notify/README.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "letter_quote.h"

static void s_is(const char *in, const char *want)
{
    char *got = letter_quote_clean(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_links(void **state)
{
    (void)state;
    s_is("Betaal via https://heerlen-betalen.example/login?id=7&x=1 vandaag.",
         "Betaal via [link weggelaten] vandaag.");
    s_is("(zie http://192.0.2.7:8080/pad)", "(zie [link weggelaten])");
    s_is("Kijk op www.gemeente-heerlen.example, echt!", "Kijk op [link weggelaten], echt!");
    s_is("WWW.HEERLEN-LOKET.EXAMPLE", "[link weggelaten]");
    s_is("ga naar heerlen-loket.nl/pas of bit.ly/abc.", "ga naar [link weggelaten] of "
                                                        "[link weggelaten].");
    s_is("Heerlen.nl: mooi", "[link weggelaten]: mooi");
    s_is("Heerlen-Betalen.Nl en Evil.Com/x", "[link weggelaten] en [link weggelaten]");
    s_is("mailto:boete@heerlen.example", "[link weggelaten]");
    s_is("ftp://x.example/a b", "[link weggelaten] b");
    s_is("\xe2\x80\x9c"
         "evil.nl\xe2\x80\x9d",
         "\xe2\x80\x9c[link weggelaten]\xe2\x80\x9d");
    s_is("idee: hxxps://evil.example/x", "idee: [link weggelaten]");
}

/* A link right after a hyphen, an underscore, a digit or an ellipsis:
 * mail programs make a link of it (a list written "-www.x.nl", "Kijk
 * hier...https://..."), so it is cut as well. */
static void test_links_after_punctuation(void **state)
{
    (void)state;
    s_is("-www.heerlen-betalen.nl", "-[link weggelaten]");
    s_is("Stappen:\n-heerlen-betalen.nl/pas\n-bellen", "Stappen:\n-[link weggelaten]\n-bellen");
    s_is("Info:-http://192.0.2.7/betaal", "Info:-[link weggelaten]");
    s_is("Kijk hier...https://192.0.2.7/x of...www.evil.nl",
         "Kijk hier...[link weggelaten] of...[link weggelaten]");
    s_is("zie...evil.nl", "zie...[link weggelaten]");
    s_is("stap1http://192.0.2.7/x", "stap1[link weggelaten]");
    s_is("betalen_heerlen.evil.nl", "betalen_[link weggelaten]");
    s_is("-mailto:boete@heerlen.example", "-[link weggelaten]");
}

/* A host name a mail program makes a link of although the plain rules
 * above would read words: in another script ("вход.рф"), with an
 * unknown mixed-case last label and a path after it, or with a known
 * top-level domain and a hyphen after it. */
static void test_links_in_other_forms(void **state)
{
    (void)state;
    s_is("Ga naar \xd0\xb2\xd1\x85\xd0\xbe\xd0\xb4.\xd1\x80\xd1\x84 nu",
         "Ga naar [link weggelaten] nu"); /* вход.рф */
    s_is("(\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80."
         "\xd0\xb8\xd1\x81\xd0\xbf\xd1\x8b\xd1\x82\xd0\xb0\xd0\xbd\xd0\xb8\xd0\xb5/pad)",
         "([link weggelaten])"); /* пример.испытание/pad */
    s_is("\xe2\x80\x9c\xd0\xb2\xd1\x85\xd0\xbe\xd0\xb4.\xd1\x80\xd1\x84\xe2\x80\x9d",
         "\xe2\x80\x9c[link weggelaten]\xe2\x80\x9d");
    s_is("Log in op Evil.Bank/login vandaag", "Log in op [link weggelaten] vandaag");
    s_is("zie evil.nl-loket of Heerlen.Com-betalen.", "zie [link weggelaten] of [link weggelaten].");
    s_is("\xd0\xb2\xd1\x85\xd0\xbe\xd0\xb4.xn--p1ai", "[link weggelaten]");
}

static void test_addresses(void **state)
{
    (void)state;
    s_is("Mail jan.de.vries@heerlen.nl maar.", "Mail [e-mailadres weggelaten] maar.");
    s_is("a@b.nl,c@d.nl", "[e-mailadres weggelaten],[e-mailadres weggelaten]");
    s_is("mail boete@heerlen-boete.example. Meer", "mail [e-mailadres weggelaten]. Meer");
    s_is("Mail: jan_de@heerlen-x.nl", "Mail: [e-mailadres weggelaten]");
    /* An address inside a link: one place, a link. */
    s_is("https://jan@evil.example/x", "[link weggelaten]");
}

static void test_prose_stays(void **state)
{
    (void)state;
    const char *keep[] = {
        "Meer bomen op het Pancratiusplein, m.b.t. de zomer; bijv. eiken.",
        "Het kost 2.500 euro, om 19.30 uur, versie 1.5 is klaar.",
        "Dr.Poelsstraat en St.Jansgeleen: het park is vies.Meer bomen graag.",
        "i.v.m. de drukte t.o.v. vorig jaar, z.s.m. graag...",
        "Heerlen-Noord",
        "Heerlen-Noord.Meer bomen, m.b.t.-regeling en het_plan",
        "Nou...vies.Meer bomen. 3.500-4.000 euro",
        "",
        "www.",
        "://",
        "a.b",
        "Caf\xc3\xa9 aan de Akerstraat (ca. 40 m\xc2\xb2).",
        "vies.Meer",
        "o.a.",
        "bijv.",
        "1.5",
        "\xe2\x82\xac 2.50",
        "12.30 uur",
        "Dr.Poelsstraat",
        "Het plein is vies.Meer bomen, o.a. eiken; bijv. 12 stuks \xc3\xa0 \xe2\x82\xac 2.50.",
        "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0.\xd0\x9b\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xbd",
        "Heerlen-Noord.Meer bomen/struiken",
        "2.50/3.00 euro, 1.5/2 uur",
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        s_is(keep[i], keep[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_links_after_punctuation),
        cmocka_unit_test(test_links_in_other_forms),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_prose_stays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
