/*
 * NAME
 *   test_classify_model - the learned model file and near-duplicate clusters
 *
 * DESCRIPTION
 *   classify_model_load() on small model files written here (good and
 *   bad), predictions from known weights, features of a text, and the
 *   MinHash clusters with the in-memory store. Uses the data in
 *   INSPRAAK_DATA or ./data (run from the repository root) for the
 *   shipped-model check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "classify.h"
#include "classify_feat_int.h"

static char t_path[64];

static void t_write(const char *text)
{
    snprintf(t_path, sizeof t_path, "/tmp/test_classify_model.%d.tsv", (int)getpid());
    FILE *fp = fopen(t_path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_load_and_predict(void **state)
{
    (void)state;
    char err[256];
    t_write("model\t1\nhead\tsentiment\tsoftmax\tnegatief\tneutraal\tpositief\n"
            "head\tthemes\tsigmoid\tgroen\twonen\n"
            "w\tsentiment\tw:mooi\t-1\t0\t2\nw\tthemes\tw:park\t3\t-3\n");
    classify_model_t *m = classify_model_load(t_path, err, sizeof err);
    assert_non_null(m);
    classify_feats_t f = {0};
    classify_feats_add(&f, "w:mooi", 1.0);
    classify_feats_add(&f, "w:park", 1.0);
    const char *const *labels;
    double p[CLASSIFY_MODEL_MAX_CLASSES];
    assert_int_equal(classify_model_predict(m, "sentiment", &f, &labels, p), 3);
    assert_string_equal(labels[2], "positief");
    assert_true(p[2] > p[1] && p[1] > p[0]);
    assert_true(p[0] + p[1] + p[2] > 0.999 && p[0] + p[1] + p[2] < 1.001);
    assert_int_equal(classify_model_predict(m, "themes", &f, &labels, p), 2);
    assert_true(p[0] > 0.9 && p[1] < 0.1);
    assert_int_equal(classify_model_predict(m, "question", &f, &labels, p), -1);
    classify_feats_clear(&f);
    classify_model_destroy(&m);
    unlink(t_path);
}

static void test_bad_files(void **state)
{
    (void)state;
    char err[256];
    const char *bad[] = {
        "model\t1\n",                                                      /* no heads */
        "head\tq\tsoftmax\tnu\ttoekomst\nw\tq\tw:x\t1\n",                  /* one weight short */
        "head\tq\tsoftmax\tnu\ttoekomst\nw\tq\tw:x\t1\tabc\n",             /* not a number */
        "head\tq\tsoftmax\tnu\ttoekomst\nw\tother\tw:x\t1\t2\n",           /* unknown head */
        "head\tq\tlinear\tnu\ttoekomst\n",                                 /* unknown kind */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t_write(bad[i]);
        err[0] = '\0';
        assert_null(classify_model_load(t_path, err, sizeof err));
        assert_non_null(strstr(err, t_path)); /* says which file */
    }
    unlink(t_path);
    assert_null(classify_model_load("/nonexistent/model.tsv", err, sizeof err));
}

static void test_shipped_model(void **state)
{
    (void)state;
    char err[512] = "";
    const char *d = getenv("INSPRAAK_DATA");
    unsetenv("INSPRAAK_MODEL_FILE");
    classify_t *cls = classify_new(d && *d ? d : "./data", err, sizeof err);
    assert_non_null(cls);
    assert_true(classify_has_model(cls));
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.text, "Overal zwerfvuil en hondenpoep op de stoep, het is hier een "
                          "vuilnisbelt. Schandalig!");
    classify_idea(cls, &idea);
    assert_string_equal(idea.sentiment, "negatief");
    assert_true(idea.n_themes >= 1 && idea.n_themes <= 3);
    assert_string_equal(idea.themes[0], "openbare-ruimte");
    idea_clear(&idea);
    classify_destroy(&cls);
}

static int t_prefix(const char *line, const char *p)
{
    return strncmp(line, p, strlen(p)) == 0;
}

/* Each head learns from its own feature groups (classify-train): the
 * shipped file has the lexicon sums and their interactions for
 * sentiment, the tense groups for question, and no sentiment or question
 * lexicon weights for themes. */
static void test_shipped_heads_features(void **state)
{
    (void)state;
    char path[512], line[4096];
    const char *d = getenv("INSPRAAK_DATA");
    snprintf(path, sizeof path, "%s/nl/model.tsv", d && *d ? d : "./data");
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int psum = 0, nsum = 0, kv = 0, themes_other = 0, question_kt = 0, senti_kv = 0;
    int heads = 0, suffixes = 0, senti_kx = 0, other_kx = 0;
    while (fgets(line, sizeof line, fp)) {
        heads += t_prefix(line, "w\tthemes\th:");
        suffixes += strstr(line, "\tx:") != NULL;
        psum += t_prefix(line, "w\tsentiment\tks:psum\t");
        nsum += t_prefix(line, "w\tsentiment\tks:nsum\t");
        kv += t_prefix(line, "w\tquestion\tkv:");
        senti_kv += t_prefix(line, "w\tsentiment\tkv:");
        senti_kx += t_prefix(line, "w\tsentiment\tkx:");
        other_kx += t_prefix(line, "w\tquestion\tkx:") || t_prefix(line, "w\tthemes\tkx:");
        question_kt += t_prefix(line, "w\tquestion\tkt:");
        themes_other += t_prefix(line, "w\tthemes\tks:") ||
                        t_prefix(line, "w\tthemes\tkq:") ||
                        t_prefix(line, "w\tthemes\tkv:");
    }
    fclose(fp);
    assert_int_equal(psum, 1);
    assert_int_equal(nsum, 1);
    assert_true(kv >= 1);
    assert_int_equal(senti_kv, 0);
    assert_true(senti_kx >= 4); /* the sentiment interactions, that head alone */
    assert_int_equal(other_kx, 0);
    assert_int_equal(question_kt, 0);
    assert_int_equal(themes_other, 0);
    assert_true(heads >= 50); /* compound head nouns learnt (h:woning, ...) */
    assert_int_equal(suffixes, 0);
}

/* A classifier on the data without its model (features only). */
static classify_t *t_cls_without_model(void)
{
    char err[512] = "";
    const char *d = getenv("INSPRAAK_DATA");
    setenv("INSPRAAK_MODEL_FILE", "none", 1);
    classify_t *cls = classify_new(d && *d ? d : "./data", err, sizeof err);
    unsetenv("INSPRAAK_MODEL_FILE");
    assert_non_null(cls);
    return cls;
}

static double t_feat(const classify_feats_t *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->name[i], name) == 0)
            return f->val[i];
    return 0;
}

/* The theme lexicon as the model reads it (kt:SLUG): a wijk name, where
 * someone lives or an adverb gives no theme; the vocabulary of a theme
 * that new writers used does; no k1: any more (classify_features.c). */
static void test_theme_lexicon_features(void **state)
{
    (void)state;
    classify_t *cls = t_cls_without_model();
    idea_t idea;
    idea_init(&idea);
    classify_feats_t f = {0};
    proto_set(&idea.text, "Ik woon al jaren in Heerlerheide en ga hier nooit weg, geweldig.");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "kt:groen") == 0);      /* Heerlerheide is a wijk, no heath */
    assert_true(t_feat(&f, "kt:mobiliteit") == 0); /* "weg": away, no road */
    assert_true(t_feat(&f, "kt:veiligheid") == 0); /* geweldig, no geweld */
    classify_feats_clear(&f);
    proto_set(&idea.text, "Met oud en nieuw wordt er zwaar vuurwerk afgestoken.");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "kt:veiligheid") > 0);
    classify_feats_clear(&f);
    proto_set(&idea.text, "De huisarts neemt geen nieuwe patiënten aan.");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "kt:zorg") > 0);
    for (size_t i = 0; i < f.n; i++)
        assert_false(strncmp(f.name[i], "k1:", 3) == 0);
    classify_feats_clear(&f);
    idea_clear(&idea);
    classify_destroy(&cls);
}

/* A long text whose word features fill several of the blocks their names
 * are cut from (classify_features.c), every word twice: each feature
 * once, all word features with the same value, and (under ASan) nothing
 * leaked or read after it was freed. */
static void test_features_long_text(void **state)
{
    (void)state;
    classify_t *cls = t_cls_without_model();
    enum { WORDS = 1500 };
    char *text = calloc(2 * WORDS, 16);
    assert_non_null(text);
    size_t at = 0;
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < WORDS; i++)
            at += (size_t)sprintf(text + at, "plek%dq ", i);
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.text, text);
    classify_feats_t f = {0};
    classify_idea_features(cls, &idea, &f);
    size_t words = 0;
    double v = -1;
    for (size_t i = 0; i < f.n; i++) {
        for (size_t j = i + 1; j < f.n; j++)
            assert_string_not_equal(f.name[i], f.name[j]);
        if (strncmp(f.name[i], "w:", 2) == 0 || strncmp(f.name[i], "b:", 2) == 0) {
            if (v < 0)
                v = f.val[i];
            assert_true(f.val[i] == v);
            words += f.name[i][0] == 'w';
        }
    }
    assert_int_equal(words, WORDS);
    assert_true(t_feat(&f, "w:plek7q") > 0);
    assert_true(t_feat(&f, "b:plek1499q plek0q") > 0); /* the wrap from the first copy to the second */
    classify_feats_clear(&f);
    assert_int_equal(f.n, 0);
    free(text);
    idea_clear(&idea);
    classify_destroy(&cls);
}

/* Request openers and the lexicon's separate sums as features. */
static void test_features(void **state)
{
    (void)state;
    classify_t *cls = t_cls_without_model();
    idea_t idea;
    idea_init(&idea);
    classify_feats_t f = {0};
    proto_set(&idea.text, "Het zwerfvuil is hier schandalig. Zet meer prullenbakken neer!");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "kv:imperative") > 0);
    assert_true(t_feat(&f, "kv:imp_first") == 0); /* the first sentence describes */
    assert_true(t_feat(&f, "ks:nsum") > 0);
    /* a complaint that asks for something: the complaint sum as kx:negwish */
    assert_true(t_feat(&f, "kx:negwish") == t_feat(&f, "ks:nsum"));
    assert_true(t_feat(&f, "kx:negplain") == 0);
    assert_true(t_feat(&f, "kx:!!") == 0);
    classify_feats_clear(&f);
    proto_set(&idea.text, "Het zwerfvuil is hier schandalig, maar niemand doet iets!!");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "kx:negplain") > 0); /* nothing asked */
    assert_true(t_feat(&f, "kx:negwish") == 0);
    assert_true(t_feat(&f, "kx:!!") == 1.0);
    assert_true(t_feat(&f, "kx:contrast") == 1.0);
    classify_feats_clear(&f);
    proto_set(&idea.text, "Vrouw (70), Molenberg: wil meer bankjes. Het park is prachtig.");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "kv:wish_open") > 0);
    assert_true(t_feat(&f, "ks:psum") > 0);
    assert_true(t_feat(&f, "ks:nsum") == 0);
    assert_true(t_feat(&f, "kx:poswish") == t_feat(&f, "ks:psum"));
    assert_true(t_feat(&f, "kx:posplain") == 0);
    assert_true(t_feat(&f, "kx:contrast") == 0);
    classify_feats_clear(&f);
    proto_set(&idea.text, "Meer bankjes in het park, graag.");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "kv:imp_first") == 1.0);
    assert_true(t_feat(&f, "kv:imperative") == 0);
    classify_feats_clear(&f);
    /* compound parts (hunspell-nl) and the head noun, not the old suffixes */
    proto_set(&idea.text, "Te weinig huurwoningen en geen ontmoetingsplek in de wijk.");
    classify_idea_features(cls, &idea, &f);
    assert_true(t_feat(&f, "c:hur") > 0);
    assert_true(t_feat(&f, "c:woning") > 0);
    assert_true(t_feat(&f, "h:woning") > 0);
    assert_true(t_feat(&f, "h:plek") > 0);
    assert_true(t_feat(&f, "h:wijk") == 0); /* "wijk" is no compound */
    for (size_t i = 0; i < f.n; i++)
        assert_false(strncmp(f.name[i], "x:", 2) == 0);
    classify_feats_clear(&f);
    idea_clear(&idea);
    classify_destroy(&cls);
}

/* The word features' hashes are worked out from their stems' hashes
 * (classify_features.c, s_add_pieces) instead of g_str_hash on each
 * name: they must be g_str_hash's, also for letters outside ASCII
 * (signed bytes), or the model would not find its rows and the set's
 * order (which the sums follow) would change. */
static void test_feature_hashes(void **state)
{
    (void)state;
    classify_t *cls = t_cls_without_model();
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.text, "Één café aan de Oranje-Nassaustraat: coördinatie, überall "
                          "fietsenstallingen en ZEBRAPADEN bij de Ñandú-speeltuin?!");
    classify_feats_t f = {0};
    classify_idea_features(cls, &idea, &f);
    size_t bigrams = 0;
    for (size_t i = 0; i < f.n; i++) {
        assert_int_equal(classify_feat_hdr(f.name[i])->hash, g_str_hash(f.name[i]));
        bigrams += strncmp(f.name[i], "b:", 2) == 0;
    }
    assert_true(t_feat(&f, "w:ñandu") > 0); /* the stemmer drops most accents, not this */
    assert_true(t_feat(&f, "b:ñandu speeltuin") > 0);
    assert_true(bigrams >= 10);
    classify_feats_clear(&f);
    idea_clear(&idea);
    classify_destroy(&cls);

    /* and the model finds its rows by them: weights for a word and a
     * bigram of a text move the prediction */
    char err[256];
    t_write("model\t1\nhead\tthemes\tsigmoid\tgroen\tcultuur\n"
            "w\tthemes\tw:ñandu\t4\t0\nw\tthemes\tb:ñandu speeltuin\t0\t-4\n");
    classify_model_t *m = classify_model_load(t_path, err, sizeof err);
    assert_non_null(m);
    cls = t_cls_without_model();
    idea_init(&idea);
    proto_set(&idea.text, "Ñandú speeltuin");
    classify_idea_features(cls, &idea, &f);
    const char *const *labels;
    double p[CLASSIFY_MODEL_MAX_CLASSES];
    assert_int_equal(classify_model_predict(m, "themes", &f, &labels, p), 2);
    assert_true(p[0] > 0.5 && p[1] < 0.5); /* both rows found (1/sqrt(3) each) */
    classify_feats_clear(&f);
    idea_clear(&idea);
    classify_destroy(&cls);
    classify_model_destroy(&m);
    unlink(t_path);
}

/* The model remembers the rows it looked up by name (classify_model.c,
 * MODEL_MEMO_SLOTS slots chosen by the hash's low bits): names whose
 * hashes share their low 16 bits take the same slot, so each look-up
 * below evicts the one before; the answers must stay each name's own,
 * also for a name the model does not have. */
static void test_model_memo(void **state)
{
    (void)state;
    char names[3][32];
    int found = 0;
    guint want = 0;
    for (int i = 0; found < 3 && i < 1000000; i++) {
        char n[32];
        snprintf(n, sizeof n, "w:memo%d", i);
        guint low = g_str_hash(n) & 0xffff;
        if (found == 0 || low == want) {
            want = low;
            snprintf(names[found++], sizeof names[0], "%s", n);
        }
    }
    assert_int_equal(found, 3);
    char err[256], text[256];
    snprintf(text, sizeof text,
             "model\t1\nhead\tthemes\tsigmoid\tgroen\nw\tthemes\t%s\t5\nw\tthemes\t%s\t-5\n",
             names[0], names[1]);
    t_write(text);
    classify_model_t *m = classify_model_load(t_path, err, sizeof err);
    assert_non_null(m);
    const int order[] = {0, 1, 2, 0, 2, 1, 1, 0};
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        classify_feats_t f = {0};
        classify_feats_add(&f, names[order[k]], 1.0);
        const char *const *labels;
        double p[CLASSIFY_MODEL_MAX_CLASSES];
        assert_int_equal(classify_model_predict(m, "themes", &f, &labels, p), 1);
        if (order[k] == 0)
            assert_true(p[0] > 0.99);
        else if (order[k] == 1)
            assert_true(p[0] < 0.01);
        else
            assert_true(p[0] == 0.5); /* no row: no weight */
        classify_feats_clear(&f);
    }
    classify_model_destroy(&m);
    unlink(t_path);
}

static void t_cluster(classify_tok_t *tok, const cluster_store_t *st, const char *id,
                      const char *wijk, const char *text, char *out, size_t size)
{
    idea_t idea;
    idea_init(&idea);
    proto_set(&idea.id, id);
    proto_set(&idea.wijk, wijk);
    classify_toks_t toks = {0, NULL, NULL};
    classify_tokenize(tok, text, &toks);
    cluster_sketch_t sk;
    classify_cluster_sketch(NULL, NULL, 0, &toks, &idea, &sk);
    classify_toks_clear(&toks);
    assert_int_equal(classify_cluster(st, &sk, &idea), 0);
    snprintf(out, size, "%s", idea.cluster);
    idea_clear(&idea);
}

static void test_clusters(void **state)
{
    (void)state;
    char err[100], c[4][80];
    classify_tok_t *tok = classify_tok_new(err, sizeof err);
    cluster_store_t st = cluster_mem_ops;
    st.store = cluster_mem_new();
    t_cluster(tok, &st, "a", "WK091712", "Wij willen een skatepark in Hoensbroek bij het kasteel",
              c[0], sizeof c[0]);
    t_cluster(tok, &st, "b", "WK091712", "Een skatepark in Hoensbroek bij het kasteel, dat willen wij!",
              c[1], sizeof c[1]);
    t_cluster(tok, &st, "c", "WK091733", "Meer parkeerplaatsen voor fietsen aan het station",
              c[2], sizeof c[2]);
    t_cluster(tok, &st, "d", NULL, "...", c[3], sizeof c[3]);
    assert_string_equal(c[0], "a"); /* the first of its kind names the cluster */
    assert_string_equal(c[1], "a"); /* the same wish joins it */
    assert_string_equal(c[2], "c"); /* another wish starts its own */
    assert_string_equal(c[3], "d"); /* no words: its own */
    cluster_mem_destroy(&st.store);
    classify_tok_destroy(&tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_predict),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_shipped_model),
        cmocka_unit_test(test_shipped_heads_features),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_theme_lexicon_features),
        cmocka_unit_test(test_features_long_text),
        cmocka_unit_test(test_feature_hashes),
        cmocka_unit_test(test_model_memo),
        cmocka_unit_test(test_clusters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
