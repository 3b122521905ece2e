/*
 * NAME
 *   idea_json - the idea as JSON, in the shape of the dashboard API
 *
 * DESCRIPTION
 *   INTERFACES.md "Staff dashboard": {"id", "channel", "activity",
 *   "target_group", "received_at" (RFC 3339, UTC), "text", "title", "wijk",
 *   "buurt", "question", "themes" [..], "sentiment", "language", "cluster",
 *   "status", "pii" [..], "location": {"lat","lon"}|null, "postcode",
 *   "source": {...}}. Every key is present, null where unknown. "source"
 *   holds only the keys of the idea's channel: message_id (+subject,
 *   attachments [{"name","type","size"}], [] when none) for email;
 *   video_id, start, end (+context, video_url) for transcripts; device_id,
 *   local_id for field; nothing for form. The participant id and any
 *   personal data are never included.
 *
 * OWNERSHIP
 *   Returns a new jansson reference; the caller json_decref()s it.
 */
#ifndef INSPRAAK_IDEA_JSON_H
#define INSPRAAK_IDEA_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "proto.h"

json_t *idea_to_json(const idea_t *idea);

/* ms since epoch -> "2026-11-28T10:00:00Z" (or with .123 when ms != 0). */
void proto_rfc3339(int64_t ms, char *buf, size_t size);

#endif
