/*
 * NAME
 *   store_erased - an idea whose participant was erased while it was on its
 *   way to storage (see store_int.h)
 *
 * DESCRIPTION
 *   store_erased_meanwhile() cuts the erased person's address and name,
 *   and every place of a pii kind (redact_msg_add_all_kinds), from an idea
 *   the write script stored as nobody's (the email key no longer named the
 *   pid), as participant erase does for the ideas it finds.
 *   store_stored_erased() makes that cut again when the same message comes
 *   back after storage died between its write and the cut.
 *
 * OWNERSHIP
 *   Owned by the storage service; the texts cut match
 *   services/inspraakctl/cmd_erase_ideas.c.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "redact.h"
#include "rstore.h"
#include "store_int.h"
#include "store_redact.h"

int store_erased_meanwhile(store_t *self, const char *id, const char *email, const char *name)
{
    char q[200], qe[300], err[256];
    log_warn("msg=\"participant erased while their idea was being stored: stored without their "
             "name and address, which are cut from its text\" id=%s",
             log_quote(q, sizeof q, id));
    redact_msg_t m;
    redact_msg_init(&m);
    /* what participant erase cuts (cmd_erase_ideas.c): the address as
     * stored, the name without the spaces around it, and every pii kind */
    char *trimmed = name ? redact_name_needle(name, strlen(name)) : NULL;
    if (email && *email && redact_needle_check(email, err, sizeof err) == 0)
        redact_msg_add_text(&m, email);
    if (trimmed)
        redact_msg_add_text(&m, trimmed);
    free(trimmed);
    redact_msg_add_all_kinds(&m); /* phone, postcode, ...: as erase does */
    int bad = 0, r = store_redact(self, id, &m, &bad, err, sizeof err);
    redact_msg_clear(&m);
    if (r < 0)
        log_error("msg=\"cannot cut the erased participant's name and address from the idea; "
                  "redact it in the dashboard\" id=%s err=%s",
                  log_quote(q, sizeof q, id), log_quote(qe, sizeof qe, err));
    return 1;
}

void store_stored_erased(store_t *self, const char *id, const char *rec, size_t rec_len,
                         const char *email, const char *name)
{
    if (!email || !*email)
        return;
    char q[200];
    idea_t it, in;
    proto_err_t perr;
    int erased = -1;
    if (idea_decode(rec, rec_len, &in, &perr) < 0)
        return; /* cannot happen: store_prepare() encoded it */
    redisReply *r = rstore_cmd(self->rs, "GET " STORE_KEY_PREFIX "idea:%s", id), *e = NULL;
    if (r && store_record_read(r, id, &it)) {
        erased = 0;
        /* the very message whose cut was lost: the stored text is its
         * text (another message with this id names nobody's name here) */
        if (it.participant_id && *it.participant_id && it.text && in.text &&
            strcmp(it.text, in.text) == 0) {
            e = rstore_cmd(self->rs, "EXISTS " STORE_KEY_PREFIX "participant:%s",
                           it.participant_id);
            erased = !e || e->type != REDIS_REPLY_INTEGER ? -1 : e->integer == 0;
        }
        idea_clear(&it);
    }
    idea_clear(&in);
    if (r)
        freeReplyObject(r);
    if (e)
        freeReplyObject(e);
    if (erased < 0)
        log_error("msg=\"cannot tell whether the person of an idea stored before was erased; "
                  "if so, redact their name and address in the dashboard\" id=%s",
                  log_quote(q, sizeof q, id));
    else if (erased)
        store_erased_meanwhile(self, id, email, name);
}
