/*
 * NAME
 *   peek_ids - "id" and "origin" of a message the envelope decoder refused
 *
 * DESCRIPTION
 *   A dead letter should still say which submission and which intake it
 *   came from when the bytes allow it (main.c, s_dead). Pure: no bus.
 *
 * OWNERSHIP
 *   The classifier service (services/classifier/README.md). *id and
 *   *origin are the caller's to free.
 */
#ifndef INSPRAAK_PEEK_IDS_H
#define INSPRAAK_PEEK_IDS_H

#include <stddef.h>

/* Reads "id" and "origin" from data when it is still well-formed
 * MessagePack within the limits; each NULL when absent or unusable. Only
 * printable ASCII up to 200 bytes is taken (they go into logs). */
void peek_ids(const char *data, size_t len, char **id, char **origin);

#endif
