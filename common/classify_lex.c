/*
 * NAME
 *   classify_lex - keyword lexicon files for themes, question and sentiment
 *
 * DESCRIPTION
 *   Staff edit these files (data/nl/themes.tsv etc.), so the format is
 *   plain: "label<TAB>pattern[<TAB>weight]" per line, '#' starts a
 *   comment, blank lines are skipped. See classify.h for the pattern
 *   forms. Patterns without '*' are stemmed when loaded, so one entry
 *   covers singular, plural and verb forms; a word written "=dan" is
 *   not: it matches that word alone, where its stem is shared by other
 *   words ("dans", "daan"). Hand-written because it is a
 *   dozen lines of parsing; limits: 4096-byte lines, 6 words a pattern,
 *   20000 entries, 256 labels.
 *
 *   Look-ups are indexed, because every word of every idea asks every
 *   lexicon (a linear scan with strcmp/strstr was 12 % of the
 *   classifier's time): entries whose first word is a stem sit in a hash
 *   table by that stem; the others (prefix, suffix, contains, word) are
 *   scanned, but each carries a 64-bit mask of its letter pairs and is
 *   tried only when the text word has all those pairs; they are also
 *   filed under one of their pair bits, so a word only looks at the
 *   entries filed under bits it has. Matching entries are reported in
 *   file order, as the plain scan did.
 *
 *   Which entries a word starts is a function of the word (and its
 *   stem), and the same words come again and again, so each lexicon
 *   remembers, for the last words it saw (LEX_MEMO_SLOTS, direct-mapped),
 *   the entries whose first word they match; the look-up above was ~600
 *   instructions a word and lexicon, 17 % of the classifier's. A lexicon
 *   is therefore not to be shared by threads (no caller does).
 */
#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

#define LEX_MAX_LINE 4096
#define LEX_MAX_WORDS 6
#define LEX_MAX_ENTRIES 20000
#define LEX_MAX_LABELS 256

typedef enum { PAT_STEM, PAT_PREFIX, PAT_SUFFIX, PAT_CONTAINS, PAT_WORD } pat_kind_t;

typedef struct {
    pat_kind_t kind;
    char *s;
    size_t len;
    uint64_t pairs; /* s_pairs(s): a filter for the letter patterns */
} pat_word_t;

typedef struct {
    int label;
    double weight;
    size_t n;
    pat_word_t w[LEX_MAX_WORDS];
} lex_entry_t;

/* A list of entry numbers, ascending. The by_pair lists also keep each
 * entry's letter-pair mask beside its number: the filter then reads one
 * small array instead of an entry (~200 bytes apart) per candidate. */
typedef struct {
    size_t n;
    unsigned *k;
    uint64_t *pairs; /* by_pair lists only, else NULL */
} lex_list_t;

/* Remembered look-ups: a fixed table indexed by a hash of the word, one
 * word a slot, 64 bytes a slot (one cache line: a glib table of strings
 * cost more in cache misses than it saved,
 * docs/classifier-history.md "Speed, session by session").
 * Words whose key does not fit, or that start more than LEX_MEMO_HITS
 * entries, are looked up every time. */
#define LEX_MEMO_SLOTS 1024
#define LEX_MEMO_KEY 40
#define LEX_MEMO_HITS 5

typedef struct {
    char key[LEX_MEMO_KEY]; /* word '\0' stem '\0'; all zero when empty */
    unsigned n;             /* entries in k */
    unsigned k[LEX_MEMO_HITS]; /* entries whose first word matches, in file order */
} lex_memo_t;

struct classify_lex {
    const char *labels[LEX_MAX_LABELS];
    size_t n_labels;
    lex_entry_t *e;
    size_t n;
    GHashTable *by_stem; /* first word's stem -> lex_list_t * */
    lex_list_t scan;     /* entries whose first word is a letter pattern */
    /* The same entries again, each under one bit of its letter-pair mask
     * (the bit whose list was shortest when it was filed; [64]: no pairs).
     * A word can only match entries filed under bits it has, so it looks
     * at those lists alone (about a tenth of scan for a common word). */
    lex_list_t by_pair[65];
    lex_memo_t *memo; /* LEX_MEMO_SLOTS; written by classify_lex_at */
};

/* Letter-pattern entries gathered for one word at most; more falls back
 * to the whole scan list (same answer, slower). */
#define LEX_CAND_MAX 512

/* A bit for each pair of adjacent bytes of s (hashed into 64): a word
 * can contain s only when it has every bit of s. */
static uint64_t s_pairs(const char *s, size_t len)
{
    uint64_t m = 0;
    for (size_t i = 0; i + 1 < len; i++)
        m |= (uint64_t)1 << (((unsigned char)s[i] * 31u + (unsigned char)s[i + 1]) & 63u);
    return m;
}

static void s_list_add(lex_list_t *l, unsigned k)
{
    l->k = xrealloc(l->k, (l->n + 1) * sizeof *l->k);
    l->k[l->n++] = k;
}

static void s_list_add_pairs(lex_list_t *l, unsigned k, uint64_t pairs)
{
    l->pairs = xrealloc(l->pairs, (l->n + 1) * sizeof *l->pairs);
    l->pairs[l->n] = pairs;
    s_list_add(l, k);
}

static void s_list_free(void *p)
{
    lex_list_t *l = p;
    free(l->k);
    free(l->pairs);
    free(l);
}

/* Files the entry just appended under its first word. */
static void s_index(classify_lex_t *self)
{
    unsigned k = (unsigned)(self->n - 1);
    const pat_word_t *w = &self->e[k].w[0];
    if (w->kind != PAT_STEM) {
        s_list_add(&self->scan, k);
        int bit = 64;
        for (int b = 0; b < 64; b++)
            if ((w->pairs >> b & 1) && (bit == 64 || self->by_pair[b].n < self->by_pair[bit].n))
                bit = b;
        s_list_add_pairs(&self->by_pair[bit], k, w->pairs);
        return;
    }
    lex_list_t *l = g_hash_table_lookup(self->by_stem, w->s);
    if (!l) {
        l = xcalloc(1, sizeof *l);
        g_hash_table_insert(self->by_stem, w->s, l); /* key owned by the entry */
    }
    s_list_add(l, k);
}

static int s_label(classify_lex_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_labels; i++)
        if (strcmp(self->labels[i], name) == 0)
            return (int)i;
    if (self->n_labels == LEX_MAX_LABELS)
        return -1;
    self->labels[self->n_labels] = xstrdup(name);
    return (int)self->n_labels++;
}

/* Parses one pattern word into w (lowercase expected). */
static void s_word(classify_tok_t *tok, const char *word, pat_word_t *w)
{
    size_t len = strlen(word);
    int exact = len > 1 && word[0] == '=';
    int pre = exact || (len > 1 && word[0] == '*'), post = len > 1 && word[len - 1] == '*';
    char buf[128];
    snprintf(buf, sizeof buf, "%.*s", (int)(len - (size_t)pre - (size_t)post), word + pre);
    for (char *c = buf; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    if (exact)
        w->kind = PAT_WORD;
    else if (pre && post)
        w->kind = PAT_CONTAINS;
    else if (pre)
        w->kind = PAT_SUFFIX;
    else if (post)
        w->kind = PAT_PREFIX;
    else {
        w->kind = PAT_STEM;
        char stem[128];
        classify_stem(tok, buf, stem, sizeof stem);
        snprintf(buf, sizeof buf, "%s", stem);
    }
    w->s = xstrdup(buf);
    w->len = strlen(buf);
    w->pairs = s_pairs(w->s, w->len);
}

/* One non-comment line; returns 0 or -1 (err set). */
static int s_line(classify_lex_t *self, classify_tok_t *tok, char *line, char *err,
                  size_t errlen)
{
    char *label = strtok(line, "\t"), *pattern = strtok(NULL, "\t"), *weight = strtok(NULL, "\t");
    if (!label || !pattern) {
        snprintf(err, errlen, "want label<TAB>pattern[<TAB>weight]");
        return -1;
    }
    lex_entry_t e = {.weight = 1.0};
    if (weight) {
        char *end;
        e.weight = strtod(weight, &end);
        if (end == weight || (*end && *end != ' ')) {
            snprintf(err, errlen, "bad weight \"%.40s\"", weight);
            return -1;
        }
    }
    if ((e.label = s_label(self, label)) < 0 || self->n == LEX_MAX_ENTRIES) {
        snprintf(err, errlen, "too many labels or entries");
        return -1;
    }
    for (char *w = strtok(pattern, " "); w; w = strtok(NULL, " ")) {
        if (e.n == LEX_MAX_WORDS) {
            snprintf(err, errlen, "pattern longer than %d words", LEX_MAX_WORDS);
            return -1;
        }
        s_word(tok, w, &e.w[e.n++]);
    }
    if (e.n == 0) {
        snprintf(err, errlen, "empty pattern");
        return -1;
    }
    self->e = xrealloc(self->e, (self->n + 1) * sizeof *self->e);
    self->e[self->n++] = e;
    s_index(self);
    return 0;
}

classify_lex_t *classify_lex_load(classify_tok_t *tok, const char *path, char *err,
                                  size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    classify_lex_t *self = xcalloc(1, sizeof *self);
    self->by_stem = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, s_list_free);
    self->memo = xcalloc(LEX_MEMO_SLOTS, sizeof *self->memo);
    char line[LEX_MAX_LINE], why[200];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        if (strspn(line, " \t") == strlen(line))
            continue;
        if ((rc = s_line(self, tok, line, why, sizeof why)) < 0)
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
    }
    fclose(f);
    if (rc < 0)
        classify_lex_destroy(&self);
    return self;
}

void classify_lex_destroy(classify_lex_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    classify_lex_t *self = *self_p;
    if (self->by_stem)
        g_hash_table_destroy(self->by_stem); /* before the entries own keys go */
    free(self->scan.k);
    for (int b = 0; b < 65; b++) {
        free(self->by_pair[b].k);
        free(self->by_pair[b].pairs);
    }
    for (size_t i = 0; i < self->n; i++)
        for (size_t k = 0; k < self->e[i].n; k++)
            free(self->e[i].w[k].s);
    for (size_t i = 0; i < self->n_labels; i++)
        free((char *)self->labels[i]);
    free(self->e);
    free(self->memo);
    free(self);
    *self_p = NULL;
}

static int s_match(const pat_word_t *w, const char *word, size_t len, const char *stem)
{
    switch (w->kind) {
    case PAT_STEM:
        return strcmp(w->s, stem) == 0;
    case PAT_PREFIX:
        return len >= w->len && memcmp(word, w->s, w->len) == 0;
    case PAT_SUFFIX:
        return len >= w->len && memcmp(word + len - w->len, w->s, w->len) == 0;
    case PAT_CONTAINS:
        return len >= w->len && strstr(word, w->s) != NULL;
    case PAT_WORD:
        return len == w->len && memcmp(word, w->s, len) == 0;
    }
    return 0;
}

/* Entry k, whose first word matches word i, against the words after
 * it: calls fn when all fit. */
static int s_rest(const classify_lex_t *self, size_t k, const classify_toks_t *toks, size_t i,
                  classify_lex_fn fn, void *arg)
{
    const lex_entry_t *e = &self->e[k];
    if (i + e->n > toks->n)
        return 0;
    for (size_t j = 1; j < e->n; j++) {
        const char *word = toks->word[i + j];
        if (!s_match(&e->w[j], word, strlen(word), toks->stem[i + j]))
            return 0;
    }
    if (fn)
        fn(arg, self->labels[e->label], e->weight, e->n);
    return 1;
}

/* The letter-pattern entries that may match a word with these letter
 * pairs, ascending, into cand; -1 when there are more than LEX_CAND_MAX. */
static int s_pair_candidates(const classify_lex_t *self, uint64_t pairs, unsigned *cand)
{
    int n = 0;
    for (uint64_t m = pairs;; m &= m - 1) { /* each set bit, then [64] */
        const lex_list_t *l = &self->by_pair[m ? __builtin_ctzll(m) : 64];
        for (size_t j = 0; j < l->n; j++) {
            if ((l->pairs[j] & ~pairs) != 0)
                continue;
            unsigned k = l->k[j];
            if (n == LEX_CAND_MAX)
                return -1;
            int at = n++;
            while (at > 0 && cand[at - 1] > k) { /* insertion sort: few and nearly sorted */
                cand[at] = cand[at - 1];
                at--;
            }
            cand[at] = k;
        }
        if (!m)
            break;
    }
    return n;
}

/* The memo slot of a word (FNV-1a of its len bytes). */
static lex_memo_t *s_memo_slot(const classify_lex_t *self, const char *word, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)word[i]) * 16777619u;
    return &self->memo[h & (LEX_MEMO_SLOTS - 1)];
}

int classify_lex_at(const classify_lex_t *self, const classify_toks_t *toks, size_t i,
                    classify_lex_fn fn, void *arg)
{
    if (i >= toks->n)
        return 0;
    const char *word = toks->word[i], *stem = toks->stem[i];
    size_t lw = strlen(word), ls;
    lex_memo_t *memo = NULL;
    int hits = 0;
    /* The stem's length only on a miss: a key that holds word and stem
     * fits (it is NUL-padded to LEX_MEMO_KEY), so on a hit they fit. */
    if (lw > 0 && lw + 2 < LEX_MEMO_KEY) {
        memo = s_memo_slot(self, word, lw);
        if (memcmp(memo->key, word, lw + 1) == 0 && strcmp(memo->key + lw + 1, stem) == 0) {
            for (unsigned x = 0; x < memo->n; x++)
                hits += s_rest(self, memo->k[x], toks, i, fn, arg);
            return hits;
        }
    }
    ls = strlen(stem);
    if (memo && lw + ls + 2 > LEX_MEMO_KEY)
        memo = NULL; /* does not fit: looked up every time */
    unsigned first[LEX_MEMO_HITS];
    size_t n_first = 0;
    uint64_t pairs = s_pairs(word, lw);
    const lex_list_t *bucket = g_hash_table_lookup(self->by_stem, toks->stem[i]);
    unsigned cand[LEX_CAND_MAX];
    int nc = s_pair_candidates(self, pairs, cand);
    const unsigned *scan = nc >= 0 ? cand : self->scan.k;
    size_t ns = nc >= 0 ? (size_t)nc : self->scan.n;
    size_t nb = bucket ? bucket->n : 0, b = 0, s = 0;
    /* Merge the stem bucket with the letter-pattern candidates, in file order. */
    while (b < nb || s < ns) {
        unsigned k;
        if (s == ns || (b < nb && bucket->k[b] < scan[s]))
            k = bucket->k[b++];
        else {
            k = scan[s++];
            if (nc < 0 && (self->e[k].w[0].pairs & ~pairs) != 0)
                continue; /* the whole scan list: not filtered yet */
        }
        if (!s_match(&self->e[k].w[0], word, lw, stem))
            continue;
        if (n_first < LEX_MEMO_HITS)
            first[n_first] = k;
        n_first++;
        hits += s_rest(self, k, toks, i, fn, arg);
    }
    if (memo && n_first <= LEX_MEMO_HITS) { /* remember the word's entries */
        memset(memo->key, 0, sizeof memo->key);
        memcpy(memo->key, word, lw + 1);
        memcpy(memo->key + lw + 1, stem, ls + 1);
        memo->n = (unsigned)n_first;
        memcpy(memo->k, first, n_first * sizeof *first);
    }
    return hits;
}

const char *const *classify_lex_labels(const classify_lex_t *self, size_t *n)
{
    *n = self->n_labels;
    return self->labels;
}
