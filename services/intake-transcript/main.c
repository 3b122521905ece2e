/*
 * NAME
 *   intake-transcript - video transcripts to ideas (work in progress)
 */
#include "log.h"

int main(void)
{
    log_init("intake-transcript");
    log_fatal("msg=\"not built yet\"");
    return 1;
}
