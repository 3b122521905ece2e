/*
 * NAME
 *   test_mail_corpus - every mime4j / MIME-tools test message through mail_parse
 *
 * DESCRIPTION
 *   tests/data/mime/ is a copy of the test messages of Apache James mime4j
 *   (Apache-2.0) and Perl MIME-tools (Artistic), see its SOURCE.txt. Two
 *   checks:
 *
 *   1. Every X.msg goes through mail_parse() and the whole in-process mail
 *      pipeline (mail_worker_read) without a crash, a sanitizer report or a
 *      leak; a refusal (limit, no boundary) is an allowed outcome.
 *
 *   2. mime4j ships the decoded body of each leaf part as X_decoded_P.txt,
 *      P being the part's path ("1" the message body, "1_2" its second
 *      child, "1_1_1" the first child of an embedded message/rfc822). For
 *      each such file whose path GMime's tree also has and whose part is
 *      text/plain, the transfer-decoded bytes (base64/quoted-printable
 *      undone, no charset conversion, as mime4j wrote them) must equal the
 *      file. Where the two parsers build different trees (mime4j decodes a
 *      base64 message/rfc822 and reads it, GMime keeps it opaque), the path
 *      does not exist in GMime's tree and the file is not compared; the
 *      counts are printed. The comparison is byte for byte; the only
 *      allowance is one trailing line break, because a part's last CRLF
 *      belongs to the boundary line and the two libraries disagree there.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/intake-mail/mail_dsn.c"
#include "../../services/intake-mail/mail_html.c"
#include "../../services/intake-mail/mail_parse.c"
#include "../../services/intake-mail/mail_text.c"
#include "../../services/intake-mail/mail_thanks.c"
#include "../../services/intake-mail/mail_worker.c"

#define MIN_MATCHING 91 /* of 96 compared when this test was written (GMime 3.2.13) */

static const char *const s_sub[] = {"core/src/test/resources/testmsgs",
                                    "core/src/test/resources/mimetools-testmsgs"};

static const char *s_root(void)
{
    static const char *const tries[] = {"tests/data/mime", "../tests/data/mime",
                                        "../../tests/data/mime", "../../../tests/data/mime"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/SOURCE.txt", tries[i]);
        FILE *f = fopen(p, "r");
        if (f) {
            fclose(f);
            return tries[i];
        }
    }
    return NULL;
}

static char *s_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* The node at path "1_2_1" (the part after "1" is walked), or NULL. */
static GMimeObject *s_at(GMimeMessage *msg, const char *path)
{
    GMimeObject *node = g_mime_message_get_mime_part(msg);
    if (strncmp(path, "1", 1) != 0)
        return NULL;
    const char *p = path + 1;
    while (node && *p == '_') {
        int k = atoi(p + 1);
        p = strchr(p + 1, '_') ? strchr(p + 1, '_') : p + strlen(p);
        if (GMIME_IS_MULTIPART(node)) {
            GMimeMultipart *mp = GMIME_MULTIPART(node);
            node = k >= 1 && k <= g_mime_multipart_get_count(mp)
                       ? g_mime_multipart_get_part(mp, k - 1)
                       : NULL;
        } else if (GMIME_IS_MESSAGE_PART(node) && k == 1) {
            GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(node));
            node = inner ? g_mime_message_get_mime_part(inner) : NULL;
        } else
            node = NULL;
    }
    return node;
}

static bool s_same(const char *a, size_t alen, const char *b, size_t blen)
{
    while (alen > 0 && alen != blen && (a[alen - 1] == '\n' || a[alen - 1] == '\r') &&
           alen + 2 >= blen)
        alen--;
    while (blen > 0 && blen != alen && (b[blen - 1] == '\n' || b[blen - 1] == '\r') &&
           blen + 2 >= alen)
        blen--;
    return alen == blen && memcmp(a, b, alen) == 0;
}

typedef struct {
    int messages, refused, compared, matched, not_in_tree, not_plain;
} s_counts_t;

/* Compares every X_decoded_*.txt of one message. */
static void s_compare(const char *dir, const char *stem, const char *raw, size_t len, s_counts_t *c)
{
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);
    DIR *d = opendir(dir);
    struct dirent *e;
    char prefix[320];
    snprintf(prefix, sizeof prefix, "%s_decoded_", stem);
    while (msg && (e = readdir(d)) != NULL) {
        size_t pl = strlen(prefix), nl = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, pl) != 0 || nl < pl + 5 ||
            strcmp(e->d_name + nl - 4, ".txt") != 0)
            continue;
        char path[64];
        snprintf(path, sizeof path, "%.*s", (int)(nl - pl - 4), e->d_name + pl);
        GMimeObject *node = s_at(msg, path);
        if (!node || !GMIME_IS_PART(node)) {
            c->not_in_tree++;
            continue;
        }
        GMimeContentType *ct = g_mime_object_get_content_type(node);
        if (!ct || !g_mime_content_type_is_type(ct, "text", "plain")) {
            c->not_plain++;
            continue;
        }
        char file[700];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        size_t wl, gl;
        char *want = s_slurp(file, &wl);
        char *got = mail_part_bytes(GMIME_PART(node), 64u << 20, &gl);
        c->compared++;
        if (want && got && s_same(got, gl, want, wl))
            c->matched++;
        else
            print_message("differs: %s (got %zu bytes, want %zu)\n", e->d_name, gl, wl);
        free(want);
        free(got);
    }
    closedir(d);
    if (msg)
        g_object_unref(msg);
}

static void test_corpus(void **state)
{
    (void)state;
    const char *root = s_root();
    assert_non_null(root);
    pthread_once(&s_once, s_init);
    s_counts_t c = {0};
    mail_limits_t lim = MAIL_LIMITS_DEFAULT;
    for (size_t s = 0; s < sizeof s_sub / sizeof s_sub[0]; s++) {
        char dir[400];
        snprintf(dir, sizeof dir, "%s/%s", root, s_sub[s]);
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 4, ".msg") != 0)
                continue;
            char file[700], stem[256];
            snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
            snprintf(stem, sizeof stem, "%.*s", (int)(n - 4 < 255 ? n - 4 : 255), e->d_name);
            size_t len;
            char *raw = s_slurp(file, &len);
            assert_non_null(raw);
            c.messages++;
            mail_result_t r;
            mail_worker_read(raw, len, &lim, &r);
            if (r.status == MAIL_RESULT_FAILED) {
                c.refused++;
                print_message("refused: %s (%s)\n", e->d_name, r.why);
            }
            mail_result_clear(&r);
            s_compare(dir, stem, raw, len, &c);
            free(raw);
        }
        closedir(d);
    }
    print_message("messages %d, refused %d; decoded text files: compared %d, matched %d, "
                  "path not in GMime's tree %d, not text/plain %d\n",
                  c.messages, c.refused, c.compared, c.matched, c.not_in_tree, c.not_plain);
    assert_int_equal(c.messages, 80);
    assert_true(c.matched >= MIN_MATCHING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
