/*
 * NAME
 *   classify_compound - Dutch compound splitting with libhunspell and
 *   Debian's hunspell-nl dictionary
 *
 * SUMMARY
 *   classify_compound_t *cc = classify_compound_new(aff, dic, err, len);
 *   char parts[CLASSIFY_COMPOUND_MAX_PARTS][CLASSIFY_COMPOUND_PART_BYTES];
 *   int n = classify_compound_split(cc, "huurwoningen", parts, false);
 *   // n == 2: "huur", "woningen"
 *
 * DESCRIPTION
 *   Dutch glues nouns together ("huurwoningen", "ontmoetingsplek",
 *   "hondenpoep"): the last part is the head noun, which says what the
 *   word is about (a woning, a plek, poep). The learned model
 *   (classify_features.c) uses the parts as features, so "huurwoningen"
 *   and "seniorenwoning" share "woning".
 *
 *   Hunspell checks words (and knows which forms may start a compound:
 *   "zonne" in "zonnepanelen"), but has no call that splits one; its
 *   analysis names the parts only of compounds it builds itself from
 *   flags, not of the many compounds listed whole in the Dutch
 *   dictionary. So the splitting is hand-written here, on top of
 *   Hunspell_spell/Hunspell_analyze:
 *
 *   - a word of CLASSIFY_COMPOUND_MIN_LETTERS+ letters (and at most
 *     CLASSIFY_COMPOUND_MAX_BYTES bytes) is tried at each point from the
 *     left, so the first split found has the longest tail;
 *   - the tail (4+ letters, not a suffix like "heid" or "lijk") must be a
 *     dictionary word in its own right, not one hunspell only accepts
 *     by gluing smaller words (else "parkeerplaats" would split into
 *     "par" + "keerplaats");
 *   - the head (3+ letters, not a prefix or particle like "ver", "ont",
 *     "over") must be a known word or compound-start form as written, or
 *     after taking off a linking -s-, -en- or -e- ("ontmoeting|s|plek",
 *     "hond|en|poep");
 *   - a tail of 8+ letters is split again, for three or more parts
 *     ("speel" + "tuin" + "bankje").
 *   Words of no split come back whole (n == 1).
 *
 *   Answers are cached per word (words repeat a lot: a hunspell check
 *   costs microseconds, a split up to a few dozen checks). The cache holds
 *   at most CLASSIFY_COMPOUND_CACHE words in two halves: when the newer
 *   half is full the older one is dropped, and a word found in the older
 *   half moves to the newer, so on 100,000 distinct ideas the words in use
 *   stay cached. For words not seen before, hunspell's answer about each
 *   candidate tail and head is remembered too (COMPOUND_MEMO_MAX
 *   strings): new compounds mostly end in a known tail.
 *
 *   classify_compound_knows() lends the dictionary to the language guess
 *   (classify_lang_dict.c): whether hunspell-nl accepts a word as
 *   written, compounds it glues itself included ("Busstation"), or the
 *   word splits as above ("hondenpoepbakjes"). Its answers share the
 *   memo and the cache.
 *
 * OWNERSHIP AND THREADS
 *   classify_compound_new() returns a handle freed with
 *   classify_compound_destroy(). A handle may be shared by threads: calls
 *   take its lock (hunspell keeps state in its handle).
 *
 * DIAGNOSTICS
 *   classify_compound_new() returns NULL and says why in err when the
 *   dictionary cannot be read.
 */
#include <glib.h>
#include <hunspell/hunspell.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "log.h"
#include "xalloc.h"

#define COMPOUND_MIN_HEAD 3 /* letters, after the linking part is taken off */
#define COMPOUND_MIN_TAIL 4 /* letters */

struct classify_compound {
    pthread_mutex_t lock;
    Hunhandle *hun;
    struct sb_stemmer *sb;
    /* word -> "part\0part\0\0stem\0stem\0\0": the newer half of the
     * cache and the older one (see classify_compound_split). */
    GHashTable *cache, *old;
    /* What hunspell said about a string (s_word, s_head_word): bits of
     * MEMO_*. The same tails and heads ("plaats", "woningen", "speel")
     * come back in many different compounds, and the checks of a split
     * are most of its cost on words not seen before. */
    GHashTable *memo;
};

#define MEMO_WORD_KNOWN 1u
#define MEMO_WORD 2u
#define MEMO_HEAD_KNOWN 4u
#define MEMO_HEAD 8u
#define MEMO_SPELL_KNOWN 16u
#define MEMO_SPELL 32u
#define COMPOUND_MEMO_MAX 200000 /* strings remembered; starts over when full */

/* Prefixes and particles that are words of their own ("ver" = far, "over",
 * "door") but start derived words, not compounds: "verlichting" is not
 * "ver" + "lichting", "overlast" not "over" + "last". */
static const char *const s_not_heads[] = {
    "aan", "achter", "bij", "door", "her", "mee", "mis", "na", "om", "ont", "onder", "op",
    "over", "tegen", "terug", "toe", "uit", "ver", "voor", "weg", "samen", "vol", "ge", "be",
    "er", "in", "te", "af", "al", "ter", "tot", "van", "wan", "zelf",
    /* rare words that are mostly the first syllable of another word:
     * "ge|kregen", "be|drijven", "kin|deren", "jon|geren", "kan|toren" */
    "gek", "gem", "ges", "bes", "beg", "bed", "bete", "jon", "kin", "kan", "par", "win", "ins",
    "min", "ken", "tor", "rea", "spe", "lab", "een", "overs", "vers", "lei", "stud", "cult",
    "burg", "ram", "mat", "eigen", "bet", NULL,
};

/* Suffixes that are also words ("heid" = heath): "veiligheid" is not a
 * compound. */
static const char *const s_not_tails[] = {
    "heid", "heden", "lijk", "lijke", "lijks", "baar", "bare", "loos", "loze", "schap",
    "schappen", "achtig", "achtige", "ing", "ingen", "tje", "tjes", "elijk", "erij", "arij",
    "ster", "sters", "ling", "lingen", "nis", "nissen", "dom", "isme", "ist", "isten",
    /* endings that are also (rare) words: "kunste|naar", "profit|eren" */
    "naar", "naars", "eren", "aren", "uren", "oren", "enten", "innen", "entjes", "deren",
    "geren", "ende", "enden", "lende", "elen", "ellen", "aars", NULL,
};

static bool s_in(const char *const *list, const char *w)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], w) == 0)
            return true;
    return false;
}

/* Letters (UTF-8 characters) in the n bytes at s. */
static size_t s_letters(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

classify_compound_t *classify_compound_new(const char *aff, const char *dic, char *err,
                                           size_t errlen)
{
    /* Hunspell_create() does not fail on a missing file: it gives an
     * empty dictionary that knows no word. */
    if (access(aff, R_OK) != 0 || access(dic, R_OK) != 0) {
        snprintf(err, errlen, "cannot read hunspell dictionary %s / %s", aff, dic);
        return NULL;
    }
    struct sb_stemmer *sb = sb_stemmer_new("dutch", "UTF_8");
    if (!sb) {
        snprintf(err, errlen, "libstemmer has no Dutch stemmer");
        return NULL;
    }
    classify_compound_t *self = xcalloc(1, sizeof *self);
    pthread_mutex_init(&self->lock, NULL);
    self->hun = Hunspell_create(aff, dic);
    self->sb = sb;
    self->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    self->old = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    self->memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return self;
}

void classify_compound_destroy(classify_compound_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    classify_compound_t *self = *self_p;
    Hunspell_destroy(self->hun);
    sb_stemmer_delete(self->sb);
    g_hash_table_destroy(self->cache);
    g_hash_table_destroy(self->old);
    g_hash_table_destroy(self->memo);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

/* A dictionary word in its own right: hunspell knows it, and one of its
 * analyses is not a compound hunspell glued together (no "pa:" parts). */
static bool s_word_ask(classify_compound_t *self, const char *w)
{
    if (!Hunspell_spell(self->hun, w))
        return false;
    char **list = NULL;
    int n = Hunspell_analyze(self->hun, &list, w), whole = n == 0;
    for (int i = 0; i < n && !whole; i++)
        whole = strstr(list[i], "pa:") == NULL;
    if (n > 0)
        Hunspell_free_list(self->hun, &list, n);
    return whole;
}

/* A word that can start a compound: a word, or a form hunspell lists only
 * for compounds ("zonne"). */
static bool s_head_ask(classify_compound_t *self, const char *w)
{
    if (Hunspell_spell(self->hun, w))
        return true;
    char **list = NULL;
    int n = Hunspell_analyze(self->hun, &list, w);
    bool only = false;
    for (int i = 0; i < n && !only; i++)
        only = strstr(list[i], "st:") && !strstr(list[i], "pa:");
    if (n > 0)
        Hunspell_free_list(self->hun, &list, n);
    return only;
}

/* What the memo knows of w: MEMO_* bits, 0 when nothing. */
static unsigned s_memo_get(classify_compound_t *self, const char *w)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(self->memo, w));
}

static void s_memo_set(classify_compound_t *self, const char *w, unsigned bits)
{
    if (g_hash_table_size(self->memo) >= COMPOUND_MEMO_MAX)
        g_hash_table_remove_all(self->memo);
    g_hash_table_replace(self->memo, g_strdup(w), GUINT_TO_POINTER(bits));
}

/* s_word_ask(), remembered: hunspell's answers never change. */
static bool s_word(classify_compound_t *self, const char *w)
{
    unsigned bits = s_memo_get(self, w);
    if (!(bits & MEMO_WORD_KNOWN)) {
        bits |= MEMO_WORD_KNOWN | (s_word_ask(self, w) ? MEMO_WORD : 0);
        s_memo_set(self, w, bits);
    }
    return bits & MEMO_WORD;
}

/* s_head_ask(), remembered, after the checks that need no hunspell. */
static bool s_head_word(classify_compound_t *self, const char *w)
{
    if (s_letters(w, strlen(w)) < COMPOUND_MIN_HEAD || s_in(s_not_heads, w))
        return false;
    unsigned bits = s_memo_get(self, w);
    if (!(bits & MEMO_HEAD_KNOWN)) {
        bits |= MEMO_HEAD_KNOWN | (s_head_ask(self, w) ? MEMO_HEAD : 0);
        s_memo_set(self, w, bits);
    }
    return bits & MEMO_HEAD;
}

/* The head w[0..len) as written, or without a linking -s-, -en-, -e-. */
static bool s_head(classify_compound_t *self, const char *w, size_t len, char *out)
{
    static const char *const linking[] = {"", "s", "en", "e", NULL};
    for (int i = 0; linking[i]; i++) {
        size_t k = strlen(linking[i]);
        if (len <= k || memcmp(w + len - k, linking[i], k) != 0)
            continue;
        memcpy(out, w, len - k);
        out[len - k] = '\0';
        if (s_head_word(self, out))
            return true;
    }
    return false;
}

/* When the dictionary lists word itself, one of its lemmas (st: of an
 * analysis that is not a compound hunspell glued) must split at the same
 * place into the same head and a tail of COMPOUND_MIN_TAIL+ letters that
 * is a word: "huurwoningen" (lemma "huurwoning" = "huur" + "woning") keeps
 * its split, "kinderen" (lemma "kind") is not "kin" + "deren", and
 * "gesloten" (lemma "sluiten") not "ges" + "loten". A word the dictionary
 * does not list (a new compound: the point of splitting) passes. */
static bool s_lemma_agrees(classify_compound_t *self, const char *word, size_t head_len)
{
    char **list = NULL;
    int n = Hunspell_analyze(self->hun, &list, word), listed = 0, agrees = 0;
    for (int i = 0; i < n && !agrees; i++) {
        const char *st = strstr(list[i], "st:");
        if (!st || strstr(list[i], "pa:"))
            continue;
        listed = 1;
        st += 3;
        size_t len = strcspn(st, " \t");
        char rest[CLASSIFY_COMPOUND_PART_BYTES];
        if (len <= head_len || len - head_len >= sizeof rest || memcmp(st, word, head_len) != 0)
            continue;
        memcpy(rest, st + head_len, len - head_len);
        rest[len - head_len] = '\0';
        agrees = s_letters(rest, len - head_len) >= 3 && s_word(self, rest);
    }
    if (n > 0)
        Hunspell_free_list(self->hun, &list, n);
    return agrees || !listed;
}

/* Splits word into parts (appended to parts from *n on); returns true
 * when it split. */
static bool s_split(classify_compound_t *self, const char *word,
                    char parts[][CLASSIFY_COMPOUND_PART_BYTES], int *n)
{
    size_t len = strlen(word);
    if (len > CLASSIFY_COMPOUND_MAX_BYTES || len >= CLASSIFY_COMPOUND_PART_BYTES ||
        s_letters(word, len) < CLASSIFY_COMPOUND_MIN_LETTERS ||
        *n + 2 > CLASSIFY_COMPOUND_MAX_PARTS)
        return false;
    char head[CLASSIFY_COMPOUND_PART_BYTES];
    for (size_t i = 1; i < len; i++) {
        if (((unsigned char)word[i] & 0xC0) == 0x80) /* never half a character */
            continue;
        const char *tail = word + i;
        if (s_letters(word, i) < COMPOUND_MIN_HEAD ||
            s_letters(tail, len - i) < COMPOUND_MIN_TAIL)
            continue;
        if (s_in(s_not_tails, tail) || !s_word(self, tail) || !s_head(self, word, i, head) ||
            !s_lemma_agrees(self, word, i))
            continue;
        snprintf(parts[(*n)++], CLASSIFY_COMPOUND_PART_BYTES, "%s", head);
        if (!s_split(self, tail, parts, n))
            snprintf(parts[(*n)++], CLASSIFY_COMPOUND_PART_BYTES, "%s", tail);
        return true;
    }
    return false;
}

/* The cache entry of word: the parts and their stems, each list ended by
 * an empty string. */
static char *s_entry(classify_compound_t *self, const char *word)
{
    char parts[CLASSIFY_COMPOUND_MAX_PARTS][CLASSIFY_COMPOUND_PART_BYTES];
    int n = 0;
    if (!s_split(self, word, parts, &n))
        snprintf(parts[n++], CLASSIFY_COMPOUND_PART_BYTES, "%s", word);
    GString *e = g_string_new(NULL);
    for (int i = 0; i < n; i++)
        g_string_append_len(e, parts[i], (gssize)strlen(parts[i]) + 1);
    g_string_append_c(e, '\0');
    for (int i = 0; i < n; i++) {
        const sb_symbol *s =
            sb_stemmer_stem(self->sb, (const sb_symbol *)parts[i], (int)strlen(parts[i]));
        if (s)
            g_string_append_len(e, (const char *)s, sb_stemmer_length(self->sb));
        else /* out of memory inside libstemmer: the part itself */
            g_string_append(e, parts[i]);
        g_string_append_c(e, '\0');
    }
    g_string_append_c(e, '\0');
    return g_string_free(e, FALSE);
}

int classify_compound_split(classify_compound_t *self, const char *word,
                            char parts[][CLASSIFY_COMPOUND_PART_BYTES], bool stems)
{
    size_t len = strnlen(word, CLASSIFY_COMPOUND_PART_BYTES);
    if (len == 0 || len >= CLASSIFY_COMPOUND_PART_BYTES) { /* too long to split: whole, cut */
        snprintf(parts[0], CLASSIFY_COMPOUND_PART_BYTES, "%.*s",
                 (int)(len ? CLASSIFY_COMPOUND_PART_BYTES - 1 : 0), word);
        return 1;
    }
    pthread_mutex_lock(&self->lock);
    const char *e = g_hash_table_lookup(self->cache, word);
    if (!e) {
        /* Two halves: when the newer one is full it becomes the older
         * one, and a word found in the older half moves back, so the
         * words in use stay cached on a stream of ever new words. */
        gpointer k = NULL, v = NULL;
        if (!g_hash_table_steal_extended(self->old, word, &k, &v)) {
            k = g_strdup(word);
            v = s_entry(self, word);
        }
        if (g_hash_table_size(self->cache) >= CLASSIFY_COMPOUND_CACHE / 2) {
            GHashTable *t = self->old;
            self->old = self->cache;
            self->cache = t;
            g_hash_table_remove_all(self->cache);
        }
        g_hash_table_insert(self->cache, k, v);
        e = v;
    }
    if (stems) /* skip the parts to the stems */
        while (*e)
            e += strlen(e) + 1;
    e += stems;
    int n = 0;
    for (; *e && n < CLASSIFY_COMPOUND_MAX_PARTS; e += strlen(e) + 1)
        snprintf(parts[n++], CLASSIFY_COMPOUND_PART_BYTES, "%s", e);
    pthread_mutex_unlock(&self->lock);
    return n;
}

bool classify_compound_knows(classify_compound_t *self, const char *word)
{
    if (strlen(word) >= CLASSIFY_COMPOUND_PART_BYTES)
        return false;
    pthread_mutex_lock(&self->lock);
    unsigned bits = s_memo_get(self, word);
    if (!(bits & MEMO_SPELL_KNOWN)) {
        bits |= MEMO_SPELL_KNOWN | (Hunspell_spell(self->hun, word) ? MEMO_SPELL : 0);
        s_memo_set(self, word, bits);
    }
    pthread_mutex_unlock(&self->lock);
    if (bits & MEMO_SPELL)
        return true;
    char parts[CLASSIFY_COMPOUND_MAX_PARTS][CLASSIFY_COMPOUND_PART_BYTES];
    return classify_compound_split(self, word, parts, false) > 1;
}

/* The process's splitter (see classify.h), made on first use. */
static classify_compound_t *s_shared;
static pthread_once_t s_shared_once = PTHREAD_ONCE_INIT;

static void s_shared_load(void)
{
    const char *dir = getenv("INSPRAAK_HUNSPELL_DIR");
    if (dir && strcmp(dir, "none") == 0)
        return;
    if (!dir || !*dir)
        dir = "/usr/share/hunspell";
    char aff[1024], dic[1024], err[1200];
    snprintf(aff, sizeof aff, "%s/nl.aff", dir);
    snprintf(dic, sizeof dic, "%s/nl.dic", dir);
    s_shared = classify_compound_new(aff, dic, err, sizeof err);
    char q[1300];
    if (!s_shared)
        log_warn("msg=\"no compound splitting: model features without compound parts\" err=%s",
                 log_quote(q, sizeof q, err));
}

classify_compound_t *classify_compound_shared(void)
{
    pthread_once(&s_shared_once, s_shared_load);
    return s_shared;
}
