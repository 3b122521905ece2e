/*
 * NAME
 *   store_int - what store.c shares with store_write.c (storage only)
 *
 * DESCRIPTION
 *   The connection and the per-idea arguments of the single-idea script:
 *   store.c builds them (store_prepare), store_write.c gathers a batch of
 *   them into one write (store_batch.h). Not for use outside
 *   services/storage/.
 *
 * OWNERSHIP
 *   store_prepare() fills a store_args_t and *rec; on 0 the caller frees
 *   *rec and calls store_args_free(a).
 */
#ifndef INSPRAAK_STORE_INT_H
#define INSPRAAK_STORE_INT_H

#include "rstore.h"
#include "store.h"
#include "store_batch.h"

struct store {
    rstore_t *rs;
    char sha[48];  /* SCRIPT LOAD result; empty until loaded */
    char bsha[48]; /* the same for the batch script (store_batch.c) */
    char err[256];
};

#define STORE_MAX_ARGS 200 /* 171 with 3 themes and a participant, pair, people and shown counts */

typedef struct {
    const char *argv[STORE_MAX_ARGS];
    size_t lens[STORE_MAX_ARGS];
    char *owned[STORE_MAX_ARGS];
    char nums[6][24];
    int argc, n_owned, n_nums;
} store_args_t;

/* Everything before the script call for one idea (store.c): default
 * status, participant id, the record and the script's arguments. 0, or
 * -1 (with *bad for a record that cannot be encoded). */
int store_prepare(store_t *self, idea_t *idea, const participant_t *p, store_args_t *a, char **rec,
                  int *bad, char *err, size_t errlen);
void store_args_free(store_args_t *a);
/* SCRIPT LOAD script into sha (48 bytes). 0 or -1 (self->err). */
int store_load(store_t *self, const char *script, char *sha);
/* The email index key, "inspraak:participant-email:<32 hex>", and NUL. */
#define STORE_EMAIL_KEY_SIZE 64

/* After a write found the idea's participant erased since store_prepare()
 * resolved its pid (the record is written without them, S_SCRIPT / the
 * batch's check): logs it and cuts the address and name, as participant
 * erase cuts them from the person's stored ideas, out of the idea's text
 * (store_redact). A failed cut is logged for staff to redact by hand; the
 * idea is stored either way: returns 1. email and name as given to the
 * write (normalised address; "" for none). */
int store_erased_meanwhile(store_t *self, const char *id, const char *email, const char *name);

/* After a write found the idea stored before (a message sent again, as
 * the intake's spool does after storage was killed): when the stored
 * record still holds the text of rec (the record this write would have
 * written: the same message) and the person it names is gone (erased),
 * the write that stored it may have died before store_erased_meanwhile()
 * cut their address and name, so this cuts them now (a cut made before
 * changes nothing; a record with another text is left alone, so a
 * message that only reuses the id cuts nothing). Nothing for an idea
 * without an address. A Redis failure is logged for staff to check. */
void store_stored_erased(store_t *self, const char *id, const char *rec, size_t rec_len,
                         const char *email, const char *name);

/* 1 when e (one reply of a GET or MGET of inspraak:idea:<id>) is a
 * readable record of that id, decoded into *idea (the caller then
 * idea_clear()s it); 0 for a key that is gone or of another type (nil),
 * bytes that are no record, or a record without that id: damaged. */
int store_record_read(const redisReply *e, const char *id, idea_t *idea);
/* self->err = what: the connection's error. */
void store_set_err(store_t *self, const char *what);

#endif
