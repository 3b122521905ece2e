/*
 * NAME
 *   test_classify_util - the classifier fixture shared by the cluster unit
 *   tests
 *
 * DESCRIPTION
 *   Not a library: each test program includes this once, after cmocka.h.
 *   s_classify_new() loads the classifier with the keywords alone (no
 *   model file) from INSPRAAK_DATA or ./data, NULL when that fails;
 *   s_idea() makes an idea with id and text and classifies it with cls;
 *   s_idea_free() frees it; s_long_letter() makes the text of a long
 *   letter (more keys than a sketch keeps slots, CLUSTER_SKETCH_MAX).
 */
#ifndef INSPRAAK_TEST_CLASSIFY_UTIL_H
#define INSPRAAK_TEST_CLASSIFY_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "proto.h"
#include "xalloc.h"

static inline classify_t *s_classify_new(void)
{
    char err[256] = "";
    const char *d = getenv("INSPRAAK_DATA");
    setenv("INSPRAAK_MODEL_FILE", "none", 1);
    return classify_new(d && *d ? d : "./data", err, sizeof err);
}

static inline idea_t *s_idea(classify_t *cls, const char *id, const char *text)
{
    idea_t *idea = xcalloc(1, sizeof *idea);
    idea_init(idea);
    proto_set(&idea->id, id);
    proto_set(&idea->text, text);
    classify_idea(cls, idea);
    return idea;
}

static inline void s_idea_free(idea_t *idea)
{
    idea_clear(idea);
    free(idea);
}

/* core, then fillers distinct made-up words (at most 1,000 distinct;
 * free() the text). */
static inline char *s_long_letter(const char *core, int fillers)
{
    static const char *const syl[] = {"ka", "lo", "mi", "pu", "ro", "sa", "tu", "vi", "ne", "do"};
    size_t size = strlen(core) + 1 + (size_t)fillers * 8 + 1, n = 0;
    char *buf = xmalloc(size);
    n += (size_t)snprintf(buf, size, "%s", core);
    for (int i = 0; i < fillers; i++)
        n += (size_t)snprintf(buf + n, size - n, " %s%s%sk", syl[i % 10], syl[i / 10 % 10],
                              syl[i / 100 % 10]);
    return buf;
}

#endif
