/*
 * NAME
 *   clock - wall and monotonic milliseconds (see clock.h)
 *
 * DESCRIPTION
 *   Fourteen files each had their own copy of these few lines; one copy
 *   here keeps the choice between the two clocks visible at every call.
 */
#include "clock.h"

#include <time.h>

static int64_t s_ms(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_ms(void)
{
    return s_ms(CLOCK_REALTIME);
}

int64_t clock_mono_ms(void)
{
    return s_ms(CLOCK_MONOTONIC);
}
