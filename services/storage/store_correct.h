/*
 * NAME
 *   store_correct - staff corrections of the classifier's labels, kept for
 *   training (issue 6: "staff corrections are stored so they can be added
 *   to the training data")
 *
 * SYNOPSIS
 *   char *was = store_correction_was(&old, &new);   // NULL: no label changed
 *   ... pass `was` and the time to S_UPDATE (STORE_CORRECT_LUA) ...
 *   free(was);
 *
 * DESCRIPTION
 *   When a moderation changes themes (their set or their order: the first
 *   is the main theme), wijk, sentiment, question or the near-duplicate
 *   cluster,
 *   the update script also writes
 *     inspraak:corrections       hash  id -> JSON of the labels the idea
 *                                had before its FIRST correction
 *                                {"themes": [...], "wijk", "sentiment",
 *                                "question", "cluster"} (neither of the
 *                                last two before 2026-11-28: their
 *                                corrections came then)
 *                                (HSETNX: a second correction keeps them)
 *     inspraak:corrections:at    zset  id scored by the time (ms) of the
 *                                latest correction
 *   The corrected labels themselves are the record's (it is the truth);
 *   `inspraakctl corrections export` joins the two into labelled JSON Lines
 *   for bin/classify-train. Only labels are kept here, never text or
 *   personal data, and a replayed update changes no label, so it writes
 *   nothing.
 */
#ifndef INSPRAAK_STORE_CORRECT_H
#define INSPRAAK_STORE_CORRECT_H

#include "proto.h"

/* JSON of old's themes, wijk, sentiment, question and cluster when new
 * differs from old in any of them, else NULL. Free with free(). */
char *store_correction_was(const idea_t *old, const idea_t *new);

/*
 * Lua appended to S_UPDATE: expects locals `p` (key prefix), `id` and
 * `ci`, the ARGV index of the "was" JSON ("" when no label changed),
 * followed by the time in ms.
 */
#define STORE_CORRECT_LUA                                                                          \
    "if ARGV[ci] ~= '' then\n"                                                                     \
    "  redis.call('HSETNX', p .. 'corrections', id, ARGV[ci])\n"                                   \
    "  redis.call('ZADD', p .. 'corrections:at', ARGV[ci + 1], id)\n"                              \
    "end\n"

#endif
