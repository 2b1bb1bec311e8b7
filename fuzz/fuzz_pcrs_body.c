/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the PCRS bodies as the server reads them
 * (pko_json_parse_object), then the module's validators: pledges
 * (pcrs_pledge_validate, create and update), requirements
 * (pcrs_requirement_validate with a fixed today) and visits
 * (pcrs_visit_validate). Invariants (abort() on violation): a validator
 * answers PKO_OK or PKO_EINVAL, and on PKO_EINVAL names a field that is
 * either a field of the record or a key of the body, with a message; what
 * validates for create validates for update; a pledge valid for create
 * names a Member State and a unit type of the reference data; a
 * requirement valid for create is not required before today; a visit
 * valid is not dated after today.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json.h"
#include "core/limits.h"

/* Compiled in for coverage feedback; see fuzz_json_body.c. */
#include "core/json.c"
#include "modules/pcrs/refdata.c"
#include "modules/pcrs/visits.c"

/* pcrs.c holds the pledge and requirement validators among the handlers;
 * it is compiled in too, with its statics. */
#include "modules/pcrs/pcrs.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_pcrs_body: invariant failed at %s:%d: %s\n", __FILE__,           \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    json_object_seed(1);
    return 0;
}

static const char *const fz_pledge[] = {"country", "unit_type", "strength", "level", "status",
                                        "available_from", "available_until", "women_share",
                                        "languages", "caveats", "capabilities",
                                        "self_sustainment", "major_equipment", "notes", NULL};
static const char *const fz_req[] = {"mission_id", "unit_type", "title", "strength",
                                     "required_capabilities", "required_by", "language",
                                     "women_target", "status", "pledge_id", "deployed_on",
                                     "rotation_months", NULL};
static const char *const fz_visit[] = {"pledge_id", "kind", "visit_date", "findings", "evidence",
                                       "level_after", NULL};

static void fz_named(json_t *body, const pko_err *e, const char *const *fields)
{
    /* The field is named; it is empty only when the body has an empty key. */
    CHECK(e->msg[0] != '\0');
    CHECK(e->field[0] != '\0' || json_object_get(body, "") != NULL);
    bool known = json_object_get(body, e->field) != NULL;
    for (size_t i = 0; fields[i] && !known; i++)
        known = strcmp(fields[i], e->field) == 0;
    /* A long unknown key is named truncated to the field buffer (on a
     * UTF-8 character boundary, so up to 3 bytes shorter). */
    size_t n = strlen(e->field);
    if (!known && n + 4 >= sizeof(e->field)) {
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v) known = known || strncmp(k, e->field, n) == 0;
    }
    CHECK(known);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *b = NULL;
    pko_err e;
    pko_err_clear(&e);
    if (pko_json_parse_object((const char *)data, size, PKO_MAX_JSON_DEPTH, &b, &e) != PKO_OK)
        return 0;
    pko_rc c, u;
    /* pledges */
    pko_err_clear(&e);
    c = pcrs_pledge_validate(b, 1, &e);
    CHECK(c == PKO_OK || c == PKO_EINVAL);
    if (c)
        fz_named(b, &e, fz_pledge);
    else {
        CHECK(pcrs_member_state_find(json_string_value(json_object_get(b, "country"))));
        CHECK(pcrs_unit_type_find(json_string_value(json_object_get(b, "unit_type"))));
    }
    pko_err_clear(&e);
    u = pcrs_pledge_validate(b, 0, &e);
    CHECK(u == PKO_OK || u == PKO_EINVAL);
    if (u)
        fz_named(b, &e, fz_pledge);
    CHECK(c != PKO_OK || u == PKO_OK);
    /* requirements */
    pko_err_clear(&e);
    c = pcrs_requirement_validate(b, 1, "2030-06-15", &e);
    CHECK(c == PKO_OK || c == PKO_EINVAL);
    if (c)
        fz_named(b, &e, fz_req);
    else
        CHECK(strcmp(json_string_value(json_object_get(b, "required_by")), "2030-06-15") >= 0);
    pko_err_clear(&e);
    u = pcrs_requirement_validate(b, 0, "2030-06-15", &e);
    CHECK(u == PKO_OK || u == PKO_EINVAL);
    if (u)
        fz_named(b, &e, fz_req);
    CHECK(c != PKO_OK || u == PKO_OK);
    /* visits */
    pko_err_clear(&e);
    c = pcrs_visit_validate(b, "2030-06-15", &e);
    CHECK(c == PKO_OK || c == PKO_EINVAL);
    if (c)
        fz_named(b, &e, fz_visit);
    else
        CHECK(strcmp(json_string_value(json_object_get(b, "visit_date")), "2030-06-15") <= 0);
    json_decref(b);
    return 0;
}
