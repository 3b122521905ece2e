/*
 * NAME
 *   fuzz_util - what the libFuzzer harnesses share: geo data, a broken promise
 *
 * DESCRIPTION
 *   Not a library: a harness defines FUZZ_NAME and includes this once. It
 *   defines LLVMFuzzerInitialize(), which loads data/geo/ from
 *   INSPRAAK_DATA, else ./data, into s_geo; without it s_geo stays NULL
 *   (a line on stderr says so) and the harness skips what needs it.
 *   s_fail(what) reports a broken promise of the code under test and
 *   aborts, which libFuzzer records as a crash with its input.
 */
#ifndef INSPRAAK_FUZZ_UTIL_H
#define INSPRAAK_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "geo.h"

static geo_t *s_geo;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[256];
    s_geo = geo_load(getenv("INSPRAAK_DATA") ? getenv("INSPRAAK_DATA") : "data", err, sizeof err);
    if (!s_geo)
        fprintf(stderr, "%s: no geo data (%s); what needs it is skipped\n", FUZZ_NAME, err);
    return 0;
}

static inline void s_fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", FUZZ_NAME, what);
    abort();
}

#endif
