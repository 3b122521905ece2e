/*
 * NAME
 *   test_mail_dsn - intake-mail: the hard bounce in a delivery-status report
 *
 * DESCRIPTION
 *   The reports in tests/data/dsn/ are shaped as Postfix and Exchange
 *   Online send them (RFC 3464), about mails notify sent (Message-ID
 *   "notify.<purpose>.<key>.<pid>@..."). A hard bounce names the
 *   participant and the address; a delay, a temporary failure, a report
 *   without our mail in it, or an ordinary mail names nobody. The result
 *   also crosses the worker pipe (mail_worker_run).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
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
#include "file.h"
#include "test_mail_util.h"

/* A fixture from tests/data/dsn/ (run from the repository root or below). */
static char *s_fixture(const char *name, size_t *len)
{
    static const char *const dirs[] = {"tests/data/dsn", "../tests/data/dsn",
                                       "../../tests/data/dsn", "../../../tests/data/dsn"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/%s", dirs[i], name);
        char *raw = file_read(p, 1 << 20, len);
        if (raw)
            return raw;
    }
    fail_msg("fixture %s not found", name);
    return NULL;
}

/* raw (freed) with the first from replaced by to. */
static char *s_with(char *raw, const char *from, const char *to)
{
    char *at = strstr(raw, from);
    assert_non_null(at);
    char *out = xasprintf("%.*s%s%s", (int)(at - raw), raw, to, at + strlen(from));
    free(raw);
    return out;
}

/* The fixture with one piece of text replaced. */
static char *s_fixture_with(const char *name, const char *from, const char *to)
{
    size_t len;
    return s_with(s_fixture(name, &len), from, to);
}

static void s_parse(const char *raw, size_t len, mail_t *m)
{
    char err[200] = "";
    if (mail_parse(raw, len, &LIM, m, err, sizeof err) != 0)
        fail_msg("parse: %s", err);
    assert_int_equal(m->skip, MAIL_SKIP_BOUNCE);
}

/* The hard bounce a fixture reports: participant, address(es), status. */
static const struct {
    const char *fixture, *pid, *final, *original, *why;
} s_hard[] = {
    {"postfix-user-unknown.eml", "p-0123456789abcdef", "gerda.vos@example.nl",
     "gerda.vos@example.nl",
     "5.1.1 smtp; 550 5.1.1 <gerda.vos@example.nl>: Recipient address rejected: User unknown "
     "in virtual mailbox table"},
    /* the returned mail is its header only (text/rfc822-headers), and
     * there is no Original-Recipient */
    {"exchange-recipient-not-found.eml", "p-fedcba9876543210", "jan.smeets@contoso.nl", NULL,
     "5.1.10 smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
     "address lookup"},
};

/* The RFC 6533 form (SMTPUTF8): the same fields under global types. */
static void test_global_delivery_status(void **state)
{
    (void)state;
    char *raw = s_fixture_with("exchange-recipient-not-found.eml", "report-type=delivery-status",
                               "report-type=global-delivery-status");
    raw = s_with(raw, "message/delivery-status", "message/global-delivery-status");
    raw = s_with(raw, "text/rfc822-headers", "message/global-headers");
    mail_t m;
    s_parse(raw, strlen(raw), &m);
    assert_string_equal(m.dsn.pid, "p-fedcba9876543210");
    assert_string_equal(m.dsn.final, "jan.smeets@contoso.nl");
    mail_clear(&m);
    free(raw);
    raw = s_fixture_with("postfix-user-unknown.eml", "Content-Type: message/rfc822",
                         "Content-Type: message/global");
    s_parse(raw, strlen(raw), &m);
    assert_non_null(m.dsn.pid);
    assert_string_equal(m.dsn.pid, "p-0123456789abcdef");
    mail_clear(&m);
    free(raw);
}

static void test_hard_bounces(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_hard / sizeof s_hard[0]; i++) {
        size_t len;
        char *raw = s_fixture(s_hard[i].fixture, &len);
        mail_t m;
        s_parse(raw, len, &m);
        assert_string_equal(m.dsn.pid, s_hard[i].pid);
        assert_string_equal(m.dsn.final, s_hard[i].final);
        if (s_hard[i].original)
            assert_string_equal(m.dsn.original, s_hard[i].original);
        else
            assert_null(m.dsn.original);
        assert_string_equal(m.dsn.why, s_hard[i].why);
        mail_clear(&m);
        free(raw);
    }
}

/* What names nobody: a delay, a temporary failure the relay gave up on,
 * a report about a mail that is not notify's, a forged report without
 * the returned mail. */
static void test_not_a_hard_bounce(void **state)
{
    (void)state;
    size_t len;
    char *raws[] = {
        s_fixture("exchange-delayed.eml", &len),
        s_fixture_with("postfix-user-unknown.eml", "Status: 5.1.1", "Status: 4.4.7"),
        s_fixture_with("postfix-user-unknown.eml", "Action: failed", "Action: delayed"),
        s_fixture_with("postfix-user-unknown.eml", "<notify.receipt.", "<bericht.receipt."),
        s_fixture_with("exchange-recipient-not-found.eml", "Content-Type: text/rfc822-headers",
                       "Content-Type: text/plain"),
    };
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
        mail_t m;
        s_parse(raws[i], strlen(raws[i]), &m);
        if (m.dsn.pid || m.dsn.final)
            fail_msg("case %zu: pid %s final %s", i, m.dsn.pid, m.dsn.final);
        mail_clear(&m);
        free(raws[i]);
    }
}

static void test_status_codes(void **state)
{
    (void)state;
    const char *yes[] = {"5.1.1", " 5.1.10", "5.7.1 (delivery not authorized)", "5.0.0"};
    const char *no[] = {"4.4.7", "5.1", "5..1", "5.1.1x", "2.0.0", "", "5.1234.1", "55.1.1"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!s_permanent(yes[i]))
            fail_msg("%s is permanent", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (s_permanent(no[i]))
            fail_msg("%s is not permanent", no[i]);
    char *mail = NULL;
    char *p = s_pid_of("notify.campaign.c.7.p-ab@heerlen.nl", &mail);
    assert_string_equal(p, "p-ab");
    assert_string_equal(mail, "campaign:c.7"); /* as notify names the mail */
    free(p);
    free(mail);
    const char *bad[] = {"notify.@heerlen.nl", "notify.receipt.1.p-a b@heerlen.nl",
                         "other.receipt.1.p-ab@heerlen.nl", "notify.p-ab@heerlen.nl",
                         "notify.receipt.p-ab@heerlen.nl", "notify.re ceipt.1.p-ab@heerlen.nl"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if ((p = s_pid_of(bad[i], &mail)) != NULL || mail)
            fail_msg("%s names %s (%s)", bad[i], p, mail);
    }
}

/* The bounce crosses the worker's pipe to the service. */
static void test_through_the_worker(void **state)
{
    (void)state;
    size_t len;
    char *raw = s_fixture("postfix-user-unknown.eml", &len);
    mail_result_t r;
    mail_worker_run(raw, len, &LIM, 10000, &r);
    assert_int_equal(r.status, MAIL_RESULT_SKIPPED);
    assert_string_equal(r.skip, "bounce");
    assert_null(r.text);
    assert_string_equal(r.dsn.pid, "p-0123456789abcdef");
    assert_string_equal(r.dsn.final, "gerda.vos@example.nl");
    assert_non_null(r.dsn.why);
    assert_string_equal(r.dsn.mail, "receipt:1762161100000");
    mail_result_clear(&r);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_bounces),       cmocka_unit_test(test_global_delivery_status),
        cmocka_unit_test(test_not_a_hard_bounce),  cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_through_the_worker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
