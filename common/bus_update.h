/*
 * NAME
 *   bus_update - send update envelopes to storage and wait for their acks
 *
 * SUMMARY
 *   #include "bus_update.h"
 *
 *   int acked[n];
 *   int got = bus_update_send(cfg.bus_store, cfg.bus_events, cfg.name,
 *                             upds, n, 15000, acked, err, sizeof err);
 *
 * DESCRIPTION
 *   Storage is the only writer of ideas (DESIGN.md contract 4). A program
 *   that wants an idea changed (the dashboard's moderation and redaction,
 *   inspraakctl's participant erase) PUSHes an "update" envelope (proto.h
 *   ENV_UPDATE, origin = the caller's service.instance) to `to` and waits
 *   on a SUB socket of `events` for "ack.<origin>" naming the envelope's id.
 *
 *   The SUB is connected first, but a subscription can still reach the
 *   publisher after a fast ack went out (ZeroMQ "slow joiner"), so every
 *   update not acked yet is re-sent after BUS_UPDATE_FIRST_RESEND_MS, then
 *   after twice as long each time up to BUS_UPDATE_RESEND_MS, until all
 *   are acked or wait_ms pass. Re-sending is safe: every copy has the
 *   update's id, and storage applies an id once (a copy that waited in a
 *   busy instance's queue would otherwise undo a later update of the same
 *   idea: services/storage/main.c). (Before, the first re-send came
 *   after a whole second, and the first ack was lost so often that nearly
 *   every save in the dashboard took a second.)
 *
 *   ZeroMQ sockets belong to one thread: each call opens its own socket
 *   pair and closes it before returning, so any thread may call it.
 *   CURVE keys come from INSPRAAK_BUS_CURVE_KEYS through bus.c.
 *
 * OWNERSHIP
 *   Moved out of services/dashboard/moderate.c (dashboard engineer's code)
 *   so inspraakctl can use it too; kept by whoever owns the dashboard's
 *   moderation. upds are only read; acked (n ints) is the caller's.
 */
#ifndef INSPRAAK_BUS_UPDATE_H
#define INSPRAAK_BUS_UPDATE_H

#include <stddef.h>

#include "proto.h"

#define BUS_UPDATE_FIRST_RESEND_MS 50
#define BUS_UPDATE_RESEND_MS 1000
#define BUS_UPDATE_EENCODE (-1)
#define BUS_UPDATE_ECONNECT (-2)

/* Sends upds[0..n) to `to` as update envelopes from origin and waits up to
 * wait_ms for their acks on `events`; acked[i] becomes 1 for each update
 * acknowledged. Returns how many were acked (n: all), or with err and
 * nothing sent: BUS_UPDATE_EENCODE (an update could not be encoded) or
 * BUS_UPDATE_ECONNECT (no socket could be made). */
int bus_update_send(const char *to, const char *events, const char *origin, idea_t *const *upds,
                    int n, int wait_ms, int *acked, char *err, size_t errlen);

#endif
