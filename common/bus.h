/*
 * NAME
 *   bus - ZeroMQ sockets for the inspraak bus
 *
 * DESCRIPTION
 *   Topology (endpoints from config.h):
 *
 *     intakes  PUSH --connect--> BUS_CLASSIFY (classifier PULL, bound)
 *     classifier PUSH --connect--> BUS_STORE (storage PULL, bound)
 *     storage  PUB  --bind--> BUS_EVENTS; intakes SUB "ack.<origin>",
 *                                          notify SUB "stored"
 *
 *   Work (PUSH/PULL) never drops: PUSH sockets set ZMQ_IMMEDIATE so a message
 *   is only queued to a connected peer, and a full queue makes the sender
 *   wait (or, with BUS_DONTWAIT, return -1/EAGAIN so the spool keeps the
 *   record for later). Events (PUB/SUB) may be dropped at the high-water
 *   mark; that is safe because an ack that is lost only causes a re-send,
 *   and storage is idempotent.
 *   An endpoint list is comma separated; connecting sockets connect to every
 *   item, instance i of a binding service binds item i.
 *   Frames: PUSH/PULL one frame (the envelope); PUB/SUB two frames (topic,
 *   envelope).
 *
 *   Sockets are not thread-safe (ZeroMQ rule): use each from one thread.
 */
#ifndef INSPRAAK_BUS_H
#define INSPRAAK_BUS_H

#include <stddef.h>

#define BUS_DONTWAIT 1
#define BUS_MAX_TOPIC 128

/* The process's ZeroMQ context (created on first use). */
void *bus_context(void);
/* Closes every socket made here and terminates the context. */
void bus_shutdown(void);

void *bus_push_connect(const char *endpoints, char *err, size_t errlen);
void *bus_pull_bind(const char *endpoints, int instance, char *err, size_t errlen);
void *bus_pub_bind(const char *endpoints, int instance, char *err, size_t errlen);
void *bus_sub_connect(const char *endpoints, const char *topic, char *err, size_t errlen);
void bus_close(void **sock_p);

/* Item i of a comma list into buf. Returns 0, or -1 when there is no item i. */
int bus_endpoint_at(const char *endpoints, int i, char *buf, size_t size);

/* Sends one message (topic NULL: one frame). flags: 0 or BUS_DONTWAIT.
 * Returns 0 or -1 (errno EAGAIN when it would block). */
int bus_send(void *sock, const char *topic, const void *data, size_t len, int flags);

/* Receives one message. topic (may be NULL) gets the first frame of a
 * two-frame message. *data is malloc'd, caller frees. Messages larger than
 * max_len are read and discarded (returns -1, errno EMSGSIZE).
 * Returns 0 or -1 (errno EAGAIN when flags has BUS_DONTWAIT and none). */
int bus_recv(void *sock, char *topic, size_t topic_size, char **data, size_t *len,
             size_t max_len, int flags);

#endif
