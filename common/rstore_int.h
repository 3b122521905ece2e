/*
 * NAME
 *   rstore_int - what rstore.c and rstore_url.c share; not for services
 */
#ifndef INSPRAAK_RSTORE_INT_H
#define INSPRAAK_RSTORE_INT_H

#include <stddef.h>

/* rstore_parse_url() that also returns the ACL user name ("" = default). */
int rstore_parse_url_user(const char *url, char *host, size_t host_size, int *port, int *db,
                          char *user, size_t user_size, char *password, size_t password_size);

#endif
