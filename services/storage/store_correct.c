/*
 * NAME
 *   store_correct - the "was" labels of a staff correction (see the header)
 */
#include "store_correct.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int s_same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Same themes in the same order (the first is the main theme). */
static int s_same_themes(const idea_t *a, const idea_t *b)
{
    if (a->n_themes != b->n_themes)
        return 0;
    for (int k = 0; k < a->n_themes; k++)
        if (!s_same(a->themes[k], b->themes[k]))
            return 0;
    return 1;
}

static json_t *s_str_or_null(const char *v)
{
    return v && *v ? json_string(v) : json_null();
}

char *store_correction_was(const idea_t *old, const idea_t *new)
{
    if (s_same_themes(old, new) && s_same(old->wijk, new->wijk) &&
        s_same(old->sentiment, new->sentiment) && s_same(old->question, new->question) &&
        s_same(old->cluster, new->cluster))
        return NULL;
    json_t *themes = json_array();
    for (int k = 0; k < old->n_themes; k++)
        json_array_append_new(themes, json_string(old->themes[k]));
    json_t *was = json_object();
    json_object_set_new(was, "themes", themes);
    json_object_set_new(was, "wijk", s_str_or_null(old->wijk));
    json_object_set_new(was, "sentiment", s_str_or_null(old->sentiment));
    json_object_set_new(was, "question", s_str_or_null(old->question));
    json_object_set_new(was, "cluster", s_str_or_null(old->cluster));
    char *s = json_dumps(was, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(was);
    return s;
}
