/*
 * NAME
 *   http_defer - answering a request later: http_defer(), http_resume()
 *   (see http.h)
 *
 * DESCRIPTION
 *   With a pool (epoll or poll, MHD_ALLOW_SUSPEND_RESUME) the connection
 *   is suspended after the handler returns and resumed by http_resume()
 *   from any thread; libmicrohttpd then calls the access handler again,
 *   which runs finish() and queues the answer (queueing is only allowed
 *   from the access handler, so http.c calls http_defer_finish() there).
 *   req->defer orders the two threads: the handler suspends first and
 *   then publishes SUSPENDED with a compare-and-swap, so a resume that
 *   came first (DONE) is seen and the handler resumes the connection
 *   itself. libmicrohttpd cannot suspend with a thread per connection, so
 *   there the thread waits on a condition variable; so does a pool that
 *   is being destroyed, because MHD_stop_daemon() must never meet a
 *   suspended connection (http_server_destroy() in http.c waits until
 *   srv->deferred is 0).
 *
 * OWNERSHIP
 *   Part of the http module (common/http.h); the request stays
 *   libmicrohttpd's closure, freed by http.c's completion callback.
 */
#include "http.h"

#include "http_int.h"

#include <pthread.h>
#include <stdatomic.h>

http_later_t *http_defer(const http_req_t *creq, http_finish_fn finish, void *arg)
{
    http_req_t *req = (http_req_t *)creq; /* handlers see it const */
    req->finish = finish;
    req->finish_arg = arg;
    atomic_fetch_add(&req->srv->deferred, 1);
    atomic_store(&req->defer, HTTP_DEFER_RUNNING);
    return (http_later_t *)req;
}

void http_resume(http_later_t *later)
{
    http_req_t *req = (http_req_t *)later;
    http_server_t *srv = req->srv;
    struct MHD_Connection *conn = req->conn;
    pthread_mutex_lock(&srv->defer_mu);
    int was = atomic_exchange(&req->defer, HTTP_DEFER_DONE);
    if (was != HTTP_DEFER_SUSPENDED)
        pthread_cond_broadcast(&srv->defer_cond); /* a thread waits in http_defer_park() */
    pthread_mutex_unlock(&srv->defer_mu);
    /* Suspended: nobody touches req until libmicrohttpd resumes it. */
    if (was == HTTP_DEFER_SUSPENDED)
        MHD_resume_connection(conn);
    atomic_fetch_sub(&srv->deferred, 1); /* last: destroy waits for 0 */
}

/* Runs finish() and sends its answer (after the resume). */
enum MHD_Result http_defer_finish(http_req_t *req)
{
    http_res_t res = {0};
    http_finish_fn fn = req->finish;
    req->finish = NULL;
    fn(req, &res, req->finish_arg);
    return http_send(req, &res);
}

/* The handler deferred: suspend the connection (pool), or wait here. */
enum MHD_Result http_defer_park(http_req_t *req)
{
    http_server_t *srv = req->srv;
    if (atomic_load(&req->defer) == HTTP_DEFER_DONE)
        return http_defer_finish(req); /* resumed inside the handler already */
    if (srv->pool && !atomic_load(&srv->stopping)) {
        /* Suspend first, then publish it: a resume that came in between
         * found RUNNING and left the resume to us. libmicrohttpd calls the
         * access handler again once resumed; http.c's s_access() then
         * finishes. */
        MHD_suspend_connection(req->conn);
        int running = HTTP_DEFER_RUNNING;
        if (!atomic_compare_exchange_strong(&req->defer, &running, HTTP_DEFER_SUSPENDED))
            MHD_resume_connection(req->conn);
        return MHD_YES;
    }
    /* Thread per connection (libmicrohttpd cannot suspend there), or a
     * pool that is shutting down (it must not stop with suspended
     * connections): this thread waits. */
    pthread_mutex_lock(&srv->defer_mu);
    while (atomic_load(&req->defer) != HTTP_DEFER_DONE)
        pthread_cond_wait(&srv->defer_cond, &srv->defer_mu);
    pthread_mutex_unlock(&srv->defer_mu);
    return http_defer_finish(req);
}
