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
 *   Only the first LANG_MAX_BYTES are looked at: more does not change the
 *   answer and textcat's time grows with the length.
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
    void *tc = special_textcat_Init(LANG_CONF, LANG_PREFIX);
    if (!tc) {
        snprintf(err, errlen, "cannot read the libexttextcat fingerprints (%s)", LANG_CONF);
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

/* Number of common Dutch words in text (whole words, ASCII case-folded). */
static int s_dutch_words(const char *text)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        while (*p && !isalpha((unsigned char)*p))
            p++;
        const char *w = p;
        while (isalpha((unsigned char)*p))
            p++;
        size_t len = (size_t)(p - w);
        for (int i = 0; len && s_dutch[i]; i++)
            if (strlen(s_dutch[i]) == len && strncasecmp(w, s_dutch[i], len) == 0) {
                n++;
                break;
            }
    }
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
    const char *answer = textcat_Classify(self->tc, text, len);
    if (!answer)
        return NULL;
    int nl = strstr(answer, "[nl-") != NULL;
    if (len < LANG_MIN_BYTES)
        return s_dutch_words(text) >= (nl ? 1 : 2) ? "nl" : NULL;
    if (nl)
        return "nl";
    s_first(answer, self->code);
    return self->code[0] ? self->code : NULL;
}
