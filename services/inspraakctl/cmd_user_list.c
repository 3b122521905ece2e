/*
 * NAME
 *   cmd_user_list - inspraakctl user list: the staff users
 *
 * DESCRIPTION
 *   Prints "NAME<TAB>ROLE<TAB>CREATED_AT<TAB>LAST_LOGIN" lines sorted by
 *   name (times ISO 8601, UTC; never the password hash). Users are the
 *   inspraak:user:<NAME> keys (SCAN). No user record keeps a login time:
 *   the last login is the newest "login" entry of inspraak:audit for that
 *   name (the dashboard writes one per login) made since the user was
 *   created, so a user deleted and added again does not inherit the old
 *   one's. The audit keeps the newest AUDIT_MAX entries, so an older
 *   login, like none at all, shows as an empty field.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ctl.h"
#include "xalloc.h"

#define S_CHUNK 1000

typedef struct {
    json_t *users;  /* name -> {"role", "created_at", "login"} (strings; times in ms) */
    size_t waiting; /* users whose last login is not found yet */
} s_list_t;

static int s_user_one(ctl_t *ctl, const char *key, void *arg)
{
    s_list_t *l = arg;
    const char *name = key + strlen(CTL_PREFIX "user:");
    if (json_object_get(l->users, name))
        return CTL_OK; /* SCAN may give a key twice */
    redisReply *r = rstore_cmd(ctl->rs, "HMGET %s role created_at", key);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        if (r)
            freeReplyObject(r);
        return CTL_ERR;
    }
    const char *role = r->element[0]->str, *at = r->element[1]->str;
    json_object_set_new(l->users, name,
                        json_pack("{s:s, s:s, s:s}", "role", role ? role : "?", "created_at",
                                  at ? at : "", "login", ""));
    freeReplyObject(r);
    l->waiting++;
    return CTL_OK;
}

/* Takes one audit line: a login of a listed user whose newer login was
 * not seen yet (the list is newest first). */
static void s_audit_line(s_list_t *l, const char *line, size_t len)
{
    json_t *e = json_loadb(line, len, 0, NULL);
    const char *action = json_string_value(json_object_get(e, "action"));
    const char *name = json_string_value(json_object_get(e, "user"));
    json_t *u =
        name && action && strcmp(action, "login") == 0 ? json_object_get(l->users, name) : NULL;
    const char *created = json_string_value(json_object_get(u, "created_at"));
    json_int_t at = json_integer_value(json_object_get(e, "at"));
    if (u && !*json_string_value(json_object_get(u, "login")) && at >= atoll(created)) {
        char ms[32];
        snprintf(ms, sizeof ms, "%lld", (long long)at);
        json_object_set_new(u, "login", json_string(ms));
        l->waiting--;
    }
    json_decref(e);
}

/* Finds each user's last login in inspraak:audit. CTL_OK or CTL_ERR. */
static int s_last_logins(ctl_t *ctl, s_list_t *l)
{
    for (long from = 0; l->waiting > 0 && from < AUDIT_MAX; from += S_CHUNK) {
        redisReply *r =
            rstore_cmd(ctl->rs, "LRANGE " CTL_PREFIX "audit %ld %ld", from, from + S_CHUNK - 1);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            if (r)
                freeReplyObject(r);
            return CTL_ERR;
        }
        size_t n = r->elements;
        for (size_t i = 0; i < n; i++)
            if (r->element[i]->type == REDIS_REPLY_STRING)
                s_audit_line(l, r->element[i]->str, r->element[i]->len);
        freeReplyObject(r);
        if (n < S_CHUNK)
            break;
    }
    return CTL_OK;
}

int ctl_user_list(ctl_t *ctl, int argc)
{
    if (argc != 1)
        return CTL_USAGE;
    s_list_t l = {json_object(), 0};
    if (ctl_scan(ctl, CTL_PREFIX "user:*", s_user_one, &l) != CTL_OK ||
        s_last_logins(ctl, &l) != CTL_OK) {
        json_decref(l.users);
        return ctl_redis_err(ctl, "user list");
    }
    char **lines = xcalloc(json_object_size(l.users) + 1, sizeof *lines);
    size_t n = 0;
    const char *name;
    json_t *u;
    json_object_foreach(l.users, name, u)
    {
        char created[40], login[40];
        lines[n++] = xasprintf(
            "%s\t%s\t%s\t%s", name, json_string_value(json_object_get(u, "role")),
            ctl_time(json_string_value(json_object_get(u, "created_at")), created, sizeof created),
            ctl_time(json_string_value(json_object_get(u, "login")), login, sizeof login));
    }
    ctl_print_sorted(lines, n);
    json_decref(l.users);
    return CTL_OK;
}
