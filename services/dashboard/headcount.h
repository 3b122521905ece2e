/*
 * NAME
 *   headcount - how many people are behind a selection of ideas
 *
 * SUMMARY
 *   headcount_t *h = headcount_new();
 *   for each idea of the selection:
 *       headcount_add(h, NULL, idea->participant_id);       the whole selection
 *       headcount_add(h, value, idea->participant_id);      and one value of a dimension
 *   headcount_people(h, NULL), headcount_by(h)
 *   headcount_destroy(&h);
 *
 * DESCRIPTION
 *   People are counted as on /resultaten (reach.c): each distinct
 *   participant id once, and each idea without one as one person of its
 *   own. The ids stay inside this module and are freed with it; what
 *   leaves it are counts. Ideas keep their participant id after the
 *   person is erased (docs/privacy.md, "Erase"), so an erased person
 *   still counts once.
 *
 * OWNERSHIP
 *   headcount_new returns a table the caller frees with
 *   headcount_destroy; headcount_by returns a new jansson reference.
 */
#ifndef INSPRAAK_DASHBOARD_HEADCOUNT_H
#define INSPRAAK_DASHBOARD_HEADCOUNT_H

#include <jansson.h>

#include "query.h"
#include "rstore.h"

typedef struct headcount headcount_t;

headcount_t *headcount_new(void);
void headcount_destroy(headcount_t **p);
/* One idea with participant id pid ("" or NULL: none) counted for value
 * (NULL: the whole selection; "" counts as "none"). h NULL: nothing is
 * counted (a caller that was not asked for people). */
void headcount_add(headcount_t *h, const char *value, const char *pid);
/* People behind value's ideas (NULL: the whole selection); 0 when none. */
long long headcount_people(const headcount_t *h, const char *value);
/* {value: people} for every value added. */
json_t *headcount_by(const headcount_t *h);
/* A walk callback (ideas_walk, ideas_find_also): adds the idea's
 * participant to the whole selection of arg, a headcount_t. */
void headcount_add_idea(const idea_t *idea, void *arg);

/* The people behind the ideas of q (its filters; limit, cursor and sort
 * do not count), hidden ideas as the list has them: with a filter, one
 * pass over the matches (ideas_walk); without, reach_people_listed (no
 * walk over every idea). REACH_COUNTING while storage counts, -1 when
 * Redis failed. */
long long headcount_query(rstore_t *rs, const query_t *q);

#endif
