/*
 * NAME
 *   idea_json - the idea as the dashboard API shows it (see idea_json.h)
 *
 * DESCRIPTION
 *   Built with jansson. A string that jansson refuses (not UTF-8, which a
 *   decoded idea never is) becomes null rather than a missing key, so the
 *   shape stays the same for every item. received_at 0 means "not set" and
 *   is null. participant_id and the idea's unknown keys are not exported:
 *   the first links to personal data, the second are not part of the API.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "idea_json.h"

void proto_rfc3339(int64_t ms, char *buf, size_t size)
{
    int64_t sec = ms / 1000, rest = ms % 1000;
    if (rest < 0) { /* floor division for times before 1970 */
        sec -= 1;
        rest += 1000;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!size)
        return;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, size, "1970-01-01T00:00:00Z");
        return;
    }
    char date[48];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    if (rest)
        snprintf(buf, size, "%s.%03dZ", date, (int)rest);
    else
        snprintf(buf, size, "%sZ", date);
}

static json_t *s_str(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

static json_t *s_strs(char *const *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        if (v[i])
            json_array_append_new(a, s_str(v[i]));
    return a;
}

/* [{"name","type","size"}]: listed, never stored; names may hold
 * personal data, so whoever shows them escapes them and keeps them off
 * public pages (like the subject). */
static json_t *s_attachments(const idea_source_t *s)
{
    json_t *a = json_array();
    for (int i = 0; i < s->n_attachments; i++) {
        const idea_attachment_t *at = &s->attachments[i];
        json_array_append_new(a, json_pack("{s:o, s:o, s:I}", "name", s_str(at->name), "type",
                                           s_str(at->type), "size", (json_int_t)at->size));
    }
    return a;
}

static json_t *s_source(const idea_t *idea)
{
    const idea_source_t *s = &idea->source;
    json_t *o = json_object();
    const char *ch = idea->channel ? idea->channel : "";
    if (strcmp(ch, "email") == 0) {
        json_object_set_new(o, "message_id", s_str(s->message_id));
        json_object_set_new(o, "subject", s_str(s->subject));
        json_object_set_new(o, "attachments", s_attachments(s));
    } else if (strcmp(ch, "transcript") == 0) {
        json_object_set_new(o, "video_id", s_str(s->video_id));
        json_object_set_new(o, "start", s->has_times ? json_real(s->start) : json_null());
        json_object_set_new(o, "end", s->has_times ? json_real(s->end) : json_null());
        json_object_set_new(o, "context", s_str(s->context));
        json_object_set_new(o, "video_url", s_str(s->video_url));
    } else if (strcmp(ch, "field") == 0) {
        json_object_set_new(o, "device_id", s_str(s->device_id));
        json_object_set_new(o, "local_id", s_str(s->local_id));
        /* the specific activity name ("omgevingsvisietour Hoensbroek 12 mei") */
        json_object_set_new(o, "context", s_str(s->context));
    }
    return o;
}

json_t *idea_to_json(const idea_t *idea)
{
    json_t *o = json_object();
    char when[64];
    json_object_set_new(o, "id", s_str(idea->id));
    json_object_set_new(o, "channel", s_str(idea->channel));
    json_object_set_new(o, "activity", s_str(idea->activity));
    json_object_set_new(o, "target_group", s_str(idea->target_group));
    if (idea->received_at) {
        proto_rfc3339(idea->received_at, when, sizeof(when));
        json_object_set_new(o, "received_at", json_string(when));
    } else
        json_object_set_new(o, "received_at", json_null());
    json_object_set_new(o, "text", s_str(idea->text));
    json_object_set_new(o, "title", s_str(idea->title));
    json_object_set_new(o, "wijk", s_str(idea->wijk));
    json_object_set_new(o, "buurt", s_str(idea->buurt));
    json_object_set_new(o, "question", s_str(idea->question));
    json_object_set_new(o, "themes", s_strs(idea->themes, idea->n_themes));
    json_object_set_new(o, "sentiment", s_str(idea->sentiment));
    json_object_set_new(o, "language", s_str(idea->language));
    json_object_set_new(o, "cluster", s_str(idea->cluster));
    json_object_set_new(o, "status", s_str(idea->status));
    json_object_set_new(o, "pii", s_strs(idea->pii, idea->n_pii));
    if (idea->has_location)
        json_object_set_new(o, "location",
                            json_pack("{s:f,s:f}", "lat", idea->lat, "lon", idea->lon));
    else
        json_object_set_new(o, "location", json_null());
    json_object_set_new(o, "postcode", s_str(idea->postcode));
    json_object_set_new(o, "source", s_source(idea));
    return o;
}
