/*
 * NAME
 *   cmd_participant - inspraakctl participant export|erase EMAIL (DESIGN.md contract 6)
 *
 * DESCRIPTION
 *   The email is normalised as storage does (spaces around it removed,
 *   ASCII letters lowercased) and found through
 *   inspraak:participant-email:<hex of BLAKE2b-128 of it> -> pid.
 *
 *   export prints one JSON object: {"email", "participant_id",
 *   "participant": {every field of inspraak:participant:<pid>},
 *   "ideas": [idea_to_json of each inspraak:idea:<id> in
 *   inspraak:participant-ideas:<pid>], "unreadable_ideas": [ids whose
 *   record is missing or does not decode]}.
 *
 *   erase removes the person everywhere (ctl_erase_person in cmd_erase.c:
 *   first storage cuts the address and name out of the ideas' texts, then
 *   the participant keys, notify's keys for the pid, mail files holding the
 *   address go), rewrites the AOF and prints what it removed as JSON. The
 *   ideas stay: they carry only the pseudonymous pid, which now points to
 *   nothing, so they are anonymous. (Storage is the only writer of ideas,
 *   so erase asks it over the bus instead of rewriting them itself.)
 *
 *   Unknown email: exit 3 with a message on stderr. erase then still
 *   removes the dead letters and mail files holding the address (and
 *   prints them), so running it again after an interrupted erase finishes
 *   the job.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "idea_json.h"
#include "proto.h"
#include "xalloc.h"

#define CTL_EMAIL_MAX 320

typedef struct {
    char email[CTL_EMAIL_MAX];
    char email_key[96];
    char pid[128];
} who_t;

/* Finds the pid for an email. Returns CTL_OK, CTL_NOTFOUND or CTL_ERR. */
static int s_find(ctl_t *ctl, const char *given, who_t *who)
{
    const char *b = given, *e = given + strlen(given);
    while (b < e && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    size_t n = (size_t)(e - b);
    if (n == 0 || n >= sizeof who->email) {
        ctl_err("not an email address: \"%s\"", given);
        return CTL_ERR;
    }
    for (size_t i = 0; i < n; i++)
        who->email[i] = (b[i] >= 'A' && b[i] <= 'Z') ? (char)(b[i] - 'A' + 'a') : b[i];
    who->email[n] = '\0';

    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, (const unsigned char *)who->email, n, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(who->email_key, sizeof who->email_key, CTL_PREFIX "participant-email:%s", hex);
    redisReply *r = rstore_cmd(ctl->rs, "GET %s", who->email_key);
    if (!r)
        return ctl_redis_err(ctl, "participant lookup");
    int found = r->type == REDIS_REPLY_STRING && r->len > 0 && r->len < sizeof who->pid;
    if (found) {
        memcpy(who->pid, r->str, r->len);
        who->pid[r->len] = '\0';
    }
    freeReplyObject(r);
    if (!found) {
        ctl_err("no participant with email %s", who->email);
        return CTL_NOTFOUND;
    }
    return CTL_OK;
}

static void s_print(json_t *out)
{
    char *text = json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (text) {
        printf("%s\n", text);
        free(text);
    }
    fflush(stdout);
}

/* The participant hash as a JSON object of strings. NULL on Redis error. */
static json_t *s_participant(ctl_t *ctl, const who_t *who)
{
    redisReply *r = rstore_cmd(ctl->rs, "HGETALL " CTL_PREFIX "participant:%s", who->pid);
    if (!r) {
        ctl_redis_err(ctl, "participant");
        return NULL;
    }
    json_t *p = json_object();
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2)
        json_object_set_new(p, r->element[i]->str,
                            json_stringn(r->element[i + 1]->str, r->element[i + 1]->len));
    freeReplyObject(r);
    return p;
}

/* Adds every idea of the participant to ideas (or its id to bad). */
static int s_ideas(ctl_t *ctl, const who_t *who, json_t *ideas, json_t *bad)
{
    redisReply *ids = rstore_cmd(ctl->rs, "SMEMBERS " CTL_PREFIX "participant-ideas:%s", who->pid);
    if (!ids)
        return ctl_redis_err(ctl, "participant ideas");
    for (size_t i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
        const char *id = ids->element[i]->str;
        redisReply *rec = rstore_cmd(ctl->rs, "GET " CTL_PREFIX "idea:%s", id);
        if (!rec) {
            freeReplyObject(ids);
            return ctl_redis_err(ctl, "idea");
        }
        idea_t idea;
        proto_err_t perr;
        if (rec->type == REDIS_REPLY_STRING && idea_decode(rec->str, rec->len, &idea, &perr) == 0) {
            json_array_append_new(ideas, idea_to_json(&idea));
            idea_clear(&idea);
        } else {
            json_array_append_new(bad, json_string(id));
        }
        freeReplyObject(rec);
    }
    freeReplyObject(ids);
    return CTL_OK;
}

static int s_export(ctl_t *ctl, const who_t *who)
{
    json_t *p = s_participant(ctl, who);
    if (!p)
        return CTL_ERR;
    json_t *ideas = json_array(), *bad = json_array();
    int rc = s_ideas(ctl, who, ideas, bad);
    if (rc != CTL_OK) {
        json_decref(p);
        json_decref(ideas);
        json_decref(bad);
        return rc;
    }
    json_t *out = json_pack("{s:s, s:s, s:o, s:o, s:o}", "email", who->email, "participant_id",
                            who->pid, "participant", p, "ideas", ideas, "unreadable_ideas", bad);
    s_print(out);
    json_decref(out);
    return CTL_OK;
}

/* Everything about the person goes (cmd_erase.c), then the AOF is
 * rewritten so the old values are gone from disk as well. */
static int s_erase(ctl_t *ctl, const who_t *who)
{
    json_t *out = json_pack("{s:s}", "email", who->email);
    int rc = ctl_erase_person(ctl, who->pid, who->email, who->email_key, out);
    if (rc == CTL_OK)
        rc = ctl_aof_rewrite(ctl);
    if (rc == CTL_OK) {
        json_object_set_new(out, "aof_rewritten", json_true());
        s_print(out);
    }
    json_decref(out);
    return rc;
}

/* No participant record for the address: an earlier erase may have been
 * interrupted after its Redis step, or the address only ever reached a
 * dead letter or a mail file. What still holds the address goes anyway;
 * the exit status stays "not found". */
static int s_erase_leftovers(ctl_t *ctl, const who_t *who)
{
    json_t *out = json_pack("{s:s}", "email", who->email);
    if (!out) /* not UTF-8: storage never took such an address */
        return CTL_NOTFOUND;
    long dead = 0;
    int rc = ctl_erase_address(ctl, who->email, out, &dead);
    if (rc == CTL_OK && dead > 0) /* the AOF still holds those dead letters */
        rc = ctl_aof_rewrite(ctl);
    if (rc == CTL_OK) {
        json_object_set_new(out, "aof_rewritten", json_boolean(dead > 0));
        s_print(out);
    }
    json_decref(out);
    return rc == CTL_OK ? CTL_NOTFOUND : rc;
}

int cmd_participant(ctl_t *ctl, int argc, char **argv)
{
    int export = strcmp(argv[0], "export") == 0;
    if ((!export && strcmp(argv[0], "erase") != 0) || argc != 2)
        return CTL_USAGE;
    who_t who;
    int rc = s_find(ctl, argv[1], &who);
    if (rc == CTL_NOTFOUND && !export)
        return s_erase_leftovers(ctl, &who);
    if (rc != CTL_OK)
        return rc;
    return export ? s_export(ctl, &who) : s_erase(ctl, &who);
}
