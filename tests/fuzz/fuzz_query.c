/*
 * NAME
 *   fuzz_query - libFuzzer harness for the filters of GET /api/v1/ideas
 *   (and the staff idea list, which parses the same): parameters, dates,
 *   the cursor and the Dutch stemmed search
 *
 * DESCRIPTION
 *   The input is a query string's parameters after URL decoding, one
 *   "name=value" a line (a name may come twice: the first counts, as
 *   libmicrohttpd gives it). query_parse() and query_parse_known() read
 *   them; each value also goes to query_parse_time() and
 *   query_cursor_decode_sort(). Promises checked (abort() when broken):
 *     - a refusal names the parameter at fault and has a message;
 *     - an accepted query has a limit of 1..QUERY_MAX_LIMIT and a known
 *       sort, and its cursor encodes again to a cursor that decodes to the
 *       same order, score and id;
 *     - a cursor the decoder accepts has a score of 0 or more, and its
 *       values survive encoding and decoding again (leading zeros in the
 *       score are a harmless second spelling of the same position);
 *     - search_prepare() and query_match() run on two ideas, one whose
 *       text is the search text itself; a query without filters other
 *       than q matches that idea.
 *
 *   FUZZ_SOURCES: services/dashboard/query.c services/dashboard/query_match.c
 *   FUZZ_SOURCES: services/dashboard/search.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_MAX_PARAMS 32

typedef struct {
    char *name[S_MAX_PARAMS], *value[S_MAX_PARAMS];
    int n;
} s_params_t;

static void s_fail(const char *what)
{
    fprintf(stderr, "fuzz_query: %s\n", what);
    abort();
}

static const char *s_get(const char *name, void *arg)
{
    const s_params_t *p = arg;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}

static bool s_known(int dim, const char *v, void *arg)
{
    (void)arg;
    return dim != QUERY_THEME || strcmp(v, "groen") == 0 || strcmp(v, "wonen") == 0;
}

static void s_check_cursor(const char *s)
{
    int sort, sort2;
    int64_t score, score2;
    char id[QUERY_MAX_ID + 1], id2[QUERY_MAX_ID + 1], again[QUERY_MAX_CURSOR + 1];
    if (query_cursor_decode_sort(s, &sort, &score, id, sizeof id) < 0)
        return;
    if (score < 0 || query_cursor_encode_sort(sort, score, id, again, sizeof again) < 0 ||
        query_cursor_decode_sort(again, &sort2, &score2, id2, sizeof id2) < 0 || sort2 != sort ||
        score2 != score || strcmp(id2, id) != 0)
        s_fail("a cursor the decoder takes whose values do not survive encoding again");
}

static void s_check_query(query_t *q, const s_params_t *p)
{
    if (q->limit < 1 || q->limit > QUERY_MAX_LIMIT || q->sort < 0 || q->sort >= QUERY_NSORTS)
        s_fail("an accepted query with a bad limit or sort");
    if (q->has_cursor) {
        char c[QUERY_MAX_CURSOR + 1], id[QUERY_MAX_ID + 1];
        int sort;
        int64_t score;
        if (query_cursor_encode_sort(q->sort, q->cursor_score, q->cursor_id, c, sizeof c) < 0 ||
            query_cursor_decode_sort(c, &sort, &score, id, sizeof id) < 0 || sort != q->sort ||
            score != q->cursor_score || strcmp(id, q->cursor_id) != 0)
            s_fail("an accepted cursor that does not survive encoding again");
    }
    search_prepare(q);
    idea_t a, b;
    idea_init(&a);
    idea_init(&b);
    proto_set(&a.id, "f-1");
    proto_set(&a.text, "Meer bomen in het Molenbergpark, en bankjes voor ouderen.");
    proto_set(&a.channel, "form");
    proto_set(&b.id, "f-2");
    proto_set(&b.text, q->q);
    proto_set(&b.channel, "form");
    query_match(q, &a);
    bool only_q = q->n_eq == 0 && !q->has_from && !q->has_to;
    if (query_match(q, &b) != true && only_q && s_get("q", (void *)p))
        s_fail("a search that does not find its own words");
    search_done(q);
    idea_clear(&a);
    idea_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    s_params_t p = {.n = 0};
    for (char *line = buf, *next; line && p.n < S_MAX_PARAMS; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        p.name[p.n] = line;
        p.value[p.n++] = eq + 1;
        int64_t ms;
        query_parse_time(eq + 1, false, &ms);
        query_parse_time(eq + 1, true, &ms);
        s_check_cursor(eq + 1);
    }
    for (int known = 0; known < 2; known++) {
        query_t q;
        query_err_t err;
        memset(&err, 0, sizeof err);
        int rc = known ? query_parse_known(&q, s_get, &p, s_known, NULL, &err)
                       : query_parse(&q, s_get, &p, &err);
        if (rc < 0 && (!err.param[0] || !err.message[0]))
            s_fail("a refusal without the parameter or a message");
        if (rc == 0)
            s_check_query(&q, &p);
    }
    free(buf);
    return 0;
}
