/*
 * moves.c - the cluster moves handed on to storage, until their ack
 * (see moves.h). A hash table finds a move by its update's envelope id;
 * a queue in the order they were handed on gives the oldest, to forget
 * it when it waited too long or to make room.
 */
#include "moves.h"

#include <glib.h>
#include <stdlib.h>

#include "xalloc.h"

typedef struct {
    char *update_id; /* the key in moves->by_id, owned here */
    char *idea_id;
    char *moved_to; /* NULL: the move gave the sketch no cluster */
    int64_t at_ms;  /* clock_mono_ms() when handed on */
    GList *link;    /* its place in moves->order */
} move_t;

struct moves {
    GHashTable *by_id; /* update id -> move_t */
    GQueue order;      /* move_t, oldest first */
};

static void s_move_free(move_t *m)
{
    free(m->update_id);
    free(m->idea_id);
    free(m->moved_to);
    free(m);
}

static void s_forget(moves_t *self, move_t *m)
{
    g_queue_delete_link(&self->order, m->link);
    g_hash_table_remove(self->by_id, m->update_id);
    s_move_free(m);
}

moves_t *moves_new(void)
{
    moves_t *self = xcalloc(1, sizeof *self);
    self->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    g_queue_init(&self->order);
    return self;
}

void moves_free(moves_t *self)
{
    if (!self)
        return;
    while (!g_queue_is_empty(&self->order))
        s_forget(self, g_queue_peek_head(&self->order));
    g_hash_table_destroy(self->by_id);
    free(self);
}

void moves_remember(moves_t *self, const char *update_id, const char *idea_id,
                    const char *moved_to, int64_t now_ms)
{
    move_t *old = g_hash_table_lookup(self->by_id, update_id);
    if (old)
        s_forget(self, old);
    if (g_queue_get_length(&self->order) >= MOVES_MAX)
        s_forget(self, g_queue_peek_head(&self->order));
    move_t *m = xcalloc(1, sizeof *m);
    m->update_id = xstrdup(update_id);
    m->idea_id = xstrdup(idea_id);
    m->moved_to = moved_to ? xstrdup(moved_to) : NULL;
    m->at_ms = now_ms;
    g_queue_push_tail(&self->order, m);
    m->link = g_queue_peek_tail_link(&self->order);
    g_hash_table_insert(self->by_id, m->update_id, m);
}

/* The move of one acked id: fn, then forgotten. 1 when there was one. */
static int s_acked(moves_t *self, const char *id, moves_follow_fn fn, void *arg)
{
    move_t *m = id ? g_hash_table_lookup(self->by_id, id) : NULL;
    if (!m)
        return 0;
    fn(arg, m->update_id, m->idea_id, m->moved_to);
    s_forget(self, m);
    return 1;
}

int moves_on_ack(moves_t *self, const envelope_t *ack, moves_follow_fn fn, void *arg)
{
    if (!ack || ack->type != ENV_ACK || g_queue_is_empty(&self->order))
        return 0;
    /* The same ids envelope_acks() reads: the first in id, all in ids
     * when there are several. */
    int n = s_acked(self, ack->id, fn, arg);
    for (int i = 0; i < ack->n_ids; i++)
        n += s_acked(self, ack->ids[i], fn, arg);
    return n;
}

int moves_expire(moves_t *self, int64_t now_ms)
{
    int n = 0;
    move_t *m;
    while ((m = g_queue_peek_head(&self->order)) && now_ms - m->at_ms > MOVES_WAIT_MS) {
        s_forget(self, m);
        n++;
    }
    return n;
}

size_t moves_waiting(const moves_t *self)
{
    return g_queue_get_length((GQueue *)&self->order);
}
