/*
 * NAME
 *   cmd_device - inspraakctl device add|revoke|list: field-app device tokens
 *
 * DESCRIPTION
 *   device add NAME prints "isd_" + 43 base64url characters once and
 *   stores HSET inspraak:device:<NAME> token_hash created_at revoked_at ""
 *   and SET inspraak:device-token:<hash> NAME (what intake-field looks up
 *   for a bearer token). A device that exists and is not revoked is left
 *   alone (exit 1); a revoked one gets a new token.
 *   device revoke NAME sets revoked_at and deletes the device-token key, so
 *   the token stops working at once (exit 3 for an unknown device; a
 *   second revoke changes nothing and exits 0).
 *   device list prints "NAME<TAB>CREATED_AT<TAB>REVOKED_AT" lines, sorted
 *   (times in ISO 8601, UTC; REVOKED_AT empty while active).
 *   add and revoke write the audit entries /beheer writes (device_add,
 *   device_revoke with the device name as detail; user "inspraakctl";
 *   a second revoke too, as there), never the token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "ctl.h"
#include "xalloc.h"

static int s_add(ctl_t *ctl, int argc, char **argv)
{
    if (argc != 2)
        return CTL_USAGE;
    const char *name = argv[1];
    if (!auth_valid_name(name)) {
        ctl_err("a device name is 1 to %d of A-Z a-z 0-9 . _ @ -", AUTH_NAME_MAX);
        return CTL_ERR;
    }
    char token[AUTH_TOKEN_SIZE], hash[AUTH_HASH_HEX], now[32];
    char dkey[AUTH_NAME_MAX + 32], tkey[AUTH_HASH_HEX + 32];
    auth_token_new("isd_", token);
    auth_token_hash(token, hash);
    snprintf(dkey, sizeof dkey, CTL_PREFIX "device:%s", name);
    snprintf(tkey, sizeof tkey, CTL_PREFIX "device-token:%s", hash);
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    const char *kv[] = {dkey, tkey, hash, now, name};
    long long made;
    if (ctl_eval_int(ctl, auth_device_add_lua, 2, kv, 3, &made) < 0)
        return CTL_ERR;
    if (made != 1) {
        ctl_err("device %s already exists; revoke it first to issue a new token", name);
        return CTL_ERR;
    }
    audit_log(ctl->rs, "device_add", "inspraakctl", NULL, name); /* as /beheer; no token */
    printf("%s\n", token);
    fflush(stdout);
    return CTL_OK;
}

static int s_revoke(ctl_t *ctl, int argc, char **argv)
{
    if (argc != 2)
        return CTL_USAGE;
    char dkey[AUTH_NAME_MAX + 32], now[32];
    if (!auth_valid_name(argv[1])) {
        ctl_err("no device named %s", argv[1]);
        return CTL_NOTFOUND;
    }
    snprintf(dkey, sizeof dkey, CTL_PREFIX "device:%s", argv[1]);
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    const char *kv[] = {dkey, now, CTL_PREFIX "device-token:"};
    long long rc;
    if (ctl_eval_int(ctl, auth_device_revoke_lua, 1, kv, 2, &rc) < 0)
        return CTL_ERR;
    if (rc == 0) {
        ctl_err("no device named %s", argv[1]);
        return CTL_NOTFOUND;
    }
    audit_log(ctl->rs, "device_revoke", "inspraakctl", NULL, argv[1]);
    fprintf(stderr, "inspraakctl: device %s %s\n", argv[1],
            rc == 1 ? "revoked" : "was already revoked");
    return CTL_OK;
}

static int s_list(ctl_t *ctl, int argc)
{
    if (argc != 1)
        return CTL_USAGE;
    char **lines = NULL;
    size_t got = 0, cap = 0;
    char cursor[32] = "0";
    const size_t plen = strlen(CTL_PREFIX "device:");
    do {
        redisReply *r =
            rstore_cmd(ctl->rs, "SCAN %s MATCH " CTL_PREFIX "device:* COUNT 500", cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject(r);
            for (size_t i = 0; i < got; i++)
                free(lines[i]);
            free(lines);
            return ctl_redis_err(ctl, "device list");
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++) {
            const char *key = keys->element[i]->str;
            redisReply *d = rstore_cmd(ctl->rs, "HMGET %s created_at revoked_at", key);
            if (!d || d->type != REDIS_REPLY_ARRAY || d->elements != 2) {
                if (d)
                    freeReplyObject(d);
                continue;
            }
            if (got == cap) {
                cap = cap ? 2 * cap : 16;
                lines = xrealloc(lines, cap * sizeof *lines);
            }
            char made[40], revoked[40];
            lines[got++] = xasprintf("%s\t%s\t%s", key + plen,
                                     ctl_time(d->element[0]->str, made, sizeof made),
                                     ctl_time(d->element[1]->str, revoked, sizeof revoked));
            freeReplyObject(d);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    ctl_print_sorted(lines, got);
    return CTL_OK;
}

int cmd_device(ctl_t *ctl, int argc, char **argv)
{
    if (strcmp(argv[0], "add") == 0)
        return s_add(ctl, argc, argv);
    if (strcmp(argv[0], "revoke") == 0)
        return s_revoke(ctl, argc, argv);
    if (strcmp(argv[0], "list") == 0)
        return s_list(ctl, argc);
    return CTL_USAGE;
}
