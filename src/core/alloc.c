/* SPDX-License-Identifier: MIT
 * Allocation wrapper: see alloc.h. */
#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "level=fatal event=out_of_memory bytes=%zu\n", n);
    abort();
}

void *pko_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *pko_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *pko_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *pko_strdup(const char *s)
{
    if (!s)
        return NULL;
    return pko_strndup(s, strlen(s));
}

char *pko_strndup(const char *s, size_t n)
{
    char *p = pko_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void pko_free(void *p)
{
    free(p);
}
