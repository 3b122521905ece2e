/*
 * NAME
 *   classify_gloss - other-language words glossed into Dutch, for the
 *   near-duplicate keys, from the FreeDict dictionaries Debian ships
 *
 * SUMMARY
 *   classify_gloss_t *g = classify_gloss_new("/usr/share/dictd", err, len);
 *   char out[256];
 *   classify_gloss_word(g, "de", "denkmal", out, sizeof out); // "gedenkteken monument"
 *   classify_toks_t nl = {0};
 *   if (classify_gloss_toks(g, tok, "de", syn, &toks, &nl)) ... // Dutch words, stems
 *
 * DESCRIPTION
 *   A German letter about "Bergbaugeschichte" and a Dutch form about
 *   "mijngeschiedenis" share no key: the cluster keys are Dutch stems and
 *   concepts of data/nl/synonyms.tsv. So the words of an idea whose
 *   language is not Dutch are looked up in a bilingual dictionary and
 *   replaced by their Dutch gloss, which then takes the Dutch path
 *   (concept map, Dutch stem). Only the cluster keys use the gloss
 *   (classify_idea_sketch); themes, sentiment and the rest read the text
 *   as written.
 *
 *   The dictionaries are the dictd files of Debian's dict-freedict-*
 *   packages (GPL / CC BY-SA; read where Debian installs them, never
 *   copied into this repository): freedict-deu-nld, -eng-nld and
 *   -pol-nld gloss German, English and Polish into Dutch (a pair into
 *   English, like freedict-tur-eng, can be chained through eng-nld with
 *   classify_gloss_load_pair). A dictd pair is an index ("headword TAB
 *   base64 offset TAB base64 length" a line) and a dictzip file, which is
 *   gzip: zlib inflates it whole. An entry reads
 *     "Geschichte /ipa/\n1. geschiedenis, historie, verhaal\n2. relaas\n"
 *   and only the first sense counts (all senses of "Zeche" bring
 *   "feestmaal" and "gilde": noise; offering every sense to the concept
 *   map joined more wrong pairs), at most GLOSS_ITEMS of its
 *   translations of one or two words; a Polish entry's later lines are
 *   Polish definitions and are never read. Dutch "ĳ" (U+0133) is folded
 *   to "ij", as residents type it. A word the concept map knows as
 *   written ("restaurant", "bergbau") is not glossed.
 *
 *   Off by default (INSPRAAK_DICTD_DIR turns it on): it gained on the
 *   corpus but lost on dev (docs/classifier.md, "Other languages");
 *   FreeDict's first sense is often not the one meant ("train" -> gevolg).
 *
 *   Look-up of a word: as written; else through its stem (every headword
 *   is filed under its snowball stem too: German, English, Turkish,
 *   Arabic; libstemmer has no Polish, so for Polish a hand-written
 *   ending stripper, s_pl_stem, does that job); else, for German, as a
 *   compound: the longest tail that is a headword and a head that is one
 *   (after a linking -s-/-es-/-n-/-en-), "Bergbau|geschichte" ->
 *   "mijnbouw geschiedenis". The splitting is hand-written: hunspell-de
 *   is not installed here and a split by headwords is what the gloss
 *   needs anyway. A word with no gloss stays as written.
 *
 *   Limits (files come from outside the project): a file of at most
 *   GLOSS_MAX_FILE bytes (compressed and inflated), index lines of at
 *   most GLOSS_MAX_LINE bytes, entries of at most GLOSS_MAX_ENTRY bytes,
 *   headwords of at most GLOSS_MAX_WORD bytes; a line or entry that
 *   breaks a limit, is truncated, points past the end of the dictionary
 *   or is not UTF-8 is skipped (counted in the shared loader's log line).
 *
 * OWNERSHIP AND THREADS
 *   classify_gloss_new() returns a handle freed with
 *   classify_gloss_destroy(). The tables are read-only after loading;
 *   the stemmers keep state, so look-ups take the handle's lock: a handle
 *   may be shared by threads. classify_gloss_shared() lives until the
 *   process ends.
 *
 * DIAGNOSTICS
 *   classify_gloss_new() returns NULL with err set when no dictionary
 *   could be read; classify_gloss_shared() then logs one warning and the
 *   classifier goes on without glossing.
 */
#include <glib.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "classify.h"
#include "log.h"
#include "xalloc.h"

#define GLOSS_MAX_FILE (64u << 20)
#define GLOSS_MAX_LINE 1024
#define GLOSS_MAX_ENTRY 65536
#define GLOSS_MAX_WORD 64
/* Translations of the first sense taken (measured, docs/classifier.md
 * "Other languages"). */
#define GLOSS_ITEMS 2
#define GLOSS_MAX_GLOSS 200 /* bytes of one word's Dutch gloss */
#define GLOSS_LANGS 5

typedef struct {
    char code[4];          /* "de", "en", "pl", "tr", "ar" */
    GHashTable *exact;     /* headword -> Dutch words (space-separated) */
    GHashTable *stem;      /* stem of a headword -> the same */
    struct sb_stemmer *sb; /* NULL: s_pl_stem */
    bool compound;         /* German: split unknown compounds */
} s_lang_t;

struct classify_gloss {
    pthread_mutex_t lock;
    GStringChunk *chunk; /* every key and gloss string */
    s_lang_t lang[GLOSS_LANGS];
    int n_lang;
    size_t skipped; /* index lines or entries skipped as bad */
};

/* --- reading the files --- */

/* The whole file into a new buffer (*len bytes, NUL-terminated), or NULL
 * with err set. */
static char *s_read(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "cannot open %s", path);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || st.st_size > (off_t)GLOSS_MAX_FILE) {
        snprintf(err, errlen, "%s: too large or unreadable", path);
        fclose(fp);
        return NULL;
    }
    char *buf = xmalloc((size_t)st.st_size + 1);
    *len = fread(buf, 1, (size_t)st.st_size, fp);
    buf[*len] = '\0';
    fclose(fp);
    return buf;
}

/* The dictzip (gzip) file inflated whole, or NULL with err set. */
static char *s_inflate(const char *path, size_t *len, char *err, size_t errlen)
{
    size_t zlen;
    char *z = s_read(path, &zlen, err, errlen);
    if (!z)
        return NULL;
    z_stream zs = {0};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) { /* +32: gzip or zlib header */
        snprintf(err, errlen, "%s: zlib init failed", path);
        free(z);
        return NULL;
    }
    size_t cap = zlen * 4 + 1024, n = 0;
    char *out = xmalloc(cap);
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)zlen;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (cap - n < 2) {
            if (cap >= GLOSS_MAX_FILE) {
                rc = Z_MEM_ERROR;
                break;
            }
            cap *= 2;
            out = xrealloc(out, cap);
        }
        zs.next_out = (Bytef *)out + n;
        zs.avail_out = (uInt)(cap - n - 1);
        rc = inflate(&zs, Z_NO_FLUSH);
        n = cap - 1 - zs.avail_out;
        if (rc == Z_BUF_ERROR && zs.avail_in > 0)
            rc = Z_OK; /* only the output was full */
    }
    inflateEnd(&zs);
    free(z);
    if (rc != Z_STREAM_END) {
        snprintf(err, errlen, "%s: not a complete gzip/dictzip file", path);
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *len = n;
    return out;
}

/* dictd's base64 number (alphabet A-Z a-z 0-9 + /, most significant
 * digit first); -1 for a bad digit, an empty field or over 6 digits. */
static long long s_b64(const char *s, size_t n)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n == 0 || n > 6)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = s[i] ? strchr(al, s[i]) : NULL;
        if (!p)
            return -1;
        v = v * 64 + (p - al);
    }
    return v;
}

/* --- stems --- */

/* Polish has no snowball stemmer in libstemmer: the commonest case and
 * number endings are cut (longest first) when 4+ letters stay, so
 * "mieszkania", "mieszkań" and "mieszkanie" meet at "mieszka". Crude, but
 * the same cut is made to headwords and to words, and only a word with
 * no exact headword gets this far. Hand-written: no library does it. */
static void s_pl_stem(const char *w, char *out, size_t outlen)
{
    static const char *const ends[] = {
        "owie", "ami", "ach", "ego", "emu", "ych", "ymi", "iej", "ie", "ia", "ii", "om", "ów",
        "ań", "eń", "em", "ej", "ym", "ich", "ą", "ę", "a", "e", "i", "y", "u", "o", NULL};
    snprintf(out, outlen, "%s", w);
    size_t n = strlen(out);
    for (int k = 0; ends[k]; k++) {
        size_t le = strlen(ends[k]);
        if (n > le && n - le >= 4 && memcmp(out + n - le, ends[k], le) == 0 &&
            g_utf8_strlen(out, (gssize)(n - le)) >= 4) {
            out[n - le] = '\0';
            return;
        }
    }
}

static void s_stem(const s_lang_t *l, const char *w, char *out, size_t outlen)
{
    if (!l->sb) {
        s_pl_stem(w, out, outlen);
        return;
    }
    const sb_symbol *s = sb_stemmer_stem(l->sb, (const sb_symbol *)w, (int)strlen(w));
    snprintf(out, outlen, "%s", s ? (const char *)s : w);
}

/* --- entries --- */

/* A translation of more words than this is an explanation ("of" ->
 * "tussen woorden van hoeveelheid en hun bepaling"), not a gloss: left
 * out (it gave every English idea the same keys). */
#define GLOSS_ITEM_WORDS 2

/* Appends the translation in item (ilen bytes, words separated by one
 * space) to out when it has 1..GLOSS_ITEM_WORDS words. */
static bool s_item_end(char *item, size_t ilen, char *out, size_t *o, size_t outlen)
{
    while (ilen && item[ilen - 1] == ' ')
        ilen--;
    item[ilen] = '\0';
    int words = ilen > 0;
    for (size_t i = 0; i < ilen; i++)
        words += item[i] == ' ';
    if (words == 0 || words > GLOSS_ITEM_WORDS || *o + ilen + 2 > outlen)
        return false;
    *o += (size_t)snprintf(out + *o, outlen - *o, "%s%s", *o ? " " : "", item);
    return true;
}

/* The translations of one sense line [p, eol) appended to out (*o
 * bytes), lowercased, "ĳ" folded, notes in () <> [] and numbers left out,
 * until *items reaches max. */
static void s_sense_line(const char *p, const char *eol, char *out, size_t *o, size_t outlen,
                         int *items, int max)
{
    char item[GLOSS_MAX_GLOSS];
    size_t il = 0;
    int depth = 0;
    for (; p <= eol && *items < max; p++) {
        unsigned char c = p < eol ? (unsigned char)*p : ',';
        if (c == '(' || c == '<' || c == '[')
            depth++;
        else if ((c == ')' || c == '>' || c == ']') && depth > 0)
            depth--;
        else if (depth > 0)
            continue;
        else if (c == ',' || c == ';') {
            *items += s_item_end(item, il, out, o, outlen);
            il = 0;
        } else if (il + 3 >= sizeof item) {
            continue; /* an overlong translation: cut */
        } else if (c == 0xC4 && p + 1 < eol &&
                   ((unsigned char)p[1] == 0xB3 || (unsigned char)p[1] == 0xB2)) {
            item[il++] = 'i'; /* U+0133/U+0132 "ĳ"/"Ĳ" -> "ij" */
            item[il++] = 'j';
            p++;
        } else if (g_ascii_isalpha(c) || c >= 0x80 || c == '-' || c == '\'') {
            item[il++] = (char)g_ascii_tolower(c);
        } else if (il && item[il - 1] != ' ') {
            item[il++] = ' '; /* spaces, digits ("1. ", "huis 2."), dots */
        }
    }
}

/* The Dutch (or, for a chained pair, English) words of the first sense
 * of entry e (len bytes), the line after the headword's, into out:
 * up to GLOSS_ITEMS translations separated by spaces (a Polish entry's
 * definition lines after it are never read). Returns the bytes written
 * (0: none). */
static size_t s_first_sense(const char *e, size_t len, char *out, size_t outlen)
{
    const char *p = memchr(e, '\n', len), *end = e + len;
    size_t o = 0;
    int items = 0;
    out[0] = '\0';
    if (!p || ++p >= end)
        return 0;
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    s_sense_line(p, eol ? eol : end, out, &o, outlen, &items, GLOSS_ITEMS);
    if (o && !g_utf8_validate(out, (gssize)o, NULL))
        return 0;
    return o;
}

static s_lang_t *s_lang(classify_gloss_t *self, const char *code)
{
    for (int i = 0; i < self->n_lang; i++)
        if (code && strcmp(self->lang[i].code, code) == 0)
            return &self->lang[i];
    return NULL;
}

static const char *s_lookup(const s_lang_t *l, const char *w);

/* A chained entry's English words, each glossed through en, into out. */
static void s_chain(const s_lang_t *en, const char *eng, char *out, size_t outlen)
{
    char buf[GLOSS_MAX_GLOSS];
    snprintf(buf, sizeof buf, "%s", eng);
    size_t o = 0;
    out[0] = '\0';
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        const char *nl = s_lookup(en, w);
        if (nl && o + strlen(nl) + 2 < outlen)
            o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? " " : "", nl);
    }
}

/* Files one index line's entry: headword -> its gloss, and its stem ->
 * the same when the stem is new. Returns false for a bad line. */
static bool s_file_line(classify_gloss_t *self, s_lang_t *l, const s_lang_t *via,
                        const char *line, size_t n, const char *dict, size_t dlen)
{
    const char *t1 = memchr(line, '\t', n);
    const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(line + n - t1 - 1)) : NULL;
    if (!t2)
        return false;
    size_t hl = (size_t)(t1 - line);
    long long off = s_b64(t1 + 1, (size_t)(t2 - t1 - 1));
    long long len = s_b64(t2 + 1, (size_t)(line + n - t2 - 1));
    if (hl == 0 || hl >= GLOSS_MAX_WORD || off < 0 || len <= 0 || len > GLOSS_MAX_ENTRY ||
        (unsigned long long)off + (unsigned long long)len > dlen)
        return false;
    char head[GLOSS_MAX_WORD];
    memcpy(head, line, hl);
    head[hl] = '\0';
    if (strncmp(head, "00database", 10) == 0 || strchr(head, ' '))
        return true; /* dictd's own entries; phrases are never looked up */
    if (!g_utf8_validate(head, (gssize)hl, NULL))
        return false;
    char gloss[GLOSS_MAX_GLOSS], nl[GLOSS_MAX_GLOSS];
    if (!s_first_sense(dict + off, (size_t)len, gloss, sizeof gloss))
        return true;
    if (via) {
        s_chain(via, gloss, nl, sizeof nl);
        if (!nl[0])
            return true;
    }
    char *lower = g_utf8_strdown(head, (gssize)hl);
    if (!g_hash_table_contains(l->exact, lower)) {
        const char *v = g_string_chunk_insert_const(self->chunk, via ? nl : gloss);
        g_hash_table_insert(l->exact, g_string_chunk_insert_const(self->chunk, lower), (char *)v);
        char st[GLOSS_MAX_WORD * 2];
        s_stem(l, lower, st, sizeof st);
        if (!g_hash_table_contains(l->stem, st))
            g_hash_table_insert(l->stem, g_string_chunk_insert_const(self->chunk, st), (char *)v);
    }
    g_free(lower);
    return true;
}

int classify_gloss_load_pair(classify_gloss_t *self, const char *code, const char *index,
                             const char *dict, const char *via, char *err, size_t errlen)
{
    const s_lang_t *v = NULL;
    if (via && !(v = s_lang(self, via))) {
        snprintf(err, errlen, "%s: no dictionary for %s to chain through", index, via);
        return -1;
    }
    if (s_lang(self, code) || self->n_lang == GLOSS_LANGS || strlen(code) >= 4) {
        snprintf(err, errlen, "%s: language %s loaded already or too many", index, code);
        return -1;
    }
    size_t ilen, dlen;
    char *idx = s_read(index, &ilen, err, errlen);
    if (!idx)
        return -1;
    char *d = s_inflate(dict, &dlen, err, errlen);
    if (!d) {
        free(idx);
        return -1;
    }
    static const struct {
        const char *code, *stemmer;
    } sb[] = {{"de", "german"}, {"en", "english"}, {"tr", "turkish"}, {"ar", "arabic"}};
    s_lang_t *l = &self->lang[self->n_lang];
    memset(l, 0, sizeof *l);
    snprintf(l->code, sizeof l->code, "%s", code);
    for (size_t i = 0; i < sizeof sb / sizeof sb[0]; i++)
        if (strcmp(sb[i].code, code) == 0)
            l->sb = sb_stemmer_new(sb[i].stemmer, "UTF_8");
    l->compound = strcmp(code, "de") == 0;
    l->exact = g_hash_table_new(g_str_hash, g_str_equal);
    l->stem = g_hash_table_new(g_str_hash, g_str_equal);
    size_t bad = 0;
    for (const char *p = idx, *end = idx + ilen; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
        if (n > GLOSS_MAX_LINE || !s_file_line(self, l, v, p, n, d, dlen))
            bad += n > 0;
        p += n + 1;
    }
    free(idx);
    free(d);
    self->skipped += bad;
    if (g_hash_table_size(l->exact) == 0) {
        snprintf(err, errlen, "%s: no usable entries (%zu bad lines)", index, bad);
        g_hash_table_destroy(l->exact);
        g_hash_table_destroy(l->stem);
        if (l->sb)
            sb_stemmer_delete(l->sb);
        return -1;
    }
    self->n_lang++;
    return 0;
}

classify_gloss_t *classify_gloss_new(const char *dir, char *err, size_t errlen)
{
    /* Turkish and Arabic (freedict-tur-eng, -ara-eng chained through
     * eng-nld with classify_gloss_load_pair) are left out: 7 % and 30 %
     * of their words found a gloss, pair F1 did not move on dev or the
     * corpus, and they cost 55 ms and 3.5 MB at start-up. */
    static const struct {
        const char *code, *pair, *via;
    } pairs[] = {{"en", "eng-nld", NULL}, {"de", "deu-nld", NULL}, {"pl", "pol-nld", NULL}};
    classify_gloss_t *self = xcalloc(1, sizeof *self);
    pthread_mutex_init(&self->lock, NULL);
    self->chunk = g_string_chunk_new(1 << 16);
    char missing[512] = "";
    size_t mo = 0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char index[1024], dict[1024], e[256];
        snprintf(index, sizeof index, "%s/freedict-%s.index", dir, pairs[i].pair);
        snprintf(dict, sizeof dict, "%s/freedict-%s.dict.dz", dir, pairs[i].pair);
        if (classify_gloss_load_pair(self, pairs[i].code, index, dict, pairs[i].via, e,
                                     sizeof e) != 0 &&
            mo < sizeof missing)
            mo += (size_t)snprintf(missing + mo, sizeof missing - mo, "%s%s", mo ? "; " : "", e);
    }
    if (self->n_lang == 0) {
        snprintf(err, errlen, "no dictionary: %s", missing);
        classify_gloss_destroy(&self);
        return NULL;
    }
    snprintf(err, errlen, "%s", missing); /* what was left out, "" for nothing */
    return self;
}

void classify_gloss_destroy(classify_gloss_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    classify_gloss_t *self = *self_p;
    for (int i = 0; i < self->n_lang; i++) {
        g_hash_table_destroy(self->lang[i].exact);
        g_hash_table_destroy(self->lang[i].stem);
        if (self->lang[i].sb)
            sb_stemmer_delete(self->lang[i].sb);
    }
    g_string_chunk_free(self->chunk);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

bool classify_gloss_has(const classify_gloss_t *self, const char *lang)
{
    return self && s_lang((classify_gloss_t *)self, lang) != NULL;
}

size_t classify_gloss_size(const classify_gloss_t *self, const char *lang)
{
    const s_lang_t *l = self ? s_lang((classify_gloss_t *)self, lang) : NULL;
    return l ? g_hash_table_size(l->exact) : 0;
}

/* --- look-up --- */

/* The gloss of w (lowercase) as written or through its stem, or NULL. */
static const char *s_lookup(const s_lang_t *l, const char *w)
{
    const char *v = g_hash_table_lookup(l->exact, w);
    if (v)
        return v;
    char st[GLOSS_MAX_WORD * 2];
    s_stem(l, w, st, sizeof st);
    return g_hash_table_lookup(l->stem, st);
}

/* A German compound, "bergbaugeschichte": the longest tail (4+ letters)
 * that is a headword, and a head (3+ letters) that is one as written or
 * without a linking -s-, -es-, -n-, -en-. Both glosses into out. */
static bool s_compound(const s_lang_t *l, const char *w, char *out, size_t outlen)
{
    static const char *const links[] = {"", "s", "es", "n", "en", NULL};
    if (g_utf8_strlen(w, -1) < 8)
        return false;
    for (const char *t = g_utf8_next_char(w); *t; t = g_utf8_next_char(t)) {
        size_t hl = (size_t)(t - w);
        if (g_utf8_strlen(t, -1) < 4)
            break;
        if (g_utf8_strlen(w, (gssize)hl) < 3)
            continue;
        const char *tail = s_lookup(l, t);
        if (!tail)
            continue;
        for (int k = 0; links[k]; k++) {
            size_t ll = strlen(links[k]);
            if (hl <= ll + 3 || memcmp(w + hl - ll, links[k], ll) != 0)
                continue;
            char head[GLOSS_MAX_WORD];
            if (hl - ll >= sizeof head)
                continue;
            memcpy(head, w, hl - ll);
            head[hl - ll] = '\0';
            const char *hg = s_lookup(l, head);
            if (hg) {
                snprintf(out, outlen, "%s %s", hg, tail);
                return true;
            }
        }
    }
    return false;
}

/* The gloss of a lowercase word into out; returns how many words.
 * Caller holds the lock. */
static int s_word(const s_lang_t *l, const char *word, char *out, size_t outlen)
{
    out[0] = '\0';
    if (!word[0] || strlen(word) >= GLOSS_MAX_WORD)
        return 0;
    const char *v = s_lookup(l, word);
    if (v)
        snprintf(out, outlen, "%s", v);
    else if (!(l->compound && s_compound(l, word, out, outlen)))
        return 0;
    int n = 0;
    for (const char *p = out; *p; p++)
        n += (p == out || p[-1] == ' ') && *p != ' ';
    return n;
}

int classify_gloss_word(classify_gloss_t *self, const char *lang, const char *word, char *out,
                        size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    const s_lang_t *l = self ? s_lang(self, lang) : NULL;
    if (!l || outlen == 0 || !word || !g_utf8_validate(word, -1, NULL))
        return 0;
    char *lower = g_utf8_strdown(word, -1);
    pthread_mutex_lock(&self->lock);
    int n = s_word(l, lower, out, outlen);
    pthread_mutex_unlock(&self->lock);
    g_free(lower);
    return n;
}

static void s_count(void *arg, const char *label, double weight, size_t words)
{
    (void)label, (void)weight, (void)words;
    ++*(int *)arg;
}

static bool s_known(const classify_lex_t *lex, const classify_toks_t *toks, size_t i)
{
    int n = 0;
    if (lex)
        classify_lex_at(lex, toks, i, s_count, &n);
    return n > 0;
}

bool classify_gloss_toks(classify_gloss_t *self, classify_tok_t *tok, const char *lang,
                         const classify_lex_t *keep, const classify_toks_t *in,
                         classify_toks_t *out)
{
    const s_lang_t *l = self && lang && strcmp(lang, "nl") != 0 ? s_lang(self, lang) : NULL;
    if (!l || in->n == 0)
        return false;
    GString *text = g_string_sized_new(in->n * 12);
    char g[GLOSS_MAX_GLOSS];
    pthread_mutex_lock(&self->lock);
    for (size_t i = 0; i < in->n; i++) {
        /* a word the concept map knows as written ("restaurant",
         * "bergbau", "safe") keeps its concept: a gloss could only lose
         * it. The tokenizer lowercases Latin-1 only: "Ł", "İ" need it. */
        if (s_known(keep, in, i)) {
            g_string_append_printf(text, "%s ", in->word[i]);
            continue;
        }
        char *lower = g_utf8_validate(in->word[i], -1, NULL) ? g_utf8_strdown(in->word[i], -1)
                                                              : g_strdup(in->word[i]);
        g_string_append_printf(text, "%s ", s_word(l, lower, g, sizeof g) ? g : in->word[i]);
        g_free(lower);
    }
    pthread_mutex_unlock(&self->lock);
    classify_tokenize(tok, text->str, out);
    g_string_free(text, TRUE);
    return true;
}

/* --- the process's dictionaries --- */

static classify_gloss_t *s_shared;
static pthread_once_t s_shared_once = PTHREAD_ONCE_INIT;

static void s_shared_load(void)
{
    /* off unless asked for: it did not gain on both dev and the corpus
     * (docs/classifier.md, "Other languages (seventh round)") */
    const char *dir = getenv("INSPRAAK_DICTD_DIR");
    if (!dir || !*dir || strcmp(dir, "none") == 0)
        return;
    char err[600], q[640], qd[300];
    s_shared = classify_gloss_new(dir, err, sizeof err);
    if (!s_shared)
        log_warn("msg=\"no glossing of other languages for near-duplicates\" dir=%s err=%s",
                 log_quote(qd, sizeof qd, dir), log_quote(q, sizeof q, err));
    else if (err[0])
        log_warn("msg=\"some gloss dictionaries missing\" dir=%s err=%s",
                 log_quote(qd, sizeof qd, dir), log_quote(q, sizeof q, err));
    else
        log_info("msg=\"gloss dictionaries loaded\" dir=%s en=%zu de=%zu pl=%zu skipped=%zu",
                 log_quote(qd, sizeof qd, dir), classify_gloss_size(s_shared, "en"),
                 classify_gloss_size(s_shared, "de"), classify_gloss_size(s_shared, "pl"),
                 s_shared->skipped);
}

classify_gloss_t *classify_gloss_shared(void)
{
    pthread_once(&s_shared_once, s_shared_load);
    return s_shared;
}
