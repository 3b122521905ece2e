/*
 * NAME
 *   audit - the staff audit log, inspraak:audit (see audit.h)
 */
#include <jansson.h>
#include <stdlib.h>

#include "audit.h"
#include "clock.h"
#include "log.h"

void audit_log(rstore_t *rs, const char *action, const char *user, const char *idea_id,
               const char *detail)
{
    json_t *j = json_object();
    json_object_set_new(j, "at", json_integer(clock_wall_ms()));
    json_object_set_new(j, "action", json_string(action));
    json_object_set_new(j, "user", user ? json_string(user) : json_null());
    json_object_set_new(j, "idea", idea_id ? json_string(idea_id) : json_null());
    json_object_set_new(j, "detail", detail ? json_string(detail) : json_null());
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    rstore_append(rs, "LPUSH inspraak:audit %s", text ? text : "{}");
    rstore_append(rs, "LTRIM inspraak:audit 0 %d", AUDIT_MAX - 1);
    for (int i = 0; i < 2; i++) {
        redisReply *r = rstore_reply(rs);
        if (r)
            freeReplyObject(r);
        else
            log_warn("msg=\"audit write failed\" action=%s", action);
    }
    free(text);
}
