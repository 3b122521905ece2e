/*
 * NAME
 *   redact_msg - the "redact" key of an update envelope's idea: which
 *   personal data storage must cut out of a stored idea
 *
 * SUMMARY
 *   #include "redact_msg.h"
 *
 *   redact_msg_t m;
 *   redact_msg_init(&m);
 *   redact_msg_add_kind(&m, "phone");
 *   redact_msg_add_text(&m, "Jan Jansen");
 *   redact_msg_put(&upd, &m, &err);      // dashboard: upd.id set, status nil
 *   ...
 *   int r = redact_msg_get(&upd, &m, &err);  // storage: 1, 0 (none), -1
 *   redact_msg_clear(&m);
 *
 * DESCRIPTION
 *   A redaction travels as an ordinary ENV_UPDATE whose idea holds the id
 *   and one extra key (docs/proto.md, "Redaction"):
 *
 *     "redact": {"kinds": [str, <=8], "texts": [str, <=8]}
 *
 *   kinds are PII flag names ("phone", "email": every place the
 *   classifier's rules find is cut); texts are spans staff typed by hand
 *   (every whole-word occurrence, ASCII case ignored, is cut). The request
 *   names WHAT to cut, never byte offsets, so applying it twice finds
 *   nothing the second time (idempotent, like every update).
 *
 *   The key is an unknown key to proto's idea table, so it rides in
 *   idea->extra and an older reader keeps it without understanding it.
 *   Such a reader still refuses the update, because a redaction carries no
 *   status (nil), which its moderation check rejects: nothing is cleared
 *   by mistake. Unknown keys inside the "redact" map are ignored, so a
 *   later field can be added without breaking this reader.
 *
 *   Pure buffer functions, like the rest of proto/: no I/O.
 *
 * OWNERSHIP
 *   Strings in redact_msg_t are malloc'd copies owned by it; free them with
 *   redact_msg_clear(). redact_msg_put() replaces bytes in upd->extra,
 *   which the idea owns as before.
 */
#ifndef INSPRAAK_REDACT_MSG_H
#define INSPRAAK_REDACT_MSG_H

#include "proto.h"

#define REDACT_MSG_KEY "redact"
#define REDACT_MSG_MAX_KINDS 8
#define REDACT_MSG_MAX_TEXTS 8
/* Bytes of one kind name, and of one text on the wire (the limit on use
 * is smaller: REDACT_NEEDLE_MAX in common/redact.h). */
#define REDACT_MSG_MAX_KIND_LEN 32
#define REDACT_MSG_MAX_TEXT_LEN 1024

typedef struct {
    char *kinds[REDACT_MSG_MAX_KINDS];
    int n_kinds;
    char *texts[REDACT_MSG_MAX_TEXTS];
    int n_texts;
} redact_msg_t;

void redact_msg_init(redact_msg_t *m);
void redact_msg_clear(redact_msg_t *m);
/* Copies s in. -1 when full, s is NULL/empty or too long; a repeat is
 * ignored (0). */
int redact_msg_add_kind(redact_msg_t *m, const char *kind);
int redact_msg_add_text(redact_msg_t *m, const char *text);

/* Writes m into upd->extra under "redact" (an earlier "redact" pair is
 * replaced). 0, or -1 with err (not UTF-8, too many entries). */
int redact_msg_put(idea_t *upd, const redact_msg_t *m, proto_err_t *err);

/* Reads "redact" from upd->extra into m (treated as output: pass an
 * initialised, empty one). 1 when present and well-formed, 0 when there
 * is no "redact" key, -1 with err (code "bad_field") when it is not a map
 * of string arrays within the limits above, or holds neither a kind nor a
 * text. m is empty after 0 and -1. */
int redact_msg_get(const idea_t *upd, redact_msg_t *m, proto_err_t *err);

#endif
