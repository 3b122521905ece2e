/*
 * NAME
 *   inspraakctl - administration: staff users, API tokens, field devices, participants
 *
 * SYNOPSIS
 *   inspraakctl user add NAME [--role admin|staff]     (password on stdin)
 *   inspraakctl user list
 *   inspraakctl user delete NAME
 *   inspraakctl user password NAME                     (password on stdin)
 *   inspraakctl token create NAME [--role staff|admin]
 *   inspraakctl token revoke NAME
 *   inspraakctl token list
 *   inspraakctl device add NAME
 *   inspraakctl device revoke NAME
 *   inspraakctl device list
 *   inspraakctl participant export EMAIL | --idea IDEA_ID | --participant-id PID
 *   inspraakctl participant erase EMAIL | --idea IDEA_ID | --participant-id PID
 *   inspraakctl participant unbounce EMAIL | --idea IDEA_ID | --participant-id PID
 *   inspraakctl retention run [--before YYYY-MM-DD]
 *   inspraakctl corrections export [--since YYYY-MM-DD]
 *   inspraakctl bus-keys FOLDER
 *   inspraakctl help
 *
 * DESCRIPTION
 *   Talks to the Redis the services use: INSPRAAK_REDIS_URL, default
 *   redis://127.0.0.1:(INSPRAAK_PORT_BASE - 1690), the one `make run`
 *   starts; without either variable, the port base `make run` wrote to
 *   $INSPRAAK_VAR/run/port-base, else 8080. Tokens are printed once on stdout and stored only as a hash
 *   (ctl.h lists the keys). Results go to stdout (tokens, JSON, lists);
 *   messages to stderr.
 *
 * EXIT STATUS
 *   0 done; 1 error (Redis unreachable, bad input, already exists);
 *   2 usage; 3 not found (user, token, device, participant or idea).
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "config.h"
#include "ctl.h"
#include "idea_json.h"
#include "log.h"
#include "xalloc.h"

static const char s_usage[] =
    "usage: inspraakctl COMMAND\n"
    "\n"
    "  user add NAME [--role admin|staff]   add a staff user; password from stdin\n"
    "                                       (asked twice on a terminal; at least 10 characters)\n"
    "  user list                            list users: name, role, created, last login\n"
    "  user delete NAME                     remove a user: their dashboard sessions end at\n"
    "                                       once (an API token NAME stays: token revoke)\n"
    "  user password NAME                   set a new password (stdin, as for add); the\n"
    "                                       user's dashboard sessions end\n"
    "  token create NAME [--role staff|admin]  print a new staff API token (shown once)\n"
    "  token revoke NAME                    revoke NAME's API token\n"
    "  token list                           list API tokens: name, role, created\n"
    "  device add NAME                      print a new field-app device token (shown once)\n"
    "  device revoke NAME                   revoke a device token\n"
    "  device list                          list devices: name, created, revoked\n"
    "  participant export EMAIL             JSON of everything held on that person\n"
    "  participant erase EMAIL              remove the person; their ideas stay, anonymous\n"
    "  participant export|erase --idea IDEA_ID\n"
    "                                       the same for the person who gave that idea\n"
    "                                       (also a name without email address)\n"
    "  participant export|erase --participant-id PID\n"
    "                                       the same by the id export and erase print\n"
    "  participant unbounce EMAIL           lift the hard-bounce mark (email_bounced_at): the\n"
    "                                       mailbox works again; --idea, --participant-id too\n"
    "  retention run [--before YYYY-MM-DD]  erase every participant created before the date\n"
    "                                       (or INSPRAAK_RETENTION_DATE; none: all), and delete\n"
    "                                       the files kept after processing, dead letters and\n"
    "                                       skipped mails from before it (docs/privacy.md)\n"
    "  corrections export [--since YYYY-MM-DD]\n"
    "                                       ideas staff re-labelled, as training JSON Lines\n"
    "  campaign create|preview|test|start|pause|resume|status   feedback mails (cmd_campaign.c)\n"
    "  bus-keys FOLDER                      make CURVE keys for INSPRAAK_BUS_CURVE_KEYS\n"
    "  help                                 this text\n"
    "\n"
    "Redis: INSPRAAK_REDIS_URL (default redis://127.0.0.1:PORT_BASE-1690; PORT_BASE from\n"
    "INSPRAAK_PORT_BASE, else $INSPRAAK_VAR/run/port-base written by make run, else 8080).\n"
    "Exit status: 0 ok, 1 error, 2 usage, 3 not found.\n";

void ctl_err(const char *fmt, ...)
{
    va_list ap;
    fputs("inspraakctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int ctl_redis_err(ctl_t *ctl, const char *what)
{
    const char *e = rstore_error(ctl->rs); /* empty: the last command had an answer */
    ctl_err("%s: redis: %s", what, *e ? e : "answered with a reply of an unexpected type");
    return CTL_ERR;
}

redisReply *ctl_eval(ctl_t *ctl, const char *script, int nkeys, const char **keys_then_args,
                     int nargs)
{
    const char *argv[32];
    size_t lens[32];
    char nk[16];
    int argc = 0;
    if (nkeys + nargs + 3 > 32)
        return NULL;
    snprintf(nk, sizeof nk, "%d", nkeys);
    argv[argc++] = "EVAL";
    argv[argc++] = script;
    argv[argc++] = nk;
    for (int i = 0; i < nkeys + nargs; i++)
        argv[argc++] = keys_then_args[i];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    redisReply *r = rstore_cmdargv(ctl->rs, argc, argv, lens);
    if (!r)
        ctl_redis_err(ctl, "eval");
    return r;
}

int ctl_eval_int(ctl_t *ctl, const char *script, int nkeys, const char **keys_then_args, int nargs,
                 long long *answer)
{
    redisReply *r = ctl_eval(ctl, script, nkeys, keys_then_args, nargs);
    if (!r)
        return -1;
    *answer = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    return 0;
}

static int s_by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *ctl_time(const char *ms, char *buf, size_t size)
{
    char *end = NULL;
    long long v = ms && *ms ? strtoll(ms, &end, 10) : 0;
    if (!end || *end || v <= 0)
        snprintf(buf, size, "%s", ms ? ms : "");
    else
        proto_rfc3339(v, buf, size);
    return buf;
}

void ctl_print_sorted(char **lines, size_t n)
{
    if (n)
        qsort(lines, n, sizeof *lines, s_by_str);
    for (size_t i = 0; i < n; i++) {
        printf("%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

int ctl_role_opt(int argc, char **argv, int from, const char *const *allowed, const char *def,
                 const char **role)
{
    char names[64] = "", bar[64] = ""; /* "admin, staff" and "admin|staff" */
    for (int k = 0; allowed[k]; k++) {
        size_t n = strlen(names), b = strlen(bar);
        snprintf(names + n, sizeof names - n, "%s%s", k ? ", " : "", allowed[k]);
        snprintf(bar + b, sizeof bar - b, "%s%s", k ? "|" : "", allowed[k]);
    }
    *role = def;
    if (from > 1 && argv[from - 1][0] == '-') {
        ctl_err("the NAME comes first, then the options: %s NAME [--role %s]", argv[0], bar);
        return -1;
    }
    for (int i = from; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(argv[i], "--role=", 7) == 0)
            v = argv[i] + 7;
        else if (strcmp(argv[i], "--role") != 0) {
            ctl_err("unknown option: %s (the only option is --role %s)", argv[i], bar);
            return -1;
        }
        if (!v || !*v) {
            ctl_err("--role needs a value, one of: %s", names);
            return -1;
        }
        int ok = 0;
        for (int k = 0; allowed[k]; k++)
            if (strcmp(v, allowed[k]) == 0)
                ok = 1;
        if (!ok) {
            ctl_err("role \"%s\" does not exist; use one of: %s", v, names);
            return -1;
        }
        *role = v;
    }
    return 0;
}

static int s_usage_err(void)
{
    fputs(s_usage, stderr);
    return CTL_USAGE;
}

/* INTERFACES.md: without INSPRAAK_REDIS_URL, the Redis is the one `make
 * run` started, found through INSPRAAK_VAR and INSPRAAK_PORT_BASE. An
 * operator who started it with another port base then only needs the same
 * INSPRAAK_VAR: deploy/inspraak.sh writes the base it used to
 * $INSPRAAK_VAR/run/port-base, read here when neither variable is set (so
 * Redis and the bus endpoints both follow it). -1 on a file that is there
 * but not a port base. */
static int s_port_base_from_run(void)
{
    const char *url = getenv("INSPRAAK_REDIS_URL"), *base = getenv("INSPRAAK_PORT_BASE");
    if ((url && *url) || (base && *base))
        return 0;
    char *path = xasprintf("%s/run/port-base", config_str("INSPRAAK_VAR", "./var"));
    FILE *f = fopen(path, "r");
    if (!f) {
        free(path);
        return 0; /* never started here: the default base */
    }
    char line[16] = "";
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    char *end;
    long v = ok ? strtol(line, &end, 10) : 0;
    if (!ok || end == line || *end || v < PORT_BASE_MIN || v > PORT_BASE_MAX) {
        ctl_err("%s: not a port base (%d-%d); remove it or set INSPRAAK_PORT_BASE", path,
                PORT_BASE_MIN, PORT_BASE_MAX);
        free(path);
        return -1;
    }
    free(path);
    setenv("INSPRAAK_PORT_BASE", line, 1);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return s_usage_err();
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(s_usage, stdout);
        return CTL_OK;
    }
    if (strcmp(argv[1], "bus-keys") == 0)
        return cmd_buskeys(argc - 2, argv + 2); /* cmd_buskeys.c; no Redis */
    int (*fn)(ctl_t *, int, char **) = NULL;
    if (strcmp(argv[1], "user") == 0)
        fn = cmd_user;
    else if (strcmp(argv[1], "token") == 0)
        fn = cmd_token;
    else if (strcmp(argv[1], "device") == 0)
        fn = cmd_device;
    else if (strcmp(argv[1], "participant") == 0)
        fn = cmd_participant;
    else if (strcmp(argv[1], "retention") == 0)
        fn = cmd_retention; /* cmd_erase.c */
    else if (strcmp(argv[1], "corrections") == 0)
        fn = cmd_corrections;
    else if (strcmp(argv[1], "campaign") == 0)
        fn = cmd_campaign; /* notify's engineer: services/inspraakctl/cmd_campaign.c */
    /* Say what is wrong before the whole usage: a typo was not named. */
    if (!fn)
        ctl_err("unknown command \"%s\"", argv[1]);
    else if (argc < 3)
        ctl_err("%s needs more: see the lines starting with \"%s\" below", argv[1], argv[1]);
    if (!fn || argc < 3)
        return s_usage_err();

    log_init("inspraakctl");
    if (s_port_base_from_run() < 0)
        return CTL_ERR;
    if (sodium_init() < 0) {
        ctl_err("libsodium cannot start");
        return CTL_ERR;
    }
    config_t cfg;
    char err[512];
    if (config_load(&cfg, "inspraakctl", 0, err, sizeof err) < 0) {
        ctl_err("%s", err);
        return CTL_ERR;
    }
    ctl_t ctl = {.rs = rstore_new(cfg.redis_url, err, sizeof err), .cfg = &cfg};
    if (!ctl.rs) {
        ctl_err("INSPRAAK_REDIS_URL: %s", err);
        return CTL_ERR;
    }
    /* Run from another folder, INSPRAAK_VAR (./var) holds no port-base and
     * the default Redis is asked: "eval: redis: connect ...: Connection
     * refused" told the operator nothing. Say where it looked and why. */
    if (!rstore_ping(ctl.rs)) {
        ctl_err("redis at %s does not answer (%s). Is inspraak running? `make start` starts "
                "it. inspraakctl finds it through INSPRAAK_REDIS_URL, else INSPRAAK_PORT_BASE, "
                "else $INSPRAAK_VAR/run/port-base (INSPRAAK_VAR is %s).",
                rstore_address(ctl.rs), rstore_error(ctl.rs), cfg.var_dir);
        rstore_destroy(&ctl.rs);
        return CTL_ERR;
    }
    int rc = fn(&ctl, argc - 2, argv + 2);
    rstore_destroy(&ctl.rs);
    bus_shutdown(); /* participant erase may have used the bus */
    if (rc == CTL_USAGE)
        fputs(s_usage, stderr);
    return rc;
}
