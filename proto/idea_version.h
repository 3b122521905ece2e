/*
 * NAME
 *   idea_version - what staff saw of an idea's moderated fields, as 32 hex
 *   digits, and the "was" key that carries it in an update
 *
 * SUMMARY
 *   #include "idea_version.h"
 *
 *   char was[IDEA_VERSION_SIZE];
 *   idea_version(&idea, was);               // the idea page, and storage
 *   idea_version_put(&upd, was, &err);      // dashboard: the update carries it
 *   int r = idea_version_get(&upd, was, &err);  // storage: 1, 0 (none), -1
 *
 * DESCRIPTION
 *   The version is BLAKE2b-128 over status, wijk, sentiment, question,
 *   cluster and the themes in order (a NULL value hashes as ""), in hex.
 *   The dashboard's idea page puts it in its moderation form; a save
 *   carries it back, and the update envelope's idea holds it as one extra
 *   key (docs/proto.md, "Update"):
 *
 *     "was": str (32 lowercase hex digits)
 *
 *   Storage compares it with the version of the record it is about to
 *   change, in the same compare-and-set, and applies nothing when they
 *   differ: the idea changed after staff opened it (a colleague, another
 *   tab, or a save of the same page that reached storage late, after a
 *   later one). An update without it (cluster merges, redactions,
 *   inspraakctl, older senders) is not checked. The key is an unknown key
 *   to proto's idea table, so it rides in idea->extra and an older reader
 *   keeps it without understanding it.
 *
 *   Pure functions, like the rest of proto/: no I/O.
 */
#ifndef INSPRAAK_IDEA_VERSION_H
#define INSPRAAK_IDEA_VERSION_H

#include "proto.h"

#define IDEA_VERSION_KEY "was"
#define IDEA_VERSION_SIZE 33 /* 32 hex digits and the NUL */
/* The fields the version covers, besides the themes, in hash order: the
 * dashboard reads them by these names from the idea's JSON. */
#define IDEA_VERSION_FIELDS 5
#define IDEA_VERSION_NAMES                                                                         \
    {                                                                                              \
        "status", "wijk", "sentiment", "question", "cluster"                                       \
    }

/* The version of those values (vals in IDEA_VERSION_NAMES order; NULL
 * entries, also among the themes, count as ""). */
void idea_version_of(const char *const vals[IDEA_VERSION_FIELDS], const char *const *themes,
                     int n_themes, char out[IDEA_VERSION_SIZE]);
/* The version of a decoded idea. */
void idea_version(const idea_t *idea, char out[IDEA_VERSION_SIZE]);

/* Writes was into upd->extra under "was" (an earlier one is replaced).
 * 0, or -1 with err when was is not 32 lowercase hex digits. */
int idea_version_put(idea_t *upd, const char *was, proto_err_t *err);
/* Reads "was" from upd->extra into out. 1 when present, 0 when not, -1
 * with err (code "bad_field") when it is not 32 lowercase hex digits. */
int idea_version_get(const idea_t *upd, char out[IDEA_VERSION_SIZE], proto_err_t *err);

#endif
