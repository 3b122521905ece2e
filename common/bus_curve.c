/*
 * NAME
 *   bus_curve - CURVE encryption and client authentication for the bus
 *   (see bus_curve.h)
 *
 * DESCRIPTION
 *   libzmq does the CURVE handshake and encryption; it asks a ZAP handler
 *   whether a client key may connect, and no library we use ships one, so
 *   the small handler (RFC 27) is written here. Without a bound handler
 *   libzmq would let every key in, so the handler is bound before the first
 *   server socket is configured.
 *
 * DIAGNOSTICS
 *   Refused clients are logged at warn with their address and public key
 *   (machine keys, not personal data).
 */
#include "bus_curve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "config.h"
#include "log.h"

#define CURVE_KEY_Z85 40
#define CURVE_KEY_BIN 32
#define CURVE_MAX_CLIENTS 256
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

typedef struct {
    int server_loaded, client_loaded;
    unsigned char server_secret[CURVE_KEY_BIN];
    unsigned char server_public[CURVE_KEY_BIN];
    unsigned char client_public[CURVE_KEY_BIN];
    unsigned char client_secret[CURVE_KEY_BIN];
    unsigned char allowed[CURVE_MAX_CLIENTS][CURVE_KEY_BIN];
    int nallowed;
    int zap_running;
    pthread_t zap_thread;
} curve_state_t;

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static curve_state_t s_st;

int bus_curve_enabled(void)
{
    return config_str(BUS_CURVE_ENV, NULL) != NULL;
}

int bus_curve_check_mode(const char *path, int want_dir, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        snprintf(err, errlen, "%s: %s: %s", BUS_CURVE_ENV, path, strerror(errno));
        return -1;
    }
    if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: %s is not a %s", BUS_CURVE_ENV, path,
                 want_dir ? "folder" : "regular file");
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen, "%s: %s has mode %04o; refusing keys that group or others can "
                 "read (want %s)", BUS_CURVE_ENV, path, (unsigned)(st.st_mode & 07777),
                 want_dir ? "0700" : "0600");
        return -1;
    }
    return 0;
}

/* Reads one Z85 key file (40 characters, optional trailing newline) after
 * the mode check, and decodes it. */
static int s_read_key(const char *path, unsigned char *out, char *err, size_t errlen)
{
    if (bus_curve_check_mode(path, 0, err, errlen) < 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s: %s", BUS_CURVE_ENV, path, strerror(errno));
        return -1;
    }
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    if (n == CURVE_KEY_Z85) {
        buf[n] = '\0';
        if (zmq_z85_decode(out, buf)) {
            explicit_bzero(buf, sizeof buf);
            return 0;
        }
    }
    explicit_bzero(buf, sizeof buf);
    snprintf(err, errlen, "%s: %s does not hold a 40-character Z85 key", BUS_CURVE_ENV, path);
    return -1;
}

static int s_key_at(const char *dir, const char *name, unsigned char *out, char *err,
                    size_t errlen)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", BUS_CURVE_ENV);
        return -1;
    }
    return s_read_key(path, out, err, errlen);
}

/* Every clients/NAME.key into s_st.allowed. */
static int s_load_clients(const char *dir, char *err, size_t errlen)
{
    char cdir[1024];
    snprintf(cdir, sizeof cdir, "%s/clients", dir);
    if (bus_curve_check_mode(cdir, 1, err, errlen) < 0)
        return -1;
    DIR *d = opendir(cdir);
    if (!d) {
        snprintf(err, errlen, "%s: %s: %s", BUS_CURVE_ENV, cdir, strerror(errno));
        return -1;
    }
    int rc = 0;
    s_st.nallowed = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".key") != 0)
            continue;
        if (s_st.nallowed >= CURVE_MAX_CLIENTS) {
            snprintf(err, errlen, "%s: more than %d client keys", BUS_CURVE_ENV,
                     CURVE_MAX_CLIENTS);
            rc = -1;
        } else if (s_key_at(cdir, e->d_name, s_st.allowed[s_st.nallowed], err, errlen) == 0)
            s_st.nallowed++;
        else
            rc = -1;
    }
    closedir(d);
    if (rc == 0 && s_st.nallowed == 0) {
        snprintf(err, errlen, "%s: no client key in %s (nobody could connect)", BUS_CURVE_ENV,
                 cdir);
        rc = -1;
    }
    return rc;
}

static int s_allowed(const unsigned char *key)
{
    for (int i = 0; i < s_st.nallowed; i++)
        if (memcmp(s_st.allowed[i], key, CURVE_KEY_BIN) == 0)
            return 1;
    return 0;
}

/* Sends one reply frame; more: 1 when frames follow. */
static void s_send(void *sock, const void *data, size_t len, int more)
{
    zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0);
}

/* Answers one ZAP request (RFC 27): frames version, request id, domain,
 * address, identity, mechanism, credentials... */
static void s_zap_answer(void *sock, zmq_msg_t *f, int n)
{
    const char *status = "400", *text = "client key not allowed";
    int ok_shape = n >= 7 && zmq_msg_size(&f[0]) == 3 && memcmp(zmq_msg_data(&f[0]), "1.0", 3) == 0;
    if (!ok_shape) {
        status = "500";
        text = "malformed request";
    } else if (zmq_msg_size(&f[5]) == 5 && memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
               zmq_msg_size(&f[6]) == CURVE_KEY_BIN && s_allowed(zmq_msg_data(&f[6]))) {
        status = "200";
        text = "OK";
    } else {
        char addr[64] = "", key[CURVE_KEY_Z85 + 1] = "?";
        size_t al = zmq_msg_size(&f[3]) < sizeof addr ? zmq_msg_size(&f[3]) : sizeof addr - 1;
        memcpy(addr, zmq_msg_data(&f[3]), al);
        addr[al] = '\0';
        if (zmq_msg_size(&f[6]) == CURVE_KEY_BIN)
            zmq_z85_encode(key, zmq_msg_data(&f[6]), CURVE_KEY_BIN);
        log_warn("msg=\"bus client refused\" address=%s key=\"%s\"", addr, key);
    }
    s_send(sock, "1.0", 3, 1);
    if (n >= 2)
        s_send(sock, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), 1);
    else
        s_send(sock, "", 0, 1);
    s_send(sock, status, 3, 1);
    s_send(sock, text, strlen(text), 1);
    s_send(sock, "", 0, 1); /* user id */
    s_send(sock, "", 0, 0); /* metadata */
}

/* The ZAP handler: runs until the context is terminated (ETERM). */
static void *s_zap_main(void *arg)
{
    void *sock = arg;
    for (;;) {
        zmq_msg_t f[8];
        int n = 0, more = 1, failed = 0;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, sock, 0) < 0) {
                zmq_msg_close(&m);
                if (errno == EINTR) /* the next call goes on where this stopped */
                    continue;
                failed = 1;
                break;
            }
            more = zmq_msg_more(&m);
            if (n < 8)
                f[n++] = m; /* zmq_msg_t may be moved by value until used */
            else
                zmq_msg_close(&m);
        }
        if (!failed)
            s_zap_answer(sock, f, n);
        for (int i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
        if (failed && errno == ETERM)
            break;
    }
    zmq_close(sock);
    return NULL;
}

static int s_start_zap(void *ctx, char *err, size_t errlen)
{
    void *sock = zmq_socket(ctx, ZMQ_REP);
    int zero = 0;
    if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
        zmq_bind(sock, ZAP_ENDPOINT) < 0) {
        snprintf(err, errlen, "cannot start the bus ZAP handler: %s", zmq_strerror(errno));
        if (sock)
            zmq_close(sock);
        return -1;
    }
    /* The thread owns the socket from here (pthread_create is the full
     * memory barrier ZeroMQ asks for when a socket changes thread). */
    if (pthread_create(&s_st.zap_thread, NULL, s_zap_main, sock) != 0) {
        snprintf(err, errlen, "cannot start the bus ZAP thread");
        zmq_close(sock);
        return -1;
    }
    s_st.zap_running = 1;
    return 0;
}

static int s_load(void *ctx, const char *dir, int server, char *err, size_t errlen)
{
    if (bus_curve_check_mode(dir, 1, err, errlen) < 0)
        return -1;
    if (server && !s_st.server_loaded) {
        if (s_key_at(dir, "server.key_secret", s_st.server_secret, err, errlen) < 0 ||
            s_load_clients(dir, err, errlen) < 0 || s_start_zap(ctx, err, errlen) < 0)
            return -1;
        s_st.server_loaded = 1;
    }
    if (!server && !s_st.client_loaded) {
        if (s_key_at(dir, "server.key", s_st.server_public, err, errlen) < 0 ||
            s_key_at(dir, "client.key", s_st.client_public, err, errlen) < 0 ||
            s_key_at(dir, "client.key_secret", s_st.client_secret, err, errlen) < 0)
            return -1;
        s_st.client_loaded = 1;
    }
    return 0;
}

int bus_curve_apply(void *ctx, void *sock, int server, char *err, size_t errlen)
{
    const char *dir = config_str(BUS_CURVE_ENV, NULL);
    if (!dir)
        return 0;
    err[0] = '\0';
    pthread_mutex_lock(&s_lock);
    int rc = s_load(ctx, dir, server, err, errlen);
    if (rc == 0 && server) {
        int one = 1;
        if (zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "inspraak", 8) < 0 ||
            zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) < 0 ||
            zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, s_st.server_secret, CURVE_KEY_BIN) < 0)
            rc = -1;
    } else if (rc == 0) {
        if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, s_st.server_public, CURVE_KEY_BIN) < 0 ||
            zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, s_st.client_public, CURVE_KEY_BIN) < 0 ||
            zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, s_st.client_secret, CURVE_KEY_BIN) < 0)
            rc = -1;
    }
    if (rc < 0 && !err[0])
        snprintf(err, errlen, "cannot set CURVE options: %s (libzmq without CURVE?)",
                 zmq_strerror(errno));
    pthread_mutex_unlock(&s_lock);
    return rc;
}

void bus_curve_reset(void)
{
    pthread_mutex_lock(&s_lock);
    if (s_st.zap_running)
        pthread_join(s_st.zap_thread, NULL);
    explicit_bzero(&s_st, sizeof s_st);
    pthread_mutex_unlock(&s_lock);
}

/* --- making keys ---------------------------------------------------------- */

static int s_mkdir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %s: %s", path, strerror(errno));
        return -1;
    }
    return bus_curve_check_mode(path, 1, err, errlen);
}

/* Writes a new file with mode 0600 (O_EXCL: an existing key is kept). */
static int s_write_key(const char *dir, const char *name, const char *z85, char *err,
                       size_t errlen)
{
    char path[1024], line[CURVE_KEY_Z85 + 2];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        snprintf(err, errlen, "path too long: %s", dir);
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot make %s: %s", path, strerror(errno));
        return -1;
    }
    int n = snprintf(line, sizeof line, "%s\n", z85);
    int ok = fchmod(fd, 0600) == 0 && write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    explicit_bzero(line, sizeof line);
    if (close(fd) < 0 || !ok) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int bus_curve_make_keys(const char *dir, char *err, size_t errlen)
{
    char spub[CURVE_KEY_Z85 + 1], ssec[CURVE_KEY_Z85 + 1];
    char cpub[CURVE_KEY_Z85 + 1], csec[CURVE_KEY_Z85 + 1], cdir[1024];
    if (snprintf(cdir, sizeof cdir, "%s/clients", dir) >= (int)sizeof cdir) {
        snprintf(err, errlen, "path too long: %s", dir);
        return -1;
    }
    if (zmq_curve_keypair(spub, ssec) < 0 || zmq_curve_keypair(cpub, csec) < 0) {
        snprintf(err, errlen, "zmq_curve_keypair: %s (libzmq without CURVE?)",
                 zmq_strerror(errno));
        return -1;
    }
    int rc = s_mkdir(dir, err, errlen) < 0 || s_mkdir(cdir, err, errlen) < 0 ||
                     s_write_key(dir, "server.key", spub, err, errlen) < 0 ||
                     s_write_key(dir, "server.key_secret", ssec, err, errlen) < 0 ||
                     s_write_key(dir, "client.key", cpub, err, errlen) < 0 ||
                     s_write_key(dir, "client.key_secret", csec, err, errlen) < 0 ||
                     s_write_key(cdir, "client.key", cpub, err, errlen) < 0
                 ? -1
                 : 0;
    explicit_bzero(ssec, sizeof ssec);
    explicit_bzero(csec, sizeof csec);
    return rc;
}
