/*
 * NAME
 *   test_mail - intake-mail: MIME parsing, new text only, skip rules, size
 *
 * DESCRIPTION
 *   The pure parts of services/intake-mail/, included here as source.
 *   Mails are realistic Dutch ones written for these tests: what a
 *   resident of Heerlen would send, how Outlook, Gmail and Apple Mail
 *   would quote and sign it. The worker process and hostile mail are in
 *   test_mail_worker.c.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/intake-mail/mail_dsn.c"
#include "../../services/intake-mail/mail_html.c"
#include "../../services/intake-mail/mail_parse.c"
#include "../../services/intake-mail/mail_text.c"
#include "../../services/intake-mail/mail_thanks.c"
#include "../../services/intake-mail/mail_worker.c"
#include "test_mail_util.h"

/* ------------------------------------------------------------------ */
/* New text only (table-driven)                                       */
/* ------------------------------------------------------------------ */

static const struct {
    const char *name, *in, *want;
} s_clean_cases[] = {
    {"gmail reply quote",
     "Ik wil meer bankjes in het Aambos.\n\nOp di 3 jun 2025 om 10:12 schreef Gemeente Heerlen "
     "<inspraak@heerlen.nl>:\n> Beste inwoner,\n> Wat is Heerlen nu?\n",
     "Ik wil meer bankjes in het Aambos."},
    {"attribution wrapped over two lines",
     "Graag een zebrapad bij school.\n\nOp wo 4 jun. 2025 om 09:00 schreef Gemeente Heerlen <\n"
     "inspraak@heerlen.nl>:\n\n> Vorige vraag\n",
     "Graag een zebrapad bij school."},
    {"english wrote",
     "More trees on the Promenade please.\n\nOn Tue, Jun 3, 2025 at 10:12 AM Jan <j@x.nl> wrote:\n"
     "> hello\n",
     "More trees on the Promenade please."},
    {"outlook block",
     "Het Pancratiusplein is te stenig.\n\nVan: Gemeente Heerlen <inspraak@heerlen.nl>\n"
     "Verzonden: dinsdag 3 juni 2025 10:12\nAan: Piet Jansen <piet@example.nl>\n"
     "Onderwerp: Uw mening\n\nBeste Piet,\nWat vindt u?\n",
     "Het Pancratiusplein is te stenig."},
    {"outlook original message",
     "Eens met het plan.\n\n-----Oorspronkelijk bericht-----\nVan: x\nOud bericht\n",
     "Eens met het plan."},
    {"english original message", "Agree.\n-----Original Message-----\nFrom: x\n", "Agree."},
    {"signature dash line",
     "Meer speelplekken in Heerlerbaan.\n\n-- \nPiet Jansen\nTel 06-12345678\n",
     "Meer speelplekken in Heerlerbaan."},
    {"greeting with short signature",
     "Beste gemeente,\n\nDe fietspaden in Hoensbroek zijn slecht.\n\nMet vriendelijke groet,\n\n"
     "Anna de Vries\nAkerstraat 12\n6411 HB Heerlen\n",
     "De fietspaden in Hoensbroek zijn slecht."},
    {"mvg", "Een markt op zondag zou mooi zijn.\nMvg Kees\n", "Een markt op zondag zou mooi zijn."},
    {"groet word inside a sentence stays",
     "Groeten uit Schandelen: het park is prachtig en moet blijven zoals het is, want hier "
     "spelen alle kinderen uit de buurt.\n",
     "Groeten uit Schandelen: het park is prachtig en moet blijven zoals het is, want hier "
     "spelen alle kinderen uit de buurt."},
    {"greeting followed by long text is not a signature",
     "Groeten,\n\nIk heb nog een punt.\n1. Het station is onveilig in de avond, er is te weinig "
     "licht en er hangen vaak groepen jongeren rond.\n2. De bus rijdt te weinig.\n3. a\n4. b\n"
     "5. c\n6. d\n7. e\n",
     "Groeten,\n\nIk heb nog een punt.\n1. Het station is onveilig in de avond, er is te weinig "
     "licht en er hangen vaak groepen jongeren rond.\n2. De bus rijdt te weinig.\n3. a\n4. b\n"
     "5. c\n6. d\n7. e"},
    {"numbered list kept",
     "Mijn ideeën:\n1. Meer groen\n2. Minder auto's\n3. Een buurthuis\n\nGroet,\nJan\n",
     "Mijn ideeën:\n1. Meer groen\n2. Minder auto's\n3. Een buurthuis"},
    {"disclaimer paragraph",
     "Zorg voor betaalbare woningen.\n\nDit bericht is uitsluitend bestemd voor de "
     "geadresseerde.\nHet kan vertrouwelijke informatie bevatten.\n",
     "Zorg voor betaalbare woningen."},
    {"english disclaimer",
     "Better lighting.\n\nThe information contained in this communication is confidential.\n",
     "Better lighting."},
    {"interleaved reply keeps new text",
     "Op 3 juni 2025 schreef Gemeente:\n> Wat vindt u van het centrum?\nTe veel lege winkels.\n"
     "> En de wijk?\nPrima.\n",
     "Te veel lege winkels.\nPrima."},
    {"only quote gives empty", "> alleen een citaat\n", ""},
    {"opening salutation dropped", "Beste gemeente,\nIk wil meer bomen in Zeswegen.\n",
     "Ik wil meer bomen in Zeswegen."},
    {"formal salutation dropped", "Geachte heer/mevrouw,\n\nDe Promenade is te donker.\n",
     "De Promenade is te donker."},
    {"salutation with words dropped",
     "Beste mensen van de gemeente Heerlen,\n\nMaak de markt groter.\n", "Maak de markt groter."},
    {"hallo and dag dropped", "Hallo,\nMeer bankjes.\n", "Meer bankjes."},
    {"goedendag dropped", "Goedendag,\n\nMeer bankjes.\n", "Meer bankjes."},
    {"dag allemaal dropped", "  Dag allemaal!\nMeer bankjes.\n", "Meer bankjes."},
    {"english salutation dropped", "Dear Sir or Madam,\n\nMore trees please.\n",
     "More trees please."},
    {"german salutation dropped", "Sehr geehrte Damen und Herren,\nMehr B\xc3\xa4ume.\n",
     "Mehr B\xc3\xa4ume."},
    {"salutation after a quote cut is still the first line",
     "Op 3 juni 2025 schreef Gemeente:\n> Wat vindt u?\nBeste gemeente,\nTe veel lege winkels.\n"
     "> En de wijk?\nPrima.\n",
     "Te veel lege winkels.\nPrima."},
    {"first line that says more stays", "Beste gemeente, plant meer bomen.\nDank!\n",
     "Beste gemeente, plant meer bomen.\nDank!"},
    {"salutation-like sentence stays", "Beste plan ooit: een park op het Pancratiusplein.\n",
     "Beste plan ooit: een park op het Pancratiusplein."},
    {"day word is no salutation", "Dagelijks staat de Akerstraat vast,\nook in het weekend.\n",
     "Dagelijks staat de Akerstraat vast,\nook in het weekend."},
    {"salutation only on a later line stays", "Meer groen.\nBeste gemeente,\nnog iets.\n",
     "Meer groen.\nBeste gemeente,\nnog iets."},
    {"salutation alone is kept", "Hallo,\n", "Hallo,"},
    {"exclaimed first sentence stays",
     "Dag in dag uit rijden hier vrachtwagens door de straat!\nDat moet anders.\n",
     "Dag in dag uit rijden hier vrachtwagens door de straat!\nDat moet anders."},
    {"best as adjective stays", "Beste plek voor een park is het Pancratiusplein!\nDaar is ruimte.\n",
     "Beste plek voor een park is het Pancratiusplein!\nDaar is ruimte."},
    {"first line of a wrapped sentence stays",
     "Dag en nacht rijden hier veel te veel auto's door de straat,\n"
     "waardoor kinderen niet veilig kunnen oversteken.\n",
     "Dag en nacht rijden hier veel te veel auto's door de straat,\n"
     "waardoor kinderen niet veilig kunnen oversteken."},
    {"sent from a phone", "Graag meer prullenbakken langs het Aambos.\n\nVerzonden vanaf mijn iPhone\n",
     "Graag meer prullenbakken langs het Aambos."},
    {"sent from a phone, above the quote",
     "Een zebrapad bij de school.\n\nVerstuurd vanaf mijn Samsung Galaxy-smartphone.\n\n"
     "Op 2 jun 2025 schreef Gemeente Heerlen <inspraak@heerlen.nl>:\n> Wat vindt u?\n",
     "Een zebrapad bij de school."},
    {"english phone line and outlook app", "More trees please.\n\nSent from my iPad\n"
     "Get Outlook for Android\n", "More trees please."},
    {"a sentence about a phone stays",
     "Verzonden vanaf mijn iPhone zie ik dat de bus te laat is, elke dag weer.\n",
     "Verzonden vanaf mijn iPhone zie ik dat de bus te laat is, elke dag weer."},
    {"polish closing and phone line",
     "Prosz\u0119 o wi\u0119cej drzew.\n\nPozdrawiam,\nMarek Nowak\n\nWys\u0142ane z iPhone'a\n",
     "Prosz\u0119 o wi\u0119cej drzew."},
    {"german closing", "Mehr B\u00e4ume bitte.\n\nMit freundlichen Gr\u00fc\u00dfen\nAnna Schmidt\n",
     "Mehr B\u00e4ume bitte."},
    {"arabic closing", "\u0646\u0631\u064a\u062f \u062d\u062f\u064a\u0642\u0629.\n\n"
     "\u0645\u0639 \u062a\u062d\u064a\u0627\u062a\u064a\n\u0633\u0645\u064a\u0631\u0629\n",
     "\u0646\u0631\u064a\u062f \u062d\u062f\u064a\u0642\u0629."},
    {"crlf already removed and blank runs collapsed", "Regel een\n\n\n\nRegel twee\n",
     "Regel een\n\nRegel twee"},
};

/* A reply to our receipt that only thanks is no idea; a thank-you with an
 * idea in it is one. */
static void test_thanks_only(void **state)
{
    (void)state;
    static const char *const yes[] = {"Bedankt!", "Hartelijk dank voor uw snelle reactie!",
                                      "Top, bedankt \xf0\x9f\x99\x8f", "Thanks!",
                                      "Dank je wel.\nGroeten", NULL};
    static const char *const no[] = {"Dank u! Nog een idee: een zebrapad bij de school.",
                                     "Bedankt voor het nieuwe park", "Top", "Prima", "", NULL};
    for (int i = 0; yes[i]; i++)
        if (!mail_text_thanks_only(yes[i]))
            fail_msg("not taken for a thank-you: [%s]", yes[i]);
    for (int i = 0; no[i]; i++)
        if (mail_text_thanks_only(no[i]))
            fail_msg("taken for a thank-you: [%s]", no[i]);
}

/* A forward keeps the forwarded text, without its header block. */
static void test_forward(void **state)
{
    (void)state;
    char *got = mail_text_clean("Begin doorgestuurd bericht:\n\n> Van: Mies <mies@example.nl>\n"
                                "> Onderwerp: Bankje\n> Aan: Jan\n>\n> Graag een bankje.\n");
    assert_string_equal(got, "Graag een bankje.");
    free(got);
    const char *outlook = "Zie onder.\n\n________________________________\nVan: Ria "
                          "<ria@example.nl>\nVerzonden: maandag\nAan: Kees\nOnderwerp: Poep\n\n"
                          "Meer afvalbakken graag.\n";
    got = mail_text_clean_forward(outlook);
    assert_string_equal(got, "Zie onder.\n\nMeer afvalbakken graag.");
    free(got);
    got = mail_text_clean(outlook); /* a reply: the block below is the old thread */
    assert_string_equal(got, "Zie onder.");
    free(got);
    assert_true(mail_text_is_forward("Fwd: Bankje"));
    assert_true(mail_text_is_forward("FW: Poep"));
    assert_false(mail_text_is_forward("Re: Fwd: Bankje"));
}

static void test_clean_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_clean_cases / sizeof s_clean_cases[0]; i++) {
        char *got = mail_text_clean(s_clean_cases[i].in);
        if (strcmp(got, s_clean_cases[i].want) != 0)
            fail_msg("case \"%s\":\n got: [%s]\nwant: [%s]", s_clean_cases[i].name, got,
                     s_clean_cases[i].want);
        free(got);
    }
}

static void test_idea_text_subject(void **state)
{
    (void)state;
    char *t = mail_text_idea("Meer groen in Heerlerheide", "Plant bomen.");
    assert_string_equal(t, "Meer groen in Heerlerheide\n\nPlant bomen.");
    free(t);
    t = mail_text_idea("Re: Uw mening gevraagd", "Plant bomen.");
    assert_string_equal(t, "Plant bomen.");
    free(t);
    t = mail_text_idea("idee", "Plant bomen.");
    assert_string_equal(t, "Plant bomen.");
    free(t);
    t = mail_text_idea("", "Plant bomen.");
    assert_string_equal(t, "Plant bomen.");
    free(t);
    t = mail_text_idea("Fwd: Parkeren Maankwartier", "Te duur.");
    assert_string_equal(t, "Parkeren Maankwartier\n\nTe duur.");
    free(t);
}

/* ------------------------------------------------------------------ */
/* HTML                                                               */
/* ------------------------------------------------------------------ */

static void test_html_to_text(void **state)
{
    (void)state;
    const char *html =
        "<html><head><title>x</title><style>p{color:red}</style></head><body>"
        "<script>alert('x')</script><p>Meer&nbsp;groen in de <b>Caf&eacute;buurt</b> &amp; "
        "het centrum.</p><ul><li>bomen</li><li>bankjes</li></ul>"
        "<!-- comment --><div>&#8364; 5 &lt;per&gt; jaar</div>"
        "<blockquote>oud bericht</blockquote></body></html>";
    char *t = mail_html_to_text(html, strlen(html));
    assert_string_equal(t, "Meer groen in de Cafébuurt & het centrum.\n\n- bomen\n- bankjes\n\n"
                           "€ 5 <per> jaar\n\n> oud bericht");
    free(t);
    /* Gmail writes lines as divs and a blank line as <div><br></div>. */
    const char *gm =
        "<div>regel een</div><div>regel twee<br>drie</div><div><br></div><div>vier</div>";
    t = mail_html_to_text(gm, strlen(gm));
    assert_string_equal(t, "regel een\nregel twee\ndrie\n\nvier");
    free(t);
    t = mail_html_to_text("<p>a < b", 8);
    assert_string_equal(t, "a");
    free(t);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                            */
/* ------------------------------------------------------------------ */

static void test_parse_latin1_qp(void **state)
{
    (void)state;
    mail_t m;
    char err[200];
    assert_int_equal(mail_parse(LATIN1_QP, strlen(LATIN1_QP), &LIM, &m, err, sizeof err), 0);
    assert_string_equal(m.message_id, "abc123@example.nl");
    assert_string_equal(m.from_name, "Renée Békker");
    assert_string_equal(m.from_addr, "renee@example.nl");
    assert_string_equal(m.subject, "Ideeën voor het Caféplein");
    assert_true(m.date_ms == 1748938320000LL);
    assert_int_equal(m.skip, MAIL_SKIP_NONE);
    assert_non_null(strstr(m.body, "fonteintje én schaduw."));
    char *clean = mail_text_clean(m.body);
    assert_string_equal(clean, "Het plein moet gezelliger: meer terrasjes en een fonteintje én "
                               "schaduw.");
    free(clean);
    mail_clear(&m);
}

static const char ALTERNATIVE[] =
    "From: Jan <jan@example.nl>\r\nSubject: Fietsen\r\nMessage-ID: <alt@x>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
    "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML versie</p>\r\n"
    "--b1\r\nContent-Type: text/plain; charset=windows-1252\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "Platte tekst =93met aanhalingstekens=94 =80 10\r\n--b1--\r\n";

static void test_parse_prefers_plain(void **state)
{
    (void)state;
    mail_t m;
    char err[200];
    assert_int_equal(mail_parse(ALTERNATIVE, strlen(ALTERNATIVE), &LIM, &m, err, sizeof err), 0);
    assert_false(m.body_from_html);
    assert_string_equal(m.body, "Platte tekst “met aanhalingstekens” € 10");
    assert_int_equal(m.n_attachments, 0);
    mail_clear(&m);
}

static const char HTML_ONLY_ATTACH[] =
    "From: \"Piet\" <piet@example.nl>\r\nSubject: Foto van de straat\r\nMessage-ID: <h@x>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
    "--m\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><body><p>De stoep in de Kruisstraat is kapot.</p><script>x()</script></body></html>\r\n"
    "--m\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''stoep%20kapot%C3%A9.jpg\r\n\r\n"
    "AAECAwQFBgc=\r\n--m--\r\n";

/* A charset nobody knows: the bytes are read as Windows-1252. */
static void test_parse_unknown_charset(void **state)
{
    (void)state;
    const char *raw = "From: a@example.nl\r\nSubject: x\r\n"
                      "Content-Type: text/plain; charset=x-onbekend\r\n\r\n"
                      "Caf\xe9 \x93"
                      "De Kroon\x94\r\n";
    mail_t m;
    char err[200];
    assert_int_equal(mail_parse(raw, strlen(raw), &LIM, &m, err, sizeof err), 0);
    assert_string_equal(m.body, "Café “De Kroon”\n");
    mail_clear(&m);
}

static void test_parse_html_and_attachment(void **state)
{
    (void)state;
    mail_t m;
    char err[200];
    assert_int_equal(
        mail_parse(HTML_ONLY_ATTACH, strlen(HTML_ONLY_ATTACH), &LIM, &m, err, sizeof err), 0);
    assert_true(m.body_from_html);
    assert_string_equal(m.body, "De stoep in de Kruisstraat is kapot.");
    assert_int_equal(m.n_attachments, 1);
    assert_string_equal(m.attachments[0].name, "stoep kapoté.jpg");
    assert_string_equal(m.attachments[0].type, "image/jpeg");
    assert_int_equal(m.attachments[0].size, 8);
    mail_clear(&m);
}

/* Each skip rule: headers added to an otherwise ordinary mail. */
static const struct {
    const char *headers;
    mail_skip_t want;
} s_skip_cases[] = {
    {"Auto-Submitted: auto-replied\r\n", MAIL_SKIP_AUTOREPLY},
    {"Auto-Submitted: no\r\n", MAIL_SKIP_NONE},
    {"X-Autoreply: yes\r\n", MAIL_SKIP_AUTOREPLY},
    {"Precedence: bulk\r\n", MAIL_SKIP_AUTOREPLY},
    {"Precedence: junk\r\n", MAIL_SKIP_AUTOREPLY},
    {"Subject: Afwezig: Re: Uw mening\r\n", MAIL_SKIP_AUTOREPLY},
    {"Subject: Automatisch antwoord: inspraak\r\n", MAIL_SKIP_AUTOREPLY},
    {"Subject: Out of Office\r\n", MAIL_SKIP_AUTOREPLY},
    {"Subject: Afwezigheid van groen\r\n", MAIL_SKIP_NONE},
    {"Return-Path: <>\r\n", MAIL_SKIP_BOUNCE},
    {"From: Mail Delivery System <MAILER-DAEMON@mx.example.nl>\r\n", MAIL_SKIP_BOUNCE},
    {"List-Id: Buurtvereniging <buurt.lists.example.nl>\r\n", MAIL_SKIP_LIST},
    {"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n",
     MAIL_SKIP_BOUNCE},
};

static void test_skip_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_skip_cases / sizeof s_skip_cases[0]; i++) {
        bool has_subject = strncmp(s_skip_cases[i].headers, "Subject", 7) == 0;
        bool has_from = strncmp(s_skip_cases[i].headers, "From", 4) == 0;
        char *raw = xasprintf("%s%s%sMessage-ID: <s%zu@x>\r\n\r\n--r\r\nContent-Type: "
                              "text/plain\r\n\r\nIk ben afwezig.\r\n--r--\r\n",
                              s_skip_cases[i].headers, has_subject ? "" : "Subject: Hallo\r\n",
                              has_from ? "" : "From: a@example.nl\r\n", i);
        mail_t m;
        char err[200];
        assert_int_equal(mail_parse(raw, strlen(raw), &LIM, &m, err, sizeof err), 0);
        if (m.skip != s_skip_cases[i].want)
            fail_msg("case %zu (%s): skip %d, want %d", i, s_skip_cases[i].headers, m.skip,
                     s_skip_cases[i].want);
        if (m.skip != MAIL_SKIP_NONE)
            assert_true(strlen(m.skip_why) > 0);
        mail_clear(&m);
        free(raw);
    }
}

/* ------------------------------------------------------------------ */
/* Size limits                                                        */
/* ------------------------------------------------------------------ */

static void test_size_limit(void **state)
{
    (void)state;
    mail_limits_t lim = LIM;
    lim.max_bytes = 100;
    mail_t m;
    char err[200];
    assert_int_equal(mail_parse(LATIN1_QP, strlen(LATIN1_QP), &lim, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "too large"));
}

/* The default limit is 25 MiB: a 20 MiB mail with photos is read, a mail
 * just over 25 MiB is refused before GMime sees it. */
static void test_default_size_limit(void **state)
{
    (void)state;
    assert_int_equal(LIM.max_bytes, 26214400u);
    const char *head = "From: Anna <anna@example.nl>\r\nSubject: Foto's van het plein\r\n"
                       "Message-ID: <big@example.nl>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n\r\nZie de foto's.\r\n--b\r\n"
                       "Content-Type: image/jpeg; name=\"plein.jpg\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n";
    size_t big = 20u * 1024 * 1024, hl = strlen(head), line = 78;
    char *raw = xmalloc(hl + big + 16);
    memcpy(raw, head, hl);
    size_t n = hl;
    while (n + line < hl + big) {
        memset(raw + n, 'Q', line - 2);
        memcpy(raw + n + line - 2, "\r\n", 2);
        n += line;
    }
    n += (size_t)sprintf(raw + n, "--b--\r\n");
    mail_t m;
    char err[200] = "";
    assert_int_equal(mail_parse(raw, n, &LIM, &m, err, sizeof err), 0);
    assert_string_equal(m.body, "Zie de foto's.");
    assert_int_equal(m.n_attachments, 1);
    mail_clear(&m);
    free(raw);
    size_t over = LIM.max_bytes + 1;
    raw = xmalloc(over);
    memset(raw, 'a', over);
    assert_int_equal(mail_parse(raw, over, &LIM, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "too large"));
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_table),
        cmocka_unit_test(test_thanks_only),
        cmocka_unit_test(test_forward),
        cmocka_unit_test(test_idea_text_subject),
        cmocka_unit_test(test_html_to_text),
        cmocka_unit_test(test_parse_latin1_qp),
        cmocka_unit_test(test_parse_prefers_plain),
        cmocka_unit_test(test_parse_html_and_attachment),
        cmocka_unit_test(test_skip_rules),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_default_size_limit),
        cmocka_unit_test(test_parse_unknown_charset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
