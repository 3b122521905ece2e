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
 *   "nl". Short French about parks, benches, buses and housing is "fr"
 *   though it shares "de", "je", "la" with Dutch and Limburgish ("Je
 *   voudrais plus de fleurs et des bancs"), while Dutch with French
 *   words ("Route de la Mode in het centrum", "Parking de Promenade
 *   vol") stays "nl". Short field notes of a few words ("Fietspad
 *   kapot", "Busstation centrum opknappen", "Sjtroat kapot") are "nl"
 *   by the Dutch dictionary; the same kind of note in another language
 *   ("Bus station too dark", "Mehr Bänke im Park", "Więcej ławek",
 *   "Playground broken", "Spielplatz kaputt", "Brudne ulice") keeps its
 *   language; with only one word of its list beside a word Dutch writes
 *   too ("Darmowy parking") it may get none, never "nl". A text
 *   without letters (emoji, a phone number) gets none. The dictionary
 *   is hunspell-nl (classify_compound_shared(), as the classifier loads
 *   it; INSPRAAK_HUNSPELL_DIR).
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
    /* short French about parks, benches, buses, sport and housing: "de"
     * and "je" are Dutch words too, "la", "les", "des", "du" are on no
     * list, and textcat says French (or Romanian) */
    {"fr", "Je voudrais plus de fleurs et des bancs"},
    {"fr", "Salle de sport municipale"},
    {"fr", "Plus de bancs au parc"},
    {"fr", "Le bus passe trop rarement le soir"},
    {"fr", "Des poubelles dans le parc, svp"},
    {"fr", "Un terrain de football pour les jeunes"},
    {"fr", "Les logements sont trop chers ici"},
    {"fr", "Il manque des places de parking"},
    {"fr", "Piste cyclable vers la gare"},
    {"fr", "Plus de bus vers Maastricht le dimanche"},
    {"fr", "Une aire de jeux pour les petits"},
    {"fr", "Des bancs près de la fontaine"},
    {"fr", "Nouvelle piscine pour la ville"},
    {"fr", "Rénover les trottoirs du centre"},
    {"fr", "Logements sociaux pour les familles"},
    {"fr", "Éclairage public dans la rue"},
    {"fr", "Plus d'arbres dans les rues"},
    {"fr", "Terrain de basket pour les ados"},
    {"fr", "Je voudrais un jardin partagé"},
    {"fr", "Moins de voitures au centre-ville"},
    {"fr", "Des toilettes publiques au parc"},
    {"fr", "Le parc est sale le week-end"},
    {"fr", "Appartements abordables pour les étudiants"},
    {"fr", "Fontaine d'eau potable au parc"},
    {"fr", "Parcours de jogging autour du lac"},
    {"fr", "Une salle de sport pour les seniors"},
    {"fr", "Les chiens partout dans le parc"},
    {"fr", "Ligne de bus vers l'hôpital"},
    {"fr", "Des fleurs sur la place du marché"},
    {"fr", "Stationnement gratuit pour les habitants"},
    {"fr", "Nettoyer les graffitis sur les murs"},
    {"fr", "Plus de pistes cyclables sécurisées"},
    {"fr", "Un restaurant au centre de la ville"},
    {"fr", "Le parking de la gare est plein"},
    {"fr", "La route vers le stade est dangereuse"},
    /* Dutch and Limburgish-flavoured Dutch with words French has too */
    {"nl", "De route naar het station is slecht verlicht"},
    {"nl", "Parking bij het station te duur"},
    {"nl", "Een restaurant in het centrum"},
    {"nl", "Meer parking in de binnenstad"},
    {"nl", "De centrale route door de wijk"},
    {"nl", "Terras van La Place moet blijven"},
    {"nl", "Plus supermarkt in Heerlerheide"},
    {"nl", "Fietsroute langs de Geleenbeek"},
    {"nl", "Parking Promenade te duur"},
    {"nl", "Restaurant de Kromme Dissel open houden"},
    {"nl", "Nieuw restaurant aan het Pancratiusplein"},
    {"nl", "De bus naar station Heerlen"},
    {"nl", "Parkeerplaatsen bij de Plus"},
    {"nl", "Wandelroute rond de Schaesberg"},
    {"nl", "Route de la Mode in het centrum"},
    {"nl", "Station de bus te vies"},
    {"nl", "Restaurant de Pancrace weer open"},
    {"nl", "Parking de Promenade vol"},
    {"nl", "Centrum de plus mooi maken"},
    {"nl", "De parking is altijd vol"},
    {"nl", "Ich wil mie parking in de sjtad"},
    {"nl", "Gein plats veur de fiets bij 't station"},
    {"nl", "De route nao 't station is donker"},
    {"nl", "Ein restaurant in de wiek"},
    {"nl", "Get doon aan de route nao Kirchroa"},
    {"nl", "Mie plats op de parking veur de luuj"},
    {"nl", "Sjoen restaurant in de sjtad"},
    {"nl", "De bus nao 't station kump te laat"},
    /* the same places and words in German, English, Polish, Turkish */
    {"de", "Mehr Parkplätze am Bahnhof bitte"},
    {"de", "Der Bus fährt zu selten"},
    {"de", "Ein Restaurant im Zentrum fehlt"},
    {"de", "Mehr Bänke im Park"},
    {"de", "Die Route zum Bahnhof ist dunkel"},
    {"de", "Wohnungen sind zu teuer"},
    {"en", "More benches in the park please"},
    {"en", "Parking in the centre is too expensive"},
    {"en", "We need a new sports hall"},
    {"en", "Cheaper housing for young people"},
    {"en", "The route to the station is dark"},
    {"pl", "Więcej ławek w parku"},
    {"pl", "Autobus jeździ za rzadko"},
    {"pl", "Parking przy dworcu jest za drogi"},
    {"pl", "Potrzebujemy nowej hali sportowej"},
    {"pl", "Mieszkania są za drogie"},
    {"tr", "Parkta daha fazla bank olsun"},
    {"tr", "Otobüs durağı çok kirli"},
    {"tr", "İstasyon yakınında otopark yok"},
    {"tr", "Yeni bir spor salonu lazım"},
    {"tr", "Kiralar çok pahalı"},
    /* short field notes and form lines (1-6 words): nouns with an
     * adjective or a verb, Heerlen places, compounds, a typo, Limburgish
     * words, a borrowed dish or phrase; textcat reads them as English,
     * Romanian or nothing, hunspell-nl knows their words */
    {"nl", "Busstation centrum opknappen"},
    {"nl", "Centrum plus parking gratis"},
    {"nl", "Parkeergarage centrum te duur"},
    {"nl", "Fietspad kapot"},
    {"nl", "Speeltuin vies"},
    {"nl", "Bomen planten Molenberg"},
    {"nl", "Hondenpoep overal"},
    {"nl", "Station te donker"},
    {"nl", "Gratis parkeren centrum"},
    {"nl", "Sport hal renoveren"},
    {"nl", "Terras Pancratiusplein top"},
    {"nl", "Crêpes à la carte in het centrum"},
    {"nl", "Meer bankjes Aambos"},
    {"nl", "Lantaarnpaal stuk Schandelen"},
    {"nl", "Stoep scheef Hoensbroek"},
    {"nl", "Zwerfafval Heerlerbaan"},
    {"nl", "Bushokje vernield"},
    {"nl", "Te hard rijden Welten"},
    {"nl", "Speelveld Meezenbroek opknappen"},
    {"nl", "Prullenbak vol"},
    {"nl", "Afvalbakken Imstenrade vol"},
    {"nl", "Zebrapad Akerstraat gevaarlijk"},
    {"nl", "Verkeersdrempel nodig Zeswegen"},
    {"nl", "Straatverlichting defect"},
    {"nl", "Oversteekplaats gevaarlijk"},
    {"nl", "Jongerenontmoetingsplek Grasbroek"},
    {"nl", "Fietsenstalling station vol"},
    {"nl", "Speeltoestellen vervangen"},
    {"nl", "Hondenuitlaatplaats Aarveld"},
    {"nl", "Bankjes Bekkerveld kapot"},
    {"nl", "Bus 40 te laat"},
    {"nl", "Lijn 21 vaker rijden"},
    {"nl", "Parkere te duur"},
    {"nl", "Stoepen slecht Vrieheide"},
    {"nl", "Groen onderhoud slecht"},
    {"nl", "Onkruid overal Rennemig"},
    {"nl", "Gras maaien Beersdal"},
    {"nl", "Meer groen centrum"},
    {"nl", "Skatebaan Heerlerheide"},
    {"nl", "Trapveldje Passart"},
    {"nl", "Zwembad open houden"},
    {"nl", "Bibliotheek langer open"},
    {"nl", "Markt zaterdag gezellig"},
    {"nl", "Terras Promenade druk"},
    {"nl", "Bloembakken Caumerveld mooi"},
    {"nl", "Wateroverlast tunnel"},
    {"nl", "Drempels Schaesbergerveld"},
    {"nl", "Sjtroat kapot"},
    {"nl", "Sjoen plein"},
    {"nl", "Te väöl verkeer"},
    {"nl", "Mie greun in 't centrum"},
    {"nl", "Kirmes terug in Hoensbroek"},
    {"nl", "Wifi in de bibliotheek"},
    {"nl", "Foodtrucks op de markt"},
    {"nl", "Coffee to go bij station"},
    {"nl", "Parking centrum te duur"},
    {"nl", "Parkeergarage centrum vol"},
    {"nl", "Meer prullenbakken Welten"},
    {"nl", "Hondepoep overal"},
    {"nl", "Pumptrack Aambos cool"},
    /* the same kind of note in other languages stays theirs */
    {"en", "Bus station too dark"},
    {"en", "More benches please"},
    {"en", "Need more trees"},
    {"en", "Too much traffic"},
    {"en", "Free parking please"},
    {"de", "Mehr Bänke im Park"},
    {"de", "Zu viel Verkehr"},
    {"de", "Straße dreckig"},
    {"de", "Bushaltestelle zu dunkel"},
    {"de", "Mehr Bäume pflanzen"},
    {"de", "Mehr Grün im Zentrum"},
    {"pl", "Więcej ławek"},
    {"pl", "Za dużo samochodów"},
    {"pl", "Więcej drzew"},
    {"tr", "Daha fazla bank"},
    {"tr", "Park çok kirli"},
    {"tr", "Otobüs durağı karanlık"},
    {"tr", "Daha fazla ağaç"},
    {"ar", "المزيد من المقاعد"},
    {"ar", "الحديقة متسخة"},
    {"ar", "الشارع مظلم"},
};

/* Short notes in another language, of the words civic notes use
 * ("broken", "kaputt", "cassée", "brudne", "bozuk"): their language.
 * Before the nineteenth round they had no word of its list (or one that
 * Dutch writes too: "de") and got none. */
static const struct {
    const char *want, *text;
} s_short_other[] = {
    {"fr", "Arrêt de bus sans abri"}, {"fr", "Horaires des bus du soir"},
    {"fr", "Trop de bruit la nuit"},  {"en", "Playground broken"},
    {"en", "Dirty streets"},          {"en", "Bike lane broken"},
    {"en", "Cheap housing needed"},   {"en", "Street lights broken"},
    {"en", "More trees downtown"},    {"en", "The park is dirty"},
    {"de", "Spielplatz kaputt"},      {"de", "Parken zu teuer"},
    {"de", "Radweg kaputt"},          {"de", "Kostenlos parken bitte"},
    {"fr", "Plus de bancs"},          {"fr", "Trop de voitures"},
    {"fr", "Gare trop sombre"},       {"fr", "Plus d'arbres"},
    {"fr", "Piste cyclable cassée"},  {"fr", "Parking gratuit svp"},
    {"fr", "Aire de jeux cassée"},    {"pl", "Plac zabaw zepsuty"},
    {"pl", "Brudne ulice"},           {"pl", "Ciemny dworzec"},
    {"tr", "Oyun parkı bozuk"},       {"tr", "Ücretsiz otopark"},
};

/* One word of a language's list beside a word Dutch writes too
 * ("parking"; "sale": a sale): too little to tell may give no language,
 * but never Dutch or another wrong one. */
static const struct {
    const char *want, *text;
} s_short_unsure[] = {
    {"pl", "Darmowy parking"},
    {"fr", "Parc sale"},
};

/* Short Dutch notes the words cannot tell yet (a typo in two words;
 * Limburgish hunspell-nl lacks; an English word and no Dutch sign, as in
 * "Bus station too dark"): Dutch or no language, never another. */
static const char *const s_short_dutch[] = {
    "Fietspad kaput",
    "Speeltuin viez",
    "Gein plats veur fietse",
    "Skatepark Heerlerbaan please",
};

/* Too little text to tell: no language, not a wrong one. */
static const char *const s_unsure[] = {
    "Mail me at john.smith@example.com",
    "Hallo",
    "ok",
    "Aambos 😍🌳🌳🌳🌳🌳", /* a place and emoji: no words to tell */
    /* no letters: no language, though a Dutch phone number */
    "👍👍",
    "123",
    "🌳🌳🌳 !!",
    "06-12345678",
    "😍😍😍 2024",
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
    for (size_t i = 0; i < sizeof s_short_other / sizeof *s_short_other; i++) {
        const char *got = classify_lang(lang, s_short_other[i].text);
        if (!got || strcmp(got, s_short_other[i].want) != 0) {
            fprintf(stderr, "  \"%s\": got %s, want %s\n", s_short_other[i].text,
                    got ? got : "NULL", s_short_other[i].want);
            wrong++;
        }
    }
    for (size_t i = 0; i < sizeof s_short_unsure / sizeof *s_short_unsure; i++) {
        const char *got = classify_lang(lang, s_short_unsure[i].text);
        if (got && strcmp(got, s_short_unsure[i].want) != 0) {
            fprintf(stderr, "  \"%s\": got %s, want %s or NULL\n", s_short_unsure[i].text, got,
                    s_short_unsure[i].want);
            wrong++;
        }
    }
    for (size_t i = 0; i < sizeof s_short_dutch / sizeof *s_short_dutch; i++) {
        const char *got = classify_lang(lang, s_short_dutch[i]);
        if (got && strcmp(got, "nl") != 0) {
            fprintf(stderr, "  \"%s\": got %s, want nl or NULL\n", s_short_dutch[i], got);
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
                 sizeof s_cases / sizeof *s_cases + sizeof s_unsure / sizeof *s_unsure +
                     sizeof s_short_other / sizeof *s_short_other +
                     sizeof s_short_unsure / sizeof *s_short_unsure +
                     sizeof s_short_dutch / sizeof *s_short_dutch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
