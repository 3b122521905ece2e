/*
 * NAME
 *   idea_version - hash an idea's moderated fields; the "was" key of an
 *   update (see idea_version.h)
 *
 * DESCRIPTION
 *   libsodium's crypto_generichash (BLAKE2b) with a 16-byte output. Each
 *   field is followed by 0x1f and each theme by 0x1e, so moving a value
 *   from one field to the next changes the hash. The "was" pair is read
 *   and written with the proto_extra_t helpers (proto_int.h), like
 *   redact_msg.c's "redact".
 *
 * DIAGNOSTICS
 *   bad_field "field \"idea.was\" must be 32 lowercase hex digits".
 */
#include <sodium.h>
#include <string.h>

#include "idea_version.h"
#include "proto_int.h"

void idea_version_of(const char *const vals[IDEA_VERSION_FIELDS], const char *const *themes,
                     int n_themes, char out[IDEA_VERSION_SIZE])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    for (int i = 0; i < IDEA_VERSION_FIELDS; i++) {
        if (vals[i])
            crypto_generichash_update(&h, (const unsigned char *)vals[i], strlen(vals[i]));
        crypto_generichash_update(&h, (const unsigned char *)"\x1f", 1);
    }
    for (int k = 0; k < n_themes; k++) {
        if (themes[k])
            crypto_generichash_update(&h, (const unsigned char *)themes[k], strlen(themes[k]));
        crypto_generichash_update(&h, (const unsigned char *)"\x1e", 1);
    }
    unsigned char bin[16];
    crypto_generichash_final(&h, bin, sizeof bin);
    sodium_bin2hex(out, IDEA_VERSION_SIZE, bin, sizeof bin);
}

void idea_version(const idea_t *idea, char out[IDEA_VERSION_SIZE])
{
    const char *vals[IDEA_VERSION_FIELDS] = {idea->status, idea->wijk, idea->sentiment,
                                             idea->question, idea->cluster};
    idea_version_of(vals, (const char *const *)idea->themes, idea->n_themes, out);
}

static int s_hex_ok(const char *s, size_t len)
{
    if (len != IDEA_VERSION_SIZE - 1)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int s_bad(proto_err_t *err)
{
    proto_err_set(err, "bad_field", "field \"idea.%s\" must be %d lowercase hex digits",
                  IDEA_VERSION_KEY, IDEA_VERSION_SIZE - 1);
    return -1;
}

int idea_version_put(idea_t *upd, const char *was, proto_err_t *err)
{
    if (!was || !s_hex_ok(was, strlen(was)))
        return s_bad(err);
    proto_enc_t enc;
    proto_enc_init(&enc, err);
    msgpack_pack_map(&enc.pk, 1);
    proto_enc_str(&enc, "idea", IDEA_VERSION_KEY, was);
    return proto_extra_replace(&upd->extra, IDEA_VERSION_KEY, &enc);
}

/* The "was" value into arg (char[IDEA_VERSION_SIZE]): a proto_extra_fn_t. */
static int s_from(const msgpack_object *o, void *arg, proto_err_t *err)
{
    if (o->type != MSGPACK_OBJECT_STR || !s_hex_ok(o->via.str.ptr, o->via.str.size))
        return s_bad(err);
    memcpy(arg, o->via.str.ptr, IDEA_VERSION_SIZE - 1);
    ((char *)arg)[IDEA_VERSION_SIZE - 1] = '\0';
    return 0;
}

int idea_version_get(const idea_t *upd, char out[IDEA_VERSION_SIZE], proto_err_t *err)
{
    out[0] = '\0';
    int rc = proto_extra_find(&upd->extra, IDEA_VERSION_KEY, s_from, out, err);
    if (rc < 0)
        out[0] = '\0';
    return rc;
}
