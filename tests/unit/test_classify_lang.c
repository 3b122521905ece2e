/*
 * NAME
 *   test_classify_lang - the language of short texts in every language
 *   residents of Heerlen write in
 *
 * DESCRIPTION
 *   A table of short, realistic texts (written for this test, in no
 *   training or evaluation set): English, German, Polish, Turkish and
 *   Arabic get their language; Limburgish-flavoured Dutch ("Doe mót get
 *   gebeure an de Akerstraat") and short Dutch field notes ("Vrouw (35):
 *   wil meer straatverlichting") stay "nl", and so does Dutch with one
 *   English word ("Zwembad terug in Heerlerbaan please"). Too little text
 *   to tell ("Mail me at" once the address is left out, a place name with
 *   emoji) gives no language rather than a wrong one. A few Dutch words
 *   that textcat reads as Romanian ("Openbare wc in de Rennemig.") stay
 *   "nl".
 *
 *   Uses the project's list of languages (data/nl/textcat.conf from
 *   INSPRAAK_DATA or ./data) and its wijk and buurt names, as the
 *   classifier does.
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

static const struct {
    const char *want, *text;
} s_cases[] = {
    /* English: an exchange student, an expat, a tourist */
    {"en", "I would like more bike lanes in Heerlen"},
    {"en", "Mail me at john.smith@example.com, I would like more bike lanes in Heerlen"},
    {"en", "Please call me at 0612345678, I would like more bike lanes in Heerlen"},
    {"en", "More student bars would be nice"},
    {"en", "The playground near our house is broken"},
    {"en", "Please fix the street lights in my street"},
    {"en", "We need a better bus connection to Maastricht"},
    {"en", "Too much litter around the station"},
    {"en", "There are not enough parking spots for residents"},
    {"en", "Could you add more benches in the park?"},
    {"en", "My kids need a safe place to play"},
    {"en", "The library should be open on Sundays"},
    /* German: neighbours from Aachen and Herzogenrath */
    {"de", "Mehr Radwege in Heerlen bitte"},
    {"de", "Der Spielplatz ist kaputt"},
    {"de", "Wir brauchen mehr Parkplätze für Anwohner"},
    {"de", "Die Busse fahren abends zu selten"},
    {"de", "Ich wohne in Kerkrade und arbeite in Heerlen"},
    {"de", "Es gibt zu wenig Mülleimer im Park"},
    {"de", "Bitte mehr Bänke am Marktplatz"},
    {"de", "Die Straßenbeleuchtung ist sehr schlecht"},
    {"de", "Schöne Stadt, aber zu viel Müll"},
    {"de", "Können Sie die Ampel reparieren?"},
    {"de", "Mein Sohn braucht einen Sportplatz in der Nähe"},
    /* Polish */
    {"pl", "Więcej ścieżek rowerowych w Heerlen"},
    {"pl", "Plac zabaw jest zepsuty"},
    {"pl", "Potrzebujemy więcej miejsc parkingowych"},
    {"pl", "Proszę naprawić lampy na mojej ulicy"},
    {"pl", "Za mało koszy na śmieci w parku"},
    {"pl", "Autobusy jeżdżą za rzadko wieczorem"},
    {"pl", "Chciałbym kurs języka niderlandzkiego dla dorosłych"},
    {"pl", "Mieszkam w Heerlen od pięciu lat"},
    {"pl", "Brakuje polskiego sklepu w centrum"},
    {"pl", "Dzieci nie mają gdzie grać w piłkę"},
    {"pl", "Jest za dużo śmieci na ulicy"},
    /* Turkish */
    {"tr", "Heerlen'de daha fazla bisiklet yolu olsun"},
    {"tr", "Oyun parkı bozuk, lütfen tamir edin"},
    {"tr", "Gençler için daha fazla iş lazım"},
    {"tr", "Lütfen sokak lambalarını tamir edin"},
    {"tr", "Parkta çok fazla çöp var"},
    {"tr", "Otobüsler akşamları çok az geliyor"},
    {"tr", "Camiye yakın otopark yok"},
    {"tr", "Çocuklar için güvenli bir oyun alanı istiyoruz"},
    {"tr", "Kadınlar için yüzme saati olsun"},
    {"tr", "Mahallemizde bir kafe açılsın"},
    {"tr", "Bu şehir çok güzel ama temizlik yetersiz"},
    /* Arabic */
    {"ar", "نحتاج إلى مزيد من ممرات الدراجات في هيرلن"},
    {"ar", "الملعب مكسور"},
    {"ar", "الرجاء إصلاح أضواء الشارع"},
    {"ar", "هناك الكثير من القمامة في الحديقة"},
    {"ar", "نريد دروس اللغة الهولندية للنساء"},
    {"ar", "الحافلات قليلة في المساء"},
    {"ar", "لا يوجد مكان آمن للأطفال"},
    {"ar", "شكرا على هذه المدينة الجميلة"},
    {"ar", "نحتاج إلى مسجد أكبر"},
    {"ar", "الإيجار مرتفع جدا"},
    {"ar", "أريد عملا في هيرلن"},
    /* Limburgish-flavoured Dutch: Dutch for the report */
    {"nl", "Doe mót get gebeure an de Akerstraat"},
    {"nl", "Veer wille mie greun in de wiek"},
    {"nl", "Ich vin et sjoen in Heële"},
    {"nl", "De sjtroat is neet sjoen mie"},
    {"nl", "Mer höbbe gein plats veur de kinger"},
    {"nl", "Ouch get vur de aw luuj in de buurt"},
    {"nl", "Heële is os sjtad, mer 't is te duuster 's oavends"},
    {"nl", "Die bus kump nooit op tied"},
    {"nl", "Sjoen wat ze gedoan höbbe mit 't plein"},
    {"nl", "Ich wil gein windmeule hie"},
    {"nl", "Alaaf! Mie vastelaovend in Heële"},
    /* short Dutch field notes */
    {"nl", "Vrouw (35): wil meer straatverlichting"},
    {"nl", "Man (60), Molenberg: bankjes bij de bushalte"},
    {"nl", "Jongen 15: skatebaan kapot"},
    {"nl", "Meisje (12): meer speeltuinen"},
    {"nl", "Echtpaar 70+: geen pinautomaat meer in Hoensbroek"},
    {"nl", "Moeder met kinderwagen: stoep te smal"},
    {"nl", "Man (45): hondenpoep overal"},
    {"nl", "Vrouw (28), Zeswegen: bus rijdt te weinig"},
    {"nl", "Oudere man: er wordt te hard gereden in de straat"},
    {"nl", "Jongeren: hangplek bij het park"},
    {"nl", "Vrouw (50): parkeren in het centrum te duur"},
    /* Dutch with one English word, as residents write it: no Dutch word
     * of the lists, so the one English word must not outweigh textcat's
     * nl */
    {"nl", "de skatepark is cool"},
    {"nl", "meer events voor young professionals"},
    {"nl", "Jongerencentrum with a gym en muziekstudio"},
    {"nl", "Speeltuinen in Hoensbroek, please"},
    {"nl", "Parkeerplaatsen Akerstraat too duur"},
    {"nl", "Zwembad terug in Heerlerbaan please"},
    {"nl", "Fietsenstalling station vol, more plekken"},
    {"nl", "Trapveldje in Meezenbroek with doeltjes"},
    {"nl", "Straatverlichting kapot in Grasbroek, too donker"},
    {"nl", "Hondenpoep overal in Molenberg, boetes please"},
    {"nl", "Brug over Caumerbeek repareren, not veilig"},
    /* two short English words between Dutch ones: the rest reads as Dutch */
    {"nl", "Voetbalkooi at the schoolplein"},
    {"nl", "Hondenpoepbakjes to the speeltuin"},
    /* a few Dutch words that textcat reads as Romanian: a word only Dutch
     * has, a preposition and an article ("in de"), or a Heerlen place
     * with a preposition */
    {"nl", "Een trampoline in Vrieheide."},
    {"nl", "Openbare toiletten in de binnenstad"},
    {"nl", "Openbare wc in de Rennemig."},
    {"nl", "Openbare wc in Benzenrade."},
    /* French and Spanish with a Heerlen place stay theirs */
    {"es", "Una pista en Imstenrade por favor"},
    {"fr", "Plus de bancs dans le parc de Imstenrade"},
    {"fr", "Une piste de pumptrack à Heerlen"},
    {"fr", "Nous voulons une piste de skate au Aambos"},
    {"fr", "Il faut une toilette publique à la gare"},
    /* no listed French word, Romanian to textcat: "è" is a letter French
     * writes and Romanian never does */
    {"fr", "Piste de pumptrack près de la gare"},
    {"fr", "Piste de skate près de la piscine"},
};

/* Too little text to tell: no language, not a wrong one. */
static const char *const s_unsure[] = {
    "Mail me at john.smith@example.com",
    "Hallo",
    "ok",
    "Aambos 😍🌳🌳🌳🌳🌳", /* a place and emoji: no words to tell */
};

static void test_short_texts(void **state)
{
    (void)state;
    char err[200], conf[1024];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(conf, sizeof conf, "%s/nl/textcat.conf", d && *d ? d : "./data");
    classify_lang_t *lang = classify_lang_new_conf(conf, err, sizeof err);
    assert_non_null(lang);
    geo_t *geo = geo_load(d && *d ? d : "./data", err, sizeof err);
    assert_non_null(geo);
    classify_lang_set_geo(lang, geo);
    int wrong = 0;
    for (size_t i = 0; i < sizeof s_cases / sizeof *s_cases; i++) {
        const char *got = classify_lang(lang, s_cases[i].text);
        if (!got || strcmp(got, s_cases[i].want) != 0) {
            fprintf(stderr, "  \"%s\": got %s, want %s\n", s_cases[i].text, got ? got : "NULL",
                    s_cases[i].want);
            wrong++;
        }
    }
    for (size_t i = 0; i < sizeof s_unsure / sizeof *s_unsure; i++) {
        const char *got = classify_lang(lang, s_unsure[i]);
        if (got) {
            fprintf(stderr, "  \"%s\": got %s, want NULL\n", s_unsure[i], got);
            wrong++;
        }
    }
    classify_lang_destroy(&lang);
    geo_destroy(&geo);
    if (wrong)
        fail_msg("%d of %zu short texts got the wrong language", wrong,
                 sizeof s_cases / sizeof *s_cases + sizeof s_unsure / sizeof *s_unsure);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
