/*
 * NAME
 *   cluster_correct - staff move an idea to another near-duplicate
 *   cluster; later near-duplicates follow the correction
 *
 * DESCRIPTION
 *   The dashboard sends a moderation that sets a cluster (an idea put
 *   with another idea, or made its own cluster) through the classifier
 *   (services/dashboard/moderate.c), which calls
 *   cluster_redis_correct_update() (the update must pass storage's check,
 *   idea_update_check(), then cluster_redis_correct()) and then hands the
 *   update on to storage unchanged. A copy of an update storage
 *   already applied (its envelope id is marked: update_applied.h, a
 *   re-send that waited in a busy classifier's queue) leaves the sketch
 *   alone, as storage leaves the record: staff may have moved the idea
 *   again since. The mark is checked in the script that writes the
 *   sketch: checked before it, a copy that read the sketch and then
 *   waited found it changed by the later move, read it again and put the
 *   old move back. A save from the idea page carries the version of the
 *   page staff saved it on ("was", proto/idea_version.h); storage applies
 *   nothing over a record that no longer has it (a colleague changed the
 *   idea, or a later save of the same page came first), so neither is the
 *   sketch moved then: the record is read and its version compared first,
 *   and the script that writes the sketch writes only while the record is
 *   still the one read (changed meanwhile: read both again). Without that
 *   the sketch followed a move the record never took, and the next
 *   wording of the same wish joined the refused cluster. That check is
 *   the classifier's, before storage's: a save without a cluster goes
 *   straight to storage and may change the idea in between, and storage
 *   then refuses the move. So once storage acked a cluster update
 *   (main.c), cluster_redis_follow() makes the sketch give the cluster
 *   the record has, with the same script, over the record as read.
 *
 *   Storage changes the record; this changes the stored sketch, so that
 *   the next idea like it joins the cluster staff chose and not the one
 *   the classifier first gave (a correction in storage alone would fix
 *   that one idea and nothing after it).
 *
 *   The sketch keeps a group of its own ("~" and its id) and gets staff's
 *   cluster as its label: the join still averages over the groups the
 *   classifier formed (averaging over a merged group of two wordings
 *   would keep the next wording of either out), and the idea that joins
 *   this one's group takes the label.
 *
 *   One EVAL sets the cluster in the packed sketch only if the sketch is
 *   still the one read (another instance may have changed it: read
 *   again) and counts the correction in inspraak:cluster:corrected. Each
 *   instance keeps parsed sketches in a cache on the promise that a
 *   stored sketch never changes; a correction breaks that promise, so
 *   cluster_redis_sync(), called before every batch, reads the counter
 *   (one GET) and empties the cache when another instance corrected
 *   something since the last batch.
 *
 *   An idea without a stored sketch (it had no keys, or came before the
 *   cluster state was kept) is left alone: the update still goes to
 *   storage.
 *
 * OWNERSHIP
 *   The classifier service (services/classifier/README.md); only its own
 *   keys inspraak:cluster:sk:* and inspraak:cluster:corrected (it reads
 *   storage's inspraak:update:applied:* and inspraak:idea:*, never writes
 *   them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_redis_int.h"
#include "idea_version.h"
#include "log.h"
#include "update_applied.h"

#define S_COUNTER "inspraak:cluster:corrected"
_Static_assert(PROTO_MAX_CLUSTER <= sizeof(((cluster_sketch_t *)0)->label),
               "a cluster idea_cluster_ok() accepts fits the sketch's label");
#define S_ATTEMPTS 5
/* storage's record of an idea (docs/redis.md) */
#define S_RECORD_KEY "inspraak:idea:%s"
#define S_STALE 5
#define S_MOVED_SINCE 6 /* cluster_redis_follow(), cluster_redis.h */

/* KEYS[1] bucket, KEYS[2] counter, KEYS[3] the idea's record, KEYS[4]
 * the update's applied mark (absent: none); ARGV[1] field, ARGV[2]
 * sketch as read, ARGV[3] new sketch, ARGV[4] the record as read
 * (absent: the update does not say what staff saw, not checked). 1
 * written, 0 gone, -1 changed meanwhile, UPDATE_APPLIED_BEFORE: storage
 * applied the update, nothing written. The count comes before the
 * sketch: an INCR that fails (the counter holds no number; Redis does
 * not roll back) then leaves the sketch too, and the move is logged as
 * failed, never made without the other instances' caches knowing. */
static const char s_correct_script[] = UPDATE_APPLIED_LUA_CHECK(4)
                               "if ARGV[4] and redis.call('GET', KEYS[3]) ~= ARGV[4] then\n"
                               "  return -1\n"
                               "end\n"
                               "local cur = redis.call('HGET', KEYS[1], ARGV[1])\n"
                               "if not cur then return 0 end\n"
                               "if cur ~= ARGV[2] then return -1 end\n"
                               "redis.call('INCR', KEYS[2])\n"
                               "redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])\n"
                               "return 1\n";

/* Reads idea id's record into *rec when it still has version was (what
 * staff saw): 1, S_STALE (changed since, gone or unreadable: storage
 * applies nothing) or -1 (Redis). */
static int s_record_as_seen(cluster_redis_t *self, const char *id, const char *was,
                            redisReply **rec)
{
    *rec = rstore_cmd(self->rs, "GET " S_RECORD_KEY, id);
    if (!*rec || ((*rec)->type != REDIS_REPLY_STRING && (*rec)->type != REDIS_REPLY_NIL)) {
        if (*rec)
            freeReplyObject(*rec);
        *rec = NULL;
        return -1;
    }
    idea_t idea;
    proto_err_t perr;
    char cur[IDEA_VERSION_SIZE] = "";
    if ((*rec)->type == REDIS_REPLY_STRING &&
        idea_decode((*rec)->str, (*rec)->len, &idea, &perr) == 0) {
        idea_version(&idea, cur);
        idea_clear(&idea);
    }
    if (strcmp(cur, was) == 0)
        return 1;
    freeReplyObject(*rec);
    *rec = NULL;
    return S_STALE;
}

/* Sets the cluster of idea id's sketch in one EVAL; 1, 0 (no sketch),
 * -1 (Redis), 2 (retry), 3 (already so), 4 (applied before),
 * S_MOVED_SINCE. seen: the record as read when it had the version staff
 * saw, or NULL. follow: NULL for a staff move; else the sketch is only to
 * give the record's cluster (cluster_redis_follow()), so one that gives
 * it already, corrected or not, is already so, and follow is the cluster
 * the acked update moved the sketch to ("" when it moved none): a sketch
 * that gives neither was moved since by a later update (S_MOVED_SINCE,
 * nothing written), which its own ack follows. */
static int s_move(cluster_redis_t *self, const char *id, const char *cluster, const char *mark,
                  const redisReply *seen, const char *follow)
{
    uint64_t h = classify_cluster_handle(id);
    char key[48], field[HB], stored_id[CLUSTER_ID_MAX];
    snprintf(key, sizeof key, "inspraak:cluster:sk:%u", (unsigned)(h % CLUSTER_REDIS_SK_BUCKETS));
    cluster_redis_be48(h, field);
    const char *get[3] = {"HGET", key, field};
    size_t get_len[3] = {4, strlen(key), HB};
    redisReply *r = rstore_cmdargv(self->rs, 3, get, get_len);
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    cluster_sketch_t sk;
    if (r->type == REDIS_REPLY_NIL ||
        cluster_redis_parse(r->str, r->len, &sk, stored_id, sizeof stored_id) < 0 ||
        strcmp(stored_id, id) != 0) { /* none, unreadable, or another id's handle */
        freeReplyObject(r);
        return 0;
    }
    /* A group of its own, labelled with staff's cluster: later ideas
     * like it join that group and take the label (classify_cluster_join.c). */
    char group[CLUSTER_ID_MAX];
    snprintf(group, sizeof group, "~%.78s", id);
    if ((strcmp(sk.label, cluster) == 0 && strcmp(sk.cluster, group) == 0) ||
        (follow && strcmp(classify_cluster_label(&sk), cluster) == 0)) {
        freeReplyObject(r); /* the same correction again (a re-send): the
                               other instances' caches need not be emptied */
        return 3;
    }
    if (follow && *follow && strcmp(classify_cluster_label(&sk), follow) != 0) {
        freeReplyObject(r);
        return S_MOVED_SINCE;
    }
    snprintf(sk.label, sizeof sk.label, "%s", cluster);
    snprintf(sk.cluster, sizeof sk.cluster, "%s", group);
    char rec[CLUSTER_PACK_MAX];
    size_t rec_len = cluster_redis_pack(&sk, id, rec);
    char rkey[CLUSTER_ID_MAX + sizeof S_RECORD_KEY];
    snprintf(rkey, sizeof rkey, S_RECORD_KEY, id);
    const char *argv[11] = {"EVAL", s_correct_script, mark ? "4" : "3", key, S_COUNTER, rkey};
    size_t lens[11] = {4, sizeof s_correct_script - 1, 1, strlen(key), sizeof S_COUNTER - 1,
                       strlen(rkey)};
    int argc = 6;
    if (mark) {
        argv[argc] = mark;
        lens[argc++] = strlen(mark);
    }
    argv[argc] = field;
    lens[argc++] = HB;
    argv[argc] = r->str;
    lens[argc++] = r->len;
    argv[argc] = rec;
    lens[argc++] = rec_len;
    if (seen) {
        argv[argc] = seen->str;
        lens[argc++] = seen->len;
    }
    redisReply *w = rstore_cmdargv(self->rs, argc, argv, lens);
    freeReplyObject(r);
    int rc = !w || w->type != REDIS_REPLY_INTEGER  ? -1
             : w->integer == -1                    ? 2
             : w->integer == UPDATE_APPLIED_BEFORE ? 4
                                                   : (int)w->integer;
    if (w)
        freeReplyObject(w);
    return rc;
}

/* One read-change-write; 1, 0 (no sketch), -1 (Redis), 2 (retry), 3
 * (already so: nothing written), 4 (applied before: nothing written),
 * S_STALE (the record is not the one staff saw: nothing written). mark:
 * the update's applied mark, or NULL; was: the version staff saw, or
 * NULL (not checked). */
static int s_attempt(cluster_redis_t *self, const char *id, const char *cluster, const char *mark,
                     const char *was, const char *follow)
{
    redisReply *seen = NULL;
    if (was) {
        int rc = s_record_as_seen(self, id, was, &seen);
        if (rc != 1)
            return rc;
    }
    int rc = s_move(self, id, cluster, mark, seen, follow);
    if (seen)
        freeReplyObject(seen);
    return rc;
}

/* cluster_redis_correct() for the update whose applied mark is mark (or
 * NULL) and that was made on version was (or NULL); 3 when the sketch was
 * so already, 4 when storage applied it before, S_STALE when the record
 * is not the one staff saw. follow: see s_move. */
static int s_correct(cluster_redis_t *self, const char *id, const char *cluster, const char *mark,
                     const char *was, const char *follow)
{
    if (!id || !*id || strlen(id) >= CLUSTER_ID_MAX || !idea_cluster_ok(cluster))
        return 0;
    int rc = 2;
    for (int i = 0; i < S_ATTEMPTS && rc == 2; i++)
        rc = s_attempt(self, id, cluster, mark, was, follow);
    if (rc == 1)
        g_hash_table_remove_all(self->sketches); /* ours changed: read it again */
    return rc == 2 ? -1 : rc;
}

int cluster_redis_correct(cluster_redis_t *self, const char *id, const char *cluster)
{
    int rc = s_correct(self, id, cluster, NULL, NULL, NULL);
    return rc == 3 ? 1 : rc;
}

/* The cluster and version of idea id's record: 1, 0 (no record, or
 * unreadable, or no cluster), -1 (Redis). */
static int s_record_cluster(cluster_redis_t *self, const char *id, char *cluster, size_t size,
                            char *was)
{
    redisReply *r = rstore_cmd(self->rs, "GET " S_RECORD_KEY, id);
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    idea_t idea;
    proto_err_t perr;
    int rc = 0;
    if (r->type == REDIS_REPLY_STRING && idea_decode(r->str, r->len, &idea, &perr) == 0) {
        if (idea.cluster && strlen(idea.cluster) < size) {
            snprintf(cluster, size, "%s", idea.cluster);
            idea_version(&idea, was);
            rc = 1;
        }
        idea_clear(&idea);
    }
    freeReplyObject(r);
    return rc;
}

int cluster_redis_follow(cluster_redis_t *self, const char *id, const char *moved_to)
{
    if (!id || !*id || strlen(id) >= CLUSTER_ID_MAX)
        return 0;
    for (int i = 0; i < S_ATTEMPTS; i++) {
        char cluster[CLUSTER_ID_MAX], was[IDEA_VERSION_SIZE];
        int rc = s_record_cluster(self, id, cluster, sizeof cluster, was);
        if (rc <= 0)
            return rc;
        /* written only over this record */
        rc = s_correct(self, id, cluster, NULL, was, moved_to ? moved_to : "");
        if (rc != S_STALE)
            return rc;
    }
    /* The record kept changing under every attempt: given up, as when
     * Redis fails; only a later cluster update of this idea, with an ack
     * of its own, makes the sketch follow again. */
    return -1;
}

int cluster_redis_correct_update(cluster_redis_t *self, const idea_t *upd, const char *update_id)
{
    if (!upd->cluster || !upd->id)
        return 0;
    char qid[120], qc[120], why[120];
    if (idea_update_check(upd, why, sizeof why) < 0) {
        log_warn("msg=\"cluster correction refused, sketch unchanged\" id=%s why=%s",
                 log_quote(qid, sizeof qid, upd->id), log_quote(qc, sizeof qc, why));
        return 0;
    }
    char was[IDEA_VERSION_SIZE];
    proto_err_t perr;
    int has_was = idea_version_get(upd, was, &perr);
    if (has_was < 0) { /* storage refuses it too */
        log_warn("msg=\"cluster correction refused, sketch unchanged\" id=%s why=%s",
                 log_quote(qid, sizeof qid, upd->id), log_quote(qc, sizeof qc, perr.message));
        return 0;
    }
    char *mark = update_applied_key(update_id);
    int rc = s_correct(self, upd->id, upd->cluster, mark, has_was ? was : NULL, NULL);
    free(mark);
    if (rc == 3)
        rc = 1;
    if (rc == 4 || rc == S_STALE) {
        log_info("msg=\"cluster correction %s; sketch unchanged\" id=%s update=%s",
                 rc == 4 ? "applied before" : "made on an older version of the idea",
                 log_quote(qid, sizeof qid, upd->id), log_quote(qc, sizeof qc, update_id));
        return 0;
    }
    log_info("msg=\"cluster corrected by staff\" id=%s cluster=%s sketch=%s",
             log_quote(qid, sizeof qid, upd->id), log_quote(qc, sizeof qc, upd->cluster),
             rc == 1 ? "updated" : rc == 0 ? "none" : "redis_failed");
    return rc;
}

int cluster_redis_sync(cluster_redis_t *self)
{
    redisReply *r = rstore_cmd(self->rs, "GET " S_COUNTER);
    if (!r)
        return -1;
    long long n = r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : 0;
    freeReplyObject(r);
    if (n != self->corrected) { /* at start the cache is empty anyway */
        g_hash_table_remove_all(self->sketches);
        self->corrected = n;
    }
    return 0;
}
