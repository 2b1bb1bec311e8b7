/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: incident request bodies. Bytes are parsed as a JSON
 * object (core/json.c, the same limits as the server), then validated and
 * derived as POST /api/v1/incidents does (src/modules/incidents/model.c),
 * including the ISO 8601 time parser. Invariants (abort() on violation):
 * validation fails only with PKO_EINVAL naming a field; whatever validates
 * derives a t_start equal to the parsed occurred_start and non-negative
 * killed_total and casualties_total. The same bytes also go to the
 * polygon parser of the search filters (finite, in-range points only).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "core/json.h"
#include "core/limits.h"
/* Compiled in for coverage feedback; see fuzz_query.c. */
#include "modules/incidents/model.c"
#include "modules/incidents/taxonomy.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_incident_body: invariant failed at %s:%d: %s\n", __FILE__,       \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *o = NULL;
    pko_err e;
    pko_err_clear(&e);
    if (pko_json_parse_object((const char *)data, size, PKO_MAX_JSON_DEPTH, &o, &e) != PKO_OK)
        return 0;
    pko_err_clear(&e);
    pko_rc rc = incidents_validate(o, &e);
    CHECK(rc == PKO_OK || rc == PKO_EINVAL);
    if (rc) {
        CHECK(e.field[0] != '\0');
    } else {
        incidents_derive(o);
        int32_t t = 0;
        CHECK(incidents_parse_time(json_string_value(json_object_get(o, "occurred_start")), &t) ==
              PKO_OK);
        CHECK(json_integer_value(json_object_get(o, "t_start")) == t);
        CHECK(json_integer_value(json_object_get(o, "killed_total")) >= 0);
        CHECK(json_integer_value(json_object_get(o, "casualties_total")) >= 0);
    }
    /* The polygon parser of the search filters, on the raw bytes. */
    {
        char *txt = malloc(size + 1);
        memcpy(txt, data, size);
        txt[size] = '\0';
        double pts[2 * 16];
        size_t np = 99;
        if (incidents_parse_polygon(txt, pts, 16, &np) == PKO_OK) {
            CHECK(np >= 3 && np <= 16);
            for (size_t i = 0; i < np; i++)
                CHECK(fabs(pts[2 * i]) <= 180 && fabs(pts[2 * i + 1]) <= 90);
        }
        free(txt);
    }
    /* The time parser alone, on the raw bytes. */
    char buf[64];
    size_t n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
    memcpy(buf, data, n);
    buf[n] = '\0';
    int32_t t;
    (void)incidents_parse_time(buf, &t);
    json_decref(o);
    return 0;
}
