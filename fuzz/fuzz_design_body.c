/* SPDX-License-Identifier: MIT
 *
 * libFuzzer target: the mission design module's JSON bodies. The bytes are
 * parsed as a request body is (pko_json_parse_object under
 * PKO_MAX_JSON_DEPTH); an object then goes through the composer (crisis
 * profile), the mandate check, the design validation for create and for
 * update, and, when it validates, the derivation, the feasibility against
 * no pledges and a life cycle check.
 *
 * Invariants checked (abort() on violation, so libFuzzer saves the input):
 *  - every function returns PKO_OK or PKO_EINVAL (transitions: also
 *    PKO_ECONFLICT), agreeing with err.code, with a message on error;
 *  - compose: at most max_models proposals (default 5), sorted by score,
 *    each with a positive score and at least one reason citing a source;
 *  - mandate check: errors + warnings = findings, every finding names a
 *    rule of the catalogue and cites at least one source;
 *  - what validates for create validates for update; a validated design
 *    derives units with positive counts and a non-negative cost, and with
 *    no pledges every derived unit type is reported missing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/json.h"
#include "core/limits.h"
#include "modules/design/design.h"

/* Compiled in for coverage feedback (see fuzz_json_body.c). */
#include "modules/design/catalogue.c"
#include "modules/design/compose.c"
#include "modules/design/derive.c"
#include "modules/design/mandate.c"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_design_body: invariant failed at %s:%d: %s\n", __FILE__,        \
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
    (void)design_catalogue("models"); /* parse once, outside the measured runs */
    return 0;
}

static void fz_err_ok(pko_rc rc, const pko_err *err)
{
    CHECK(err->code == rc);
    if (rc != PKO_OK)
        CHECK(err->msg[0] != '\0');
}

static void fz_compose(json_t *obj)
{
    pko_err err;
    pko_err_clear(&err);
    json_t *out = NULL;
    pko_rc rc = design_compose(obj, &out, &err);
    CHECK(rc == PKO_OK || rc == PKO_EINVAL);
    fz_err_ok(rc, &err);
    if (rc != PKO_OK) {
        CHECK(out == NULL);
        return;
    }
    json_t *mm = json_object_get(obj, "max_models");
    size_t max = json_is_integer(mm) ? (size_t)json_integer_value(mm) : 5;
    json_t *props = json_object_get(out, "proposals");
    CHECK(json_array_size(props) <= max);
    json_int_t last = 1 << 30;
    size_t i;
    json_t *p;
    json_array_foreach(props, i, p)
    {
        json_int_t s = json_integer_value(json_object_get(p, "score"));
        CHECK(s > 0 && s <= last);
        last = s;
        json_t *reasons = json_object_get(p, "reasons");
        CHECK(json_array_size(reasons) >= 1);
        CHECK(strstr(json_string_value(json_object_get(json_array_get(reasons, 0), "cite")),
                     ".txt:") != NULL);
    }
    CHECK(design_modality(
              json_string_value(json_object_get(json_object_get(out, "modality"), "id"))) != NULL);
    json_decref(out);
}

static void fz_mandate(json_t *obj)
{
    pko_err err;
    pko_err_clear(&err);
    json_t *out = NULL;
    pko_rc rc = design_mandate_check(obj, &out, &err);
    CHECK(rc == PKO_OK || rc == PKO_EINVAL);
    fz_err_ok(rc, &err);
    if (rc != PKO_OK)
        return;
    json_t *f = json_object_get(out, "findings");
    json_t *sum = json_object_get(out, "summary");
    CHECK((size_t)(json_integer_value(json_object_get(sum, "errors")) +
                   json_integer_value(json_object_get(sum, "warnings"))) == json_array_size(f));
    size_t i;
    json_t *x;
    json_array_foreach(f, i, x)
    {
        CHECK(design_rule(json_string_value(json_object_get(x, "rule"))) != NULL);
        CHECK(json_array_size(json_object_get(x, "sources")) >= 1);
    }
    json_decref(out);
}

static void fz_design(json_t *obj)
{
    pko_err e1, e2;
    pko_err_clear(&e1);
    pko_err_clear(&e2);
    pko_rc c = design_validate(obj, 1, &e1);
    pko_rc u = design_validate(obj, 0, &e2);
    CHECK(c == PKO_OK || c == PKO_EINVAL);
    CHECK(u == PKO_OK || u == PKO_EINVAL);
    fz_err_ok(c, &e1);
    fz_err_ok(u, &e2);
    if (c == PKO_OK) {
        /* mission_id is the one field create needs and update refuses. */
        json_t *copy = json_deep_copy(obj);
        json_object_del(copy, "mission_id");
        pko_err_clear(&e2);
        CHECK(design_validate(copy, 0, &e2) == PKO_OK);
        json_decref(copy);
    }
    if (u != PKO_OK)
        return;
    json_t *der = design_derive(obj);
    CHECK(der != NULL);
    CHECK(json_number_value(json_object_get(json_object_get(der, "cost"), "total_usd")) >= 0);
    size_t i;
    json_t *x;
    json_t *types = json_object();
    json_array_foreach(json_object_get(der, "units"), i, x)
    {
        CHECK(json_integer_value(json_object_get(x, "count")) > 0);
        json_object_set_new(types, json_string_value(json_object_get(x, "unit_type")), json_true());
    }
    json_t *none = json_array();
    json_t *f = design_feasibility(json_object_get(der, "units"), none, "2030-01-01", 90);
    CHECK(json_array_size(json_object_get(f, "missing")) == json_object_size(types));
    json_decref(f);
    json_decref(none);
    json_decref(types);
    json_decref(der);
    json_t *d = json_deep_copy(obj);
    json_object_set_new(d, "state", json_string("assessment"));
    pko_err e3;
    pko_err_clear(&e3);
    pko_rc t = design_transition_check(d, "planning", obj, &e3);
    CHECK(t == PKO_OK || t == PKO_EINVAL || t == PKO_ECONFLICT);
    fz_err_ok(t, &e3);
    json_decref(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *obj = NULL;
    pko_err err;
    pko_err_clear(&err);
    pko_rc rc = pko_json_parse_object((const char *)data, size, PKO_MAX_JSON_DEPTH, &obj, &err);
    if (rc != PKO_OK)
        return 0;
    fz_compose(obj);
    fz_mandate(obj);
    fz_design(obj);
    json_decref(obj);
    return 0;
}
