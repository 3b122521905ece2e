/*
 * NAME
 *   web - the field web app's static files, read once at start (see web.h)
 */
#include "web.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "xalloc.h"

#define WEB_MAX_FILE (1024 * 1024)

static const struct {
    const char *name, *type;
} s_files[] = {
    {"index.html", "text/html; charset=utf-8"},
    {"queue.js", "text/javascript; charset=utf-8"},
    {"send.js", "text/javascript; charset=utf-8"},
    {"form.js", "text/javascript; charset=utf-8"},
    {"session.js", "text/javascript; charset=utf-8"},
    {"rejected.js", "text/javascript; charset=utf-8"},
    {"app.js", "text/javascript; charset=utf-8"},
    {"sw.js", "text/javascript; charset=utf-8"},
    {"style.css", "text/css; charset=utf-8"},
    {"manifest.webmanifest", "application/manifest+json"},
    {"icon.svg", "image/svg+xml"},
};
#define WEB_N (sizeof s_files / sizeof s_files[0])

struct web {
    web_file_t files[WEB_N];
};

static int s_has_index(const char *dir)
{
    char path[1100];
    struct stat st;
    snprintf(path, sizeof path, "%s/index.html", dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *web_default_dir(char *buf, size_t size)
{
    const char *env = getenv("INSPRAAK_FIELD_WEB");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return buf;
    }
    snprintf(buf, size, "services/intake-field/web");
    if (s_has_index(buf))
        return buf;
    char exe[900];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    const char *dir = dirname(exe);
    static const char *const ups[] = {"..", "../../.."};
    for (size_t i = 0; i < 2; i++) {
        snprintf(buf, size, "%s/%s/services/intake-field/web", dir, ups[i]);
        if (s_has_index(buf))
            return buf;
    }
    return NULL;
}

web_t *web_load(const char *dir, char *err, size_t errlen)
{
    web_t *self = xcalloc(1, sizeof *self);
    for (size_t i = 0; i < WEB_N; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", dir, s_files[i].name);
        web_file_t *f = &self->files[i];
        f->name = s_files[i].name;
        f->type = s_files[i].type;
        f->data = file_read(path, WEB_MAX_FILE, &f->len);
        if (!f->data) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            web_destroy(&self);
            return NULL;
        }
    }
    return self;
}

void web_destroy(web_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < WEB_N; i++)
        free((*self_p)->files[i].data);
    free(*self_p);
    *self_p = NULL;
}

const web_file_t *web_find(const web_t *self, const char *name)
{
    for (size_t i = 0; self && i < WEB_N; i++)
        if (strcmp(self->files[i].name, name) == 0)
            return &self->files[i];
    return NULL;
}
