/*
 * NAME
 *   classify_tok - words and their Dutch stems
 *
 * DESCRIPTION
 *   A word is a run of letters, digits and non-ASCII UTF-8 letters
 *   (apostrophes inside a word stay: "'s avonds" -> "s", "avonds").
 *   Lowercasing covers ASCII and the Latin-1 capitals of UTF-8
 *   (C3 80..C3 9E), which is what Dutch, German and Polish-as-typed need
 *   for matching keywords. Typographic punctuation (E2 80 xx: quotes,
 *   dashes, ellipsis) separates words. Stems come from the snowball Dutch
 *   stemmer (libstemmer), which folds plurals and verb forms
 *   ("woningen" -> "woning", "parkeren" -> "parker"). A handle remembers
 *   the stems of the last words it saw (TOK_CACHE_SLOTS, direct-mapped):
 *   libstemmer costs ~1,900 instructions a word and most words of a text
 *   ("de", "het", "straat") were stemmed many times before.
 */
#include <ctype.h>
#include <libstemmer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

#define TOK_MAX_WORD 64
/* Stems remembered: a fixed table indexed by a hash of the word, one
 * word a slot (a new word takes the slot over). Fixed-size slots in one
 * block, so a look-up touches one cache line: a glib table of strings
 * (tried before) cost more in cache misses than the stemming it saved.
 * Words and stems of TOK_CACHE_BYTES or more are stemmed every time. */
#define TOK_CACHE_SLOTS 4096
#define TOK_CACHE_BYTES 32

typedef struct {
    char word[TOK_CACHE_BYTES]; /* "" when empty */
    char stem[TOK_CACHE_BYTES];
} tok_slot_t;

struct classify_tok {
    struct sb_stemmer *sb;
    tok_slot_t *cache; /* TOK_CACHE_SLOTS, allocated on the first stem */
};

classify_tok_t *classify_tok_new(char *err, size_t errlen)
{
    struct sb_stemmer *sb = sb_stemmer_new("dutch", "UTF_8");
    if (!sb) {
        snprintf(err, errlen, "libstemmer has no Dutch stemmer");
        return NULL;
    }
    classify_tok_t *self = xcalloc(1, sizeof *self);
    self->sb = sb;
    return self;
}

void classify_tok_destroy(classify_tok_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sb_stemmer_delete((*self_p)->sb);
    free((*self_p)->cache);
    free(*self_p);
    *self_p = NULL;
}

/* FNV-1a of the word's len bytes. */
static size_t s_slot_of(const char *word, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)word[i]) * 16777619u;
    return h & (TOK_CACHE_SLOTS - 1);
}

/* The stem of word (len bytes) as a pointer and length: into the
 * remembered slot, libstemmer's buffer or word itself, valid until the
 * next stem. */
static const char *s_stem_ref(classify_tok_t *self, const char *word, size_t len, size_t *n_out)
{
    tok_slot_t *slot = NULL;
    const sb_symbol *s;
    size_t n;
    if (len > 0 && len < TOK_CACHE_BYTES) {
        if (!self->cache)
            self->cache = xcalloc(TOK_CACHE_SLOTS, sizeof *self->cache);
        slot = &self->cache[s_slot_of(word, len)];
    }
    if (slot && memcmp(slot->word, word, len + 1) == 0) {
        s = (const sb_symbol *)slot->stem, n = strlen(slot->stem);
    } else {
        s = sb_stemmer_stem(self->sb, (const sb_symbol *)word, (int)len);
        n = s ? (size_t)sb_stemmer_length(self->sb) : 0;
        if (!s) /* out of memory inside libstemmer: the word itself */
            s = (const sb_symbol *)word, n = len;
        else if (slot && n < TOK_CACHE_BYTES) {
            memcpy(slot->word, word, len + 1);
            memcpy(slot->stem, s, n);
            slot->stem[n] = '\0';
        }
    }
    *n_out = n;
    return (const char *)s;
}

void classify_stem(classify_tok_t *self, const char *word, char *out, size_t outlen)
{
    size_t n;
    const char *s = s_stem_ref(self, word, strlen(word), &n);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Bytes of the word character at p (0 when p is not in a word). */
static size_t s_word_char(const unsigned char *p)
{
    if (isalnum(*p))
        return 1;
    if (*p == 0xE2 && p[1] == 0x80) /* general punctuation */
        return 0;
    if (*p == 0xC2) /* Latin-1 symbols: nbsp, guillemets, degree, ... */
        return 0;
    if (*p >= 0xC3) {
        size_t n = 1;
        while ((p[n] & 0xC0) == 0x80 && n < 4)
            n++;
        return n;
    }
    return 0;
}

/* Where a tokenize call cuts its words from: one block per call (sized
 * for the text), a new one only when a block is full. A word and its
 * stem sit together behind a flag byte (stem[i] points behind word[i]);
 * the flag is 1 for the first word of a block, which frees the block
 * (classify_toks_clear). Was a malloc and a free per word (~5,000
 * instructions an idea). */
typedef struct {
    char *at, *end; /* free room of the newest block */
} tok_block_t;

static char *s_block_take(tok_block_t *b, size_t size, size_t hint)
{
    int head = 0;
    if (!b->at || (size_t)(b->end - b->at) < size) {
        size_t cap = hint > size ? hint : size;
        b->at = xmalloc(cap);
        b->end = b->at + cap;
        head = 1;
    }
    char *p = b->at;
    b->at += size;
    p[0] = (char)head;
    return p + 1;
}

/* The arrays grow by doubling (capacity: the next power of two >= n,
 * at least TOK_FIRST_CAP: most ideas have fewer words, and starting at
 * 16 cost two more reallocs of both arrays an idea). */
#define TOK_FIRST_CAP 64
static void s_push(classify_tok_t *self, classify_toks_t *toks, const char *w, size_t len,
                   tok_block_t *b, size_t hint)
{
    size_t ls;
    const char *stem = s_stem_ref(self, w, len, &ls);
    if (ls >= TOK_MAX_WORD) /* cut as classify_stem into TOK_MAX_WORD bytes would */
        ls = TOK_MAX_WORD - 1;
    size_t n = toks->n;
    if (n == 0 || (n >= TOK_FIRST_CAP && (n & (n - 1)) == 0)) {
        size_t cap = n ? 2 * n : TOK_FIRST_CAP;
        toks->word = xrealloc(toks->word, cap * sizeof *toks->word);
        toks->stem = xrealloc(toks->stem, cap * sizeof *toks->stem);
    }
    size_t lw = len + 1;
    char *both = s_block_take(b, 1 + lw + ls + 1, hint);
    memcpy(both, w, lw);
    memcpy(both + lw, stem, ls);
    both[lw + ls] = '\0';
    toks->word[n] = both;
    toks->stem[n] = both + lw;
    toks->n++;
}

void classify_tokenize(classify_tok_t *self, const char *text, classify_toks_t *toks)
{
    if (!text)
        return;
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *end = p + strnlen(text, CLASSIFY_MAX_BYTES);
    /* words and stems take about twice the text (stems are no longer
     * than their words), plus a flag byte and two NULs a word */
    size_t hint = 2 * (size_t)(end - p) + 64;
    tok_block_t b = {NULL, NULL};
    char w[TOK_MAX_WORD];
    while (p < end && toks->n < CLASSIFY_MAX_WORDS) {
        size_t len = 0, k;
        while (p < end && (k = s_word_char(p)) == 0)
            p++;
        while (p < end && (k = s_word_char(p)) > 0) {
            for (size_t j = 0; j < k && p + j < end && len + k < sizeof w; j++) {
                unsigned char c = p[j];
                if (k == 1)
                    c = (unsigned char)tolower(c);
                else if (j == 1 && p[0] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
                    c = (unsigned char)(c + 0x20); /* Latin-1 capital -> small */
                w[len++] = (char)c;
            }
            p += k;
        }
        w[len] = '\0';
        if (len)
            s_push(self, toks, w, len, &b, hint);
    }
}

void classify_toks_clear(classify_toks_t *toks)
{
    /* from the end: a block's other words are read before its first
     * word (s_block_take) frees it */
    for (size_t i = toks->n; i-- > 0;)
        if (toks->word[i][-1])
            free(toks->word[i] - 1);
    free(toks->word);
    free(toks->stem);
    memset(toks, 0, sizeof *toks);
}
