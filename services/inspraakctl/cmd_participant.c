/*
 * NAME
 *   cmd_participant - inspraakctl participant export|erase (DESIGN.md contract 6)
 *
 * SYNOPSIS
 *   participant export|erase EMAIL
 *   participant export|erase --idea IDEA_ID
 *   participant export|erase --participant-id PID
 *   participant unbounce EMAIL | --idea IDEA_ID | --participant-id PID
 *
 * DESCRIPTION
 *   EMAIL is normalised as storage does (email_stored_form(): spaces
 *   around it removed, an internationalised domain readable, so
 *   "jan@xn--bcher-kva.nl" finds jan@bücher.nl, ASCII letters lowercased)
 *   and found through
 *   inspraak:participant-email:<hex of BLAKE2b-128 of it> -> pid.
 *
 *   --idea names the person by one of their ideas, the id staff see in the
 *   dashboard: the idea record's participant_id is the pid. This is the
 *   only way to reach a resident who gave a name but no address (field
 *   app, form, transcript): storage gives them a pid of their own per idea
 *   and no email index. --participant-id takes the pid itself, as export,
 *   erase and retention print it. Both need inspraak:participant:<pid> to
 *   exist; its email field, when there is one, is used as EMAIL is above
 *   (index key, dead letters, mail files). An idea that does not exist,
 *   that has no participant (neither name nor address was given), or whose
 *   participant is gone already: exit 3, a message on stderr, nothing
 *   changed.
 *
 *   export prints one JSON object: {"email" (null without one),
 *   "participant_id", "participant": {every field of
 *   inspraak:participant:<pid>}, "ideas": [idea_to_json of each
 *   inspraak:idea:<id> in inspraak:participant-ideas:<pid>],
 *   "unreadable_ideas": [ids whose record is missing or does not decode],
 *   "mail_files": [paths of the files under $INSPRAAK_VAR/mail/ holding
 *   the address: their mails, our receipts], "dead_letters": [the
 *   dead-letter entries holding it]} (the last two are what erase removes
 *   besides the Redis keys; empty without an address), notify's state for
 *   the pid ("mails_sent": [{"mail": "<purpose>:<key>", "state", "at",
 *   ...} per marker inspraak:notify:sent:<pid>:*], "unsubscribed": bool,
 *   "bounce": the bounce record or null), plus "idea" when found with
 *   --idea.
 *
 *   erase removes the person everywhere (ctl_erase_person in cmd_erase.c:
 *   first storage cuts the address and name out of the ideas' texts, then
 *   the participant keys, notify's keys for the pid, mail files holding the
 *   address go), rewrites the AOF and prints what it removed as JSON. The
 *   ideas stay: they carry only the pseudonymous pid, which now points to
 *   nothing, so they are anonymous. (Storage is the only writer of ideas,
 *   so erase asks it over the bus instead of rewriting them itself.)
 *
 *   unbounce lifts notify's hard-bounce mark (email_bounced_at and
 *   email_bounce on the participant, services/notify/README.md) when the
 *   resident's mailbox works again, so receipts and campaigns reach them
 *   again; consent, unsubscribe and the rest of the record stay. Named after
 *   the mark it undoes, as unsubscribe has its own. A record without the
 *   mark: said on stderr, exit 0. notify's own log of the failed mail
 *   (inspraak:notify:bounced, export's "bounce") stays: it is what
 *   happened. A lifted mark is audited (participant_unbounce, user
 *   inspraakctl; no address, no pid).
 *
 *   Unknown email: exit 3 with a message on stderr. erase then still
 *   removes the dead letters and mail files holding the address (and
 *   prints them), so running it again after an interrupted erase finishes
 *   the job.
 */
#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ctl.h"
#include "email_idn.h"
#include "idea_json.h"
#include "proto.h"
#include "xalloc.h"

#define CTL_EMAIL_MAX EMAIL_STORED_MAX
#define CTL_PID_MAX 128

typedef struct {
    char email[CTL_EMAIL_MAX]; /* "" when the person gave none */
    char email_key[CTL_EMAIL_KEY_MAX];
    char pid[CTL_PID_MAX];
    const char *idea; /* the idea named with --idea, else NULL */
} who_t;

/* Sets who->email (in the form storage stores it, email_stored_form():
 * "Jan@xn--bcher-kva.nl" finds jan@bücher.nl) and the email index key.
 * -1 when nothing is left or it is too long. */
static int s_set_email(who_t *who, const char *given, size_t len)
{
    if (email_stored_form(given, len, who->email, sizeof who->email) < 0)
        return -1;
    ctl_email_key(who->email, who->email_key);
    return 0;
}

void ctl_email_key(const char *email, char *out)
{
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, (const unsigned char *)email, strlen(email), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, CTL_EMAIL_KEY_MAX, CTL_PREFIX "participant-email:%s", hex);
}

/* Finds the pid for an email. Returns CTL_OK, CTL_NOTFOUND or CTL_ERR. */
static int s_find(ctl_t *ctl, const char *given, who_t *who)
{
    if (s_set_email(who, given, strlen(given)) < 0) {
        ctl_err("not an email address: \"%s\"", given);
        return CTL_ERR;
    }
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

/* 1 when pid looks like one storage makes ("p-" and letters, digits, '-'):
 * anything else (a pattern, a space, an email) is refused before Redis. */
static int s_pid_ok(const char *pid)
{
    size_t n = strlen(pid);
    if (n < 3 || n >= CTL_PID_MAX || strncmp(pid, "p-", 2) != 0)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (!isalnum((unsigned char)pid[i]) && pid[i] != '-')
            return 0;
    return 1;
}

/* Finds the participant record of pid (--participant-id, or the pid of
 * the idea named with --idea) and its address, if it holds one. Returns
 * CTL_OK, CTL_NOTFOUND (message printed) or CTL_ERR. */
static int s_find_pid(ctl_t *ctl, const char *pid, who_t *who)
{
    if (!s_pid_ok(pid)) {
        ctl_err("not a participant id (p-...): \"%s\"", pid);
        return CTL_ERR;
    }
    snprintf(who->pid, sizeof who->pid, "%s", pid);
    redisReply *r = rstore_cmd(ctl->rs, "EXISTS " CTL_PREFIX "participant:%s", pid);
    if (!r)
        return ctl_redis_err(ctl, "participant lookup");
    int exists = r->type == REDIS_REPLY_INTEGER && r->integer > 0;
    freeReplyObject(r);
    if (!exists) {
        if (who->idea)
            ctl_err("the participant of idea %s (%s) is not there any more: already erased; "
                    "nothing was changed",
                    who->idea, pid);
        else
            ctl_err("no participant with id %s; nothing was changed", pid);
        return CTL_NOTFOUND;
    }
    r = rstore_cmd(ctl->rs, "HGET " CTL_PREFIX "participant:%s email", pid);
    if (!r)
        return ctl_redis_err(ctl, "participant lookup");
    /* A name-only participant has no address and no index key; the key
     * erase deletes then is one no address hashes to. */
    if (r->type != REDIS_REPLY_STRING || s_set_email(who, r->str, r->len) < 0) {
        who->email[0] = '\0';
        snprintf(who->email_key, sizeof who->email_key, CTL_PREFIX "participant-email:none");
    }
    freeReplyObject(r);
    return CTL_OK;
}

/* Finds the participant of idea id through its record's participant_id.
 * Returns CTL_OK, CTL_NOTFOUND or CTL_ERR (message printed). */
static int s_find_idea(ctl_t *ctl, const char *id, who_t *who)
{
    size_t n = strlen(id);
    if (n == 0 || n >= PROTO_ID_SIZE) {
        ctl_err("not an idea id: \"%s\"", id);
        return CTL_ERR;
    }
    redisReply *r = rstore_cmd(ctl->rs, "GET " CTL_PREFIX "idea:%s", id);
    if (!r)
        return ctl_redis_err(ctl, "idea lookup");
    if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject(r);
        ctl_err("no idea with id %s; nothing was changed", id);
        return CTL_NOTFOUND;
    }
    idea_t idea;
    proto_err_t perr;
    int ok = idea_decode(r->str, r->len, &idea, &perr) == 0;
    freeReplyObject(r);
    if (!ok) {
        ctl_err("idea %s cannot be read (%s); nothing was changed", id, perr.code);
        return CTL_ERR;
    }
    char pid[sizeof who->pid] = "";
    if (idea.participant_id)
        snprintf(pid, sizeof pid, "%s", idea.participant_id);
    idea_clear(&idea);
    who->idea = id;
    if (!*pid) {
        ctl_err("idea %s has no participant (no name or email was given with it); "
                "nothing was changed",
                id);
        return CTL_NOTFOUND;
    }
    return s_find_pid(ctl, pid, who);
}

/* The start of export's and erase's output: "email" (null when the person
 * gave none) and, when found with --idea, "idea". */
static json_t *s_out_new(const who_t *who)
{
    json_t *out = json_object();
    json_object_set_new(out, "email", who->email[0] ? json_string(who->email) : json_null());
    if (who->idea)
        json_object_set_new(out, "idea", json_string(who->idea));
    return out;
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

/* Sets the fields of the HGETALL reply r in obj as strings; a time (a
 * field "at" or "*_at", in ms) as ISO 8601 UTC. */
static void s_fields(const redisReply *r, json_t *obj)
{
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const char *field = r->element[i]->str, *value = r->element[i + 1]->str;
        size_t flen = strlen(field);
        char when[40];
        if (strcmp(field, "at") == 0 ||
            (flen > 3 && strcmp(field + flen - 3, "_at") == 0)) /* a time: readable */
            json_object_set_new(obj, field, json_string(ctl_time(value, when, sizeof when)));
        else
            json_object_set_new(obj, field, json_stringn(value, r->element[i + 1]->len));
    }
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
    s_fields(r, p);
    freeReplyObject(r);
    return p;
}

typedef struct {
    json_t *mails;
    size_t prefix; /* bytes of "inspraak:notify:sent:<pid>:" */
} s_mails_t;

/* One marker inspraak:notify:sent:<pid>:<purpose>:<key> into mails. */
static int s_mail_one(ctl_t *ctl, const char *key, void *arg)
{
    s_mails_t *a = arg;
    redisReply *h = rstore_cmd(ctl->rs, "HGETALL %s", key);
    if (!h)
        return CTL_ERR;
    json_t *m = json_object();
    json_object_set_new(m, "mail", json_string(key + a->prefix));
    s_fields(h, m);
    json_array_append_new(a->mails, m);
    freeReplyObject(h);
    return CTL_OK;
}

/* notify's state for the pid (services/notify/README.md): each mail's
 * marker as {"mail": "<purpose>:<key>", its fields (times readable)},
 * whether the pid is in inspraak:unsubscribed, and its bounce record (or
 * null). CTL_OK or CTL_ERR (message printed). */
static int s_notify(ctl_t *ctl, const who_t *who, json_t *out)
{
    char pat[128];
    s_mails_t a = {json_array(), 0};
    json_object_set_new(out, "mails_sent", a.mails);
    a.prefix = (size_t)snprintf(pat, sizeof pat, CTL_PREFIX "notify:sent:%s:*", who->pid) - 1;
    if (ctl_scan(ctl, pat, s_mail_one, &a) != CTL_OK)
        return ctl_redis_err(ctl, "participant mails");
    redisReply *u = rstore_cmd(ctl->rs, "SISMEMBER " CTL_PREFIX "unsubscribed %s", who->pid);
    redisReply *b =
        u ? rstore_cmd(ctl->rs, "HGET " CTL_PREFIX "notify:bounced %s", who->pid) : NULL;
    if (b) {
        json_object_set_new(out, "unsubscribed", json_boolean(u->integer == 1));
        json_object_set_new(out, "bounce",
                            b->type == REDIS_REPLY_STRING ? json_stringn(b->str, b->len)
                                                          : json_null());
    }
    if (u)
        freeReplyObject(u);
    if (!b)
        return ctl_redis_err(ctl, "participant mails");
    freeReplyObject(b);
    return CTL_OK;
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
    json_t *out = s_out_new(who);
    json_object_set_new(out, "participant_id", json_string(who->pid));
    json_object_set_new(out, "participant", p);
    json_object_set_new(out, "ideas", ideas);
    json_object_set_new(out, "unreadable_ideas", bad);
    rc = s_notify(ctl, who, out);
    if (rc == CTL_OK)
        rc = ctl_held_elsewhere(ctl, who->email, out);
    if (rc == CTL_OK)
        s_print(out);
    json_decref(out);
    return rc;
}

/* Everything about the person goes (cmd_erase.c), then the AOF is
 * rewritten so the old values are gone from disk as well. */
static int s_erase(ctl_t *ctl, const who_t *who)
{
    json_t *out = s_out_new(who);
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

static int s_unbounce(ctl_t *ctl, const who_t *who)
{
    redisReply *r = rstore_cmd(
        ctl->rs, "HDEL " CTL_PREFIX "participant:%s email_bounced_at email_bounce", who->pid);
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r)
            freeReplyObject(r);
        return ctl_redis_err(ctl, "participant unbounce");
    }
    const char *whom = who->email[0] ? who->email : who->pid;
    if (r->integer > 0) {
        audit_log(ctl->rs, "participant_unbounce", "inspraakctl", NULL, NULL);
        fprintf(stderr, "inspraakctl: bounce mark of %s lifted; mail goes to it again\n", whom);
    }
    else
        fprintf(stderr, "inspraakctl: %s has no bounce mark; nothing was changed\n", whom);
    freeReplyObject(r);
    return CTL_OK;
}

/* "--NAME VALUE" or "--NAME=VALUE" in argv[1..argc): VALUE, else NULL. */
static const char *s_opt(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    if (argc == 3 && strcmp(argv[1], name) == 0)
        return argv[2];
    if (argc == 2 && strncmp(argv[1], name, n) == 0 && argv[1][n] == '=')
        return argv[1] + n + 1;
    return NULL;
}

int cmd_participant(ctl_t *ctl, int argc, char **argv)
{
    int export = strcmp(argv[0], "export") == 0, unbounce = strcmp(argv[0], "unbounce") == 0;
    if (!export && !unbounce && strcmp(argv[0], "erase") != 0)
        return CTL_USAGE;
    who_t who;
    memset(&who, 0, sizeof who);
    const char *idea = s_opt(argc, argv, "--idea"), *pid = s_opt(argc, argv, "--participant-id");
    int rc;
    if (idea)
        rc = s_find_idea(ctl, idea, &who);
    else if (pid)
        rc = s_find_pid(ctl, pid, &who);
    else if (argc == 2 && strncmp(argv[1], "--", 2) != 0) {
        rc = s_find(ctl, argv[1], &who);
        if (rc == CTL_NOTFOUND && !export && !unbounce)
            return s_erase_leftovers(ctl, &who);
    } else
        return CTL_USAGE; /* an option misspelt is no address to search mail files for */
    if (rc != CTL_OK)
        return rc;
    if (unbounce)
        return s_unbounce(ctl, &who);
    return export ? s_export(ctl, &who) : s_erase(ctl, &who);
}
