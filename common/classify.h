/*
 * NAME
 *   classify - the classification of one idea (text in, labels out)
 *
 * DESCRIPTION
 *   Used by services/classifier (the bus service) and services/classify
 *   (bin/classify, JSON Lines): the same code gives the same answers. The
 *   functions do no I/O after loading, so unit tests call them directly:
 *     classify_wijk.c  wijk/buurt from field, GPS, postcode or text
 *     classify_pii.c   finders of personal data: email, phone, IBAN,
 *                      postcode + house number (classify_pii_addr.c),
 *                      name (classify_pii_name.c)
 *     classify_lang.c  language with libexttextcat
 *     classify_tok.c   words and Dutch stems (libstemmer)
 *     classify_lex.c   keyword lexicon files (themes, question, sentiment)
 *     classify_theme.c ranked themes
 *     classify_sentiment.c  positief/neutraal/negatief
 *     classify_question.c   nu/toekomst
 *     classify_idea.c  all of the above on one idea (service + bin/classify)
 *
 * OWNERSHIP
 *   classify_lang_new() returns a handle the caller frees with
 *   classify_lang_destroy(). textcat keeps state in its handle and is not
 *   thread-safe: one handle per thread. Strings returned point to static
 *   tables or into geo.
 */
#ifndef INSPRAAK_CLASSIFIER_H
#define INSPRAAK_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "geo.h"
#include "proto.h"

/* --- wijk (classify_wijk.c) --- */

/* Where the wijk came from, for logs and metrics. */
typedef enum {
    WIJK_NONE = 0,
    WIJK_FIELD,    /* the wijk field, normalised */
    WIJK_GPS,      /* lat/lon inside a wijk polygon */
    WIJK_POSTCODE, /* the PC4 of the postcode */
    WIJK_TEXT      /* a wijk or buurt name in the text */
} wijk_source_t;

/* Sets idea->wijk (a CBS code or NULL) and, when known, idea->buurt, trying
 * in order: the wijk field (code or name; a value geo does not know is
 * dropped), the location, the postcode, names in title and text. */
wijk_source_t classify_wijk(const geo_t *geo, idea_t *idea);
const char *classify_wijk_source_name(wijk_source_t src);

/* The longest wijk or buurt name (>= 5 letters) that appears in text as a
 * whole word, case-insensitive; its wijk code in *wijk and, for a buurt
 * name, its code in *buurt (else NULL). Returns 0, or -1 when none. */
int classify_wijk_in_text(const geo_t *geo, const char *text, const char **wijk,
                          const char **buurt);

/* --- pii (classify_pii.c, classify_pii_addr*.c, classify_pii_name.c) --- */

/* The kinds of personal data the finders know, by the slug used in an
 * idea's pii list: "email", "phone", "iban", "postcode" (with a house
 * number), "name"; NULL-terminated. Rules: classify_pii.c. */
extern const char *const CLASSIFY_PII_KINDS[];

/* What the name finder uses to tell a name from an ordinary word written
 * with a capital; any member may be NULL/0. Without it (NULL) the finder
 * reports a superset of what it reports with it. */
typedef struct {
    const char *const *stop; /* sorted lowercase stopwords */
    size_t n_stop;
    struct classify_tok *tok; /* with senti: words the sentiment lexicons score */
    const struct classify_senti *senti;
    const geo_t *geo; /* wijk and buurt names */
} classify_pii_words_t;

/* Called for each place found, in text order, with byte offsets
 * [start, end) and the kind's static slug; non-zero stops the search. */
typedef int (*classify_pii_fn)(void *arg, const char *kind, size_t start, size_t end);
/* Reports the places of kind in text (NULL: none). Returns how many were
 * reported, or -1 for an unknown kind. The one set of finders: the
 * classifier flags what they find, redaction (redact.c) cuts it. */
int classify_pii_find(const char *text, const char *kind, const classify_pii_words_t *words,
                      classify_pii_fn fn, void *arg);
bool classify_pii_has(const char *text, const char *kind, const classify_pii_words_t *words);
/* The name finder alone (classify_pii_name.c; classify_pii_find(.., "name", ..)). */
int classify_pii_find_name(const char *text, const classify_pii_words_t *words,
                           classify_pii_fn fn, void *arg);
/* The address finder alone (classify_pii_addr.c; classify_pii_find(..,
 * "postcode", ..)). */
int classify_pii_find_address(const char *text, classify_pii_fn fn, void *arg);
/* classify_pii_has(text, "email"/"phone", NULL). */
bool classify_pii_has_email(const char *text);
bool classify_pii_has_phone(const char *text);
/* Adds the slug of every kind found in idea's text, title or
 * source.context (a street interview's question) to idea->pii
 * (in CLASSIFY_PII_KINDS order; no duplicates). classify_pii(): without
 * words. */
void classify_pii_words(idea_t *idea, const classify_pii_words_t *words);
void classify_pii(idea_t *idea);

/* --- language (classify_lang.c) --- */

typedef struct classify_lang classify_lang_t;

/* NULL when libexttextcat's fingerprints cannot be read (err says why). */
classify_lang_t *classify_lang_new(char *err, size_t errlen);
/* The same with the languages listed in a libexttextcat config file
 * (fingerprint names relative to /usr/share/libexttextcat/; NULL: all
 * that libexttextcat ships). classify_new() uses data/nl/textcat.conf. */
classify_lang_t *classify_lang_new_conf(const char *conf, char *err, size_t errlen);
void classify_lang_destroy(classify_lang_t **self_p);
/* Heerlen's wijk and buurt names (geo stays the caller's; NULL: none): a
 * few words with a preposition and such a name are Dutch ("Openbare wc
 * in Benzenrade.", which textcat reads as Romanian). classify_new() sets
 * them. */
void classify_lang_set_geo(classify_lang_t *self, const geo_t *geo);
/* ISO 639-1 code ("nl", "en", ...) or NULL when the text is too short to
 * tell or the language has no two-letter code. */
const char *classify_lang(classify_lang_t *self, const char *text);

/* --- words (classify_tok.c) --- */

/* A text cut into words: word[i] is lowercased (ASCII and the Latin-1
 * range of UTF-8), stem[i] its Dutch snowball stem (libstemmer). */
typedef struct {
    size_t n;
    char **word;
    char **stem;
} classify_toks_t;

typedef struct classify_tok classify_tok_t;

/* One stemmer; libstemmer keeps state in it: one handle per thread. */
classify_tok_t *classify_tok_new(char *err, size_t errlen);
void classify_tok_destroy(classify_tok_t **self_p);
/* Words of text (at most CLASSIFY_MAX_WORDS, from the first
 * CLASSIFY_MAX_BYTES bytes), appended to toks; text may be NULL. */
#define CLASSIFY_MAX_WORDS 4000
#define CLASSIFY_MAX_BYTES 32768
void classify_tokenize(classify_tok_t *self, const char *text, classify_toks_t *toks);
void classify_toks_clear(classify_toks_t *toks);
/* The stem of one lowercase word into out (cut at outlen). */
void classify_stem(classify_tok_t *self, const char *word, char *out, size_t outlen);

/* --- keyword lexicons (classify_lex.c) --- */

/* A lexicon file: lines "label<TAB>pattern[<TAB>weight]", '#' comments.
 * A pattern is one or more words; each word matches a text word by stem
 * ("woning" matches "woningen"), or, with '*', by its letters: "woning*"
 * starts with, "*woning" ends with, "*woning*" contains (for Dutch
 * compounds: "huurwoningen"), or, with a leading '=', as that word alone
 * ("=dan" matches "dan", not "dans" of the same stem). Weight defaults to 1. A lexicon remembers
 * its recent look-ups in its own memory (even through a const pointer):
 * one lexicon per thread, like the stemmer it was loaded with. */
typedef struct classify_lex classify_lex_t;

/* NULL when the file cannot be read or a line is bad (err says which). */
classify_lex_t *classify_lex_load(classify_tok_t *tok, const char *path, char *err,
                                  size_t errlen);
void classify_lex_destroy(classify_lex_t **self_p);
/* The entries whose pattern starts at word i: calls fn for each with its
 * label, weight and length in words. Returns how many matched. */
typedef void (*classify_lex_fn)(void *arg, const char *label, double weight, size_t words);
int classify_lex_at(const classify_lex_t *self, const classify_toks_t *toks, size_t i,
                    classify_lex_fn fn, void *arg);
/* The labels used in the file, in order of appearance. */
const char *const *classify_lex_labels(const classify_lex_t *self, size_t *n);

/* --- themes (classify_theme.c) --- */

/* Theme slugs ranked by keyword score: up to max (<= 3) slugs into out,
 * the best first; a theme joins the first when it scores at least
 * THEME_SECOND_RATIO of it. Returns how many (0 when no keyword hit).
 * Slugs point into lex. */
int classify_themes(const classify_lex_t *lex, const classify_toks_t *toks, const char **out,
                    int max);

/* --- sentiment (classify_sentiment.c) --- */

typedef struct classify_senti classify_senti_t;

/* Reads the CLiPS pattern lexicon (XML, with GMarkup) and the domain
 * lexicon (labels "pos"/"neg"/"neg_word"/"intens"). NULL on error. Like
 * a lexicon it remembers recent look-ups: one per thread. */
classify_senti_t *classify_senti_new(classify_tok_t *tok, const char *xml_path,
                                     const char *domain_path, char *err, size_t errlen);
void classify_senti_destroy(classify_senti_t **self_p);
/* The parts of the polarity sum, for the learned model: praise and
 * complaint in one text no longer cancel out. */
typedef struct {
    double pos, neg;  /* sums of the positive / negative loaded words (neg <= 0) */
    int negated;      /* loaded words flipped by a negator */
    int wish;         /* wish markers ("zou", "graag", "als") */
    int contrast;     /* contrast words ("maar") */
    int irony;        /* irony markers ("🙄", "lekker bezig"): pos moved into neg */
} classify_senti_parts_t;
void classify_senti_parts(const classify_senti_t *self, const classify_toks_t *toks,
                          classify_senti_parts_t *out);
/* The polarity sum with negation and intensifiers applied (pos + neg). */
double classify_senti_score(const classify_senti_t *self, const classify_toks_t *toks);
/* "positief", "neutraal" or "negatief". */
const char *classify_sentiment(const classify_senti_t *self, const classify_toks_t *toks);

/* --- question (classify_question.c) --- */

/* "toekomst" when future/wish markers (lexicon labels "toekomst" and
 * "nu") outweigh present ones, else "nu"; NULL for no words. */
const char *classify_question(const classify_lex_t *lex, const classify_toks_t *toks);

/* --- Dutch compound splitting (classify_compound.c) --- */

/* Splits "huurwoningen" into "huur" + "woningen" with libhunspell and a
 * hunspell dictionary (Debian hunspell-nl); rules and why it is
 * hand-written: classify_compound.c. */
typedef struct classify_compound classify_compound_t;

#define CLASSIFY_COMPOUND_MIN_LETTERS 8 /* shorter words are not split */
#define CLASSIFY_COMPOUND_MAX_BYTES 48  /* longer words are not split */
#define CLASSIFY_COMPOUND_MAX_PARTS 4
#define CLASSIFY_COMPOUND_PART_BYTES 64
#define CLASSIFY_COMPOUND_CACHE 100000 /* words cached; starts over when full */

/* Loads the dictionary aff/dic (e.g. /usr/share/hunspell/nl.aff, nl.dic).
 * NULL when they cannot be read (err says why). Free with
 * classify_compound_destroy(). A handle may be shared by threads. */
classify_compound_t *classify_compound_new(const char *aff, const char *dic, char *err,
                                           size_t errlen);
void classify_compound_destroy(classify_compound_t **self_p);
/* The parts of a lowercase UTF-8 word, left to right, into parts (room
 * for CLASSIFY_COMPOUND_MAX_PARTS); with stems, their Dutch snowball
 * stems instead ("woningen" -> "woning"). Returns how many: 1 when the
 * word is not split (parts[0] is the word, or its stem). */
int classify_compound_split(classify_compound_t *self, const char *word,
                            char parts[][CLASSIFY_COMPOUND_PART_BYTES], bool stems);
/* Whether the dictionary accepts word (UTF-8, as written: "Hoensbroek",
 * "busstation"; compounds hunspell glues count) or it splits into
 * dictionary words ("hondenpoepbakjes"). Words of
 * CLASSIFY_COMPOUND_PART_BYTES or more bytes are not looked up (false). */
bool classify_compound_knows(classify_compound_t *self, const char *word);
/* The process's splitter, loaded on first use from
 * $INSPRAAK_HUNSPELL_DIR/nl.aff + nl.dic (default /usr/share/hunspell;
 * "none": no splitting); NULL, with one warning logged, when the
 * dictionary is missing. Lives until the process ends. The model's
 * features (classify_model_features) use it. */
classify_compound_t *classify_compound_shared(void);

/* --- learned model (features: classify_features.c; model: classify_model.c) --- */

/* Named feature values of one text (owned strings). */
typedef struct {
    size_t n, cap;
    char **name;
    double *val;
} classify_feats_t;

void classify_feats_add(classify_feats_t *f, const char *name, double val);
void classify_feats_clear(classify_feats_t *f);
/* Word, bigram, compound-head and keyword-lexicon features of a text
 * (raw is the text as written, for '!' and '?'), appended to out. */
void classify_model_features(const classify_lex_t *themes, const classify_lex_t *question,
                             const classify_senti_t *senti, const char *raw,
                             const classify_toks_t *toks, classify_feats_t *out);

#define CLASSIFY_MODEL_MAX_CLASSES 32
typedef struct classify_model classify_model_t;

/* The model file written by bin/classify-train. NULL on error (err says
 * file, line and why). A model remembers its recent row look-ups in its
 * own memory (even through a const pointer): one model per thread. */
classify_model_t *classify_model_load(const char *path, char *err, size_t errlen);
void classify_model_destroy(classify_model_t **self_p);
/* Probabilities of the classes of head ("sentiment", "question",
 * "themes") into p (room for CLASSIFY_MODEL_MAX_CLASSES); *labels points
 * to the class names (owned by the model). Returns the number of classes,
 * or -1 when the model has no such head. */
int classify_model_predict(const classify_model_t *m, const char *head,
                           const classify_feats_t *f, const char *const **labels, double *p);

/* --- near-duplicate clusters (classify_cluster.c) --- */

/* The sketch is a one-permutation MinHash of CLUSTER_SLOTS slots (the
 * top CLUSTER_SLOT_BITS bits of a key's 64-bit hash), kept sparse: only
 * the occupied slots, ascending, beside their values. A sketch stored
 * before 2026-11-29 (packed version 2) has CLUSTER_HASHES slots (the
 * top 6 bits); classify_cluster_fold() turns a new sketch into that one
 * for a comparison with it. An idea with more than CLUSTER_SKETCH_MAX
 * occupied slots (a long letter; the most any idea of the dev set and
 * data/nl/train occupies is 53, of 4,738 ideas) gets that 64-slot sketch
 * itself, as if stored before (docs/classifier.md "Cluster"). */
#define CLUSTER_SLOT_BITS 10
#define CLUSTER_SLOTS (1 << CLUSTER_SLOT_BITS)
#define CLUSTER_HASHES 64
#define CLUSTER_SKETCH_MAX 128
/* Candidates come from an inverted index: an idea is filed under its
 * CLUSTER_INDEX_KEYS most specific keys (largest weight, then smallest
 * key hash), and a new idea is compared with the newest
 * CLUSTER_POSTINGS ideas filed under each of its own index keys (a very
 * common key gives no more than that). */
#define CLUSTER_INDEX_KEYS 8
#define CLUSTER_POSTINGS 10

/* What is kept of an idea to find its near-duplicates later. */
typedef struct {
    uint16_t slot[CLUSTER_SKETCH_MAX]; /* the occupied slots, ascending */
    uint32_t val[CLUSTER_SKETCH_MAX];  /* their values (classify_cluster_int.h) */
    int n_slots;
    int slots; /* CLUSTER_SLOTS, or CLUSTER_HASHES for a sketch stored before */
    char wijk[16];                      /* CBS code or "" */
    char theme[32];                     /* [+][~]first[,second theme]; + positief, ~ question nu */
    char cluster[80];                   /* the cluster id it belongs to */
    /* The cluster staff chose for it ("" = cluster): a corrected idea
     * keeps a group of its own in cluster ("~" and its id), so the
     * average over a group's members stays the classifier's, and ideas
     * that join that group take this label (services/classifier/
     * cluster_correct.c; bin/classify never sets it). */
    char label[80];
    int n_keys;                         /* keys in the set (weighted: copies) */
    uint64_t index[CLUSTER_INDEX_KEYS]; /* hashes of its index keys (not stored) */
    int n_index;
} cluster_sketch_t;

/* Where sketches live: in memory (bin/classify, one run) or in Redis
 * (the service; services/classifier/cluster_redis.c). candidates() calls
 * fn, key by key in the order of keys[], for the newest CLUSTER_POSTINGS
 * ideas filed under each key, newest first (an idea filed under several
 * keys comes several times: the caller skips repeats by handle); put()
 * files a sketch under its id and its sk->index keys. Both return -1 on
 * error. */
typedef int (*cluster_fn)(void *arg, uint64_t handle, const cluster_sketch_t *sk);
typedef struct {
    int (*candidates)(void *store, const uint64_t *keys, int n_keys, cluster_fn fn, void *arg);
    int (*put)(void *store, const char *id, const cluster_sketch_t *sk);
    void *store;
} cluster_store_t;

/* The handle an idea's sketch is filed under: a 48-bit hash of its id. */
uint64_t classify_cluster_handle(const char *id);

/* For the evaluation only (bin/classify --hash-seed): another seed of the
 * hashes that place keys in the sketch's slots and name its index keys,
 * for the whole process (0, the default, is what the service stores).
 * With 64 slots, which keys of a long idea shared a slot moved pair F1
 * by several points (docs/classifier-history.md "The hash decides"); scoring
 * over seeds shows how much of a figure is that luck. Call before the first sketch and never in a service: sketches of
 * two seeds cannot be compared. */
void classify_cluster_hash_seed(unsigned seed);

/* The key set of a text, before hashing: fn gets each key once, in order
 * of appearance, with its weight: a concept from syn (label of the
 * matching lines, concept true, weight = CLUSTER_CONCEPT_WEIGHT times the
 * line's weight) or the stem of another content word (4+ letters, not in
 * stop; weight 1). Words of the concept "-" are dropped. For unit tests
 * and the evaluation's debug output. */
typedef void (*cluster_key_fn)(void *arg, const char *key, bool concept, double weight);
void classify_cluster_keys(const classify_lex_t *syn, const char *const *stop, size_t n_stop,
                           const classify_toks_t *toks, cluster_key_fn fn, void *arg);
/* Sketch of an idea whose themes, sentiment and wijk are set: the
 * weighted one-permutation MinHash of its keys (see
 * classify_cluster_keys(); stop is a sorted list of n_stop lowercase
 * words; names capitalised in the idea's text weigh double). syn is the
 * concept map, data/nl/synonyms.tsv ("wc" -> "toilet"), NULL for none. */
void classify_cluster_sketch(const classify_lex_t *syn, const char *const *stop, size_t n_stop,
                             const classify_toks_t *toks, const idea_t *idea,
                             cluster_sketch_t *sk);
/* The CLUSTER_HASHES-slot sketch of the same keys (slot >> 4, each slot
 * its smallest value): what the sketch of before (packed version 2)
 * held. Writes its occupied slots, ascending, to slot and val (room for
 * CLUSTER_HASHES each) and returns how many. */
int classify_cluster_fold(const cluster_sketch_t *sk, uint16_t *slot, uint32_t *val);
/* Similarity score of two sketches: estimated shared key weight (about 0.1
 * per plain word, 0.2-0.4 per concept), with wijk and theme agreement;
 * ideas join a cluster at 0.6 (classify_cluster.c). */
double classify_cluster_similarity(const cluster_sketch_t *a, const cluster_sketch_t *b);
/* The cluster an idea with this sketch is in: its label, else its cluster. */
const char *classify_cluster_label(const cluster_sketch_t *sk);
/* Finds the stored cluster whose candidate members score best on average,
 * at or above the threshold, and sets idea->cluster to it, else to a new
 * cluster id (the idea's id);
 * then stores the idea's sketch. Returns 0, or -1 on a store error (the
 * cluster is then left NULL). */
int classify_cluster(const cluster_store_t *st, cluster_sketch_t *sk, idea_t *idea);

/* An in-memory store (bin/classify, unit tests). */
void *cluster_mem_new(void);
void cluster_mem_destroy(void **self_p);
extern const cluster_store_t cluster_mem_ops; /* .store is NULL: copy and set */

/* --- everything at once (classify_idea.c) --- */

typedef struct classify classify_t;

/* Loads from data_dir/nl/: themes.tsv (or INSPRAAK_THEMES_FILE),
 * sentiment.tsv, pattern-nl-sentiment.xml, question.tsv; and the geo
 * data. NULL when something cannot be read (err says what). */
classify_t *classify_new(const char *data_dir, char *err, size_t errlen);
void classify_destroy(classify_t **self_p);
const geo_t *classify_geo(const classify_t *self);
/* Fills language, wijk/buurt, pii, themes (when none), sentiment (when
 * none), question (when none), status "new" when empty, classified. First
 * composes text, title, source.context and wijk to Unicode NFC (utf8_nfc
 * of utf8_nfc.h: "e" + U+0301 is "é"), so a decomposed text gets the
 * answers and the cluster of its composed form. The classifier service
 * and bin/classify both call this. */
wijk_source_t classify_idea(classify_t *self, idea_t *idea);
/* The model's features of an idea's title and text (for bin/classify-train). */
void classify_idea_features(classify_t *self, const idea_t *idea, classify_feats_t *out);
/* True when a model file was loaded (INSPRAAK_MODEL_FILE, else
 * data_dir/nl/model.tsv when it exists); without one, keywords alone. */
bool classify_has_model(const classify_t *self);
/* Sets idea->cluster from its near-duplicates in st (classify_idea() must
 * have run). Returns -1 on a store error. */
int classify_idea_cluster(classify_t *self, const cluster_store_t *st, idea_t *idea);
/* The near-duplicate sketch that classify_idea_cluster() compares, for a
 * caller that looks up many ideas' candidates at once (the service). */
void classify_idea_sketch(classify_t *self, const idea_t *idea, cluster_sketch_t *sk);

#endif
