/*
 * NAME
 *   query - the filters of GET /api/v1/ideas: parsing, cursor, matching
 *
 * SUMMARY
 *   query_t q;
 *   if (query_parse(&q, get_param, req, &bad) < 0) -> 400 with bad.param / bad.message
 *   ... walk an index newest first; query_after_cursor(&q, score, id) &&
 *       query_match(&q, &idea) -> the idea belongs in the answer ...
 *   query_cursor_encode(score, id, buf, sizeof buf) -> next_cursor
 *
 * DESCRIPTION
 *   Pure functions, no I/O: query.c parses, query_match.c matches (unit
 *   tested in tests/unit/test_dashboard_query.c).
 *   Equality filters name a dimension of docs/redis.md; the value "none"
 *   selects ideas where that field is empty. from/to take an RFC 3339 date
 *   (YYYY-MM-DD: from the start / to the end of that day in Heerlen,
 *   Europe/Amsterdam, clock_local_day) or date-time
 *   (with Z or an offset); both ends are inclusive. q matches a substring
 *   of text or title, ignoring ASCII case, or (after search_prepare) when
 *   every word of q has the Dutch stem of a word of the text or title;
 *   a q with fewer than two letters or digits ("é", "5", ".", a quote) is
 *   refused, as it would be found in nearly every idea.
 *   sort is "nieuw" (the default: received_at descending, then id
 *   descending, the order of ZREVRANGEBYSCORE) or "oud" (received_at
 *   ascending, then id ascending, the order of ZRANGEBYSCORE). The cursor
 *   is opaque to clients: base64url of "<score>:<id>" of the last item
 *   returned ("o<score>:<id>" for "oud"); the next page holds what sorts
 *   after it in that order, which new ideas never change, and a cursor is
 *   refused with the other order. Error messages are Dutch: they go
 *   straight into the API answer.
 *
 *   Filter values are checked, so a typing error is a 400 and not an
 *   empty list: channel, sentiment, question, target_group and status
 *   must be one of their fixed values (common/validate.h); theme, wijk
 *   and activity must have the form of one (a slug; a wijk code) and,
 *   with query_parse_known(), be known to the caller's lists (themes.tsv,
 *   the wijken, the values counted in Redis). "none" is always allowed.
 */
#ifndef INSPRAAK_DASHBOARD_QUERY_H
#define INSPRAAK_DASHBOARD_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum {
    QUERY_WIJK = 0,
    QUERY_THEME,
    QUERY_CHANNEL,
    QUERY_SENTIMENT,
    QUERY_QUESTION,
    QUERY_TARGET_GROUP,
    QUERY_STATUS,
    QUERY_ACTIVITY,
    QUERY_NDIMS
};

#define QUERY_MAX_VALUE 128 /* bytes in one filter value */
#define QUERY_MAX_Q_CHARS 256 /* characters in the search text */
#define QUERY_MAX_Q (4 * QUERY_MAX_Q_CHARS) /* its bytes (UTF-8: at most 4 a character) */
#define QUERY_MAX_ID 128    /* bytes in an idea id */
#define QUERY_MAX_CURSOR 256
#define QUERY_DEFAULT_LIMIT 50
#define QUERY_MAX_LIMIT 500

enum { QUERY_SORT_NEW = 0, QUERY_SORT_OLD, QUERY_NSORTS };

/* The values of the sort parameter, by QUERY_SORT_*. */
extern const char *const query_sorts[QUERY_NSORTS];

/* The parameter names, also the dimension names of the Redis indexes. */
extern const char *const query_dims[QUERY_NDIMS];

#define QUERY_MAX_STEMS 8

typedef struct query query_t;
/* Extra text match (search.c: Dutch stems); NULL = substring only. */
typedef bool (*query_text_fn)(const query_t *q, const char *text);

struct query {
    char eq[QUERY_NDIMS][QUERY_MAX_VALUE + 1]; /* "" = no filter */
    int n_eq;
    char q[QUERY_MAX_Q + 1]; /* lowercased (ASCII); "" = no search */
    bool has_from, has_to;
    int64_t from_ms, to_ms; /* inclusive */
    int limit;
    int sort; /* QUERY_SORT_* */
    bool has_cursor;
    int64_t cursor_score;
    char cursor_id[QUERY_MAX_ID + 1];
    /* Set by search_prepare(), not by query_parse(): the stems of q and
     * the matcher that compares them with an idea's words. */
    query_text_fn text_fn;
    void *stemmer;
    int n_stems;
    char stems[QUERY_MAX_STEMS][64];
};

typedef struct {
    char param[32];    /* the parameter at fault */
    char message[200]; /* Dutch, for the API answer */
} query_err_t;

/* Returns the raw (URL-decoded) value of a parameter, or NULL. */
typedef const char *(*query_get_fn)(const char *name, void *arg);

/* true when v is a known value of dimension dim (QUERY_THEME, QUERY_WIJK
 * or QUERY_ACTIVITY: the lists that come from data files or Redis). */
typedef bool (*query_known_fn)(int dim, const char *v, void *arg);

/* Fills q from the parameters. Returns 0, or -1 with err filled. */
int query_parse(query_t *q, query_get_fn get, void *arg, query_err_t *err);
/* The same, and every theme, wijk and activity value must pass known
 * (called with karg; NULL: any value of the right form). */
int query_parse_known(query_t *q, query_get_fn get, void *arg, query_known_fn known, void *karg,
                      query_err_t *err);

/* RFC 3339 date or date-time -> ms since epoch (UTC). A bare date gives
 * the day's first ms, or its last when end_of_day. Returns 0 or -1. */
int query_parse_time(const char *s, bool end_of_day, int64_t *ms);

/* Writes the cursor for (score, id) into out. Returns 0, or -1 when out is
 * too small or id too long. */
int query_cursor_encode(int64_t score, const char *id, char *out, size_t size);
/* The same for the given order (QUERY_SORT_*); query_cursor_encode is
 * QUERY_SORT_NEW. */
int query_cursor_encode_sort(int sort, int64_t score, const char *id, char *out, size_t size);
/* Returns 0, or -1 for anything that query_cursor_encode(_sort) did not
 * make. The order the cursor was made for goes to *sort (may be NULL). */
int query_cursor_decode(const char *s, int64_t *score, char *id, size_t id_size);
int query_cursor_decode_sort(const char *s, int *sort, int64_t *score, char *id, size_t id_size);

/* true when an idea id is acceptable in a path or cursor: 1..QUERY_MAX_ID
 * printable ASCII characters without space. */
bool query_id_valid(const char *id, size_t len);

/* true when (score, id) sorts after the cursor (or there is none) in
 * q->sort's order. */
bool query_after_cursor(const query_t *q, int64_t score, const char *id, size_t id_len);

/* true when q has any filter (equality, time, q): a selection and not
 * every idea. */
bool query_filtered(const query_t *q);

/* true when the idea passes every filter (equality, time, q). */
bool query_match(const query_t *q, const idea_t *idea);

/* Substring search ignoring case and accents ("cafe" finds "Taalcafé",
 * "CAFÉ" finds "café"); needle already lowercased (ASCII). */
bool query_contains_ci(const char *hay, const char *needle);

#endif
