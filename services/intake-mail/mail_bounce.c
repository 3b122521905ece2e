/*
 * NAME
 *   mail_bounce - a DSN's hard bounce onto the participant record
 *
 * DESCRIPTION
 *   See mail_bounce.h. One Lua script: the address check and the two HSETs
 *   are one step, so a change of address in between cannot be marked.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include <stdlib.h>

#include "clock.h"
#include "email_idn.h"
#include "mail_bounce.h"

static const char s_mark_lua[] =
    "local e = redis.call('HGET', KEYS[1], 'email')\n"
    "if not e then return 0 end\n"
    "e = string.lower(e)\n"
    "if e ~= string.lower(ARGV[1]) and e ~= string.lower(ARGV[2]) then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'email_bounced_at', ARGV[3], 'email_bounce', ARGV[4])\n"
    "redis.call('HSET', KEYS[2], ARGV[5], ARGV[3] .. ' ' .. ARGV[6] .. ' ' .. ARGV[4])\n"
    "return 1\n";

int mail_bounce_mark(rstore_t *rs, const mail_dsn_t *d)
{
    if (!d->pid || !d->final || !d->mail)
        return 0;
    char key[128], now[32], why[240];
    snprintf(key, sizeof key, "inspraak:participant:%s", d->pid);
    snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
    snprintf(why, sizeof why, "dsn %s", d->why ? d->why : "");
    /* A report names an IDN address in its ASCII form, the record holds
     * the readable one (email_idn.h). */
    char *fin = email_idn_readable(d->final);
    char *orig = email_idn_readable(d->original ? d->original : d->final);
    redisReply *r = rstore_cmd(rs, "EVAL %s 2 %s inspraak:notify:bounced %s %s %s %s %s %s",
                               s_mark_lua, key, fin ? fin : d->final,
                               orig ? orig : d->final, now, why, d->pid, d->mail);
    free(fin);
    free(orig);
    if (!r)
        return -1;
    int rc = r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1;
    freeReplyObject(r);
    return rc;
}
