/* SPDX-License-Identifier: MIT
 * Capped growable buffer: see buf.h. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

void pko_buf_init(pko_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

pko_rc pko_buf_append(pko_buf *b, const void *p, size_t n)
{
    if (n > b->max - b->len)
        return PKO_ETOOBIG;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = pko_realloc(b->data, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return PKO_OK;
}

pko_rc pko_buf_puts(pko_buf *b, const char *s)
{
    return pko_buf_append(b, s, strlen(s));
}

pko_rc pko_buf_printf(pko_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return PKO_EINTERNAL;
    if ((size_t)n < sizeof(small))
        return pko_buf_append(b, small, (size_t)n);
    char *big = pko_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    pko_rc rc = pko_buf_append(b, big, (size_t)n);
    pko_free(big);
    return rc;
}

void pko_buf_reset(pko_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *pko_buf_take(pko_buf *b, size_t *len_out)
{
    char *p = b->data ? b->data : pko_strdup("");
    if (len_out)
        *len_out = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void pko_buf_free(pko_buf *b)
{
    pko_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
