/*
 * NAME
 *   http_int - what http.c, http_req.c and http_res.c share (private)
 *
 * DESCRIPTION
 *   Not for services: use http.h. The request lives in libmicrohttpd's
 *   connection closure from the first call of the access handler until the
 *   completion callback frees it. A deferred request (http_defer) also
 *   lives until its finish callback ran.
 */
#ifndef INSPRAAK_HTTP_INT_H
#define INSPRAAK_HTTP_INT_H

#include "http.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

struct http_req {
    http_server_t *srv;
    struct MHD_Connection *conn;
    const char *method; /* MHD's copy, valid for the request */
    const char *path;   /* MHD's copy, already percent-decoded */
    const char *rest;   /* into path, set by routing */
    char *body;         /* NUL-terminated, grown as data arrives */
    size_t len, cap;
    bool too_big;  /* body went over max_body: answer 413 */
    bool answered; /* a response was queued early */
    struct timespec start;
    /* http_defer(): HTTP_DEFER_* (http.c), the finish callback and its arg */
    _Atomic int defer;
    http_finish_fn finish;
    void *finish_arg;
};

#endif
