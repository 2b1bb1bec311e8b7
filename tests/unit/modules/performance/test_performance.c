/* Unit tests for src/modules/performance: rating scales, quarters, the
 * validation of evaluations (component from the unit type, quarterly
 * periods for police units, ratings on the unit's scale, shortfalls named
 * for ratings below satisfactory, overall rating) and of remedial
 * measures (completion needs a date and evidence). */
#include "test_util.h"

#include <math.h>

#include "modules/performance/performance.h"

#define TODAY "2026-01-15"

static void test_scales(void **state)
{
    (void)state;
    assert_int_equal(perf_scale_max("military"), 4);
    assert_int_equal(perf_scale_max("police"), 5);
    assert_int_equal(perf_scale_max("navy"), 0);
    assert_string_equal(perf_rating_label("military", 4), "excellent");
    assert_string_equal(perf_rating_label("police", 4), "very_good");
    assert_string_equal(perf_rating_label("police", 3), "satisfactory");
    assert_null(perf_rating_label("military", 5));
    assert_null(perf_rating_label("police", 0));
    char q[8];
    perf_quarter_of("2025-01-01", q);
    assert_string_equal(q, "2025-Q1");
    perf_quarter_of("2025-06-30", q);
    assert_string_equal(q, "2025-Q2");
    perf_quarter_of("2025-12-31", q);
    assert_string_equal(q, "2025-Q4");
}

static json_t *fpu(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:i}, {s:s, s:i}],"
                     " s:[{s:s, s:s, s:s}]}",
                     "mission_id", "m1", "unit_name", "FPU 1", "unit_type", "formed_police_unit",
                     "contributing_country", "SEN", "kind", "in_mission", "period", "2025-Q3",
                     "evaluated_on", "2025-10-03", "evaluator", "Police division", "ratings",
                     "standard", "training", "rating", 2, "standard", "operations", "rating", 5,
                     "shortfalls", "standard", "training",
                     "severity", "major", "description", "drills");
}

static void bad(json_t *f, const char *field)
{
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(perf_evaluation_validate(f, 1, NULL, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, field);
    json_decref(f);
}

static void test_evaluation(void **state)
{
    (void)state;
    pko_err e;
    pko_err_clear(&e);
    json_t *f = fpu();
    assert_int_equal(perf_evaluation_validate(f, 1, NULL, TODAY, &e), PKO_OK);
    assert_string_equal(json_string_value(json_object_get(f, "component")), "police");
    assert_true(fabs(json_real_value(json_object_get(f, "overall_rating")) - 3.5) < 1e-9);
    json_decref(f);

    f = fpu();
    json_object_set_new(f, "period", json_string("2025"));
    bad(f, "period"); /* police: quarterly */
    f = fpu();
    json_object_del(f, "period");
    bad(f, "period");
    f = fpu();
    json_object_set_new(f, "period", json_string("2025-Q4"));
    json_object_set_new(f, "evaluated_on", json_string("2025-09-30"));
    bad(f, "period"); /* not begun */
    f = fpu();
    json_object_set_new(f, "shortfalls", json_array());
    bad(f, "shortfalls");
    f = fpu();
    json_object_set_new(f, "ratings", json_pack("[{s:s, s:i}]", "standard", "training", "rating", 6));
    bad(f, "ratings");
    f = fpu();
    json_object_set_new(f, "unit_type", json_string("infantry_battalion"));
    json_object_set_new(f, "ratings", json_pack("[{s:s, s:i}]", "standard", "training", "rating",
                                                5));
    bad(f, "ratings"); /* military scale stops at 4 */
    f = fpu();
    json_object_set_new(f, "unit_type", json_string("infantry_battalion"));
    json_object_set_new(f, "period", json_string("2025-H1"));
    json_object_set_new(f, "ratings", json_pack("[{s:s, s:i}, {s:s, s:i}]", "standard", "training",
                                                "rating", 2, "standard", "operations", "rating",
                                                4));
    pko_err_clear(&e);
    assert_int_equal(perf_evaluation_validate(f, 1, NULL, TODAY, &e), PKO_OK);
    json_decref(f);
    f = fpu();
    json_object_set_new(f, "contributing_country", json_string("ZZZ"));
    bad(f, "contributing_country");
    f = fpu();
    json_object_set_new(f, "evaluated_on", json_string("2026-02-01"));
    bad(f, "evaluated_on");
    f = fpu();
    json_object_set_new(f, "kind", json_string("pre_rotation_visit"));
    json_object_del(f, "period");
    pko_err_clear(&e);
    assert_int_equal(perf_evaluation_validate(f, 1, NULL, TODAY, &e), PKO_OK);
    json_decref(f);
}

static void test_measure(void **state)
{
    (void)state;
    pko_err e;
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s}", "area", "training", "action", "drills",
                          "responsible", "mission", "level", "mission", "due_on", "2026-06-30");
    pko_err_clear(&e);
    assert_int_equal(perf_measure_validate(m, 1, NULL, TODAY, &e), PKO_OK);
    json_t *u = json_pack("{s:s, s:s}", "status", "completed", "completed_on", "2026-01-10");
    pko_err_clear(&e);
    assert_int_equal(perf_measure_validate(u, 0, m, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "evidence");
    json_object_set_new(u, "evidence", json_string("roll"));
    pko_err_clear(&e);
    assert_int_equal(perf_measure_validate(u, 0, m, TODAY, &e), PKO_OK);
    json_object_set_new(u, "completed_on", json_string("2026-02-10"));
    pko_err_clear(&e);
    assert_int_equal(perf_measure_validate(u, 0, m, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "completed_on");
    json_decref(u);
    u = json_pack("{s:s}", "area", "astrology");
    pko_err_clear(&e);
    assert_int_equal(perf_measure_validate(u, 0, m, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "area");
    json_decref(u);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scales),
        cmocka_unit_test(test_evaluation),
        cmocka_unit_test(test_measure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
