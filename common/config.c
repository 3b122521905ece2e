/*
 * NAME
 *   config - settings from environment variables (see config.h)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *config_str(const char *name, const char *def)
{
    const char *v = getenv(name);
    return (v && *v) ? v : def;
}

int config_long(const char *name, long def, long min, long max, long *out, char *err,
                size_t errlen)
{
    const char *v = getenv(name);
    *out = def;
    if (!v || !*v)
        return 0;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || n < min || n > max) {
        snprintf(err, errlen, "%s=%s is not a number between %ld and %ld", name, v, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

int config_port(int offset)
{
    long base = PORT_BASE_DEFAULT;
    char err[128];
    if (config_long("INSPRAAK_PORT_BASE", PORT_BASE_DEFAULT, PORT_BASE_MIN, PORT_BASE_MAX, &base,
                    err, sizeof err) < 0)
        base = PORT_BASE_DEFAULT;
    return (int)base + offset;
}

static int s_copy(char *dst, size_t size, const char *src, const char *what, char *err,
                  size_t errlen)
{
    if (strlen(src) >= size) {
        snprintf(err, errlen, "%s is too long", what);
        return -1;
    }
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int s_endpoint_default(char *dst, size_t size, const char *var, int port, char *err,
                              size_t errlen)
{
    char def[64];
    snprintf(def, sizeof def, "tcp://127.0.0.1:%d", port);
    return s_copy(dst, size, config_str(var, def), var, err, errlen);
}

/* 1 when path is a file directly in $CREDENTIALS_DIRECTORY: a systemd
 * credential (LoadCredential=), a read-only copy only the unit's user may
 * read. Where systemd grants that read with an ACL (a tmpfs: newer
 * systemd, or no ramfs) the file is root's 0400 and stat shows the ACL's
 * mask, r, in the group bits: 0440, though the group itself cannot read. */
static int s_is_credential(const char *path)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    size_t n = dir ? strlen(dir) : 0;
    return n > 0 && strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] &&
           !strchr(path + n + 1, '/');
}

/* Reads the password file: a regular file that group and others cannot
 * read (a systemd credential: see s_is_credential), one line of at most
 * 255 bytes. */
static int s_read_secret(const char *var, const char *path, char *out, size_t size, char *err,
                         size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errlen, "%s=%s: %s", var, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    mode_t refused = s_is_credential(path) ? 037 : 077;
    if (!S_ISREG(st.st_mode) || (st.st_mode & refused)) {
        snprintf(err, errlen, "%s=%s: mode %04o; refusing a secret that group or others can "
                 "read (want a regular file with mode 0600)", var, path,
                 (unsigned)(st.st_mode & 07777));
        close(fd);
        return -1;
    }
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        n--;
    if (n <= 0 || (size_t)n >= size - 1 || memchr(out, '\0', (size_t)n) || memchr(out, '\n', (size_t)n)) {
        explicit_bzero(out, size);
        snprintf(err, errlen, "%s=%s: want one line of 1 to %zu bytes", var, path, size - 2);
        return -1;
    }
    out[n] = '\0';
    return 0;
}

/* Puts the password from INSPRAAK_REDIS_PASSWORD_FILE into cfg->redis_url
 * ("scheme://[user]:ENCODED@rest"), so every rstore_new() caller gets it
 * unchanged. A URL that already holds a password is an error: two sources
 * of one secret would hide which one is used. */
static int s_redis_password_file(config_t *cfg, char *err, size_t errlen)
{
    static const char var[] = "INSPRAAK_REDIS_PASSWORD_FILE";
    const char *path = config_str(var, NULL);
    if (!path)
        return 0;
    char pw[257], url[sizeof cfg->redis_url];
    const char *u = cfg->redis_url, *rest = strstr(u, "://");
    if (!rest) {
        snprintf(err, errlen, "INSPRAAK_REDIS_URL has no scheme");
        return -1;
    }
    rest += 3;
    const char *slash = rest + strcspn(rest, "/?#");
    const char *at = memchr(rest, '@', (size_t)(slash - rest));
    if (at && memchr(rest, ':', (size_t)(at - rest))) {
        snprintf(err, errlen, "INSPRAAK_REDIS_URL holds a password and %s is set: use one", var);
        return -1;
    }
    if (s_read_secret(var, path, pw, sizeof pw, err, errlen) < 0)
        return -1;
    size_t o = (size_t)snprintf(url, sizeof url, "%.*s%.*s:", (int)(rest - u), u,
                                at ? (int)(at - rest) : 0, rest);
    for (const unsigned char *p = (const unsigned char *)pw; *p && o + 4 < sizeof url; p++) {
        if ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            url[o++] = (char)*p;
        else
            o += (size_t)snprintf(url + o, 4, "%%%02X", *p);
    }
    const char *host = at ? at + 1 : rest;
    int ok = o + 1 + strlen(host) + 1 <= sizeof url;
    if (ok) {
        url[o++] = '@';
        memcpy(url + o, host, strlen(host) + 1);
        memcpy(cfg->redis_url, url, strlen(url) + 1);
    } else
        snprintf(err, errlen, "INSPRAAK_REDIS_URL with the password from %s is too long", var);
    explicit_bzero(pw, sizeof pw);
    explicit_bzero(url, sizeof url);
    return ok ? 0 : -1;
}

int config_load(config_t *cfg, const char *service, int http_offset, char *err, size_t errlen)
{
    long base, instance, port, threads, max_body, resend;
    memset(cfg, 0, sizeof *cfg);
    if (s_copy(cfg->service, sizeof cfg->service, service, "service name", err, errlen) < 0)
        return -1;
    if (config_long("INSPRAAK_PORT_BASE", PORT_BASE_DEFAULT, PORT_BASE_MIN, PORT_BASE_MAX, &base,
                    err, errlen) < 0 ||
        config_long("INSPRAAK_INSTANCE", 0, 0, 99, &instance, err, errlen) < 0 ||
        config_long("INSPRAAK_HTTP_PORT", base + http_offset + 20 * instance, 0, 65535, &port,
                    err, errlen) < 0 ||
        config_long("INSPRAAK_HTTP_THREADS", 0, 0, 1024, &threads, err, errlen) < 0 ||
        config_long("INSPRAAK_MAX_BODY", 1048576, 1024, 256L * 1048576, &max_body, err,
                    errlen) < 0 ||
        config_long("INSPRAAK_RESEND_MS", 3000, 10, 3600000, &resend, err, errlen) < 0)
        return -1;
    cfg->port_base = (int)base;
    cfg->instance = (int)instance;
    cfg->http_port = (int)port;
    cfg->http_threads = (int)threads;
    cfg->max_body = (size_t)max_body;
    cfg->resend_ms = resend;
    snprintf(cfg->name, sizeof cfg->name, "%s.%d", service, cfg->instance);

    char redis_def[64];
    snprintf(redis_def, sizeof redis_def, "redis://127.0.0.1:%ld", base + PORT_OFF_REDIS);
    if (s_copy(cfg->var_dir, sizeof cfg->var_dir, config_str("INSPRAAK_VAR", "./var"),
               "INSPRAAK_VAR", err, errlen) < 0 ||
        s_copy(cfg->data_dir, sizeof cfg->data_dir, config_str("INSPRAAK_DATA", "./data"),
               "INSPRAAK_DATA", err, errlen) < 0 ||
        s_copy(cfg->redis_url, sizeof cfg->redis_url,
               config_str("INSPRAAK_REDIS_URL", redis_def), "INSPRAAK_REDIS_URL", err,
               errlen) < 0 ||
        s_endpoint_default(cfg->bus_classify, sizeof cfg->bus_classify, "INSPRAAK_BUS_CLASSIFY",
                           (int)base + PORT_OFF_BUS_CLASSIFY, err, errlen) < 0 ||
        s_endpoint_default(cfg->bus_store, sizeof cfg->bus_store, "INSPRAAK_BUS_STORE",
                           (int)base + PORT_OFF_BUS_STORE, err, errlen) < 0 ||
        s_endpoint_default(cfg->bus_events, sizeof cfg->bus_events, "INSPRAAK_BUS_EVENTS",
                           (int)base + PORT_OFF_BUS_EVENTS, err, errlen) < 0 ||
        s_redis_password_file(cfg, err, errlen) < 0)
        return -1;
    return 0;
}

int config_var_path(const config_t *cfg, const char *sub, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", cfg->var_dir, sub);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* mkdir -p, one component at a time. */
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST) {
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    if (mkdir(buf, 0750) < 0 && errno != EEXIST)
        return -1;
    return 0;
}
