/*
 * NAME
 *   test_proto_util - the fixture reader shared by the proto unit tests
 *
 * DESCRIPTION
 *   Not a library: each test program includes this once, after cmocka.h.
 *   s_fixture() reads proto/fixtures/NAME (written by gen.py) from
 *   $PROTO_FIXTURES or from the repository root or a folder below it, and
 *   fails the test when it is missing. The caller frees the buffer.
 */
#ifndef INSPRAAK_TEST_PROTO_UTIL_H
#define INSPRAAK_TEST_PROTO_UTIL_H

#include <stdio.h>
#include <stdlib.h>

static inline char *s_fixture(const char *name, size_t *len)
{
    static const char *const tries[] = {"proto/fixtures", "../proto/fixtures",
                                        "../../proto/fixtures", "../../../proto/fixtures"};
    const char *env = getenv("PROTO_FIXTURES");
    for (size_t i = 0; i < sizeof tries / sizeof tries[0] + 1; i++) {
        const char *dir = i == 0 ? env : tries[i - 1];
        if (!dir)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t)n + 1);
        assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        *len = (size_t)n;
        return buf;
    }
    fail_msg("fixture %s not found (run from the repository root)", name);
    return NULL;
}

#endif
