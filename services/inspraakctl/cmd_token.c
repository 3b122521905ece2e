/*
 * NAME
 *   cmd_token - inspraakctl token create|revoke|list: staff API tokens
 *
 * DESCRIPTION
 *   token create NAME [--role staff|admin] prints "isk_" + 43 base64url
 *   characters once. Stored: HSET inspraak:token:<hash> name role
 *   created_at and HSET inspraak:token-names NAME <hash>, in one script so
 *   both appear together. A NAME holds one token: revoke it before making
 *   a new one (exit 1 otherwise).
 *   token revoke NAME deletes both (exit 3 when NAME has no token).
 *   token list prints "NAME<TAB>ROLE<TAB>CREATED_AT" lines, sorted (the time in ISO 8601, UTC).
 *   The dashboard checks a bearer token by hashing it and looking for
 *   inspraak:token:<hash>, so a revoke takes effect at the next request.
 *   Audit entries (user "inspraakctl"): token_create with the role as
 *   detail, token_revoke; never the name (often a staff member's) nor
 *   the token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "ctl.h"
#include "xalloc.h"

static const char *const s_roles[] = {"staff", "admin", NULL};

static const char s_create_script[] =
    "if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'name', ARGV[1], 'role', ARGV[2], 'created_at', ARGV[3])\n"
    "redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])\n"
    "return 1\n";

static const char s_revoke_script[] =
    "local h = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if not h then return 0 end\n"
    "redis.call('DEL', ARGV[2] .. h)\n"
    "redis.call('HDEL', KEYS[1], ARGV[1])\n"
    "return 1\n";

static int s_create(ctl_t *ctl, int argc, char **argv)
{
    const char *role;
    if (argc < 2 || ctl_role_opt(argc, argv, 2, s_roles, "staff", &role) < 0)
        return CTL_USAGE;
    const char *name = argv[1];
    if (!auth_valid_name(name)) {
        ctl_err("a token name is 1 to %d of A-Z a-z 0-9 . _ @ -", AUTH_NAME_MAX);
        return CTL_ERR;
    }
    char token[AUTH_TOKEN_SIZE], hash[AUTH_HASH_HEX], key[AUTH_HASH_HEX + 32], now[32];
    auth_token_new("isk_", token);
    auth_token_hash(token, hash);
    snprintf(key, sizeof key, CTL_PREFIX "token:%s", hash);
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    const char *kv[] = {key, CTL_PREFIX "token-names", name, role, now, hash};
    long long made;
    if (ctl_eval_int(ctl, s_create_script, 2, kv, 4, &made) < 0)
        return CTL_ERR;
    if (made != 1) {
        ctl_err("%s already has a token; revoke it first (inspraakctl token revoke %s)", name,
                name);
        return CTL_ERR;
    }
    audit_log(ctl->rs, "token_create", "inspraakctl", NULL, role); /* no name, no token */
    printf("%s\n", token);
    fflush(stdout);
    return CTL_OK;
}

static int s_revoke(ctl_t *ctl, int argc, char **argv)
{
    if (argc != 2)
        return CTL_USAGE;
    const char *kv[] = {CTL_PREFIX "token-names", argv[1], CTL_PREFIX "token:"};
    long long done;
    if (ctl_eval_int(ctl, s_revoke_script, 1, kv, 2, &done) < 0)
        return CTL_ERR;
    if (done != 1) {
        ctl_err("no token named %s", argv[1]);
        return CTL_NOTFOUND;
    }
    audit_log(ctl->rs, "token_revoke", "inspraakctl", NULL, NULL);
    fprintf(stderr, "inspraakctl: token %s revoked\n", argv[1]);
    return CTL_OK;
}

static int s_list(ctl_t *ctl, int argc)
{
    if (argc != 1)
        return CTL_USAGE;
    redisReply *names = rstore_cmd(ctl->rs, "HGETALL " CTL_PREFIX "token-names");
    if (!names)
        return ctl_redis_err(ctl, "token list");
    size_t n = names->type == REDIS_REPLY_ARRAY ? names->elements / 2 : 0;
    char **lines = xcalloc(n ? n : 1, sizeof *lines);
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = names->element[2 * i]->str, *hash = names->element[2 * i + 1]->str;
        redisReply *t = rstore_cmd(ctl->rs, "HMGET " CTL_PREFIX "token:%s role created_at", hash);
        if (!t) {
            ctl_redis_err(ctl, "token list");
            continue;
        }
        const char *role = t->elements > 0 && t->element[0]->str ? t->element[0]->str : "?";
        const char *at = t->elements > 1 && t->element[1]->str ? t->element[1]->str : "";
        char when[40];
        lines[got++] = xasprintf("%s\t%s\t%s", name, role, ctl_time(at, when, sizeof when));
        freeReplyObject(t);
    }
    ctl_print_sorted(lines, got);
    freeReplyObject(names);
    return CTL_OK;
}

int cmd_token(ctl_t *ctl, int argc, char **argv)
{
    if (strcmp(argv[0], "create") == 0)
        return s_create(ctl, argc, argv);
    if (strcmp(argv[0], "revoke") == 0)
        return s_revoke(ctl, argc, argv);
    if (strcmp(argv[0], "list") == 0)
        return s_list(ctl, argc);
    return CTL_USAGE;
}
