/*
 * NAME
 *   classify_sentiment - positief, neutraal or negatief
 *
 * DESCRIPTION
 *   A lexicon sum. Word polarities (-1..1) come from two places:
 *   - sentiment.tsv (domain words staff can edit; label "pol", weight =
 *     polarity; also "negator" and "intens" entries, see below). It wins
 *     over CLiPS because participation texts have their own loaded words
 *     ("overlast", "verloedering", "trots op").
 *   - the CLiPS pattern Dutch lexicon (pattern-nl-sentiment.xml, mostly
 *     adjectives; a form with several senses gets their mean), read with
 *     glib's GMarkup. Words with |polarity| < SENTI_MIN_CLIPS are ignored.
 *   Negators ("niet", "geen", "nooit") flip the next SENTI_NEG_WINDOW
 *   words, damped by SENTI_NEG_DAMP ("niet slecht" is milder than
 *   "goed"); intensifiers ("heel", "erg", "super") multiply the next
 *   word by their weight. Contrast words ("maar") damp the sum so far:
 *   after "mooi gebouw, maar er zit niks in" the complaint is meant. Wish
 *   markers ("zou", "als", "graag") damp the loaded words just after them:
 *   "het zou mooi zijn als" hopes, it does not praise; strong praise is
 *   damped less ("dat zou geweldig zijn" states hope positively, which the
 *   labels call positief). The words carry no punctuation, so the
 *   negation window is short (two words): "... niet bestaan. Vertelt
 *   trots ..." must not flip "trots". The sum is compared
 *   to two thresholds; a plain wish ("ik zou graag bankjes willen") has no
 *   loaded words and stays neutraal.
 *   A loaded phrase is one unit: "geen enkele", "niet normaal", "dan
 *   maar" are scored as written, not cut into a negator, a contrast or a
 *   wish marker and the rest; a wish pattern that holds a negator ("zou
 *   het niet mooi zijn") hopes and negates nothing. Irony markers ("🙄",
 *   "lekker bezig") turn the text's praise into complaint and complain
 *   themselves. Of two patterns of one length the later line wins, so
 *   sentiment.tsv can override CLiPS and itself.
 */
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

#define SENTI_MIN_CLIPS 0.2
#define SENTI_NEG_WINDOW 2
#define SENTI_NEG_DAMP 0.7
#define SENTI_POS 0.6
#define SENTI_NEG -0.2
/* "maar": the part before it counts this much (the part after is meant) */
#define SENTI_CONTRAST_DAMP 0.5
/* after a wish marker ("zou", "als", "graag"), loaded words within
 * SENTI_WISH_WINDOW words describe a hoped-for state: they count this much */
#define SENTI_WISH_WINDOW 6
#define SENTI_WISH_DAMP 0.4
/* strong praise in a wish is hope stated positively ("dat zou geweldig
 * zijn"): damped less than a mild word ("het zou mooi zijn als") */
#define SENTI_WISH_STRONG 1.0
#define SENTI_WISH_STRONG_DAMP 0.8
/* what an irony marker weighs as a complaint of its own */
#define SENTI_IRONY 0.5

typedef struct {
    double sum;
    int n;
} senti_cell_t;

/* Remembered CLiPS look-ups (the word -> cell table has ~3,000 forms
 * and nearly every word of a text asks it, ~150 instructions a
 * g_str_hash and look-up): a fixed table by a hash of the word, one word
 * a slot, as classify_lex.c does; words of SENTI_MEMO_KEY bytes or more
 * are looked up every time. The sentiment lexicons are per thread
 * already (their domain lexicon remembers look-ups too). */
#define SENTI_MEMO_SLOTS 1024
#define SENTI_MEMO_KEY 24

typedef struct {
    const senti_cell_t *cell; /* NULL: not in the lexicon */
    char word[SENTI_MEMO_KEY]; /* "" when empty */
} senti_memo_t;

struct classify_senti {
    GHashTable *clips; /* lowercase form -> senti_cell_t */
    classify_lex_t *domain;
    senti_memo_t *memo; /* SENTI_MEMO_SLOTS; written by classify_senti_parts */
};

static void s_start(GMarkupParseContext *ctx, const gchar *el, const gchar **names,
                    const gchar **values, gpointer data, GError **error)
{
    (void)ctx;
    (void)error;
    if (strcmp(el, "word") != 0)
        return;
    const char *form = NULL, *pol = NULL;
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], "form") == 0)
            form = values[i];
        else if (strcmp(names[i], "polarity") == 0)
            pol = values[i];
    }
    if (!form || !pol || strlen(form) > 60)
        return;
    char *key = g_utf8_strdown(form, -1);
    senti_cell_t *c = g_hash_table_lookup(data, key);
    if (!c) {
        c = g_new0(senti_cell_t, 1);
        g_hash_table_insert(data, key, c);
    } else {
        g_free(key);
    }
    c->sum += g_ascii_strtod(pol, NULL);
    c->n++;
}

static GHashTable *s_load_xml(const char *path, char *err, size_t errlen)
{
    gchar *xml = NULL;
    gsize len = 0;
    GError *ge = NULL;
    if (!g_file_get_contents(path, &xml, &len, &ge)) {
        snprintf(err, errlen, "%s", ge->message);
        g_error_free(ge);
        return NULL;
    }
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GMarkupParser parser = {.start_element = s_start};
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, h, NULL);
    if (!g_markup_parse_context_parse(ctx, xml, (gssize)len, &ge) ||
        !g_markup_parse_context_end_parse(ctx, &ge)) {
        snprintf(err, errlen, "%s: %s", path, ge->message);
        g_error_free(ge);
        g_hash_table_destroy(h);
        h = NULL;
    }
    g_markup_parse_context_free(ctx);
    g_free(xml);
    return h;
}

classify_senti_t *classify_senti_new(classify_tok_t *tok, const char *xml_path,
                                     const char *domain_path, char *err, size_t errlen)
{
    GHashTable *h = s_load_xml(xml_path, err, errlen);
    if (!h)
        return NULL;
    classify_lex_t *d = classify_lex_load(tok, domain_path, err, errlen);
    if (!d) {
        g_hash_table_destroy(h);
        return NULL;
    }
    classify_senti_t *self = xcalloc(1, sizeof *self);
    self->clips = h;
    self->domain = d;
    self->memo = xcalloc(SENTI_MEMO_SLOTS, sizeof *self->memo);
    return self;
}

void classify_senti_destroy(classify_senti_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    g_hash_table_destroy((*self_p)->clips);
    classify_lex_destroy(&(*self_p)->domain);
    free((*self_p)->memo);
    free(*self_p);
    *self_p = NULL;
}

/* The CLiPS cell of word (NULL: none), through the memo. */
static const senti_cell_t *s_clips(const classify_senti_t *self, const char *word)
{
    size_t len = strlen(word);
    if (len == 0 || len >= SENTI_MEMO_KEY)
        return g_hash_table_lookup(self->clips, word);
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)word[i]) * 16777619u;
    senti_memo_t *slot = &self->memo[h & (SENTI_MEMO_SLOTS - 1)];
    if (memcmp(slot->word, word, len + 1) == 0)
        return slot->cell;
    const senti_cell_t *c = g_hash_table_lookup(self->clips, word);
    memcpy(slot->word, word, len + 1);
    slot->cell = c;
    return c;
}

typedef struct {
    double pol, intens;
    int negator, has_pol, contrast, wish, irony;
    size_t words, wish_words;
} senti_hit_t;

static void s_hit(void *arg, const char *label, double weight, size_t words)
{
    senti_hit_t *h = arg;
    if (strcmp(label, "negator") == 0) {
        h->negator = 1;
    } else if (strcmp(label, "intens") == 0) {
        h->intens = weight;
    } else if (strcmp(label, "contrast") == 0) {
        h->contrast = 1;
    } else if (strcmp(label, "wish") == 0) {
        h->wish = 1;
        if (words > h->wish_words)
            h->wish_words = words;
    } else if (strcmp(label, "irony") == 0) {
        h->irony = 1;
    } else if (strcmp(label, "pol") == 0 && words >= h->words) {
        /* the longest pattern wins: "trots op" over "op" */
        /* of two patterns of one length the later line in the file
         * counts, not their sum ("mooi" and "mooie" both match "mooie"
         * by stem; "leegstaand* 0" after "leeg* -0.3" overrides it) */
        h->pol = weight;
        h->has_pol = 1;
        h->words = words;
    }
}

/* The praise of an ironic text is complaint ("Bedankt hoor gemeente 🙄"):
 * an irony marker anywhere turns the positive sum into negative, and is
 * itself a complaint ("Lekker bezig, gemeente.") */
static void s_irony(classify_senti_parts_t *out)
{
    if (!out->irony)
        return;
    out->neg -= out->pos + SENTI_IRONY;
    out->pos = 0;
}

void classify_senti_parts(const classify_senti_t *self, const classify_toks_t *toks,
                          classify_senti_parts_t *out)
{
    double mult = 1;
    size_t neg_left = 0, wish_left = 0;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < toks->n; i++) {
        senti_hit_t h = {0};
        classify_lex_at(self->domain, toks, i, s_hit, &h);
        /* a loaded phrase is one unit: "geen enkele", "niet normaal",
         * "als de dood" are scored as written, not split into a negator
         * or a wish marker and the rest */
        bool phrase = h.has_pol && h.words > 1;
        if (wish_left)
            wish_left--;
        if (h.irony) {
            out->irony++;
            if (h.words > 1)
                i += h.words - 1;
            continue;
        }
        if (h.contrast && !phrase) {
            out->pos *= SENTI_CONTRAST_DAMP;
            out->neg *= SENTI_CONTRAST_DAMP;
            out->contrast++;
            continue;
        }
        if (h.wish && !h.has_pol) {
            wish_left = SENTI_WISH_WINDOW;
            out->wish++;
            /* "zou het niet mooi zijn": the negator inside a wish
             * pattern asks, it does not deny */
            if (h.wish_words > 1)
                i += h.wish_words - 1;
            continue;
        }
        if (h.negator && !phrase) {
            neg_left = SENTI_NEG_WINDOW;
            continue;
        }
        if (h.intens > 0 && !phrase) {
            mult = h.intens;
            continue;
        }
        double p = 0;
        if (h.has_pol) {
            p = h.pol;
        } else {
            const senti_cell_t *c = s_clips(self, toks->word[i]);
            if (c && c->n &&
                (c->sum / c->n >= SENTI_MIN_CLIPS || c->sum / c->n <= -SENTI_MIN_CLIPS))
                p = c->sum / c->n;
        }
        if (p != 0) {
            p *= mult;
            if (neg_left) {
                p = -p * SENTI_NEG_DAMP;
                out->negated++;
            }
            if (wish_left)
                p *= p >= SENTI_WISH_STRONG ? SENTI_WISH_STRONG_DAMP : SENTI_WISH_DAMP;
            if (p > 0)
                out->pos += p;
            else
                out->neg += p;
            mult = 1;
            neg_left = 1; /* one negator flips one loaded word */
        }
        if (h.words > 1)
            i += h.words - 1;
        if (neg_left)
            neg_left--;
    }
    s_irony(out);
}

double classify_senti_score(const classify_senti_t *self, const classify_toks_t *toks)
{
    classify_senti_parts_t parts;
    classify_senti_parts(self, toks, &parts);
    return parts.pos + parts.neg;
}

const char *classify_sentiment(const classify_senti_t *self, const classify_toks_t *toks)
{
    double s = classify_senti_score(self, toks);
    if (s >= SENTI_POS)
        return "positief";
    if (s <= SENTI_NEG)
        return "negatief";
    return "neutraal";
}
