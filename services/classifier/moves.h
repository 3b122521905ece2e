/*
 * moves.h - the cluster moves this classifier handed on to storage,
 * until storage's ack for each comes (services/classifier).
 *
 * Owns: the table of moves waiting for their ack, and which of them an
 * ack covers. Not owned: reading acks off the bus (main.c) and what is
 * done for an acked move (the caller's follow function; main.c makes the
 * sketch follow the stored record, cluster_redis_follow).
 *
 * An ack may cover many envelopes (storage batches them, up to
 * PROTO_MAX_ACK_IDS ids), so an ack is matched by looking up each of its
 * ids, never by walking the table. A move whose ack never comes (a
 * dropped ack, storage restarted) is forgotten after MOVES_WAIT_MS; at
 * MOVES_MAX the oldest is forgotten first. A forgotten move only leaves
 * the sketch as the move made it, as before acks were followed.
 */
#ifndef INSPRAAK_CLASSIFIER_MOVES_H
#define INSPRAAK_CLASSIFIER_MOVES_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Moves waiting at most; the oldest is forgotten to make room. */
#define MOVES_MAX 4096
/* How long a move waits for its ack before it is forgotten: far beyond
 * the dashboard's 15 s wait for the same ack. */
#define MOVES_WAIT_MS (10 * 60 * 1000)

typedef struct moves moves_t;

/* Called for each move an ack covers: update_id is the envelope id of the
 * update, idea_id its idea, moved_to the cluster the move gave the sketch
 * (NULL when it moved none). */
typedef void (*moves_follow_fn)(void *arg, const char *update_id, const char *idea_id,
                                const char *moved_to);

moves_t *moves_new(void);
void moves_free(moves_t *self);
/* Remembers the update update_id of idea idea_id (copies all three),
 * handed on at now_ms (clock_mono_ms). A second update with the same id
 * replaces the first. */
void moves_remember(moves_t *self, const char *update_id, const char *idea_id,
                    const char *moved_to, int64_t now_ms);
/* For each move the ack covers: fn, then the move is forgotten. Anything
 * but an ENV_ACK covers none. Returns how many it covered. */
int moves_on_ack(moves_t *self, const envelope_t *ack, moves_follow_fn fn, void *arg);
/* Forgets the moves handed on more than MOVES_WAIT_MS before now_ms;
 * returns how many. */
int moves_expire(moves_t *self, int64_t now_ms);
/* Moves waiting for their ack. */
size_t moves_waiting(const moves_t *self);

#endif
