/*
 * NAME
 *   cmd_corrections - the ideas staff re-labelled, as training data
 *   (inspraakctl corrections export [--since YYYY-MM-DD])
 *
 * DESCRIPTION
 *   Storage keeps, for every idea whose themes, wijk, sentiment or
 *   cluster staff changed, the labels the classifier gave it (inspraak:corrections) and
 *   the time of the latest change (inspraak:corrections:at); see
 *   services/storage/store_correct.h. This prints one JSON object per such
 *   idea, oldest change first, in the format of tests/data/ideas/dev.jsonl
 *   (LABELS.md): "id", "style" (the channel), "text", "language", and only
 *   the labels staff changed ("themes", "wijk", "sentiment", "question", and
 *   "dup_group": the near-duplicate cluster staff put it in), taken from
 *   the record as it is now; a label staff did not touch is left out, so
 *   bin/classify-train leaves the idea out of that head instead of
 *   learning the classifier's own answer back. "corrected" lists those
 *   labels and "classified" holds what the classifier said. An idea whose
 *   labels staff set back to the classifier's is skipped.
 *
 *       inspraakctl corrections export > corrections.jsonl
 *       cat tests/data/ideas/dev.jsonl corrections.jsonl > train.jsonl
 *       INSPRAAK_DATA=data bin/classify-train -o data/nl/model.tsv train.jsonl
 *
 *   The text is the stored (possibly redacted) text, with the places of
 *   every PII flag the idea still carries cut as redaction would cut them
 *   ("[weggehaald: telefoonnummer]"); no personal data of the author is
 *   printed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "proto.h"
#include "redact.h"

#define S_PAGE 500

static json_t *s_themes(const idea_t *idea)
{
    json_t *a = json_array();
    for (int k = 0; k < idea->n_themes; k++)
        json_array_append_new(a, json_string(idea->themes[k]));
    return a;
}

static json_t *s_str(const char *v)
{
    return v && *v ? json_string(v) : json_null();
}

/* Adds the label to out when it differs from what the classifier said. */
static void s_label(json_t *out, json_t *corrected, const char *key, json_t *now, json_t *was)
{
    if (was && json_equal(now, was)) {
        json_decref(now);
        return;
    }
    json_object_set_new(out, key, now);
    json_array_append_new(corrected, json_string(key));
}

/* Training data ends up in shared files (tests/data, the model): cut the
 * places of every PII kind the idea is flagged with that staff did not
 * cut yet, in this copy only (the stored record stays as it is). */
static void s_cut_pii(idea_t *idea)
{
    redact_msg_t m;
    redact_msg_init(&m);
    for (int i = 0; i < idea->n_pii; i++)
        if (redact_kind_known(idea->pii[i]))
            redact_msg_add_kind(&m, idea->pii[i]);
    char err[200];
    if (m.n_kinds > 0 && redact_idea(idea, &m, err, sizeof err) < 0)
        proto_set(&idea->text, "[weggehaald]"); /* cannot cut it: print none of it */
    redact_msg_clear(&m);
}

/* One idea: prints its line, or nothing when no label differs. */
static int s_one(ctl_t *ctl, const char *id, const char *was_json)
{
    redisReply *r = rstore_cmd(ctl->rs, "GET " CTL_PREFIX "idea:%s", id);
    if (!r)
        return ctl_redis_err(ctl, "GET idea");
    idea_t idea;
    proto_err_t perr;
    int ok = r->type == REDIS_REPLY_STRING && idea_decode(r->str, r->len, &idea, &perr) == 0;
    freeReplyObject(r);
    if (!ok) {
        ctl_err("corrections: idea %s is missing or unreadable; skipped", id);
        return CTL_OK;
    }
    s_cut_pii(&idea);
    json_t *was = json_loads(was_json, 0, NULL);
    json_t *out = json_object(), *corrected = json_array();
    json_object_set_new(out, "id", json_string(id));
    json_object_set_new(out, "style", s_str(idea.channel));
    json_object_set_new(out, "text", s_str(idea.text));
    json_object_set_new(out, "language", s_str(idea.language));
    s_label(out, corrected, "themes", s_themes(&idea), json_object_get(was, "themes"));
    s_label(out, corrected, "wijk", s_str(idea.wijk), json_object_get(was, "wijk"));
    s_label(out, corrected, "sentiment", s_str(idea.sentiment), json_object_get(was, "sentiment"));
    /* A cluster staff chose is a near-duplicate label ("dup_group" in
     * LABELS.md); corrections stored before clusters could be corrected
     * have no "cluster", and then it was not corrected. */
    json_t *was_cluster = json_object_get(was, "cluster"), *was_q = json_object_get(was, "question");
    if (was_q)
        s_label(out, corrected, "question", s_str(idea.question), was_q);
    if (was_cluster)
        s_label(out, corrected, "dup_group", s_str(idea.cluster), was_cluster);
    if (json_array_size(corrected) > 0) {
        json_object_set_new(out, "corrected", corrected);
        json_object_set(out, "classified", was ? was : json_null());
        char *line = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", line);
        free(line);
    } else {
        json_decref(corrected);
    }
    json_decref(out);
    json_decref(was);
    idea_clear(&idea);
    return CTL_OK;
}

static int s_export(ctl_t *ctl, int64_t since)
{
    char min[32];
    snprintf(min, sizeof min, "%lld", (long long)since);
    for (long offset = 0;; offset += S_PAGE) {
        redisReply *ids = rstore_cmd(ctl->rs,
                                     "ZRANGEBYSCORE " CTL_PREFIX "corrections:at %s +inf "
                                     "LIMIT %ld %d",
                                     min, offset, S_PAGE);
        if (!ids || ids->type != REDIS_REPLY_ARRAY) {
            if (ids)
                freeReplyObject(ids);
            return ctl_redis_err(ctl, "ZRANGEBYSCORE corrections:at");
        }
        size_t n = ids->elements;
        for (size_t i = 0; i < n; i++) {
            const char *id = ids->element[i]->str;
            redisReply *w = rstore_cmd(ctl->rs, "HGET " CTL_PREFIX "corrections %s", id);
            int rc = !w ? ctl_redis_err(ctl, "HGET corrections")
                        : s_one(ctl, id, w->type == REDIS_REPLY_STRING ? w->str : "null");
            if (w)
                freeReplyObject(w);
            if (rc != CTL_OK) {
                freeReplyObject(ids);
                return rc;
            }
        }
        freeReplyObject(ids);
        if (n < S_PAGE)
            return CTL_OK;
    }
}

int cmd_corrections(ctl_t *ctl, int argc, char **argv)
{
    if (strcmp(argv[0], "export") != 0 || (argc != 1 && argc != 3) ||
        (argc == 3 && strcmp(argv[1], "--since") != 0))
        return CTL_USAGE;
    int64_t since = 0;
    if (argc == 3 && (since = ctl_date_ms(argv[2])) < 0) {
        ctl_err("corrections export: --since wants a date YYYY-MM-DD, not \"%s\"", argv[2]);
        return CTL_USAGE;
    }
    return s_export(ctl, since);
}
