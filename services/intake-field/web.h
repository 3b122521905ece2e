/*
 * NAME
 *   web - the field web app's static files, read once at start
 *
 * SUMMARY
 *   web_t *w = web_load(dir, err, sizeof err);
 *   const web_file_t *f = web_find(w, "app.js");
 *
 * DESCRIPTION
 *   The app is plain files under services/intake-field/web/ (no build
 *   step). They are read into memory at start from INSPRAAK_FIELD_WEB, or
 *   else from the first of ./services/intake-field/web and
 *   <dir of the binary>/../services/intake-field/web (bin/) or
 *   <dir of the binary>/../../../services/intake-field/web (build/X/bin/)
 *   that holds index.html. Only the names in a fixed list are served, each
 *   with its own media type; nothing is read from disk per request.
 *
 * OWNERSHIP
 *   web_find() returns memory owned by the web_t (until web_destroy).
 */
#ifndef INTAKE_FIELD_WEB_H
#define INTAKE_FIELD_WEB_H

#include <stddef.h>

typedef struct {
    const char *name; /* "app.js" */
    const char *type; /* "text/javascript; charset=utf-8" */
    char *data;
    size_t len;
} web_file_t;

typedef struct web web_t;

web_t *web_load(const char *dir, char *err, size_t errlen);
/* The folder web_load() would use (first match of the list above), or NULL. */
const char *web_default_dir(char *buf, size_t size);
void web_destroy(web_t **self_p);
const web_file_t *web_find(const web_t *self, const char *name);

#endif
