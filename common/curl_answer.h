/*
 * NAME
 *   curl_answer - a libcurl answer collected in memory, up to a limit
 *
 * SYNOPSIS
 *   curl_answer_t a = {.max = 1 << 20};
 *   curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_answer_write);
 *   curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
 *   ... curl_easy_perform(c) ...
 *   if (a.over) ...;  use a.p (NUL-terminated, NULL when nothing came), a.len
 *   free(a.p);
 *
 * DESCRIPTION
 *   libcurl hands an answer over in pieces and has no buffer of its own
 *   for it. curl_answer_write() appends each piece and keeps the whole
 *   NUL-terminated; a piece that would take it over max sets over and
 *   returns 0, which makes libcurl abort the transfer (CURLE_WRITE_ERROR).
 *   Used by intake-mail (IMAP answers) and inspraak-import (the field
 *   API's answers).
 *
 * OWNERSHIP
 *   The caller owns a.p.
 */
#ifndef INSPRAAK_CURL_ANSWER_H
#define INSPRAAK_CURL_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *p;    /* the answer so far, NUL-terminated; NULL before the first byte */
    size_t len; /* its bytes */
    size_t max; /* the most it may hold */
    bool over;  /* a piece was refused: the answer was longer than max */
} curl_answer_t;

/* A CURLOPT_WRITEFUNCTION; arg is a curl_answer_t. */
size_t curl_answer_write(char *data, size_t size, size_t n, void *arg);

#endif
