/*
 * NAME
 *   curl_answer - a libcurl answer collected in memory (curl_answer.h)
 */
#include "curl_answer.h"

#include <string.h>

#include "xalloc.h"

size_t curl_answer_write(char *data, size_t size, size_t n, void *arg)
{
    curl_answer_t *a = arg;
    size_t add = size * n;
    if (a->len + add > a->max) {
        a->over = true;
        return 0; /* aborts the transfer */
    }
    a->p = xrealloc(a->p, a->len + add + 1);
    memcpy(a->p + a->len, data, add);
    a->len += add;
    a->p[a->len] = '\0';
    return add;
}
