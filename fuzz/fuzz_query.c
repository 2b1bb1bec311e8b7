/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: query strings (src/http/query.c), the raw text after
 * '?' that server.c hands to pko_query_parse().
 *
 * Besides the memory safety ASan/UBSan give, this is a differential test:
 * a small, independently written reference parser (split on '&', skip empty
 * pairs, split at the first '=', decode '+' and %XX, reject bad escapes,
 * NUL bytes, malformed UTF-8 and more than PKO_QUERY_MAX_PAIRS pairs)
 * must agree with pko_query_parse on success or failure and, on success,
 * on every decoded name and value byte for byte. Invariants (abort() on
 * violation): n <= PKO_QUERY_MAX_PAIRS; every name/value is NUL-terminated,
 * valid UTF-8 and has no embedded NUL; pko_query_get() of each name returns
 * the value of its first occurrence (so non-NULL for the first name).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/limits.h"
#include "http/http.h"

/* The code under test is compiled into this target, not only linked from
 * the libraries: the build instruments the fuzz_*.c files alone for coverage
 * (-fsanitize=fuzzer), so without this include libFuzzer would get no
 * coverage feedback from the parser. The archive member holding the same
 * symbols is then never pulled in. Names in this file carry an fz_/ref_
 * prefix to stay clear of the included file's statics. */
#include "http/query.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_query: invariant failed at %s:%d: %s\n", __FILE__, __LINE__,     \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- Reference implementation ------------------------------------------ */

/* Unicode 15, table 3-7: well-formed UTF-8 byte sequences. */
static bool ref_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b <= 0x7f) {
            i++;
            continue;
        }
        unsigned char lo = 0x80, hi = 0xbf;
        size_t len;
        if (b >= 0xc2 && b <= 0xdf) {
            len = 2;
        } else if (b == 0xe0) {
            len = 3;
            lo = 0xa0;
        } else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef) {
            len = 3;
        } else if (b == 0xed) {
            len = 3;
            hi = 0x9f;
        } else if (b == 0xf0) {
            len = 4;
            lo = 0x90;
        } else if (b >= 0xf1 && b <= 0xf3) {
            len = 4;
        } else if (b == 0xf4) {
            len = 4;
            hi = 0x8f;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                return false;
        i += len;
    }
    return true;
}

static int ref_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode s[0..n) into out (room for n + 1); returns the decoded length or
 * -1 when the component is rejected. */
static long ref_decode(const unsigned char *s, size_t n, unsigned char *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = ref_hex(s[i + 1]), l = ref_hex(s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = (unsigned char)(h << 4 | l);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == 0)
            return -1;
        out[w++] = c;
    }
    out[w] = 0;
    if (!ref_utf8(out, w))
        return -1;
    return (long)w;
}

typedef struct ref_pair {
    unsigned char *name, *value;
    size_t name_len, value_len;
} ref_pair;

/* Returns 0 on success, 1 when the query is rejected. 'pairs' gets up to
 * PKO_QUERY_MAX_PAIRS entries (heap; caller frees with ref_free). */
static int ref_parse(const unsigned char *s, size_t n, ref_pair *pairs, size_t *np)
{
    *np = 0;
    size_t start = 0;
    while (start <= n) {
        size_t end = start;
        while (end < n && s[end] != '&')
            end++;
        if (end > start) {
            if (*np == PKO_QUERY_MAX_PAIRS)
                return 1;
            const unsigned char *eq = memchr(s + start, '=', end - start);
            size_t nl = eq ? (size_t)(eq - (s + start)) : end - start;
            const unsigned char *v = eq ? eq + 1 : s + end;
            size_t vl = eq ? (size_t)(s + end - v) : 0;
            ref_pair *p = &pairs[(*np)++];
            p->name = malloc(nl + 1);
            p->value = malloc(vl + 1);
            long a = ref_decode(s + start, nl, p->name);
            long b = a < 0 ? -1 : ref_decode(v, vl, p->value);
            if (a < 0 || b < 0)
                return 1;
            p->name_len = (size_t)a;
            p->value_len = (size_t)b;
        }
        start = end + 1;
    }
    return 0;
}

static void ref_free(ref_pair *pairs, size_t np)
{
    for (size_t i = 0; i < np; i++) {
        free(pairs[i].name);
        free(pairs[i].value);
    }
}

/* ---- Target --------------------------------------------------------------- */

static void fz_check_string(const char *s, size_t max)
{
    CHECK(s != NULL);
    size_t n = strnlen(s, max + 1);
    CHECK(n <= max); /* NUL-terminated within the input's length */
    CHECK(ref_utf8((const unsigned char *)s, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Give the parser an exact-size heap copy so that ASan catches any read
     * past 'len'; the parser is not told about a terminator. */
    char *qs = malloc(size ? size : 1);
    if (size)
        memcpy(qs, data, size);

    pko_arena arena;
    pko_arena_init(&arena);
    pko_query q;
    memset(&q, 0, sizeof(q));
    q.n = 12345; /* must be reset */
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = pko_query_parse(&arena, qs, size, &q, &err);
    CHECK(rc == PKO_OK || rc == PKO_EINVAL || rc == PKO_ETOOBIG);
    CHECK(err.code == rc);
    CHECK((rc == PKO_ETOOBIG) == (size > PKO_MAX_QUERY_BYTES));
    CHECK(q.n <= PKO_QUERY_MAX_PAIRS);

    if (size <= PKO_MAX_QUERY_BYTES) {
        static ref_pair pairs[PKO_QUERY_MAX_PAIRS];
        size_t np = 0;
        int bad = ref_parse(data, size, pairs, &np);
        CHECK((rc != PKO_OK) == (bad != 0));
        if (rc == PKO_OK) {
            CHECK(q.n == np);
            for (size_t i = 0; i < q.n; i++) {
                fz_check_string(q.names[i], size);
                fz_check_string(q.values[i], size);
                CHECK(strlen(q.names[i]) == pairs[i].name_len);
                CHECK(strlen(q.values[i]) == pairs[i].value_len);
                CHECK(memcmp(q.names[i], pairs[i].name, pairs[i].name_len) == 0);
                CHECK(memcmp(q.values[i], pairs[i].value, pairs[i].value_len) == 0);
            }
            for (size_t i = 0; i < q.n; i++) {
                size_t first = i;
                for (size_t j = 0; j < i; j++)
                    if (strcmp(q.names[j], q.names[i]) == 0) {
                        first = j;
                        break;
                    }
                const char *v = pko_query_get(&q, q.names[i]);
                CHECK(v != NULL);
                CHECK(v == q.values[first]);
            }
        } else {
            CHECK(err.msg[0] != '\0');
        }
        ref_free(pairs, np);
    }

    /* A name that cannot occur (it is not valid UTF-8) is never found. */
    if (rc == PKO_OK)
        CHECK(pko_query_get(&q, "\xff") == NULL);

    pko_arena_release(&arena);
    free(qs);
    return 0;
}
