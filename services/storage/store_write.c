/*
 * NAME
 *   store_write - store_ideas(): a batch of ideas in one write (see
 *   store.h)
 *
 * DESCRIPTION
 *   Two round trips for the whole batch (store_batch.c): WATCH of the
 *   records and the check script (which exist: those are re-sends, 0),
 *   then MULTI, the batch's commands, EXEC. The commands are the stats
 *   and pair-count increments summed per distinct field and the index
 *   members collected per zset, so Redis runs one HINCRBY per distinct
 *   field, one ZADD per distinct zset and one MSET instead of ~56 commands
 *   per idea, and no Lua. Only the EXEC writes, so one AOF fsync per
 *   batch; Redis answers only after that fsync (appendfsync always), so
 *   the caller's acks still follow durability. The WATCH makes the EXEC
 *   write nothing when a record changed since the check (another instance
 *   stored it), so an idea is never counted twice; s_batch_write then
 *   checks again.
 *
 * DIAGNOSTICS
 *   Redis failures leave the ideas at -1 with the message in err; the
 *   caller stores them one at a time (store_idea).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xalloc.h"

#define S_WRITE_TRIES 5 /* batch writes aborted by a changed record before giving up */

/* A position of the check's reply, without its sign. */
static int s_position(const redisReply *e)
{
    return (int)(e->integer < 0 ? -e->integer : e->integer);
}

/* Round trip 1: WATCH the records of the ideas of b not skipped and the
 * email index keys of their participants, then the batch script
 * (store_batch.c): which records exist, and whose participant was erased
 * since the pid was resolved. After a Redis restart the script cache is
 * empty (NOSCRIPT): load it and retry once. *conn: the connection the
 * WATCH went over. Returns the script's reply (an array of KEYS positions,
 * negated for an erased participant, maybe empty), or NULL with
 * self->err. */
static redisReply *s_watch_check(store_t *self, store_batch_t *b, int *conn)
{
    int argc, m; /* EVALSHA sha m KEYS... ARGV... */
    const char **argv;
    size_t *lens;
    store_batch_check_argv(b, &argc, &m, &argv, &lens);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!self->bsha[0] && store_load(self, STORE_BATCH_LUA, self->bsha) < 0)
            return NULL;
        argv[1] = self->bsha;
        lens[1] = strlen(self->bsha);
        /* WATCH and the keys are argv[2..]: lend the key count's slot. */
        const char *kp = argv[2];
        size_t kl = lens[2];
        argv[2] = "WATCH", lens[2] = 5;
        int rc = rstore_appendargv(self->rs, 1 + m, argv + 2, lens + 2);
        argv[2] = kp, lens[2] = kl;
        *conn = rstore_connects(self->rs);
        if (rc < 0 || rstore_appendargv(self->rs, argc, argv, lens) < 0) {
            store_set_err(self, "watch");
            return NULL; /* rstore reads away what was sent */
        }
        redisReply *w = rstore_reply(self->rs);
        if (!w)
            store_set_err(self, "watch");
        redisReply *r = rstore_reply(self->rs);
        if (w && r) {
            freeReplyObject(w);
            int ok = r->type == REDIS_REPLY_ARRAY;
            for (size_t i = 0; ok && i < r->elements; i++)
                ok = r->element[i]->type == REDIS_REPLY_INTEGER &&
                     store_batch_in_call(b, s_position(r->element[i]) - 1) >= 0;
            if (ok)
                return r;
            freeReplyObject(r);
            snprintf(self->err, sizeof self->err, "unexpected reply from the batch script");
            return NULL;
        }
        if (r)
            freeReplyObject(r);
        if (!w)
            return NULL;
        freeReplyObject(w);
        store_set_err(self, "evalsha batch");
        if (!strstr(rstore_error(self->rs), "NOSCRIPT"))
            return NULL;
        self->bsha[0] = '\0';
    }
    return NULL;
}

/* Reads n pipelined replies; returns the last, or NULL when any failed. */
static redisReply *s_replies(store_t *self, int n)
{
    redisReply *last = NULL;
    int ok = 1;
    for (int i = 0; i < n; i++) {
        redisReply *r = rstore_reply(self->rs);
        if (!r && ok) {
            ok = 0;
            store_set_err(self, "batch write");
        }
        if (last)
            freeReplyObject(last);
        last = r;
    }
    if (!ok && last) {
        freeReplyObject(last);
        last = NULL;
    }
    return last;
}

/* "<c><n>\r\n" at w; returns the end. */
static char *s_resp_num(char *w, char c, size_t n)
{
    char tmp[24];
    int k = 0;
    do
        tmp[k++] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    *w++ = c;
    while (k > 0)
        *w++ = tmp[--k];
    *w++ = '\r';
    *w++ = '\n';
    return w;
}

/*
 * The batch's ncmd commands and an EXEC in RESP, one malloc'd buffer
 * (*len bytes). Why by hand: hiredis's redisAppendCommandArgv formats
 * every argument with sdscatfmt and grows its buffer per piece, ~600
 * instructions an argument; a batch has ~27 arguments an idea, which was
 * ~14 % of storage's instructions (callgrind of bench-load).
 */
static char *s_resp(int ncmd, const int *cmd_argc, const char **argv, const size_t *lens,
                    size_t *len)
{
    size_t size = 14, a = 0; /* "*1\r\n$4\r\nEXEC\r\n" */
    for (int c = 0; c < ncmd; c++) {
        size += 24;
        for (int i = 0; i < cmd_argc[c]; i++, a++)
            size += 25 + lens[a];
    }
    char *buf = xmalloc(size), *w = buf;
    a = 0;
    for (int c = 0; c < ncmd; c++) {
        w = s_resp_num(w, '*', (size_t)cmd_argc[c]);
        for (int i = 0; i < cmd_argc[c]; i++, a++) {
            w = s_resp_num(w, '$', lens[a]);
            memcpy(w, argv[a], lens[a]);
            w += lens[a];
            *w++ = '\r';
            *w++ = '\n';
        }
    }
    memcpy(w, "*1\r\n$4\r\nEXEC\r\n", 14);
    *len = (size_t)(w + 14 - buf);
    return buf;
}

/* Round trip 2: MULTI, the batch's command list (store_batch.c), EXEC.
 * 1: written; 0: nothing written because a watched record changed since
 * s_watch_check or the connection is not the one that watched (check
 * again); -1: failed (self->err). */
static int s_multi_write(store_t *self, store_batch_t *b, int conn)
{
    const int *cmd_argc;
    const char **argv;
    size_t *lens;
    int ncmd = store_batch_cmds(b, &cmd_argc, &argv, &lens), sent;
    const char *word[3] = {"MULTI", "EXEC", "DISCARD"};
    size_t wlen[3] = {5, 4, 7};
    if (rstore_appendargv(self->rs, 1, &word[0], &wlen[0]) < 0) {
        store_set_err(self, "multi");
        return -1;
    }
    if (rstore_connects(self->rs) != conn) { /* a new connection: its WATCH is gone */
        if (rstore_appendargv(self->rs, 1, &word[2], &wlen[2]) == 0) {
            redisReply *r = s_replies(self, 2);
            if (r)
                freeReplyObject(r);
        }
        return 0;
    }
    size_t len;
    char *resp = s_resp(ncmd, cmd_argc, argv, lens, &len);
    sent = rstore_append_resp(self->rs, resp, len, ncmd + 1) == 0 ? ncmd + 2 : 1;
    free(resp);
    redisReply *r = s_replies(self, sent);
    if (!r || sent != ncmd + 2) {
        if (r)
            freeReplyObject(r);
        if (!self->err[0])
            store_set_err(self, "batch write");
        return -1;
    }
    int ret = r->type == REDIS_REPLY_NIL ? 0 : r->type == REDIS_REPLY_ARRAY ? 1 : -1;
    for (size_t i = 0; ret == 1 && i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_ERROR) {
            snprintf(self->err, sizeof self->err, "batch write: %s", r->element[i]->str);
            ret = -1;
        }
    if (ret < 0 && r->type != REDIS_REPLY_ARRAY)
        snprintf(self->err, sizeof self->err, "unexpected reply to EXEC");
    freeReplyObject(r);
    return ret;
}

/* The ideas of b just written whose participant was erased meanwhile:
 * their text loses the name and address (store_erased_meanwhile); so do
 * those stored before whose person is gone (store_stored_erased). */
static void s_erased_meanwhile(store_t *self, const store_batch_t *b)
{
    const char *id, *rec, *email, *name;
    size_t rec_len;
    for (int i = 0; i < store_batch_count(b); i++)
        if (store_batch_erased(b, i, &id, &email, &name))
            store_erased_meanwhile(self, id, email, name);
        else if (store_batch_stored_before(b, i, &id, &rec, &rec_len, &email, &name))
            store_stored_erased(self, id, rec, rec_len, email, name);
}

/* Writes the ideas of b (ideas[idx[k]] is the batch's k-th): those whose
 * record exists get 0 and are left out, the others go in one MULTI/EXEC
 * guarded by the WATCH; when it was aborted (another instance stored one
 * of them, or moderation changed one), check again. Leaves the rest at
 * -1 on failure. */
static void s_batch_write(store_t *self, store_batch_t *b, const int *idx, int *res, char *err,
                          size_t errlen)
{
    int left = store_batch_count(b);
    self->err[0] = '\0';
    for (int round = 0; left > 0; round++) {
        int conn, w = -1;
        redisReply *r = round < S_WRITE_TRIES ? s_watch_check(self, b, &conn) : NULL;
        if (!r) {
            if (round >= S_WRITE_TRIES)
                snprintf(self->err, sizeof self->err, "batch write aborted %d times", round);
            snprintf(err, errlen, "%s", self->err);
            return;
        }
        for (size_t i = 0; i < r->elements; i++) {
            int k = store_batch_in_call(b, s_position(r->element[i]) - 1);
            if (k < 0)
                continue; /* s_watch_check checked every position */
            if (r->element[i]->integer < 0) {
                store_batch_gone(b, k); /* still written, without the participant */
                continue;
            }
            res[idx[k]] = 0;
            store_batch_skip(b, k);
            left--;
        }
        freeReplyObject(r);
        if (left == 0) { /* all stored before: no EXEC ends the WATCH */
            redisReply *u = rstore_cmd(self->rs, "UNWATCH");
            if (u) /* else the connection, and its WATCH, is gone */
                freeReplyObject(u);
        }
        if (left > 0 && (w = s_multi_write(self, b, conn)) < 0) {
            snprintf(err, errlen, "%s", self->err);
            return;
        }
        if (w == 1) {
            for (int k = 0; store_batch_in_call(b, k) >= 0; k++)
                res[idx[store_batch_in_call(b, k)]] = 1;
            left = 0;
        }
    }
    s_erased_meanwhile(self, b);
}

/*
 * An id met earlier in the same batch is not sent again: it gets 0 once
 * the write of the first one returned. A write that fails leaves every
 * idea at -1, which the caller retries one at a time; the records are
 * written last, so an idea the retry finds stored had its writes done.
 */
int store_ideas(store_t *self, idea_t **ideas, const participant_t **ps, int n, int *res, int *bad,
                char *err, size_t errlen)
{
    if (n > STORE_BATCH_MAX)
        n = STORE_BATCH_MAX;
    /* Participant ids may need Redis, so every idea is prepared first. */
    store_args_t *args = xmalloc(sizeof *args * (size_t)n);
    char **recs = xcalloc((size_t)n, sizeof *recs);
    int ready[STORE_BATCH_MAX], idx[STORE_BATCH_MAX], repeat[STORE_BATCH_MAX];
    store_batch_t *b = store_batch_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal); /* id -> index + 1 */
    for (int i = 0; i < n; i++) {
        res[i] = -1;
        repeat[i] = -1;
        ready[i] = store_prepare(self, ideas[i], ps ? ps[i] : NULL, &args[i], &recs[i], &bad[i],
                                 err, errlen) == 0;
        if (!ready[i])
            continue;
        int first = GPOINTER_TO_INT(g_hash_table_lookup(seen, ideas[i]->id)) - 1;
        if (first >= 0) {
            repeat[i] = first;
            continue;
        }
        /* Not batched (cannot happen with STORE_BATCH_MAX ideas): res -1,
         * so the caller stores it alone. */
        if (store_batch_add(b, args[i].argc, args[i].argv, args[i].lens) == 0) {
            idx[store_batch_count(b) - 1] = i;
            g_hash_table_insert(seen, ideas[i]->id, GINT_TO_POINTER(i + 1));
        }
    }
    s_batch_write(self, b, idx, res, err, errlen);
    store_batch_destroy(&b); /* it borrowed the args' strings */
    g_hash_table_destroy(seen);
    int n_fail = 0;
    for (int i = 0; i < n; i++) {
        if (repeat[i] >= 0 && res[repeat[i]] >= 0)
            res[i] = 0;
        if (ready[i])
            store_args_free(&args[i]);
        free(recs[i]);
        n_fail += res[i] < 0;
    }
    free(args);
    free(recs);
    return n_fail ? -n_fail : n;
}
