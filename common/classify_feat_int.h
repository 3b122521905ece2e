/*
 * NAME
 *   classify_feat_int - internal to classify_features.c and
 *   classify_model.c: the header behind every feature name
 */
#ifndef INSPRAAK_CLASSIFY_FEAT_INT_H
#define INSPRAAK_CLASSIFY_FEAT_INT_H

#include <glib.h>
#include <stddef.h>

struct model_row;

/* Each feature name in classify_feats_t sits behind this small header
 * (classify_feats_add allocates both in one block; f->name[i] points at
 * the name): classify_model_predict remembers there the row it found for
 * the model with number gen, so the three heads share one hash look-up.
 * A number per load, not the model's address, because a freed model's
 * address may come back for the next one. */
typedef struct {
    unsigned long gen;
    const struct model_row *row;
    guint hash; /* g_str_hash of the name (classify_feat_hash) */
    /* What to free with this name: its own block (classify_feat_new);
     * for the word features, which share blocks (classify_features.c,
     * s_word_features), the block for the first of its names in the
     * list and NULL for the others (classify_feats_clear frees the list
     * from its end, so the block goes after its other names). */
    void *block;
} feat_hdr_t;

static inline feat_hdr_t *classify_feat_hdr(const char *name)
{
    return (feat_hdr_t *)(void *)name - 1;
}

/* A feature name of len bytes behind its header, in one block. */
char *classify_feat_new(const char *name, size_t len, guint hash);
/* The hash of tables keyed by such names: the g_str_hash kept in the
 * header. */
guint classify_feat_hash(gconstpointer name);
/* Frees a name made by classify_feat_new (its block). */
void classify_feat_free(gpointer name);

#endif
