/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the reader of stored JSON arrays of strings in the
 * PCRS matching engine (each_string in src/modules/pcrs/engine.c), which
 * walks plain arrays in place instead of parsing them with jansson.
 * Invariants (abort() on violation): it never reads past the text; when
 * jansson parses the input as an array whose elements are all strings
 * without NUL, the engine reports the same number of elements and the
 * same strings in the same order; on any input the count it returns is
 * the number of strings it reported, or jansson's array size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/pcrs/engine.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_pcrs_strings: invariant failed at %s:%d: %s\n", __FILE__,        \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

typedef struct seen {
    json_t *strings;
} seen;

static void collect(void *ctx, const char *s, size_t n)
{
    json_array_append_new(((seen *)ctx)->strings, json_stringn(s, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    seen got = {json_array()};
    int n = each_string(s, collect, &got);
    CHECK(n >= 0);
    CHECK((size_t)n >= json_array_size(got.strings));
    CHECK(each_string(s, NULL, NULL) == n);
    json_t *ref = json_loads(s, JSON_DECODE_ANY, NULL);
    if (json_is_array(ref)) {
        bool plain = true;
        size_t i;
        json_t *v;
        json_array_foreach(ref, i, v) plain =
            plain && json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
        if (plain) {
            CHECK((size_t)n == json_array_size(ref));
            CHECK(json_equal(ref, got.strings));
        }
    }
    json_decref(ref);
    json_decref(got.strings);
    free(s);
    return 0;
}
