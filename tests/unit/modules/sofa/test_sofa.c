/* Unit tests for src/modules/sofa: the validation of status-of-forces
 * violations (required fields, type-specific fields, dates, resolution,
 * coordinates), with updates checked against the stored record. */
#include "test_util.h"

#include "modules/sofa/sofa.h"

#define TODAY "2026-01-15"

static json_t *base(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "mission_id", "m1", "type",
                     "movement_restriction", "authority", "host_armed_forces", "place", "PK12",
                     "started_on", "2025-03-01", "description", "Patrol stopped", "impact",
                     "moderate", "status", "open");
}

static void bad(json_t *f, const char *field)
{
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(sofa_validate(f, 1, NULL, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, field);
    assert_true(e.msg[0] != 0);
    json_decref(f);
}

static void test_create(void **state)
{
    (void)state;
    pko_err e;
    pko_err_clear(&e);
    json_t *f = base();
    assert_int_equal(sofa_validate(f, 1, NULL, TODAY, &e), PKO_OK);
    json_decref(f);
    f = base();
    json_object_del(f, "mission_id");
    bad(f, "mission_id");
    f = base();
    json_object_set_new(f, "started_on", json_string("2026-01-16"));
    bad(f, "started_on");
    f = base();
    json_object_set_new(f, "started_on", json_string("2025-02-30"));
    bad(f, "started_on");
    f = base();
    json_object_set_new(f, "ended_on", json_string("2025-02-28"));
    bad(f, "ended_on");
    f = base();
    json_object_set_new(f, "type", json_string("detention_of_personnel"));
    bad(f, "personnel_detained");
    f = base();
    json_object_set_new(f, "type", json_string("detention_of_personnel"));
    json_object_set_new(f, "personnel_detained", json_integer(2));
    pko_err_clear(&e);
    assert_int_equal(sofa_validate(f, 1, NULL, TODAY, &e), PKO_OK);
    json_decref(f);
    f = base();
    json_object_set_new(f, "flights_affected", json_integer(2));
    bad(f, "flights_affected");
    f = base();
    json_object_set_new(f, "items_held", json_string("APCs"));
    bad(f, "items_held");
    f = base();
    json_object_set_new(f, "status", json_string("resolved"));
    json_object_set_new(f, "resolution", json_string("lifted"));
    bad(f, "resolved_on");
    f = base();
    json_object_set_new(f, "resolved_on", json_string("2025-04-01"));
    bad(f, "resolved_on"); /* not resolved */
    f = base();
    json_object_set_new(f, "lat", json_real(4.4));
    bad(f, "lon");
    f = base();
    json_object_set_new(f, "lat", json_real(95));
    json_object_set_new(f, "lon", json_real(18));
    bad(f, "lat");
    f = base();
    json_object_set_new(f, "impact", json_string("catastrophic"));
    bad(f, "impact");
    f = base();
    json_object_set_new(f, "operations_affected", json_pack("[s]", "picnic"));
    bad(f, "operations_affected");
}

static void test_update(void **state)
{
    (void)state;
    pko_err e;
    json_t *cur = base();
    json_t *u = json_pack("{s:s, s:s, s:s}", "status", "resolved", "resolved_on", "2025-02-01",
                          "resolution", "lifted");
    pko_err_clear(&e);
    assert_int_equal(sofa_validate(u, 0, cur, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "resolved_on"); /* before started_on */
    json_decref(u);
    u = json_pack("{s:s, s:s, s:s}", "status", "resolved", "resolved_on", "2025-04-01",
                  "resolution", "lifted");
    pko_err_clear(&e);
    assert_int_equal(sofa_validate(u, 0, cur, TODAY, &e), PKO_OK);
    json_decref(u);
    u = json_pack("{s:s}", "mission_id", "m2");
    pko_err_clear(&e);
    assert_int_equal(sofa_validate(u, 0, cur, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "mission_id");
    json_decref(u);
    u = json_pack("{s:n}", "place");
    pko_err_clear(&e);
    assert_int_equal(sofa_validate(u, 0, cur, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "place");
    json_decref(u);
    json_decref(cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
