/*
 * NAME
 *   cluster_pack - the packed near-duplicate sketch the classifier
 *   stores in Redis (cluster_redis_pack, cluster_redis_parse)
 *
 * DESCRIPTION
 *   Version 3 (since 2026-11-29): byte 3, n_keys (2 bytes, little
 *   endian), wijk, theme, id and cluster each as one length byte and the
 *   bytes (cluster length 0: the cluster is the id itself), the number of
 *   occupied MinHash slots (2 bytes, little endian, at most
 *   CLUSTER_SKETCH_MAX), their slot numbers (2 bytes each, little endian,
 *   ascending, each under CLUSTER_SLOTS) and then their values (4 bytes
 *   each, little endian), and only for an idea staff moved to another
 *   cluster its label (a length byte and the bytes; cluster_correct.c).
 *   Version 2 (written until 2026-11-28, still read; since then only for
 *   a long letter, whose sketch has 64 slots: classify_cluster.c): byte
 *   2, the same fields up to the cluster, then a 64-bit little-endian mask of the 64
 *   slots in use and their values, then the label as above; it parses
 *   to a sketch of CLUSTER_HASHES slots, which the score compares with
 *   the 64-slot fold of a new one (classify_cluster_score.c), and such
 *   a sketch is packed as version 2 again (staff correcting an idea
 *   stored before: cluster_correct.c rewrites its record), as is the
 *   64-slot sketch of a long letter. A later
 *   version may append fields after the label, each a length byte and
 *   its bytes (writing an empty label first when it has none); this
 *   reader skips them. ~120 bytes an idea on average (dev set and
 *   training corpus; 90 in version 2), at most CLUSTER_PACK_MAX.
 *   Pure: no Redis here; cluster_redis_io.c stores and reads what these
 *   functions write and parse. Hand-written: a fixed binary layout of a
 *   few fields (MessagePack would add a byte or two a field to every one
 *   of millions of stored sketches).
 *
 * OWNERSHIP
 *   The classifier service (services/classifier/README.md).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cluster_redis.h"

/* Appends a length byte and s. */
static size_t s_pack_str(char *out, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (len > 255)
        len = 255; /* the fields are shorter (cluster_sketch_t) */
    out[n++] = (char)len;
    memcpy(out + n, s, len);
    return n + len;
}

/* Version 3's slots: the count, the slot numbers, the values. */
static size_t s_pack_v3(const cluster_sketch_t *sk, char *out, size_t n)
{
    out[n++] = (char)(sk->n_slots & 255);
    out[n++] = (char)(sk->n_slots >> 8);
    for (int k = 0; k < sk->n_slots; k++) {
        out[n++] = (char)(sk->slot[k] & 255);
        out[n++] = (char)(sk->slot[k] >> 8);
    }
    for (int k = 0; k < sk->n_slots; k++)
        for (int i = 0; i < 4; i++)
            out[n++] = (char)(sk->val[k] >> (8 * i));
    return n;
}

/* Version 2's slots, for a sketch read from a version 2 record (staff
 * corrected an idea stored before 2026-11-29: it stays what it was). */
static size_t s_pack_v2(const cluster_sketch_t *sk, char *out, size_t n)
{
    uint64_t mask = 0;
    for (int k = 0; k < sk->n_slots; k++)
        mask |= 1ULL << sk->slot[k];
    for (int i = 0; i < 8; i++)
        out[n++] = (char)(mask >> (8 * i));
    for (int k = 0; k < sk->n_slots; k++)
        for (int i = 0; i < 4; i++)
            out[n++] = (char)(sk->val[k] >> (8 * i));
    return n;
}

size_t cluster_redis_pack(const cluster_sketch_t *sk, const char *id, char *out)
{
    size_t n = 0;
    int keys = sk->n_keys > 65535 ? 65535 : sk->n_keys;
    bool v2 = sk->slots == CLUSTER_HASHES; /* read from a version 2 record, or a long letter */
    out[n++] = v2 ? 2 : 3;
    out[n++] = (char)(keys & 255);
    out[n++] = (char)(keys >> 8);
    n = s_pack_str(out, n, sk->wijk);
    n = s_pack_str(out, n, sk->theme);
    n = s_pack_str(out, n, id);
    n = s_pack_str(out, n, strcmp(sk->cluster, id) == 0 ? "" : sk->cluster);
    if (v2)
        n = s_pack_v2(sk, out, n);
    else
        n = s_pack_v3(sk, out, n);
    if (sk->label[0]) /* staff's correction, after the slots (cluster_correct.c) */
        n = s_pack_str(out, n, sk->label);
    return n;
}

/* Reads a length byte and that many bytes into dst; NULL when short. */
static const char *s_unpack_str(const char *p, const char *end, char *dst, size_t size)
{
    if (p >= end || (size_t)(unsigned char)*p >= size || end - p - 1 < (unsigned char)*p)
        return NULL;
    size_t len = (unsigned char)*p++;
    memcpy(dst, p, len);
    dst[len] = '\0';
    return p + len;
}

static uint32_t s_le(const char *p, int bytes)
{
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint32_t)(unsigned char)p[i] << (8 * i);
    return v;
}

/* Version 2's slots: a 64-bit mask and the values of its slots. */
static const char *s_parse_v2(const char *p, const char *end, cluster_sketch_t *sk)
{
    if (end - p < 8)
        return NULL;
    uint64_t mask = (uint64_t)s_le(p, 4) | (uint64_t)s_le(p + 4, 4) << 32;
    p += 8;
    if (end - p < 4 * __builtin_popcountll(mask))
        return NULL;
    sk->slots = CLUSTER_HASHES;
    for (int k = 0; k < CLUSTER_HASHES; k++) {
        if (!(mask >> k & 1))
            continue;
        sk->slot[sk->n_slots] = (uint16_t)k;
        sk->val[sk->n_slots++] = s_le(p, 4);
        p += 4;
    }
    return p;
}

/* Version 3's slots: a count, the slot numbers, the values. */
static const char *s_parse_v3(const char *p, const char *end, cluster_sketch_t *sk)
{
    if (end - p < 2)
        return NULL;
    int n = (int)s_le(p, 2);
    p += 2;
    if (n > CLUSTER_SKETCH_MAX || end - p < 6 * n)
        return NULL;
    sk->slots = CLUSTER_SLOTS;
    for (int k = 0; k < n; k++) {
        uint16_t slot = (uint16_t)s_le(p + 2 * k, 2);
        if (slot >= CLUSTER_SLOTS || (k > 0 && slot <= sk->slot[k - 1]))
            return NULL; /* the score merges them as ascending lists */
        sk->slot[k] = slot;
        sk->val[k] = s_le(p + 2 * n + 4 * k, 4);
    }
    sk->n_slots = n;
    return p + 6 * n;
}

int cluster_redis_parse(const char *s, size_t len, cluster_sketch_t *sk, char *id, size_t id_size)
{
    const char *p = s, *end = s + len;
    memset(sk, 0, sizeof *sk);
    if (len < 3 || (s[0] != 2 && s[0] != 3))
        return -1;
    sk->n_keys = (unsigned char)s[1] | (unsigned char)s[2] << 8;
    p += 3;
    if (!(p = s_unpack_str(p, end, sk->wijk, sizeof sk->wijk)) ||
        !(p = s_unpack_str(p, end, sk->theme, sizeof sk->theme)) ||
        !(p = s_unpack_str(p, end, id, id_size)) ||
        !(p = s_unpack_str(p, end, sk->cluster, sizeof sk->cluster)) ||
        !(p = s[0] == 2 ? s_parse_v2(p, end, sk) : s_parse_v3(p, end, sk)))
        return -1;
    if (!sk->cluster[0])
        snprintf(sk->cluster, sizeof sk->cluster, "%s", id);
    if (p < end && !(p = s_unpack_str(p, end, sk->label, sizeof sk->label)))
        return -1;
    /* Fields a newer classifier appended after the label (each a length
     * byte and its bytes) are checked for length and skipped: instances
     * of two versions can then share the store during a rolling upgrade.
     * The classifier of 2026-11-28 (the first with labels) refused them. */
    while (p < end) {
        size_t field = (unsigned char)*p;
        if ((size_t)(end - p - 1) < field)
            return -1;
        p += 1 + field;
    }
    return 0;
}
