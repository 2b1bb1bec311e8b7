/* Unit tests for src/modules/design's pure parts: the embedded catalogue
 * (counts, every cross-reference resolving, every default unit type known
 * to PCRS), the composer, the mandate check on the flawed and sound
 * fixtures of tests/fixtures/design, derivation (benchmark, scale,
 * assumptions, phase offsets), feasibility against pledges, the life
 * cycle's transition conditions, and the date arithmetic. */
#include "test_util.h"

#include <jansson.h>

#include "modules/design/design.h"
#include "modules/pcrs/pcrs.h"

/* tests/fixtures/design/<name>, found from this file's path. */
static json_t *fixture(const char *name)
{
    char path[1024];
    const char *me = __FILE__;
    const char *cut = strstr(me, "tests/unit/modules/design/");
    assert_non_null(cut);
    snprintf(path, sizeof(path), "%.*stests/fixtures/design/%s", (int)(cut - me), me, name);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fail_msg("%s: %s", path, e.text);
    return j;
}

static void test_catalogue(void **state)
{
    (void)state;
    const json_t *models = design_catalogue_list("models", "models");
    assert_int_equal(json_array_size(models), 30);
    for (int id = 1; id <= 30; id++) {
        const json_t *m = design_model(id);
        assert_non_null(m);
        assert_true(json_integer_value(json_object_get(json_object_get(m, "source"), "line")) > 400);
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(m, "capability_codes"), i, c)
            assert_non_null(design_capability(json_string_value(c)));
        json_array_foreach(json_object_get(m, "signals"), i, c)
            assert_non_null(design_signal(json_string_value(c)));
        json_array_foreach(json_object_get(m, "mandate_components"), i, c)
            assert_non_null(design_component((int)json_integer_value(c)));
    }
    assert_null(design_model(0));
    assert_null(design_model(31));
    assert_int_equal(json_array_size(design_catalogue_list("modalities", "modalities")), 6);
    assert_int_equal(json_array_size(design_catalogue_list("mandate_components", "components")), 21);
    assert_int_equal(json_array_size(design_catalogue_list("success_factors", "factors")), 10);
    assert_int_equal(json_array_size(design_catalogue_list("threats", "threats")), 5);
    assert_non_null(design_modality("hybrid"));
    assert_null(design_modality("solo"));
    /* Every default unit of the vocabulary is a PCRS unit type. */
    size_t i;
    json_t *c;
    json_array_foreach(design_catalogue_list("capabilities", "capabilities"), i, c)
    {
        size_t j;
        json_t *u;
        json_array_foreach(json_object_get(c, "units"), j, u)
        {
            const char *ut = json_string_value(json_object_get(u, "unit_type"));
            if (!pcrs_unit_type_find(ut))
                fail_msg("capability %s: unit type %s unknown to PCRS",
                         json_string_value(json_object_get(c, "code")), ut);
        }
    }
    json_array_foreach(design_catalogue_list("mandate_components", "components"), i, c)
    {
        size_t j;
        json_t *d;
        json_array_foreach(json_object_get(c, "delivered_by"), j, d)
            assert_non_null(design_capability(json_string_value(d)));
    }
    json_array_foreach(design_catalogue_list("lifecycle", "transitions"), i, c)
    {
        assert_true(design_state_index(json_string_value(json_object_get(c, "from"))) >= 0);
        assert_true(design_state_index(json_string_value(json_object_get(c, "to"))) >= 0);
    }
    char cite[96];
    design_cite(json_object_get(design_model(3), "source"), cite, sizeof(cite));
    assert_string_equal(cite, "000_7f7c5e6c24e24b33.txt:462");
    for (int k = 1; k <= 14; k++) {
        char id[8];
        snprintf(id, sizeof(id), "MC%02d", k);
        assert_non_null(design_rule(id));
    }
}

static json_t *ids_of(json_t *out)
{
    json_t *ids = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(out, "proposals"), i, p)
        json_array_append_new(ids, json_copy(json_object_get(p, "model")));
    return ids;
}

static void test_compose(void **state)
{
    (void)state;
    pko_err err = {0};
    json_t *p = json_pack("{s:[s], s:[s, s, s], s:s, s:i}", "threats", "armed_conflict",
                          "situations", "violence_against_civilians", "mass_atrocities",
                          "armed_groups_disarming", "urgency", "high", "max_models", 3);
    json_t *out = NULL;
    assert_int_equal(design_compose(p, &out, &err), PKO_OK);
    json_t *ids = ids_of(out);
    json_t *want = json_pack("[i, i, i]", 2, 3, 12);
    assert_true(json_equal(ids, want));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "modality"), "id")), "standalone");
    /* Success factors: host consent full (2 supportive), no regional actor
     * (4 at risk), Council unity not given (1 not assessed). */
    json_t *sf = json_object_get(out, "success_factors");
    assert_int_equal(json_array_size(sf), 10);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sf, 0), "status")),
                        "not_assessed");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sf, 1), "status")),
                        "supportive");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sf, 3), "status")),
                        "at_risk");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sf, 3), "cite")),
                        "000_7f7c5e6c24e24b33.txt:1142");
    json_decref(ids);
    json_decref(want);
    json_decref(out);
    json_object_set_new(p, "council_unity", json_string("divided"));
    assert_int_equal(design_compose(p, &out, &err), PKO_OK);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "success_factors"), 0), "status")),
                        "at_risk");
    json_decref(out);
    /* A regional organisation leads: UN-authorized. No consent: too. */
    json_object_set_new(p, "regional_actors", json_string("leading"));
    assert_int_equal(design_compose(p, &out, &err), PKO_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "modality"), "id")), "un_authorized");
    json_decref(out);
    json_decref(p);
    /* Model 11 needs a request of the host: without full consent it falls. */
    p = json_pack("{s:[s], s:s}", "situations", "elections", "host_consent", "partial");
    assert_int_equal(design_compose(p, &out, &err), PKO_OK);
    assert_int_equal(json_array_size(json_object_get(out, "proposals")), 0);
    assert_true(json_array_size(json_object_get(out, "warnings")) >= 2);
    json_decref(out);
    json_object_set_new(p, "host_consent", json_string("full"));
    assert_int_equal(design_compose(p, &out, &err), PKO_OK);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(out, "proposals"), 0), "model")),
                     11);
    json_decref(out);
    json_decref(p);
    static const char *const bad[][2] = {
        {"{\"threats\": [\"elections\"]}", "threats"},
        {"{\"situations\": [\"elections\"], \"urgency\": 3}", "urgency"},
        {"{\"situations\": \"elections\"}", "situations"},
        {"{\"situations\": [\"elections\"], \"max_models\": 31}", "max_models"},
        {"{}", "situations"},
        {"{\"x\": 1}", "x"},
        {"{\"situations\": [\"elections\"], \"council_unity\": \"split\"}", "council_unity"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = json_loads(bad[i][0], 0, NULL);
        pko_err e2 = {0};
        assert_int_equal(design_compose(p, &out, &e2), PKO_EINVAL);
        assert_string_equal(e2.field, bad[i][1]);
        json_decref(p);
    }
}

static json_t *rules_of(json_t *out)
{
    json_t *set = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(out, "findings"), i, f)
        json_object_set_new(set, json_string_value(json_object_get(f, "rule")), json_true());
    return set;
}

static void test_mandate_fixtures(void **state)
{
    (void)state;
    pko_err err = {0};
    json_t *m = fixture("flawed_mandate.json");
    json_t *expected = json_incref(json_object_get(m, "expected_rules"));
    json_object_del(m, "expected_rules");
    json_object_del(m, "title"); /* optional; the check must not need it */
    json_t *out = NULL;
    assert_int_equal(design_mandate_check(m, &out, &err), PKO_OK);
    json_t *got = rules_of(out);
    assert_int_equal(json_object_size(got), json_array_size(expected));
    size_t i;
    json_t *r;
    json_array_foreach(expected, i, r)
    {
        if (!json_object_get(got, json_string_value(r)))
            fail_msg("rule %s not found", json_string_value(r));
    }
    json_decref(got);
    json_decref(out);
    /* Give the previous mandate other resources: MC10 goes away. */
    json_object_set_new(json_object_get(m, "previous"), "resources",
                        json_pack("{s:[s]}", "capabilities", "aviation"));
    assert_int_equal(design_mandate_check(m, &out, &err), PKO_OK);
    got = rules_of(out);
    assert_null(json_object_get(got, "MC10"));
    assert_non_null(json_object_get(got, "MC07"));
    json_decref(got);
    json_decref(out);
    /* No resources at all: MC05. */
    json_object_del(m, "resources");
    json_object_del(m, "previous");
    assert_int_equal(design_mandate_check(m, &out, &err), PKO_OK);
    got = rules_of(out);
    assert_non_null(json_object_get(got, "MC05"));
    json_decref(got);
    json_decref(out);
    json_decref(expected);
    json_decref(m);

    m = fixture("sound_mandate.json");
    assert_int_equal(design_mandate_check(m, &out, &err), PKO_OK);
    assert_int_equal(json_array_size(json_object_get(out, "findings")), 0);
    json_decref(out);
    /* The same with 9 distinct components: MC02 (threshold 8). */
    json_t *tasks = json_object_get(m, "tasks");
    static const int more[] = {1, 6, 13};
    for (size_t k = 0; k < 3; k++)
        json_array_append_new(tasks, json_pack("{s:i, s:s, s:i, s:s}", "component", more[k], "text",
                                               "t", "priority", 3, "phase", "main"));
    json_object_set_new(json_object_get(m, "resources"), "capabilities",
                        json_pack("[s, s, s, s, s, s, s, s, s]", "aviation", "political_civil_affairs",
                                  "human_rights", "ddr", "quick_reaction_force", "ssr",
                                  "governance", "data_analytics", "police_units"));
    assert_int_equal(design_mandate_check(m, &out, &err), PKO_OK);
    got = rules_of(out);
    assert_int_equal(json_object_size(got), 1);
    assert_non_null(json_object_get(got, "MC02"));
    json_decref(got);
    json_decref(out);
    json_decref(m);
}

static void test_derive(void **state)
{
    (void)state;
    json_t *d = json_pack("{s:[i]}", "models", 4);
    json_t *der = design_derive(d);
    json_t *bm = json_object_get(der, "benchmark");
    assert_string_equal(json_string_value(json_object_get(bm, "kind")), "traditional");
    assert_int_equal(json_integer_value(json_object_get(bm, "days")), 30);
    /* Model 4: observers, force protection, ISR, signals, aviation ... */
    int heli = 0, obs_strength = 0;
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(der, "units"), i, u)
    {
        const char *ut = json_string_value(json_object_get(u, "unit_type"));
        if (!strcmp(ut, "utility_helicopter_unit"))
            heli = (int)json_integer_value(json_object_get(u, "count"));
        if (!strcmp(ut, "military_observers"))
            obs_strength = (int)json_integer_value(json_object_get(u, "strength"));
        assert_int_equal(json_integer_value(json_object_get(u, "required_after_days")), 30);
    }
    assert_int_equal(heli, 1);
    assert_int_equal(obs_strength, 20);
    double cost1 = json_number_value(json_object_get(json_object_get(der, "cost"), "total_usd"));
    assert_true(cost1 > 0);
    json_decref(der);
    /* Scale 2 and two helicopters per aviation need: 4 helicopters. */
    json_object_set_new(d, "scale", json_integer(2));
    json_object_set_new(d, "assumptions",
                        json_pack("{s:{s:[{s:s, s:i}]}}", "aviation", "units", "unit_type",
                                  "utility_helicopter_unit", "count", 2));
    der = design_derive(d);
    json_array_foreach(json_object_get(der, "units"), i, u)
    {
        if (!strcmp(json_string_value(json_object_get(u, "unit_type")), "utility_helicopter_unit"))
            heli = (int)json_integer_value(json_object_get(u, "count"));
    }
    assert_int_equal(heli, 4);
    assert_true(json_number_value(json_object_get(json_object_get(der, "cost"), "total_usd")) >
                2 * cost1);
    json_decref(der);
    json_decref(d);
    /* Phases: naval (model 30) only in drawdown -> after start-up + main. */
    d = json_pack("{s:[i, i], s:[{s:s, s:[i], s:i}, {s:s, s:[i], s:i}, {s:s, s:[i], s:i}]}",
                  "models", 3, 30, "phases", "phase", "start_up", "models", 3, "months", 6, "phase",
                  "main", "models", 3, "months", 24, "phase", "drawdown", "models", 30, "months", 12);
    der = design_derive(d);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(der, "benchmark"), "days")),
                     90);
    bool naval = false;
    json_array_foreach(json_object_get(der, "units"), i, u)
    {
        if (!strcmp(json_string_value(json_object_get(u, "unit_type")), "maritime_task_force")) {
            naval = true;
            assert_int_equal(json_integer_value(json_object_get(u, "required_after_days")),
                             30 * 30);
        }
        if (!strcmp(json_string_value(json_object_get(u, "unit_type")), "uas_unit"))
            assert_int_equal(json_integer_value(json_object_get(u, "required_after_days")), 90);
    }
    assert_true(naval);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(der, "cost"), "months")),
                     42);
    json_decref(der);
    json_decref(d);
}

static void test_feasibility(void **state)
{
    (void)state;
    json_t *units = json_pack("[{s:s, s:i}]", "unit_type", "infantry_battalion", "count", 2);
    json_t *pledges = json_pack(
        "[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "unit_type",
        "infantry_battalion", "status", "available", "level", "rapid_deployment", "unit_type",
        "infantry_battalion", "status", "available", "level", "level_1", "unit_type",
        "infantry_battalion", "status", "deployed", "level", "rapid_deployment", "unit_type",
        "formed_police_unit", "status", "available", "level", "rapid_deployment");
    json_t *f = design_feasibility(units, pledges, "2031-01-01", 90);
    json_t *row = json_array_get(json_object_get(f, "units"), 0);
    assert_int_equal(json_integer_value(json_object_get(row, "pledged_available")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "pledged_by_level"),
                                                        "rapid_deployment")),
                     1);
    /* The second battalion is a level 1 pledge: 150 days, over 90. */
    assert_int_equal(json_integer_value(json_object_get(f, "earliest_days")), 150);
    assert_string_equal(json_string_value(json_object_get(f, "earliest_date")), "2031-05-31");
    assert_true(json_is_false(json_object_get(f, "meets_benchmark")));
    json_decref(f);
    /* Three needed: one short. */
    json_object_set_new(json_array_get(units, 0), "count", json_integer(3));
    f = design_feasibility(units, pledges, "2031-01-01", 90);
    row = json_array_get(json_object_get(f, "units"), 0);
    assert_int_equal(json_integer_value(json_object_get(row, "short_by")), 1);
    assert_int_equal(json_array_size(json_object_get(f, "missing")), 1);
    assert_true(json_is_null(json_object_get(f, "earliest_days")));
    json_decref(f);
    /* One needed, available only from day 75: 75 days, within 90. */
    json_object_set_new(json_array_get(units, 0), "count", json_integer(1));
    json_object_set_new(json_array_get(pledges, 0), "available_from", json_string("2031-03-17"));
    f = design_feasibility(units, pledges, "2031-01-01", 90);
    assert_int_equal(json_integer_value(json_object_get(f, "earliest_days")), 75);
    assert_true(json_is_true(json_object_get(f, "meets_benchmark")));
    json_decref(f);
    json_decref(units);
    json_decref(pledges);
}

static void test_transitions(void **state)
{
    (void)state;
    pko_err err = {0};
    json_t *d = json_pack("{s:s}", "state", "assessment");
    json_t *body = json_object();
    assert_int_equal(design_transition_check(d, "start_up", body, &err), PKO_ECONFLICT);
    err = (pko_err){0};
    assert_int_equal(design_transition_check(d, "planning", body, &err), PKO_EINVAL);
    assert_string_equal(err.field, "profile");
    assert_non_null(strstr(err.msg, "003_f0067143c8d9ff50.txt"));
    json_object_set_new(d, "profile", json_pack("{s:[s]}", "situations", "elections"));
    err = (pko_err){0};
    assert_int_equal(design_transition_check(d, "planning", body, &err), PKO_EINVAL);
    assert_string_equal(err.field, "models");
    json_object_set_new(d, "models", json_pack("[i]", 11));
    assert_int_equal(design_transition_check(d, "planning", body, &err), PKO_OK);
    json_object_set_new(d, "state", json_string("operating"));
    json_object_set_new(d, "mandate", json_pack("{s:[s]}", "exit_benchmarks", "elections held"));
    err = (pko_err){0};
    assert_int_equal(design_transition_check(d, "drawdown", body, &err), PKO_EINVAL);
    assert_string_equal(err.field, "decision");
    json_object_set_new(body, "decision", json_string("SCR 1 (2031)"));
    assert_int_equal(design_transition_check(d, "drawdown", body, &err), PKO_OK);
    json_object_set_new(d, "state", json_string("closed"));
    err = (pko_err){0};
    assert_int_equal(design_transition_check(d, "assessment", body, &err), PKO_ECONFLICT);
    assert_int_equal(design_transition_check(d, "nowhere", body, &err), PKO_EINVAL);
    json_decref(d);
    json_decref(body);
}

static void test_dates(void **state)
{
    (void)state;
    char out[11];
    long n;
    assert_true(design_add_days("2028-02-28", 1, out));
    assert_string_equal(out, "2028-02-29");
    assert_true(design_add_days("2027-12-31", 60, out));
    assert_string_equal(out, "2028-02-29");
    assert_true(design_days_between("2030-01-01", "2031-01-01", &n));
    assert_int_equal(n, 365);
    assert_true(design_days_between("1970-01-01", "1970-01-02", &n));
    assert_int_equal(n, 1);
    assert_false(design_add_days("2027-02-29", 1, out));
    assert_false(design_add_days("2027-13-01", 1, out));
    assert_false(design_days_between("x", "2030-01-01", &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue),   cmocka_unit_test(test_compose),
        cmocka_unit_test(test_mandate_fixtures), cmocka_unit_test(test_derive),
        cmocka_unit_test(test_feasibility), cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
