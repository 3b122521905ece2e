/*
 * NAME
 *   fuzz_mail - libFuzzer harness for intake-mail's MIME extraction
 *
 * DESCRIPTION
 *   Feeds a raw message to mail_precheck and mail_parse (GMime under the
 *   limits intake-mail uses, plus tight ones), then the chosen body to
 *   mail_text_clean and mail_text_idea, and the raw bytes to
 *   mail_html_to_text. Promises checked (abort() when broken): a parsed
 *   mail's body and subject are valid UTF-8 without NUL bytes in the
 *   middle (strlen is the whole text), and a refusal has a reason.
 *
 *   FUZZ_SOURCES: services/intake-mail/mail_parse.c
 *   FUZZ_SOURCES: services/intake-mail/mail_dsn.c
 *   FUZZ_SEEDS: tests/data/dsn
 *   FUZZ_SOURCES: services/intake-mail/mail_html.c
 *   FUZZ_SOURCES: services/intake-mail/mail_text.c
 *   FUZZ_SEEDS: tests/data/mime/core/src/test/resources/mimetools-testmsgs
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail_parse.h"
#include "mail_text.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_fail(const char *what)
{
    fprintf(stderr, "fuzz_mail: %s\n", what);
    abort();
}

static void s_parse(const char *raw, size_t len, const mail_limits_t *lim)
{
    mail_t m;
    char err[256] = "";
    if (mail_parse(raw, len, lim, &m, err, sizeof err) < 0) {
        if (!err[0])
            s_fail("mail refused without a reason");
        return;
    }
    if (!m.body)
        s_fail("parsed mail without a body");
    char *clean = mail_text_clean(m.body);
    char *idea = mail_text_idea(m.subject, clean ? clean : "");
    free(idea);
    free(clean);
    mail_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *raw = (const char *)data;
    mail_limits_t lim = MAIL_LIMITS_DEFAULT;
    mail_limits_t tight = {.max_bytes = 4096, .max_parts = 3, .max_depth = 2, .max_text = 64};
    char err[256];
    mail_precheck(raw, size, &lim, err, sizeof err);
    s_parse(raw, size, &lim);
    s_parse(raw, size, &tight);
    free(mail_html_to_text(raw, size));
    return 0;
}
