/* Unit tests for src/modules/missions/missions.c: field validation and
 * the create handler's conflict messages. */
#include "live_server.h"

#include <sqlite3.h>

#include "modules/missions/missions.h"

static pko_rc check(const char *json, int creating, pko_err *e)
{
    json_t *v = json_loads(json, 0, NULL);
    assert_non_null(v);
    pko_err_clear(e);
    pko_rc rc = missions_validate(v, creating, e);
    json_decref(v);
    return rc;
}

static void test_valid_mission(void **state)
{
    (void)state;
    pko_err e;
    assert_int_equal(check("{\"name\":\"MINUSCA\",\"acronym\":\"MINUSCA\",\"host_country\":\"CAF\","
                           "\"mandate_resolution\":\"S/RES/2149 (2014)\","
                           "\"start_date\":\"2014-04-10\",\"status\":\"active\"}",
                           1, &e),
                     PKO_OK);
    assert_int_equal(check("{\"name\":\"UNMISS\",\"acronym\":\"UNMISS\"}", 1, &e), PKO_OK);
    assert_int_equal(check("{\"status\":\"transition\"}", 0, &e), PKO_OK);
    assert_int_equal(check("{\"start_date\":\"2024-02-29\"}", 0, &e), PKO_OK);
}

static void test_each_field_is_named(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int creating;
        const char *field;
    } cases[] = {
        {"{\"acronym\":\"ABC\"}", 1, "name"},
        {"{\"name\":\"\",\"acronym\":\"ABC\"}", 1, "name"},
        {"{\"name\":5}", 0, "name"},
        {"{\"name\":\"x\"}", 1, "acronym"},
        {"{\"name\":\"x\",\"acronym\":\"minusca\"}", 1, "acronym"},
        {"{\"name\":\"x\",\"acronym\":\"A\"}", 1, "acronym"},
        {"{\"name\":\"x\",\"acronym\":\"AB CD\"}", 1, "acronym"},
        {"{\"host_country\":\"Car\"}", 0, "host_country"},
        {"{\"host_country\":\"CA\"}", 0, "host_country"},
        {"{\"start_date\":\"2014-13-01\"}", 0, "start_date"},
        {"{\"start_date\":\"2023-02-29\"}", 0, "start_date"},
        {"{\"start_date\":\"1900-01-01\"}", 0, "start_date"},
        {"{\"start_date\":\"2014/04/10\"}", 0, "start_date"},
        {"{\"status\":\"finished\"}", 0, "status"},
        {"{\"status\":null}", 0, "status"},
        {"{\"mandate_resolution\":[]}", 0, "mandate_resolution"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pko_err e;
        assert_int_equal(check(cases[i].json, cases[i].creating, &e), PKO_EINVAL);
        if (strcmp(e.field, cases[i].field) != 0)
            fail_msg("%s: field %s, expected %s", cases[i].json, e.field, cases[i].field);
        assert_true(strlen(e.msg) > 10);
    }
}

static void test_module_shape(void **state)
{
    (void)state;
    assert_string_equal(pko_module_missions.name, "missions");
    assert_int_equal(pko_module_missions.n_routes, 6);
    assert_ptr_equal(pko_module_missions.entities[0], &pko_entity_mission);
    assert_string_equal(pko_entity_mission.scope_col, "id");
    assert_ptr_equal(pko_module_missions.entities[1], &pko_entity_mission_site);
    assert_string_equal(pko_entity_mission_site.scope_col, "mission_id");
}

static void test_site_fields_are_named(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *field; /* NULL: valid */
    } cases[] = {
        {"{\"name\":\"Bria\",\"kind\":\"team_site\",\"lat\":6.5,\"lon\":22,\"troops\":300}", NULL},
        {"{\"kind\":\"team_site\",\"lat\":6.5,\"lon\":22}", "name"},
        {"{\"name\":\"Bria\",\"kind\":\"fort\",\"lat\":6.5,\"lon\":22}", "kind"},
        {"{\"name\":\"Bria\",\"kind\":\"other\",\"lat\":-91,\"lon\":22}", "lat"},
        {"{\"name\":\"Bria\",\"kind\":\"other\",\"lat\":6,\"lon\":\"x\"}", "lon"},
        {"{\"name\":\"Bria\",\"kind\":\"other\",\"lat\":6,\"lon\":1,\"troops\":-1}", "troops"},
        {"{\"name\":\"Bria\",\"kind\":\"other\",\"lat\":6,\"lon\":1,\"source_id\":\"a\"}",
         "source_id"},
        {"{\"name\":\"Bria\",\"kind\":\"other\",\"lat\":6,\"lon\":1,\"x\":1}", "x"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = json_loads(cases[i].json, 0, NULL);
        assert_non_null(v);
        pko_err e;
        pko_err_clear(&e);
        pko_rc rc = sites_validate(v, &e);
        json_decref(v);
        if (!cases[i].field) {
            assert_int_equal(rc, PKO_OK);
            continue;
        }
        assert_int_equal(rc, PKO_EINVAL);
        if (strcmp(e.field, cases[i].field) != 0)
            fail_msg("%s: field %s, expected %s", cases[i].json, e.field, cases[i].field);
    }
}

/* Regression: every conflict on create was reported as "a mission with
 * acronym X exists", whatever constraint failed. */
static void test_only_the_acronym_conflict_names_the_acronym(void **state)
{
    (void)state;
    live l;
    live_start(&l);
    char tok[80], resp[16384];
    live_user(&l, "root", "system_admin", PKO_CLASS_STRICTLY_CONFIDENTIAL, tok);
    /* Another unique constraint on the table (as a later migration may add). */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(l.path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE UNIQUE INDEX missions_name ON missions(name)", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(live_req(&l, "POST", "/api/v1/missions", tok,
                              "{\"name\":\"Same\",\"acronym\":\"AAA\"}", resp, sizeof(resp)),
                     201);
    assert_int_equal(live_req(&l, "POST", "/api/v1/missions", tok,
                              "{\"name\":\"Same\",\"acronym\":\"BBB\"}", resp, sizeof(resp)),
                     409);
    json_t *b = live_body(resp);
    json_t *e = json_object_get(b, "error");
    assert_null(strstr(json_string_value(json_object_get(e, "message")), "acronym"));
    assert_true(json_is_null(json_object_get(e, "field")));
    json_decref(b);
    assert_int_equal(live_req(&l, "POST", "/api/v1/missions", tok,
                              "{\"name\":\"Other\",\"acronym\":\"AAA\"}", resp, sizeof(resp)),
                     409);
    b = live_body(resp);
    e = json_object_get(b, "error");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "a mission with acronym AAA exists");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "acronym");
    json_decref(b);
    live_stop(&l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_mission),
        cmocka_unit_test(test_each_field_is_named),
        cmocka_unit_test(test_module_shape),
        cmocka_unit_test(test_site_fields_are_named),
        cmocka_unit_test(test_only_the_acronym_conflict_names_the_acronym),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
