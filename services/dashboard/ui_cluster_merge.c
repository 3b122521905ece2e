/*
 * NAME
 *   ui_cluster_merge - POST /clusters: staff put a whole near-duplicate
 *   group with another idea's group
 *
 * DESCRIPTION
 *   Form fields: csrf, cluster (the group shown on /clusters?cluster=ID)
 *   and bij (the number of an idea in the group it belongs with). Every
 *   idea of the group (as the page lists them: not hidden, at most 500)
 *   gets an update with that idea's cluster and no other field
 *   (moderate_send_many(): one socket pair, through the classifier, which
 *   moves each stored sketch so that later near-duplicates follow; storage
 *   then changes only the cluster of each record). The answer is a
 *   redirect to the group it joined with "samengevoegd=N", where N is the
 *   number of ideas read back with the new cluster; when not all of them
 *   were moved, a 502 page says how many were; when the group had more
 *   than one go moves (500, or older than the newest ideas the page
 *   counts), a page says so and asks to merge again. One audit entry
 *   (cluster_merge) names both groups and the counts, never texts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "xalloc.h"

typedef struct {
    char csrf[65], cluster[80], bij[65];
    int bad;
} s_form_t;

static int s_field(const char *key, const char *value, size_t len, void *arg)
{
    s_form_t *f = arg;
    const page_field_t map[] = {{"csrf", f->csrf, sizeof f->csrf},
                                {"cluster", f->cluster, sizeof f->cluster},
                                {"bij", f->bij, sizeof f->bij}};
    page_field_copy(map, sizeof map / sizeof map[0], key, value, len, &f->bad);
    return 0;
}

/* How many of ids now carry cluster. */
static int s_moved(rstore_t *rs, json_t *ids, const char *cluster)
{
    int n = 0, failed = 0;
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        json_t *it = ideas_get_one(rs, json_string_value(id), &failed);
        const char *c = json_string_value(json_object_get(it, "cluster"));
        n += c && strcmp(c, cluster) == 0;
        json_decref(it);
    }
    return n;
}

/* The group's ideas moved to cluster `to`; answers. */
static void s_merge(dash_t *d, rstore_t *rs, http_res_t *res, const session_t *s,
                    const s_form_t *f, const char *to)
{
    json_t *ids = json_array();
    int more = ui_clusters_member_ids(rs, f->cluster, ids);
    if (more < 0) {
        dash_unavailable_page(res, rs);
        json_decref(ids);
        return;
    }
    int n = (int)json_array_size(ids);
    if (n == 0) { /* all hidden, or moved meanwhile: nothing to merge */
        page_message(res, 400, "Niet samengevoegd",
                     "In deze groep staan geen ideeën (meer). Open de lijst met groepen opnieuw.");
        json_decref(ids);
        return;
    }
    idea_t *upds = xcalloc((size_t)(n ? n : 1), sizeof *upds);
    idea_t **ptrs = xcalloc((size_t)(n ? n : 1), sizeof *ptrs);
    for (int i = 0; i < n; i++) {
        idea_init(&upds[i]);
        proto_set(&upds[i].id, json_string_value(json_array_get(ids, (size_t)i)));
        proto_set(&upds[i].cluster, to);
        ptrs[i] = &upds[i];
    }
    char err[256] = "", detail[240];
    moderate_send_many(d, ptrs, n, err, sizeof err);
    int moved = s_moved(rs, ids, to);
    snprintf(detail, sizeof detail, "from=%.80s into=%.80s members=%d moved=%d", f->cluster, to, n,
             moved);
    audit_log(rs, moved == n ? "cluster_merge" : "cluster_merge_failed", s->user, NULL, detail);
    if (moved == n && more) { /* a large group: one part at a time */
        char msg[300];
        snprintf(msg, sizeof msg,
                 "%s ideeën zijn bij de andere groep gezet. In deze groep staan er nog meer: "
                 "open de groep opnieuw en klik nog een keer op Samenvoegen.",
                 num_nl(n).s);
        page_message(res, 200, "Voor een deel samengevoegd", msg);
    } else if (moved == n) {
        sb_t loc = {0};
        sb_add(&loc, "/clusters?cluster=");
        sb_url(&loc, to);
        sb_printf(&loc, "&samengevoegd=%d", n);
        page_redirect(res, loc.buf);
        sb_free(&loc);
    } else {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "%s van de %s ideeën zijn bij de andere groep gezet. Probeer het over een "
                 "minuut opnieuw.",
                 num_nl(moved).s, num_nl(n).s);
        page_message(res, 502, "Niet alles samengevoegd", msg);
    }
    for (int i = 0; i < n; i++)
        idea_clear(&upds[i]);
    free(upds);
    free(ptrs);
    json_decref(ids);
}

void ui_cluster_merge(const http_req_t *req, http_res_t *res, void *arg)
{
    dash_t *d = arg;
    rstore_t *rs = dash_redis_get(d);
    session_t s;
    s_form_t f = {.bad = 0};
    if (!session_require(d, rs, req, res, &s))
        goto out;
    if (http_form_fields(req, 128, s_field, &f) < 0 || !session_csrf_ok(&s, f.csrf)) {
        page_message(res, 403, "Niet toegestaan",
                     "Dit formulier is niet geldig of verlopen. Open de groep opnieuw.");
        goto out;
    }
    if (f.bad || !f.cluster[0] || !query_id_valid(f.cluster, strlen(f.cluster)) || !f.bij[0] ||
        !query_id_valid(f.bij, strlen(f.bij))) {
        page_message(res, 400, "Niet samengevoegd",
                     "Vul het nummer in van een idee uit de groep waar deze groep bij hoort.");
        goto out;
    }
    int failed = 0;
    json_t *other = ideas_get_one(rs, f.bij, &failed);
    const char *to = json_string_value(json_object_get(other, "cluster"));
    if (!other) {
        if (failed)
            dash_unavailable_page(res, rs);
        else
            page_message(res, 400, "Niet samengevoegd",
                         "Er is geen idee met het nummer dat u invulde. Kijk het nummer na.");
    } else if (strcmp(to ? to : f.bij, f.cluster) == 0) {
        page_message(res, 400, "Niet samengevoegd", "Dat idee zit al in deze groep.");
    } else {
        s_merge(d, rs, res, &s, &f, to ? to : f.bij);
    }
    json_decref(other);
out:
    dash_redis_put(d, rs);
}
