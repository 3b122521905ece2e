/*
 * NAME
 *   session_cookie.h - helpers shared by the dashboard's session.c and
 *   login.c (owned by the dashboard; see session_cookie.c)
 */
#ifndef INSPRAAK_SESSION_COOKIE_H
#define INSPRAAK_SESSION_COOKIE_H

#include <stddef.h>

#include "dashboard.h"

#define SESSION_COOKIE "inspraak_session"
#define SESSION_LOGIN_COOKIE "inspraak_login" /* the login form's double-submit token */
#define SESSION_BACK_MAX 1000 /* the way back after logging in: a path and its query */

/* The hex of the BLAKE2b-256 of s: what Redis keeps of a session id. */
void session_hash_hex(const char *s, char out[65]);
/* 32 random bytes as hex: a session id, a CSRF token. */
void session_random_hex(char out[65]);
/* The value of cookie `name` (64 hex chars) into out; 0 or -1. */
int session_cookie_value(const http_req_t *req, const char *name, char out[65]);
/* Sets cookie name=value (HttpOnly, SameSite=Strict, Secure when
 * configured) for max_age seconds; 0 removes it. */
void session_set_cookie(dash_t *d, http_res_t *res, const char *name, const char *value,
                        long max_age);
/* The hex of the BLAKE2b-128 of a user's pwhash: what a session keeps of
 * it (never the hash itself). */
void session_pw_mark(const char *pwhash, size_t len, char out[33]);
/* How long a session with this idle timeout lasts in all. */
long session_max_s(const dash_t *d, long idle);
/* 1 when p is a path of this dashboard the login may send people back to. */
int session_back_ok(const char *p);

#endif
