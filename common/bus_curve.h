/*
 * NAME
 *   bus_curve - CURVE encryption and client authentication for the bus
 *
 * DESCRIPTION
 *   Off unless INSPRAAK_BUS_CURVE_KEYS names a key folder (made by
 *   `inspraakctl bus-keys FOLDER`):
 *
 *     FOLDER/               mode 0700
 *       server.key          server public key (Z85, 40 characters)
 *       server.key_secret   server secret key  (only binding hosts need it)
 *       client.key          this host's client public key
 *       client.key_secret   this host's client secret key
 *       clients/            mode 0700
 *         NAME.key          every client public key the servers accept
 *
 *   Every file must be mode 0600 or stricter and every folder 0700 or
 *   stricter; anything looser (group or others may read) is refused, so a
 *   service will not start on keys someone else may have copied.
 *   Binding sockets (PULL, PUB) become CURVE servers; a ZAP handler thread
 *   (RFC 27, inproc://zeromq.zap.01) accepts only the keys in clients/,
 *   read once when the first binding socket is made (restart to add one).
 *   Connecting sockets (PUSH, SUB) become CURVE clients of server.key.
 *   Only bus.c calls these functions.
 */
#ifndef INSPRAAK_BUS_CURVE_H
#define INSPRAAK_BUS_CURVE_H

#include <stddef.h>

#define BUS_CURVE_ENV "INSPRAAK_BUS_CURVE_KEYS"

/* Makes sock (not yet bound or connected) a CURVE server (server = 1) or
 * client (server = 0) when INSPRAAK_BUS_CURVE_KEYS is set; a server also
 * gets the ZAP handler, started on ctx the first time. Returns 0 (also
 * when CURVE is off) or -1 with a reason in err. */
int bus_curve_apply(void *ctx, void *sock, int server, char *err, size_t errlen);

/* 1 when INSPRAAK_BUS_CURVE_KEYS is set. */
int bus_curve_enabled(void);

/* After zmq_ctx_term(): waits for the ZAP thread (which ends on ETERM) and
 * forgets the keys, so the next context reads them again. */
void bus_curve_reset(void);

/* 0 when path is a regular file (want_dir 0) or folder (want_dir 1) that
 * group and others cannot access; else -1 with a reason in err. */
int bus_curve_check_mode(const char *path, int want_dir, char *err, size_t errlen);

/* Makes a key folder as above with a new server pair and one client pair
 * (zmq_curve_keypair), the client's public key also in clients/client.key.
 * dir is made with mode 0700, or must already be 0700 and hold no keys;
 * files are 0600 and never overwritten. Returns 0 or -1 with err. */
int bus_curve_make_keys(const char *dir, char *err, size_t errlen);

#endif
