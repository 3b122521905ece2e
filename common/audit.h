/*
 * NAME
 *   audit - the staff audit log, inspraak:audit
 *
 * DESCRIPTION
 *   A LIST of JSON lines, newest first, capped at AUDIT_MAX:
 *   {"at", "action", "user", "idea", "detail"}. No addresses, no resident
 *   data, never an idea's text (docs/redis.md lists the actions).
 *
 * OWNERSHIP
 *   Written by the dashboard (staff actions, services/dashboard) and by
 *   inspraakctl (participant erase's redactions, unbounce, and every change
 *   of access: user add/delete/password, token create/revoke, device
 *   add/revoke); moved out of the dashboard's session.c so both write the
 *   same lines.
 */
#ifndef INSPRAAK_AUDIT_H
#define INSPRAAK_AUDIT_H

#include "rstore.h"

#define AUDIT_MAX 100000

/* Appends one line (user, idea_id, detail may be NULL: JSON null), in one
 * round trip with the cap; a failed write is logged, never fatal. */
void audit_log(rstore_t *rs, const char *action, const char *user, const char *idea_id,
               const char *detail);

#endif
