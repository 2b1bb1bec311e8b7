/* SPDX-License-Identifier: MIT
 *
 * Query-string parsing (WHATWG URL standard, application/x-www-form-urlencoded
 * parser, section 5.1), stricter than browsers: a malformed %-escape, a NUL
 * byte or invalid UTF-8 after decoding is an error, not silently passed on.
 */
#include <stdint.h>
#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "http/http.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode 'n' bytes of 'in' into a new arena string. */
static pko_rc decode(pko_arena *a, const char *in, size_t n, char **out, pko_err *err)
{
    char *o = pko_arena_alloc(a, n + 1);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '+') {
            o[w++] = ' ';
        } else if (c == '%') {
            if (n - i < 3)
                return pko_err_set(err, PKO_EINVAL, "query string has a truncated %%-escape");
            int hi = hexval(in[i + 1]);
            int lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return pko_err_set(err, PKO_EINVAL, "query string has a bad %%-escape");
            o[w++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            o[w++] = c;
        }
        if (w && o[w - 1] == '\0')
            return pko_err_set(err, PKO_EINVAL, "query string contains a NUL byte");
    }
    o[w] = '\0';
    if (!pko_utf8_valid(o, w))
        return pko_err_set(err, PKO_EINVAL, "query string is not valid UTF-8");
    *out = o;
    return PKO_OK;
}

pko_rc pko_query_parse(pko_arena *a, const char *qs, size_t len, pko_query *out, pko_err *err)
{
    out->n = 0;
    if (len > PKO_MAX_QUERY_BYTES)
        return pko_err_set(err, PKO_ETOOBIG, "query string is longer than %d bytes",
                           PKO_MAX_QUERY_BYTES);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && qs[end] != '&')
            end++;
        if (end > i) {
            if (out->n == PKO_QUERY_MAX_PAIRS)
                return pko_err_set(err, PKO_EINVAL, "query string has more than %d parameters",
                                   PKO_QUERY_MAX_PAIRS);
            size_t eq = i;
            while (eq < end && qs[eq] != '=')
                eq++;
            pko_rc rc = decode(a, qs + i, eq - i, &out->names[out->n], err);
            if (!rc)
                rc = decode(a, eq < end ? qs + eq + 1 : qs + end, eq < end ? end - eq - 1 : 0,
                            &out->values[out->n], err);
            if (rc)
                return rc;
            out->n++;
        }
        i = end + 1;
    }
    return PKO_OK;
}

const char *pko_query_get(const pko_query *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->names[i], name) == 0)
            return q->values[i];
    return NULL;
}
