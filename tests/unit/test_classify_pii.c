/*
 * NAME
 *   test_classify_pii - the finders of personal data (common/classify_pii.c,
 *   common/classify_pii_addr.c, common/classify_pii_name.c)
 *
 * DESCRIPTION
 *   Table-driven, on Dutch texts like residents write them: for each kind
 *   the exact places found (what staff would see cut), and texts that look
 *   alike but hold no personal data (a postcode alone, an IBAN with a
 *   wrong check digit, "ik ben boos"). Names are checked twice: with the
 *   classifier's word lists (stopwords, sentiment lexicons, wijk names from
 *   INSPRAAK_DATA or ./data) and without (what redaction uses), which must
 *   find at least the same. Last, classify_idea() sets the pii list.
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
#include "xalloc.h"

static classify_pii_words_t t_words;
static classify_tok_t *t_tok;
static classify_senti_t *t_senti;
static geo_t *t_geo;
static char **t_stop;
static size_t t_n_stop;

static const char *t_data(void)
{
    const char *d = getenv("INSPRAAK_DATA");
    return d && *d ? d : "./data";
}

static int t_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int t_setup(void **state)
{
    (void)state;
    char err[512] = "", path[1024], xml[1024], line[256];
    t_tok = classify_tok_new(err, sizeof err);
    snprintf(xml, sizeof xml, "%s/nl/pattern-nl-sentiment.xml", t_data());
    snprintf(path, sizeof path, "%s/nl/sentiment.tsv", t_data());
    t_senti = t_tok ? classify_senti_new(t_tok, xml, path, err, sizeof err) : NULL;
    t_geo = geo_load(t_data(), err, sizeof err);
    snprintf(path, sizeof path, "%s/nl/stopwords-iso-nl.txt", t_data());
    FILE *fp = fopen(path, "r");
    while (fp && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        t_stop = xrealloc(t_stop, (t_n_stop + 1) * sizeof *t_stop);
        t_stop[t_n_stop++] = xstrdup(line);
    }
    if (fp)
        fclose(fp);
    qsort(t_stop, t_n_stop, sizeof *t_stop, t_cmp);
    t_words = (classify_pii_words_t){(const char *const *)t_stop, t_n_stop, t_tok, t_senti, t_geo};
    if (!t_tok || !t_senti || !t_geo || t_n_stop < 100) {
        fprintf(stderr, "setup: %s (stopwords: %zu)\n", err, t_n_stop);
        return -1;
    }
    return 0;
}

static int t_teardown(void **state)
{
    (void)state;
    classify_senti_destroy(&t_senti);
    classify_tok_destroy(&t_tok);
    geo_destroy(&t_geo);
    for (size_t i = 0; i < t_n_stop; i++)
        free(t_stop[i]);
    free(t_stop);
    return 0;
}

/* The places found, as "a|b|c" ("" for none). */
typedef struct {
    const char *text;
    char got[512];
    int n;
} t_places_t;

static int t_collect(void *arg, const char *kind, size_t start, size_t end)
{
    t_places_t *p = arg;
    assert_non_null(kind);
    assert_true(start < end);
    p->n++;
    size_t len = strlen(p->got);
    snprintf(p->got + len, sizeof p->got - len, "%s%.*s", len ? "|" : "", (int)(end - start),
             p->text + start);
    return 0;
}

static void t_find(const char *text, const char *kind, const classify_pii_words_t *w, char *out)
{
    t_places_t p = {text, "", 0};
    int n = classify_pii_find(text, kind, w, t_collect, &p);
    assert_int_equal(n, p.n);
    strcpy(out, p.got);
}

/* mode: 'b' the places are found with and without word lists; 's' found
 * only without them (the lexicons say: ordinary words). */
typedef struct {
    const char *kind;
    const char *text;
    const char *places;
    char mode;
} t_case_t;

static const t_case_t CASES[] = {
    /* email */
    {"email", "Mail gerust naar anna.devries@ziggo.nl als u vragen hebt.", "anna.devries@ziggo.nl",
     'b'},
    {"email", "<p.de-vries+inspraak@mail.heerlen.nl> en jan@example.org",
     "p.de-vries+inspraak@mail.heerlen.nl|jan@example.org", 'b'},
    /* letters with accents in the address; curly quotes around it are not part of it */
    {"email", "Mail naar info@bäckerei-müller.de of josé.ramírez@example.nl.",
     "info@bäckerei-müller.de|josé.ramírez@example.nl", 'b'},
    {"email", "Mail “jan@example.nl” of ‘piet@example.nl’…", "jan@example.nl|piet@example.nl",
     'b'},
    /* a space typed before the dot of a label is still the address; not
     * a space after the dot, a capital or a long last word after it */
    {"email", "Mail naar lisa.vos@ziggo .nl, dank. Of naar jan@gmail .com.",
     "lisa.vos@ziggo .nl|jan@gmail .com", 'b'},
    {"email", "Vraag het @thuis .Nu al, of @werk . nl of info@buurt .netwerken", "", 'b'},
    /* also before an inner dot */
    {"email", "Mail naar jan.smit@gemeente .heerlen.nl of piet@mail .zuyd.nl.",
     "jan.smit@gemeente .heerlen.nl|piet@mail .zuyd.nl", 'b'},
    /* a complete address is not made longer by a space and a dot after
     * it: the end of a sentence, a typo or a word after a stray dot */
    {"email", "mail naar info@heerlen.nl . Dank", "info@heerlen.nl", 'b'},
    {"email", "mail naar info@heerlen.nl .dank u, of naar jan@gmail .com .nl",
     "info@heerlen.nl|jan@gmail .com", 'b'},
    {"email", "Groet @gemeente .heerlen en @wijk .heerlen.Nu", "", 'b'},
    /* an address written out in words, as residents do against spam */
    {"email", "Mailen kan naar jan punt jansen apenstaartje gmail punt com, dan stuur ik foto's.",
     "jan punt jansen apenstaartje gmail punt com", 'b'},
    {"email", "Via piet.smeets (at) hotmail.com of anna [at] ziggo.nl",
     "piet.smeets (at) hotmail.com|anna [at] ziggo.nl", 'b'},
    {"email", "Het apenstaartje is een teken, punt uit. Ik zit (at) home, punt.", "", 'b'},
    {"email", "Volg ons op @heerlen_nl of #heerlen2050", "", 'b'},
    {"email", "prijs 3@5 euro, x@localhost", "", 'b'},
    /* phone */
    {"phone", "Bel me gerust: 06-12345678. Of overdag (045) 571 23 45.",
     "06-12345678|(045) 571 23 45", 'b'},
    {"phone", "mijn mobiel is +31 6 12345678", "+31 6 12345678", 'b'},
    /* a dash a word processor made long, and the slash of "045/5712345" */
    {"phone", "Bel 06 – 12345678 of 045/5712345.", "06 – 12345678|045/5712345",
     'b'},
    {"phone", "Op 01/02/2026 en 01–02–2026 was er niets.", "", 'b'},
    {"phone", "Op 01-02-2026 om 10:00 was er een bijeenkomst.", "", 'b'},
    {"phone", "Bestelnummer 0612345678901 is nooit geleverd.", "", 'b'},
    {"phone", "Storten op NL91 ABNA 0417 1643 00, bellen op 045 571 23 45", "045 571 23 45",
     'b'}, /* an IBAN in groups holds "0417 1643 00" */
    /* iban: NL91ABNA0417164300, DE89370400440532013000 and BE68539007547034
     * are the registry's own examples; the check digits are right */
    {"iban", "Stort het op NL91 ABNA 0417 1643 00 t.n.v. de buurtvereniging.",
     "NL91 ABNA 0417 1643 00", 'b'},
    {"iban", "rekening nl91abna0417164300, dank u", "nl91abna0417164300", 'b'},
    {"iban", "IBAN: DE89370400440532013000 of BE68539007547034.",
     "DE89370400440532013000|BE68539007547034", 'b'},
    {"iban", "Stort het op NL92ABNA0417164300 graag.", "", 'b'}, /* check digits wrong */
    {"iban", "Stort het op NL91ABNA0417164301 graag.", "", 'b'}, /* one digit changed */
    {"iban", "NL91ABNA041716430 is te kort en NL91ABNA04171643000 te lang", "", 'b'},
    {"iban", "code XY12ABCD1234567890 en NL12 3456 7890 en ABNA0417164300", "", 'b'},
    /* postcode with a house number */
    {"postcode", "Ik woon op de Akerstraat 12, 6411 AB Heerlen en de stoep is kapot.",
     "Akerstraat 12, 6411 AB", 'b'},
    {"postcode", "Mijn adres is 6411AB 12a. Kom gerust langs.", "6411AB 12a", 'b'},
    {"postcode", "Ik ben Fatima. Bij de Akerstraat 12, 6411 AB is het druk.",
     "Akerstraat 12, 6411 AB", 'b'}, /* the street does not reach back over "Bij de" */
    {"postcode", "Adres: Burgemeester van Grunsvenplein 101\n6411 AT Heerlen",
     "Burgemeester van Grunsvenplein 101\n6411 AT", 'b'},
    /* a house number addition written apart, as on many letters */
    {"postcode", "Het gaat om Akerstraat 12 B, 6411 AB Heerlen.", "Akerstraat 12 B, 6411 AB",
     'b'},
    {"postcode", "Adres: Pancratiusplein 7 a 6411 JT", "Pancratiusplein 7 a 6411 JT", 'b'},
    /* the house number named as such, in the same sentence as the postcode */
    {"postcode", "Mijn postcode is 6411 AB en mijn huisnummer 12a, de lamp is stuk.",
     "6411 AB en mijn huisnummer 12a", 'b'},
    {"postcode", "Huisnummer: 12-2, postcode 6411AB.", "Huisnummer: 12-2, postcode 6411AB", 'b'},
    {"postcode", "Ik woon aan de Akerstraat huisnummer 12, kom gerust.", "Akerstraat huisnummer 12",
     'b'},
    {"postcode", "Huisnr. 12, postcode 6411 AB. Mijn huisnr. 12, 6411 AB Heerlen.",
     "Huisnr. 12, postcode 6411 AB|huisnr. 12, 6411 AB", 'b'},
    {"postcode", "Postcode 6411 AB. Het huisnummer 12 staat op de kaart.", "", 'b'},
    {"postcode", "12 B, 6411 AB", "", 'b'}, /* no street before it */
    /* a range of house numbers is a stretch of street, not one home */
    {"postcode", "In 6412 AB is elk huisnummer 12 tot 40 aangesloten op het warmtenet.", "",
     'b'},
    {"postcode", "Postcode 6411 AB, huisnummer 2 t/m 18: de stoep gaat open.", "", 'b'},
    {"postcode", "De Akerstraat 2 tot en met 40 krijgt nieuwe stoepen.", "", 'b'},
    /* "tot" and a number that is no second house number: a time, a date
     * or a year after one home's address */
    {"postcode", "Kom langs op de Akerstraat 12 tot 17 uur, dan ben ik thuis.", "Akerstraat 12",
     'b'},
    {"postcode", "Ik woon op Akerstraat 12 tot 15 maart, dan verhuis ik.", "Akerstraat 12", 'b'},
    {"postcode", "Ik woon nog op Akerstraat 12 tot 2027.", "Akerstraat 12", 'b'},
    {"postcode", "Mijn adres is 6411AB 12a tot 17:30 uur.", "6411AB 12a", 'b'},
    {"postcode", "Ik woon op Akerstraat 12 tot 1 mei.", "Akerstraat 12", 'b'},
    {"postcode", "Postcode 6415 el, nr. 7-B", "", 'b'}, /* lowercase with a space */
    {"postcode", "graag bij 6415el nr. 7-B aanbellen", "6415el nr. 7-B", 'b'},
    {"postcode", "In 6411 AB is de stoep kapot, en in 6412 CD ook.", "", 'b'},
    {"postcode", "Sinds 1990 de 2 scholen dicht zijn, is 6411 AB 12:30 druk.", "", 'b'},
    {"postcode", "Er wonen 6411 SS 12 mensen", "", 'b'}, /* SS is never issued */
    /* a street with a house number is an address without a postcode too */
    {"postcode", "Er moet een zebrapad komen bij de Akerstraat 12, daar woon ik.",
     "Akerstraat 12", 'b'},
    /* a preposition that starts the sentence is no part of a street
     * that is a street by its last word; "In de Cramer" is a street */
    {"postcode", "Op de Akerstraat 12 is de stoep kapot.", "Akerstraat 12", 'b'},
    {"postcode", "Bij Kloosterweg 4 ligt glas.\nAan Geerstraat 5 ook", "Kloosterweg 4|Geerstraat 5",
     'b'},
    {"postcode", "Naast de Akerstraat 12, 6411 AB is het druk.", "Akerstraat 12, 6411 AB", 'b'},
    {"postcode", "In de Cramer 12, 6411 AB Heerlen", "In de Cramer 12, 6411 AB", 'b'},
    {"postcode", "Ik woon aan de Kloosterweg 12a en de stoep is kapot.", "Kloosterweg 12a", 'b'},
    {"postcode", "Adres: Burgemeester van Grunsvenplein 12-3. Kom gerust.",
     "Burgemeester van Grunsvenplein 12-3", 'b'},
    {"postcode", "Wij wonen op Schaesbergerweg 101 en Pancratiusplein 7.",
     "Schaesbergerweg 101|Pancratiusplein 7", 'b'},
    {"postcode", "Het is bij Heerlerweg 4 en de Oude Kerkstraat 2b", "Heerlerweg 4|Oude Kerkstraat 2b",
     'b'},
    {"postcode", "Er ligt achter Geerstraat 5 een veldje.", "Geerstraat 5", 'b'},
    /* "nr." or "nummer" between street and house number */
    {"postcode", "Ik woon aan de Akerstraat nr. 12 en de stoep is kapot.", "Akerstraat nr. 12", 'b'},
    {"postcode", "Bel aan bij Kloosterweg nr 4a", "Kloosterweg nr 4a", 'b'},
    {"postcode", "Wij wonen op het Pancratiusplein nummer 7.", "Pancratiusplein nummer 7", 'b'},
    {"postcode", "Op de Akerstraat nr. 2 keer per dag file.", "", 'b'},
    {"postcode", "Bus nr. 12 en het fietspad nummer 3", "", 'b'},
    {"postcode", "Het gaat om Akerstraat 12 B, 6411 AB Heerlen.", "Akerstraat 12 B, 6411 AB", 'b'},
    {"postcode", "Neem lijn 40 of bus 12, zie artikel 5. Ik kom 2 keer.", "", 'b'},
    {"postcode", "Op de Akerstraat 2 keer per dag file, al 3 jaar.", "", 'b'},
    /* a plural noun after the number makes it a count, a verb or a
     * preposition leaves it a house number */
    {"postcode", "Op de Akerstraat 30 bomen gekapt, op de Valkenburgerweg 3 ongelukken.", "", 'b'},
    {"postcode", "In de Kloosterweg 12 lantaarns kapot en 40 auto's op het Pancratiusplein 3 dagen.",
     "", 'b'},
    {"postcode", "Vlak bij Akerstraat 12 liggen stenen, boven Kloosterweg 4 wonen we.",
     "Akerstraat 12|Kloosterweg 4", 'b'},
    {"postcode", "Het huis Akerstraat 12 boven de bakker en Geerstraat 5 tegen de heg.",
     "Akerstraat 12|Geerstraat 5", 'b'},
    /* a verb before its subject (the street put first) is no plural noun */
    {"postcode", "Bij ons op de Akerstraat 12 hadden we een tuin, op de Geerstraat 5 merken wij "
                 "de herrie en aan de Kloosterweg 7 ervaren jullie dat ook.",
     "Akerstraat 12|Geerstraat 5|Kloosterweg 7", 'b'},
    {"postcode", "Het pand Akerstraat 12 gelegen naast de kerk staat leeg.", "Akerstraat 12", 'b'},
    {"postcode", "Sinds de Kloosterweg 2019 open is, en de Valkenburgerweg 1990.", "", 'b'},
    {"postcode", "Het fietspad 3 meter breder, de straat 12 uur dicht.", "", 'b'},
    {"postcode", "Fietspad 3 meter breder en de Akerstraat 40 km per uur.", "", 'b'},
    {"postcode", "Om 10:30 op de Akerstraat, 12 mensen kwamen.", "", 'b'},
    {"postcode", "Op het Pancratiusplein 3 mei een markt. Vergadering 3 maart.", "", 'b'},
    /* a street written in lower case, after "op", "aan" or an address word */
    {"postcode", "ik woon op de akerstraat 12 en er is veel lawaai", "akerstraat 12", 'b'},
    {"postcode", "mijn adres is kloosterweg 4a, kom gerust", "kloosterweg 4a", 'b'},
    {"postcode", "Op akerstraat 12 staat de lantaarnpaal scheef", "akerstraat 12", 'b'},
    {"postcode", "op het schoolplein 2 bankjes en aan het fietspad 3 paaltjes", "", 'b'},
    {"postcode", "de akerstraat 2 keer per dag dicht en op de kloosterweg 2019 ook", "", 'b'},
    /* a street without a street ending ("Markt", "Bongerd"), after an
     * address cue, with the phrase ending after the number */
    {"postcode", "Ik woon op de Ganzeweide 88 en de bus rijdt te weinig.", "Ganzeweide 88", 'b'},
    {"postcode", "Mijn adres is Markt 3, kom gerust langs.", "Markt 3", 'b'},
    {"postcode", "Adres: Promenade 12\nHeerlen", "Promenade 12", 'b'},
    {"postcode", "Wij wonen aan de Bongerd 4.", "Bongerd 4", 'b'},
    {"postcode", "Ik woon aan de Oude Markt 7 en Op de Markt 3 is het druk", "Oude Markt 7|Markt 3",
     'b'},
    {"postcode", "Stap op Lijn 40 of op Bus 12, zie Artikel 5. Op Heerlen 2050, op Lijst 3.", "",
     'b'},
    {"postcode", "Wij wonen aan Fase 2. Het gebeurt op Zaterdag 3 of op Mei 12.", "", 'b'},
    {"postcode", "Op de Markt 3 kramen, aan de Promenade 12 bomen, op de Markt 2019.", "", 'b'},
    /* a capitalised word after a bare "op" or "aan" is a floor, a room or
     * a brand, not a street: "op de", "aan het", "ik woon op" or "adres:"
     * must come before a street without a street ending */
    {"postcode", "Op Verdieping 2 is de wc kapot, aan Kamer 12 ook.", "", 'b'},
    {"postcode", "Wifi op Etage 3 werkt niet. Zenders op Ziggo 5.", "", 'b'},
    {"postcode", "Ik woon op Ganzeweide 88 en het is er stil.", "Ganzeweide 88", 'b'},
    /* a street word with an ending that also ends places or nouns
     * ("weide", "veld", "baan", "berg", "boord") after a bare "op",
     * "aan" or "bij": a street more often than a floor or a room */
    {"postcode", "De lamp op Ganzeweide 88 is kapot.", "Ganzeweide 88", 'b'},
    {"postcode", "Er staat een kapotte fiets bij Ganzeweide 88, kan die weg?", "Ganzeweide 88",
     'b'},
    {"postcode", "Het park bij Ganzeweide 88 is mooi, bij de Bongerd 4 ook.",
     "Ganzeweide 88|Bongerd 4", 'b'},
    {"postcode", "De stoep aan Schandelerboord 3 en op Bekkerveld 12 is kapot.",
     "Schandelerboord 3|Bekkerveld 12", 'b'},
    {"postcode", "Bij Kamer 12 en bij Verdieping 2 is het koud. In Molenberg 2 scholen.", "", 'b'},
    {"postcode", "Op Molenberg 2 scholen en bij Heerlerbaan 12 ongelukken.", "", 'b'},
    /* names */
    {"name", "Mijn naam is Anna de Vries en ik woon in Heerlerbaan.", "Anna de Vries", 'b'},
    {"name", "Ik ben Jan, 34 jaar, en ik mis een bankje.", "Jan", 'b'},
    {"name", "ik heet Özlem Yılmaz en ik fiets elke dag", "Özlem Yılmaz", 'b'},
    /* capitals outside Latin-1 (Turkish, Polish, Czech names) */
    {"name", "Mijn naam is İbrahim Şahin en ik wil een park.", "İbrahim Şahin", 'b'},
    {"name", "Ik heet Łukasz Żak", "Łukasz Żak", 'b'},
    {"name", "Meer licht graag.\n\nGroeten,\nŽaneta Čermáková\n", "Žaneta Čermáková", 'b'},
    {"name", "mijn naam is: J.P. van 't Hof", "J.P. van 't Hof", 'b'},
    {"name", "Meer bomen graag.\n\nMet vriendelijke groet,\nPiet Jansen\n", "Piet Jansen", 'b'},
    /* the short closings of a quick message */
    {"name", "Meer bomen graag.\nGr. Jan Smeets", "Jan Smeets", 'b'},
    {"name", "Meer bomen graag. Grt, Anna\n", "Anna", 'b'},
    {"name", "Neem 200 gr. Suiker mee naar de markt.", "", 'b'},
    {"name", "Groetjes, Marie-Louise", "Marie-Louise", 'b'},
    {"name", "Hartelijke groeten,\nRob en Ellen Coumans", "Rob en Ellen Coumans", 'b'},
    {"name", "Met vriendelijke groet,\nfam. Houben", "Houben", 'b'},
    {"name", "Groet,\njuf Esther", "Esther", 'b'},
    /* a family word before the name, as grandparents sign: the name is
     * flagged, the word stays */
    {"name", "Meer bankjes in het park graag.\n\nLiefs, oma Truus", "Truus", 'b'},
    {"name", "Meer bankjes graag.\nGroetjes,\nopa Jan Smeets\n", "Jan Smeets", 'b'},
    {"name", "Een speeltuin graag.\nDikke knuffel en liefs,\ntante Anja", "Anja", 'b'},
    {"name", "Liefs, oma\n", "", 'b'},
    /* a family word or title with a name anywhere in the text: the name
     * is flagged, the word stays; "X en Y" gives both names */
    {"name", "Mijn tante Anja en oom Wim wonen hier al jaren.", "Anja|Wim", 'b'},
    {"name", "Mijn buurman Piet de Vries en buurvrouw Els helpen mee.", "Piet de Vries|Els", 'b'},
    {"name", "Mijn neef Daan en nicht Sara spelen in het park.", "Daan|Sara", 'b'},
    {"name", "Samen met collega Jansen, mijn zus Fatima en mevrouw De Bruin.",
     "Jansen|Fatima|De Bruin", 'b'},
    {"name", "Mijn tante Anja en Wim wonen hier.", "Anja en Wim", 'b'},
    {"name", "Mijn tante woont hier, mijn oom ook. De buurman en de buurvrouw ook.", "", 'b'},
    {"name", "Groet,\nMevr. Th. Pelzer\n", "Th. Pelzer", 'b'},
    {"name", "Mijn oom Heerlenaar, tante Gemeente. Jong gezin Nieuw Lotbroek: te klein.", "",
     'b'},
    /* "van" between closing and name, as children and family sign */
    {"name", "Dan hoeven we niet op straat te hangen.\n\nGroetjes van Jayden", "Jayden", 'b'},
    {"name", "Meer bankjes.\nLiefs van oma Truus", "Truus", 'b'},
    {"name", "Meer bankjes.\nGroeten van Rob en Ellen Coumans\n", "Rob en Ellen Coumans", 'b'},
    {"name", "Groeten van de buurtvereniging", "", 'b'},
    {"name", "Groeten van Heerlen", "", 'b'},
    /* an office or a title after a title is no name; the Lord neither */
    {"name", "Mevrouw Wethouder,\nGraag meer bankjes.", "", 'b'},
    {"name", "Geachte mevrouw Burgemeester, meneer Wethouder Jansen kent het park.", "Jansen",
     'b'},
    {"name", "Dank aan de Heer Jezus voor dit mooie park.", "", 'b'},
    {"name", "Samen met mevrouw Koning en meneer Prins.", "Koning|Prins", 'b'},
    {"name", "Groetjes van ons allemaal", "", 'b'},
    {"name", "Groet,\nDaan (19)\n", "Daan", 'b'},
    {"name", "Met sportieve groet,\nBestuur volleybalvereniging", "", 'b'},
    {"name", "Met vriendelijke groet,\nBewoners van de straat", "", 'b'},
    {"name", "Ik ben Jan en ik woon hier", "Jan", 'b'},
    {"name", "Met vriendelijke groet, Jan Smeets, Akerstraat", "Jan Smeets", 'b'},
    /* the closings residents really use, with or without comma or line
     * break, and names with initials or a double surname */
    {"name", "Ik wil meer bankjes in het park. Hoogachtend, P. Smeets", "P. Smeets", 'b'},
    {"name", "Meer licht.\nHoogachtend\nJ.M. van den Berg\n", "J.M. van den Berg", 'b'},
    {"name", "Meer licht.\n\nVriendelijke groeten,\nJan de Vries-Janssen", "Jan de Vries-Janssen",
     'b'},
    {"name", "Meer licht. Vriendelijke groet Anna", "Anna", 'b'},
    {"name", "Graag een bankje. Met dank, Piet Jansen", "Piet Jansen", 'b'},
    {"name", "Graag een bankje.\nMet dank\nPiet Jansen", "Piet Jansen", 'b'},
    {"name", "Graag een bankje. Dank u wel!\nFatima", "Fatima", 'b'},
    {"name", "Graag een bankje. Dank je wel, Sem", "Sem", 'b'},
    {"name", "Graag een bankje. Liefs, Anna", "Anna", 'b'},
    {"name", "Graag een bankje. Groetjes Marie", "Marie", 'b'},
    {"name", "Graag een bankje.\nGr. P. Smeets", "P. Smeets", 'b'},
    {"name", "Graag een bankje. Mvg, J. Dols", "J. Dols", 'b'},
    {"name", "Graag een bankje.\nMvg\nJ. Dols", "J. Dols", 'b'},
    {"name", "Graag een bankje. Hoogachtend, een bezorgde bewoner", "", 'b'},
    {"name", "Hoogachtend,\nEen bezorgde bewoner", "", 'b'},
    {"name", "Groeten uit Heerlen en tot ziens", "", 'b'},
    {"name", "Met dank aan de vrijwilligers van de buurt.", "", 'b'},
    {"name", "Dank u wel voor het luisteren. Liefs uit Heerlen", "", 'b'},
    {"name", "Ik ben boos over de parkeerplaatsen.", "", 'b'},
    {"name", "Ik ben 70 jaar en ik ben het eens met het plan.", "", 'b'},
    {"name", "Ik ben Heerlenaar in hart en nieren. Groeten uit Heerlen", "", 'b'},
    {"name", "Ik ben in Heerlen geboren. Dat is wie ik ben. Jan weet dat.", "", 'b'},
    {"name", "Met vriendelijke groet, Heerlen", "", 'b'},
    {"name", "Groet, en tot ziens op de buurtavond", "", 'b'},
    {"name", "namens Wijkraad Heerlerheide: meer licht", "", 'b'},
    /* intake-mail puts a mail's subject on the first line of the text */
    {"name", "Idee van Piet Jansen\n\nMeer bankjes in het park.", "Piet Jansen", 'b'},
    {"name", "Voorstel van J. Dols: meer licht", "J. Dols", 'b'},
    {"name", "Suggestie van familie Ramakers", "Ramakers", 'b'},
    {"name", "Het idee van Heerlen 2050 is mooi, het idee van de buurt ook.", "", 'b'},
    {"name", "Reactie van Gemeente Heerlen op ons voorstel van maandag", "", 'b'},
    /* an organisation after "van" is no person */
    {"name", "Ik steun het idee van Wijkraad Zeswegen", "", 'b'},
    {"name", "Voorstel van Buurtvereniging De Linde: meer bomen", "", 'b'},
    {"name", "Reactie van Stichting Hart voor Heerlen, bericht van Basisschool De Vlieger", "",
     'b'},
    {"name", "Idee van Zuyd Hogeschool en het Bernardinuscollege", "", 'b'},
    {"name", "Met vriendelijke groet,\nVereniging Oud-Heerlen\n", "", 'b'},
    {"name", "IK BEN BOOS OVER DE BUS", "BOOS OVER DE BUS", 's'},
    {"name", "IK BEN HET NIET EENS", "HET NIET EENS", 's'},
    {"name", "Ik ben Blij met het nieuwe park", "Blij", 's'},
};

static void test_table(void **state)
{
    (void)state;
    char got[512];
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const t_case_t *c = &CASES[i];
        t_find(c->text, c->kind, NULL, got);
        if (strcmp(got, c->places) != 0)
            fail_msg("%s without words in \"%s\": got \"%s\", want \"%s\"", c->kind, c->text, got,
                     c->places);
        t_find(c->text, c->kind, &t_words, got);
        const char *want = c->mode == 's' ? "" : c->places;
        if (strcmp(got, want) != 0)
            fail_msg("%s with words in \"%s\": got \"%s\", want \"%s\"", c->kind, c->text, got,
                     want);
        assert_int_equal(classify_pii_has(c->text, c->kind, &t_words), want[0] != '\0');
    }
}

static void test_iban_check_digits(void **state)
{
    (void)state;
    /* Every other pair of check digits for the same account fails. */
    char iban[] = "NL00ABNA0417164300";
    int ok = 0;
    for (int d = 0; d < 100; d++) {
        iban[2] = (char)('0' + d / 10);
        iban[3] = (char)('0' + d % 10);
        ok += classify_pii_has(iban, "iban", NULL);
    }
    assert_int_equal(ok, 1);
    assert_true(classify_pii_has("NL91ABNA0417164300", "iban", NULL));
    /* Not Dutch-shaped (4 letters + 10 digits) even with a fitting check:
     * NL + check + 14 digits. */
    assert_false(classify_pii_has("NL49 0417 1643 0012 3456", "iban", NULL));
}

static void test_unknown_kind_and_null(void **state)
{
    (void)state;
    assert_int_equal(classify_pii_find("x", "bsn", NULL, t_collect, NULL), -1);
    assert_int_equal(classify_pii_find(NULL, "name", NULL, t_collect, NULL), 0);
    assert_false(classify_pii_has(NULL, "iban", NULL));
    assert_false(classify_pii_has("", "postcode", &t_words));
    for (size_t i = 0; CLASSIFY_PII_KINDS[i]; i++)
        assert_int_equal(classify_pii_find("", CLASSIFY_PII_KINDS[i], NULL, t_collect, NULL), 0);
}

/* The same finders through the whole classifier: the record's pii list. */
static void test_classify_idea_sets_pii(void **state)
{
    (void)state;
    char err[512] = "";
    setenv("INSPRAAK_MODEL_FILE", "none", 1);
    classify_t *cls = classify_new(t_data(), err, sizeof err);
    assert_non_null(cls);
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.title, "Speeltuin");
    proto_set(&idea.text, "Beste gemeente,\nIk mis een speeltuin. Mijn naam is Fatima el Amrani, "
                          "ik woon op de Akerstraat 12, 6411 AB Heerlen. Bel 06-12345678 of mail "
                          "fatima@example.nl. Ik doneer graag: NL91 ABNA 0417 1643 00.");
    classify_idea(cls, &idea);
    assert_int_equal(idea.n_pii, 5);
    const char *want[] = {"email", "phone", "iban", "postcode", "name"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(idea.pii[i], want[i]);
    idea_clear(&idea);

    idea_init(&idea);
    proto_set(&idea.text, "IK BEN BOOS. In 6411 AB is de stoep al jaren kapot, bel de gemeente "
                          "op 14 045.");
    classify_idea(cls, &idea);
    assert_int_equal(idea.n_pii, 0);
    idea_clear(&idea);

    /* a street interview: the interviewer's question (source.context)
     * shows on staff pages and in exports beside every answer */
    idea_init(&idea);
    proto_set(&idea.text, "Meer bankjes in het park, dan kunnen ouderen even zitten.");
    proto_set(&idea.source.context, "Mevrouw Jansen, wat vindt u van het park?");
    classify_idea(cls, &idea);
    assert_int_equal(idea.n_pii, 1);
    assert_string_equal(idea.pii[0], "name");
    idea_clear(&idea);
    classify_destroy(&cls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_iban_check_digits),
        cmocka_unit_test(test_unknown_kind_and_null),
        cmocka_unit_test(test_classify_idea_sets_pii),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
