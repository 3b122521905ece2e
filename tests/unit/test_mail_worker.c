/*
 * NAME
 *   test_mail_worker - intake-mail: the parsing worker and hostile mail
 *
 * DESCRIPTION
 *   The worker process that reads each mail (services/intake-mail/
 *   mail_worker.c, included here as source with the parser): the same
 *   answer as reading in-process, killed at its deadline, gone with its
 *   parent, its result limits and attachments; and mails built to hurt a
 *   MIME parser (GMime #165, deep nesting), which must be refused.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/intake-mail/mail_dsn.c"
#include "../../services/intake-mail/mail_html.c"
#include "../../services/intake-mail/mail_parse.c"
#include "../../services/intake-mail/mail_text.c"
#include "../../services/intake-mail/mail_thanks.c"
#include "../../services/intake-mail/mail_worker.c"
#include "test_mail_util.h"

/* ------------------------------------------------------------------ */
/* Hostile mail                                                       */
/* ------------------------------------------------------------------ */

/* GMime upstream #165: multipart without boundary and a long non-ASCII
 * parameter name. Must be refused, not looped on. */
static char *s_mail_165(void);

static void test_gmime_165(void **state)
{
    (void)state;
    char *raw = s_mail_165();
    mail_result_t r;
    mail_worker_run(raw, strlen(raw), &LIM, 60000, &r);
    assert_int_equal(r.status, MAIL_RESULT_FAILED);
    assert_string_equal(r.why, "multipart without boundary");
    mail_result_clear(&r);
    free(raw);
}

/* What the pre-check protects from: GMime 3.2.13 on the #165 mail, asked
 * for the boundary. Run in the worker, it must be killed at the deadline
 * (the test would hang if it were not), and a reader that dies must come
 * back as a failure too. */
static void s_read_unguarded(const char *raw, size_t len, const mail_limits_t *lim,
                             mail_result_t *r)
{
    (void)lim;
    memset(r, 0, sizeof *r);
    pthread_once(&s_once, s_init);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    GMimeObject *top = msg ? g_mime_message_get_mime_part(msg) : NULL;
    if (top && GMIME_IS_MULTIPART(top))
        g_mime_multipart_get_boundary(GMIME_MULTIPART(top));
    r->status = MAIL_RESULT_IDEA;
    r->why = xstrdup("GMime returned");
}

static void s_read_dies(const char *raw, size_t len, const mail_limits_t *lim, mail_result_t *r)
{
    (void)raw;
    (void)len;
    (void)lim;
    (void)r;
    raise(SIGKILL);
}

static char *s_mail_165(void)
{
    char name[200] = "";
    for (int i = 0; i < 36; i++)
        strcat(name, "\xd1\x9c"); /* ќ */
    /* The reproducer of upstream #165: the parameter folded onto its own
     * line, with a quoted non-ASCII value. */
    return xasprintf("From: a@example.nl\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed;\r\n %s=\"\xd1\x9c\"\r\n\r\nbody\r\n",
                     name);
}

static void test_worker_deadline(void **state)
{
    (void)state;
    char *raw = s_mail_165();
    mail_result_t r;
    mail_worker_call(s_read_unguarded, raw, strlen(raw), &LIM, 2000, &r);
#if GMIME_CHECK_VERSION(3, 2, 15)
    assert_int_equal(r.status, MAIL_RESULT_IDEA); /* fixed upstream */
#else
    assert_int_equal(r.status, MAIL_RESULT_FAILED); /* Debian 12: 3.2.13 loops */
    assert_string_equal(r.why, "timed out after 2000 ms");
#endif
    mail_result_clear(&r);
    mail_worker_call(s_read_dies, raw, strlen(raw), &LIM, 60000, &r);
    assert_int_equal(r.status, MAIL_RESULT_FAILED);
    assert_string_equal(r.why, "worker killed by signal 9");
    mail_result_clear(&r);
    free(raw);
}

/* A reader that hangs after telling the test its pid (through the pipe
 * in s_pid_fd, inherited from the test). */
static int s_pid_fd = -1;
static void s_read_hangs(const char *raw, size_t len, const mail_limits_t *lim, mail_result_t *r)
{
    (void)raw;
    (void)len;
    (void)lim;
    (void)r;
    pid_t me = getpid();
    if (write(s_pid_fd, &me, sizeof me) != sizeof me)
        _exit(4);
    for (;;)
        pause();
}

/* The worker of an intake-mail killed with -9 must not live on: it holds
 * the intake's spool lock, and a worker that survived would keep the
 * restarted intake-mail out for ever. The test makes itself the reaper of
 * orphans so that the worker, once dead, is reaped here. */
static void test_worker_dies_with_parent(void **state)
{
    (void)state;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t parent = fork();
    assert_true(parent >= 0);
    if (parent == 0) {
        close(fds[0]);
        s_pid_fd = fds[1];
        mail_result_t r;
        mail_worker_call(s_read_hangs, "x", 1, &LIM, 600000, &r);
        _exit(0);
    }
    close(fds[1]);
    pid_t worker = 0;
    assert_int_equal(read(fds[0], &worker, sizeof worker), (ssize_t)sizeof worker);
    close(fds[0]);
    assert_int_equal(kill(parent, SIGKILL), 0);
    assert_int_equal(waitpid(parent, NULL, 0), parent);
    /* The kernel kills the orphan at once; 30 s is only a bound so that a
     * surviving worker fails the test instead of hanging it. */
    int status = 0;
    pid_t got = 0;
    for (int i = 0; i < 3000 && got == 0; i++) {
        got = waitpid(worker, &status, WNOHANG);
        if (got == 0)
            usleep(10000);
    }
    if (got == 0)
        kill(worker, SIGKILL);
    assert_int_equal(got, worker);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

static char *s_deep(int depth)
{
    size_t cap = (size_t)depth * 120 + 200, len = 0;
    char *raw = xmalloc(cap);
    len += (size_t)snprintf(raw, cap, "From: a@example.nl\r\nMIME-Version: 1.0\r\n");
    for (int i = 0; i < depth; i++)
        len += (size_t)snprintf(raw + len, cap - len,
                                "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n",
                                i, i);
    snprintf(raw + len, cap - len, "Content-Type: text/plain\r\n\r\ndiep\r\n");
    return raw;
}

static void test_deep_nesting(void **state)
{
    (void)state;
    char *raw = s_deep(10000);
    mail_result_t r;
    mail_worker_run(raw, strlen(raw), &LIM, 60000, &r);
    assert_int_equal(r.status, MAIL_RESULT_FAILED);
    assert_non_null(strstr(r.why, "too many parts"));
    mail_result_clear(&r);
    free(raw);
    /* The same depth of embedded messages. */
    size_t cap = 10000 * 40 + 100, len = 0;
    raw = xmalloc(cap);
    for (int i = 0; i < 10000; i++)
        len += (size_t)snprintf(raw + len, cap - len, "Content-Type: message/rfc822\r\n\r\n");
    snprintf(raw + len, cap - len, "Subject: binnenin\r\n\r\ndiep\r\n");
    mail_worker_run(raw, strlen(raw), &LIM, 60000, &r);
    assert_int_equal(r.status, MAIL_RESULT_FAILED);
    assert_non_null(strstr(r.why, "too many parts"));
    mail_result_clear(&r);
    free(raw);
    raw = s_deep(20); /* under the part count, over the depth */
    mail_worker_read(raw, strlen(raw), &LIM, &r);
    assert_int_equal(r.status, MAIL_RESULT_FAILED);
    assert_non_null(strstr(r.why, "nested too deep"));
    mail_result_clear(&r);
    free(raw);
}

/* The worker's child gives the same answer as reading in-process. */
static void test_worker_roundtrip(void **state)
{
    (void)state;
    mail_result_t a, b;
    mail_worker_read(LATIN1_QP, strlen(LATIN1_QP), &LIM, &a);
    mail_worker_run(LATIN1_QP, strlen(LATIN1_QP), &LIM, 60000, &b);
    assert_int_equal(a.status, MAIL_RESULT_IDEA);
    assert_int_equal(b.status, MAIL_RESULT_IDEA);
    assert_string_equal(b.text, "Ideeën voor het Caféplein\n\nHet plein moet gezelliger: meer "
                                "terrasjes en een fonteintje én schaduw.");
    assert_string_equal(a.text, b.text);
    assert_string_equal(b.message_id, "abc123@example.nl");
    assert_string_equal(b.from_name, "Renée Békker");
    assert_null(b.skip);
    mail_result_clear(&a);
    mail_result_clear(&b);
}

/* What goes on the bus keeps the limits every intake keeps (validate.h). */
static void test_worker_limits(void **state)
{
    (void)state;
    size_t n = TEXT_MAX_CHARS + 500;
    char *body = xmalloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(body + 2 * i, "\xc3\xab", 2); /* ë */
    body[2 * n] = '\0';
    char *raw = xasprintf("From: Lang <lang@example>\r\nSubject: idee\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
                          body);
    mail_result_t r;
    mail_worker_read(raw, strlen(raw), &LIM, &r);
    assert_int_equal(r.status, MAIL_RESULT_IDEA);
    assert_int_equal(utf8_chars(r.text, strlen(r.text)), TEXT_MAX_CHARS);
    assert_null(r.from_addr);
    assert_string_equal(r.from_name, "Lang");
    mail_result_clear(&r);
    free(raw);
    raw = xasprintf("From: a@example.nl\r\nSubject: idee\r\n\r\nok\r\n");
    mail_worker_read(raw, strlen(raw), &LIM, &r);
    assert_int_equal(r.status, MAIL_RESULT_SKIPPED); /* 2 characters: nothing to go on */
    assert_string_equal(r.skip, "empty");
    mail_result_clear(&r);
    free(raw);
    free(body);
}

/* Attachments are listed in the idea (name, type, decoded size), through
 * the worker's pipe too: at most 20, names one clean line of <= 200 bytes. */
static void test_worker_attachments(void **state)
{
    (void)state;
    GString *raw =
        g_string_new("From: Anna <anna@example.nl>\r\nSubject: Plan voor het park\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                     "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                     "Zie mijn plan voor het Aambos in de bijlage.\r\n"
                     "--b\r\nContent-Type: Application/PDF\r\n"
                     "Content-Transfer-Encoding: base64\r\nContent-Disposition: "
                     "attachment; filename=\"=?UTF-8?Q?plan_=C3=A9=0Aen_=1Bpark.pdf?=\"\r\n"
                     "\r\nJVBERi0xLjQK\r\n");
    g_string_append(raw, "--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; "
                         "filename*=UTF-8''");
    for (int i = 0; i < 150; i++) /* 300 bytes of "e-acute" */
        g_string_append(raw, "%C3%A9");
    g_string_append(raw, ".jpg\r\n\r\nabc\r\n");
    for (int i = 0; i < 23; i++)
        g_string_append_printf(raw,
                               "--b\r\nContent-Type: text/csv\r\nContent-Disposition: "
                               "attachment; filename=\"lijst-%d.csv\"\r\n\r\n%d\r\n",
                               i, i);
    g_string_append(raw, "--b--\r\n");
    mail_result_t a, b;
    mail_worker_read(raw->str, raw->len, &LIM, &a);
    mail_worker_run(raw->str, raw->len, &LIM, 60000, &b);
    mail_result_t *rs[] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        mail_result_t *r = rs[k];
        assert_int_equal(r->status, MAIL_RESULT_IDEA);
        assert_int_equal(r->n_attachments, 25);
        assert_int_equal(r->n_listed, 20);
        /* the line break and the escape character are gone, the type is lower case */
        assert_string_equal(r->listed[0].name, "plan é en park.pdf");
        assert_string_equal(r->listed[0].type, "application/pdf");
        assert_int_equal(r->listed[0].size, 9);           /* "%PDF-1.4\n" decoded */
        assert_int_equal(strlen(r->listed[1].name), 200); /* 100 whole characters */
        assert_true(utf8_valid(r->listed[1].name, 200));
        assert_string_equal(r->listed[1].type, "image/jpeg");
        assert_string_equal(r->listed[2].name, "lijst-0.csv");
        assert_string_equal(r->listed[19].name, "lijst-17.csv");
    }
    mail_result_clear(&a);
    mail_result_clear(&b);
    g_string_free(raw, TRUE);
}
/* A photo sent from a phone with no words (the signature line the phone
 * adds is dropped): the resident expects it to arrive, so it is an idea
 * that says so (the photo is listed, never stored) and gets the receipt.
 * A PDF alone, or a photo under a thank-you, is still no idea. */
static char *s_photo_mail(const char *subject, const char *text, const char *type, int n)
{
    GString *raw = g_string_new(NULL);
    g_string_append_printf(raw,
                           "From: Wim Hermans <wim@example.nl>\r\n%s%s%s"
                           "Message-ID: <photo-%d@example.nl>\r\nMIME-Version: 1.0\r\n"
                           "Content-Type: multipart/mixed; boundary=\"Apple-Mail-1\"\r\n\r\n"
                           "--Apple-Mail-1\r\nContent-Type: text/plain; charset=us-ascii\r\n"
                           "\r\n%s\r\n",
                           subject ? "Subject: " : "", subject ? subject : "",
                           subject ? "\r\n" : "", n, text);
    for (int i = 0; i < n; i++)
        g_string_append_printf(raw,
                               "--Apple-Mail-1\r\nContent-Type: %s; name=IMG_48%02d\r\n"
                               "Content-Disposition: inline; filename=IMG_48%02d\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n",
                               type, i, i);
    g_string_append(raw, "--Apple-Mail-1--\r\n");
    return g_string_free(raw, FALSE);
}

static void test_photo_only(void **state)
{
    (void)state;
    static const struct {
        const char *subject, *text, *type;
        int n;
        const char *want; /* idea text, or NULL: skipped as empty */
    } cases[] = {
        {NULL, "\r\nVerzonden vanaf mijn iPhone", "image/jpeg", 1,
         "[Alleen een foto gestuurd, zonder tekst. De foto bewaren we niet.]"},
        {"Re: Uw mening telt", "", "image/heic", 3,
         "[Alleen 3 foto's gestuurd, zonder tekst. De foto's bewaren we niet.]"},
        {NULL, "", "application/pdf", 1, NULL},
        {"Re: Bedankt voor uw idee", "Bedankt!", "image/jpeg", 1, NULL},
        {"Kapotte lantaarnpaal", "", "image/jpeg", 1, "Kapotte lantaarnpaal"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *raw = s_photo_mail(cases[i].subject, cases[i].text, cases[i].type, cases[i].n);
        mail_result_t r;
        mail_worker_run(raw, strlen(raw), &LIM, 10000, &r);
        if (cases[i].want) {
            if (r.status != MAIL_RESULT_IDEA || strcmp(r.text, cases[i].want) != 0)
                fail_msg("case %zu: status %d text %s", i, r.status, r.text);
            assert_int_equal(r.n_listed, cases[i].n);
            /* the receipt knows it again, to ask for words (letter.h) */
            assert_int_equal(letter_photo_only(r.text), cases[i].want[0] == '[' ? cases[i].n : 0);
        } else {
            assert_int_equal(r.status, MAIL_RESULT_SKIPPED);
            assert_string_equal(r.skip, "empty");
        }
        mail_result_clear(&r);
        g_free(raw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gmime_165),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_worker_roundtrip),
        cmocka_unit_test(test_worker_deadline),
        cmocka_unit_test(test_worker_dies_with_parent),
        cmocka_unit_test(test_worker_limits),
        cmocka_unit_test(test_worker_attachments),
        cmocka_unit_test(test_photo_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
