/*
 * NAME
 *   http_req - request accessors and form parsing (see http.h)
 *
 * DESCRIPTION
 *   Everything reads libmicrohttpd's copy of the request, which lives until
 *   the handler returns. http_form_fields() feeds the already collected
 *   body to libmicrohttpd's post processor (urlencoded and multipart alike)
 *   and joins the pieces it delivers (a value may arrive in several chunks,
 *   with offsets) so the callback sees each field once, whole, in order.
 *   Limits: HTTP_FORM_MAX_FIELDS fields, max_value bytes per value.
 */
#include "http.h"

#include "http_int.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_FORM_MAX_FIELDS 64

const char *http_method(const http_req_t *req)
{
    return req->method;
}

const char *http_path(const http_req_t *req)
{
    return req->path;
}

const char *http_path_rest(const http_req_t *req)
{
    return req->rest ? req->rest : "";
}

const char *http_header(const http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct {
    http_field_fn fn;
    void *arg;
} s_each_t;

static enum MHD_Result s_query_one(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    s_each_t *e = cls;
    const char *v = value ? value : "";
    return e->fn(key, v, strlen(v), e->arg) == 0 ? MHD_YES : MHD_NO;
}

void http_query_each(const http_req_t *req, http_field_fn fn, void *arg)
{
    s_each_t e = {fn, arg};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, s_query_one, &e);
}

const char *http_body(const http_req_t *req, size_t *len)
{
    if (len)
        *len = req->body ? req->len : 0;
    return req->body ? req->body : "";
}

const char *http_content_type(const http_req_t *req, char *buf, size_t size)
{
    const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || size == 0)
        return NULL;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    if (n == 0 || n >= size)
        return NULL;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)ct[i]);
    buf[n] = '\0';
    return buf;
}

const char *http_bearer(const http_req_t *req)
{
    const char *a = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!a || strncasecmp(a, "Bearer ", 7) != 0)
        return NULL;
    a += 7;
    while (*a == ' ')
        a++;
    return *a ? a : NULL;
}

/* An IPv6 address in inet_ntop form into out, an IPv4-mapped one
 * ("::ffff:192.0.2.1", how a dual-stack listener sees an IPv4 peer) as
 * the IPv4 address it is, so that one address has one form. */
static const char *s_ntop6(const struct in6_addr *a, char *out, size_t size)
{
    if (IN6_IS_ADDR_V4MAPPED(a))
        return inet_ntop(AF_INET, a->s6_addr + 12, out, (socklen_t)size);
    return inet_ntop(AF_INET6, a, out, (socklen_t)size);
}

/* Whether s (len bytes) is a port number: 1 to 5 digits. */
static int s_port_digits(const char *s, size_t len)
{
    if (len == 0 || len > 5)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* s (len bytes, spaces around allowed) as an address in inet_ntop form
 * into out (s_ntop6); 0, or -1 when it is no IPv4 or IPv6 address. A port
 * some proxies add is dropped: "192.0.2.1:51234", "[2001:db8::1]:443"
 * (and "[2001:db8::1]"); an IPv6 address with a port has its brackets. */
static int s_address(const char *s, size_t len, char *out, size_t size)
{
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    int bracketed = len > 0 && s[0] == '[';
    if (bracketed) {
        const char *close = memchr(s, ']', len);
        size_t after = close ? len - (size_t)(close - s) - 1 : 0;
        if (!close || (after > 0 && (close[1] != ':' || !s_port_digits(close + 2, after - 1))))
            return -1;
        len = (size_t)(close - s) - 1;
        s++;
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1)) {
            /* one colon: IPv4 with a port (an IPv6 address has two or more) */
            if (!s_port_digits(colon + 1, len - (size_t)(colon - s) - 1))
                return -1;
            len = (size_t)(colon - s);
        }
    }
    char text[INET6_ADDRSTRLEN];
    struct in6_addr bin;
    if (len == 0 || len >= sizeof text)
        return -1;
    memcpy(text, s, len);
    text[len] = '\0';
    if (!bracketed && inet_pton(AF_INET, text, &bin) == 1)
        return inet_ntop(AF_INET, &bin, out, (socklen_t)size) ? 0 : -1;
    if (inet_pton(AF_INET6, text, &bin) == 1)
        return s_ntop6(&bin, out, size) ? 0 : -1;
    return -1;
}

int http_proxies_parse(http_server_t *srv, char *err, size_t errlen)
{
    if (srv->n_proxies > 0) /* parsed by an earlier start */
        return 0;
    for (const char *p = srv->proxies_text; p && *p;) {
        p += strspn(p, " \t");
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char a[INET6_ADDRSTRLEN];
        if (s_address(p, len, a, sizeof a) < 0) {
            snprintf(err, errlen, "INSPRAAK_TRUSTED_PROXIES: \"%.*s\" is not an IP address",
                     (int)(len > 64 ? 64 : len), p);
            return -1; /* what was kept is freed with the server */
        }
        srv->proxies = xrealloc(srv->proxies, sizeof *srv->proxies * (size_t)(srv->n_proxies + 1));
        srv->proxies[srv->n_proxies++] = xstrdup(a);
        p = end ? end + 1 : p + len;
    }
    return 0;
}

static int s_trusted(const http_server_t *srv, const char *addr)
{
    for (int i = 0; i < srv->n_proxies; i++)
        if (strcmp(srv->proxies[i], addr) == 0)
            return 1;
    return 0;
}

/* The X-Forwarded-For lines of a request, in the order received (MHD
 * keeps them for the request's life); more than FORWARDED_LINES_MAX:
 * the last ones, which the nearest proxies wrote. */
#define FORWARDED_LINES_MAX 8
typedef struct {
    const char *line[FORWARDED_LINES_MAX];
    int n;
} s_forwarded_t;

static enum MHD_Result s_forwarded_line(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    s_forwarded_t *fw = cls;
    if (!key || !value || strcasecmp(key, "X-Forwarded-For") != 0)
        return MHD_YES;
    if (fw->n == FORWARDED_LINES_MAX) {
        memmove(fw->line, fw->line + 1, sizeof fw->line[0] * (FORWARDED_LINES_MAX - 1));
        fw->n--;
    }
    fw->line[fw->n++] = value;
    return MHD_YES;
}

/* One X-Forwarded-For line from the right: each address is believed in
 * turn into buf; 0 when every one was a trusted proxy (go on with the
 * line before), -1 at the first that is not (or is no address). */
static int s_forwarded_walk(const http_server_t *srv, const char *xff, char *buf, size_t size)
{
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char a[INET6_ADDRSTRLEN];
        if (s_address(xff + start, end - start, a, sizeof a) < 0)
            return -1; /* garbage: keep the last address that was believed */
        snprintf(buf, size, "%s", a);
        if (!s_trusted(srv, a))
            return -1;
        end = start > 0 ? start - 1 : 0;
    }
    return 0;
}

const char *http_client_ip(const http_req_t *req, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (size == 0)
        return NULL;
    buf[0] = '\0';
    if (!ci || !ci->client_addr)
        return buf;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        s_ntop6(&((const struct sockaddr_in6 *)sa)->sin6_addr, buf, size);
    /* Behind a trusted proxy: walk X-Forwarded-For from the right (each
     * proxy appends the address it saw, to the line or as a line of its
     * own: the lines read as one comma list) past the trusted proxies. */
    if (!s_trusted(req->srv, buf))
        return buf;
    s_forwarded_t fw = {0};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, s_forwarded_line, &fw);
    for (int line = fw.n - 1; line >= 0; line--)
        if (s_forwarded_walk(req->srv, fw.line[line], buf, size) < 0)
            break;
    return buf;
}

const char *http_client_net(const http_req_t *req, char *buf, size_t size)
{
    struct in6_addr a;
    if (!http_client_ip(req, buf, size) || inet_pton(AF_INET6, buf, &a) != 1)
        return buf; /* IPv4, or nothing known */
    memset(a.s6_addr + 8, 0, 8);
    char net[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &a, net, sizeof net))
        snprintf(buf, size, "%s/64", net);
    return buf;
}

/* --- forms -------------------------------------------------------------- */

typedef struct {
    size_t max_value;
    http_field_fn fn;
    void *arg;
    char *key; /* field being collected, NULL when none */
    char *val;
    size_t len;
    int fields;
    int failed;
} form_t;

/* Hands the collected field to the caller. */
static int s_flush(form_t *f)
{
    if (!f->key)
        return 0;
    int rc = 0;
    if (!f->failed) {
        if (++f->fields > HTTP_FORM_MAX_FIELDS)
            rc = -1;
        else
            rc = f->fn(f->key, f->val ? f->val : "", f->len, f->arg) == 0 ? 0 : -1;
    }
    free(f->key);
    free(f->val);
    f->key = f->val = NULL;
    f->len = 0;
    if (rc < 0)
        f->failed = 1;
    return rc;
}

static enum MHD_Result s_piece(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    form_t *f = cls;
    if (f->failed || !key)
        return f->failed ? MHD_NO : MHD_YES;
    /* Offset 0 starts a field, so "x=1&x=2" gives two fields named x. */
    bool same = f->key && off > 0 && strcmp(f->key, key) == 0;
    if (!same) {
        if (s_flush(f) < 0)
            return MHD_NO;
        f->key = xstrdup(key);
    }
    if (off != f->len || f->len + size > f->max_value) {
        f->failed = 1;
        return MHD_NO;
    }
    f->val = xrealloc(f->val, f->len + size + 1);
    if (size)
        memcpy(f->val + f->len, data, size);
    f->len += size;
    f->val[f->len] = '\0';
    return MHD_YES;
}

int http_form_fields(const http_req_t *req, size_t max_value, http_field_fn fn, void *arg)
{
    form_t f = {.max_value = max_value, .fn = fn, .arg = arg};
    struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, 4096, s_piece, &f);
    if (!pp)
        return -1; /* not a form content type */
    size_t len = 0;
    const char *body = http_body(req, &len);
    enum MHD_Result rc = len ? MHD_post_process(pp, body, len) : MHD_YES;
    /* Destroying flushes a value still held back (urlencoded end of body). */
    if (MHD_destroy_post_processor(pp) != MHD_YES)
        rc = MHD_NO;
    if (s_flush(&f) < 0 || f.failed)
        rc = MHD_NO;
    free(f.key);
    free(f.val);
    return rc == MHD_YES ? 0 : -1;
}
