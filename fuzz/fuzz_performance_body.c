/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the validation of unit evaluation and remedial measure
 * bodies (perf_evaluation_validate, perf_measure_validate in
 * src/modules/performance/performance.c) on what the server's JSON parser
 * accepts. Invariants (abort() on violation): PKO_OK or PKO_EINVAL naming a
 * field with a message; an evaluation that validates has a component, an
 * overall rating within its scale, and every rating below satisfactory
 * named in its shortfalls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/limits.h"

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/performance/performance.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_performance_body: invariant failed at %s:%d: %s\n", __FILE__,    \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        json_object_seed(1);
        once = 1;
    }
    json_t *b = NULL;
    pko_err err;
    pko_err_clear(&err);
    if (pko_json_parse_object((const char *)data, size, PKO_MAX_JSON_DEPTH, &b, &err) != PKO_OK)
        return 0;
    json_t *m = json_deep_copy(b);
    pko_err_clear(&err);
    pko_rc rc = perf_evaluation_validate(b, 1, NULL, "2026-01-15", &err);
    CHECK(rc == PKO_OK || (rc == PKO_EINVAL && err.msg[0]));
    if (rc == PKO_OK) {
        const char *c = json_string_value(json_object_get(b, "component"));
        int max = perf_scale_max(c);
        CHECK(max == 4 || max == 5);
        double o = json_real_value(json_object_get(b, "overall_rating"));
        CHECK(o >= 1.0 && o <= (double)max);
        size_t i, j;
        json_t *r, *s;
        json_array_foreach(json_object_get(b, "ratings"), i, r)
        {
            if (json_integer_value(json_object_get(r, "rating")) > 2)
                continue;
            int named = 0;
            json_array_foreach(json_object_get(b, "shortfalls"), j, s)
            {
                named |= json_equal(json_object_get(s, "standard"), json_object_get(r, "standard"));
            }
            CHECK(named);
        }
    }
    pko_err_clear(&err);
    rc = perf_measure_validate(m, 1, NULL, "2026-01-15", &err);
    CHECK(rc == PKO_OK || (rc == PKO_EINVAL && err.msg[0]));
    if (rc == PKO_OK) {
        const char *st = json_string_value(json_object_get(m, "status"));
        CHECK(!st || strcmp(st, "completed") != 0 ||
              (json_object_get(m, "completed_on") && json_object_get(m, "evidence")));
    }
    json_decref(m);
    json_decref(b);
    return 0;
}
