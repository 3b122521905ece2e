/*
 * NAME
 *   update_applied - which update envelopes storage has applied
 *
 * SUMMARY
 *   #include "update_applied.h"
 *
 *   char *key = update_applied_key(env->id);    // NULL: no id, no mark
 *   ... EVAL script (KEYS[2] = key when there is one) that starts with
 *       UPDATE_APPLIED_LUA_CHECK(2), makes every check that can fail and
 *       UPDATE_APPLIED_LUA_PROBE(2) before its first write, and ends
 *       with UPDATE_APPLIED_LUA_MARK(2) as its last write ...
 *   free(key);
 *
 *   if (update_applied_before(rs, env->id)) ...  // a plain read
 *
 * DESCRIPTION
 *   Senders re-send an update not acked yet with the same envelope id
 *   (common/bus_update.c). With two classifiers or storages a copy can
 *   wait in a busy instance's queue and come after a later update of the
 *   same idea, which applying it again would undo. Storage marks each
 *   update it applied (UPDATE_APPLIED_KEY, for UPDATE_APPLIED_MS) and
 *   skips a marked one. The check, the write and the mark (the last
 *   write) are one Lua script (services/storage/store_update.c,
 *   store_redact.c): as three
 *   round trips, two storages holding copies of one update could both
 *   pass the check, and the later one applied it over a save that came
 *   between. The classifier does not move a sketch for a marked update,
 *   checked in the script that moves it for the same reason
 *   (services/classifier/cluster_correct.c). Key layout: docs/redis.md.
 *
 * OWNERSHIP
 *   Storage's key (services/storage/README.md); the classifier only reads
 *   it.
 */
#ifndef INSPRAAK_UPDATE_APPLIED_H
#define INSPRAAK_UPDATE_APPLIED_H

#include "rstore.h"

#define UPDATE_APPLIED_KEY "inspraak:update:applied:%s"
#define UPDATE_APPLIED_MS 3600000
#define UPDATE_APPLIED_S_STR(x) #x
#define UPDATE_APPLIED_STR(x) UPDATE_APPLIED_S_STR(x)

/*
 * Lua for a script whose KEYS[k], when given, is the mark of the update
 * it applies (no KEYS[k]: an update without an envelope id, applied
 * unmarked). The check returns UPDATE_APPLIED_BEFORE at once, before any
 * read or write. Redis does not roll back a script that fails half way,
 * so storage's script makes every check and every command that can fail
 * on the data it finds before its first write, and the mark is its last
 * write: a script that still fails leaves no mark, and the update's
 * re-send is applied, not skipped as applied before. The probe, before
 * the first write, is a PEXPIRE of the mark, absent then (the check
 * said so): it changes nothing, but needs the same write permission as
 * the mark, so a Redis user that may not mark fails there with nothing
 * written. The classifier only checks (its sketch correction, before
 * storage applies).
 */
#define UPDATE_APPLIED_BEFORE 2
#define UPDATE_APPLIED_LUA_CHECK(k)                                                                \
    "if KEYS[" #k "] and redis.call('EXISTS', KEYS[" #k "]) == 1 then return "                     \
    UPDATE_APPLIED_STR(UPDATE_APPLIED_BEFORE) " end\n"
#define UPDATE_APPLIED_LUA_PROBE(k)                                                                \
    "if KEYS[" #k "] then redis.call('PEXPIRE', KEYS[" #k "], '1') end\n"
#define UPDATE_APPLIED_LUA_MARK(k)                                                                 \
    "if KEYS[" #k "] then redis.call('SET', KEYS[" #k "], '1', 'PX', '" UPDATE_APPLIED_STR(        \
        UPDATE_APPLIED_MS) "') end\n"

/* The mark's key for envelope id, or NULL when id is NULL or empty (such
 * an update is applied and not marked). Free with free(). */
char *update_applied_key(const char *id);
/* 1 when the update with this envelope id was marked applied; 0 when not,
 * when id is NULL or empty, or when Redis cannot say. */
int update_applied_before(rstore_t *rs, const char *id);

#endif
