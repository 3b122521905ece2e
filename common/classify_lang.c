/*
 * NAME
 *   classify_lang - the language of an idea's text, with libexttextcat
 *
 * DESCRIPTION
 *   textcat_Classify() answers a list of close candidates, e.g.
 *   "[nl--utf8][af--utf8]", or "SHORT" / "UNKNOWN". The first candidate's
 *   language part becomes an ISO 639-1 code; three-letter codes (languages
 *   without a 639-1 code) give NULL.
 *
 *   Two domain rules, because nearly all input in Heerlen is Dutch and
 *   textcat confuses Dutch with its neighbours on short texts:
 *   - when "nl" is among the close candidates, the answer is "nl";
 *   - texts under LANG_MIN_BYTES give NULL unless they are obviously
 *     Dutch: two common Dutch words, or one when textcat also says nl.
 *   - texts with many common Dutch words (LANG_SURE_*) are "nl" without
 *     asking textcat, which is the expensive part.
 *   Only the first LANG_MAX_BYTES are looked at: more does not change the
 *   answer and textcat's time grows with the length.
 *
 *   Which languages are told apart comes from a libexttextcat config
 *   file: the project's data/nl/textcat.conf (about 20 languages, see
 *   there why) or, without it, libexttextcat's own list of over 160.
 *   textcat compares every text with every fingerprint in the list, so
 *   the short list makes the guess about 8x cheaper.
 *
 *   textcat keeps state in its handle: one handle per thread.
 */
#include <ctype.h>
#include <libexttextcat/textcat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "xalloc.h"

#define LANG_CONF "/usr/share/libexttextcat/fpdb.conf"
#define LANG_PREFIX "/usr/share/libexttextcat/"
#define LANG_MIN_BYTES 25
#define LANG_MAX_BYTES 2000
/* Obviously Dutch, textcat not asked: at least this many common Dutch
 * words, making up at least this share of the words. textcat (building
 * the text's n-gram fingerprint and comparing it) was half of the
 * classifier's time; on the bench's and the dev set's texts the shortcut
 * changes no answer (checked when it was added). */
#define LANG_SURE_WORDS 4
#define LANG_SURE_PCT 15

struct classify_lang {
    void *tc;
    char code[4]; /* the last answer */
};

/* Common Dutch words; those that are as common in English, French or
 * German ("en", "in", "we", "er") are left out. */
static const char *const s_dutch[] = {
    "de",  "het", "een",  "van", "is",   "niet",  "geen", "meer",  "wij",
    "ik",  "op",  "voor", "met", "zijn", "wordt", "moet", "graag", "te", NULL};

classify_lang_t *classify_lang_new(char *err, size_t errlen)
{
    return classify_lang_new_conf(NULL, err, errlen);
}

classify_lang_t *classify_lang_new_conf(const char *conf, char *err, size_t errlen)
{
    if (!conf)
        conf = LANG_CONF;
    void *tc = special_textcat_Init(conf, LANG_PREFIX);
    if (!tc) {
        snprintf(err, errlen, "cannot read the libexttextcat fingerprints (%s)", conf);
        return NULL;
    }
    classify_lang_t *self = xcalloc(1, sizeof *self);
    self->tc = tc;
    return self;
}

void classify_lang_destroy(classify_lang_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    textcat_Done((*self_p)->tc);
    free(*self_p);
    *self_p = NULL;
}

/* Number of common Dutch words in text (whole words, ASCII case-folded);
 * *words gets the number of words looked at. */
static int s_dutch_words(const char *text, size_t len, int *words)
{
    int n = 0, all = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        while (p < end && !isalpha((unsigned char)*p))
            p++;
        const char *w = p;
        while (p < end && isalpha((unsigned char)*p))
            p++;
        size_t wl = (size_t)(p - w);
        all += wl > 0;
        for (int i = 0; wl && wl <= 5 && s_dutch[i]; i++)
            if (strlen(s_dutch[i]) == wl && strncasecmp(w, s_dutch[i], wl) == 0) {
                n++;
                break;
            }
    }
    *words = all;
    return n;
}

/* The language of the first "[xx--utf8]" candidate into code, or "". */
static void s_first(const char *answer, char code[4])
{
    code[0] = '\0';
    if (answer[0] != '[')
        return;
    size_t n = strcspn(answer + 1, "-]");
    if (n == 2 && isalpha((unsigned char)answer[1]) && isalpha((unsigned char)answer[2])) {
        code[0] = (char)tolower((unsigned char)answer[1]);
        code[1] = (char)tolower((unsigned char)answer[2]);
        code[2] = '\0';
    }
}

const char *classify_lang(classify_lang_t *self, const char *text)
{
    if (!text)
        return NULL;
    size_t len = strlen(text);
    if (len > LANG_MAX_BYTES)
        len = LANG_MAX_BYTES;
    int words, dutch = s_dutch_words(text, len, &words);
    if (len >= LANG_MIN_BYTES && dutch >= LANG_SURE_WORDS && dutch * 100 >= words * LANG_SURE_PCT)
        return "nl";
    /* The fingerprints are of ordinary text: a text IN CAPITALS (a few
     * residents write so) is guessed from its lowercase form. */
    char low[LANG_MAX_BYTES];
    int caps = 0, small = 0;
    for (size_t i = 0; i < len; i++) {
        caps += text[i] >= 'A' && text[i] <= 'Z';
        small += text[i] >= 'a' && text[i] <= 'z';
    }
    if (caps > 2 * small) {
        for (size_t i = 0; i < len; i++)
            low[i] = (char)tolower((unsigned char)text[i]);
        text = low;
    }
    const char *answer = textcat_Classify(self->tc, text, len);
    if (!answer)
        return NULL;
    int nl = strstr(answer, "[nl-") != NULL;
    if (len < LANG_MIN_BYTES)
        return dutch >= (nl ? 1 : 2) ? "nl" : NULL;
    if (nl)
        return "nl";
    s_first(answer, self->code);
    return self->code[0] ? self->code : NULL;
}
