/*
 * NAME
 *   config - settings from environment variables, with documented defaults
 *
 * DESCRIPTION
 *   Every service reads its settings here and nowhere else, so that
 *   docs/configuration.md can list them all. Ports follow INTERFACES.md:
 *   every port is INSPRAAK_PORT_BASE (default 8080) plus a fixed offset, so
 *   a test can move a whole installation with one variable.
 *
 *   Common variables (defaults in brackets):
 *     INSPRAAK_VAR        state folder [./var]
 *     INSPRAAK_PORT_BASE  base of all ports [8080]
 *     INSPRAAK_INSTANCE   instance number of this process [0]
 *     INSPRAAK_DATA       data folder (geo, nl) [./data]
 *     INSPRAAK_REDIS_URL  redis://[:password@]host:port[/db], or
 *                         redis-sentinel://h:p[,h:p...]/master[?db=N] [redis://127.0.0.1:PORT_BASE-1690]
 *                         (redis://user:password@... for a Redis 6 ACL user)
 *     INSPRAAK_REDIS_PASSWORD_FILE  file holding the Redis password (mode 0600
 *                         or stricter, else config_load fails; a systemd
 *                         credential, $CREDENTIALS_DIRECTORY/NAME, may show
 *                         0440, its ACL mask); config_load
 *                         puts it, percent-encoded, into redis_url, so the
 *                         URL itself may name a user but must hold no password
 *     INSPRAAK_BUS_CURVE_KEYS  CURVE key folder for the bus (bus_curve.h) [unset: plain TCP]
 *     INSPRAAK_BUS_CLASSIFY  comma list of classifier PULL endpoints [tcp://127.0.0.1:BASE+11]
 *     INSPRAAK_BUS_STORE     comma list of storage PULL endpoints [tcp://127.0.0.1:BASE+12]
 *     INSPRAAK_BUS_EVENTS    comma list of storage PUB endpoints [tcp://127.0.0.1:BASE+13]
 *     INSPRAAK_HTTP_PORT  this service's HTTP/admin port [BASE + service offset + 20*INSTANCE]
 *     INSPRAAK_HTTP_THREADS  HTTP worker threads [0 = one thread per connection;
 *                            intake-form: 0 = an epoll pool of one thread per
 *                            core, its answers wait suspended for the fsync]
 *     INSPRAAK_MAX_BODY   largest accepted request body in bytes [1048576]
 *     INSPRAAK_RESEND_MS  first re-send delay for unacknowledged spool records [3000]
 *     INSPRAAK_LOG_LEVEL  debug|info|warn|error [info]
 *   Instance i of a service that binds a bus endpoint binds item i of the
 *   list (see bus.h).
 */
#ifndef INSPRAAK_CONFIG_H
#define INSPRAAK_CONFIG_H

#include <stddef.h>

/* Port offsets from INSPRAAK_PORT_BASE. */
enum {
    PORT_OFF_FORM = 0,
    PORT_OFF_MAIL = 1,
    PORT_OFF_TRANSCRIPT = 2,
    PORT_OFF_FIELD = 3,
    PORT_OFF_CLASSIFIER = 4,
    PORT_OFF_STORAGE = 5,
    PORT_OFF_NOTIFY = 6,
    PORT_OFF_DASHBOARD = 10,
    PORT_OFF_BUS_CLASSIFY = 11,
    PORT_OFF_BUS_STORE = 12,
    PORT_OFF_BUS_EVENTS = 13,
    PORT_OFF_REDIS = -1690 /* 8080 -> 6390 */
};

/* INSPRAAK_PORT_BASE: its default and the range it may take. */
enum { PORT_BASE_DEFAULT = 8080, PORT_BASE_MIN = 1700, PORT_BASE_MAX = 65000 };

typedef struct {
    char service[48];   /* e.g. "storage" */
    char name[64];      /* service.instance, e.g. "storage.0"; used as bus origin */
    int instance;
    int port_base;
    int http_port;
    int http_threads;
    size_t max_body;
    long resend_ms;
    char var_dir[512];
    char data_dir[512];
    char redis_url[1024]; /* may hold the password: never log it */
    char bus_classify[1024];
    char bus_store[1024];
    char bus_events[1024];
} config_t;

/* Fills cfg from the environment for the given service, whose HTTP port is
 * PORT_BASE + http_offset (+ 20 * instance). Returns 0, or -1 with a reason
 * in err when a variable holds a value that cannot be used (the service
 * should then exit: a wrong setting is not something to guess around). */
int config_load(config_t *cfg, const char *service, int http_offset, char *err, size_t errlen);

/* A string setting: the environment's value, or def when unset or empty. */
const char *config_str(const char *name, const char *def);

/* An integer setting within [min, max]. Returns -1 with a reason in err when
 * the value is not a number or out of range; *out = def when unset. */
int config_long(const char *name, long def, long min, long max, long *out, char *err,
                size_t errlen);

/* PORT_BASE + offset from the environment alone (for tools). */
int config_port(int offset);

/* Makes $INSPRAAK_VAR/<sub> (and parents) and writes its path into buf.
 * Returns 0 or -1 (errno set). */
int config_var_path(const config_t *cfg, const char *sub, char *buf, size_t size);

#endif
