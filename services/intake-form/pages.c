/*
 * NAME
 *   pages - the HTML of the idea box (see pages.h)
 *
 * DESCRIPTION
 *   Pages are written with stdio into an open_memstream() buffer: plain,
 *   bounded by what we print, and no template engine to trust. Field ids
 *   are the Dutch field names, so the error summary can link to "#tekst".
 */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "log.h"
#include "validate.h"
#include "xalloc.h"

#define PAGE_TITLE "Ideeënbus omgevingsvisie Heerlen"

static const char s_css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:1.125rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
    "color:#1a1a1a;background:#fff}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.75rem;line-height:1.25}h2{font-size:1.3rem}"
    "a{color:#00528a}a:focus{background:#ffdd00;color:#1a1a1a}"
    ":focus{outline:3px solid #1a1a1a;outline-offset:2px}"
    ".veld{margin:0 0 1.5rem}"
    "label,legend{display:block;font-weight:700}"
    ".hint{margin:.25rem 0;color:#474747}"
    "input[type=text],input[type=email],select,textarea{display:block;width:100%;"
    "min-height:2.75rem;padding:.5rem;font:inherit;color:inherit;background:#fff;"
    "border:2px solid #474747;border-radius:0}"
    "textarea{min-height:10rem}"
    "fieldset{border:0;padding:0;margin:0 0 1.5rem;min-width:0}"
    "legend{padding:0;margin-bottom:.25rem}"
    ".keuze{display:flex;align-items:center;gap:.6rem;min-height:2.75rem}"
    ".keuze input{width:1.6rem;height:1.6rem;margin:0;flex:none}"
    ".keuze label{font-weight:400}"
    ".fouten,.bericht{border:4px solid #b10e1e;padding:1rem;margin:0 0 1.5rem}"
    ".fouten h2{margin-top:0}"
    ".foutmelding{color:#b10e1e;font-weight:700;margin:.25rem 0}"
    ".fout-veld{border-left:4px solid #b10e1e;padding-left:.75rem}"
    ".fout-veld input,.fout-veld textarea,.fout-veld select{border-color:#b10e1e}"
    "button{font:inherit;font-weight:700;min-height:3rem;padding:.5rem 1.5rem;"
    "color:#fff;background:#00528a;border:2px solid #00528a;cursor:pointer}"
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
    "white-space:nowrap}"
    ".hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}";

/* Where the error summary sends people: the field, or its first option. */
static const char *const s_anchor[FORM_NFIELDS] = {"tekst",    "titel",    "wijk",
                                                   "postcode", "vraag-nu", "doelgroep-inwoner",
                                                   "naam",     "email",    "toestemming"};

static FILE *s_open(char **buf, size_t *len)
{
    FILE *fp = open_memstream(buf, len);
    if (!fp)
        log_fatal("msg=\"out of memory\" where=open_memstream");
    return fp;
}

static char *s_close(FILE *fp, char **buf)
{
    if (fclose(fp) != 0)
        log_fatal("msg=\"out of memory\" where=page");
    return *buf;
}

static void s_esc(FILE *fp, const char *s)
{
    char *e = http_html_escape(s ? s : "");
    fputs(e, fp);
    free(e);
}

static void s_head(FILE *fp, const char *title, bool error)
{
    fputs("<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          fp);
    if (error)
        fputs("Fout: ", fp);
    s_esc(fp, title);
    fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", s_css);
}

static void s_foot(FILE *fp)
{
    fputs("</main>\n</body>\n</html>\n", fp);
}

/* The raw value to show again: only valid UTF-8 goes back to the browser. */
static const char *s_value(const form_t *f, form_field_t i)
{
    if (!f || !f->raw[i] || !utf8_valid(f->raw[i], strlen(f->raw[i])))
        return "";
    return f->raw[i];
}

static const char *s_err(const form_t *f, form_field_t i)
{
    return f ? f->err[i] : NULL;
}

/* Label, hint and error of one field; the control follows. */
static void s_field_top(FILE *fp, const form_t *f, form_field_t i, const char *label,
                        const char *hint)
{
    const char *id = form_html_name(i);
    fprintf(fp, "<div class=\"veld%s\">\n<label for=\"%s\">%s</label>\n",
            s_err(f, i) ? " fout-veld" : "", id, label);
    if (hint)
        fprintf(fp, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", id, hint);
    if (s_err(f, i)) {
        fprintf(fp, "<p class=\"foutmelding\" id=\"%s-fout\"><span class=\"sr\">Fout: </span>", id);
        s_esc(fp, s_err(f, i));
        fputs("</p>\n", fp);
    }
}

/* aria-describedby pointing at the hint and the error message, if any. */
static void s_describedby(FILE *fp, const char *id, bool hint, bool err)
{
    if (!hint && !err)
        return;
    fputs(" aria-describedby=\"", fp);
    if (hint)
        fprintf(fp, "%s-hint", id);
    if (err)
        fprintf(fp, "%s%s-fout", hint ? " " : "", id);
    fputc('"', fp);
}

/* id, name, aria-describedby and aria-invalid of a control. */
static void s_attrs(FILE *fp, const form_t *f, form_field_t i, bool hint)
{
    const char *id = form_html_name(i);
    fprintf(fp, " id=\"%s\" name=\"%s\"", id, id);
    s_describedby(fp, id, hint, s_err(f, i) != NULL);
    if (s_err(f, i))
        fputs(" aria-invalid=\"true\"", fp);
}

/* maxlength: the server's limit for the field (validate.h), so a browser
 * stops there instead of the server refusing after sending; 0 for none.
 * A browser counts UTF-16 units, never fewer than the characters the
 * server counts in a title or name. An email address is measured by the
 * server in its ASCII form, which a domain with accents makes longer: the
 * server still answers such a one with its message. */
static void s_input(FILE *fp, const form_t *f, form_field_t i, const char *type, const char *label,
                    const char *hint, int maxlength, const char *extra)
{
    s_field_top(fp, f, i, label, hint);
    fprintf(fp, "<input type=\"%s\"", type);
    s_attrs(fp, f, i, hint != NULL);
    if (maxlength > 0)
        fprintf(fp, " maxlength=\"%d\"", maxlength);
    fprintf(fp, " %s value=\"", extra);
    s_esc(fp, s_value(f, i));
    fputs("\">\n</div>\n", fp);
}

static void s_errors_summary(FILE *fp, const form_t *f)
{
    if (!f || f->n_errors == 0)
        return;
    /* autofocus (no JavaScript needed): after a failed submit the focus
     * starts here, so a screen reader reads what went wrong first and the
     * keyboard goes on to the links to the fields */
    fputs("<div class=\"fouten\" role=\"alert\" aria-labelledby=\"fouten-titel\" "
          "tabindex=\"-1\" autofocus>\n"
          "<h2 id=\"fouten-titel\">Er ging iets mis</h2>\n"
          "<p>Verbeter de volgende punten en verstuur het formulier opnieuw:</p>\n<ul>\n",
          fp);
    for (int i = 0; i < FORM_NFIELDS; i++) {
        if (!f->err[i])
            continue;
        fprintf(fp, "<li><a href=\"#%s\">", s_anchor[i]);
        s_esc(fp, f->err[i]);
        fputs("</a></li>\n", fp);
    }
    fputs("</ul>\n</div>\n", fp);
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcasecmp(((const char *const *)a)[1], ((const char *const *)b)[1]);
}

static void s_wijk_select(FILE *fp, const form_t *f, const geo_t *geo)
{
    const char *hint = "Kies de wijk waar uw idee over gaat. Weet u het niet? Dan zoeken wij "
                       "het uit.";
    s_field_top(fp, f, FORM_WIJK, "Wijk (niet verplicht)", hint);
    fputs("<select", fp);
    s_attrs(fp, f, FORM_WIJK, true);
    fputs(">\n<option value=\"\">Weet ik niet</option>\n", fp);
    size_t n = geo ? geo_wijk_count(geo) : 0;
    const char **pairs = xcalloc(n ? n * 2 : 1, sizeof *pairs);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code, *name;
        if (geo_wijk_at(geo, i, &code, &name) < 0)
            break;
        const char *shortname = geo_wijk_name(geo, code);
        pairs[2 * k] = code;
        pairs[2 * k + 1] = shortname ? shortname : name;
        k++;
    }
    qsort(pairs, k, 2 * sizeof *pairs, s_name_cmp);
    const char *chosen = f ? (f->clean[FORM_WIJK] ? f->clean[FORM_WIJK] : f->raw[FORM_WIJK]) : NULL;
    for (size_t i = 0; i < k; i++) {
        fputs("<option value=\"", fp);
        s_esc(fp, pairs[2 * i]);
        fputc('"', fp);
        if (chosen && strcasecmp(chosen, pairs[2 * i]) == 0)
            fputs(" selected", fp);
        fputc('>', fp);
        s_esc(fp, pairs[2 * i + 1]);
        fputs("</option>\n", fp);
    }
    free(pairs);
    fputs("</select>\n</div>\n", fp);
}

/* A radio group: values[j] with labels[j]; checked the one matching the
 * value sent (case-insensitive), else def. */
static void s_radios(FILE *fp, const form_t *f, form_field_t i, const char *legend,
                     const char *hint, const char *const *values, const char *const *labels,
                     const char *def)
{
    const char *name = form_html_name(i);
    const char *err = s_err(f, i);
    const char *sent = (f && f->raw[i]) ? f->raw[i] : def;
    fprintf(fp, "<fieldset class=\"veld%s\"", err ? " fout-veld" : "");
    s_describedby(fp, name, hint != NULL, err != NULL);
    fprintf(fp, ">\n<legend>%s</legend>\n", legend);
    if (hint)
        fprintf(fp, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", name, hint);
    if (err) {
        fprintf(fp, "<p class=\"foutmelding\" id=\"%s-fout\"><span class=\"sr\">Fout: </span>",
                name);
        s_esc(fp, err);
        fputs("</p>\n", fp);
    }
    for (int j = 0; values[j]; j++) {
        fprintf(fp,
                "<div class=\"keuze\"><input type=\"radio\" id=\"%s-%s\" name=\"%s\" "
                "value=\"%s\"%s>",
                name, values[j], name, values[j],
                (sent && strcasecmp(sent, values[j]) == 0) ? " checked" : "");
        fprintf(fp, "<label for=\"%s-%s\">%s</label></div>\n", name, values[j], labels[j]);
    }
    fputs("</fieldset>\n", fp);
}

static const char *const s_q_values[] = {"nu", "toekomst", NULL};
static const char *const s_q_labels[] = {"Wat is Heerlen nu?", "Wat moet Heerlen worden?"};
static const char *const s_tg_values[] = {"inwoner", "professional", "buurtorganisatie", NULL};
static const char *const s_tg_labels[] = {"Inwoner (ik woon in Heerlen)",
                                          "Professional (ik werk in Heerlen)",
                                          "Buurtorganisatie of vereniging"};

/* The fields about the idea itself. */
static void s_idea_fields(FILE *fp, const form_t *f, const geo_t *geo)
{
    s_field_top(fp, f, FORM_TEXT, "Uw idee (verplicht)",
                "Schrijf in uw eigen woorden wat u wilt zeggen. Zet er geen adres of "
                "telefoonnummer in. U kunt maximaal 10.000 tekens gebruiken.");
    /* dir="auto" here and on the title and name: a resident who writes
     * Arabic or Hebrew sees the text in its own direction, the "!" at
     * the end of the sentence, also when the form comes back. */
    fprintf(fp, "<textarea rows=\"8\" dir=\"auto\" aria-required=\"true\" maxlength=\"%d\"",
            TEXT_MAX_CHARS);
    s_attrs(fp, f, FORM_TEXT, true);
    fputc('>', fp);
    s_esc(fp, s_value(f, FORM_TEXT));
    fputs("</textarea>\n</div>\n", fp);

    s_input(fp, f, FORM_TITLE, "text", "Titel (niet verplicht)",
            "Een korte zin die uw idee samenvat.", TITLE_MAX_CHARS,
            "dir=\"auto\" autocomplete=\"off\"");
    s_radios(fp, f, FORM_QUESTION, "Over welke vraag gaat uw idee? (niet verplicht)",
             "Kies wat het beste past. Weet u het niet? Dan kiezen wij.", s_q_values, s_q_labels,
             NULL);
    s_wijk_select(fp, f, geo);
    s_input(fp, f, FORM_POSTCODE, "text", "Postcode (niet verplicht)",
            "Bijvoorbeeld 6411 AB. Zo weten we over welke buurt het gaat.",
            0, "autocomplete=\"postal-code\" size=\"8\"");
    s_radios(fp, f, FORM_TARGET_GROUP, "Wie bent u?", NULL, s_tg_values, s_tg_labels, "inwoner");
}

/* Name, email and consent, with what we keep and why. */
static void s_contact_fields(FILE *fp, const form_t *f)
{
    fputs("<fieldset class=\"veld\">\n<legend>Wilt u horen wat er met uw idee gebeurt? "
          "(niet verplicht)</legend>\n"
          "<p class=\"hint\" id=\"toestemming-hint\">Dan hebben we uw e-mailadres nodig. Uw naam "
          "en e-mailadres "
          "bewaren we apart van uw idee. We gebruiken ze alleen om u te mailen over uw idee "
          "en de omgevingsvisie. Lees meer in de <a href=\"/privacy\">privacyverklaring</a>.</p>\n",
          fp);
    s_input(fp, f, FORM_NAME, "text", "Naam", NULL, NAME_MAX_CHARS,
            "dir=\"auto\" autocomplete=\"name\"");
    s_input(fp, f, FORM_EMAIL, "email", "E-mailadres", NULL, EMAIL_MAX_BYTES,
            "autocomplete=\"email\" spellcheck=\"false\"");
    const char *err = s_err(f, FORM_CONSENT);
    fprintf(fp, "<div class=\"veld%s\">\n", err ? " fout-veld" : "");
    if (err) {
        fputs("<p class=\"foutmelding\" id=\"toestemming-fout\"><span class=\"sr\">Fout: "
              "</span>",
              fp);
        s_esc(fp, err);
        fputs("</p>\n", fp);
    }
    fputs("<div class=\"keuze\"><input type=\"checkbox\" value=\"ja\"", fp);
    s_attrs(fp, f, FORM_CONSENT, true);
    if (f && f->consent)
        fputs(" checked", fp);
    fputs("><label for=\"toestemming\">Ik wil per e-mail horen wat er met mijn idee "
          "gebeurt.</label></div>\n</div>\n</fieldset>\n",
          fp);
}

char *page_form(const form_t *f, const geo_t *geo, const char *key, const char *notice, size_t *len)
{
    char *buf = NULL;
    FILE *fp = s_open(&buf, len);
    bool errors = f && f->n_errors > 0;
    s_head(fp, PAGE_TITLE, errors);
    fputs("<h1>Uw idee voor Heerlen</h1>\n"
          "<p>Heerlen maakt een omgevingsvisie: een plan voor hoe de stad er in 2050 uitziet. "
          "Wat vindt u goed aan Heerlen? En wat moet er beter? Vertel het ons.</p>\n",
          fp);
    if (notice) { /* has the focus, as the error summary below */
        fputs("<div class=\"bericht\" role=\"alert\" tabindex=\"-1\" autofocus><p>", fp);
        s_esc(fp, notice);
        fputs("</p></div>\n", fp);
    }
    s_errors_summary(fp, f);
    fputs("<form method=\"post\" action=\"/ideeen\" accept-charset=\"utf-8\" novalidate>\n", fp);
    if (key) {
        fputs("<input type=\"hidden\" name=\"sleutel\" value=\"", fp);
        s_esc(fp, key);
        fputs("\">\n", fp);
    }
    s_idea_fields(fp, f, geo);
    s_contact_fields(fp, f);
    /* The honeypot: people never see it (nor hear it: aria-hidden, and
     * out of the Tab order); bots that fill every field do. */
    fputs("<div class=\"hp\" aria-hidden=\"true\"><label for=\"website\">Vul dit veld niet in</label>"
          "<input type=\"text\" id=\"website\" name=\"website\" tabindex=\"-1\" "
          "autocomplete=\"off\"></div>\n"
          "<button type=\"submit\">Verstuur uw idee</button>\n</form>\n",
          fp);
    s_foot(fp);
    return s_close(fp, &buf);
}

char *page_thanks(const char *id, bool mail, bool name_only, size_t *len)
{
    char *buf = NULL;
    FILE *fp = s_open(&buf, len);
    s_head(fp, "Bedankt - " PAGE_TITLE, false);
    fputs("<h1>Bedankt!</h1>\n<p>Uw idee is ontvangen. Het nummer van uw idee is <strong>", fp);
    s_esc(fp, id);
    fputs("</strong>.</p>\n", fp);
    if (mail)
        fputs("<p>U krijgt een e-mail over wat er met uw idee gebeurt.</p>\n", fp);
    if (name_only) /* the privacy statement asks for the number then */
        fputs("<p>Bewaar dit nummer. U gaf uw naam, maar geen e-mailadres. Wilt u later "
              "weten wat we van u bewaren, of uw naam laten weghalen? Dan noemt u dit nummer. "
              "Lees meer in de <a href=\"/privacy\">privacyverklaring</a>.</p>\n",
              fp);
    fputs("<p>Alle ideeën samen helpen ons bij het maken van de omgevingsvisie.</p>\n"
          "<p><a href=\"/\">Nog een idee insturen</a></p>\n",
          fp);
    s_foot(fp);
    return s_close(fp, &buf);
}

char *page_message(const char *title, const char *text, size_t *len)
{
    char *buf = NULL;
    FILE *fp = s_open(&buf, len);
    s_head(fp, title, false);
    fputs("<h1>", fp);
    s_esc(fp, title);
    fputs("</h1>\n<p>", fp);
    s_esc(fp, text);
    fputs("</p>\n<p><a href=\"/\">Terug naar het formulier</a></p>\n", fp);
    s_foot(fp);
    return s_close(fp, &buf);
}

char *page_privacy(const char *contact, size_t *len)
{
    char *buf = NULL;
    FILE *fp = s_open(&buf, len);
    s_head(fp, "Privacy - " PAGE_TITLE, false);
    fputs("<h1>Privacy: wat doen we met uw gegevens?</h1>\n"
          "<p>De gemeente Heerlen verzamelt ideeën voor de omgevingsvisie. Hier leest u welke "
          "gegevens we bewaren, waarom, en wat uw rechten zijn.</p>\n"
          "<h2>Wat we bewaren</h2>\n<ul>\n"
          "<li>Uw idee: de tekst, de titel, de wijk, de postcode, de vraag en wie u bent "
          "(inwoner, professional of buurtorganisatie).</li>\n"
          "<li>Het tijdstip waarop u het idee stuurde.</li>\n"
          "<li>Alleen als u die invult: uw naam en e-mailadres. Die bewaren we apart van uw "
          "idee.</li>\n</ul>\n"
          "<h2>Waarom</h2>\n<ul>\n"
          "<li>We lezen alle ideeën en gebruiken ze om de omgevingsvisie te maken.</li>\n"
          "<li>We schrijven een verslag over wat mensen hebben gezegd. Daarin staan geen namen "
          "of e-mailadressen.</li>\n"
          "<li>Gaf u toestemming? Dan mailen we u over uw idee en over de omgevingsvisie. "
          "Zonder toestemming mailen we u niet.</li>\n</ul>\n"
          "<h2>Wie de gegevens ziet</h2>\n"
          "<p>Alleen medewerkers van de gemeente die aan de omgevingsvisie werken. We verkopen "
          "uw gegevens niet en geven ze niet aan anderen.</p>\n"
          "<h2>Hoe lang</h2>\n"
          "<p>We bewaren uw naam en e-mailadres tot de gemeenteraad de omgevingsvisie heeft "
          "vastgesteld. Daarna halen we ze weg. Uw idee blijft bewaard, zonder iets dat naar "
          "u wijst.</p>\n"
          "<h2>Uw rechten</h2>\n<ul>\n"
          "<li>U mag uw gegevens inzien: u krijgt alles wat we van u hebben.</li>\n"
          "<li>U mag vragen om uw gegevens te verwijderen. Uw idee blijft, zonder uw naam en "
          "e-mailadres.</li>\n"
          "<li>U mag zich afmelden. Dan mailen we u niet meer. In elke e-mail staat een link "
          "om u af te melden.</li>\n</ul>\n"
          "<p>Zo doet u dat: bel de gemeente Heerlen op 14 045, of schrijf naar: ",
          fp);
    s_esc(fp, contact);
    fputs(". Zeg dat het gaat om de ideeën voor de omgevingsvisie. Noem uw e-mailadres. "
          "Gaf u geen e-mailadres? Noem dan het nummer van uw idee. Dat staat op de pagina "
          "die u zag na het versturen.</p>\n"
          "<p>Bent u het niet eens met hoe we met uw gegevens omgaan? Dan mag u een klacht "
          "indienen bij de Autoriteit Persoonsgegevens.</p>\n"
          "<p><a href=\"/\">Terug naar het formulier</a></p>\n",
          fp);
    s_foot(fp);
    return s_close(fp, &buf);
}
