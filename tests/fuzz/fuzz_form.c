/*
 * NAME
 *   fuzz_form - libFuzzer harness for the idea-box form: field setting,
 *   JSON mapping, validation and the envelope built from it
 *
 * DESCRIPTION
 *   The first byte picks the route an input takes in intake-form:
 *     even: an application/x-www-form-urlencoded body. libmicrohttpd's
 *           post processor (which needs a live connection, so it is not
 *           fuzzed here) splits and percent-decodes it; this harness does
 *           the same split and decode by hand so form_set() sees what it
 *           would see, NUL bytes and invalid UTF-8 included;
 *     odd:  a POST /api/v1/ideas body, parsed like main.c does
 *           (json_loadb with JSON_REJECT_DUPLICATES) and mapped with
 *           form_from_json().
 *   Then form_validate() against the real wijk data of data/geo, and for
 *   a valid form the envelope is built, encoded and decoded again. The
 *   promises checked (abort() when broken):
 *     - a form that validates encodes into an envelope proto_check accepts;
 *     - a validated name/email holds no CR, LF or NUL (header injection).
 *
 *   FUZZ_SOURCES: services/intake-form/form_validate.c
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form_validate.h"
#include "geo.h"
#include "proto.h"
#include "xalloc.h"

#define FUZZ_NAME "fuzz_form"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int s_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decoding as libmicrohttpd does it: "+" is a space, a "%" that
 * is not followed by two hex digits is kept as it is. */
static size_t s_unescape(const char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '+')
            out[o++] = ' ';
        else if (in[i] == '%' && i + 2 < len && s_hex(in[i + 1]) >= 0 && s_hex(in[i + 2]) >= 0) {
            out[o++] = (char)(s_hex(in[i + 1]) * 16 + s_hex(in[i + 2]));
            i += 2;
        } else
            out[o++] = in[i];
    }
    out[o] = '\0';
    return o;
}

static void s_urlencoded(form_t *f, const char *buf, size_t len)
{
    size_t start = 0;
    while (start <= len) {
        const char *amp = memchr(buf + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - buf) : len;
        const char *eq = memchr(buf + start, '=', end - start);
        size_t klen = (eq ? (size_t)(eq - buf) : end) - start;
        char *key = xmalloc(klen + 1), *val = xmalloc(end - start + 1);
        s_unescape(buf + start, klen, key);
        size_t vlen = eq ? s_unescape(eq + 1, end - (size_t)(eq + 1 - buf), val) : 0;
        if (!eq)
            val[0] = '\0';
        if (strcmp(key, "sleutel") == 0)
            form_key_valid(val);
        form_set(f, key, val, vlen);
        free(key);
        free(val);
        start = end + 1;
    }
}

static void s_check_clean(const form_t *f, form_field_t field)
{
    const char *v = f->clean[field];
    if (v && strpbrk(v, "\r\n")) {
        fprintf(stderr, "fuzz_form: %s keeps a CR/LF after validation\n", form_api_name(field));
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    form_t f;
    form_init(&f);
    if (data[0] % 2 == 0) {
        s_urlencoded(&f, buf, len);
    } else {
        json_error_t jerr;
        json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root || !json_is_object(root)) {
            json_decref(root);
            return 0;
        }
        form_from_json(&f, root);
        json_decref(root);
    }
    if (!s_geo) {
        form_clear(&f);
        return 0;
    }
    if (form_validate(&f, s_geo) < 0) {
        json_t *errs = form_errors_json(&f);
        json_decref(errs);
        form_clear(&f);
        return 0;
    }
    s_check_clean(&f, FORM_NAME);
    s_check_clean(&f, FORM_EMAIL);
    envelope_t env;
    /* main.c uses the hidden key only when form_key_valid() says so */
    const char *key = f.key && form_key_valid(f.key) ? f.key : "k";
    form_to_envelope(&f, "01HZZZZZZZZZZZZZZZZZZZZZZZ", key, 1700000000000, &env);
    char *out;
    size_t olen;
    proto_err_t err;
    if (envelope_encode(&env, &out, &olen, &err) < 0) {
        if (strcmp(err.code, "too_large") != 0 && strcmp(err.code, "too_many_items") != 0) {
            fprintf(stderr, "fuzz_form: valid form does not encode (%s: %s)\n", err.code,
                    err.message);
            abort();
        }
    } else {
        if (proto_check(out, olen, PROTO_MAX_MESSAGE, PROTO_MAX_DEPTH, PROTO_MAX_ITEMS,
                        PROTO_MAX_STRING, &err) < 0) {
            fprintf(stderr, "fuzz_form: envelope fails proto_check (%s)\n", err.message);
            abort();
        }
        free(out);
    }
    envelope_clear(&env);
    form_clear(&f);
    return 0;
}
