/*
 * NAME
 *   participant - the personal data that travels next to an idea
 *
 * DESCRIPTION
 *   {"name": str|nil, "email": str|nil, "consent_feedback": bool,
 *    "consent_at": int ms (0 = no consent), "consent_purpose": str|nil,
 *    ...unknown keys kept}
 *
 *   It rides in the envelope ("participant"), never inside the idea record:
 *   storage files it under a pseudonymous participant id (DESIGN.md
 *   contract 6), so an idea read back from Redis holds no personal data.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"

static const proto_field_t s_fields[] = {
    {"name", PF_STR, offsetof(participant_t, name), 0, 0},
    {"email", PF_STR, offsetof(participant_t, email), 0, 0},
    {"consent_feedback", PF_BOOL, offsetof(participant_t, consent_feedback), 0, 0},
    {"consent_at", PF_INT, offsetof(participant_t, consent_at), 0, 0},
    {"consent_purpose", PF_STR, offsetof(participant_t, consent_purpose), 0, 0},
};
#define N_FIELDS (int)(sizeof(s_fields) / sizeof(s_fields[0]))

void participant_init(participant_t *p)
{
    memset(p, 0, sizeof(*p));
}

void participant_clear(participant_t *p)
{
    free(p->name);
    free(p->email);
    free(p->consent_purpose);
    proto_extra_clear(&p->extra);
    participant_init(p);
}

void proto_participant_pack(proto_enc_t *enc, const participant_t *p)
{
    const char *w = "participant";
    msgpack_pack_map(&enc->pk, (size_t)N_FIELDS + p->extra.count);
    proto_enc_str(enc, w, "name", p->name);
    proto_enc_str(enc, w, "email", p->email);
    proto_enc_key(enc, "consent_feedback");
    if (p->consent_feedback)
        msgpack_pack_true(&enc->pk);
    else
        msgpack_pack_false(&enc->pk);
    proto_enc_key(enc, "consent_at");
    msgpack_pack_int64(&enc->pk, p->consent_at);
    proto_enc_str(enc, w, "consent_purpose", p->consent_purpose);
    proto_enc_raw(enc, p->extra.buf, p->extra.len);
}

int proto_participant_from(const msgpack_object *obj, participant_t *p, proto_err_t *err)
{
    const msgpack_object *found[N_FIELDS];
    participant_init(p);
    if (proto_map_decode(obj, s_fields, N_FIELDS, p, &p->extra, found, "participant", err) < 0) {
        participant_clear(p);
        return -1;
    }
    return 0;
}
