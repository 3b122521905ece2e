/*
 * NAME
 *   mail_skiplog - the list of skipped mails that staff see (see the header)
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "mail_skiplog.h"
#include "xalloc.h"

#define S_SUBJECT_MAX 200

/* The reason as "<kind>: <header>: <value>", but without a value that can
 * be a person's data: a From value (bounce from MAILER-DAEMON@...) or a
 * Subject (kept in its own field). */
static char *s_reason(const mail_result_t *r)
{
    const char *kind = r->skip ? r->skip : "skipped", *why = r->why ? r->why : "";
    if (strncmp(why, "From:", 5) == 0)
        return xasprintf("%s: From: MAILER-DAEMON", kind);
    if (strncmp(why, "Subject:", 8) == 0)
        return xasprintf("%s: Subject", kind);
    return *why ? xasprintf("%s: %.160s", kind, why) : xstrdup(kind);
}

/* The domain of the sender's address, lower case; "" when there is none. */
static char *s_domain(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    char *d = xstrdup(at && at[1] ? at + 1 : "");
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

/* Cuts s at max bytes without splitting a UTF-8 sequence (jansson refuses
 * invalid UTF-8; the worker already made the subject valid). */
static char *s_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    char *out = xmalloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

static json_t *s_str(const char *s)
{
    json_t *v = json_string(s);
    return v ? v : json_string(""); /* not UTF-8: better empty than dropped */
}

char *mail_skiplog_json(const mail_result_t *r, int64_t now_ms)
{
    char *reason = s_reason(r), *dom = s_domain(r->from_addr);
    char *subj = s_cut(r->subject ? r->subject : "", S_SUBJECT_MAX);
    json_t *j = json_object();
    json_object_set_new(j, "at", json_integer(now_ms));
    json_object_set_new(j, "reason", s_str(reason));
    json_object_set_new(j, "subject", s_str(subj));
    json_object_set_new(j, "from_domain", s_str(dom));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    free(reason), free(dom), free(subj);
    return text ? text : xstrdup("{}");
}

int mail_skiplog_record(rstore_t *rs, const mail_result_t *r, int64_t now_ms)
{
    char *text = mail_skiplog_json(r, now_ms);
    /* Two plain commands rather than a pipeline: each reconnects once on
     * its own, and a failed LTRIM only leaves the list one entry long. */
    redisReply *a = rstore_cmd(rs, "LPUSH " MAIL_SKIPLOG_KEY " %s", text);
    redisReply *b = a ? rstore_cmd(rs, "LTRIM " MAIL_SKIPLOG_KEY " 0 %d", MAIL_SKIPLOG_MAX - 1)
                      : NULL;
    int rc = a && b ? 0 : -1;
    if (a)
        freeReplyObject(a);
    if (b)
        freeReplyObject(b);
    free(text);
    return rc;
}
