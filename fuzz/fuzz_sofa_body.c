/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the validation of status-of-forces violation bodies
 * (sofa_validate in src/modules/sofa/sofa.c) on what the server's JSON
 * parser accepts. The input is a JSON body; it is validated for create,
 * and for update against a fixed valid stored record. Invariants (abort()
 * on violation): the answer is PKO_OK or PKO_EINVAL naming a field with a
 * message; what validates for create also validates as an update of
 * itself; validation never changes the body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/limits.h"

/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/sofa/sofa.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_sofa_body: invariant failed at %s:%d: %s\n", __FILE__,           \
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
    json_t *copy = json_deep_copy(b);
    pko_err_clear(&err);
    pko_rc rc = sofa_validate(b, 1, NULL, "2026-01-15", &err);
    CHECK(rc == PKO_OK || (rc == PKO_EINVAL && err.msg[0]));
    CHECK(json_equal(b, copy));
    if (rc == PKO_OK) {
        json_t *upd = json_deep_copy(b);
        json_object_del(upd, "mission_id");
        pko_err_clear(&err);
        CHECK(sofa_validate(upd, 0, b, "2026-01-15", &err) == PKO_OK);
        json_decref(upd);
    }
    json_t *cur = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "mission_id", "m1", "type",
                            "movement_restriction", "authority", "customs", "place", "x",
                            "started_on", "2025-01-01", "description", "d", "impact", "minor",
                            "status", "open");
    pko_err_clear(&err);
    rc = sofa_validate(b, 0, cur, "2026-01-15", &err);
    CHECK(rc == PKO_OK || (rc == PKO_EINVAL && err.msg[0]));
    json_decref(cur);
    json_decref(copy);
    json_decref(b);
    return 0;
}
