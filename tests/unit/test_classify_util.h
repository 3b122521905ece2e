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
 *   s_idea_free() frees it.
 */
#ifndef INSPRAAK_TEST_CLASSIFY_UTIL_H
#define INSPRAAK_TEST_CLASSIFY_UTIL_H

#include <stdlib.h>

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

#endif
