/*
 * NAME
 *   store_record - the idea record as storage keeps it in Redis: the
 *   MessagePack of idea_encode() without its nil values (see store.h)
 *
 * DESCRIPTION
 *   idea_encode() writes every key of the record, nil where unknown
 *   (docs/proto.md), which is right on the bus. In Redis, where every idea
 *   is kept for years, those nils were ~180 of the ~600 bytes of a
 *   200-character idea (title, lat, lon, buurt, postcode, participant_id,
 *   cluster and the eleven keys of "source", which only a mail, a
 *   transcript or a field-app idea fills). idea_decode() reads a missing
 *   key exactly as a nil one ("lenient about missing keys and nil: both
 *   mean unknown", proto/idea.c), so every reader (dashboard, notify,
 *   inspraakctl, storage's moderation and redaction) gets the same idea_t
 *   from either form, and records written before keep being read as they
 *   are: no migration.
 *
 *   What is left out: a nil value at the top level or inside "source", and
 *   "source" itself when nothing in it is left. Everything else (false,
 *   empty arrays, unknown keys with a value, the key order, the bytes of
 *   every value) is kept.
 *
 *   How: msgpack-c unpacks the encoder's bytes once; its strings point into
 *   those bytes, so the place of every key is known, and the record is
 *   copied with the skipped pairs cut out and the two map headers
 *   rewritten. Repacking every object with msgpack_pack_object instead took
 *   twice the instructions (callgrind). A key whose header is not in the
 *   shortest form (only possible in unknown pairs copied from elsewhere)
 *   or that is no string leaves the record as idea_encode() wrote it.
 *
 * DIAGNOSTICS
 *   The codes of idea_encode().
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xalloc.h"

#define S_REC_MAX_CUTS 64 /* top-level keys (22) + source keys (11) + 2 headers + slack */

typedef struct {
    size_t from, to;      /* bytes [from, to) of the encoding are left out */
    unsigned char rep[5]; /* and these written in their place (a map header) */
    size_t rep_len;
} s_rec_cut_t;

typedef struct {
    const char *buf;
    s_rec_cut_t cut[S_REC_MAX_CUTS]; /* in increasing order */
    int n_cut;
    bool bad; /* a key not as expected: keep the record as it is */
} s_rec_plan_t;

/* Offset of the header of the key string k (body inside buf), or -1 when
 * k is no string or its header is not the shortest form. */
static long s_rec_key_at(const char *buf, const msgpack_object *k)
{
    if (k->type != MSGPACK_OBJECT_STR)
        return -1;
    uint32_t n = k->via.str.size;
    size_t h = n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
    unsigned char want = n < 32      ? (unsigned char)(0xa0 | n)
                         : n < 256   ? 0xd9
                         : n < 65536 ? 0xda
                                     : 0xdb;
    long at = (long)(k->via.str.ptr - buf) - (long)h;
    return at >= 0 && (unsigned char)buf[at] == want ? at : -1;
}

/* Start of pair i of map m (its key's header), or end when i is past the
 * last pair. */
static size_t s_rec_pair_at(s_rec_plan_t *pl, const msgpack_object_map *m, uint32_t i, size_t end)
{
    if (i >= m->size)
        return end;
    long at = s_rec_key_at(pl->buf, &m->ptr[i].key);
    if (at < 0)
        pl->bad = true;
    return at < 0 ? 0 : (size_t)at;
}

/* Adds the cut [from, to); its index, or -1 (plan marked bad). */
static int s_rec_cut(s_rec_plan_t *pl, size_t from, size_t to)
{
    if (pl->n_cut == S_REC_MAX_CUTS || to <= from) {
        pl->bad = true;
        return -1;
    }
    pl->cut[pl->n_cut] = (s_rec_cut_t){.from = from, .to = to};
    return pl->n_cut++;
}

/* c's replacement: the header of a map of n entries, in the shortest form
 * (what msgpack_pack_map writes). */
static void s_rec_map_header(s_rec_cut_t *c, uint32_t n)
{
    if (n < 16) {
        c->rep[0] = (unsigned char)(0x80 | n);
        c->rep_len = 1;
    } else if (n < 65536) {
        c->rep[0] = 0xde, c->rep[1] = (unsigned char)(n >> 8), c->rep[2] = (unsigned char)n;
        c->rep_len = 3;
    } else {
        c->rep[0] = 0xdf;
        for (int i = 0; i < 4; i++)
            c->rep[1 + i] = (unsigned char)(n >> (24 - 8 * i));
        c->rep_len = 5;
    }
}

static uint32_t s_rec_non_nil(const msgpack_object_map *m)
{
    uint32_t n = 0;
    for (uint32_t j = 0; j < m->size; j++)
        n += m->ptr[j].val.type != MSGPACK_OBJECT_NIL;
    return n;
}

static bool s_rec_is_source(const msgpack_object_kv *kv)
{
    return kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 6 &&
           memcmp(kv->key.via.str.ptr, "source", 6) == 0 && kv->val.type == MSGPACK_OBJECT_MAP;
}

/* Cuts for map m, whose header is at `at` and which ends at end: its nil
 * pairs, its header, and (top level only) the same inside "source", or
 * "source" whole when it holds nothing but nils. In increasing order. */
static void s_rec_plan_map(s_rec_plan_t *pl, const msgpack_object_map *m, size_t at, size_t end,
                           bool top)
{
    unsigned char first = (unsigned char)pl->buf[at];
    int hdr = s_rec_cut(pl, at, at + (first == 0xde ? 3 : first == 0xdf ? 5 : 1));
    uint32_t kept = 0;
    for (uint32_t i = 0; i < m->size && !pl->bad; i++) {
        const msgpack_object_kv *kv = &m->ptr[i];
        size_t from = s_rec_pair_at(pl, m, i, end), next = s_rec_pair_at(pl, m, i + 1, end);
        if (kv->val.type == MSGPACK_OBJECT_NIL ||
            (top && s_rec_is_source(kv) && s_rec_non_nil(&kv->val.via.map) == 0)) {
            s_rec_cut(pl, from, next);
            continue;
        }
        kept++;
        if (top && s_rec_is_source(kv)) /* its map's header follows the key */
            s_rec_plan_map(pl, &kv->val.via.map, (size_t)(kv->key.via.str.ptr - pl->buf) + 6, next,
                           false);
    }
    if (!pl->bad)
        s_rec_map_header(&pl->cut[hdr], kept);
}

int store_record_encode(const idea_t *idea, char **buf, size_t *len, proto_err_t *err)
{
    char *full = NULL;
    size_t full_len = 0;
    *buf = NULL;
    *len = 0;
    if (idea_encode(idea, &full, &full_len, err) < 0)
        return -1;
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    msgpack_object o;
    size_t off = 0;
    s_rec_plan_t pl = {.buf = full};
    if (msgpack_unpack(full, full_len, &off, &zone, &o) != MSGPACK_UNPACK_SUCCESS ||
        o.type != MSGPACK_OBJECT_MAP || off != full_len)
        pl.bad = true;
    else
        s_rec_plan_map(&pl, &o.via.map, 0, full_len, true);
    msgpack_zone_destroy(&zone);
    if (pl.bad) { /* keys not as our encoder writes them: store it whole */
        *buf = full;
        *len = full_len;
        return 0;
    }
    /* One pass: the bytes between the cuts, each cut's replacement. No
     * replacement is longer than what it replaces, so full_len suffices. */
    char *out = xmalloc(full_len), *w = out;
    size_t pos = 0;
    for (int i = 0; i < pl.n_cut; i++) {
        memcpy(w, full + pos, pl.cut[i].from - pos);
        w += pl.cut[i].from - pos;
        memcpy(w, pl.cut[i].rep, pl.cut[i].rep_len);
        w += pl.cut[i].rep_len;
        pos = pl.cut[i].to;
    }
    memcpy(w, full + pos, full_len - pos);
    w += full_len - pos;
    free(full);
    *buf = out;
    *len = (size_t)(w - out);
    return 0;
}
