/*
 * NAME
 *   http_res - response helpers and HTML escaping (see http.h)
 *
 * DESCRIPTION
 *   Each setter replaces what the response held, so a handler may start
 *   with an error and overwrite it once the work succeeds. Error bodies
 *   have one shape everywhere:
 *     {"error":{"code":"not_found","message":"Deze pagina bestaat niet."}}
 *   optionally with "fields":{"tekst":"..."} for per-field messages.
 */
#include "http.h"

#include "log.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void http_res_take(http_res_t *res, int status, const char *content_type, char *body_owned,
                   size_t len)
{
    free(res->content_type);
    free(res->body);
    res->status = status;
    res->content_type = xstrdup(content_type ? content_type : "text/plain; charset=utf-8");
    res->body = body_owned;
    res->len = body_owned ? len : 0;
}

void http_res_set(http_res_t *res, int status, const char *content_type, const char *body,
                  size_t len)
{
    char *copy = xmalloc(len + 1);
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    http_res_take(res, status, content_type, copy, len);
}

void http_res_json(http_res_t *res, int status, json_t *json)
{
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (!text) {
        static const char fallback[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"Er ging iets mis.\"}}";
        http_res_set(res, 500, "application/json", fallback, sizeof fallback - 1);
        return;
    }
    /* jansson allocates with malloc, so the text can be handed on as is. */
    http_res_take(res, status, "application/json", text, strlen(text));
}

void http_res_error(http_res_t *res, int status, const char *code, const char *message_nl,
                    json_t *fields)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code ? code : "error", "message",
                            message_nl ? message_nl : "");
    if (err && fields)
        json_object_set_new(err, "fields", fields);
    else if (fields)
        json_decref(fields);
    http_res_json(res, status, err ? json_pack("{s:o}", "error", err) : NULL);
}

void http_res_header(http_res_t *res, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
        log_warn("msg=\"response header with a line break or colon dropped\"");
        return;
    }
    for (int i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->header_names[i], name) == 0) {
            free(res->header_values[i]);
            res->header_values[i] = xstrdup(value);
            return;
        }
    if (res->n_headers == HTTP_MAX_HEADERS) {
        log_warn("msg=\"too many response headers\" dropped=%.64s", name);
        return;
    }
    res->header_names[res->n_headers] = xstrdup(name);
    res->header_values[res->n_headers] = xstrdup(value);
    res->n_headers++;
}

char *http_html_escape(const char *s)
{
    if (!s)
        return xstrdup("");
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += strchr("&<>\"'", *p) && *p ? 6 : 1;
    char *out = xmalloc(n + 1), *o = out;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        }
        if (rep) {
            size_t l = strlen(rep);
            memcpy(o, rep, l);
            o += l;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}
