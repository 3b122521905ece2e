/*
 * NAME
 *   send - one batch POSTed to the field API (libcurl)
 *
 * SUMMARY
 *   send_answer_t a;
 *   if (send_batch(url, token, body, len, &a) < 0) print a.error and stop;
 *   a.status == 200 ? read a.body : print a.status, a.code, a.message;
 *   send_answer_clear(&a);
 *
 * DESCRIPTION
 *   POST url with "Content-Type: application/json" and "Authorization:
 *   Bearer <token>". The token goes only into that header (never into a
 *   log line or the URL). Redirects are not followed (the token would go
 *   along). 30 s to connect, 15 minutes for the whole batch (an upload on
 *   a slow line must finish; intake-field fsyncs every item before it
 *   answers), an answer over 32 MiB is cut off and counts as a failure.
 *
 * OWNERSHIP
 *   a.body (the parsed answer) belongs to a; send_answer_clear() drops it.
 */
#ifndef INSPRAAK_IMPORT_SEND_H
#define INSPRAAK_IMPORT_SEND_H

#include <jansson.h>
#include <stddef.h>

typedef struct {
    long status;       /* HTTP status; 0 when no answer came */
    json_t *body;      /* the answer as JSON, or NULL */
    char code[64];     /* for a status other than 200: the server's error code, if any */
    char message[300]; /* its Dutch message, or what went wrong on the way (Dutch) */
} send_answer_t;

/* 0 with a.status 200 and a.body holding "accepted" and "rejected"
 * arrays; -1 otherwise, with a.status, a.code and a.message saying why. */
int send_batch(const char *url, const char *token, const char *body, size_t len,
               send_answer_t *a);
void send_answer_clear(send_answer_t *a);

#endif
