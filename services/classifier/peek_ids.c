/*
 * NAME
 *   peek_ids - "id" and "origin" of a message the envelope decoder refused
 *
 * DESCRIPTION
 *   See peek_ids.h. Moved out of main.c unchanged.
 */
#include <msgpack.h>
#include <stdint.h>
#include <string.h>

#include "peek_ids.h"
#include "proto.h"
#include "xalloc.h"

void peek_ids(const char *data, size_t len, char **id, char **origin)
{
    proto_err_t perr;
    *id = *origin = NULL;
    if (proto_check(data, len, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH, PROTO_MAX_ITEMS,
                    PROTO_MAX_STRING, &perr) < 0)
        return;
    msgpack_zone zone;
    msgpack_object obj;
    size_t off = 0;
    msgpack_zone_init(&zone, 2048);
    if (msgpack_unpack(data, len, &off, &zone, &obj) == MSGPACK_UNPACK_SUCCESS &&
        obj.type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < obj.via.map.size; i++) {
            const msgpack_object *k = &obj.via.map.ptr[i].key, *v = &obj.via.map.ptr[i].val;
            if (k->type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_STR ||
                v->via.str.size == 0 || v->via.str.size > 200)
                continue;
            int printable = 1;
            for (uint32_t j = 0; j < v->via.str.size; j++)
                if (v->via.str.ptr[j] < 0x21 || v->via.str.ptr[j] > 0x7e)
                    printable = 0;
            char **dst = NULL;
            if (k->via.str.size == 2 && memcmp(k->via.str.ptr, "id", 2) == 0)
                dst = id;
            else if (k->via.str.size == 6 && memcmp(k->via.str.ptr, "origin", 6) == 0)
                dst = origin;
            if (dst && !*dst && printable)
                *dst = xstrndup(v->via.str.ptr, v->via.str.size);
        }
    }
    msgpack_zone_destroy(&zone);
}
