/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: CPAS formula expressions (src/modules/cpas/cpas_expr.c),
 * the parser every computed indicator's numerator and denominator goes
 * through. Invariants (abort() on violation): a parse either succeeds with
 * a token count and reference count within their bounds, every reference
 * a valid code and every reference token pointing at one, or fails with
 * field "computed" and a non-empty message; evaluation of a parsed
 * expression never reads outside its stack and returns a finite value.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/cpas/cpas_expr.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_cpas_expr: invariant failed at %s:%d: %s\n", __FILE__,           \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    cpas_expr e;
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = cpas_expr_parse(s, &e, &err);
    if (rc) {
        CHECK(rc == PKO_EINVAL);
        CHECK(!strcmp(err.field, "computed"));
        CHECK(err.msg[0]);
    } else {
        CHECK(e.n > 0 && e.n <= CPAS_EXPR_MAX);
        CHECK(e.n_refs >= 0 && e.n_refs <= CPAS_EXPR_REFS);
        for (int r = 0; r < e.n_refs; r++)
            CHECK(cpas_code_ok(e.refs[r]));
        for (int i = 0; i < e.n; i++)
            if (e.tok[i].op == 'r')
                CHECK(e.tok[i].ref >= 0 && e.tok[i].ref < e.n_refs);
        double vals[CPAS_EXPR_REFS];
        bool has[CPAS_EXPR_REFS];
        for (int r = 0; r < CPAS_EXPR_REFS; r++) {
            vals[r] = r - 3.5;
            has[r] = true;
        }
        double out;
        if (cpas_expr_eval(&e, vals, has, &out))
            CHECK(isfinite(out));
    }
    free(s);
    return 0;
}
