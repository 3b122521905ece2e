/*
 * NAME
 *   bus - ZeroMQ sockets for the inspraak bus (see bus.h)
 *
 * DESCRIPTION
 *   Every socket is made here with the same options, so that each service
 *   behaves the same on a slow or missing peer:
 *
 *     PUSH  ZMQ_IMMEDIATE=1 (queue only to a connected peer, so that with no
 *           classifier a send fails with EAGAIN and the record stays in the
 *           spool instead of in a ZeroMQ queue that dies with the process),
 *           SNDHWM 1000, LINGER 1000 ms (a short flush on close).
 *     PUB   SNDHWM 10000, LINGER 1000 ms. Drops at the HWM (acks are
 *           advisory: a lost ack is a harmless re-send).
 *     PULL, SUB  RCVHWM 1000, MAXMSGSIZE (a peer sending more is
 *           disconnected by ZeroMQ before the bytes are buffered), LINGER 0.
 *     all   TCP keepalive on; reconnect after 100 ms, backing off to 2 s.
 *     CURVE when INSPRAAK_BUS_CURVE_KEYS is set (bus_curve.h): PULL and PUB
 *           are servers, PUSH and SUB clients; a bad key folder makes the
 *           constructor fail, so the service stops with a fatal log line.
 *
 *   A registry of open sockets lets bus_shutdown() close whatever is still
 *   open (zmq_ctx_term() would otherwise hang on it).
 *
 * DIAGNOSTICS
 *   Constructors return NULL with a reason in err. bus_send/bus_recv return
 *   -1 with errno (EAGAIN, EINTR, EMSGSIZE, EPROTO, ETERM).
 */
#include "bus.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus_curve.h"
#include "xalloc.h"

#define BUS_MAX_SOCKETS 64
#define BUS_RECV_MAXMSG (4LL * 1024 * 1024)

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static void *s_ctx;
static void *s_socks[BUS_MAX_SOCKETS];

void *bus_context(void)
{
    pthread_mutex_lock(&s_lock);
    if (!s_ctx)
        s_ctx = zmq_ctx_new();
    void *ctx = s_ctx;
    pthread_mutex_unlock(&s_lock);
    return ctx;
}

static int s_register(void *sock)
{
    int rc = -1;
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < BUS_MAX_SOCKETS; i++)
        if (!s_socks[i]) {
            s_socks[i] = sock;
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&s_lock);
    return rc;
}

static void s_unregister(void *sock)
{
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < BUS_MAX_SOCKETS; i++)
        if (s_socks[i] == sock)
            s_socks[i] = NULL;
    pthread_mutex_unlock(&s_lock);
}

void bus_shutdown(void)
{
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < BUS_MAX_SOCKETS; i++)
        if (s_socks[i]) {
            zmq_close(s_socks[i]);
            s_socks[i] = NULL;
        }
    void *ctx = s_ctx;
    s_ctx = NULL;
    pthread_mutex_unlock(&s_lock);
    if (ctx)
        while (zmq_ctx_term(ctx) < 0 && errno == EINTR)
            ;
    bus_curve_reset(); /* after the term: the ZAP thread ends on ETERM */
}

int bus_endpoint_at(const char *endpoints, int i, char *buf, size_t size)
{
    if (!endpoints || i < 0 || size == 0)
        return -1;
    const char *p = endpoints;
    for (int k = 0; k < i; k++) {
        p = strchr(p, ',');
        if (!p)
            return -1;
        p++;
    }
    const char *end = strchr(p, ',');
    if (!end)
        end = p + strlen(p);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= size)
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}

static void *s_socket(int type, int linger, char *err, size_t errlen)
{
    void *sock = zmq_socket(bus_context(), type);
    if (!sock) {
        snprintf(err, errlen, "zmq_socket: %s", zmq_strerror(errno));
        return NULL;
    }
    int one = 1, hwm = type == ZMQ_PUB ? 10000 : 1000, ivl = 100, ivl_max = 2000;
    int64_t maxmsg = BUS_RECV_MAXMSG;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE, &one, sizeof one);
    zmq_setsockopt(sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    if (type == ZMQ_PUSH || type == ZMQ_PUB)
        zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    else {
        zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    }
    if (type == ZMQ_PUSH)
        zmq_setsockopt(sock, ZMQ_IMMEDIATE, &one, sizeof one);
    /* Binding sockets are the CURVE servers, connecting ones the clients. */
    if (bus_curve_apply(bus_context(), sock, type == ZMQ_PULL || type == ZMQ_PUB, err,
                        errlen) < 0) {
        zmq_close(sock);
        return NULL;
    }
    if (s_register(sock) < 0) {
        snprintf(err, errlen, "too many bus sockets (max %d)", BUS_MAX_SOCKETS);
        zmq_close(sock);
        return NULL;
    }
    return sock;
}

static void *s_fail(void *sock, const char *what, const char *ep, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s %s: %s", what, ep, zmq_strerror(errno));
    bus_close(&sock);
    return NULL;
}

/* Connects to every item of the list. */
static void *s_connect_all(void *sock, const char *endpoints, char *err, size_t errlen)
{
    char ep[512];
    int n = 0;
    for (int i = 0; bus_endpoint_at(endpoints, i, ep, sizeof ep) == 0; i++, n++)
        if (zmq_connect(sock, ep) < 0)
            return s_fail(sock, "cannot connect to", ep, err, errlen);
    if (n == 0) {
        errno = EINVAL;
        return s_fail(sock, "no endpoint in", endpoints ? endpoints : "(null)", err, errlen);
    }
    return sock;
}

static void *s_bind_at(void *sock, const char *endpoints, int instance, char *err, size_t errlen)
{
    char ep[512];
    if (bus_endpoint_at(endpoints, instance, ep, sizeof ep) < 0) {
        snprintf(err, errlen, "no endpoint number %d in %s", instance,
                 endpoints ? endpoints : "(null)");
        bus_close(&sock);
        return NULL;
    }
    if (zmq_bind(sock, ep) < 0)
        return s_fail(sock, "cannot bind", ep, err, errlen);
    return sock;
}

void *bus_push_connect(const char *endpoints, char *err, size_t errlen)
{
    void *sock = s_socket(ZMQ_PUSH, 1000, err, errlen);
    return sock ? s_connect_all(sock, endpoints, err, errlen) : NULL;
}

void *bus_pull_bind(const char *endpoints, int instance, char *err, size_t errlen)
{
    void *sock = s_socket(ZMQ_PULL, 0, err, errlen);
    return sock ? s_bind_at(sock, endpoints, instance, err, errlen) : NULL;
}

void *bus_pub_bind(const char *endpoints, int instance, char *err, size_t errlen)
{
    void *sock = s_socket(ZMQ_PUB, 1000, err, errlen);
    return sock ? s_bind_at(sock, endpoints, instance, err, errlen) : NULL;
}

void *bus_sub_connect(const char *endpoints, const char *topic, char *err, size_t errlen)
{
    void *sock = s_socket(ZMQ_SUB, 0, err, errlen);
    if (!sock)
        return NULL;
    const char *t = topic ? topic : "";
    if (strlen(t) >= BUS_MAX_TOPIC || zmq_setsockopt(sock, ZMQ_SUBSCRIBE, t, strlen(t)) < 0) {
        if (strlen(t) >= BUS_MAX_TOPIC)
            errno = EINVAL;
        return s_fail(sock, "cannot subscribe to", t, err, errlen);
    }
    return s_connect_all(sock, endpoints, err, errlen);
}

void bus_close(void **sock_p)
{
    if (!sock_p || !*sock_p)
        return;
    s_unregister(*sock_p);
    zmq_close(*sock_p);
    *sock_p = NULL;
}

int bus_send(void *sock, const char *topic, const void *data, size_t len, int flags)
{
    int zf = (flags & BUS_DONTWAIT) ? ZMQ_DONTWAIT : 0;
    /* Multipart messages are delivered whole or not at all, so a failure
     * on the first frame leaves nothing half-sent. */
    if (topic && zmq_send(sock, topic, strlen(topic), zf | ZMQ_SNDMORE) < 0)
        return -1;
    for (;;) {
        if (zmq_send(sock, data, len, zf) >= 0)
            return 0;
        /* The topic frame is already queued: the body must follow it. */
        if (!topic || errno != EINTR)
            return -1;
    }
}

/* Receives one frame into msg, retrying EINTR once a message has started
 * (the rest of a multipart message is already here and must be taken). */
static int s_recv_frame(void *sock, zmq_msg_t *msg, int zf, int started)
{
    for (;;) {
        if (zmq_msg_recv(msg, sock, zf) >= 0)
            return 0;
        if (!(started && errno == EINTR))
            return -1;
    }
}

static void s_drain(void *sock)
{
    int more = 1;
    size_t sz = sizeof more;
    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        int rc = s_recv_frame(sock, &m, 0, 1);
        zmq_msg_close(&m);
        if (rc < 0)
            return;
        sz = sizeof more;
    }
}

int bus_recv(void *sock, char *topic, size_t topic_size, char **data, size_t *len, size_t max_len,
             int flags)
{
    int zf = (flags & BUS_DONTWAIT) ? ZMQ_DONTWAIT : 0;
    zmq_msg_t first, body;
    *data = NULL;
    *len = 0;
    if (topic && topic_size)
        topic[0] = '\0';
    zmq_msg_init(&first);
    if (s_recv_frame(sock, &first, zf, 0) < 0) {
        int e = errno;
        zmq_msg_close(&first);
        errno = e; /* EAGAIN, EINTR (the caller checks its stop flag), ETERM */
        return -1;
    }
    zmq_msg_t *payload = &first;
    int err = 0;
    zmq_msg_init(&body);
    if (zmq_msg_more(&first)) {
        size_t tl = zmq_msg_size(&first);
        if (topic && (tl >= topic_size || tl >= BUS_MAX_TOPIC))
            err = EPROTO;
        else if (topic) {
            memcpy(topic, zmq_msg_data(&first), tl);
            topic[tl] = '\0';
        }
        if (s_recv_frame(sock, &body, 0, 1) < 0)
            err = errno;
        payload = &body;
        if (!err && zmq_msg_more(&body))
            err = EPROTO; /* more than two frames: not ours */
    }
    s_drain(sock);
    if (!err && zmq_msg_size(payload) > max_len)
        err = EMSGSIZE;
    if (!err) {
        *len = zmq_msg_size(payload);
        *data = xmalloc(*len + 1);
        memcpy(*data, zmq_msg_data(payload), *len);
        (*data)[*len] = '\0'; /* convenience for text payloads; not counted */
    }
    zmq_msg_close(&first);
    zmq_msg_close(&body);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}
