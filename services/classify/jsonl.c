/*
 * NAME
 *   jsonl - bin/classify's JSON Lines: one idea object read, classified
 *   and written back a line
 *
 * DESCRIPTION
 *   See jsonl.h and services/classify/main.c. The per-line part of the
 *   tool, apart from main() so tests/fuzz/fuzz_classify_lines.c can feed
 *   it a whole standard input.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "validate.h"
#include "xalloc.h"

static const char *s_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void s_set_str(json_t *obj, const char *key, const char *v)
{
    json_object_set_new(obj, key, v ? json_string(v) : json_null());
}

/* The idea fields classify_idea() reads, from the JSON object. */
static void s_idea_from(json_t *in, idea_t *idea)
{
    idea_init(idea);
    proto_set(&idea->id, s_str(in, "id"));
    proto_set(&idea->text, s_str(in, "text"));
    proto_set(&idea->title, s_str(in, "title"));
    proto_set(&idea->wijk, s_str(in, "wijk"));
    proto_set(&idea->postcode, s_str(in, "postcode"));
    json_t *source = json_object_get(in, "source");
    if (json_is_object(source)) /* a street interview's question: PII */
        proto_set(&idea->source.context, s_str(source, "context"));
    const char *q = s_str(in, "question");
    if (q && (strcmp(q, "nu") == 0 || strcmp(q, "toekomst") == 0))
        proto_set(&idea->question, q);
    json_t *loc = json_object_get(in, "location");
    json_t *src = json_is_object(loc) ? loc : in;
    json_t *lat = json_object_get(src, "lat"), *lon = json_object_get(src, "lon");
    if (json_is_number(lat) && json_is_number(lon)) {
        idea->has_location = true;
        idea->lat = json_number_value(lat);
        idea->lon = json_number_value(lon);
    }
}

static void s_one(classify_t *cls, const cluster_store_t *st, json_t *in)
{
    idea_t idea;
    s_idea_from(in, &idea);
    classify_idea(cls, &idea);
    classify_idea_cluster(cls, st, &idea); /* the memory store cannot fail */
    json_t *themes = json_array();
    for (int i = 0; i < idea.n_themes; i++)
        json_array_append_new(themes, json_string(idea.themes[i]));
    json_object_set_new(in, "themes", themes);
    json_t *pii = json_array();
    for (int i = 0; i < idea.n_pii; i++)
        json_array_append_new(pii, json_string(idea.pii[i]));
    json_object_set_new(in, "pii", pii);
    s_set_str(in, "sentiment", idea.sentiment);
    s_set_str(in, "question", idea.question);
    s_set_str(in, "wijk", idea.wijk);
    s_set_str(in, "buurt", idea.buurt);
    s_set_str(in, "language", idea.language);
    s_set_str(in, "cluster", idea.cluster);
    idea_clear(&idea);
}

/* jansson's error text quotes the input near the error, cut anywhere:
 * bytes of a bad or cut UTF-8 character, which a JSON string cannot
 * hold. Those become '?' in a copy the caller frees. */
static char *s_printable(const char *why)
{
    char *s = xstrdup(why);
    if (!utf8_valid(s, strlen(s)))
        for (char *c = s; *c; c++)
            if ((unsigned char)*c >= 0x80)
                *c = '?';
    return s;
}

static void s_error(FILE *out, FILE *warn, long lineno, const char *why)
{
    if (warn)
        fprintf(warn, "classify: line %ld: %s\n", lineno, why);
    char *text = s_printable(why);
    json_t *e = json_pack("{s:s, s:I}", "error", text, "line", (json_int_t)lineno);
    free(text);
    char *s = json_dumps(e, JSON_COMPACT);
    fprintf(out, "%s\n", s);
    free(s);
    json_decref(e);
}

void jsonl_classify(classify_t *cls, const cluster_store_t *st, FILE *in, FILE *out, FILE *warn)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        if (n > JSONL_MAX_LINE) {
            s_error(out, warn, lineno, "line longer than 1 MiB");
            continue;
        }
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(o)) {
            s_error(out, warn, lineno, o ? "not a JSON object" : je.text);
            json_decref(o);
            continue;
        }
        s_one(cls, st, o);
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(out, "%s\n", s);
        free(s);
        json_decref(o);
    }
    free(line);
}
