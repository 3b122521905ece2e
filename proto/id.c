/*
 * NAME
 *   id - stable idea ids (DESIGN.md contract 2)
 *
 * SUMMARY
 *   proto_derive_id(channel, source_key, out)
 *
 * DESCRIPTION
 *   "<c>-<16 hex>": c is the channel letter (form f, email e, transcript t,
 *   field v for "veld"; any other channel its first letter, lowercased, or
 *   x when it has none). With a source key the hex is the first 8 bytes of
 *   BLAKE2b-256("<channel>:<source_key>") (libsodium crypto_generichash,
 *   no key), so the same source always gives the same id and a re-sent
 *   submission is recognised as the same idea. Without one, the 8 bytes
 *   come from randombytes_buf(). 64 bits keep collisions negligible at the
 *   scale of one municipality's participation (~1e5 ideas: ~1e-10).
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

static char s_letter(const char *channel)
{
    if (!channel || !*channel)
        return 'x';
    if (strcmp(channel, "field") == 0)
        return 'v';
    unsigned char c = (unsigned char)channel[0];
    return isalpha(c) && c < 0x80 ? (char)tolower(c) : 'x';
}

void proto_derive_id(const char *channel, const char *source_key, char out[PROTO_ID_SIZE])
{
    unsigned char h[crypto_generichash_BYTES];
    if (source_key) {
        crypto_generichash_state st;
        const char *ch = channel ? channel : "";
        crypto_generichash_init(&st, NULL, 0, sizeof(h));
        crypto_generichash_update(&st, (const unsigned char *)ch, strlen(ch));
        crypto_generichash_update(&st, (const unsigned char *)":", 1);
        crypto_generichash_update(&st, (const unsigned char *)source_key, strlen(source_key));
        crypto_generichash_final(&st, h, sizeof(h));
    } else {
        /* Safe to call repeatedly and from several threads. */
        if (sodium_init() < 0)
            memset(h, 0, sizeof(h)); /* randombytes_buf still seeds itself */
        randombytes_buf(h, 8);
    }
    out[0] = s_letter(channel);
    out[1] = '-';
    sodium_bin2hex(out + 2, PROTO_ID_SIZE - 2, h, 8);
}
