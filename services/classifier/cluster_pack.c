/*
 * NAME
 *   cluster_pack - the packed near-duplicate sketch the classifier
 *   stores in Redis (cluster_redis_pack, cluster_redis_parse)
 *
 * DESCRIPTION
 *   Byte 2 (version), n_keys (2 bytes, little endian), wijk, theme, id
 *   and cluster each as one length byte and the bytes (cluster length 0:
 *   the cluster is the id itself), a 64-bit little-endian mask of the
 *   MinHash slots in use and their values (4 bytes each, little endian),
 *   and only for an idea staff moved to another cluster its label (a
 *   length byte and the bytes; cluster_correct.c). A later version may
 *   append fields after the label, each a length byte and its bytes
 *   (writing an empty label first when it has none); this reader skips
 *   them. ~120-200 bytes an
 *   idea, at most CLUSTER_PACK_MAX. Pure: no Redis here; cluster_redis_io.c stores
 *   and reads what these functions write and parse. Hand-written: a fixed
 *   binary layout of a few fields (MessagePack would add a byte or two a
 *   field to every one of millions of stored sketches).
 *
 * OWNERSHIP
 *   The classifier service (services/classifier/README.md).
 */
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

size_t cluster_redis_pack(const cluster_sketch_t *sk, const char *id, char *out)
{
    size_t n = 0;
    int keys = sk->n_keys > 65535 ? 65535 : sk->n_keys;
    out[n++] = 2;
    out[n++] = (char)(keys & 255);
    out[n++] = (char)(keys >> 8);
    n = s_pack_str(out, n, sk->wijk);
    n = s_pack_str(out, n, sk->theme);
    n = s_pack_str(out, n, id);
    n = s_pack_str(out, n, strcmp(sk->cluster, id) == 0 ? "" : sk->cluster);
    uint64_t mask = 0;
    for (int k = 0; k < CLUSTER_HASHES; k++)
        if (sk->sig[k] != 0xffffffffU)
            mask |= 1ULL << k;
    for (int i = 0; i < 8; i++)
        out[n++] = (char)(mask >> (8 * i));
    for (int k = 0; k < CLUSTER_HASHES; k++)
        if (mask >> k & 1)
            for (int i = 0; i < 4; i++)
                out[n++] = (char)(sk->sig[k] >> (8 * i));
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

int cluster_redis_parse(const char *s, size_t len, cluster_sketch_t *sk, char *id, size_t id_size)
{
    const char *p = s, *end = s + len;
    memset(sk, 0, sizeof *sk);
    memset(sk->sig, 0xff, sizeof sk->sig);
    if (len < 3 || s[0] != 2)
        return -1;
    sk->n_keys = (unsigned char)s[1] | (unsigned char)s[2] << 8;
    p += 3;
    if (!(p = s_unpack_str(p, end, sk->wijk, sizeof sk->wijk)) ||
        !(p = s_unpack_str(p, end, sk->theme, sizeof sk->theme)) ||
        !(p = s_unpack_str(p, end, id, id_size)) ||
        !(p = s_unpack_str(p, end, sk->cluster, sizeof sk->cluster)) || end - p < 8)
        return -1;
    if (!sk->cluster[0])
        snprintf(sk->cluster, sizeof sk->cluster, "%s", id);
    uint64_t mask = 0;
    for (int i = 0; i < 8; i++)
        mask |= (uint64_t)(unsigned char)*p++ << (8 * i);
    if (end - p < 4 * __builtin_popcountll(mask))
        return -1;
    for (int k = 0; k < CLUSTER_HASHES; k++) {
        if (!(mask >> k & 1))
            continue;
        uint32_t v = 0;
        for (int i = 0; i < 4; i++)
            v |= (uint32_t)(unsigned char)*p++ << (8 * i);
        sk->sig[k] = v;
    }
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
