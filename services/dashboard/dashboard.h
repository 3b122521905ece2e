/*
 * NAME
 *   dashboard - what the dashboard's files share: state, Redis pool, handlers
 *
 * DESCRIPTION
 *   HTTP handlers run on libmicrohttpd's threads, and an rstore_t is for one
 *   thread at a time, so handlers borrow a connection from a small
 *   mutex-protected pool (dash_redis_get / dash_redis_put) for the length
 *   of one request. A connection whose last command failed is still
 *   returned: rstore reconnects by itself on the next command.
 *
 * OWNERSHIP
 *   dash_redis_get() lends an rstore_t; give it back with dash_redis_put().
 */
#ifndef INSPRAAK_DASHBOARD_H
#define INSPRAAK_DASHBOARD_H

#include <pthread.h>

#include "config.h"
#include "http.h"
#include "rstore.h"

#define DASH_KEY_PREFIX "inspraak:"
#define DASH_POOL_MAX 16 /* idle connections kept; more are made when needed */

typedef struct {
    config_t cfg;
    pthread_mutex_t mu;
    rstore_t *idle[DASH_POOL_MAX];
    int n_idle;
} dash_t;

/* Never NULL: the URL was checked at start-up. */
rstore_t *dash_redis_get(dash_t *d);
void dash_redis_put(dash_t *d, rstore_t *rs);

/* Answers 503 in Dutch: Redis did not answer. */
void dash_unavailable(http_res_t *res, rstore_t *rs);

/* auth.c: 1 when the request carries a known staff token; else 0 and the
 * response is already a 401 (or 503 when Redis is down). */
int auth_check(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res);

/* Handlers; arg is the dash_t. */
void api_ideas_list(const http_req_t *req, http_res_t *res, void *arg);
void api_ideas_get(const http_req_t *req, http_res_t *res, void *arg);
void api_stats(const http_req_t *req, http_res_t *res, void *arg);

#endif
