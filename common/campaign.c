/*
 * NAME
 *   campaign - feedback campaigns in Redis (see campaign.h)
 *
 * DESCRIPTION
 *   Moved here from inspraakctl (cmd_campaign.c) so that the dashboard's
 *   /campagnes page and the CLI share one implementation; the Redis
 *   layout and the answers are unchanged.
 */
#include "campaign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailout.h"
#include "validate.h"
#include "xalloc.h"

bool campaign_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return n > 2 && n <= 30 && strncmp(id, "c-", 2) == 0 && strspn(id + 2, "0123456789") == n - 2;
}

bool campaign_subject_ok(const char *s)
{
    return s && *s && !strpbrk(s, "\r\n") && utf8_valid(s, strlen(s));
}

bool campaign_meeting_ok(const char *s)
{
    return s && !strpbrk(s, "\r\n") && utf8_valid(s, strlen(s));
}

bool campaign_text_ok(const char *s, size_t len)
{
    return s && len > 0 && len <= CAMPAIGN_TEXT_MAX && utf8_valid(s, len);
}

int campaign_create(rstore_t *rs, const char *subject, const char *text, const char *meeting,
                    int64_t now_ms, char *id, size_t idsize)
{
    redisReply *r = rstore_cmd(rs, "INCR inspraak:campaign-seq");
    if (!r)
        return -1;
    char now[32];
    snprintf(id, idsize, "c-%lld", r->integer);
    freeReplyObject(r);
    snprintf(now, sizeof now, "%lld", (long long)now_ms);
    r = rstore_cmd(rs,
                   "HSET inspraak:campaign:%s subject %s text %s meeting %s state draft "
                   "created_at %s total 0 sent 0 skipped 0 bounced 0",
                   id, subject, text, meeting, now);
    if (!r)
        return -1;
    freeReplyObject(r);
    r = rstore_cmd(rs, "ZADD inspraak:campaigns %s %s", now, id);
    if (!r)
        return -1;
    freeReplyObject(r);
    return 0;
}

const char *campaign_action_state(campaign_action_t a)
{
    return a == CAMPAIGN_PAUSE ? "paused" : "running";
}

int campaign_act(rstore_t *rs, const char *id, campaign_action_t a)
{
    static const char lua[] =
        "local st = redis.call('HGET', KEYS[1], 'state')\n"
        "if not st then return -1 end\n"
        "if not string.find(' ' .. ARGV[1] .. ' ', ' ' .. st .. ' ', 1, true) then return 0 end\n"
        "redis.call('HSET', KEYS[1], 'state', ARGV[2])\n"
        "return 1\n";
    static const char *const from[] = {"draft", "running", "paused"};
    char key[128];
    snprintf(key, sizeof key, "inspraak:campaign:%s", id);
    redisReply *r =
        rstore_cmd(rs, "EVAL %s 1 %s %s %s", lua, key, from[a], campaign_action_state(a));
    if (!r)
        return -1;
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : -3;
    freeReplyObject(r);
    return v == -3 ? -1 : v < 0 ? -2 : (int)v;
}

json_t *campaign_status(rstore_t *rs, const char *id, int *found)
{
    redisReply *r = rstore_cmd(rs, "HGETALL inspraak:campaign:%s", id);
    *found = -1;
    if (!r)
        return NULL;
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        freeReplyObject(r);
        *found = 0;
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const char *k = r->element[i]->str, *v = r->element[i + 1]->str;
        if (!k || !v || strcmp(k, "text") == 0 || strcmp(k, "populated") == 0)
            continue;
        if (strcmp(k, "total") == 0 || strcmp(k, "sent") == 0 || strcmp(k, "skipped") == 0 ||
            strcmp(k, "bounced") == 0)
            json_object_set_new(o, k, json_integer(atoll(v)));
        else
            json_object_set_new(o, k, json_string(v)); /* NULL (not UTF-8): not set */
    }
    freeReplyObject(r);
    r = rstore_cmd(rs, "ZCARD inspraak:campaign:%s:todo", id);
    if (r) {
        json_object_set_new(o, "to_do", json_integer(r->integer));
        freeReplyObject(r);
    }
    *found = 1;
    return o;
}

json_t *campaign_list(rstore_t *rs, size_t max)
{
    if (max == 0)
        return json_array();
    char last[32];
    snprintf(last, sizeof last, "%zu", max - 1); /* hiredis knows no %zu */
    redisReply *r = rstore_cmd(rs, "ZREVRANGE inspraak:campaigns 0 %s", last);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        return NULL;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < r->elements; i++) {
        const char *id = r->element[i]->str;
        int found;
        json_t *st = id && campaign_id_valid(id) ? campaign_status(rs, id, &found) : NULL;
        if (st) {
            json_array_append_new(out, st);
        } else if (id && campaign_id_valid(id) && found < 0) {
            json_decref(out);
            freeReplyObject(r);
            return NULL;
        }
    }
    freeReplyObject(r);
    return out;
}

int campaign_letter(rstore_t *rs, const letter_settings_t *ls, const char *id, const char *email,
                    const char *test_to, letter_t *l, char *err, size_t errlen)
{
    if (email) {
        char pid[128];
        int f = letter_pid_for_email(rs, email, pid, sizeof pid);
        if (f < 0) {
            snprintf(err, errlen, "redis: %s", rstore_error(rs));
            return -1;
        }
        if (f == 0) {
            snprintf(err, errlen, "no participant with that address");
            return 2;
        }
        return letter_campaign(rs, ls, id, pid, l, err, errlen);
    }
    int rc = letter_campaign(rs, ls, id, NULL, l, err, errlen);
    if (rc == 0 && test_to) {
        l->to_addr = xstrdup(test_to);
        char *s = xasprintf("[TEST] %s", l->subject);
        free(l->subject);
        l->subject = s;
    }
    return rc;
}

int campaign_send(const config_t *cfg, const letter_settings_t *ls, const letter_t *l, char *err,
                  size_t errlen)
{
    char *msg = NULL;
    size_t len = 0;
    if (!l->to_addr || !email_valid(l->to_addr)) {
        snprintf(err, errlen, "not a usable address");
        return -1;
    }
    if (letter_mime(ls, l, &msg, &len, err, errlen) < 0)
        return -1;
    mailout_t *mo = mailout_new(cfg, ls->from_addr, err, errlen);
    mailout_result_t res = mo ? mailout_send(mo, l->to_addr, msg, len, err, errlen) : MAILOUT_PERM;
    mailout_destroy(&mo);
    free(msg);
    return res == MAILOUT_OK ? 0 : -1;
}
