/*
 * NAME
 *   cmd_campaign - inspraakctl campaign: feedback mails to every participant
 *
 * SYNOPSIS
 *   inspraakctl campaign create --subject S --text-file F [--meeting TEXT]
 *   inspraakctl campaign preview ID EMAIL     the mail EMAIL's participant would get
 *   inspraakctl campaign test ID ADDRESS      a sample mail to ADDRESS, now
 *   inspraakctl campaign start|pause|resume ID
 *   inspraakctl campaign status ID            JSON: state and counts
 *
 * DESCRIPTION
 *   A campaign is the hash inspraak:campaign:<id> (subject, text, meeting,
 *   state draft|running|paused|done, created_at, and, written by notify,
 *   total, sent, skipped, bounced) and its id in the ZSET
 *   inspraak:campaigns. Ids are "c-<n>" from INCR inspraak:campaign-seq.
 *   bin/notify does the sending (services/notify/outbox.c): start and
 *   resume only set the state. The text may hold the placeholders of
 *   data/mail/README.md. preview composes exactly what notify would send
 *   (letter.h), so it also says when that participant would get nothing.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "letter.h"
#include "mailout.h"
#include "validate.h"
#include "xalloc.h"

#define TEXT_FILE_MAX (64 * 1024)

static char *s_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ctl_err("cannot read %s", path);
        return NULL;
    }
    char *buf = xmalloc(TEXT_FILE_MAX + 1);
    size_t n = fread(buf, 1, TEXT_FILE_MAX, f);
    int big = !feof(f);
    fclose(f);
    buf[n] = '\0';
    if (big || !utf8_valid(buf, n) || n == 0) {
        ctl_err("%s must be UTF-8 text of 1 to %d bytes", path, TEXT_FILE_MAX);
        free(buf);
        return NULL;
    }
    return buf;
}

static int s_create(ctl_t *ctl, int argc, char **argv)
{
    const char *subject = NULL, *file = NULL, *meeting = "";
    for (int i = 1; i + 1 < argc + 1; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--subject") == 0)
            subject = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--text-file") == 0)
            file = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--meeting") == 0)
            meeting = argv[++i];
        else
            return CTL_USAGE;
    }
    if (!subject || !file || !*subject || strpbrk(subject, "\r\n") ||
        !utf8_valid(subject, strlen(subject)) || strpbrk(meeting, "\r\n")) {
        ctl_err("campaign create needs --subject (one line) and --text-file");
        return CTL_USAGE;
    }
    char *text = s_read_file(file);
    if (!text)
        return CTL_ERR;
    redisReply *r = rstore_cmd(ctl->rs, "INCR inspraak:campaign-seq");
    if (!r) {
        free(text);
        return ctl_redis_err(ctl, "campaign create");
    }
    char id[32], now[32];
    snprintf(id, sizeof id, "c-%lld", r->integer);
    freeReplyObject(r);
    snprintf(now, sizeof now, "%lld", (long long)ctl_now_ms());
    r = rstore_cmd(ctl->rs,
                   "HSET inspraak:campaign:%s subject %s text %s meeting %s state draft "
                   "created_at %s total 0 sent 0 skipped 0 bounced 0",
                   id, subject, text, meeting, now);
    free(text);
    if (!r)
        return ctl_redis_err(ctl, "campaign create");
    freeReplyObject(r);
    r = rstore_cmd(ctl->rs, "ZADD inspraak:campaigns %s %s", now, id);
    if (!r)
        return ctl_redis_err(ctl, "campaign create");
    freeReplyObject(r);
    printf("%s\n", id);
    return CTL_OK;
}

/* Changes the state from one of from (space separated) to to. */
static int s_state(ctl_t *ctl, const char *id, const char *from, const char *to)
{
    static const char lua[] =
        "local st = redis.call('HGET', KEYS[1], 'state')\n"
        "if not st then return -1 end\n"
        "if not string.find(' ' .. ARGV[1] .. ' ', ' ' .. st .. ' ', 1, true) then return 0 end\n"
        "redis.call('HSET', KEYS[1], 'state', ARGV[2])\n"
        "return 1\n";
    char key[128];
    snprintf(key, sizeof key, "inspraak:campaign:%s", id);
    redisReply *r = rstore_cmd(ctl->rs, "EVAL %s 1 %s %s %s", lua, key, from, to);
    if (!r)
        return ctl_redis_err(ctl, "campaign");
    long long v = r->integer;
    freeReplyObject(r);
    if (v < 0) {
        ctl_err("no campaign %s", id);
        return CTL_NOTFOUND;
    }
    if (v == 0) {
        ctl_err("campaign %s cannot go to %s from its current state", id, to);
        return CTL_ERR;
    }
    printf("%s %s\n", id, to);
    return CTL_OK;
}

static int s_status(ctl_t *ctl, const char *id)
{
    redisReply *r = rstore_cmd(ctl->rs, "HGETALL inspraak:campaign:%s", id);
    if (!r)
        return ctl_redis_err(ctl, "campaign status");
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        freeReplyObject(r);
        ctl_err("no campaign %s", id);
        return CTL_NOTFOUND;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const char *k = r->element[i]->str, *v = r->element[i + 1]->str;
        if (strcmp(k, "text") == 0 || strcmp(k, "populated") == 0)
            continue;
        if (strcmp(k, "total") == 0 || strcmp(k, "sent") == 0 || strcmp(k, "skipped") == 0 ||
            strcmp(k, "bounced") == 0)
            json_object_set_new(o, k, json_integer(atoll(v)));
        else
            json_object_set_new(o, k, json_string(v));
    }
    freeReplyObject(r);
    r = rstore_cmd(ctl->rs, "ZCARD inspraak:campaign:%s:todo", id);
    if (r) {
        json_object_set_new(o, "to_do", json_integer(r->integer));
        freeReplyObject(r);
    }
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    free(s);
    json_decref(o);
    return CTL_OK;
}

/* preview (to == NULL: print) and test (send a sample to to). */
static int s_show(ctl_t *ctl, const char *id, const char *email, const char *to)
{
    config_t cfg;
    letter_settings_t ls;
    char err[512], pid[128];
    if (config_load(&cfg, "notify", PORT_OFF_NOTIFY, err, sizeof err) < 0 ||
        letter_settings_load(&ls, &cfg, err, sizeof err) < 0) {
        ctl_err("%s", err);
        return CTL_ERR;
    }
    letter_t l;
    int rc;
    if (to) {
        if (!email_valid(to)) {
            ctl_err("not a usable address: %s", to);
            return CTL_ERR;
        }
        rc = letter_campaign(ctl->rs, &ls, id, NULL, &l, err, sizeof err);
        if (rc == 0) {
            l.to_addr = xstrdup(to);
            char *s = xasprintf("[TEST] %s", l.subject);
            free(l.subject);
            l.subject = s;
        }
    } else {
        int f = letter_pid_for_email(ctl->rs, email, pid, sizeof pid);
        if (f <= 0) {
            if (f < 0)
                return ctl_redis_err(ctl, "campaign preview");
            ctl_err("no participant with address %s", email);
            return CTL_NOTFOUND;
        }
        rc = letter_campaign(ctl->rs, &ls, id, pid, &l, err, sizeof err);
    }
    if (rc != 0) {
        ctl_err(rc == 1 ? "this participant gets no mail: %s" : "%s", err);
        return rc == 1 ? CTL_OK : CTL_ERR;
    }
    char *msg = NULL;
    size_t len = 0;
    rc = letter_mime(&ls, &l, &msg, &len, err, sizeof err);
    if (rc == 0 && !to) {
        fwrite(msg, 1, len, stdout);
    } else if (rc == 0) {
        mailout_t *mo = mailout_new(&cfg, ls.from_addr, err, sizeof err);
        mailout_result_t res = mo ? mailout_send(mo, to, msg, len, err, sizeof err) : MAILOUT_PERM;
        mailout_destroy(&mo);
        rc = res == MAILOUT_OK ? 0 : -1;
        fprintf(stderr, "inspraakctl: test mail to %s: %s\n", to, err);
    } else {
        ctl_err("%s", err);
    }
    free(msg);
    letter_clear(&l);
    return rc == 0 ? CTL_OK : CTL_ERR;
}

int cmd_campaign(ctl_t *ctl, int argc, char **argv)
{
    const char *sub = argv[0];
    if (strcmp(sub, "create") == 0)
        return s_create(ctl, argc, argv);
    if (argc == 2 && strcmp(sub, "start") == 0)
        return s_state(ctl, argv[1], "draft", "running");
    if (argc == 2 && strcmp(sub, "pause") == 0)
        return s_state(ctl, argv[1], "running", "paused");
    if (argc == 2 && strcmp(sub, "resume") == 0)
        return s_state(ctl, argv[1], "paused", "running");
    if (argc == 2 && strcmp(sub, "status") == 0)
        return s_status(ctl, argv[1]);
    if (argc == 3 && strcmp(sub, "preview") == 0)
        return s_show(ctl, argv[1], argv[2], NULL);
    if (argc == 3 && strcmp(sub, "test") == 0)
        return s_show(ctl, argv[1], NULL, argv[2]);
    return CTL_USAGE;
}
